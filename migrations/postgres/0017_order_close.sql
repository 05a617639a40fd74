-- +goose Up
-- A merchant may close an order that will not be shipped (its POs were
-- cancelled or rejected): the order is then cancelled, with the reason, and
-- stays so whatever its lines count.
ALTER TABLE orders ADD COLUMN closed_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN closed_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE orders DROP COLUMN closed_at;
ALTER TABLE orders DROP COLUMN closed_reason;
