-- +goose Up
-- A payout form carries a submit key: the same key again (a double click, a
-- resubmitted page) returns the payout it recorded instead of a second one.
-- Keys are unique per merchant; earnings and adjustments have none.
ALTER TABLE ledger_entries ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX ledger_entries_payout_key ON ledger_entries (merchant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- +goose Down
DROP INDEX ledger_entries_payout_key;
ALTER TABLE ledger_entries DROP COLUMN idempotency_key;
