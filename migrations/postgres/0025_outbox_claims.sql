-- +goose Up
-- A delivery pass claims the messages it sends: another pass skips them
-- until the claim ends, and takes them over once a pass that died lets its
-- claim expire.
ALTER TABLE outbox ADD COLUMN claim_token TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until TIMESTAMPTZ;

-- +goose Down
ALTER TABLE outbox DROP COLUMN claimed_until;
ALTER TABLE outbox DROP COLUMN claim_token;
