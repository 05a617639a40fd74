package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
)

const (
	syncShopifyToken = "shpat_0123456789abcdef0123456789abcdef"
	syncWooKey       = "ck_0123456789abcdef0123456789abcdef"
	syncWooSecret    = "cs_0123456789abcdef0123456789abcdef"
)

// fakeShopShopify answers the Admin GraphQL API's DroplineOrders query as
// Shopify documents it: the access token header, cursor pages, and the 401
// Shopify sends for a wrong token. It remembers each query's search string.
type fakeShopShopify struct {
	srv   *httptest.Server
	mu    sync.Mutex
	pages map[string]string // after cursor ("" first) → the orders connection's JSON
	asked []string          // each call's $query
	// other answers the operations that are not the orders query (the
	// fulfillment's), given the request's query and variables.
	other func(query string, variables json.RawMessage) string
}

func newFakeShopShopify(t *testing.T, pages map[string]string) *fakeShopShopify {
	t.Helper()
	f := &fakeShopShopify{pages: pages}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/admin/api/") || !strings.HasSuffix(r.URL.Path, "/graphql.json") {
			t.Errorf("request %s %s, want POST /admin/api/{version}/graphql.json", r.Method, r.URL.Path)
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("X-Shopify-Access-Token") != syncShopifyToken {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`)
			return
		}
		var raw struct {
			Query     string
			Variables json.RawMessage
		}
		if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
			t.Errorf("request body: %v", err)
		}
		if f.other != nil && !strings.Contains(raw.Query, "DroplineOrders") {
			io.WriteString(w, f.other(raw.Query, raw.Variables))
			return
		}
		var body struct {
			Query     string
			Variables struct {
				After *string
				Query string
			}
		}
		body.Query = raw.Query
		if err := json.Unmarshal(raw.Variables, &body.Variables); err != nil || !strings.Contains(body.Query, "orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT)") {
			t.Errorf("not the orders query: %v %q", err, body.Query)
		}
		after := ""
		if body.Variables.After != nil {
			after = *body.Variables.After
		}
		f.mu.Lock()
		f.asked = append(f.asked, body.Variables.Query)
		page, ok := f.pages[after]
		f.mu.Unlock()
		if !ok {
			t.Errorf("unknown cursor %q", after)
		}
		io.WriteString(w, `{"data":{"orders":`+page+`},"extensions":{"cost":{"requestedQueryCost":12,"actualQueryCost":10,`+
			`"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1990,"restoreRate":100.0}}}}`)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeShopShopify) queries() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.asked...)
}

func shopifyOrderJSON(n int, cancelled bool, shipTo string, lines ...string) string {
	c := "null"
	if cancelled {
		c = `"2026-11-20T08:00:00Z"`
	}
	return fmt.Sprintf(`{"id":"gid://shopify/Order/%d","name":"#%d","email":"buyer%d@example.com","currencyCode":"USD","cancelledAt":%s,
	  "createdAt":"2026-11-20T09:00:00Z","updatedAt":"2026-11-20T10:30:00Z","totalPriceSet":{"shopMoney":{"amount":"30.00","currencyCode":"USD"}},
	  "shippingAddress":%s,"lineItems":{"nodes":[%s]}}`, n, n, n, c, shipTo, strings.Join(lines, ","))
}

func shopifyLineJSON(id int, sku string, qty int, price string) string {
	return fmt.Sprintf(`{"id":"gid://shopify/LineItem/%d","sku":%q,"title":"Item %s","quantity":%d,"originalUnitPriceSet":{"shopMoney":{"amount":%q,"currencyCode":"USD"}}}`,
		id, sku, sku, qty, price)
}

const shopifyShipTo = `{"name":"Ann Lee","company":"","address1":"1 Main St","address2":"","city":"Portland","province":"Oregon","provinceCode":"OR","zip":"97201","countryCodeV2":"US","phone":""}`

// connect adds a store at base for the world's merchant, letting private
// addresses (the in-test server) be stores.
func (w *orderWorld) connect(t *testing.T, in store.SalesChannelInput) store.SalesChannel {
	t.Helper()
	ctx := context.Background()
	if err := w.db.SetAllowPrivateFeeds(ctx, store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	ch, err := w.db.SaveSalesChannel(ctx, w.mActor, w.merchant.ID, 0, in)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// orderByNumber reads the merchant's order with this number, or fails.
func (w *orderWorld) orderByNumber(t *testing.T, number string) (store.Order, bool) {
	t.Helper()
	ctx := context.Background()
	page, err := w.db.Orders(ctx, w.merchant.ID, store.OrderFilter{Tab: store.TabAll, Query: number})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range page.Orders {
		if o.ChannelOrderID == number {
			full, err := w.db.Order(ctx, w.merchant.ID, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			return full, true
		}
	}
	return store.Order{}, false
}

func (w *orderWorld) orderCount(t *testing.T) int {
	t.Helper()
	page, err := w.db.Orders(context.Background(), w.merchant.ID, store.OrderFilter{Tab: store.TabAll})
	if err != nil {
		t.Fatal(err)
	}
	return page.Total
}

func (w *orderWorld) channelRow(t *testing.T, id int64) store.SalesChannel {
	t.Helper()
	ch, err := w.db.SalesChannel(context.Background(), w.merchant.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// TestSyncShopifyOrders: a connected Shopify store's orders of the last 30
// days come in over two pages with the platform's order and line IDs, the
// Dropship badge where a line is linked; a cancelled one stays out, one
// without a shipping address is reported while the others come in; a second
// pull from the watermark creates nothing; a revoked token records Shopify's
// answer, creates nothing and keeps the watermark.
func TestSyncShopifyOrders(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	f := newFakeShopShopify(t, map[string]string{
		"": `{"pageInfo":{"hasNextPage":true,"endCursor":"c1"},"nodes":[` +
			shopifyOrderJSON(1001, false, shopifyShipTo, shopifyLineJSON(11, "A-1", 2, "12.99"), shopifyLineJSON(12, "OWN-9", 1, "5.00")) + `,` +
			shopifyOrderJSON(1002, true, shopifyShipTo, shopifyLineJSON(21, "A-2", 1, "12.99")) + `]}`,
		"c1": `{"pageInfo":{"hasNextPage":false,"endCursor":"c2"},"nodes":[` +
			shopifyOrderJSON(1003, false, "null", shopifyLineJSON(31, "A-3", 1, "12.99")) + `,` +
			shopifyOrderJSON(1004, false, shopifyShipTo, shopifyLineJSON(41, "OWN-5", 3, "4.00")) + `]}`,
	})
	ch := w.connect(t, store.SalesChannelInput{Kind: "shopify", Name: "Acme", BaseURL: f.srv.URL, AccessToken: syncShopifyToken})
	before := w.orderCount(t)
	start := w.now

	res, err := w.db.SyncChannelOrders(ctx, w.merchant.ID, ch.ID, f.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 2 || res.Unchanged != 0 || res.Cancelled != 1 || res.Invalid != 1 || len(res.Problems) != 1 ||
		!strings.HasPrefix(res.Problems[0], "Order #1003: ") || !strings.Contains(res.Problems[0], "Enter the recipient's name.") {
		t.Errorf("first sync = %+v, want 2 created, 1 cancelled, #1003 invalid for its address", res)
	}
	if got, want := f.queries(), []string{"updated_at:>='2026-10-22T12:00:00Z'", "updated_at:>='2026-10-22T12:00:00Z'"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("queries = %q, want the last 30 days on both pages %q", got, want)
	}
	if got := w.orderCount(t); got != before+2 {
		t.Errorf("orders = %d, want %d", got, before+2)
	}
	o, ok := w.orderByNumber(t, "#1001")
	if !ok {
		t.Fatal("#1001 not created")
	}
	if o.Channel != "shopify" || o.ChannelRef != "gid://shopify/Order/1001" || o.Customer.Email != "buyer1001@example.com" || o.ShipTo.City != "Portland" ||
		o.TotalCents != 3098 || !o.Dropship || o.Status != store.OrderNeedsDropship || !o.PlacedAt.Equal(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("#1001 = %+v", o)
	}
	if len(o.Lines) != 2 || o.Lines[0].ChannelLineID != "gid://shopify/LineItem/11" || o.Lines[0].SKU != "A-1" || !o.Lines[0].Linked ||
		o.Lines[1].ChannelLineID != "gid://shopify/LineItem/12" || o.Lines[1].Linked {
		t.Errorf("#1001 lines = %+v", o.Lines)
	}
	if o, ok := w.orderByNumber(t, "#1004"); !ok || o.Dropship || o.Status != store.OrderNotDropship || o.Lines[0].ChannelLineID != "gid://shopify/LineItem/41" {
		t.Errorf("#1004 (no linked product) = %+v, %v; want created without the badge", o, ok)
	}
	for _, n := range []string{"#1002", "#1003"} {
		if _, ok := w.orderByNumber(t, n); ok {
			t.Errorf("%s was created", n)
		}
	}
	got := w.channelRow(t, ch.ID)
	if got.OrdersSyncedAt == nil || !got.OrdersSyncedAt.Equal(start) || got.OrdersCreated != 2 || !strings.Contains(got.SyncError, "#1003") {
		t.Errorf("after the first sync the store shows synced %v, %d new, error %q", got.OrdersSyncedAt, got.OrdersCreated, got.SyncError)
	}

	// Not due again for 5 minutes; then the pull starts from the watermark.
	if due, err := w.db.ChannelsDueForSync(ctx, w.now.Add(4*time.Minute)); err != nil || len(due) != 0 {
		t.Errorf("due 4 minutes later: %+v, %v", due, err)
	}
	w.now = w.now.Add(10 * time.Minute)
	if due, err := w.db.ChannelsDueForSync(ctx, w.now); err != nil || len(due) != 1 || due[0].ID != ch.ID {
		t.Errorf("due 10 minutes later: %+v, %v", due, err)
	}
	res, err = w.db.SyncChannelOrders(ctx, w.merchant.ID, ch.ID, f.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 0 || res.Unchanged != 2 {
		t.Errorf("second sync = %+v, want nothing new, 2 unchanged", res)
	}
	if q := f.queries(); q[len(q)-1] != "updated_at:>='2026-11-21T11:58:00Z'" {
		t.Errorf("second sync asked %q, want from the first sync's start less 2 minutes", q[len(q)-1])
	}
	if got := w.orderCount(t); got != before+2 {
		t.Errorf("orders after the second sync = %d, want %d", got, before+2)
	}

	// The merchant's token is revoked: Shopify's 401 is kept, nothing
	// created, and the watermark stays for the next try.
	if _, err := w.db.SaveSalesChannel(ctx, w.mActor, w.merchant.ID, ch.ID, store.SalesChannelInput{Name: "Acme", BaseURL: f.srv.URL,
		AccessToken: "shpat_revokedrevokedrevokedrevoked"}); err != nil {
		t.Fatal(err)
	}
	w.now = w.now.Add(10 * time.Minute)
	res, err = w.db.SyncChannelOrders(ctx, w.merchant.ID, ch.ID, f.srv.Client())
	if err == nil || res.Created != 0 {
		t.Fatalf("revoked token: %+v, %v; want an error", res, err)
	}
	got = w.channelRow(t, ch.ID)
	if !strings.Contains(got.SyncError, "HTTP 401") || got.SyncError != store.UserChannelMessage(err) || strings.Contains(got.SyncError, "revoked") {
		t.Errorf("sync error = %q, want Shopify's 401 without the token", got.SyncError)
	}
	if got := w.orderCount(t); got != before+2 {
		t.Errorf("orders after a 401 = %d, want %d", got, before+2)
	}
	if _, err := w.db.SaveSalesChannel(ctx, w.mActor, w.merchant.ID, ch.ID, store.SalesChannelInput{Name: "Acme", BaseURL: f.srv.URL,
		AccessToken: syncShopifyToken}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.SyncChannelOrders(ctx, w.merchant.ID, ch.ID, f.srv.Client()); err != nil {
		t.Fatal(err)
	}
	if q := f.queries(); q[len(q)-1] != "updated_at:>='2026-11-21T12:08:00Z'" {
		t.Errorf("after the failed sync the pull asked %q, want the second sync's watermark", q[len(q)-1])
	}
}

// TestSyncWooCommerceOrders: the same through WooCommerce's REST API, pages
// counted by X-WP-TotalPages.
func TestSyncWooCommerceOrders(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json; charset=UTF-8")
		if r.Method != http.MethodGet || r.URL.Path != "/wp-json/wc/v3/orders" {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
			http.NotFound(rw, r)
			return
		}
		if user, pass, ok := r.BasicAuth(); !ok || user != syncWooKey || pass != syncWooSecret {
			rw.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(rw).Encode(map[string]any{"code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot list resources.", "data": map[string]any{"status": 401}})
			return
		}
		mu.Lock()
		asked = append(asked, r.URL.Query().Get("modified_after"))
		mu.Unlock()
		rw.Header().Set("X-WP-Total", "4")
		rw.Header().Set("X-WP-TotalPages", "2")
		var page []any
		switch r.URL.Query().Get("page") {
		case "1":
			page = []any{wooOrder(501, "processing", wooLineJSON(7, "A-1", 2, "12.99")), wooOrder(502, "cancelled", wooLineJSON(8, "A-2", 1, "12.99"))}
		case "2":
			page = []any{wooOrder(503, "processing", wooLineJSON(9, "A-3", 0, "12.99")), wooOrder(504, "on-hold", wooLineJSON(10, "OWN-5", 1, "4.00"))}
		}
		json.NewEncoder(rw).Encode(page)
	}))
	t.Cleanup(srv.Close)
	ch := w.connect(t, store.SalesChannelInput{Kind: "woocommerce", Name: "Web shop", BaseURL: srv.URL, ConsumerKey: syncWooKey, ConsumerSecret: syncWooSecret})
	before := w.orderCount(t)

	res, err := w.db.SyncChannelOrders(ctx, w.merchant.ID, ch.ID, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 2 || res.Cancelled != 1 || res.Invalid != 1 || !strings.Contains(strings.Join(res.Problems, " "), "Order #503: The quantity must be at least 1.") {
		t.Errorf("first sync = %+v", res)
	}
	if len(asked) != 2 || asked[0] != "2026-10-22T11:59:59" {
		t.Errorf("modified_after = %q, want the last 30 days (a second early) on 2 pages", asked)
	}
	o, ok := w.orderByNumber(t, "#501")
	if !ok || o.Channel != "woocommerce" || o.ChannelRef != "501" || !o.Dropship || o.Lines[0].ChannelLineID != "7" || o.ShipTo.Country != "GB" || o.Customer.Email != "buyer501@example.com" {
		t.Errorf("#501 = %+v, %v", o, ok)
	}
	if o, ok := w.orderByNumber(t, "#504"); !ok || o.Dropship || o.Lines[0].ChannelLineID != "10" {
		t.Errorf("#504 = %+v, %v", o, ok)
	}
	for _, n := range []string{"#502", "#503"} {
		if _, ok := w.orderByNumber(t, n); ok {
			t.Errorf("%s was created", n)
		}
	}

	w.now = w.now.Add(10 * time.Minute)
	res, err = w.db.SyncChannelOrders(ctx, w.merchant.ID, ch.ID, srv.Client())
	if err != nil || res.Created != 0 || res.Unchanged != 2 {
		t.Errorf("second sync = %+v, %v; want nothing new", res, err)
	}
	if got := w.orderCount(t); got != before+2 {
		t.Errorf("orders = %d, want %d", got, before+2)
	}

	if _, err := w.db.SaveSalesChannel(ctx, w.mActor, w.merchant.ID, ch.ID, store.SalesChannelInput{Name: "Web shop", BaseURL: srv.URL,
		ConsumerKey: syncWooKey, ConsumerSecret: "cs_wrongwrongwrongwrong"}); err != nil {
		t.Fatal(err)
	}
	res, err = w.db.SyncChannelOrders(ctx, w.merchant.ID, ch.ID, srv.Client())
	if err == nil || res.Created != 0 {
		t.Fatalf("wrong secret: %+v, %v", res, err)
	}
	if got := w.channelRow(t, ch.ID).SyncError; !strings.Contains(got, "Sorry, you cannot list resources.") || strings.Contains(got, "wrong") {
		t.Errorf("sync error = %q, want WooCommerce's answer", got)
	}
	if got := w.orderCount(t); got != before+2 {
		t.Errorf("orders after a 401 = %d, want %d", got, before+2)
	}
}

func wooOrder(id int, status string, lines ...map[string]any) map[string]any {
	return map[string]any{
		"id": id, "parent_id": 0, "number": fmt.Sprint(id), "status": status, "currency": "USD",
		"date_created": "2026-11-20T05:00:00", "date_created_gmt": "2026-11-20T10:00:00",
		"date_modified": "2026-11-20T06:00:00", "date_modified_gmt": "2026-11-20T11:00:00",
		"total": "25.98",
		"billing": map[string]any{"first_name": "Ada", "last_name": "Lovelace", "email": fmt.Sprintf("buyer%d@example.com", id), "phone": "555-0100",
			"address_1": "1 Billing Rd", "city": "Billton", "country": "US"},
		"shipping": map[string]any{"first_name": "Ada", "last_name": "Lovelace", "company": "", "address_1": "12 Analytical St", "address_2": "",
			"city": "London", "state": "", "postcode": "N1 9GU", "country": "GB", "phone": ""},
		"line_items": lines,
	}
}

func wooLineJSON(id int, sku string, qty int, price string) map[string]any {
	return map[string]any{"id": id, "name": "Item " + sku, "product_id": 100 + id, "variation_id": 0, "quantity": qty, "sku": sku,
		"price": json.Number(price), "subtotal": "0.00", "total": "0.00"}
}

// TestSyncTwoStoresOfOnePlatform: a second Shopify store numbers its orders
// from #1001 too. Orders are unique per platform and number, so its #1001
// is reported as not imported, naming the store that has the number,
// never counted as that store's order already in Dropline.
func TestSyncTwoStoresOfOnePlatform(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	page := map[string]string{"": `{"pageInfo":{"hasNextPage":false,"endCursor":"c1"},"nodes":[` +
		shopifyOrderJSON(1001, false, shopifyShipTo, shopifyLineJSON(11, "A-1", 1, "12.99")) + `]}`}
	first := newFakeShopShopify(t, page)
	second := newFakeShopShopify(t, page)
	a := w.connect(t, store.SalesChannelInput{Kind: "shopify", Name: "Main", BaseURL: first.srv.URL, AccessToken: syncShopifyToken})
	b := w.connect(t, store.SalesChannelInput{Kind: "shopify", Name: "Outlet", BaseURL: second.srv.URL, AccessToken: syncShopifyToken})
	if res, err := w.db.SyncChannelOrders(ctx, w.merchant.ID, a.ID, first.srv.Client()); err != nil || res.Created != 1 {
		t.Fatalf("first store: %+v, %v", res, err)
	}
	res, err := w.db.SyncChannelOrders(ctx, w.merchant.ID, b.ID, second.srv.Client())
	if err != nil || res.Created != 0 || res.Unchanged != 0 || res.Invalid != 1 || len(res.Problems) != 1 ||
		res.Problems[0] != "order #1001 was not imported: Main already has an order with that number" {
		t.Fatalf("second store: %+v, %v", res, err)
	}
	if got := w.channelRow(t, b.ID); !strings.Contains(got.SyncError, "Main already has an order with that number") {
		t.Errorf("the second store shows %q", got.SyncError)
	}
}
