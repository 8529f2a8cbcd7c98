-- Booking: discount policies, stock on its way, slot capacity, reservations and the
-- booking columns of orders (keep in step with ../postgres/0003_booking.sql).

-- Discount policies HQ publishes; they apply alike to everyone who qualifies.
CREATE TABLE discount_policies (
    id           BLOB PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('tier_labour_percent', 'campaign_amount_off')),
    name_zh      TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    tier         TEXT CHECK (tier IN ('standard', 'silver', 'gold')),
    percent      INTEGER CHECK (percent BETWEEN 1 AND 100),
    service_id   BLOB REFERENCES services (id),
    amount_fen   INTEGER CHECK (amount_fen > 0),
    starts_at    TEXT,
    ends_at      TEXT,
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL,
    withdrawn_at TEXT,
    CHECK ((kind = 'tier_labour_percent' AND tier IS NOT NULL AND percent IS NOT NULL)
        OR (kind = 'campaign_amount_off' AND service_id IS NOT NULL AND amount_fen IS NOT NULL
            AND starts_at IS NOT NULL AND ends_at IS NOT NULL AND starts_at < ends_at))
);

-- Parts on their way to a location ("arriving"), part of which bookings may hold.
CREATE TABLE inbound_shipments (
    id             BLOB PRIMARY KEY,
    location_id    BLOB NOT NULL REFERENCES locations (id),
    part_id        BLOB NOT NULL REFERENCES parts (id),
    quantity_milli INTEGER NOT NULL CHECK (quantity_milli > 0),
    reserved_milli INTEGER NOT NULL DEFAULT 0 CHECK (reserved_milli >= 0),
    eta            TEXT NOT NULL,
    CHECK (reserved_milli <= quantity_milli)
);
CREATE INDEX inbound_by_location ON inbound_shipments (location_id, part_id);

-- Capacity units booked per store and slot-grid step. A booking adds one to every step it
-- covers, only while `booked` is below the store's capacity (a conditional upsert).
CREATE TABLE slot_load (
    store_id   BLOB NOT NULL REFERENCES locations (id),
    step_start TEXT NOT NULL,
    booked     INTEGER NOT NULL CHECK (booked >= 0),
    PRIMARY KEY (store_id, step_start)
);

ALTER TABLE orders ADD COLUMN scheduled_start TEXT;
ALTER TABLE orders ADD COLUMN scheduled_end TEXT;
-- The client's idempotency key and a fingerprint of what it asked for: a retry with the
-- same key and request gets the same booking; the same key with other details is refused.
ALTER TABLE orders ADD COLUMN idempotency_key TEXT;
ALTER TABLE orders ADD COLUMN request_fingerprint TEXT;
ALTER TABLE orders ADD COLUMN cancelled_at TEXT;
CREATE UNIQUE INDEX orders_idempotency ON orders (customer_id, idempotency_key);

-- The parts an order holds: on the shelf of a location, or on a shipment.
CREATE TABLE reservations (
    order_id       BLOB NOT NULL REFERENCES orders (id),
    part_id        BLOB NOT NULL REFERENCES parts (id),
    location_id    BLOB REFERENCES locations (id),
    shipment_id    BLOB REFERENCES inbound_shipments (id),
    quantity_milli INTEGER NOT NULL CHECK (quantity_milli > 0),
    released_at    TEXT,
    PRIMARY KEY (order_id, part_id),
    CHECK ((location_id IS NULL) <> (shipment_id IS NULL))
);

-- The discounts an order was priced with, locked like its prices.
CREATE TABLE order_discounts (
    order_id   BLOB NOT NULL REFERENCES orders (id),
    line_no    INTEGER NOT NULL,
    policy_id  BLOB NOT NULL REFERENCES discount_policies (id),
    name_zh    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    PRIMARY KEY (order_id, line_no)
);
