-- +goose Up
-- The supplier's Shipped and Exceptions tabs list the newest first, but
-- the newest POs are mostly still open and exceptions are about 2% of
-- all: walking every PO newest first to find 50 of them took 5-20 ms at
-- 400,000 POs. queue_flags bits 1 and 2 are those tabs (kept by requeue;
-- they do not depend on the clock), so partial indexes hold just their POs
-- in list order.
CREATE INDEX purchase_orders_shipped ON purchase_orders (supplier_id, created_at DESC) WHERE queue_flags & 1 <> 0;
CREATE INDEX purchase_orders_exceptions ON purchase_orders (supplier_id, created_at DESC) WHERE queue_flags & 2 <> 0;

-- +goose Down
DROP INDEX purchase_orders_exceptions;
DROP INDEX purchase_orders_shipped;
