package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"time"

	"github.com/dropline/dropline/store"
)

// cmdSeed fills an empty database with synthetic accounts, catalog and
// orders for demos and benchmarks, and prints the logins.
func cmdSeed(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, dbPath := newFlags("seed", getenv)
	orders := fs.Int("orders", 10000, "orders over all merchants (the first merchant gets a fifth)")
	products := fs.Int("products", 1000, "supplier products over all suppliers")
	seed := fs.Uint64("seed", 1, "random seed")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openStore(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	// The seed allocates many short-lived rows: collect less often while it runs.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	started := time.Now()
	res, err := db.Seed(ctx, store.SeedOptions{Orders: *orders, Products: *products, Seed: *seed, Progress: func(msg string) {
		fmt.Fprintf(stderr, "seed: %5.1fs %s\n", time.Since(started).Seconds(), msg)
	}})
	if err != nil {
		return err
	}
	return printJSON(stdout, struct {
		DB string `json:"db"`
		store.SeedResult
	}{*dbPath, res})
}
