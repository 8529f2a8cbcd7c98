-- Inspection findings (keep in step with ../postgres/0010_findings.sql): what else a
-- technician found on a car, the service that fixes it at the price offered, and the
-- customer's decision. Declined ones are read again at the car's next visit.
CREATE TABLE findings (
    id          BLOB PRIMARY KEY,
    order_id    BLOB NOT NULL REFERENCES orders (id),
    vehicle_id  BLOB NOT NULL REFERENCES vehicles (id),
    item        TEXT NOT NULL CHECK (length(item) BETWEEN 1 AND 100),
    severity    TEXT NOT NULL CHECK (severity IN ('green', 'amber', 'red')),
    note        TEXT CHECK (note IS NULL OR length(note) BETWEEN 1 AND 500),
    service_id  BLOB NOT NULL REFERENCES services (id),
    -- The total offered (the service for this car at its published price and the
    -- customer's tier); approving adds exactly this to the order.
    price_fen   INTEGER NOT NULL CHECK (price_fen >= 0),
    decision    TEXT NOT NULL CHECK (decision IN ('pending', 'approved', 'declined')),
    found_by    BLOB NOT NULL REFERENCES staff (id),
    found_at    TEXT NOT NULL,
    decided_at  TEXT,
    -- Who answered: the customer on their phone, or staff at the counter for them.
    decided_via TEXT CHECK (decided_via IS NULL OR decided_via IN ('customer', 'counter'))
);
CREATE INDEX findings_order ON findings (order_id);
CREATE INDEX findings_vehicle ON findings (vehicle_id, decision);
