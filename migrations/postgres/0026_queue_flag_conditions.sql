-- +goose Up
-- SQLite's 26 respells two partial indexes' conditions the way PostgreSQL's
-- history (13) already has them.
SELECT 1;

-- +goose Down
SELECT 1;
