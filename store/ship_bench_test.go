package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// BenchmarkOrderDropshipShip is one order's way through the store as users
// make it, one call each: import, dropship, then a shipment from the form.
func BenchmarkOrderDropshipShip(b *testing.B) {
	t := &testing.T{}
	w := newOrderWorld(t)
	defer dropWorld(b, w)
	ctx := context.Background()
	day := w.now.Format("2006-01-02")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		o := w.order(t, fmt.Sprintf("#B%d", i), orderfile.Line{SKU: "A-1", Quantity: 1}, orderfile.Line{SKU: "A-2", Quantity: 1})
		res, err := w.db.Dropship(ctx, w.mActor, w.merchant.ID, o.ID, store.DropshipRequest{IdempotencyKey: fmt.Sprint("k", i), Confirm: true, OverrideStock: true})
		if err != nil || len(res.POs) != 1 {
			b.Fatalf("dropship: %v", err)
		}
		if _, err := w.db.AddShipment(ctx, w.sActor, w.supplier.ID, res.POs[0].ID, store.ShipmentInput{Carrier: "usps",
			TrackingNumber: fmt.Sprintf("9400100000000000%06d", i), ShipDate: day, Override: true}); err != nil {
			b.Fatalf("ship: %v", err)
		}
	}
}

// dropWorld closes a benchmark's world and deletes its directory: the
// stand-in testing.T it was built with never runs its cleanups, and each
// world of 10,000 orders left about 70 MB behind.
func dropWorld(b *testing.B, w *orderWorld) {
	w.db.Close()
	dir := filepath.Dir(filepath.Dir(w.db.Path())) // TempDir's own, above its 001
	if filepath.Dir(dir) != filepath.Clean(os.TempDir()) {
		b.Fatalf("world in %s, not a temporary directory", w.db.Path())
	}
	if err := os.RemoveAll(dir); err != nil {
		b.Fatal(err)
	}
}
