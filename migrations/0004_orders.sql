-- +goose Up
-- Merchant settings for orders and dropship.
ALTER TABLE accounts ADD COLUMN lead_time_limit_days INTEGER NOT NULL DEFAULT 1 CHECK (lead_time_limit_days >= 0);
ALTER TABLE accounts ADD COLUMN shopify_webhook_secret TEXT NOT NULL DEFAULT '';
-- The last number used by "prefix + sequence" PO numbers, per merchant.
ALTER TABLE accounts ADD COLUMN po_sequence INTEGER NOT NULL DEFAULT 0;

-- A merchant's sales order from a channel. tab is the order list bucket it
-- sits in, kept with the order so tabs and their counts read one index.
CREATE TABLE orders (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts (id),
    channel          TEXT NOT NULL,
    channel_order_id TEXT NOT NULL,
    placed_at        DATETIME NOT NULL,
    currency         TEXT NOT NULL DEFAULT 'USD',
    customer_name    TEXT NOT NULL DEFAULT '',
    customer_lc      TEXT NOT NULL DEFAULT '',
    customer_email   TEXT NOT NULL DEFAULT '',
    customer_phone   TEXT NOT NULL DEFAULT '',
    ship_name        TEXT NOT NULL DEFAULT '',
    ship_company     TEXT NOT NULL DEFAULT '',
    ship_address1    TEXT NOT NULL DEFAULT '',
    ship_address2    TEXT NOT NULL DEFAULT '',
    ship_city        TEXT NOT NULL DEFAULT '',
    ship_region      TEXT NOT NULL DEFAULT '',
    ship_postal_code TEXT NOT NULL DEFAULT '',
    ship_country     TEXT NOT NULL DEFAULT '',
    ship_phone       TEXT NOT NULL DEFAULT '',
    note             TEXT NOT NULL DEFAULT '',
    total_cents      INTEGER NOT NULL DEFAULT 0 CHECK (total_cents >= 0),
    status           TEXT NOT NULL,
    tab              TEXT NOT NULL CHECK (tab IN ('needs_dropship', 'dropshipped', 'shipped', 'exceptions', 'other')),
    dropship         INTEGER NOT NULL DEFAULT 0 CHECK (dropship IN (0, 1)),
    suppliers        TEXT NOT NULL DEFAULT '',
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL,
    UNIQUE (account_id, channel, channel_order_id)
);
CREATE INDEX orders_tab ON orders (account_id, tab, placed_at DESC, id DESC);
CREATE INDEX orders_placed ON orders (account_id, placed_at DESC, id DESC);
CREATE INDEX orders_number ON orders (account_id, channel_order_id);
CREATE INDEX orders_customer ON orders (account_id, customer_lc);

-- How many orders sit in each tab, kept in the same transaction as the orders.
CREATE TABLE order_tab_counts (
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    tab        TEXT NOT NULL,
    n          INTEGER NOT NULL DEFAULT 0 CHECK (n >= 0),
    PRIMARY KEY (account_id, tab)
) WITHOUT ROWID;

CREATE TABLE order_lines (
    id               INTEGER PRIMARY KEY,
    order_id         INTEGER NOT NULL REFERENCES orders (id),
    account_id       INTEGER NOT NULL REFERENCES accounts (id),
    line_no          INTEGER NOT NULL,
    sku              TEXT NOT NULL DEFAULT '',
    title            TEXT NOT NULL DEFAULT '',
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL DEFAULT 0 CHECK (unit_price_cents >= 0),
    product_id       INTEGER REFERENCES products (id),
    UNIQUE (order_id, line_no)
);
CREATE INDEX order_lines_sku ON order_lines (account_id, sku);

-- What a dropship creates: one per supplier per dropship, with the ship-to
-- frozen as submitted. The supplier sees it as a Dropshipping order.
CREATE TABLE purchase_orders (
    id                 INTEGER PRIMARY KEY,
    account_id         INTEGER NOT NULL REFERENCES accounts (id),
    supplier_id        INTEGER NOT NULL REFERENCES accounts (id),
    order_id           INTEGER NOT NULL REFERENCES orders (id),
    link_id            INTEGER NOT NULL REFERENCES vendor_links (id),
    po_number          TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('open', 'partially_shipped', 'shipped', 'delivered', 'cancelled', 'rejected')),
    supplier_status_id INTEGER REFERENCES supplier_statuses (id),
    cancel_state       TEXT NOT NULL DEFAULT '' CHECK (cancel_state IN ('', 'requested', 'accepted', 'declined')),
    cancel_reason      TEXT NOT NULL DEFAULT '',
    currency           TEXT NOT NULL DEFAULT 'USD',
    total_cost_cents   INTEGER NOT NULL DEFAULT 0,
    customer_name      TEXT NOT NULL DEFAULT '',
    customer_email     TEXT NOT NULL DEFAULT '',
    customer_phone     TEXT NOT NULL DEFAULT '',
    ship_name          TEXT NOT NULL,
    ship_company       TEXT NOT NULL DEFAULT '',
    ship_address1      TEXT NOT NULL,
    ship_address2      TEXT NOT NULL DEFAULT '',
    ship_city          TEXT NOT NULL,
    ship_region        TEXT NOT NULL DEFAULT '',
    ship_postal_code   TEXT NOT NULL DEFAULT '',
    ship_country       TEXT NOT NULL,
    ship_phone         TEXT NOT NULL DEFAULT '',
    notes              TEXT NOT NULL DEFAULT '',
    idempotency_key    TEXT NOT NULL,
    release_at         DATETIME NOT NULL,
    created_by         TEXT NOT NULL DEFAULT '',
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL,
    UNIQUE (account_id, po_number),
    -- One submit of the form makes at most one PO per supplier.
    UNIQUE (account_id, idempotency_key, supplier_id)
);
CREATE INDEX purchase_orders_order ON purchase_orders (order_id);
CREATE INDEX purchase_orders_merchant ON purchase_orders (account_id, created_at DESC);
CREATE INDEX purchase_orders_supplier ON purchase_orders (supplier_id, created_at DESC);

CREATE TABLE po_lines (
    id            INTEGER PRIMARY KEY,
    po_id         INTEGER NOT NULL REFERENCES purchase_orders (id),
    order_line_id INTEGER NOT NULL REFERENCES order_lines (id),
    source_id     INTEGER NOT NULL REFERENCES product_sources (id),
    supplier_sku  TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    quantity      INTEGER NOT NULL CHECK (quantity > 0),
    shipped_qty   INTEGER NOT NULL DEFAULT 0 CHECK (shipped_qty >= 0),
    cost_cents    INTEGER,
    price_cents   INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'shipped', 'rejected', 'cancelled')),
    reason        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX po_lines_po ON po_lines (po_id);
CREATE INDEX po_lines_supplier_sku ON po_lines (supplier_sku);
-- An order line is on at most one live PO: a rejected or cancelled line may go again.
CREATE UNIQUE INDEX po_lines_live ON po_lines (order_line_id) WHERE status IN ('open', 'shipped');

-- Everything that happened to an order, for its timeline.
CREATE TABLE order_events (
    id         INTEGER PRIMARY KEY,
    order_id   INTEGER NOT NULL REFERENCES orders (id),
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    at         DATETIME NOT NULL,
    actor      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    message    TEXT NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, id);

-- Webhooks Dropline could not use, kept for the merchant to see.
CREATE TABLE rejected_webhooks (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    received_at DATETIME NOT NULL,
    source      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    body        TEXT NOT NULL
);
CREATE INDEX rejected_webhooks_account ON rejected_webhooks (account_id, id DESC);

-- +goose Down
DROP TABLE rejected_webhooks;
DROP TABLE order_events;
DROP TABLE po_lines;
DROP TABLE purchase_orders;
DROP TABLE order_lines;
DROP TABLE order_tab_counts;
DROP TABLE orders;
ALTER TABLE accounts DROP COLUMN po_sequence;
ALTER TABLE accounts DROP COLUMN shopify_webhook_secret;
ALTER TABLE accounts DROP COLUMN lead_time_limit_days;
