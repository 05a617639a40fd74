-- +goose Up
-- Missed tracking updates are fetched from the provider: tracking_polled_at
-- is when Dropline last asked the provider for a shipment's tracker, so
-- that one shipment is asked at most every few hours, the oldest first.
ALTER TABLE shipments ADD COLUMN tracking_polled_at DATETIME;
CREATE INDEX shipments_to_poll ON shipments (tracking_polled_at) WHERE tracking_registered_at IS NOT NULL AND delivered_at IS NULL;

-- +goose Down
DROP INDEX shipments_to_poll;
ALTER TABLE shipments DROP COLUMN tracking_polled_at;
