package store_test

import (
	"context"
	"fmt"
	"sync"
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
	feed2, err := w.db.SaveFeed(ctx, w.sActor, w.supplier.ID, 0, store.FeedInput{Name: "Some", Selection: store.SelectSKUs, SelectionValue: "A-2", Fields: store.FeedFields, AllMerchants: true})
	if err != nil {
		t.Fatal(err)
	}
	second := w.subscribe(t, store.SubscriptionInput{FeedID: feed2.ID})
	// What the old rules wrote: both in Exceptions, counted there.
	raw, err := w.db.OpenSQL()
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		"UPDATE purchase_orders SET queue_flags = queue_flags | 2 WHERE id = " + itoa(rejected.ID),
		"INSERT INTO supplier_tab_counts (supplier_id, tab, n) VALUES (" + itoa(w.supplier.ID) + ", 'exceptions', 1) ON CONFLICT (supplier_id, tab) DO UPDATE SET n = supplier_tab_counts.n + 1",
		"UPDATE orders SET status = 'exception', tab = 'exceptions' WHERE id = " + itoa(declined.OrderID),
		"UPDATE order_tab_counts SET n = n - 1 WHERE account_id = " + itoa(w.merchant.ID) + " AND tab = 'dropshipped'",
		"INSERT INTO order_tab_counts (account_id, tab, n) VALUES (" + itoa(w.merchant.ID) + ", 'exceptions', 1) ON CONFLICT (account_id, tab) DO UPDATE SET n = order_tab_counts.n + 1",
		// A number typed before the sequence followed typed numbers.
		"UPDATE purchase_orders SET po_number = 'PO-000077' WHERE id = " + itoa(rejected.ID),
		// A second source of A-2, as a second feed of the supplier made
		// them, holding the open PO's reservation.
		`INSERT INTO product_sources (account_id, product_id, subscription_id, supplier_id, supplier_name, supplier_sku, priority, available, on_hand, reserved,
			currency, lead_time_days, last_seen_at, created_at, updated_at)
			SELECT account_id, product_id, ` + itoa(second.ID) + `, supplier_id, supplier_name, supplier_sku, priority + 1, available, on_hand, 0,
			currency, lead_time_days, last_seen_at, created_at, updated_at FROM product_sources WHERE supplier_sku = 'A-2'`,
		// The open PO's line on the duplicate, reserving there.
		"UPDATE product_sources SET reserved = 0 WHERE supplier_sku = 'A-2' AND subscription_id <> " + itoa(second.ID),
		"UPDATE product_sources SET reserved = 1 WHERE supplier_sku = 'A-2' AND subscription_id = " + itoa(second.ID),
		"UPDATE po_lines SET source_id = (SELECT id FROM product_sources WHERE supplier_sku = 'A-2' AND subscription_id = " + itoa(second.ID) + ") WHERE supplier_sku = 'A-2'",
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := w.db.CheckInvariants(ctx); err == nil {
		t.Fatal("the old state passes the invariants: the test sets up nothing")
	}
	if err := w.db.RepairAgain(ctx); err != nil {
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
	next := w.order(t, "#9703", orderfile.Line{SKU: "A-3", Quantity: 1})
	if plan, _ := w.db.DropshipPlan(ctx, w.merchant.ID, next.ID); len(plan.Groups) != 1 || plan.Groups[0].PONumber != "PO-000078" {
		t.Fatalf("after PO-000077 the form proposes %+v, want PO-000078", plan.Groups)
	}
	if lp := w.linked(t)["A-2"]; len(lp.Sources) != 1 || lp.Sources[0].Reserved != 1 {
		t.Fatalf("A-2 after the repair: %+v, want one source reserving the open PO's 1", lp.Sources)
	}
}

func itoa(n int64) string { return fmt.Sprint(n) }

// TestConcurrentSubmitsOfProposedNumbers: ten order pages opened together
// propose the same PO number; submitted at once, unchanged, every one goes
// through, each with its own number.
func TestConcurrentSubmitsOfProposedNumbers(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	type form struct {
		order store.Order
		plan  store.DropshipPlan
	}
	var forms []form
	for i := range 10 {
		o := w.order(t, fmt.Sprintf("#96%02d", i), orderfile.Line{SKU: "A-3", Quantity: 1})
		plan, err := w.db.DropshipPlan(ctx, w.merchant.ID, o.ID)
		if err != nil || len(plan.Groups) != 1 {
			t.Fatalf("plan: %+v %v", plan.Groups, err)
		}
		forms = append(forms, form{o, plan})
	}
	if forms[0].plan.Groups[0].PONumber != forms[9].plan.Groups[0].PONumber {
		t.Fatal("forms opened together should propose the same next number")
	}
	var wg sync.WaitGroup
	errs := make([]error, len(forms))
	for i, f := range forms {
		wg.Go(func() {
			g := f.plan.Groups[0]
			_, errs[i] = w.db.Dropship(ctx, w.mActor, w.merchant.ID, f.order.ID, store.DropshipRequest{IdempotencyKey: f.plan.Key, Confirm: true,
				PONumbers: map[int64]string{g.SupplierID: g.PONumber}, Proposed: map[int64]string{g.SupplierID: g.PONumber}})
		})
	}
	wg.Wait()
	numbers := map[string]bool{}
	for i, f := range forms {
		if errs[i] != nil {
			t.Fatalf("submit %d refused: %v", i, errs[i])
		}
		pos, err := w.db.OrderPurchaseOrders(ctx, w.merchant.ID, f.order.ID)
		if err != nil || len(pos) != 1 || numbers[pos[0].PONumber] {
			t.Fatalf("order %d: POs %v (%v); numbers so far %v", i, pos, err, numbers)
		}
		numbers[pos[0].PONumber] = true
	}
}

// TestAFeedThatDropsASharedProductLeavesItToTheOther: two feeds of one
// supplier carry A-1; the one that pulled last stops publishing it; its
// next pull hands the source to the other feed instead of zeroing stock
// the supplier still offers, and one source counts it once throughout.
func TestAFeedThatDropsASharedProductLeavesItToTheOther(t *testing.T) {
	w := newOrderWorld(t) // subscribed to the supplier's "All" feed, pulled
	ctx := context.Background()
	some, err := w.db.SaveFeed(ctx, w.sActor, w.supplier.ID, 0, store.FeedInput{Name: "Some", Selection: store.SelectSKUs, SelectionValue: "A-1, A-2", Fields: store.FeedFields, AllMerchants: true})
	if err != nil {
		t.Fatal(err)
	}
	sub := w.subscribe(t, store.SubscriptionInput{FeedID: some.ID})
	if r := w.pull(t, sub.ID); r.State != store.RunSucceeded || r.Created != 0 {
		t.Fatalf("second feed's first pull: %s", counts(r))
	}
	if lp := w.linked(t)["A-1"]; len(lp.Sources) != 1 || lp.Sources[0].Sellable() != 10 {
		t.Fatalf("A-1 from two feeds: %+v, want one source with 10", lp.Sources)
	}
	// "Some" stops publishing A-1; "All" still does.
	if _, err := w.db.SaveFeed(ctx, w.sActor, w.supplier.ID, some.ID, store.FeedInput{Name: "Some", Selection: store.SelectSKUs, SelectionValue: "A-2", Fields: store.FeedFields, AllMerchants: true}); err != nil {
		t.Fatal(err)
	}
	if r := w.pull(t, sub.ID); r.State != store.RunSucceeded || r.Missing != 0 {
		t.Fatalf("pull after A-1 left the feed: %s, want nothing missing", counts(r))
	}
	if lp := w.linked(t)["A-1"]; len(lp.Sources) != 1 || lp.Sources[0].Sellable() != 10 || lp.Sources[0].Missing {
		t.Fatalf("A-1 after one feed dropped it: %+v, want still 10 from the other", lp.Sources)
	}
}

// TestRemainderDropshippedAgainIsPartlyShipped: 1 of 2 shipped, the rest
// cancelled at the merchant's request and dropshipped again: the order is
// partly shipped (one unit is on its way), not merely dropshipped.
func TestRemainderDropshippedAgainIsPartlyShipped(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	po := w.poFor(t, "#9801", orderfile.Line{SKU: "A-1", Quantity: 2})
	if _, err := w.db.AddShipment(ctx, w.sActor, w.supplier.ID, po.ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456784",
		ShipDate: w.now.Format("2006-01-02"), Lines: []store.ShipmentLine{{POLineID: po.Lines[0].ID, Quantity: 1}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.RequestCancel(ctx, w.mActor, w.merchant.ID, po.ID, "the rest is not needed"); err != nil {
		t.Fatal(err)
	}
	if err := w.db.AnswerCancel(ctx, w.sActor, w.supplier.ID, po.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if o, _ := w.db.Order(ctx, w.merchant.ID, po.OrderID); o.Status != store.OrderException {
		t.Fatalf("after the rest was cancelled: %s", o.Status)
	}
	o, _ := w.db.Order(ctx, w.merchant.ID, po.OrderID)
	if _, err := w.dropship(t, o, store.DropshipRequest{}); err != nil {
		t.Fatal(err)
	}
	if o, _ := w.db.Order(ctx, w.merchant.ID, po.OrderID); o.Status != store.OrderPartiallyShipped {
		t.Fatalf("the rest dropshipped again: %s, want partially shipped", o.Status)
	}
}
