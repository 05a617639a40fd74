-- +goose Up
-- Suppliers outside Dropline (issue 23). A managed supplier is a supplier
-- account with no users that one merchant (managed_by) keeps: a website
-- it buys from for the customer (contact 'website': AliExpress, CJ, a
-- wholesaler's shop), or a supplier that acts on each PO through a signed
-- link emailed to order_emails (contact 'email'). Its POs are ordinary POs
-- over an ordinary active link, so stock, tracking, emails, store updates,
-- scorecards and statements work as for any supplier. A website supplier's
-- PO records the order placed on the site: its number, what was paid and
-- notes (the external order).
ALTER TABLE accounts ADD COLUMN managed_by INTEGER REFERENCES accounts (id);
ALTER TABLE accounts ADD COLUMN contact TEXT NOT NULL DEFAULT '' CHECK (contact = '' OR contact = 'website' OR contact = 'email');
ALTER TABLE accounts ADD COLUMN website TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN order_emails TEXT NOT NULL DEFAULT '';
CREATE INDEX accounts_managed_by ON accounts (managed_by) WHERE managed_by IS NOT NULL;
ALTER TABLE purchase_orders ADD COLUMN external_number TEXT NOT NULL DEFAULT '';
ALTER TABLE purchase_orders ADD COLUMN external_paid_cents INTEGER CHECK (external_paid_cents >= 0);
ALTER TABLE purchase_orders ADD COLUMN external_currency TEXT NOT NULL DEFAULT '';
ALTER TABLE purchase_orders ADD COLUMN external_notes TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE purchase_orders DROP COLUMN external_notes;
ALTER TABLE purchase_orders DROP COLUMN external_currency;
ALTER TABLE purchase_orders DROP COLUMN external_paid_cents;
ALTER TABLE purchase_orders DROP COLUMN external_number;
DROP INDEX accounts_managed_by;
ALTER TABLE accounts DROP COLUMN order_emails;
ALTER TABLE accounts DROP COLUMN website;
ALTER TABLE accounts DROP COLUMN contact;
ALTER TABLE accounts DROP COLUMN managed_by;
