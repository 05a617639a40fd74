-- +goose Up
-- A merchant's return address prints on its packing slips, and its reply-to
-- address answers the emails its customers get; each email then carries the
-- sender's display name and reply-to it was queued with.
ALTER TABLE accounts ADD COLUMN return_address TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN reply_to_email TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN from_name TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN reply_to TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE outbox DROP COLUMN reply_to;
ALTER TABLE outbox DROP COLUMN from_name;
ALTER TABLE accounts DROP COLUMN reply_to_email;
ALTER TABLE accounts DROP COLUMN return_address;
