package store

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func TestSeedProf(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("SEED_PROF"))
	if n == 0 {
		t.Skip()
	}
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db.PasswordCost = 4
	res, err := db.Seed(ctx, SeedOptions{Orders: n, Products: 10000, Progress: func(m string) { t.Log(m) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res.Seconds)
}
