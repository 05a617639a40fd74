package feedfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fixtureDir is the shared folder of real third-party files. They are read in
// place and never copied into the repository (several carry licenses the
// project must not take on).
var fixtureDir = filepath.Join("..", "..", "..", "shared", "fixtures")

func openFixture(t *testing.T, name string) *os.File {
	t.Helper()
	if _, err := os.Stat(fixtureDir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("fixtures folder %s is missing: %v", fixtureDir, err)
		}
		t.Skipf("fixtures folder %s is missing", fixtureDir)
	}
	f, err := os.Open(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// The expected counts come from reading each file by hand (and with an
// independent CSV parser): see the comments per file.
func TestFixtures(t *testing.T) {
	tests := []struct {
		file     string
		format   Format
		rows     int   // usable rows
		errs     int   // row errors in all
		unusable []int // lines of rows returned without a SKU
		check    func(t *testing.T, rows map[string]Row, errs []RowError)
	}{
		{
			// 17 records: 16 variants (12 shirts, 3 jeans, 1 beanie) and one
			// image-only row (line 17). Shopify's example barcodes are made
			// up: 14 of 16 fail the GS1 check digit (only lines 7 and 10
			// pass), so each is reported and left empty, the row kept.
			file: "shopify_product_csv_template/product_template_current.csv", format: FormatShopify, rows: 16, errs: 14,
			check: func(t *testing.T, rows map[string]Row, errs []RowError) {
				for _, e := range errs {
					if e.Column != "Variant Barcode" || e.Skipped || !strings.Contains(e.Message, "check digit") {
						t.Errorf("row error %+v; want a Variant Barcode check digit, row kept", e)
					}
				}
				want := Row{
					Line: 2, SKU: "SRT_COT_111", Title: "Example T-Shirt", Options: "Color: Green / Size: S", GroupKey: "example-shirt",
					MPN: "365275101829", ImageURL: "https://burst.shopifycdn.com/photos/green-t-shirt.jpg?width=1500",
					Description: rows["SRT_COT_111"].Description, Tags: []string{"Made to Order", "Shirt Tag"},
					PriceCents: 2500, HasPrice: true, HasQuantity: true, Active: true, HasActive: true,
				}
				if got := rows["SRT_COT_111"]; !equalRow(got, want) || len(got.Description) != 229-len("<p></p>") || strings.Contains(got.Description, "<") {
					t.Errorf("SRT_COT_111 = %+v\nwant          %+v", got, want)
				}
				if got := rows["SRT_COT_433"]; got.Line != 13 || got.Options != "Color: Purple / Size: L" || got.GTIN != "" || got.Title != "Example T-Shirt" {
					t.Errorf("SRT_COT_433 = %+v", got)
				}
				if got := rows["PNT_DEN_285"]; got.Title != "Example Jeans" || got.Options != "Size: 28" || got.CostCents != 5000 || got.PriceCents != 9500 || got.Quantity != 20 || got.Active || !got.HasActive {
					t.Errorf("PNT_DEN_285 (draft) = %+v", got)
				}
				if got := rows["PNT_DEN_405"]; got.Line != 16 || got.Quantity != 10 || got.GTIN != "" || got.GroupKey != "example-pants" {
					t.Errorf("PNT_DEN_405 = %+v", got)
				}
				if got := rows["HAT_GRY_275"]; got.Line != 18 || got.Options != "" || got.PriceCents != 1799 || got.CostCents != 850 || got.Quantity != 50 || got.Active || !slices.Equal(got.Tags, []string{"Hat Tag"}) {
					t.Errorf("HAT_GRY_275 (archived, Default Title) = %+v", got)
				}
			},
		},
		{
			// The same 16 variants after a spreadsheet round trip: all 16
			// barcodes and the 3 Google Shopping / MPN values (lines 2, 14,
			// 18) became scientific notation. The rows stay usable; the
			// barcodes, which have lost digits, are left empty.
			file: "shopify_product_csv_template/product_template_excel_mangled.csv", format: FormatShopify, rows: 16, errs: 19,
			check: func(t *testing.T, rows map[string]Row, errs []RowError) {
				byCol := map[string][]int{}
				for _, e := range errs {
					byCol[e.Column] = append(byCol[e.Column], e.Line)
				}
				if got := len(byCol["Variant Barcode"]); got != 16 {
					t.Errorf("%d Variant Barcode errors, want 16", got)
				}
				if got := byCol["Google Shopping / MPN"]; !slices.Equal(got, []int{2, 14, 18}) {
					t.Errorf("Google Shopping / MPN errors on lines %v, want [2 14 18]", got)
				}
				if got := rows["SRT_COT_111"]; got.GTIN != "" || got.MPN != "3.65275E+11" || got.PriceCents != 2500 {
					t.Errorf("SRT_COT_111 = %+v; want the mangled barcode left empty, the MPN text kept", got)
				}
				if got := rows["HAT_GRY_275"]; got.GTIN != "" || got.CostCents != 850 {
					t.Errorf("HAT_GRY_275 = %+v", got)
				}
			},
		},
		{
			// 3 records: the first carries a price (25) but no Variant SKU;
			// the other two are variants Small and Medium at 19.99. No
			// Status column: Published TRUE makes them active.
			file: "shopify_product_csv_template/product_template_legacy_2019.csv", format: FormatShopify, rows: 2, errs: 1, unusable: []int{2},
			check: func(t *testing.T, rows map[string]Row, _ []RowError) {
				if got := rows["example-shirt-s"]; got.Line != 3 || got.Title != "Example T-Shirt" || got.Options != "Title: Small" || got.PriceCents != 1999 || got.HasQuantity || !got.Active || !got.HasActive {
					t.Errorf("example-shirt-s = %+v", got)
				}
				if got := rows["example-shirt-m"]; got.Options != "Title: Medium" || !slices.Equal(got.Tags, []string{"mens t-shirt example"}) {
					t.Errorf("example-shirt-m = %+v", got)
				}
			},
		},
		{
			// 2 items of group dz1, each with nested g:tax and g:shipping
			// (whose g:price 0.00 USD must not replace the item's price).
			file: "google_merchant_feed_example/celebird_rss2_variants_apparel_upi.xml", format: FormatGoogleXML, rows: 2,
			check: func(t *testing.T, rows map[string]Row, _ []RowError) {
				want := Row{
					Line: 1, SKU: "celebird-eg-variants-apparel-upi-001", Title: "Diesel Men's Black Stainless-Steel Analog Watch with Black Dial",
					Options: "Color: Black / Size: 44mm / Pattern: Solid", GTIN: "698615070527", MPN: "DZ1437",
					URL:      "http://www.example.com/shop?products=variants-apparel-upi&color=Black&size=44mm&country=US",
					ImageURL: "http://www.example.com/image/watch-black.png", Description: rows["celebird-eg-variants-apparel-upi-001"].Description,
					Currency: "USD", PriceCents: 10529, HasPrice: true, Active: true, Availability: InStock,
					// In stock without a g:quantity: the documented default.
					Quantity: DefaultInStockQuantity, HasQuantity: true, GroupKey: "dz1",
				}
				if got := rows[want.SKU]; !equalRow(got, want) || len(got.Description) != 242 {
					t.Errorf("item 1 = %+v\nwant     %+v", got, want)
				}
				if got := rows["celebird-eg-variants-apparel-upi-002"]; got.Line != 2 || got.GTIN != "698615086467" || got.MPN != "DZ1572" || got.Options != "Color: White/Yellow / Size: 44mm / Pattern: Solid" || got.PriceCents != 10529 {
					t.Errorf("item 2 = %+v", got)
				}
			},
		},
		{
			// 24 records: 2 variable parents (cc-tee, cc-hoodie) and 1 grouped
			// product (cc-logo-collection) are skipped; 12 simple/external and
			// 9 variations remain. Every row is published and in stock; no
			// Stock values, so each gets the in-stock default quantity.
			file: "classic_commerce_woocommerce_csv/sample_products.csv", format: FormatWooCommerce, rows: 21,
			check: func(t *testing.T, rows map[string]Row, _ []RowError) {
				for _, parent := range []string{"cc-tee", "cc-hoodie", "cc-logo-collection"} {
					if _, ok := rows[parent]; ok {
						t.Errorf("parent %s emitted as a product", parent)
					}
				}
				for sku, r := range rows {
					if r.Availability != InStock || !r.Active || !r.HasQuantity || r.Quantity != DefaultInStockQuantity {
						t.Errorf("%s: availability %q, active %v, has quantity %v", sku, r.Availability, r.Active, r.HasQuantity)
					}
				}
				if got := rows["cc-beanie"]; got.Line != 5 || got.Title != "Beanie" || got.PriceCents != 2000 || got.ImageURL != "https://classiccommerce.cc/wp-content/downloads/sample-data-images/beanie.png" {
					t.Errorf("cc-beanie = %+v; want the regular price 20, not the sale price", got)
				}
				if got := rows["cc-hoodie-blue-logo"]; got.Line != 24 || got.Title != "Hoodie - Blue, Yes" || got.Options != "Color: Blue / Logo: Yes" || got.PriceCents != 4500 {
					t.Errorf("cc-hoodie-blue-logo = %+v", got)
				}
				if got := rows["cc-t-shirt-red"]; got.Options != "Color: Red" || got.PriceCents != 2500 {
					t.Errorf("cc-t-shirt-red = %+v; want the empty Size value left out", got)
				}
				if got := rows["cp-donation"]; got.PriceCents != 3000 {
					t.Errorf("cp-donation = %+v", got)
				}
			},
		},
		{
			// 7 records: WOOLOGO and WOOALBUM are products; the external
			// product (line 4) and both variations of WOOIDEA (lines 6, 7)
			// have prices but no SKU; WOOIDEA itself is a variable parent and
			// the grouped product (line 8) has neither SKU nor price.
			file: "classic_commerce_woocommerce_csv/importer_test_sample.csv", format: FormatWooCommerce, rows: 2, errs: 3, unusable: []int{4, 6, 7},
			check: func(t *testing.T, rows map[string]Row, _ []RowError) {
				if got := rows["WOOLOGO"]; got.Title != "Woo Logo" || got.PriceCents != 2000 || got.Quantity != 5 || !got.HasQuantity || got.Availability != InStock || !got.Active {
					t.Errorf("WOOLOGO = %+v", got)
				}
				if got := rows["WOOALBUM"]; got.Line != 3 || got.PriceCents != 500 || got.Quantity != DefaultInStockQuantity || !slices.Equal(got.Tags, []string{"Woo"}) {
					t.Errorf("WOOALBUM = %+v", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			f := openFixture(t, tt.file)
			head := make([]byte, headSize)
			n, err := io.ReadFull(f, head)
			if err != nil && err != io.ErrUnexpectedEOF {
				t.Fatal(err)
			}
			if got, _, err := Detect(head[:n]); got != tt.format || err != nil {
				t.Errorf("Detect = %q, %v; want %q", got, err, tt.format)
			}
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			r, err := NewReader(f, Options{InStockQuantity: DefaultInStockQuantity})
			if err != nil {
				t.Fatalf("NewReader: %v", err)
			}
			if r.Format() != tt.format {
				t.Errorf("Format() = %q, want %q", r.Format(), tt.format)
			}
			res := drain(t, r)
			if res.err != nil {
				t.Fatalf("file error: %v", res.err)
			}
			if len(res.rows) != tt.rows || len(res.errs) != tt.errs || !slices.Equal(res.unusable, tt.unusable) {
				t.Errorf("%d rows, %d row errors, unusable lines %v; want %d, %d, %v\nerrors: %q",
					len(res.rows), len(res.errs), res.unusable, tt.rows, tt.errs, tt.unusable, messages(res.errs))
			}
			bySKU := map[string]Row{}
			for _, row := range res.rows {
				bySKU[row.SKU] = row
			}
			tt.check(t, bySKU, res.errs)
		})
	}
}

// TestFixtureNotAProductFile: WooCommerce's tax-rate sample has no SKU column
// and must be refused, not read as products.
func TestFixtureNotAProductFile(t *testing.T) {
	f := openFixture(t, "classic_commerce_woocommerce_csv/sample_tax_rates.csv")
	_, err := NewReader(f, Options{})
	if !errors.Is(err, ErrNeedsMapping) {
		t.Errorf("NewReader(sample_tax_rates.csv) error = %v, want ErrNeedsMapping", err)
	}
}

func equalRow(a, b Row) bool {
	return a.Line == b.Line && a.SKU == b.SKU && a.Title == b.Title && a.Options == b.Options && a.GTIN == b.GTIN &&
		a.MPN == b.MPN && a.URL == b.URL && a.ImageURL == b.ImageURL && a.Description == b.Description &&
		slices.Equal(a.Tags, b.Tags) && a.Currency == b.Currency && a.PriceCents == b.PriceCents &&
		a.CostCents == b.CostCents && a.HasPrice == b.HasPrice && a.HasCost == b.HasCost &&
		a.Quantity == b.Quantity && a.HasQuantity == b.HasQuantity && a.LeadTimeDays == b.LeadTimeDays &&
		a.HasLeadTime == b.HasLeadTime && a.Active == b.Active && a.HasActive == b.HasActive && a.Availability == b.Availability
}

// withSaleColumn marks rows as read from a file with a sale price column.
func withSaleColumn(rows []Row) []Row {
	for i := range rows {
		rows[i].SaleColumn = true
	}
	return rows
}
