package channel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

const testShopifyToken = "shpat_0123456789abcdef0123456789abcdef"

// shopifyCall is one GraphQL request the fake shop received.
type shopifyCall struct {
	Op    string // the operation's name in the query text
	Query string
	Vars  json.RawMessage
}

// shopifyReply is what the fake shop answers to one call.
type shopifyReply struct {
	Status int
	Header http.Header
	Body   string
}

// fakeShopify answers the Admin GraphQL API as documented: it checks the
// versioned path, the access token header and the JSON body, then hands
// the operation to the test's answer function.
type fakeShopify struct {
	t      *testing.T
	srv    *httptest.Server
	answer func(c shopifyCall) shopifyReply

	mu    sync.Mutex
	calls []shopifyCall
}

// rootFields is the root field (with its arguments) each operation the
// adapter sends must select, from Shopify's reference.
var rootFields = map[string]string{
	"DroplineShop":              "shop { name myshopifyDomain currencyCode }",
	"DroplineOrders":            "orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT)",
	"DroplineFulfillmentOrders": "order(id: $id)",
	"DroplineFulfillmentCreate": "fulfillmentCreate(fulfillment: $fulfillment)",
	"DroplinePrimaryLocation":   "location { id",
	"DroplineLocations":         "locations(first: $first, after: $after)",
	"DroplineVariantsBySKU":     "productVariants(first: $first, after: $after, query: $query)",
	"DroplineInventorySet":      "inventorySetQuantities(input: $input)",
	"DroplineWebhooks":          "webhookSubscriptions(first: $first, after: $after, topics: $topics)",
	"DroplineWebhookCreate":     "webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription)",
	"DroplineWebhookDelete":     "webhookSubscriptionDelete(id: $id)",
}

var opName = regexp.MustCompile(`^\s*(?:query|mutation)\s+(\w+)`)

func newFakeShopify(t *testing.T, answer func(c shopifyCall) shopifyReply) *fakeShopify {
	t.Helper()
	f := &fakeShopify{t: t, answer: answer}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeShopify) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/admin/api/"+shopifyAPIVersion+"/graphql.json" {
		f.t.Errorf("request %s %s, want POST /admin/api/%s/graphql.json", r.Method, r.URL.Path, shopifyAPIVersion)
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("X-Shopify-Access-Token") != testShopifyToken {
		// What Shopify answers to a wrong or revoked token.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		f.t.Errorf("Content-Type %q, want application/json", ct)
	}
	var body struct {
		Query     string          `json:"query"`
		Variables json.RawMessage `json:"variables"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		f.t.Errorf("request body: %v", err)
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	m := opName.FindStringSubmatch(body.Query)
	if m == nil {
		f.t.Errorf("query without an operation name: %s", body.Query)
		http.Error(w, "no operation", http.StatusBadRequest)
		return
	}
	root, known := rootFields[m[1]]
	if !known {
		f.t.Errorf("unknown operation %s", m[1])
	} else if !strings.Contains(body.Query, root) {
		f.t.Errorf("operation %s does not select %q:\n%s", m[1], root, body.Query)
	}
	if strings.Count(body.Query, "{") != strings.Count(body.Query, "}") {
		f.t.Errorf("operation %s has unbalanced braces", m[1])
	}
	c := shopifyCall{Op: m[1], Query: body.Query, Vars: body.Variables}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	reply := f.answer(c)
	for k, vs := range reply.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if reply.Status == 0 {
		reply.Status = http.StatusOK
	}
	w.WriteHeader(reply.Status)
	io.WriteString(w, reply.Body)
}

// ops lists the operations received, in order.
func (f *fakeShopify) ops() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ops []string
	for _, c := range f.calls {
		ops = append(ops, c.Op)
	}
	return ops
}

// callsTo returns the calls of one operation.
func (f *fakeShopify) callsTo(op string) []shopifyCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var cs []shopifyCall
	for _, c := range f.calls {
		if c.Op == op {
			cs = append(cs, c)
		}
	}
	return cs
}

func (f *fakeShopify) channel(t *testing.T, token string) Channel {
	t.Helper()
	ch, err := New(Conn{Kind: Shopify, BaseURL: f.srv.URL, Token: token, HTTP: f.srv.Client()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return ch
}

// ok wraps data the way Shopify does, with the query's cost.
func ok(data string) shopifyReply {
	return shopifyReply{Body: `{"data":` + data + `,"extensions":{"cost":{"requestedQueryCost":12,"actualQueryCost":10,` +
		`"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1990,"restoreRate":100.0}}}}`}
}

func asError(t *testing.T, err error) *Error {
	t.Helper()
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v (%T), want *channel.Error", err, err)
	}
	if ce.Kind != Shopify {
		t.Errorf("Kind = %q, want %q", ce.Kind, Shopify)
	}
	if strings.Contains(ce.Error(), testShopifyToken) {
		t.Errorf("error message contains the access token: %s", ce.Error())
	}
	return ce
}

func TestShopifyTestReadsShop(t *testing.T) {
	f := newFakeShopify(t, func(c shopifyCall) shopifyReply {
		return ok(`{"shop":{"name":"Acme Outdoor","myshopifyDomain":"acme-outdoor.myshopify.com","currencyCode":"CAD"}}`)
	})
	got, err := f.channel(t, testShopifyToken).Test(context.Background())
	if err != nil {
		t.Fatalf("Test: %v", err)
	}
	want := Shop{Name: "Acme Outdoor", Domain: "acme-outdoor.myshopify.com", Currency: "CAD"}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if ops := f.ops(); !reflect.DeepEqual(ops, []string{"DroplineShop"}) {
		t.Errorf("server saw %v, want one DroplineShop", ops)
	}
}

func TestShopifyErrors(t *testing.T) {
	accessDenied := `{"errors":[{"message":"Access denied for orders field. Required access: ` + "`read_orders`" + ` access scope.",` +
		`"locations":[{"line":2,"column":3}],"path":["orders"],` +
		`"extensions":{"code":"ACCESS_DENIED","documentation":"https://shopify.dev/api/usage/access-scopes","requiredAccess":"` + "`read_orders`" + ` access scope."}}],` +
		`"data":null,"extensions":{"cost":{"requestedQueryCost":52,"actualQueryCost":2,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1998,"restoreRate":100.0}}}}`
	throttled := `{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED","documentation":"https://shopify.dev/api/usage/rate-limits"}}],` +
		`"extensions":{"cost":{"requestedQueryCost":252,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":1000.0,"currentlyAvailable":52,"restoreRate":50.0}}}}`

	tests := []struct {
		name       string
		token      string
		reply      shopifyReply
		status     int
		retry      bool
		retryAfter time.Duration
		says       []string
	}{
		{name: "wrong token", token: "shpat_wrong", status: 401, says: []string{"did not accept the access token", "401"}},
		{name: "missing scope", reply: shopifyReply{Body: accessDenied}, says: []string{"needs the read_orders access scope", "Access denied for orders field"}},
		{name: "403 naming a scope", reply: shopifyReply{Status: 403, Body: `{"errors":"[API] This action requires merchant approval for read_orders scope."}`},
			status: 403, says: []string{"needs the read_orders access scope", "403"}},
		{name: "no shop", reply: shopifyReply{Status: 404, Body: `{"errors":"Not Found"}`}, status: 404, says: []string{"no Shopify shop at 127.0.0.1"}},
		{name: "throttled by cost", reply: shopifyReply{Body: throttled}, retry: true, retryAfter: 4 * time.Second, says: []string{"throttling"}},
		{name: "429", reply: shopifyReply{Status: 429, Header: http.Header{"Retry-After": {"2.0"}}, Body: `{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}`},
			status: 429, retry: true, retryAfter: 2 * time.Second, says: []string{"429", "Exceeded 2 calls per second"}},
		{name: "500", reply: shopifyReply{Status: 500, Body: `{"errors":"Internal Server Error"}`}, status: 500, retry: true, says: []string{"HTTP 500"}},
		{name: "503 HTML", reply: shopifyReply{Status: 503, Body: `<html>down</html>`}, status: 503, retry: true, says: []string{"HTTP 503"}},
		{name: "400", reply: shopifyReply{Status: 400, Body: `{"errors":{"query":["Required parameter missing or invalid"]}}`}, status: 400, says: []string{"Required parameter missing"}},
		{name: "token echoed back", reply: shopifyReply{Status: 403, Body: `{"errors":"token ` + testShopifyToken + ` lacks access"}`}, status: 403, says: []string{"[access token]"}},
		{name: "not the API", reply: shopifyReply{Body: `<!DOCTYPE html><title>Acme</title>`}, says: []string{"not JSON"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeShopify(t, func(shopifyCall) shopifyReply { return tt.reply })
			token := tt.token
			if token == "" {
				token = testShopifyToken
			}
			_, _, err := f.channel(t, token).PullOrders(context.Background(), time.Unix(0, 0), "")
			ce := asError(t, err)
			if ce.Status != tt.status {
				t.Errorf("Status = %d, want %d", ce.Status, tt.status)
			}
			if ce.Retry != tt.retry || Retryable(err) != tt.retry {
				t.Errorf("Retry = %v, Retryable = %v, want %v", ce.Retry, Retryable(err), tt.retry)
			}
			if ce.RetryAfter != tt.retryAfter {
				t.Errorf("RetryAfter = %v, want %v", ce.RetryAfter, tt.retryAfter)
			}
			for _, s := range tt.says {
				if !strings.Contains(ce.Message, s) {
					t.Errorf("message %q does not say %q", ce.Message, s)
				}
			}
		})
	}
}

func TestShopifyTestUnreachable(t *testing.T) {
	f := newFakeShopify(t, func(shopifyCall) shopifyReply { return ok(`{}`) })
	ch := f.channel(t, testShopifyToken)
	f.srv.Close()
	_, err := ch.Test(context.Background())
	ce := asError(t, err)
	if !ce.Retry || ce.Status != 0 || !strings.Contains(ce.Message, "could not reach") {
		t.Errorf("got %+v, want a retryable network failure", ce)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ch.Test(ctx); Retryable(err) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v, Retryable = %v; want context.Canceled, not retryable", err, Retryable(err))
	}
}

func TestShopifyConnAddress(t *testing.T) {
	tests := []struct {
		base, token string
		wantErr     string
	}{
		{base: "http://acme.myshopify.com", token: "t", wantErr: "must use HTTPS: https://acme.myshopify.com"},
		{base: "HTTP://Acme.MyShopify.com/admin", token: "t", wantErr: "must use HTTPS"},
		{base: "https://acme.myshopify.com", token: "t"},
		{base: "acme.myshopify.com", token: "t"},
		{base: "http://127.0.0.1:8080", token: "t"},
		{base: "", token: "t", wantErr: "no shop address"},
		{base: "ftp://acme.myshopify.com", token: "t", wantErr: "not a shop address"},
		{base: "https://acme.myshopify.com", token: "", wantErr: "no Admin API access token"},
	}
	for _, tt := range tests {
		_, err := New(Conn{Kind: Shopify, BaseURL: tt.base, Token: tt.token})
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("New(%q): %v, want no error", tt.base, err)
			}
			continue
		}
		var ce *Error
		if !errors.As(err, &ce) || ce.Retry || !strings.Contains(ce.Message, tt.wantErr) {
			t.Errorf("New(%q, token %q) = %v, want a refusal saying %q", tt.base, tt.token, err, tt.wantErr)
		}
	}
}

func TestShopifyPullOrdersTwoPages(t *testing.T) {
	page1 := `{"orders":{"pageInfo":{"hasNextPage":true,"endCursor":"eyJsYXN0X2lkIjoxMDAxfQ=="},"nodes":[
	  {"id":"gid://shopify/Order/1001","name":"#1001","email":"ann@example.com","currencyCode":"USD","cancelledAt":null,"cancelReason":null,
	   "createdAt":"2026-12-01T09:00:00Z","updatedAt":"2026-12-01T10:30:00Z",
	   "totalPriceSet":{"shopMoney":{"amount":"1234.56","currencyCode":"USD"}},
	   "shippingAddress":{"name":"Ann Lee","company":"Lee & Co","address1":"1 Main St","address2":"Unit 4","city":"Portland","province":"Oregon","provinceCode":"OR","zip":"97201","countryCodeV2":"US","phone":"+15035550100"},
	   "lineItems":{"nodes":[
	     {"id":"gid://shopify/LineItem/1","sku":"TENT-2P","title":"Two-person tent","quantity":3,"originalUnitPriceSet":{"shopMoney":{"amount":"399.99","currencyCode":"USD"}}},
	     {"id":"gid://shopify/LineItem/2","sku":"STAKE","title":"Stakes","quantity":1,"originalUnitPriceSet":{"shopMoney":{"amount":"20.0","currencyCode":"USD"}}}]}}]}}`
	page2 := `{"orders":{"pageInfo":{"hasNextPage":false,"endCursor":"eyJsYXN0X2lkIjoxMDAyfQ=="},"nodes":[
	  {"id":"gid://shopify/Order/1002","name":"#1002","email":"bo@example.com","currencyCode":"USD","cancelledAt":"2026-12-02T08:00:00Z","cancelReason":"CUSTOMER",
	   "createdAt":"2026-12-01T11:00:00Z","updatedAt":"2026-12-02T08:00:00Z",
	   "totalPriceSet":{"shopMoney":{"amount":"0.1","currencyCode":"USD"}},
	   "shippingAddress":null,
	   "lineItems":{"nodes":[{"id":"gid://shopify/LineItem/3","sku":"","title":"Gift card","quantity":1,"originalUnitPriceSet":{"shopMoney":{"amount":"0.10","currencyCode":"USD"}}}]}}]}}`
	f := newFakeShopify(t, func(c shopifyCall) shopifyReply {
		var v struct{ After *string }
		json.Unmarshal(c.Vars, &v)
		if v.After == nil {
			return ok(page1)
		}
		return ok(page2)
	})
	ch := f.channel(t, testShopifyToken)
	since := time.Date(2026, 12, 1, 12, 0, 0, 0, time.FixedZone("CET", 2*3600))

	first, next, err := ch.PullOrders(context.Background(), since, "")
	if err != nil {
		t.Fatalf("page 1: %v", err)
	}
	if next != "eyJsYXN0X2lkIjoxMDAxfQ==" {
		t.Errorf("next = %q, want page 1's endCursor", next)
	}
	second, last, err := ch.PullOrders(context.Background(), since, next)
	if err != nil {
		t.Fatalf("page 2: %v", err)
	}
	if last != "" {
		t.Errorf("next after the last page = %q, want empty", last)
	}

	calls := f.callsTo("DroplineOrders")
	if len(calls) != 2 {
		t.Fatalf("server saw %v, want two DroplineOrders", f.ops())
	}
	wantVars := []string{
		`{"first":50,"query":"updated_at:>='2026-12-01T10:00:00Z'"}`,
		`{"after":"eyJsYXN0X2lkIjoxMDAxfQ==","first":50,"query":"updated_at:>='2026-12-01T10:00:00Z'"}`,
	}
	for i, c := range calls {
		if got := canonical(t, c.Vars); got != wantVars[i] {
			t.Errorf("call %d variables = %s, want %s", i+1, got, wantVars[i])
		}
	}

	want := []Order{{
		ChannelID: "gid://shopify/Order/1001", Number: "#1001", Email: "ann@example.com", Currency: "USD",
		ShipTo: Address{Name: "Ann Lee", Company: "Lee & Co", Line1: "1 Main St", Line2: "Unit 4", City: "Portland",
			Region: "OR", PostalCode: "97201", Country: "US", Phone: "+15035550100"},
		Lines: []Line{
			{ChannelID: "gid://shopify/LineItem/1", SKU: "TENT-2P", Title: "Two-person tent", Quantity: 3, PriceCents: 39999},
			{ChannelID: "gid://shopify/LineItem/2", SKU: "STAKE", Title: "Stakes", Quantity: 1, PriceCents: 2000},
		},
		CreatedAt:  time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC),
		UpdatedAt:  time.Date(2026, 12, 1, 10, 30, 0, 0, time.UTC),
		TotalCents: 123456,
	}, {
		ChannelID: "gid://shopify/Order/1002", Number: "#1002", Email: "bo@example.com", Currency: "USD",
		Lines:        []Line{{ChannelID: "gid://shopify/LineItem/3", Title: "Gift card", Quantity: 1, PriceCents: 10}},
		Cancelled:    true,
		CancelledAt:  time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC),
		CancelReason: "Customer changed or cancelled order",
		CreatedAt:    time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC),
		UpdatedAt:    time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC),
		TotalCents:   10,
	}}
	got := append(first, second...)
	if len(got) != len(want) {
		t.Fatalf("got %d orders, want %d", len(got), len(want))
	}
	for i := range want {
		if !got[i].CreatedAt.Equal(want[i].CreatedAt) || !got[i].UpdatedAt.Equal(want[i].UpdatedAt) {
			t.Errorf("order %d times = %v, %v; want %v, %v", i, got[i].CreatedAt, got[i].UpdatedAt, want[i].CreatedAt, want[i].UpdatedAt)
		}
		got[i].CreatedAt, got[i].UpdatedAt = want[i].CreatedAt, want[i].UpdatedAt
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("order %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestShopifyCents(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		bad  bool
	}{
		{in: "19.99", want: 1999}, {in: "20.0", want: 2000}, {in: "5", want: 500}, {in: "0.1", want: 10},
		{in: "1234567.89", want: 123456789}, {in: "-3.10", want: -310}, {in: "0.005", want: 1}, {in: "2.344", want: 234},
		{in: "1.2.3", bad: true}, {in: "abc", bad: true}, {in: "1e3", bad: true},
	}
	for _, tt := range tests {
		got, err := shopifyCents(tt.in)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("shopifyCents(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.bad)
		}
	}
}

// fulfillmentOrders is an order whose first fulfillment order is closed (and
// must not be touched) and whose second is open with two lines: three
// tents and one bag of stakes left to fulfil.
const fulfillmentOrders = `{"order":{"id":"gid://shopify/Order/1001",
  "fulfillments":[%s],
  "fulfillmentOrders":{"nodes":[
    {"id":"gid://shopify/FulfillmentOrder/90","status":"CLOSED","lineItems":{"nodes":[
      {"id":"gid://shopify/FulfillmentOrderLineItem/900","remainingQuantity":3,"lineItem":{"id":"gid://shopify/LineItem/1"}}]}},
    {"id":"gid://shopify/FulfillmentOrder/91","status":"OPEN","lineItems":{"nodes":[
      {"id":"gid://shopify/FulfillmentOrderLineItem/910","remainingQuantity":3,"lineItem":{"id":"gid://shopify/LineItem/1"}},
      {"id":"gid://shopify/FulfillmentOrderLineItem/911","remainingQuantity":1,"lineItem":{"id":"gid://shopify/LineItem/2"}}]}}]}}}`

func fulfillmentShop(t *testing.T, existing string, create string) *fakeShopify {
	return newFakeShopify(t, func(c shopifyCall) shopifyReply {
		switch c.Op {
		case "DroplineFulfillmentOrders":
			return ok(fmt.Sprintf(fulfillmentOrders, existing))
		case "DroplineFulfillmentCreate":
			return ok(create)
		}
		t.Errorf("unexpected %s", c.Op)
		return shopifyReply{Status: 400, Body: `{"errors":"unexpected"}`}
	})
}

var shipTwoTents = Fulfillment{
	OrderChannelID: "gid://shopify/Order/1001",
	Lines:          []FulfillmentLine{{LineChannelID: "gid://shopify/LineItem/1", Quantity: 2}},
	Carrier:        "UPS",
	Number:         "1Z999AA10123456784",
	URL:            "https://www.ups.com/track?tracknum=1Z999AA10123456784",
	Key:            "shipment-77",
}

func TestShopifyPushFulfillmentPartial(t *testing.T) {
	f := fulfillmentShop(t,
		`{"id":"gid://shopify/Fulfillment/1","status":"SUCCESS","trackingInfo":[{"number":"9400100000000000000000"}]}`,
		`{"fulfillmentCreate":{"fulfillment":{"id":"gid://shopify/Fulfillment/2","status":"SUCCESS"},"userErrors":[]}}`)
	id, err := f.channel(t, testShopifyToken).PushFulfillment(context.Background(), shipTwoTents)
	if err != nil {
		t.Fatalf("PushFulfillment: %v", err)
	}
	if id != "gid://shopify/Fulfillment/2" {
		t.Errorf("id = %q, want the created fulfillment's", id)
	}
	if ops := f.ops(); !reflect.DeepEqual(ops, []string{"DroplineFulfillmentOrders", "DroplineFulfillmentCreate"}) {
		t.Fatalf("server saw %v", ops)
	}
	if got, want := canonical(t, f.callsTo("DroplineFulfillmentOrders")[0].Vars), `{"id":"gid://shopify/Order/1001"}`; got != want {
		t.Errorf("fulfillment orders variables = %s, want %s", got, want)
	}
	// Two of the three tents from the open fulfillment order; the stakes
	// and the closed fulfillment order untouched.
	want := `{"fulfillment":{"lineItemsByFulfillmentOrder":[{"fulfillmentOrderId":"gid://shopify/FulfillmentOrder/91",` +
		`"fulfillmentOrderLineItems":[{"id":"gid://shopify/FulfillmentOrderLineItem/910","quantity":2}]}],` +
		`"notifyCustomer":false,"trackingInfo":{"company":"UPS","number":"1Z999AA10123456784",` +
		`"url":"https://www.ups.com/track?tracknum=1Z999AA10123456784"}}}`
	if got := canonical(t, f.callsTo("DroplineFulfillmentCreate")[0].Vars); got != want {
		t.Errorf("fulfillmentCreate variables:\n got %s\nwant %s", got, want)
	}
}

func TestShopifyPushFulfillmentUserErrors(t *testing.T) {
	f := fulfillmentShop(t, ``,
		`{"fulfillmentCreate":{"fulfillment":null,"userErrors":[{"field":["fulfillment"],"message":"Fulfillment order 91 has an unfulfillable status= closed."}]}}`)
	_, err := f.channel(t, testShopifyToken).PushFulfillment(context.Background(), shipTwoTents)
	ce := asError(t, err)
	if ce.Retry || Retryable(err) || ce.Status != 0 {
		t.Errorf("got %+v, want a refusal (not retryable, status 0)", ce)
	}
	if !strings.Contains(ce.Message, "unfulfillable status= closed") {
		t.Errorf("message %q does not carry Shopify's userErrors", ce.Message)
	}
}

func TestShopifyPushFulfillmentRetryFindsExisting(t *testing.T) {
	f := fulfillmentShop(t,
		`{"id":"gid://shopify/Fulfillment/5","status":"CANCELLED","trackingInfo":[{"number":"1Z999AA10123456784"}]},`+
			`{"id":"gid://shopify/Fulfillment/6","status":"SUCCESS","trackingInfo":[{"number":"1z999aa10123456784 "}]}`,
		`{"fulfillmentCreate":{"fulfillment":{"id":"gid://shopify/Fulfillment/7"},"userErrors":[]}}`)
	id, err := f.channel(t, testShopifyToken).PushFulfillment(context.Background(), shipTwoTents)
	if err != nil {
		t.Fatalf("PushFulfillment: %v", err)
	}
	if id != "gid://shopify/Fulfillment/6" {
		t.Errorf("id = %q, want the existing, not cancelled, fulfillment gid://shopify/Fulfillment/6", id)
	}
	if n := len(f.callsTo("DroplineFulfillmentCreate")); n != 0 {
		t.Errorf("server saw %d fulfillmentCreate, want none: %v", n, f.ops())
	}
}

func TestShopifyPushFulfillmentCancelledIsNotARetry(t *testing.T) {
	f := fulfillmentShop(t,
		`{"id":"gid://shopify/Fulfillment/5","status":"CANCELLED","trackingInfo":[{"number":"1Z999AA10123456784"}]}`,
		`{"fulfillmentCreate":{"fulfillment":{"id":"gid://shopify/Fulfillment/7"},"userErrors":[]}}`)
	id, err := f.channel(t, testShopifyToken).PushFulfillment(context.Background(), shipTwoTents)
	if err != nil || id != "gid://shopify/Fulfillment/7" {
		t.Errorf("got %q, %v; want a new fulfillment gid://shopify/Fulfillment/7", id, err)
	}
}

func TestShopifyPushFulfillmentMoreThanOpen(t *testing.T) {
	f := fulfillmentShop(t, ``, `{}`)
	ship := shipTwoTents
	ship.Lines = []FulfillmentLine{
		{LineChannelID: "gid://shopify/LineItem/1", Quantity: 4},
		{LineChannelID: "gid://shopify/LineItem/2", Quantity: 1},
	}
	_, err := f.channel(t, testShopifyToken).PushFulfillment(context.Background(), ship)
	ce := asError(t, err)
	if ce.Retry || !strings.Contains(ce.Message, "gid://shopify/LineItem/1: 1 more than is left to fulfil") {
		t.Errorf("got %+v, want a refusal naming line 1's extra unit", ce)
	}
	if n := len(f.callsTo("DroplineFulfillmentCreate")); n != 0 {
		t.Errorf("server saw %d fulfillmentCreate, want none", n)
	}
}

func TestShopifyPushStock(t *testing.T) {
	// 252 SKUs the shop has and one it does not: six lookups of up to 50
	// SKUs and two inventorySetQuantities, of 250 and 2.
	var levels []StockLevel
	want := map[string]int{} // inventory item → quantity
	for i := range 252 {
		sku := fmt.Sprintf("S-%03d", i)
		levels = append(levels, StockLevel{SKU: sku, Quantity: i % 7})
		want["gid://shopify/InventoryItem/"+sku] = i % 7
		if i == 100 {
			levels = append(levels, StockLevel{SKU: "NOT-IN-SHOP", Quantity: 5})
		}
	}
	skuTerm := regexp.MustCompile(`sku:"([^"]+)"`)
	var sets []int
	f := newFakeShopify(t, func(c shopifyCall) shopifyReply {
		switch c.Op {
		case "DroplineVariantsBySKU":
			var v struct {
				First int
				After string
				Query string
			}
			json.Unmarshal(c.Vars, &v)
			var nodes []string
			for _, m := range skuTerm.FindAllStringSubmatch(v.Query, -1) {
				if m[1] == "NOT-IN-SHOP" {
					continue
				}
				nodes = append(nodes, fmt.Sprintf(`{"id":"gid://shopify/ProductVariant/%[1]s","sku":"%[1]s","inventoryItem":{"id":"gid://shopify/InventoryItem/%[1]s"}}`, m[1]))
				if m[1] == "S-001" { // the search matches loosely
					nodes = append(nodes, `{"id":"gid://shopify/ProductVariant/x","sku":"S-001-XL","inventoryItem":{"id":"gid://shopify/InventoryItem/S-001-XL"}}`)
				}
			}
			// Pages of 30, fewer than asked for, to follow endCursor.
			start := 0
			if v.After != "" {
				fmt.Sscanf(v.After, "at-%d", &start)
			}
			end := min(start+30, len(nodes))
			more := end < len(nodes)
			return ok(fmt.Sprintf(`{"productVariants":{"pageInfo":{"hasNextPage":%v,"endCursor":"at-%d"},"nodes":[%s]}}`,
				more, end, strings.Join(nodes[start:end], ",")))
		case "DroplinePrimaryLocation":
			return ok(`{"location":{"id":"gid://shopify/Location/7","name":"Warehouse"}}`)
		case "DroplineInventorySet":
			return ok(`{"inventorySetQuantities":{"inventoryAdjustmentGroup":{"id":"gid://shopify/InventoryAdjustmentGroup/1"},"userErrors":[]}}`)
		}
		t.Errorf("unexpected %s", c.Op)
		return shopifyReply{Status: 400}
	})
	missing, err := f.channel(t, testShopifyToken).PushStock(context.Background(), levels)
	if err != nil {
		t.Fatalf("PushStock: %v", err)
	}
	if !reflect.DeepEqual(missing, []string{"NOT-IN-SHOP"}) {
		t.Errorf("missing = %v, want [NOT-IN-SHOP]", missing)
	}

	lookups := f.callsTo("DroplineVariantsBySKU")
	firstPages := 0
	for _, c := range lookups {
		var v struct {
			First int
			After *string
			Query string
		}
		json.Unmarshal(c.Vars, &v)
		if v.First != 100 {
			t.Errorf("productVariants first = %d, want 100", v.First)
		}
		if v.After == nil {
			firstPages++
			if n := strings.Count(v.Query, " OR ") + 1; n > 50 {
				t.Errorf("lookup ORs %d SKUs, want at most 50", n)
			}
		}
	}
	if firstPages != 6 {
		t.Errorf("server saw %d SKU lookups, want 6 (253 SKUs, 50 at a time)", firstPages)
	}
	if len(lookups) <= firstPages {
		t.Errorf("no lookup followed endCursor to a second page")
	}
	if n := len(f.callsTo("DroplinePrimaryLocation")); n != 1 {
		t.Errorf("server saw %d location reads, want 1", n)
	}

	got := map[string]int{}
	for _, c := range f.callsTo("DroplineInventorySet") {
		var v struct {
			Input struct {
				Name                  string
				Reason                string
				IgnoreCompareQuantity bool
				Quantities            []struct {
					InventoryItemID string
					LocationID      string
					Quantity        int
				}
			}
		}
		if err := json.Unmarshal(c.Vars, &v); err != nil {
			t.Fatal(err)
		}
		in := v.Input
		if in.Name != "available" || in.Reason != "correction" || !in.IgnoreCompareQuantity {
			t.Errorf("input name %q reason %q ignoreCompareQuantity %v, want available, correction, true", in.Name, in.Reason, in.IgnoreCompareQuantity)
		}
		sets = append(sets, len(in.Quantities))
		for _, q := range in.Quantities {
			if q.LocationID != "gid://shopify/Location/7" {
				t.Errorf("locationId %q, want the primary location", q.LocationID)
			}
			if _, dup := got[q.InventoryItemID]; dup {
				t.Errorf("%s set twice", q.InventoryItemID)
			}
			got[q.InventoryItemID] = q.Quantity
		}
	}
	if !reflect.DeepEqual(sets, []int{250, 2}) {
		t.Errorf("inventorySetQuantities batches = %v, want [250 2]", sets)
	}
	if !reflect.DeepEqual(got, want) {
		var extra []string
		for id := range got {
			if _, ok := want[id]; !ok {
				extra = append(extra, id)
			}
		}
		sort.Strings(extra)
		t.Errorf("quantities set differ from the levels (%d set, %d wanted; not wanted: %v)", len(got), len(want), extra)
	}
}

// TestShopifyPushStockAtChosenLocation: a connection that names a location
// sets quantities there and never reads the primary one.
func TestShopifyPushStockAtChosenLocation(t *testing.T) {
	f := newFakeShopify(t, func(c shopifyCall) shopifyReply {
		switch c.Op {
		case "DroplineVariantsBySKU":
			return ok(`{"productVariants":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[{"id":"gid://shopify/ProductVariant/1","sku":"A","inventoryItem":{"id":"gid://shopify/InventoryItem/1"}}]}}`)
		case "DroplineInventorySet":
			return ok(`{"inventorySetQuantities":{"inventoryAdjustmentGroup":{"id":"gid://shopify/InventoryAdjustmentGroup/1"},"userErrors":[]}}`)
		}
		t.Errorf("unexpected %s", c.Op)
		return shopifyReply{Status: 400}
	})
	ch, err := New(Conn{Kind: Shopify, BaseURL: f.srv.URL, Token: testShopifyToken, HTTP: f.srv.Client(), Location: "gid://shopify/Location/9"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ch.PushStock(context.Background(), []StockLevel{{SKU: "A", Quantity: 4}}); err != nil {
		t.Fatalf("PushStock: %v", err)
	}
	sets := f.callsTo("DroplineInventorySet")
	if len(sets) != 1 || !strings.Contains(string(sets[0].Vars), `"locationId":"gid://shopify/Location/9"`) || !strings.Contains(string(sets[0].Vars), `"quantity":4`) {
		t.Errorf("inventorySetQuantities calls = %+v, want one at Location/9", sets)
	}
}

// TestShopifyLocations: the shop's active locations over two pages, with the
// primary one marked and a deactivated one left out; a token without
// read_locations is refused naming the scope.
func TestShopifyLocations(t *testing.T) {
	f := newFakeShopify(t, func(c shopifyCall) shopifyReply {
		var v struct {
			First int
			After *string
		}
		json.Unmarshal(c.Vars, &v)
		if v.First != 250 {
			t.Errorf("locations first = %d, want 250", v.First)
		}
		if v.After == nil {
			return ok(`{"location":{"id":"gid://shopify/Location/2"},"locations":{"pageInfo":{"hasNextPage":true,"endCursor":"p2"},"nodes":[` +
				`{"id":"gid://shopify/Location/1","name":"Shop floor","isActive":true,"fulfillsOnlineOrders":false},` +
				`{"id":"gid://shopify/Location/2","name":"Warehouse","isActive":true,"fulfillsOnlineOrders":true}]}}`)
		}
		if *v.After != "p2" {
			t.Errorf("after = %q, want p2", *v.After)
		}
		return ok(`{"location":{"id":"gid://shopify/Location/2"},"locations":{"pageInfo":{"hasNextPage":false,"endCursor":"p3"},"nodes":[` +
			`{"id":"gid://shopify/Location/3","name":"Old depot","isActive":false,"fulfillsOnlineOrders":false},` +
			`{"id":"gid://shopify/Location/4","name":"Dropship partner","isActive":true,"fulfillsOnlineOrders":true}]}}`)
	})
	got, err := f.channel(t, testShopifyToken).(Locator).Locations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []Location{
		{ID: "gid://shopify/Location/1", Name: "Shop floor"},
		{ID: "gid://shopify/Location/2", Name: "Warehouse", Primary: true, FulfillsOnlineOrders: true},
		{ID: "gid://shopify/Location/4", Name: "Dropship partner", FulfillsOnlineOrders: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("locations = %+v, want %+v", got, want)
	}

	denied := newFakeShopify(t, func(c shopifyCall) shopifyReply {
		return shopifyReply{Body: `{"errors":[{"message":"Access denied for locations field. Required access: ` + "`read_locations` access scope." + `","extensions":{"code":"ACCESS_DENIED","documentation":"https://shopify.dev/api/usage/access-scopes","requiredAccess":"` + "`read_locations` access scope." + `"}}],"data":null}`}
	})
	_, err = denied.channel(t, testShopifyToken).(Locator).Locations(context.Background())
	if ce := asError(t, err); ce.Retry || !strings.Contains(ce.Message, "read_locations") {
		t.Errorf("got %+v, want a refusal naming read_locations", ce)
	}
}

func TestShopifyPushStockRefused(t *testing.T) {
	f := newFakeShopify(t, func(c shopifyCall) shopifyReply {
		switch c.Op {
		case "DroplineVariantsBySKU":
			return ok(`{"productVariants":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[{"id":"gid://shopify/ProductVariant/1","sku":"A","inventoryItem":{"id":"gid://shopify/InventoryItem/1"}}]}}`)
		case "DroplinePrimaryLocation":
			return ok(`{"location":{"id":"gid://shopify/Location/7","name":"Warehouse"}}`)
		}
		return ok(`{"inventorySetQuantities":{"inventoryAdjustmentGroup":null,"userErrors":[{"field":["input","quantities","0","locationId"],"message":"The specified inventory item is not stocked at the location.","code":"ITEM_NOT_STOCKED_AT_LOCATION"}]}}`)
	})
	_, err := f.channel(t, testShopifyToken).PushStock(context.Background(), []StockLevel{{SKU: "A", Quantity: 3}})
	ce := asError(t, err)
	if ce.Retry || !strings.Contains(ce.Message, "not stocked at the location") {
		t.Errorf("got %+v, want a refusal with Shopify's message", ce)
	}
}

func TestShopifyPushStockNothingToDo(t *testing.T) {
	f := newFakeShopify(t, func(c shopifyCall) shopifyReply {
		t.Errorf("unexpected %s", c.Op)
		return shopifyReply{Status: 400}
	})
	missing, err := f.channel(t, testShopifyToken).PushStock(context.Background(), []StockLevel{{SKU: " "}})
	if err != nil || missing != nil {
		t.Errorf("got %v, %v; want nothing sent", missing, err)
	}
}

// canonical re-encodes JSON with sorted keys, for exact comparison.
func canonical(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("variables %s: %v", raw, err)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
