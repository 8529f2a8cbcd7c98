-- Store KPIs (keep in step with ../sqlite/0024_kpis.sql): whether a car found every
-- part it held on its store's shelf when it checked in (NULL: it held none, or has not
-- arrived), recorded at check-in for the fill rate; orders by the day they count on.
ALTER TABLE orders ADD COLUMN parts_ready BOOLEAN;
CREATE INDEX orders_store_checked_in ON orders (store_id, checked_in_at);
CREATE INDEX orders_store_completed ON orders (store_id, completed_at);
