-- Pitlane schema, SQLite dialect (keep in step with ../postgres/0001_foundation.sql).
-- Conventions: ids are UUID v7 stored as 16-byte BLOBs; money is INTEGER fen;
-- quantities are INTEGER thousandths of a unit ("milli"); timestamps are fixed-width UTC TEXT
-- (`2026-11-24T08:30:00.123456Z`, see server/src/storage/dbtime.rs), so text order is time order.

CREATE TABLE locations (
    id          BLOB PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('store', 'warehouse')),
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    address_zh  TEXT NOT NULL,
    address_en  TEXT NOT NULL,
    lat_e6      INTEGER NOT NULL,  -- microdegrees (WGS84), exact integers
    lng_e6      INTEGER NOT NULL,
    bays        INTEGER NOT NULL CHECK (bays >= 0),
    phone       TEXT NOT NULL
);

CREATE TABLE opening_hours (
    location_id BLOB NOT NULL REFERENCES locations (id),
    weekday     INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7), -- ISO: Monday = 1
    opens_min   INTEGER NOT NULL CHECK (opens_min >= 0),           -- minutes after local midnight
    closes_min  INTEGER NOT NULL CHECK (closes_min <= 1440),
    PRIMARY KEY (location_id, weekday),
    CHECK (opens_min < closes_min)
);

CREATE TABLE vehicle_models (
    id          BLOB PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    brand_zh    TEXT NOT NULL,
    brand_en    TEXT NOT NULL,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    powertrain  TEXT NOT NULL CHECK (powertrain IN ('petrol', 'hybrid', 'electric'))
);

CREATE TABLE part_categories (
    id          BLOB PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    unit_zh     TEXT NOT NULL,
    unit_en     TEXT NOT NULL
);

CREATE TABLE parts (
    id          BLOB PRIMARY KEY,
    sku         TEXT NOT NULL UNIQUE,
    category_id BLOB NOT NULL REFERENCES part_categories (id),
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL
);

-- Which part fits a model for a category ("Is it in stock" is always asked for this car).
CREATE TABLE fitments (
    model_id    BLOB NOT NULL REFERENCES vehicle_models (id),
    category_id BLOB NOT NULL REFERENCES part_categories (id),
    part_id     BLOB NOT NULL REFERENCES parts (id),
    PRIMARY KEY (model_id, category_id)
);

CREATE TABLE services (
    id             BLOB PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    category       TEXT NOT NULL CHECK (category IN ('maintenance', 'tyres', 'repair', 'detailing', 'ev')),
    name_zh        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    description_zh TEXT NOT NULL,
    description_en TEXT NOT NULL,
    duration_min   INTEGER NOT NULL CHECK (duration_min > 0),
    sort_order     INTEGER NOT NULL
);

-- Part categories a service consumes, with quantities (oil change: engine oil 4.5 L, filter x1).
CREATE TABLE service_parts (
    service_id     BLOB NOT NULL REFERENCES services (id),
    category_id    BLOB NOT NULL REFERENCES part_categories (id),
    quantity_milli INTEGER NOT NULL CHECK (quantity_milli > 0),
    PRIMARY KEY (service_id, category_id)
);

CREATE TABLE stock (
    location_id    BLOB NOT NULL REFERENCES locations (id),
    part_id        BLOB NOT NULL REFERENCES parts (id),
    on_hand_milli  INTEGER NOT NULL CHECK (on_hand_milli >= 0),
    reserved_milli INTEGER NOT NULL DEFAULT 0 CHECK (reserved_milli >= 0),
    safety_milli   INTEGER NOT NULL DEFAULT 0 CHECK (safety_milli >= 0),
    PRIMARY KEY (location_id, part_id),
    CHECK (reserved_milli <= on_hand_milli)
);

-- The price list is versioned: every publish writes a whole new version; history is kept.
CREATE TABLE price_list_versions (
    id             BLOB PRIMARY KEY,
    version        INTEGER NOT NULL UNIQUE CHECK (version > 0),
    effective_from TEXT NOT NULL,
    published_at   TEXT NOT NULL,
    published_by   TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT ''
);

CREATE TABLE prices (
    version_id BLOB NOT NULL REFERENCES price_list_versions (id),
    item_kind  TEXT NOT NULL CHECK (item_kind IN ('service', 'part')),
    item_id    BLOB NOT NULL,
    price_fen  INTEGER NOT NULL CHECK (price_fen > 0),
    PRIMARY KEY (version_id, item_kind, item_id)
);

CREATE TABLE customers (
    id                 BLOB PRIMARY KEY,
    phone              TEXT NOT NULL UNIQUE,
    name_zh            TEXT NOT NULL,
    name_en            TEXT NOT NULL, -- pinyin
    tier               TEXT NOT NULL CHECK (tier IN ('standard', 'silver', 'gold')),
    marketing_opt_out  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at         TEXT NOT NULL
);

CREATE TABLE vehicles (
    id          BLOB PRIMARY KEY,
    customer_id BLOB NOT NULL REFERENCES customers (id),
    model_id    BLOB NOT NULL REFERENCES vehicle_models (id),
    plate       TEXT NOT NULL UNIQUE,
    mileage_km  INTEGER NOT NULL CHECK (mileage_km >= 0),
    created_at  TEXT NOT NULL
);
CREATE INDEX vehicles_customer ON vehicles (customer_id);

CREATE TABLE staff (
    id          BLOB PRIMARY KEY,
    location_id BLOB REFERENCES locations (id), -- NULL for HQ staff
    phone       TEXT NOT NULL UNIQUE,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('hq_admin', 'hq_supply', 'store_manager', 'service_advisor', 'technician', 'warehouse')),
    skills      TEXT NOT NULL DEFAULT '' -- comma-separated service categories
);

CREATE TABLE orders (
    id                 BLOB PRIMARY KEY,
    reference          TEXT NOT NULL UNIQUE,
    customer_id        BLOB NOT NULL REFERENCES customers (id),
    vehicle_id         BLOB NOT NULL REFERENCES vehicles (id),
    store_id           BLOB NOT NULL REFERENCES locations (id),
    channel            TEXT NOT NULL CHECK (channel IN ('online', 'walk_in')),
    status             TEXT NOT NULL CHECK (status IN ('booked', 'checked_in', 'in_bay', 'quality_check', 'ready', 'handed_over', 'cancelled')),
    price_list_version INTEGER NOT NULL,
    total_fen          INTEGER NOT NULL CHECK (total_fen >= 0),
    mileage_km         INTEGER NOT NULL CHECK (mileage_km >= 0),
    technician_id      BLOB REFERENCES staff (id),
    created_at         TEXT NOT NULL,
    completed_at       TEXT
);
CREATE INDEX orders_customer ON orders (customer_id, created_at);
CREATE INDEX orders_store ON orders (store_id, created_at);

CREATE TABLE order_lines (
    order_id       BLOB NOT NULL REFERENCES orders (id),
    line_no        INTEGER NOT NULL,
    item_kind      TEXT NOT NULL CHECK (item_kind IN ('service', 'part')),
    item_id        BLOB NOT NULL,
    quantity_milli INTEGER NOT NULL CHECK (quantity_milli > 0),
    unit_price_fen INTEGER NOT NULL CHECK (unit_price_fen >= 0),
    total_fen      INTEGER NOT NULL CHECK (total_fen >= 0),
    PRIMARY KEY (order_id, line_no)
);

-- Outbox: every write that others must see appends its event in the same transaction.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at TEXT NOT NULL
);
