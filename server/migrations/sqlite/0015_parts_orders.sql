-- no-transaction
-- Parts ordered online for "any store" (keep in step with ../postgres/0015_parts_orders.sql):
-- tyres, wiper blades, a battery, collected at the store or delivered by its staff,
-- routed like a service order. For a parts order, `breakdown` holds the locked quote
-- (a domain PartsQuote as JSON) and `service_id` is NULL.
--
-- SQLite cannot drop a NOT NULL, so routed_orders is rebuilt as SQLite documents it
-- (lang_altertable.html, "other kinds of table schema changes"): foreign keys off
-- outside the transaction, a new table, the rows copied, the old table dropped, the new
-- one renamed, its indexes made again. routing_hops refers to it by name, unchanged.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE routed_orders_new (
    id                  BLOB PRIMARY KEY,
    reference           TEXT NOT NULL UNIQUE,
    customer_id         BLOB NOT NULL REFERENCES customers (id),
    vehicle_id          BLOB NOT NULL REFERENCES vehicles (id),
    kind                TEXT NOT NULL DEFAULT 'service' CHECK (kind IN ('service', 'parts')),
    service_id          BLOB REFERENCES services (id),
    -- How a parts order's customer gets the parts, and where to for a delivery.
    handover            TEXT CHECK (handover IN ('collect', 'deliver')),
    address             TEXT CHECK (address IS NULL OR length(address) BETWEEN 5 AND 200),
    -- The customer's preferred window: a local day and a part of it.
    window_date         TEXT NOT NULL,
    day_part            TEXT NOT NULL CHECK (day_part IN ('morning', 'afternoon', 'all_day')),
    -- Where distances are measured from, and the store the customer used last (first
    -- in line if it can serve), both as they were when the order was placed.
    from_lat_e6         INTEGER NOT NULL,
    from_lng_e6         INTEGER NOT NULL,
    last_store_id       BLOB REFERENCES locations (id),
    -- The prices the order locked (a domain Breakdown as JSON, or for parts a
    -- PartsQuote) and their total.
    breakdown           TEXT NOT NULL,
    total_fen           INTEGER NOT NULL CHECK (total_fen >= 0),
    status              TEXT NOT NULL CHECK (status IN ('offered', 'accepted', 'unserved')),
    -- The store it waits for and until when; the store that accepted it (which is
    -- credited with it); NULL when unserved.
    store_id            BLOB REFERENCES locations (id),
    deadline            TEXT,
    -- The booking an acceptance made.
    order_id            BLOB UNIQUE REFERENCES orders (id),
    idempotency_key     TEXT NOT NULL,
    request_fingerprint TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (customer_id, idempotency_key),
    CHECK ((status = 'offered') = (deadline IS NOT NULL)),
    CHECK ((status = 'unserved') = (store_id IS NULL)),
    CHECK ((status = 'accepted') = (order_id IS NOT NULL)),
    CHECK ((kind = 'service') = (service_id IS NOT NULL)),
    CHECK ((kind = 'parts') = (handover IS NOT NULL)),
    CHECK ((COALESCE(handover, '') = 'deliver') = (address IS NOT NULL))
);

INSERT INTO routed_orders_new (id, reference, customer_id, vehicle_id, service_id, window_date, day_part, from_lat_e6, from_lng_e6, last_store_id, breakdown, total_fen, status, store_id, deadline, order_id, idempotency_key, request_fingerprint, created_at, updated_at)
SELECT id, reference, customer_id, vehicle_id, service_id, window_date, day_part, from_lat_e6, from_lng_e6, last_store_id, breakdown, total_fen, status, store_id, deadline, order_id, idempotency_key, request_fingerprint, created_at, updated_at FROM routed_orders;
DROP TABLE routed_orders;
ALTER TABLE routed_orders_new RENAME TO routed_orders;
-- What the expiry job claims: offers whose deadline has passed.
CREATE INDEX routed_due ON routed_orders (deadline) WHERE status = 'offered';
CREATE INDEX routed_at_store ON routed_orders (store_id, status);
CREATE INDEX routed_by_customer ON routed_orders (customer_id, created_at);

-- The order an accepted parts order makes: its lines are parts only, it holds no
-- capacity and has no scheduled start, and it is handed over at the counter or the door.
ALTER TABLE orders ADD COLUMN kind TEXT NOT NULL DEFAULT 'service'
    CHECK (kind IN ('service', 'parts'));

COMMIT;
PRAGMA foreign_keys = ON;
