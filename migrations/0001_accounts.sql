-- +goose Up
-- Accounts are the tenants. Kind says which side of a vendor link an account can stand on.
CREATE TABLE accounts (
    id               INTEGER PRIMARY KEY,
    public_id        TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('merchant', 'supplier', 'both')),
    time_zone        TEXT NOT NULL DEFAULT 'UTC',
    dropship_enabled INTEGER NOT NULL DEFAULT 0 CHECK (dropship_enabled IN (0, 1)),
    created_at       DATETIME NOT NULL
);

-- Users sign in with an email; they reach accounts through memberships.
CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL DEFAULT '',
    password_hash  TEXT NOT NULL,
    platform_admin INTEGER NOT NULL DEFAULT 0 CHECK (platform_admin IN (0, 1)),
    created_at     DATETIME NOT NULL
);

CREATE TABLE memberships (
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    role       TEXT NOT NULL CHECK (role IN ('admin', 'staff')),
    created_at DATETIME NOT NULL,
    PRIMARY KEY (account_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- Server-side sessions: the cookie carries a random token, the table its hash,
-- so signing out ends the session even if the cookie is replayed.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    account_id INTEGER REFERENCES accounts (id),
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- API tokens act for one account. Only a hash is stored; the token is shown once.
CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name       TEXT NOT NULL,
    prefix     TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_by INTEGER REFERENCES users (id),
    created_at DATETIME NOT NULL,
    revoked_at DATETIME
);
CREATE INDEX api_tokens_account ON api_tokens (account_id);

-- Who did what, when, on which record. account_id is the tenant the record belongs to.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          DATETIME NOT NULL,
    account_id  INTEGER REFERENCES accounts (id),
    user_id     INTEGER REFERENCES users (id),
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id   INTEGER NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_account ON audit_log (account_id, id);

-- Instance secrets (session keys) generated on first start.
CREATE TABLE secrets (
    name       TEXT PRIMARY KEY,
    value      BLOB NOT NULL,
    created_at DATETIME NOT NULL
);

-- Vendor links: supplier -> merchant. The links issue adds invitations and settings.
CREATE TABLE vendor_links (
    id          INTEGER PRIMARY KEY,
    supplier_id INTEGER NOT NULL REFERENCES accounts (id),
    merchant_id INTEGER NOT NULL REFERENCES accounts (id),
    state       TEXT NOT NULL CHECK (state IN ('pending', 'active', 'paused', 'ended')),
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    CHECK (supplier_id <> merchant_id)
);
-- At most one live link per pair; ended links stay as history.
CREATE UNIQUE INDEX vendor_links_pair ON vendor_links (supplier_id, merchant_id) WHERE state <> 'ended';
CREATE INDEX vendor_links_merchant ON vendor_links (merchant_id);

-- +goose Down
DROP TABLE vendor_links;
DROP TABLE secrets;
DROP TABLE audit_log;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE accounts;
