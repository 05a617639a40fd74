-- +goose Up
-- PO search on both sides finds a number in any case, and by its digits
-- alone, without the prefix or leading zeros ("po-000120" and "120" find
-- PO-000120). The key is the number's trailing digits without leading zeros,
-- then the lower-cased number; store/po_search.go writes the same
-- expressions, so each lookup is an index seek, never a scan of the
-- account's POs.
CREATE INDEX purchase_orders_merchant_number_key ON purchase_orders
    (account_id, ltrim(substr(po_number, length(rtrim(po_number, '0123456789')) + 1), '0'), lower(po_number));
CREATE INDEX purchase_orders_supplier_number_key ON purchase_orders
    (supplier_id, ltrim(substr(po_number, length(rtrim(po_number, '0123456789')) + 1), '0'), lower(po_number));

-- +goose Down
DROP INDEX purchase_orders_supplier_number_key;
DROP INDEX purchase_orders_merchant_number_key;
