-- +goose Up
-- The supplier queue's working tabs (To acknowledge, To ship, Late, Due
-- today) and the merchant's Late and Stale POs depend on the clock as well
-- as on each PO's state. Counting them per page load scanned every open PO
-- of the account (≈40 ms at 20,000). They are now kept like the other tab
-- counts: queue_flags holds the PO's working tabs as of its last change,
-- queue_clock_at the next instant one of them can change by time alone
-- (release, acknowledgement SLA, promise date, the promise day starting in
-- the supplier's time zone, going stale), NULL when none can. A sweep on the
-- ticker moves POs past their instant; until it does, a count corrects the
-- kept numbers with the few POs whose instant has passed.
ALTER TABLE purchase_orders ADD COLUMN queue_clock_at TIMESTAMPTZ;
-- Open POs start due at once, with no working tab counted: counts correct
-- for them until the server's first sweep writes their flags.
UPDATE purchase_orders SET queue_clock_at = '0001-01-01 00:00:00+00:00' WHERE status IN ('open', 'partially_shipped');
CREATE INDEX purchase_orders_supplier_clock ON purchase_orders (supplier_id, queue_clock_at) WHERE queue_clock_at IS NOT NULL;
CREATE INDEX purchase_orders_merchant_clock ON purchase_orders (account_id, queue_clock_at) WHERE queue_clock_at IS NOT NULL;

-- supplier_queue_counts allowed only the tabs that do not depend on the
-- clock; its successor holds every tab. (A new name, not a rebuild and
-- rename: renaming a table the migration's connection had rebuilt left
-- that connection unable to checkpoint afterwards, in the seed.)
CREATE TABLE supplier_tab_counts (
    supplier_id BIGINT NOT NULL REFERENCES accounts (id),
    tab         TEXT NOT NULL CHECK (tab IN ('all', 'shipped', 'exceptions', 'to_acknowledge', 'to_ship', 'late', 'due_today')),
    n           BIGINT NOT NULL DEFAULT 0 CHECK (n >= 0),
    PRIMARY KEY (supplier_id, tab)
);
INSERT INTO supplier_tab_counts (supplier_id, tab, n) SELECT supplier_id, tab, n FROM supplier_queue_counts;
DROP TABLE supplier_queue_counts;

ALTER TABLE merchant_po_counts ADD COLUMN late BIGINT NOT NULL DEFAULT 0 CHECK (late >= 0);
ALTER TABLE merchant_po_counts ADD COLUMN stale BIGINT NOT NULL DEFAULT 0 CHECK (stale >= 0);

-- +goose Down
CREATE TABLE supplier_queue_counts (
    supplier_id BIGINT NOT NULL REFERENCES accounts (id),
    tab         TEXT NOT NULL CHECK (tab IN ('all', 'shipped', 'exceptions')),
    n           BIGINT NOT NULL DEFAULT 0 CHECK (n >= 0),
    PRIMARY KEY (supplier_id, tab)
);
INSERT INTO supplier_queue_counts (supplier_id, tab, n) SELECT supplier_id, tab, n FROM supplier_tab_counts WHERE tab IN ('all', 'shipped', 'exceptions');
DROP TABLE supplier_tab_counts;
ALTER TABLE merchant_po_counts DROP COLUMN stale;
ALTER TABLE merchant_po_counts DROP COLUMN late;
DROP INDEX purchase_orders_merchant_clock;
DROP INDEX purchase_orders_supplier_clock;
UPDATE purchase_orders SET queue_flags = queue_flags & 3;
ALTER TABLE purchase_orders DROP COLUMN queue_clock_at;
