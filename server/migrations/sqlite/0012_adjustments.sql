-- Manual price adjustments at the counter (keep in step with
-- ../postgres/0012_adjustments.sql): an amount taken off a work order, why, who asked and
-- which store manager approved it with their PIN. Nothing else changes a price (rule 1).
CREATE TABLE adjustments (
    id           BLOB PRIMARY KEY,
    order_id     BLOB NOT NULL REFERENCES orders (id),
    amount_fen   INTEGER NOT NULL CHECK (amount_fen > 0),
    reason       TEXT NOT NULL CHECK (length(reason) BETWEEN 2 AND 200),
    requested_by BLOB NOT NULL REFERENCES staff (id),
    approved_by  BLOB NOT NULL REFERENCES staff (id),
    made_at      TEXT NOT NULL
);
CREATE INDEX adjustments_order ON adjustments (order_id);
