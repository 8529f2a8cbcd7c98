-- CSV imports staged while they upload (keep in step with ../postgres/0023_imports.sql):
-- the browser sends a file in pieces so a progress bar can follow it; the server checks
-- and applies it whole. An upload belongs to the staff member who started it; one older
-- than a day is dropped by the next upload.
CREATE TABLE import_uploads (
    id         BLOB PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('catalog', 'fitment', 'prices', 'stock_counts')),
    staff_id   BLOB NOT NULL REFERENCES staff (id),
    created_at TEXT NOT NULL,
    bytes      INTEGER NOT NULL DEFAULT 0 CHECK (bytes >= 0)
);

CREATE TABLE import_pieces (
    upload_id BLOB NOT NULL REFERENCES import_uploads (id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL CHECK (seq >= 0),
    body      TEXT NOT NULL,
    PRIMARY KEY (upload_id, seq)
);
