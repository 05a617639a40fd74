package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/dropline/dropline/store"
)

// demoEnv is a test server on the demo database, its feed pulled as the
// first ticker pass would; it answers a signed-in client for each demo login.
func demoEnv(t *testing.T) (*testEnv, map[string]*client) {
	t.Helper()
	env := newEnv(t)
	ctx := t.Context()
	logins, created, err := env.db.SeedDemo(ctx)
	if err != nil || !created {
		t.Fatalf("demo seed: %v %v", created, err)
	}
	accounts, err := env.db.Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	puller := &store.Puller{DB: env.db}
	for _, a := range accounts {
		subs, err := env.db.Subscriptions(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, sub := range subs {
			if _, err := puller.PullNow(ctx, a.ID, sub.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	puller.Wait()
	clients := map[string]*client{}
	for _, l := range logins {
		c := env.client()
		c.get("/login")
		if p := c.post("/login", url.Values{"email": {l.Email}, "password": {l.Password}}); p.status != http.StatusSeeOther {
			t.Fatalf("demo login %s: %d", l.Email, p.status)
		}
		c.refresh()
		clients[l.Email] = c
	}
	return env, clients
}

// TestTemplatesPassTheirOwnImports downloads every CSV template through its
// route, as a user would from the page, and uploads it unchanged to the
// preview it is for, on the demo database after the journey the README
// describes: no row has an error.
func TestTemplatesPassTheirOwnImports(t *testing.T) {
	_, clients := demoEnv(t)
	merchant, supplier := clients["merchant@dropline.test"], clients["supplier@dropline.test"]

	download := func(c *client, path string) string {
		t.Helper()
		p := c.get(path)
		if p.status != http.StatusOK || !strings.HasPrefix(p.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("GET %s: %d %s", path, p.status, p.header.Get("Content-Type"))
		}
		return p.body
	}

	// Products: the catalog template.
	p := merchant.upload("/products/import", "dropline-products.csv", download(merchant, "/products/template.csv"), url.Values{"kind": {"catalog"}})
	if p.status != http.StatusOK || p.doc.Find(`[data-testid="import-apply"]`).Length() != 1 {
		t.Fatalf("products template preview: %d %q", p.status, p.doc.Find(`[data-testid="import-error"]`).Text())
	}
	if errs := p.doc.Find(`[data-testid="import-errors"] tbody tr`); errs.Length() != 0 {
		t.Errorf("products template: %d row errors: %s", errs.Length(), errs.Text())
	}

	// Orders: the orders template, imported.
	p = merchant.upload("/orders/import", "dropline-orders.csv", download(merchant, "/orders/template.csv"), nil)
	if p.status != http.StatusOK || p.doc.Find(`[data-testid="import-apply"]`).Length() != 1 {
		t.Fatalf("orders template preview: %d %q", p.status, p.doc.Find(`[data-testid="import-error"]`).Text())
	}
	if errs := p.doc.Find(`[data-testid="import-errors"] tbody tr`); errs.Length() != 0 {
		t.Errorf("orders template: %d row errors: %s", errs.Length(), errs.Text())
	}
	if got := p.doc.Find(`[data-testid="import-summary"]`).Text(); !strings.Contains(got, "2 new") || !strings.Contains(got, "0 with errors") {
		t.Errorf("orders template summary = %q", got)
	}
	token := p.doc.Find(`input[name="token"]`).AttrOr("value", "")
	if p = merchant.post("/orders/import/apply", url.Values{"token": {token}}); p.status != http.StatusSeeOther {
		t.Fatalf("orders template apply: %d", p.status)
	}

	// Bulk tracking: the merchant dropships the template's two orders as
	// prefilled; the supplier uploads the tracking template for them.
	list := merchant.get("/orders?tab=all&sort=oldest")
	var orderPaths []string
	list.doc.Find(`[data-testid="order-row"]`).Each(func(_ int, s *goquery.Selection) {
		orderPaths = append(orderPaths, "/orders/"+s.AttrOr("data-order-id", ""))
	})
	if len(orderPaths) != 2 {
		t.Fatalf("orders after the import: %v", orderPaths)
	}
	for _, path := range orderPaths {
		if _, p := dropshipAsPrefilled(t, merchant, path, nil); p.status != http.StatusSeeOther {
			t.Fatalf("dropship %s: %d %s", path, p.status, p.doc.Find(`[data-testid="dropship-problems"]`).Text())
		}
	}
	supplier.get("/dropship-orders/upload")
	p = supplier.upload("/dropship-orders/upload", "dropline-tracking.csv", download(supplier, "/dropship-orders/upload/template.csv"), nil)
	if p.status != http.StatusOK {
		t.Fatalf("tracking template preview: %d %q", p.status, p.doc.Find(`[data-testid="upload-error"]`).Text())
	}
	if got := p.doc.Find(`[data-testid="tracking-summary"]`).Text(); !strings.Contains(got, "2 rows ok") || !strings.Contains(got, "0 rows with errors") {
		t.Errorf("tracking template summary = %q; rows: %s", got, p.doc.Find(`[data-testid="tracking-rows"]`).Text())
	}
}

// TestOrdersTemplateShowsDropshipOnTheDemo imports the orders template on
// the demo database, as the README suggests: each of its orders carries the
// Dropship badge.
func TestOrdersTemplateShowsDropshipOnTheDemo(t *testing.T) {
	_, clients := demoEnv(t)
	merchant := clients["merchant@dropline.test"]
	p := merchant.upload("/orders/import", "dropline-orders.csv", merchant.get("/orders/template.csv").body, nil)
	token := p.doc.Find(`input[name="token"]`).AttrOr("value", "")
	if p = merchant.post("/orders/import/apply", url.Values{"token": {token}}); p.status != http.StatusSeeOther {
		t.Fatalf("apply: %d", p.status)
	}
	rows := merchant.get("/orders?tab=all").doc.Find(`[data-testid="order-row"]`)
	if rows.Length() != 2 {
		t.Fatalf("%d orders, want the template's 2", rows.Length())
	}
	if got := rows.Find(`[data-testid="dropship-badge"]`).Length(); got != 2 {
		t.Errorf("%d of the template's orders have the Dropship badge, want 2", got)
	}
}
