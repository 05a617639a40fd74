package feedfile

import (
	"io"
	"slices"
	"strings"
	"testing"
)

func TestParseQuantity(t *testing.T) {
	tests := []struct {
		in      string
		n       int
		avail   string
		problem string
	}{
		{"12", 12, "", ""},
		{"12.0", 12, "", ""},
		{"12 pcs", 12, "", ""},
		{"12 Units", 12, "", ""},
		{"12 in stock", 12, "", ""},
		{"100+", 100, "", ""},
		{">100", 100, "", ""},
		{"100 ML", 0, "", "is a measure, not a count of items in stock"},
		{"2 kg", 0, "", "is a measure, not a count of items in stock"},
		{"in stock", 0, InStock, ""},
		{"in_stock", 0, InStock, ""},
		{"Available", 0, InStock, ""},
		{"out of stock", 0, OutOfStock, ""},
		{"Sold out", 0, OutOfStock, ""},
		{"backorder", 0, Backorder, ""},
		{"preorder", 0, Preorder, ""},
		{"-3", 0, "", "is negative"},
		{"1.5", 0, "", "is not a whole number"},
		{"lots", 0, "", "is not a number"},
		{"12 boxes of 6", 0, "", "is not a number"},
	}
	for _, tt := range tests {
		n, avail, problem := parseQuantity(tt.in)
		if n != tt.n || avail != tt.avail || problem != tt.problem {
			t.Errorf("parseQuantity(%q) = %d, %q, %q; want %d, %q, %q", tt.in, n, avail, problem, tt.n, tt.avail, tt.problem)
		}
	}
}

func TestCheckGTIN(t *testing.T) {
	for _, ok := range []string{"96385074", "012345678905", "4006381333931", "10012345678902", "698615070527"} {
		if p := checkGTIN(ok); p != "" {
			t.Errorf("checkGTIN(%q) = %q, want valid", ok, p)
		}
	}
	for in, want := range map[string]string{
		"4006381333932":  "has a wrong check digit (2; the digits before it give 1): a digit may be mistyped",
		"12345678905":    "has 11 digits: a UPC has 12 (a spreadsheet may have dropped a leading zero)",
		"0306406152":     "has 10 digits: a GTIN has 8, 12, 13 or 14",
		"40063813339X1":  "is not a GTIN: use digits only",
		"40063813339311": "has a wrong check digit (1; the digits before it give 4): a digit may be mistyped",
	} {
		if got := checkGTIN(in); got != want {
			t.Errorf("checkGTIN(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPlainText(t *testing.T) {
	tests := map[string]string{
		"Plain text & more? No: no markup.":                                                       "Plain text & more? No: no markup.",
		"<p>Soft <b>cotton</b>.</p><p>Pre-shrunk.</p>":                                            "Soft cotton.\n\nPre-shrunk.",
		"<ul><li>One</li><li>Two</li></ul>":                                                       "• One\n• Two",
		"Line<br>break &amp; &eacute;t&eacute;":                                                   "Line\nbreak & été",
		`<p onclick="x()">Hi</p><script>alert(1)</script><style>p{}</style><img src=x onerror=y>`: "Hi",
		"<p>  lots   of\n\n\n   space </p>":                                                       "lots of\n\nspace",
	}
	for in, want := range tests {
		if got := plainText(in); got != want {
			t.Errorf("plainText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBuiltSKU(t *testing.T) {
	if got := builtSKU("classic-tee", []string{"Red", "M", ""}); got != "classic-tee-red-m" {
		t.Errorf("builtSKU = %q", got)
	}
	if got := builtSKU("Mug", []string{"11 oz / White", "", ""}); got != "mug-11-oz-white" {
		t.Errorf("builtSKU = %q", got)
	}
}

// A Shopify export whose variants have no Variant SKU, as small shops'
// exports often are: with BuildSKUs each variant gets a SKU from its
// handle and options, the same on every read; without, each is skipped
// and counted.
func TestShopifyWithoutVariantSKUs(t *testing.T) {
	const in = "Handle,Title,Body (HTML),Option1 Name,Option1 Value,Option2 Name,Option2 Value,Variant SKU,Variant Price,Variant Inventory Qty,Image Src\n" +
		"classic-tee,Classic Tee,<p>Soft</p>,Color,Red,Size,M,,19.99,5,https://e/t.jpg\n" +
		"classic-tee,,,,Red,,L,,19.99,2,\n" +
		"classic-tee,,,,,,,,,,https://e/t2.jpg\n" +
		"mug,Mug,,Title,Default Title,,,,9.50,10,\n"
	for range 2 { // stable across reads
		r, res := readAll(t, in, Options{BuildSKUs: true})
		if got, want := skus(res.rows), []string{"classic-tee-red-m", "classic-tee-red-l", "mug"}; !slices.Equal(got, want) {
			t.Fatalf("SKUs = %q, want %q (errors %q)", got, want, messages(res.errs))
		}
		if r0 := res.rows[0]; !r0.BuiltSKU || r0.Title != "Classic Tee" || r0.GroupKey != "classic-tee" || r0.Options != "Color: Red / Size: M" || r0.Quantity != 5 {
			t.Errorf("first = %+v", r0)
		}
		if mug := res.rows[2]; mug.GroupKey != "" || mug.Options != "" {
			t.Errorf("mug = %+v; a product without options has no group", mug)
		}
		if s := r.Summary(); s.BuiltSKUs != 3 || s.BuiltExample != "classic-tee-red-m" {
			t.Errorf("Summary = %+v", s)
		}
	}
	r, res := readAll(t, in, Options{})
	if len(res.rows) != 0 || len(res.errs) != 3 || !res.errs[0].Skipped {
		t.Errorf("without BuildSKUs: rows %v, errors %+v", res.rows, res.errs)
	}
	if s := r.Summary(); s.MissingSKUs != 3 || s.Skipped != 3 {
		t.Errorf("Summary = %+v", s)
	}
}

// The summary of a file read through a mapping that left title and
// quantity out: both are empty on every row, which the user must
// acknowledge; ignored columns are listed.
func TestSummaryEmptyFields(t *testing.T) {
	const in = "sku,name,qty,weight,price\nA,Alpha,100 ML,1,2.00\nB,Beta,in stock,2,\nC,Gamma,,3,4.00\n"
	r, err := NewReader(strings.NewReader(in), Options{Mapping: Mapping{"sku": "sku", "price": "price"}, InStockQuantity: 7})
	if err != nil {
		t.Fatal(err)
	}
	drain(t, r)
	s := r.Summary()
	if !slices.Equal(s.Ignored, []string{"name", "qty", "weight"}) || s.Rows != 3 {
		t.Errorf("Summary = %+v", s)
	}
	var msgs []string
	for _, e := range s.Loses() {
		msgs = append(msgs, e.Message())
	}
	if want := []string{"title is empty on all 3 rows (no column holds it)", "quantity is empty on all 3 rows (no column holds it)"}; !slices.Equal(msgs, want) {
		t.Errorf("Loses = %q, want %q", msgs, want)
	}

	// Mapped properly: the measure is reported and left empty, the word
	// gets the in-stock quantity, the empty cell stays empty.
	r, err = NewReader(strings.NewReader(in), Options{Mapping: Mapping{"sku": "sku", "title": "name", "quantity": "qty", "price": "price"}, InStockQuantity: 7})
	if err != nil {
		t.Fatal(err)
	}
	res := drain(t, r)
	if got := messages(res.errs); !slices.Equal(got, []string{`2: qty: qty "100 ML" is a measure, not a count of items in stock`}) || res.errs[0].Skipped {
		t.Errorf("errors = %q", got)
	}
	if b := res.rows[1]; b.Quantity != 7 || !b.HasQuantity || b.Availability != InStock {
		t.Errorf("B = %+v; want the in-stock quantity 7", b)
	}
	s = r.Summary()
	if s.InStock != 1 || len(s.Loses()) != 0 {
		t.Errorf("Summary = %+v", s)
	}
	var empty []string
	for _, e := range s.Empty {
		empty = append(empty, e.Message())
	}
	if want := []string{"price is empty on 1 row (column price)", "quantity is empty on 2 rows (column qty)"}; !slices.Equal(empty, want) {
		t.Errorf("Empty = %q, want %q", empty, want)
	}
	if _, _, err := r.Next(); err != io.EOF {
		t.Errorf("Next after the end = %v", err)
	}
}

func TestBuiltSKUStaysShort(t *testing.T) {
	handle := strings.Repeat("organic-cotton-relaxed-fit-crew-neck-", 3)
	a := builtSKU(handle, []string{"Heather Grey", "XL", ""})
	b := builtSKU(handle, []string{"Heather Grey", "XXL", ""})
	if len(a) > 90 || len(b) > 90 || a == b || a != builtSKU(handle, []string{"Heather Grey", "XL", ""}) {
		t.Errorf("built SKUs %q (%d), %q (%d): want under 90 characters, distinct and stable", a, len(a), b, len(b))
	}
}

// An explicit out of stock beats a stock count (Magento keeps qty when a
// product is set out of stock; Google's availability is what shoppers see).
func TestOutOfStockBeatsAQuantity(t *testing.T) {
	_, res := readAll(t, "id\ttitle\tavailability\tquantity\nA-1\tMug\tout of stock\t5\nA-2\tCup\tin stock\t5\n", Options{})
	if len(res.rows) != 2 || res.rows[0].Quantity != 0 || !res.rows[0].HasQuantity || res.rows[1].Quantity != 5 {
		t.Fatalf("rows %+v", res.rows)
	}
	if got := messages(res.errs); !slices.Equal(got, []string{"2: : the row says out of stock but gives a quantity of 5: quantity 0"}) || res.errs[0].Skipped {
		t.Errorf("errors %q", got)
	}
}
