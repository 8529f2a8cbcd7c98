-- Revisions of the data that changes rarely and is read by every booking: the price list,
-- the discount policies, the catalog (services, parts, fitment, models) and the network
-- (locations, hours, staff). Triggers bump a group's revision whenever one of its tables
-- changes, whoever writes it, so a server may keep the data in memory and check in one
-- query that it is still current (keep in step with ../postgres/0005_revisions.sql).

CREATE TABLE revisions (
    name TEXT PRIMARY KEY CHECK (name IN ('prices', 'policies', 'catalog', 'network')),
    rev  INTEGER NOT NULL
);
INSERT INTO revisions (name, rev) VALUES ('prices', 1), ('policies', 1), ('catalog', 1), ('network', 1);


-- prices
CREATE TRIGGER price_list_versions_revision_insert AFTER INSERT ON price_list_versions
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'prices'; END;
CREATE TRIGGER price_list_versions_revision_update AFTER UPDATE ON price_list_versions
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'prices'; END;
CREATE TRIGGER price_list_versions_revision_delete AFTER DELETE ON price_list_versions
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'prices'; END;
CREATE TRIGGER prices_revision_insert AFTER INSERT ON prices
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'prices'; END;
CREATE TRIGGER prices_revision_update AFTER UPDATE ON prices
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'prices'; END;
CREATE TRIGGER prices_revision_delete AFTER DELETE ON prices
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'prices'; END;

-- policies
CREATE TRIGGER discount_policies_revision_insert AFTER INSERT ON discount_policies
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'policies'; END;
CREATE TRIGGER discount_policies_revision_update AFTER UPDATE ON discount_policies
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'policies'; END;
CREATE TRIGGER discount_policies_revision_delete AFTER DELETE ON discount_policies
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'policies'; END;

-- catalog
CREATE TRIGGER services_revision_insert AFTER INSERT ON services
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER services_revision_update AFTER UPDATE ON services
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER services_revision_delete AFTER DELETE ON services
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER service_parts_revision_insert AFTER INSERT ON service_parts
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER service_parts_revision_update AFTER UPDATE ON service_parts
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER service_parts_revision_delete AFTER DELETE ON service_parts
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER fitments_revision_insert AFTER INSERT ON fitments
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER fitments_revision_update AFTER UPDATE ON fitments
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER fitments_revision_delete AFTER DELETE ON fitments
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER parts_revision_insert AFTER INSERT ON parts
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER parts_revision_update AFTER UPDATE ON parts
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER parts_revision_delete AFTER DELETE ON parts
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER part_categories_revision_insert AFTER INSERT ON part_categories
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER part_categories_revision_update AFTER UPDATE ON part_categories
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER part_categories_revision_delete AFTER DELETE ON part_categories
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER vehicle_models_revision_insert AFTER INSERT ON vehicle_models
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER vehicle_models_revision_update AFTER UPDATE ON vehicle_models
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER vehicle_models_revision_delete AFTER DELETE ON vehicle_models
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'catalog'; END;

-- network
CREATE TRIGGER locations_revision_insert AFTER INSERT ON locations
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'network'; END;
CREATE TRIGGER locations_revision_update AFTER UPDATE ON locations
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'network'; END;
CREATE TRIGGER locations_revision_delete AFTER DELETE ON locations
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'network'; END;
CREATE TRIGGER opening_hours_revision_insert AFTER INSERT ON opening_hours
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'network'; END;
CREATE TRIGGER opening_hours_revision_update AFTER UPDATE ON opening_hours
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'network'; END;
CREATE TRIGGER opening_hours_revision_delete AFTER DELETE ON opening_hours
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'network'; END;
CREATE TRIGGER staff_revision_insert AFTER INSERT ON staff
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'network'; END;
CREATE TRIGGER staff_revision_update AFTER UPDATE ON staff
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'network'; END;
CREATE TRIGGER staff_revision_delete AFTER DELETE ON staff
    BEGIN UPDATE revisions SET rev = rev + 1 WHERE name = 'network'; END;
