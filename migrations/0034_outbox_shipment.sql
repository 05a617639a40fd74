-- +goose Up
-- A store update's place on the order page (issue 24): the shipment a
-- channel.fulfillment message writes back, and the ID the store gave the
-- fulfillment (Shopify's Fulfillment GID, WooCommerce's tracking or note
-- id) once it is sent.
ALTER TABLE outbox ADD COLUMN shipment_id INTEGER REFERENCES shipments (id);
ALTER TABLE outbox ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_shipment ON outbox (shipment_id) WHERE shipment_id IS NOT NULL;

-- +goose Down
DROP INDEX outbox_shipment;
ALTER TABLE outbox DROP COLUMN external_id;
ALTER TABLE outbox DROP COLUMN shipment_id;
