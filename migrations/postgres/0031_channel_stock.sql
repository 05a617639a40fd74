-- +goose Up
-- Stock out to connected stores (issue 24). A store that pushes stock
-- (push_stock) keeps, per SKU, the quantity the store last accepted from
-- Dropline and when (quantity and pushed_at stay NULL until the store has
-- accepted one), and since when the store has had no product with that SKU
-- (missing_at, NULL while it has one): a push sends only the SKUs whose
-- sellable quantity differs from the one last accepted. The connection keeps
-- what its last push did: when it ran (stock_checked_at), how many
-- quantities it sent, how many SKUs the store lacks, how many still wait
-- (throttled, refused or past a run's limit) and the platform's message.
-- stock_changes counts the catalog changes (feed pulls, on-hand edits) that
-- may have moved a quantity; a push remembers the count it started from in
-- stock_changes_seen, so one made meanwhile makes the store due again at
-- once. stock_next_at is when the ticker pushes next, stock_claimed_until
-- keeps two pushes of one store (a ticker and the button, or two instances)
-- from running together. A Shopify store may set stock at a chosen location
-- (stock_location_id, the location's GID, and its name as Shopify gave it);
-- '' means the shop's primary location.
ALTER TABLE sales_channels ADD COLUMN stock_location_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sales_channels ADD COLUMN stock_location_name TEXT NOT NULL DEFAULT '';
ALTER TABLE sales_channels ADD COLUMN stock_checked_at TIMESTAMPTZ;
ALTER TABLE sales_channels ADD COLUMN stock_sent BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sales_channels ADD COLUMN stock_missing BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sales_channels ADD COLUMN stock_waiting BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sales_channels ADD COLUMN stock_error TEXT NOT NULL DEFAULT '';
ALTER TABLE sales_channels ADD COLUMN stock_changes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sales_channels ADD COLUMN stock_changes_seen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sales_channels ADD COLUMN stock_next_at TIMESTAMPTZ;
ALTER TABLE sales_channels ADD COLUMN stock_claimed_until TIMESTAMPTZ;
CREATE TABLE channel_stock (
    sales_channel_id BIGINT NOT NULL REFERENCES sales_channels (id) ON DELETE CASCADE,
    sku              TEXT NOT NULL,
    quantity         BIGINT,
    pushed_at        TIMESTAMPTZ,
    missing_at       TIMESTAMPTZ,
    PRIMARY KEY (sales_channel_id, sku)
);

-- +goose Down
DROP TABLE channel_stock;
ALTER TABLE sales_channels DROP COLUMN stock_claimed_until;
ALTER TABLE sales_channels DROP COLUMN stock_next_at;
ALTER TABLE sales_channels DROP COLUMN stock_changes_seen;
ALTER TABLE sales_channels DROP COLUMN stock_changes;
ALTER TABLE sales_channels DROP COLUMN stock_error;
ALTER TABLE sales_channels DROP COLUMN stock_waiting;
ALTER TABLE sales_channels DROP COLUMN stock_missing;
ALTER TABLE sales_channels DROP COLUMN stock_sent;
ALTER TABLE sales_channels DROP COLUMN stock_checked_at;
ALTER TABLE sales_channels DROP COLUMN stock_location_name;
ALTER TABLE sales_channels DROP COLUMN stock_location_id;
