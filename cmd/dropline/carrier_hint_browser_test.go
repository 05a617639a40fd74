package main

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dropline/dropline/store/orderfile"
)

// TestBrowserShipmentFormSaysWhichCarrier: on the supplier's PO page the
// carrier starts on "From the number"; typing a number shows which carrier
// it is, choosing another carrier asks whether that is right, and saving
// with "From the number" records the carrier the number confirms.
func TestBrowserShipmentFormSaysWhichCarrier(t *testing.T) {
	a, newTab := browserApp(t)
	ctx := context.Background()
	merchant := demoMerchant(t, a)
	_, po := dropshippedDemoOrder(t, a, merchant, "H-7", orderfile.Address{Name: "Katherine Johnson", Address1: "1 Langley Blvd", City: "Hampton", Region: "VA", PostalCode: "23681", Country: "US"}, 1)

	tab, cancel := newTab()
	defer cancel()
	if err := chromedp.Do(tab, append(signIn(a.URL(), "supplier@dropline.test"),
		chromedp.Navigate(a.URL()+"/dropship-orders/"+strconv.FormatInt(po.ID, 10)),
		chromedp.WaitVisible(`[data-testid="tracking-form"]`),
		chromedp.SetValue(`select[name="carrier"]`, ""),
		chromedp.SendKeys(`input[name="tracking_number"]`, "1z 999 aa1 01 2345 6784"),
	)...); err != nil {
		t.Fatal(err)
	}
	if got, err := waitText(tab, `[data-testid="carrier-hint"]`, "Looks like: UPS.", 5*time.Second); got != "Looks like: UPS." {
		t.Fatalf("hint after typing a UPS number: %q (%v)", got, err)
	}
	screenshot(tab, t, "carrier-hint-1-looks-like-ups")
	if err := chromedp.Do(tab,
		chromedp.SetValue(`select[name="carrier"]`, "fedex"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('select[name="carrier"]').dispatchEvent(new Event('change', {bubbles: true}))`),
	); err != nil {
		t.Fatal(err)
	}
	want := "Looks like: UPS. You chose FedEx: is that right?"
	if got, err := waitText(tab, `[data-testid="carrier-hint"]`, want, 5*time.Second); got != want {
		t.Fatalf("hint after choosing FedEx: %q (%v)", got, err)
	}
	screenshot(tab, t, "carrier-hint-2-you-chose-fedex")
	if err := chromedp.Do(tab,
		chromedp.SetValue(`select[name="carrier"]`, ""),
		chromedp.Click(`[data-testid="add-shipment"]`),
		chromedp.WaitVisible(`[data-testid="shipment-row"]`),
	); err != nil {
		t.Fatal(err)
	}
	ships, err := a.db.Shipments(ctx, po.SupplierID, po.ID)
	if err != nil || len(ships) != 1 || ships[0].Carrier != "ups" || ships[0].TrackingNumber != "1Z999AA10123456784" {
		t.Fatalf("shipments %+v %v, want one UPS 1Z999AA10123456784", ships, err)
	}
}
