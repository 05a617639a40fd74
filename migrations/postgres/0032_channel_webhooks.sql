-- +goose Up
-- Orders pushed by connected stores (issue 24). A store that has Dropline's
-- webhooks delivers to /api/v1/webhooks/channels/{webhook_token}: the token
-- only says which store it is (it is unguessable so that nobody can probe
-- which stores exist); what proves a delivery came from the store is its
-- signature with webhook_secret. For WooCommerce Dropline makes that secret
-- and gives it to the site with the webhook; for Shopify it is the custom
-- app's API secret key, which the merchant enters. The secret is a
-- credential: written, never shown again, logged or exported.
-- webhook_url is the address the webhooks were registered with, webhook_ids
-- the platform's ids of them ("topic=id" lines), webhook_error the last
-- registration's problem, webhook_received_at the last signed delivery.
ALTER TABLE sales_channels ADD COLUMN webhook_token TEXT NOT NULL DEFAULT '';
ALTER TABLE sales_channels ADD COLUMN webhook_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE sales_channels ADD COLUMN webhook_url TEXT NOT NULL DEFAULT '';
ALTER TABLE sales_channels ADD COLUMN webhook_ids TEXT NOT NULL DEFAULT '';
ALTER TABLE sales_channels ADD COLUMN webhooks_registered_at TIMESTAMPTZ;
ALTER TABLE sales_channels ADD COLUMN webhook_error TEXT NOT NULL DEFAULT '';
ALTER TABLE sales_channels ADD COLUMN webhook_received_at TIMESTAMPTZ;
CREATE UNIQUE INDEX sales_channels_webhook_token ON sales_channels (webhook_token) WHERE webhook_token <> '';
-- An order its store cancelled after Dropline had it: when (the platform's
-- time) and the platform's reason, if it gives one. The order itself is left
-- as it is: what to do with its purchase orders is the merchant's call.
ALTER TABLE orders ADD COLUMN channel_cancelled_at TIMESTAMPTZ;
ALTER TABLE orders ADD COLUMN channel_cancel_reason TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE orders DROP COLUMN channel_cancel_reason;
ALTER TABLE orders DROP COLUMN channel_cancelled_at;
DROP INDEX sales_channels_webhook_token;
ALTER TABLE sales_channels DROP COLUMN webhook_received_at;
ALTER TABLE sales_channels DROP COLUMN webhook_error;
ALTER TABLE sales_channels DROP COLUMN webhooks_registered_at;
ALTER TABLE sales_channels DROP COLUMN webhook_ids;
ALTER TABLE sales_channels DROP COLUMN webhook_url;
ALTER TABLE sales_channels DROP COLUMN webhook_secret;
ALTER TABLE sales_channels DROP COLUMN webhook_token;
