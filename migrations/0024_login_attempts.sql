-- +goose Up
-- Sign-in attempts counted against an email or a client address, in the
-- database so that every instance serving it counts the same attempts.
CREATE TABLE login_attempts (
    id  INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at  DATETIME NOT NULL
);
CREATE INDEX login_attempts_key ON login_attempts (key, at);
CREATE INDEX login_attempts_at ON login_attempts (at);

-- +goose Down
DROP TABLE login_attempts;
