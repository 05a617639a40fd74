package channel

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const testCallback = "https://dropline.example/api/v1/webhooks/channels/tok_abc"

// webhookPage is a webhookSubscriptions answer holding nodes.
func webhookPage(nodes ...string) shopifyReply {
	return ok(`{"webhookSubscriptions":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[` + strings.Join(nodes, ",") + `]}}`)
}

func webhookNode(id, topic, callback string) string {
	return `{"id":"gid://shopify/WebhookSubscription/` + id + `","topic":"` + topic + `","endpoint":{"__typename":"WebhookHttpEndpoint","callbackUrl":"` + callback + `"}}`
}

func registrar(t *testing.T, ch Channel) WebhookRegistrar {
	t.Helper()
	r, ok := ch.(WebhookRegistrar)
	if !ok {
		t.Fatalf("%T does not register webhooks", ch)
	}
	return r
}

// TestShopifyRegisterWebhooks: an app with no subscriptions gets
// ORDERS_CREATE and ORDERS_UPDATED at the callback URL in JSON; asking
// again finds both (listed by topic) and creates nothing; a subscription of
// the topic to another address is not taken for Dropline's.
func TestShopifyRegisterWebhooks(t *testing.T) {
	var created []string
	f := newFakeShopify(t, func(c shopifyCall) shopifyReply {
		switch c.Op {
		case "DroplineWebhooks":
			var nodes []string
			for i, topic := range created {
				nodes = append(nodes, webhookNode(string(rune('1'+i)), topic, testCallback))
			}
			nodes = append(nodes, webhookNode("90", "ORDERS_UPDATED", "https://other-app.example/hooks"))
			return webhookPage(nodes...)
		case "DroplineWebhookCreate":
			var v struct {
				Topic string
				Sub   map[string]any `json:"webhookSubscription"`
			}
			if err := json.Unmarshal(c.Vars, &v); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(v.Sub, map[string]any{"callbackUrl": testCallback, "format": "JSON"}) {
				t.Errorf("webhookSubscription = %v", v.Sub)
			}
			created = append(created, v.Topic)
			return ok(`{"webhookSubscriptionCreate":{"webhookSubscription":{"id":"gid://shopify/WebhookSubscription/` + string(rune('0'+len(created))) +
				`","topic":"` + v.Topic + `"},"userErrors":[]}}`)
		}
		t.Errorf("unexpected %s", c.Op)
		return ok(`{}`)
	})
	r := registrar(t, f.channel(t, testShopifyToken))
	subs, err := r.RegisterWebhooks(context.Background(), testCallback, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []Subscription{{Topic: "ORDERS_CREATE", ID: "gid://shopify/WebhookSubscription/1"}, {Topic: "ORDERS_UPDATED", ID: "gid://shopify/WebhookSubscription/2"}}
	if !reflect.DeepEqual(subs, want) {
		t.Errorf("first registration = %+v, want %+v", subs, want)
	}
	if got := canonical(t, f.callsTo("DroplineWebhooks")[0].Vars); got != `{"first":100,"topics":["ORDERS_CREATE","ORDERS_UPDATED"]}` {
		t.Errorf("listing variables = %s", got)
	}

	subs, err = r.RegisterWebhooks(context.Background(), testCallback, "")
	if err != nil {
		t.Fatal(err)
	}
	want = []Subscription{{Topic: "ORDERS_CREATE", ID: "gid://shopify/WebhookSubscription/1", Existed: true}, {Topic: "ORDERS_UPDATED", ID: "gid://shopify/WebhookSubscription/2", Existed: true}}
	if !reflect.DeepEqual(subs, want) {
		t.Errorf("second registration = %+v, want %+v", subs, want)
	}
	if n := len(f.callsTo("DroplineWebhookCreate")); n != 2 {
		t.Errorf("%d subscriptions created over two registrations, want 2", n)
	}
}

// TestShopifyRegisterWebhooksRefusals: Shopify's "already been taken" is a
// subscription that is there; another userError, or a revoked token, is a
// refusal with Shopify's words, not retried.
func TestShopifyRegisterWebhooksRefusals(t *testing.T) {
	taken := ok(`{"webhookSubscriptionCreate":{"webhookSubscription":null,"userErrors":[{"field":["webhookSubscription","callbackUrl"],"message":"Address for this topic has already been taken"}]}}`)
	f := newFakeShopify(t, func(c shopifyCall) shopifyReply {
		if c.Op == "DroplineWebhooks" {
			return webhookPage()
		}
		return taken
	})
	subs, err := registrar(t, f.channel(t, testShopifyToken)).RegisterWebhooks(context.Background(), testCallback, "")
	if err != nil || len(subs) != 2 || !subs[0].Existed || !subs[1].Existed || subs[0].ID != "" {
		t.Errorf("already taken: %+v, %v; want both kept", subs, err)
	}

	f = newFakeShopify(t, func(c shopifyCall) shopifyReply {
		if c.Op == "DroplineWebhooks" {
			return webhookPage()
		}
		return ok(`{"webhookSubscriptionCreate":{"webhookSubscription":null,"userErrors":[{"field":["webhookSubscription","callbackUrl"],"message":"Address protocol http:// is not supported"}]}}`)
	})
	subs, err = registrar(t, f.channel(t, testShopifyToken)).RegisterWebhooks(context.Background(), "http://dropline.example/x", "")
	ce := asError(t, err)
	if len(subs) != 0 || ce.Retry || !strings.Contains(ce.Message, "subscribing to ORDERS_CREATE: Shopify refused: webhookSubscription.callbackUrl: Address protocol http:// is not supported") {
		t.Errorf("refused: %+v, %q (retry %v)", subs, ce.Message, ce.Retry)
	}
	if n := len(f.callsTo("DroplineWebhookCreate")); n != 1 {
		t.Errorf("after a refusal %d more subscriptions were tried", n-1)
	}

	f = newFakeShopify(t, func(shopifyCall) shopifyReply { return ok(`{}`) })
	_, err = registrar(t, f.channel(t, "shpat_revoked")).RegisterWebhooks(context.Background(), testCallback, "")
	if ce := asError(t, err); ce.Status != http.StatusUnauthorized || ce.Retry || !strings.Contains(ce.Message, "did not accept the access token") {
		t.Errorf("401: %+v", ce)
	}
}

// shopifyWebhookSample is the orders/cancelled payload Shopify's admin sends
// as a test notification (the REST order resource; ids past 2^53).
const shopifyWebhookSample = `{"id":820982911946154508,"admin_graphql_api_id":"gid://shopify/Order/820982911946154508",
 "cancel_reason":"customer","cancelled_at":"2021-12-31T19:00:00-05:00","contact_email":"jon@example.com","created_at":"2021-12-31T19:00:00-05:00",
 "currency":"USD","email":"jon@example.com","name":"#9999","total_price":"403.00","updated_at":"2021-12-31T19:00:00-05:00",
 "shipping_address":{"first_name":"Steve","address1":"123 Shipping Street","phone":"555-555-SHIP","city":"Shippington","zip":"40003",
   "province":"Kentucky","country":"United States","last_name":"Shipper","address2":null,"company":"Shipping Company","latitude":null,"longitude":null,
   "name":"Steve Shipper","country_code":"US","province_code":"KY"},
 "line_items":[{"id":866550311766439020,"admin_graphql_api_id":"gid://shopify/LineItem/866550311766439020","name":"IPod Nano - 8GB","price":"199.00",
   "product_id":632910392,"quantity":1,"requires_shipping":true,"sku":"IPOD2008BLACK","title":"IPod Nano - 8GB","variant_id":808950810},
  {"id":141249953214522974,"admin_graphql_api_id":"gid://shopify/LineItem/141249953214522974","name":"IPod Nano - 8GB","price":"199.00",
   "quantity":1,"requires_shipping":true,"sku":null,"title":"IPod Nano - 8GB"}]}`

func TestReadShopifyWebhook(t *testing.T) {
	const secret = "shpss_0123456789abcdef0123456789abcdef"
	body := []byte(shopifyWebhookSample)
	h := http.Header{"X-Shopify-Topic": {"orders/cancelled"}, "X-Shopify-Hmac-Sha256": {SignWebhook(body, secret)},
		"X-Shopify-Shop-Domain": {"acme.myshopify.com"}}
	d, err := ReadWebhook(Shopify, h, body, secret)
	if err != nil || d.Order == nil {
		t.Fatalf("signed delivery: %+v, %v", d, err)
	}
	want := Order{ChannelID: "gid://shopify/Order/820982911946154508", Number: "#9999", Email: "jon@example.com", Currency: "USD",
		ShipTo: Address{Name: "Steve Shipper", Company: "Shipping Company", Line1: "123 Shipping Street", City: "Shippington", Region: "KY",
			PostalCode: "40003", Country: "US", Phone: "555-555-SHIP"},
		Lines: []Line{{ChannelID: "gid://shopify/LineItem/866550311766439020", SKU: "IPOD2008BLACK", Title: "IPod Nano - 8GB", Quantity: 1, PriceCents: 19900},
			{ChannelID: "gid://shopify/LineItem/141249953214522974", Title: "IPod Nano - 8GB", Quantity: 1, PriceCents: 19900}},
		Cancelled: true, CancelledAt: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), CancelReason: "Customer changed or cancelled order",
		CreatedAt: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), TotalCents: 40300}
	if !reflect.DeepEqual(*d.Order, want) || d.Topic != "orders/cancelled" {
		t.Errorf("order:\n got %+v\nwant %+v", *d.Order, want)
	}

	for name, h := range map[string]http.Header{
		"wrong secret":      {"X-Shopify-Topic": {"orders/create"}, "X-Shopify-Hmac-Sha256": {SignWebhook(body, "shpss_other")}},
		"no signature":      {"X-Shopify-Topic": {"orders/create"}},
		"not base64":        {"X-Shopify-Topic": {"orders/create"}, "X-Shopify-Hmac-Sha256": {"not-a-signature"}},
		"body changed":      {"X-Shopify-Topic": {"orders/create"}, "X-Shopify-Hmac-Sha256": {SignWebhook(append([]byte(" "), body...), secret)}},
		"hex, not base64":   {"X-Shopify-Topic": {"orders/create"}, "X-Shopify-Hmac-Sha256": {strings.Repeat("ab", 32)}},
		"signed with empty": {"X-Shopify-Topic": {"orders/create"}, "X-Shopify-Hmac-Sha256": {SignWebhook(body, "")}},
	} {
		s := secret
		if name == "signed with empty" {
			s = ""
		}
		if d, err := ReadWebhook(Shopify, h, body, s); !errors.Is(err, ErrSignature) || d.Order != nil {
			t.Errorf("%s: %+v, %v; want ErrSignature", name, d, err)
		}
	}

	deleted := []byte(`{"id":820982911946154508}`)
	d, err = ReadWebhook(Shopify, http.Header{"X-Shopify-Topic": {"orders/delete"}, "X-Shopify-Hmac-Sha256": {SignWebhook(deleted, secret)}}, deleted, secret)
	if err != nil || d.Order != nil {
		t.Errorf("orders/delete: %+v, %v; want no order", d, err)
	}
	broken := []byte(`{"id":1,"name":"#1","line_items":[{"id":2,"quantity":1.5,"price":"1.00"}]}`)
	_, err = ReadWebhook(Shopify, http.Header{"X-Shopify-Topic": {"orders/updated"}, "X-Shopify-Hmac-Sha256": {SignWebhook(broken, secret)}}, broken, secret)
	if !errors.Is(err, ErrPayload) || !strings.Contains(err.Error(), "quantity") {
		t.Errorf("fractional quantity: %v; want ErrPayload naming it", err)
	}
}

// TestParseShopifyOrderRealPayload reads Shopify's REST order fixture,
// older than admin_graphql_api_id: the GIDs are made from the numeric ids,
// as the GraphQL pull names them.
func TestParseShopifyOrderRealPayload(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "fixtures", "shopify_python_api_fixtures")
	raw, err := os.ReadFile(filepath.Join(dir, "order.json"))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("fixtures missing in CI: %v", err)
		}
		t.Skipf("fixtures not available: %v", err)
	}
	o, err := ParseShopifyOrder(raw)
	if err != nil {
		t.Fatal(err)
	}
	if o.ChannelID != "gid://shopify/Order/450789469" || o.Number != "#1001" || o.TotalCents != 40994 || o.Cancelled ||
		o.ShipTo.Region != "KY" || o.ShipTo.Country != "US" || o.ShipTo.Name != "Bob Norman" || !o.CreatedAt.Equal(time.Date(2008, 1, 10, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("order = %+v", o)
	}
	if len(o.Lines) != 3 || o.Lines[0].ChannelID != "gid://shopify/LineItem/466157049" || o.Lines[0].SKU != "IPOD2008GREEN" || o.Lines[0].PriceCents != 19900 {
		t.Errorf("lines = %+v", o.Lines)
	}
}

// TestWooCommerceRegisterWebhooks: the site's webhooks are listed; the one
// Dropline already has for order.created (disabled after failed
// deliveries) is given the secret and made active again, order.updated is
// created, and a webhook of another address is left alone.
func TestWooCommerceRegisterWebhooks(t *testing.T) {
	const secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"
	f := newFakeWoo(t)
	f.handle("GET /wp-json/wc/v3/webhooks", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-WP-Total", "2")
		w.Header().Set("X-WP-TotalPages", "1")
		wooJSON(w, 200, []any{
			map[string]any{"id": 31, "name": "Dropline order.created", "status": "disabled", "topic": "order.created", "resource": "order", "event": "created",
				"delivery_url": strings.Replace(testCallback, "dropline.example", "DROPLINE.example", 1)},
			map[string]any{"id": 32, "name": "ERP", "status": "active", "topic": "order.updated", "resource": "order", "event": "updated", "delivery_url": "https://erp.example/hook"},
		})
	})
	f.handle("PUT /wp-json/wc/v3/webhooks/31", func(w http.ResponseWriter, r *http.Request) {
		wooJSON(w, 200, map[string]any{"id": 31, "status": "active", "topic": "order.created", "delivery_url": testCallback})
	})
	f.handle("POST /wp-json/wc/v3/webhooks", func(w http.ResponseWriter, r *http.Request) {
		wooJSON(w, 201, map[string]any{"id": 33, "status": "active", "topic": "order.updated", "delivery_url": testCallback})
	})
	subs, err := f.channel().RegisterWebhooks(context.Background(), testCallback, secret)
	if err != nil {
		t.Fatal(err)
	}
	want := []Subscription{{Topic: "order.created", ID: "31", Existed: true}, {Topic: "order.updated", ID: "33"}}
	if !reflect.DeepEqual(subs, want) {
		t.Errorf("subscriptions = %+v, want %+v", subs, want)
	}
	if put := f.received(http.MethodPut, "/wp-json/wc/v3/webhooks/31"); len(put) != 1 ||
		!reflect.DeepEqual(decodeBody(t, put[0]), map[string]any{"status": "active", "secret": secret}) {
		t.Errorf("update of the existing webhook: %+v", put)
	}
	post := f.received(http.MethodPost, "/wp-json/wc/v3/webhooks")
	if len(post) != 1 || !reflect.DeepEqual(decodeBody(t, post[0]), map[string]any{"name": "Dropline order.updated", "topic": "order.updated",
		"delivery_url": testCallback, "secret": secret, "status": "active"}) {
		t.Errorf("created: %+v", post)
	}
	if len(f.received(http.MethodPut, "/wp-json/wc/v3/webhooks/32")) != 0 {
		t.Error("another address's webhook was changed")
	}
}

func TestWooCommerceRegisterWebhooksRefused(t *testing.T) {
	f := newFakeWoo(t)
	f.handle("GET /wp-json/wc/v3/webhooks", func(w http.ResponseWriter, r *http.Request) {
		wooJSON(w, 200, []any{})
	})
	f.handle("POST /wp-json/wc/v3/webhooks", func(w http.ResponseWriter, r *http.Request) {
		wooJSON(w, 401, wooErrBody("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources.", 401))
	})
	subs, err := f.channel().RegisterWebhooks(context.Background(), testCallback, "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0")
	ce := wooError(t, err)
	if len(subs) != 0 || ce.Status != 401 || ce.Retry || !strings.Contains(ce.Message, "register the order.created webhook") ||
		!strings.Contains(ce.Message, "Sorry, you are not allowed to create resources.") {
		t.Errorf("refused: %+v, %+v", subs, ce)
	}
}

func TestReadWooCommerceWebhook(t *testing.T) {
	const secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"
	if d, err := ReadWebhook(WooCommerce, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, []byte("webhook_id=31"), secret); err != nil || !d.Ping {
		t.Errorf("ping: %+v, %v", d, err)
	}
	order := wooOrderJSON(501, "cancelled", "25.98", wooLine(7, "A-1", "Tea", 2, "12.99"))
	body, _ := json.Marshal(order)
	h := wooHeaders("order.updated", SignWebhook(body, secret))
	d, err := ReadWebhook(WooCommerce, h, body, secret)
	if err != nil || d.Order == nil {
		t.Fatalf("order.updated: %+v, %v", d, err)
	}
	if o := d.Order; o.ChannelID != "501" || o.Number != "#501" || !o.Cancelled || !o.CancelledAt.Equal(time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC)) ||
		len(o.Lines) != 1 || o.Lines[0].ChannelID != "7" || o.Lines[0].PriceCents != 1299 || o.ShipTo.City != "London" {
		t.Errorf("order = %+v", *o)
	}

	bad := h.Clone()
	bad.Set("X-WC-Webhook-Signature", SignWebhook(body, "another-secret-another-secret"))
	if _, err := ReadWebhook(WooCommerce, bad, body, secret); !errors.Is(err, ErrSignature) {
		t.Errorf("wrong secret: %v", err)
	}
	unsigned := h.Clone()
	unsigned.Del("X-WC-Webhook-Signature")
	if _, err := ReadWebhook(WooCommerce, unsigned, body, secret); !errors.Is(err, ErrSignature) {
		t.Errorf("unsigned order: %v", err)
	}
	if _, err := ReadWebhook(WooCommerce, http.Header{}, []byte("webhook_id=31&x=1"), secret); !errors.Is(err, ErrSignature) {
		t.Errorf("a ping with more in it: %v", err)
	}
	product := []byte(`{"id":9,"name":"Tea"}`)
	d, err = ReadWebhook(WooCommerce, wooHeaders("product.updated", SignWebhook(product, secret)), product, secret)
	if err != nil || d.Order != nil || d.Topic != "product.updated" {
		t.Errorf("product.updated: %+v, %v; want no order", d, err)
	}
}

// wooHeaders are a delivery's headers as WC_Webhook::deliver sets them.
func wooHeaders(topic, signature string) http.Header {
	h := http.Header{}
	resource, event, _ := strings.Cut(topic, ".")
	h.Set("X-WC-Webhook-Source", "https://tea.example/")
	h.Set("X-WC-Webhook-Topic", topic)
	h.Set("X-WC-Webhook-Resource", resource)
	h.Set("X-WC-Webhook-Event", event)
	h.Set("X-WC-Webhook-Signature", signature)
	h.Set("X-WC-Webhook-ID", "33")
	return h
}

// TestShopifyRemoveWebhooks: removing deletes the app's subscriptions to
// Dropline's address (webhookSubscriptionDelete), not another app's; a
// refusal comes back in Shopify's words.
func TestShopifyRemoveWebhooks(t *testing.T) {
	var deleted []string
	refuse := false
	f := newFakeShopify(t, func(c shopifyCall) shopifyReply {
		switch c.Op {
		case "DroplineWebhooks":
			return webhookPage(webhookNode("1", "ORDERS_CREATE", testCallback), webhookNode("2", "ORDERS_UPDATED", testCallback),
				webhookNode("90", "ORDERS_UPDATED", "https://other-app.example/hooks"))
		case "DroplineWebhookDelete":
			var v struct{ ID string }
			if err := json.Unmarshal(c.Vars, &v); err != nil {
				t.Fatal(err)
			}
			if refuse {
				return ok(`{"webhookSubscriptionDelete":{"deletedWebhookSubscriptionId":null,"userErrors":[{"field":["id"],"message":"Webhook subscription does not exist"}]}}`)
			}
			deleted = append(deleted, v.ID)
			return ok(`{"webhookSubscriptionDelete":{"deletedWebhookSubscriptionId":"` + v.ID + `","userErrors":[]}}`)
		}
		t.Errorf("unexpected %s", c.Op)
		return ok(`{}`)
	})
	r := registrar(t, f.channel(t, testShopifyToken))
	n, err := r.RemoveWebhooks(context.Background(), testCallback)
	if err != nil || n != 2 || !reflect.DeepEqual(deleted, []string{"gid://shopify/WebhookSubscription/1", "gid://shopify/WebhookSubscription/2"}) {
		t.Fatalf("removed %d (%v), deleted %v", n, err, deleted)
	}
	refuse = true
	if _, err := r.RemoveWebhooks(context.Background(), testCallback); err == nil || !strings.Contains(err.Error(), "Webhook subscription does not exist") {
		t.Errorf("a refusal: %v", err)
	}
}

// TestWooCommerceRemoveWebhooks: every webhook delivering to Dropline's
// address is deleted for good (force=true), another address's is left, and
// one already gone is no error; a refusal is WooCommerce's words.
func TestWooCommerceRemoveWebhooks(t *testing.T) {
	f := newFakeWoo(t)
	f.handle("GET /wp-json/wc/v3/webhooks", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-WP-TotalPages", "1")
		wooJSON(w, 200, []any{
			map[string]any{"id": 31, "topic": "order.created", "delivery_url": testCallback},
			map[string]any{"id": 32, "topic": "order.updated", "delivery_url": "https://erp.example/hook"},
			map[string]any{"id": 33, "topic": "order.updated", "delivery_url": testCallback},
			map[string]any{"id": 34, "topic": "order.deleted", "delivery_url": testCallback},
		})
	})
	refuse := false
	for _, id := range []string{"31", "33"} {
		f.handle("DELETE /wp-json/wc/v3/webhooks/"+id, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("force") != "true" {
				t.Errorf("delete without force: %s", r.URL)
			}
			if refuse {
				wooJSON(w, 401, wooErrBody("woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource.", 401))
				return
			}
			wooJSON(w, 200, map[string]any{"id": id})
		})
	}
	f.handle("DELETE /wp-json/wc/v3/webhooks/34", func(w http.ResponseWriter, r *http.Request) {
		wooJSON(w, 404, wooErrBody("woocommerce_rest_shop_webhook_invalid_id", "Invalid ID.", 404))
	})
	n, err := f.channel().RemoveWebhooks(context.Background(), testCallback)
	if err != nil || n != 2 {
		t.Fatalf("removed %d, %v", n, err)
	}
	if len(f.received(http.MethodDelete, "/wp-json/wc/v3/webhooks/32")) != 0 {
		t.Error("another address's webhook was deleted")
	}
	refuse = true
	if _, err := f.channel().RemoveWebhooks(context.Background(), testCallback); err == nil || !strings.Contains(err.Error(), "not allowed to delete") {
		t.Errorf("a refusal: %v", err)
	}
}
