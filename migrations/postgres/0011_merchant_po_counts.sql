-- +goose Up
-- How many POs each merchant has placed, kept in the same transaction as
-- each dropship (POs are never deleted): the purchase order list's total
-- without counting the merchant's POs on every page (≈23 ms at 240,000).
CREATE TABLE merchant_po_counts (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id),
    n          BIGINT NOT NULL DEFAULT 0 CHECK (n >= 0)
);
INSERT INTO merchant_po_counts (account_id, n) SELECT account_id, count(*) FROM purchase_orders GROUP BY account_id;

-- +goose Down
DROP TABLE merchant_po_counts;
