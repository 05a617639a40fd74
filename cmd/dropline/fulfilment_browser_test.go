package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
	"github.com/dropline/dropline/store/storetest"
)

// dropshippedDemoOrder gives the demo merchant an Etsy order for qty camp
// mugs, once the demo feed has linked them, and dropships it: one PO to the
// demo supplier.
func dropshippedDemoOrder(t *testing.T, a *app, merchant store.Account, number string, shipTo orderfile.Address, qty int) (store.Order, store.PurchaseOrder) {
	t.Helper()
	ctx := context.Background()
	waitForDemoProducts(t, a, merchant.ID)
	order, _, err := a.db.CreateOrder(ctx, store.Actor{Name: "test"}, merchant.ID, orderfile.Order{Channel: "etsy", ChannelOrderID: number, Currency: "USD",
		ShipTo: shipTo, Lines: []orderfile.Line{{SKU: "ACM-MUG", Title: "Enamel camp mug", Quantity: qty, UnitPriceCents: 1200}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.db.Dropship(ctx, store.Actor{Name: "test"}, merchant.ID, order.ID, store.DropshipRequest{IdempotencyKey: "browser-" + number, Confirm: true})
	if err != nil || len(res.POs) != 1 {
		t.Fatalf("dropship %s: %+v %v", number, res, err)
	}
	return order, res.POs[0]
}

// TestBrowserTrackingReachesTheMerchantWithoutReload: two people signed in at
// once; the supplier enters tracking and the merchant's open order page shows
// it by itself.
func TestBrowserTrackingReachesTheMerchantWithoutReload(t *testing.T) {
	a, newTab := browserApp(t)
	ctx := context.Background()
	merchant := demoMerchant(t, a)
	order, po := dropshippedDemoOrder(t, a, merchant, "E-42", orderfile.Address{Name: "Mae Jemison", Address1: "3 Space Rd", City: "Houston", Region: "TX", PostalCode: "77058", Country: "US"}, 2)

	merchantTab, cancelM := newTab()
	defer cancelM()
	if err := chromedp.Do(merchantTab, append(signIn(a.URL(), "merchant@dropline.test"),
		chromedp.Navigate(a.URL()+"/orders/"+strconv.FormatInt(order.ID, 10)),
		chromedp.WaitVisible(`[data-testid="order-tracking"]`),
		// A marker on the page: it survives only if the page is not reloaded.
		chromedp.Evaluate[chromedp.Void](`window.stillHere = true`),
	)...); err != nil {
		t.Fatal(err)
	}

	supplierTab, cancelS := newTab()
	defer cancelS()
	err := chromedp.Do(supplierTab, append(signIn(a.URL(), "supplier@dropline.test"),
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
	// The status, the PO and the timeline follow, on the same page.
	if got, _ := waitText(merchantTab, `[data-testid="order-status"]`, "Shipped", 5*time.Second); got != "Shipped" {
		t.Errorf("order status on the open page %q, want Shipped", got)
	}
	if got, _ := waitText(merchantTab, `[data-testid="order-pos"] tbody .badge`, "Shipped", 5*time.Second); got != "Shipped" {
		t.Errorf("PO status on the open page %q, want Shipped", got)
	}
	timeline, err := chromedp.Run(merchantTab, chromedp.Evaluate[string](`document.querySelector('[data-testid="timeline"]').textContent`))
	if err != nil || !strings.Contains(timeline, "tracking 1Z999AA10123456784") {
		t.Errorf("timeline on the open page lacks the tracking note (%v):\n%s", err, timeline)
	}
	if still, err := chromedp.Run(merchantTab, chromedp.Evaluate[bool](`window.stillHere === true`)); err != nil || !still {
		t.Errorf("the merchant's page was reloaded (%v)", err)
	}
	screenshot(merchantTab, t, "fulfil-2-merchant-sees-tracking")
	po, _ = a.db.PurchaseOrder(ctx, merchant.ID, po.ID)
	if po.Status != store.POShipped {
		t.Fatalf("PO status %s, want shipped", po.Status)
	}
}

// TestBrowserBulkTrackingUpload: the supplier uploads a tracking file, sees
// the preview swapped in under the form (no page load), saves, and the PO is
// shipped.
func TestBrowserBulkTrackingUpload(t *testing.T) {
	a, newTab := browserApp(t)
	ctx := context.Background()
	merchant := demoMerchant(t, a)
	_, po := dropshippedDemoOrder(t, a, merchant, "E-77", orderfile.Address{Name: "Sally Ride", Address1: "1 Orbit Way", City: "La Jolla", Region: "CA", PostalCode: "92037", Country: "US"}, 1)
	day := time.Now().UTC().Format("2006-01-02")
	file := filepath.Join(t.TempDir(), "tracking.csv")
	csv := "po_number,carrier,tracking_number,ship_date\n" +
		po.PONumber + ",UPS,1Z999AA10123456784," + day + "\n" +
		"PO-NOPE,ups,1Z999AA10123456784," + day + "\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}

	tab, cancel := newTab()
	defer cancel()
	err := chromedp.Do(tab, append(signIn(a.URL(), "supplier@dropline.test"),
		chromedp.Navigate(a.URL()+"/dropship-orders/upload"),
		chromedp.WaitVisible(`[data-testid="tracking-upload-form"]`),
		// A marker on the page: it survives only if the page is not reloaded.
		chromedp.Evaluate[chromedp.Void](`window.stillHere = true`),
		chromedp.SetUploadFiles(`input[name="file"]`, []string{file}),
		chromedp.Click(`[data-testid="tracking-upload-form"] button[type="submit"]`),
		chromedp.WaitVisible(`[data-testid="tracking-preview"]`),
	)...)
	if err != nil {
		t.Fatal(err)
	}
	summary, _ := waitText(tab, `[data-testid="tracking-summary"]`, "1 row ok (1 shipment), 1 row with errors.", 5*time.Second)
	if summary != "1 row ok (1 shipment), 1 row with errors." {
		t.Fatalf("preview summary %q", summary)
	}
	rows, err := chromedp.Run(tab, chromedp.Evaluate[string](`[...document.querySelectorAll('[data-testid="tracking-rows"] tbody tr')].map(r => r.cells[7].textContent.trim()).join("|")`))
	if err != nil || rows != "Unknown PO PO-NOPE.|ok" {
		t.Fatalf("preview rows %q (%v): want the error first", rows, err)
	}
	screenshot(tab, t, "bulk-1-preview")
	// Another change holds the write lock: the save waits, and the page says so.
	release := storetest.HoldWriteLock(t, a.db)
	if err := chromedp.Do(tab, chromedp.Click(`[data-testid="tracking-apply"]`)); err != nil {
		t.Fatal(err)
	}
	saving, _ := waitText(tab, `[data-testid="tracking-saving"] [data-progress-label]`, "Waiting for other changes to be saved…", 5*time.Second)
	screenshot(tab, t, "bulk-2-saving")
	release()
	if saving != "Waiting for other changes to be saved…" {
		t.Fatalf("while the save waits the page says %q", saving)
	}
	summary, _ = waitText(tab, `[data-testid="tracking-summary"]`, "1 shipment saved from 1 row; 1 row with errors was skipped.", 5*time.Second)
	if summary != "1 shipment saved from 1 row; 1 row with errors was skipped." {
		t.Fatalf("result summary %q", summary)
	}
	still, err := chromedp.Run(tab, chromedp.Evaluate[bool](`window.stillHere === true`))
	if err != nil || !still {
		t.Fatalf("the page reloaded (marker %v, %v): the upload should swap in place", still, err)
	}
	screenshot(tab, t, "bulk-3-applied")
	got, _ := a.db.PurchaseOrder(ctx, merchant.ID, po.ID)
	if got.Status != store.POShipped {
		t.Fatalf("PO status %s, want shipped", got.Status)
	}
}
