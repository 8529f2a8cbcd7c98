-- Quality check (keep in step with ../sqlite/0011_qc.sql): each service's checklist,
-- kept in the catalog, and what was marked at each check of an order.
CREATE TABLE qc_steps (
    service_id UUID NOT NULL REFERENCES services (id),
    step_no    BIGINT NOT NULL CHECK (step_no > 0),
    text_zh    TEXT NOT NULL CHECK (length(text_zh) BETWEEN 1 AND 200),
    text_en    TEXT NOT NULL CHECK (length(text_en) BETWEEN 1 AND 200),
    PRIMARY KEY (service_id, step_no)
);

-- One row per step per check: `attempt` is the check's number on the order (a failed
-- check sends the car back, and the next check is the next attempt). The step's text is
-- kept as it was checked.
CREATE TABLE qc_marks (
    order_id  UUID NOT NULL REFERENCES orders (id),
    attempt   BIGINT NOT NULL CHECK (attempt > 0),
    step_no   BIGINT NOT NULL CHECK (step_no > 0),
    text_zh   TEXT NOT NULL,
    text_en   TEXT NOT NULL,
    passed    BOOLEAN NOT NULL,
    note      TEXT CHECK (note IS NULL OR length(note) BETWEEN 1 AND 500),
    marked_by UUID NOT NULL REFERENCES staff (id),
    marked_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (order_id, attempt, step_no),
    CHECK (passed OR note IS NOT NULL)
);
