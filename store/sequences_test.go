package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// TestMigration17RepairsWhatTheOldRulesLeft: a database written under the
// old rules (a rejected PO in the supplier's Exceptions, an order with a
// declined cancellation in the merchant's Exceptions) is put right once,
// counts included, as migration 17 lands.
func TestMigration17RepairsWhatTheOldRulesLeft(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	rejected := w.poFor(t, "#9701", orderfile.Line{SKU: "A-1", Quantity: 1})
	if err := w.db.RejectPOLines(ctx, w.sActor, w.supplier.ID, rejected.ID, []int64{rejected.Lines[0].ID}, "discontinued"); err != nil {
		t.Fatal(err)
	}
	declined := w.poFor(t, "#9702", orderfile.Line{SKU: "A-2", Quantity: 1})
	if _, err := w.db.RequestCancel(ctx, w.mActor, w.merchant.ID, declined.ID, "asked"); err != nil {
		t.Fatal(err)
	}
	if err := w.db.AnswerCancel(ctx, w.sActor, w.supplier.ID, declined.ID, false, "packed"); err != nil {
		t.Fatal(err)
	}
	// What the old rules wrote: both in Exceptions, counted there.
	raw, err := sql.Open("sqlite", "file:"+w.db.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		"UPDATE purchase_orders SET queue_flags = queue_flags | 2 WHERE id = " + itoa(rejected.ID),
		"INSERT INTO supplier_tab_counts (supplier_id, tab, n) VALUES (" + itoa(w.supplier.ID) + ", 'exceptions', 1) ON CONFLICT (supplier_id, tab) DO UPDATE SET n = n + 1",
		"UPDATE orders SET status = 'exception', tab = 'exceptions' WHERE id = " + itoa(declined.OrderID),
		"UPDATE order_tab_counts SET n = n - 1 WHERE account_id = " + itoa(w.merchant.ID) + " AND tab = 'dropshipped'",
		"INSERT INTO order_tab_counts (account_id, tab, n) VALUES (" + itoa(w.merchant.ID) + ", 'exceptions', 1) ON CONFLICT (account_id, tab) DO UPDATE SET n = n + 1",
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := w.db.CheckInvariants(ctx); err == nil {
		t.Fatal("the old state passes the invariants: the test sets up nothing")
	}
	if err := w.db.RefileDeclinedCancellations(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.db.RequeueSettledExceptions(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.db.CheckInvariants(ctx); err != nil {
		t.Fatal(err)
	}
	q, _ := w.db.SupplierQueue(ctx, w.supplier.ID, store.QueueFilter{Tab: store.QueueExceptions})
	if q.Total != 0 || q.Counts[store.QueueExceptions] != 0 {
		t.Fatalf("supplier Exceptions after the repair: %d listed, %d counted", q.Total, q.Counts[store.QueueExceptions])
	}
	if o, _ := w.db.Order(ctx, w.merchant.ID, declined.OrderID); o.Status != store.OrderDropshipped {
		t.Fatalf("order with a declined cancellation after the repair: %s", o.Status)
	}
}

func itoa(n int64) string { return fmt.Sprint(n) }
