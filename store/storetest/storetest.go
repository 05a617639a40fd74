// Package storetest has helpers for tests that work on a store's database
// file from outside the store.
package storetest

import (
	"context"
	"sync"
	"testing"

	"fmt"

	storepkg "github.com/dropline/dropline/store"
)

// HoldWriteLock takes the store's write lock on its database, on a
// connection of its own, as another writer would (SQLite's write lock, or
// on PostgreSQL the advisory lock every write transaction takes): every
// write of the store then waits until release is called, or the test ends.
func HoldWriteLock(t testing.TB, store *storepkg.DB) (release func()) {
	t.Helper()
	ctx := context.Background()
	// Waiting, like the store's own connections, for a write that is under way.
	db, err := store.OpenSQL()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	begin := []string{"BEGIN IMMEDIATE"}
	if store.Postgres() {
		begin = []string{"BEGIN", fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", storepkg.WriteLockKey)}
	}
	for _, q := range begin {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			conn.Close()
			db.Close()
			t.Fatal(err)
		}
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			conn.ExecContext(ctx, "ROLLBACK")
			conn.Close()
			db.Close()
		})
	}
	t.Cleanup(release)
	return release
}
