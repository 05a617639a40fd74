package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// orderWorld is a merchant with products linked to a supplier that takes orders.
type orderWorld struct {
	*feedWorld
}

func newOrderWorld(t *testing.T) *orderWorld {
	t.Helper()
	w := &orderWorld{newFeedWorld(t, "A-1", "A-2", "A-3")}
	w.setInitial(t, "New")
	s := w.subscribe(t, store.SubscriptionInput{FeedID: w.feed.ID})
	if r := w.pull(t, s.ID); r.State != store.RunSucceeded {
		t.Fatalf("pull: %s", counts(r))
	}
	return w
}

func shipTo() orderfile.Address {
	return orderfile.Address{Name: "Ada Customer", Address1: "1 Main St", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"}
}

func (w *orderWorld) order(t *testing.T, number string, lines ...orderfile.Line) store.Order {
	t.Helper()
	o, created, err := w.db.CreateOrder(context.Background(), w.mActor, w.merchant.ID, orderfile.Order{
		Channel: "shopify", ChannelOrderID: number, Currency: "USD", Customer: orderfile.Customer{Name: "Ada Customer", Email: "ada@example.com"},
		ShipTo: shipTo(), Lines: lines})
	if err != nil || !created {
		t.Fatalf("create order %s: created %v, %v", number, created, err)
	}
	return o
}

func (w *orderWorld) dropship(t *testing.T, o store.Order, req store.DropshipRequest) (store.DropshipResult, error) {
	t.Helper()
	if req.IdempotencyKey == "" {
		req.IdempotencyKey = fmt.Sprintf("key-%d-%d", o.ID, time.Now().UnixNano())
	}
	req.Confirm = true
	return w.db.Dropship(context.Background(), w.mActor, w.merchant.ID, o.ID, req)
}

func TestOrdersImportBadgeAndReplay(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	o := w.order(t, "#1001", orderfile.Line{SKU: "A-1", Title: "Item", Quantity: 2, UnitPriceCents: 1299}, orderfile.Line{SKU: "OWN-9", Title: "Own stock", Quantity: 1, UnitPriceCents: 500})
	if !o.Dropship || o.Status != store.OrderNeedsDropship || o.TotalCents != 3098 || strings.Join(o.Suppliers, ",") != "Supply" {
		t.Fatalf("order = %+v", o)
	}
	if !o.Lines[0].Linked || o.Lines[1].Linked {
		t.Fatalf("lines linked = %v, %v; want true, false", o.Lines[0].Linked, o.Lines[1].Linked)
	}
	again, created, err := w.db.CreateOrder(ctx, w.mActor, w.merchant.ID, orderfile.Order{Channel: "shopify", ChannelOrderID: "#1001", Currency: "USD", ShipTo: shipTo(),
		Lines: []orderfile.Line{{SKU: "A-1", Quantity: 9}}})
	if err != nil || created || again.ID != o.ID || again.Lines[0].Quantity != 2 {
		t.Fatalf("replay: created %v id %d (want %d), %v", created, again.ID, o.ID, err)
	}
	plain := w.order(t, "#1002", orderfile.Line{SKU: "OWN-9", Quantity: 1})
	if plain.Dropship || plain.Status != store.OrderNotDropship {
		t.Fatalf("order without linked products: %+v", plain)
	}
	_, _, err = w.db.CreateOrder(ctx, w.mActor, w.merchant.ID, orderfile.Order{Channel: "shopify", ChannelOrderID: "#1003", Currency: "USD", ShipTo: shipTo(),
		Lines: []orderfile.Line{{SKU: "A-1", Quantity: 0}}})
	if fields(err) == nil {
		t.Fatalf("zero quantity: %v, want field errors", err)
	}
	page, err := w.db.Orders(ctx, w.merchant.ID, store.OrderFilter{})
	if err != nil || page.Total != 1 || page.Counts[store.TabNeedsDropship] != 1 || page.Counts[store.TabAll] != 2 {
		t.Fatalf("needs-dropship page: total %d counts %v, %v", page.Total, page.Counts, err)
	}
}

func TestDropshipCreatesOnePOPerSupplierOnce(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	o := w.order(t, "#2001", orderfile.Line{SKU: "A-1", Quantity: 3, UnitPriceCents: 1999}, orderfile.Line{SKU: "OWN", Quantity: 1})
	other := shipTo()
	other.Address1 = "99 Changed Rd"
	req := store.DropshipRequest{IdempotencyKey: "form-1", ShipTo: &other, Notes: "Gift wrap"}
	res, err := w.dropship(t, o, req)
	if err != nil || len(res.POs) != 1 || res.Replayed {
		t.Fatalf("dropship: %+v, %v", res, err)
	}
	po := res.POs[0]
	if po.PONumber != "PO-000001" || po.ShipTo.Address1 != "99 Changed Rd" || len(po.Lines) != 1 || po.Lines[0].Quantity != 3 || po.SupplierStatus != "New" || po.Notes != "Gift wrap" {
		t.Fatalf("PO = %+v", po)
	}
	lp := w.linked(t)["A-1"]
	if lp.Sources[0].Reserved != 3 || lp.Sellable() != 10-3 {
		t.Fatalf("after dropship: reserved %d sellable %d, want 3 and 7", lp.Sources[0].Reserved, lp.Sellable())
	}
	got, _ := w.db.Order(ctx, w.merchant.ID, o.ID)
	if got.Status != store.OrderDropshipped || got.Lines[0].PO == nil || got.Lines[0].PO.PONumber != "PO-000001" {
		t.Fatalf("order after dropship: %s %+v", got.Status, got.Lines[0].PO)
	}
	// The same submit again: the same PO, nothing new.
	again, err := w.dropship(t, o, req)
	if err != nil || !again.Replayed || len(again.POs) != 1 || again.POs[0].ID != po.ID {
		t.Fatalf("replayed submit: %+v, %v", again, err)
	}
	// A new submit for a line already on a PO is refused per line.
	third, err := w.dropship(t, o, store.DropshipRequest{Lines: []store.DropshipLine{{OrderLineID: o.Lines[0].ID}}})
	if err != nil || len(third.POs) != 0 || len(third.Problems) != 1 || third.Problems[0].Code != store.ProblemAlreadyOnPO {
		t.Fatalf("second dropship of the same line: %+v, %v", third, err)
	}
	pos, _ := w.db.PurchaseOrders(ctx, w.merchant.ID, store.POFilter{})
	if pos.Total != 1 {
		t.Fatalf("%d POs, want 1", pos.Total)
	}
}

func TestConcurrentSubmitsMakeOnePO(t *testing.T) {
	w := newOrderWorld(t)
	o := w.order(t, "#2501", orderfile.Line{SKU: "A-2", Quantity: 1})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := w.db.Dropship(context.Background(), w.mActor, w.merchant.ID, o.ID, store.DropshipRequest{IdempotencyKey: "double-click", Confirm: true})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	pos, _ := w.db.PurchaseOrders(context.Background(), w.merchant.ID, store.POFilter{})
	if pos.Total != 1 {
		t.Fatalf("%d POs after 8 concurrent submits, want 1", pos.Total)
	}
	if lp := w.linked(t)["A-2"]; lp.Sources[0].Reserved != 1 {
		t.Fatalf("reserved %d, want 1", lp.Sources[0].Reserved)
	}
}

func TestDropshipEligibilityRules(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	problem := func(o store.Order, override bool) store.LineProblem {
		t.Helper()
		res, err := w.dropship(t, o, store.DropshipRequest{OverrideStock: override})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.POs) != 0 || len(res.Problems) != 1 {
			t.Fatalf("want one problem and no PO, got %+v", res)
		}
		return res.Problems[0]
	}
	// Stock: A-1 has 10.
	big := w.order(t, "#3001", orderfile.Line{SKU: "A-1", Quantity: 11})
	if p := problem(big, false); p.Code != store.ProblemStock || !strings.Contains(p.Message, "Only 10") {
		t.Fatalf("stock: %+v", p)
	}
	if res, err := w.dropship(t, big, store.DropshipRequest{OverrideStock: true}); err != nil || len(res.POs) != 1 {
		t.Fatalf("stock override: %+v %v", res, err)
	}
	// Lead time over the 1-day limit.
	w.productLead(t, "A-3", 3)
	slow := w.order(t, "#3002", orderfile.Line{SKU: "A-3", Quantity: 1})
	if p := problem(slow, false); p.Code != store.ProblemLeadTime || !strings.Contains(p.Message, "3 days") {
		t.Fatalf("lead time: %+v", p)
	}
	// No initial status: the supplier takes no dropship orders.
	if err := w.db.SetInitialStatus(ctx, w.sActor, w.supplier.ID, 0); err != nil {
		t.Fatal(err)
	}
	o := w.order(t, "#3003", orderfile.Line{SKU: "A-2", Quantity: 1})
	if p := problem(o, false); p.Code != store.ProblemRouting || !strings.Contains(p.Message, "Supply does not accept dropship orders yet") {
		t.Fatalf("no initial status: %+v", p)
	}
	w.setInitial(t, "New")
	// Module off at the merchant, then a paused link.
	w.module(t, w.merchant.ID, false)
	if p := problem(o, false); p.Code != store.ProblemRouting || !strings.Contains(p.Message, "module is off in Shop") {
		t.Fatalf("module off: %+v", p)
	}
	w.module(t, w.merchant.ID, true)
	links, _ := w.db.AccountLinks(ctx, w.merchant.ID)
	w.db.ChangeLink(ctx, w.mActor, w.merchant.ID, links[0].ID, store.LinkPause)
	if p := problem(o, false); p.Code != store.ProblemRouting || !strings.Contains(p.Message, "paused") {
		t.Fatalf("paused: %+v", p)
	}
	after, _ := w.db.Order(ctx, w.merchant.ID, o.ID)
	if after.Status != store.OrderNeedsDropship {
		t.Fatalf("a refused dropship changed the order: %s", after.Status)
	}
	// Missing address fields are field errors before any PO.
	w.db.ChangeLink(ctx, w.mActor, w.merchant.ID, links[0].ID, store.LinkResume)
	bad := shipTo()
	bad.City, bad.Address1 = "", ""
	_, err := w.dropship(t, o, store.DropshipRequest{ShipTo: &bad})
	if f := fields(err); f["ship_to.city"] == "" || f["ship_to.address1"] == "" {
		t.Fatalf("missing address fields: %v", err)
	}
	// Without the confirmation box nothing happens.
	_, err = w.db.Dropship(ctx, w.mActor, w.merchant.ID, o.ID, store.DropshipRequest{IdempotencyKey: "x"})
	if fields(err)["confirm"] == "" {
		t.Fatalf("no confirmation: %v", err)
	}
	// A clashing PO number is a field error.
	_, err = w.dropship(t, o, store.DropshipRequest{PONumbers: map[int64]string{w.supplier.ID: "PO-000001"}})
	if fields(err)[fmt.Sprintf("po_number_%d", w.supplier.ID)] == "" {
		t.Fatalf("PO number clash: %v", err)
	}
	if _, err := w.db.Dropship(ctx, w.mActor, w.merchant.ID+1000, o.ID, store.DropshipRequest{IdempotencyKey: "y", Confirm: true}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another account dropships: %v", err)
	}
}

func (w *orderWorld) productLead(t *testing.T, sku string, days int) {
	t.Helper()
	ctx := context.Background()
	page, _ := w.db.Products(ctx, w.supplier.ID, store.ProductFilter{Query: sku})
	p := page.Products[0]
	if _, err := w.db.SaveProduct(ctx, w.sActor, w.supplier.ID, p.ID, store.ProductInput{SKU: p.SKU, Title: p.Title, GTIN: p.GTIN, Quantity: p.Quantity, LeadTimeDays: days, Active: true, CostCents: p.CostCents, HasCost: p.HasCost}); err != nil {
		t.Fatal(err)
	}
	w.now = w.now.Add(time.Hour)
	subs, _ := w.db.Subscriptions(ctx, w.merchant.ID)
	w.pull(t, subs[0].ID)
}

func TestCancelHandshakeAndRedropship(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	o := w.order(t, "#4001", orderfile.Line{SKU: "A-1", Quantity: 2})
	res, err := w.dropship(t, o, store.DropshipRequest{})
	if err != nil {
		t.Fatal(err)
	}
	po := res.POs[0]
	if _, err := w.db.RequestCancel(ctx, w.mActor, w.merchant.ID, po.ID, "customer changed mind"); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.db.Order(ctx, w.merchant.ID, o.ID); got.Status != store.OrderException {
		t.Fatalf("cancel requested: order %s, want exception", got.Status)
	}
	if _, err := w.db.RequestCancel(ctx, w.mActor, w.merchant.ID, po.ID, ""); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second request: %v", err)
	}
	if err := w.db.AnswerCancel(ctx, w.sActor, w.supplier.ID, po.ID, false, ""); fields(err)["reason"] == "" {
		t.Fatalf("decline without reason: %v", err)
	}
	if err := w.db.AnswerCancel(ctx, w.mActor, w.merchant.ID, po.ID, true, ""); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the merchant answers its own request: %v", err)
	}
	if err := w.db.AnswerCancel(ctx, w.sActor, w.supplier.ID, po.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if lp := w.linked(t)["A-1"]; lp.Sources[0].Reserved != 0 {
		t.Fatalf("reserved after cancel %d, want 0", lp.Sources[0].Reserved)
	}
	got, _ := w.db.Order(ctx, w.merchant.ID, o.ID)
	if got.Status != store.OrderException || got.Lines[0].PO != nil || got.Lines[0].Rejected == nil {
		t.Fatalf("after cancel accepted: %s %+v", got.Status, got.Lines[0])
	}
	again, err := w.dropship(t, got, store.DropshipRequest{})
	if err != nil || len(again.POs) != 1 || again.POs[0].PONumber != "PO-000002" {
		t.Fatalf("dropship again after cancel: %+v %v", again, err)
	}
	events, _ := w.db.OrderEvents(ctx, w.merchant.ID, o.ID)
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	if strings.Join(kinds, ",") != "imported,dropshipped,cancel_requested,cancel_answered,dropshipped" {
		t.Fatalf("timeline %q", kinds)
	}
}

func TestOrderSearch(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	o := w.order(t, "#5001", orderfile.Line{SKU: "A-1", Quantity: 1})
	w.order(t, "#5002", orderfile.Line{SKU: "A-2", Quantity: 1})
	res, _ := w.dropship(t, o, store.DropshipRequest{})
	for q, want := range map[string]int{"#5001": 1, "5001": 1, "A-2": 1, res.POs[0].PONumber: 1, "ada": 2, "nobody": 0} {
		page, err := w.db.Orders(ctx, w.merchant.ID, store.OrderFilter{Tab: store.TabAll, Query: q})
		if err != nil || page.Total != want || len(page.Orders) != want {
			t.Errorf("search %q: total %d rows %d, want %d (%v)", q, page.Total, len(page.Orders), want, err)
		}
	}
	if page, _ := w.db.Orders(ctx, w.merchant.ID, store.OrderFilter{Tab: store.TabDropshipped}); page.Total != 1 || page.Orders[0].ID != o.ID {
		t.Fatalf("dropshipped tab: %+v", page)
	}
}

func TestOrdersGetTheBadgeWhenTheirProductsAreLinkedLater(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	early := w.order(t, "#6001", orderfile.Line{SKU: "NEW-9", Quantity: 1})
	if early.Dropship {
		t.Fatal("an order for an unknown SKU has the badge")
	}
	w.product(t, "NEW-9", 4, "")
	w.now = w.now.Add(time.Hour)
	subs, _ := w.db.Subscriptions(ctx, w.merchant.ID)
	w.pull(t, subs[0].ID)
	got, _ := w.db.Order(ctx, w.merchant.ID, early.ID)
	if !got.Dropship || got.Status != store.OrderNeedsDropship || !got.Lines[0].Linked {
		t.Fatalf("after the product was linked: %+v", got)
	}
	page, _ := w.db.Orders(ctx, w.merchant.ID, store.OrderFilter{})
	found := false
	for _, o := range page.Orders {
		found = found || o.ID == early.ID
	}
	if !found || page.Counts[store.TabNeedsDropship] != page.Total {
		t.Fatalf("Needs dropship tab: found %v, count %d, total %d", found, page.Counts[store.TabNeedsDropship], page.Total)
	}
}

// A dropshipped order whose other line's product gets its first source in
// a pull goes back to Needs dropship: that line now waits for its PO.
func TestPullLinksALineOfADropshippedOrder(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	o := w.order(t, "#4101", orderfile.Line{SKU: "A-1", Quantity: 1}, orderfile.Line{SKU: "B-9", Quantity: 1})
	if _, err := w.dropship(t, o, store.DropshipRequest{}); err != nil {
		t.Fatal(err)
	}
	if o, _ = w.db.Order(ctx, w.merchant.ID, o.ID); o.Status != store.OrderDropshipped {
		t.Fatalf("after dropship: %s", o.Status)
	}
	w.product(t, "B-9", 5, "")
	w.now = w.now.Add(time.Hour)
	subs, _ := w.db.Subscriptions(ctx, w.merchant.ID)
	w.pull(t, subs[0].ID)
	o, err := w.db.Order(ctx, w.merchant.ID, o.ID)
	if err != nil || o.Status != store.OrderNeedsDropship || !o.Lines[1].Linked {
		t.Fatalf("after the pull: %s, line B-9 linked %v, %v", o.Status, o.Lines[1].Linked, err)
	}
	if page, err := w.db.Orders(ctx, w.merchant.ID, store.OrderFilter{}); err != nil || page.Counts[store.TabNeedsDropship] != 1 {
		t.Fatalf("tab counts %v, %v; want 1 needing dropship", page.Counts, err)
	}
	// Dropshipping it again sends the new line, and only it.
	res, err := w.dropship(t, o, store.DropshipRequest{})
	if err != nil || len(res.POs) != 1 || len(res.POs[0].Lines) != 1 || res.POs[0].Lines[0].SupplierSKU != "B-9" {
		t.Fatalf("second dropship: %+v, %v", res, err)
	}
	if o, _ = w.db.Order(ctx, w.merchant.ID, o.ID); o.Status != store.OrderDropshipped {
		t.Fatalf("after the second dropship: %s", o.Status)
	}
}
