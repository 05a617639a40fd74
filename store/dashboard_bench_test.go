package store_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/dropline/dropline/store"
)

// BenchmarkDashboards measures the dashboards, scorecards, a statement and
// each tab of the supplier queue (first page with every tab's count) on a
// seeded database: DROPLINE_BENCH_DB names it (made with `dropline
// seed --orders 1000000 --products 10000 --db FILE`, which also writes
// FILE.seed.json, read here for the accounts). Skipped without it.
func BenchmarkDashboards(b *testing.B) {
	path := os.Getenv("DROPLINE_BENCH_DB")
	if path == "" {
		b.Skip("set DROPLINE_BENCH_DB to a seeded database")
	}
	raw, err := os.ReadFile(path + ".seed.json")
	if err != nil {
		b.Fatal(err)
	}
	var seed store.SeedResult
	if err := json.Unmarshal(raw, &seed); err != nil {
		b.Fatal(err)
	}
	var merchant, supplier store.SeedAccount
	for _, a := range seed.Accounts {
		if a.Kind == store.KindMerchant && merchant.ID == 0 {
			merchant = a
		}
		if a.Kind == store.KindSupplier && supplier.ID == 0 {
			supplier = a
		}
	}
	db, err := store.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	type bench struct {
		name string
		fn   func() error
	}
	var queue []bench
	for _, tab := range store.QueueTabs {
		queue = append(queue, bench{"queue-" + tab, func() error {
			_, err := db.SupplierQueue(ctx, supplier.ID, store.QueueFilter{Tab: tab})
			return err
		}})
	}
	for _, bc := range append([]bench{
		{"merchant", func() error { _, err := db.MerchantDashboard(ctx, merchant.ID); return err }},
		{"supplier", func() error { _, err := db.SupplierDashboard(ctx, supplier.ID); return err }},
		{"scorecard-30", func() error { _, err := db.Scorecard(ctx, supplier.ID, supplier.ID, 0, 30); return err }},
		{"scorecard-90", func() error { _, err := db.Scorecard(ctx, supplier.ID, supplier.ID, 0, 90); return err }},
		{"scorecard-90-merchant-view", func() error { _, err := db.Scorecard(ctx, merchant.ID, supplier.ID, 0, 90); return err }},
		{"statement-month", func() error { _, err := db.Statement(ctx, merchant.ID, supplier.ID, "", ""); return err }},
	}, queue...) {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if err := bc.fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
