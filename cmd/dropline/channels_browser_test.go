package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/channel"
)

// fakeShop answers the Shopify Admin GraphQL operations a connected store
// takes: the shop, webhook subscriptions, the order's fulfillment orders
// (one open, 2 × line 77011) and fulfillmentCreate, whose inputs it keeps.
type fakeShop struct {
	srv        *httptest.Server
	mu         sync.Mutex
	subs       map[string]string
	fulfilled  []json.RawMessage
	remaining  int
	unexpected []string
}

func newFakeShop(t *testing.T, token string) *fakeShop {
	f := &fakeShop{subs: map[string]string{}, remaining: 2}
	f.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		if r.Header.Get("X-Shopify-Access-Token") != token {
			rw.WriteHeader(http.StatusUnauthorized)
			io.WriteString(rw, `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`)
			return
		}
		var body struct {
			Query     string
			Variables json.RawMessage
		}
		json.NewDecoder(r.Body).Decode(&body)
		f.mu.Lock()
		defer f.mu.Unlock()
		var data string
		switch {
		case strings.Contains(body.Query, "DroplineShop"):
			data = `{"shop":{"name":"Northwind Goods","myshopifyDomain":"northwind-goods.myshopify.com","currencyCode":"USD"}}`
		case strings.Contains(body.Query, "DroplineWebhooks"):
			var nodes []string
			i := 0
			for topic, cb := range f.subs {
				i++
				nodes = append(nodes, fmt.Sprintf(`{"id":"gid://shopify/WebhookSubscription/%d","topic":%q,"endpoint":{"__typename":"WebhookHttpEndpoint","callbackUrl":%q}}`, i, topic, cb))
			}
			data = `{"webhookSubscriptions":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[` + strings.Join(nodes, ",") + `]}}`
		case strings.Contains(body.Query, "DroplineWebhookCreate"):
			var v struct {
				Topic string
				Sub   struct{ CallbackURL string } `json:"webhookSubscription"`
			}
			json.Unmarshal(body.Variables, &v)
			f.subs[v.Topic] = v.Sub.CallbackURL
			data = fmt.Sprintf(`{"webhookSubscriptionCreate":{"webhookSubscription":{"id":"gid://shopify/WebhookSubscription/%d","topic":%q},"userErrors":[]}}`, len(f.subs), v.Topic)
		case strings.Contains(body.Query, "DroplineOrders"):
			data = `{"orders":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[]}}`
		case strings.Contains(body.Query, "DroplineFulfillmentOrders"):
			data = fmt.Sprintf(`{"order":{"id":"gid://shopify/Order/77001","fulfillments":[],"fulfillmentOrders":{"nodes":[{"id":"gid://shopify/FulfillmentOrder/71","status":"OPEN",
				"lineItems":{"nodes":[{"id":"gid://shopify/FulfillmentOrderLineItem/81","remainingQuantity":%d,"lineItem":{"id":"gid://shopify/LineItem/770011"}}]}}]}}}`, f.remaining)
		case strings.Contains(body.Query, "DroplineFulfillmentCreate"):
			f.fulfilled = append(f.fulfilled, body.Variables)
			data = fmt.Sprintf(`{"fulfillmentCreate":{"fulfillment":{"id":"gid://shopify/Fulfillment/9%d","status":"SUCCESS"},"userErrors":[]}}`, len(f.fulfilled))
		default:
			f.unexpected = append(f.unexpected, body.Query)
			data = `{}`
		}
		io.WriteString(rw, `{"data":`+data+`,"extensions":{"cost":{"requestedQueryCost":1,"actualQueryCost":1,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1999,"restoreRate":100.0}}}}`)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// TestBrowserStoreOrderByWebhookShipsHalf is issue 24's journey, on the
// demo database: the merchant connects a Shopify store and registers its
// webhooks in Settings; Shopify delivers an order of 2 camp mugs; the
// merchant dropships it; the supplier ships 1; the store receives a
// fulfillment of exactly 1 of that line, with the tracking, and the order
// page says the store has it.
func TestBrowserStoreOrderByWebhookShipsHalf(t *testing.T) {
	a, newTab := browserApp(t)
	ctx := context.Background()
	merchant := demoMerchant(t, a)
	waitForDemoProducts(t, a, merchant.ID)
	if err := a.db.SetAllowPrivateFeeds(ctx, store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	const token, appSecret = "shpat_77aa77aa77aa77aa77aa77aa77aa77aa", "shpss_55bb55bb55bb55bb55bb55bb55bb55bb"
	shop := newFakeShop(t, token)

	tab, cancel := newTab()
	defer cancel()
	err := chromedp.Do(tab, append(signIn(a.URL(), "merchant@dropline.test"),
		chromedp.Navigate(a.URL()+"/settings/channels"),
		chromedp.WaitVisible(`[data-testid="channel-connect"]`),
		chromedp.SetValue(`[data-testid="channel-connect"] select[name="kind"]`, "shopify"),
		chromedp.SendKeys(`[data-testid="channel-connect"] input[name="name"]`, "Northwind Shopify"),
		chromedp.SendKeys(`[data-testid="channel-connect"] input[name="base_url"]`, shop.srv.URL),
		chromedp.SendKeys(`[data-testid="channel-connect"] input[name="access_token"]`, token),
		chromedp.SendKeys(`[data-testid="channel-connect"] input[name="api_secret_key"]`, appSecret),
		chromedp.Click(`[data-testid="channel-connect"] button[type="submit"]`),
		chromedp.WaitVisible(`[data-testid="channel-test-ok"]`),
		chromedp.Click(`[data-testid="channel-webhooks-register"]`),
		chromedp.WaitVisible(`[data-testid="channel-webhooks"]`),
	)...)
	if err != nil {
		t.Fatal(err)
	}
	var callback string
	for deadline := time.Now().Add(5 * time.Second); callback == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		shop.mu.Lock()
		callback = shop.subs["ORDERS_CREATE"]
		shop.mu.Unlock()
	}
	screenshot(tab, t, "channels-1-connected")
	if !strings.HasPrefix(callback, a.URL()+store.ChannelWebhookPath) {
		t.Fatalf("Shopify holds the callback %q", callback)
	}

	// Shopify delivers the order.
	order := []byte(`{"id":77001,"admin_graphql_api_id":"gid://shopify/Order/77001","name":"#77001","email":"grace@example.com","currency":"USD",
		"created_at":"2026-12-06T10:00:00Z","updated_at":"2026-12-06T10:00:00Z","cancelled_at":null,"cancel_reason":null,"total_price":"24.00",
		"shipping_address":{"name":"Grace Hopper","address1":"1 Navy Way","city":"Arlington","province":"Virginia","province_code":"VA","zip":"22201","country_code":"US"},
		"line_items":[{"id":770011,"admin_graphql_api_id":"gid://shopify/LineItem/770011","sku":"ACM-MUG","title":"Enamel camp mug","quantity":2,"price":"12.00"}]}`)
	req, _ := http.NewRequest(http.MethodPost, callback, bytes.NewReader(order))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Topic", "orders/create")
	req.Header.Set("X-Shopify-Shop-Domain", "northwind-goods.myshopify.com")
	req.Header.Set("X-Shopify-Hmac-Sha256", channel.SignWebhook(order, appSecret))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var delivered struct {
		Result  string `json:"result"`
		OrderID int64  `json:"order_id"`
	}
	json.NewDecoder(res.Body).Decode(&delivered)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || delivered.OrderID == 0 {
		t.Fatalf("webhook delivery: %d %+v", res.StatusCode, delivered)
	}
	orderURL := a.URL() + "/orders/" + strconv.FormatInt(delivered.OrderID, 10)

	// The merchant dropships it.
	err = chromedp.Do(tab,
		chromedp.Navigate(orderURL),
		chromedp.WaitVisible(`[data-testid="dropship-form"]`),
		chromedp.Click(`[data-testid="confirm"]`),
		chromedp.Click(`[data-testid="dropship-submit"]`),
		chromedp.WaitVisible(`[data-testid="line-po"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	pos, err := a.db.OrderPurchaseOrders(ctx, merchant.ID, delivered.OrderID)
	if err != nil || len(pos) != 1 {
		t.Fatalf("POs: %+v %v", pos, err)
	}

	// The supplier ships one of the two mugs.
	supplierTab, cancelS := newTab()
	defer cancelS()
	err = chromedp.Do(supplierTab, append(signIn(a.URL(), "supplier@dropline.test"),
		chromedp.Navigate(a.URL()+"/dropship-orders/"+strconv.FormatInt(pos[0].ID, 10)),
		chromedp.WaitVisible(`[data-testid="tracking-form"]`),
		chromedp.SetValue(`select[name="carrier"]`, "ups"),
		chromedp.SendKeys(`input[name="tracking_number"]`, "1Z999AA10123456784"),
		chromedp.SetValue(`[data-testid="tracking-form"] input[type="number"]`, "1"),
		chromedp.Click(`[data-testid="add-shipment"]`),
		chromedp.WaitVisible(`[data-testid="shipment-row"]`),
	)...)
	if err != nil {
		t.Fatal(err)
	}
	d := &store.Deliverer{DB: a.db, HTTP: shop.srv.Client()}
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	shop.mu.Lock()
	fulfilled, unexpected := shop.fulfilled, shop.unexpected
	shop.mu.Unlock()
	if len(unexpected) > 0 {
		t.Errorf("Shopify was asked %q", unexpected)
	}
	if len(fulfilled) != 1 {
		t.Fatalf("fulfillmentCreate called %d times, want once", len(fulfilled))
	}
	var got struct {
		Fulfillment struct {
			LineItemsByFulfillmentOrder []struct {
				FulfillmentOrderID        string `json:"fulfillmentOrderId"`
				FulfillmentOrderLineItems []struct {
					ID       string `json:"id"`
					Quantity int    `json:"quantity"`
				} `json:"fulfillmentOrderLineItems"`
			} `json:"lineItemsByFulfillmentOrder"`
			TrackingInfo struct{ Company, Number string } `json:"trackingInfo"`
		} `json:"fulfillment"`
	}
	json.Unmarshal(fulfilled[0], &got)
	g := got.Fulfillment
	if len(g.LineItemsByFulfillmentOrder) != 1 || len(g.LineItemsByFulfillmentOrder[0].FulfillmentOrderLineItems) != 1 ||
		g.LineItemsByFulfillmentOrder[0].FulfillmentOrderLineItems[0].ID != "gid://shopify/FulfillmentOrderLineItem/81" ||
		g.LineItemsByFulfillmentOrder[0].FulfillmentOrderLineItems[0].Quantity != 1 || g.TrackingInfo.Number != "1Z999AA10123456784" {
		t.Errorf("Shopify received %s, want 1 of line item 81 with the tracking", fulfilled[0])
	}
	// The merchant's order page says the store has it.
	if err := chromedp.Do(tab, chromedp.Navigate(orderURL), chromedp.WaitVisible(`[data-testid="store-update"][data-state="sent"]`)); err != nil {
		t.Fatal(err)
	}
	text, _ := chromedp.Run(tab, chromedp.Text(`[data-testid="store-update"]`))
	if !strings.Contains(text, "Northwind Shopify") || !strings.Contains(text, "gid://shopify/Fulfillment/91") {
		t.Errorf("the order page's store update says %q", text)
	}
	screenshot(tab, t, "channels-2-order-store-update")
}
