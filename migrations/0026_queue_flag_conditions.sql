-- +goose Up
-- The Shipped and Exceptions lists' partial indexes, with their condition
-- spelled as both engines read it: "queue_flags & 1 <> 0" (PostgreSQL
-- wants a boolean where SQLite takes any integer). A query uses a partial
-- index only if it repeats the index's condition, so the store's queries
-- and these indexes change together.
DROP INDEX purchase_orders_shipped;
DROP INDEX purchase_orders_exceptions;
CREATE INDEX purchase_orders_shipped ON purchase_orders (supplier_id, created_at DESC) WHERE queue_flags & 1 <> 0;
CREATE INDEX purchase_orders_exceptions ON purchase_orders (supplier_id, created_at DESC) WHERE queue_flags & 2 <> 0;

-- +goose Down
DROP INDEX purchase_orders_shipped;
DROP INDEX purchase_orders_exceptions;
CREATE INDEX purchase_orders_shipped ON purchase_orders (supplier_id, created_at DESC) WHERE queue_flags & 1;
CREATE INDEX purchase_orders_exceptions ON purchase_orders (supplier_id, created_at DESC) WHERE queue_flags & 2;
