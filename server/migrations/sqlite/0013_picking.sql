-- Picking (keep in step with ../postgres/0013_picking.sql): how much of each part an
-- order holds has left the shelf for the car, and when it last did. Picked stock is
-- consumed: taken off the shelf's on-hand and reserved together.
ALTER TABLE reservations ADD COLUMN picked_milli INTEGER NOT NULL DEFAULT 0
    CHECK (picked_milli >= 0 AND picked_milli <= quantity_milli);
ALTER TABLE reservations ADD COLUMN picked_at TEXT;
