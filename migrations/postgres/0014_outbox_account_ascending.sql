-- +goose Up
-- New messages have the highest ids: in an ascending index they land at the
-- end of their account's range, where SQLite appends to a page, instead of
-- at its start, where every page splits in two. Lists newest first read it
-- backwards.
DROP INDEX outbox_account;
CREATE INDEX outbox_account ON outbox (account_id, id);

-- +goose Down
DROP INDEX outbox_account;
CREATE INDEX outbox_account ON outbox (account_id, id DESC);
