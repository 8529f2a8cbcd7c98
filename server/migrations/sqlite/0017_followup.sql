-- After-sales follow-up (keep in step with ../postgres/0017_followup.sql): handing over a
-- work order schedules a satisfaction call and reminders of the consumables fitted;
-- the store works through them, each with an outcome; a complaint opens a case; praise
-- is recorded against the people who did the work.
-- Local calendar days (a follow-up's due date and window) are TEXT `2026-12-10` on both
-- databases: the stores' day, not an instant, so text order is day order.

-- Days after handover of a service's satisfaction call.
ALTER TABLE services ADD COLUMN satisfaction_days INTEGER NOT NULL DEFAULT 3
    CHECK (satisfaction_days BETWEEN 1 AND 14);
-- What an engine oil is made of, which sets how long it lasts (NULL for other parts).
ALTER TABLE parts ADD COLUMN oil_grade TEXT
    CHECK (oil_grade IN ('full_synthetic', 'semi_synthetic', 'mineral'));

CREATE TABLE followups (
    id                  BLOB PRIMARY KEY,
    -- The store that did the work, and makes the follow-up.
    store_id            BLOB NOT NULL REFERENCES locations (id),
    customer_id         BLOB NOT NULL REFERENCES customers (id),
    vehicle_id          BLOB NOT NULL REFERENCES vehicles (id),
    -- The visit that scheduled it.
    order_id            BLOB NOT NULL REFERENCES orders (id),
    kind                TEXT NOT NULL CHECK (kind IN ('satisfaction', 'oil_change', 'air_filter',
                            'cabin_filter', 'brake_pads_front', 'brake_pads_rear', 'tyres',
                            'wipers', 'battery', 'coolant')),
    priority            TEXT NOT NULL CHECK (priority IN ('high', 'normal', 'low')),
    due_on              TEXT NOT NULL,
    opens_on            TEXT NOT NULL,
    closes_on           TEXT NOT NULL,
    -- A reminder's basis: the odometer at fitting, the interval, the km a day used.
    fitted_km           INTEGER,
    interval_months     INTEGER CHECK (interval_months > 0),
    interval_km         INTEGER CHECK (interval_km > 0),
    km_per_day          INTEGER CHECK (km_per_day >= 0),
    km_per_day_observed BOOLEAN,
    status              TEXT NOT NULL CHECK (status IN ('open', 'done', 'missed', 'unreachable', 'superseded')),
    attempts            INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    retry_at            TEXT,
    outcome             TEXT CHECK (outcome IN ('reached', 'satisfied', 'praise', 'complaint', 'booked_again')),
    rating              INTEGER CHECK (rating BETWEEN 1 AND 5),
    comment             TEXT CHECK (comment IS NULL OR length(comment) BETWEEN 1 AND 500),
    -- Who recorded the outcome: a staff member at the counter, or the customer online.
    answered_by         BLOB REFERENCES staff (id),
    answered_via        TEXT CHECK (answered_via IN ('kiosk', 'online')),
    closed_at           TEXT,
    created_at          TEXT NOT NULL,
    CHECK (opens_on <= due_on AND due_on <= closes_on),
    CHECK ((kind = 'satisfaction') = (interval_months IS NULL)),
    CHECK ((status = 'done') = (outcome IS NOT NULL)),
    CHECK ((status = 'open') = (closed_at IS NULL)),
    CHECK (rating IS NULL OR outcome IN ('satisfied', 'complaint'))
);
-- A handover schedules each kind once, however often it is retried.
CREATE UNIQUE INDEX followups_once ON followups (order_id, kind);
CREATE INDEX followups_queue ON followups (store_id, status, due_on);
CREATE INDEX followups_vehicle ON followups (vehicle_id, kind, status);
CREATE INDEX followups_closing ON followups (status, closes_on);

-- Praise for the people who did the work, and their store (the team).
CREATE TABLE praise (
    followup_id BLOB PRIMARY KEY REFERENCES followups (id),
    store_id    BLOB NOT NULL REFERENCES locations (id),
    order_id    BLOB NOT NULL REFERENCES orders (id),
    note        TEXT NOT NULL CHECK (length(note) BETWEEN 1 AND 500),
    at          TEXT NOT NULL
);
CREATE TABLE praise_staff (
    followup_id BLOB NOT NULL REFERENCES praise (followup_id),
    staff_id    BLOB NOT NULL REFERENCES staff (id),
    PRIMARY KEY (followup_id, staff_id)
);
CREATE INDEX praise_by_store ON praise (store_id, at);

-- After-sales cases: a complaint, its owner and deadline, the steps, the resolution, the
-- customer's confirmation.
CREATE TABLE cases (
    id           BLOB PRIMARY KEY,
    store_id     BLOB NOT NULL REFERENCES locations (id),
    customer_id  BLOB NOT NULL REFERENCES customers (id),
    order_id     BLOB NOT NULL REFERENCES orders (id),
    followup_id  BLOB UNIQUE REFERENCES followups (id),
    complaint    TEXT NOT NULL CHECK (length(complaint) BETWEEN 1 AND 500),
    owner_id     BLOB NOT NULL REFERENCES staff (id),
    status       TEXT NOT NULL CHECK (status IN ('open', 'resolved', 'confirmed')),
    opened_at    TEXT NOT NULL,
    deadline     TEXT NOT NULL,
    resolution   TEXT CHECK (resolution IS NULL OR length(resolution) BETWEEN 1 AND 500),
    resolved_at  TEXT,
    confirmed_at TEXT,
    CHECK ((status = 'open') = (resolution IS NULL)),
    CHECK ((status = 'confirmed') = (confirmed_at IS NOT NULL)),
    CHECK (deadline > opened_at)
);
CREATE INDEX cases_by_store ON cases (store_id, status, deadline);
CREATE INDEX cases_by_customer ON cases (customer_id, opened_at);

-- Everything that happened to a case, in order.
CREATE TABLE case_steps (
    id       BLOB PRIMARY KEY,
    case_id  BLOB NOT NULL REFERENCES cases (id),
    at       TEXT NOT NULL,
    action   TEXT NOT NULL CHECK (action IN ('opened', 'step', 'resolve', 'confirm', 'reopen')),
    -- (`note`, not `text`: PostgreSQL's `::text` casts would read as the column.)
    note     TEXT CHECK (note IS NULL OR length(note) BETWEEN 1 AND 500),
    -- A staff member, or NULL for the customer's own answer.
    staff_id BLOB REFERENCES staff (id)
);
CREATE INDEX case_steps_by_case ON case_steps (case_id, at);

-- How a customer may be contacted (calls about their car, text messages) and whether
-- they take campaigns (`customers.marketing_opt_out`, from the start), each choice
-- recorded with its time.
ALTER TABLE customers ADD COLUMN contact_calls BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE customers ADD COLUMN contact_sms BOOLEAN NOT NULL DEFAULT TRUE;
CREATE TABLE consents (
    id          BLOB PRIMARY KEY,
    customer_id BLOB NOT NULL REFERENCES customers (id),
    calls       BOOLEAN NOT NULL,
    sms         BOOLEAN NOT NULL,
    campaigns   BOOLEAN NOT NULL,
    at          TEXT NOT NULL,
    -- Online by the customer, or at a store's counter by its staff.
    staff_id    BLOB REFERENCES staff (id)
);
CREATE INDEX consents_by_customer ON consents (customer_id, at);
