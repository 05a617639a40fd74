-- +goose Up
-- The carrier's estimated delivery, as the tracking provider last gave it:
-- the first and last day it may come (YYYY-MM-DD, the same day for a single
-- date), '' when it gave none. The customer's tracking page and the
-- shipment rows show it until the parcel is delivered.
ALTER TABLE shipments ADD COLUMN expected_from TEXT NOT NULL DEFAULT '';
ALTER TABLE shipments ADD COLUMN expected_to TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE shipments DROP COLUMN expected_to;
ALTER TABLE shipments DROP COLUMN expected_from;
