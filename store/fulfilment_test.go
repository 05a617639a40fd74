package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// poFor dropships an order and returns its PO.
func (w *orderWorld) poFor(t *testing.T, number string, lines ...orderfile.Line) store.PurchaseOrder {
	t.Helper()
	o := w.order(t, number, lines...)
	res, err := w.dropship(t, o, store.DropshipRequest{})
	if err != nil || len(res.POs) != 1 {
		t.Fatalf("dropship %s: %+v %v", number, res, err)
	}
	return res.POs[0]
}

func TestPartialShipmentsRemainderAndDelivery(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	po := w.poFor(t, "#8001", orderfile.Line{SKU: "A-1", Quantity: 3}, orderfile.Line{SKU: "A-2", Quantity: 1})
	day := w.now.Format("2006-01-02")
	// First parcel: 2 of A-1 only.
	sh1, err := w.db.AddShipment(ctx, w.sActor, w.supplier.ID, po.ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z 999 AA1 01 2345 6784", ShipDate: day,
		Lines: []store.ShipmentLine{{POLineID: po.Lines[0].ID, Quantity: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sh1.TrackingURL, "1Z999AA10123456784") || sh1.CarrierName != "UPS" {
		t.Fatalf("shipment %+v", sh1)
	}
	got, _ := w.db.PurchaseOrder(ctx, w.merchant.ID, po.ID)
	if got.Status != store.POPartiallyShipped || got.Lines[0].ShippedQty != 2 {
		t.Fatalf("after the first parcel: %s %+v", got.Status, got.Lines)
	}
	order, _ := w.db.Order(ctx, w.merchant.ID, got.OrderID)
	if order.Status != store.OrderPartiallyShipped {
		t.Fatalf("order after a partial shipment: %s", order.Status)
	}
	// More than remains is refused; the same tracking number again too.
	_, err = w.db.AddShipment(ctx, w.sActor, w.supplier.ID, po.ID, store.ShipmentInput{Carrier: "usps", TrackingNumber: "9400100000000000000000", ShipDate: day, Override: true,
		Lines: []store.ShipmentLine{{POLineID: po.Lines[0].ID, Quantity: 2}}})
	if fields(err)["lines[0]"] == "" {
		t.Fatalf("over the remainder: %v", err)
	}
	_, err = w.db.AddShipment(ctx, w.sActor, w.supplier.ID, po.ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456784", ShipDate: day})
	if fields(err)["tracking_number"] == "" {
		t.Fatalf("duplicate tracking: %v", err)
	}
	// A number failing the check needs the override, which is recorded.
	_, err = w.db.AddShipment(ctx, w.sActor, w.supplier.ID, po.ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456785", ShipDate: day})
	if !strings.Contains(fields(err)["tracking_number"], "UPS") {
		t.Fatalf("bad check digit: %v", err)
	}
	sh2, err := w.db.AddShipment(ctx, w.sActor, w.supplier.ID, po.ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456785", ShipDate: day, Override: true})
	if err != nil || sh2.OverrideReason == "" || len(sh2.Lines) != 2 {
		t.Fatalf("override, rest of the PO: %+v %v", sh2, err)
	}
	got, _ = w.db.PurchaseOrder(ctx, w.merchant.ID, po.ID)
	if got.Status != store.POShipped {
		t.Fatalf("after shipping everything: %s", got.Status)
	}
	if lp := w.linked(t)["A-1"]; lp.Sources[0].Reserved != 0 {
		t.Fatalf("reserved after shipping %d, want 0", lp.Sources[0].Reserved)
	}
	order, _ = w.db.Order(ctx, w.merchant.ID, got.OrderID)
	if order.Status != store.OrderShipped {
		t.Fatalf("order after shipping: %s", order.Status)
	}
	if err := w.db.MarkDelivered(ctx, w.sActor, w.supplier.ID, sh1.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.db.PurchaseOrder(ctx, w.merchant.ID, po.ID); got.Status != store.POShipped {
		t.Fatalf("one of two delivered: %s, want shipped", got.Status)
	}
	if err := w.db.MarkDelivered(ctx, w.mActor, w.merchant.ID, sh2.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the merchant marks delivered: %v", err)
	}
	w.db.MarkDelivered(ctx, w.sActor, w.supplier.ID, sh2.ID)
	if got, _ := w.db.PurchaseOrder(ctx, w.merchant.ID, po.ID); got.Status != store.PODelivered {
		t.Fatalf("all delivered: %s", got.Status)
	}
	if order, _ := w.db.Order(ctx, w.merchant.ID, got.OrderID); order.Status != store.OrderDelivered {
		t.Fatalf("order when delivered: %s", order.Status)
	}
	events, _ := w.db.OrderEvents(ctx, w.merchant.ID, got.OrderID)
	if n := countKind(events, "tracking_added"); n != 2 {
		t.Fatalf("%d tracking notes on the timeline, want 2", n)
	}
	ships, _ := w.db.Shipments(ctx, w.merchant.ID, po.ID)
	if len(ships) != 2 {
		t.Fatalf("the merchant sees %d shipments", len(ships))
	}
}

func countKind(events []store.OrderEvent, kind string) int {
	n := 0
	for _, e := range events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

func TestShipmentRules(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	po := w.poFor(t, "#8101", orderfile.Line{SKU: "A-1", Quantity: 1})
	before := w.now.AddDate(0, 0, -1).Format("2006-01-02")
	later := w.now.AddDate(0, 0, 2).Format("2006-01-02")
	for name, in := range map[string]store.ShipmentInput{
		"no carrier":      {TrackingNumber: "X", ShipDate: w.now.Format("2006-01-02")},
		"no number":       {Carrier: "ups", ShipDate: w.now.Format("2006-01-02")},
		"no date":         {Carrier: "ups", TrackingNumber: "1Z999AA10123456784"},
		"bad date":        {Carrier: "ups", TrackingNumber: "1Z999AA10123456784", ShipDate: "21/11/2026"},
		"before the PO":   {Carrier: "ups", TrackingNumber: "1Z999AA10123456784", ShipDate: before},
		"after tomorrow":  {Carrier: "ups", TrackingNumber: "1Z999AA10123456784", ShipDate: later},
		"unknown carrier": {Carrier: "pigeon", TrackingNumber: "1", ShipDate: w.now.Format("2006-01-02")},
		"zero quantity":   {Carrier: "ups", TrackingNumber: "1Z999AA10123456784", ShipDate: w.now.Format("2006-01-02"), Lines: []store.ShipmentLine{{POLineID: po.Lines[0].ID, Quantity: 0}}},
		"line of another": {Carrier: "ups", TrackingNumber: "1Z999AA10123456784", ShipDate: w.now.Format("2006-01-02"), Lines: []store.ShipmentLine{{POLineID: po.Lines[0].ID + 99, Quantity: 1}}},
	} {
		if _, err := w.db.AddShipment(ctx, w.sActor, w.supplier.ID, po.ID, in); fields(err) == nil {
			t.Errorf("%s: %v, want field errors", name, err)
		}
	}
	other, _, _ := w.db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Other", Kind: store.KindSupplier}, "other@example.com", pw)
	if _, err := w.db.AddShipment(ctx, store.CLIActor, other.ID, po.ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456784", ShipDate: w.now.Format("2006-01-02")}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another supplier adds tracking: %v, want ErrNotFound", err)
	}
	if got, _ := w.db.PurchaseOrder(ctx, w.merchant.ID, po.ID); got.Status != store.POOpen {
		t.Fatalf("refused shipments changed the PO: %s", got.Status)
	}
}

func TestRejectLinesAndQueue(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	po := w.poFor(t, "#8201", orderfile.Line{SKU: "A-1", Quantity: 2}, orderfile.Line{SKU: "A-2", Quantity: 1})
	q, err := w.db.SupplierQueue(ctx, w.supplier.ID, store.QueueFilter{})
	if err != nil || q.Total != 1 || q.Counts[store.QueueToAcknowledge] != 1 || q.POs[0].MerchantPID != w.merchant.PublicID {
		t.Fatalf("to acknowledge: %+v %v", q, err)
	}
	if err := w.db.AcknowledgePO(ctx, w.sActor, w.supplier.ID, po.ID); err != nil {
		t.Fatal(err)
	}
	q, _ = w.db.SupplierQueue(ctx, w.supplier.ID, store.QueueFilter{Tab: store.QueueToShip})
	if q.Total != 1 || q.Counts[store.QueueToAcknowledge] != 0 {
		t.Fatalf("to ship: %+v", q.Counts)
	}
	if err := w.db.RejectPOLines(ctx, w.sActor, w.supplier.ID, po.ID, []int64{po.Lines[1].ID}, ""); fields(err)["reason"] == "" {
		t.Fatalf("reject without reason: %v", err)
	}
	if err := w.db.RejectPOLines(ctx, w.sActor, w.supplier.ID, po.ID, []int64{po.Lines[1].ID}, "discontinued"); err != nil {
		t.Fatal(err)
	}
	if lp := w.linked(t)["A-2"]; lp.Sources[0].Reserved != 0 {
		t.Fatalf("rejected line still reserved: %d", lp.Sources[0].Reserved)
	}
	order, _ := w.db.Order(ctx, w.merchant.ID, po.OrderID)
	if order.Status != store.OrderException || order.Lines[1].Rejected == nil || order.Lines[1].Rejected.Reason != "discontinued" {
		t.Fatalf("order after a rejected line: %s %+v", order.Status, order.Lines[1])
	}
	// A rejection needs nothing more of the supplier: not in its Exceptions.
	q, _ = w.db.SupplierQueue(ctx, w.supplier.ID, store.QueueFilter{Tab: store.QueueExceptions})
	if q.Total != 0 {
		t.Fatalf("exceptions tab %d after the supplier's own rejection", q.Total)
	}
	// Search by SKU and customer.
	for _, s := range []string{"A-1", "Ada", po.PONumber} {
		if q, _ := w.db.SupplierQueue(ctx, w.supplier.ID, store.QueueFilter{Tab: store.QueueAll, Query: s}); q.Total != 1 {
			t.Errorf("queue search %q: %d", s, q.Total)
		}
	}
	// Late after the promise date; stale after six weeks without tracking.
	w.now = w.now.Add(72 * time.Hour)
	q, _ = w.db.SupplierQueue(ctx, w.supplier.ID, store.QueueFilter{Tab: store.QueueLate})
	if q.Total != 1 || !q.POs[0].Late {
		t.Fatalf("late: %+v", q)
	}
	w.now = w.now.Add(43 * 24 * time.Hour)
	q, _ = w.db.SupplierQueue(ctx, w.supplier.ID, store.QueueFilter{Tab: store.QueueAll})
	if q.Total != 1 || !q.POs[0].Stale || q.Counts[store.QueueToShip] != 0 || q.Counts[store.QueueLate] != 0 {
		t.Fatalf("stale: %+v counts %v", q.POs, q.Counts)
	}
}

func TestReleaseDelayHidesNewPOs(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	links, _ := w.db.AccountLinks(ctx, w.merchant.ID)
	if _, err := w.db.UpdateMerchantLinkSettings(ctx, w.mActor, w.merchant.ID, links[0].ID, store.MerchantLinkSettings{ReleaseDelayMinutes: 30, POFormat: "sequence", POPrefix: "PO-"}); err != nil {
		t.Fatal(err)
	}
	po := w.poFor(t, "#8301", orderfile.Line{SKU: "A-1", Quantity: 1})
	if _, err := w.db.PurchaseOrder(ctx, w.supplier.ID, po.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the supplier sees a PO inside its release delay: %v", err)
	}
	if q, _ := w.db.SupplierQueue(ctx, w.supplier.ID, store.QueueFilter{Tab: store.QueueAll}); q.Total != 0 {
		t.Fatalf("queue shows %d held POs", q.Total)
	}
	// A cancellation asked for inside the delay is not the supplier's
	// exception yet: the kept counts leave unreleased POs out.
	if _, err := w.db.RequestCancel(ctx, w.mActor, w.merchant.ID, po.ID, "changed my mind"); err != nil {
		t.Fatal(err)
	}
	checkQueueCounts(t, w.db, w.supplier.ID, map[string]int{store.QueueAll: 0, store.QueueExceptions: 0})
	w.now = w.now.Add(31 * time.Minute)
	if _, err := w.db.PurchaseOrder(ctx, w.supplier.ID, po.ID); err != nil {
		t.Fatalf("after the delay: %v", err)
	}
	checkQueueCounts(t, w.db, w.supplier.ID, map[string]int{store.QueueAll: 1, store.QueueExceptions: 1})
}

// checkQueueCounts holds every tab count of the supplier's queue (kept
// counts, less unreleased POs) to a count of the tab's own list query, and
// to want where it names a tab.
func checkQueueCounts(t *testing.T, db *store.DB, supplierID int64, want map[string]int) {
	t.Helper()
	ctx := context.Background()
	for _, tab := range store.QueueTabs {
		q, err := db.SupplierQueue(ctx, supplierID, store.QueueFilter{Tab: tab})
		if err != nil {
			t.Fatal(err)
		}
		listed, err := db.QueueTotal(ctx, supplierID, store.QueueFilter{Tab: tab})
		if err != nil {
			t.Fatal(err)
		}
		if q.Counts[tab] != listed || q.Total != listed {
			t.Errorf("tab %s: count %d, total %d, but its query lists %d", tab, q.Counts[tab], q.Total, listed)
		}
		if n, ok := want[tab]; ok && listed != n {
			t.Errorf("tab %s lists %d, want %d", tab, listed, n)
		}
	}
}

func TestStalePOsShowOnTheMerchantsSide(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	po := w.poFor(t, "#ST-1", orderfile.Line{SKU: "A-1", Quantity: 1})
	if got, _ := w.db.PurchaseOrder(ctx, w.merchant.ID, po.ID); got.Stale {
		t.Fatal("a new PO is stale")
	}
	w.now = w.now.AddDate(0, 0, 43)
	got, _ := w.db.PurchaseOrder(ctx, w.merchant.ID, po.ID)
	page, _ := w.db.PurchaseOrders(ctx, w.merchant.ID, store.POFilter{})
	if !got.Stale || !page.POs[0].Stale {
		t.Fatalf("after 6 weeks without tracking: page %v, list %v", got.Stale, page.POs[0].Stale)
	}
}

// A PO that ships while its cancellation request waits cannot then be
// accepted as cancelled: the supplier declines, saying why.
func TestShippedWhileCancelRequestedIsDeclinedNotCancelled(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	po := w.poFor(t, "#CX-1", orderfile.Line{SKU: "A-1", Quantity: 1})
	if _, err := w.db.RequestCancel(ctx, w.mActor, w.merchant.ID, po.ID, "changed my mind"); err != nil {
		t.Fatal(err)
	}
	w.ship(t, po, "9400100000000000000011")
	if err := w.db.AnswerCancel(ctx, w.sActor, w.supplier.ID, po.ID, true, ""); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("accepting the cancellation of a shipped PO: %v, want a conflict", err)
	}
	if err := w.db.AnswerCancel(ctx, w.sActor, w.supplier.ID, po.ID, false, "already shipped"); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.db.PurchaseOrder(ctx, w.merchant.ID, po.ID); got.Status != store.POShipped || got.CancelState != "declined" {
		t.Fatalf("PO %s, cancellation %s; want shipped, declined", got.Status, got.CancelState)
	}
}

// A filter that is not one of the tabs (the API passes ?status= through)
// gets the count of what it lists, not a missing tab's zero.
func TestQueueTotalForAFilterThatIsNotATab(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	w.poFor(t, "#NT-1", orderfile.Line{SKU: "A-1", Quantity: 1})
	for _, tab := range []string{"open", "stale", "nonsense"} {
		q, err := w.db.SupplierQueue(ctx, w.supplier.ID, store.QueueFilter{Tab: tab})
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := w.db.QueueTotal(ctx, w.supplier.ID, store.QueueFilter{Tab: tab}); q.Total != len(q.POs) || q.Total != n {
			t.Errorf("tab %q: total %d, %d rows listed, its count %d", tab, q.Total, len(q.POs), n)
		}
	}
}
