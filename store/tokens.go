package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// tokenPrefix marks Dropline API tokens so they are easy to spot in leaks.
const tokenPrefix = "dl_"

// APIToken is a named credential that acts for one account through the REST API.
type APIToken struct {
	ID        int64
	AccountID int64
	Name      string
	Prefix    string // the first characters, shown so users can tell tokens apart
	CreatedAt time.Time
	RevokedAt *time.Time
}

// CreateToken makes an API token for the acting account and returns the
// secret once; only its hash is kept.
func (db *DB) CreateToken(ctx context.Context, actor Actor, accountID int64, name string) (APIToken, string, error) {
	name = strings.TrimSpace(name)
	c := checks{}
	c.check(name != "", "name", "Name the token after what will use it.")
	c.check(len(name) <= 100, "name", "Use at most 100 characters.")
	if err := c.err(); err != nil {
		return APIToken{}, "", err
	}
	secret := tokenPrefix + randomToken(32)
	t := APIToken{AccountID: accountID, Name: name, Prefix: secret[:10], CreatedAt: db.now()}
	tx, err := db.begin(ctx)
	if err != nil {
		return APIToken{}, "", fmt.Errorf("store: create token: %w", err)
	}
	defer tx.Rollback()
	if err := accountExists(ctx, tx, accountID); err != nil {
		return APIToken{}, "", fmt.Errorf("store: create token for %d: %w", accountID, err)
	}
	var createdBy any
	if actor.UserID != 0 {
		createdBy = actor.UserID
	}
	res, err := execInsert(ctx, tx, "INSERT INTO api_tokens (account_id, name, prefix, token_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		accountID, name, t.Prefix, hashToken(secret), createdBy, t.CreatedAt)
	if err != nil {
		return APIToken{}, "", fmt.Errorf("store: create token: %w", err)
	}
	t.ID, _ = res.LastInsertId()
	if err := db.audit(ctx, tx, actor, accountID, "token.created", "api_token", t.ID, name); err != nil {
		return APIToken{}, "", fmt.Errorf("store: create token: %w", err)
	}
	return t, secret, tx.Commit()
}

// Tokens lists the acting account's API tokens, newest first.
func (db *DB) Tokens(ctx context.Context, accountID int64) ([]APIToken, error) {
	rows, err := db.rq(ctx, "SELECT id, account_id, name, prefix, created_at, revoked_at FROM api_tokens WHERE account_id = ? ORDER BY id DESC", accountID)
	if err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		var t APIToken
		if err := rows.Scan(&t.ID, &t.AccountID, &t.Name, &t.Prefix, &t.CreatedAt, &t.RevokedAt); err != nil {
			return nil, fmt.Errorf("store: tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken stops one of the acting account's tokens from working.
func (db *DB) RevokeToken(ctx context.Context, actor Actor, accountID, tokenID int64) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: revoke token: %w", err)
	}
	defer tx.Rollback()
	var revoked *time.Time
	err = tx.QueryRowContext(ctx, "SELECT revoked_at FROM api_tokens WHERE id = ? AND account_id = ?", tokenID, accountID).Scan(&revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: revoke token %d: %w", tokenID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: revoke token %d: %w", tokenID, err)
	}
	if revoked != nil {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND account_id = ?", db.now(), tokenID, accountID); err != nil {
		return fmt.Errorf("store: revoke token %d: %w", tokenID, err)
	}
	if err := db.audit(ctx, tx, actor, accountID, "token.revoked", "api_token", tokenID, ""); err != nil {
		return fmt.Errorf("store: revoke token %d: %w", tokenID, err)
	}
	return tx.Commit()
}

// AccountForToken returns the account a live API token acts for, or ErrNotFound.
func (db *DB) AccountForToken(ctx context.Context, secret string) (Account, error) {
	_, a, err := db.TokenAccount(ctx, secret)
	return a, err
}

// TokenAccount returns a live API token and the account it acts for, or ErrNotFound.
func (db *DB) TokenAccount(ctx context.Context, secret string) (APIToken, Account, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return APIToken{}, Account{}, fmt.Errorf("store: token: %w", ErrNotFound)
	}
	var t APIToken
	var a Account
	// A disabled account's tokens stop working with it, and work again when
	// it is enabled.
	err := db.rqRow(ctx, `SELECT `+accountColumnsA+`, t.id, t.name, t.prefix, t.created_at
		FROM api_tokens t JOIN accounts a ON a.id = t.account_id WHERE t.token_hash = ? AND t.revoked_at IS NULL AND a.disabled_at IS NULL`, hashToken(secret)).
		Scan(append(accountFields(&a), &t.ID, &t.Name, &t.Prefix, &t.CreatedAt)...)
	if errors.Is(err, sql.ErrNoRows) {
		return APIToken{}, Account{}, fmt.Errorf("store: token: %w", ErrNotFound)
	}
	if err != nil {
		return APIToken{}, Account{}, fmt.Errorf("store: token: %w", err)
	}
	t.AccountID = a.ID
	return t, a, nil
}

// TokenActor is the actor for changes made through the API with token t:
// the audit log and timelines name the token.
func TokenActor(t APIToken) Actor {
	return Actor{Name: `API token "` + t.Name + `"`}
}
