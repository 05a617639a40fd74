package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/dropline/dropline/store/storetest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// stepsPerOrder is what a load worker does to each order, one transaction
// each: create it, dropship it, and ship its 2 units in 2 parcels.
const stepsPerOrder = 4

// loadWorker makes orders W<g>-0000, W<g>-0001, … one after the other and
// counts the transactions it has seen commit.
type loadWorker struct {
	g     int
	sku   string
	steps atomic.Int64
}

func (lw *loadWorker) run(ctx context.Context, w *orderWorld, stop <-chan struct{}, progress chan<- struct{}) error {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return nil
		default:
		}
		number := fmt.Sprintf("W%d-%04d", lw.g, i)
		o, created, err := w.db.CreateOrder(ctx, w.mActor, w.merchant.ID, orderfile.Order{Channel: "shopify", ChannelOrderID: number, Currency: "USD",
			Customer: orderfile.Customer{Name: "Ada Customer"}, ShipTo: shipTo(),
			Lines: []orderfile.Line{{SKU: lw.sku, Title: "Item", Quantity: 2, UnitPriceCents: 1299}}})
		if err != nil || !created {
			return fmt.Errorf("create %s: created %v, %w", number, created, err)
		}
		lw.steps.Add(1)
		res, err := w.db.Dropship(ctx, w.mActor, w.merchant.ID, o.ID, store.DropshipRequest{IdempotencyKey: number, Confirm: true})
		if err != nil || len(res.POs) != 1 {
			return fmt.Errorf("dropship %s: %+v %w", number, res, err)
		}
		lw.steps.Add(1)
		po := res.POs[0]
		if len(po.Lines) != 1 {
			return fmt.Errorf("dropship %s: PO lines %+v", number, po.Lines)
		}
		for k := range 2 {
			if _, err := w.db.AddShipment(ctx, w.sActor, w.supplier.ID, po.ID, store.ShipmentInput{Carrier: "usps",
				TrackingNumber: fmt.Sprintf("LOAD%d%04d%d", lw.g, i, k), ShipDate: w.now.Format(time.DateOnly), Override: true,
				Lines: []store.ShipmentLine{{POLineID: po.Lines[0].ID, Quantity: 1}}}); err != nil {
				return fmt.Errorf("ship %s parcel %d: %w", number, k+1, err)
			}
			lw.steps.Add(1)
		}
		select {
		case progress <- struct{}{}:
		default:
		}
	}
}

// copySteps reads, from a backup, how far each worker had got: it checks
// that the copy holds a prefix of each worker's sequence (orders 0..n-1,
// all but the last done in full) and returns the steps it holds per worker.
func copySteps(t *testing.T, path string, merchantID int64, workers int) []int64 {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT o.channel_order_id,
		(SELECT count(*) FROM purchase_orders po WHERE po.order_id = o.id),
		(SELECT count(*) FROM shipments s JOIN purchase_orders po ON po.id = s.po_id WHERE po.order_id = o.id)
		FROM orders o WHERE o.account_id = ? AND o.channel_order_id LIKE 'W%'`, merchantID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	per := make([]map[int]int64, workers)
	for g := range per {
		per[g] = map[int]int64{}
	}
	for rows.Next() {
		var number string
		var pos, ships int64
		if err := rows.Scan(&number, &pos, &ships); err != nil {
			t.Fatal(err)
		}
		var g, i int
		if _, err := fmt.Sscanf(number, "W%d-%d", &g, &i); err != nil || g >= workers {
			t.Fatalf("%s: unexpected order %q", path, number)
		}
		if pos > 1 || ships > 2 || (pos == 0 && ships > 0) {
			t.Fatalf("%s: order %s has %d POs and %d shipments", path, number, pos, ships)
		}
		per[g][i] = 1 + pos + ships
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	steps := make([]int64, workers)
	for g, orders := range per {
		for i := range len(orders) {
			s, ok := orders[i]
			if !ok {
				t.Fatalf("%s: worker %d's orders are not a prefix: %d of %d missing", path, g, i, len(orders))
			}
			if i < len(orders)-1 && s != stepsPerOrder {
				t.Fatalf("%s: worker %d's order %d is half done (%d of %d steps) though a later one exists", path, g, i, s, stepsPerOrder)
			}
			steps[g] += s
		}
	}
	return steps
}

func TestBackupUnderWriteLoadIsAConsistentPrefix(t *testing.T) {
	storetest.SkipOnPostgres(t, "backup copies the SQLite file")
	w := newOrderWorld(t)
	ctx := context.Background()
	subs, err := w.db.Subscriptions(ctx, w.merchant.ID)
	if err != nil || len(subs) != 1 {
		t.Fatalf("subscriptions: %v %v", subs, err)
	}

	// Three workers, each on a SKU of its own, so stock never runs out: an
	// order reserves at most 2 units and its shipments release them.
	workers := []*loadWorker{{g: 0, sku: "A-1"}, {g: 1, sku: "A-2"}, {g: 2, sku: "A-3"}}
	stop := make(chan struct{})
	progress := make(chan struct{}, 1)
	errs := make(chan error, len(workers)+1)
	var wg sync.WaitGroup
	for _, lw := range workers {
		wg.Go(func() { errs <- lw.run(ctx, w, stop, progress) })
	}
	// And a fourth pulls the supplier's feed again and again.
	var pullsStarted, pullsClaimed atomic.Int64
	wg.Go(func() {
		for {
			select {
			case <-stop:
				errs <- nil
				return
			default:
			}
			pullsStarted.Add(1)
			if _, err := w.puller.PullNow(ctx, w.merchant.ID, subs[0].ID); err != nil {
				errs <- fmt.Errorf("pull: %w", err)
				return
			}
			pullsClaimed.Add(1)
			w.puller.Wait()
		}
	})

	// Stop them on every way out, before the database closes.
	stopAll := sync.OnceFunc(func() {
		close(stop)
		wg.Wait()
	})
	t.Cleanup(stopAll)

	// Backups while they run, each after some more work has committed.
	type backup struct {
		path           string
		lo, hi         []int64 // steps committed before it began; begun before it ended
		runsLo, runsHi int64
	}
	var backups []backup
	dir := t.TempDir()
	for n := range 5 {
		for range 3 {
			select {
			case <-progress:
			case err := <-errs:
				t.Fatalf("a worker stopped: %v", err)
			}
		}
		b := backup{path: filepath.Join(dir, fmt.Sprintf("copy-%d.db", n))}
		b.runsLo = pullsClaimed.Load()
		for _, lw := range workers {
			b.lo = append(b.lo, lw.steps.Load())
		}
		if err := w.db.Backup(ctx, b.path); err != nil {
			t.Fatal(err)
		}
		// A worker's step in flight may have committed into the copy
		// before its counter moved: one more is allowed.
		for _, lw := range workers {
			b.hi = append(b.hi, lw.steps.Load()+1)
		}
		b.runsHi = pullsStarted.Load()
		backups = append(backups, b)
	}
	stopAll()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	prev := make([]int64, len(workers))
	for _, b := range backups {
		cp, err := store.Open(ctx, b.path)
		if err != nil {
			t.Fatal(err)
		}
		cp.Now = w.db.Now // the writers' clock: which POs are released, late or due depends on it
		if err := cp.CheckInvariants(ctx); err != nil {
			t.Errorf("%s: %v", b.path, err)
		}
		runs, err := cp.FeedRuns(ctx, w.merchant.ID, subs[0].ID, 100000)
		if err != nil {
			t.Fatal(err)
		}
		cp.Close()
		// The world's own first pull is in every copy.
		if got := int64(len(runs)) - 1; got < b.runsLo || got > b.runsHi {
			t.Errorf("%s: %d pulls, want %d to %d", b.path, got, b.runsLo, b.runsHi)
		}
		steps := copySteps(t, b.path, w.merchant.ID, len(workers))
		for g := range workers {
			if steps[g] < b.lo[g] || steps[g] > b.hi[g] || steps[g] < prev[g] {
				t.Errorf("%s: worker %d has %d steps in the copy, want %d to %d (and no fewer than the copy before, %d)", b.path, g, steps[g], b.lo[g], b.hi[g], prev[g])
			}
		}
		prev = steps
		t.Logf("%s: steps %v (bounds %v to %v), %d pulls", filepath.Base(b.path), steps, b.lo, b.hi, len(runs)-1)
	}
	if prev[0]+prev[1]+prev[2] == 0 {
		t.Fatal("the last copy holds no work")
	}
}
