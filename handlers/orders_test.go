package handlers_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"github.com/PuerkitoBio/goquery"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dropline/dropline/store"
)

// readyToDropship turns on what supplier S needs to take merchant A's orders.
func readyToDropship(t *testing.T, env *testEnv, w *world) {
	t.Helper()
	if err := env.db.SetInitialStatus(t.Context(), store.CLIActor, w.supplierS.ID, w.statusS); err != nil {
		t.Fatal(err)
	}
}

func TestOrderListTabsSearchAndHTMX(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.adminA.Email)
	c.post("/orders", manualOrder("M-1", "S-100", "2"))
	c.post("/orders", manualOrder("M-2", "OWN-1", "1"))
	p := c.get("/orders")
	if got := p.doc.Find(`[data-testid="order-row"]`).Length(); got != 1 {
		t.Fatalf("Needs dropship lists %d orders, want 1 (M-1)", got)
	}
	if p.doc.Find(`[data-testid="dropship-badge"]`).Length() != 1 {
		t.Fatal("no Dropship badge")
	}
	counts := map[string]string{}
	p.doc.Find(`[data-testid="order-tabs"] a`).Each(func(_ int, s *goquery.Selection) {
		counts[strings.TrimSpace(strings.TrimSuffix(s.Text(), s.Find(".count").Text()))] = s.Find(".count").Text()
	})
	if counts["Needs dropship"] != "1" || counts["Shipped"] != "1" || counts["All"] != "3" {
		t.Fatalf("tab counts %v", counts)
	}
	for q, want := range map[string]int{"M-2": 1, "S-100": 2, "PO-000001": 1, "ada": 2, "zzz": 0} {
		req, _ := http.NewRequest(http.MethodGet, env.srv.URL+"/orders?tab=all&q="+url.QueryEscape(q), nil)
		req.Header.Set("HX-Request", "true")
		part := c.do(req)
		if part.doc.Find("nav.side").Length() != 0 {
			t.Fatal("htmx search returned the whole page")
		}
		if got := part.doc.Find(`[data-testid="order-row"]`).Length(); got != want {
			t.Errorf("search %q: %d rows, want %d", q, got, want)
		}
	}
	// A shared URL reloads the same view.
	if got := c.get("/orders?tab=all&channel=manual&q=M-").doc.Find(`[data-testid="order-row"]`).Length(); got != 0 {
		t.Fatalf("channel filter with a search that matches nothing: %d rows", got)
	}
	if got := c.get("/orders?tab=all&channel=shopify").doc.Find(`[data-testid="order-row"]`).Length(); got != 0 {
		t.Fatalf("channel filter: %d shopify rows, want 0", got)
	}
	if got := c.get("/orders?tab=all&channel=manual").doc.Find(`[data-testid="order-row"]`).Length(); got != 3 {
		t.Fatalf("channel filter: %d manual rows, want 3", got)
	}
}

func manualOrder(number, sku, qty string) url.Values {
	return url.Values{"order_number": {number}, "currency": {"USD"}, "customer_name": {"Ada Lovelace"}, "ship_name": {"Ada Lovelace"},
		"ship_address1": {"1 Main St"}, "ship_city": {"Springfield"}, "ship_postal_code": {"62701"}, "ship_country": {"US"},
		"sku": {sku, "", "", "", ""}, "title": {"Thing", "", "", "", ""}, "quantity": {qty, "", "", "", ""}, "unit_price": {"12.50", "", "", "", ""}}
}

func TestManualOrderFormKeepsWhatWasTyped(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.adminA.Email)
	c.get("/orders/new")
	before := env.dbDigest()
	f := manualOrder("", "S-100", "two")
	f.Set("ship_city", "")
	p := c.post("/orders", f)
	if p.status != http.StatusUnprocessableEntity || p.doc.Find(`[data-testid="error-lines[0].quantity"]`).Length() != 1 {
		t.Fatalf("bad quantity: %d", p.status)
	}
	if got := p.doc.Find(`input[name="quantity"]`).First().AttrOr("value", ""); got != "two" {
		t.Errorf("quantity field = %q, want what was typed", got)
	}
	f.Set("quantity", "2")
	p = c.post("/orders", f)
	for _, k := range []string{"channel_order_id", "ship_to.city"} {
		if p.doc.Find(`[data-testid="error-`+k+`"]`).Length() != 1 {
			t.Errorf("no message on %s", k)
		}
	}
	if env.dbDigest() != before {
		t.Fatal("an invalid order changed the database")
	}
}

func TestDropshipFormRoundTrip(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	readyToDropship(t, env, w)
	c := env.client()
	c.login(w.staffA.Email)
	p := c.post("/orders", manualOrder("M-9", "S-100", "1"))
	if p.status != http.StatusSeeOther {
		t.Fatalf("create order: %d", p.status)
	}
	orderPath := p.header.Get("Location")
	page := c.get(orderPath)
	form := page.doc.Find(`[data-testid="dropship-form"] form`)
	if form.Length() != 1 {
		t.Fatalf("no dropship form on %s", orderPath)
	}
	action := form.AttrOr("action", "")
	values := formValues(form)
	// Without the confirmation box: a field error, no PO.
	values.Del("confirm")
	before := env.dbDigest()
	p = c.post(action, values)
	if p.status != http.StatusUnprocessableEntity || p.doc.Find(`[data-testid="error-confirm"]`).Length() != 1 {
		t.Fatalf("unconfirmed: %d", p.status)
	}
	if env.dbDigest() != before {
		t.Fatal("an unconfirmed dropship changed the database")
	}
	values.Set("confirm", "true")
	values.Set("ship_address1", "500 Other Ave")
	poField := ""
	for k := range values {
		if strings.HasPrefix(k, "po_number_") {
			poField = k
		}
	}
	values.Set(poField, "NW-77")
	p = c.post(action, values)
	if p.status != http.StatusSeeOther {
		t.Fatalf("dropship: %d\n%s", p.status, p.doc.Find(`[data-testid="dropship-problems"]`).Text())
	}
	// The same submit again (double click): no second PO.
	c.post(action, values)
	pos, _ := env.db.PurchaseOrders(t.Context(), w.merchantA.ID, store.POFilter{Query: "NW-77"})
	if pos.Total != 1 || pos.POs[0].ShipTo.Address1 != "500 Other Ave" {
		t.Fatalf("POs: %+v", pos)
	}
	after := c.get(orderPath)
	if got := after.doc.Find(`[data-testid="line-po"]`).Text(); got != "NW-77" {
		t.Fatalf("order page PO %q, want NW-77", got)
	}
	if got := strings.TrimSpace(after.doc.Find(`h1 [data-testid="order-status"]`).Text()); got != "Dropshipped" {
		t.Fatalf("order status %q", got)
	}
	// The PO page, and a cancellation request.
	po := c.get("/purchase-orders/" + strconv.FormatInt(pos.POs[0].ID, 10))
	if po.status != http.StatusOK || !strings.Contains(po.body, "500 Other Ave") {
		t.Fatalf("PO page: %d", po.status)
	}
	if p := c.post("/purchase-orders/"+strconv.FormatInt(pos.POs[0].ID, 10)+"/cancel", url.Values{"reason": {"changed mind"}}); p.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d", p.status)
	}
	if got := c.get("/purchase-orders/" + strconv.FormatInt(pos.POs[0].ID, 10)).doc.Find(`[data-testid="po-cancel"]`).Text(); !strings.Contains(got, "requested") {
		t.Fatalf("cancel state %q", got)
	}
}

func TestBulkDropshipReportsPerOrder(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	readyToDropship(t, env, w)
	c := env.client()
	c.login(w.adminA.Email)
	c.post("/orders", manualOrder("B-1", "S-100", "1"))
	c.post("/orders", manualOrder("B-2", "S-100", "50"))
	page := c.get("/orders")
	var ids []string
	page.doc.Find(`input[name="order_ids"]`).Each(func(_ int, s *goquery.Selection) { ids = append(ids, s.AttrOr("value", "")) })
	if len(ids) != 2 {
		t.Fatalf("%d selectable orders, want 2", len(ids))
	}
	p := c.post("/orders/dropship", url.Values{"order_ids": ids})
	results := p.doc.Find(`[data-testid="bulk-results"] li`)
	if results.Length() != 2 {
		t.Fatalf("%d results, want 2\n%s", results.Length(), p.body)
	}
	text := results.Text()
	if !strings.Contains(text, "B-1: created PO-") || !strings.Contains(text, "B-2: nothing sent") || !strings.Contains(text, "Only") {
		t.Fatalf("results %q", text)
	}
}

func sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestShopifyWebhook(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := t.Context()
	if err := env.db.UpdateOrderSettings(ctx, store.CLIActor, w.merchantA.ID, 1, "shh-secret"); err != nil {
		t.Fatal(err)
	}
	post := func(body []byte, sig string) (int, string) {
		hdr := []string{"Content-Type", "application/json"}
		if sig != "" {
			hdr = append(hdr, "X-Shopify-Hmac-Sha256", sig)
		}
		status, b := env.send(http.MethodPost, "/api/v1/webhooks/shopify/"+w.merchantA.PublicID, body, hdr...)
		return status, string(b)
	}
	order := []byte(`{"id": 4501, "name": "#4501", "created_at": "2026-11-20T10:00:00Z", "currency": "USD",
		"customer": {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com"},
		"shipping_address": {"name": "Grace Hopper", "address1": "1 Navy Way", "city": "Arlington", "province": "VA", "zip": "22201", "country_code": "US"},
		"line_items": [{"sku": "S-100", "title": "Widget", "quantity": 2, "price": "9.50"}]}`)
	before := env.dbDigest()
	if st, _ := post(order, sign(order, "wrong")); st != http.StatusUnauthorized {
		t.Fatalf("bad signature: %d, want 401", st)
	}
	if st, _ := post(order, ""); st != http.StatusUnauthorized {
		t.Fatalf("no signature: %d, want 401", st)
	}
	if env.dbDigest() != before {
		t.Fatal("an unsigned webhook stored something")
	}
	if st, body := post(order, sign(order, "shh-secret")); st != http.StatusCreated {
		t.Fatalf("good webhook: %d %s", st, body)
	}
	if st, _ := post(order, sign(order, "shh-secret")); st != http.StatusOK {
		t.Fatalf("replay: %d, want 200", st)
	}
	page, _ := env.db.Orders(ctx, w.merchantA.ID, store.OrderFilter{Tab: store.TabAll, Query: "#4501"})
	if page.Total != 1 || page.Orders[0].TotalCents != 1900 || page.Orders[0].ShipTo.City != "Arlington" {
		t.Fatalf("webhook order: %+v", page)
	}
	bad := []byte(`{"id": 4502, "name": "#4502", "line_items": []}`)
	if st, _ := post(bad, sign(bad, "shh-secret")); st != http.StatusUnprocessableEntity {
		t.Fatalf("unusable payload: %d, want 422", st)
	}
	hooks, _ := env.db.RejectedWebhooks(ctx, w.merchantA.ID, 10)
	if len(hooks) != 1 || !strings.Contains(hooks[0].Body, "4502") {
		t.Fatalf("rejected webhooks %+v", hooks)
	}
	c := env.client()
	c.login(w.adminA.Email)
	if got := c.get("/settings/orders").doc.Find(`[data-testid="rejected-webhooks"] tbody tr`).Length(); got != 1 {
		t.Fatalf("rejected webhooks page lists %d", got)
	}
}

// TestShopifyFixtureOrdersAsWebhooks posts each real Shopify order payload
// from shared/fixtures as a signed webhook.
func TestShopifyFixtureOrdersAsWebhooks(t *testing.T) {
	dir := "../../shared/fixtures/shopify_python_api_fixtures"
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("fixtures missing: %v", err)
		}
		t.Skip("fixtures not found")
	}
	env := newEnv(t)
	w := env.world()
	ctx := t.Context()
	env.db.UpdateOrderSettings(ctx, store.CLIActor, w.merchantA.ID, 1, "fixture-secret")
	var payloads [][]byte
	one, err := os.ReadFile(filepath.Join(dir, "order.json"))
	if err != nil {
		t.Fatal(err)
	}
	payloads = append(payloads, one)
	many, err := os.ReadFile(filepath.Join(dir, "orders.json"))
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Orders []json.RawMessage `json:"orders"`
	}
	if err := json.Unmarshal(many, &list); err != nil {
		t.Fatal(err)
	}
	for _, o := range list.Orders {
		payloads = append(payloads, o)
	}
	created, rejected := 0, 0
	for i, body := range payloads {
		status, _ := env.send(http.MethodPost, "/api/v1/webhooks/shopify/"+w.merchantA.PublicID, body, "X-Shopify-Hmac-Sha256", sign(body, "fixture-secret"))
		switch status {
		case http.StatusCreated, http.StatusOK:
			created++
		case http.StatusUnprocessableEntity:
			rejected++
		default:
			t.Errorf("payload %d: status %d", i, status)
		}
	}
	hooks, _ := env.db.RejectedWebhooks(ctx, w.merchantA.ID, 100)
	if len(hooks) != rejected {
		t.Fatalf("%d rejected responses but %d kept in the list", rejected, len(hooks))
	}
	if created == 0 {
		t.Fatal("no fixture order was usable")
	}
	t.Logf("%d fixture payloads: %d orders, %d rejected", len(payloads), created, rejected)
}

func TestOrdersAPI(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	readyToDropship(t, env, w)
	call := env.api
	order := `{"channel":"api","channel_order_id":"API-1","placed_at":"2026-11-20T10:00:00Z","customer":{"name":"Lin","email":"lin@example.com"},
		"ship_to":{"name":"Lin","address1":"2 Side St","city":"Portland","region":"OR","postal_code":"97201","country":"US"},
		"lines":[{"sku":"S-100","title":"Widget","quantity":1,"unit_price":"19.99"},{"sku":"NOPE","title":"Other","quantity":2,"unit_price":"1.00"}],"currency":"USD"}`
	st, o := call("POST", "/api/v1/orders", w.tokenA, order)
	if st != http.StatusCreated || o["dropship"] != true || o["total"] != "21.99" || o["status"] != "needs_dropship" {
		t.Fatalf("create: %d %v", st, o)
	}
	lines := o["lines"].([]any)
	if lines[0].(map[string]any)["supplier"] != "Supplier S" || lines[1].(map[string]any)["supplier"] != nil {
		t.Fatalf("line suppliers: %v", lines)
	}
	if st, again := call("POST", "/api/v1/orders", w.tokenA, order); st != http.StatusOK || again["id"] != o["id"] {
		t.Fatalf("replay: %d %v", st, again)
	}
	before := env.dbDigest()
	for name, tc := range map[string]struct {
		body string
		want int
	}{
		"malformed":       {`{"channel":`, 400},
		"wrong type":      {`{"channel_order_id": 5}`, 400},
		"unknown field":   {`{"channel_order_id":"X","colour":"red"}`, 400},
		"zero quantity":   {strings.Replace(order, `"quantity":1`, `"quantity":0`, 1), 422},
		"float price":     {strings.Replace(order, `"unit_price":"19.99"`, `"unit_price":19.99`, 1), 400},
		"missing address": {strings.Replace(order, `"city":"Portland",`, ``, 1), 422},
		"oversized":       {`{"note":"` + strings.Repeat("x", 2<<20) + `"}`, 413},
	} {
		st, body := call("POST", "/api/v1/orders", w.tokenA, tc.body)
		if st != tc.want {
			t.Errorf("%s: %d, want %d", name, st, tc.want)
		}
		if e, _ := body["error"].(map[string]any); st < 413 && (e == nil || e["message"] == "") {
			t.Errorf("%s: error body %v", name, body)
		}
	}
	if env.dbDigest() != before {
		t.Fatal("refused API calls changed the database")
	}
	id := fmt.Sprint(int64(o["id"].(float64)))
	if st, body := call("POST", "/api/v1/orders/"+id+"/dropship", w.tokenA, `{"confirm": false}`); st != 422 || body["error"].(map[string]any)["fields"] == nil {
		t.Fatalf("unconfirmed: %d %v", st, body)
	}
	st, ds := call("POST", "/api/v1/orders/"+id+"/dropship", w.tokenA, `{"confirm": true, "po_number": "API-PO-1"}`, "Idempotency-Key", "k1")
	if st != http.StatusCreated {
		t.Fatalf("dropship: %d %v", st, ds)
	}
	pos := ds["purchase_orders"].([]any)
	if len(pos) != 1 || pos[0].(map[string]any)["po_number"] != "API-PO-1" {
		t.Fatalf("POs %v", pos)
	}
	if st, again := call("POST", "/api/v1/orders/"+id+"/dropship", w.tokenA, `{"confirm": true}`, "Idempotency-Key", "k1"); st != 200 || again["replayed"] != true {
		t.Fatalf("replayed dropship: %d %v", st, again)
	}
	st, refused := call("POST", "/api/v1/orders/"+id+"/dropship", w.tokenA, `{"confirm": true}`)
	if st != 422 || !strings.Contains(fmt.Sprint(refused), "already_on_po") {
		t.Fatalf("second dropship: %d %v", st, refused)
	}
	poID := fmt.Sprint(int64(pos[0].(map[string]any)["id"].(float64)))
	if st, po := call("GET", "/api/v1/purchase-orders/"+poID, w.tokenA, ""); st != 200 || po["shipments"] == nil {
		t.Fatalf("get PO: %d %v", st, po)
	}
	if st, _ := call("GET", "/api/v1/purchase-orders/"+poID, w.tokenB, ""); st != 404 {
		t.Fatalf("another merchant's PO: %d, want 404", st)
	}
	if st, list := call("GET", "/api/v1/orders?dropship=true&q=API-1", w.tokenA, ""); st != 200 || list["total"] != float64(1) {
		t.Fatalf("list: %d %v", st, list)
	}
	if st, c := call("POST", "/api/v1/purchase-orders/"+poID+"/cancel", w.tokenA, `{"reason":"no longer needed"}`); st != 200 || c["cancel_state"] != "requested" {
		t.Fatalf("cancel: %d %v", st, c)
	}
}

func TestOrdersCSVImport(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.adminA.Email)
	c.get("/orders/import")
	csv := "order_number,ship_name,ship_address1,ship_city,ship_postal_code,ship_country,sku,title,quantity,unit_price\n" +
		"C-1,Ann,1 A St,Boston,02101,US,S-100,Widget,1,5.00\n" +
		"C-2,Bob,2 B St,Boston,02101,US,X-1,Thing,0,1.00\n" +
		"C-1,Ann,1 A St,Boston,02101,US,X-2,Other,2,3.00\n"
	p := c.upload("/orders/import", "orders.csv", csv, nil)
	if p.status != 200 || !strings.Contains(p.doc.Find(`[data-testid="import-summary"]`).Text(), "1 new") {
		t.Fatalf("preview: %d %q", p.status, p.doc.Find(`[data-testid="import-summary"]`).Text())
	}
	if p.doc.Find(`[data-testid="import-errors"] tbody tr`).Length() == 0 {
		t.Fatal("the zero quantity is not reported")
	}
	token := p.doc.Find(`input[name="token"]`).AttrOr("value", "")
	if ap := c.post("/orders/import/apply", url.Values{"token": {token}}); ap.status != http.StatusSeeOther {
		t.Fatalf("apply: %d", ap.status)
	}
	page, _ := env.db.Orders(t.Context(), w.merchantA.ID, store.OrderFilter{Tab: store.TabAll, Query: "C-1"})
	if page.Total != 1 || page.Orders[0].TotalCents != 1100 {
		t.Fatalf("imported order: %+v", page)
	}
}

func TestManualOrderLineFilledFromCatalog(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := t.Context()
	if _, err := env.db.SaveProduct(ctx, store.CLIActor, w.merchantA.ID, 0, store.ProductInput{SKU: "MUG-1", Title: "Enamel mug", PriceCents: 1250, HasPrice: true, Active: true}); err != nil {
		t.Fatal(err)
	}
	c := env.client()
	c.login(w.staffA.Email)
	form := c.get("/orders/new")
	sku := form.doc.Find(`input[name="sku"]`).First()
	if sku.AttrOr("hx-get", "") == "" || sku.AttrOr("hx-target", "") == "" {
		t.Fatalf("the SKU field asks for nothing as it is typed: %v", sku.Nodes)
	}

	// Typing the SKU answers the line filled in, still editable.
	p := c.get(sku.AttrOr("hx-get", "") + "&sku=MUG-1&title=&quantity=&unit_price=&currency=USD")
	if p.status != http.StatusOK {
		t.Fatalf("line: %d", p.status)
	}
	row := lineRow(t, p)
	for name, want := range map[string]string{"sku": "MUG-1", "title": "Enamel mug", "quantity": "1", "unit_price": "12.50"} {
		in := row.Find(`#order-line-0 input[name="` + name + `"]`)
		if got := in.AttrOr("value", ""); got != want || in.AttrOr("readonly", "no") != "no" {
			t.Errorf("%s = %q (readonly %q), want %q, editable", name, got, in.AttrOr("readonly", "no"), want)
		}
	}
	// A SKU outside the catalog keeps what was typed and says so.
	p = c.get("/orders/new/line?i=2&sku=NOPE&title=Mine&quantity=3&unit_price=4.00&currency=USD")
	row = lineRow(t, p)
	if got := row.Find(`#order-line-2 input[name="title"]`).AttrOr("value", ""); got != "Mine" {
		t.Errorf("unknown SKU: title %q, want what was typed", got)
	}
	if got := row.Find(`[data-testid="line-hint"]`).Text(); !strings.Contains(got, "Not in your catalog") {
		t.Errorf("unknown SKU: hint %q", got)
	}

	// Submitted with the title and price left empty, the server fills them;
	// a typed price stays as typed.
	f := manualOrder("M-77", "MUG-1", "2")
	f["title"] = []string{"", "", "", "", ""}
	f["unit_price"] = []string{"", "9.00", "", "", ""}
	f["sku"] = []string{"MUG-1", "MUG-1", "", "", ""}
	f["quantity"] = []string{"2", "1", "", "", ""}
	p = c.post("/orders", f)
	if p.status != http.StatusSeeOther {
		t.Fatalf("create order: %d %s", p.status, p.doc.Find(".field-error, [data-testid^=error-]").Text())
	}
	page := c.get(p.header.Get("Location"))
	o, err := env.db.Orders(ctx, w.merchantA.ID, store.OrderFilter{Tab: store.TabAll, Query: "M-77"})
	if err != nil || len(o.Orders) != 1 {
		t.Fatalf("order M-77: %+v %v", o.Orders, err)
	}
	full, err := env.db.Order(ctx, w.merchantA.ID, o.Orders[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Lines) != 2 || full.Lines[0].Title != "Enamel mug" || full.Lines[0].UnitPriceCents != 1250 || full.Lines[1].Title != "Enamel mug" || full.Lines[1].UnitPriceCents != 900 {
		t.Errorf("lines = %+v, want the catalog's title, its price where none was typed", full.Lines)
	}
	if full.TotalCents != 2*1250+900 {
		t.Errorf("total = %d", full.TotalCents)
	}
	// The timeline says how the order came in.
	timeline := page.doc.Text()
	if !strings.Contains(timeline, "Created by hand") || strings.Contains(timeline, "Imported from Manual") {
		t.Errorf("timeline does not say the order was created by hand")
	}
}

// lineRow reads a manual order line as htmx swaps it: a table row.
func lineRow(t *testing.T, p page) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader("<table><tbody>" + p.body + "</tbody></table>"))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}
