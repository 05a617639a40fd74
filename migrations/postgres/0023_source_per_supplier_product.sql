-- +goose Up
-- A pull finds the source of a Dropline supplier's product by merchant,
-- supplier and SKU, whichever of the supplier's feeds made it: one index
-- seek per feed row.
CREATE INDEX product_sources_supplier_sku ON product_sources (account_id, supplier_id, supplier_sku);

-- One-time repairs of data written under earlier rules, each done once, in
-- its own transaction with its row here (see store.repairs).
CREATE TABLE store_repairs (
    name    TEXT PRIMARY KEY,
    done_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE store_repairs;
DROP INDEX product_sources_supplier_sku;
