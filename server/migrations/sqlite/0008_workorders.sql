-- Today's board of work orders (keep in step with ../postgres/0008_workorders.sql).

-- The one staff member responsible for the work order (rule 6).
ALTER TABLE orders ADD COLUMN responsible_id BLOB REFERENCES staff (id);
-- What the customer said at check-in.
ALTER TABLE orders ADD COLUMN concerns TEXT CHECK (concerns IS NULL OR length(concerns) BETWEEN 1 AND 500);
ALTER TABLE orders ADD COLUMN checked_in_at TEXT;
-- When the status last changed: the board orders each lane by it.
ALTER TABLE orders ADD COLUMN status_changed_at TEXT;
-- Quality checks failed on this order: each counts against the first-time-fix rate.
ALTER TABLE orders ADD COLUMN qc_failures INTEGER NOT NULL DEFAULT 0 CHECK (qc_failures >= 0);

-- A store's board reads its orders by scheduled start.
CREATE INDEX orders_store_schedule ON orders (store_id, scheduled_start);
