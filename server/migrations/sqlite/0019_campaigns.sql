-- Campaigns (keep in step with ../postgres/0019_campaigns.sql): a message in both
-- languages sent to a segment of customers, one slice per store, never to a customer
-- who opted out; the bookings each brought.

CREATE TABLE campaigns (
    id               BLOB PRIMARY KEY,
    -- A double-clicked "send" starts one campaign.
    idempotency_key  TEXT NOT NULL UNIQUE,
    -- The store whose manager ran it for their own customers; NULL for HQ's.
    store_id         BLOB REFERENCES locations (id),
    started_by       BLOB NOT NULL REFERENCES staff (id),
    channel          TEXT NOT NULL CHECK (channel IN ('sms', 'call')),
    message_zh       TEXT NOT NULL,
    message_en       TEXT NOT NULL,
    -- The segment as it was chosen (`domain::segments::Segment` as JSON), for the record.
    segment          TEXT NOT NULL,
    attribution_days INTEGER NOT NULL CHECK (attribution_days BETWEEN 1 AND 90),
    started_at       TEXT NOT NULL
);
CREATE INDEX campaigns_started ON campaigns (started_at);

-- Each customer the segment held when the campaign started, in the slice of their
-- store. `pending` until the sender job claims it; `opted_out` when the customer's
-- choice forbade it at the start or at the moment of sending.
CREATE TABLE campaign_recipients (
    campaign_id     BLOB NOT NULL REFERENCES campaigns (id),
    customer_id     BLOB NOT NULL REFERENCES customers (id),
    store_id        BLOB REFERENCES locations (id),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'opted_out')),
    -- The dispatch run that holds it while sending (`sending`), and since when: a run
    -- that died leaves it to be claimed again after a while.
    claim           BLOB,
    claimed_at      TEXT,
    sent_at         TEXT,
    attribute_until TEXT,
    PRIMARY KEY (campaign_id, customer_id),
    CHECK ((status = 'sent') = (sent_at IS NOT NULL AND attribute_until IS NOT NULL))
);
CREATE INDEX campaign_recipients_waiting ON campaign_recipients (status, claimed_at);
CREATE INDEX campaign_recipients_claim ON campaign_recipients (claim);
CREATE INDEX campaign_recipients_customer ON campaign_recipients (customer_id, sent_at);

-- The built-in recording sender's log: every message as it would have gone out.
CREATE TABLE sent_messages (
    id          BLOB PRIMARY KEY,
    campaign_id BLOB NOT NULL REFERENCES campaigns (id),
    customer_id BLOB NOT NULL REFERENCES customers (id),
    phone       TEXT NOT NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('sms', 'call')),
    body        TEXT NOT NULL,
    sent_at     TEXT NOT NULL,
    -- The sender's idempotency: a retried send records nothing twice.
    UNIQUE (campaign_id, customer_id)
);

-- The campaign a booking is credited to (`domain::campaigns::attribute`).
ALTER TABLE orders ADD COLUMN campaign_id BLOB REFERENCES campaigns (id);
CREATE INDEX orders_campaign ON orders (campaign_id);
