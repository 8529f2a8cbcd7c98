-- Segments (keep in step with ../sqlite/0020_segment_indexes.sql): a segment's "service
-- due" criterion and a customer's own follow-ups look a customer's follow-ups up by
-- customer; without this each looked through every follow-up.
CREATE INDEX followups_customer ON followups (customer_id, status, due_on);
