-- Delivery routes and the nightly proposal (keep in step with ../sqlite/0026_routes.sql): the warehouse's vans
-- run by route, each route with its own departures (local minutes after midnight, the
-- domain's `Waves`: one to four a day); a store is on one route, or rides the chain's
-- waves while it is on none. The waves are read with the locations every booking caches,
-- so a change bumps the network's revision.
CREATE TABLE delivery_routes (
    code       TEXT PRIMARY KEY,
    name_zh    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    updated_by UUID REFERENCES staff (id),
    updated_at TIMESTAMPTZ
);

CREATE TABLE route_waves (
    route_code TEXT NOT NULL REFERENCES delivery_routes (code),
    minute     BIGINT NOT NULL CHECK (minute BETWEEN 0 AND 1439),
    PRIMARY KEY (route_code, minute)
);

ALTER TABLE locations ADD COLUMN route_code TEXT REFERENCES delivery_routes (code);

CREATE TRIGGER delivery_routes_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON delivery_routes
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision('network');
CREATE TRIGGER route_waves_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON route_waves
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision('network');

-- The nightly replenishment proposal is a daily job too.
ALTER TABLE daily_jobs DROP CONSTRAINT daily_jobs_name_check;
ALTER TABLE daily_jobs ADD CONSTRAINT daily_jobs_name_check CHECK (name IN ('standing', 'replenishment'));
INSERT INTO daily_jobs (name, last_day) VALUES ('replenishment', '2000-01-01');
