-- Parts ordered online for "any store" (keep in step with ../sqlite/0015_parts_orders.sql):
-- tyres, wiper blades, a battery, collected at the store or delivered by its staff,
-- routed like a service order. For a parts order, `breakdown` holds the locked quote
-- (a domain PartsQuote as JSON) and `service_id` is NULL.
ALTER TABLE routed_orders ADD COLUMN kind TEXT NOT NULL DEFAULT 'service'
    CHECK (kind IN ('service', 'parts'));
ALTER TABLE routed_orders ALTER COLUMN service_id DROP NOT NULL;
ALTER TABLE routed_orders ADD COLUMN handover TEXT CHECK (handover IN ('collect', 'deliver'));
ALTER TABLE routed_orders ADD COLUMN address TEXT
    CHECK (address IS NULL OR length(address) BETWEEN 5 AND 200);
ALTER TABLE routed_orders ADD CHECK ((kind = 'service') = (service_id IS NOT NULL));
ALTER TABLE routed_orders ADD CHECK ((kind = 'parts') = (handover IS NOT NULL));
ALTER TABLE routed_orders ADD CHECK ((COALESCE(handover, '') = 'deliver') = (address IS NOT NULL));

-- The order an accepted parts order makes: its lines are parts only, it holds no
-- capacity and has no scheduled start, and it is handed over at the counter or the door.
ALTER TABLE orders ADD COLUMN kind TEXT NOT NULL DEFAULT 'service'
    CHECK (kind IN ('service', 'parts'));
