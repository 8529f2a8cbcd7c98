-- no-transaction
-- Bookings made at the counter (keep in step with ../postgres/0009_counter.sql): the
-- `counter` channel, and which staff member booked.
--
-- SQLite cannot change a CHECK constraint in place, so `orders` is rebuilt the way
-- SQLite documents (https://sqlite.org/lang_altertable.html#otheralter): foreign keys
-- off outside the transaction, copy into a new table, drop the old one, rename, rebuild
-- its indexes, commit, foreign keys on. The tables that refer to `orders` keep referring
-- to it by name, and every row keeps its id, so their references still hold.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE orders_rebuilt (
    id                  BLOB PRIMARY KEY,
    reference           TEXT NOT NULL UNIQUE,
    customer_id         BLOB NOT NULL REFERENCES customers (id),
    vehicle_id          BLOB NOT NULL REFERENCES vehicles (id),
    store_id            BLOB NOT NULL REFERENCES locations (id),
    channel             TEXT NOT NULL CHECK (channel IN ('online', 'walk_in', 'counter')),
    status              TEXT NOT NULL CHECK (status IN ('booked', 'checked_in', 'in_bay', 'quality_check', 'ready', 'handed_over', 'cancelled')),
    price_list_version  INTEGER NOT NULL,
    total_fen           INTEGER NOT NULL CHECK (total_fen >= 0),
    mileage_km          INTEGER NOT NULL CHECK (mileage_km >= 0),
    technician_id       BLOB REFERENCES staff (id),
    created_at          TEXT NOT NULL,
    completed_at        TEXT,
    scheduled_start     TEXT,
    scheduled_end       TEXT,
    idempotency_key     TEXT,
    request_fingerprint TEXT,
    cancelled_at        TEXT,
    responsible_id      BLOB REFERENCES staff (id),
    concerns            TEXT CHECK (concerns IS NULL OR length(concerns) BETWEEN 1 AND 500),
    checked_in_at       TEXT,
    status_changed_at   TEXT,
    qc_failures         INTEGER NOT NULL DEFAULT 0 CHECK (qc_failures >= 0),
    -- The advisor or manager who booked at the counter; NULL when the customer booked.
    booked_by           BLOB REFERENCES staff (id)
);

INSERT INTO orders_rebuilt (id, reference, customer_id, vehicle_id, store_id, channel, status,
    price_list_version, total_fen, mileage_km, technician_id, created_at, completed_at,
    scheduled_start, scheduled_end, idempotency_key, request_fingerprint, cancelled_at,
    responsible_id, concerns, checked_in_at, status_changed_at, qc_failures)
SELECT id, reference, customer_id, vehicle_id, store_id, channel, status,
    price_list_version, total_fen, mileage_km, technician_id, created_at, completed_at,
    scheduled_start, scheduled_end, idempotency_key, request_fingerprint, cancelled_at,
    responsible_id, concerns, checked_in_at, status_changed_at, qc_failures
FROM orders;

DROP TABLE orders;
ALTER TABLE orders_rebuilt RENAME TO orders;

CREATE INDEX orders_customer ON orders (customer_id, created_at);
CREATE INDEX orders_store ON orders (store_id, created_at);
CREATE UNIQUE INDEX orders_idempotency ON orders (customer_id, idempotency_key);
CREATE INDEX orders_store_schedule ON orders (store_id, scheduled_start);

COMMIT;
PRAGMA foreign_keys = ON;
