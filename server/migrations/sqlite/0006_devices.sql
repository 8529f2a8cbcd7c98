-- Kiosk devices and staff PINs (keep in step with ../postgres/0006_devices.sql).

-- How many idle minutes a store's kiosk waits before it locks (domain::kiosk::IdleLock).
ALTER TABLE locations ADD COLUMN idle_lock_min INTEGER NOT NULL DEFAULT 2 CHECK (idle_lock_min BETWEEN 1 AND 30);

-- A staff member's PIN, an argon2id PHC string like a password's; NULL until one is set.
ALTER TABLE staff ADD COLUMN pin_hash TEXT;
-- Set when someone leaves: their sessions are deleted with it, and they can neither sign
-- in nor unlock a kiosk again.
ALTER TABLE staff ADD COLUMN deactivated_at TEXT;

-- One-time codes HQ makes to pair an iPad with a store. Only the code's SHA-256 is kept;
-- a code is used once (`used_at`) and only before `expires_at`.
CREATE TABLE pairing_codes (
    code_hash   TEXT PRIMARY KEY,
    store_id    BLOB NOT NULL REFERENCES locations (id),
    device_name TEXT NOT NULL,
    created_by  BLOB NOT NULL REFERENCES staff (id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);

-- Paired iPads. The device keeps a random credential in a cookie; only its SHA-256 is
-- here. A revoked device stays listed, and its credential opens nothing.
CREATE TABLE devices (
    id             BLOB PRIMARY KEY,
    store_id       BLOB NOT NULL REFERENCES locations (id),
    name           TEXT NOT NULL,
    token_hash     TEXT NOT NULL UNIQUE,
    paired_at      TEXT NOT NULL,
    paired_by      BLOB NOT NULL REFERENCES staff (id),
    last_unlock_at TEXT,
    revoked_at     TEXT,
    revoked_by     BLOB REFERENCES staff (id)
);
CREATE INDEX devices_store ON devices (store_id);

-- A session unlocked with a PIN names its device; revoking the device deletes it.
ALTER TABLE sessions ADD COLUMN device_id BLOB REFERENCES devices (id);
CREATE INDEX sessions_device ON sessions (device_id);
CREATE INDEX sessions_staff ON sessions (staff_id);
