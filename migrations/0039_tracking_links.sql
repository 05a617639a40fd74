-- +goose Up
-- The customer's tracking page (issue 25). Each "your order has shipped"
-- email carries a link of its own to a page, without signing in, that shows
-- the order's parcels and each one's carrier events: where the customer
-- asks "where is my order?" without leaving the merchant. A link is a
-- random 256-bit token; only its SHA-256 is kept. It shows that order alone
-- (never the supplier, the address or prices) until the merchant revokes
-- the order's links or 180 days after it was made. shipment_id is the
-- parcel the email was about, shown first.
CREATE TABLE tracking_links (
    id              INTEGER PRIMARY KEY,
    order_id        INTEGER NOT NULL REFERENCES orders (id),
    account_id      INTEGER NOT NULL REFERENCES accounts (id),
    shipment_id     INTEGER NOT NULL REFERENCES shipments (id),
    token_hash      TEXT NOT NULL UNIQUE,
    created_at      DATETIME NOT NULL,
    revoked_at      DATETIME,
    revoked_by      TEXT NOT NULL DEFAULT '',
    first_opened_at DATETIME,
    last_opened_at  DATETIME,
    opens           INTEGER NOT NULL DEFAULT 0 CHECK (opens >= 0)
);
CREATE INDEX tracking_links_order ON tracking_links (order_id, id);

-- +goose Down
DROP TABLE tracking_links;
