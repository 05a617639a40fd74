package feedfile

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// magentoHeader is the column list of a Magento 2 product export, in the
// order of Adobe Commerce's "Product export attributes reference" and a
// default 2.4 export.
var magentoHeader = strings.Split("sku,store_view_code,attribute_set_code,product_type,categories,product_websites,"+
	"name,description,short_description,weight,product_online,tax_class_name,visibility,price,special_price,"+
	"special_price_from_date,special_price_to_date,url_key,meta_title,meta_keywords,meta_description,base_image,"+
	"base_image_label,small_image,small_image_label,thumbnail_image,thumbnail_image_label,swatch_image,"+
	"swatch_image_label,created_at,updated_at,new_from_date,new_to_date,display_product_options_in,map_price,"+
	"msrp_price,map_enabled,gift_message_available,custom_design,custom_design_from,custom_design_to,"+
	"custom_layout_update,page_layout,product_options_container,msrp_display_actual_price_type,"+
	"country_of_manufacture,additional_attributes,qty,out_of_stock_qty,use_config_min_qty,is_qty_decimal,"+
	"allow_backorders,use_config_backorders,min_cart_qty,use_config_min_sale_qty,max_cart_qty,"+
	"use_config_max_sale_qty,is_in_stock,notify_on_stock_below,use_config_notify_stock_qty,manage_stock,"+
	"use_config_manage_stock,use_config_qty_increments,qty_increments,use_config_enable_qty_inc,"+
	"enable_qty_increments,is_decimal_divided,website_id,related_skus,related_position,crosssell_skus,"+
	"crosssell_position,upsell_skus,upsell_position,additional_images,additional_image_labels,"+
	"hide_from_product_page,bundle_price_type,bundle_sku_type,bundle_price_view,bundle_weight_type,bundle_values,"+
	"bundle_shipment_type,configurable_variations,configurable_variation_labels,associated_skus", ",")

// magentoRead are the columns the reader uses; every other one is reported
// as ignored.
var magentoRead = []string{"sku", "store_view_code", "product_type", "name", "description", "short_description",
	"product_online", "visibility", "price", "special_price", "base_image", "additional_attributes", "qty",
	"is_in_stock", "configurable_variations", "configurable_variation_labels"}

// magentoCSV writes an export with magentoHeader: each row gives some
// columns; the rest stay empty, and the values every row of a real export
// has are filled in.
func magentoCSV(t *testing.T, rows ...map[string]string) string {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(magentoHeader)
	defaults := map[string]string{"attribute_set_code": "Default", "product_websites": "base", "tax_class_name": "Taxable Goods",
		"weight": "1.0000", "created_at": "3/14/24, 9:12 AM", "use_config_min_qty": "1", "manage_stock": "1"}
	for _, row := range rows {
		rec := make([]string, len(magentoHeader))
		for i, h := range magentoHeader {
			if v, ok := row[h]; ok {
				rec[i] = v
			} else if row["store_view_code"] == "" {
				rec[i] = defaults[h]
			}
		}
		for k := range row {
			if !slices.Contains(magentoHeader, k) {
				t.Fatalf("magentoCSV: no column %q", k)
			}
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return buf.String()
}

func magentoIgnored() []string {
	var out []string
	for _, h := range magentoHeader {
		if !slices.Contains(magentoRead, h) {
			out = append(out, h)
		}
	}
	return out
}

// A configurable hoodie with one child listed before it and two after, as
// Magento's export writes them when children were created first.
func magentoHoodie(t *testing.T) string {
	const notVisible = "Not Visible Individually"
	return magentoCSV(t,
		map[string]string{ // line 2: a child before its parent
			"sku": "MH01-XS-Black", "product_type": "simple", "categories": "Default Category/Men/Tops/Hoodies & Sweatshirts",
			"name": "Chaz Kangeroo Hoodie-XS-Black", "product_online": "1", "visibility": notVisible, "price": "52.0000",
			"url_key": "chaz-kangeroo-hoodie-xs-black", "base_image": "/m/h/mh01-black_main.jpg",
			"additional_attributes": "color=Black,size=XS", "qty": "100.0000", "is_in_stock": "1",
		},
		map[string]string{ // line 3: its French store view
			"sku": "MH01-XS-Black", "store_view_code": "french", "name": "Sweat à capuche Chaz-XS-Noir",
		},
		map[string]string{ // line 4: the configurable product
			"sku": "MH01", "product_type": "configurable", "name": "Chaz Kangeroo Hoodie", "description": "<p>Ideal for cold-weather training.</p>",
			"product_online": "1", "visibility": "Catalog, Search", "price": "52.0000", "base_image": "/m/h/mh01-gray_main.jpg",
			"qty": "0.0000", "is_in_stock": "1",
			"configurable_variations":       "sku=MH01-XS-Black,size=XS,color=Black|sku=MH01-XS-Gray,size=XS,color=Gray|sku=MH01-S-Black,color=Black",
			"configurable_variation_labels": "size=Size,color=Color",
		},
		map[string]string{ // line 5: a child after its parent, on sale, sold out
			"sku": "MH01-XS-Gray", "product_type": "simple", "name": "Chaz Kangeroo Hoodie-XS-Gray", "product_online": "1",
			"visibility": notVisible, "price": "52.0000", "special_price": "45.0000", "qty": "0.0000", "is_in_stock": "0",
			"additional_attributes": "color=Gray,size=XS",
		},
		map[string]string{ // line 6: the variation gives no size: it comes from the child's own attributes
			"sku": "MH01-S-Black", "product_type": "simple", "name": "Chaz Kangeroo Hoodie-S-Black", "product_online": "1",
			"visibility": notVisible, "price": "54.0000", "qty": "12.0000", "is_in_stock": "1",
			"additional_attributes": `color=Black,material=Cotton, Polyester,size="S"`,
		},
		map[string]string{ // line 7: a simple product on its own, disabled, stock unknown
			"sku": "24-MB01", "product_type": "simple", "name": "Joust Duffle Bag", "short_description": "A sturdy bag.",
			"product_online": "2", "visibility": "Catalog, Search", "price": "34.0000", "base_image": "https://cdn.example.com/mb01.jpg",
			"is_in_stock": "1",
		},
		map[string]string{ // line 8: not visible on its own, and no parent names it
			"sku": "24-WG080", "product_type": "simple", "name": "Sprite Yoga Strap", "product_online": "1",
			"visibility": notVisible, "price": "14.0000", "qty": "25.0000", "is_in_stock": "1",
		},
		map[string]string{ // line 9: a bundle is a set of other products
			"sku": "24-WG085", "product_type": "bundle", "name": "Sprite Yoga Companion Kit", "product_online": "1",
			"visibility": "Catalog, Search", "bundle_values": "name=Sprite Stasis Ball,type=radio,required=1,sku=24-WG081-blue,price=0.0000,default=0,default_qty=1.0000,price_type=fixed",
		},
		map[string]string{ // line 10: the hoodie's German store view
			"sku": "MH01", "store_view_code": "german", "name": "Chaz Känguru-Kapuzenpullover",
		},
	)
}

func TestMagento(t *testing.T) {
	in := magentoHoodie(t)
	r, res := readAll(t, in, Options{InStockQuantity: 5})
	if r.Format() != FormatMagento {
		t.Fatalf("format = %q, want magento", r.Format())
	}
	if len(res.errs) != 0 || res.err != nil || len(res.unusable) != 0 {
		t.Fatalf("errors %q, %v; unusable %v; want none", messages(res.errs), res.err, res.unusable)
	}
	want := []Row{
		{Line: 2, SKU: "MH01-XS-Black", Title: "Chaz Kangeroo Hoodie", Options: "Color: Black / Size: XS", GroupKey: "MH01",
			PriceCents: 5200, HasPrice: true, Quantity: 100, HasQuantity: true, Availability: InStock, Active: true, HasActive: true},
		{Line: 5, SKU: "MH01-XS-Gray", Title: "Chaz Kangeroo Hoodie", Options: "Color: Gray / Size: XS", GroupKey: "MH01",
			PriceCents: 5200, HasPrice: true, SalePriceCents: 4500, HasSalePrice: true, HasQuantity: true, Availability: OutOfStock,
			Active: true, HasActive: true},
		{Line: 6, SKU: "MH01-S-Black", Title: "Chaz Kangeroo Hoodie", Options: "Color: Black / Size: S", GroupKey: "MH01",
			PriceCents: 5400, HasPrice: true, Quantity: 12, HasQuantity: true, Availability: InStock, Active: true, HasActive: true},
		{Line: 7, SKU: "24-MB01", Title: "Joust Duffle Bag", Description: "A sturdy bag.", ImageURL: "https://cdn.example.com/mb01.jpg",
			PriceCents: 3400, HasPrice: true, Quantity: 5, HasQuantity: true, Availability: InStock, Active: false, HasActive: true},
		{Line: 8, SKU: "24-WG080", Title: "Sprite Yoga Strap", PriceCents: 1400, HasPrice: true, Quantity: 25, HasQuantity: true,
			Availability: InStock, Active: true, HasActive: true},
	}
	if want = withSaleColumn(want); !reflect.DeepEqual(res.rows, want) {
		t.Errorf("rows:\n%s\nwant:\n%s", rowLines(res.rows), rowLines(want))
	}
	if got := r.Ignored(); !slices.Equal(got, magentoIgnored()) {
		t.Errorf("Ignored() = %q\nwant %q", got, magentoIgnored())
	}
	s := r.Summary()
	wantNotes := []string{
		`Images were not imported: base_image holds paths on the Magento server (such as "/m/h/mh01-black_main.jpg"), not web addresses.`,
		// The configurable hoodie and the bundle.
		"2 parent products (configurable, variable, bundle or grouped) are not imported as products of their own: their variants are, each with its parent's name, grouped under it.",
		"2 store-view rows (translations and overrides for one store view) not imported: Dropline keeps the default values of each product.",
	}
	if !slices.Equal(s.Notes, wantNotes) {
		t.Errorf("Summary().Notes = %q\nwant %q", s.Notes, wantNotes)
	}
	if s.Rows != 5 || s.Skipped != 0 || s.InStock != 1 {
		t.Errorf("Summary() rows, skipped, in stock = %d, %d, %d; want 5, 0, 1", s.Rows, s.Skipped, s.InStock)
	}
}

// rowLines shows rows one per line for a failure message.
func rowLines(rows []Row) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%+v\n", r)
	}
	return b.String()
}

func TestMagentoOrder(t *testing.T) {
	const notVisible = "Not Visible Individually"
	parent := map[string]string{"sku": "WS03", "product_type": "configurable", "name": "Iris Workout Top",
		"configurable_variations": "sku=WS03-XS-Red,size=XS,color=Red|sku=WS03-XS-Blue,size=XS,color=Blue"}
	red := map[string]string{"sku": "WS03-XS-Red", "product_type": "simple", "name": "Iris-XS-Red", "visibility": notVisible, "qty": "3"}
	blue := map[string]string{"sku": "WS03-XS-Blue", "product_type": "simple", "name": "Iris-XS-Blue", "visibility": notVisible, "qty": "4"}
	solo := map[string]string{"sku": "24-UG06", "product_type": "virtual", "name": "Affirm Water Bottle", "visibility": "Catalog, Search", "qty": "9"}
	tests := []struct {
		name  string
		rows  []map[string]string
		lines []int // the order rows come in
	}{
		{"parent first", []map[string]string{parent, red, blue, solo}, []int{3, 4, 5}},
		{"children first", []map[string]string{red, blue, parent, solo}, []int{2, 3, 5}},
		{"around a product on its own", []map[string]string{red, solo, parent, blue}, []int{3, 2, 5}},
		{"no parent", []map[string]string{red, solo, blue}, []int{3, 2, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, res := readAll(t, magentoCSV(t, tt.rows...), Options{})
			if len(res.errs) != 0 {
				t.Fatalf("errors %q", messages(res.errs))
			}
			if got := lines(res.rows); !slices.Equal(got, tt.lines) {
				t.Errorf("lines = %v, want %v", got, tt.lines)
			}
			withParent := !strings.HasPrefix(tt.name, "no parent")
			for _, row := range res.rows {
				if row.SKU == "24-UG06" {
					if row.GroupKey != "" || row.Title != "Affirm Water Bottle" {
						t.Errorf("product on its own = %+v", row)
					}
					continue
				}
				color := strings.TrimPrefix(row.SKU, "WS03-XS-")
				if withParent && (row.Title != "Iris Workout Top" || row.GroupKey != "WS03" || row.Options != "Color: "+color+" / Size: XS") {
					t.Errorf("child %s = %+v; want the parent's name, group and options", row.SKU, row)
				}
				if !withParent && (row.Title != "Iris-XS-"+color || row.GroupKey != "" || row.Options != "") {
					t.Errorf("child %s without parent = %+v; want it as it stands", row.SKU, row)
				}
			}
		})
	}
}

func TestMagentoRowProblems(t *testing.T) {
	const notVisible = "Not Visible Individually"
	in := magentoCSV(t,
		map[string]string{"sku": "A", "product_type": "simple", "name": "A", "visibility": notVisible, "qty": "2"},
		map[string]string{"sku": "A", "product_type": "simple", "name": "A again", "visibility": "Catalog", "qty": "1"},
		map[string]string{"sku": "", "product_type": "simple", "name": "No SKU", "price": "3"},
		map[string]string{"sku": "B", "product_type": "simple", "name": "B", "product_online": "yes", "is_in_stock": "maybe", "price": "-1", "qty": "5 kg"},
		map[string]string{"sku": "C", "product_type": "simple", "name": "C", "special_price": "abc"},
		map[string]string{"sku": "B", "product_type": "simple", "name": "B again"},
	)
	_, res := readAll(t, in, Options{})
	want := []string{
		`3: sku: SKU "A" appears again; first on line 2`,
		`4: sku: this row has no sku`,
		`5: price: price "-1" is negative`,
		`5: qty: qty "5 kg" is a measure, not a count of items in stock`,
		`5: is_in_stock: is_in_stock "maybe" is not 1 or 0`,
		`5: product_online: product_online "yes" is not 1 (enabled) or 2 (disabled)`,
		`6: special_price: special_price "abc" is not a number`,
		`7: sku: SKU "B" appears again; first on line 5`,
	}
	if got := messages(res.errs); !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := skus(res.rows); !slices.Equal(got, []string{"B", "C", "A"}) {
		t.Errorf("SKUs = %q, want [B C A] (A held to the end)", got)
	}
	if !slices.Equal(res.unusable, []int{3, 4, 7}) {
		t.Errorf("unusable lines = %v, want [3 4 7]", res.unusable)
	}
}

func TestSplitMagentoPairs(t *testing.T) {
	tests := []struct {
		in   string
		want [][2]string
	}{
		{"", nil},
		{"color=Black,size=XS", [][2]string{{"color", "Black"}, {"size", "XS"}}},
		{"material=Cotton, Polyester,size=M", [][2]string{{"material", "Cotton, Polyester"}, {"size", "M"}}},
		{`color="Black",size= XS `, [][2]string{{"color", "Black"}, {"size", "XS"}}},
		{"sku=A=1,junk", [][2]string{{"sku", "A=1,junk"}}},
	}
	for _, tt := range tests {
		if got := splitMagentoPairs(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitMagentoPairs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// BenchmarkMagentoWideLabels reads a configurable product whose labels and
// variations cells are huge, with its children after it: the time per
// child must not grow with the labels cell.
func BenchmarkMagentoWideLabels(b *testing.B) {
	var labels, vars, rows strings.Builder
	for i := range 20_000 {
		fmt.Fprintf(&labels, "a%d=X,", i)
		fmt.Fprintf(&vars, "sku=S%d,a%d=v|", i, i)
	}
	for i := range 2_000 {
		fmt.Fprintf(&rows, "S%d,,simple,x,1,,\n", i)
	}
	in := "sku,store_view_code,product_type,name,qty,configurable_variations,configurable_variation_labels\n" +
		"P,,configurable,P,,\"" + vars.String() + "\",\"" + labels.String() + "\"\n" + rows.String()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		readAll(b, in, Options{})
	}
}
