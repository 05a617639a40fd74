package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/channel"
	"github.com/dropline/dropline/store/orderfile"
)

const (
	dropline        = "https://dropline.example"
	shopifyAppKey   = "shpss_0123456789abcdef0123456789abcdef"
	webhookURLStart = dropline + store.ChannelWebhookPath
)

// shopifyRESTOrder is an order as Shopify's orders/* webhooks send it (the
// REST resource), with numeric ids and their GIDs.
func shopifyRESTOrder(n int, cancelledAt string, shipTo bool, lines ...string) []byte {
	cancelled, reason := "null", "null"
	if cancelledAt != "" {
		cancelled, reason = `"`+cancelledAt+`"`, `"customer"`
	}
	addr := "null"
	if shipTo {
		addr = `{"first_name":"Ann","last_name":"Lee","name":"Ann Lee","address1":"1 Main St","address2":null,"city":"Portland","province":"Oregon",
			"province_code":"OR","zip":"97201","country":"United States","country_code":"US","company":null,"phone":null}`
	}
	return []byte(fmt.Sprintf(`{"id":%d,"admin_graphql_api_id":"gid://shopify/Order/%d","name":"#%d","email":"buyer%d@example.com","currency":"USD",
		"created_at":"2026-11-21T06:00:00-05:00","updated_at":"2026-11-21T07:00:00-05:00","cancelled_at":%s,"cancel_reason":%s,"total_price":"25.98",
		"shipping_address":%s,"line_items":[%s]}`, 5000000000000000+n, 5000000000000000+n, n, n, cancelled, reason, addr, strings.Join(lines, ",")))
}

func shopifyRESTLine(id int, sku string, qty int) string {
	return fmt.Sprintf(`{"id":%d,"admin_graphql_api_id":"gid://shopify/LineItem/%d","sku":%q,"title":"Item %s","quantity":%d,"price":"12.99","requires_shipping":true}`,
		7000000000000000+id, 7000000000000000+id, sku, sku, qty)
}

func shopifyHeaders(topic string, body []byte, secret string) http.Header {
	h := http.Header{}
	h.Set("X-Shopify-Topic", topic)
	h.Set("X-Shopify-Hmac-Sha256", channel.SignWebhook(body, secret))
	h.Set("X-Shopify-Shop-Domain", "acme.myshopify.com")
	h.Set("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
	return h
}

// shopifyWebhookAnswers answers the webhook operations as Shopify does,
// remembering the subscriptions made.
func shopifyWebhookAnswers(t *testing.T) func(query string, vars json.RawMessage) string {
	var mu sync.Mutex
	subs := map[string]string{} // topic → callback
	return func(query string, vars json.RawMessage) string {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case strings.Contains(query, "DroplineWebhooks"):
			var nodes []string
			for topic, url := range subs {
				nodes = append(nodes, fmt.Sprintf(`{"id":"gid://shopify/WebhookSubscription/%d","topic":%q,"endpoint":{"__typename":"WebhookHttpEndpoint","callbackUrl":%q}}`,
					len(topic), topic, url))
			}
			return `{"data":{"webhookSubscriptions":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[` + strings.Join(nodes, ",") + `]}}}`
		case strings.Contains(query, "DroplineWebhookCreate"):
			var v struct {
				Topic string
				Sub   struct{ CallbackURL, Format string } `json:"webhookSubscription"`
			}
			if err := json.Unmarshal(vars, &v); err != nil || v.Sub.Format != "JSON" {
				t.Errorf("webhookSubscriptionCreate variables %s: %v", vars, err)
			}
			subs[v.Topic] = v.Sub.CallbackURL
			return fmt.Sprintf(`{"data":{"webhookSubscriptionCreate":{"webhookSubscription":{"id":"gid://shopify/WebhookSubscription/%d","topic":%q},"userErrors":[]}}}`,
				len(v.Topic), v.Topic)
		}
		t.Errorf("unexpected operation %s", query)
		return `{}`
	}
}

// TestShopifyWebhooks: a merchant registers a Shopify store's webhooks
// (not before the app's API secret key is entered); a signed orders/create
// delivery makes the order, linked to the store with the GIDs the pull
// uses, and its replay nothing; a delivery with a bad signature or to an
// unknown token keeps nothing; orders/updated carrying the cancellation
// marks the order, whose open PO the merchant then asks to cancel in one
// go; a paused store's deliveries are accepted and left for the pull; an
// order Dropline cannot take is kept with its reason.
func TestShopifyWebhooks(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	f := newFakeShopShopify(t, map[string]string{})
	f.other = shopifyWebhookAnswers(t)
	ch := w.connect(t, store.SalesChannelInput{Kind: "shopify", Name: "Acme", BaseURL: f.srv.URL, AccessToken: syncShopifyToken})

	_, err := w.db.RegisterChannelWebhooks(ctx, w.mActor, w.merchant.ID, ch.ID, dropline, f.srv.Client())
	if !strings.Contains(store.Message(err), "API secret key") {
		t.Fatalf("registering without the API secret key: %v", err)
	}
	if got := w.channelRow(t, ch.ID); got.WebhooksRegisteredAt != nil || !strings.Contains(got.WebhookError, "API secret key") || got.HasWebhookSecret {
		t.Errorf("after the refusal the store shows %+v", got)
	}
	if _, err := w.db.SaveSalesChannel(ctx, w.mActor, w.merchant.ID, ch.ID, store.SalesChannelInput{Name: "Acme", BaseURL: f.srv.URL, APISecretKey: "short"}); err == nil {
		t.Error("a cut-off API secret key was saved")
	}
	if _, err := w.db.SaveSalesChannel(ctx, w.mActor, w.merchant.ID, ch.ID, store.SalesChannelInput{Name: "Acme", BaseURL: f.srv.URL, APISecretKey: shopifyAppKey}); err != nil {
		t.Fatal(err)
	}
	subs, err := w.db.RegisterChannelWebhooks(ctx, w.mActor, w.merchant.ID, ch.ID, dropline+"/", f.srv.Client())
	if err != nil || len(subs) != 2 || subs[0].Existed {
		t.Fatalf("register: %+v, %v", subs, err)
	}
	got := w.channelRow(t, ch.ID)
	token := strings.TrimPrefix(got.WebhookURL, webhookURLStart)
	if !got.HasWebhookSecret || got.WebhooksRegisteredAt == nil || !got.WebhooksRegisteredAt.Equal(w.now) || got.WebhookError != "" ||
		strings.Join(got.WebhookTopics, ",") != "ORDERS_CREATE,ORDERS_UPDATED" || len(token) < 32 || token == got.WebhookURL {
		t.Fatalf("registered store shows %+v", got)
	}
	// Registering again keeps the subscriptions and the address.
	if subs, err := w.db.RegisterChannelWebhooks(ctx, w.mActor, w.merchant.ID, ch.ID, dropline, f.srv.Client()); err != nil || !subs[0].Existed || !subs[1].Existed ||
		w.channelRow(t, ch.ID).WebhookURL != got.WebhookURL {
		t.Errorf("registering again: %+v, %v", subs, err)
	}

	before := w.orderCount(t)
	body := shopifyRESTOrder(2001, "", true, shopifyRESTLine(1, "A-1", 2), shopifyRESTLine(2, "OWN-9", 1))
	out, err := w.db.ReceiveChannelWebhook(ctx, token, shopifyHeaders("orders/create", body, shopifyAppKey), body)
	if err != nil || out.Result != store.WebhookCreated || out.Store != "Acme" || out.OrderID == 0 {
		t.Fatalf("orders/create: %+v, %v", out, err)
	}
	o, ok := w.orderByNumber(t, "#2001")
	if !ok || o.ID != out.OrderID || o.ChannelRef != "gid://shopify/Order/5000000000002001" || o.Status != store.OrderNeedsDropship ||
		len(o.Lines) != 2 || o.Lines[0].ChannelLineID != "gid://shopify/LineItem/7000000000000001" || o.Lines[1].ChannelLineID != "gid://shopify/LineItem/7000000000000002" ||
		o.ShipTo.Region != "OR" || !o.PlacedAt.Equal(time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC)) {
		t.Fatalf("webhook order = %+v", o)
	}
	if got := w.channelRow(t, ch.ID).WebhookReceivedAt; got == nil || !got.Equal(w.now) {
		t.Errorf("last delivery = %v, want now", got)
	}
	// Shopify delivers at least once: the same again, or orders/updated
	// for the same order, is nothing new.
	for _, topic := range []string{"orders/create", "orders/updated"} {
		again, err := w.db.ReceiveChannelWebhook(ctx, token, shopifyHeaders(topic, body, shopifyAppKey), body)
		if err != nil || again.Result != store.WebhookUnchanged || again.OrderID != o.ID {
			t.Errorf("%s replayed: %+v, %v", topic, again, err)
		}
	}
	if got := w.orderCount(t); got != before+1 {
		t.Errorf("orders = %d, want %d", got, before+1)
	}

	// Deliveries that do not prove they come from the store, or go to no
	// store, keep nothing.
	forged := shopifyRESTOrder(2009, "", true, shopifyRESTLine(9, "A-1", 1))
	if _, err := w.db.ReceiveChannelWebhook(ctx, token, shopifyHeaders("orders/create", forged, "shpss_guessed_guessed_guessed"), forged); !errors.Is(err, store.ErrWebhookSignature) {
		t.Errorf("bad signature: %v", err)
	}
	if _, err := w.db.ReceiveChannelWebhook(ctx, token+"x", shopifyHeaders("orders/create", forged, shopifyAppKey), forged); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown token: %v", err)
	}
	if _, err := w.db.ReceiveChannelWebhook(ctx, "", shopifyHeaders("orders/create", forged, ""), forged); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("no token: %v", err)
	}
	if _, ok := w.orderByNumber(t, "#2009"); ok {
		t.Error("a forged delivery made an order")
	}
	if hooks, _ := w.db.RejectedWebhooks(ctx, w.merchant.ID, 10); len(hooks) != 0 {
		t.Errorf("forged deliveries were kept: %+v", hooks)
	}

	// The order is dropshipped, then cancelled on the store.
	res, err := w.dropship(t, o, store.DropshipRequest{})
	if err != nil || len(res.POs) != 1 {
		t.Fatalf("dropship: %+v, %v", res, err)
	}
	po := res.POs[0]
	if c, err := w.db.OrderChannelCancellation(ctx, w.merchant.ID, o.ID); err != nil || c != nil {
		t.Fatalf("before the cancellation: %+v, %v", c, err)
	}
	if _, err := w.db.RequestChannelCancellation(ctx, w.mActor, w.merchant.ID, o.ID); store.Message(err) != "The store has not cancelled this order." {
		t.Errorf("requesting before the store cancelled: %v", err)
	}
	cancelled := shopifyRESTOrder(2001, "2026-11-21T07:30:00-05:00", true, shopifyRESTLine(1, "A-1", 2), shopifyRESTLine(2, "OWN-9", 1))
	out, err = w.db.ReceiveChannelWebhook(ctx, token, shopifyHeaders("orders/updated", cancelled, shopifyAppKey), cancelled)
	if err != nil || out.Result != store.WebhookCancelled {
		t.Fatalf("cancellation: %+v, %v", out, err)
	}
	c, err := w.db.OrderChannelCancellation(ctx, w.merchant.ID, o.ID)
	if err != nil || c == nil || !c.At.Equal(time.Date(2026, 11, 21, 12, 30, 0, 0, time.UTC)) || c.Store != "Acme" ||
		c.Reason != "Customer changed or cancelled order" || strings.Join(c.Open, ",") != po.PONumber || len(c.Shipped)+len(c.Requested) != 0 {
		t.Fatalf("cancellation = %+v, %v", c, err)
	}
	if again, err := w.db.ReceiveChannelWebhook(ctx, token, shopifyHeaders("orders/cancelled", cancelled, shopifyAppKey), cancelled); err != nil || again.Result != store.WebhookUnchanged {
		t.Errorf("the cancellation again: %+v, %v", again, err)
	}
	events, _ := w.db.OrderEvents(ctx, w.merchant.ID, o.ID)
	if n := countEvents(events, "Cancelled on the store Acme (Customer changed or cancelled order)."); n != 1 {
		t.Errorf("the timeline says the cancellation %d times: %+v", n, events)
	}

	asked, err := w.db.RequestChannelCancellation(ctx, w.mActor, w.merchant.ID, o.ID)
	if err != nil || strings.Join(asked, ",") != po.PONumber {
		t.Fatalf("request cancellation: %v, %v", asked, err)
	}
	if got, _ := w.db.PurchaseOrder(ctx, w.merchant.ID, po.ID); got.CancelState != "requested" || !strings.Contains(got.CancelReason, "Cancelled on the store Acme") {
		t.Errorf("PO after the request: %s %q", got.CancelState, got.CancelReason)
	}
	if _, err := w.db.RequestChannelCancellation(ctx, w.mActor, w.merchant.ID, o.ID); !strings.Contains(store.Message(err), "already requested") {
		t.Errorf("asking twice: %v", err)
	}
	if c, _ := w.db.OrderChannelCancellation(ctx, w.merchant.ID, o.ID); len(c.Open) != 0 || strings.Join(c.Requested, ",") != po.PONumber {
		t.Errorf("after the request: %+v", c)
	}

	// Paused: accepted, left alone.
	if _, err := w.db.PauseSalesChannel(ctx, w.mActor, w.merchant.ID, ch.ID, true); err != nil {
		t.Fatal(err)
	}
	later := shopifyRESTOrder(2002, "", true, shopifyRESTLine(3, "A-2", 1))
	if out, err := w.db.ReceiveChannelWebhook(ctx, token, shopifyHeaders("orders/create", later, shopifyAppKey), later); err != nil || out.Result != store.WebhookPaused {
		t.Errorf("paused store: %+v, %v", out, err)
	}
	if _, ok := w.orderByNumber(t, "#2002"); ok {
		t.Error("a paused store's delivery made an order")
	}
	if _, err := w.db.PauseSalesChannel(ctx, w.mActor, w.merchant.ID, ch.ID, false); err != nil {
		t.Fatal(err)
	}
	// An order with nothing to ship to is kept with the reason, and Shopify
	// is told it arrived (retrying it would not help).
	noAddress := shopifyRESTOrder(2003, "", false, shopifyRESTLine(4, "A-1", 1))
	out, err = w.db.ReceiveChannelWebhook(ctx, token, shopifyHeaders("orders/create", noAddress, shopifyAppKey), noAddress)
	if err != nil || out.Result != store.WebhookNotImported || !strings.Contains(out.Problem, "Order #2003") {
		t.Errorf("no address: %+v, %v", out, err)
	}
	hooks, _ := w.db.RejectedWebhooks(ctx, w.merchant.ID, 10)
	if len(hooks) != 1 || hooks[0].Source != "Shopify webhook orders/create (Acme)" || !strings.Contains(hooks[0].Reason, "Order #2003") {
		t.Errorf("rejected webhooks = %+v", hooks)
	}
}

func countEvents(events []store.OrderEvent, msg string) int {
	n := 0
	for _, e := range events {
		if e.Message == msg {
			n++
		}
	}
	return n
}

// fakeWooWebhooks answers a WooCommerce site's webhooks endpoints, keeping
// the webhooks as the site would.
type fakeWooWebhooks struct {
	mu    sync.Mutex
	hooks []map[string]any
	posts int
	puts  int
}

func (f *fakeWooWebhooks) serve(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json; charset=UTF-8")
		if user, pass, ok := r.BasicAuth(); !ok || user != syncWooKey || pass != syncWooSecret {
			rw.WriteHeader(http.StatusUnauthorized)
			io.WriteString(rw, `{"code":"woocommerce_rest_cannot_view","message":"Sorry, you cannot list resources.","data":{"status":401}}`)
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/wp-json/wc/v3/webhooks":
			rw.Header().Set("X-WP-TotalPages", "1")
			json.NewEncoder(rw).Encode(f.hooks)
		case r.Method == http.MethodPost && r.URL.Path == "/wp-json/wc/v3/webhooks":
			var in map[string]any
			json.NewDecoder(r.Body).Decode(&in)
			in["id"] = 30 + len(f.hooks)
			f.hooks = append(f.hooks, in)
			f.posts++
			rw.WriteHeader(http.StatusCreated)
			json.NewEncoder(rw).Encode(in)
		case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/wp-json/wc/v3/webhooks/"):
			var in map[string]any
			json.NewDecoder(r.Body).Decode(&in)
			for _, h := range f.hooks {
				if fmt.Sprint(h["id"]) == strings.TrimPrefix(r.URL.Path, "/wp-json/wc/v3/webhooks/") {
					h["secret"], h["status"] = in["secret"], in["status"]
				}
			}
			f.puts++
			json.NewEncoder(rw).Encode(in)
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
			http.NotFound(rw, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (f *fakeWooWebhooks) secret() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.hooks) == 0 {
		return ""
	}
	return fmt.Sprint(f.hooks[0]["secret"])
}

func wooHeaders(topic string, body []byte, secret string) http.Header {
	h := http.Header{}
	resource, event, _ := strings.Cut(topic, ".")
	h.Set("X-WC-Webhook-Topic", topic)
	h.Set("X-WC-Webhook-Resource", resource)
	h.Set("X-WC-Webhook-Event", event)
	h.Set("X-WC-Webhook-Signature", channel.SignWebhook(body, secret))
	return h
}

// TestWooCommerceWebhooks: registering gives the site a secret Dropline
// made (≥ 128 bits) with order.created and order.updated; the creation ping
// is answered; signed orders come in linked with the site's ids; a
// cancellation marks the order and a later change taking it back clears
// the mark; registering again makes no second webhook and keeps the secret.
func TestWooCommerceWebhooks(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	site := &fakeWooWebhooks{}
	srv := site.serve(t)
	ch := w.connect(t, store.SalesChannelInput{Kind: "woocommerce", Name: "Web shop", BaseURL: srv.URL, ConsumerKey: syncWooKey, ConsumerSecret: syncWooSecret})
	subs, err := w.db.RegisterChannelWebhooks(ctx, w.mActor, w.merchant.ID, ch.ID, dropline, srv.Client())
	if err != nil || len(subs) != 2 || subs[0].Topic != "order.created" || subs[1].Topic != "order.updated" {
		t.Fatalf("register: %+v, %v", subs, err)
	}
	secret := site.secret()
	got := w.channelRow(t, ch.ID)
	token := strings.TrimPrefix(got.WebhookURL, webhookURLStart)
	if len(secret) < 22 || !got.HasWebhookSecret || token == got.WebhookURL || site.hooks[1]["secret"] != secret || site.hooks[0]["delivery_url"] != got.WebhookURL {
		t.Fatalf("registered: secret %d chars, store %+v, site %+v", len(secret), got, site.hooks)
	}
	if out, err := w.db.ReceiveChannelWebhook(ctx, token, http.Header{}, []byte("webhook_id=30")); err != nil || out.Result != store.WebhookPing {
		t.Errorf("ping: %+v, %v", out, err)
	}

	order := wooOrder(601, "processing", wooLineJSON(71, "A-1", 2, "12.99"), wooLineJSON(72, "OWN-5", 1, "4.00"))
	body, _ := json.Marshal(order)
	out, err := w.db.ReceiveChannelWebhook(ctx, token, wooHeaders("order.created", body, secret), body)
	if err != nil || out.Result != store.WebhookCreated {
		t.Fatalf("order.created: %+v, %v", out, err)
	}
	o, ok := w.orderByNumber(t, "#601")
	if !ok || o.Channel != "woocommerce" || o.ChannelRef != "601" || o.Lines[0].ChannelLineID != "71" || o.Lines[1].ChannelLineID != "72" || !o.Dropship {
		t.Fatalf("order = %+v", o)
	}
	if again, err := w.db.ReceiveChannelWebhook(ctx, token, wooHeaders("order.created", body, secret), body); err != nil || again.Result != store.WebhookUnchanged {
		t.Errorf("replay: %+v, %v", again, err)
	}
	if _, err := w.db.ReceiveChannelWebhook(ctx, token, wooHeaders("order.created", body, "not-the-secret-not-the-secret"), body); !errors.Is(err, store.ErrWebhookSignature) {
		t.Errorf("wrong secret: %v", err)
	}

	order["status"], order["date_modified_gmt"] = "cancelled", "2026-11-21T11:30:00"
	body, _ = json.Marshal(order)
	if out, err := w.db.ReceiveChannelWebhook(ctx, token, wooHeaders("order.updated", body, secret), body); err != nil || out.Result != store.WebhookCancelled {
		t.Fatalf("cancelled: %+v, %v", out, err)
	}
	if c, err := w.db.OrderChannelCancellation(ctx, w.merchant.ID, o.ID); err != nil || c == nil || c.Store != "Web shop" || c.Reason != "" ||
		!c.At.Equal(time.Date(2026, 11, 21, 11, 30, 0, 0, time.UTC)) || len(c.Open)+len(c.Requested)+len(c.Shipped) != 0 {
		t.Fatalf("cancellation = %+v, %v", c, err)
	}
	// A late delivery of an older change leaves the mark; a newer change
	// taking the order back clears it.
	order["status"], order["date_modified_gmt"] = "processing", "2026-11-21T11:10:00"
	body, _ = json.Marshal(order)
	if out, _ := w.db.ReceiveChannelWebhook(ctx, token, wooHeaders("order.updated", body, secret), body); out.Result != store.WebhookUnchanged {
		t.Errorf("an older change: %+v", out)
	}
	order["date_modified_gmt"] = "2026-11-21T11:45:00"
	body, _ = json.Marshal(order)
	if out, _ := w.db.ReceiveChannelWebhook(ctx, token, wooHeaders("order.updated", body, secret), body); out.Result != store.WebhookReinstated {
		t.Errorf("taken back: %+v", out)
	}
	if c, err := w.db.OrderChannelCancellation(ctx, w.merchant.ID, o.ID); err != nil || c != nil {
		t.Errorf("after it was taken back: %+v, %v", c, err)
	}

	if _, err := w.db.RegisterChannelWebhooks(ctx, w.mActor, w.merchant.ID, ch.ID, dropline, srv.Client()); err != nil {
		t.Fatal(err)
	}
	if site.posts != 2 || site.puts != 2 || site.secret() != secret {
		t.Errorf("registering again: %d webhooks made, %d updated, secret kept %v", site.posts, site.puts, site.secret() == secret)
	}
}

// TestSyncMarksOrdersCancelledOnTheStore: a pull finding an order Dropline
// has now cancelled on the store marks it once (today's pull counted it
// unchanged); an order the Shopify webhook of Settings → Orders brought
// before the store was connected is linked to the store when its lines are
// the store's; one of that number from another shop (another GID) is
// neither taken nor marked.
func TestSyncMarksOrdersCancelledOnTheStore(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	legacy := w.order(t, "#1005", orderfile.Line{SKU: "A-2", Title: "Item", Quantity: 1, UnitPriceCents: 1299})
	// Another shop's #1006, brought by the old webhook with its own GID.
	otherShop, _, err := w.db.CreateOrder(ctx, w.mActor, w.merchant.ID, orderfile.Order{Channel: "shopify", ChannelOrderID: "#1006", ChannelRef: "gid://shopify/Order/777",
		Currency: "USD", ShipTo: shipTo(), Lines: []orderfile.Line{{SKU: "A-3", Title: "Item", Quantity: 1, UnitPriceCents: 1299, ChannelLineID: "gid://shopify/LineItem/778"}}})
	if err != nil {
		t.Fatal(err)
	}
	page := func(cancelled bool) string {
		return `{"pageInfo":{"hasNextPage":false,"endCursor":"c1"},"nodes":[` +
			shopifyOrderJSON(1001, cancelled, shopifyShipTo, shopifyLineJSON(11, "A-1", 2, "12.99")) + `,` +
			shopifyOrderJSON(1005, false, shopifyShipTo, shopifyLineJSON(51, "A-2", 1, "12.99")) + `,` +
			shopifyOrderJSON(1006, cancelled, shopifyShipTo, shopifyLineJSON(61, "A-3", 1, "12.99")) + `]}`
	}
	f := newFakeShopShopify(t, map[string]string{"": page(false)})
	ch := w.connect(t, store.SalesChannelInput{Kind: "shopify", Name: "Acme", BaseURL: f.srv.URL, AccessToken: syncShopifyToken})
	res, err := w.db.SyncChannelOrders(ctx, w.merchant.ID, ch.ID, f.srv.Client())
	if err != nil || res.Created != 1 || res.Unchanged != 1 || res.Invalid != 1 || res.Problems[0] != "order #1006 was not imported: another shop already has an order with that number" {
		t.Fatalf("first pull: %+v, %v", res, err)
	}
	if o, _ := w.orderByNumber(t, "#1005"); o.ID != legacy.ID || o.ChannelRef != "gid://shopify/Order/1005" || o.Lines[0].ChannelLineID != "gid://shopify/LineItem/51" {
		t.Errorf("the order the old webhook brought: %+v", o)
	}
	f.mu.Lock()
	f.pages[""] = page(true)
	f.mu.Unlock()
	w.now = w.now.Add(10 * time.Minute)
	res, err = w.db.SyncChannelOrders(ctx, w.merchant.ID, ch.ID, f.srv.Client())
	if err != nil || res.CancelledLater != 1 || res.Cancelled != 1 || res.Created != 0 || !strings.Contains(res.Summary(), "1 cancelled on the store since") {
		t.Fatalf("pull after the cancellation: %+v, %v", res, err)
	}
	if c, err := w.db.OrderChannelCancellation(ctx, w.merchant.ID, otherShop.ID); err != nil || c != nil {
		t.Errorf("the other shop's #1006 was marked: %+v, %v", c, err)
	}
	o, _ := w.orderByNumber(t, "#1001")
	c, err := w.db.OrderChannelCancellation(ctx, w.merchant.ID, o.ID)
	if err != nil || c == nil || !c.At.Equal(time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)) || c.Store != "Acme" {
		t.Fatalf("cancellation = %+v, %v", c, err)
	}
	w.now = w.now.Add(10 * time.Minute)
	if res, err := w.db.SyncChannelOrders(ctx, w.merchant.ID, ch.ID, f.srv.Client()); err != nil || res.CancelledLater != 0 || res.Unchanged != 2 || res.Cancelled != 1 {
		t.Errorf("the next pull: %+v, %v", res, err)
	}
}
