package store_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dropline/dropline/store"
)

// catalogFiles are product files shaped like real exports, written from
// each format's public documentation (testdata/catalog and the feedfile
// package's per-format files), and the real files of shared/fixtures.
func catalogFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"testdata/catalog/*", "feedfile/testdata/formats/*"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 3 {
		t.Fatalf("only %d catalog test files found", len(files))
	}
	fixtures := []string{
		"shopify_product_csv_template/product_template_current.csv",
		"shopify_product_csv_template/product_template_excel_mangled.csv",
		"shopify_product_csv_template/product_template_legacy_2019.csv",
		"google_merchant_feed_example/celebird_rss2_variants_apparel_upi.xml",
		"classic_commerce_woocommerce_csv/sample_products.csv",
		"classic_commerce_woocommerce_csv/importer_test_sample.csv",
	}
	if _, err := os.Stat(fixturesDir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("fixtures missing at %s: %v", fixturesDir, err)
		}
		t.Logf("fixtures not found at %s: only the repository's own files", fixturesDir)
		return files
	}
	for _, f := range fixtures {
		files = append(files, filepath.Join(fixturesDir, f))
	}
	return files
}

// catalogProduct is what a product file gives a product, on either path.
type catalogProduct struct {
	Title, Options, GTIN, MPN, GroupKey, Description, ImageURL string
	Price, SalePrice, Currency                                 string
	Quantity                                                   int
}

func priceOf(cents int64, ok bool) string {
	if !ok {
		return "none"
	}
	return store.FormatMoney(cents)
}

// TestCatalogFilesReadTheSameOnBothPaths: each file imported by a supplier
// through Products → Import and pulled by a merchant from a URL gives the
// same products (title, options, group, codes, prices, description, image,
// quantity) and the same row errors, skipped or left empty alike.
func TestCatalogFilesReadTheSameOnBothPaths(t *testing.T) {
	for _, file := range catalogFiles(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			w := newFeedWorld(t)

			opt := store.DefaultImportOptions()
			opt.Acknowledged = true
			plan, err := w.db.ApplyImport(ctx, w.sActor, w.supplier.ID, store.ImportCatalog, body, opt)
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			page, err := w.db.Products(ctx, w.supplier.ID, store.ProductFilter{Status: "all", PerPage: 1000})
			if err != nil {
				t.Fatal(err)
			}
			imported := map[string]catalogProduct{}
			for _, p := range page.Products {
				imported[p.SKU] = catalogProduct{Title: p.Title, Options: p.Options, GTIN: p.GTIN, MPN: p.MPN, GroupKey: p.GroupKey,
					Description: p.Description, ImageURL: p.ImageURL, Price: priceOf(p.PriceCents, p.HasPrice),
					SalePrice: priceOf(p.SalePriceCents, p.HasSalePrice), Currency: p.Currency, Quantity: p.Quantity}
			}
			if len(imported) != plan.Create || plan.Create == 0 {
				t.Fatalf("import created %d, %d products in the catalog", plan.Create, len(imported))
			}

			srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { rw.Write(body) }))
			defer srv.Close()
			s := w.subscribe(t, store.SubscriptionInput{URL: srv.URL + "/" + filepath.Base(file)})
			run := w.pull(t, s.ID)
			if run.State != store.RunSucceeded {
				t.Fatalf("pull: %s (%s)", counts(run), run.Message)
			}
			_, lps, err := w.db.LinkedProducts(ctx, w.merchant.ID, store.ProductFilter{PerPage: 1000})
			if err != nil {
				t.Fatal(err)
			}
			pulled := map[string]catalogProduct{}
			for _, p := range lps {
				if len(p.Sources) != 1 {
					t.Fatalf("%s has %d sources", p.SKU, len(p.Sources))
				}
				pulled[p.SKU] = catalogProduct{Title: p.Title, Options: p.Options, GTIN: p.GTIN, MPN: p.MPN, GroupKey: p.GroupKey,
					Description: p.Description, ImageURL: p.ImageURL, Price: priceOf(p.PriceCents, p.HasPrice),
					SalePrice: priceOf(p.SalePriceCents, p.HasSalePrice), Currency: p.Currency, Quantity: p.Sources[0].Available}
			}
			for sku, want := range imported {
				if got, ok := pulled[sku]; !ok {
					t.Errorf("%s: imported, not pulled", sku)
				} else if got != want {
					t.Errorf("%s:\npulled   %+v\nimported %+v", sku, got, want)
				}
			}
			for sku := range pulled {
				if _, ok := imported[sku]; !ok {
					t.Errorf("%s: pulled, not imported", sku)
				}
			}

			runErrs, err := w.db.FeedRunErrors(ctx, w.merchant.ID, run.ID, 1000)
			if err != nil {
				t.Fatal(err)
			}
			show := func(es []store.RunError) []string {
				var out []string
				for _, e := range es {
					out = append(out, fmt.Sprintf("%d %s %s skipped=%v", e.Line, e.Column, e.Message, e.Skipped))
				}
				slices.Sort(out)
				return out
			}
			if got, want := show(runErrs), show(plan.Errors); !slices.Equal(got, want) {
				t.Errorf("row errors differ:\npull   %s\nimport %s", strings.Join(got, "\n       "), strings.Join(want, "\n       "))
			}
			if got, want := run.Notes, store.SummaryNotes(plan.Summary); !slices.Equal(got, want) {
				t.Errorf("notes differ:\npull   %q\nimport %q", got, want)
			}
		})
	}
}

// TestCatalogFilesKeepWhatTheyHold checks, file by file, the things a shop
// owner would look for after importing its export.
func TestCatalogFilesKeepWhatTheyHold(t *testing.T) {
	ctx := context.Background()
	read := func(t *testing.T, file string) (*feedWorld, store.ImportPlan, map[string]store.Product) {
		t.Helper()
		body, err := os.ReadFile(filepath.Join("testdata/catalog", file))
		if err != nil {
			t.Fatal(err)
		}
		w := newFeedWorld(t)
		plan, err := w.db.ApplyImport(ctx, w.sActor, w.supplier.ID, store.ImportCatalog, body, store.DefaultImportOptions())
		if err != nil {
			t.Fatal(err)
		}
		page, err := w.db.Products(ctx, w.supplier.ID, store.ProductFilter{Status: "all", PerPage: 1000})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]store.Product{}
		for _, p := range page.Products {
			out[p.SKU] = p
		}
		return w, plan, out
	}
	errorsOf := func(plan store.ImportPlan) []string {
		var out []string
		for _, e := range plan.Errors {
			out = append(out, fmt.Sprintf("%d %s: %s (skipped %v)", e.Line, e.Column, e.Message, e.Skipped))
		}
		return out
	}

	t.Run("shopify variants without SKUs", func(t *testing.T) {
		_, plan, ps := read(t, "shopify_no_variant_skus.csv")
		var skus []string
		for sku := range ps {
			skus = append(skus, sku)
		}
		slices.Sort(skus)
		if want := []string{"TT-SET-3", "linen-apron-charcoal-regular", "linen-apron-natural-long", "linen-apron-natural-regular"}; !slices.Equal(skus, want) {
			t.Fatalf("SKUs %q, want %q", skus, want)
		}
		a := ps["linen-apron-natural-regular"]
		if a.Title != "Linen Apron" || a.Options != "Color: Natural / Size: Regular" || a.GroupKey != "linen-apron" || a.Quantity != 14 ||
			a.PriceCents != 3800 || a.CostCents != 1650 || a.GTIN != "4006381333931" || a.Description != "Stonewashed linen, with two pockets.\n\n• 100% linen\n• Machine wash" {
			t.Errorf("natural regular = %+v", a)
		}
		if c := ps["linen-apron-charcoal-regular"]; c.GTIN != "" || c.Quantity != 6 || c.ImageURL != "https://cdn.shopify.com/s/files/1/apron-charcoal.jpg" {
			t.Errorf("charcoal = %+v; want the bad barcode left empty, the rest kept", c)
		}
		if tt := ps["TT-SET-3"]; tt.GroupKey != "" || tt.Options != "" || tt.GTIN != "0012345678905" {
			t.Errorf("towels = %+v", tt)
		}
		if got := errorsOf(plan); !slices.Equal(got, []string{`4 Variant Barcode: Variant Barcode "4006381333932" has a wrong check digit (2; the digits before it give 1): a digit may be mistyped (skipped false)`}) {
			t.Errorf("errors %q", got)
		}
		notes := strings.Join(store.SummaryNotes(plan.Summary), "\n")
		for _, want := range []string{"3 variants had no SKU: SKUs were built from the handle and options, e.g. linen-apron-natural-regular.", "Vendor", "Variant Compare At Price", "SEO Title"} {
			if !strings.Contains(notes, want) {
				t.Errorf("notes lack %q:\n%s", want, notes)
			}
		}
	})

	t.Run("google merchant units and words", func(t *testing.T) {
		_, plan, ps := read(t, "google_merchant_units.tsv")
		if l := ps["SOAP-LAV"]; l.Quantity != 1 || l.SalePriceCents != 500 || !l.HasSalePrice || l.Description != "Cold-process soap with lavender oil." {
			t.Errorf("SOAP-LAV = %+v; want the measure reported and the in-stock quantity 1, sale price 5.00, text description", l)
		}
		if r := ps["SOAP-ROSE"]; r.Quantity != 1 || r.GTIN != "" {
			t.Errorf("SOAP-ROSE = %+v", r)
		}
		if o := ps["SOAP-OAT"]; o.Quantity != 0 {
			t.Errorf("SOAP-OAT = %+v", o)
		}
		if s := ps["TOTE-S"]; s.Quantity != 12 || s.HasPrice || s.GroupKey != "TOTE" || s.Options != "Color: Natural / Size: S" {
			t.Errorf("TOTE-S = %+v; want 12 pcs read as 12, the EUR price left empty", s)
		}
		if l := ps["TOTE-L"]; l.Quantity != 0 || l.PriceCents != 2200 || l.GroupKey != "TOTE" {
			t.Errorf("TOTE-L = %+v", l)
		}
		want := []string{
			`2 quantity: quantity "100 ML" is a measure, not a count of items in stock (skipped false)`,
			`3 gtin: gtin "4006381333932" has a wrong check digit (2; the digits before it give 1): a digit may be mistyped (skipped false)`,
			`5 price: prices are in EUR but the account's catalog is in USD: the price, sale price and cost were left empty (Dropline does not convert currencies) (skipped false)`,
		}
		if got := errorsOf(plan); !slices.Equal(got, want) {
			t.Errorf("errors\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		notes := strings.Join(store.SummaryNotes(plan.Summary), "\n")
		for _, want := range []string{"2 rows said in stock without a number: given a quantity of 1.", "brand", "condition", "shipping", "unit_pricing_measure"} {
			if !strings.Contains(notes, want) {
				t.Errorf("notes lack %q:\n%s", want, notes)
			}
		}
	})

	// The Magento export: once every title was blank and every
	// quantity 0 because its sku column made it look like Dropline's
	// template.
	t.Run("magento configurable product", func(t *testing.T) {
		_, plan, ps := read(t, "magento2_configurable.csv")
		if plan.Format != "magento" || len(plan.Loses()) != 0 {
			t.Fatalf("format %q, loses %v", plan.Format, plan.Loses())
		}
		if _, ok := ps["MH01"]; ok {
			t.Error("the configurable parent was imported as a product")
		}
		for sku, p := range ps {
			if p.Title == "" {
				t.Errorf("%s has no title", sku)
			}
		}
		if b := ps["MH01-XS-Black"]; b.Title != "Chaz Kangeroo Hoodie" || b.GroupKey != "MH01" || b.Options != "Color: Black / Size: XS" || b.Quantity != 100 {
			t.Errorf("MH01-XS-Black = %+v", b)
		}
		if g := ps["MH01-XS-Gray"]; g.Quantity != 0 || g.SalePriceCents != 4500 || g.PriceCents != 5200 {
			t.Errorf("MH01-XS-Gray = %+v", g)
		}
		notes := strings.Join(store.SummaryNotes(plan.Summary), "\n")
		for _, want := range []string{"store-view rows", "weight", "url_key"} {
			if !strings.Contains(notes, want) {
				t.Errorf("notes lack %q:\n%s", want, notes)
			}
		}
	})

	// Rows that break the catalog's rules: the same outcome on both paths
	// (the both-paths test compares them); here, what that outcome is.
	t.Run("rule breakers", func(t *testing.T) {
		_, plan, ps := read(t, "dropline_rule_breakers.csv")
		var skus []string
		for sku := range ps {
			skus = append(skus, sku)
		}
		slices.Sort(skus)
		if want := []string{"BAD-IMAGE", "LONG-DESC", "LONG-TITLE"}; !slices.Equal(skus, want) {
			t.Fatalf("SKUs %q, want %q (the 101-character SKU and the SKU with a tab skipped)", skus, want)
		}
		if p := ps["LONG-TITLE"]; len(p.Title) != 500 || !strings.HasPrefix(p.Title, "Quilted Throw in soft") {
			t.Errorf("long title kept as %d bytes", len(p.Title))
		}
		if p := ps["BAD-IMAGE"]; p.URL != "" || p.ImageURL != "" || p.MPN != "NP-4" || p.Quantity != 10 {
			t.Errorf("BAD-IMAGE = %+v; want the bad addresses left out, the rest kept", p)
		}
		if p := ps["LONG-DESC"]; p.Description != "" || p.LeadTimeDays != 1 || p.PriceCents != 8900 {
			t.Errorf("LONG-DESC = %+v; want the description and the 400-day lead time left out", p)
		}
		skipped, kept := 0, 0
		for _, e := range plan.Errors {
			if e.Skipped {
				skipped++
			} else {
				kept++
			}
		}
		if plan.ErrorRows != 2 || skipped != 2 || kept != 5 {
			t.Errorf("%d rows skipped, errors %d skipped / %d kept; want 2, 2 / 5\n%q", plan.ErrorRows, skipped, kept, errorsOf(plan))
		}
	})

	t.Run("woocommerce variable product", func(t *testing.T) {
		_, plan, ps := read(t, "woocommerce_variable.csv")
		if _, ok := ps["WOOL-SOCK"]; ok || len(ps) != 4 {
			t.Fatalf("products %v; want the variable parent left out", ps)
		}
		if g := ps["WOOL-SOCK-GREY-S"]; g.Title != "Wool Socks" || g.Options != "Color: Grey / Size: S" || g.GroupKey != "WOOL-SOCK" || g.Quantity != 8 || g.CostCents != 620 {
			t.Errorf("grey = %+v", g)
		}
		if n := ps["WOOL-SOCK-NAVY-M"]; n.GroupKey != "WOOL-SOCK" || n.Quantity != 1 || n.SalePriceCents != 1200 || n.PriceCents != 1400 {
			t.Errorf("navy = %+v; want the in-stock quantity 1 and the sale price beside the price", n)
		}
		if b := ps["BEANIE-RIB"]; b.Quantity != 0 {
			t.Errorf("beanie = %+v", b)
		}
		if len(plan.Errors) != 0 {
			t.Errorf("errors %q", errorsOf(plan))
		}
	})
}

// TestImportingAFileAgainChangesNothing: a file whose bad web addresses
// were reported and left out previews as unchanged the second time, not as
// an update it never makes; prices the file sets take the account's
// currency; an inventory update, which creates nothing, needs no
// acknowledgement though it has no titles.
func TestImportingAFileAgainChangesNothing(t *testing.T) {
	ctx := context.Background()
	w := newFeedWorld(t)
	body := []byte("sku,title,url,image_url,price,quantity\nBAD-1,Lamp,not a url,ftp://x/y.jpg,12.00,3\n")
	opt := store.DefaultImportOptions()
	first, err := w.db.ApplyImport(ctx, w.sActor, w.supplier.ID, store.ImportCatalog, body, opt)
	if err != nil || first.Create != 1 || len(first.Errors) != 2 || first.Errors[0].Skipped {
		t.Fatalf("first import: %+v, %v", first, err)
	}
	again, err := w.db.PreviewImport(ctx, w.supplier.ID, store.ImportCatalog, body, opt)
	if err != nil || again.Unchanged != 1 || again.Update != 0 || len(again.Changes) != 0 {
		t.Fatalf("second preview: %d to update, %d unchanged, changes %+v (%v); want unchanged", again.Update, again.Unchanged, again.Changes, err)
	}

	if _, err := w.db.UpdateAccountSettings(ctx, w.sActor, w.supplier.ID, store.AccountSettings{Name: w.supplier.Name, TimeZone: "UTC", Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.ApplyImport(ctx, w.sActor, w.supplier.ID, store.ImportCatalog, []byte("sku,price\nBAD-1,14.00\n"), opt); err != nil {
		t.Fatal(err)
	}
	if p, err := w.db.ProductBySKU(ctx, w.supplier.ID, "BAD-1"); err != nil || p.Currency != "EUR" || p.PriceCents != 1400 {
		t.Errorf("after a EUR account priced it: %+v, %v; want 14.00 EUR", p, err)
	}

	// A sale ends: the file's sale price column is empty the next time.
	onSale := []byte("id\ttitle\tprice\tsale_price\tavailability\nSOAP-1\tSoap\t10.00 EUR\t5.00 EUR\tin stock\n")
	ended := []byte("id\ttitle\tprice\tsale_price\tavailability\nSOAP-1\tSoap\t10.00 EUR\t\tin stock\n")
	if _, err := w.db.ApplyImport(ctx, w.sActor, w.supplier.ID, store.ImportCatalog, onSale, opt); err != nil {
		t.Fatal(err)
	}
	plan, err := w.db.ApplyImport(ctx, w.sActor, w.supplier.ID, store.ImportCatalog, ended, opt)
	if p, _ := w.db.ProductBySKU(ctx, w.supplier.ID, "SOAP-1"); err != nil || plan.Update != 1 || p.HasSalePrice || p.PriceCents != 1000 {
		t.Errorf("after the sale ended: %+v (%v), plan %+v; want no sale price", p, err, plan.Changes)
	}

	inv, err := w.db.ApplyImport(ctx, w.sActor, w.supplier.ID, store.ImportInventory, []byte("sku,quantity\nBAD-1,9\n"), opt)
	if err != nil || inv.Update != 1 || len(inv.Loses()) != 0 {
		t.Fatalf("inventory update: %+v, %v", inv, err)
	}
}
