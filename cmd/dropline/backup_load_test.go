package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// TestCLIBackupUnderWriteLoad runs `dropline backup --out` while three
// writers create orders through the store, then `dropline check` on the
// copy (integrity, foreign keys, domain invariants), and checks that the
// copy holds a prefix of each writer's orders: all those committed before
// the backup began, none begun after it ended.
func TestCLIBackupUnderWriteLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "live.db")
	env := map[string]string{"DROPLINE_DB": path}
	if _, err := cli(t, env, "migrate"); err != nil {
		t.Fatal(err)
	}
	m, err := cli(t, env, "account", "create", "--name", "Shop", "--kind", "merchant", "--email", "owner@shop.example", "--password", "a long password")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	merchantID := int64(m["id"].(float64))

	const writers = 3
	var created [writers]atomic.Int64
	stop := make(chan struct{})
	progress := make(chan struct{}, 1)
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					errs <- nil
					return
				default:
				}
				number := fmt.Sprintf("C%d-%04d", g, i)
				if _, _, err := db.CreateOrder(ctx, store.CLIActor, merchantID, orderfile.Order{Channel: "manual", ChannelOrderID: number, Currency: "USD",
					ShipTo: orderfile.Address{Name: "Ada", Address1: "1 Main St", City: "Springfield", PostalCode: "62701", Country: "US"},
					Lines:  []orderfile.Line{{SKU: "OWN-1", Title: "Own stock", Quantity: 1, UnitPriceCents: 500}}}); err != nil {
					errs <- fmt.Errorf("create %s: %w", number, err)
					return
				}
				created[g].Add(1)
				select {
				case progress <- struct{}{}:
				default:
				}
			}
		})
	}
	stopAll := sync.OnceFunc(func() {
		close(stop)
		wg.Wait()
	})
	t.Cleanup(stopAll)

	for range 5 {
		select {
		case <-progress:
		case err := <-errs:
			t.Fatalf("a writer stopped: %v", err)
		}
	}
	var lo, hi [writers]int64
	for g := range writers {
		lo[g] = created[g].Load()
	}
	out := filepath.Join(dir, "copy.db")
	if b, err := cli(t, env, "backup", "--out", out); err != nil || b["out"] != out {
		t.Fatalf("backup: %v %v", b, err)
	}
	for g := range writers {
		hi[g] = created[g].Load() + 1 // one in flight may have committed unseen
	}
	// Some writes after the backup, which the copy must not hold.
	for range 3 {
		select {
		case <-progress:
		case err := <-errs:
			t.Fatalf("a writer stopped: %v", err)
		}
	}
	stopAll()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	if c, err := cli(t, nil, "check", "--db", out); err != nil || c["ok"] != true {
		t.Fatalf("check of the copy: %v %v", c, err)
	}
	raw, err := sql.Open("sqlite", "file:"+out+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for g := range writers {
		var n, last int64
		if err := raw.QueryRow("SELECT count(*), coalesce(max(CAST(substr(channel_order_id, 4) AS INTEGER)), -1) FROM orders WHERE channel_order_id LIKE ?",
			fmt.Sprintf("C%d-%%", g)).Scan(&n, &last); err != nil {
			t.Fatal(err)
		}
		if last != n-1 {
			t.Errorf("writer %d: the copy's orders are not a prefix: %d orders, the last numbered %d", g, n, last)
		}
		if n < lo[g] || n > hi[g] {
			t.Errorf("writer %d: the copy holds %d orders, want %d to %d", g, n, lo[g], hi[g])
		}
		t.Logf("writer %d: %d orders in the copy (bounds %d to %d), %d made in all", g, n, lo[g], hi[g], created[g].Load())
	}
}
