-- +goose Up
-- "Where is my order?" often comes with a tracking number: the merchant's
-- order and PO lists and the supplier's queue find a parcel's PO by it.
CREATE INDEX shipments_merchant_number ON shipments (merchant_id, tracking_number);
CREATE INDEX shipments_supplier_number ON shipments (supplier_id, tracking_number);

-- +goose Down
DROP INDEX shipments_supplier_number;
DROP INDEX shipments_merchant_number;
