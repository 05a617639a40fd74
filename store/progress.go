package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The steps of applying a bulk tracking file, as TrackingProgress names them.
const (
	StepWaiting    = "waiting"    // for the write lock, held by another change
	StepChecking   = "checking"   // the rows again, inside the transaction
	StepSaving     = "saving"     // Done of Total units: rows written, POs and orders updated
	StepCommitting = "committing" // everything is written; the transaction ends
)

// TrackingProgress is how far applying a bulk tracking file has got.
type TrackingProgress struct {
	Step        string
	Done, Total int
}

// progressChunk is how many units a tracked write does between reports (a
// variable for tests).
var progressChunk = 1024

// tracker reports a long write's progress to a callback; a nil tracker
// reports nothing, so the paths that share the write need no checks.
type tracker struct {
	report func(TrackingProgress)
	p      TrackingProgress
}

func newTracker(report func(TrackingProgress)) *tracker {
	if report == nil {
		return nil
	}
	return &tracker{report: report}
}

// step starts a step without a count.
func (t *tracker) step(name string) {
	if t == nil {
		return
	}
	t.p = TrackingProgress{Step: name, Done: t.p.Done, Total: t.p.Total}
	t.report(t.p)
}

// count starts a step of total units or, when the step under way is
// name, makes its total what is done so far and total more.
func (t *tracker) count(name string, total int) {
	if t == nil {
		return
	}
	if t.p.Step == name {
		t.p.Total = t.p.Done + total
	} else {
		t.p = TrackingProgress{Step: name, Total: total}
	}
	t.report(t.p)
}

// add records n more units done.
func (t *tracker) add(n int) {
	if t == nil {
		return
	}
	t.p.Done = min(t.p.Done+n, t.p.Total)
	t.report(t.p)
}

// updateUnits is what settling a PO or refreshing an order counts for in
// a save's progress, against one for each row inserted: about what each
// costs. Applying 10,000 rows for 10,000 POs on the 1,000,000-order seed, the
// 82,000 inserted rows took 1.4 s and the 20,000 updates 5 s; counted one
// each, the bar reached 80 % in a seventh of the save and crawled after.
const updateUnits = 12

// chunks calls fn for successive slices of items, progressChunk long, and
// records each item done as units: one call for all of them when nothing is
// tracked.
func chunks[T any](t *tracker, units int, items []T, fn func([]T) error) error {
	size := len(items)
	if t != nil {
		size = progressChunk
	}
	for start := 0; start < len(items); start += size {
		part := items[start:min(start+size, len(items))]
		if err := fn(part); err != nil {
			return err
		}
		t.add(len(part) * units)
	}
	return nil
}

// progressStale is how old a saved progress may be and still be a save
// under way: an instance that died mid-save leaves its row behind.
const progressStale = 2 * time.Minute

// SaveApplyProgress records how far a bulk tracking save has got, so that
// another instance can answer the page's progress polls. Only on
// PostgreSQL (on SQLite one process serves the database and the handler
// keeps progress in memory). It writes on a pool of its own, never behind
// the write lock the save it reports on may be holding or waiting for.
func (db *DB) SaveApplyProgress(ctx context.Context, token string, accountID int64, p TrackingProgress) error {
	if !db.pg {
		return nil
	}
	_, err := db.side.ExecContext(ctx, `INSERT INTO apply_progress (token_hash, account_id, step, done, total, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (token_hash) DO UPDATE SET account_id = excluded.account_id, step = excluded.step, done = excluded.done, total = excluded.total,
		updated_at = excluded.updated_at`, hashToken(token), accountID, p.Step, p.Done, p.Total, db.now())
	if err != nil {
		return fmt.Errorf("store: save progress: %w", err)
	}
	return nil
}

// EndApplyProgress removes a save's progress once it has ended, and any
// left behind by an instance that died mid-save.
func (db *DB) EndApplyProgress(ctx context.Context, token string) error {
	if !db.pg {
		return nil
	}
	if _, err := db.side.ExecContext(ctx, "DELETE FROM apply_progress WHERE token_hash = ? OR updated_at < ?", hashToken(token), db.now().Add(-progressStale)); err != nil {
		return fmt.Errorf("store: end progress: %w", err)
	}
	return nil
}

// ApplyProgress is a save's progress as another instance recorded it, if
// one is under way for the account.
func (db *DB) ApplyProgress(ctx context.Context, token string, accountID int64) (TrackingProgress, bool, error) {
	if !db.pg {
		return TrackingProgress{}, false, nil
	}
	var p TrackingProgress
	err := db.rqRow(ctx, "SELECT step, done, total FROM apply_progress WHERE token_hash = ? AND account_id = ? AND updated_at > ?",
		hashToken(token), accountID, db.now().Add(-progressStale)).Scan(&p.Step, &p.Done, &p.Total)
	if errors.Is(err, sql.ErrNoRows) {
		return TrackingProgress{}, false, nil
	}
	if err != nil {
		return TrackingProgress{}, false, fmt.Errorf("store: progress: %w", err)
	}
	return p, true, nil
}
