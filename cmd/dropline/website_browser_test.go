package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/fetch"
)

// TestBrowserWebsiteSupplierJourney is issue 23's first journey, on the demo
// database: an order comes in from the merchant's Shopify store for a
// product of a website supplier; the merchant dropships it, recording the
// order placed on the site; later enters the tracking on the PO; the
// customer's shipping email and the fulfillment for the store are queued.
func TestBrowserWebsiteSupplierJourney(t *testing.T) {
	a, newTab := browserApp(t)
	ctx := context.Background()
	merchant := demoMerchant(t, a)
	actor := store.Actor{Name: "test"}
	if err := a.db.SetAllowPrivateFeeds(ctx, store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	// The site's catalog, pulled by URL, and the site named as its supplier.
	catalog := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		fmt.Fprint(rw, "sku,title,options,gtin,mpn,cost,price,quantity,lead_time_days,url,image_url,description,tags,active\n"+
			"AE-LAMP,Desk lamp,Colour: Black,,,7.40,19.99,250,1,https://www.aliexpress.example/item/1005001.html,,A lamp.,,true\n")
	}))
	defer catalog.Close()
	site, err := a.db.CreateManagedSupplier(ctx, actor, merchant.ID, store.ManagedSupplierInput{Contact: store.ContactWebsite, Name: "AliExpress",
		Website: "https://www.aliexpress.example", DefaultCarrier: "usps"})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := a.db.SaveSubscription(ctx, actor, merchant.ID, 0, store.SubscriptionInput{Name: "AliExpress picks", URL: catalog.URL + "/c.csv",
		IntervalMinutes: 60, DropThresholdPct: 30, StaleAfterHours: 26})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.db.SetSubscriptionSupplier(ctx, actor, merchant.ID, sub.ID, site.ID); err != nil {
		t.Fatal(err)
	}
	puller := &store.Puller{DB: a.db, Fetcher: &fetch.Fetcher{AllowPrivate: true}}
	if _, err := puller.PullNow(ctx, merchant.ID, sub.ID); err != nil {
		t.Fatal(err)
	}
	puller.Wait()
	// The order, from the merchant's Shopify store.
	placed := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	shop := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rw.Header().Set("Content-Type", "application/json")
		if !strings.Contains(string(body), "DroplineOrders") {
			rw.Write([]byte(`{"data":{"shop":{"name":"Northwind","myshopifyDomain":"northwind.myshopify.com","currencyCode":"USD"}}}`))
			return
		}
		fmt.Fprintf(rw, `{"data":{"orders":{"pageInfo":{"hasNextPage":false,"endCursor":"x"},"nodes":[{"id":"gid://shopify/Order/88801","name":"#88801","email":"mae@example.com",
			"currencyCode":"USD","cancelledAt":null,"createdAt":%q,"updatedAt":%q,"totalPriceSet":{"shopMoney":{"amount":"19.99","currencyCode":"USD"}},
			"shippingAddress":{"name":"Mae Jemison","company":"","address1":"3 Space Rd","address2":"","city":"Houston","province":"Texas","provinceCode":"TX","zip":"77058","countryCodeV2":"US","phone":""},
			"lineItems":{"nodes":[{"id":"gid://shopify/LineItem/888011","sku":"AE-LAMP","title":"Desk lamp - Black","quantity":1,"originalUnitPriceSet":{"shopMoney":{"amount":"19.99","currencyCode":"USD"}}}]}}]}}}`, placed, placed)
	}))
	defer shop.Close()
	ch, err := a.db.SaveSalesChannel(ctx, actor, merchant.ID, 0, store.SalesChannelInput{Kind: "shopify", Name: "Northwind Shopify", BaseURL: shop.URL,
		AccessToken: "shpat_" + strings.Repeat("d", 32)})
	if err != nil {
		t.Fatal(err)
	}
	// The app's ticker may pull the new store first: either way the order
	// is in once.
	if res, err := a.db.SyncChannelOrders(ctx, merchant.ID, ch.ID, shop.Client()); err != nil || res.Created+res.Unchanged != 1 {
		t.Fatalf("sync: %+v %v", res, err)
	}
	page, err := a.db.Orders(ctx, merchant.ID, store.OrderFilter{Tab: store.TabAll, Query: "#88801"})
	if err != nil || len(page.Orders) != 1 || !page.Orders[0].Dropship {
		t.Fatalf("order #88801: %+v %v", page.Orders, err)
	}
	orderURL := a.URL() + "/orders/" + strconv.FormatInt(page.Orders[0].ID, 10)

	tab, cancel := newTab()
	defer cancel()
	err = chromedp.Do(tab, append(signIn(a.URL(), "merchant@dropline.test"),
		chromedp.Navigate(orderURL),
		chromedp.WaitVisible(`[data-testid="website-order"]`),
	)...)
	if err != nil {
		t.Fatal(err)
	}
	href, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector('[data-testid="open-supplier-page"]').href`))
	if err != nil || href != "https://www.aliexpress.example/item/1005001.html" {
		t.Errorf("Open supplier page goes to %q (%v)", href, err)
	}
	screenshot(tab, t, "website-1-dropship-form")
	err = chromedp.Do(tab,
		chromedp.SendKeys(`[data-testid="external-number"]`, "8123456789"),
		chromedp.SendKeys(`[data-testid="external-paid"]`, "7.40"),
		chromedp.Click(`[data-testid="confirm"]`),
		chromedp.Click(`[data-testid="dropship-submit"]`),
		chromedp.WaitVisible(`[data-testid="line-po"]`),
		chromedp.Click(`[data-testid="line-po"]`),
		chromedp.WaitVisible(`[data-testid="website-po-summary"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	summary, _ := chromedp.Run(tab, chromedp.Text(`[data-testid="website-po-summary"]`))
	if !strings.Contains(summary, "order 8123456789, paid $7.40") {
		t.Errorf("the PO page says %q", summary)
	}
	// Days later the site ships: the merchant enters its tracking.
	err = chromedp.Do(tab,
		chromedp.Click(`[data-testid="work-website-po"]`),
		chromedp.WaitVisible(`[data-testid="tracking-form"]`),
		chromedp.SetValue(`select[name="carrier"]`, "ups"),
		chromedp.SendKeys(`input[name="tracking_number"]`, "1Z 999 AA1 01 2345 6784"),
		chromedp.Click(`[data-testid="add-shipment"]`),
		chromedp.WaitVisible(`[data-testid="shipment-row"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(tab, t, "website-2-tracking-entered")
	if err := chromedp.Do(tab, chromedp.Navigate(orderURL), chromedp.WaitVisible(`[data-testid="store-update"]`)); err != nil {
		t.Fatal(err)
	}
	status, _ := chromedp.Run(tab, chromedp.Text(`h1 [data-testid="order-status"]`))
	if strings.TrimSpace(status) != "Shipped" {
		t.Errorf("order status %q, want Shipped", status)
	}
	msgs, err := a.db.OutboxList(ctx, merchant.ID, store.OutboxFilter{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	var email, fulfillment bool
	for _, m := range msgs {
		email = email || (m.Topic == "customer.shipped" && m.Recipient == "mae@example.com" && strings.Contains(m.Body, "1Z999AA10123456784"))
		fulfillment = fulfillment || (m.Topic == store.TopicChannelFulfillment && strings.Contains(m.Body, "gid://shopify/LineItem/888011"))
	}
	if !email || !fulfillment {
		t.Errorf("queued: customer email %v, store fulfillment %v", email, fulfillment)
	}
}
