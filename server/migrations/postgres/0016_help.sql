-- Stores helping each other (keep in step with ../sqlite/0016_help.sql): a store short
-- of a technician or of parts for an order asks the stores nearby; one accepts. A parts
-- request becomes a transfer; a staff request records who goes where and when.

-- A transfer's journey: sent (by the next delivery wave or a courier), then received.
ALTER TABLE transfers ADD COLUMN dispatch TEXT CHECK (dispatch IN ('wave', 'courier'));
ALTER TABLE transfers ADD COLUMN dispatched_at TIMESTAMPTZ;
ALTER TABLE transfers ADD COLUMN received_at TIMESTAMPTZ;
-- (A transfer is received only once sent: the receiving update's guard
-- `dispatched_at IS NOT NULL` keeps it, on both databases alike.)

CREATE TABLE help_requests (
    id              UUID PRIMARY KEY,
    -- The store that asks, for one of its orders.
    store_id        UUID NOT NULL REFERENCES locations (id),
    order_id        UUID NOT NULL REFERENCES orders (id),
    kind            TEXT NOT NULL CHECK (kind IN ('staff', 'parts')),
    skill           TEXT CHECK (skill IN ('maintenance', 'tyres', 'repair', 'detailing', 'ev')),
    part_id         UUID REFERENCES parts (id),
    quantity_milli  BIGINT CHECK (quantity_milli > 0),
    note            TEXT CHECK (note IS NULL OR length(note) BETWEEN 2 AND 200),
    raised_by       UUID NOT NULL REFERENCES staff (id),
    raised_at       TIMESTAMPTZ NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'withdrawn')),
    -- The store that helps, who said so and when.
    helper_store_id UUID REFERENCES locations (id),
    accepted_by     UUID REFERENCES staff (id),
    accepted_at     TIMESTAMPTZ,
    -- A staff request's visit: who goes, from when until when.
    visit_staff_id  UUID REFERENCES staff (id),
    visit_from      TIMESTAMPTZ,
    visit_until     TIMESTAMPTZ,
    -- A parts request's transfer.
    transfer_id     UUID UNIQUE REFERENCES transfers (id),
    CHECK ((kind = 'staff') = (skill IS NOT NULL)),
    CHECK ((kind = 'parts') = (part_id IS NOT NULL AND quantity_milli IS NOT NULL)),
    CHECK ((status = 'accepted') = (helper_store_id IS NOT NULL AND accepted_at IS NOT NULL)),
    CHECK (helper_store_id IS NULL OR helper_store_id <> store_id),
    CHECK (status <> 'accepted' OR (kind = 'staff') = (visit_staff_id IS NOT NULL)),
    CHECK (status <> 'accepted' OR (kind = 'parts') = (transfer_id IS NOT NULL)),
    CHECK (visit_until IS NULL OR visit_until > visit_from)
);
-- One open request per order and kind of need: a double tap asks once.
CREATE UNIQUE INDEX help_one_open ON help_requests (order_id, kind) WHERE status = 'open';
CREATE INDEX help_by_status ON help_requests (status, raised_at);
CREATE INDEX help_by_store ON help_requests (store_id, raised_at);
CREATE INDEX help_by_helper ON help_requests (helper_store_id, accepted_at);
