-- +goose Up
-- Failed messages are counted per account (the dashboard and the Outbox
-- page) and listed newest first; every other message is pending or sent.
-- outbox_account_state, an index of every message's state, took an entry
-- for each new message: 20,000 in a bulk tracking file of 10,000 parcels.
-- A partial index holds only the failed, and the messages that fail join
-- it. (outbox_due, which the deliverer reads, still holds every message.)
DROP INDEX outbox_account_state;
CREATE INDEX outbox_account_failed ON outbox (account_id, id) WHERE state = 'failed';

-- +goose Down
DROP INDEX outbox_account_failed;
CREATE INDEX outbox_account_state ON outbox (account_id, state);
