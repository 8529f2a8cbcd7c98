-- Knowing the customer (keep in step with ../sqlite/0018_standing.sql): each customer's
-- lifecycle stage and value class, computed from their events with thresholds HQ sets,
-- and the history of their changes.

-- HQ's thresholds: one row.
CREATE TABLE standing_thresholds (
    id             BIGINT PRIMARY KEY CHECK (id = 1),
    active_days    BIGINT NOT NULL CHECK (active_days > 0),
    lost_days      BIGINT NOT NULL,
    lead_days      BIGINT NOT NULL CHECK (lead_days > 0),
    a_recency_days BIGINT NOT NULL,
    a_visits       BIGINT NOT NULL,
    a_spent_fen    BIGINT NOT NULL,
    b_recency_days BIGINT NOT NULL,
    b_visits       BIGINT NOT NULL,
    b_spent_fen    BIGINT NOT NULL,
    c_recency_days BIGINT NOT NULL,
    c_visits       BIGINT NOT NULL CHECK (c_visits > 0),
    c_spent_fen    BIGINT NOT NULL CHECK (c_spent_fen >= 0),
    set_at         TIMESTAMPTZ,
    set_by         UUID REFERENCES staff (id),
    -- Running forwards, as `domain::lifecycle` checks before it writes.
    CHECK (active_days < lost_days),
    CHECK (a_recency_days <= b_recency_days AND b_recency_days <= c_recency_days),
    CHECK (a_visits >= b_visits AND b_visits >= c_visits),
    CHECK (a_spent_fen >= b_spent_fen AND b_spent_fen >= c_spent_fen)
);
INSERT INTO standing_thresholds (id, active_days, lost_days, lead_days,
    a_recency_days, a_visits, a_spent_fen, b_recency_days, b_visits, b_spent_fen,
    c_recency_days, c_visits, c_spent_fen)
VALUES (1, 180, 365, 90, 90, 4, 300000, 180, 2, 100000, 365, 1, 1);

-- Each customer's standing as last computed, and a reason staff recorded for a lead or
-- prospect who said they would not come.
ALTER TABLE customers ADD COLUMN stage TEXT NOT NULL DEFAULT 'lead'
    CHECK (stage IN ('lead', 'prospect', 'ordered', 'active', 'lapsed', 'lost'));
ALTER TABLE customers ADD COLUMN value_class TEXT NOT NULL DEFAULT 'D'
    CHECK (value_class IN ('A', 'B', 'C', 'D'));
ALTER TABLE customers ADD COLUMN lost_reason TEXT
    CHECK (lost_reason IN ('no_response', 'price', 'competitor', 'moved_away', 'sold_car'));
ALTER TABLE customers ADD COLUMN lost_reason_given TEXT
    CHECK (lost_reason_given IN ('price', 'competitor', 'moved_away', 'sold_car'));
ALTER TABLE customers ADD COLUMN standing_at TIMESTAMPTZ;
CREATE INDEX customers_standing ON customers (stage, value_class);

-- Every change of stage or class, kept: who moved from A to B this month.
CREATE TABLE standing_changes (
    id          UUID PRIMARY KEY,
    customer_id UUID NOT NULL REFERENCES customers (id),
    from_stage  TEXT,
    to_stage    TEXT NOT NULL,
    from_class  TEXT,
    to_class    TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX standing_changes_at ON standing_changes (at);
CREATE INDEX standing_changes_customer ON standing_changes (customer_id, at);

-- Jobs that run once a day: the day each last ran, claimed by a guarded update so that
-- two instances run it once.
CREATE TABLE daily_jobs (
    name       TEXT PRIMARY KEY CHECK (name IN ('standing')),
    last_day   TEXT NOT NULL
);
INSERT INTO daily_jobs (name, last_day) VALUES ('standing', '2000-01-01');
