-- Transfers: a part a booking needs, sent from another location's shelf with a delivery
-- wave (keep in step with ../sqlite/0004_transfers.sql). The source holds it as
-- reserved stock, never below its safety stock; the destination expects it by `eta`.

CREATE TABLE transfers (
    id               UUID PRIMARY KEY,
    order_id         UUID NOT NULL REFERENCES orders (id),
    part_id          UUID NOT NULL REFERENCES parts (id),
    from_location_id UUID NOT NULL REFERENCES locations (id),
    to_location_id   UUID NOT NULL REFERENCES locations (id),
    quantity_milli   BIGINT NOT NULL CHECK (quantity_milli > 0),
    eta              TIMESTAMPTZ NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('planned', 'cancelled')),
    created_at       TIMESTAMPTZ NOT NULL,
    cancelled_at     TIMESTAMPTZ,
    CHECK (from_location_id <> to_location_id)
);
CREATE INDEX transfers_out ON transfers (from_location_id, part_id);
CREATE INDEX transfers_in ON transfers (to_location_id, part_id);

-- A reservation taken by a transfer names it; its location is the source's.
ALTER TABLE reservations ADD COLUMN transfer_id UUID REFERENCES transfers (id);
