package handlers_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
)

func TestProductFormKeepsWhatWasTyped(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.adminS.Email)
	c.get("/products/new")
	before := env.dbDigest()
	p := c.post("/products", url.Values{"sku": {"S-100"}, "title": {"Dup"}, "cost": {"12.345"}, "quantity": {"-1"}, "lead_time_days": {"soon"}, "url": {"javascript:alert(1)"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad product: %d, want 422", p.status)
	}
	for _, f := range []string{"cost", "lead_time_days"} {
		if p.doc.Find(`[data-testid="error-`+f+`"]`).Length() != 1 {
			t.Errorf("no message on %s", f)
		}
	}
	if got := p.doc.Find(`input[name="cost"]`).AttrOr("value", ""); got != "12.345" {
		t.Errorf("cost field = %q, want what was typed", got)
	}
	if env.dbDigest() != before {
		t.Fatal("an invalid product changed the database")
	}
	p = c.post("/products", url.Values{"sku": {"S-100"}, "title": {"Dup"}, "cost": {"12.34"}, "quantity": {"-1"}, "url": {"javascript:alert(1)"}})
	for _, f := range []string{"quantity", "url"} {
		if p.doc.Find(`[data-testid="error-`+f+`"]`).Length() != 1 {
			t.Errorf("store rules: no message on %s", f)
		}
	}
	p = c.post("/products", url.Values{"sku": {"S-100"}, "title": {"Dup"}})
	if p.status != http.StatusUnprocessableEntity || p.doc.Find(`[data-testid="error-sku"]`).Length() != 1 {
		t.Errorf("duplicate SKU: %d, want 422 with a SKU message", p.status)
	}
	p = c.post("/products", url.Values{"sku": {"S-200"}, "title": {"<b>Bold</b> gadget"}, "cost": {"12.34"}, "price": {"$19.99"}, "quantity": {"4"}, "active": {"true"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("create: %d", p.status)
	}
	list := c.get("/products?q=S-200")
	if got := list.doc.Find(`[data-testid="product-row"]`).Length(); got != 1 {
		t.Fatalf("search S-200 lists %d rows", got)
	}
	if !strings.Contains(list.body, "&lt;b&gt;Bold&lt;/b&gt; gadget") {
		t.Error("a product title with markup is not shown as text")
	}
	// The htmx filter swaps only the table.
	req, _ := http.NewRequest(http.MethodGet, env.srv.URL+"/products?q=S-200", nil)
	req.Header.Set("HX-Request", "true")
	part := c.do(req)
	if part.doc.Find("nav.side").Length() != 0 || part.doc.Find("#product-table").Length() != 1 {
		t.Fatal("htmx filter returned more than the table")
	}
}

func uploadCSV(t *testing.T, c *client, kind, body string) page {
	t.Helper()
	return c.upload("/products/import", "products.csv", body, url.Values{"kind": {kind}})
}

func TestProductImportPreviewThenApply(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.adminS.Email)
	c.get("/products/import")
	before := env.dbDigest()
	csv := "sku,title,quantity,cost\nS-100,Widget,12,3.00\nS-300,New one,5,1.25\nS-301,Bad,-2,1\nS-300,Again,1,1\n"
	p := uploadCSV(t, c, "catalog", csv)
	if p.status != http.StatusOK {
		t.Fatalf("upload: %d\n%s", p.status, p.body)
	}
	summary := p.doc.Find(`[data-testid="import-summary"]`).Text()
	// The negative quantity is reported and left empty, the row kept; the
	// repeated SKU skips its row.
	for _, want := range []string{"2 to create", "1 to update", "1 with errors (skipped)"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary %q lacks %q", summary, want)
		}
	}
	if errs := p.doc.Find(`[data-testid="import-errors"] tbody tr`).Length(); errs != 2 {
		t.Errorf("%d error rows listed, want 2 (negative quantity, repeated SKU)", errs)
	}
	if env.dbDigest() == before {
		// The upload is kept for apply; products must not have changed.
	}
	page, _ := env.db.Products(t.Context(), w.supplierS.ID, store.ProductFilter{})
	if page.Total != 1 {
		t.Fatalf("the preview changed products: %d", page.Total)
	}
	token := p.doc.Find(`input[name="token"]`).AttrOr("value", "")
	if ap := c.post("/products/import/apply", url.Values{"token": {token}}); ap.status != http.StatusSeeOther {
		t.Fatalf("apply: %d", ap.status)
	}
	page, _ = env.db.Products(t.Context(), w.supplierS.ID, store.ProductFilter{})
	if page.Total != 3 {
		t.Fatalf("after apply %d products, want 3", page.Total)
	}
	if p301, err := env.db.ProductBySKU(t.Context(), w.supplierS.ID, "S-301"); err != nil || p301.Quantity != 0 || p301.CostCents != 100 {
		t.Errorf("S-301 = %+v, %v; want created with its cost, the negative quantity left empty (0)", p301, err)
	}
	// Applying the same upload twice is refused with a message.
	c.post("/products/import/apply", url.Values{"token": {token}})
	if msg := c.get("/products/import").doc.Find(".flash.error").Text(); !strings.Contains(msg, "expired or was already applied") {
		t.Fatalf("second apply message %q", msg)
	}
	// An inventory update touches only existing SKUs, and needs a quantity column.
	p = uploadCSV(t, c, "inventory", "sku,cost\nS-100,1\n")
	if !strings.Contains(p.doc.Find(`[data-testid="import-error"]`).Text(), "quantity column") {
		t.Fatalf("inventory file without quantity: %q", p.doc.Find(`[data-testid="import-error"]`).Text())
	}
	p = uploadCSV(t, c, "inventory", "sku,quantity\nS-100,40\nNOPE,3\n")
	if !strings.Contains(p.doc.Find(`[data-testid="import-errors"]`).Text(), "No product has the SKU") {
		t.Fatal("unknown SKU in an inventory update is not reported")
	}
	for _, bad := range []string{"", "\xff\xfe\x00x", "just one column\nvalue\n"} {
		p = uploadCSV(t, c, "catalog", bad)
		if p.status != http.StatusUnprocessableEntity || p.doc.Find(`[data-testid="import-error"]`).Text() == "" {
			t.Errorf("bad file %q: %d with message %q", bad, p.status, p.doc.Find(`[data-testid="import-error"]`).Text())
		}
	}
}

func TestFeedURLServesCSVAndJSONUntilRevoked(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := t.Context()
	env.db.SaveProduct(ctx, store.CLIActor, w.supplierS.ID, 0, store.ProductInput{SKU: "=cmd|' /C calc'!A0", Title: "@SUM(1)", Quantity: 1, Active: true, CostCents: 250, HasCost: true})
	c := env.client()
	c.login(w.adminS.Email)
	id := strconv.FormatInt(w.feedS, 10)
	c.get("/feeds/" + id)
	if p := c.post("/feeds/"+id+"/token", nil); p.status != http.StatusSeeOther {
		t.Fatalf("create URL: %d", p.status)
	}
	fp := c.get("/feeds/" + id)
	csvURL := strings.TrimSpace(fp.doc.Find(`[data-testid="feed-csv-url"]`).Text())
	jsonURL := strings.TrimSpace(fp.doc.Find(`[data-testid="feed-json-url"]`).Text())
	if !strings.Contains(csvURL, "/feed/fd_") {
		t.Fatalf("CSV URL %q", csvURL)
	}
	if again := c.get("/feeds/" + id); again.doc.Find(`[data-testid="feed-csv-url"]`).Length() != 0 {
		t.Fatal("the secret URL is shown twice")
	}
	res, err := http.Get(csvURL)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(body.String(), "S-100") || !strings.Contains(body.String(), "'=cmd") || !strings.Contains(body.String(), "'@SUM") {
		t.Fatalf("CSV feed %d:\n%s", res.StatusCode, body.String())
	}
	res, _ = http.Get(jsonURL)
	var rows []map[string]any
	json.NewDecoder(res.Body).Decode(&rows)
	res.Body.Close()
	if len(rows) != 2 || rows[0]["cost"] != "2.50" {
		t.Fatalf("JSON feed %v, want 2 rows with cost as a decimal string", rows)
	}
	c.post("/feeds/"+id+"/token/revoke", nil)
	res, _ = http.Get(csvURL)
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("revoked feed URL: %d, want 404", res.StatusCode)
	}
}

func TestSubscribeToURLWithMappingAndPull(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := t.Context()
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Write([]byte("Item Code;Name;Stock\nEXT-1;Thing;4\nEXT-2;Other;0\n"))
	}))
	defer srv.Close()
	c := env.client()
	c.login(w.adminA.Email)
	c.get("/feeds")
	// Private addresses are refused until the platform admin allows them.
	p := c.post("/subscriptions/preview", url.Values{"url": {srv.URL + "/feed.csv"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.doc.Find(`[data-testid="error-url"]`).Text(), "private") {
		t.Fatalf("private URL: %d %q", p.status, p.doc.Find(`[data-testid="error-url"]`).Text())
	}
	if got := p.doc.Find(`input[name="url"]`).AttrOr("value", ""); got != srv.URL+"/feed.csv" {
		t.Errorf("URL field = %q, want what was typed", got)
	}
	if err := env.db.SetAllowPrivateFeeds(ctx, store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	p = c.post("/subscriptions/preview", url.Values{"url": {srv.URL + "/feed.csv"}})
	if p.status != http.StatusOK || p.doc.Find(`select[name="map_sku"]`).Length() != 1 {
		t.Fatalf("preview of an unknown layout: %d, want a mapping form\n%s", p.status, p.doc.Find("main").Text())
	}
	if got := p.doc.Find(`[data-testid="preview-rows"] tbody tr`).Length(); got != 2 {
		t.Errorf("preview shows %d rows, want 2", got)
	}
	p = c.post("/subscriptions", url.Values{"url": {srv.URL + "/feed.csv"}, "format": {"mapped"}, "map_title": {"Name"}})
	if p.status != http.StatusUnprocessableEntity || p.doc.Find(`[data-testid="error-map_sku"]`).Length() != 1 {
		t.Fatalf("mapping without SKU: %d", p.status)
	}
	p = c.post("/subscriptions", url.Values{"url": {srv.URL + "/feed.csv"}, "format": {"mapped"}, "map_sku": {"Item Code"}, "map_title": {"Name"}, "map_quantity": {"Stock"}})
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/runs/") {
		t.Fatalf("subscribe: %d to %q", p.status, p.header.Get("Location"))
	}
	runPath := p.header.Get("Location")
	var state string
	for i := 0; i < 50; i++ {
		rp := c.get(runPath)
		state = rp.doc.Find(`[data-testid="run-state"]`).Text()
		if state != "Running" {
			if got := rp.doc.Find(`[data-testid="run-created"]`).Text(); got != "2" {
				t.Fatalf("run created %q, want 2 (state %s, %q)", got, state, rp.doc.Find(`[data-testid="run-message"]`).Text())
			}
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if state != "Succeeded" {
		t.Fatalf("run state %q, want Succeeded", state)
	}
	list := c.get("/products?q=EXT")
	if got := list.doc.Find(`[data-testid="product-row"]`).Length(); got != 2 {
		t.Fatalf("%d linked products from the URL feed, want 2", got)
	}
}

func TestUploadOver50MBIsRefused(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.adminS.Email)
	c.get("/products/import")
	before := env.dbDigest()
	big := "sku,title\n" + strings.Repeat("X-1,"+strings.Repeat("a", 100)+"\n", (51<<20)/105)
	p := uploadCSV(t, c, "catalog", big)
	if p.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("51 MB upload: %d, want 413", p.status)
	}
	if env.dbDigest() != before {
		t.Fatal("a refused upload changed the database")
	}
}
