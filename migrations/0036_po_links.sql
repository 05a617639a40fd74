-- +goose Up
-- Email suppliers (issue 23). Each PO to a supplier reached by email is
-- emailed to each of its order addresses, each email with a link of its own
-- to a one-PO page the supplier uses without signing in. A link is a random
-- 256-bit token; only its SHA-256 is kept. It opens its PO alone, until the
-- merchant revokes it or 30 days after the PO closed; every action through
-- it is audited in the name of the address it was sent to. reason says why
-- it was sent: the new PO, a reminder when the PO was not acknowledged
-- within the supplier's deadline, or the merchant sending it again.
-- message_id is the email that carried it, for the merchant to see whether
-- it went out.
CREATE TABLE po_links (
    id              INTEGER PRIMARY KEY,
    po_id           INTEGER NOT NULL REFERENCES purchase_orders (id),
    account_id      INTEGER NOT NULL REFERENCES accounts (id),
    email           TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    reason          TEXT NOT NULL CHECK (reason = 'new' OR reason = 'reminder' OR reason = 'resent'),
    message_id      INTEGER REFERENCES outbox (id),
    created_by      TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    revoked_at      DATETIME,
    revoked_by      TEXT NOT NULL DEFAULT '',
    first_opened_at DATETIME,
    last_opened_at  DATETIME,
    opens           INTEGER NOT NULL DEFAULT 0 CHECK (opens >= 0)
);
CREATE INDEX po_links_po ON po_links (po_id, id);
-- When a PO was first emailed and reminded; the reminder sweep reads the
-- few emailed POs still waiting for an acknowledgement.
ALTER TABLE purchase_orders ADD COLUMN emailed_at DATETIME;
ALTER TABLE purchase_orders ADD COLUMN reminded_at DATETIME;
CREATE INDEX purchase_orders_unreminded ON purchase_orders (release_at) WHERE emailed_at IS NOT NULL AND reminded_at IS NULL AND acknowledged_at IS NULL;
-- An email's HTML part, beside its plain text body; '' for plain text alone.
ALTER TABLE outbox ADD COLUMN html_body TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE outbox DROP COLUMN html_body;
DROP INDEX purchase_orders_unreminded;
ALTER TABLE purchase_orders DROP COLUMN reminded_at;
ALTER TABLE purchase_orders DROP COLUMN emailed_at;
DROP TABLE po_links;
