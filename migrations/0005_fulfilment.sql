-- +goose Up
-- Supplier-side handling of purchase orders.
ALTER TABLE purchase_orders ADD COLUMN acknowledged_at DATETIME;
-- The date the supplier should ship by: the PO's day plus its longest lead time.
ALTER TABLE purchase_orders ADD COLUMN promise_date DATETIME;
ALTER TABLE purchase_orders ADD COLUMN first_tracking_at DATETIME;
-- Service levels a supplier keeps: acknowledge within this many hours; stop
-- chasing POs with no tracking after this many days.
ALTER TABLE accounts ADD COLUMN ack_sla_hours INTEGER NOT NULL DEFAULT 24 CHECK (ack_sla_hours >= 1);
ALTER TABLE accounts ADD COLUMN stale_after_days INTEGER NOT NULL DEFAULT 42 CHECK (stale_after_days >= 1);

-- A parcel: carrier, tracking number, ship date, and the PO lines it carries.
CREATE TABLE shipments (
    id              INTEGER PRIMARY KEY,
    po_id           INTEGER NOT NULL REFERENCES purchase_orders (id),
    supplier_id     INTEGER NOT NULL REFERENCES accounts (id),
    merchant_id     INTEGER NOT NULL REFERENCES accounts (id),
    carrier         TEXT NOT NULL,
    carrier_name    TEXT NOT NULL,
    tracking_number TEXT NOT NULL,
    tracking_url    TEXT NOT NULL DEFAULT '',
    ship_date       TEXT NOT NULL,
    extended_field  TEXT NOT NULL DEFAULT '',
    -- Set when a number that failed the carrier's check was saved anyway.
    override_reason TEXT NOT NULL DEFAULT '',
    delivered_at    DATETIME,
    created_by      TEXT NOT NULL,
    created_at      DATETIME NOT NULL,
    -- A shipment is identified by PO + carrier + tracking number: the same
    -- upload twice adds nothing.
    UNIQUE (po_id, carrier, tracking_number)
);
CREATE INDEX shipments_po ON shipments (po_id);
CREATE TABLE shipment_lines (
    shipment_id INTEGER NOT NULL REFERENCES shipments (id),
    po_line_id  INTEGER NOT NULL REFERENCES po_lines (id),
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (shipment_id, po_line_id)
) WITHOUT ROWID;
CREATE INDEX purchase_orders_supplier_status ON purchase_orders (supplier_id, status, created_at DESC);

-- +goose Down
DROP INDEX purchase_orders_supplier_status;
DROP TABLE shipment_lines;
DROP TABLE shipments;
ALTER TABLE accounts DROP COLUMN stale_after_days;
ALTER TABLE accounts DROP COLUMN ack_sla_hours;
ALTER TABLE purchase_orders DROP COLUMN first_tracking_at;
ALTER TABLE purchase_orders DROP COLUMN promise_date;
ALTER TABLE purchase_orders DROP COLUMN acknowledged_at;
