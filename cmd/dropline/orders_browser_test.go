package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// TestBrowserMerchantDropshipsAnOrder: the merchant filters to Needs
// dropship, opens an order, edits the PO number and ship-to, ticks the box,
// submits, and sees the PO with the badge changed.
func TestBrowserMerchantDropshipsAnOrder(t *testing.T) {
	a, newTab := browserApp(t)
	ctx := context.Background()
	merchant := demoMerchant(t, a)
	waitForDemoProducts(t, a, merchant.ID)
	order, _, err := a.db.CreateOrder(ctx, store.Actor{Name: "test"}, merchant.ID, orderfile.Order{Channel: "shopify", ChannelOrderID: "#7001", Currency: "USD",
		Customer: orderfile.Customer{Name: "Rosa Parks", Email: "rosa@example.com"},
		ShipTo:   orderfile.Address{Name: "Rosa Parks", Address1: "12 Elm St", City: "Montgomery", Region: "AL", PostalCode: "36104", Country: "US"},
		Lines:    []orderfile.Line{{SKU: "ACM-STOVE", Title: "Trailblaze camp stove", Quantity: 1, UnitPriceCents: 5900}}})
	if err != nil {
		t.Fatal(err)
	}
	if !order.Dropship {
		t.Fatalf("the order has no linked products: %+v", order.Lines)
	}

	tab, cancel := newTab()
	defer cancel()
	err = chromedp.Do(tab, append(signIn(a.URL(), "merchant@dropline.test"),
		chromedp.Navigate(a.URL()+"/orders?tab=all"),
		chromedp.WaitVisible(`[data-testid="order-tabs"]`),
		// Filter to Needs dropship with the tab (an htmx swap).
		chromedp.Click(`[data-testid="order-tabs"] a:first-child`),
		chromedp.WaitVisible(`[data-testid="order-tabs"] a.active:first-child`),
		chromedp.WaitVisible(`[data-testid="dropship-badge"]`),
	)...)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := chromedp.Run(tab, chromedp.Location())
	if !strings.Contains(loc, "tab=needs_dropship") {
		t.Fatalf("the address bar is %s; the tab should be in the URL", loc)
	}
	screenshot(tab, t, "orders-1-needs-dropship")
	err = chromedp.Do(tab,
		chromedp.Click(`[data-testid="order-row"] a`),
		chromedp.WaitVisible(`[data-testid="dropship-form"]`),
		chromedp.SetValue(`[data-testid="po-number"]`, "NW-TEST-1"),
		chromedp.SetValue(`input[name="ship_address1"]`, "99 Changed Ave"),
		chromedp.Click(`[data-testid="confirm"]`),
		chromedp.Click(`[data-testid="dropship-submit"]`),
		chromedp.WaitVisible(`[data-testid="line-po"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	po, _ := chromedp.Run(tab, chromedp.Text(`[data-testid="line-po"]`))
	status, _ := chromedp.Run(tab, chromedp.Text(`h1 [data-testid="order-status"]`))
	if strings.TrimSpace(po) != "NW-TEST-1" || strings.TrimSpace(status) != "Dropshipped" {
		t.Fatalf("after dropship: PO %q status %q", po, status)
	}
	screenshot(tab, t, "orders-2-dropshipped")
	err = chromedp.Do(tab,
		chromedp.Click(`[data-testid="line-po"]`),
		chromedp.WaitVisible(`[data-testid="po-status"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := chromedp.Run(tab, chromedp.Text(`main`))
	if !strings.Contains(body, "99 Changed Ave") {
		t.Fatal("the PO does not carry the edited ship-to")
	}
	screenshot(tab, t, "orders-3-po")
	// Back on the list the order has left Needs dropship.
	err = chromedp.Do(tab, chromedp.Navigate(a.URL()+"/orders?tab=dropshipped"), chromedp.WaitVisible(`[data-testid="order-row"]`))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := chromedp.Run(tab, chromedp.Text(`[data-testid="orders"]`))
	if !strings.Contains(rows, "#7001") {
		t.Fatalf("Dropshipped tab does not list #7001: %q", rows)
	}
}

// waitForDemoProducts waits until the ticker's first pull has linked the demo
// supplier's products to the merchant (it starts as the app starts).
func waitForDemoProducts(t *testing.T, a *app, merchantID int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		_, linked, err := a.db.LinkedProducts(context.Background(), merchantID, store.ProductFilter{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, lp := range linked {
			if len(lp.Sources) > 0 {
				n++
			}
		}
		if n >= 8 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the demo feed was not pulled within 20 s")
}
