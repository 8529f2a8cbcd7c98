-- Accounts and the garage (keep in step with ../sqlite/0002_accounts.sql).

-- argon2id PHC strings. NULL: the person has no password yet (a customer known only from
-- store visits, or staff not yet enrolled) and cannot sign in.
ALTER TABLE customers ADD COLUMN password_hash TEXT;
ALTER TABLE staff ADD COLUMN password_hash TEXT;

-- A vehicle removed from a garage keeps its row, so its service history stays intact.
ALTER TABLE vehicles ADD COLUMN removed_at TIMESTAMPTZ;

-- Server-side sessions. The cookie carries a random token; only its SHA-256 is stored, so
-- a copy of the database does not let anyone sign in as someone else.
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    customer_id UUID REFERENCES customers (id),
    staff_id    UUID REFERENCES staff (id),
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    CHECK ((customer_id IS NULL) <> (staff_id IS NULL))
);
CREATE INDEX sessions_expiry ON sessions (expires_at);
