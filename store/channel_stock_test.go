package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
)

// stockShop is a Shopify shop's inventory as the Admin GraphQL API shows it
// to a stock push, served by fakeShopShopify: variants found by SKU with the
// productVariants sku: search, the primary location, the shop's locations,
// and inventorySetQuantities setting "available" at a location. It can
// answer the next calls with THROTTLED (and the query cost, as Shopify
// does), or the next inventorySetQuantities with a userError.
type stockShop struct {
	*fakeShopShopify
	mu       sync.Mutex
	items    map[string]string // SKU → inventory item GID
	levels   map[string]int    // "SKU@location" → available
	sets     [][]string        // per inventorySetQuantities: "SKU=quantity@location"
	lookups  [][]string        // per productVariants search: the SKUs asked for
	throttle int               // calls still to answer THROTTLED
	refuse   string            // the next inventorySetQuantities' userError
}

var stockSKUTerm = regexp.MustCompile(`sku:"([^"]+)"`)

func newStockShop(t *testing.T, skus ...string) *stockShop {
	t.Helper()
	s := &stockShop{items: map[string]string{}, levels: map[string]int{}}
	for i, sku := range skus {
		s.items[sku] = fmt.Sprintf("gid://shopify/InventoryItem/%d", 100+i)
	}
	s.fakeShopShopify = newFakeShopShopify(t, nil)
	s.other = func(query string, variables json.RawMessage) string {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.throttle > 0 {
			s.throttle--
			return `{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED","documentation":"https://shopify.dev/api/usage/rate-limits"}}],` +
				`"extensions":{"cost":{"requestedQueryCost":502,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":2,"restoreRate":100.0}}}}`
		}
		var data string
		switch {
		case strings.Contains(query, "DroplineVariantsBySKU"):
			var v struct{ Query string }
			json.Unmarshal(variables, &v)
			var asked, nodes []string
			for _, m := range stockSKUTerm.FindAllStringSubmatch(v.Query, -1) {
				asked = append(asked, m[1])
				if item, ok := s.items[m[1]]; ok {
					nodes = append(nodes, fmt.Sprintf(`{"id":"gid://shopify/ProductVariant/%s","sku":%q,"inventoryItem":{"id":%q}}`, m[1], m[1], item))
				}
			}
			s.lookups = append(s.lookups, asked)
			data = `{"productVariants":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[` + strings.Join(nodes, ",") + `]}}`
		case strings.Contains(query, "DroplinePrimaryLocation"):
			data = `{"location":{"id":"gid://shopify/Location/1","name":"Main warehouse"}}`
		case strings.Contains(query, "DroplineLocations"):
			data = `{"location":{"id":"gid://shopify/Location/1"},"locations":{"pageInfo":{"hasNextPage":false,"endCursor":"l1"},"nodes":[` +
				`{"id":"gid://shopify/Location/1","name":"Main warehouse","isActive":true,"fulfillsOnlineOrders":true},` +
				`{"id":"gid://shopify/Location/9","name":"Dropship partner","isActive":true,"fulfillsOnlineOrders":true}]}}`
		case strings.Contains(query, "DroplineInventorySet"):
			if s.refuse != "" {
				msg := s.refuse
				s.refuse = ""
				return `{"data":{"inventorySetQuantities":{"inventoryAdjustmentGroup":null,"userErrors":[{"field":["input","quantities","0","locationId"],"message":` +
					strconv.Quote(msg) + `,"code":"ITEM_NOT_STOCKED_AT_LOCATION"}]}}}`
			}
			var v struct {
				Input struct {
					Name       string
					Quantities []struct {
						InventoryItemID string
						LocationID      string
						Quantity        int
					}
				}
			}
			json.Unmarshal(variables, &v)
			var set []string
			for _, q := range v.Input.Quantities {
				sku := ""
				for k, item := range s.items {
					if item == q.InventoryItemID {
						sku = k
					}
				}
				set = append(set, fmt.Sprintf("%s=%d@%s", sku, q.Quantity, strings.TrimPrefix(q.LocationID, "gid://shopify/Location/")))
				s.levels[sku+"@"+strings.TrimPrefix(q.LocationID, "gid://shopify/Location/")] = q.Quantity
			}
			slices.Sort(set)
			s.sets = append(s.sets, set)
			data = `{"inventorySetQuantities":{"inventoryAdjustmentGroup":{"id":"gid://shopify/InventoryAdjustmentGroup/1"},"userErrors":[]}}`
		default:
			return `{"errors":[{"message":"unexpected operation"}]}`
		}
		return `{"data":` + data + `,"extensions":{"cost":{"requestedQueryCost":10,"actualQueryCost":10,` +
			`"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1990,"restoreRate":100.0}}}}`
	}
	return s
}

// calls returns, and forgets, the quantities set and the SKUs looked up.
func (s *stockShop) calls() (sets, lookups [][]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sets, lookups = s.sets, s.lookups
	s.sets, s.lookups = nil, nil
	return sets, lookups
}

func (s *stockShop) set(f func(s *stockShop)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

// supplierSells changes the supplier's quantity of one of the world's
// products and pulls the merchant's subscription to its feed.
func (w *orderWorld) supplierSells(t *testing.T, sku string, qty int) {
	t.Helper()
	i := strings.Index("A-1 A-2 A-3", sku) / 4
	w.product(t, sku, qty, "0001234567"+fmt.Sprint(i))
	subs, err := w.db.Subscriptions(context.Background(), w.merchant.ID)
	if err != nil || len(subs) != 1 {
		t.Fatalf("subscriptions: %+v, %v", subs, err)
	}
	if r := w.pull(t, subs[0].ID); r.State != store.RunSucceeded || r.Updated != 1 {
		t.Fatalf("pull after changing %s: %s", sku, counts(r))
	}
}

func (w *orderWorld) pushStock(t *testing.T, id int64, client *http.Client, recheck bool) store.StockPushResult {
	t.Helper()
	res, err := w.db.PushChannelStock(context.Background(), w.merchant.ID, id, client, recheck)
	if err != nil {
		t.Fatalf("push stock: %v", err)
	}
	return res
}

func (w *orderWorld) stockReport(t *testing.T, id int64) store.ChannelStock {
	t.Helper()
	reports, err := w.db.ChannelStockReports(context.Background(), w.merchant.ID)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := reports[id]
	if !ok {
		t.Fatalf("no stock report for store %d in %+v", id, reports)
	}
	return r
}

func (w *orderWorld) dueForStock(t *testing.T, at time.Time) []int64 {
	t.Helper()
	due, err := w.db.ChannelsDueForStockPush(context.Background(), at)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, ch := range due {
		ids = append(ids, ch.ID)
	}
	return ids
}

func joinSets(ss [][]string) string {
	var parts []string
	for _, s := range ss {
		parts = append(parts, strings.Join(s, ","))
	}
	return strings.Join(parts, " | ")
}

// TestPushStockShopify: a Shopify store that pushes stock gets, through the
// real adapter, every linked product's sellable quantity at the primary
// location, with the SKU it lacks reported; a second push sends nothing; a
// feed pull that changes one quantity makes the store due at once and sends
// just that SKU; THROTTLED leaves it unsent until the next push, which comes
// after the wait; a refusal is shown with Shopify's words and nothing is
// recorded as pushed; Push stock now looks for the missing SKU again; a
// product no longer sold is set to 0 once.
func TestPushStockShopify(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	shop := newStockShop(t, "A-1", "A-2")
	ch := w.connect(t, store.SalesChannelInput{Kind: "shopify", Name: "Acme", BaseURL: shop.srv.URL, AccessToken: syncShopifyToken, PushStock: true})
	client := shop.srv.Client()

	if due := w.dueForStock(t, w.now); !slices.Equal(due, []int64{ch.ID}) {
		t.Fatalf("due before any push: %v, want the new store", due)
	}
	res := w.pushStock(t, ch.ID, client, false)
	if res.Sent != 2 || res.Missing != 1 || res.Unchanged != 0 || res.Waiting != 0 || res.Error != "" {
		t.Errorf("first push = %+v, want 2 sent and A-3 missing", res)
	}
	sets, lookups := shop.calls()
	if got := joinSets(sets); got != "A-1=10@1,A-2=20@1" {
		t.Errorf("first push set %q, want every linked product's sellable quantity at the primary location", got)
	}
	if got := joinSets(lookups); got != "A-1,A-2,A-3" {
		t.Errorf("first push looked up %q", got)
	}
	r := w.stockReport(t, ch.ID)
	if r.CheckedAt == nil || !r.CheckedAt.Equal(w.now) || r.Sent != 2 || r.InStep != 2 || r.Missing != 1 || !slices.Equal(r.MissingSKUs, []string{"A-3"}) || r.Error != "" {
		t.Errorf("report after the first push = %+v", r)
	}
	if due := w.dueForStock(t, w.now.Add(4*time.Minute)); len(due) != 0 {
		t.Errorf("due 4 minutes after a push with no change: %v", due)
	}

	// Nothing changed: nothing is sent, and the missing SKU is not asked
	// for again yet.
	res = w.pushStock(t, ch.ID, client, false)
	if res.Sent != 0 || res.Unchanged != 2 || res.Missing != 0 || res.Error != "" {
		t.Errorf("second push = %+v, want nothing sent, 2 up to date", res)
	}
	if sets, lookups := shop.calls(); len(sets)+len(lookups) != 0 {
		t.Errorf("second push called the shop: sets %q lookups %q", joinSets(sets), joinSets(lookups))
	}

	// The supplier's quantity of A-2 drops; the merchant's pull makes the
	// store due at once, and the push sends A-2 alone.
	w.now = w.now.Add(time.Minute)
	w.supplierSells(t, "A-2", 7)
	if due := w.dueForStock(t, w.now); !slices.Equal(due, []int64{ch.ID}) {
		t.Errorf("due after a pull changed a quantity: %v, want the store", due)
	}
	res = w.pushStock(t, ch.ID, client, false)
	if sets, lookups := shop.calls(); res.Sent != 1 || res.Unchanged != 1 || joinSets(sets) != "A-2=7@1" || joinSets(lookups) != "A-2" {
		t.Errorf("push after the pull = %+v, set %q, looked up %q; want A-2=7 alone", res, joinSets(sets), joinSets(lookups))
	}
	if due := w.dueForStock(t, w.now); len(due) != 0 {
		t.Errorf("due right after the push: %v", due)
	}

	// Shopify throttles: nothing is recorded as pushed, the store waits a
	// minute (more than the cost's 5 s), then the next push sends A-1.
	w.supplierSells(t, "A-1", 4)
	shop.set(func(s *stockShop) { s.throttle = 1 })
	res = w.pushStock(t, ch.ID, client, false)
	if res.Sent != 0 || res.Waiting != 1 || !strings.Contains(res.Error, "throttling") {
		t.Errorf("throttled push = %+v, want A-1 waiting with Shopify's throttling", res)
	}
	if r := w.stockReport(t, ch.ID); r.Waiting != 1 || !strings.Contains(r.Error, "throttling") {
		t.Errorf("report after throttling = %+v", r)
	}
	if due := w.dueForStock(t, w.now.Add(30*time.Second)); len(due) != 0 {
		t.Errorf("due 30 s after being throttled: %v", due)
	}
	w.now = w.now.Add(61 * time.Second)
	if due := w.dueForStock(t, w.now); !slices.Equal(due, []int64{ch.ID}) {
		t.Errorf("due a minute after being throttled: %v", due)
	}
	res = w.pushStock(t, ch.ID, client, false)
	if sets, _ := shop.calls(); res.Sent != 1 || res.Error != "" || joinSets(sets) != "A-1=4@1" {
		t.Errorf("push after the throttle = %+v, set %q; want A-1=4", res, joinSets(sets))
	}
	if r := w.stockReport(t, ch.ID); r.Waiting != 0 || r.Error != "" {
		t.Errorf("report after the retry = %+v, want the problem gone", r)
	}

	// Shopify refuses: its message is the store's stock error, the value is
	// not recorded, and the next push tries again.
	w.now = w.now.Add(time.Minute)
	w.supplierSells(t, "A-1", 3)
	shop.set(func(s *stockShop) { s.refuse = "The specified inventory item is not stocked at the location." })
	res = w.pushStock(t, ch.ID, client, false)
	if res.Sent != 0 || res.Waiting != 1 || !strings.Contains(res.Error, "Shopify refused") || !strings.Contains(res.Error, "not stocked at the location") {
		t.Errorf("refused push = %+v", res)
	}
	if r := w.stockReport(t, ch.ID); !strings.Contains(r.Error, "not stocked at the location") {
		t.Errorf("report after a refusal: %+v", r)
	}
	shop.calls()
	res = w.pushStock(t, ch.ID, client, false)
	if sets, _ := shop.calls(); res.Sent != 1 || joinSets(sets) != "A-1=3@1" {
		t.Errorf("push after the refusal = %+v, set %q; want A-1=3 sent again", res, joinSets(sets))
	}

	// Push stock now asks for the SKU the store lacked; the merchant has
	// added it to the shop meanwhile.
	shop.set(func(s *stockShop) { s.items["A-3"] = "gid://shopify/InventoryItem/300" })
	res = w.pushStock(t, ch.ID, client, true)
	if sets, lookups := shop.calls(); res.Sent != 1 || res.Missing != 0 || joinSets(sets) != "A-3=30@1" || joinSets(lookups) != "A-3" {
		t.Errorf("Push stock now = %+v, set %q, looked up %q; want A-3 found and set", res, joinSets(sets), joinSets(lookups))
	}
	if r := w.stockReport(t, ch.ID); r.Missing != 0 || len(r.MissingSKUs) != 0 || r.InStep != 3 {
		t.Errorf("report once the shop has every SKU: %+v", r)
	}

	// An archived product is no longer sold: the shop gets 0 once.
	lp := w.linked(t)["A-2"]
	if err := w.db.ArchiveProduct(ctx, w.mActor, w.merchant.ID, lp.ID, true); err != nil {
		t.Fatal(err)
	}
	res = w.pushStock(t, ch.ID, client, false)
	if sets, _ := shop.calls(); res.Sent != 1 || joinSets(sets) != "A-2=0@1" {
		t.Errorf("push after archiving A-2 = %+v, set %q; want A-2=0", res, joinSets(sets))
	}
	res = w.pushStock(t, ch.ID, client, false)
	if sets, lookups := shop.calls(); res.Sent != 0 || len(sets)+len(lookups) != 0 {
		t.Errorf("push after that = %+v, calls %q %q; want nothing", res, joinSets(sets), joinSets(lookups))
	}
}

// TestPushStockShopifyLocation: the shop's locations are listed through the
// adapter; choosing one sends every quantity again, there; an ID the shop
// does not list is refused; a new address forgets the location.
func TestPushStockShopifyLocation(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	shop := newStockShop(t, "A-1", "A-2", "A-3")
	ch := w.connect(t, store.SalesChannelInput{Kind: "shopify", Name: "Acme", BaseURL: shop.srv.URL, AccessToken: syncShopifyToken, PushStock: true})
	client := shop.srv.Client()
	w.pushStock(t, ch.ID, client, false)
	shop.calls()

	locs, err := w.db.ChannelLocations(ctx, w.merchant.ID, ch.ID, client)
	if err != nil || len(locs) != 2 || !locs[0].Primary || locs[1].Name != "Dropship partner" {
		t.Fatalf("locations = %+v, %v", locs, err)
	}
	if _, err := w.db.SetStockLocation(ctx, w.mActor, w.merchant.ID, ch.ID, "gid://shopify/Location/404", client); fields(err)["location_id"] == "" {
		t.Errorf("unknown location: %v, want a field error", err)
	}
	loc, err := w.db.SetStockLocation(ctx, w.mActor, w.merchant.ID, ch.ID, "gid://shopify/Location/9", client)
	if err != nil || loc.Name != "Dropship partner" {
		t.Fatalf("set location: %+v, %v", loc, err)
	}
	r := w.stockReport(t, ch.ID)
	if r.LocationID != "gid://shopify/Location/9" || r.LocationName != "Dropship partner" || r.CheckedAt != nil || r.InStep != 0 {
		t.Errorf("report after choosing a location = %+v, want the location and nothing pushed there yet", r)
	}
	if due := w.dueForStock(t, w.now); !slices.Equal(due, []int64{ch.ID}) {
		t.Errorf("due after choosing a location: %v", due)
	}
	res := w.pushStock(t, ch.ID, client, false)
	if sets, _ := shop.calls(); res.Sent != 3 || joinSets(sets) != "A-1=10@9,A-2=20@9,A-3=30@9" {
		t.Errorf("push to the chosen location = %+v, set %q", res, joinSets(sets))
	}

	// The store moves: the old shop's location is forgotten.
	other := newStockShop(t, "A-1")
	if _, err := w.db.SaveSalesChannel(ctx, w.mActor, w.merchant.ID, ch.ID, store.SalesChannelInput{Name: "Acme", BaseURL: other.srv.URL, PushStock: true}); err != nil {
		t.Fatal(err)
	}
	if r := w.stockReport(t, ch.ID); r.LocationID != "" || r.InStep != 0 {
		t.Errorf("report after a new address = %+v, want the primary location and nothing pushed", r)
	}
	res = w.pushStock(t, ch.ID, other.srv.Client(), false)
	if sets, _ := other.calls(); res.Sent != 1 || res.Missing != 2 || joinSets(sets) != "A-1=10@1" {
		t.Errorf("push to the new shop = %+v, set %q", res, joinSets(sets))
	}
}

// stockWoo is a WooCommerce site's products as the REST API shows them to a
// stock push: GET /products?sku= (variations included), and the products
// and variations batch endpoints. It can answer the next batch with 429.
type stockWoo struct {
	srv      *httptest.Server
	mu       sync.Mutex
	products map[string][2]int // SKU → id, parent id (0 for a product)
	stock    map[int]int       // id → stock_quantity
	batches  []string          // per batch request: route and "id=quantity"
	throttle bool
	requests int
}

func newStockWoo(t *testing.T) *stockWoo {
	t.Helper()
	f := &stockWoo{products: map[string][2]int{"A-1": {11, 0}, "A-2": {21, 20}}, stock: map[int]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.requests++
		rw.Header().Set("Content-Type", "application/json; charset=UTF-8")
		if user, pass, ok := r.BasicAuth(); !ok || user != syncWooKey || pass != syncWooSecret {
			rw.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(rw).Encode(map[string]any{"code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot list resources.", "data": map[string]any{"status": 401}})
			return
		}
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/wp-json/wc/v3/products":
			var found []map[string]any
			for _, sku := range strings.Split(r.URL.Query().Get("sku"), ",") {
				if p, ok := f.products[sku]; ok {
					typ := "simple"
					if p[1] != 0 {
						typ = "variation"
					}
					found = append(found, map[string]any{"id": p[0], "parent_id": p[1], "sku": sku, "type": typ})
				}
			}
			rw.Header().Set("X-WP-Total", strconv.Itoa(len(found)))
			rw.Header().Set("X-WP-TotalPages", "1")
			json.NewEncoder(rw).Encode(found)
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/batch"):
			if f.throttle {
				f.throttle = false
				rw.Header().Set("Retry-After", "120")
				rw.WriteHeader(http.StatusTooManyRequests)
				json.NewEncoder(rw).Encode(map[string]any{"code": "too_many_requests", "message": "Too many requests. Please wait and try again.", "data": map[string]any{"status": 429}})
				return
			}
			var body struct {
				Update []struct {
					ID            int  `json:"id"`
					StockQuantity int  `json:"stock_quantity"`
					ManageStock   bool `json:"manage_stock"`
				} `json:"update"`
			}
			json.NewDecoder(r.Body).Decode(&body)
			var done []map[string]any
			var parts []string
			for _, u := range body.Update {
				f.stock[u.ID] = u.StockQuantity
				parts = append(parts, fmt.Sprintf("%d=%d", u.ID, u.StockQuantity))
				done = append(done, map[string]any{"id": u.ID, "stock_quantity": u.StockQuantity, "manage_stock": true})
			}
			f.batches = append(f.batches, strings.TrimPrefix(r.URL.Path, "/wp-json/wc/v3/")+" "+strings.Join(parts, ","))
			json.NewEncoder(rw).Encode(map[string]any{"update": done})
		default:
			t.Errorf("request %s %s", r.Method, r.URL.Path)
			http.NotFound(rw, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *stockWoo) takeBatches() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := f.batches
	f.batches = nil
	return b
}

// TestPushStockWooCommerce: the same through WooCommerce's REST API: a
// product and a variation set through their batch endpoints, the SKU the
// site lacks reported, nothing sent when nothing changed; a 429 with
// Retry-After leaves the change unsent and the store waits the two minutes
// asked before the next push sends it.
func TestPushStockWooCommerce(t *testing.T) {
	w := newOrderWorld(t)
	site := newStockWoo(t)
	ch := w.connect(t, store.SalesChannelInput{Kind: "woocommerce", Name: "Web shop", BaseURL: site.srv.URL, ConsumerKey: syncWooKey, ConsumerSecret: syncWooSecret, PushStock: true})
	client := site.srv.Client()

	res := w.pushStock(t, ch.ID, client, false)
	if got := strings.Join(site.takeBatches(), " | "); res.Sent != 2 || res.Missing != 1 || got != "products/batch 11=10 | products/20/variations/batch 21=20" {
		t.Errorf("first push = %+v, batches %q", res, got)
	}
	if r := w.stockReport(t, ch.ID); r.InStep != 2 || !slices.Equal(r.MissingSKUs, []string{"A-3"}) {
		t.Errorf("report = %+v", r)
	}
	site.mu.Lock()
	site.requests = 0
	site.mu.Unlock()
	if res := w.pushStock(t, ch.ID, client, false); res.Sent != 0 || res.Unchanged != 2 || site.requests != 0 {
		t.Errorf("second push = %+v with %d requests, want nothing sent", res, site.requests)
	}

	w.supplierSells(t, "A-2", 5)
	site.mu.Lock()
	site.throttle = true
	site.mu.Unlock()
	res = w.pushStock(t, ch.ID, client, false)
	if res.Sent != 0 || res.Waiting != 1 || !strings.Contains(res.Error, "throttling") || len(site.takeBatches()) != 0 {
		t.Errorf("throttled push = %+v", res)
	}
	if due := w.dueForStock(t, w.now.Add(119*time.Second)); len(due) != 0 {
		t.Errorf("due before Retry-After passed: %v", due)
	}
	if due := w.dueForStock(t, w.now.Add(120*time.Second)); !slices.Equal(due, []int64{ch.ID}) {
		t.Errorf("due once Retry-After passed: %v", due)
	}
	w.now = w.now.Add(2 * time.Minute)
	res = w.pushStock(t, ch.ID, client, false)
	if got := strings.Join(site.takeBatches(), " | "); res.Sent != 1 || got != "products/20/variations/batch 21=5" {
		t.Errorf("push after the throttle = %+v, batches %q", res, got)
	}
}

// TestPushStockOnlyOptedInRunningStores: a store that does not push stock,
// and a paused one, are never due and never called, even with Push stock
// now; turning stock push back on sends every quantity again.
func TestPushStockOnlyOptedInRunningStores(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	called := 0
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		called++
		http.Error(rw, "no", http.StatusTeapot)
	}))
	t.Cleanup(srv.Close)
	off := w.connect(t, store.SalesChannelInput{Kind: "shopify", Name: "Off", BaseURL: srv.URL, AccessToken: syncShopifyToken})
	paused := w.connect(t, store.SalesChannelInput{Kind: "shopify", Name: "Paused", BaseURL: srv.URL, AccessToken: syncShopifyToken, PushStock: true})
	if _, err := w.db.PauseSalesChannel(ctx, w.mActor, w.merchant.ID, paused.ID, true); err != nil {
		t.Fatal(err)
	}
	w.supplierSells(t, "A-1", 3)
	if due := w.dueForStock(t, w.now.Add(time.Hour)); len(due) != 0 {
		t.Errorf("due: %v, want neither store", due)
	}
	for id, want := range map[int64]string{off.ID: "not pushed to this store", paused.ID: "paused"} {
		_, err := w.db.PushChannelStock(ctx, w.merchant.ID, id, srv.Client(), true)
		if !errors.Is(err, store.ErrConflict) || !strings.Contains(store.Message(err), want) {
			t.Errorf("push to store %d: %v, want a conflict saying %q", id, err, want)
		}
	}
	if called != 0 {
		t.Errorf("the stores were called %d times", called)
	}

	// Resumed, the store pushes everything.
	shop := newStockShop(t, "A-1", "A-2", "A-3")
	if _, err := w.db.SaveSalesChannel(ctx, w.mActor, w.merchant.ID, paused.ID, store.SalesChannelInput{Name: "Paused", BaseURL: shop.srv.URL, PushStock: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.PauseSalesChannel(ctx, w.mActor, w.merchant.ID, paused.ID, false); err != nil {
		t.Fatal(err)
	}
	res := w.pushStock(t, paused.ID, shop.srv.Client(), false)
	if sets, _ := shop.calls(); res.Sent != 3 || joinSets(sets) != "A-1=3@1,A-2=20@1,A-3=30@1" {
		t.Errorf("push once resumed = %+v, set %q", res, joinSets(sets))
	}
	// Off and on again: the store's quantities may have moved meanwhile,
	// so every one is sent again.
	for _, on := range []bool{false, true} {
		if _, err := w.db.SaveSalesChannel(ctx, w.mActor, w.merchant.ID, paused.ID, store.SalesChannelInput{Name: "Paused", BaseURL: shop.srv.URL, PushStock: on}); err != nil {
			t.Fatal(err)
		}
	}
	if res := w.pushStock(t, paused.ID, shop.srv.Client(), false); res.Sent != 3 {
		t.Errorf("push after turning stock push off and on = %+v, want all 3 sent", res)
	}
}

// TestPushStockTenants: another merchant's store gets that merchant's own
// quantities, never this one's; neither can push, read or relocate the
// other's store, and one's feed pull does not make the other's store due.
func TestPushStockTenants(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	b, bu, err := w.db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Other shop", Kind: store.KindMerchant}, "b@example.com", pw)
	if err != nil {
		t.Fatal(err)
	}
	bActor := store.Actor{UserID: bu.ID, Name: bu.Email}
	if _, err := w.db.CreateLink(ctx, store.CLIActor, w.supplier.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	sub, err := w.db.SaveSubscription(ctx, bActor, b.ID, 0, store.SubscriptionInput{FeedID: w.feed.ID, IntervalMinutes: 60, DropThresholdPct: 30, StaleAfterHours: 26, Buffer: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.puller.PullNow(ctx, b.ID, sub.ID); err != nil {
		t.Fatal(err)
	}
	w.puller.Wait()

	shopA, shopB := newStockShop(t, "A-1", "A-2", "A-3"), newStockShop(t, "A-1", "A-2", "A-3")
	a := w.connect(t, store.SalesChannelInput{Kind: "shopify", Name: "Acme", BaseURL: shopA.srv.URL, AccessToken: syncShopifyToken, PushStock: true})
	chB, err := w.db.SaveSalesChannel(ctx, bActor, b.ID, 0, store.SalesChannelInput{Kind: "shopify", Name: "Acme", BaseURL: shopB.srv.URL, AccessToken: syncShopifyToken, PushStock: true})
	if err != nil {
		t.Fatal(err)
	}
	w.pushStock(t, a.ID, shopA.srv.Client(), false)
	if _, err := w.db.PushChannelStock(ctx, b.ID, chB.ID, shopB.srv.Client(), false); err != nil {
		t.Fatal(err)
	}
	setsA, _ := shopA.calls()
	setsB, _ := shopB.calls()
	if joinSets(setsA) != "A-1=10@1,A-2=20@1,A-3=30@1" || joinSets(setsB) != "A-1=5@1,A-2=15@1,A-3=25@1" {
		t.Errorf("A's shop got %q, B's %q; want each merchant's own sellable quantities", joinSets(setsA), joinSets(setsB))
	}

	if _, err := w.db.PushChannelStock(ctx, b.ID, a.ID, shopA.srv.Client(), true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("B pushing A's store: %v, want not found", err)
	}
	if _, err := w.db.ChannelLocations(ctx, b.ID, a.ID, shopA.srv.Client()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("B listing A's locations: %v, want not found", err)
	}
	if _, err := w.db.SetStockLocation(ctx, bActor, b.ID, a.ID, "", shopA.srv.Client()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("B relocating A's store: %v, want not found", err)
	}
	reports, err := w.db.ChannelStockReports(ctx, b.ID)
	if err != nil || len(reports) != 1 || reports[chB.ID].InStep != 3 {
		t.Errorf("B's reports = %+v, %v; want its one store", reports, err)
	}
	if sets, lookups := shopA.calls(); len(sets)+len(lookups) != 0 {
		t.Errorf("B's attempts reached A's shop: %q %q", joinSets(sets), joinSets(lookups))
	}

	w.supplierSells(t, "A-1", 2)
	if due := w.dueForStock(t, w.now); !slices.Equal(due, []int64{a.ID}) {
		t.Errorf("due after A's pull: %v, want A's store alone", due)
	}
}
