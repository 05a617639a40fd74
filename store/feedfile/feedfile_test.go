package feedfile

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// result is everything a file produced.
type result struct {
	rows     []Row      // usable rows
	errs     []RowError // every row error, usable rows or not
	unusable []int      // lines of rows returned without a SKU
	err      error      // the error that ended reading, nil for io.EOF
}

// readAll reads a whole file; it fails the test if NewReader fails.
func readAll(t testing.TB, in string, opt Options) (*Reader, result) {
	t.Helper()
	r, err := NewReader(strings.NewReader(in), opt)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	return r, drain(t, r)
}

func drain(t testing.TB, r *Reader) result {
	t.Helper()
	var res result
	for range 1_000_000 {
		row, errs, err := r.Next()
		if err != nil {
			if err != io.EOF {
				res.err = err
			}
			return res
		}
		res.errs = append(res.errs, errs...)
		if row.Usable() {
			res.rows = append(res.rows, row)
		} else {
			if len(errs) == 0 {
				t.Fatalf("line %d: unusable row without a RowError", row.Line)
			}
			res.unusable = append(res.unusable, row.Line)
		}
	}
	t.Fatal("Next never returned io.EOF")
	return res
}

// messages lists row errors as "line: column: message".
func messages(errs []RowError) []string {
	var out []string
	for _, e := range errs {
		out = append(out, fmt.Sprintf("%d: %s: %s", e.Line, e.Column, e.Message))
	}
	return out
}

func skus(rows []Row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.SKU)
	}
	return out
}

func lines(rows []Row) []int {
	var out []int
	for _, r := range rows {
		out = append(out, r.Line)
	}
	return out
}

func fileError(t *testing.T, err error) *FileError {
	t.Helper()
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *FileError", err, err)
	}
	return fe
}

func TestDroplineFullRow(t *testing.T) {
	in := "sku,title,options,gtin,mpn,cost,price,quantity,lead_time_days,url,image_url,description,tags,active\n" +
		`TEE-1,Classic Tee,Color: Red,0012345678905,CT-100,6.50,19.99,25,3,https://e.com/t,https://e.com/t.jpg,"Soft, cotton","apparel|tees, summer",false` + "\n"
	r, res := readAll(t, in, Options{})
	if r.Format() != FormatDropline || r.Delimiter() != ',' {
		t.Errorf("format, delimiter = %q, %q; want %q, ','", r.Format(), r.Delimiter(), FormatDropline)
	}
	if len(res.errs) != 0 || res.err != nil {
		t.Fatalf("errors %q, %v; want none", messages(res.errs), res.err)
	}
	want := Row{
		Line: 2, SKU: "TEE-1", Title: "Classic Tee", Options: "Color: Red", GTIN: "0012345678905", MPN: "CT-100",
		URL: "https://e.com/t", ImageURL: "https://e.com/t.jpg", Description: "Soft, cotton",
		Tags:       []string{"apparel", "tees", "summer"},
		PriceCents: 1999, CostCents: 650, HasPrice: true, HasCost: true,
		Quantity: 25, HasQuantity: true, LeadTimeDays: 3, HasLeadTime: true,
		Active: false, HasActive: true,
	}
	if len(res.rows) != 1 || !reflect.DeepEqual(res.rows[0], want) {
		t.Errorf("rows = %+v\nwant  %+v", res.rows, want)
	}
	if got := r.Ignored(); len(got) != 0 {
		t.Errorf("Ignored() = %q, want none", got)
	}
}

func TestDroplineHeaders(t *testing.T) {
	// Any order, any case, spaces for underscores. An unknown column
	// (Brand) means the file is not Dropline's template: read as Dropline
	// only when asked, and then the column is listed as ignored.
	in := "Price, SKU ,Brand,Lead Time Days,QUANTITY\n9.50,A1,Acme,2,7\n"
	if f, _, err := Detect([]byte(in)); !errors.Is(err, ErrNeedsMapping) {
		t.Errorf("Detect = %q, %v; want ErrNeedsMapping for a sku column among unknown ones", f, err)
	}
	r, res := readAll(t, in, Options{Format: FormatDropline})
	if len(res.rows) != 1 {
		t.Fatalf("got %d rows, want 1 (errors %q)", len(res.rows), messages(res.errs))
	}
	got := res.rows[0]
	if got.SKU != "A1" || got.PriceCents != 950 || got.LeadTimeDays != 2 || got.Quantity != 7 {
		t.Errorf("row = %+v, want SKU A1, 950 cents, lead 2, quantity 7", got)
	}
	if !got.Active || got.HasActive {
		t.Errorf("Active, HasActive = %v, %v; want true, false when the column is absent", got.Active, got.HasActive)
	}
	if want := []string{"Price", "SKU", "Brand", "Lead Time Days", "QUANTITY"}; !slices.Equal(r.Header(), want) {
		t.Errorf("Header() = %q, want %q", r.Header(), want)
	}
	if want := []string{"Brand"}; !slices.Equal(r.Ignored(), want) {
		t.Errorf("Ignored() = %q, want %q", r.Ignored(), want)
	}
}

func TestDroplineBOMAndCRLF(t *testing.T) {
	in := "\xEF\xBB\xBFsku,title,price\r\nA,Alpha,1.00\r\nB,Beta,2.00\r\n"
	r, res := readAll(t, in, Options{})
	if r.Header()[0] != "sku" {
		t.Errorf("first header = %q, want %q (BOM stripped)", r.Header()[0], "sku")
	}
	if got, want := skus(res.rows), []string{"A", "B"}; !slices.Equal(got, want) {
		t.Errorf("SKUs = %q, want %q", got, want)
	}
	if got := res.rows[1].Title; got != "Beta" {
		t.Errorf("title = %q, want %q (no CR left)", got, "Beta")
	}
}

func TestDroplineOldMacLineEnds(t *testing.T) {
	_, res := readAll(t, "sku,price\rA,1\rB,2\r", Options{})
	if got, want := lines(res.rows), []int{2, 3}; !slices.Equal(got, want) {
		t.Errorf("lines = %v, want %v", got, want)
	}
}

func TestDroplineSemicolon(t *testing.T) {
	in := "sku;title;price;cost\nA;Tasse;19,99;1.234,50\nB;\"Teller; groß\";€5;3\n"
	r, res := readAll(t, in, Options{})
	if r.Delimiter() != ';' {
		t.Errorf("delimiter = %q, want ';'", r.Delimiter())
	}
	if len(res.errs) != 0 || len(res.rows) != 2 {
		t.Fatalf("rows %d, errors %q; want 2 rows, no errors", len(res.rows), messages(res.errs))
	}
	a, b := res.rows[0], res.rows[1]
	if a.PriceCents != 1999 || a.CostCents != 123450 {
		t.Errorf("A price, cost = %d, %d; want 1999, 123450", a.PriceCents, a.CostCents)
	}
	if b.Title != "Teller; groß" || b.PriceCents != 500 || b.Currency != "EUR" {
		t.Errorf("B = %q, %d, %q; want %q, 500, EUR", b.Title, b.PriceCents, b.Currency, "Teller; groß")
	}
}

func TestQuotedCellsAndLineNumbers(t *testing.T) {
	in := "sku,description,price\n" +
		"A,\"line one\nline two\nline three\",1\n" + // spreadsheet row 2, text lines 2-4
		"\n" + // a blank row 3
		"B,\"says \"\"hi\"\", ok\",2\n" + // row 4
		",,\n" + // an all-blank row 5, skipped
		"C,plain,3\n" + // row 6
		"D,x,\"4\r\n\"\r\n" + // row 7, a line break in the last cell
		"E,y,5\n" // row 8
	_, res := readAll(t, in, Options{})
	if got, want := lines(res.rows), []int{2, 4, 6, 7, 8}; !slices.Equal(got, want) {
		t.Errorf("lines = %v, want %v", got, want)
	}
	if got, want := res.rows[0].Description, "line one\nline two\nline three"; got != want {
		t.Errorf("description = %q, want %q", got, want)
	}
	if got, want := res.rows[1].Description, `says "hi", ok`; got != want {
		t.Errorf("description = %q, want %q", got, want)
	}
}

func TestRaggedRows(t *testing.T) {
	in := "sku,title,price,quantity\n" +
		"A,Alpha\n" + // short: missing cells are empty
		"B,Beta,2,3,,\n" + // extra empty cells: fine
		"C,Gamma,3,4,oops\n" // extra content: misaligned
	_, res := readAll(t, in, Options{})
	if got, want := skus(res.rows), []string{"A", "B"}; !slices.Equal(got, want) {
		t.Errorf("SKUs = %q, want %q", got, want)
	}
	if a := res.rows[0]; a.HasPrice || a.HasQuantity {
		t.Errorf("A HasPrice, HasQuantity = %v, %v; want false, false", a.HasPrice, a.HasQuantity)
	}
	want := []string{`4: : this row has 5 cells but the header has 4 columns: a value may contain an unquoted ","`}
	if got := messages(res.errs); !slices.Equal(got, want) {
		t.Errorf("errors = %q, want %q", got, want)
	}
	if !slices.Equal(res.unusable, []int{4}) {
		t.Errorf("unusable lines = %v, want [4]", res.unusable)
	}
}

func TestFileErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opt  Options
		kind error
		line int
		msg  string
	}{
		{"empty", "", Options{}, ErrEmpty, 0, "The file is empty."},
		{"only BOM", "\xEF\xBB\xBF", Options{}, ErrEmpty, 0, "The file is empty."},
		{"blank lines", "\r\n\n  \n", Options{}, ErrEmpty, 0, "The file is empty."},
		{"empty with format", "", Options{Format: FormatShopify}, ErrEmpty, 0, "The file is empty."},
		{"UTF-16 BOM", "\xff\xfes\x00k\x00u\x00", Options{}, ErrEncoding, 1, "Line 1 is not valid UTF-8 text (it looks like UTF-16): save the file as UTF-8."},
		{"Latin-1 header", "sku,d\xe9signation\nA,b\n", Options{}, ErrEncoding, 1, "Line 1 is not valid UTF-8 text: save the file as UTF-8."},
		{"no SKU column", "a,b,c\n1,2,3\n", Options{}, ErrNeedsMapping, 1, "Dropline does not recognise these columns as one of the formats it reads (found: a, b, c): say which column holds what."},
		{"no SKU, Dropline asked", "name,price\nx,1\n", Options{Format: FormatDropline}, ErrNoSKUColumn, 1, "No SKU column: expected sku (found: name, price)."},
		{"no SKU, Shopify asked", "Handle,Title\nx,y\n", Options{Format: FormatShopify}, ErrNoSKUColumn, 1, "No SKU column: expected Variant SKU (found: Handle, Title)."},
		{"wrong delimiter", "sku;title;price\nA;B;1\n", Options{Delimiter: ','}, ErrSingleColumn, 1, "Only one column was found: is the file separated by something other than commas?"},
		{"one odd column", "sku:title:price\nA:B:1\n", Options{}, ErrSingleColumn, 1, "Only one column was found: is the file separated by something other than commas?"},
		{"duplicate column", "sku,price,Price\nA,1,2\n", Options{}, ErrDuplicateColumn, 1, "The column price appears twice (columns 2 and 3)."},
		{"unclosed quote in header", "sku,\"title\n", Options{Format: FormatDropline}, ErrMalformed, 1, `Line 1 has a quoted cell that is not closed properly: check its quote marks (").`},
		{"XML not Google", "<?xml version=\"1.0\"?><products><p/></products>", Options{}, ErrUnknownFormat, 0, "This XML file is not a Google Merchant feed (RSS 2.0 or Atom with the g: namespace)."},
		{"XML read as CSV", googleXML, Options{Format: FormatWooCommerce}, ErrUnknownFormat, 0, "This file is XML, not a CSV or TSV file."},
		{"mapping without sku", "code,amount\nA,1\n", Options{Mapping: Mapping{"price": "amount"}}, ErrMapping, 0, "The column mapping must say which column holds the SKU."},
		{"mapping to missing column", "code,amount\nA,1\n", Options{Mapping: Mapping{"sku": "Item"}}, ErrMapping, 1, `The column "Item" chosen for sku is not in the file (found: code, amount).`},
		{"mapping unknown field", "code,amount\nA,1\n", Options{Mapping: Mapping{"sku": "code", "colour": "amount"}}, ErrMapping, 0, `The column mapping uses "colour", which is not a Dropline field (sku, title, options, gtin, mpn, cost, price, quantity, lead_time_days, url, image_url, description, tags, active).`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(strings.NewReader(tt.in), tt.opt)
			if err == nil {
				t.Fatalf("NewReader = %v, nil; want an error", r)
			}
			fe := fileError(t, err)
			if !errors.Is(err, tt.kind) || fe.Line != tt.line || fe.Message != tt.msg {
				t.Errorf("got %v, line %d, %q\nwant %v, line %d, %q", fe.Err, fe.Line, fe.Message, tt.kind, tt.line, tt.msg)
			}
		})
	}
}

func TestOptionErrors(t *testing.T) {
	for _, opt := range []Options{
		{Format: "csv"},
		{Format: FormatMapped},
		{Format: FormatShopify, Mapping: Mapping{"sku": "x"}},
		{Delimiter: ':'},
	} {
		_, err := NewReader(strings.NewReader("sku\nA\n"), opt)
		var fe *FileError
		if err == nil || errors.As(err, &fe) {
			t.Errorf("NewReader with %+v: err = %v; want a plain (programming) error", opt, err)
		}
	}
}

func TestHeaderOnly(t *testing.T) {
	r, res := readAll(t, "sku,title,price\r\n", Options{})
	if len(res.rows) != 0 || len(res.errs) != 0 || res.err != nil {
		t.Errorf("got %d rows, errors %q, %v; want nothing", len(res.rows), messages(res.errs), res.err)
	}
	if got := r.Header(); !slices.Equal(got, []string{"sku", "title", "price"}) {
		t.Errorf("Header() = %q", got)
	}
	if _, _, err := r.Next(); err != io.EOF {
		t.Errorf("Next after the end = %v, want io.EOF", err)
	}
}

func TestInvalidUTF8MidStream(t *testing.T) {
	in := "sku,title\nA,ok\n\"B\",\"two\nlines\"\nC,caf\xe9\nD,never read\n"
	r, res := readAll(t, in, Options{})
	if got := skus(res.rows); !slices.Equal(got, []string{"A", "B"}) {
		t.Errorf("SKUs before the error = %q, want [A B]", got)
	}
	fe := fileError(t, res.err)
	if !errors.Is(fe, ErrEncoding) || fe.Line != 4 || fe.Message != "Line 4 is not valid UTF-8 text: save the file as UTF-8." {
		t.Errorf("error = line %d %q, want line 4 encoding error", fe.Line, fe.Message)
	}
	if _, _, err := r.Next(); err != res.err {
		t.Errorf("Next after a file error = %v, want the same error again", err)
	}
}

func TestMalformedQuoting(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		msg      string
	}{
		{"bare quote", "sku,title\nA,ok\nB,15\" screen\n", 3, `Line 3 has a stray quote mark ("): a cell with quote marks must start and end with one, and quote marks inside it must be doubled ("").`},
		{"text after closing quote", "sku,title\nA,\"ok\"x\n", 2, `Line 2 has a quoted cell that is not closed properly: check its quote marks (").`},
		{"never closed", "sku,title\nA,ok\nB,\"open\nC,x\nD,y\n", 3, `Line 3 has a quoted cell that is not closed properly: check its quote marks (").`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, res := readAll(t, tt.in, Options{})
			fe := fileError(t, res.err)
			if !errors.Is(fe, ErrMalformed) || fe.Line != tt.line || fe.Message != tt.msg {
				t.Errorf("error = line %d %q\nwant line %d %q", fe.Line, fe.Message, tt.line, tt.msg)
			}
		})
	}
}

func TestDuplicateSKUs(t *testing.T) {
	in := "sku,price\nA,1\nB,2\nA,3\nA,4\n"
	_, res := readAll(t, in, Options{})
	if got := skus(res.rows); !slices.Equal(got, []string{"A", "B"}) {
		t.Errorf("usable SKUs = %q, want [A B]", got)
	}
	if res.rows[0].PriceCents != 100 {
		t.Errorf("A price = %d, want the first occurrence's 100", res.rows[0].PriceCents)
	}
	want := []string{
		`4: sku: SKU "A" appears again; first on line 2`,
		`5: sku: SKU "A" appears again; first on line 2`,
	}
	if got := messages(res.errs); !slices.Equal(got, want) {
		t.Errorf("errors = %q\nwant %q", got, want)
	}
}

func TestRowLevelProblems(t *testing.T) {
	in := "sku,price,cost,quantity,lead_time_days,active\n" +
		"A,19.99,,-3,2,yes\n" +
		"B,abc,5,1.5,x,maybe\n" +
		"C,19.999,€1,12.0,,\n" +
		"D,$5,EUR 1,abc,-1,0\n" +
		",1,1,1,1,1\n" +
		"E,1,1,,,\n"
	_, res := readAll(t, in, Options{})
	want := []string{
		`2: quantity: quantity "-3" is negative`,
		`3: price: price "abc" is not a number`,
		`3: quantity: quantity "1.5" is not a whole number`,
		`3: lead_time_days: lead_time_days "x" is not a number`,
		`3: active: active "maybe" is not one of true, false, yes, no, 1, 0`,
		`4: price: price "19.999" has more than 2 decimal places`,
		`5: quantity: quantity "abc" is not a number`,
		`5: lead_time_days: lead_time_days "-1" is negative`,
		`6: sku: this row has no SKU`,
	}
	if got := messages(res.errs); !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := skus(res.rows); !slices.Equal(got, []string{"A", "B", "C", "D", "E"}) {
		t.Fatalf("usable SKUs = %q, want A-E", got)
	}
	a, b, c, d, e := res.rows[0], res.rows[1], res.rows[2], res.rows[3], res.rows[4]
	if a.HasQuantity || !a.HasPrice || a.PriceCents != 1999 || !a.HasLeadTime || !a.Active || !a.HasActive {
		t.Errorf("A = %+v; want price kept, quantity unset, active", a)
	}
	if b.HasPrice || !b.HasCost || b.CostCents != 500 || b.HasQuantity || b.HasLeadTime || b.HasActive || !b.Active {
		t.Errorf("B = %+v; want only cost set, Active defaulting to true", b)
	}
	if c.HasPrice || c.CostCents != 100 || c.Currency != "EUR" || c.Quantity != 12 || !c.HasQuantity {
		t.Errorf("C = %+v; want cost 100 EUR, quantity 12", c)
	}
	if d.PriceCents != 500 || d.CostCents != 100 || d.Currency != "EUR" || d.Active || !d.HasActive {
		t.Errorf("D = %+v; want 500, 100 EUR, inactive", d)
	}
	if e.HasQuantity || e.HasLeadTime || e.HasActive || len(e.Tags) != 0 {
		t.Errorf("E = %+v; want empty cells unset, not errors", e)
	}
}

func TestCurrencyMismatch(t *testing.T) {
	_, res := readAll(t, "sku,price,cost\nA,10 USD,5 EUR\n", Options{})
	want := []string{`2: cost: cost "5 EUR" is in EUR, not USD like the price`}
	if got := messages(res.errs); !slices.Equal(got, want) {
		t.Errorf("errors = %q, want %q", got, want)
	}
	if r := res.rows[0]; r.Currency != "USD" || r.HasCost {
		t.Errorf("row = %+v; want USD price, cost unset", r)
	}
}

const shopifyCSV = "Handle,Title,Body (HTML),Tags,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Variant SKU,Variant Inventory Qty,Variant Price,Cost per item,Variant Barcode,Image Src,Variant Image,Status\n" +
	"tee,Tee,<p>Soft</p>,\"summer, cotton\",Color,Red,Size,M,TEE-R-M,5,19.99,7.5,012345678905,https://e/tee.jpg,,active\n" +
	"tee,,,,,Red,,L,TEE-R-L,0,19.99,7.5,3.65275E+11,https://e/tee2.jpg,https://e/red.jpg,\n" +
	"tee,,,,,,,,,,,,,https://e/tee3.jpg,,\n" + // image only
	"tee,,,,,Blue,,M,,4,19.99,,,,,\n" + // variant without SKU
	"mug,Mug,,,Title,Default Title,,,MUG,-2,9.5,,,,,draft\n" +
	"hat,Hat,,,Title,Default Title,,,HAT,1,5,,,,,sold\n"

func TestShopify(t *testing.T) {
	r, res := readAll(t, shopifyCSV, Options{})
	if r.Format() != FormatShopify {
		t.Fatalf("format = %q, want shopify", r.Format())
	}
	wantErrs := []string{
		`3: Variant Barcode: Variant Barcode "3.65275E+11" was mangled by a spreadsheet (scientific notation) and has lost digits: format the column as text and export it again`,
		`5: Variant SKU: this variant has a price or quantity but no Variant SKU`,
		`6: Variant Inventory Qty: Variant Inventory Qty "-2" is negative`,
		`7: Status: Status "sold" is not active, draft or archived`,
	}
	if got := messages(res.errs); !slices.Equal(got, wantErrs) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantErrs, "\n"))
	}
	if got, want := skus(res.rows), []string{"TEE-R-M", "TEE-R-L", "MUG", "HAT"}; !slices.Equal(got, want) {
		t.Fatalf("SKUs = %q, want %q", got, want)
	}
	if !slices.Equal(res.unusable, []int{5}) {
		t.Errorf("unusable lines = %v, want [5]", res.unusable)
	}
	first := Row{
		Line: 2, SKU: "TEE-R-M", Title: "Tee", Options: "Color: Red / Size: M", GTIN: "012345678905", GroupKey: "tee",
		ImageURL: "https://e/tee.jpg", Description: "Soft", Tags: []string{"summer", "cotton"},
		PriceCents: 1999, CostCents: 750, HasPrice: true, HasCost: true, Quantity: 5, HasQuantity: true,
		Active: true, HasActive: true,
	}
	if !reflect.DeepEqual(res.rows[0], first) {
		t.Errorf("first row = %+v\nwant        %+v", res.rows[0], first)
	}
	second := res.rows[1]
	if second.Title != "Tee" || second.Options != "Color: Red / Size: L" || second.GTIN != "" ||
		second.ImageURL != "https://e/red.jpg" || !second.HasQuantity || second.Quantity != 0 || !slices.Equal(second.Tags, first.Tags) {
		t.Errorf("second row = %+v; want the product's title and tags, its own options, variant image, mangled GTIN left empty", second)
	}
	second.Tags[0] = "changed"
	if res.rows[0].Tags[0] != "summer" {
		t.Error("variants of one product share their Tags slice")
	}
	mug := res.rows[2]
	if mug.Options != "" || mug.Active || !mug.HasActive || mug.HasQuantity || mug.PriceCents != 950 {
		t.Errorf("mug = %+v; want no options (Default Title), draft = inactive, quantity unset", mug)
	}
	if hat := res.rows[3]; !hat.Active || hat.HasActive {
		t.Errorf("hat Active, HasActive = %v, %v; want true, false for an unknown status", hat.Active, hat.HasActive)
	}
}

func TestShopifyLegacyPublished(t *testing.T) {
	in := "Handle,Title,Published,Variant SKU,Variant Price\nx,X,FALSE,X1,1\ny,Y,TRUE,Y1,2\n"
	_, res := readAll(t, in, Options{})
	if len(res.rows) != 2 || res.rows[0].Active || !res.rows[0].HasActive || !res.rows[1].Active {
		t.Errorf("rows = %+v; want X1 inactive, Y1 active (from Published)", res.rows)
	}
}

const googleTSV = "id\ttitle\tdescription\tlink\timage_link\tavailability\tprice\tsale_price\tgtin\tmpn\tbrand\titem_group_id\tcolor\tsize\tquantity\n" +
	"W-1\tWatch\tNice\thttps://e/w1\thttps://e/w1.jpg\tin stock\t105.29 USD\t99.00 USD\t698615070527\tDZ1437\tDiesel\tdz1\tBlack\t44mm\t3\n" +
	"W-2\tWatch 2\t\t\t\tout of stock\t15,00 EUR\t\t\t\t\t\t\t\t\n" +
	"W-3\tWatch 3\t\t\t\tsoon\t15.00\t\t\t\t\t\t\t\t-1\n" +
	"\tNo id\t\t\t\tin stock\t1 USD\t\t\t\t\t\t\t\t\n"

func TestGoogleTSV(t *testing.T) {
	r, res := readAll(t, googleTSV, Options{})
	if r.Format() != FormatGoogleTSV || r.Delimiter() != '\t' {
		t.Fatalf("format, delimiter = %q, %q; want google_tsv, tab", r.Format(), r.Delimiter())
	}
	wantErrs := []string{
		`4: quantity: quantity "-1" is negative`,
		`4: availability: availability "soon" is not one of in stock, out of stock, preorder, backorder`,
		`5: id: this row has no id`,
	}
	if got := messages(res.errs); !slices.Equal(got, wantErrs) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantErrs, "\n"))
	}
	want := Row{
		Line: 2, SKU: "W-1", Title: "Watch", Options: "Color: Black / Size: 44mm", GTIN: "698615070527", MPN: "DZ1437",
		URL: "https://e/w1", ImageURL: "https://e/w1.jpg", Description: "Nice", Currency: "USD",
		PriceCents: 10529, HasPrice: true, Quantity: 3, HasQuantity: true, Active: true, Availability: InStock,
		SalePriceCents: 9900, HasSalePrice: true, SaleColumn: true, GroupKey: "dz1",
	}
	if len(res.rows) != 3 || !reflect.DeepEqual(res.rows[0], want) {
		t.Fatalf("rows = %+v\nwant first %+v", res.rows, want)
	}
	if w2 := res.rows[1]; w2.PriceCents != 1500 || w2.Currency != "EUR" || w2.Availability != OutOfStock || !w2.HasQuantity || w2.Quantity != 0 || w2.Options != "" {
		t.Errorf("W-2 = %+v; want 1500 EUR, out_of_stock, quantity 0, no options", w2)
	}
	if w3 := res.rows[2]; w3.Availability != "" || w3.HasQuantity || w3.Currency != "" {
		t.Errorf("W-3 = %+v; want availability and quantity unset", w3)
	}
}

const googleXML = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0">
<channel>
  <title>Feed</title><link>https://e</link>
  <item>
    <g:id>A-1</g:id>
    <title>Tom &amp; Jerry &gt; Mug&nbsp;XL</title>
    <link>https://e/a?x=1&amp;y=2</link>
    <g:price>15.00 USD</g:price>
    <g:shipping><g:country>US</g:country><g:price>0.00 USD</g:price></g:shipping>
    <g:tax><g:rate>7.25</g:rate></g:tax>
    <g:availability>preorder</g:availability>
    <g:gtin>698615070527</g:gtin>
    <g:color>White&#47;Yellow</g:color>
    <g:item_group_id>grp</g:item_group_id>
    <g:quantity>4</g:quantity>
  </item>
  <item><title>no id</title><g:price>1 USD</g:price></item>
  <item>
    <g:id><![CDATA[B-2]]></g:id>
    <g:title>Plate</g:title>
    <g:description>Flat</g:description>
    <g:image_link>https://e/b.jpg</g:image_link>
    <g:price>abc</g:price>
    <g:cost_of_goods_sold>2.50 USD</g:cost_of_goods_sold>
  </item>
  <item><g:id>A-1</g:id></item>
</channel>
</rss>
`

func TestGoogleXML(t *testing.T) {
	r, res := readAll(t, googleXML, Options{})
	if r.Format() != FormatGoogleXML || r.Header() != nil {
		t.Fatalf("format = %q, header = %q; want google_xml, nil", r.Format(), r.Header())
	}
	if res.err != nil {
		t.Fatalf("error %v", res.err)
	}
	wantErrs := []string{
		`2: id: item 2 has no g:id`,
		`3: price: price "abc" is not a number`,
		`4: id: SKU "A-1" appears again; first on line 1`,
	}
	if got := messages(res.errs); !slices.Equal(got, wantErrs) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantErrs, "\n"))
	}
	want := Row{
		Line: 1, SKU: "A-1", Title: "Tom & Jerry > Mug\u00a0XL", Options: "Color: White/Yellow", GTIN: "698615070527",
		URL: "https://e/a?x=1&y=2", Currency: "USD", PriceCents: 1500, HasPrice: true,
		Quantity: 4, HasQuantity: true, Active: true, Availability: Preorder, GroupKey: "grp",
	}
	if len(res.rows) != 2 || !reflect.DeepEqual(res.rows[0], want) {
		t.Fatalf("rows = %+v\nwant first %+v", res.rows, want)
	}
	b := res.rows[1]
	if b.SKU != "B-2" || b.Title != "Plate" || b.Description != "Flat" || b.ImageURL != "https://e/b.jpg" || b.HasPrice || b.CostCents != 250 || b.Currency != "USD" {
		t.Errorf("B-2 = %+v", b)
	}
}

func TestGoogleAtom(t *testing.T) {
	in := `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:g="http://base.google.com/ns/1.0">
<entry><g:id>X</g:id><title>T</title><link href="https://e/x"/><summary>S</summary><g:price>2 EUR</g:price></entry></feed>`
	_, res := readAll(t, in, Options{})
	want := Row{Line: 1, SKU: "X", Title: "T", URL: "https://e/x", Description: "S", Currency: "EUR", PriceCents: 200, HasPrice: true, Active: true}
	if len(res.rows) != 1 || !reflect.DeepEqual(res.rows[0], want) {
		t.Errorf("rows = %+v\nwant %+v", res.rows, want)
	}
}

func TestGoogleXMLFileErrors(t *testing.T) {
	const start = `<?xml version="1.0"?><rss xmlns:g="http://base.google.com/ns/1.0"><channel>` + "\n"
	tests := []struct {
		name, in string
		kind     error
		line     int
		msg      string
		rows     int
	}{
		{"cut short", start + "<item><g:id>A</g:id></item>\n<item><g:id>B</g:id>", ErrMalformed, 3, "", 1},
		{"mismatched tags", start + "<item><g:id>A</g:title></item>", ErrMalformed, 2, "", 0},
		{"not UTF-8", start + "<item><g:id>A</g:id></item>\n<item><g:id>caf\xe9</g:id></item>", ErrEncoding, 3, "Line 3 is not valid UTF-8 text: save the file as UTF-8.", 1},
		{"XML version 0", `<?xml version="0"?><rss/>`, ErrMalformed, 1, `The XML is malformed at line 1: unsupported version "0"; only version 1.0 is supported.`, 0},
		{"Latin-1 declared", `<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><item/></channel></rss>`, ErrEncoding, 1, "The file is in the ISO-8859-1 encoding, not UTF-8: save the file as UTF-8.", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, res := readAll(t, tt.in, Options{})
			fe := fileError(t, res.err)
			if !errors.Is(fe, tt.kind) || fe.Line != tt.line || (tt.msg != "" && fe.Message != tt.msg) || len(res.rows) != tt.rows {
				t.Errorf("got %v line %d %q after %d rows; want %v line %d %q after %d rows", fe.Err, fe.Line, fe.Message, len(res.rows), tt.kind, tt.line, tt.msg, tt.rows)
			}
		})
	}
}

const wooCSV = "ID,Type,SKU,Name,Published,In stock?,Stock,Regular price,Sale price,Description,Short description,Images,Tags,Parent,Attribute 1 Name,Attribute 1 Value(s),BUTTON TEXT\n" +
	"10,variable,SHIRT,Shirt,1,1,,,,<p>Long</p>,Short,\"https://e/1.jpg, https://e/2.jpg\",\"a, b\",,Color,\"Red, Blue\",\n" +
	"11,variation,SHIRT-R,,1,1,4,20,18,,,https://e/r.jpg,,id:10,Color,Red,\n" +
	"12,variation,,,1,1,4,20,,,,,,SHIRT,Color,Blue,\n" +
	"13,simple,CAP,Cap,0,0,0,\"1,299.00\",,,Short only,,,,,,\n" +
	"14,\"simple, virtual\",EBOOK,E-book,-1,backorder,,5,,,,,,,,,Buy\n" +
	"15,grouped,,Set,1,1,,,,,,,,,,,\n" +
	"16,external,,Link,1,maybe,,,,,,,,,,,\n" +
	"17,simple,PIN,Pin,2,1,1.5,1,,,,,,,,,\n"

func TestWooCommerce(t *testing.T) {
	r, res := readAll(t, wooCSV, Options{})
	if r.Format() != FormatWooCommerce {
		t.Fatalf("format = %q, want woocommerce", r.Format())
	}
	wantErrs := []string{
		`4: SKU: this product has a price but no SKU`,
		`9: Stock: Stock "1.5" is not a whole number`,
		`9: Published: Published "2" is not 1, 0 or -1`,
	}
	if got := messages(res.errs); !slices.Equal(got, wantErrs) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantErrs, "\n"))
	}
	if got, want := skus(res.rows), []string{"SHIRT-R", "CAP", "EBOOK", "PIN"}; !slices.Equal(got, want) {
		t.Fatalf("SKUs = %q, want %q (variable and grouped parents and rows without SKU or price skipped)", got, want)
	}
	red := Row{
		Line: 3, SKU: "SHIRT-R", Title: "Shirt", Options: "Color: Red", ImageURL: "https://e/r.jpg",
		PriceCents: 2000, HasPrice: true, Quantity: 4, HasQuantity: true, Active: true, HasActive: true, Availability: InStock,
		SalePriceCents: 1800, HasSalePrice: true, SaleColumn: true, GroupKey: "SHIRT",
	}
	if !reflect.DeepEqual(res.rows[0], red) {
		t.Errorf("variation = %+v\nwant        %+v", res.rows[0], red)
	}
	cap := res.rows[1]
	if cap.PriceCents != 129900 || cap.Active || !cap.HasActive || cap.Availability != OutOfStock || cap.Quantity != 0 || !cap.HasQuantity || cap.Description != "Short only" {
		t.Errorf("CAP = %+v", cap)
	}
	if ebook := res.rows[2]; ebook.Active || ebook.Availability != Backorder || ebook.Options != "" {
		t.Errorf("EBOOK = %+v; want draft (inactive), backorder, no options for a simple product", ebook)
	}
	// Stock "1.5" is reported and left empty; "In stock?" 1 then gives the
	// in-stock default (0 here: the Options' zero value).
	if pin := res.rows[3]; !pin.Active || pin.HasActive || !pin.HasQuantity || pin.Quantity != 0 || pin.Availability != InStock {
		t.Errorf("PIN = %+v", pin)
	}
}

func TestMapped(t *testing.T) {
	in := "Item Code;Name;Amount;On Hand;Labels;Live\nA;Alpha;12,50;3;x|y;no\nB;Beta;;;;\n"
	opt := Options{Mapping: Mapping{"sku": "item code", "title": " NAME ", "price": "Amount", "quantity": "On Hand", "tags": "Labels", "active": "Live"}}
	r, res := readAll(t, in, opt)
	if r.Format() != FormatMapped {
		t.Errorf("format = %q, want mapped", r.Format())
	}
	want := Row{Line: 2, SKU: "A", Title: "Alpha", PriceCents: 1250, HasPrice: true, Quantity: 3, HasQuantity: true, Tags: []string{"x", "y"}, Active: false, HasActive: true}
	if len(res.rows) != 2 || !reflect.DeepEqual(res.rows[0], want) || len(res.errs) != 0 {
		t.Errorf("rows = %+v, errors %q\nwant first %+v", res.rows, messages(res.errs), want)
	}
	// The same mapping with the format given.
	opt.Format = FormatMapped
	if _, res := readAll(t, in, opt); len(res.rows) != 2 {
		t.Errorf("with FormatMapped: %d rows, want 2", len(res.rows))
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name   string
		head   string
		format Format
		delim  rune
		kind   error
	}{
		{"dropline", "sku,title,price\nA,B,1\n", FormatDropline, ',', nil},
		{"dropline semicolon with BOM", "\xEF\xBB\xBFSKU;Title;Price\r\n", FormatDropline, ';', nil},
		{"dropline pipe", "sku|title|price\n", FormatDropline, '|', nil},
		{"shopify", "Handle,Title,Body (HTML),Variant SKU,Variant Price\n", FormatShopify, ',', nil},
		{"woocommerce", "ID,Type,SKU,Name,Published,Regular price\n", FormatWooCommerce, ',', nil},
		{"google tsv", "id\ttitle\tprice\tavailability\tlink\n", FormatGoogleTSV, '\t', nil},
		{"google tsv g: headers", "g:id\tg:title\tg:price\tg:availability\n", FormatGoogleTSV, '\t', nil},
		{"google xml", "<?xml version=\"1.0\"?>\n<rss version=\"2.0\" xmlns:g=\"http://base.google.com/ns/1.0\">", FormatGoogleXML, 0, nil},
		// A sku column among columns Dropline's template lacks is some other
		// export: the user maps it rather than lose the other columns.
		{"quoted header with delimiters inside", "\"sku\",\"title, long\",\"price\"\n", "", ',', ErrNeedsMapping},
		{"dropline with blank columns", "sku,title,,price,\n", FormatDropline, ',', nil},
		{"truncated head", "sku\ttitle\tprice\tdescription\tcaf\xc3", "", '\t', ErrNeedsMapping},
		{"magento-like sku among others", "sku,name,qty,weight\n", "", ',', ErrNeedsMapping},
		{"magento export", strings.Join(magentoHeader, ",") + "\n", FormatMagento, ',', nil},
		{"magento, few columns", "sku,store_view_code,product_type,name,price,qty\n", FormatMagento, ',', nil},
		{"magento without a Magento-only column", "sku,product_type,name,price,qty\n", "", ',', ErrNeedsMapping},
		{"sku, name and qty alone", "sku,name,qty\n", "", ',', ErrNeedsMapping},
		{"bigcommerce bulk edit", strings.Join(bigCommerceHeader, ",") + "\n", FormatBigCommerce, ',', nil},
		{"bigcommerce, few columns", "Item Type,Product Name,Product Code/SKU,Current Stock Level\n", FormatBigCommerce, ',', nil},
		{"bigcommerce without Item Type", "Product ID,Product Name,Product Code/SKU,Price\n", "", ',', ErrNeedsMapping},
		// BigCommerce's modern export (Item, Name, SKU, Options, …): its
		// Options cell's format is not documented where Dropline could read it.
		{"bigcommerce modern export", "Item,ID,Name,Type,SKU,Options,Inventory Tracking,Current Stock,Price\n", "", ',', ErrNeedsMapping},
		{"amazon template", amazonTemplate, FormatAmazonTemplate, '\t', nil},
		{"amazon template, first line alone", "TemplateType=fptcustom\tVersion=2023.0915\n", "", '\t', ErrEmpty},
		{"amazon template without its first lines", "feed_product_type\titem_sku\titem_name\tquantity\n", FormatAmazonTemplate, '\t', nil},
		{"amazon item_sku alone", "item_sku\titem_name\tquantity\n", "", '\t', ErrNeedsMapping},
		{"amazon listings report", amazonListings, FormatAmazonListings, '\t', nil},
		{"amazon seller-sku without item-name", "seller-sku\tprice\tquantity\n", "", '\t', ErrNeedsMapping},
		{"amazon price and quantity", "sku\tprice\tminimum-seller-allowed-price\tmaximum-seller-allowed-price\tquantity\thandling-time\n", FormatAmazonPriceQuantity, '\t', nil},
		{"amazon price and quantity, fulfillment channel", "sku\tprice\tquantity\tfulfillment-channel\n", FormatAmazonPriceQuantity, '\t', nil},
		// sku, price, quantity alone are Dropline's own columns, as before.
		{"sku, price, quantity", "sku\tprice\tquantity\n", FormatDropline, '\t', nil},
		{"sku and stock with an ASIN", "SKU\tQty\tASIN\n", "", '\t', ErrNeedsMapping},
		{"unknown", "a,b\n", "", ',', ErrNeedsMapping},
		{"single column", "name\n", "", ',', ErrSingleColumn},
		{"empty", "  \n", "", 0, ErrEmpty},
		{"utf-16", "\xfe\xff\x00s", "", 0, ErrEncoding},
		{"other xml", "<products/>", "", 0, ErrUnknownFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, d, err := Detect([]byte(tt.head))
			if f != tt.format || d != tt.delim || !errors.Is(err, tt.kind) || (tt.kind == nil) != (err == nil) {
				t.Errorf("Detect = %q, %q, %v; want %q, %q, %v", f, d, err, tt.format, tt.delim, tt.kind)
			}
		})
	}
}

func TestPreview(t *testing.T) {
	in := "\xEF\xBB\xBFItem;Name;Amount\r\nA;\"x;y\";1\r\nB;b\r\nC;c;3\r\nD;d;4\r\n"
	header, records, err := Preview(strings.NewReader(in), Options{}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Item", "Name", "Amount"}; !slices.Equal(header, want) {
		t.Errorf("header = %q, want %q", header, want)
	}
	want := [][]string{{"A", "x;y", "1"}, {"B", "b"}, {"C", "c", "3"}}
	if !reflect.DeepEqual(records, want) {
		t.Errorf("records = %q, want %q", records, want)
	}
	if _, _, err := Preview(strings.NewReader(googleXML), Options{}, 3); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("Preview of XML: err = %v, want ErrUnknownFormat", err)
	}
	if _, _, err := Preview(strings.NewReader(""), Options{}, 3); !errors.Is(err, ErrEmpty) {
		t.Errorf("Preview of an empty file: err = %v, want ErrEmpty", err)
	}
	if _, _, err := Preview(strings.NewReader("a,b\n1,\xff\n"), Options{}, 3); !errors.Is(err, ErrEncoding) {
		t.Errorf("Preview of Latin-1: err = %v, want ErrEncoding", err)
	}
}

func TestTemplateReadsBack(t *testing.T) {
	r, res := readAll(t, Template(), Options{})
	if r.Format() != FormatDropline || !slices.Equal(r.Header(), Fields()) {
		t.Errorf("format %q, header %q; want dropline with every field", r.Format(), r.Header())
	}
	if len(res.rows) != 2 || len(res.errs) != 0 {
		t.Fatalf("%d rows, errors %q; want 2 rows and no errors", len(res.rows), messages(res.errs))
	}
	if tee := res.rows[0]; tee.SKU != "TEE-RED-M" || tee.PriceCents != 1999 || tee.CostCents != 650 || tee.Quantity != 25 ||
		tee.LeadTimeDays != 3 || !tee.Active || tee.Description != "Soft cotton tee, pre-shrunk." || !slices.Equal(tee.Tags, []string{"apparel", "tees"}) {
		t.Errorf("first template row = %+v", tee)
	}
	if mug := res.rows[1]; mug.Active || !mug.HasActive || mug.Options != "" {
		t.Errorf("second template row = %+v", mug)
	}
}

func TestFields(t *testing.T) {
	want := []string{"sku", "title", "options", "gtin", "mpn", "cost", "price", "quantity", "lead_time_days", "url", "image_url", "description", "tags", "active"}
	got := Fields()
	if !slices.Equal(got, want) {
		t.Errorf("Fields() = %q, want %q", got, want)
	}
	got[0] = "changed"
	if Fields()[0] != "sku" {
		t.Error("changing the slice from Fields() changed the package's list")
	}
}

// genReader produces a Dropline CSV of n rows on demand and counts what has
// been read from it.
type genReader struct {
	n, next int
	buf     []byte
	read    int
}

func (g *genReader) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.next <= g.n {
		if g.next == 0 {
			g.buf = append(g.buf, "sku,title,price,quantity\n"...)
		} else {
			g.buf = fmt.Appendf(g.buf, "SKU-%07d,Product %d,19.99,%d\n", g.next, g.next, g.next%50)
		}
		g.next++
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	g.read += n
	return n, nil
}

func TestStreams(t *testing.T) {
	g := &genReader{n: 1_000_000} // about 40 MB if read whole
	r, err := NewReader(g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		row, errs, err := r.Next()
		if err != nil || len(errs) != 0 || row.SKU != fmt.Sprintf("SKU-%07d", i+1) {
			t.Fatalf("row %d = %+v, %v, %v", i+1, row, errs, err)
		}
	}
	if g.read > 200<<10 {
		t.Errorf("read %d bytes for 1000 rows of a 1,000,000-row file; want a stream (under 200 KB)", g.read)
	}
}

func TestSingleColumnSKUList(t *testing.T) {
	_, res := readAll(t, "SKU\nA\nB\n", Options{})
	if got := skus(res.rows); !slices.Equal(got, []string{"A", "B"}) {
		t.Errorf("SKUs = %q, want [A B]", got)
	}
}

// TestReadErrorsPassThrough: a failing reader is not the file's fault, so its
// error comes back as it is, not as a *FileError.
func TestReadErrorsPassThrough(t *testing.T) {
	boom := errors.New("connection reset")
	for _, start := range []string{"sku,price\nA,1\n", "<rss xmlns:g=\"http://base.google.com/ns/1.0\"><channel><item><g:id>A</g:id></item>"} {
		r, err := NewReader(io.MultiReader(strings.NewReader(start), iotest.ErrReader(boom)), Options{})
		if err != nil {
			t.Fatalf("NewReader: %v", err)
		}
		res := drain(t, r)
		var fe *FileError
		if len(res.rows) != 1 || !errors.Is(res.err, boom) || errors.As(res.err, &fe) {
			t.Errorf("%d rows, error %v (%T); want 1 row, then %v as it is", len(res.rows), res.err, res.err, boom)
		}
	}
	if _, err := NewReader(iotest.ErrReader(boom), Options{}); !errors.Is(err, boom) {
		t.Errorf("NewReader on a failing reader: %v, want %v", err, boom)
	}
}
