-- +goose Up
-- Orders in from connected stores (issue 24). An order pulled from a store
-- keeps which connection it came from and the platform's own IDs of the
-- order (Shopify GID, WooCommerce id) and of its lines, beside the visible
-- number, so tracking written back later targets the right order and lines.
-- Removing a store must not be blocked by its orders, nor may a later store
-- that happens to get the same id claim them: the link is set to NULL,
-- while channel_ref stays. A connection keeps its pull watermark
-- (orders_since: the next pull asks for orders updated at or after it),
-- when the last pull ended, how many orders it created, and its problem.
ALTER TABLE orders ADD COLUMN sales_channel_id INTEGER REFERENCES sales_channels (id) ON DELETE SET NULL;
ALTER TABLE orders ADD COLUMN channel_ref TEXT NOT NULL DEFAULT '';
CREATE INDEX orders_sales_channel ON orders (sales_channel_id) WHERE sales_channel_id IS NOT NULL;
ALTER TABLE order_lines ADD COLUMN channel_line_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sales_channels ADD COLUMN orders_since DATETIME;
ALTER TABLE sales_channels ADD COLUMN orders_synced_at DATETIME;
ALTER TABLE sales_channels ADD COLUMN orders_created INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sales_channels ADD COLUMN sync_error TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE sales_channels DROP COLUMN sync_error;
ALTER TABLE sales_channels DROP COLUMN orders_created;
ALTER TABLE sales_channels DROP COLUMN orders_synced_at;
ALTER TABLE sales_channels DROP COLUMN orders_since;
ALTER TABLE order_lines DROP COLUMN channel_line_id;
DROP INDEX orders_sales_channel;
ALTER TABLE orders DROP COLUMN channel_ref;
ALTER TABLE orders DROP COLUMN sales_channel_id;
