package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/dropline/dropline/store"
)

// A Google Merchant XML feed (RSS 2.0 with the g: namespace) previews as
// the pull will read it, one row per product, and subscribing pulls it.
// The file served is Google's example feed from shared/fixtures.
func TestSubscribeToGoogleMerchantXMLByURL(t *testing.T) {
	path := filepath.Join("..", "..", "shared", "fixtures", "google_merchant_feed_example", "celebird_rss2_variants_apparel_upi.xml")
	feed, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("fixture missing: %v", err)
		}
		t.Skipf("fixture not found: %v", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/rss+xml")
		rw.Write(feed)
	}))
	defer srv.Close()
	env := newEnv(t)
	w := env.world()
	if err := env.db.SetAllowPrivateFeeds(t.Context(), store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	c := env.client()
	c.login(w.adminA.Email)
	c.get("/feeds")
	feedURL := srv.URL + "/products.xml"
	p := c.post("/subscriptions/preview", url.Values{"url": {feedURL}})
	if p.status != http.StatusOK {
		t.Fatalf("preview: %d %q", p.status, p.doc.Find(`[data-testid="error-url"]`).Text())
	}
	if got := p.doc.Find(`[data-testid="preview-format"]`).Text(); !strings.Contains(got, "Google Merchant XML") {
		t.Errorf("preview says %q, want Google Merchant XML", got)
	}
	var rows []string
	p.doc.Find(`[data-testid="preview-rows"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
		var cells []string
		s.Find("td").Each(func(_ int, td *goquery.Selection) { cells = append(cells, td.Text()) })
		rows = append(rows, strings.Join(cells, " | "))
	})
	want := []string{
		"celebird-eg-variants-apparel-upi-001 | Diesel Men's Black Stainless-Steel Analog Watch with Black Dial",
		"celebird-eg-variants-apparel-upi-002 | Diesel Men's White Stainless-Steel Analog Watch with Copper Dial",
	}
	if len(rows) != 2 {
		t.Fatalf("preview rows %q, want the feed's 2 products", rows)
	}
	for i, r := range rows {
		if !strings.HasPrefix(r, want[i]) || !strings.Contains(r, "$105.29") || !strings.Contains(r, "in stock") {
			t.Errorf("row %d = %q, want %q… $105.29 … in stock", i, r, want[i])
		}
	}
	if got := p.doc.Find(`form[action="/subscriptions"] input[name="format"]`).AttrOr("value", ""); got != "google_xml" {
		t.Errorf("the subscribe form sends format %q, want google_xml", got)
	}

	p = c.post("/subscriptions", url.Values{"url": {feedURL}, "format": {"google_xml"}})
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/runs/") {
		t.Fatalf("subscribe: %d to %q", p.status, p.header.Get("Location"))
	}
	var state string
	for i := 0; i < 100; i++ {
		rp := c.get(p.header.Get("Location"))
		if state = rp.doc.Find(`[data-testid="run-state"]`).Text(); state != "Running" {
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
	if got := c.get("/products?q=celebird").doc.Find(`[data-testid="product-row"]`).Length(); got != 2 {
		t.Errorf("%d linked products from the XML feed, want 2", got)
	}
}
