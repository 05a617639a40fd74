package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
)

// rowsInFile counts table's rows in the database file alone, without its
// WAL: what checkpoints have copied into it. No checkpoint may be under way.
func rowsInFile(t *testing.T, db *DB, table string) int {
	t.Helper()
	body, err := os.ReadFile(db.path)
	if err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(t.TempDir(), "file-only.db")
	if err := os.WriteFile(copyPath, body, 0o600); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+copyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// idleCheckpointer stops db's checkpointer and puts in its place one that
// runs only when run is called: what it was woken for; then a running one.
func idleCheckpointer(t *testing.T, db *DB) (run func()) {
	t.Helper()
	if err := db.ckpt.close(); err != nil {
		t.Fatal(err)
	}
	conn, err := sql.Open("sqlite", "file:"+db.path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	c := newCheckpointer(conn)
	db.ckpt = c
	ran := false
	run = func() {
		if !ran {
			ran = true
			select {
			case <-c.wake:
				if err := c.checkpoint(); err != nil {
					t.Error(err)
				}
			default:
			}
			db.ckpt = startCheckpointer(conn) // for Close
		}
	}
	t.Cleanup(run) // before Close, which would wait for it
	return run
}

// writeRows writes n rows of 2 KB into t, in one transaction of tx.
func writeRows(t *testing.T, ctx context.Context, tx interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
	Commit() error
}, n int) {
	t.Helper()
	if _, err := tx.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO t SELECT randomblob(2000) FROM n`, n); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// A large transaction's commit leaves its pages in the WAL, though there
// are thousands, and wakes the checkpointer, which copies them into the
// file; the writer's connection has its checkpoints back after.
func TestLargeCommitLeavesTheCheckpointToTheCheckpointer(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	for _, q := range []string{"CREATE TABLE t (v BLOB)", "PRAGMA wal_checkpoint"} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	run := idleCheckpointer(t, db)
	tx, err := db.beginLarge(ctx)
	if err != nil {
		t.Fatal(err)
	}
	writeRows(t, ctx, tx, 5000) // some 2,500 pages
	if n := rowsInFile(t, db, "t"); n != 0 {
		t.Fatalf("the commit checkpointed: the file has %d rows", n)
	}
	run()
	if n := rowsInFile(t, db, "t"); n != 5000 {
		t.Fatalf("after the checkpointer: the file has %d rows, want 5000", n)
	}
	var pages int
	if err := db.write.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&pages); err != nil || pages != 1000 {
		t.Fatalf("the writer checkpoints every %d pages (%v), want 1000", pages, err)
	}
}

// Under back-to-back writes after a large one, the WAL starts over instead
// of growing: each write's commit still checkpoints, so the next one finds
// the file holding every page. (With no checkpoint in the commits, the
// benchmark's 10,000 dropships took the WAL past 2 GB.)
func TestWALStartsOverUnderBackToBackWrites(t *testing.T) {
	if os.Getenv("DROPLINE_TEST_ENGINE") == "postgres" {
		t.Skip("SQLite only: the WAL file and its checkpoints are SQLite's")
	}
	db := openTemp(t)
	ctx := context.Background()
	if _, err := db.write.ExecContext(ctx, "CREATE TABLE t (v BLOB)"); err != nil {
		t.Fatal(err)
	}
	tx, err := db.beginLarge(ctx)
	if err != nil {
		t.Fatal(err)
	}
	writeRows(t, ctx, tx, 5000)
	st, err := os.Stat(db.path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	large := st.Size()
	for range 2000 { // some 12 MB of WAL, if it never started over
		tx, err := db.begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		writeRows(t, ctx, tx, 1)
	}
	if st, err = os.Stat(db.path + "-wal"); err != nil || st.Size() > large+4<<20 {
		t.Fatalf("the WAL grew from %d to %d bytes (%v): it did not start over", large, st.Size(), err)
	}
}

// A large transaction committed after Close, as when a server's shutdown
// times out during an apply, does not panic waking the checkpointer.
func TestLargeCommitAfterClose(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	tx, err := db.beginLarge(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "CREATE TABLE t (v BLOB)"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	tx.Commit() // its error, if any, is the closed database's
}
