-- +goose Up
-- Invitations and per-link settings.
ALTER TABLE vendor_links ADD COLUMN requested_by TEXT NOT NULL DEFAULT 'admin' CHECK (requested_by IN ('supplier', 'merchant', 'admin'));
-- What the supplier sees of the customer and of the merchant's prices (supplier's admin).
ALTER TABLE vendor_links ADD COLUMN show_customer_phone INTEGER NOT NULL DEFAULT 0 CHECK (show_customer_phone IN (0, 1));
ALTER TABLE vendor_links ADD COLUMN show_customer_email INTEGER NOT NULL DEFAULT 0 CHECK (show_customer_email IN (0, 1));
ALTER TABLE vendor_links ADD COLUMN show_prices INTEGER NOT NULL DEFAULT 0 CHECK (show_prices IN (0, 1));
-- How the merchant dropships over this link (merchant's admin).
ALTER TABLE vendor_links ADD COLUMN auto_dropship INTEGER NOT NULL DEFAULT 0 CHECK (auto_dropship IN (0, 1));
ALTER TABLE vendor_links ADD COLUMN release_delay_minutes INTEGER NOT NULL DEFAULT 0 CHECK (release_delay_minutes BETWEEN 0 AND 10080);
ALTER TABLE vendor_links ADD COLUMN po_format TEXT NOT NULL DEFAULT 'sequence' CHECK (po_format IN ('sequence', 'channel'));
ALTER TABLE vendor_links ADD COLUMN po_prefix TEXT NOT NULL DEFAULT 'PO-';

-- A supplier's own statuses for incoming dropship orders. Shipped, delivered,
-- cancelled and rejected are fixed system states, not rows here.
CREATE TABLE supplier_statuses (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name       TEXT NOT NULL,
    position   INTEGER NOT NULL,
    retired_at DATETIME,
    created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX supplier_statuses_name ON supplier_statuses (account_id, name COLLATE NOCASE);
-- With no initial status, dropship orders for the supplier are not created.
ALTER TABLE accounts ADD COLUMN initial_status_id INTEGER REFERENCES supplier_statuses (id);

INSERT INTO supplier_statuses (account_id, name, position, created_at)
SELECT a.id, d.name, d.position, CURRENT_TIMESTAMP
FROM accounts a
CROSS JOIN (SELECT 'New' AS name, 1 AS position
            UNION ALL SELECT 'Processing', 2
            UNION ALL SELECT 'Awaiting stock', 3
            UNION ALL SELECT 'Ready to ship', 4) d
WHERE a.kind IN ('supplier', 'both');

-- Logistics (seed 001): how the supplier ships and how its stock is kept.
ALTER TABLE accounts ADD COLUMN logistics_kind TEXT NOT NULL DEFAULT 'carrier' CHECK (logistics_kind IN ('carrier', 'fulfillment_center'));
ALTER TABLE accounts ADD COLUMN inventory_mode TEXT NOT NULL DEFAULT 'passive' CHECK (inventory_mode IN ('active', 'passive'));
-- Carriers the account's users may pick: all built-ins unless restricted.
ALTER TABLE accounts ADD COLUMN carriers_restricted INTEGER NOT NULL DEFAULT 0 CHECK (carriers_restricted IN (0, 1));
-- A built-in carrier code or 'custom:ID'; empty for none.
ALTER TABLE accounts ADD COLUMN default_carrier TEXT NOT NULL DEFAULT '';
CREATE TABLE account_carriers (
    account_id   INTEGER NOT NULL REFERENCES accounts (id),
    carrier_code TEXT NOT NULL,
    PRIMARY KEY (account_id, carrier_code)
);
-- Custom logistics providers: small carriers with no API.
CREATE TABLE logistics_providers (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id),
    name         TEXT NOT NULL,
    tracking_url TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL DEFAULT 'carrier' CHECK (kind IN ('carrier', 'fulfillment_center')),
    retired_at   DATETIME,
    created_at   DATETIME NOT NULL
);
CREATE UNIQUE INDEX logistics_providers_name ON logistics_providers (account_id, name COLLATE NOCASE);

-- +goose Down
DROP TABLE logistics_providers;
DROP TABLE account_carriers;
ALTER TABLE accounts DROP COLUMN default_carrier;
ALTER TABLE accounts DROP COLUMN carriers_restricted;
ALTER TABLE accounts DROP COLUMN inventory_mode;
ALTER TABLE accounts DROP COLUMN logistics_kind;
ALTER TABLE accounts DROP COLUMN initial_status_id;
DROP TABLE supplier_statuses;
ALTER TABLE vendor_links DROP COLUMN po_prefix;
ALTER TABLE vendor_links DROP COLUMN po_format;
ALTER TABLE vendor_links DROP COLUMN release_delay_minutes;
ALTER TABLE vendor_links DROP COLUMN auto_dropship;
ALTER TABLE vendor_links DROP COLUMN show_prices;
ALTER TABLE vendor_links DROP COLUMN show_customer_email;
ALTER TABLE vendor_links DROP COLUMN show_customer_phone;
ALTER TABLE vendor_links DROP COLUMN requested_by;
