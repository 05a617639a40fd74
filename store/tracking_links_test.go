package store_test

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/carrier"
	"github.com/dropline/dropline/store/orderfile"
)

// trackingLinkIn finds the customer's tracking link in a shipping email.
var trackingLinkIn = regexp.MustCompile(`Follow your order here: (https://shop\.example/track/([A-Za-z0-9_-]{43}))\n`)

// shippedEmails are the customer's shipping emails of the merchant, oldest first.
func (w *orderWorld) shippedEmails(t *testing.T) []store.OutboxMessage {
	t.Helper()
	return w.outbox(t, "customer.shipped")
}

// trackingToken is the token of the tracking link in a shipping email.
func trackingToken(t *testing.T, m store.OutboxMessage) string {
	t.Helper()
	match := trackingLinkIn.FindStringSubmatch(m.Body)
	if match == nil {
		t.Fatalf("no tracking page link in the shipping email:\n%s", m.Body)
	}
	return match[2]
}

// TestCustomerFollowsTheOrderFromTheEmail: each shipping email links to the
// order's tracking page with a token of its own; the page shows every
// parcel (the email's first) with what it carries in the order's words,
// the carrier's events as they come, and what is still to ship; openings
// are counted and the first goes on the order's timeline.
func TestCustomerFollowsTheOrderFromTheEmail(t *testing.T) {
	w := newTrackWorld(t)
	ctx := context.Background()
	w.db.BaseURL = "https://shop.example/"
	if _, err := w.db.UpdateAccountSettings(ctx, w.mActor, w.merchant.ID, store.AccountSettings{Name: w.merchant.Name, TimeZone: "Europe/Paris", DropshipEnabled: true,
		AccountContact: store.AccountContact{ReplyToEmail: "help@shop.example"}}); err != nil {
		t.Fatal(err)
	}
	w.follow(t, w.merchant.ID, w.mActor)
	// The gift card is the merchant's own stock: no supplier sends it.
	o := w.order(t, "#7101", orderfile.Line{SKU: "A-1", Title: "Blue mug", Quantity: 2}, orderfile.Line{SKU: "A-2", Title: "Teapot", Quantity: 1},
		orderfile.Line{SKU: "OWN-1", Title: "Gift card", Quantity: 1})
	res, err := w.dropship(t, o, store.DropshipRequest{})
	if err != nil || len(res.POs) != 1 {
		t.Fatalf("dropship: %+v, %v", res, err)
	}
	po := res.POs[0]
	first := w.ship(t, po, "9400100000000000000011", store.ShipmentLine{POLineID: po.Lines[0].ID, Quantity: 1})
	emails := w.shippedEmails(t)
	if len(emails) != 1 {
		t.Fatalf("%d shipping emails, want 1", len(emails))
	}
	if !strings.Contains(emails[0].Body, "Or on the carrier's site: https://tools.usps.com/") {
		t.Errorf("the email lost the carrier's link:\n%s", emails[0].Body)
	}
	token1 := trackingToken(t, emails[0])

	ct, err := w.db.CustomerTrackingByToken(ctx, token1)
	if err != nil {
		t.Fatal(err)
	}
	if ct.OrderNumber != "#7101" || ct.Merchant.Name != w.merchant.Name || ct.ReplyTo != "help@shop.example" || len(ct.Parcels) != 1 ||
		ct.Parcels[0].ID != first.ID || len(ct.Parcels[0].Items) != 1 || ct.Parcels[0].Items[0] != (store.CustomerItem{Name: "Blue mug (A-1)", Quantity: 1}) {
		t.Fatalf("page %+v", ct)
	}
	if want := []store.CustomerItem{{Name: "Blue mug (A-1)", Quantity: 1}, {Name: "Teapot (A-2)", Quantity: 1}, {Name: "Gift card (OWN-1)", Quantity: 1}}; !equalItems(ct.ToShip, want) {
		t.Errorf("still to ship %+v, want %+v", ct.ToShip, want)
	}

	// The carrier's scans show as they come.
	w.deliver(t)
	w.mustPost(t, afterShipUpdate("9400100000000000000011",
		checkpoint{"2026-03-02T08:00:00+00:00", "InTransit", "InTransit_001", "Accepted at USPS origin facility", "CHICAGO, IL, US"},
		checkpoint{"2026-03-03T09:30:00+00:00", "OutForDelivery", "OutForDelivery_001", "Out for delivery", "SPRINGFIELD, IL, US"}))
	if ct, err = w.db.CustomerTrackingByToken(ctx, token1); err != nil {
		t.Fatal(err)
	}
	if ev := ct.Parcels[0].Tracking.Events; len(ev) != 2 || ev[0].Message != "Out for delivery" || ev[1].Location != "CHICAGO, IL, US" {
		t.Fatalf("events on the page %+v", ev)
	}

	// The rest ships; its email has a new link, which shows its parcel first.
	second := w.ship(t, po, "9400100000000000000028")
	emails = w.shippedEmails(t)
	if len(emails) != 2 {
		t.Fatalf("%d shipping emails, want 2", len(emails))
	}
	token2 := trackingToken(t, emails[1])
	if token2 == token1 {
		t.Fatal("two emails carry the same token")
	}
	ct, err = w.db.CustomerTrackingByToken(ctx, token2)
	if err != nil {
		t.Fatal(err)
	}
	if len(ct.Parcels) != 2 || ct.Parcels[0].ID != second.ID || ct.Parcels[1].ID != first.ID ||
		!equalItems(ct.ToShip, []store.CustomerItem{{Name: "Gift card (OWN-1)", Quantity: 1}}) {
		t.Fatalf("page from the second email %+v", ct)
	}
	// The supplier's PO is done, but the order is not: the email says so.
	if !strings.Contains(emails[1].Body, "The rest of your order ships separately.") {
		t.Errorf("the second email does not say more is coming:\n%s", emails[1].Body)
	}
	// Once the merchant closes the order, nothing is said to be coming.
	if err := w.db.CloseOrder(ctx, w.mActor, w.merchant.ID, o.ID, "The gift card was emailed instead."); err != nil {
		t.Fatal(err)
	}
	if ct, err = w.db.CustomerTrackingByToken(ctx, token2); err != nil || !ct.Cancelled || len(ct.ToShip) != 0 || len(ct.Parcels) != 2 {
		t.Fatalf("page after closing %+v, %v", ct, err)
	}
	if got := ct.Parcels[0].Items; !equalItems(got, []store.CustomerItem{{Name: "Blue mug (A-1)", Quantity: 1}, {Name: "Teapot (A-2)", Quantity: 1}}) {
		t.Errorf("the second parcel carries %+v", got)
	}

	links, err := w.db.OrderTrackingLinks(ctx, w.merchant.ID, o.ID)
	if err != nil || links.Live != 2 || links.Revoked != 0 || links.Opens != 4 || links.FirstOpenedAt == nil || links.LastOpenedAt == nil {
		t.Fatalf("links %+v, %v", links, err)
	}
	// One timeline note per link's first opening, not per opening.
	if opened := w.timeline(t, o.ID, "tracking_page_opened"); len(opened) != 2 || !strings.Contains(opened[0], "USPS 9400100000000000000011") {
		t.Errorf("timeline %q", opened)
	}
	w.checkInvariants(t)
}

func equalItems(a, b []store.CustomerItem) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestTrackingLinksOpenTheirOrderAlone: a made-up, cut or revoked token,
// another merchant's revoking, an expired link and a disabled merchant
// open nothing and record nothing.
func TestTrackingLinksOpenTheirOrderAlone(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	w.db.BaseURL = "https://shop.example"
	po := w.poFor(t, "#7201", orderfile.Line{SKU: "A-1", Quantity: 1})
	w.ship(t, po, "9400100000000000000035")
	token := trackingToken(t, w.shippedEmails(t)[0])
	if _, err := w.db.CustomerTrackingByToken(ctx, token); err != nil {
		t.Fatal(err)
	}
	notFound := func(what, tok string) {
		t.Helper()
		if _, err := w.db.CustomerTrackingByToken(ctx, tok); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: %v, want not found", what, err)
		}
	}
	flipped := []byte(token)
	flipped[10] ^= 1
	notFound("a changed token", string(flipped))
	notFound("a cut token", token[:42])
	notFound("no token", "")

	// Another merchant cannot revoke, nor preview, this order.
	other := w.secondMerchant(t, "Other Shop")
	if _, err := w.db.RevokeTrackingLinks(ctx, other.mActor, other.merchant.ID, po.OrderID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another merchant revoked: %v", err)
	}
	if _, err := w.db.CustomerTrackingPreview(ctx, other.merchant.ID, po.OrderID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another merchant previewed: %v", err)
	}
	if _, err := w.db.CustomerTrackingByToken(ctx, token); err != nil {
		t.Fatalf("the link stopped after another merchant's attempt: %v", err)
	}

	// A disabled merchant's links stop, and work again once it is enabled.
	if _, err := w.db.SetAccountDisabled(ctx, store.CLIActor, w.merchant.ID, true, "unpaid"); err != nil {
		t.Fatal(err)
	}
	notFound("a disabled merchant's link", token)
	if _, err := w.db.SetAccountDisabled(ctx, store.CLIActor, w.merchant.ID, false, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.CustomerTrackingByToken(ctx, token); err != nil {
		t.Fatalf("after enabling: %v", err)
	}

	n, err := w.db.RevokeTrackingLinks(ctx, w.mActor, w.merchant.ID, po.OrderID)
	if err != nil || n != 1 {
		t.Fatalf("revoked %d, %v", n, err)
	}
	notFound("a revoked link", token)
	if n, err := w.db.RevokeTrackingLinks(ctx, w.mActor, w.merchant.ID, po.OrderID); err != nil || n != 0 {
		t.Errorf("revoking again: %d, %v", n, err)
	}
	links, err := w.db.OrderTrackingLinks(ctx, w.merchant.ID, po.OrderID)
	if err != nil || links.Live != 0 || links.Revoked != 1 || links.Opens != 3 {
		t.Errorf("after revoking %+v, %v (the refused openings count nothing)", links, err)
	}

	// A new shipment's email carries a new link, which expires after 180 days.
	po2 := w.poFor(t, "#7202", orderfile.Line{SKU: "A-2", Quantity: 1})
	w.ship(t, po2, "9400100000000000000042")
	emails := w.shippedEmails(t)
	fresh := trackingToken(t, emails[len(emails)-1])
	w.now = w.now.Add(store.TrackingLinkLifetime - time.Minute)
	if _, err := w.db.CustomerTrackingByToken(ctx, fresh); err != nil {
		t.Fatalf("a day before it expires: %v", err)
	}
	w.now = w.now.Add(2 * time.Minute)
	notFound("an expired link", fresh)
}

// TestListsFindAParcelByItsTrackingNumber: a customer who calls with a
// tracking number is found by it, typed as the carrier prints it, in the
// merchant's orders and POs and the supplier's queue; another merchant's
// search finds nothing.
func TestListsFindAParcelByItsTrackingNumber(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	po := w.poFor(t, "#7301", orderfile.Line{SKU: "A-1", Quantity: 1})
	w.poFor(t, "#7302", orderfile.Line{SKU: "A-2", Quantity: 1}) // not shipped: never found by a number
	w.ship(t, po, "9400100000000000000059")
	for _, q := range []string{"9400100000000000000059", "9400 1000 0000 0000 0000 59"} {
		orders, err := w.db.Orders(ctx, w.merchant.ID, store.OrderFilter{Tab: store.TabAll, Query: q})
		if err != nil || orders.Total != 1 || len(orders.Orders) != 1 || orders.Orders[0].ID != po.OrderID {
			t.Errorf("orders found by %q: %+v, %v", q, orders, err)
		}
		pos, err := w.db.PurchaseOrders(ctx, w.merchant.ID, store.POFilter{Query: q})
		if err != nil || pos.Total != 1 || len(pos.POs) != 1 || pos.POs[0].ID != po.ID {
			t.Errorf("POs found by %q: %+v, %v", q, pos, err)
		}
		queue, err := w.db.SupplierQueue(ctx, w.supplier.ID, store.QueueFilter{Tab: store.QueueAll, Query: q})
		if err != nil || len(queue.POs) != 1 || queue.POs[0].ID != po.ID {
			t.Errorf("the supplier's queue found by %q: %+v, %v", q, queue, err)
		}
	}
	// Searched from the tab the list opens on, where the shipped order is
	// not: the page says how many the other tabs hold.
	if orders, err := w.db.Orders(ctx, w.merchant.ID, store.OrderFilter{Query: "9400100000000000000059"}); err != nil || orders.Total != 0 || orders.AllTabs != 1 {
		t.Errorf("from Needs dropship: %d here, %d in all tabs, %v", orders.Total, orders.AllTabs, err)
	}
	other := w.secondMerchant(t, "Other Shop")
	if orders, err := w.db.Orders(ctx, other.merchant.ID, store.OrderFilter{Tab: store.TabAll, Query: "9400100000000000000059"}); err != nil || orders.Total != 0 {
		t.Errorf("another merchant found %+v, %v", orders, err)
	}
	if pos, err := w.db.PurchaseOrders(ctx, other.merchant.ID, store.POFilter{Query: "9400100000000000000059"}); err != nil || pos.Total != 0 {
		t.Errorf("another merchant found POs %+v, %v", pos, err)
	}
}

// TestCarrierEstimateIsKept: the provider's estimated delivery is kept on
// the shipment and shown on the customer's page; a revised estimate with
// no new scan (AfterShip's edd_revise) replaces it, and the same one again
// changes nothing.
func TestCarrierEstimateIsKept(t *testing.T) {
	w := newTrackWorld(t)
	ctx := context.Background()
	w.follow(t, w.merchant.ID, w.mActor)
	po := w.poFor(t, "#7401", orderfile.Line{SKU: "A-1", Quantity: 1})
	w.ship(t, po, "9400100000000000000066")
	w.deliver(t)
	update := func(estimate string) []byte {
		return []byte(`{"event":"tracking_update","event_id":"e1","ts":1,"msg":{"id":"as-9400100000000000000066","tracking_number":"9400100000000000000066",
			"slug":"usps","tag":"InTransit","latest_estimated_delivery":` + estimate + `,
			"checkpoints":[{"checkpoint_time":"2026-11-21T10:00:00Z","tag":"InTransit","subtag":"InTransit_001","message":"Accepted","location":"CHICAGO, IL, US"}]}}`)
	}
	if out := w.mustPost(t, update(`{"type":"specific","source":"Carrier EDD","datetime":"2026-11-24"}`)); out.Result != store.TrackingApplied {
		t.Fatalf("first update %+v", out)
	}
	if sh := w.shipment(t, w.merchant.ID, po.ID); sh.Tracking.ExpectedFrom != "2026-11-24" || sh.Tracking.ExpectedTo != "2026-11-24" {
		t.Fatalf("estimate %q–%q", sh.Tracking.ExpectedFrom, sh.Tracking.ExpectedTo)
	}
	revised := update(`{"type":"range","source":"AfterShip EDD","datetime":null,"datetime_min":"2026-11-25","datetime_max":"2026-11-26"}`)
	if out := w.mustPost(t, revised); out.Result != store.TrackingApplied || out.Added != 0 {
		t.Fatalf("revised estimate %+v", out)
	}
	if out := w.mustPost(t, revised); out.Result != store.TrackingUnchanged {
		t.Errorf("the same estimate again %+v", out)
	}
	// A newer scan with a later estimate, then a late webhook from before
	// it, carrying its older estimate: the newer stays.
	newer := []byte(`{"event":"tracking_update","event_id":"e2","ts":2,"msg":{"id":"as-9400100000000000000066","tracking_number":"9400100000000000000066",
		"slug":"usps","tag":"InTransit","latest_estimated_delivery":{"type":"specific","datetime":"2026-11-27"},
		"checkpoints":[{"checkpoint_time":"2026-11-21T10:00:00Z","tag":"InTransit","subtag":"InTransit_001","message":"Accepted","location":"CHICAGO, IL, US"},
			{"checkpoint_time":"2026-11-21T11:00:00Z","tag":"InTransit","subtag":"InTransit_007","message":"Delayed: weather","location":"CHICAGO, IL, US"}]}}`)
	w.mustPost(t, newer)
	if out := w.mustPost(t, revised); out.Result != store.TrackingUnchanged {
		t.Errorf("a late webhook's older estimate %+v", out)
	}
	ct, err := w.db.CustomerTrackingPreview(ctx, w.merchant.ID, po.OrderID)
	if err != nil || len(ct.Parcels) != 1 || ct.Parcels[0].Tracking.ExpectedFrom != "2026-11-27" || ct.Parcels[0].Tracking.ExpectedTo != "2026-11-27" {
		t.Fatalf("the customer's page %+v, %v", ct, err)
	}
}

// TestOneNumberOneAddress: a tracking number already on a PO to another
// address is refused on the next PO, naming it (a number pasted twice is
// the usual cause), unless saved anyway, which is recorded; the same
// customer's two orders may share a parcel. A file is checked the same
// way, against the database and its own earlier rows.
func TestOneNumberOneAddress(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	elsewhere := func(number string, to orderfile.Address) store.PurchaseOrder { return w.poTo(t, number, to, "A-1") }
	n1, n2, n3 := validUSPS(t, "940010000000000000007"), validUSPS(t, "940010000000000000008"), validUSPS(t, "940010000000000000009")
	tom := tomBecker
	first := w.poFor(t, "#7501", orderfile.Line{SKU: "A-1", Quantity: 1})
	w.ship(t, first, n1)
	same := w.poFor(t, "#7502", orderfile.Line{SKU: "A-2", Quantity: 1}) // the same customer's second order
	toTom := elsewhere("#7503", tom)
	day := w.now.Format(time.DateOnly)

	in := store.ShipmentInput{Carrier: "usps", TrackingNumber: n1[:4] + " " + n1[4:], ShipDate: day}
	_, err := w.db.AddShipment(ctx, w.sActor, w.supplier.ID, toTom.ID, in)
	if msg := store.UserText(err); !strings.Contains(msg, "already on "+first.PONumber+", which ships to another address (Ada Customer, 62701)") {
		t.Fatalf("the same number to Tom: %v", err)
	}
	if _, err := w.db.AddShipment(ctx, w.sActor, w.supplier.ID, same.ID, in); err != nil {
		t.Fatalf("the same customer's second order in the same parcel: %v", err)
	}
	in.Override = true
	sh, err := w.db.AddShipment(ctx, w.sActor, w.supplier.ID, toTom.ID, in)
	if err != nil || !strings.Contains(sh.OverrideReason, "another address") {
		t.Fatalf("saved anyway: %+v %v", sh, err)
	}

	// A file: a number already saved elsewhere, and one new number given
	// to two addresses in the file.
	toTom2, toAda := elsewhere("#7504", tom), w.poFor(t, "#7505", orderfile.Line{SKU: "A-3", Quantity: 1})
	toAda2 := w.poFor(t, "#7506", orderfile.Line{SKU: "A-3", Quantity: 1})
	file := "po_number,carrier,tracking_number,ship_date\n" +
		toTom2.PONumber + ",usps," + n1 + "," + day + "\n" +
		toAda.PONumber + ",usps," + n2 + "," + day + "\n" +
		toAda2.PONumber + ",usps," + n2 + "," + day + "\n"
	plan, err := w.db.BulkTracking(ctx, w.sActor, w.supplier.ID, []byte(file), false)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Shipments != 2 || plan.Errors != 1 || !strings.Contains(plan.Rows[0].Error, "which ships to another address") || plan.Rows[1].Error != "" || plan.Rows[2].Error != "" {
		t.Fatalf("plan %+v", plan.Rows)
	}
	file = "po_number,carrier,tracking_number,ship_date\n" +
		toAda.PONumber + ",usps," + n3 + "," + day + "\n" +
		toTom2.PONumber + ",usps," + n3 + "," + day + "\n"
	if plan, err = w.db.BulkTracking(ctx, w.sActor, w.supplier.ID, []byte(file), false); err != nil {
		t.Fatal(err)
	}
	if plan.Errors != 1 || plan.Rows[0].Error != "" || !strings.Contains(plan.Rows[1].Error, "already on "+toAda.PONumber) {
		t.Fatalf("one new number to two addresses in a file: %+v", plan.Rows)
	}
	if err := w.db.CheckInvariants(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestDisabledAccountRunsNothing: while a platform admin has the merchant
// disabled, nothing runs for it: no scheduled feed pull, no store pull, no
// outbox message sent (they wait), its store's and tracking provider's
// webhooks and its Shopify webhook address are refused; once enabled,
// everything goes on, the waiting messages first.
func TestDisabledAccountRunsNothing(t *testing.T) {
	w := newTrackWorld(t)
	ctx := context.Background()
	w.follow(t, w.merchant.ID, w.mActor)
	f := newFakeShopShopify(t, map[string]string{})
	ch := w.connect(t, store.SalesChannelInput{Kind: "shopify", Name: "Acme", BaseURL: f.srv.URL, AccessToken: syncShopifyToken})
	po := w.poFor(t, "#7601", orderfile.Line{SKU: "A-1", Quantity: 1})
	w.ship(t, po, "9400100000000000000011")
	w.now = w.now.Add(3 * time.Hour) // every subscription due again
	if _, err := w.db.SetAccountDisabled(ctx, store.CLIActor, w.merchant.ID, true, "unpaid"); err != nil {
		t.Fatal(err)
	}
	if n, err := w.puller.PullDue(ctx); err != nil || n != 0 {
		t.Errorf("a disabled merchant's feeds pulled: %d, %v", n, err)
	}
	if due, err := w.db.ChannelsDueForSync(ctx, w.now); err != nil || len(due) != 0 {
		t.Errorf("a disabled merchant's store is due: %+v, %v", due, err)
	}
	w.deliver(t)
	if len(w.created) != 0 {
		t.Errorf("a disabled merchant's outbox was sent: %v", w.created)
	}
	body := afterShipUpdate("9400100000000000000011", checkpoint{"2026-11-21T10:00:00Z", "InTransit", "InTransit_001", "Accepted", "CHICAGO, IL, US"})
	if _, err := w.post(t, body, trackSecret); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a disabled merchant's tracking webhook: %v", err)
	}
	if _, _, err := w.db.ShopifySecret(ctx, w.merchant.PublicID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a disabled merchant's Shopify webhook address: %v", err)
	}
	if _, err := w.db.ReceiveChannelWebhook(ctx, "any-token", http.Header{}, []byte("{}")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a store webhook: %v", err)
	}

	if _, err := w.db.SetAccountDisabled(ctx, store.CLIActor, w.merchant.ID, false, ""); err != nil {
		t.Fatal(err)
	}
	if n, err := w.puller.PullDue(ctx); err != nil || n == 0 {
		t.Errorf("once enabled the feeds pulled %d, %v", n, err)
	}
	if due, err := w.db.ChannelsDueForSync(ctx, w.now); err != nil || len(due) != 1 || due[0].ID != ch.ID {
		t.Errorf("once enabled the store is due: %+v, %v", due, err)
	}
	w.deliver(t)
	if len(w.created) != 1 {
		t.Errorf("once enabled the waiting registration went %d times", len(w.created))
	}
	if out := w.mustPost(t, body); out.Result != store.TrackingApplied {
		t.Errorf("once enabled the tracking webhook: %+v", out)
	}
}

// TestCustomerEmailedAsTheParcelMoves: with tracking updates on, the
// customer is emailed, in the merchant's name, when the parcel is out for
// delivery and when it is delivered (not for every scan, never twice for
// the same news, not for news days old), each email with its own working
// link to the order's page; a merchant who turned these emails off sends
// none.
func TestCustomerEmailedAsTheParcelMoves(t *testing.T) {
	w := newTrackWorld(t)
	ctx := context.Background()
	w.db.BaseURL = "https://shop.example"
	w.follow(t, w.merchant.ID, w.mActor)
	o := w.order(t, "#7701", orderfile.Line{SKU: "A-1", Title: "Blue mug", Quantity: 1})
	res, err := w.dropship(t, o, store.DropshipRequest{})
	if err != nil || len(res.POs) != 1 {
		t.Fatalf("dropship: %+v %v", res, err)
	}
	w.ship(t, res.POs[0], "9400100000000000000011")
	w.deliver(t)
	at := func(ago time.Duration) string { return w.now.Add(-ago).UTC().Format(time.RFC3339) }
	scan := checkpoint{at(5 * time.Hour), "InTransit", "InTransit_001", "Accepted", "CHICAGO, IL, US"}
	van := checkpoint{at(time.Hour), "OutForDelivery", "OutForDelivery_001", "Out for delivery", "SPRINGFIELD, IL, US"}
	door := checkpoint{at(10 * time.Minute), "Delivered", "Delivered_001", "Delivered, front door", "SPRINGFIELD, IL, US"}

	w.mustPost(t, afterShipUpdate("9400100000000000000011", scan))
	if got := w.outbox(t, store.TopicCustomerUpdate); len(got) != 0 {
		t.Fatalf("a scan in transit emailed the customer: %+v", got)
	}
	w.mustPost(t, afterShipUpdate("9400100000000000000011", scan, van))
	w.mustPost(t, afterShipUpdate("9400100000000000000011", scan, van)) // the same again
	got := w.outbox(t, store.TopicCustomerUpdate)
	if len(got) != 1 || got[0].Recipient != "ada@example.com" || got[0].Subject != "Your order #7701 is out for delivery" || got[0].FromName != w.merchant.Name ||
		!strings.Contains(got[0].Body, "1 × Blue mug (A-1)") || strings.Contains(got[0].Body, w.supplier.Name) {
		t.Fatalf("out for delivery: %+v", got)
	}
	token := regexp.MustCompile(`/track/([A-Za-z0-9_-]{43})`).FindStringSubmatch(got[0].Body)
	if token == nil {
		t.Fatalf("no tracking link:\n%s", got[0].Body)
	}
	if ct, err := w.db.CustomerTrackingByToken(ctx, token[1]); err != nil || ct.Parcels[0].Tracking.Status != "out_for_delivery" {
		t.Fatalf("the email's link: %+v %v", ct, err)
	}
	w.mustPost(t, afterShipUpdate("9400100000000000000011", scan, van, door))
	if got = w.outbox(t, store.TopicCustomerUpdate); len(got) != 2 || got[1].Subject != "Your order #7701 was delivered" ||
		!strings.Contains(got[1].Body, "The carrier says: Delivered, front door, SPRINGFIELD, IL, US.") {
		t.Fatalf("delivered: %+v", got)
	}
	if n := len(w.timeline(t, o.ID, "tracking_event")); n != 3 {
		t.Errorf("%d tracking notes on the timeline, want 3", n)
	}

	// News days old tells the customer nothing new.
	po2 := w.poFor(t, "#7702", orderfile.Line{SKU: "A-2", Quantity: 1})
	w.ship(t, po2, "9400100000000000000028")
	w.mustPost(t, afterShipUpdate("9400100000000000000028", checkpoint{at(72 * time.Hour), "Delivered", "Delivered_001", "Delivered", "SPRINGFIELD, IL, US"}))
	// A merchant who turned them off sends none.
	if _, err := w.db.UpdateAccountSettings(ctx, w.mActor, w.merchant.ID, store.AccountSettings{Name: w.merchant.Name, TimeZone: w.merchant.TimeZone, DropshipEnabled: true,
		AccountContact: store.AccountContact{CustomerUpdatesOff: true}}); err != nil {
		t.Fatal(err)
	}
	po3 := w.poFor(t, "#7703", orderfile.Line{SKU: "A-3", Quantity: 1})
	w.ship(t, po3, "9400100000000000000035")
	w.mustPost(t, afterShipUpdate("9400100000000000000035", van))
	if got = w.outbox(t, store.TopicCustomerUpdate); len(got) != 2 {
		t.Errorf("old news or a merchant who said no emailed the customer: %+v", got[2:])
	}
	w.checkInvariants(t)
}

// poTo is a new order of the merchant to an address of its own, dropshipped.
func (w *orderWorld) poTo(t *testing.T, number string, to orderfile.Address, sku string) store.PurchaseOrder {
	t.Helper()
	o, _, err := w.db.CreateOrder(context.Background(), w.mActor, w.merchant.ID, orderfile.Order{Channel: "shopify", ChannelOrderID: number, Currency: "USD",
		Customer: orderfile.Customer{Name: to.Name}, ShipTo: to, Lines: []orderfile.Line{{SKU: sku, Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := w.dropship(t, o, store.DropshipRequest{})
	if err != nil || len(res.POs) != 1 {
		t.Fatalf("dropship %s: %+v %v", number, res, err)
	}
	return res.POs[0]
}

var tomBecker = orderfile.Address{Name: "Tom Becker", Address1: "5 Elm St", City: "Albany", Region: "NY", PostalCode: "12207", Country: "US"}

// validUSPS is a USPS number with its check digit, as a label carries it.
func validUSPS(t *testing.T, prefix string) string {
	t.Helper()
	for d := '0'; d <= '9'; d++ {
		if carrier.Check("usps", prefix+string(d)) == nil {
			return prefix + string(d)
		}
	}
	t.Fatalf("no check digit makes %s valid", prefix)
	return ""
}

// TestAnotherMerchantsParcelIsNotNamed: a number the supplier already gave
// another merchant's customer is refused naming that merchant's PO, but
// the reason kept when it is saved anyway, which the merchant reads, names
// neither the PO nor the other merchant's customer.
func TestAnotherMerchantsParcelIsNotNamed(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	other := w.secondMerchant(t, "Shop Two")
	n := validUSPS(t, "940010000000000000007")
	theirs := other.poTo(t, "#B1", tomBecker, "A-1")
	other.ship(t, theirs, n)
	mine := w.poFor(t, "#A1", orderfile.Line{SKU: "A-1", Quantity: 1})
	in := store.ShipmentInput{Carrier: "usps", TrackingNumber: n, ShipDate: w.now.Format(time.DateOnly)}
	_, err := w.db.AddShipment(ctx, w.sActor, w.supplier.ID, mine.ID, in)
	if msg := store.UserText(err); !strings.Contains(msg, "already on Shop Two's "+theirs.PONumber) || strings.Contains(msg, "Tom") || strings.Contains(msg, "12207") {
		t.Fatalf("the supplier is told %q", msg)
	}
	in.Override = true
	if _, err := w.db.AddShipment(ctx, w.sActor, w.supplier.ID, mine.ID, in); err != nil {
		t.Fatal(err)
	}
	ships, err := w.db.Shipments(ctx, w.merchant.ID, mine.ID)
	if err != nil || len(ships) != 1 || !strings.Contains(ships[0].OverrideReason, "another address") {
		t.Fatalf("shipments %+v %v", ships, err)
	}
	events, err := w.db.OrderEvents(ctx, w.merchant.ID, mine.OrderID)
	if err != nil {
		t.Fatal(err)
	}
	seen := ships[0].OverrideReason
	for _, e := range events {
		seen += "\n" + e.Message
	}
	for _, leak := range []string{"Tom", "12207", "Shop Two"} { // (both merchants number their first PO PO-000001)
		if strings.Contains(seen, leak) {
			t.Errorf("merchant A reads %q:\n%s", leak, seen)
		}
	}
}

// TestLargeFileChecksANumberAcrossItsParts: a file large enough to be
// checked in two parts side by side, with one new number given to a PO in
// each part to different addresses, is checked as one: the apply refuses
// the second as the preview does.
func TestLargeFileChecksANumberAcrossItsParts(t *testing.T) {
	defer store.SetSplitRows(1)()
	w := newOrderWorld(t)
	ctx := context.Background()
	pos := []store.PurchaseOrder{w.poTo(t, "#1", shipTo(), "A-1"), w.poTo(t, "#2", shipTo(), "A-2"), w.poTo(t, "#3", shipTo(), "A-3"), w.poTo(t, "#4", tomBecker, "A-1")}
	n := validUSPS(t, "940010000000000000009")
	day := w.now.Format(time.DateOnly)
	file := "po_number,carrier,tracking_number,ship_date\n" +
		pos[0].PONumber + ",usps," + n + "," + day + "\n" +
		pos[1].PONumber + ",usps," + validUSPS(t, "940010000000000000010") + "," + day + "\n" +
		pos[2].PONumber + ",usps," + validUSPS(t, "940010000000000000011") + "," + day + "\n" +
		pos[3].PONumber + ",usps," + n + "," + day + "\n"
	preview, err := w.db.BulkTracking(ctx, w.sActor, w.supplier.ID, []byte(file), false)
	if err != nil || preview.Shipments != 3 || preview.Errors != 1 {
		t.Fatalf("preview: %d shipments, %d errors, %v", preview.Shipments, preview.Errors, err)
	}
	applied, err := w.db.BulkTracking(ctx, w.sActor, w.supplier.ID, []byte(file), true)
	if err != nil || applied.Shipments != 3 || applied.Errors != 1 || !strings.Contains(applied.Rows[3].Error, "another address") {
		t.Fatalf("apply: %d shipments, %d errors, %v; rows %+v", applied.Shipments, applied.Errors, err, applied.Rows)
	}
	if ships, _ := w.db.Shipments(ctx, w.supplier.ID, pos[3].ID); len(ships) != 0 {
		t.Errorf("the number was saved on Tom's PO too: %+v", ships)
	}
}

// TestOneParcelOnTwoPOsEmailsOnce: one parcel carrying an order's lines
// from two of its POs is news to its customer once.
func TestOneParcelOnTwoPOsEmailsOnce(t *testing.T) {
	w := newTrackWorld(t)
	w.follow(t, w.merchant.ID, w.mActor)
	o := w.order(t, "#9001", orderfile.Line{SKU: "A-1", Title: "Mug", Quantity: 1}, orderfile.Line{SKU: "A-2", Title: "Pot", Quantity: 1})
	r1, err := w.dropship(t, o, store.DropshipRequest{Lines: []store.DropshipLine{{OrderLineID: o.Lines[0].ID}}})
	if err != nil || len(r1.POs) != 1 {
		t.Fatalf("%+v %v", r1, err)
	}
	r2, err := w.dropship(t, o, store.DropshipRequest{Lines: []store.DropshipLine{{OrderLineID: o.Lines[1].ID}}})
	if err != nil || len(r2.POs) != 1 {
		t.Fatalf("%+v %v", r2, err)
	}
	w.ship(t, r1.POs[0], "9400100000000000000011")
	w.ship(t, r2.POs[0], "9400100000000000000011")
	w.deliver(t)
	van := checkpoint{w.now.Add(-time.Hour).UTC().Format(time.RFC3339), "OutForDelivery", "OutForDelivery_001", "Out for delivery", "SPRINGFIELD, IL, US"}
	if out := w.mustPost(t, afterShipUpdate("9400100000000000000011", van)); out.Shipments != 2 {
		t.Fatalf("the update was for %d shipments, want both", out.Shipments)
	}
	if got := w.outbox(t, store.TopicCustomerUpdate); len(got) != 1 {
		t.Errorf("%d emails for one parcel of one order", len(got))
	}
	w.checkInvariants(t)
}
