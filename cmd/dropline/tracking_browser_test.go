package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
	"github.com/dropline/dropline/store/tracking"
)

// TestBrowserTrackingTimelineReadsWell: the merchant turns on AfterShip in
// Settings → Carriers and copies the webhook address; the supplier ships;
// AfterShip (this test) posts three signed updates; the merchant's order
// page shows where the parcel is, and its carrier timeline opens to one
// scan per line, newest first, each with its status, time, words and
// place, inside the page's width. The supplier's PO shows the same, with
// the PO flagged.
func TestBrowserTrackingTimelineReadsWell(t *testing.T) {
	a, newTab := browserApp(t)
	ctx := context.Background()
	merchant := demoMerchant(t, a)
	order, po := dropshippedDemoOrder(t, a, merchant, "E-310", orderfile.Address{Name: "Katherine Johnson", Address1: "9 Orbit Ln", City: "Hampton",
		Region: "VA", PostalCode: "23666", Country: "US"}, 1)

	const secret = "aftership-demo-webhook-secret"
	tab, cancel := newTab()
	defer cancel()
	var hookURL string
	err := chromedp.Do(tab, append(signIn(a.URL(), "merchant@dropline.test"),
		chromedp.Navigate(a.URL()+"/settings/carriers"),
		chromedp.WaitVisible(`[data-testid="tracking-settings"]`),
		chromedp.SetValue(`select[name="provider"]`, "aftership"),
		chromedp.SendKeys(`input[name="api_key"]`, "asat_demo_0123456789abcdef"),
		chromedp.SendKeys(`input[name="webhook_secret"]`, secret),
		chromedp.Click(`[data-testid="tracking-save"]`),
		chromedp.WaitVisible(`[data-testid="tracking-webhook-url"]`),
	)...)
	if err != nil {
		t.Fatal(err)
	}
	if hookURL, err = chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector('[data-testid="tracking-webhook-url"]').textContent.trim()`)); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hookURL, a.URL()+"/api/v1/webhooks/tracking/") {
		t.Fatalf("webhook address %q", hookURL)
	}
	screenshot(tab, t, "tracking-1-settings")

	if _, err := a.db.AddShipment(ctx, store.Actor{Name: "test"}, po.SupplierID, po.ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456784",
		ShipDate: time.Now().UTC().Format(time.DateOnly)}); err != nil {
		t.Fatal(err)
	}
	// AfterShip's updates, as it sends them: the whole history each time,
	// the later ones first here.
	day := time.Now().UTC().Format(time.DateOnly)
	scan := map[string]string{"checkpoint_time": day + "T08:41:00Z", "tag": "InTransit", "subtag": "InTransit_002", "subtag_message": "Acceptance scan",
		"message": "Origin Scan", "city": "Columbus", "state": "OH", "country_iso3": "USA"}
	onVan := map[string]string{"checkpoint_time": day + "T09:55:00Z", "tag": "OutForDelivery", "subtag": "OutForDelivery_001", "subtag_message": "Out for Delivery",
		"message": "Out For Delivery Today", "location": "HAMPTON, VA, US"}
	attempt := map[string]string{"checkpoint_time": day + "T10:20:00Z", "tag": "AttemptFail", "subtag": "AttemptFail_001", "subtag_message": "Failed Attempt",
		"message": "The receiver was not available for delivery. We'll make a second attempt the next business day.", "location": "HAMPTON, VA, US"}
	for _, cps := range [][]map[string]string{{scan, onVan, attempt}, {scan}, {scan, onVan}} {
		body, _ := json.Marshal(map[string]any{"event": "tracking_update", "event_id": "e1", "ts": 1,
			"msg": map[string]any{"id": "as-e310", "tracking_number": "1Z999AA10123456784", "slug": "ups", "tag": "AttemptFail", "checkpoints": cps}})
		req, _ := http.NewRequest(http.MethodPost, hookURL, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(tracking.Signature(tracking.AfterShip, body, secret))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("AfterShip's update answered %d", res.StatusCode)
		}
	}

	// The merchant's order page: where the parcel is, and its timeline.
	if err := chromedp.Do(tab,
		chromedp.Navigate(a.URL()+"/orders/"+strconv.FormatInt(order.ID, 10)),
		chromedp.WaitVisible(`[data-testid="shipment-row"] [data-testid="tracking-status"]`),
		chromedp.Click(`[data-testid="tracking-timeline"] summary`),
		chromedp.WaitVisible(`[data-testid="tracking-event"]`),
	); err != nil {
		t.Fatal(err)
	}
	screenshot(tab, t, "tracking-2-order-timeline")
	type eventBox struct {
		Text        string
		Top, Bottom float64
		Right       float64
	}
	type layout struct {
		Status     string
		Summary    string
		Events     []eventBox
		PageWidth  float64
		ScrollW    float64
		BadgeInRow bool
	}
	got, err := chromedp.Run(tab, chromedp.Evaluate[layout](`(() => {
		const cell = document.querySelector('[data-testid="shipment-row"] [data-testid="shipment-tracking"]');
		const events = Array.from(cell.querySelectorAll('[data-testid="tracking-event"]')).map(li => {
			const r = li.getBoundingClientRect();
			return {Text: li.innerText.replace(/\s+/g, ' ').trim(), Top: r.top, Bottom: r.bottom, Right: r.right};
		});
		const first = cell.querySelector('[data-testid="tracking-event"]');
		const badge = first.querySelector('.badge').getBoundingClientRect(), time = first.querySelector('time').getBoundingClientRect();
		return {Status: cell.querySelector('[data-testid="tracking-status"]').innerText.trim(), Summary: cell.querySelector('summary').innerText.trim(), Events: events,
			PageWidth: document.documentElement.clientWidth, ScrollW: document.documentElement.scrollWidth,
			BadgeInRow: Math.abs(badge.top - time.top) < badge.height};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "Failed attempt" || got.Summary != "3 carrier events" || len(got.Events) != 3 {
		t.Fatalf("tracking cell: %+v", got)
	}
	// Newest first, each with its status, time (in the merchant's zone),
	// words and place.
	local := func(hm string) string {
		at, _ := time.Parse(time.DateOnly+"T15:04", day+"T"+hm)
		return at.In(merchant.Location()).Format("2 Jan 2006 15:04")
	}
	for i, want := range [][]string{
		{"Failed attempt", local("10:20"), "receiver was not available", "HAMPTON, VA, US"},
		{"Out for delivery", local("09:55"), "Out For Delivery Today", "HAMPTON, VA, US"},
		{"In transit", local("08:41"), "Origin Scan", "Acceptance scan", "Columbus, OH, USA"},
	} {
		for _, w := range want {
			if !strings.Contains(got.Events[i].Text, w) {
				t.Errorf("event %d reads %q, want it to say %q", i+1, got.Events[i].Text, w)
			}
		}
	}
	// One scan under the other, none overlapping, none past the page's edge.
	for i := 1; i < len(got.Events); i++ {
		if got.Events[i].Top < got.Events[i-1].Bottom-0.5 {
			t.Errorf("event %d overlaps the one above it: %+v", i+1, got.Events)
		}
	}
	for _, e := range got.Events {
		if e.Right > got.PageWidth {
			t.Errorf("an event runs past the page (%v > %v): %q", e.Right, got.PageWidth, e.Text)
		}
	}
	if got.ScrollW > got.PageWidth+1 {
		t.Errorf("the order page scrolls sideways: %v wide in %v", got.ScrollW, got.PageWidth)
	}
	if !got.BadgeInRow {
		t.Error("an event's status and time are not on one line")
	}

	// The supplier's PO: the same timeline, and the PO flagged.
	stab, cancelS := newTab()
	defer cancelS()
	if err := chromedp.Do(stab, append(signIn(a.URL(), "supplier@dropline.test"),
		chromedp.Navigate(a.URL()+"/dropship-orders/"+strconv.FormatInt(po.ID, 10)),
		chromedp.WaitVisible(`[data-testid="shipment-tracking"]`),
	)...); err != nil {
		t.Fatal(err)
	}
	flag, err := chromedp.Run(stab, chromedp.Evaluate[string](`document.querySelector('h1 [data-testid="tracking-problem"]').innerText.trim()`))
	if err != nil || flag != "Failed attempt" {
		t.Errorf("supplier's PO flag %q (%v)", flag, err)
	}
	screenshot(stab, t, "tracking-3-supplier-po")
}

// TestBrowserCustomerFollowsTheParcel: on the demo database, the merchant
// follows parcels with AfterShip; an order with the customer's email is
// dropshipped and the supplier ships part of it; AfterShip posts its scans.
// The customer opens the link in the shipping email, not signed in, on a
// phone and on a desktop: the merchant's name, where the parcel is, its
// journey newest first, what is still to ship, all inside the page. The
// merchant sees the page was opened (two links: the shipping email's and
// the out-for-delivery email's) and revokes them; the customer's next visit
// opens nothing.
func TestBrowserCustomerFollowsTheParcel(t *testing.T) {
	a, newTab := browserApp(t)
	ctx := context.Background()
	actor := store.Actor{Name: "test"}
	merchant := demoMerchant(t, a)
	const secret = "aftership-demo-webhook-secret"
	set, err := a.db.SaveTrackingSettings(ctx, actor, merchant.ID, store.TrackingSettingsInput{Provider: "aftership", APIKey: "asat_demo_0123456789abcdef",
		WebhookSecret: secret, NotMovingHours: 48, DeliveryDays: 7})
	if err != nil {
		t.Fatal(err)
	}
	waitForDemoProducts(t, a, merchant.ID)
	order, _, err := a.db.CreateOrder(ctx, actor, merchant.ID, orderfile.Order{Channel: "shopify", ChannelOrderID: "#5120", Currency: "USD",
		Customer: orderfile.Customer{Name: "Mary Jackson", Email: "mary@example.com"},
		ShipTo:   orderfile.Address{Name: "Mary Jackson", Address1: "12 Wind Tunnel Rd", City: "Hampton", Region: "VA", PostalCode: "23666", Country: "US"},
		Lines: []orderfile.Line{{SKU: "ACM-MUG", Title: "Enamel camp mug", Quantity: 2, UnitPriceCents: 1200},
			{SKU: "ACM-STOVE", Title: "Trailblaze camp stove", Quantity: 1, UnitPriceCents: 5900}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.db.Dropship(ctx, actor, merchant.ID, order.ID, store.DropshipRequest{IdempotencyKey: "customer-5120", Confirm: true})
	if err != nil || len(res.POs) != 1 {
		t.Fatalf("dropship: %+v %v", res, err)
	}
	po := res.POs[0]
	var mugLine int64
	for _, l := range po.Lines {
		if l.SupplierSKU == "ACM-MUG" {
			mugLine = l.ID
		}
	}
	if _, err := a.db.AddShipment(ctx, actor, po.SupplierID, po.ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456784",
		ShipDate: time.Now().UTC().Format(time.DateOnly), Lines: []store.ShipmentLine{{POLineID: mugLine, Quantity: 2}}}); err != nil {
		t.Fatal(err)
	}
	day := time.Now().UTC().Add(-time.Hour).Format(time.DateOnly)
	cps := []map[string]string{
		{"checkpoint_time": day + "T08:41:00Z", "tag": "InTransit", "subtag": "InTransit_002", "message": "Origin Scan", "city": "Columbus", "state": "OH", "country_iso3": "USA"},
		{"checkpoint_time": day + "T09:55:00Z", "tag": "OutForDelivery", "subtag": "OutForDelivery_001", "message": "Out For Delivery Today", "location": "HAMPTON, VA, US"},
	}
	body, _ := json.Marshal(map[string]any{"event": "tracking_update", "event_id": "e1", "ts": 1,
		"msg": map[string]any{"id": "as-5120", "tracking_number": "1Z999AA10123456784", "slug": "ups", "tag": "OutForDelivery", "checkpoints": cps,
			"latest_estimated_delivery": map[string]any{"type": "specific", "source": "Carrier EDD", "datetime": "2026-12-09"}}})
	req, _ := http.NewRequest(http.MethodPost, a.URL()+store.TrackingWebhookPath+set.WebhookToken, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(tracking.Signature(tracking.AfterShip, body, secret))
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("AfterShip's update: %v %v", r, err)
	}

	// The link in the customer's shipping email.
	msgs, err := a.db.OutboxList(ctx, merchant.ID, store.OutboxFilter{Kind: store.OutboxEmail}, 50)
	if err != nil {
		t.Fatal(err)
	}
	var link string
	for _, m := range msgs {
		if m.Topic == "customer.shipped" && m.Recipient == "mary@example.com" {
			if l := regexp.MustCompile(`/track/[A-Za-z0-9_-]{43}`).FindString(m.Body); l != "" {
				link = a.URL() + l
			}
		}
	}
	if link == "" {
		t.Fatal("the shipping email carries no tracking page link")
	}
	// The carrier's "out for delivery" reached the customer too.
	told := false
	for _, m := range msgs {
		told = told || (m.Topic == store.TopicCustomerUpdate && m.Recipient == "mary@example.com" && m.Subject == "Your order #5120 is out for delivery")
	}
	if !told {
		t.Error("no 'out for delivery' email to the customer")
	}

	type layout struct {
		Merchant, Headline, Status, Detail, ToShip, Expected string
		Events                                               []string
		Overlap                                              bool
		ScrollW, Width                                       float64
	}
	customer, cancelC := newTab()
	defer cancelC()
	for _, width := range []int64{390, 1366} {
		if err := chromedp.Do(customer, chromedp.EmulateViewport(width, 900), chromedp.Navigate(link), chromedp.WaitVisible(`[data-testid="ct-parcel"]`)); err != nil {
			t.Fatal(err)
		}
		screenshot(customer, t, "customer-tracking-"+strconv.FormatInt(width, 10))
		got, err := chromedp.Run(customer, chromedp.Evaluate[layout](`(() => {
			const q = s => (document.querySelector(s) || {innerText: ''}).innerText.replace(/\s+/g, ' ').trim();
			const evs = [...document.querySelectorAll('[data-testid="ct-event"]')];
			const boxes = evs.map(e => e.getBoundingClientRect());
			return {Merchant: q('[data-testid="ct-merchant"]'), Headline: q('[data-testid="ct-headline"]'), Status: q('[data-testid="ct-status"]'),
				Detail: q('[data-testid="ct-detail"]'), ToShip: q('[data-testid="ct-to-ship"]'), Expected: q('[data-testid="ct-expected"]'),
				Events: evs.map(e => e.innerText.replace(/\s+/g, ' ').trim()),
				Overlap: boxes.some((b, i) => i > 0 && b.top < boxes[i-1].bottom - 0.5),
				ScrollW: document.documentElement.scrollWidth, Width: document.documentElement.clientWidth};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if got.Merchant != merchant.Name || got.Headline != "Part of your order is on its way" || got.Status != "Out for delivery" ||
			!strings.Contains(got.Detail, "Out For Delivery Today, HAMPTON, VA, US") || !strings.Contains(got.ToShip, "1 × Trailblaze camp stove (ACM-STOVE)") || got.Expected != "Expected Wed 9 Dec" {
			t.Errorf("at %d px the customer reads %+v", width, got)
		}
		if len(got.Events) != 2 || !strings.HasPrefix(got.Events[0], "Out for delivery") || !strings.Contains(got.Events[1], "Origin Scan") || got.Overlap {
			t.Errorf("at %d px the journey reads %q (overlap %v)", width, got.Events, got.Overlap)
		}
		if got.ScrollW > got.Width+1 {
			t.Errorf("at %d px the page is %v wide", width, got.ScrollW)
		}
	}

	// The merchant sees it opened, and revokes it.
	m, cancelM := newTab()
	defer cancelM()
	if err := chromedp.Do(m, append(signIn(a.URL(), "merchant@dropline.test"),
		chromedp.Navigate(a.URL()+"/orders/"+strconv.FormatInt(order.ID, 10)),
		chromedp.WaitVisible(`[data-testid="tracking-page-state"]`),
	)...); err != nil {
		t.Fatal(err)
	}
	state, err := chromedp.Run(m, chromedp.Evaluate[string](`document.querySelector('[data-testid="tracking-page-state"]').innerText.trim()`))
	if err != nil || !strings.Contains(state, "2 links live · opened 2 times") {
		t.Errorf("the order page says %q (%v)", state, err)
	}
	// The button asks first; the test answers yes, as the merchant would.
	if _, err := chromedp.Run(m, chromedp.Evaluate[bool](`(window.confirm = m => { window.asked = m; return true; }, true)`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(m, chromedp.Click(`[data-testid="tracking-links-revoke"]`), chromedp.WaitVisible(`.flash`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(customer, chromedp.Navigate(link), chromedp.WaitVisible(`h1`)); err != nil {
		t.Fatal(err)
	}
	if n, err := chromedp.Run(customer, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="ct-parcel"]').length`)); err != nil || n != 0 {
		t.Errorf("the revoked link still shows %d parcels (%v)", n, err)
	}
	if gone, err := chromedp.Run(customer, chromedp.Evaluate[string](`document.querySelector('h1').innerText`)); err != nil || gone != "This tracking link does not work" {
		t.Errorf("the revoked link's page says %q (%v)", gone, err)
	}
}
