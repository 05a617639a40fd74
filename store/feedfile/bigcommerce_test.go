package feedfile

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// bigCommerceHeader is the Bulk Edit export template's columns, as
// BigCommerce's "Importing & Exporting Products" table lists them.
var bigCommerceHeader = strings.Split("Item Type,Product ID,Product Name,Product Type,Product Code/SKU,Bin Picking Number,"+
	"Brand Name,Option Set,Option Set Align,Product Description,Price,Cost Price,Retail Price,Sale Price,"+
	"Fixed Shipping Cost,Free Shipping,Product Warranty,Product Weight,Product Width,Product Height,Product Depth,"+
	"Allow Purchases?,Product Visible?,Product Availability,Track Inventory,Current Stock Level,Low Stock Level,"+
	"Category,Product Image ID - 1,Product Image File - 1,Product Image Description - 1,"+
	"Product Image Is Thumbnail - 1,Product Image Sort - 1,Search Keywords,Page Title,Meta Keywords,"+
	"Meta Description,Product Condition,Show Product Condition?,Sort Order,Product Tax Class,Product UPC/EAN,"+
	"Stop Processing Rules,Product URL,Redirect Old URL?,GPS Global Trade Item Number,GPS Manufacturer Part Number", ",")

var bigCommerceRead = []string{"Item Type", "Product ID", "Product Name", "Product Code/SKU", "Product Description",
	"Price", "Cost Price", "Sale Price", "Product Visible?", "Track Inventory", "Current Stock Level",
	"Product Image File - 1", "Search Keywords", "Product UPC/EAN", "Product URL", "GPS Manufacturer Part Number"}

// bigCommerceCSV writes a Bulk Edit export with the given header; each row
// gives some columns, the rest stay empty.
func bigCommerceCSV(t *testing.T, header []string, rows ...map[string]string) string {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(header)
	for _, row := range rows {
		for k := range row {
			if !slices.Contains(header, k) {
				t.Fatalf("bigCommerceCSV: no column %q", k)
			}
		}
		rec := make([]string, len(header))
		for i, h := range header {
			rec[i] = row[h]
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return buf.String()
}

func TestBigCommerce(t *testing.T) {
	in := bigCommerceCSV(t, bigCommerceHeader,
		map[string]string{ // line 2: a product with variants
			"Item Type": "Product", "Product ID": "101", "Product Name": "Classic Tee", "Product Type": "P",
			"Product Code/SKU": "TEE", "Brand Name": "Acme", "Option Set": "Tee Sizes and Colours", "Option Set Align": "Right",
			"Product Description": "<p>Soft cotton.</p>", "Price": "20.00", "Cost Price": "8.00", "Retail Price": "25.00",
			"Sale Price": "18.00", "Product Weight": "0.2", "Allow Purchases?": "Y", "Product Visible?": "Y",
			"Track Inventory": "by option", "Current Stock Level": "0", "Category": "Shop All/Tees",
			"Product Image File - 1": "https://cdn11.bigcommerce.com/s-abc123/products/101/images/1/tee.jpg",
			"Search Keywords":        "tee, cotton", "Product URL": "/classic-tee/", "Product Condition": "New",
		},
		map[string]string{ // line 3: a variant taking the product's price
			"Item Type": "SKU", "Product Name": "  [S]Size=Small,[RB]Color=Red", "Product Code/SKU": "TEE-S-RED",
			"Current Stock Level": "5", "Product UPC/EAN": "012345678905",
		},
		map[string]string{ // line 4: a variant with its own price
			"Item Type": "SKU", "Product Name": "[S]Size=Large,[RB]Color=Red, Dark", "Product Code/SKU": "TEE-L-RED",
			"Price": "22.00", "Current Stock Level": "0", "GPS Manufacturer Part Number": "AC-TEE-L-R",
		},
		map[string]string{ // line 5: a rule is not a product
			"Item Type": "Rule", "Product Name": "[S]Size=Large", "Product Code/SKU": "TEE-L-RED", "Price": "[ADD]2.00",
		},
		map[string]string{ // line 6: a product without variants, hidden
			"Item Type": "Product", "Product ID": "102", "Product Name": "Enamel Mug", "Product Code/SKU": "MUG-11",
			"Price": "9.50", "Product Visible?": "N", "Track Inventory": "by product", "Current Stock Level": "40",
			"Product UPC/EAN": "4006381333931",
		},
		map[string]string{ // line 7: inventory not tracked: its 0 means nothing
			"Item Type": "Product", "Product ID": "103", "Product Name": "Gift Wrap", "Product Code/SKU": "WRAP",
			"Price": "3.00", "Product Visible?": "Y", "Track Inventory": "none", "Current Stock Level": "0",
		},
		map[string]string{ // line 8: a product with variants but no SKU of its own
			"Item Type": "Product", "Product ID": "104", "Product Name": "Canvas Tote", "Price": "15.00",
			"Product Visible?": "Y", "Track Inventory": "by option",
		},
		map[string]string{ // line 9
			"Item Type": "SKU", "Product Name": "[RT]Color=Natural", "Product Code/SKU": "TOTE-NAT", "Current Stock Level": "7",
		},
		map[string]string{ // line 10: a variant without SKU
			"Item Type": "SKU", "Product Name": "[RT]Color=Black", "Current Stock Level": "2",
		},
		map[string]string{ // line 11: a product without SKU or variants
			"Item Type": "Product", "Product ID": "105", "Product Name": "Sticker", "Price": "1.00",
		},
	)
	r, res := readAll(t, in, Options{InStockQuantity: 3})
	if r.Format() != FormatBigCommerce {
		t.Fatalf("format = %q, want bigcommerce", r.Format())
	}
	wantErrs := []string{
		`10: Product Code/SKU: this variant has no Product Code/SKU`,
		`11: Product Code/SKU: this product has no Product Code/SKU`,
	}
	if got := messages(res.errs); !slices.Equal(got, wantErrs) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantErrs, "\n"))
	}
	const img = "https://cdn11.bigcommerce.com/s-abc123/products/101/images/1/tee.jpg"
	tee := Row{Title: "Classic Tee", GroupKey: "TEE", Description: "Soft cotton.", ImageURL: img,
		Tags: []string{"tee", "cotton"}, CostCents: 800, HasCost: true, SalePriceCents: 1800, HasSalePrice: true,
		HasQuantity: true, Active: true, HasActive: true}
	small, large := tee, tee
	small.Line, small.SKU, small.Options, small.GTIN = 3, "TEE-S-RED", "Size: Small / Color: Red", "012345678905"
	small.PriceCents, small.HasPrice, small.Quantity = 2000, true, 5
	large.Line, large.SKU, large.Options, large.MPN = 4, "TEE-L-RED", "Size: Large / Color: Red, Dark", "AC-TEE-L-R"
	large.PriceCents, large.HasPrice = 2200, true
	want := []Row{
		small, large,
		{Line: 6, SKU: "MUG-11", Title: "Enamel Mug", GTIN: "4006381333931", PriceCents: 950, HasPrice: true,
			Quantity: 40, HasQuantity: true, Active: false, HasActive: true},
		{Line: 7, SKU: "WRAP", Title: "Gift Wrap", PriceCents: 300, HasPrice: true, Quantity: 3, HasQuantity: true,
			Availability: InStock, Active: true, HasActive: true},
		{Line: 9, SKU: "TOTE-NAT", Title: "Canvas Tote", Options: "Color: Natural", GroupKey: "104", PriceCents: 1500, HasPrice: true,
			Quantity: 7, HasQuantity: true, Active: true, HasActive: true},
	}
	if want = withSaleColumn(want); !reflect.DeepEqual(res.rows, want) {
		t.Errorf("rows:\n%s\nwant:\n%s", rowLines(res.rows), rowLines(want))
	}
	if !slices.Equal(res.unusable, []int{10, 11}) {
		t.Errorf("unusable lines = %v, want [10 11]", res.unusable)
	}
	var wantIgnored []string
	for _, h := range bigCommerceHeader {
		if !slices.Contains(bigCommerceRead, h) {
			wantIgnored = append(wantIgnored, h)
		}
	}
	if got := r.Ignored(); !slices.Equal(got, wantIgnored) {
		t.Errorf("Ignored() = %q\nwant %q", got, wantIgnored)
	}
	wantNotes := []string{`Product URLs were not imported: Product URL holds paths on the store (such as "/classic-tee/"), not web addresses.`,
		"2 parent products (configurable, variable, bundle or grouped) are not imported as products of their own: their variants are, each with its parent's name, grouped under it."}
	if s := r.Summary(); !slices.Equal(s.Notes, wantNotes) || s.InStock != 1 {
		t.Errorf("Summary() notes %q, in stock %d; want %q, 1", s.Notes, s.InStock, wantNotes)
	}
}

// An export with image URLs and the variant rows' own prices and costs;
// the last product is held until the end of the file.
func TestBigCommerceImageURLs(t *testing.T) {
	header := []string{"Item Type", "Product ID", "Product Name", "Product Code/SKU", "Price", "Cost Price",
		"Current Stock Level", "Product Image File - 1", "Product Image URL - 1"}
	in := bigCommerceCSV(t, header,
		map[string]string{"Item Type": "Product", "Product ID": "7", "Product Name": "Lamp", "Product Code/SKU": "LAMP",
			"Price": "40", "Cost Price": "25", "Product Image File - 1": "y/915/lamp__41853.jpg",
			"Product Image URL - 1": "https://cdn11.bigcommerce.com/s-x/images/stencil/original/products/7/1/lamp.jpg"},
		map[string]string{"Item Type": "SKU", "Product Name": "[S]Finish=Brass", "Product Code/SKU": "LAMP-BR",
			"Cost Price": "27", "Current Stock Level": "4"},
		map[string]string{"Item Type": "Product", "Product ID": "8", "Product Name": "Shade", "Product Code/SKU": "SHADE",
			"Price": "12.5", "Current Stock Level": "-1", "Product Image File - 1": "a/001/shade__1.jpg"},
	)
	r, res := readAll(t, in, Options{})
	if got := messages(res.errs); !slices.Equal(got, []string{`4: Current Stock Level: Current Stock Level "-1" is negative`}) {
		t.Errorf("errors = %q", got)
	}
	if len(res.rows) != 2 {
		t.Fatalf("rows = %+v, want LAMP-BR and SHADE", res.rows)
	}
	lamp, shade := res.rows[0], res.rows[1]
	if lamp.SKU != "LAMP-BR" || lamp.ImageURL != "https://cdn11.bigcommerce.com/s-x/images/stencil/original/products/7/1/lamp.jpg" ||
		lamp.PriceCents != 4000 || lamp.CostCents != 2700 || lamp.Quantity != 4 || lamp.GroupKey != "LAMP" || lamp.Options != "Finish: Brass" {
		t.Errorf("variant = %+v", lamp)
	}
	if shade.SKU != "SHADE" || shade.Line != 4 || shade.ImageURL != "" || shade.HasQuantity || shade.PriceCents != 1250 {
		t.Errorf("product = %+v", shade)
	}
	wantNotes := []string{`Images were not imported: Product Image File - 1 holds paths on the store (such as "a/001/shade__1.jpg"), not web addresses.`,
		"1 parent product (configurable, variable, bundle or grouped) is not imported as a product of its own: its variants are, with its name, grouped under it."}
	if s := r.Summary(); !slices.Equal(s.Notes, wantNotes) {
		t.Errorf("Summary().Notes = %q, want %q", s.Notes, wantNotes)
	}
}

func TestBigCommerceOptions(t *testing.T) {
	tests := []struct{ in, want string }{
		{"[S]Size=Small,[RB]Color=Red", "Size: Small / Color: Red"},
		{"[S]Size= Small , [CS]Color= Navy Blue", "Size: Small / Color: Navy Blue"},
		{"[RB]Pack=2, 4 or 6,[S]Size=M", "Pack: 2, 4 or 6 / Size: M"},
		{"Size=Small,Color=Red", "Size: Small / Color: Red"},
		{"[S]Size=", ""},
		{"", ""},
		{"[", "["},
	}
	for _, tt := range tests {
		if got := bigCommerceOptions(tt.in); got != tt.want {
			t.Errorf("bigCommerceOptions(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
