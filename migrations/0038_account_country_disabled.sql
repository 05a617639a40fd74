-- +goose Up
-- An account's country decides how its pages write money ("$1,234.56" in
-- the US, "1.234,56 €" in Germany); '' writes it the US way. A platform
-- admin may disable an account: its users can no longer sign in, its
-- sessions and API tokens stop working, and its data stays untouched
-- until it is enabled again. checklist_dismissed_at hides the dashboard's
-- first-run checklist before every step is done.
ALTER TABLE accounts ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN disabled_at DATETIME;
ALTER TABLE accounts ADD COLUMN disabled_by TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN disabled_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN checklist_dismissed_at DATETIME;

-- +goose Down
ALTER TABLE accounts DROP COLUMN checklist_dismissed_at;
ALTER TABLE accounts DROP COLUMN disabled_reason;
ALTER TABLE accounts DROP COLUMN disabled_by;
ALTER TABLE accounts DROP COLUMN disabled_at;
ALTER TABLE accounts DROP COLUMN country;
