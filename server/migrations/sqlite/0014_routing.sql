-- Online orders for "any store" (keep in step with ../postgres/0014_routing.sql), routed
-- from store to store until one accepts (rule 5). Each store's turn is a hop. The order
-- row says where it waits now and until when, so the expiry job finds what is due by an
-- index, and a restart loses nothing: the state is in rows, not in timers.

-- Settings of the whole chain that HQ sets.
CREATE TABLE chain_settings (
    name  TEXT PRIMARY KEY CHECK (name IN ('acceptance_minutes')),
    value INTEGER NOT NULL
);
INSERT INTO chain_settings (name, value) VALUES ('acceptance_minutes', 60);

CREATE TABLE routed_orders (
    id                  BLOB PRIMARY KEY,
    reference           TEXT NOT NULL UNIQUE,
    customer_id         BLOB NOT NULL REFERENCES customers (id),
    vehicle_id          BLOB NOT NULL REFERENCES vehicles (id),
    service_id          BLOB NOT NULL REFERENCES services (id),
    -- The customer's preferred window: a local day and a part of it.
    window_date         TEXT NOT NULL,
    day_part            TEXT NOT NULL CHECK (day_part IN ('morning', 'afternoon', 'all_day')),
    -- Where distances are measured from, and the store the customer used last (first
    -- in line if it can serve), both as they were when the order was placed.
    from_lat_e6         INTEGER NOT NULL,
    from_lng_e6         INTEGER NOT NULL,
    last_store_id       BLOB REFERENCES locations (id),
    -- The prices the order locked (a domain Breakdown as JSON) and their total.
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
    CHECK ((status = 'accepted') = (order_id IS NOT NULL))
);
-- What the expiry job claims: offers whose deadline has passed.
CREATE INDEX routed_due ON routed_orders (deadline) WHERE status = 'offered';
CREATE INDEX routed_at_store ON routed_orders (store_id, status);
CREATE INDEX routed_by_customer ON routed_orders (customer_id, created_at);

CREATE TABLE routing_hops (
    routed_id  BLOB NOT NULL REFERENCES routed_orders (id),
    hop_no     INTEGER NOT NULL CHECK (hop_no >= 1),
    store_id   BLOB NOT NULL REFERENCES locations (id),
    offered_at TEXT NOT NULL,
    deadline   TEXT NOT NULL CHECK (deadline > offered_at),
    outcome    TEXT CHECK (outcome IN ('accepted', 'declined', 'expired')),
    reason     TEXT CHECK (reason IN ('fully_booked', 'no_parts', 'no_skill', 'other')),
    note       TEXT CHECK (note IS NULL OR length(note) BETWEEN 2 AND 200),
    decided_at TEXT,
    decided_by BLOB REFERENCES staff (id),
    PRIMARY KEY (routed_id, hop_no),
    -- Never the same store twice.
    UNIQUE (routed_id, store_id),
    CHECK ((outcome IS NULL) = (decided_at IS NULL)),
    CHECK ((outcome = 'declined') = (reason IS NOT NULL))
);
-- One store at a time.
CREATE UNIQUE INDEX routing_one_open_hop ON routing_hops (routed_id) WHERE outcome IS NULL;
