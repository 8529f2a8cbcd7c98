-- Inspection findings (keep in step with ../sqlite/0010_findings.sql): what else a
-- technician found on a car, the service that fixes it at the price offered, and the
-- customer's decision. Declined ones are read again at the car's next visit.
CREATE TABLE findings (
    id          UUID PRIMARY KEY,
    order_id    UUID NOT NULL REFERENCES orders (id),
    vehicle_id  UUID NOT NULL REFERENCES vehicles (id),
    item        TEXT NOT NULL CHECK (length(item) BETWEEN 1 AND 100),
    severity    TEXT NOT NULL CHECK (severity IN ('green', 'amber', 'red')),
    note        TEXT CHECK (note IS NULL OR length(note) BETWEEN 1 AND 500),
    service_id  UUID NOT NULL REFERENCES services (id),
    -- The total offered (the service for this car at its published price and the
    -- customer's tier); approving adds exactly this to the order.
    price_fen   BIGINT NOT NULL CHECK (price_fen >= 0),
    decision    TEXT NOT NULL CHECK (decision IN ('pending', 'approved', 'declined')),
    found_by    UUID NOT NULL REFERENCES staff (id),
    found_at    TIMESTAMPTZ NOT NULL,
    decided_at  TIMESTAMPTZ,
    -- Who answered: the customer on their phone, or staff at the counter for them.
    decided_via TEXT CHECK (decided_via IS NULL OR decided_via IN ('customer', 'counter'))
);
CREATE INDEX findings_order ON findings (order_id);
CREATE INDEX findings_vehicle ON findings (vehicle_id, decision);
