-- +goose Up
-- A merchant's stores (issue 24): Shopify by shop address and an Admin API
-- access token, WooCommerce by site address and a REST API key and secret.
-- The credentials are secrets: written from the settings form, never shown
-- again, logged or exported. name is the channel's name on its orders.
CREATE TABLE sales_channels (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id),
    kind            TEXT NOT NULL CHECK (kind IN ('shopify', 'woocommerce')),
    name            TEXT NOT NULL,
    base_url        TEXT NOT NULL,
    access_token    TEXT NOT NULL DEFAULT '',
    consumer_key    TEXT NOT NULL DEFAULT '',
    consumer_secret TEXT NOT NULL DEFAULT '',
    notify_customer INTEGER NOT NULL DEFAULT 0 CHECK (notify_customer IN (0, 1)),
    push_stock      INTEGER NOT NULL DEFAULT 0 CHECK (push_stock IN (0, 1)),
    paused          INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    shop_name       TEXT NOT NULL DEFAULT '',
    tested_at       DATETIME,
    test_error      TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    UNIQUE (account_id, name)
);

-- +goose Down
DROP TABLE sales_channels;
