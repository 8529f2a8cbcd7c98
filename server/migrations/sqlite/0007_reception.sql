-- Reception and the customer 360 (keep in step with ../postgres/0007_reception.sql).

-- Finding a customer as the advisor types (domain::reception). A phone is found by its
-- first digits through its UNIQUE index, by its last digits through this index on the
-- phone read backwards, and a plate by its characters after the province through the
-- second; each search is an index range scan. SQLite has no reverse(); a phone is always
-- 11 digits, so the expression is spelled out, and queries repeat it exactly.
CREATE INDEX customers_phone_reversed ON customers ((
    substr(phone, 11, 1) || substr(phone, 10, 1) || substr(phone, 9, 1) || substr(phone, 8, 1) ||
    substr(phone, 7, 1) || substr(phone, 6, 1) || substr(phone, 5, 1) || substr(phone, 4, 1) ||
    substr(phone, 3, 1) || substr(phone, 2, 1) || substr(phone, 1, 1)
));
CREATE INDEX vehicles_plate_rest ON vehicles ((substr(plate, 2)));

-- Where a customer first became known: NULL for an online sign-up, else the store where
-- reception registered them as a walk-in.
ALTER TABLE customers ADD COLUMN registered_at_store BLOB REFERENCES locations (id);
-- The service advisor the customer prefers, honoured when the board suggests who takes
-- the car.
ALTER TABLE customers ADD COLUMN preferred_advisor_id BLOB REFERENCES staff (id);

-- The chain's vocabulary of customer tags, which HQ keeps.
CREATE TABLE tags (
    code     TEXT PRIMARY KEY,
    label_zh TEXT NOT NULL,
    label_en TEXT NOT NULL
);
INSERT INTO tags (code, label_zh, label_en) VALUES
    ('price_sensitive', '价格敏感', 'Price-sensitive'),
    ('prefers_morning', '偏好上午', 'Prefers morning'),
    ('fleet', '车队客户', 'Fleet'),
    ('vip', '重要客户', 'VIP'),
    ('needs_reminder', '需提前提醒', 'Needs a reminder call');

-- A tag on a customer, with who added it and when; a tag is on a customer at most once.
CREATE TABLE customer_tags (
    customer_id BLOB NOT NULL REFERENCES customers (id),
    tag_code    TEXT NOT NULL REFERENCES tags (code),
    added_by    BLOB NOT NULL REFERENCES staff (id),
    store_id    BLOB REFERENCES locations (id),
    added_at    TEXT NOT NULL,
    PRIMARY KEY (customer_id, tag_code)
);

-- What staff wrote about a customer, on the customer's timeline.
CREATE TABLE customer_notes (
    id          BLOB PRIMARY KEY,
    customer_id BLOB NOT NULL REFERENCES customers (id),
    staff_id    BLOB NOT NULL REFERENCES staff (id),
    store_id    BLOB REFERENCES locations (id),
    body        TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 500),
    created_at  TEXT NOT NULL
);
CREATE INDEX customer_notes_customer ON customer_notes (customer_id, created_at);

-- Every odometer reading of a vehicle (registration, check-in): the vehicle's observed
-- km per day comes from them, and a reading never goes below the last one.
CREATE TABLE mileage_readings (
    id         BLOB PRIMARY KEY,
    vehicle_id BLOB NOT NULL REFERENCES vehicles (id),
    km         INTEGER NOT NULL CHECK (km >= 0),
    read_at    TEXT NOT NULL,
    store_id   BLOB REFERENCES locations (id),
    staff_id   BLOB REFERENCES staff (id)
);
CREATE INDEX mileage_readings_vehicle ON mileage_readings (vehicle_id, read_at);
