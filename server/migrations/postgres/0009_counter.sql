-- Bookings made at the counter (keep in step with ../sqlite/0009_counter.sql): the
-- `counter` channel, and which staff member booked.
ALTER TABLE orders DROP CONSTRAINT orders_channel_check;
ALTER TABLE orders ADD CONSTRAINT orders_channel_check
    CHECK (channel IN ('online', 'walk_in', 'counter'));
-- The advisor or manager who booked at the counter; NULL when the customer booked.
ALTER TABLE orders ADD COLUMN booked_by UUID REFERENCES staff (id);
