package handlers_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/dropline/dropline/store"
)

// The hostile payloads. injMarkup(tag) is HTML that would run script and add
// an element with id "pwn" if any page put it in unescaped; tag says which
// field it came through, so a page that shows one field's value cannot pass
// for another's. Each field's value also starts with a spreadsheet formula,
// for the CSV exports.
func injMarkup(tag string) string {
	return `<img src=x onerror=alert(1)><b id="pwn">` + tag + `</b>"'&`
}

var injFormulas = []string{`=HYPERLINK("http://evil","x")`, "+1+1", "-2+3", "@SUM(A1)"}

// injPayloads hands out one hostile value per field and remembers them.
type injPayloads map[string]string

func (p injPayloads) make(tag string) string {
	v := injFormulas[len(p)%len(injFormulas)] + injMarkup(tag)
	p[tag] = v
	return v
}

// injCheckPage asserts a page kept every payload as text: no element the
// payload would have created, no event-handler attribute anywhere, no raw
// markup in the body, and each wanted value shown (as text or as a form
// field's value) so that a page which simply dropped the value fails too.
func injCheckPage(t *testing.T, label string, p page, want ...string) {
	t.Helper()
	if p.status != http.StatusOK {
		t.Errorf("%s: status %d", label, p.status)
		return
	}
	for _, m := range injPageProblems(p, want...) {
		t.Errorf("%s: %s", label, m)
	}
}

func injPageProblems(p page, want ...string) []string {
	var out []string
	if strings.Contains(p.body, "<img src=x") || strings.Contains(p.body, `<b id="pwn"`) || strings.Contains(p.body, `<b id=\"pwn\"`) {
		out = append(out, "the payload's markup is in the body unescaped")
	}
	if n := p.doc.Find(`#pwn, [id*="pwn"], img[src="x"]`).Length(); n > 0 {
		out = append(out, fmt.Sprintf("%d elements made from the payload", n))
	}
	p.doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				out = append(out, fmt.Sprintf("<%s %s=%q>", goquery.NodeName(s), a.Key, a.Val))
			}
		}
	})
	shown := injShownText(p.doc.Selection)
	for _, v := range want {
		if !strings.Contains(shown, v) {
			out = append(out, fmt.Sprintf("does not show %q", v))
		}
		if strings.ContainsAny(v, "<>") && strings.Contains(p.body, v) {
			out = append(out, fmt.Sprintf("puts %q in the body unescaped", v))
		}
	}
	return out
}

// injShownText is the text of a page plus the values of its form fields.
func injShownText(s *goquery.Selection) string {
	var b strings.Builder
	b.WriteString(s.Text())
	s.Find("input[value]").Each(func(_ int, in *goquery.Selection) {
		b.WriteString("\n" + in.AttrOr("value", ""))
	})
	return b.String()
}

// injCheckCSV parses a CSV download and asserts that no cell a spreadsheet
// would run as a formula is left as it is (numbers aside), and that each
// wanted value is there, neutralised the way store.CSVSafe does it.
func injCheckCSV(t *testing.T, label, body string, want ...string) [][]string {
	t.Helper()
	recs, problems := injCSVProblems(body, want...)
	for _, m := range problems {
		t.Errorf("%s: %s", label, m)
	}
	return recs
}

func injCSVProblems(body string, want ...string) ([][]string, []string) {
	r := csv.NewReader(strings.NewReader(body))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return nil, []string{fmt.Sprintf("not CSV: %v\n%s", err, body)}
	}
	var out []string
	cells := map[string]bool{}
	for _, rec := range recs {
		for _, c := range rec {
			cells[c] = true
			if c == "" || !strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				continue
			}
			if _, err := strconv.ParseFloat(c, 64); err != nil {
				out = append(out, fmt.Sprintf("cell %q starts a formula", c))
			}
		}
	}
	for _, v := range want {
		if !cells[store.CSVSafe(v)] {
			out = append(out, fmt.Sprintf("no cell %q (the value %q, formula-safe)\n%s", store.CSVSafe(v), v, body))
		}
	}
	return recs, out
}

// TestInjectionCheckersCatchHoles makes sure the checks above fail where
// they should: raw markup, a missing value, a formula cell.
func TestInjectionCheckersCatchHoles(t *testing.T) {
	parse := func(body string) page {
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
		return page{status: http.StatusOK, body: body, doc: doc}
	}
	payload := injFormulas[0] + injMarkup("t")
	escaped := parse("<p>" + html.EscapeString(payload) + `</p><input name="a" value="` + html.EscapeString(payload+"2") + `">`)
	if got := injPageProblems(escaped, payload, payload+"2"); len(got) != 0 {
		t.Errorf("escaped payload: %v", got)
	}
	for name, body := range map[string]string{
		"raw":       "<p>" + payload + "</p>",
		"attribute": `<p title="x" onmouseover="alert(1)">` + html.EscapeString(payload) + "</p>",
		"missing":   "<p>nothing</p>",
	} {
		if got := injPageProblems(parse(body), payload); len(got) == 0 {
			t.Errorf("%s: no problem found", name)
		}
	}
	if _, got := injCSVProblems("a,b\n'=1+1,-5.00\n", "=1+1"); len(got) != 0 {
		t.Errorf("safe CSV: %v", got)
	}
	for _, body := range []string{"a\n=1+1\n", "a\n@SUM(A1)\n", "a\n-2+3\n", "a\n+1+1\n", "a\n\"\tx\"\n"} {
		if _, got := injCSVProblems(body); len(got) == 0 {
			t.Errorf("%q: no problem found", body)
		}
	}
	if _, got := injCSVProblems("a\nx\n", "=1+1"); len(got) == 0 {
		t.Error("a missing CSV value went unnoticed")
	}
}

// injFormValues reads a form's fields as a browser would submit them.
func injFormValues(form *goquery.Selection) url.Values {
	v := url.Values{}
	form.Find("input, select, textarea").Each(func(_ int, s *goquery.Selection) {
		name := s.AttrOr("name", "")
		if name == "" {
			return
		}
		switch goquery.NodeName(s) {
		case "select":
			opt := s.Find("option[selected]").First()
			if opt.Length() == 0 {
				opt = s.Find("option").First()
			}
			v.Add(name, opt.AttrOr("value", opt.Text()))
		case "textarea":
			v.Add(name, s.Text())
		default:
			switch s.AttrOr("type", "text") {
			case "checkbox", "radio":
				if _, ok := s.Attr("checked"); !ok {
					return
				}
				v.Add(name, s.AttrOr("value", "on"))
			case "submit", "button", "file":
			default:
				v.Add(name, s.AttrOr("value", ""))
			}
		}
	})
	return v
}

// injPageForm finds the form posting to action on a page.
func injPageForm(t *testing.T, p page, action string) url.Values {
	t.Helper()
	f := p.doc.Find(`form[action="` + action + `"]`)
	if f.Length() == 0 {
		t.Fatalf("no form posting to %s (status %d)", action, p.status)
	}
	return injFormValues(f.First())
}

// hx requests a page as htmx does, for its partial.
func (c *client) injHX(path string) page {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.env.srv.URL+path, nil)
	req.Header.Set("HX-Request", "true")
	return c.do(req)
}

// mustPost posts a form and expects the redirect that means it was saved.
func (c *client) injMustPost(path string, form url.Values) page {
	c.t.Helper()
	p := c.post(path, form)
	if p.status != http.StatusSeeOther {
		c.t.Fatalf("POST %s: status %d\n%s", path, p.status, p.doc.Find(`.field-error, .flash, [role="alert"]`).Text())
	}
	return p
}

// api calls the REST API with a bearer token and returns the raw body.
func injAPI(t *testing.T, env *testEnv, method, path, token string, body any) (int, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if body != nil {
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // the payload travels as the client typed it
		if err := enc.Encode(body); err != nil {
			t.Fatal(err)
		}
	}
	return env.send(method, path, buf.Bytes(), "Authorization", "Bearer "+token, "Content-Type", "application/json")
}

// injJSONStrings collects every string in a decoded JSON value.
func injJSONStrings(v any, out map[string]bool) {
	switch x := v.(type) {
	case string:
		out[x] = true
	case []any:
		for _, e := range x {
			injJSONStrings(e, out)
		}
	case map[string]any:
		for _, e := range x {
			injJSONStrings(e, out)
		}
	}
}

// injCheckJSON asserts body is valid JSON holding each wanted value exactly.
func injCheckJSON(t *testing.T, label string, body []byte, want ...string) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Errorf("%s: not JSON: %v\n%s", label, err, body)
		return
	}
	got := map[string]bool{}
	injJSONStrings(v, got)
	for _, w := range want {
		if !got[w] {
			t.Errorf("%s: no value equal to %q\n%s", label, w, body)
		}
	}
}

// injSMTP is an SMTP server that keeps every message it is given.
type injSMTP struct {
	port int
	mu   sync.Mutex
	msgs []string
}

func newInjSMTP(t *testing.T) *injSMTP {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s := &injSMTP{port: ln.Addr().(*net.TCPAddr).Port}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	return s
}

func (s *injSMTP) serve(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	fmt.Fprint(conn, "220 sink ESMTP\r\n")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"):
			fmt.Fprint(conn, "250-sink\r\n250 8BITMIME\r\n")
		case cmd == "DATA":
			fmt.Fprint(conn, "354 go ahead\r\n")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, b.String())
			s.mu.Unlock()
			fmt.Fprint(conn, "250 kept\r\n")
		case cmd == "QUIT":
			fmt.Fprint(conn, "221 bye\r\n")
			return
		default:
			fmt.Fprint(conn, "250 ok\r\n")
		}
	}
}

// injEmail is a message as the sink received it, decoded.
type injEmail struct {
	to, subject, contentType, body string
}

func (s *injSMTP) emails(t *testing.T) []injEmail {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []injEmail
	for _, raw := range s.msgs {
		m, err := mail.ReadMessage(strings.NewReader(raw))
		if err != nil {
			t.Fatalf("unreadable email: %v\n%s", err, raw)
		}
		dec := new(mime.WordDecoder)
		subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
		if err != nil {
			t.Fatal(err)
		}
		var body []byte
		switch strings.ToLower(m.Header.Get("Content-Transfer-Encoding")) {
		case "quoted-printable":
			body, err = io.ReadAll(quotedprintable.NewReader(m.Body))
		case "base64":
			body, err = io.ReadAll(base64.NewDecoder(base64.StdEncoding, m.Body))
		default:
			body, err = io.ReadAll(m.Body)
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, injEmail{to: m.Header.Get("To"), subject: subject, contentType: m.Header.Get("Content-Type"),
			body: strings.ReplaceAll(string(body), "\r\n", "\n")})
	}
	return out
}

// injHooks stands in for the webhook endpoints' servers.
type injHooks struct {
	mu   sync.Mutex
	reqs []injHookReq
}

type injHookReq struct {
	url, event, contentType string
	body                    []byte
}

func (h *injHooks) RoundTrip(r *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.reqs = append(h.reqs, injHookReq{url: r.URL.String(), event: r.Header.Get("X-Dropline-Event"), contentType: r.Header.Get("Content-Type"), body: b})
	h.mu.Unlock()
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}, Request: r}, nil
}

func injID(n int64) string { return strconv.FormatInt(n, 10) }

// TestInjectionPayloadsStayText puts hostile markup and formula payloads into
// every free-text field one user types and another reads, through the app's
// own forms, uploads, API and webhooks, then reads every page, partial,
// email, webhook and CSV where they show, from both sides.
func TestInjectionPayloadsStayText(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	readyToDropship(t, env, w)
	ctx := t.Context()
	v := injPayloads{}
	today := time.Now().UTC().Format(time.DateOnly)

	// Webhook endpoints on both sides, so every event is sent somewhere.
	if _, _, err := env.db.AddWebhookEndpoint(ctx, store.CLIActor, w.supplierS.ID, "https://hooks.example.com/s", store.WebhookEventsFor(store.KindSupplier)); err != nil {
		t.Fatal(err)
	}

	// --- Supplier S types its side: account, people, statuses, carriers, catalog, feed.
	sup := env.client()
	sup.login(w.adminS.Email)
	acct := injPageForm(t, sup.get("/settings"), "/settings/account")
	acct.Set("name", v.make("supplier-name"))
	sup.injMustPost("/settings/account", acct)
	sup.injMustPost("/settings/users", url.Values{"email": {"packer@example.com"}, "name": {v.make("supplier-user")}, "password": {testPassword}, "role": {store.RoleStaff}})
	sup.injMustPost("/settings/tokens", url.Values{"name": {v.make("supplier-token")}})
	statusName := `+1+1<img src=x onerror=1><b id="pwn">St</b>'&` // 50 characters at most
	v["status"] = statusName
	sup.injMustPost("/settings/statuses", url.Values{"name": {statusName}})
	sup.injMustPost("/settings/carriers/providers", url.Values{"name": {v.make("provider")}, "tracking_url": {"https://track.example/t?n={number}"}, "kind": {store.LogisticsCarrier}})
	sku := `@SUM(A1)<img src=x onerror=alert(1)><b id="pwn">sku</b>"'&`
	v["sku"] = sku
	sup.injMustPost("/products", url.Values{"sku": {sku}, "title": {v.make("product-title")}, "options": {v.make("product-options")}, "mpn": {v.make("product-mpn")},
		"cost": {"4.50"}, "price": {"9.00"}, "quantity": {"50"}, "lead_time_days": {"1"}, "description": {v.make("product-description")}, "active": {"true"}})
	feedPath := "/feeds/" + injID(w.feedS)
	feedForm := injPageForm(t, sup.get(feedPath), feedPath)
	feedForm.Set("name", v.make("feed-name"))
	sup.injMustPost(feedPath, feedForm)
	var statusID int64
	sts, _ := env.db.SupplierStatuses(ctx, w.supplierS.ID)
	for _, s := range sts {
		if s.Name == statusName {
			statusID = s.ID
		}
	}
	var providerID int64
	_, provs, _ := env.db.CarrierSettings(ctx, w.supplierS.ID)
	for _, p := range provs {
		if p.Name == v["provider"] {
			providerID = p.ID
		}
	}
	if statusID == 0 || providerID == 0 {
		t.Fatalf("status %d, provider %d not saved as typed", statusID, providerID)
	}

	// --- Merchant A: account, people, subscription name, a pull, its own product.
	mer := env.client()
	mer.login(w.adminA.Email)
	acct = injPageForm(t, mer.get("/settings"), "/settings/account")
	acct.Set("name", v.make("merchant-name"))
	mer.injMustPost("/settings/account", acct)
	mer.injMustPost("/settings/users", url.Values{"email": {"clerk@example.com"}, "name": {v.make("merchant-user")}, "password": {testPassword}, "role": {store.RoleStaff}})
	subPath := "/subscriptions/" + injID(w.subA)
	subForm := injPageForm(t, mer.get(subPath), subPath)
	subForm.Set("name", v.make("subscription-name"))
	mer.injMustPost(subPath, subForm)
	// A PO prefix may not hold spaces, but markup needs none.
	linkPath := "/links/" + injID(w.linkAS.ID)
	linkForm := injPageForm(t, mer.get(linkPath), linkPath+"/merchant-settings")
	v["po-prefix"] = `=<i>P</i>'&"-`
	linkForm.Set("po_prefix", v["po-prefix"])
	mer.injMustPost(linkPath+"/merchant-settings", linkForm)
	puller := &store.Puller{DB: env.db}
	run, err := puller.PullNow(ctx, w.merchantA.ID, w.subA)
	if err != nil {
		t.Fatal(err)
	}
	puller.Wait()
	if r, _ := env.db.FeedRun(ctx, w.merchantA.ID, run.ID); r.State == "held" {
		mer.injMustPost("/runs/"+injID(run.ID)+"/approve", nil)
	}
	_, linked, err := env.db.LinkedProducts(ctx, w.merchantA.ID, store.ProductFilter{Query: "product-title"})
	if err != nil || len(linked) != 1 {
		t.Fatalf("the pull did not bring the supplier's product: %+v %v", linked, err)
	}
	pulledID := linked[0].ID
	mer.injMustPost("/products", url.Values{"sku": {"OWN-1"}, "title": {v.make("merchant-product")}, "description": {v.make("merchant-description")},
		"quantity": {"3"}, "lead_time_days": {"1"}, "active": {"true"}})

	// --- Order 1: the manual order form. A customer email with markup is
	// refused with a message on the field; the form shows back what was typed.
	orderForm := url.Values{"order_number": {v.make("order-number")}, "currency": {"USD"}, "customer_name": {v.make("customer-name")},
		"customer_email": {`<b id="pwn">x</b>@example.com`}, "customer_phone": {"+1 555 0100"}, "note": {v.make("order-note")},
		"ship_name": {v.make("ship-name")}, "ship_company": {v.make("ship-company")}, "ship_address1": {v.make("ship-address1")},
		"ship_address2": {v.make("ship-address2")}, "ship_city": {v.make("ship-city")}, "ship_region": {v.make("ship-region")},
		"ship_postal_code": {`<b id="pwn">Z</b>'&`}, "ship_country": {"US"},
		"sku": {sku, "", "", "", ""}, "title": {v.make("line-title"), "", "", "", ""}, "quantity": {"2", "", "", "", ""}, "unit_price": {"12.50", "", "", "", ""}}
	v["postal"] = `<b id="pwn">Z</b>'&`
	mer.get("/orders/new")
	refused := mer.post("/orders", orderForm)
	if refused.status != http.StatusUnprocessableEntity || strings.TrimSpace(refused.doc.Find(`[data-testid="error-customer.email"]`).Text()) == "" {
		t.Fatalf("a customer email with markup: status %d, message %q", refused.status, refused.doc.Find(`[data-testid="error-customer.email"]`).Text())
	}
	refused.status = http.StatusOK
	injCheckPage(t, "refused order form", refused, v["order-number"], v["customer-name"], v["ship-city"], v["line-title"], v["order-note"], `<b id="pwn">x</b>@example.com`)
	customerEmail := "+1+1'&x@example.com" // a formula-looking local part is a valid address
	orderForm.Set("customer_email", customerEmail)
	created := mer.injMustPost("/orders", orderForm)
	order1, err := strconv.ParseInt(strings.TrimPrefix(created.header.Get("Location"), "/orders/"), 10, 64)
	if err != nil {
		t.Fatalf("order form redirect %q", created.header.Get("Location"))
	}

	// Dropship it with the form: PO number, notes and ship-to as typed.
	orderPath := "/orders/" + injID(order1)
	ds := injPageForm(t, mer.get(orderPath), orderPath+"/dropship")
	po1Number := `-2+3<img src=x onerror=1><b id="pwn">PO</b>'&` // PO numbers are 50 characters at most
	v["po1"] = po1Number
	ds.Set("po_number_"+injID(w.supplierS.ID), po1Number)
	ds.Set("notes", v.make("dropship-notes"))
	ds.Set("ship_address2", v.make("dropship-address2"))
	ds.Set("confirm", "true")
	mer.injMustPost(orderPath+"/dropship", ds)
	injCheckPage(t, "order page with the dropship flash", mer.get(orderPath), po1Number, v["supplier-name"])
	pos, _ := env.db.OrderPurchaseOrders(ctx, w.merchantA.ID, order1)
	if len(pos) != 1 || pos[0].PONumber != po1Number || pos[0].Notes != v["dropship-notes"] || pos[0].ShipTo.Address2 != v["dropship-address2"] {
		t.Fatalf("PO 1 not saved as typed: %+v", pos)
	}
	po1 := pos[0]

	// --- Order 2: a signed Shopify webhook; one more whose currency is
	// markup is rejected and listed with its reason.
	if err := env.db.UpdateOrderSettings(ctx, store.CLIActor, w.merchantA.ID, 30, "shh-secret"); err != nil {
		t.Fatal(err)
	}
	shopify := func(id int, currency string) (int, []byte) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.Encode(map[string]any{"id": id, "name": v["shopify-name"], "currency": currency, "note": v["shopify-note"],
			"customer":         map[string]any{"first_name": v["shopify-first-name"], "last_name": "Hopper", "email": "grace@example.com"},
			"shipping_address": map[string]any{"name": v["shopify-ship-name"], "address1": v["shopify-address1"], "city": v["shopify-city"], "zip": "62701", "country_code": "US"},
			"line_items":       []any{map[string]any{"sku": sku, "title": v["shopify-title"], "quantity": 1, "price": "9.50"}}})
		return env.send(http.MethodPost, "/api/v1/webhooks/shopify/"+w.merchantA.PublicID, buf.Bytes(), "X-Shopify-Hmac-Sha256", sign(buf.Bytes(), "shh-secret"))
	}
	for _, tag := range []string{"shopify-name", "shopify-note", "shopify-first-name", "shopify-ship-name", "shopify-address1", "shopify-city", "shopify-title"} {
		v.make(tag)
	}
	st, body := shopify(4601, "USD")
	if st != http.StatusCreated {
		t.Fatalf("shopify webhook: %d %s", st, body)
	}
	injCheckJSON(t, "shopify webhook answer", body, v["shopify-name"])
	var shopAnswer struct{ ID int64 }
	json.Unmarshal(body, &shopAnswer)
	order2 := shopAnswer.ID
	if st, body := shopify(4602, v.make("shopify-currency")); st != http.StatusUnprocessableEntity {
		t.Fatalf("shopify webhook with a markup currency: %d %s", st, body)
	}
	// Dropship it through the API with a formula PO number and notes.
	po2Number := `=HYPERLINK("http://evil","x")`
	v["po2"] = po2Number
	st, body = injAPI(t, env, "POST", "/api/v1/orders/"+injID(order2)+"/dropship", w.tokenA, map[string]any{"confirm": true, "po_number": po2Number, "notes": v.make("api-notes")})
	if st != http.StatusCreated {
		t.Fatalf("API dropship: %d %s", st, body)
	}
	injCheckJSON(t, "API dropship answer", body, po2Number)
	pos, _ = env.db.OrderPurchaseOrders(ctx, w.merchantA.ID, order2)
	if len(pos) != 1 {
		t.Fatalf("order 2 POs: %+v", pos)
	}
	po2 := pos[0]

	// --- Order 3: the orders CSV import, dropshipped from the order list.
	var imp bytes.Buffer
	cw := csv.NewWriter(&imp)
	cw.Write([]string{"order_number", "customer_name", "ship_name", "ship_company", "ship_address1", "ship_city", "ship_postal_code", "ship_country", "sku", "title", "quantity", "unit_price", "note"})
	cw.Write([]string{v.make("csv-order-number"), v.make("csv-customer"), v.make("csv-ship-name"), v.make("csv-company"), v.make("csv-address1"), v.make("csv-city"),
		"62701", "US", sku, v.make("csv-title"), "1", "5.00", v.make("csv-note")})
	// A row the import refuses: its message quotes the value, as text.
	cw.Write([]string{"BAD-1", injMarkup("csv-bad"), injMarkup("csv-bad"), "", "1 Bad St", "Town", "62701", injMarkup("csv-country"), sku, "Bad", "1", "5.00", ""})
	cw.Flush()
	mer.get("/orders/import")
	fileName := `<img src=x onerror=alert(1)>'&orders.csv` // no slash: a path would lose its directories
	preview := mer.upload("/orders/import", fileName, imp.String(), nil)
	injCheckPage(t, "orders import preview", preview, fileName, `"<img src=x onerror=alert(1)>`)
	token := preview.doc.Find(`input[name="token"]`).AttrOr("value", "")
	mer.injMustPost("/orders/import/apply", url.Values{"token": {token}})
	var order3 int64
	all, _ := env.db.Orders(ctx, w.merchantA.ID, store.OrderFilter{Tab: store.TabAll})
	for _, o := range all.Orders {
		if o.ChannelOrderID == v["csv-order-number"] {
			order3 = o.ID
		}
	}
	if order3 == 0 {
		t.Fatalf("the imported order's number is not as typed: %+v", all.Orders)
	}
	bulk := mer.post("/orders/dropship", url.Values{"order_ids": {injID(order3)}})
	injCheckPage(t, "bulk dropship results", bulk, v["csv-order-number"])
	pos, _ = env.db.OrderPurchaseOrders(ctx, w.merchantA.ID, order3)
	if len(pos) != 1 {
		t.Fatalf("order 3 POs: %+v\n%s", pos, bulk.doc.Find(`[data-testid="bulk-results"]`).Text())
	}
	po3 := pos[0]
	if !strings.HasPrefix(po3.PONumber, v["po-prefix"]) {
		t.Fatalf("PO 3 is %q, not from the link's prefix", po3.PONumber)
	}
	v["po3"] = po3.PONumber

	// --- Order 4: the orders API, then a cancellation request with a reason.
	st, body = injAPI(t, env, "POST", "/api/v1/orders", w.tokenA, map[string]any{"channel": "api", "channel_order_id": v.make("api-order-number"), "currency": "USD",
		"note": v.make("api-note"), "customer": map[string]any{"name": v.make("api-customer"), "email": "lin@example.com"},
		"ship_to": map[string]any{"name": v.make("api-ship-name"), "address1": v.make("api-address1"), "city": v.make("api-city"), "postal_code": "97201", "country": "US"},
		"lines":   []any{map[string]any{"sku": sku, "title": v.make("api-title"), "quantity": 1, "unit_price": "19.99"}}})
	if st != http.StatusCreated {
		t.Fatalf("API order: %d %s", st, body)
	}
	injCheckJSON(t, "API order answer", body, v["api-order-number"], v["api-note"], v["api-customer"], v["api-ship-name"], v["api-address1"], v["api-city"], v["api-title"], sku)
	var apiOrder struct{ ID int64 }
	json.Unmarshal(body, &apiOrder)
	order4 := apiOrder.ID
	if st, body := injAPI(t, env, "POST", "/api/v1/orders/"+injID(order4)+"/dropship", w.tokenA, map[string]any{"confirm": true}); st != http.StatusCreated {
		t.Fatalf("API dropship of order 4: %d %s", st, body)
	}
	pos, _ = env.db.OrderPurchaseOrders(ctx, w.merchantA.ID, order4)
	if len(pos) != 1 {
		t.Fatalf("order 4 POs: %+v", pos)
	}
	po4 := pos[0]
	mer.get("/purchase-orders/" + injID(po4.ID))
	mer.injMustPost("/purchase-orders/"+injID(po4.ID)+"/cancel", url.Values{"reason": {v.make("cancel-reason")}})

	// --- Supplier S works the POs: acknowledge, status, shipment with a
	// custom carrier and extended field; reject a line; decline the cancellation.
	sup.refresh()
	po1Path := "/dropship-orders/" + injID(po1.ID)
	injCheckPage(t, "supplier PO 1 before handling", sup.get(po1Path), po1Number, v["merchant-name"], v["ship-name"], v["ship-company"], v["ship-address1"],
		v["dropship-address2"], v["ship-city"], v["ship-region"], v["postal"], v["dropship-notes"], v["line-title"], sku)
	sup.injMustPost(po1Path+"/acknowledge", nil)
	sup.injMustPost(po1Path+"/status", url.Values{"status_id": {injID(statusID)}})
	sup.injMustPost(po1Path+"/shipments", url.Values{"carrier": {"custom:" + injID(providerID)}, "tracking_number": {"TRK1001"}, "ship_date": {today},
		"extended_field": {v.make("extended")}})
	po3Path := "/dropship-orders/" + injID(po3.ID)
	sup.get(po3Path)
	sup.injMustPost(po3Path+"/reject", url.Values{"line_ids": {injID(po3.Lines[0].ID)}, "reason": {v.make("reject-reason")}})
	po4Path := "/dropship-orders/" + injID(po4.ID)
	injCheckPage(t, "supplier PO 4 with the cancellation request", sup.get(po4Path), v["cancel-reason"], v["api-ship-name"], v["api-title"])
	sup.injMustPost(po4Path+"/cancel", url.Values{"answer": {"decline"}, "reason": {v.make("decline-reason")}})
	// PO 1 ships, and its own status then no longer shows: PO 4, still
	// open, carries the status's name on both sides.
	sup.injMustPost(po4Path+"/status", url.Values{"status_id": {injID(statusID)}})

	// PO 2 ships by bulk upload: the carrier by its (hostile) name, and a
	// row for an unknown PO whose values come back in the error rows CSV.
	sup.get("/dropship-orders/upload")
	var up bytes.Buffer
	cw = csv.NewWriter(&up)
	cw.Write(store.TrackingColumns[:7])
	cw.Write([]string{po2Number, v["provider"], "TRK2002", today, v.make("bulk-extended"), "", ""})
	cw.Write([]string{v.make("bulk-unknown-po"), v["provider"], "TRK3003", today, v.make("bulk-error-extended"), v.make("bulk-error-sku"), "1"})
	cw.Flush()
	upPage := sup.upload("/dropship-orders/upload", "tracking.csv", up.String(), nil)
	injCheckPage(t, "bulk tracking preview", upPage, v["bulk-unknown-po"])
	errLink := upPage.doc.Find(`[data-testid="error-rows"]`).AttrOr("href", "")
	if errLink == "" {
		t.Fatalf("no error rows link:\n%s", upPage.doc.Find("#tracking-result").Text())
	}
	errCSV := sup.get(errLink)
	if ct := errCSV.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("error rows CSV served as %q", ct)
	}
	injCheckCSV(t, "bulk tracking error rows CSV", errCSV.body, v["bulk-unknown-po"], v["provider"], v["bulk-error-extended"], v["bulk-error-sku"])
	applyToken := upPage.doc.Find(`#tracking-result input[name="token"]`).AttrOr("value", "")
	applied := sup.post("/dropship-orders/upload/apply", url.Values{"token": {applyToken}})
	if applied.status != http.StatusOK && applied.status != http.StatusSeeOther {
		t.Fatalf("apply the upload: %d", applied.status)
	}
	if ships, _ := env.db.Shipments(ctx, w.supplierS.ID, po2.ID); len(ships) != 1 || ships[0].CarrierName != v["provider"] || ships[0].ExtendedField != v["bulk-extended"] {
		t.Fatalf("PO 2's shipment from the upload: %+v", ships)
	}

	// --- Emails and webhooks, delivered to stand-in servers.
	smtp := newInjSMTP(t)
	hooks := &injHooks{}
	d := &store.Deliverer{DB: env.db, Mailer: &store.SMTPMailer{Config: store.SMTPConfig{Host: "127.0.0.1", Port: smtp.port, From: "orders@dropline.example"}},
		HTTP: &http.Client{Transport: hooks}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	injCheckMessages(t, env, w, v, smtp, hooks, customerEmail)

	// The API's view of PO 1, for both sides: JSON with the values exact.
	_, tokS, err := env.db.CreateToken(ctx, store.CLIActor, w.supplierS.ID, "warehouse")
	if err != nil {
		t.Fatal(err)
	}
	for who, tok := range map[string]string{"merchant": w.tokenA, "supplier": tokS} {
		st, body := injAPI(t, env, "GET", "/api/v1/purchase-orders/"+injID(po1.ID), tok, nil)
		if st != http.StatusOK {
			t.Fatalf("%s API PO 1: %d %s", who, st, body)
		}
		injCheckJSON(t, who+" API PO 1", body, po1Number, v["ship-name"], v["ship-company"], v["ship-address1"], v["dropship-address2"], v["ship-city"],
			v["dropship-notes"], v["line-title"], sku, v["provider"], v["extended"])
	}

	// --- Every page where the values show, as each side sees it.
	injSweepMerchant(t, env, w, v, mer, order1, order2, order3, order4, po1, po2, po3, po4, pulledID)
	injSweepSupplier(t, env, w, v, sup, po1, po2, po3, po4)
	admin := env.client()
	admin.login(w.platform.Email)
	injCheckPage(t, "admin accounts", admin.get("/admin/accounts"), v["supplier-name"], v["merchant-name"])
	injCheckPage(t, "admin links", admin.get("/admin/links"), v["supplier-name"], v["merchant-name"])

	// --- The feed at its public URL, as CSV and JSON.
	feedToken, err := env.db.RotateFeedToken(ctx, store.CLIActor, w.supplierS.ID, w.feedS)
	if err != nil {
		t.Fatal(err)
	}
	anon := env.client()
	feedCSV := anon.get("/feed/" + feedToken + "/products.csv")
	injCheckCSV(t, "feed CSV", feedCSV.body, sku, v["product-title"], v["product-options"], v["product-mpn"], v["product-description"])
	feedJSON := anon.get("/feed/" + feedToken + "/products.json")
	injCheckJSON(t, "feed JSON", []byte(feedJSON.body), sku, v["product-title"], v["product-options"], v["product-mpn"], v["product-description"])

	// --- Money: a payout with a hostile reference, then both sides'
	// earnings, statements and statement CSVs.
	later := time.Now().AddDate(0, 0, 20)
	env.db.Now = func() time.Time { return later }
	mer, sup = env.client(), env.client()
	mer.login(w.adminA.Email)
	sup.login(w.adminS.Email)
	balance := strings.TrimSpace(sup.get("/earnings").doc.Find(`[data-testid="balance-row"] [data-testid="available"]`).Text())
	if balance == "" || balance == "0.00" {
		t.Fatalf("supplier S has nothing available: %q", balance)
	}
	key := injPageForm(t, mer.get("/earnings"), "/earnings/payouts").Get("key")
	mer.injMustPost("/earnings/payouts", url.Values{"supplier_id": {injID(w.supplierS.ID)}, "currency": {"USD"}, "amount": {balance},
		"date": {later.UTC().Format(time.DateOnly)}, "reference": {v.make("payout-reference")}, "key": {key}})
	from, to := later.AddDate(0, -2, 0).Format(time.DateOnly), later.UTC().Format(time.DateOnly)
	for _, side := range []struct {
		name  string
		c     *client
		other string
	}{{"merchant", mer, w.supplierS.PublicID}, {"supplier", sup, w.merchantA.PublicID}} {
		otherName := v["supplier-name"]
		if side.name == "supplier" {
			otherName = v["merchant-name"]
		}
		injCheckPage(t, side.name+" earnings", side.c.get("/earnings"), otherName)
		stPage := side.c.get("/statements?with=" + url.QueryEscape(side.other) + "&from=" + from + "&to=" + to)
		injCheckPage(t, side.name+" statement", stPage, v["supplier-name"], v["merchant-name"], po1Number, po2Number, v["payout-reference"], sku)
		href := stPage.doc.Find(`[data-testid="statement-csv"]`).AttrOr("href", "")
		if href == "" {
			t.Fatalf("%s statement has no CSV link", side.name)
		}
		injCheckCSV(t, side.name+" statement CSV", side.c.get(href).body, v["supplier-name"], v["merchant-name"], po1Number, po2Number, sku, v["payout-reference"])
		injCheckPage(t, side.name+" dashboard", side.c.get("/"))
	}
}

// injCheckMessages reads what was delivered: emails are plain text carrying the
// values as typed; webhook and channel bodies are JSON holding them exactly.
func injCheckMessages(t *testing.T, env *testEnv, w *world, v injPayloads, smtp *injSMTP, hooks *injHooks, customerEmail string) {
	t.Helper()
	ctx := t.Context()
	var queued []store.OutboxMessage
	for _, acc := range []int64{w.merchantA.ID, w.supplierS.ID} {
		msgs, err := env.db.Outbox(ctx, acc, "", 500)
		if err != nil {
			t.Fatal(err)
		}
		queued = append(queued, msgs...)
	}
	emails := smtp.emails(t)
	find := func(subject string) *injEmail {
		for i := range emails {
			if emails[i].subject == subject {
				return &emails[i]
			}
		}
		return nil
	}
	sawNewPO, sawShipped := false, false
	for _, m := range queued {
		if m.Kind != store.OutboxEmail {
			continue
		}
		if m.State != "sent" {
			t.Errorf("email %q to %s not sent: %s %s", m.Subject, m.Recipient, m.State, m.LastError)
			continue
		}
		got := find(m.Subject)
		if got == nil {
			t.Errorf("email %q was marked sent but the server never got it", m.Subject)
			continue
		}
		text, html := got.body, ""
		switch mt, params, _ := mime.ParseMediaType(got.contentType); mt {
		case "text/plain":
		case "multipart/alternative":
			// The plain text part is the body queued; the HTML part says
			// the same with every value escaped: never markup of theirs.
			text, html = injParts(t, got.body, params["boundary"])
			if m.HTML == "" || html == "" {
				t.Errorf("email %q is multipart without an HTML part queued (%d) or sent (%d)", m.Subject, len(m.HTML), len(html))
			}
			if strings.Contains(html, "<img src=x") || strings.Contains(html, `<b id="pwn">`) {
				t.Errorf("email %q: its HTML part carries markup someone typed:\n%s", m.Subject, html)
			}
		default:
			t.Errorf("email %q is sent as %q", m.Subject, got.contentType)
		}
		if text != strings.ReplaceAll(m.Body, "\r\n", "\n") {
			t.Errorf("email %q: the body sent differs from the one queued:\n%q\n%q", m.Subject, text, m.Body)
		}
		got.body = text
		switch {
		case m.Topic == "po.new" && strings.Contains(m.Subject, v["po1"]):
			sawNewPO = true
			if m.Subject != "New dropship order "+v["po1"]+" from "+v["merchant-name"] {
				t.Errorf("new PO email subject %q", m.Subject)
			}
			for _, want := range []string{v["merchant-name"], v["po1"]} {
				if !strings.Contains(got.body, want) {
					t.Errorf("new PO email does not carry %q as typed:\n%s", want, got.body)
				}
			}
		case m.Topic == "customer.shipped" && m.Recipient == customerEmail:
			sawShipped = true
			if !strings.Contains(got.to, customerEmail) {
				t.Errorf("shipping email To %q", got.to)
			}
			for _, want := range []string{v["customer-name"], v["order-number"], v["merchant-name"], v["provider"]} {
				if !strings.Contains(got.body, want) {
					t.Errorf("shipping email does not carry %q as typed:\n%s", want, got.body)
				}
			}
			if strings.Contains(got.body, v["supplier-name"]) {
				t.Error("the customer's email names the supplier")
			}
		}
	}
	if !sawNewPO || !sawShipped {
		t.Errorf("emails: new PO %v, customer shipped %v; queued %d, received %d", sawNewPO, sawShipped, len(queued), len(emails))
	}

	// Webhooks: valid JSON, sent as JSON, values exact.
	wantEvents := map[string][]string{
		"order.dropshipped":        {v["po1"], v["po2"]},
		"purchase_order.created":   {v["po1"], v["po2"]},
		"shipment.created":         {v["order-number"], v["po1"], v["provider"], v["shopify-name"], v["po2"]},
		"purchase_order.cancelled": nil,
	}
	got := map[string]map[string]bool{}
	for _, r := range hooks.reqs {
		if r.contentType != "application/json" {
			t.Errorf("webhook %s sent as %q", r.event, r.contentType)
		}
		var body any
		if err := json.Unmarshal(r.body, &body); err != nil {
			t.Errorf("webhook %s is not JSON: %v\n%s", r.event, err, r.body)
			continue
		}
		if got[r.event] == nil {
			got[r.event] = map[string]bool{}
		}
		injJSONStrings(body, got[r.event])
	}
	for event, wants := range wantEvents {
		for _, want := range wants {
			if !got[event][want] {
				t.Errorf("no %s webhook carries %q exactly", event, want)
			}
		}
	}
	// The Shopify fulfilment waits in the outbox (no channel connection).
	sawChannel := false
	for _, m := range queued {
		if m.Kind != store.OutboxChannel {
			continue
		}
		sawChannel = true
		injCheckJSON(t, "shopify fulfilment", []byte(m.Body), v["shopify-name"], v["provider"])
	}
	if !sawChannel {
		t.Error("no Shopify fulfilment was queued for the Shopify order")
	}
}

// injSweepMerchant reads merchant A's pages.
func injSweepMerchant(t *testing.T, env *testEnv, w *world, v injPayloads, c *client, order1, order2, order3, order4 int64, po1, po2, po3, po4 store.PurchaseOrder, pulledID int64) {
	t.Helper()
	c.refresh()
	sup := v["supplier-name"]
	injCheckPage(t, "merchant dashboard", c.get("/"), v["merchant-name"])
	injCheckPage(t, "order list", c.get("/orders?tab=all"), v["order-number"], v["customer-name"], v["shopify-name"], v["csv-order-number"], v["api-order-number"], sup)
	injCheckPage(t, "order list search (htmx)", c.injHX("/orders?tab=all&q="+url.QueryEscape(v["customer-name"])), v["order-number"], v["customer-name"])
	injCheckPage(t, "order 1", c.get("/orders/"+injID(order1)), v["order-number"], v["customer-name"], "+1+1'&x@example.com", v["order-note"],
		v["ship-name"], v["ship-company"], v["ship-address1"], v["ship-address2"], v["ship-city"], v["ship-region"], v["postal"],
		v["line-title"], v["sku"], v["po1"], sup, v["provider"], v["extended"])
	injCheckPage(t, "order 1 tracking (htmx)", c.injHX("/orders/"+injID(order1)+"/tracking"), v["po1"], sup, v["provider"], v["extended"])
	injCheckPage(t, "order 2 (Shopify)", c.get("/orders/"+injID(order2)), v["shopify-name"], v["shopify-note"], v["shopify-first-name"], v["shopify-ship-name"],
		v["shopify-address1"], v["shopify-city"], v["shopify-title"], v["po2"], v["bulk-extended"])
	injCheckPage(t, "order 3 (CSV)", c.get("/orders/"+injID(order3)), v["csv-order-number"], v["csv-customer"], v["csv-ship-name"], v["csv-company"],
		v["csv-address1"], v["csv-city"], v["csv-title"], v["csv-note"], v["reject-reason"])
	injCheckPage(t, "order 4 (API)", c.get("/orders/"+injID(order4)), v["api-order-number"], v["api-customer"], v["api-ship-name"], v["api-address1"],
		v["api-city"], v["api-title"], v["api-note"])
	injCheckPage(t, "purchase orders", c.get("/purchase-orders"), v["po1"], v["po2"], v["order-number"], v["shopify-name"], v["csv-order-number"], sup)
	injCheckPage(t, "PO 1", c.get("/purchase-orders/"+injID(po1.ID)), v["po1"], v["order-number"], sup, v["ship-name"], v["ship-company"], v["ship-address1"],
		v["dropship-address2"], v["ship-city"], v["ship-region"], v["postal"], v["dropship-notes"], v["line-title"], v["sku"], v["provider"], v["extended"])
	injCheckPage(t, "PO 2", c.get("/purchase-orders/"+injID(po2.ID)), v["po2"], v["shopify-name"], v["api-notes"], v["shopify-title"], v["provider"], v["bulk-extended"])
	injCheckPage(t, "PO 3", c.get("/purchase-orders/"+injID(po3.ID)), v["po3"], v["csv-title"], v["reject-reason"])
	injCheckPage(t, "PO 4", c.get("/purchase-orders/"+injID(po4.ID)), v["api-order-number"], v["decline-reason"], v["status"])
	injCheckPage(t, "products", c.get("/products"), v["product-title"], v["merchant-product"])
	injCheckPage(t, "products (htmx)", c.injHX("/products?q="+url.QueryEscape("product")), v["product-title"], v["merchant-product"])
	injCheckPage(t, "pulled product", c.get("/products/"+injID(pulledID)), v["product-title"], v["product-description"], sup)
	injCheckPage(t, "feeds", c.get("/feeds"), v["subscription-name"], sup)
	injCheckPage(t, "subscription", c.get("/subscriptions/"+injID(w.subA)), v["subscription-name"])
	injCheckPage(t, "first pull run", c.get("/runs/"+injID(w.runA)), v["subscription-name"])
	injCheckPage(t, "run status (htmx)", c.injHX("/runs/"+injID(w.runA)+"/status"))
	injCheckPage(t, "suppliers", c.get("/suppliers"), sup)
	injCheckPage(t, "link to S", c.get("/links/"+injID(w.linkAS.ID)), sup, v["po-prefix"])
	injCheckPage(t, "S's scorecard", c.get("/suppliers/"+w.supplierS.PublicID+"/scorecard"), sup)
	injCheckPage(t, "merchant settings", c.get("/settings"), v["merchant-name"], v["merchant-user"])
	injCheckPage(t, "orders and webhooks settings", c.get("/settings/orders"), "<img src=x onerror=alert(1)>")
	injCheckPage(t, "merchant outbox", c.get("/settings/outbox"), v["order-number"], v["customer-name"], v["merchant-name"], v["provider"], "+1+1'&x@example.com")
}

// injSweepSupplier reads supplier S's pages.
func injSweepSupplier(t *testing.T, env *testEnv, w *world, v injPayloads, c *client, po1, po2, po3, po4 store.PurchaseOrder) {
	t.Helper()
	c.refresh()
	mer := v["merchant-name"]
	injCheckPage(t, "supplier dashboard", c.get("/"), v["supplier-name"])
	queue := "/dropship-orders?tab=all"
	injCheckPage(t, "dropship orders", c.get(queue), v["po1"], v["po2"], mer, v["ship-name"], v["shopify-ship-name"], v["csv-ship-name"], v["api-ship-name"], v["status"], v["po3"])
	injCheckPage(t, "dropship orders (htmx)", c.injHX(queue+"&q="+url.QueryEscape(v["po1"])), v["po1"], mer, v["ship-name"])
	injCheckPage(t, "supplier PO 1", c.get("/dropship-orders/"+injID(po1.ID)), v["po1"], mer, v["ship-name"], v["dropship-notes"], v["line-title"], v["sku"],
		v["provider"], v["extended"])
	injCheckPage(t, "supplier PO 2", c.get("/dropship-orders/"+injID(po2.ID)), v["po2"], v["shopify-ship-name"], v["api-notes"], v["shopify-title"], v["bulk-extended"])
	injCheckPage(t, "supplier PO 3", c.get("/dropship-orders/"+injID(po3.ID)), v["po3"], v["csv-ship-name"], v["csv-title"], v["reject-reason"])
	injCheckPage(t, "supplier PO 4", c.get("/dropship-orders/"+injID(po4.ID)), v["api-ship-name"], v["api-title"], v["status"])
	slips := c.get("/dropship-orders/packing-slips?id=" + injID(po1.ID) + "&id=" + injID(po2.ID))
	injCheckPage(t, "packing slips", slips, mer, v["po1"], v["po2"], v["ship-name"], v["ship-company"], v["ship-address1"], v["dropship-address2"], v["ship-city"],
		v["dropship-notes"], v["api-notes"], v["line-title"], v["shopify-title"], v["sku"])
	if strings.Contains(slips.doc.Text(), v["supplier-name"]) {
		t.Error("a packing slip names the supplier")
	}
	injCheckPage(t, "supplier products", c.get("/products"), v["product-title"])
	var productID int64
	page, _ := env.db.Products(t.Context(), w.supplierS.ID, store.ProductFilter{Query: "product-title"})
	if len(page.Products) == 1 {
		productID = page.Products[0].ID
	}
	injCheckPage(t, "supplier product", c.get("/products/"+injID(productID)), v["product-title"], v["product-options"], v["product-mpn"], v["product-description"], v["sku"])
	injCheckPage(t, "supplier feeds", c.get("/feeds"), v["feed-name"])
	injCheckPage(t, "supplier feed", c.get("/feeds/"+injID(w.feedS)), v["feed-name"], mer)
	injCheckPage(t, "merchants", c.get("/merchants"), mer)
	injCheckPage(t, "link to A", c.get("/links/"+injID(w.linkAS.ID)), mer)
	injCheckPage(t, "supplier scorecard", c.get("/scorecard"), v["supplier-name"])
	injCheckPage(t, "supplier settings", c.get("/settings"), v["supplier-name"], v["supplier-user"], v["supplier-token"])
	injCheckPage(t, "statuses", c.get("/settings/statuses"), v["status"])
	injCheckPage(t, "carriers", c.get("/settings/carriers"), v["provider"])
	var providerID int64
	_, provs, _ := env.db.CarrierSettings(t.Context(), w.supplierS.ID)
	for _, p := range provs {
		if p.Name == v["provider"] {
			providerID = p.ID
		}
	}
	check := c.post("/settings/carriers/check", url.Values{"carrier": {"custom:" + injID(providerID)}, "tracking_number": {`<b id="pwn">1Z</b>`}})
	injCheckPage(t, "tracking check result", check, v["provider"])
	if href := check.doc.Find(`a[href^="https://track.example/"]`).AttrOr("href", ""); strings.ContainsAny(href, "<>\"") {
		t.Errorf("tracking link %q carries markup", href)
	}
	injCheckPage(t, "supplier outbox", c.get("/settings/outbox"), v["po1"], mer)
}

// TestInjectionRefusedAndReexported covers the values that come in from
// outside Dropline: an external feed's rows show as text on the
// subscription preview and the product pages, and when an account that both
// buys and sells re-exports them in its own feed, every CSV cell is
// formula-safe, the GTIN and MPN included.
func TestInjectionRefusedAndReexported(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := t.Context()
	v := injPayloads{}
	var feed bytes.Buffer
	cw := csv.NewWriter(&feed)
	cw.Write([]string{"sku", "title", "gtin", "mpn", "quantity", "cost", "description"})
	cw.Write([]string{"EXT-1", v.make("ext-title"), "=1+1", v.make("ext-mpn"), "5", "3.00", v.make("ext-description")})
	cw.Flush()
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/csv")
		rw.Write(feed.Bytes())
	}))
	t.Cleanup(srv.Close)
	if err := env.db.SetAllowPrivateFeeds(ctx, store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	both, admin, err := env.db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Both Ways", Kind: store.KindBoth}, "both@example.com", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	c := env.client()
	c.login(admin.Email)
	c.get("/feeds")
	preview := c.post("/subscriptions/preview", url.Values{"url": {srv.URL + "/feed.csv"}})
	// The preview shows the products as Dropline reads them (SKU, title,
	// options, group, prices, quantity): the title is the text value here.
	injCheckPage(t, "subscription preview", preview, v["ext-title"])
	sub, err := env.db.SaveSubscription(ctx, store.CLIActor, both.ID, 0, store.SubscriptionInput{Name: v.make("ext-subscription"), URL: srv.URL + "/feed.csv",
		IntervalMinutes: 60, DropThresholdPct: 30, StaleAfterHours: 26})
	if err != nil {
		t.Fatal(err)
	}
	puller := &store.Puller{DB: env.db}
	if _, err := puller.PullNow(ctx, both.ID, sub.ID); err != nil {
		t.Fatal(err)
	}
	puller.Wait()
	injCheckPage(t, "both's products", c.get("/products"), v["ext-title"])
	injCheckPage(t, "both's subscription", c.get("/subscriptions/"+injID(sub.ID)), v["ext-subscription"])
	f, err := env.db.SaveFeed(ctx, store.CLIActor, both.ID, 0, store.FeedInput{Name: "Resale", Selection: store.SelectAll, Fields: store.FeedFields, AllMerchants: true})
	if err != nil {
		t.Fatal(err)
	}
	token, err := env.db.RotateFeedToken(ctx, store.CLIActor, both.ID, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := env.client().get("/feed/" + token + "/products.csv")
	// The description arrives as text: a feed's markup is stripped on the
	// way in, so only its words are re-exported. The GTIN "=1+1" is not a
	// GTIN: the pull reports it on its row and leaves it empty.
	desc := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(v["ext-description"], "")
	recs := injCheckCSV(t, "re-exported feed CSV", out.body, v["ext-title"], v["ext-mpn"], desc)
	if len(recs) == 2 && recs[1][3] != "" {
		t.Errorf("re-exported GTIN %q, want the refused GTIN left empty", recs[1][3])
	}
	if len(recs) != 2 {
		t.Fatalf("re-exported feed: %d records\n%s", len(recs), out.body)
	}

	// The catalog import preview shows the file's name and its SKUs as text.
	s := env.client()
	s.login(w.adminS.Email)
	var cat bytes.Buffer
	cw = csv.NewWriter(&cat)
	cw.Write([]string{"sku", "title", "gtin", "quantity", "cost"})
	cw.Write([]string{v.make("import-sku"), v.make("import-title"), "", "4", "2.00"})
	cw.Write([]string{"BAD-GTIN", "Bad", injMarkup("import-gtin"), "1", "1.00"})
	cw.Flush()
	s.get("/products/import")
	fileName := `<img src=x onerror=alert(1)>'&catalog.csv`
	imp := s.upload("/products/import", fileName, cat.String(), nil)
	injCheckPage(t, "catalog import preview", imp, fileName, v["import-sku"])
	if imp.doc.Find(`[data-testid="import-errors"]`).Length() == 0 {
		t.Errorf("the markup GTIN is not reported:\n%s", imp.doc.Find("#import-preview").Text())
	}
	s.injMustPost("/products/import/apply", url.Values{"token": {imp.doc.Find(`input[name="token"]`).AttrOr("value", "")}})
	injCheckPage(t, "catalog after the import", s.get("/products"), v["import-sku"], v["import-title"])

	// Fields that refuse markup say so on the field, and nothing is saved.
	s.get("/products/new")
	before := env.dbDigest()
	p := s.post("/products", url.Values{"sku": {"G-1"}, "title": {"Good"}, "gtin": {`<b id="pwn">1</b>`}, "quantity": {"1"}, "lead_time_days": {"1"}, "active": {"true"},
		"url": {"javascript:alert(1)"}, "image_url": {`"><img src=x onerror=alert(1)>`}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("markup GTIN and script URLs: status %d", p.status)
	}
	for _, field := range []string{"gtin", "url", "image_url"} {
		if strings.TrimSpace(p.doc.Find(`[data-testid="error-`+field+`"]`).Text()) == "" {
			t.Errorf("no message on %s", field)
		}
	}
	p.status = http.StatusOK
	injCheckPage(t, "refused product form", p, `<b id="pwn">1</b>`, "javascript:alert(1)")
	if env.dbDigest() != before {
		t.Error("a refused product changed the database")
	}
}

// TestInjectionEmailHeaders: an account name is free text and goes into
// the subject of the new-PO email; line breaks in it must not add headers
// (a Bcc, or a Content-Type that would turn the body into HTML).
func TestInjectionEmailHeaders(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := t.Context()
	name := "Evil Shop\r\nBcc: spy@evil.example\r\nContent-Type: text/html\r\n\r\n" + injMarkup("header")
	m := env.client()
	m.login(w.adminA.Email)
	acct := injPageForm(t, m.get("/settings"), "/settings/account")
	acct.Set("name", name)
	if p := m.post("/settings/account", acct); p.status != http.StatusSeeOther {
		// Refusing line breaks in a name is fine too, with a message on the field.
		if p.status != http.StatusUnprocessableEntity || strings.TrimSpace(p.doc.Find(`[data-testid="error-name"]`).Text()) == "" {
			t.Fatalf("account name with line breaks: status %d and no message on the field", p.status)
		}
		return
	}
	acc, err := env.db.AccountByPublicID(ctx, w.merchantA.PublicID)
	if err != nil {
		t.Fatal(err)
	}
	po := openPO(t, env, w, "HDR-1", 1)
	smtp := newInjSMTP(t)
	d := &store.Deliverer{DB: env.db, Mailer: &store.SMTPMailer{Config: store.SMTPConfig{Host: "127.0.0.1", Port: smtp.port, From: "orders@dropline.example"}},
		HTTP: &http.Client{Transport: &injHooks{}}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	want := "New dropship order " + po.PONumber + " from " + acc.Name
	found := false
	smtp.mu.Lock()
	raws := append([]string(nil), smtp.msgs...)
	smtp.mu.Unlock()
	for i, e := range smtp.emails(t) {
		if e.subject != want {
			continue
		}
		found = true
		msg, _ := mail.ReadMessage(strings.NewReader(raws[i]))
		if len(msg.Header["Bcc"]) != 0 || len(msg.Header["Content-Type"]) != 1 {
			t.Errorf("the account name added headers:\n%s", raws[i])
		}
		if mt, _, _ := mime.ParseMediaType(e.contentType); mt != "text/plain" {
			t.Errorf("new PO email sent as %q", e.contentType)
		}
		if !strings.Contains(e.body, strings.ReplaceAll(acc.Name, "\r\n", "\n")) {
			t.Errorf("the body does not carry the name as typed:\n%s", e.body)
		}
	}
	if !found {
		t.Fatalf("no email with subject %q among %d", want, len(raws))
	}
}

// injParts reads a multipart/alternative body's plain text and HTML parts
// (quoted-printable decoded, line ends as LF).
func injParts(t *testing.T, body, boundary string) (text, html string) {
	t.Helper()
	r := multipart.NewReader(strings.NewReader(body), boundary)
	for {
		part, err := r.NextPart()
		if err == io.EOF {
			return text, html
		}
		if err != nil {
			t.Fatalf("multipart body: %v", err)
		}
		b, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		content := strings.ReplaceAll(string(b), "\r\n", "\n")
		if mt, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type")); mt == "text/html" {
			html = content
		} else {
			text = content
		}
	}
}
