package store_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"pgregory.net/rapid"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/fetch"
	"github.com/dropline/dropline/store/orderfile"
	"github.com/dropline/dropline/store/storetest"
)

// The stateful property test: two merchants and two suppliers, random
// sequences of what their people do, the store's invariants checked after
// every step, and no action a user could legitimately take refused.
//
// go test ./store runs machineChecks sequences; more with
// go test ./store -run TestStoreSequences -rapid.checks=500 -rapid.steps=100.
const machineChecks = 25

// machineWorld is the template database every sequence starts from, and
// the IDs in it.
type machineWorld struct {
	path       string
	merchants  []store.Account // M1 (S1 and S2), M2 (S1 only)
	suppliers  []store.Account // S1 (two feeds), S2
	mActors    []store.Actor
	sActors    []store.Actor
	products   map[int64]map[string]int64 // supplier → SKU → product ID
	subs       map[int64][]int64          // merchant → subscriptions
	skus       []string
	subSupplie map[int64]int64 // subscription → supplier
	links      []machineLink
	// website is M1's website supplier (outside Dropline), whose POs M1's
	// own people work: its catalog, W-1, is M1's only.
	website store.Account
}

// machineLink is a vendor link and the merchant's index.
type machineLink struct {
	merchant int
	id       int64
}

func buildMachineWorld(t *testing.T) *machineWorld {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "template.db")
	if storetest.OnPostgres() {
		path = storetest.EmptyPostgres(t) // each run starts from a copy of it
	}
	w := &machineWorld{path: path, products: map[int64]map[string]int64{}, subs: map[int64][]int64{},
		skus: []string{"X-1", "X-2", "X-3", "W-1", "OWN-1"}, subSupplie: map[int64]int64{}}
	ctx := context.Background()
	db, err := store.Open(ctx, w.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db.PasswordCost = bcrypt.MinCost
	mk := func(name, kind string) (store.Account, store.Actor) {
		a, u, err := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: name, Kind: kind}, strings.ToLower(name)+"@example.com", pw)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateAccountSettings(ctx, store.CLIActor, a.ID, store.AccountSettings{Name: name, TimeZone: "UTC", DropshipEnabled: true}); err != nil {
			t.Fatal(err)
		}
		return a, store.Actor{UserID: u.ID, Name: u.Email}
	}
	for _, n := range []string{"M1", "M2"} {
		a, act := mk(n, store.KindMerchant)
		w.merchants, w.mActors = append(w.merchants, a), append(w.mActors, act)
	}
	for _, n := range []string{"S1", "S2"} {
		a, act := mk(n, store.KindSupplier)
		w.suppliers, w.sActors = append(w.suppliers, a), append(w.sActors, act)
		ss, err := db.SupplierStatuses(ctx, a.ID)
		if err != nil || len(ss) == 0 {
			t.Fatal(err)
		}
		if err := db.SetInitialStatus(ctx, act, a.ID, ss[0].ID); err != nil {
			t.Fatal(err)
		}
		w.products[a.ID] = map[string]int64{}
	}
	s1, s2 := w.suppliers[0], w.suppliers[1]
	for _, l := range []struct {
		s store.Account
		m int
	}{{s1, 0}, {s2, 0}, {s1, 1}} {
		link, err := db.CreateLink(ctx, store.CLIActor, l.s.ID, w.merchants[l.m].ID)
		if err != nil {
			t.Fatal(err)
		}
		w.links = append(w.links, machineLink{merchant: l.m, id: link.ID})
	}
	for i, s := range []store.Account{s1, s2} {
		skus := []string{"X-1", "X-2", "X-3"}
		if i == 1 {
			skus = skus[:2] // S2 carries: second sources at M1
		}
		for _, sku := range skus {
			p, err := db.SaveProduct(ctx, w.sActors[i], s.ID, 0, store.ProductInput{SKU: sku, Title: sku + " from " + s.Name, Quantity: 6, LeadTimeDays: 1,
				CostCents: 500, HasCost: true, Active: true, Tags: []string{"core"}})
			if err != nil {
				t.Fatal(err)
			}
			w.products[s.ID][sku] = p.ID
		}
	}
	all1, err := db.SaveFeed(ctx, w.sActors[0], s1.ID, 0, store.FeedInput{Name: "All", Selection: store.SelectAll, Fields: store.FeedFields, AllMerchants: true})
	if err != nil {
		t.Fatal(err)
	}
	some1, err := db.SaveFeed(ctx, w.sActors[0], s1.ID, 0, store.FeedInput{Name: "Some", Selection: store.SelectSKUs, SelectionValue: "X-1, X-2", Fields: store.FeedFields, AllMerchants: true})
	if err != nil {
		t.Fatal(err)
	}
	all2, err := db.SaveFeed(ctx, w.sActors[1], s2.ID, 0, store.FeedInput{Name: "All", Selection: store.SelectAll, Fields: store.FeedFields, AllMerchants: true})
	if err != nil {
		t.Fatal(err)
	}
	// M1 takes both of S1's feeds (X-1 and X-2 are in each) and S2's.
	for _, sub := range []struct {
		m        store.Account
		feed     store.Feed
		supplier int64
	}{{w.merchants[0], all1, s1.ID}, {w.merchants[0], some1, s1.ID}, {w.merchants[0], all2, s2.ID}, {w.merchants[1], all1, s1.ID}} {
		s, err := db.SaveSubscription(ctx, store.CLIActor, sub.m.ID, 0, store.SubscriptionInput{FeedID: sub.feed.ID, IntervalMinutes: 60, DropThresholdPct: 100, StaleAfterHours: 26})
		if err != nil {
			t.Fatal(err)
		}
		w.subs[sub.m.ID] = append(w.subs[sub.m.ID], s.ID)
		w.subSupplie[s.ID] = sub.supplier
		puller := &store.Puller{DB: db}
		if _, err := puller.PullNow(ctx, sub.m.ID, s.ID); err != nil {
			t.Fatal(err)
		}
		puller.Wait()
	}
	// M1 also buys W-1 from a website, by hand, for its customers.
	site := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		fmt.Fprint(rw, "sku,title,cost,quantity,url,active\nW-1,Lamp,7.40,50,https://site.example/w-1,true\n")
	}))
	defer site.Close()
	website, err := db.CreateManagedSupplier(ctx, w.mActors[0], w.merchants[0].ID, store.ManagedSupplierInput{Contact: store.ContactWebsite, Name: "Site",
		Website: "https://site.example"})
	if err != nil {
		t.Fatal(err)
	}
	w.website = website.Account
	siteSub, err := db.SaveSubscription(ctx, store.CLIActor, w.merchants[0].ID, 0, store.SubscriptionInput{Name: "Site", URL: site.URL + "/c.csv",
		IntervalMinutes: 60, DropThresholdPct: 100, StaleAfterHours: 26})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetSubscriptionSupplier(ctx, w.mActors[0], w.merchants[0].ID, siteSub.ID, w.website.ID); err != nil {
		t.Fatal(err)
	}
	puller := &store.Puller{DB: db, Fetcher: &fetch.Fetcher{AllowPrivate: true}}
	if _, err := puller.PullNow(ctx, w.merchants[0].ID, siteSub.ID); err != nil {
		t.Fatal(err)
	}
	puller.Wait()
	if err := db.CheckInvariants(ctx); err != nil {
		t.Fatal(err)
	}
	return w
}

// sideActor is who works a PO's supplier side: the supplier's admin, or
// for the website supplier, M1's.
func (w *machineWorld) sideActor(t *rapid.T, supplierID int64) store.Actor {
	for i, s := range w.suppliers {
		if s.ID == supplierID {
			return w.sActors[i]
		}
	}
	if supplierID == w.website.ID {
		return w.mActors[0]
	}
	t.Fatalf("a PO of an unknown supplier %d", supplierID)
	return store.Actor{}
}

// machine is one sequence: a copy of the template and what was done to it.
type machine struct {
	w        *machineWorld
	db       *store.DB
	ctx      context.Context
	orders   map[int64][]int64 // merchant → orders
	used     map[int64]map[string]bool
	tracking int
}

func (m *machine) merchant(t *rapid.T) (int, store.Account) {
	i := rapid.IntRange(0, len(m.w.merchants)-1).Draw(t, "merchant")
	return i, m.w.merchants[i]
}

// order draws one of a merchant's orders, skipping the action when it has none.
func (m *machine) order(t *rapid.T, merchantID int64) store.Order {
	ids := m.orders[merchantID]
	if len(ids) == 0 {
		t.Skip("no orders yet")
	}
	o, err := m.db.Order(m.ctx, merchantID, rapid.SampledFrom(ids).Draw(t, "order"))
	if err != nil {
		t.Fatalf("read order: %v", err)
	}
	return o
}

// supplierPO draws a PO of any merchant as its supplier sees it, with the
// supplier's index.
func (m *machine) supplierPO(t *rapid.T, keep func(store.PurchaseOrder) bool) (store.Actor, store.PurchaseOrder) {
	var all []store.PurchaseOrder
	for _, acc := range m.w.merchants {
		page, err := m.db.PurchaseOrders(m.ctx, acc.ID, store.POFilter{PerPage: 200})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.POs {
			full, err := m.db.PurchaseOrder(m.ctx, acc.ID, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if keep(full) {
				all = append(all, full)
			}
		}
	}
	if len(all) == 0 {
		t.Skip("no such PO")
	}
	p := rapid.SampledFrom(all).Draw(t, "po")
	return m.w.sideActor(t, p.SupplierID), p
}

func (m *machine) CreateOrder(t *rapid.T) {
	_, acc := m.merchant(t)
	n := rapid.IntRange(1, 3).Draw(t, "lines")
	skus := rapid.Permutation(m.w.skus).Draw(t, "skus")[:n]
	var lines []orderfile.Line
	for _, sku := range skus {
		lines = append(lines, orderfile.Line{SKU: sku, Title: sku, Quantity: rapid.IntRange(1, 3).Draw(t, "qty"), UnitPriceCents: 1299})
	}
	number := fmt.Sprintf("#%d", 1000+len(m.orders[acc.ID]))
	email := "" // some customers get shipping emails and their tracking page
	if rapid.Bool().Draw(t, "customer email") {
		email = "ada@example.com"
	}
	o, created, err := m.db.CreateOrder(m.ctx, store.CLIActor, acc.ID, orderfile.Order{Channel: "shopify", ChannelOrderID: number, Currency: "USD",
		Customer: orderfile.Customer{Name: "Ada", Email: email}, ShipTo: shipTo(), Lines: lines})
	if err != nil || !created {
		t.Fatalf("create order %s: %v", number, err)
	}
	m.orders[acc.ID] = append(m.orders[acc.ID], o.ID)
	// Automatic dropship may have sent it: never refused for a reason of
	// the store's own making.
	events, err := m.db.OrderEvents(m.ctx, acc.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Kind == "auto_dropship_skipped" && (strings.Contains(e.Message, "already used") || strings.Contains(e.Message, "went wrong")) {
			t.Fatalf("automatic dropship of %s refused: %s", number, e.Message)
		}
	}
	pos, err := m.db.OrderPurchaseOrders(m.ctx, acc.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pos {
		m.used[acc.ID][p.PONumber] = true
	}
}

// LinkSettings has a merchant's admin change a link's automatic dropship
// and PO number format.
func (m *machine) LinkSettings(t *rapid.T) {
	l := rapid.SampledFrom(m.w.links).Draw(t, "link")
	in := store.MerchantLinkSettings{AutoDropship: rapid.Bool().Draw(t, "auto"), POFormat: store.POFormatSequence,
		POPrefix: rapid.SampledFrom([]string{"PO-", "PO-", "ACME-"}).Draw(t, "prefix"), EarnOn: store.EarnOnShipped}
	if rapid.IntRange(0, 3).Draw(t, "format") == 0 {
		in.POFormat = store.POFormatChannel
	}
	if _, err := m.db.UpdateMerchantLinkSettings(m.ctx, m.w.mActors[l.merchant], m.w.merchants[l.merchant].ID, l.id, in); err != nil {
		t.Fatalf("link settings %+v: %v", in, err)
	}
}

// Reroute sends a line off its PO (rejected or cancelled) to a source the
// merchant picks by name, the rejecting supplier included.
func (m *machine) Reroute(t *rapid.T) {
	i, acc := m.merchant(t)
	o := m.order(t, acc.ID)
	plan, err := m.db.DropshipPlan(m.ctx, acc.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	var choices []store.DropshipLine
	for _, l := range plan.Lines {
		if l.PO != nil || l.Rejected == nil {
			continue
		}
		for _, op := range l.Options {
			if op.Eligible {
				choices = append(choices, store.DropshipLine{OrderLineID: l.ID, SourceID: op.ID})
			}
		}
	}
	if len(choices) == 0 {
		t.Skip("no line to re-route")
	}
	pick := rapid.SampledFrom(choices).Draw(t, "reroute")
	res, err := m.db.Dropship(m.ctx, m.w.mActors[i], acc.ID, o.ID, store.DropshipRequest{IdempotencyKey: fmt.Sprintf("reroute-%d-%d", o.ID, m.tracking),
		Confirm: true, Lines: []store.DropshipLine{pick}})
	m.tracking++
	if err != nil || len(res.POs) != 1 {
		t.Fatalf("re-route of line %d to source %d: %+v %v", pick.OrderLineID, pick.SourceID, res, err)
	}
	m.used[acc.ID][res.POs[0].PONumber] = true
}

// openForm draws a merchant's order with something to dropship and the
// form the order page shows for it.
func (m *machine) openForm(t *rapid.T) (int, store.Account, store.Order, store.DropshipPlan) {
	i, acc := m.merchant(t)
	o := m.order(t, acc.ID)
	plan, err := m.db.DropshipPlan(m.ctx, acc.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Groups) == 0 {
		t.Skip("nothing to dropship")
	}
	return i, acc, o, plan
}

// DropshipAsProposed submits the form as the order page fills it: every
// line it ticks, to its default source, with the PO numbers it proposes.
// A form with a line to send must go through.
func (m *machine) DropshipAsProposed(t *rapid.T) {
	i, acc, o, plan := m.openForm(t)
	req := store.DropshipRequest{IdempotencyKey: plan.Key, Confirm: true, PONumbers: map[int64]string{}, Proposed: map[int64]string{}}
	for _, g := range plan.Groups {
		if m.used[acc.ID][g.PONumber] {
			t.Fatalf("the form proposes %s, already used by merchant %s", g.PONumber, acc.Name)
		}
		req.PONumbers[g.SupplierID], req.Proposed[g.SupplierID] = g.PONumber, g.PONumber
	}
	m.dropship(t, i, o, req, true)
}

// DropshipTyped submits the form with a number typed for its first
// supplier, in the sequence's own format or not.
func (m *machine) DropshipTyped(t *rapid.T) {
	i, acc, o, plan := m.openForm(t)
	typed := rapid.SampledFrom([]string{"PO-%06d", "MANUAL-%d"}).Draw(t, "format")
	number := fmt.Sprintf(typed, rapid.IntRange(1, 40).Draw(t, "typed"))
	req := store.DropshipRequest{IdempotencyKey: plan.Key, Confirm: true, PONumbers: map[int64]string{plan.Groups[0].SupplierID: number}}
	res, err := m.db.Dropship(m.ctx, m.w.mActors[i], acc.ID, o.ID, req)
	if m.used[acc.ID][number] {
		if !strings.Contains(store.UserText(err), "already used") {
			t.Fatalf("a used number %s typed again: %v", number, err)
		}
		return
	}
	m.checkDropship(t, acc, o, plan, res, err)
}

// DropshipSelected is Dropship selected on the order list: no numbers,
// default sources.
func (m *machine) DropshipSelected(t *rapid.T) {
	i, acc := m.merchant(t)
	o := m.order(t, acc.ID)
	m.dropship(t, i, o, store.DropshipRequest{IdempotencyKey: fmt.Sprintf("bulk-%d-%d", o.ID, m.tracking), Confirm: true}, false)
	m.tracking++
}

func (m *machine) dropship(t *rapid.T, i int, o store.Order, req store.DropshipRequest, mustSend bool) {
	acc := m.w.merchants[i]
	plan, err := m.db.DropshipPlan(m.ctx, acc.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.db.Dropship(m.ctx, m.w.mActors[i], acc.ID, o.ID, req)
	if !mustSend && len(plan.Groups) == 0 {
		return
	}
	m.checkDropship(t, acc, o, plan, res, err)
}

// checkDropship holds a dropship of a form with something to send to
// having sent it, and notes the numbers used.
func (m *machine) checkDropship(t *rapid.T, acc store.Account, o store.Order, plan store.DropshipPlan, res store.DropshipResult, err error) {
	if err != nil {
		t.Fatalf("dropship of order %d (plan %+v) refused: %v", o.ID, plan.Groups, err)
	}
	pos, err := m.db.OrderPurchaseOrders(m.ctx, acc.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pos {
		m.used[acc.ID][p.PONumber] = true
	}
	after, err := m.db.Order(m.ctx, acc.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range plan.Groups {
		for _, lid := range g.LineIDs {
			for _, l := range after.Lines {
				if l.ID == lid && l.PO == nil {
					t.Fatalf("line %d of order %d was eligible but is on no PO after the dropship: %+v", lid, o.ID, res.Problems)
				}
			}
		}
	}
}

// Reject has a supplier reject open lines: all of a line not shipped yet,
// the remainder of one shipped in part.
func (m *machine) Reject(t *rapid.T) {
	side, p := m.supplierPO(t, func(p store.PurchaseOrder) bool {
		return p.Status == store.POOpen || p.Status == store.POPartiallyShipped
	})
	var open []int64
	for _, l := range p.Lines {
		if l.Status == "open" {
			open = append(open, l.ID)
		}
	}
	if len(open) == 0 {
		t.Skip("no open line")
	}
	lines := rapid.SliceOfNDistinct(rapid.SampledFrom(open), 1, len(open), rapid.ID[int64]).Draw(t, "reject")
	if err := m.db.RejectPOLines(m.ctx, side, p.SupplierID, p.ID, lines, "out of stock"); err != nil {
		t.Fatalf("reject %v of PO %s: %v", lines, p.PONumber, err)
	}
}

func (m *machine) RequestCancel(t *rapid.T) {
	_, p := m.supplierPO(t, func(p store.PurchaseOrder) bool {
		return (p.Status == store.POOpen || p.Status == store.POPartiallyShipped) && p.CancelState != "requested"
	})
	for i, acc := range m.w.merchants {
		if acc.ID == p.AccountID {
			if _, err := m.db.RequestCancel(m.ctx, m.w.mActors[i], acc.ID, p.ID, "customer changed their mind"); err != nil {
				t.Fatalf("request cancel of %s: %v", p.PONumber, err)
			}
		}
	}
}

func (m *machine) AnswerCancel(t *rapid.T) {
	side, p := m.supplierPO(t, func(p store.PurchaseOrder) bool { return p.CancelState == "requested" })
	accept := rapid.Bool().Draw(t, "accept") && (p.Status == store.POOpen || p.Status == store.POPartiallyShipped)
	if err := m.db.AnswerCancel(m.ctx, side, p.SupplierID, p.ID, accept, "already packed"); err != nil {
		t.Fatalf("answer cancel of %s (accept %v): %v", p.PONumber, accept, err)
	}
}

func (m *machine) Ship(t *rapid.T) {
	side, p := m.supplierPO(t, func(p store.PurchaseOrder) bool {
		return (p.Status == store.POOpen || p.Status == store.POPartiallyShipped) && p.CancelState != "requested"
	})
	var lines []store.ShipmentLine
	for _, l := range p.Lines {
		if left := l.Quantity - l.ShippedQty; l.Status == "open" && left > 0 {
			lines = append(lines, store.ShipmentLine{POLineID: l.ID, Quantity: rapid.IntRange(0, left).Draw(t, "ship")})
		}
	}
	lines = slices.DeleteFunc(lines, func(l store.ShipmentLine) bool { return l.Quantity == 0 })
	if len(lines) == 0 {
		t.Skip("nothing drawn to ship")
	}
	m.tracking++
	_, err := m.db.AddShipment(m.ctx, side, p.SupplierID, p.ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: fmt.Sprintf("1Z999AA1%010d", m.tracking),
		ShipDate: time.Now().UTC().Format("2006-01-02"), Override: true, Lines: lines})
	if err != nil {
		t.Fatalf("ship %v of %s: %v", lines, p.PONumber, err)
	}
}

func (m *machine) Deliver(t *rapid.T) {
	side, p := m.supplierPO(t, func(p store.PurchaseOrder) bool { return p.Status == store.POShipped })
	ships, err := m.db.Shipments(m.ctx, p.SupplierID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range ships {
		if sh.DeliveredAt == nil {
			if err := m.db.MarkDelivered(m.ctx, side, p.SupplierID, sh.ID); err != nil {
				t.Fatalf("deliver shipment %d: %v", sh.ID, err)
			}
		}
	}
}

func (m *machine) CloseOrder(t *rapid.T) {
	i, acc := m.merchant(t)
	o := m.order(t, acc.ID)
	if o.Status != store.OrderException {
		t.Skip("only an order in Exceptions is offered Close")
	}
	err := m.db.CloseOrder(m.ctx, m.w.mActors[i], acc.ID, o.ID, "customer refunded")
	var open bool
	for _, l := range o.Lines {
		open = open || (l.PO != nil && l.PO.Status == "open")
	}
	switch {
	case open && !errors.Is(err, store.ErrConflict):
		t.Fatalf("closed order %d with a line on an open PO: %v", o.ID, err)
	case !open && err != nil:
		t.Fatalf("close order %d: %v", o.ID, err)
	}
	if got, _ := m.db.Order(m.ctx, acc.ID, o.ID); !open && got.Status != store.OrderCancelled {
		t.Fatalf("closed order %d is %s", o.ID, got.Status)
	}
}

// StockChange has a supplier change a product's quantity, or take it out
// of its feeds or put it back, and a merchant pull one of its subscriptions.
func (m *machine) StockChange(t *rapid.T) {
	si := rapid.IntRange(0, len(m.w.suppliers)-1).Draw(t, "supplier")
	s := m.w.suppliers[si]
	var skus []string
	for sku := range m.w.products[s.ID] {
		skus = append(skus, sku)
	}
	slices.Sort(skus)
	sku := rapid.SampledFrom(skus).Draw(t, "sku")
	if _, err := m.db.SaveProduct(m.ctx, m.w.sActors[si], s.ID, m.w.products[s.ID][sku], store.ProductInput{SKU: sku, Title: sku + " from " + s.Name,
		Quantity: rapid.IntRange(0, 8).Draw(t, "quantity"), LeadTimeDays: 1, CostCents: 500, HasCost: true,
		Active: rapid.IntRange(0, 4).Draw(t, "active") > 0, Tags: []string{"core"}}); err != nil { // an inactive product leaves the feeds
		t.Fatalf("save product: %v", err)
	}
	_, acc := m.merchant(t)
	sub := rapid.SampledFrom(m.w.subs[acc.ID]).Draw(t, "subscription")
	puller := &store.Puller{DB: m.db}
	run, err := puller.PullNow(m.ctx, acc.ID, sub)
	if err != nil {
		t.Fatalf("pull: %v", err)
	}
	puller.Wait()
	// A feed whose every product was taken out has nothing to apply: the
	// pull fails and changes nothing, as it should.
	got, err := m.db.FeedRun(m.ctx, acc.ID, run.ID)
	if err != nil || (got.State != store.RunSucceeded && got.Message != "The feed has no usable products.") {
		t.Fatalf("pull of subscription %d: %+v %v", sub, got, err)
	}
}

// ImportCatalogFile: a supplier uploads its shop's export (Dropline's
// template, a Shopify export or a Google Merchant feed) with new quantities
// for some of its products, through Products → Import, and a merchant pulls.
// Nothing in the file is refused, and the products hold what it said.
func (m *machine) ImportCatalogFile(t *rapid.T) {
	si := rapid.IntRange(0, len(m.w.suppliers)-1).Draw(t, "supplier")
	s := m.w.suppliers[si]
	var skus []string
	for sku := range m.w.products[s.ID] {
		skus = append(skus, sku)
	}
	slices.Sort(skus)
	chosen := rapid.SliceOfNDistinct(rapid.SampledFrom(skus), 1, len(skus), rapid.ID[string]).Draw(t, "skus")
	qty := map[string]int{}
	format := rapid.SampledFrom([]string{"dropline", "shopify", "google"}).Draw(t, "format")
	var b strings.Builder
	switch format {
	case "dropline":
		b.WriteString("sku,title,quantity,cost,active\n")
	case "shopify":
		b.WriteString("Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Inventory Qty,Variant Price,Cost per item,Status\n")
	case "google":
		b.WriteString("id\ttitle\tavailability\tquantity\tprice\n")
	}
	for _, sku := range chosen {
		q := rapid.IntRange(0, 9).Draw(t, "quantity")
		qty[sku] = q
		title := sku + " from " + s.Name
		switch format {
		case "dropline":
			fmt.Fprintf(&b, "%s,%s,%d,5.00,true\n", sku, title, q)
		case "shopify":
			fmt.Fprintf(&b, "%s,%s,Title,Default Title,%s,%d,,5.00,active\n", strings.ToLower(sku), title, sku, q)
		case "google":
			avail := "in stock"
			if q == 0 {
				avail = "out of stock"
			}
			fmt.Fprintf(&b, "%s\t%s\t%s\t%d pcs\t\n", sku, title, avail, q)
		}
	}
	body := []byte(b.String())
	opt := store.DefaultImportOptions()
	plan, err := m.db.PreviewImport(m.ctx, s.ID, store.ImportCatalog, body, opt)
	if err != nil || plan.ErrorRows != 0 || plan.ErrorsAll != 0 || len(plan.Loses()) != 0 || plan.Create != 0 {
		t.Fatalf("%s file preview: %+v, %v\n%s", format, plan, err, body)
	}
	if _, err := m.db.ApplyImport(m.ctx, m.w.sActors[si], s.ID, store.ImportCatalog, body, opt); err != nil {
		t.Fatalf("%s file apply: %v", format, err)
	}
	for sku, q := range qty {
		p, err := m.db.Product(m.ctx, s.ID, m.w.products[s.ID][sku])
		if err != nil || p.Quantity != q || p.CostCents != 500 {
			t.Fatalf("after importing the %s file, %s = %+v, %v; want quantity %d, cost 5.00", format, sku, p, err, q)
		}
	}
	// A merchant pulls one of this supplier's feeds: the quantities the file
	// gave reach the merchant's sources of those products.
	type pick struct {
		merchant store.Account
		sub      int64
	}
	var picks []pick
	for _, acc := range m.w.merchants {
		for _, sub := range m.w.subs[acc.ID] {
			if m.w.subSupplie[sub] == s.ID {
				picks = append(picks, pick{acc, sub})
			}
		}
	}
	pk := rapid.SampledFrom(picks).Draw(t, "pull")
	puller := &store.Puller{DB: m.db}
	run, err := puller.PullNow(m.ctx, pk.merchant.ID, pk.sub)
	if err != nil {
		t.Fatalf("pull: %v", err)
	}
	puller.Wait()
	got, err := m.db.FeedRun(m.ctx, pk.merchant.ID, run.ID)
	if err != nil || (got.State != store.RunSucceeded && got.Message != "The feed has no usable products.") {
		t.Fatalf("pull of subscription %d after an import: %+v %v", pk.sub, got, err)
	}
	if got.State != store.RunSucceeded {
		return
	}
	_, lps, err := m.db.LinkedProducts(m.ctx, pk.merchant.ID, store.ProductFilter{PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	for sku, q := range qty {
		if p, err := m.db.Product(m.ctx, s.ID, m.w.products[s.ID][sku]); err != nil || !p.Active {
			continue // an inactive product has left the feeds
		}
		for _, lp := range lps {
			for _, src := range lp.Sources {
				if src.SubscriptionID == pk.sub && src.SupplierSKU == sku && src.Available != q {
					t.Fatalf("after importing %s=%d and pulling subscription %d, the merchant's source has %d available", sku, q, pk.sub, src.Available)
				}
			}
		}
	}
}

// RecordSiteOrder has M1's people record (or correct) the order placed on
// the website supplier's site for one of its POs: never refused, and the
// PO is acknowledged.
func (m *machine) RecordSiteOrder(t *rapid.T) {
	_, p := m.supplierPO(t, func(p store.PurchaseOrder) bool { return p.SupplierID == m.w.website.ID })
	number := fmt.Sprintf("SITE-%d", rapid.IntRange(1, 99999).Draw(t, "site order"))
	if err := m.db.RecordExternalOrder(m.ctx, m.w.mActors[0], p.AccountID, p.ID, store.ExternalOrderInput{Number: number,
		Paid: rapid.SampledFrom([]string{"", "7.40", "12"}).Draw(t, "paid")}); err != nil {
		t.Fatalf("record the site's order of %s: %v", p.PONumber, err)
	}
	got, err := m.db.PurchaseOrder(m.ctx, p.AccountID, p.ID)
	if err != nil || got.External.Number != number {
		t.Fatalf("%s after recording %s: %+v, %v", p.PONumber, number, got.External, err)
	}
	if qp, err := m.db.QueuePurchaseOrder(m.ctx, p.SupplierID, p.ID); err != nil || !qp.Acknowledged {
		t.Fatalf("%s not acknowledged after its site order was recorded: %v", p.PONumber, err)
	}
}

// Check runs after every step: the store's invariants, and what a user
// would see that they do not cover.
func (m *machine) Check(t *rapid.T) {
	if err := m.db.CheckInvariants(m.ctx); err != nil {
		t.Fatal(err)
	}
	for _, acc := range m.w.merchants {
		for _, id := range m.orders[acc.ID] {
			o, err := m.db.Order(m.ctx, acc.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			// A line's live PO carries what did not ship on the POs
			// whose remainder ended, no more and no less.
			pos, err := m.db.OrderPurchaseOrders(m.ctx, acc.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			// The customer's tracking page shows every parcel of the
			// order and exactly what its live POs have still to send.
			ct, err := m.db.CustomerTrackingPreview(m.ctx, acc.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			parcels, toShip := 0, 0
			for _, p := range pos {
				ships, err := m.db.Shipments(m.ctx, acc.ID, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				parcels += len(ships)
			}
			if o.Status != store.OrderCancelled {
				for _, l := range o.Lines {
					shipped := l.ShippedBefore
					if l.PO != nil {
						shipped += l.PO.Shipped
					}
					toShip += max(l.Quantity-shipped, 0)
				}
			}
			shown := 0
			for _, it := range ct.ToShip {
				shown += it.Quantity
			}
			if len(ct.Parcels) != parcels || shown != toShip {
				t.Fatalf("order %d's tracking page: %d parcels and %d to ship, want %d and %d", id, len(ct.Parcels), shown, parcels, toShip)
			}
			for _, l := range o.Lines {
				if l.Remaining() < 1 || l.ShippedBefore < 0 {
					t.Fatalf("order %d line %d: %d of %d shipped before", id, l.ID, l.ShippedBefore, l.Quantity)
				}
				for _, p := range pos {
					for _, pl := range p.Lines {
						if l.PO != nil && pl.OrderLineID == l.ID && (pl.Status == "open" || pl.Status == "shipped") && pl.Quantity != l.Remaining() {
							t.Fatalf("order %d line %d: %d on live %s, %d left to send", id, l.ID, pl.Quantity, p.PONumber, l.Remaining())
						}
					}
				}
			}
			// Exceptions hold only what needs someone's action: a line
			// off its PO after a rejection or cancellation, or a
			// cancellation waiting for the supplier.
			if o.Status == store.OrderException {
				waiting := false
				for _, l := range o.Lines {
					waiting = waiting || (l.PO == nil && l.Rejected != nil)
				}
				for _, p := range pos {
					waiting = waiting || p.CancelState == "requested"
				}
				if !waiting {
					t.Fatalf("order %d is in Exceptions with nothing waiting for anyone", id)
				}
			}
		}
	}
}

func TestStoreSequences(t *testing.T) {
	if f := flag.Lookup("rapid.checks"); f != nil && f.Value.String() == f.DefValue {
		f.Value.Set(fmt.Sprint(machineChecks))
		defer f.Value.Set(f.DefValue)
	}
	w := buildMachineWorld(t)
	rapid.Check(t, func(t *rapid.T) {
		path := filepath.Join(os.TempDir(), fmt.Sprintf("dropline-machine-%d-%s.db", os.Getpid(), rapid.StringMatching(`[a-z]{12}`).Draw(t, "name")))
		if storetest.OnPostgres() {
			dsn, drop, err := storetest.CopyPostgres(w.path)
			if err != nil {
				t.Fatal(err)
			}
			defer drop()
			path = dsn
		} else {
			copyFile(t, w.path, path)
			defer os.Remove(path)
		}
		ctx := context.Background()
		db, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		m := &machine{w: w, db: db, ctx: ctx, orders: map[int64][]int64{}, used: map[int64]map[string]bool{}}
		for _, acc := range w.merchants {
			m.used[acc.ID] = map[string]bool{}
		}
		t.Repeat(rapid.StateMachineActions(m))
	})
}

func copyFile(t *rapid.T, from, to string) {
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
