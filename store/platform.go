package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

const settingAllowPrivateFeeds = "allow_private_feed_addresses"

// AllowPrivateFeeds reports whether feed URLs and webhook endpoints may point at private or local network addresses.
func (db *DB) AllowPrivateFeeds(ctx context.Context) (bool, error) {
	var v string
	err := db.rqRow(ctx, "SELECT value FROM platform_settings WHERE name = ?", settingAllowPrivateFeeds).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: platform setting: %w", err)
	}
	return v == "true", nil
}

// SetAllowPrivateFeeds lets (or stops) feed URLs and webhook endpoints point at private network addresses. Platform admins only.
func (db *DB) SetAllowPrivateFeeds(ctx context.Context, actor Actor, allow bool) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: platform setting: %w", err)
	}
	defer tx.Rollback()
	v := "false"
	if allow {
		v = "true"
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO platform_settings (name, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, settingAllowPrivateFeeds, v, db.now()); err != nil {
		return fmt.Errorf("store: platform setting: %w", err)
	}
	if err := db.audit(ctx, tx, actor, 0, "platform.private_feeds", "platform", 0, v); err != nil {
		return fmt.Errorf("store: platform setting: %w", err)
	}
	return tx.Commit()
}

// SearchAccounts lists the accounts whose name or public ID contains q, or
// one of whose users' email does, newest first; every account when q is
// empty. Only platform admins see this.
func (db *DB) SearchAccounts(ctx context.Context, q string) ([]AccountSummary, error) {
	where, args := "", []any{}
	if q = strings.TrimSpace(q); q != "" {
		like := "%" + escapeLike(q) + "%"
		where = ` WHERE a.name LIKE ? ESCAPE '\' OR a.public_id LIKE ? ESCAPE '\'
			OR EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.account_id = a.id AND u.email LIKE ? ESCAPE '\')`
		args = append(args, like, like, like)
	}
	rows, err := db.rq(ctx, `SELECT `+accountColumnsA+`,
		(SELECT count(*) FROM memberships m WHERE m.account_id = a.id),
		(SELECT count(*) FROM vendor_links l WHERE (l.supplier_id = a.id OR l.merchant_id = a.id) AND l.state <> 'ended')
		FROM accounts a`+where+` ORDER BY a.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: search accounts: %w", err)
	}
	defer rows.Close()
	var out []AccountSummary
	for rows.Next() {
		var s AccountSummary
		if err := rows.Scan(append(accountFields(&s.Account), &s.Members, &s.Links)...); err != nil {
			return nil, fmt.Errorf("store: search accounts: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SetAccountDisabled disables an account (its users can no longer sign in
// to it, its signed-in sessions end, its API tokens, feed URLs, emailed PO
// links and customers' tracking links stop working, and nothing runs for
// it: no scheduled feed pull, store pull or stock push, no outbox message
// sent (they wait, and go once it is enabled), no reminder or tracking
// poll, and its stores' and providers' webhooks are refused) or enables it
// again; its data stays as it was. reason is required to disable.
// Platform admins only.
func (db *DB) SetAccountDisabled(ctx context.Context, actor Actor, accountID int64, disabled bool, reason string) (Account, error) {
	reason = strings.TrimSpace(reason)
	if disabled {
		c := checks{}
		c.check(reason != "", "reason", "Say why the account is disabled: its users will ask.")
		c.check(len(reason) <= 500, "reason", "Use at most 500 characters.")
		if err := c.err(); err != nil {
			return Account{}, err
		}
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return Account{}, fmt.Errorf("store: disable account %d: %w", accountID, err)
	}
	defer tx.Rollback()
	a, err := scanAccount(tx.QueryRowContext(ctx, "SELECT "+accountColumns+" FROM accounts WHERE id = ?", accountID))
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, fmt.Errorf("store: disable account %d: %w", accountID, ErrNotFound)
	}
	if err != nil {
		return Account{}, fmt.Errorf("store: disable account %d: %w", accountID, err)
	}
	if a.Disabled() == disabled {
		return a, nil // already so: a second click changes nothing
	}
	action := "account.enabled"
	if disabled {
		now := db.now()
		a.DisabledAt = &now
		action = "account.disabled"
		if _, err := tx.ExecContext(ctx, "UPDATE accounts SET disabled_at = ?, disabled_by = ?, disabled_reason = ? WHERE id = ?", now, actor.Name, reason, accountID); err != nil {
			return Account{}, fmt.Errorf("store: disable account %d: %w", accountID, err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE account_id = ?", accountID); err != nil {
			return Account{}, fmt.Errorf("store: disable account %d: %w", accountID, err)
		}
	} else {
		a.DisabledAt = nil
		if _, err := tx.ExecContext(ctx, "UPDATE accounts SET disabled_at = NULL, disabled_by = '', disabled_reason = '' WHERE id = ?", accountID); err != nil {
			return Account{}, fmt.Errorf("store: enable account %d: %w", accountID, err)
		}
	}
	if err := db.audit(ctx, tx, actor, accountID, action, "account", accountID, reason); err != nil {
		return Account{}, fmt.Errorf("store: disable account %d: %w", accountID, err)
	}
	return a, tx.Commit()
}

// AccountDisabling says who disabled an account, when and why; the zero
// value for an enabled account.
type AccountDisabling struct {
	At     *time.Time
	By     string
	Reason string
}

// AccountDisabled returns who disabled the account and why. Platform admins only.
func (db *DB) AccountDisabled(ctx context.Context, accountID int64) (AccountDisabling, error) {
	var d AccountDisabling
	err := db.rqRow(ctx, "SELECT disabled_at, disabled_by, disabled_reason FROM accounts WHERE id = ?", accountID).Scan(&d.At, &d.By, &d.Reason)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("store: account %d: %w", accountID, ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("store: account %d: %w", accountID, err)
	}
	return d, nil
}

// liveAccount is the SQL condition that the account col names is not
// disabled: what a background job or a webhook checks before it acts for
// an account.
func liveAccount(col string) string {
	return "NOT EXISTS (SELECT 1 FROM accounts dis WHERE dis.id = " + col + " AND dis.disabled_at IS NOT NULL)"
}
