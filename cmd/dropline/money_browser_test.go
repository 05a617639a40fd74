package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// TestBrowserScorecardChartsAndEarnings: the supplier ships a PO, then finds
// the dashboard, its scorecard with two drawn charts (bars, labelled axes)
// and the earning on its Earnings page.
func TestBrowserScorecardChartsAndEarnings(t *testing.T) {
	a, newTab := browserApp(t)
	ctx := context.Background()
	merchant := demoMerchant(t, a)
	_, po := dropshippedDemoOrder(t, a, merchant, "E-77", orderfile.Address{Name: "Sally Ride", Address1: "5 Orbit Way", City: "Encino", Region: "CA", PostalCode: "91316", Country: "US"}, 3)
	if _, err := a.db.AddShipment(ctx, store.Actor{Name: "test"}, po.SupplierID, po.ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456784",
		ShipDate: time.Now().UTC().Format(time.DateOnly)}); err != nil {
		t.Fatal(err)
	}

	tab, cancel := newTab()
	defer cancel()
	type chart struct {
		Bars       int      `json:"bars"`
		Tall       int      `json:"tall"`
		AxisLabels []string `json:"axisLabels"`
		Title      string   `json:"title"`
		Width      float64  `json:"width"`
	}
	err := chromedp.Do(tab, append(signIn(a.URL(), "supplier@dropline.test"),
		chromedp.WaitVisible(`[data-testid="dash-to-acknowledge"]`),
	)...)
	if err != nil {
		t.Fatal(err)
	}
	dash, err := chromedp.Run(tab, chromedp.Text(`[data-testid="dash-earnings"] [data-testid="dash-count"]`))
	if err != nil {
		t.Fatal(err)
	}
	screenshot(tab, t, "dashboard-supplier")
	if err := chromedp.Do(tab, chromedp.Navigate(a.URL()+"/scorecard"), chromedp.WaitVisible(`svg.chart-svg`)); err != nil {
		t.Fatal(err)
	}
	charts, err := chromedp.Run(tab, chromedp.Evaluate[[]chart](`Array.from(document.querySelectorAll('svg.chart-svg')).map(s => ({
			bars: s.querySelectorAll('rect.chart-bar').length,
			tall: Array.from(s.querySelectorAll('rect.chart-bar')).filter(r => r.getBBox().height > 0).length,
			axisLabels: Array.from(s.querySelectorAll('.chart-axis-label')).map(x => x.textContent.trim()),
			title: s.querySelector('title').textContent,
			width: s.getBoundingClientRect().width,
		}))`))
	if err != nil {
		t.Fatal(err)
	}
	screenshot(tab, t, "scorecard-supplier")
	if len(charts) != 2 {
		t.Fatalf("%d charts, want 2: %+v", len(charts), charts)
	}
	// The PO shipped minutes after it was placed: a week of volume, and a
	// median of 0 hours, which draws no height.
	if charts[0].Tall == 0 {
		t.Errorf("the volume chart drew no visible bar: %+v", charts[0])
	}
	for _, c := range charts {
		if c.Bars == 0 || len(c.AxisLabels) != 2 || c.AxisLabels[0] == "" || c.AxisLabels[1] == "" || c.Width < 200 {
			t.Errorf("chart %q drew %d bars (%d with height), axis labels %q, width %.0f", c.Title, c.Bars, c.Tall, c.AxisLabels, c.Width)
		}
	}
	if dash != "$0.00" && dash != "0.00" {
		t.Errorf("earnings available on the dashboard %q: a new earning is held, nothing is available yet", dash)
	}
	// The earning is on the Earnings page, held for the holding period.
	if err := chromedp.Do(tab, chromedp.Navigate(a.URL()+"/earnings"), chromedp.WaitVisible(`[data-testid="balance-row"]`)); err != nil {
		t.Fatal(err)
	}
	earned, err := chromedp.Run(tab, chromedp.Text(`[data-testid="balance-row"] [data-testid="balance"]`))
	if err != nil {
		t.Fatal(err)
	}
	screenshot(tab, t, "earnings-supplier")
	if earned == "" || earned == "0.00" {
		t.Fatalf("balance %q after shipping 3 mugs", earned)
	}
}
