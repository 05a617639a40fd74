package handlers_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
	"github.com/dropline/dropline/views"
)

// csvGet downloads a CSV export and reads it.
func csvGet(t *testing.T, c *client, path string) [][]string {
	t.Helper()
	p := c.get(path)
	if p.status != http.StatusOK || !strings.HasPrefix(p.header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(p.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("GET %s: %d %s %q", path, p.status, p.header.Get("Content-Type"), p.body)
	}
	rows, err := csv.NewReader(strings.NewReader(p.body)).ReadAll()
	if err != nil {
		t.Fatalf("%s is not CSV: %v", path, err)
	}
	return rows
}

// column is the values of one column of a CSV with a header row.
func column(rows [][]string, name string) []string {
	i := -1
	for j, h := range rows[0] {
		if h == name {
			i = j
		}
	}
	var out []string
	for _, r := range rows[1:] {
		if i >= 0 {
			out = append(out, r[i])
		}
	}
	return out
}

// TestOrderListExportFollowsItsFiltersAndTicks: the order list's Export
// CSV link writes the rows the list shows under its tab, search and dates
// (every page), only the ticked ones when rows are ticked, and defuses
// cells a spreadsheet would run.
func TestOrderListExportFollowsItsFiltersAndTicks(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := t.Context()
	now := env.db.Now()
	mk := func(number, customer string, placed time.Time, cents int64) int64 {
		o, _, err := env.db.CreateOrder(ctx, store.CLIActor, w.merchantA.ID, orderfile.Order{Channel: "manual", ChannelOrderID: number, Currency: "USD",
			PlacedAt: placed, Customer: orderfile.Customer{Name: customer},
			ShipTo: orderfile.Address{Name: customer, Address1: "1 Main St", City: "Springfield", PostalCode: "62701", Country: "US"},
			Lines:  []orderfile.Line{{SKU: "OWN-1", Title: "Own thing", Quantity: 1, UnitPriceCents: cents}}})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	mk("EXP-1", "=HYPERLINK(\"http://evil.example\")", now.Add(-2*time.Hour), 123456)
	mk("EXP-2", "Grace Hopper", now.Add(-40*24*time.Hour), 500)
	ticked := mk("EXP-3", "Ada Lovelace", now.Add(-3*time.Hour), 700)
	c := env.client()
	c.login(w.staffA.Email)

	list := c.get("/orders?tab=all&q=OWN-1")
	href := list.doc.Find(`[data-testid="action-bar"] [data-testid="export-csv"]`).AttrOr("href", "")
	if !strings.HasPrefix(href, "/orders/export.csv?") {
		t.Fatalf("export link %q", href)
	}
	rows := csvGet(t, c, href)
	if got := strings.Join(column(rows, "order"), " "); got != "EXP-1 EXP-3 EXP-2" {
		t.Errorf("export of the search: orders %q, want the list's three, newest first", got)
	}
	if want := strings.Join(rows[0], ","); want != "order,channel,placed,customer,status,total,currency,dropship,suppliers" {
		t.Errorf("header %q", want)
	}
	for _, r := range rows[1:] {
		if r[0] == "EXP-1" && (r[3] != "'=HYPERLINK(\"http://evil.example\")" || r[5] != "1234.56" || r[6] != "USD" || r[4] != "Not dropship") {
			t.Errorf("EXP-1 exported as %q: want the formula defused, 1234.56 USD, Not dropship", r)
		}
	}
	// The date range: the last 7 days leave out the order of 40 days ago.
	var last7 string
	list.doc.Find(`[data-testid="date-presets"] a`).Each(func(_ int, a *goquery.Selection) {
		if a.Text() == "Last 7 days" {
			last7 = a.AttrOr("href", "")
		}
	})
	today := now.In(w.merchantA.Location()).Format(time.DateOnly)
	weekAgo := now.In(w.merchantA.Location()).AddDate(0, 0, -6).Format(time.DateOnly)
	u, _ := url.Parse(last7)
	if u == nil || u.Query().Get("from") != weekAgo || u.Query().Get("to") != today || u.Query().Get("q") != "OWN-1" || u.Query().Get("tab") != "all" {
		t.Fatalf("Last 7 days links to %q, want from %s to %s keeping the search", last7, weekAgo, today)
	}
	week := c.get(last7)
	if got := week.doc.Find(`[data-testid="date-presets"] a[aria-current="true"]`).Text(); got != "Last 7 days" {
		t.Errorf("the chosen preset is %q", got)
	}
	if got := week.doc.Find(`input[name="from"]`).AttrOr("value", ""); got != weekAgo {
		t.Errorf("from field %q after the preset", got)
	}
	weekRows := csvGet(t, c, week.doc.Find(`[data-testid="export-csv"]`).AttrOr("href", ""))
	if got := strings.Join(column(weekRows, "order"), " "); got != "EXP-1 EXP-3" {
		t.Errorf("export of the last 7 days: %q", got)
	}
	// Ticked rows alone, as the action bar's link carries them.
	one := csvGet(t, c, href+"&order_ids="+strconv.FormatInt(ticked, 10))
	if got := strings.Join(column(one, "order"), " "); got != "EXP-3" {
		t.Errorf("export of the ticked order: %q", got)
	}
	// Another merchant's export holds none of A's orders.
	b := env.client()
	b.login(w.adminB.Email)
	if rows := csvGet(t, b, "/orders/export.csv?tab=all&q=OWN-1"); len(rows) != 1 {
		t.Errorf("merchant B's export of A's search: %q", rows)
	}
}

// TestListExportsOfPOsQueueAndProducts: the PO list, the supplier's queue
// and the product list export what they show.
func TestListExportsOfPOsQueueAndProducts(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	m := env.client()
	m.login(w.staffA.Email)
	pos := m.get("/purchase-orders")
	href := pos.doc.Find(`[data-testid="export-csv"]`).AttrOr("href", "")
	rows := csvGet(t, m, href)
	listed := pos.doc.Find(`[data-testid="purchase-orders"] tbody tr`).Length()
	if len(rows)-1 != listed || listed == 0 || column(rows, "po_number")[0] == "" {
		t.Errorf("PO export: %d rows, the list shows %d", len(rows)-1, listed)
	}
	if none := csvGet(t, m, "/purchase-orders/export.csv?status=rejected"); len(none) != 1 {
		t.Errorf("PO export filtered to rejected: %q", none)
	}
	prods := m.get("/products")
	prodRows := csvGet(t, m, prods.doc.Find(`[data-testid="export-csv"]`).AttrOr("href", ""))
	if len(prodRows)-1 != prods.doc.Find(`[data-testid="products"] tbody tr`).Length() || len(prodRows) < 2 {
		t.Errorf("product export: %d rows", len(prodRows)-1)
	}

	s := env.client()
	s.login(w.staffS.Email)
	q := s.get("/dropship-orders?tab=all")
	bar := q.doc.Find(`[data-testid="action-bar"]`)
	if bar.Find(`[data-testid="packing-slips"]`).Length() != 1 || q.doc.Find(`[data-testid="select-all"]`).Length() != 1 {
		t.Error("the queue has no select-all box or action bar with packing slips")
	}
	qrows := csvGet(t, s, bar.Find(`[data-testid="export-csv"]`).AttrOr("href", ""))
	if len(qrows)-1 != q.doc.Find(`[data-testid="queue-row"]`).Length() || len(qrows) < 2 {
		t.Errorf("queue export: %d rows, the page shows %d", len(qrows)-1, q.doc.Find(`[data-testid="queue-row"]`).Length())
	}
	if got := column(qrows, "merchant_id"); got[0] != w.merchantA.PublicID {
		t.Errorf("queue export merchant %q", got)
	}
	if none := csvGet(t, s, "/dropship-orders/export.csv?tab=all&id=999999"); len(none) != 1 {
		t.Errorf("queue export of an unknown ticked PO: %q", none)
	}
}

// TestFeedRunsExport: a subscription's pulls export with their counts,
// newest first, from the link on its page.
func TestFeedRunsExport(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.staffA.Email)
	page := c.get("/subscriptions/" + strconv.FormatInt(w.subA, 10))
	href := page.doc.Find(`[data-testid="export-csv"]`).AttrOr("href", "")
	rows := csvGet(t, c, href)
	runs, err := env.db.FeedRuns(t.Context(), w.merchantA.ID, w.subA, 100)
	if err != nil || len(runs) == 0 {
		t.Fatalf("runs: %v", err)
	}
	if len(rows)-1 != len(runs) || column(rows, "state")[0] != views.BadgeLabel(runs[0].State) ||
		column(rows, "rows")[0] != strconv.Itoa(runs[0].Rows) {
		t.Errorf("pulls export %q, want %d runs newest first", rows, len(runs))
	}
}
