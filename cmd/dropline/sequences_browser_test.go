package main

import (
	"context"
	"fmt"
	"github.com/dropline/dropline/store/storetest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// TestBrowserFiveOrdersInARowOnTheDemo: on the database the demo start
// makes, the merchant dropships five orders one after another from the
// order page with what the form prefills. In its own browser the supplier
// ships one in part, rejects one, declines a cancellation and ships that
// order, and accepts another cancellation. The rejected line is re-routed
// to a second supplier as the form proposes, the cancelled order is closed,
// and each order ends where the merchant expects, Exceptions empty.
func TestBrowserFiveOrdersInARowOnTheDemo(t *testing.T) {
	fiveOrdersInARow(t, filepath.Join(t.TempDir(), "browser.db"))
}

// The same journey on a first start on PostgreSQL: the demo made there,
// the same pages, the same numbers.
func TestBrowserFiveOrdersInARowOnTheDemoOnPostgres(t *testing.T) {
	fiveOrdersInARow(t, storetest.EmptyPostgres(t))
}

func fiveOrdersInARow(t *testing.T, dsn string) {
	a, newTab := browserAppOn(t, dsn)
	ctx := context.Background()
	merchant := demoMerchant(t, a)
	waitForDemoProducts(t, a, merchant.ID)
	var orders []store.Order
	for i := range 5 {
		qty := 1
		if i == 0 {
			qty = 2 // shipped in two parcels below
		}
		o, _, err := a.db.CreateOrder(ctx, store.Actor{Name: "test"}, merchant.ID, orderfile.Order{Channel: "shopify", ChannelOrderID: fmt.Sprintf("#81%02d", i+1), Currency: "USD",
			Customer: orderfile.Customer{Name: "Rosa Parks", Email: "rosa@example.com"},
			ShipTo:   orderfile.Address{Name: "Rosa Parks", Address1: "12 Elm St", City: "Montgomery", Region: "AL", PostalCode: "36104", Country: "US"},
			Lines:    []orderfile.Line{{SKU: "ACM-MUG", Title: "Enamel mug", Quantity: qty, UnitPriceCents: 1200}}})
		if err != nil {
			t.Fatal(err)
		}
		orders = append(orders, o)
	}
	tab, cancel := newTab()
	defer cancel()
	if err := chromedp.Do(tab, signIn(a.URL(), "merchant@dropline.test")...); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, o := range orders {
		page := fmt.Sprintf("%s/orders/%d", a.URL(), o.ID)
		if err := chromedp.Do(tab, chromedp.Navigate(page), chromedp.WaitVisible(`[data-testid="po-number"]`)); err != nil {
			t.Fatalf("order %d: %v", i+1, err)
		}
		proposed, _ := chromedp.Run(tab, chromedp.Value(`[data-testid="po-number"]`))
		if proposed == "" || seen[proposed] {
			t.Fatalf("order %d: the form proposes %q, used before: %v", i+1, proposed, seen)
		}
		seen[proposed] = true
		err := chromedp.Do(tab,
			chromedp.Click(`[data-testid="confirm"]`),
			chromedp.Click(`[data-testid="dropship-submit"]`),
			chromedp.WaitVisible(`[data-testid="line-po"]`),
		)
		if err != nil {
			problems, _ := chromedp.Run(tab, chromedp.Text(`main`))
			t.Fatalf("order %d: dropship as prefilled (%s) did not go through: %v\n%s", i+1, proposed, err, problems)
		}
		if po, _ := chromedp.Run(tab, chromedp.Text(`[data-testid="line-po"]`)); strings.TrimSpace(po) != proposed {
			t.Fatalf("order %d is on %q, want the proposed %q", i+1, po, proposed)
		}
	}
	screenshot(tab, t, "sequence-1-five-dropshipped")

	// The supplier acts on them in its own browser: ships one in part,
	// rejects one, declines a cancellation (the merchant asks in its tab)
	// and then ships that one.
	poOf := func(o store.Order) store.PurchaseOrder {
		pos, err := a.db.OrderPurchaseOrders(ctx, merchant.ID, o.ID)
		if err != nil || len(pos) != 1 {
			t.Fatalf("POs of %s: %v %v", o.ChannelOrderID, pos, err)
		}
		return pos[0]
	}
	sTab, cancelS := newTab()
	defer cancelS()
	if err := chromedp.Do(sTab, signIn(a.URL(), "supplier@dropline.test")...); err != nil {
		t.Fatal(err)
	}
	supplierPO := func(o store.Order) string { return fmt.Sprintf("%s/dropship-orders/%d", a.URL(), poOf(o).ID) }
	ship := func(o store.Order, carrier, number, qty string) {
		t.Helper()
		acts := []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(supplierPO(o)),
			chromedp.WaitVisible(`[data-testid="tracking-form"]`),
			chromedp.SetValue(`select[name="carrier"]`, carrier),
			chromedp.SendKeys(`input[name="tracking_number"]`, number),
		}
		if qty != "" {
			acts = append(acts, chromedp.SetValue(`[data-testid="tracking-form"] input[type="number"]`, qty))
		}
		acts = append(acts, chromedp.Click(`[data-testid="add-shipment"]`), chromedp.WaitVisible(`[data-testid="shipment-row"]`))
		if err := chromedp.Do(sTab, acts...); err != nil {
			body, _ := chromedp.Run(sTab, chromedp.Text(`main`))
			t.Fatalf("ship %s: %v\n%s", o.ChannelOrderID, err, body)
		}
	}
	ship(orders[0], "ups", "1Z999AA10123456784", "1") // 1 of the 2 mugs
	err := chromedp.Do(sTab,
		chromedp.Navigate(supplierPO(orders[1])),
		chromedp.WaitVisible(`[data-testid="supplier-po-lines"]`),
		chromedp.Click(`[data-testid="supplier-po-lines"] input[name="line_ids"]`),
		chromedp.SendKeys(`input[name="reason"][aria-label="Reason for rejecting"]`, "discontinued colour"),
		chromedp.Click(`button.danger`),
		chromedp.WaitNotPresent(`[data-testid="tracking-form"]`),
	)
	if err != nil {
		t.Fatalf("reject: %v", err)
	}
	requestCancel := func(o store.Order) {
		t.Helper()
		err := chromedp.Do(tab,
			chromedp.Navigate(fmt.Sprintf("%s/purchase-orders/%d", a.URL(), poOf(o).ID)),
			chromedp.WaitVisible(`form[action$="/cancel"]`),
			chromedp.SendKeys(`form[action$="/cancel"] [name="reason"]`, "customer asked"),
			chromedp.Submit(`form[action$="/cancel"] [name="reason"]`),
			chromedp.WaitVisible(`[data-testid="po-cancel"]`),
		)
		if err != nil {
			t.Fatalf("request cancellation of %s: %v", o.ChannelOrderID, err)
		}
	}
	requestCancel(orders[2])
	err = chromedp.Do(sTab,
		chromedp.Navigate(supplierPO(orders[2])),
		chromedp.WaitVisible(`[data-testid="cancel-request"]`),
		chromedp.SendKeys(`[data-testid="cancel-request"] input[name="reason"]`, "already packed"),
		chromedp.Submit(`[data-testid="cancel-request"] input[name="reason"]`),
		chromedp.WaitNotPresent(`[data-testid="cancel-request"]`),
	)
	if err != nil {
		t.Fatalf("decline cancellation: %v", err)
	}
	ship(orders[2], "usps", "9400 1112 0108 0805 4830 16", "")
	requestCancel(orders[3])
	err = chromedp.Do(sTab,
		chromedp.Navigate(supplierPO(orders[3])),
		chromedp.WaitVisible(`[data-testid="cancel-accept"]`),
		chromedp.Click(`[data-testid="cancel-accept"]`),
		chromedp.WaitNotPresent(`[data-testid="cancel-request"]`),
	)
	if err != nil {
		t.Fatalf("accept cancellation: %v", err)
	}
	screenshot(sTab, t, "sequence-2-supplier")

	status := func(o store.Order) string {
		t.Helper()
		if err := chromedp.Do(tab, chromedp.Navigate(fmt.Sprintf("%s/orders/%d", a.URL(), o.ID)), chromedp.WaitVisible(`h1 [data-testid="order-status"]`)); err != nil {
			t.Fatal(err)
		}
		s, _ := chromedp.Run(tab, chromedp.Text(`h1 [data-testid="order-status"]`))
		return strings.TrimSpace(s)
	}
	for i, want := range []string{"Partially shipped", "Exception", "Shipped", "Exception", "Dropshipped"} {
		if got := status(orders[i]); got != want {
			t.Errorf("%s is %q, want %q", orders[i].ChannelOrderID, got, want)
		}
	}
	// A second supplier carries the mug: the rejected line is re-routed to
	// it with what the form proposes.
	secondDemoSupplier(t, a, merchant)
	if status(orders[1]) != "Exception" {
		t.FailNow()
	}
	screenshot(tab, t, "sequence-3-reroute-form")
	confirm, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector('[data-testid="confirm"]').closest('label').textContent`))
	if !strings.Contains(confirm, "Borealis Wholesale") || strings.Contains(confirm, "Acme") {
		t.Fatalf("the re-route form confirms %q, want the other supplier", strings.TrimSpace(confirm))
	}
	err = chromedp.Do(tab,
		chromedp.Click(`[data-testid="confirm"]`),
		chromedp.Click(`[data-testid="dropship-submit"]`),
		chromedp.WaitVisible(`[data-testid="line-po"]`),
	)
	if err != nil {
		body, _ := chromedp.Run(tab, chromedp.Text(`main`))
		t.Fatalf("re-route: %v\n%s", err, body)
	}
	if got := status(orders[1]); got != "Dropshipped" {
		t.Fatalf("after the re-route: %q", got)
	}
	// The cancelled one is closed.
	if status(orders[3]) != "Exception" {
		t.FailNow()
	}
	err = chromedp.Do(tab,
		chromedp.WaitVisible(`[data-testid="close-order"]`),
		chromedp.SendKeys(`input[name="close_reason"]`, "refunded the customer"),
		chromedp.Click(`[data-testid="close-order-submit"]`),
		// The page after the post offers Close no more.
		chromedp.WaitNotPresent(`[data-testid="close-order"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := status(orders[3]); got != "Cancelled" {
		body, _ := chromedp.Run(tab, chromedp.Text(`main`))
		t.Fatalf("after closing: %q\n%s", got, body)
	}
	screenshot(tab, t, "sequence-4-closed")
	if err := chromedp.Do(tab, chromedp.Navigate(a.URL()+"/orders?tab=exceptions"), chromedp.WaitVisible(`[data-testid="order-tabs"]`)); err != nil {
		t.Fatal(err)
	}
	if n, _ := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="order-row"]').length`)); n != 0 {
		t.Fatalf("Exceptions lists %d orders after every one was dealt with", n)
	}
	// On a phone the pages of the journey fit the screen: nothing scrolls
	// sideways (a wide table scrolls inside itself). Fresh tabs: the
	// journey's have used their time.
	tab, cancelM2 := newTab()
	defer cancelM2()
	sTab, cancelS2 := newTab()
	defer cancelS2()
	if err := chromedp.Do(tab, signIn(a.URL(), "merchant@dropline.test")...); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(sTab, signIn(a.URL(), "supplier@dropline.test")...); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		tab  context.Context
		path string
	}{
		{tab, fmt.Sprintf("/orders/%d", orders[0].ID)}, {tab, "/orders?tab=all"}, {tab, fmt.Sprintf("/purchase-orders/%d", poOf(orders[0]).ID)},
		{sTab, supplierPO(orders[0])[len(a.URL()):]}, {sTab, "/dropship-orders?tab=all"}, {sTab, "/settings/statuses"},
	} {
		if err := chromedp.Do(p.tab, chromedp.EmulateViewport(390, 844)); err != nil {
			t.Fatalf("viewport: %v", err)
		}
		if err := chromedp.Do(p.tab, chromedp.Navigate(a.URL()+p.path)); err != nil {
			t.Fatalf("navigate %s: %v", p.path, err)
		}
		if err := chromedp.Do(p.tab, chromedp.WaitReady(`#main`)); err != nil {
			t.Fatalf("wait %s: %v", p.path, err)
		}
		width, err := chromedp.Run(p.tab, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil || width > 390 {
			t.Errorf("%s at 390 px is %d px wide (%v)", p.path, width, err)
		}
	}
}

// secondDemoSupplier adds a supplier that carries the demo's mug, linked to
// the demo merchant, whose feed the merchant has pulled.
func secondDemoSupplier(t *testing.T, a *app, merchant store.Account) {
	t.Helper()
	ctx := context.Background()
	sup, _, err := a.db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Borealis Wholesale", Kind: store.KindSupplier}, "borealis@example.com", "borealis-pass-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.UpdateAccountSettings(ctx, store.CLIActor, sup.ID, store.AccountSettings{Name: sup.Name, TimeZone: "UTC", DropshipEnabled: true}); err != nil {
		t.Fatal(err)
	}
	statuses, err := a.db.SupplierStatuses(ctx, sup.ID)
	if err != nil || len(statuses) == 0 {
		t.Fatal(err)
	}
	if err := a.db.SetInitialStatus(ctx, store.CLIActor, sup.ID, statuses[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.CreateLink(ctx, store.CLIActor, sup.ID, merchant.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.SaveProduct(ctx, store.CLIActor, sup.ID, 0, store.ProductInput{SKU: "ACM-MUG", Title: "Enamel mug", Quantity: 40, LeadTimeDays: 1,
		CostCents: 390, HasCost: true, Active: true}); err != nil {
		t.Fatal(err)
	}
	feed, err := a.db.SaveFeed(ctx, store.CLIActor, sup.ID, 0, store.FeedInput{Name: "All", Selection: store.SelectAll, Fields: store.FeedFields, AllMerchants: true})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := a.db.SaveSubscription(ctx, store.CLIActor, merchant.ID, 0, store.SubscriptionInput{FeedID: feed.ID, IntervalMinutes: 60, DropThresholdPct: 30, StaleAfterHours: 26})
	if err != nil {
		t.Fatal(err)
	}
	puller := &store.Puller{DB: a.db}
	if _, err := puller.PullNow(ctx, merchant.ID, sub.ID); err != nil {
		t.Fatal(err)
	}
	puller.Wait()
}
