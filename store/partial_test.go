package store_test

import (
	"context"
	"testing"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// reserved is what the merchant's source of sku holds for open PO lines.
func (w *orderWorld) reserved(t *testing.T, sku string) int {
	t.Helper()
	return w.linked(t)[sku].Sources[0].Reserved
}

// The merchant asks to cancel what has not shipped of a PO shipped in part;
// the supplier accepts: the remainder of each line is cancelled and its
// reservation released, what shipped stays shipped, and the order waits in
// Exceptions until the rest goes elsewhere. It then follows the new PO.
func TestCancelTheRemainderOfAPartlyShippedPO(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	po := w.poFor(t, "#P-1", orderfile.Line{SKU: "A-1", Quantity: 3}, orderfile.Line{SKU: "A-2", Quantity: 2})
	// Another order holds 2 of A-1: releasing more than this PO's remainder would show.
	w.poFor(t, "#P-2", orderfile.Line{SKU: "A-1", Quantity: 2})
	sh := w.ship(t, po, "9400100000000000000101", store.ShipmentLine{POLineID: po.Lines[0].ID, Quantity: 1})
	if got := w.reserved(t, "A-1"); got != 4 {
		t.Fatalf("A-1 reserved %d after shipping 1 of 3, want 4", got)
	}
	if _, err := w.db.RequestCancel(ctx, w.mActor, w.merchant.ID, po.ID, "customer wants the rest refunded"); err != nil {
		t.Fatalf("request to cancel the remainder of a partly shipped PO: %v", err)
	}
	if err := w.db.AnswerCancel(ctx, w.sActor, w.supplier.ID, po.ID, true, ""); err != nil {
		t.Fatalf("accept: %v", err)
	}
	got, _ := w.db.PurchaseOrder(ctx, w.merchant.ID, po.ID)
	if got.Status != store.POShipped || got.CancelState != "accepted" {
		t.Fatalf("PO %s, cancellation %s; want shipped, accepted", got.Status, got.CancelState)
	}
	if l := got.Lines[0]; l.Status != "cancelled" || l.ShippedQty != 1 {
		t.Fatalf("A-1 line %s with %d shipped, want cancelled with 1 shipped", l.Status, l.ShippedQty)
	}
	if a1, a2 := w.reserved(t, "A-1"), w.reserved(t, "A-2"); a1 != 2 || a2 != 0 {
		t.Fatalf("reserved A-1 %d, A-2 %d; want 2 (the other order), 0", a1, a2)
	}
	o, _ := w.db.Order(ctx, w.merchant.ID, po.OrderID)
	if o.Status != store.OrderException || o.Lines[0].ShippedBefore != 1 || o.Lines[0].Remaining() != 2 || o.Lines[0].PO != nil {
		t.Fatalf("order %s, line %+v; want exception with 2 of A-1 left", o.Status, o.Lines[0])
	}
	// The rest goes out again: only what did not ship.
	res, err := w.dropship(t, o, store.DropshipRequest{})
	if err != nil || len(res.POs) != 1 {
		t.Fatalf("dropship the remainder: %+v %v", res, err)
	}
	again := res.POs[0]
	if q1, q2 := again.Lines[0].Quantity, again.Lines[1].Quantity; q1 != 2 || q2 != 2 {
		t.Fatalf("new PO quantities %d and %d, want 2 and 2", q1, q2)
	}
	if a1 := w.reserved(t, "A-1"); a1 != 4 {
		t.Fatalf("A-1 reserved %d after the new PO, want 4", a1)
	}
	sh2 := w.ship(t, again, "9400100000000000000102")
	if o, _ := w.db.Order(ctx, w.merchant.ID, po.OrderID); o.Status != store.OrderShipped {
		t.Fatalf("order %s once the rest shipped, want shipped", o.Status)
	}
	// Delivered when every parcel of it is, the first PO's too.
	if err := w.db.MarkDelivered(ctx, w.sActor, w.supplier.ID, sh2.ID); err != nil {
		t.Fatal(err)
	}
	if o, _ := w.db.Order(ctx, w.merchant.ID, po.OrderID); o.Status != store.OrderShipped {
		t.Fatalf("order %s with the first parcel in transit, want shipped", o.Status)
	}
	if err := w.db.MarkDelivered(ctx, w.sActor, w.supplier.ID, sh.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.db.PurchaseOrder(ctx, w.merchant.ID, po.ID); got.Status != store.PODelivered {
		t.Fatalf("first PO %s, want delivered", got.Status)
	}
	if o, _ := w.db.Order(ctx, w.merchant.ID, po.OrderID); o.Status != store.OrderDelivered {
		t.Fatalf("order %s, want delivered", o.Status)
	}
}

// A PO shipped in full while the request waited has nothing left to cancel.
func TestNothingLeftToCancelOnAShippedPO(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	po := w.poFor(t, "#P-3", orderfile.Line{SKU: "A-1", Quantity: 1})
	w.ship(t, po, "9400100000000000000103")
	if _, err := w.db.RequestCancel(ctx, w.mActor, w.merchant.ID, po.ID, "too late"); store.Message(err) == "" {
		t.Fatalf("cancel a shipped PO: %v, want a conflict", err)
	}
}

// The supplier declines the rest of a line shipped in part: the shipped
// part stays shipped and keeps its earning (made when delivered), the
// order waits in Exceptions, and the merchant closes it.
func TestRejectTheRemainderOfAPartlyShippedLine(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	w.terms(t, store.EarnOnDelivered, 0)
	po := w.poFor(t, "#P-4", orderfile.Line{SKU: "A-1", Quantity: 3}, orderfile.Line{SKU: "A-2", Quantity: 1})
	sh := w.ship(t, po, "9400100000000000000104", store.ShipmentLine{POLineID: po.Lines[0].ID, Quantity: 1}, store.ShipmentLine{POLineID: po.Lines[1].ID, Quantity: 1})
	if err := w.db.RejectPOLines(ctx, w.sActor, w.supplier.ID, po.ID, []int64{po.Lines[0].ID}, "discontinued"); err != nil {
		t.Fatalf("reject the remainder of a partly shipped line: %v", err)
	}
	got, _ := w.db.PurchaseOrder(ctx, w.merchant.ID, po.ID)
	if got.Status != store.POShipped || got.Lines[0].Status != "rejected" || got.Lines[0].ShippedQty != 1 || got.Lines[0].Reason != "discontinued" {
		t.Fatalf("PO %s, line %+v; want shipped, the line rejected with 1 shipped", got.Status, got.Lines[0])
	}
	if a1 := w.reserved(t, "A-1"); a1 != 0 {
		t.Fatalf("A-1 reserved %d, want 0", a1)
	}
	if err := w.db.MarkDelivered(ctx, w.sActor, w.supplier.ID, sh.ID); err != nil {
		t.Fatal(err)
	}
	cost := po.Lines[0].CostCents + po.Lines[1].CostCents
	if b := w.balance(t, w.supplier.ID); b.EarnedCents != cost || b.AdjustCents != 0 {
		t.Fatalf("earned %d adjusted %d, want %d and 0: the shipped part earns", b.EarnedCents, b.AdjustCents, cost)
	}
	o, _ := w.db.Order(ctx, w.merchant.ID, po.OrderID)
	if o.Status != store.OrderException || o.Lines[0].Remaining() != 2 || o.Lines[0].Rejected == nil {
		t.Fatalf("order %s, line %+v; want exception with 2 left", o.Status, o.Lines[0])
	}
	plan, err := w.db.DropshipPlan(ctx, w.merchant.ID, o.ID)
	if err != nil || plan.Lines[0].Problem != store.ProblemRejected {
		t.Fatalf("plan for the remainder: %+v %v; want the rejected problem (no other source)", plan.Lines, err)
	}
	if err := w.db.CloseOrder(ctx, w.mActor, w.merchant.ID, o.ID, "refunded the rest"); err != nil {
		t.Fatal(err)
	}
	if o, _ := w.db.Order(ctx, w.merchant.ID, o.ID); o.Status != store.OrderCancelled || o.Lines[0].ShippedBefore != 1 {
		t.Fatalf("closed order %s, line %+v", o.Status, o.Lines[0])
	}
}

// A line rejected after shipping in full is still a return: it gives back
// what it earned and the whole line can go elsewhere.
func TestRejectAFullyShippedLineIsAReturn(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	po := w.poFor(t, "#P-5", orderfile.Line{SKU: "A-1", Quantity: 2})
	w.ship(t, po, "9400100000000000000105")
	if err := w.db.RejectPOLines(ctx, w.sActor, w.supplier.ID, po.ID, []int64{po.Lines[0].ID}, "returned damaged"); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.db.PurchaseOrder(ctx, w.merchant.ID, po.ID); got.Status != store.PORejected {
		t.Fatalf("PO %s, want rejected", got.Status)
	}
	if b := w.balance(t, w.supplier.ID); b.EarnedCents+b.AdjustCents != 0 {
		t.Fatalf("balance after a return %+v, want 0", b)
	}
	if o, _ := w.db.Order(ctx, w.merchant.ID, po.OrderID); o.Lines[0].ShippedBefore != 0 || o.Lines[0].Remaining() != 2 {
		t.Fatalf("line %+v, want all 2 to send again", o.Lines[0])
	}
}
