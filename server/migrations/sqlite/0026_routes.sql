-- Delivery routes and the nightly proposal (keep in step with ../postgres/0026_routes.sql): the warehouse's vans
-- run by route, each route with its own departures (local minutes after midnight, the
-- domain's `Waves`: one to four a day); a store is on one route, or rides the chain's
-- waves while it is on none. The waves are read with the locations every booking caches,
-- so a change bumps the network's revision.
CREATE TABLE delivery_routes (
    code       TEXT PRIMARY KEY,
    name_zh    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    updated_by BLOB REFERENCES staff (id),
    updated_at TEXT
);

CREATE TABLE route_waves (
    route_code TEXT NOT NULL REFERENCES delivery_routes (code),
    minute     INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 1439),
    PRIMARY KEY (route_code, minute)
);

ALTER TABLE locations ADD COLUMN route_code TEXT REFERENCES delivery_routes (code);

CREATE TRIGGER delivery_routes_revision_insert AFTER INSERT ON delivery_routes
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'network'; END;
CREATE TRIGGER delivery_routes_revision_update AFTER UPDATE ON delivery_routes
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'network'; END;
CREATE TRIGGER delivery_routes_revision_delete AFTER DELETE ON delivery_routes
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'network'; END;
CREATE TRIGGER route_waves_revision_insert AFTER INSERT ON route_waves
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'network'; END;
CREATE TRIGGER route_waves_revision_update AFTER UPDATE ON route_waves
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'network'; END;
CREATE TRIGGER route_waves_revision_delete AFTER DELETE ON route_waves
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'network'; END;

-- The nightly replenishment proposal is a daily job too (SQLite cannot change a CHECK:
-- the table is made again with the wider one).
CREATE TABLE daily_jobs_next (
    name       TEXT PRIMARY KEY CHECK (name IN ('standing', 'replenishment')),
    last_day   TEXT NOT NULL
);
INSERT INTO daily_jobs_next (name, last_day) SELECT name, last_day FROM daily_jobs;
DROP TABLE daily_jobs;
ALTER TABLE daily_jobs_next RENAME TO daily_jobs;
INSERT INTO daily_jobs (name, last_day) VALUES ('replenishment', '2000-01-01');
