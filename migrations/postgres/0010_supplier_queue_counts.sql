-- +goose Up
-- How many POs each supplier has in the queue's tabs that do not depend on
-- the clock (All, Shipped, Exceptions), kept in the same transaction as
-- every PO change, as order_tab_counts is for merchants. Counting them per
-- page load scanned every PO of the supplier (seconds at 400,000 POs).
-- Unreleased POs are counted too; the queue subtracts them (they are few,
-- always open, and read from purchase_orders_waiting).
-- queue_flags is the PO's place as last counted: 1 Shipped, 2 Exceptions.
ALTER TABLE purchase_orders ADD COLUMN queue_flags BIGINT NOT NULL DEFAULT 0;
-- (SQLite's history fills queue_flags from existing POs here; a PostgreSQL
-- database starts empty, so there is nothing to fill.)

CREATE TABLE supplier_queue_counts (
    supplier_id BIGINT NOT NULL REFERENCES accounts (id),
    tab         TEXT NOT NULL CHECK (tab IN ('all', 'shipped', 'exceptions')),
    n           BIGINT NOT NULL DEFAULT 0 CHECK (n >= 0),
    PRIMARY KEY (supplier_id, tab)
);
INSERT INTO supplier_queue_counts (supplier_id, tab, n)
SELECT supplier_id, 'all', count(*) FROM purchase_orders GROUP BY supplier_id
UNION ALL SELECT supplier_id, 'shipped', count(*) FROM purchase_orders WHERE queue_flags & 1 <> 0 GROUP BY supplier_id
UNION ALL SELECT supplier_id, 'exceptions', count(*) FROM purchase_orders WHERE queue_flags & 2 <> 0 GROUP BY supplier_id;

-- +goose Down
DROP TABLE supplier_queue_counts;
ALTER TABLE purchase_orders DROP COLUMN queue_flags;
