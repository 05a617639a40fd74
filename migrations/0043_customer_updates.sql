-- +goose Up
-- Customers' tracking emails: with tracking updates on, a merchant's
-- customers are emailed when a parcel is out for delivery, delivered, or
-- held up (a failed attempt, an exception, a return), each email with its
-- own link to the order's tracking page. customer_updates_off turns them
-- off for the merchant (on by default: a customer who asks "where is my
-- order?" has the answer before asking).
ALTER TABLE accounts ADD COLUMN customer_updates_off INTEGER NOT NULL DEFAULT 0 CHECK (customer_updates_off IN (0, 1));

-- +goose Down
ALTER TABLE accounts DROP COLUMN customer_updates_off;
