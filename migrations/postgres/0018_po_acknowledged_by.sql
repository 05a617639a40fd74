-- +goose Up
-- Who acknowledged a PO (a user's email, "API" or "system"), beside when:
-- the supplier's PO page says both. Empty for POs acknowledged before.
ALTER TABLE purchase_orders ADD COLUMN acknowledged_by TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE purchase_orders DROP COLUMN acknowledged_by;
