-- +goose Up
-- Products of any account: a supplier's catalog, or a merchant's own products
-- (linked products get their stock from sources).
CREATE TABLE products (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts (id),
    sku            TEXT NOT NULL,
    title          TEXT NOT NULL DEFAULT '',
    options        TEXT NOT NULL DEFAULT '',
    gtin           TEXT NOT NULL DEFAULT '',
    mpn            TEXT NOT NULL DEFAULT '',
    cost_cents     INTEGER CHECK (cost_cents >= 0),
    price_cents    INTEGER CHECK (price_cents >= 0),
    currency       TEXT NOT NULL DEFAULT 'USD',
    quantity       INTEGER NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    lead_time_days INTEGER NOT NULL DEFAULT 1 CHECK (lead_time_days >= 0),
    url            TEXT NOT NULL DEFAULT '',
    image_url      TEXT NOT NULL DEFAULT '',
    description    TEXT NOT NULL DEFAULT '',
    tags           TEXT NOT NULL DEFAULT '',
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    archived_at    DATETIME,
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL,
    UNIQUE (account_id, sku)
);
CREATE INDEX products_updated ON products (account_id, updated_at);
CREATE INDEX products_gtin ON products (account_id, gtin) WHERE gtin <> '';
CREATE INDEX products_mpn ON products (account_id, mpn) WHERE mpn <> '';

-- A supplier's published selection of products.
CREATE TABLE feeds (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id),
    name            TEXT NOT NULL,
    selection       TEXT NOT NULL DEFAULT 'all' CHECK (selection IN ('all', 'tag', 'skus')),
    selection_value TEXT NOT NULL DEFAULT '',
    fields          TEXT NOT NULL DEFAULT 'price,cost,quantity,lead_time,description,images',
    all_merchants   INTEGER NOT NULL DEFAULT 1 CHECK (all_merchants IN (0, 1)),
    token_hash      TEXT UNIQUE,
    token_prefix    TEXT NOT NULL DEFAULT '',
    archived_at     DATETIME,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE INDEX feeds_account ON feeds (account_id);
-- When all_merchants is 0, only these linked merchants may pull the feed.
CREATE TABLE feed_merchants (
    feed_id     INTEGER NOT NULL REFERENCES feeds (id),
    merchant_id INTEGER NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (feed_id, merchant_id)
);

-- A merchant pulling a linked supplier's feed or an external URL on a schedule.
CREATE TABLE subscriptions (
    id                 INTEGER PRIMARY KEY,
    account_id         INTEGER NOT NULL REFERENCES accounts (id),
    name               TEXT NOT NULL,
    feed_id            INTEGER REFERENCES feeds (id),
    supplier_id        INTEGER REFERENCES accounts (id),
    url                TEXT NOT NULL DEFAULT '',
    format             TEXT NOT NULL DEFAULT '',
    mapping            TEXT NOT NULL DEFAULT '',
    schedule           TEXT NOT NULL DEFAULT 'interval' CHECK (schedule IN ('interval', 'daily')),
    interval_minutes   INTEGER NOT NULL DEFAULT 60 CHECK (interval_minutes >= 5),
    daily_at           TEXT NOT NULL DEFAULT '06:00',
    buffer             INTEGER NOT NULL DEFAULT 0 CHECK (buffer >= 0),
    inventory_mode     TEXT NOT NULL DEFAULT 'passive' CHECK (inventory_mode IN ('active', 'passive')),
    drop_threshold_pct INTEGER NOT NULL DEFAULT 30 CHECK (drop_threshold_pct BETWEEN 1 AND 100),
    stale_after_hours  INTEGER NOT NULL DEFAULT 26 CHECK (stale_after_hours >= 1),
    stale_as_zero      INTEGER NOT NULL DEFAULT 0 CHECK (stale_as_zero IN (0, 1)),
    paused             INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    next_run_at        DATETIME,
    running_since      DATETIME,
    last_success_at    DATETIME,
    last_good_rows     INTEGER,
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL,
    CHECK ((feed_id IS NOT NULL AND supplier_id IS NOT NULL) OR url <> '')
);
CREATE INDEX subscriptions_account ON subscriptions (account_id);
CREATE INDEX subscriptions_due ON subscriptions (next_run_at) WHERE paused = 0;

-- Where a merchant product's stock comes from: one row per supplier product
-- reached through a subscription. Several sources make SKU swapping possible.
CREATE TABLE product_sources (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id),
    product_id      INTEGER NOT NULL REFERENCES products (id),
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id),
    supplier_id     INTEGER REFERENCES accounts (id),
    supplier_name   TEXT NOT NULL DEFAULT '',
    supplier_sku    TEXT NOT NULL,
    gtin            TEXT NOT NULL DEFAULT '',
    mpn             TEXT NOT NULL DEFAULT '',
    priority        INTEGER NOT NULL DEFAULT 1,
    available       INTEGER NOT NULL DEFAULT 0 CHECK (available >= 0),
    on_hand         INTEGER NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    reserved        INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    cost_cents      INTEGER CHECK (cost_cents >= 0),
    currency        TEXT NOT NULL DEFAULT 'USD',
    lead_time_days  INTEGER NOT NULL DEFAULT 1 CHECK (lead_time_days >= 0),
    url             TEXT NOT NULL DEFAULT '',
    missing_since   DATETIME,
    last_seen_at    DATETIME NOT NULL,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    UNIQUE (subscription_id, supplier_sku)
);
CREATE INDEX product_sources_product ON product_sources (product_id, priority);

-- Each pull of a subscription.
CREATE TABLE feed_runs (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id),
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id),
    trigger         TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual')),
    state           TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'failed', 'held', 'discarded')),
    started_at      DATETIME NOT NULL,
    finished_at     DATETIME,
    rows            INTEGER NOT NULL DEFAULT 0,
    created         INTEGER NOT NULL DEFAULT 0,
    updated         INTEGER NOT NULL DEFAULT 0,
    unchanged       INTEGER NOT NULL DEFAULT 0,
    missing         INTEGER NOT NULL DEFAULT 0,
    errors          INTEGER NOT NULL DEFAULT 0,
    message         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX feed_runs_subscription ON feed_runs (subscription_id, id);
CREATE TABLE feed_run_errors (
    run_id  INTEGER NOT NULL REFERENCES feed_runs (id),
    line    INTEGER NOT NULL,
    col     TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL
);
CREATE INDEX feed_run_errors_run ON feed_run_errors (run_id);
-- Rows of a pull waiting to be applied (or held for review).
CREATE TABLE feed_run_rows (
    run_id         INTEGER NOT NULL REFERENCES feed_runs (id),
    line           INTEGER NOT NULL,
    sku            TEXT NOT NULL,
    title          TEXT NOT NULL,
    options        TEXT NOT NULL,
    gtin           TEXT NOT NULL,
    mpn            TEXT NOT NULL,
    cost_cents     INTEGER,
    price_cents    INTEGER,
    currency       TEXT NOT NULL,
    quantity       INTEGER,
    lead_time_days INTEGER,
    url            TEXT NOT NULL,
    image_url      TEXT NOT NULL,
    description    TEXT NOT NULL,
    PRIMARY KEY (run_id, sku)
) WITHOUT ROWID;

-- Uploaded files between preview and apply.
CREATE TABLE uploads (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    kind       TEXT NOT NULL,
    filename   TEXT NOT NULL,
    body       BLOB NOT NULL,
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL
);

-- Instance-wide settings the platform admin controls.
CREATE TABLE platform_settings (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE platform_settings;
DROP TABLE uploads;
DROP TABLE feed_run_rows;
DROP TABLE feed_run_errors;
DROP TABLE feed_runs;
DROP TABLE product_sources;
DROP TABLE subscriptions;
DROP TABLE feed_merchants;
DROP TABLE feeds;
DROP TABLE products;
