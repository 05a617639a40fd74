package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// LoginLimit is how many sign-in attempts one key (an email, a client
// address) may make within a window.
type LoginLimit struct {
	Key   string
	Limit int
}

// ReserveLogin counts a sign-in attempt against every key before its
// password is checked, unless a key has used up its attempts within window.
// Testing and counting are one write transaction, so simultaneous attempts,
// on this instance or another serving the same database, cannot all pass
// the test before any is counted. It returns the attempt's time (to release
// it), or blocked and how long until the oldest counted attempt leaves the
// window.
func (db *DB) ReserveLogin(ctx context.Context, keys []LoginLimit, window time.Duration) (at time.Time, blocked bool, wait time.Duration, err error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return at, false, 0, fmt.Errorf("store: reserve login: %w", err)
	}
	defer tx.Rollback()
	now := db.now()
	cutoff := now.Add(-window)
	// What has left every window is forgotten (an index range).
	if _, err := tx.ExecContext(ctx, "DELETE FROM login_attempts WHERE at < ?", cutoff); err != nil {
		return at, false, 0, fmt.Errorf("store: reserve login: %w", err)
	}
	for _, k := range keys {
		var n int
		var oldest sql.NullTime
		// The limit-th newest attempt is the one whose leaving frees a try.
		if err := tx.QueryRowContext(ctx, `SELECT count(*), (SELECT at FROM login_attempts WHERE key = ?1 AND at >= ?2 ORDER BY at DESC LIMIT 1 OFFSET ?3 - 1)
			FROM login_attempts WHERE key = ?1 AND at >= ?2`, k.Key, cutoff, k.Limit).Scan(&n, &oldest); err != nil {
			return at, false, 0, fmt.Errorf("store: reserve login: %w", err)
		}
		if n >= k.Limit {
			return at, true, max(oldest.Time.Add(window).Sub(now), time.Second), nil
		}
	}
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, "INSERT INTO login_attempts (key, at) VALUES (?, ?)", k.Key, now); err != nil {
			return at, false, 0, fmt.Errorf("store: reserve login: %w", err)
		}
	}
	return now, false, 0, tx.Commit()
}

// ReleaseLogin takes back, from each key, one attempt reserved at at: the
// password check itself failed, or (for forget) the password was right.
// The keys in forget lose every counted attempt: a good sign-in clears its
// email's failures.
func (db *DB) ReleaseLogin(ctx context.Context, keys []string, forget []string, at time.Time) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: release login: %w", err)
	}
	defer tx.Rollback()
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_attempts WHERE id = (SELECT id FROM login_attempts WHERE key = ? AND at = ? LIMIT 1)", k, at); err != nil {
			return fmt.Errorf("store: release login: %w", err)
		}
	}
	for _, k := range forget {
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_attempts WHERE key = ?", k); err != nil {
			return fmt.Errorf("store: release login: %w", err)
		}
	}
	return tx.Commit()
}
