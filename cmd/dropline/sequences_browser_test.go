package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// TestBrowserFiveOrdersInARowOnTheDemo: on the database the demo start
// makes, the merchant dropships five orders one after another from the
// order page with what the form prefills; the supplier ships one in part,
// rejects one, and declines a cancellation then ships; each order ends
// where the merchant expects, and the rejected one is closed in the page.
func TestBrowserFiveOrdersInARowOnTheDemo(t *testing.T) {
	a, newTab := browserApp(t)
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

	// The supplier acts on them.
	supplier := demoAccount(t, a, "Acme Supply Co.")
	sActor := store.Actor{Name: "supplier@dropline.test"}
	poOf := func(o store.Order) store.PurchaseOrder {
		pos, err := a.db.OrderPurchaseOrders(ctx, merchant.ID, o.ID)
		if err != nil || len(pos) != 1 {
			t.Fatalf("POs of %s: %v %v", o.ChannelOrderID, pos, err)
		}
		return pos[0]
	}
	today := time.Now().UTC().Format("2006-01-02")
	po := poOf(orders[0])
	if _, err := a.db.AddShipment(ctx, sActor, supplier.ID, po.ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456784", ShipDate: today,
		Lines: []store.ShipmentLine{{POLineID: po.Lines[0].ID, Quantity: 1}}}); err != nil {
		t.Fatal(err)
	}
	po = poOf(orders[1])
	if err := a.db.RejectPOLines(ctx, sActor, supplier.ID, po.ID, []int64{po.Lines[0].ID}, "discontinued colour"); err != nil {
		t.Fatal(err)
	}
	po = poOf(orders[2])
	if _, err := a.db.RequestCancel(ctx, store.Actor{Name: "merchant@dropline.test"}, merchant.ID, po.ID, "customer asked"); err != nil {
		t.Fatal(err)
	}
	if err := a.db.AnswerCancel(ctx, sActor, supplier.ID, po.ID, false, "already packed"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.AddShipment(ctx, sActor, supplier.ID, po.ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456795", ShipDate: today, Override: true}); err != nil {
		t.Fatal(err)
	}

	status := func(o store.Order) string {
		t.Helper()
		if err := chromedp.Do(tab, chromedp.Navigate(fmt.Sprintf("%s/orders/%d", a.URL(), o.ID)), chromedp.WaitVisible(`h1 [data-testid="order-status"]`)); err != nil {
			t.Fatal(err)
		}
		s, _ := chromedp.Run(tab, chromedp.Text(`h1 [data-testid="order-status"]`))
		return strings.TrimSpace(s)
	}
	for i, want := range []string{"Partially shipped", "Exception", "Shipped", "Dropshipped", "Dropshipped"} {
		if got := status(orders[i]); got != want {
			t.Errorf("%s is %q, want %q", orders[i].ChannelOrderID, got, want)
		}
	}
	// The rejected order has no other source in the demo: the merchant closes it.
	if status(orders[1]) != "Exception" {
		t.FailNow()
	}
	screenshot(tab, t, "sequence-2-rejected")
	err := chromedp.Do(tab,
		chromedp.WaitVisible(`[data-testid="close-order"]`),
		chromedp.SendKeys(`input[name="close_reason"]`, "refunded the customer"),
		chromedp.Click(`[data-testid="close-order-submit"]`),
		// The page after the post offers Close no more.
		chromedp.WaitNotPresent(`[data-testid="close-order"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := status(orders[1]); got != "Cancelled" {
		body, _ := chromedp.Run(tab, chromedp.Text(`main`))
		t.Fatalf("after closing: %q\n%s", got, body)
	}
	screenshot(tab, t, "sequence-3-closed")
	if err := chromedp.Do(tab, chromedp.Navigate(a.URL()+"/orders?tab=exceptions"), chromedp.WaitVisible(`[data-testid="order-tabs"]`)); err != nil {
		t.Fatal(err)
	}
	if n, _ := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="order-row"]').length`)); n != 0 {
		t.Fatalf("Exceptions lists %d orders after every one was dealt with", n)
	}
}
