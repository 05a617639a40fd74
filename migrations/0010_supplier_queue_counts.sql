-- +goose Up
-- How many POs each supplier has in the queue's tabs that do not depend on
-- the clock (All, Shipped, Exceptions), kept in the same transaction as
-- every PO change, as order_tab_counts is for merchants. Counting them per
-- page load scanned every PO of the supplier (seconds at 400,000 POs).
-- Unreleased POs are counted too; the queue subtracts them (they are few,
-- always open, and read from purchase_orders_waiting).
-- queue_flags is the PO's place as last counted: 1 Shipped, 2 Exceptions.
ALTER TABLE purchase_orders ADD COLUMN queue_flags INTEGER NOT NULL DEFAULT 0;
UPDATE purchase_orders AS po SET queue_flags = ((po.status IN ('shipped', 'delivered')) | ((po.cancel_state = 'requested' OR po.status IN ('rejected', 'cancelled')
	OR EXISTS (SELECT 1 FROM po_lines x WHERE x.po_id = po.id AND x.status = 'rejected')) << 1));

CREATE TABLE supplier_queue_counts (
    supplier_id INTEGER NOT NULL REFERENCES accounts (id),
    tab         TEXT NOT NULL CHECK (tab IN ('all', 'shipped', 'exceptions')),
    n           INTEGER NOT NULL DEFAULT 0 CHECK (n >= 0),
    PRIMARY KEY (supplier_id, tab)
) WITHOUT ROWID;
INSERT INTO supplier_queue_counts (supplier_id, tab, n)
SELECT supplier_id, 'all', count(*) FROM purchase_orders GROUP BY supplier_id
UNION ALL SELECT supplier_id, 'shipped', count(*) FROM purchase_orders WHERE queue_flags & 1 GROUP BY supplier_id
UNION ALL SELECT supplier_id, 'exceptions', count(*) FROM purchase_orders WHERE queue_flags & 2 GROUP BY supplier_id;

-- +goose Down
DROP TABLE supplier_queue_counts;
ALTER TABLE purchase_orders DROP COLUMN queue_flags;
