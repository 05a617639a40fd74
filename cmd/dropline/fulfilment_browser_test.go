package main

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// TestBrowserTrackingReachesTheMerchantWithoutReload: two people signed in at
// once; the supplier enters tracking and the merchant's open order page shows
// it by itself.
func TestBrowserTrackingReachesTheMerchantWithoutReload(t *testing.T) {
	a, newTab := browserApp(t)
	ctx := context.Background()
	merchant, err := a.db.AccountByPublicID(ctx, mustDemoMerchantPID(t, a))
	if err != nil {
		t.Fatal(err)
	}
	waitForDemoProducts(t, a, merchant.ID)
	order, _, err := a.db.CreateOrder(ctx, store.Actor{Name: "test"}, merchant.ID, orderfile.Order{Channel: "etsy", ChannelOrderID: "E-42", Currency: "USD",
		ShipTo: orderfile.Address{Name: "Mae Jemison", Address1: "3 Space Rd", City: "Houston", Region: "TX", PostalCode: "77058", Country: "US"},
		Lines:  []orderfile.Line{{SKU: "ACM-MUG", Title: "Enamel camp mug", Quantity: 2, UnitPriceCents: 1200}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.db.Dropship(ctx, store.Actor{Name: "test"}, merchant.ID, order.ID, store.DropshipRequest{IdempotencyKey: "browser", Confirm: true})
	if err != nil || len(res.POs) != 1 {
		t.Fatalf("dropship: %+v %v", res, err)
	}
	poID := res.POs[0].ID

	merchantTab, cancelM := newTab()
	defer cancelM()
	if err := chromedp.Do(merchantTab, append(signIn(a.URL(), "merchant@dropline.test"),
		chromedp.Navigate(a.URL()+"/orders/"+strconv.FormatInt(order.ID, 10)),
		chromedp.WaitVisible(`[data-testid="order-tracking"]`),
	)...); err != nil {
		t.Fatal(err)
	}

	supplierTab, cancelS := newTab()
	defer cancelS()
	err = chromedp.Do(supplierTab, append(signIn(a.URL(), "supplier@dropline.test"),
		chromedp.Navigate(a.URL()+"/dropship-orders"),
		chromedp.WaitVisible(`[data-testid="queue-row"]`),
		chromedp.Click(`[data-testid="queue-row"] a`),
		chromedp.WaitVisible(`[data-testid="tracking-form"]`),
		chromedp.SetValue(`select[name="carrier"]`, "ups"),
		chromedp.SendKeys(`input[name="tracking_number"]`, "1Z 999 AA1 01 2345 6784"),
		chromedp.Click(`[data-testid="add-shipment"]`),
		chromedp.WaitVisible(`[data-testid="shipment-row"]`),
	)...)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(supplierTab, t, "fulfil-1-supplier-po")

	// The merchant's page, never reloaded, shows the tracking within seconds.
	got, err := waitText(merchantTab, `[data-testid="order-tracking"] [data-testid="tracking-link"]`, "1Z999AA10123456784", 5*time.Second)
	if err != nil || got != "1Z999AA10123456784" {
		t.Fatalf("merchant's open order page shows tracking %q (%v)", got, err)
	}
	screenshot(merchantTab, t, "fulfil-2-merchant-sees-tracking")
	po, _ := a.db.PurchaseOrder(ctx, merchant.ID, poID)
	if po.Status != store.POShipped {
		t.Fatalf("PO status %s, want shipped", po.Status)
	}
}
