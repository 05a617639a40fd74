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
	"github.com/dropline/dropline/store/channel"
)

// fakeShopifyApp answers, as Shopify's Admin GraphQL API documents them,
// the shop query of a connection test and the webhook subscriptions a
// custom app lists and creates.
type fakeShopifyApp struct {
	srv   *httptest.Server
	token string
	mu    sync.Mutex
	subs  map[string]string // topic → callback URL
}

func newFakeShopifyApp(t *testing.T, token string) *fakeShopifyApp {
	f := &fakeShopifyApp{token: token, subs: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/admin/api/2025-01/graphql.json" || r.Header.Get("X-Shopify-Access-Token") != f.token {
			rw.WriteHeader(http.StatusUnauthorized)
			io.WriteString(rw, `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`)
			return
		}
		var body struct {
			Query     string
			Variables struct {
				Topic string
				ID    string
				Sub   struct{ CallbackURL, Format string } `json:"webhookSubscription"`
			}
		}
		json.NewDecoder(r.Body).Decode(&body)
		f.mu.Lock()
		defer f.mu.Unlock()
		var data string
		switch {
		case strings.Contains(body.Query, "DroplineShop"):
			data = `{"shop":{"name":"Acme Goods","myshopifyDomain":"acme-goods.myshopify.com","currencyCode":"USD"}}`
		case strings.Contains(body.Query, "DroplineWebhooks"):
			var nodes []string
			for topic, cb := range f.subs {
				nodes = append(nodes, fmt.Sprintf(`{"id":"gid://shopify/WebhookSubscription/%d","topic":%q,"endpoint":{"__typename":"WebhookHttpEndpoint","callbackUrl":%q}}`, len(topic), topic, cb))
			}
			data = `{"webhookSubscriptions":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[` + strings.Join(nodes, ",") + `]}}`
		case strings.Contains(body.Query, "DroplineWebhookCreate"):
			if body.Variables.Sub.Format != "JSON" {
				t.Errorf("subscription format %q", body.Variables.Sub.Format)
			}
			f.subs[body.Variables.Topic] = body.Variables.Sub.CallbackURL
			data = fmt.Sprintf(`{"webhookSubscriptionCreate":{"webhookSubscription":{"id":"gid://shopify/WebhookSubscription/%d","topic":%q},"userErrors":[]}}`,
				len(body.Variables.Topic), body.Variables.Topic)
		case strings.Contains(body.Query, "DroplineWebhookDelete"):
			for topic := range f.subs {
				if fmt.Sprintf("gid://shopify/WebhookSubscription/%d", len(topic)) == body.Variables.ID {
					delete(f.subs, topic)
				}
			}
			data = fmt.Sprintf(`{"webhookSubscriptionDelete":{"deletedWebhookSubscriptionId":%q,"userErrors":[]}}`, body.Variables.ID)
		default:
			t.Errorf("unexpected query %s", body.Query)
		}
		io.WriteString(rw, `{"data":`+data+`,"extensions":{"cost":{"requestedQueryCost":1,"actualQueryCost":1,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1999,"restoreRate":100.0}}}}`)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeShopifyApp) callbacks() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]string{}
	for k, v := range f.subs {
		out[k] = v
	}
	return out
}

// shopifyPayload is an order as Shopify's orders/* webhooks send it: the
// REST order resource.
func shopifyPayload(n int, sku, cancelledAt string) []byte {
	cancelled, reason := "null", "null"
	if cancelledAt != "" {
		cancelled, reason = `"`+cancelledAt+`"`, `"inventory"`
	}
	return []byte(fmt.Sprintf(`{"id":%d,"admin_graphql_api_id":"gid://shopify/Order/%d","name":"#%d","email":"grace@example.com","currency":"USD",
		"created_at":"2026-11-20T10:00:00Z","updated_at":"2026-11-20T11:00:00Z","cancelled_at":%s,"cancel_reason":%s,"total_price":"19.00",
		"shipping_address":{"name":"Grace Hopper","address1":"1 Navy Way","city":"Arlington","province":"Virginia","province_code":"VA","zip":"22201","country_code":"US"},
		"line_items":[{"id":%d1,"admin_graphql_api_id":"gid://shopify/LineItem/%d1","sku":%q,"title":"Widget","quantity":2,"price":"9.50"}]}`,
		n, n, n, cancelled, reason, n, n, sku))
}

func channelByName(t *testing.T, env *testEnv, merchantID int64, name string) store.SalesChannel {
	t.Helper()
	all, err := env.db.SalesChannels(t.Context(), merchantID)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range all {
		if ch.Name == name {
			return ch
		}
	}
	t.Fatalf("no store %q in %+v", name, all)
	return store.SalesChannel{}
}

// TestShopifyChannelWebhooks: a merchant admin enters a Shopify store's API
// secret key (never shown again) and registers its webhooks from Settings →
// Sales channels, at the address the merchant reaches Dropline at; a signed
// orders/create creates the order linked to the store (its GIDs in the
// database), its replay nothing; a bad signature is 401 and an unknown
// token 404, both changing nothing; orders/updated carrying the
// cancellation puts a notice on the order page, whose button (CSRF-checked)
// asks the supplier to cancel the open PO; an order whose PO already
// shipped says so instead.
func TestShopifyChannelWebhooks(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	readyToDropship(t, env, w)
	const token, appSecret = "shpat_0123456789abcdef0123456789abcdef", "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"
	shop := newFakeShopifyApp(t, token)
	if err := env.db.SetAllowPrivateFeeds(t.Context(), store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	c := env.client()
	c.login(w.adminA.Email)
	c.get("/settings/channels")
	if r := c.post("/settings/channels", url.Values{"kind": {"shopify"}, "name": {"Main shop"}, "base_url": {shop.srv.URL}, "access_token": {token},
		"api_secret_key": {appSecret}}); r.status != http.StatusSeeOther {
		t.Fatalf("connect: %d\n%s", r.status, r.doc.Find("main").Text())
	}
	ch := channelByName(t, env, w.merchantA.ID, "Main shop")
	if r := c.post("/settings/channels/"+injID(ch.ID)+"/webhooks", nil); r.status != http.StatusSeeOther {
		t.Fatalf("register: %d\n%s", r.status, r.doc.Find("main").Text())
	}
	page := c.get("/settings/channels")
	if msg := page.doc.Find(".flash").Text(); !strings.Contains(msg, "Webhooks of Main shop registered: ORDERS_CREATE, ORDERS_UPDATED made.") {
		t.Errorf("flash after registering: %q", msg)
	}
	ch = channelByName(t, env, w.merchantA.ID, "Main shop")
	callback := env.srv.URL + store.ChannelWebhookPath
	if !strings.HasPrefix(ch.WebhookURL, callback) || shop.callbacks()["ORDERS_CREATE"] != ch.WebhookURL || shop.callbacks()["ORDERS_UPDATED"] != ch.WebhookURL {
		t.Fatalf("the store holds %q, Shopify %v; want Dropline's address as the browser reached it", ch.WebhookURL, shop.callbacks())
	}
	var shown string
	page.doc.Find(`[data-testid="channel-webhooks"]`).Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(s.Text(), ch.WebhookURL) {
			shown = s.Text()
		}
	})
	if !strings.Contains(shown, "Webhooks registered") || !strings.Contains(shown, "ORDERS_CREATE, ORDERS_UPDATED") || !strings.Contains(shown, "no delivery yet") {
		t.Errorf("the store shows %q", shown)
	}
	if strings.Contains(page.body, appSecret) || strings.Contains(page.body, token) {
		t.Error("the page shows the API secret key or the access token")
	}
	path := strings.TrimPrefix(ch.WebhookURL, env.srv.URL)

	deliver := func(path, topic string, body []byte, secret string) (int, map[string]any) {
		t.Helper()
		status, b := env.send(http.MethodPost, path, body, "Content-Type", "application/json", "X-Shopify-Topic", topic,
			"X-Shopify-Hmac-Sha256", channel.SignWebhook(body, secret), "X-Shopify-Shop-Domain", "acme-goods.myshopify.com")
		var out map[string]any
		json.Unmarshal(b, &out)
		return status, out
	}
	order := shopifyPayload(4601, "S-100", "")
	before := env.dbDigest()
	if st, _ := deliver(path, "orders/create", order, "shpss_wrong_wrong_wrong_wrong"); st != http.StatusUnauthorized {
		t.Errorf("bad signature: %d, want 401", st)
	}
	if st, _ := env.send(http.MethodPost, path, order, "X-Shopify-Topic", "orders/create"); st != http.StatusUnauthorized {
		t.Errorf("no signature: %d, want 401", st)
	}
	if st, _ := deliver(store.ChannelWebhookPath+"wh_not-a-store", "orders/create", order, appSecret); st != http.StatusNotFound {
		t.Errorf("unknown token: %d, want 404", st)
	}
	if env.dbDigest() != before {
		t.Fatal("a refused delivery changed the database")
	}
	st, out := deliver(path, "orders/create", order, appSecret)
	if st != http.StatusOK || out["result"] != store.WebhookCreated {
		t.Fatalf("orders/create: %d %v", st, out)
	}
	id := int64(out["order_id"].(float64))
	var ref, line string
	var linked int64
	raw, err := env.db.OpenSQL()
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	q := "SELECT o.sales_channel_id, o.channel_ref, l.channel_line_id FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.id = $1"
	if !env.db.Postgres() {
		q = strings.Replace(q, "$1", "?", 1)
	}
	if err := raw.QueryRow(q, id).Scan(&linked, &ref, &line); err != nil || linked != ch.ID || ref != "gid://shopify/Order/4601" || line != "gid://shopify/LineItem/46011" {
		t.Fatalf("the order in the database: store %d (want %d), ref %q, line %q, %v", linked, ch.ID, ref, line, err)
	}
	if st, out := deliver(path, "orders/updated", order, appSecret); st != http.StatusOK || out["result"] != store.WebhookUnchanged || int64(out["order_id"].(float64)) != id {
		t.Errorf("replay: %d %v", st, out)
	}
	if n, _ := env.db.Orders(t.Context(), w.merchantA.ID, store.OrderFilter{Tab: store.TabAll, Query: "#4601"}); n.Total != 1 {
		t.Errorf("%d orders #4601 after the replay", n.Total)
	}

	res, err := env.db.Dropship(t.Context(), store.CLIActor, w.merchantA.ID, id, store.DropshipRequest{IdempotencyKey: "hook", Confirm: true})
	if err != nil || len(res.POs) != 1 {
		t.Fatalf("dropship: %+v, %v", res, err)
	}
	po := res.POs[0]
	if p := c.get("/orders/" + injID(id)); p.doc.Find(`[data-testid="channel-cancelled"]`).Length() != 0 {
		t.Errorf("a notice before the store cancelled:\n%s", p.doc.Find("main").Text())
	}
	row := func() *goquery.Selection {
		return c.get("/orders?tab=all").doc.Find(`[data-testid="order-row"][data-order-id="` + injID(id) + `"]`)
	}
	if row().Find(`[data-testid="cancelled-on-store"]`).Length() != 0 {
		t.Error("the order list marks the order cancelled before the store did")
	}
	if st, out := deliver(path, "orders/updated", shopifyPayload(4601, "S-100", "2026-11-20T12:15:00Z"), appSecret); st != http.StatusOK || out["result"] != store.WebhookCancelled {
		t.Fatalf("cancellation: %d %v", st, out)
	}
	p := c.get("/orders/" + injID(id))
	notice := p.doc.Find(`[data-testid="channel-cancelled"]`).Text()
	if !strings.Contains(notice, "Cancelled on Main shop at 20 Nov 2026 12:15") || !strings.Contains(notice, "Items unavailable") || !strings.Contains(notice, "Still open: "+po.PONumber) ||
		p.doc.Find(`[data-testid="request-po-cancellation"]`).Length() != 1 {
		t.Fatalf("order page notice %q", notice)
	}
	if got := row().Find(`[data-testid="cancelled-on-store"]`).Text(); got != "Cancelled on store" {
		t.Errorf("the order list's row says %q, want it marked cancelled on the store", got)
	}

	before = env.dbDigest()
	if r := c.postRaw("/orders/"+injID(id)+"/channel-cancel", url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("without the CSRF token: %d, want 403", r.status)
	}
	if env.dbDigest() != before {
		t.Fatal("a request without the CSRF token changed the database")
	}
	if r := c.post("/orders/"+injID(id)+"/channel-cancel", nil); r.status != http.StatusSeeOther {
		t.Fatalf("request cancellation: %d", r.status)
	}
	p = c.get("/orders/" + injID(id))
	if msg := p.doc.Find(".flash").Text(); !strings.Contains(msg, "Cancellation requested for "+po.PONumber+": the supplier must accept or decline it.") {
		t.Errorf("flash %q", msg)
	}
	if got, _ := env.db.PurchaseOrder(t.Context(), w.merchantA.ID, po.ID); got.CancelState != "requested" || !strings.Contains(got.CancelReason, "Cancelled on the store Main shop (Items unavailable)") {
		t.Errorf("PO after the request: %q %q", got.CancelState, got.CancelReason)
	}
	if p.doc.Find(`[data-testid="request-po-cancellation"]`).Length() != 0 || !strings.Contains(p.doc.Find(`[data-testid="channel-cancel-requested"]`).Text(), po.PONumber) {
		t.Errorf("after the request the notice says %q", p.doc.Find(`[data-testid="channel-cancelled"]`).Text())
	}
	if r := c.post("/orders/"+injID(id)+"/channel-cancel", nil); r.status != http.StatusSeeOther ||
		!strings.Contains(c.get("/orders/"+injID(id)).doc.Find(".flash").Text(), "already requested") {
		t.Errorf("asking twice: %d", r.status)
	}

	// An order whose PO already shipped says so, and offers nothing to cancel.
	st, out = deliver(path, "orders/create", shopifyPayload(4602, "S-100", ""), appSecret)
	if st != http.StatusOK || out["result"] != store.WebhookCreated {
		t.Fatalf("#4602: %d %v", st, out)
	}
	shipped := int64(out["order_id"].(float64))
	res, err = env.db.Dropship(t.Context(), store.CLIActor, w.merchantA.ID, shipped, store.DropshipRequest{IdempotencyKey: "hook-2", Confirm: true})
	if err != nil || len(res.POs) != 1 {
		t.Fatalf("dropship #4602: %+v, %v", res, err)
	}
	if _, err := env.db.AddShipment(t.Context(), store.CLIActor, w.supplierS.ID, res.POs[0].ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10987654328",
		ShipDate: time.Now().UTC().Format(time.DateOnly)}); err != nil {
		t.Fatal(err)
	}
	deliver(path, "orders/updated", shopifyPayload(4602, "S-100", "2026-11-20T13:00:00Z"), appSecret)
	p = c.get("/orders/" + injID(shipped))
	if got := p.doc.Find(`[data-testid="channel-cancel-shipped"]`).Text(); !strings.Contains(got, res.POs[0].PONumber+" already shipped") ||
		p.doc.Find(`[data-testid="request-po-cancellation"]`).Length() != 0 {
		t.Errorf("shipped order's notice %q", p.doc.Find(`[data-testid="channel-cancelled"]`).Text())
	}
	before = env.dbDigest()
	c.post("/orders/"+injID(shipped)+"/channel-cancel", nil)
	if msg := c.get("/orders/" + injID(shipped)).doc.Find(".flash").Text(); !strings.Contains(msg, "already shipped: nothing is left to cancel") {
		t.Errorf("asking for a shipped order: %q", msg)
	}
	if env.dbDigest() != before {
		t.Error("asking to cancel a shipped order changed the database")
	}
	// Removing the store deletes its subscriptions on Shopify first: they
	// would go on delivering to an address that answers 404.
	c.get("/settings/channels")
	if r := c.post("/settings/channels/"+injID(ch.ID)+"/remove", nil); r.status != http.StatusSeeOther {
		t.Fatalf("remove: %d", r.status)
	}
	if msg := c.get("/settings/channels").doc.Find(".flash").Text(); !strings.Contains(msg, "Its 2 webhooks on Shopify were deleted.") {
		t.Errorf("flash after removing: %q", msg)
	}
	if subs := shop.callbacks(); len(subs) != 0 {
		t.Errorf("Shopify still delivers to Dropline: %v", subs)
	}
}

// fakeWooSite answers a WooCommerce site's REST API as documented: the
// index and currency a connection test reads, and the webhooks endpoints.
// Creating a webhook pings its delivery URL before answering, as
// WC_REST_Webhooks_V1_Controller::create_item does.
type fakeWooSite struct {
	srv   *httptest.Server
	mu    sync.Mutex
	hooks []map[string]any
	pings []int
}

func newFakeWooSite(t *testing.T, key, secret string) *fakeWooSite {
	f := &fakeWooSite{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json; charset=UTF-8")
		if u, p, ok := r.BasicAuth(); !ok || u != key || p != secret {
			rw.WriteHeader(http.StatusUnauthorized)
			io.WriteString(rw, `{"code":"woocommerce_rest_cannot_view","message":"Sorry, you cannot list resources.","data":{"status":401}}`)
			return
		}
		switch {
		case r.URL.Path == "/wp-json/" || r.URL.Path == "/wp-json":
			io.WriteString(rw, `{"name":"Tea & Co","url":"https://tea.example","home":"https://tea.example","namespaces":["wc/v3"]}`)
		case r.URL.Path == "/wp-json/wc/v3/settings/general/woocommerce_currency":
			io.WriteString(rw, `{"id":"woocommerce_currency","value":"USD"}`)
		case r.Method == http.MethodGet && r.URL.Path == "/wp-json/wc/v3/webhooks":
			f.mu.Lock()
			defer f.mu.Unlock()
			rw.Header().Set("X-WP-TotalPages", "1")
			json.NewEncoder(rw).Encode(f.hooks)
		case r.Method == http.MethodPost && r.URL.Path == "/wp-json/wc/v3/webhooks":
			var in map[string]any
			json.NewDecoder(r.Body).Decode(&in)
			f.mu.Lock()
			in["id"] = 40 + len(f.hooks)
			f.hooks = append(f.hooks, in)
			f.mu.Unlock()
			ping, _ := http.Post(fmt.Sprint(in["delivery_url"]), "application/x-www-form-urlencoded", strings.NewReader(fmt.Sprintf("webhook_id=%v", in["id"])))
			if ping != nil {
				ping.Body.Close()
				f.mu.Lock()
				f.pings = append(f.pings, ping.StatusCode)
				f.mu.Unlock()
			}
			rw.WriteHeader(http.StatusCreated)
			json.NewEncoder(rw).Encode(in)
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
			http.NotFound(rw, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// TestWooCommerceChannelWebhooks: registering a WooCommerce site's webhooks
// gives it a secret Dropline made, and the site's ping of the new address
// is answered 200; a signed order.created creates the order with the site's
// ids; a wrong signature is 401; the secret never shows on the page.
func TestWooCommerceChannelWebhooks(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	const key, secret = "ck_0123456789abcdef0123456789abcdef", "cs_0123456789abcdef0123456789abcdef"
	site := newFakeWooSite(t, key, secret)
	if err := env.db.SetAllowPrivateFeeds(t.Context(), store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	c := env.client()
	c.login(w.adminA.Email)
	c.get("/settings/channels")
	if r := c.post("/settings/channels", url.Values{"kind": {"woocommerce"}, "name": {"Tea shop"}, "base_url": {site.srv.URL}, "consumer_key": {key}, "consumer_secret": {secret}}); r.status != http.StatusSeeOther {
		t.Fatalf("connect: %d", r.status)
	}
	ch := channelByName(t, env, w.merchantA.ID, "Tea shop")
	if r := c.post("/settings/channels/"+injID(ch.ID)+"/webhooks", nil); r.status != http.StatusSeeOther {
		t.Fatalf("register: %d", r.status)
	}
	page := c.get("/settings/channels")
	if msg := page.doc.Find(".flash").Text(); !strings.Contains(msg, "order.created, order.updated made") {
		t.Errorf("flash %q", msg)
	}
	site.mu.Lock()
	hookSecret, pings, n := fmt.Sprint(site.hooks[0]["secret"]), site.pings, len(site.hooks)
	site.mu.Unlock()
	if n != 2 || len(hookSecret) < 22 || len(pings) != 2 || pings[0] != http.StatusOK || pings[1] != http.StatusOK {
		t.Fatalf("the site holds %d webhooks (secret of %d characters), its pings were answered %v", n, len(hookSecret), pings)
	}
	if strings.Contains(page.body, hookSecret) {
		t.Error("the page shows the webhook secret")
	}
	ch = channelByName(t, env, w.merchantA.ID, "Tea shop")
	path := strings.TrimPrefix(ch.WebhookURL, env.srv.URL)
	body := []byte(`{"id":601,"number":"601","status":"processing","currency":"USD","date_created_gmt":"2026-11-20T10:00:00","date_modified_gmt":"2026-11-20T10:00:00",
		"total":"19.00","billing":{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com"},
		"shipping":{"first_name":"Ada","last_name":"Lovelace","address_1":"12 Analytical St","city":"London","postcode":"N1 9GU","country":"GB"},
		"line_items":[{"id":71,"name":"Widget","sku":"S-100","quantity":2,"price":9.5}]}`)
	send := func(sig string) (int, string) {
		st, b := env.send(http.MethodPost, path, body, "Content-Type", "application/json", "X-WC-Webhook-Topic", "order.created", "X-WC-Webhook-Resource", "order",
			"X-WC-Webhook-Event", "created", "X-WC-Webhook-Signature", sig, "X-WC-Webhook-ID", "40")
		return st, string(b)
	}
	before := env.dbDigest()
	if st, _ := send(channel.SignWebhook(body, secret)); st != http.StatusUnauthorized {
		t.Errorf("signed with the consumer secret: %d, want 401", st)
	}
	if env.dbDigest() != before {
		t.Fatal("a refused delivery changed the database")
	}
	if st, b := send(channel.SignWebhook(body, hookSecret)); st != http.StatusOK || !strings.Contains(b, `"result":"created"`) {
		t.Fatalf("order.created: %d %s", st, b)
	}
	page2, _ := env.db.Orders(t.Context(), w.merchantA.ID, store.OrderFilter{Tab: store.TabAll, Query: "#601"})
	if page2.Total != 1 {
		t.Fatalf("orders #601: %d", page2.Total)
	}
	o, _ := env.db.Order(t.Context(), w.merchantA.ID, page2.Orders[0].ID)
	if o.Channel != "woocommerce" || o.ChannelRef != "601" || o.Lines[0].ChannelLineID != "71" || o.TotalCents != 1900 {
		t.Errorf("order = %+v", o)
	}
	if st, b := send(channel.SignWebhook(body, hookSecret)); st != http.StatusOK || !strings.Contains(b, `"result":"unchanged"`) {
		t.Errorf("replay: %d %s", st, b)
	}
}

// TestLegacyShopifyWebhookLinksConnectedStore: an order from the Shopify
// webhook of Settings → Orders whose shop (X-Shopify-Shop-Domain) is one
// of the merchant's connected stores is linked to it with its GIDs, so its
// tracking can go back; from another shop it is not linked.
func TestLegacyShopifyWebhookLinksConnectedStore(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	if err := env.db.UpdateOrderSettings(t.Context(), store.CLIActor, w.merchantA.ID, 1, "shh-secret"); err != nil {
		t.Fatal(err)
	}
	connected := strings.ToLower(w.merchantA.PublicID) + ".myshopify.com" // the world's store
	raw, err := env.db.OpenSQL()
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	q := "SELECT o.sales_channel_id, o.channel_ref, l.channel_line_id FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.account_id = $1 AND o.channel_order_id = $2"
	if !env.db.Postgres() {
		q = strings.NewReplacer("$1", "?", "$2", "?").Replace(q)
	}
	for _, tt := range []struct {
		n      int
		domain string
		store  int64
	}{{4701, connected, w.as.channel}, {4702, "someone-else.myshopify.com", 0}} {
		body := shopifyPayload(tt.n, "S-100", "")
		st, b := env.send(http.MethodPost, "/api/v1/webhooks/shopify/"+w.merchantA.PublicID, body, "Content-Type", "application/json",
			"X-Shopify-Hmac-Sha256", sign(body, "shh-secret"), "X-Shopify-Shop-Domain", tt.domain, "X-Shopify-Topic", "orders/create")
		if st != http.StatusCreated {
			t.Fatalf("#%d: %d %s", tt.n, st, b)
		}
		var linked *int64
		var ref, line string
		if err := raw.QueryRow(q, w.merchantA.ID, fmt.Sprint("#", tt.n)).Scan(&linked, &ref, &line); err != nil {
			t.Fatal(err)
		}
		got := int64(0)
		if linked != nil {
			got = *linked
		}
		if got != tt.store || ref != fmt.Sprint("gid://shopify/Order/", tt.n) || line != fmt.Sprintf("gid://shopify/LineItem/%d1", tt.n) {
			t.Errorf("#%d from %s: store %d (want %d), ref %q, line %q", tt.n, tt.domain, got, tt.store, ref, line)
		}
	}
}

// TestRemovedStoreWhoseWebhooksCannotBeDeleted: a store whose platform
// refuses to delete its webhooks (a revoked token) is removed all the same,
// and the merchant is told to delete them there.
func TestRemovedStoreWhoseWebhooksCannotBeDeleted(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	const token = "shpat_0123456789abcdef0123456789abcdef"
	shop := newFakeShopifyApp(t, token)
	if err := env.db.SetAllowPrivateFeeds(t.Context(), store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	c := env.client()
	c.login(w.adminA.Email)
	c.get("/settings/channels")
	if r := c.post("/settings/channels", url.Values{"kind": {"shopify"}, "name": {"Side shop"}, "base_url": {shop.srv.URL}, "access_token": {token},
		"api_secret_key": {"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"}}); r.status != http.StatusSeeOther {
		t.Fatalf("connect: %d", r.status)
	}
	ch := channelByName(t, env, w.merchantA.ID, "Side shop")
	c.post("/settings/channels/"+injID(ch.ID)+"/webhooks", nil)
	if len(shop.callbacks()) != 2 {
		t.Fatalf("registered %v", shop.callbacks())
	}
	shop.mu.Lock()
	shop.token = "shpat_revoked" // the app was uninstalled
	shop.mu.Unlock()
	c.get("/settings/channels")
	if r := c.post("/settings/channels/"+injID(ch.ID)+"/remove", nil); r.status != http.StatusSeeOther {
		t.Fatalf("remove: %d", r.status)
	}
	msg := c.get("/settings/channels").doc.Find(".flash").Text()
	if !strings.Contains(msg, "Store removed") || !strings.Contains(msg, "could not delete its webhooks on Shopify") || !strings.Contains(msg, "Settings → Notifications → Webhooks") {
		t.Errorf("flash %q", msg)
	}
	all, err := env.db.SalesChannels(t.Context(), w.merchantA.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if s.ID == ch.ID {
			t.Errorf("the store is still there: %+v", s)
		}
	}
}
