package handlers_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// chartData reads a dashboard chart's numbers table: label → value.
func chartData(p page, id string) (map[string]string, []string) {
	out := map[string]string{}
	var order []string
	p.doc.Find(`[data-testid="` + id + `-data"] tbody tr`).Each(func(_ int, r *goquery.Selection) {
		label := strings.TrimSpace(r.Find("th").Text())
		out[label] = strings.TrimSpace(r.Find("td").Text())
		order = append(order, label)
	})
	return out, order
}

// TestDashboardChartsCountDaysInTheAccountsZone: the merchant's orders
// chart has a bar for each of the last 30 days in its own zone, an order
// at 23:30 and one at 00:30 Tokyo time falling on their own days, with
// the numbers as a table and in the SVG's description; the supplier's
// charts count the POs it received.
func TestDashboardChartsCountDaysInTheAccountsZone(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := t.Context()
	tokyo := setZone(t, env, w.merchantA, "Asia/Tokyo")
	now := env.db.Now().In(tokyo)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, tokyo)
	placed := map[string]time.Time{
		"LATE-EVE": today.AddDate(0, 0, -3).Add(23*time.Hour + 30*time.Minute),
		"EARLY-1":  today.AddDate(0, 0, -2).Add(30 * time.Minute),
		"EARLY-2":  today.AddDate(0, 0, -2).Add(45 * time.Minute),
		"TOO-OLD":  today.AddDate(0, 0, -31),
	}
	for n, at := range placed {
		if _, _, err := env.db.CreateOrder(ctx, store.CLIActor, w.merchantA.ID, orderfile.Order{Channel: "manual", ChannelOrderID: n, Currency: "USD", PlacedAt: at.UTC(),
			ShipTo: orderfile.Address{Name: "Ada", Address1: "1 Main St", City: "Springfield", PostalCode: "62701", Country: "US"},
			Lines:  []orderfile.Line{{SKU: "OWN-1", Quantity: 1}}}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := env.db.Orders(ctx, w.merchantA.ID, store.OrderFilter{Tab: store.TabAll, From: today.AddDate(0, 0, -29), To: today.AddDate(0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	c := env.client()
	c.login(w.staffA.Email)
	d := c.get("/")
	data, order := chartData(d, "chart-orders")
	if len(order) != 30 || order[29] != today.Format("2 Jan") || order[0] != today.AddDate(0, 0, -29).Format("2 Jan") {
		t.Fatalf("orders chart days %q, want the 30 days to today %s", order, today.Format("2 Jan"))
	}
	sum := 0
	for _, v := range data {
		var n int
		fmt.Sscan(v, &n)
		sum += n
	}
	if sum != all.Total {
		t.Errorf("the chart counts %d orders in 30 days, the list %d", sum, all.Total)
	}
	threeAgo, twoAgo := today.AddDate(0, 0, -3).Format("2 Jan"), today.AddDate(0, 0, -2).Format("2 Jan")
	if data[threeAgo] != "1" || data[twoAgo] != "2" {
		t.Errorf("23:30 and 00:30 Tokyo: %s has %s, %s has %s; want 1 and 2", threeAgo, data[threeAgo], twoAgo, data[twoAgo])
	}
	desc := d.doc.Find(`#chart-orders desc`).Text()
	if !strings.Contains(desc, twoAgo+": 2") {
		t.Errorf("the chart's description %q lacks %s: 2", desc, twoAgo)
	}
	if d.doc.Find(`#chart-orders rect.chart-bar`).Length() != 30 {
		t.Errorf("%d bars", d.doc.Find(`#chart-orders rect.chart-bar`).Length())
	}
	for _, id := range []string{"chart-dropships", "chart-late", "chart-stale", "chart-hours"} {
		if d.doc.Find("#"+id+" svg").Length() != 1 {
			t.Errorf("merchant dashboard lacks %s", id)
		}
	}
	dropships, _ := chartData(d, "chart-dropships")
	total := 0
	for _, v := range dropships {
		var n int
		fmt.Sscan(v, &n)
		total += n
	}
	if total < 1 {
		t.Errorf("the world's dropship is not on the dropships chart: %v", dropships)
	}

	s := env.client()
	s.login(w.staffS.Email)
	sd := s.get("/")
	received, _ := chartData(sd, "chart-received")
	got := 0
	for _, v := range received {
		var n int
		fmt.Sscan(v, &n)
		got += n
	}
	if got < 1 || sd.doc.Find(`#chart-supplier-hours svg`).Length() != 1 {
		t.Errorf("supplier dashboard: %d POs received on the chart", got)
	}
}
