package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// rowsInFile counts table's rows in the database file alone, without its
// WAL: what checkpoints have copied into it. It is -1 while the table is
// not there. No checkpoint may be under way: hold db.ckpt.mu.
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
	var exists bool
	if err := raw.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name = ?", table).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if !exists {
		return -1
	}
	var n int
	if err := raw.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A commit leaves its pages in the WAL, however many there are; the
// checkpointer copies them into the file beside the writes.
func TestCheckpointerCopiesTheWALBesideTheWrites(t *testing.T) {
	defer func(every time.Duration) { checkpointEvery = every }(checkpointEvery)
	checkpointEvery = 20 * time.Millisecond
	db := openTemp(t)
	ctx := context.Background()
	if _, err := db.write.ExecContext(ctx, "CREATE TABLE t (v TEXT)"); err != nil {
		t.Fatal(err)
	}
	wait := func(want int) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			db.ckpt.mu.Lock()
			n := rowsInFile(t, db, "t")
			db.ckpt.mu.Unlock()
			if n == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the file has %d rows 10 s after the commit, want %d", n, want)
			}
		}
	}
	wait(0) // the table, empty

	// Some 2,500 pages in one commit: SQLite's default would checkpoint in
	// the commit, past 1,000.
	db.ckpt.pause()
	if _, err := db.write.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
		INSERT INTO t SELECT randomblob(2000) FROM n`); err != nil {
		t.Fatal(err)
	}
	n := rowsInFile(t, db, "t")
	db.ckpt.resume()
	if n != 0 {
		t.Fatalf("the commit checkpointed: the file has %d rows", n)
	}
	wait(5000)
}

// pause closes the checkpointer's connection, so the seed can switch the
// file out of WAL mode.
func TestCheckpointerPauseLetsTheSeedLeaveWAL(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	db.ckpt.mu.Lock()
	_, _, err := db.ckpt.checkpoint(ctx) // opens its connection
	db.ckpt.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	db.ckpt.pause()
	var mode string
	err = conn.QueryRowContext(ctx, "PRAGMA journal_mode = MEMORY").Scan(&mode)
	if err == nil && mode == "memory" {
		err = conn.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
	}
	db.ckpt.resume()
	if err != nil || mode != "wal" {
		t.Fatalf("journal mode %q, %v: the switch to memory and back failed", mode, err)
	}
}
