package handlers_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/dropline/dropline/store"
)

// TestSalesChannelsSettings: a merchant admin connects a store from
// Settings → Sales channels; a bad address comes back with the reason and
// nothing saved; the credentials never appear on the page again (only a
// hint), an edit that leaves them blank keeps them, and the store can be
// removed. Staff see the list but no forms.
func TestSalesChannelsSettings(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.adminA.Email)
	page := c.get("/settings/channels")
	if page.status != http.StatusOK || page.doc.Find(`[data-testid="settings-tabs"] a[href="/settings/channels"]`).Length() != 1 ||
		page.doc.Find(`[data-testid="channel-connect"]`).Length() != 1 {
		t.Fatalf("sales channels page: %d\n%s", page.status, page.doc.Find("main").Text())
	}
	before := env.dbDigest()
	bad := c.post("/settings/channels", url.Values{"kind": {"shopify"}, "base_url": {"https://shop.example.com"}, "access_token": {"shpat_abc"}})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.doc.Find(`[data-testid="channel-connect"]`).Text(), "myshopify.com domain") {
		t.Fatalf("bad address: %d\n%s", bad.status, bad.doc.Find("main").Text())
	}
	if env.dbDigest() != before {
		t.Fatal("a refused connection changed the database")
	}
	const secret = "cs_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
	r := c.post("/settings/channels", url.Values{"kind": {"woocommerce"}, "name": {"Web shop"}, "site_url": {"https://shop.example.com"},
		"consumer_key": {"ck_0a1b2c3d4e5f60718293a4b5c6d7e8f9"}, "consumer_secret": {secret}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("connect: %d\n%s", r.status, r.doc.Find("main").Text())
	}
	all, err := env.db.SalesChannels(t.Context(), w.merchantA.ID)
	if err != nil {
		t.Fatal(err)
	}
	var list []store.SalesChannel
	for _, ch := range all {
		if ch.Name == "Web shop" {
			list = append(list, ch)
		}
	}
	if len(list) != 1 || list[0].Kind != "woocommerce" {
		t.Fatalf("channels after connecting: %+v", all)
	}
	page = c.get("/settings/channels")
	body := page.doc.Find("main").Text()
	if strings.Contains(page.body, secret) || strings.Contains(page.body, "ck_0a1b2c3d4e5f") || !strings.Contains(page.body, "…") {
		t.Errorf("the page shows a credential or no hint:\n%s", body)
	}
	id := list[0].ID
	path := "/settings/channels/" + injID(id)
	if r := c.post(path, url.Values{"name": {"Web store"}, "base_url": {"https://shop.example.com"}}); r.status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", r.status, r.doc.Find("main").Text())
	}
	if got, _ := env.db.SalesChannel(t.Context(), w.merchantA.ID, id); got.Name != "Web store" || got.CredentialHint != list[0].CredentialHint {
		t.Errorf("after an edit without credentials: %+v", got)
	}

	staff := env.client()
	staff.login(w.staffA.Email)
	sp := staff.get("/settings/channels")
	if sp.status != http.StatusOK || sp.doc.Find(`[data-testid="channel"]`).Length() != len(all) || sp.doc.Find("form[action^=\"/settings/channels\"]").Length() != 0 {
		t.Errorf("staff view: %d, %d stores, %d forms", sp.status, sp.doc.Find(`[data-testid="channel"]`).Length(), sp.doc.Find("form[action^=\"/settings/channels\"]").Length())
	}

	if r := c.post(path+"/remove", nil); r.status != http.StatusSeeOther {
		t.Fatalf("remove: %d", r.status)
	}
	if _, err := env.db.SalesChannel(t.Context(), w.merchantA.ID, id); err == nil {
		t.Error("the store is still connected after removing it")
	}
}

// TestSalesChannelConnectionTest: connecting a Shopify store tests it at
// once through the real adapter against a server answering Shopify's
// documented shop query; a token the shop refuses is reported with
// Shopify's reason and shown on the page until a test passes.
func TestSalesChannelConnectionTest(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	token := "shpat_" + strings.Repeat("a", 32)
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.URL.Path)
		if r.Header.Get("X-Shopify-Access-Token") != token {
			rw.WriteHeader(http.StatusUnauthorized)
			rw.Write([]byte(`{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`))
			return
		}
		rw.Header().Set("Content-Type", "application/json")
		rw.Write([]byte(`{"data":{"shop":{"name":"Acme Goods","myshopifyDomain":"acme-goods.myshopify.com","currencyCode":"USD"}},
			"extensions":{"cost":{"requestedQueryCost":1,"actualQueryCost":1,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1999,"restoreRate":100.0}}}}`))
	}))
	defer srv.Close()
	if err := env.db.SetAllowPrivateFeeds(t.Context(), store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	c := env.client()
	c.login(w.adminA.Email)
	c.get("/settings/channels")
	r := c.post("/settings/channels", url.Values{"kind": {"shopify"}, "name": {"Main shop"}, "shop": {srv.URL}, "access_token": {"shpat_" + strings.Repeat("b", 32)}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("connect: %d", r.status)
	}
	page := c.get("/settings/channels")
	if msg := page.doc.Find(".flash").Text(); !strings.Contains(msg, "The connection test failed") || !strings.Contains(msg, "access token") {
		t.Errorf("flash after connecting with a bad token: %q", msg)
	}
	if page.doc.Find(`[data-testid="channel-test-failed"]`).Length() != 1 || strings.Contains(page.body, "shpat_bbbb") {
		t.Errorf("page after a failed test:\n%s", page.doc.Find("main").Text())
	}
	var id int64
	all, _ := env.db.SalesChannels(t.Context(), w.merchantA.ID)
	for _, ch := range all {
		if ch.Name == "Main shop" {
			id = ch.ID
		}
	}
	path := "/settings/channels/" + injID(id)
	if r := c.post(path, url.Values{"name": {"Main shop"}, "base_url": {srv.URL}, "access_token": {token}}); r.status != http.StatusSeeOther {
		t.Fatalf("new token: %d", r.status)
	}
	if r := c.post(path+"/test", nil); r.status != http.StatusSeeOther {
		t.Fatalf("test: %d", r.status)
	}
	page = c.get("/settings/channels")
	if msg := page.doc.Find(".flash").Text(); !strings.Contains(msg, `"Acme Goods" answered`) {
		t.Errorf("flash after a good test: %q", msg)
	}
	if page.doc.Find(`[data-testid="channel-test-ok"]`).Length() != 1 || !strings.Contains(page.doc.Find("main").Text(), "Acme Goods") {
		t.Errorf("page after a good test:\n%s", page.doc.Find("main").Text())
	}
	if len(seen) != 2 || seen[0] != "/admin/api/2025-01/graphql.json" {
		t.Errorf("the shop saw %q", seen)
	}
}

// TestSalesChannelPullOrdersNow: "Pull orders now" on a Shopify store
// served by an in-test server answering Shopify's documented orders query
// brings its orders in through the real adapter, says how many in the
// flash and on the store, and lists them on /orders; a second press brings
// nothing new.
func TestSalesChannelPullOrdersNow(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	token := "shpat_" + strings.Repeat("c", 32)
	placed := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		if r.Header.Get("X-Shopify-Access-Token") != token {
			rw.WriteHeader(http.StatusUnauthorized)
			rw.Write([]byte(`{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`))
			return
		}
		body, _ := io.ReadAll(r.Body)
		data := `{"shop":{"name":"Acme Goods","myshopifyDomain":"acme-goods.myshopify.com","currencyCode":"USD"}}`
		if strings.Contains(string(body), "DroplineOrders") {
			data = `{"orders":{"pageInfo":{"hasNextPage":false,"endCursor":"x"},"nodes":[` + shopifyOrder(2001, placed) + `,` + shopifyOrder(2002, placed) + `]}}`
		}
		rw.Write([]byte(`{"data":` + data + `,"extensions":{"cost":{"requestedQueryCost":1,"actualQueryCost":1,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1999,"restoreRate":100.0}}}}`))
	}))
	defer srv.Close()
	if err := env.db.SetAllowPrivateFeeds(t.Context(), store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	c := env.client()
	c.login(w.adminA.Email)
	c.get("/settings/channels")
	if r := c.post("/settings/channels", url.Values{"kind": {"shopify"}, "name": {"Pull shop"}, "base_url": {srv.URL}, "access_token": {token}}); r.status != http.StatusSeeOther {
		t.Fatalf("connect: %d", r.status)
	}
	var id int64
	all, _ := env.db.SalesChannels(t.Context(), w.merchantA.ID)
	for _, ch := range all {
		if ch.Name == "Pull shop" {
			id = ch.ID
		}
	}
	page := c.get("/settings/channels")
	if page.doc.Find(`[data-testid="channel-sync-now"]`).Length() != len(all) {
		t.Fatalf("no Pull orders now button:\n%s", page.doc.Find("main").Text())
	}
	if r := c.post("/settings/channels/"+injID(id)+"/sync", nil); r.status != http.StatusSeeOther {
		t.Fatalf("pull: %d", r.status)
	}
	page = c.get("/settings/channels")
	if msg := page.doc.Find(".flash").Text(); !strings.Contains(msg, "Pulled orders from Pull shop: 2 new order(s), 0 already in Dropline.") {
		t.Errorf("flash after pulling: %q", msg)
	}
	var shown string
	page.doc.Find(`[data-testid="channel"]`).Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(s.Find("h3").Text(), "Pull shop") {
			shown = s.Find(`[data-testid="channel-sync"]`).Text()
		}
	})
	if !strings.Contains(shown, "Orders last synced") || !strings.Contains(shown, ": 2 new.") {
		t.Errorf("the store shows %q, want its last sync with 2 new", shown)
	}
	list := c.get("/orders?tab=all")
	text := list.doc.Find(`[data-testid="orders"]`).Text()
	if !strings.Contains(text, "#2001") || !strings.Contains(text, "#2002") {
		t.Errorf("/orders does not list the pulled orders:\n%s", text)
	}
	c.post("/settings/channels/"+injID(id)+"/sync", nil)
	if msg := c.get("/settings/channels").doc.Find(".flash").Text(); !strings.Contains(msg, "0 new order(s), 2 already in Dropline.") {
		t.Errorf("flash after pulling again: %q", msg)
	}
}

func shopifyOrder(n int, placed string) string {
	return fmt.Sprintf(`{"id":"gid://shopify/Order/%d","name":"#%d","email":"buyer@example.com","currencyCode":"USD","cancelledAt":null,
	  "createdAt":%q,"updatedAt":%q,"totalPriceSet":{"shopMoney":{"amount":"10.00","currencyCode":"USD"}},
	  "shippingAddress":{"name":"Ann Lee","company":"","address1":"1 Main St","address2":"","city":"Portland","province":"Oregon","provinceCode":"OR","zip":"97201","countryCodeV2":"US","phone":""},
	  "lineItems":{"nodes":[{"id":"gid://shopify/LineItem/%d1","sku":"NOPE-%d","title":"Thing","quantity":1,"originalUnitPriceSet":{"shopMoney":{"amount":"10.00","currencyCode":"USD"}}}]}}`,
		n, n, placed, placed, n, n)
}

// TestOrderPageShowsStoreUpdates: an order pulled from a WooCommerce store
// is dropshipped and ships in two parcels. The order page shows, per
// shipment, what the store was told: the first parcel sent with the
// site's tracking ID; the second, which the site refused, failed with the
// site's words and a Retry button. Retry (CSRF-checked) queues it again,
// and the next pass sends it. Pause and Resume on Settings → Sales
// channels hold and release the store's updates.
func TestOrderPageShowsStoreUpdates(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := t.Context()
	const key, secret = "ck_0a1b2c3d4e5f60718293a4b5c6d7e8f9", "cs_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
	var mu sync.Mutex
	refuse := false
	var trackings []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json; charset=UTF-8")
		if user, pass, ok := r.BasicAuth(); !ok || user != key || pass != secret {
			rw.WriteHeader(http.StatusUnauthorized)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		const route = "/wp-json/wc-shipment-tracking/v3/orders/701/shipment-trackings"
		switch {
		case r.URL.Path == "/wp-json/wc/v3/orders" && r.Method == http.MethodGet:
			rw.Header().Set("X-WP-TotalPages", "1")
			fmt.Fprint(rw, `[{"id":701,"number":"701","status":"processing","currency":"USD","date_created_gmt":"2026-11-20T10:00:00","date_modified_gmt":"2026-11-20T11:00:00",
				"total":"20.00","billing":{"email":"ann@example.com"},"shipping":{"first_name":"Ann","last_name":"Lee","address_1":"1 Main St","city":"Portland","state":"OR","postcode":"97201","country":"US"},
				"line_items":[{"id":71,"name":"Widget","sku":"S-100","quantity":2,"price":10}]}]`)
		case r.URL.Path == route && r.Method == http.MethodGet:
			json.NewEncoder(rw).Encode(trackings)
		case r.URL.Path == route && r.Method == http.MethodPost && refuse:
			rw.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(rw, `{"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid order ID.","data":{"status":400}}`)
		case r.URL.Path == route && r.Method == http.MethodPost:
			var body map[string]any
			json.NewDecoder(r.Body).Decode(&body)
			body["tracking_id"] = fmt.Sprintf("trk-%d", len(trackings)+1)
			trackings = append(trackings, body)
			rw.WriteHeader(http.StatusCreated)
			json.NewEncoder(rw).Encode(body)
		case r.URL.Path == "/wp-json/wc/v3/orders/701" && r.Method == http.MethodPut:
			fmt.Fprint(rw, `{"id":701,"status":"completed"}`)
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL)
			http.NotFound(rw, r)
		}
	}))
	defer srv.Close()
	if err := env.db.SetAllowPrivateFeeds(ctx, store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	ch, err := env.db.SaveSalesChannel(ctx, store.CLIActor, w.merchantA.ID, 0, store.SalesChannelInput{Kind: "woocommerce", Name: "Web shop",
		BaseURL: srv.URL, ConsumerKey: key, ConsumerSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := env.db.SyncChannelOrders(ctx, w.merchantA.ID, ch.ID, srv.Client()); err != nil || res.Created != 1 {
		t.Fatalf("sync: %+v, %v", res, err)
	}
	orders, err := env.db.Orders(ctx, w.merchantA.ID, store.OrderFilter{Tab: store.TabAll, Query: "#701"})
	if err != nil || len(orders.Orders) != 1 {
		t.Fatalf("order #701: %+v, %v", orders, err)
	}
	order := orders.Orders[0]
	// The world's supplier takes dropship orders again.
	if err := env.db.SetInitialStatus(ctx, store.CLIActor, w.supplierS.ID, w.statusS); err != nil {
		t.Fatal(err)
	}
	res, err := env.db.Dropship(ctx, store.CLIActor, w.merchantA.ID, order.ID, store.DropshipRequest{IdempotencyKey: "store-updates", Confirm: true})
	if err != nil || len(res.POs) != 1 {
		t.Fatalf("dropship: %+v, %v", res, err)
	}
	po, err := env.db.PurchaseOrder(ctx, w.supplierS.ID, res.POs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC().Format(time.DateOnly)
	ship := func(number string) {
		t.Helper()
		if _, err := env.db.AddShipment(ctx, store.CLIActor, w.supplierS.ID, po.ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: number, ShipDate: today,
			Lines: []store.ShipmentLine{{POLineID: po.Lines[0].ID, Quantity: 1}}}); err != nil {
			t.Fatal(err)
		}
	}
	d := &store.Deliverer{DB: env.db, HTTP: srv.Client(), Log: quietLog()}
	ship("1Z999AA10987654328")
	c := env.client()
	c.login(w.adminA.Email)
	updates := func() []string {
		var out []string
		c.get("/orders/" + injID(order.ID)).doc.Find(`[data-testid="store-update"]`).Each(func(_ int, s *goquery.Selection) {
			out = append(out, s.AttrOr("data-state", "")+": "+strings.Join(strings.Fields(s.Text()), " "))
		})
		return out
	}
	if got := updates(); len(got) != 1 || got[0] != "queued: Web shop Queued" {
		t.Errorf("before delivery the order page shows %q", got)
	}
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	if got := updates(); len(got) != 1 || got[0] != "sent: Web shop Sent fulfillment trk-1" {
		t.Errorf("after delivery the order page shows %q", got)
	}

	mu.Lock()
	refuse = true
	mu.Unlock()
	ship("1Z999AA10123456793")
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	page := c.get("/orders/" + injID(order.ID))
	failed := page.doc.Find(`[data-testid="store-update"][data-state="failed"]`)
	if failed.Length() != 1 || !strings.Contains(failed.Text(), "Invalid order ID.") {
		t.Fatalf("the refused update shows %q", failed.Text())
	}
	retry := failed.Find("form").AttrOr("action", "")
	if retry == "" || failed.Find(`[data-testid="store-update-retry"]`).Length() != 1 {
		t.Fatalf("no Retry on the failed update:\n%s", failed.Text())
	}
	// Without the CSRF token nothing changes; another merchant is refused.
	other := env.client()
	other.login(w.adminB.Email)
	other.get("/orders")
	before := env.dbDigest()
	if r := c.postRaw(retry, url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("retry without CSRF: %d", r.status)
	}
	if r := other.post(retry, nil); r.status != http.StatusNotFound {
		t.Errorf("merchant B's retry: %d", r.status)
	}
	if env.dbDigest() != before {
		t.Fatal("a refused retry changed the database")
	}
	mu.Lock()
	refuse = false
	mu.Unlock()
	c.get("/orders/" + injID(order.ID))
	if r := c.post(retry, nil); r.status != http.StatusSeeOther {
		t.Fatalf("retry: %d", r.status)
	}
	if msg := c.get("/orders/" + injID(order.ID)).doc.Find(".flash").Text(); !strings.Contains(msg, "queued again") {
		t.Errorf("flash after Retry: %q", msg)
	}
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	if got := updates(); len(got) != 2 || got[1] != "sent: Web shop Sent fulfillment trk-2" {
		t.Errorf("after Retry the order page shows %q", got)
	}

	// Pause and Resume.
	c.get("/settings/channels")
	if r := c.post("/settings/channels/"+injID(ch.ID)+"/pause", url.Values{"paused": {"true"}}); r.status != http.StatusSeeOther {
		t.Fatalf("pause: %d", r.status)
	}
	page = c.get("/settings/channels")
	if !strings.Contains(page.doc.Find(".flash").Text(), "Paused Web shop") || page.doc.Find(`[data-testid="channel-paused"]`).Length() != 1 ||
		page.doc.Find(`[data-testid="channel-resume"]`).Length() != 1 {
		t.Errorf("after pausing:\n%s", page.doc.Find("main").Text())
	}
	if got, _ := env.db.SalesChannel(ctx, w.merchantA.ID, ch.ID); !got.Paused {
		t.Error("the store is not paused")
	}
	if r := c.post("/settings/channels/"+injID(ch.ID)+"/pause", url.Values{"paused": {"false"}}); r.status != http.StatusSeeOther {
		t.Fatalf("resume: %d", r.status)
	}
	if got, _ := env.db.SalesChannel(ctx, w.merchantA.ID, ch.ID); got.Paused {
		t.Error("the store is still paused")
	}
}

// TestSalesChannelStockPush: the store's form offers "Push stock levels to
// this store"; with it ticked, Push stock now sends the merchant's linked
// product's sellable quantity through the real adapter to a server answering
// Shopify's documented inventory operations, says what it did, and the
// store's stock report shows the SKU the shop lacks; Choose location lists
// the shop's locations and saving one moves the stock there; a refusal is
// shown with Shopify's words; staff see the report without the buttons.
func TestSalesChannelStockPush(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	token := "shpat_" + strings.Repeat("d", 32)
	sku := "S-100" // merchant A's linked product in the world
	var mu sync.Mutex
	var sets []string
	hasSKU, refuse := false, ""
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		if r.Header.Get("X-Shopify-Access-Token") != token {
			rw.WriteHeader(http.StatusUnauthorized)
			rw.Write([]byte(`{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`))
			return
		}
		var body struct {
			Query     string
			Variables json.RawMessage
		}
		json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		defer mu.Unlock()
		var data string
		switch {
		case strings.Contains(body.Query, "DroplineShop"):
			data = `{"shop":{"name":"Acme Goods","myshopifyDomain":"acme-goods.myshopify.com","currencyCode":"USD"}}`
		case strings.Contains(body.Query, "DroplineVariantsBySKU"):
			nodes := ""
			if hasSKU && strings.Contains(string(body.Variables), `sku:\"`+sku+`\"`) {
				nodes = `{"id":"gid://shopify/ProductVariant/1","sku":"` + sku + `","inventoryItem":{"id":"gid://shopify/InventoryItem/1"}}`
			}
			data = `{"productVariants":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[` + nodes + `]}}`
		case strings.Contains(body.Query, "DroplinePrimaryLocation"):
			data = `{"location":{"id":"gid://shopify/Location/1","name":"Main warehouse"}}`
		case strings.Contains(body.Query, "DroplineLocations"):
			data = `{"location":{"id":"gid://shopify/Location/1"},"locations":{"pageInfo":{"hasNextPage":false,"endCursor":"x"},"nodes":[` +
				`{"id":"gid://shopify/Location/1","name":"Main warehouse","isActive":true,"fulfillsOnlineOrders":true},` +
				`{"id":"gid://shopify/Location/9","name":"Dropship partner","isActive":true,"fulfillsOnlineOrders":true}]}}`
		case strings.Contains(body.Query, "DroplineInventorySet") && refuse != "":
			data = `{"inventorySetQuantities":{"inventoryAdjustmentGroup":null,"userErrors":[{"field":["input","quantities","0","locationId"],"message":"` + refuse + `","code":"ITEM_NOT_STOCKED_AT_LOCATION"}]}}`
			refuse = ""
		case strings.Contains(body.Query, "DroplineInventorySet"):
			var v struct {
				Input struct {
					Quantities []struct {
						LocationID string
						Quantity   int
					}
				}
			}
			json.Unmarshal(body.Variables, &v)
			for _, q := range v.Input.Quantities {
				sets = append(sets, fmt.Sprintf("%d@%s", q.Quantity, q.LocationID))
			}
			data = `{"inventorySetQuantities":{"inventoryAdjustmentGroup":{"id":"gid://shopify/InventoryAdjustmentGroup/1"},"userErrors":[]}}`
		default:
			t.Errorf("unexpected query %s", body.Query)
		}
		rw.Write([]byte(`{"data":` + data + `,"extensions":{"cost":{"requestedQueryCost":1,"actualQueryCost":1,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1999,"restoreRate":100.0}}}}`))
	}))
	defer srv.Close()
	if err := env.db.SetAllowPrivateFeeds(t.Context(), store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	lp, err := env.db.LinkedProduct(t.Context(), w.merchantA.ID, w.productA)
	if err != nil || lp.SKU != sku {
		t.Fatalf("merchant A's linked product: %+v, %v", lp, err)
	}
	sellable := lp.Sellable()

	c := env.client()
	c.login(w.adminA.Email)
	c.get("/settings/channels")
	if r := c.post("/settings/channels", url.Values{"kind": {"shopify"}, "name": {"Stock shop"}, "base_url": {srv.URL}, "access_token": {token}}); r.status != http.StatusSeeOther {
		t.Fatalf("connect: %d", r.status)
	}
	var id int64
	all, _ := env.db.SalesChannels(t.Context(), w.merchantA.ID)
	for _, ch := range all {
		if ch.Name == "Stock shop" {
			id = ch.ID
		}
	}
	path := "/settings/channels/" + injID(id)
	storeOn := func(p page) *goquery.Selection {
		var out *goquery.Selection
		p.doc.Find(`[data-testid="channel"]`).Each(func(_ int, s *goquery.Selection) {
			if strings.Contains(s.Find("h3").Text(), "Stock shop") {
				out = s
			}
		})
		if out == nil {
			t.Fatalf("the store is not on the page:\n%s", p.doc.Find("main").Text())
		}
		return out
	}
	s := storeOn(c.get("/settings/channels"))
	if !strings.Contains(s.Find(`[data-testid="channel-stock"]`).Text(), "not pushed to this store") || s.Find(`[data-testid="channel-stock-push"]`).Length() != 0 {
		t.Errorf("a store without stock push shows %q", s.Find(`[data-testid="channel-stock"]`).Text())
	}
	if box := s.Find(`input[name="push_stock"]`); box.Length() != 1 || box.AttrOr("checked", "none") != "none" {
		t.Errorf("the edit form's push_stock box: %d, checked %q", box.Length(), box.AttrOr("checked", "none"))
	}
	if r := c.post(path, url.Values{"name": {"Stock shop"}, "base_url": {srv.URL}, "push_stock": {"true"}}); r.status != http.StatusSeeOther {
		t.Fatalf("turn stock push on: %d", r.status)
	}
	if ch, _ := env.db.SalesChannel(t.Context(), w.merchantA.ID, id); !ch.PushStock {
		t.Fatal("push_stock not saved")
	}
	s = storeOn(c.get("/settings/channels"))
	if s.Find(`input[name="push_stock"][checked]`).Length() != 1 || !strings.Contains(s.Find(`[data-testid="channel-stock-summary"]`).Text(), "Stock not pushed yet") {
		t.Errorf("after turning stock push on: %q", s.Find(`[data-testid="channel-stock"]`).Text())
	}

	// The shop has no product with the SKU yet.
	if r := c.post(path+"/stock", nil); r.status != http.StatusSeeOther {
		t.Fatalf("push stock: %d", r.status)
	}
	p := c.get("/settings/channels")
	if msg := p.doc.Find(".flash").Text(); !strings.Contains(msg, "Pushed stock to Stock shop: 0 quantities sent, 0 already up to date, 1 SKU the store does not have.") {
		t.Errorf("flash after the first push: %q", msg)
	}
	if got := strings.Join(strings.Fields(storeOn(p).Find(`[data-testid="channel-stock-missing"]`).Text()), " "); !strings.Contains(got, "Not in the store: 1") || !strings.Contains(got, sku) {
		t.Errorf("missing SKUs shown: %q", got)
	}

	// The merchant adds it to the shop and sends stock to another location.
	mu.Lock()
	hasSKU = true
	mu.Unlock()
	lpage := c.post(path+"/locations", nil)
	form := storeOn(lpage).Find(`[data-testid="channel-location-form"]`)
	if lpage.status != http.StatusOK || form.Find("option").Length() != 3 || !strings.Contains(form.Text(), "Main warehouse (primary)") {
		t.Fatalf("choose location: %d\n%s", lpage.status, form.Text())
	}
	if r := c.post(path+"/location", url.Values{"location_id": {"gid://shopify/Location/9"}}); r.status != http.StatusSeeOther {
		t.Fatalf("save location: %d", r.status)
	}
	p = c.get("/settings/channels")
	if msg := p.doc.Find(".flash").Text(); !strings.Contains(msg, "Stock shop's stock is set at Dropship partner") {
		t.Errorf("flash after choosing a location: %q", msg)
	}
	if got := storeOn(p).Find(`[data-testid="channel-stock-location"]`).Text(); got != "Dropship partner" {
		t.Errorf("location shown: %q", got)
	}

	// Shopify refuses: its words are shown, and the next push sends it.
	mu.Lock()
	refuse = "The specified inventory item is not stocked at the location."
	mu.Unlock()
	c.post(path+"/stock", nil)
	p = c.get("/settings/channels")
	if msg := p.doc.Find(".flash").Text(); !strings.Contains(msg, "not stocked at the location") || !strings.Contains(msg, "1 waiting for the next push") {
		t.Errorf("flash after a refusal: %q", msg)
	}
	if got := storeOn(p).Find(`[data-testid="channel-stock-error"]`).Parent().Text(); !strings.Contains(got, "not stocked at the location") {
		t.Errorf("stock problem shown: %q", got)
	}
	c.post(path+"/stock", nil)
	p = c.get("/settings/channels")
	if msg := p.doc.Find(".flash").Text(); !strings.Contains(msg, "Pushed stock to Stock shop: 1 quantity sent") {
		t.Errorf("flash after pushing: %q", msg)
	}
	summary := strings.Join(strings.Fields(storeOn(p).Find(`[data-testid="channel-stock-summary"]`).Text()), " ")
	if !strings.Contains(summary, "1 sent, 1 in step with Dropline") || storeOn(p).Find(`[data-testid="channel-stock-error"]`).Length() != 0 {
		t.Errorf("stock summary after pushing: %q", summary)
	}
	mu.Lock()
	if want := fmt.Sprintf("%d@gid://shopify/Location/9", sellable); len(sets) != 1 || sets[0] != want {
		t.Errorf("the shop was set %q, want [%s]", sets, want)
	}
	mu.Unlock()

	staff := env.client()
	staff.login(w.staffA.Email)
	ss := storeOn(staff.get("/settings/channels"))
	if !strings.Contains(ss.Find(`[data-testid="channel-stock-summary"]`).Text(), "1 sent") || ss.Find(`[data-testid="channel-stock-push"]`).Length() != 0 ||
		ss.Find(`[data-testid="channel-locations"]`).Length() != 0 {
		t.Errorf("staff see %q", ss.Find(`[data-testid="channel-stock"]`).Text())
	}
}
