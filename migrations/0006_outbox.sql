-- +goose Up
-- Everything Dropline sends leaves through the outbox, written in the same
-- transaction as the change that caused it: no lost or phantom messages.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id),
    order_id        INTEGER REFERENCES orders (id),
    kind            TEXT NOT NULL CHECK (kind IN ('email', 'webhook', 'channel')),
    topic           TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    sent_at         DATETIME
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_account ON outbox (account_id, id DESC);

-- Where an account wants its events posted, signed with its secret.
CREATE TABLE webhook_endpoints (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    events      TEXT NOT NULL,
    created_at  DATETIME NOT NULL,
    disabled_at DATETIME
);
CREATE INDEX webhook_endpoints_account ON webhook_endpoints (account_id);

-- +goose Down
DROP TABLE webhook_endpoints;
DROP TABLE outbox;
