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
)

// TestBrowserEmailSupplierEntersTrackingThroughItsLink (issue 23, journey
// 2): the merchant keeps a supplier that reads email and will not sign in;
// it uploads the supplier's catalog on the supplier's page, dropships an
// order to it, and finds the emailed PO with its link on the Outbox page (no
// SMTP server). The link, opened in a fresh browser with no session, shows
// the PO; the tracking entered there appears on the merchant's open order
// page by itself within its one-second poll.
func TestBrowserEmailSupplierEntersTrackingThroughItsLink(t *testing.T) {
	a, newTab := browserApp(t)
	ctx := context.Background()
	merchant := demoMerchant(t, a)
	bob, err := a.db.CreateManagedSupplier(ctx, store.Actor{Name: "test"}, merchant.ID, store.ManagedSupplierInput{Contact: store.ContactEmail,
		Name: "Bob's Barn", OrderEmails: "orders@barn.example"})
	if err != nil {
		t.Fatal(err)
	}
	catalog := filepath.Join(t.TempDir(), "barn.csv")
	if err := os.WriteFile(catalog, []byte("sku,title,cost,price,quantity,lead_time_days\nBB-EGG,Egg crate,2.00,5.00,40,1\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	m, cancelM := newTab()
	defer cancelM()
	err = chromedp.Do(m, append(signIn(a.URL(), "merchant@dropline.test"),
		chromedp.Navigate(a.URL()+"/suppliers-outside/"+strconv.FormatInt(bob.ID, 10)+"/email"),
		chromedp.WaitVisible(`[data-testid="catalog-form"]`),
		chromedp.SetUploadFiles(`[data-testid="catalog-form"] input[name="file"]`, []string{catalog}),
		chromedp.Click(`[data-testid="catalog-form"] button[type="submit"]`),
		chromedp.WaitVisible(`[data-testid="catalog-result"]`),
	)...)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := chromedp.Run(m, chromedp.Text(`[data-testid="catalog-result"]`)); !strings.HasPrefix(strings.TrimSpace(got), "1 created") {
		t.Fatalf("catalog upload: %q", got)
	}
	screenshot(m, t, "email-1-catalog")
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, linked, err := a.db.LinkedProducts(ctx, merchant.ID, store.ProductFilter{Query: "BB-EGG"})
		if err == nil && len(linked) == 1 && len(linked[0].Sources) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the uploaded catalog never became the merchant's sources")
		}
		time.Sleep(100 * time.Millisecond)
	}
	order, _, err := a.db.CreateOrder(ctx, store.Actor{Name: "test"}, merchant.ID, orderfile.Order{Channel: "etsy", ChannelOrderID: "E-EGG-1", Currency: "USD",
		ShipTo: orderfile.Address{Name: "Grace Farmer", Address1: "4 Orchard Ln", City: "Hood River", Region: "OR", PostalCode: "97031", Country: "US"},
		Lines:  []orderfile.Line{{SKU: "BB-EGG", Title: "Egg crate", Quantity: 2, UnitPriceCents: 900}}})
	if err != nil {
		t.Fatal(err)
	}
	orderURL := a.URL() + "/orders/" + strconv.FormatInt(order.ID, 10)
	var outboxLink string
	err = chromedp.Do(m,
		chromedp.Navigate(orderURL),
		chromedp.WaitVisible(`[data-testid="dropship-form"]`),
		chromedp.Click(`[data-testid="confirm"]`),
		chromedp.Click(`[data-testid="dropship-submit"]`),
		chromedp.WaitVisible(`[data-testid="line-po"]`),
		chromedp.Navigate(a.URL()+"/settings/outbox"),
		chromedp.WaitVisible(`[data-testid="outbox-po-link"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if outboxLink, err = chromedp.Run(m, chromedp.Evaluate[string](`document.querySelector('[data-testid="outbox-po-link"]').href`)); err != nil || !strings.Contains(outboxLink, "/po-link/") {
		t.Fatalf("the outbox's link %q (%v)", outboxLink, err)
	}
	screenshot(m, t, "email-2-outbox")
	err = chromedp.Do(m,
		chromedp.Navigate(orderURL),
		chromedp.WaitVisible(`[data-testid="order-tracking"]`),
		// A marker on the page: it survives only if the page is not reloaded.
		chromedp.Evaluate[chromedp.Void](`window.stillHere = true`),
	)
	if err != nil {
		t.Fatal(err)
	}

	// The supplier: a browser that never signed in.
	s, cancelS := newTab()
	defer cancelS()
	err = chromedp.Do(s,
		chromedp.Navigate(outboxLink),
		chromedp.WaitVisible(`[data-testid="tracking-form"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := chromedp.Run(s, chromedp.Text(`[data-testid="link-ship-to"]`)); !strings.Contains(got, "4 Orchard Ln") {
		t.Errorf("the link page's ship-to %q", got)
	}
	if nav, err := chromedp.Run(s, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="nav"]').length`)); err != nil || nav != 0 {
		t.Errorf("the link page shows navigation (%v)", err)
	}
	err = chromedp.Do(s,
		chromedp.SetValue(`select[name="carrier"]`, "ups"),
		chromedp.SendKeys(`input[name="tracking_number"]`, "1Z 999 AA1 01 2345 6784"),
		chromedp.Click(`[data-testid="add-shipment"]`),
		chromedp.WaitVisible(`[data-testid="shipment-row"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	saved := time.Now()
	screenshot(s, t, "email-3-link-page")

	// The merchant's page, never reloaded, shows it within its poll.
	got, err := waitText(m, `[data-testid="order-tracking"] [data-testid="tracking-link"]`, "1Z999AA10123456784", 5*time.Second)
	took := time.Since(saved)
	if err != nil || got != "1Z999AA10123456784" {
		t.Fatalf("the merchant's open order page shows tracking %q (%v)", got, err)
	}
	// The page asks every second; a second and a half allows for the request.
	if took > 1500*time.Millisecond {
		t.Errorf("the tracking took %v to appear on the merchant's open page, want about a second", took)
	}
	if still, err := chromedp.Run(m, chromedp.Evaluate[bool](`window.stillHere === true`)); err != nil || !still {
		t.Errorf("the merchant's page was reloaded (%v)", err)
	}
	timeline, _ := chromedp.Run(m, chromedp.Evaluate[string](`document.querySelector('[data-testid="timeline"]').textContent`))
	if !strings.Contains(timeline, "via email link (orders@barn.example)") {
		t.Errorf("the timeline does not name the link:\n%s", timeline)
	}
	screenshot(m, t, "email-4-merchant-sees-tracking")

	// The PO's page says when it was emailed, opened and acknowledged.
	err = chromedp.Do(m,
		chromedp.Click(`[data-testid="line-po"]`),
		chromedp.WaitVisible(`[data-testid="po-emailing"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"emailed-at", "opened-at", "acknowledged-at"} {
		got, _ := chromedp.Run(m, chromedp.Text(`[data-testid="`+id+`"]`))
		if got = strings.TrimSpace(got); got == "" || strings.HasPrefix(got, "not") {
			t.Errorf("%s: %q", id, got)
		}
	}
	screenshot(m, t, "email-5-po-emailing")
}
