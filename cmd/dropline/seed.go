package main

import (
	"context"
	"fmt"
	"io"
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
	started := time.Now()
	res, err := db.Seed(ctx, store.SeedOptions{Orders: *orders, Products: *products, Seed: *seed, Progress: func(msg string) {
		fmt.Fprintf(stderr, "seed: %5.1fs %s\n", time.Since(started).Seconds(), msg)
	}})
	if err != nil {
		return err
	}
	return printJSON(stdout, map[string]any{
		"db": *dbPath, "accounts": res.Accounts, "orders": res.Orders, "order_lines": res.OrderLines,
		"purchase_orders": res.PurchaseOrders, "po_lines": res.POLines, "products": res.Products, "linked_products": res.LinkedProducts,
		"sources": res.Sources, "order_events": res.Events, "tabs": res.Tabs, "statuses": res.Statuses, "seconds": res.Seconds,
	})
}
