-- +goose Up
-- Payment terms of a link (the merchant's admin sets them; both sides see
-- them): a PO line's cost becomes the supplier's earning when its shipment
-- is saved or delivered, and available for payout after the holding period.
ALTER TABLE vendor_links ADD COLUMN earn_on TEXT NOT NULL DEFAULT 'shipped' CHECK (earn_on IN ('shipped', 'delivered'));
ALTER TABLE vendor_links ADD COLUMN holding_days INTEGER NOT NULL DEFAULT 14 CHECK (holding_days BETWEEN 0 AND 365);

-- What a merchant owes a supplier, entry by entry, in minor units signed as
-- their effect on that balance: earnings > 0, adjustments and payouts < 0.
-- day is the local date (merchant's time zone) the entry counts on.
CREATE TABLE ledger_entries (
    id           INTEGER PRIMARY KEY,
    supplier_id  INTEGER NOT NULL REFERENCES accounts (id),
    merchant_id  INTEGER NOT NULL REFERENCES accounts (id),
    kind         TEXT NOT NULL CHECK (kind IN ('earning', 'adjustment', 'payout')),
    currency     TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    po_id        INTEGER REFERENCES purchase_orders (id),
    po_line_id   INTEGER REFERENCES po_lines (id),
    shipment_id  INTEGER REFERENCES shipments (id),
    quantity     INTEGER NOT NULL DEFAULT 0,
    at           DATETIME NOT NULL,
    day          TEXT NOT NULL,
    available_at DATETIME NOT NULL,
    reference    TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL,
    created_at   DATETIME NOT NULL,
    CHECK ((kind = 'earning' AND amount_cents >= 0) OR (kind <> 'earning' AND amount_cents <= 0))
);
CREATE INDEX ledger_entries_pair ON ledger_entries (supplier_id, merchant_id, day, id);
CREATE INDEX ledger_entries_line ON ledger_entries (po_line_id) WHERE po_line_id IS NOT NULL;
-- A shipment earns once per line; a line is adjusted once.
CREATE UNIQUE INDEX ledger_entries_earning ON ledger_entries (shipment_id, po_line_id) WHERE kind = 'earning';
CREATE UNIQUE INDEX ledger_entries_adjustment ON ledger_entries (po_line_id) WHERE kind = 'adjustment';

-- The ledger summed per pair, currency and local day, kept in the same
-- transaction as each entry: statements, balances and dashboards read days,
-- not entries. released is the earnings that become available that day.
CREATE TABLE ledger_days (
    supplier_id    INTEGER NOT NULL REFERENCES accounts (id),
    merchant_id    INTEGER NOT NULL REFERENCES accounts (id),
    currency       TEXT NOT NULL,
    day            TEXT NOT NULL,
    earned_cents   INTEGER NOT NULL DEFAULT 0,
    adjusted_cents INTEGER NOT NULL DEFAULT 0,
    paid_cents     INTEGER NOT NULL DEFAULT 0,
    released_cents INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (supplier_id, merchant_id, currency, day)
) WITHOUT ROWID;

-- Scorecard counts per supplier, merchant and UTC day the PO was released to
-- the supplier, kept in the same transaction as each event.
CREATE TABLE supplier_stats (
    supplier_id     INTEGER NOT NULL REFERENCES accounts (id),
    merchant_id     INTEGER NOT NULL REFERENCES accounts (id),
    day             TEXT NOT NULL,
    received        INTEGER NOT NULL DEFAULT 0,
    acked           INTEGER NOT NULL DEFAULT 0,
    acked_in_sla    INTEGER NOT NULL DEFAULT 0,
    tracked         INTEGER NOT NULL DEFAULT 0,
    tracked_on_time INTEGER NOT NULL DEFAULT 0,
    rejected        INTEGER NOT NULL DEFAULT 0,
    cancelled       INTEGER NOT NULL DEFAULT 0,
    shipments       INTEGER NOT NULL DEFAULT 0,
    overrides       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (supplier_id, merchant_id, day)
) WITHOUT ROWID;
-- Whole hours from release to first tracking, counted per day, for medians.
CREATE TABLE supplier_ship_hours (
    supplier_id INTEGER NOT NULL REFERENCES accounts (id),
    merchant_id INTEGER NOT NULL REFERENCES accounts (id),
    day         TEXT NOT NULL,
    hours       INTEGER NOT NULL,
    n           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (supplier_id, merchant_id, day, hours)
) WITHOUT ROWID;
-- POs still waiting for acknowledgement or tracking, holding every column
-- the late and stale rules read: the scorecard's overdue counts, the
-- dashboards and the late and stale views scan these, not every PO.
CREATE INDEX purchase_orders_waiting ON purchase_orders (supplier_id, release_at, status, account_id, acknowledged_at, promise_date, first_tracking_at, created_at, cancel_state)
    WHERE status IN ('open', 'partially_shipped');
CREATE INDEX purchase_orders_merchant_waiting ON purchase_orders (account_id, release_at, status, supplier_id, acknowledged_at, promise_date, first_tracking_at, created_at, cancel_state)
    WHERE status IN ('open', 'partially_shipped');
-- The merchant dashboard counts failed messages.
CREATE INDEX outbox_account_state ON outbox (account_id, state);

-- +goose Down
DROP INDEX outbox_account_state;
DROP INDEX purchase_orders_merchant_waiting;
DROP INDEX purchase_orders_waiting;
DROP TABLE supplier_ship_hours;
DROP TABLE supplier_stats;
DROP TABLE ledger_days;
DROP TABLE ledger_entries;
ALTER TABLE vendor_links DROP COLUMN holding_days;
ALTER TABLE vendor_links DROP COLUMN earn_on;
