-- +goose Up
-- Catalog files (issue 22): variants keep the key that groups them, a sale
-- price is kept beside the price, an account has a currency its catalog's
-- prices are checked against, a subscription says what "in stock" without a
-- number means and whether Shopify variants without a SKU get one built (new
-- subscriptions are offered it; existing ones keep skipping such variants), a
-- run keeps what its file held that was not imported, and a row error says
-- whether its row was skipped or only the field left empty.
ALTER TABLE products ADD COLUMN group_key TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN sale_price_cents INTEGER CHECK (sale_price_cents >= 0);
CREATE INDEX products_grouped ON products (account_id, (CASE WHEN group_key = '' THEN sku ELSE group_key END), sku);
ALTER TABLE feed_run_rows ADD COLUMN group_key TEXT NOT NULL DEFAULT '';
ALTER TABLE feed_run_rows ADD COLUMN sale_price_cents INTEGER;
ALTER TABLE accounts ADD COLUMN currency TEXT NOT NULL DEFAULT 'USD';
ALTER TABLE subscriptions ADD COLUMN in_stock_quantity INTEGER NOT NULL DEFAULT 1 CHECK (in_stock_quantity >= 0);
ALTER TABLE subscriptions ADD COLUMN build_skus INTEGER NOT NULL DEFAULT 0 CHECK (build_skus IN (0, 1));
ALTER TABLE feed_runs ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE feed_run_errors ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0 CHECK (skipped IN (0, 1));

-- +goose Down
ALTER TABLE feed_run_errors DROP COLUMN skipped;
ALTER TABLE feed_runs DROP COLUMN notes;
ALTER TABLE subscriptions DROP COLUMN build_skus;
ALTER TABLE subscriptions DROP COLUMN in_stock_quantity;
ALTER TABLE accounts DROP COLUMN currency;
ALTER TABLE feed_run_rows DROP COLUMN sale_price_cents;
ALTER TABLE feed_run_rows DROP COLUMN group_key;
DROP INDEX products_grouped;
ALTER TABLE products DROP COLUMN sale_price_cents;
ALTER TABLE products DROP COLUMN group_key;
