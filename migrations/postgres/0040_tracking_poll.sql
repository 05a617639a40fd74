-- +goose Up
-- Tracking providers, by API. Missed tracking updates are fetched from the
-- provider: tracking_polled_at is when Dropline last asked the provider for
-- a shipment's tracker, so that one shipment is asked at most every few
-- hours, the oldest first.
ALTER TABLE shipments ADD COLUMN tracking_polled_at TIMESTAMPTZ;
CREATE INDEX shipments_to_poll ON shipments (tracking_polled_at) WHERE tracking_registered_at IS NOT NULL AND delivered_at IS NULL;
-- webhook_ref is the provider's ID of the webhook Dropline registered with
-- it by API (EasyPost), '' when the admin added it by hand or none yet; it
-- is forgotten when the provider changes.
ALTER TABLE tracking_settings ADD COLUMN webhook_ref TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE tracking_settings DROP COLUMN webhook_ref;
DROP INDEX shipments_to_poll;
ALTER TABLE shipments DROP COLUMN tracking_polled_at;
