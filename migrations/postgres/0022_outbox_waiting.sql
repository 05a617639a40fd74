-- +goose Up
-- A message with nothing to leave through (no SMTP server configured, no
-- sales channel connection) waits for that transport, named here, instead
-- of being retried: the deliverer sends it as soon as the transport exists,
-- and the Outbox page and the dashboard say what it waits for. Only waiting
-- messages have an entry in the index.
ALTER TABLE outbox ADD COLUMN waiting_for TEXT CHECK (waiting_for IN ('smtp', 'channel'));
UPDATE outbox SET waiting_for = 'smtp', last_error = 'no SMTP server is configured'
    WHERE state = 'pending' AND kind = 'email' AND last_error LIKE 'no SMTP server is configured%';
UPDATE outbox SET waiting_for = 'channel', last_error = 'no sales channel connection is configured'
    WHERE state = 'pending' AND kind = 'channel' AND last_error LIKE 'no sales channel connection is configured%';
CREATE INDEX outbox_waiting ON outbox (waiting_for, account_id) WHERE waiting_for IS NOT NULL;

-- +goose Down
DROP INDEX outbox_waiting;
ALTER TABLE outbox DROP COLUMN waiting_for;
