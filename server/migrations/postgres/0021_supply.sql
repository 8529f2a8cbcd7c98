-- The supply chain (keep in step with ../sqlite/0021_supply.sql): suppliers and where
-- each part is bought, the stock ledger and daily consumption, replenishment proposals
-- with the arithmetic of each line, the transfers and purchase orders HQ approves.

CREATE TABLE suppliers (
    id      UUID PRIMARY KEY,
    code    TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    phone   TEXT NOT NULL
);

-- Where the warehouse buys a part: lead time, minimum order and pack size.
CREATE TABLE part_sourcing (
    part_id         UUID PRIMARY KEY REFERENCES parts (id),
    supplier_id     UUID NOT NULL REFERENCES suppliers (id),
    lead_days       BIGINT NOT NULL CHECK (lead_days BETWEEN 0 AND 365),
    min_order_milli BIGINT NOT NULL CHECK (min_order_milli >= 0),
    pack_milli      BIGINT NOT NULL CHECK (pack_milli > 0)
);

-- Who last set a safety stock, and when.
ALTER TABLE stock ADD COLUMN safety_set_by UUID REFERENCES staff (id);
ALTER TABLE stock ADD COLUMN safety_set_at TIMESTAMPTZ;

-- The stock ledger: every change of on-hand stock is a row here, written in the same
-- transaction as the `stock` row it changes, so on hand is always the sum of its moves.
CREATE TABLE stock_moves (
    id                UUID PRIMARY KEY,
    location_id       UUID NOT NULL REFERENCES locations (id),
    part_id           UUID NOT NULL REFERENCES parts (id),
    delta_milli       BIGINT NOT NULL CHECK (delta_milli <> 0),
    kind              TEXT NOT NULL CHECK (kind IN ('opening', 'consumed', 'transfer_out',
                          'transfer_in', 'received', 'count')),
    order_id          UUID REFERENCES orders (id),
    transfer_id       UUID,
    purchase_order_id UUID,
    at                TIMESTAMPTZ NOT NULL,
    by_staff          UUID REFERENCES staff (id)
);
CREATE INDEX stock_moves_place ON stock_moves (location_id, part_id, at);

-- What each location used of each part on each local day (YYYY-MM-DD, UTC+8): the
-- forecast's history, added to as parts are consumed.
CREATE TABLE consumption_daily (
    location_id UUID NOT NULL REFERENCES locations (id),
    part_id     UUID NOT NULL REFERENCES parts (id),
    day         TEXT NOT NULL,
    milli       BIGINT NOT NULL CHECK (milli > 0),
    PRIMARY KEY (location_id, part_id, day)
);
CREATE INDEX consumption_by_day ON consumption_daily (day);

-- A proposal run; a newer run supersedes the undecided lines of older ones.
CREATE TABLE proposals (
    id         UUID PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL,
    created_by UUID REFERENCES staff (id),
    -- The run's settings (`domain::supply::Policy` as JSON).
    policy     TEXT NOT NULL
);

CREATE TABLE purchase_orders (
    id          UUID PRIMARY KEY,
    supplier_id UUID NOT NULL REFERENCES suppliers (id),
    location_id UUID NOT NULL REFERENCES locations (id),
    status      TEXT NOT NULL CHECK (status IN ('sent', 'received', 'partly_received')),
    sent_by     UUID NOT NULL REFERENCES staff (id),
    sent_at     TIMESTAMPTZ NOT NULL,
    expected_at TIMESTAMPTZ NOT NULL,
    received_by UUID REFERENCES staff (id),
    received_at TIMESTAMPTZ,
    CHECK ((status = 'sent') = (received_at IS NULL))
);
CREATE INDEX purchase_orders_by_status ON purchase_orders (status, sent_at);

-- Stock HQ sends from one location to another: held at the source while `reserved`,
-- on the van while `in_transit` (an `inbound_shipments` row lets bookings hold it),
-- then received in full or in part.
CREATE TABLE stock_transfers (
    id               UUID PRIMARY KEY,
    part_id          UUID NOT NULL REFERENCES parts (id),
    from_location_id UUID NOT NULL REFERENCES locations (id),
    to_location_id   UUID NOT NULL REFERENCES locations (id),
    quantity_milli   BIGINT NOT NULL CHECK (quantity_milli > 0),
    status           TEXT NOT NULL CHECK (status IN ('reserved', 'in_transit', 'received',
                         'partly_received', 'cancelled')),
    departure        TIMESTAMPTZ NOT NULL,
    eta              TIMESTAMPTZ NOT NULL,
    approved_by      UUID NOT NULL REFERENCES staff (id),
    approved_at      TIMESTAMPTZ NOT NULL,
    dispatched_by    UUID REFERENCES staff (id),
    dispatched_at    TIMESTAMPTZ,
    received_milli   BIGINT CHECK (received_milli >= 0 AND received_milli <= quantity_milli),
    received_by      UUID REFERENCES staff (id),
    received_at      TIMESTAMPTZ,
    CHECK (from_location_id <> to_location_id),
    CHECK ((status IN ('received', 'partly_received')) = (received_at IS NOT NULL)),
    CHECK (status = 'reserved' OR status = 'cancelled' OR dispatched_at IS NOT NULL)
);
CREATE INDEX stock_transfers_in ON stock_transfers (to_location_id, status);
CREATE INDEX stock_transfers_out ON stock_transfers (from_location_id, status);

ALTER TABLE inbound_shipments ADD COLUMN stock_transfer_id UUID REFERENCES stock_transfers (id);
CREATE UNIQUE INDEX inbound_by_stock_transfer ON inbound_shipments (stock_transfer_id);

CREATE TABLE proposal_lines (
    id                UUID PRIMARY KEY,
    proposal_id       UUID NOT NULL REFERENCES proposals (id),
    line_no           BIGINT NOT NULL CHECK (line_no > 0),
    to_location_id    UUID NOT NULL REFERENCES locations (id),
    part_id           UUID NOT NULL REFERENCES parts (id),
    source            TEXT NOT NULL CHECK (source IN ('store', 'warehouse', 'supplier')),
    from_location_id  UUID REFERENCES locations (id),
    supplier_id       UUID REFERENCES suppliers (id),
    quantity_milli    BIGINT NOT NULL CHECK (quantity_milli > 0),
    -- The line as the domain planned it (`domain::supply::Line` as JSON): its terms.
    explanation       TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('proposed', 'approved', 'rejected',
                          'ordered', 'superseded')),
    approved_milli    BIGINT CHECK (approved_milli > 0),
    decided_by        UUID REFERENCES staff (id),
    decided_at        TIMESTAMPTZ,
    stock_transfer_id UUID UNIQUE REFERENCES stock_transfers (id),
    purchase_order_id UUID REFERENCES purchase_orders (id),
    UNIQUE (proposal_id, line_no),
    CHECK ((source = 'supplier') = (supplier_id IS NOT NULL)),
    CHECK ((source = 'supplier') = (from_location_id IS NULL)),
    CHECK ((status IN ('approved', 'ordered')) = (approved_milli IS NOT NULL))
);
CREATE INDEX proposal_lines_by_status ON proposal_lines (status);

CREATE TABLE purchase_order_lines (
    purchase_order_id UUID NOT NULL REFERENCES purchase_orders (id),
    part_id           UUID NOT NULL REFERENCES parts (id),
    quantity_milli    BIGINT NOT NULL CHECK (quantity_milli > 0),
    received_milli    BIGINT CHECK (received_milli >= 0 AND received_milli <= quantity_milli),
    PRIMARY KEY (purchase_order_id, part_id)
);
