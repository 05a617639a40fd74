package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// The checkpointer writes (the readers' query_only and map are theirs),
// and stands aside for the seed, which then has the file to itself for
// its rollback journal in memory although a checkpoint ran before.
func TestCheckpointerWritesAndStandsAsideForTheSeed(t *testing.T) {
	ctx := context.Background()
	defer SetCheckpointEvery(20 * time.Millisecond)()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var queryOnly, mmap int
	if err := db.checkpointer.QueryRow("PRAGMA query_only").Scan(&queryOnly); err != nil || queryOnly != 0 {
		t.Fatalf("the checkpointer is query_only: %d %v", queryOnly, err)
	}
	if err := db.checkpointer.QueryRow("PRAGMA mmap_size").Scan(&mmap); err != nil || mmap != 0 {
		t.Fatalf("the checkpointer maps %d bytes: %v", mmap, err)
	}
	time.Sleep(100 * time.Millisecond) // checkpoints ran; their connection waits, idle
	if db.checkpointer.Stats().Idle != 1 {
		t.Fatalf("the checkpointer has %d idle connections, want 1 for this test to mean something", db.checkpointer.Stats().Idle)
	}
	res, err := db.Seed(ctx, SeedOptions{Orders: 20, Products: 30})
	if err != nil {
		t.Fatal(err)
	}
	if res.Journal != "memory" {
		t.Fatalf("the seed ran with journal %q, want memory", res.Journal)
	}
	var mode string
	if err := db.write.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal after the seed: %q %v", mode, err)
	}
}
