-- +goose Up
-- Tracking events (issue 25). An account that follows its parcels with a
-- tracking provider keeps its choice here: the provider, its API key and
-- the secret the provider signs its webhooks with (credentials: written,
-- never shown again, logged or exported), and webhook_token, the
-- unguessable part of the address the provider delivers to
-- (/api/v1/webhooks/tracking/{webhook_token}); provider '' is off, and the
-- token stays so that the address pasted into the provider keeps working.
-- not_moving_hours is how long after the end of its ship date a shipment
-- may go without a first carrier scan before it is flagged as not moving;
-- delivery_days how many days after its ship date a delivery counts as on
-- time on the supplier scorecards this account reads.
CREATE TABLE tracking_settings (
    account_id          INTEGER PRIMARY KEY REFERENCES accounts (id),
    provider            TEXT NOT NULL DEFAULT '' CHECK (provider = '' OR provider = 'aftership' OR provider = 'easypost'),
    api_key             TEXT NOT NULL DEFAULT '',
    webhook_secret      TEXT NOT NULL DEFAULT '',
    webhook_token       TEXT NOT NULL UNIQUE,
    not_moving_hours    INTEGER NOT NULL DEFAULT 48 CHECK (not_moving_hours BETWEEN 12 AND 720),
    delivery_days       INTEGER NOT NULL DEFAULT 7 CHECK (delivery_days BETWEEN 1 AND 60),
    webhook_received_at DATETIME,
    updated_at          DATETIME NOT NULL
);
-- A shipment's tracking: the account whose provider follows it (the
-- merchant's when it has one, else the supplier's; NULL: nobody's, tracking
-- updates are off), the provider and its ID of the tracker once registered,
-- the latest event's status, sub-status and time, the first carrier scan,
-- and when it was flagged as not moving (kept after a late first scan: the
-- scorecards count it).
ALTER TABLE shipments ADD COLUMN tracking_account_id INTEGER REFERENCES accounts (id);
ALTER TABLE shipments ADD COLUMN tracking_provider TEXT NOT NULL DEFAULT '';
ALTER TABLE shipments ADD COLUMN tracking_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE shipments ADD COLUMN tracking_registered_at DATETIME;
ALTER TABLE shipments ADD COLUMN tracking_status TEXT NOT NULL DEFAULT '';
ALTER TABLE shipments ADD COLUMN tracking_sub_status TEXT NOT NULL DEFAULT '';
ALTER TABLE shipments ADD COLUMN tracking_at DATETIME;
ALTER TABLE shipments ADD COLUMN first_scan_at DATETIME;
ALTER TABLE shipments ADD COLUMN not_moving_at DATETIME;
CREATE INDEX shipments_tracking_number ON shipments (tracking_account_id, tracking_number) WHERE tracking_account_id IS NOT NULL;
CREATE INDEX shipments_awaiting_scan ON shipments (ship_date) WHERE tracking_registered_at IS NOT NULL AND first_scan_at IS NULL AND not_moving_at IS NULL AND delivered_at IS NULL;
CREATE INDEX shipments_tracked ON shipments (supplier_id, ship_date) WHERE tracking_registered_at IS NOT NULL;
-- Each shipment's events, each once: dedupe_key is a digest of what the
-- provider said of it (time, status, words, place), so the same checkpoint
-- sent again in a later, duplicated or replayed webhook adds nothing.
CREATE TABLE shipment_events (
    id          INTEGER PRIMARY KEY,
    shipment_id INTEGER NOT NULL REFERENCES shipments (id),
    status      TEXT NOT NULL CHECK (status = 'info_received' OR status = 'in_transit' OR status = 'out_for_delivery' OR status = 'delivered'
        OR status = 'failed_attempt' OR status = 'exception' OR status = 'returned'),
    sub_status  TEXT NOT NULL DEFAULT '',
    message     TEXT NOT NULL DEFAULT '',
    location    TEXT NOT NULL DEFAULT '',
    occurred_at DATETIME NOT NULL,
    provider    TEXT NOT NULL,
    dedupe_key  TEXT NOT NULL,
    received_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX shipment_events_dedupe ON shipment_events (shipment_id, dedupe_key);
-- A PO's worst tracking problem among its shipments, '' for none: both
-- sides see it on the PO, the supplier in its Exceptions tab, the merchant
-- in its Tracking problems view, and both dashboards count it.
ALTER TABLE purchase_orders ADD COLUMN tracking_problem TEXT NOT NULL DEFAULT '' CHECK (tracking_problem = '' OR tracking_problem = 'not_moving'
    OR tracking_problem = 'failed_attempt' OR tracking_problem = 'exception' OR tracking_problem = 'returned');
CREATE INDEX purchase_orders_tracking_problem ON purchase_orders (account_id) WHERE tracking_problem <> '';
CREATE INDEX purchase_orders_supplier_tracking_problem ON purchase_orders (supplier_id) WHERE tracking_problem <> '';

-- +goose Down
DROP INDEX purchase_orders_supplier_tracking_problem;
DROP INDEX purchase_orders_tracking_problem;
ALTER TABLE purchase_orders DROP COLUMN tracking_problem;
DROP TABLE shipment_events;
DROP INDEX shipments_tracked;
DROP INDEX shipments_awaiting_scan;
DROP INDEX shipments_tracking_number;
ALTER TABLE shipments DROP COLUMN not_moving_at;
ALTER TABLE shipments DROP COLUMN first_scan_at;
ALTER TABLE shipments DROP COLUMN tracking_at;
ALTER TABLE shipments DROP COLUMN tracking_sub_status;
ALTER TABLE shipments DROP COLUMN tracking_status;
ALTER TABLE shipments DROP COLUMN tracking_registered_at;
ALTER TABLE shipments DROP COLUMN tracking_ref;
ALTER TABLE shipments DROP COLUMN tracking_provider;
ALTER TABLE shipments DROP COLUMN tracking_account_id;
DROP TABLE tracking_settings;
