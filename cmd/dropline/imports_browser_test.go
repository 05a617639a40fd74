package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A supplier uploads its shop's own export, whose columns Dropline does not
// know: it maps the SKU, leaves the titles out and is warned of it,
// acknowledges, applies and sees its products, on a phone and a laptop.
func TestBrowserImportUnknownColumnsMapAcknowledgeApply(t *testing.T) {
	a, newTab := browserApp(t)
	for _, width := range []int{390, 1366} {
		w := strconv.Itoa(width)
		file := filepath.Join(t.TempDir(), "export.csv")
		body := "Item Code,Description,On Hand,Unit Price,Weight\n" +
			"W" + w + "-1,A long description of a blue enamel mug that holds 350 ml,12,9.50,0.4 kg\n" +
			"W" + w + "-2,Red mug,in stock,8.00,0.4 kg\n"
		if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		tab, cancel := newTab()
		err := chromedp.Do(tab, append(append([]chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(int64(width), 900)},
			signIn(a.URL(), "supplier@dropline.test")...),
			chromedp.Navigate(a.URL()+"/products/import"),
			chromedp.WaitVisible(`input[name="file"]`),
			chromedp.SetUploadFiles(`input[name="file"]`, []string{file}),
			chromedp.Click(`form[action="/products/import"] button[type="submit"]`),
			chromedp.WaitVisible(`[data-testid="import-mapping"]`),
		)...)
		if err != nil {
			cancel()
			t.Fatalf("%s px: upload: %v", w, err)
		}
		guessed, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector('select[name="map_quantity"]').value`))
		if guessed != "On Hand" {
			t.Errorf("%s px: quantity prefilled with %q, want On Hand", w, guessed)
		}
		fitsWidth(t, tab, width, "mapping step")
		screenshot(tab, t, "ui-import-map-"+w)
		// Leave the titles out (Dropline guessed Description for them).
		err = chromedp.Do(tab,
			chromedp.SetValue(`select[name="map_sku"]`, "Item Code"),
			chromedp.SetValue(`select[name="map_title"]`, ""),
			chromedp.Click(`[data-testid="map-preview"]`),
			chromedp.WaitVisible(`[data-testid="import-loses"]`),
		)
		if err != nil {
			cancel()
			t.Fatalf("%s px: preview: %v", w, err)
		}
		warn, _ := chromedp.Run(tab, chromedp.Text(`[data-testid="import-loses"]`))
		notes, _ := chromedp.Run(tab, chromedp.Text(`[data-testid="import-notes"]`))
		if !strings.Contains(warn, "Title is empty on all 2 rows") || !strings.Contains(notes, "Weight") {
			t.Errorf("%s px: warning %q, notes %q", w, warn, notes)
		}
		fitsWidth(t, tab, width, "preview")
		screenshot(tab, t, "ui-import-preview-"+w)
		// The browser does not apply before the box is ticked.
		err = chromedp.Do(tab, chromedp.Click(`[data-testid="import-apply"]`))
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		if still, _ := chromedp.Run(tab, chromedp.Evaluate[bool](`!!document.querySelector('[data-testid="import-apply"]')`)); !still {
			t.Errorf("%s px: applied without the acknowledgement", w)
		}
		err = chromedp.Do(tab,
			chromedp.Click(`[data-testid="import-acknowledge"]`),
			chromedp.Click(`[data-testid="import-apply"]`),
			chromedp.WaitVisible(`[data-testid="products"]`),
			chromedp.Navigate(a.URL()+"/products?q=W"+w),
			chromedp.WaitVisible(`[data-testid="products"]`),
		)
		if err != nil {
			cancel()
			t.Fatalf("%s px: apply: %v", w, err)
		}
		rows, _ := chromedp.Run(tab, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('[data-testid="product-row"]')).map(r => r.querySelector('[data-testid="product-qty"]').textContent.trim())`))
		if strings.Join(rows, ",") != "12,1" {
			t.Errorf("%s px: imported quantities %v, want 12 and 1 (in stock)", w, rows)
		}
		screenshot(tab, t, "ui-import-products-"+w)
		cancel()
	}
}

// fitsWidth fails when the page is wider than the viewport (sideways scrolling).
func fitsWidth(t *testing.T, tab context.Context, width int, what string) {
	t.Helper()
	got, err := chromedp.Run(tab, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil || got > width {
		t.Errorf("%s at %d px is %d px wide (%v)", what, width, got, err)
	}
}
