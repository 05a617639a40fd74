package feedfile

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// tsv joins cells with tabs and lines with CRLF, as Seller Central's
// tab-delimited text files are written.
func tsv(lines ...[]string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(strings.Join(l, "\t"))
		b.WriteString("\r\n")
	}
	return b.String()
}

// amazonTemplate is a clothing inventory file template: an Amazon-only
// first line, a line of labels, the attribute names, then a parent and its
// children and a product on its own.
var amazonTemplate = tsv(
	[]string{"TemplateType=fptcustom", "Version=2023.0915", "TemplateSignature=U0hJUlQ=", "settings=contentLanguageTag=en_US", "The top 3 rows are for Amazon use only. Do not modify or delete the top 3 rows."},
	[]string{"Product Type", "Seller SKU", "Brand Name", "Product Name", "Product ID", "Product ID Type", "Standard Price", "Quantity",
		"Sale Price", "Main Image URL", "Parentage", "Parent SKU", "Relationship Type", "Variation Theme", "Color", "Size",
		"Product Description", "Manufacturer Part Number", "Handling Time", "Update Delete"},
	[]string{"feed_product_type", "item_sku", "brand_name", "item_name", "external_product_id", "external_product_id_type",
		"standard_price", "quantity", "sale_price", "main_image_url", "parent_child", "parent_sku", "relationship_type",
		"variation_theme", "color_name", "size_name", "product_description", "part_number", "fulfillment_latency", "update_delete"},
	[]string{"shirt", "TSHIRT-PARENT", "Acme", "Everyday Cotton T-Shirt", "", "", "", "", "", "", "parent", "", "", "SizeColor", "", "", "Soft cotton.", "", "", "Update"},
	[]string{"shirt", "TSHIRT-BLK-S", "Acme", "Everyday Cotton T-Shirt Black Small", "012345678905", "UPC", "19.99", "12",
		"17.99", "https://m.media-amazon.com/images/I/tshirt-black.jpg", "child", "TSHIRT-PARENT", "Variation", "SizeColor",
		"Black", "Small", "Soft cotton.", "AC-TS-BK-S", "2", "Update"},
	[]string{"shirt", "TSHIRT-BLK-M", "Acme", "", "B07XJ8C8F5", "ASIN", "19.99", "0", "", "", "child", "TSHIRT-PARENT",
		"Variation", "SizeColor", "Black", "Medium", "", "", "", "Update"},
	[]string{"kitchen", "MUG-11OZ", "Acme", "Ceramic Mug 11 oz", "4006381333931", "EAN", "9.50", "40", "", "", "", "", "", "", "", "", "", "", "", "Update"},
	[]string{"kitchen", "", "Acme", "No SKU", "", "", "5.00", "1", "", "", "", "", "", "", "", "", "", "", "", "Update"},
)

func TestAmazonTemplate(t *testing.T) {
	r, res := readAll(t, amazonTemplate, Options{})
	if r.Format() != FormatAmazonTemplate || r.Delimiter() != '\t' {
		t.Fatalf("format, delimiter = %q, %q; want amazon_template, tab", r.Format(), r.Delimiter())
	}
	if h := r.Header(); len(h) == 0 || h[0] != "feed_product_type" {
		t.Errorf("Header() = %q, want the attribute names of line 3", h)
	}
	if got := messages(res.errs); !slices.Equal(got, []string{"8: item_sku: this row has no item_sku"}) {
		t.Errorf("errors = %q", got)
	}
	want := []Row{
		{Line: 5, SKU: "TSHIRT-BLK-S", Title: "Everyday Cotton T-Shirt Black Small", Options: "Color: Black / Size: Small",
			GTIN: "012345678905", MPN: "AC-TS-BK-S", ImageURL: "https://m.media-amazon.com/images/I/tshirt-black.jpg",
			Description: "Soft cotton.", PriceCents: 1999, HasPrice: true, SalePriceCents: 1799, HasSalePrice: true,
			Quantity: 12, HasQuantity: true, LeadTimeDays: 2, HasLeadTime: true, Active: true, GroupKey: "TSHIRT-PARENT"},
		{Line: 6, SKU: "TSHIRT-BLK-M", Title: "Everyday Cotton T-Shirt", Options: "Color: Black / Size: Medium",
			PriceCents: 1999, HasPrice: true, HasQuantity: true, Active: true, GroupKey: "TSHIRT-PARENT"},
		{Line: 7, SKU: "MUG-11OZ", Title: "Ceramic Mug 11 oz", GTIN: "4006381333931", PriceCents: 950, HasPrice: true,
			Quantity: 40, HasQuantity: true, Active: true},
	}
	if want = withSaleColumn(want); !reflect.DeepEqual(res.rows, want) {
		t.Errorf("rows:\n%s\nwant:\n%s", rowLines(res.rows), rowLines(want))
	}
	if !slices.Equal(res.unusable, []int{8}) {
		t.Errorf("unusable lines = %v, want [8] (data starts on line 4)", res.unusable)
	}
	wantIgnored := []string{"feed_product_type", "brand_name", "relationship_type", "variation_theme"}
	if got := r.Ignored(); !slices.Equal(got, wantIgnored) {
		t.Errorf("Ignored() = %q, want %q", got, wantIgnored)
	}
	// The column-mapping screen sees the same header.
	header, records, err := Preview(strings.NewReader(amazonTemplate), Options{}, 1)
	if err != nil || !slices.Equal(header, r.Header()) || len(records) != 1 || records[0][1] != "TSHIRT-PARENT" {
		t.Errorf("Preview = %q, %q, %v; want line 3 as header and line 4 first", header, records, err)
	}
}

// A quoted cell with a line break in the labels line still leaves the data
// rows on their spreadsheet lines.
func TestAmazonTemplateLines(t *testing.T) {
	in := "TemplateType=fptcustom\tVersion=2021.1\n" +
		"Seller SKU\t\"Product\nName\"\tQuantity\n" +
		"item_sku\titem_name\tquantity\tfeed_product_type\n" +
		"A\tAlpha\t1\tshirt\n" +
		"\tBeta\t-2\tshirt\n"
	_, res := readAll(t, in, Options{})
	if got := lines(res.rows); !slices.Equal(got, []int{4}) || !slices.Equal(res.unusable, []int{5}) {
		t.Errorf("lines = %v, unusable %v; want [4], [5]", got, res.unusable)
	}
}

var amazonListings = tsv(
	[]string{"item-name", "item-description", "listing-id", "seller-sku", "price", "quantity", "open-date", "image-url",
		"item-is-marketplace", "product-id-type", "zshop-shipping-fee", "item-note", "item-condition", "zshop-category1",
		"zshop-browse-path", "zshop-storefront-feature", "asin1", "asin2", "asin3", "will-ship-internationally",
		"expedited-shipping", "zshop-boldface", "product-id", "bid-for-featured-placement", "add-delete",
		"pending-quantity", "fulfillment-channel", "merchant-shipping-group", "status"},
	[]string{"Stainless Steel Water Bottle 750ml", "", "0915A123456", "BOTTLE-750", "24.99", "30", "2023-02-27 20:15:20 PST",
		"https://m.media-amazon.com/images/I/bottle.jpg", "y", "4", "", "", "11", "", "", "", "B0BQ1ZK6F2", "", "", "", "",
		"", "4006381333931", "", "", "0", "DEFAULT", "Migrated Template", "Active"},
	[]string{"Yoga Mat, 6mm", "", "0916A654321", "YOGA-MAT-FBA", "39.00", "", "2023-03-01 08:00:00 PST", "", "y", "1", "",
		"", "11", "", "", "", "B07XJ8C8F5", "", "", "", "", "", "B07XJ8C8F5", "", "", "0", "AMAZON_NA", "", "Active"},
	[]string{"Desk Lamp", "", "0917A111111", "LAMP-01", "45.00", "0", "2023-03-02 08:00:00 PST", "", "y", "3", "", "", "11",
		"", "", "", "B0C1234567", "", "", "", "", "", "012345678905", "", "", "0", "DEFAULT", "", "Inactive"},
	[]string{"Bookend", "", "0918A222222", "BOOKEND", "12.00", "3", "", "", "y", "3", "", "", "11", "", "", "", "", "", "", "",
		"", "", "012345678901", "", "", "0", "DEFAULT", "", "Paused"},
)

func TestAmazonListings(t *testing.T) {
	r, res := readAll(t, amazonListings, Options{})
	if r.Format() != FormatAmazonListings {
		t.Fatalf("format = %q, want amazon_listings", r.Format())
	}
	wantErrs := []string{
		`5: product-id: product-id "012345678901" has a wrong check digit (1; the digits before it give 5): a digit may be mistyped`,
		`5: status: status "Paused" is not Active, Inactive or Incomplete`,
	}
	if got := messages(res.errs); !slices.Equal(got, wantErrs) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantErrs, "\n"))
	}
	want := []Row{
		{Line: 2, SKU: "BOTTLE-750", Title: "Stainless Steel Water Bottle 750ml", GTIN: "4006381333931",
			ImageURL: "https://m.media-amazon.com/images/I/bottle.jpg", PriceCents: 2499, HasPrice: true,
			Quantity: 30, HasQuantity: true, Active: true, HasActive: true},
		{Line: 3, SKU: "YOGA-MAT-FBA", Title: "Yoga Mat, 6mm", PriceCents: 3900, HasPrice: true, Active: true, HasActive: true},
		{Line: 4, SKU: "LAMP-01", Title: "Desk Lamp", GTIN: "012345678905", PriceCents: 4500, HasPrice: true,
			HasQuantity: true, Active: false, HasActive: true},
		{Line: 5, SKU: "BOOKEND", Title: "Bookend", PriceCents: 1200, HasPrice: true, Quantity: 3, HasQuantity: true, Active: true},
	}
	if !reflect.DeepEqual(res.rows, want) {
		t.Errorf("rows:\n%s\nwant:\n%s", rowLines(res.rows), rowLines(want))
	}
	wantIgnored := []string{"listing-id", "open-date", "item-is-marketplace", "zshop-shipping-fee", "item-note",
		"item-condition", "zshop-category1", "zshop-browse-path", "zshop-storefront-feature", "asin1", "asin2", "asin3",
		"will-ship-internationally", "expedited-shipping", "zshop-boldface", "bid-for-featured-placement", "add-delete",
		"pending-quantity", "fulfillment-channel", "merchant-shipping-group"}
	if got := r.Ignored(); !slices.Equal(got, wantIgnored) {
		t.Errorf("Ignored() = %q\nwant %q", got, wantIgnored)
	}
}

func TestAmazonPriceQuantity(t *testing.T) {
	in := tsv(
		[]string{"sku", "price", "minimum-seller-allowed-price", "maximum-seller-allowed-price", "quantity", "handling-time", "fulfillment-channel"},
		[]string{"BOTTLE-750", "24.99", "20.00", "30.00", "30", "2", ""},
		[]string{"YOGA-MAT-FBA", "39.00", "", "", "", "", "AMAZON_NA"},
		[]string{"LAMP-01", "", "", "", "5", "x", ""},
	)
	r, res := readAll(t, in, Options{})
	if r.Format() != FormatAmazonPriceQuantity {
		t.Fatalf("format = %q, want amazon_price_quantity", r.Format())
	}
	if got := messages(res.errs); !slices.Equal(got, []string{`4: handling-time: handling-time "x" is not a number`}) {
		t.Errorf("errors = %q", got)
	}
	want := []Row{
		{Line: 2, SKU: "BOTTLE-750", PriceCents: 2499, HasPrice: true, Quantity: 30, HasQuantity: true, LeadTimeDays: 2, HasLeadTime: true, Active: true},
		{Line: 3, SKU: "YOGA-MAT-FBA", PriceCents: 3900, HasPrice: true, Active: true},
		{Line: 4, SKU: "LAMP-01", Quantity: 5, HasQuantity: true, Active: true},
	}
	if !reflect.DeepEqual(res.rows, want) {
		t.Errorf("rows:\n%s\nwant:\n%s", rowLines(res.rows), rowLines(want))
	}
	wantIgnored := []string{"minimum-seller-allowed-price", "maximum-seller-allowed-price", "fulfillment-channel"}
	if got := r.Ignored(); !slices.Equal(got, wantIgnored) {
		t.Errorf("Ignored() = %q, want %q", got, wantIgnored)
	}
}

func TestIsAmazonGTIN(t *testing.T) {
	tests := []struct {
		typ, id string
		want    bool
	}{
		{"UPC", "012345678905", true},
		{"ean", "4006381333931", true},
		{"ASIN", "B07XJ8C8F5", false},
		{"GCID", "1234567890123456", false},
		{"1", "B07XJ8C8F5", false},
		{"4", "4006381333931", true},
		{"", "4006381333931", true},
		{"", "B07XJ8C8F5", false},
		{"", "12345", false},
	}
	for _, tt := range tests {
		if got := isAmazonGTIN(tt.typ, tt.id); got != tt.want {
			t.Errorf("isAmazonGTIN(%q, %q) = %v, want %v", tt.typ, tt.id, got, tt.want)
		}
	}
}

// A template row that tells Amazon to delete a listing is not a product.
func TestAmazonTemplateDeleteRows(t *testing.T) {
	in := "TemplateType=fptcustom\tVersion=2021.1\n" +
		"Product Type\tSeller SKU\tProduct Name\tQuantity\tUpdate Delete\n" +
		"feed_product_type\titem_sku\titem_name\tquantity\tupdate_delete\n" +
		"kitchen\tMUG-1\tMug\t4\tUpdate\n" +
		"kitchen\tMUG-2\tOld mug\t0\tDelete\n"
	_, res := readAll(t, in, Options{})
	if len(res.rows) != 1 || res.rows[0].SKU != "MUG-1" {
		t.Fatalf("rows %+v", res.rows)
	}
	if got := messages(res.errs); !slices.Equal(got, []string{"5: update_delete: update_delete says Delete: the listing is being removed, so it is not imported"}) || !res.errs[0].Skipped {
		t.Errorf("errors %q", got)
	}
}
