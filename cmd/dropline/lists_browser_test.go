package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// TestBrowserSelectAllAndStickyActionBar: on the orders to dropship, the
// header box ticks every order of the page, the action bar counts them,
// sticks to the bottom of the window and its export link carries them;
// unticking one leaves the header box half-ticked.
func TestBrowserSelectAllAndStickyActionBar(t *testing.T) {
	a, newTab := browserApp(t)
	ctx := context.Background()
	merchant := demoMerchant(t, a)
	waitForDemoProducts(t, a, merchant.ID)
	for i := range 3 {
		_, _, err := a.db.CreateOrder(ctx, store.Actor{Name: "test"}, merchant.ID, orderfile.Order{Channel: "shopify", ChannelOrderID: fmt.Sprintf("#75%02d", i), Currency: "USD",
			Customer: orderfile.Customer{Name: "Rosa Parks"},
			ShipTo:   orderfile.Address{Name: "Rosa Parks", Address1: "12 Elm St", City: "Montgomery", Region: "AL", PostalCode: "36104", Country: "US"},
			Lines:    []orderfile.Line{{SKU: "ACM-STOVE", Title: "Trailblaze camp stove", Quantity: 1, UnitPriceCents: 5900}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	tab, cancel := newTab()
	defer cancel()
	err := chromedp.Do(tab, append(signIn(a.URL(), "merchant@dropline.test"),
		chromedp.Navigate(a.URL()+"/orders?tab=needs_dropship"),
		chromedp.WaitVisible(`[data-testid="select-all"]`),
	)...)
	if err != nil {
		t.Fatal(err)
	}
	type state struct {
		Boxes, Ticked int
		Sticky        bool
		Position      string
		Count         string
		ExportIDs     int
		Indeterminate bool
	}
	read := func() state {
		t.Helper()
		s, err := chromedp.Run(tab, chromedp.Evaluate[state](`(() => {
			const boxes = [...document.querySelectorAll('#bulk-form input[data-row-select]')];
			const bar = document.querySelector('[data-testid="action-bar"]');
			const link = new URL(bar.querySelector('[data-testid="export-csv"]').href);
			return {Boxes: boxes.length, Ticked: boxes.filter(b => b.checked).length, Sticky: bar.classList.contains('has-selection'),
				Position: getComputedStyle(bar).position, Count: bar.querySelector('[data-selection-count]').textContent.trim(),
				ExportIDs: link.searchParams.getAll('order_ids').length, Indeterminate: document.querySelector('[data-testid="select-all"]').indeterminate};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := read()
	if before.Boxes < 3 || before.Ticked != 0 || before.Sticky || before.Position == "sticky" || before.ExportIDs != 0 {
		t.Fatalf("before ticking: %+v", before)
	}
	if err := chromedp.Do(tab, chromedp.Click(`[data-testid="select-all"]`)); err != nil {
		t.Fatal(err)
	}
	all := read()
	if all.Ticked != all.Boxes || !all.Sticky || all.Position != "sticky" || all.Count != fmt.Sprintf("%d selected", all.Boxes) || all.ExportIDs != all.Boxes {
		t.Errorf("after Select all: %+v", all)
	}
	screenshot(tab, t, "orders-select-all")
	if err := chromedp.Do(tab, chromedp.Click(`#bulk-form input[data-row-select]`)); err != nil {
		t.Fatal(err)
	}
	one := read()
	if one.Ticked != all.Boxes-1 || !one.Indeterminate || one.Count != fmt.Sprintf("%d selected", all.Boxes-1) || one.ExportIDs != all.Boxes-1 {
		t.Errorf("after unticking one: %+v", one)
	}
	if !strings.Contains(one.Count, "selected") {
		t.Errorf("count %q", one.Count)
	}
	// The dashboard's charts draw in the browser: 30 day bars on the orders chart.
	if err := chromedp.Do(tab, chromedp.Navigate(a.URL()+"/"), chromedp.WaitVisible(`#chart-orders svg`)); err != nil {
		t.Fatal(err)
	}
	bars, err := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll('#chart-orders rect.chart-bar').length`))
	if err != nil || bars != 30 {
		t.Errorf("orders chart: %d bars, %v", bars, err)
	}
	screenshot(tab, t, "dashboard-merchant")
}
