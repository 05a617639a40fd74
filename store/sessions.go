package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// SessionLifetime is how long a sign-in lasts.
const SessionLifetime = 7 * 24 * time.Hour

// Session is a signed-in user and the account they are working in.
type Session struct {
	UserID    int64
	AccountID int64 // 0 when the user has no account selected
	ExpiresAt time.Time
	User      User // read with the session: every signed-in request needs both
}

// randomToken returns n random bytes, URL-safe base64 encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateSession starts a session for a user in an account (0 for none) and
// returns its secret token for the cookie.
func (db *DB) CreateSession(ctx context.Context, userID, accountID int64) (string, error) {
	token := randomToken(32)
	now := db.now()
	var acc any
	if accountID != 0 {
		acc = accountID
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return "", fmt.Errorf("store: create session: %w", err)
	}
	defer tx.Rollback()
	// Expired sessions are swept here, where a write happens anyway.
	if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at < ?", now); err != nil {
		return "", fmt.Errorf("store: create session: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO sessions (token_hash, user_id, account_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
		hashToken(token), userID, acc, now, now.Add(SessionLifetime)); err != nil {
		return "", fmt.Errorf("store: create session: %w", err)
	}
	return token, tx.Commit()
}

// SessionByToken returns the live session for a cookie token, or ErrNotFound.
func (db *DB) SessionByToken(ctx context.Context, token string) (Session, error) {
	var s Session
	var acc sql.NullInt64
	var err error
	s.User, err = scanUser(db.rqRow(ctx, "SELECT "+userColumns+", s.user_id, s.account_id, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?"+
		// A session in an account a platform admin disabled is over.
		" AND NOT EXISTS (SELECT 1 FROM accounts x WHERE x.id = s.account_id AND x.disabled_at IS NOT NULL)",
		hashToken(token), db.now()), &s.UserID, &acc, &s.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, fmt.Errorf("store: session: %w", ErrNotFound)
	}
	if err != nil {
		return Session{}, fmt.Errorf("store: session: %w", err)
	}
	s.AccountID = acc.Int64
	return s, nil
}

// SwitchAccount moves a session to another account the user belongs to.
func (db *DB) SwitchAccount(ctx context.Context, token string, userID, accountID int64) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: switch account: %w", err)
	}
	defer tx.Rollback()
	var member bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM memberships m JOIN accounts a ON a.id = m.account_id
		WHERE m.user_id = ? AND m.account_id = ? AND a.disabled_at IS NULL)`, userID, accountID).Scan(&member); err != nil {
		return fmt.Errorf("store: switch account: %w", err)
	}
	if !member {
		return fmt.Errorf("store: switch user %d to account %d: %w", userID, accountID, ErrNotFound)
	}
	res, err := tx.ExecContext(ctx, "UPDATE sessions SET account_id = ? WHERE token_hash = ? AND user_id = ?", accountID, hashToken(token), userID)
	if err != nil {
		return fmt.Errorf("store: switch account: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: switch account: session: %w", ErrNotFound)
	}
	return tx.Commit()
}

// DeleteSession ends a session. Ending one that is already gone is not an error.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	if _, err := db.write.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = ?", hashToken(token)); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}
