-- Revisions of the data that changes rarely and is read by every booking: the price list,
-- the discount policies, the catalog (services, parts, fitment, models) and the network
-- (locations, hours, staff). Triggers bump a group's revision whenever one of its tables
-- changes, whoever writes it, so a server may keep the data in memory and check in one
-- query that it is still current (keep in step with ../sqlite/0005_revisions.sql).

CREATE TABLE revisions (
    name TEXT PRIMARY KEY CHECK (name IN ('prices', 'policies', 'catalog', 'network')),
    rev  BIGINT NOT NULL
);
INSERT INTO revisions (name, rev) VALUES ('prices', 1), ('policies', 1), ('catalog', 1), ('network', 1);

CREATE FUNCTION bump_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE revisions SET rev = rev + 1 WHERE name = TG_ARGV[0];
    RETURN NULL;
END
$$;


-- prices
CREATE TRIGGER price_list_versions_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON price_list_versions
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision('prices');
CREATE TRIGGER prices_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON prices
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision('prices');

-- policies
CREATE TRIGGER discount_policies_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON discount_policies
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision('policies');

-- catalog
CREATE TRIGGER services_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON services
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision('catalog');
CREATE TRIGGER service_parts_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_parts
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision('catalog');
CREATE TRIGGER fitments_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON fitments
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision('catalog');
CREATE TRIGGER parts_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON parts
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision('catalog');
CREATE TRIGGER part_categories_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON part_categories
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision('catalog');
CREATE TRIGGER vehicle_models_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON vehicle_models
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision('catalog');

-- network
CREATE TRIGGER locations_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON locations
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision('network');
CREATE TRIGGER opening_hours_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON opening_hours
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision('network');
CREATE TRIGGER staff_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON staff
    FOR EACH STATEMENT EXECUTE FUNCTION bump_revision('network');

-- Every outbox row is announced to every instance (delivered when its transaction
-- commits): writers append the event and need not notify separately.
CREATE FUNCTION notify_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('pitlane_events', NEW.payload);
    RETURN NULL;
END
$$;
CREATE TRIGGER events_notify AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION notify_event();

