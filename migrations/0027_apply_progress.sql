-- +goose Up
-- How far a bulk tracking file's save has got, for the upload page to ask
-- any instance (PostgreSQL with several web servers). On SQLite one process
-- serves the file and keeps it in memory; the table stays empty.
CREATE TABLE apply_progress (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    step       TEXT NOT NULL,
    done       INTEGER NOT NULL,
    total      INTEGER NOT NULL,
    updated_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE apply_progress;
