package feedfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzOptions are the ways FuzzReader opens its input, picked by the mode
// argument.
var fuzzOptions = []Options{
	{},
	{Format: FormatDropline},
	{Format: FormatShopify},
	{Format: FormatGoogleTSV},
	{Format: FormatGoogleXML},
	{Format: FormatWooCommerce},
	{Format: FormatMagento},
	{Format: FormatBigCommerce},
	{Format: FormatAmazonTemplate},
	{Format: FormatAmazonListings},
	{Format: FormatAmazonPriceQuantity},
	{Mapping: Mapping{"sku": "code", "price": "amount", "quantity": "stock", "active": "live", "tags": "labels"}},
	{Delimiter: ';'},
}

// FuzzReader checks, for any input and any of fuzzOptions:
//   - no panic, and Next ends (io.EOF or a *FileError) within len(input)+1
//     calls, since every row comes from at least one byte of input;
//   - NewReader fails only with a *FileError;
//   - a usable row has a trimmed, valid UTF-8 SKU not seen before in the file,
//     and a row without SKU carries at least one RowError and nothing else;
//   - quantities and lead times are never negative, and money is never
//     negative either: feeds have no negative prices or costs, so "-5" is a
//     row error, never a value; a Has* flag false means the value is zero;
//   - Active is true unless the file said otherwise;
//   - lines only go up (for Magento, whose held children come after later
//     rows: no line comes twice), and every RowError carries its row's line
//     and a message;
//   - errors at the end are sticky.
func FuzzReader(f *testing.F) {
	seeds := []string{
		"sku,title,price,quantity,tags,active\nA,Alpha,19.99,3,a|b,yes\nB,Beta,\"1,299.00\",-1,,maybe\nA,dup,1,1,,\n",
		"\xEF\xBB\xBFsku;title;price\r\nA;\"x;y\";19,99\r\n;no sku;1\r\n",
		"sku,description\nA,\"multi\nline\"\n\nB,\"bad \"quote\n",
		"sku,title\nA,caf\xe9\n",
		shopifyCSV,
		googleTSV,
		googleXML,
		wooCSV,
		"code,amount,stock,live,labels\nX,5 USD,2.0,1,a\n",
		magentoSeed,
		bigCommerceSeed,
		amazonTemplate,
		amazonListings,
		"sku\tprice\tquantity\thandling-time\nA\t1\t2\t3\nB\t-1\t\tx\n",
		"Handle,Title,Variant SKU,Variant Price,Variant Barcode\nh,T,S1,1,3.65275E+11\nh,,,2,\n",
		"<rss xmlns:g=\"http://base.google.com/ns/1.0\"><channel><item><g:id>1</g:id><g:price>-5 USD</g:price><g:shipping><g:price>1 USD</g:price></g:shipping></item>",
		"",
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint8(i))
	}
	addFixtureSeeds(func(b []byte) { f.Add(b, uint8(0)) })
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		opt := fuzzOptions[int(mode)%len(fuzzOptions)]
		r, err := NewReader(bytes.NewReader(data), opt)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.Message == "" {
				t.Fatalf("NewReader error %v (%T), want a *FileError with a message", err, err)
			}
			checkFileErrorLine(t, fe, data)
			return
		}
		seen := map[string]bool{}
		var usable []Row
		last := 0
		lineSeen := map[int]bool{}
		defer func() {
			if !t.Failed() {
				checkRoundTrip(t, usable)
			}
		}()
		for calls := 0; ; calls++ {
			if calls > len(data)+1 {
				t.Fatalf("%d calls to Next on %d bytes of input without an end", calls, len(data))
			}
			row, errs, err := r.Next()
			if err != nil {
				var fe *FileError
				if err != io.EOF && (!errors.As(err, &fe) || fe.Message == "") {
					t.Fatalf("Next error %v (%T), want io.EOF or a *FileError", err, err)
				}
				if fe != nil {
					checkFileErrorLine(t, fe, data)
				}
				if _, _, again := r.Next(); again != err {
					t.Fatalf("Next after %v returned %v", err, again)
				}
				return
			}
			if row.Line <= 0 || lineSeen[row.Line] || (row.Line <= last && r.Format() != FormatMagento) {
				t.Fatalf("line %d after line %d", row.Line, last)
			}
			last, lineSeen[row.Line] = row.Line, true
			for _, e := range errs {
				if e.Line != row.Line || e.Message == "" {
					t.Fatalf("row error %+v on line %d", e, row.Line)
				}
			}
			if !row.Usable() {
				if len(errs) == 0 || !isZeroButLine(row) {
					t.Fatalf("unusable row %+v with errors %v", row, errs)
				}
				continue
			}
			checkRow(t, row)
			usable = append(usable, row)
			if seen[row.SKU] {
				t.Fatalf("SKU %q returned twice as usable", row.SKU)
			}
			seen[row.SKU] = true
		}
	})
}

// magentoSeed has a configurable product between its children, a store
// view, a bundle and a duplicate SKU held back.
const magentoSeed = "sku,store_view_code,attribute_set_code,product_type,name,visibility,price,special_price,qty,is_in_stock,product_online,base_image,additional_attributes,configurable_variations,configurable_variation_labels\n" +
	"C-S,,Default,simple,C S,Not Visible Individually,10,8,3,1,1,/c/s.jpg,\"color=Red,size=S\",,\n" +
	"C-S,fr,,,,,,,,,,,,,\n" +
	"C,,Default,configurable,Cap,\"Catalog, Search\",10,,,,1,,,\"sku=C-S,size=S,color=Red|sku=C-M,color=Blue\",\"size=Size,color=Color\"\n" +
	"C-M,,Default,simple,C M,Not Visible Individually,10,,0,0,2,https://e/m.jpg,size=M,,\n" +
	"X,,Default,simple,X,Not Visible Individually,1,,1,1,1,,,,\n" +
	"X,,Default,simple,X2,Catalog,1,,1,1,1,,,,\n" +
	"B,,Default,bundle,Kit,Catalog,,,,,1,,,,\n"

// bigCommerceSeed has a product with variants and a rule, and products
// without.
const bigCommerceSeed = "Item Type,Product ID,Product Name,Product Code/SKU,Price,Sale Price,Track Inventory,Current Stock Level,Product Visible?,Product Image File - 1\n" +
	"Product,1,Tee,TEE,20,18,by option,0,Y,/t.jpg\n" +
	"SKU,,\"[S]Size=S,[RB]Color=Red\",TEE-S,,,,5,,\n" +
	"Rule,,[S]Size=S,TEE-S,[ADD]1,,,,,\n" +
	"Product,2,Mug,MUG,9,,none,0,N,https://e/m.jpg\n" +
	"Product,3,Pin,,1,,by product,2,Y,\n"

// fuzzFixtures are the real feeds of the shared fixtures folder, added as
// seeds when the folder is there (they are read in place, never copied).
var fuzzFixtures = []string{
	"shopify_product_csv_template/product_template_current.csv",
	"shopify_product_csv_template/product_template_excel_mangled.csv",
	"shopify_product_csv_template/product_template_legacy_2019.csv",
	"google_merchant_feed_example/celebird_rss2_variants_apparel_upi.xml",
	"classic_commerce_woocommerce_csv/importer_test_sample.csv",
	"classic_commerce_woocommerce_csv/sample_products.csv",
}

func addFixtureSeeds(add func([]byte)) {
	for _, name := range fuzzFixtures {
		if b, err := os.ReadFile(filepath.Join(fixtureDir, name)); err == nil {
			add(b)
		}
	}
}

var lineInMessage = regexp.MustCompile(`(?i)\bline (\d+)\b`)

// checkFileErrorLine fails unless a FileError about a place in the file
// (broken quoting or XML, bad encoding) names a line of the file, and a line
// its message names is the one it carries.
func checkFileErrorLine(t *testing.T, fe *FileError, data []byte) {
	t.Helper()
	lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
	if fe.Line < 0 || fe.Line > lines {
		t.Fatalf("FileError on line %d of a file of at most %d lines: %q", fe.Line, lines, fe.Message)
	}
	if (errors.Is(fe, ErrMalformed) || errors.Is(fe, ErrEncoding)) && fe.Line < 1 {
		t.Fatalf("FileError %q (%v) has no line", fe.Message, fe.Err)
	}
	if m := lineInMessage.FindStringSubmatch(fe.Message); m != nil && m[1] != strconv.Itoa(fe.Line) {
		t.Fatalf("FileError on line %d says %q", fe.Line, fe.Message)
	}
}

// FuzzPreview checks Preview, which the column-mapping screen shows:
//   - no panic; an error is a *FileError (checked like FuzzReader's), or
//     about the options;
//   - at most n records, every cell valid UTF-8, headers trimmed;
//   - it refuses XML exactly when NewReader reads the file as XML;
//   - when NewReader also reads the file as CSV/TSV with the same delimiter
//     option, both see the same header and delimiter.
func FuzzPreview(f *testing.F) {
	seeds := []string{
		Template(),
		shopifyCSV,
		googleTSV,
		googleXML,
		wooCSV,
		amazonTemplate,
		"TemplateType=x\n\"a\nb\"\tc\nsku\tqty\nA\t1\n",
		"Code;Name;Stock\r\nA;\"x;y\";3\r\n",
		"a|b|c\n1|2|3\n",
		" Part No , Qty \n\"P-1\",\"multi\nline\"\nP-2,\"bad \"quote\n",
		"\xEF\xBB\xBFsku\tprice\rA\t1\rB\t2\r",
		"sku,title\nA,caf\xe9\n",
		"<feed xmlns=\"http://www.w3.org/2005/Atom\"></feed>",
		"\xFF\xFEs\x00k\x00u\x00",
		"",
	}
	delims := []rune{0, ',', ';', '\t', '|', ':'}
	for i, s := range seeds {
		f.Add([]byte(s), uint8(i), uint8(5))
	}
	addFixtureSeeds(func(b []byte) { f.Add(b, uint8(0), uint8(5)) })
	f.Fuzz(func(t *testing.T, data []byte, d, n uint8) {
		delim := delims[int(d)%len(delims)]
		limit := int(n % 12)
		header, records, err := Preview(bytes.NewReader(data), Options{Delimiter: delim}, limit)
		r, rerr := NewReader(bytes.NewReader(data), Options{Delimiter: delim})
		if err != nil {
			if header != nil || records != nil {
				t.Fatalf("error %v with header %q and %d records", err, header, len(records))
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				if delim != ':' || rerr == nil || rerr.Error() != err.Error() {
					t.Fatalf("Preview error %v (%T), want a *FileError", err, err)
				}
				return
			}
			if fe.Message == "" {
				t.Fatalf("FileError without a message: %+v", fe)
			}
			checkFileErrorLine(t, fe, data)
			if errors.Is(fe, ErrUnknownFormat) != (rerr == nil && r.Format() == FormatGoogleXML || errors.Is(rerr, ErrUnknownFormat)) {
				t.Fatalf("Preview error %v but NewReader %v", err, rerr)
			}
			return
		}
		if len(records) > limit {
			t.Fatalf("%d records for n = %d", len(records), limit)
		}
		for i, h := range header {
			if h != strings.TrimSpace(h) || !utf8.ValidString(h) {
				t.Fatalf("header %d = %q", i, h)
			}
		}
		for _, rec := range records {
			for _, c := range rec {
				if !utf8.ValidString(c) {
					t.Fatalf("cell %q is not UTF-8", c)
				}
			}
		}
		if rerr == nil {
			if r.Format() == FormatGoogleXML {
				t.Fatalf("Preview read an XML file as CSV: header %q", header)
			}
			if !slices.Equal(r.Header(), header) || (delim != 0 && r.Delimiter() != delim) {
				t.Fatalf("Preview header %q, NewReader header %q (delimiter %q)", header, r.Header(), r.Delimiter())
			}
		}
	})
}

// checkRoundTrip writes rows in Dropline's own CSV format (Template's
// columns) and fails unless reading that back gives the same products:
// whatever format a feed came in, its usable rows survive being written as a
// Dropline file. Availability has no Dropline column and is left out; tags
// are as the Dropline file splits them.
func checkRoundTrip(t *testing.T, rows []Row) {
	t.Helper()
	if len(rows) == 0 {
		return
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(Fields())
	money := func(c int64, has bool, cur string) string {
		if !has {
			return ""
		}
		if cur != "" {
			return formatCents(c) + " " + cur
		}
		return formatCents(c)
	}
	count := func(n int, has bool) string {
		if !has {
			return ""
		}
		return strconv.Itoa(n)
	}
	for _, r := range rows {
		active := ""
		if r.HasActive {
			active = strconv.FormatBool(r.Active)
		}
		_ = w.Write([]string{r.SKU, r.Title, r.Options, r.GTIN, r.MPN, money(r.CostCents, r.HasCost, r.Currency),
			money(r.PriceCents, r.HasPrice, r.Currency), count(r.Quantity, r.HasQuantity), count(r.LeadTimeDays, r.HasLeadTime),
			r.URL, r.ImageURL, r.Description, strings.Join(r.Tags, "|"), active})
	}
	w.Flush()
	rd, err := NewReader(bytes.NewReader(buf.Bytes()), Options{})
	if err != nil || rd.Format() != FormatDropline {
		t.Fatalf("the usable rows written as a Dropline file read as %q, %v:\n%s", rd.Format(), err, buf.Bytes())
	}
	for i, want := range rows {
		got, errs, err := rd.Next()
		if err != nil {
			t.Fatalf("the usable rows written as a Dropline file: row %d: %v:\n%s", i+1, err, buf.Bytes())
		}
		for _, e := range errs {
			if !strings.Contains(e.Message, "scientific notation") { // kept as text, flagged again
				t.Fatalf("line %d (%q) written as Dropline line %d: %v", want.Line, want.SKU, got.Line, e)
			}
		}
		want.Line, want.Availability = got.Line, ""
		want.Tags = splitTags(strings.Join(want.Tags, "|"), "|,")
		if !equalRow(got, want) {
			t.Fatalf("line %d written as a Dropline file reads back differently:\nwant %+v\ngot  %+v", want.Line, want, got)
		}
	}
	if _, _, err := rd.Next(); err != io.EOF {
		t.Fatalf("after the rows written: %v", err)
	}
}

func isZeroButLine(r Row) bool {
	return equalRow(r, Row{Line: r.Line})
}

func checkRow(t *testing.T, row Row) {
	t.Helper()
	if row.SKU != strings.TrimSpace(row.SKU) || !utf8.ValidString(row.SKU) {
		t.Fatalf("SKU %q is not trimmed valid UTF-8", row.SKU)
	}
	if row.Quantity < 0 || row.LeadTimeDays < 0 || row.PriceCents < 0 || row.CostCents < 0 {
		t.Fatalf("negative value in %+v", row)
	}
	if (!row.HasQuantity && row.Quantity != 0) || (!row.HasLeadTime && row.LeadTimeDays != 0) ||
		(!row.HasPrice && row.PriceCents != 0) || (!row.HasCost && row.CostCents != 0) {
		t.Fatalf("value without its Has* flag in %+v", row)
	}
	if !row.HasActive && !row.Active {
		t.Fatalf("Active false without HasActive in %+v", row)
	}
	switch row.Availability {
	case "", InStock, OutOfStock, Preorder, Backorder:
	default:
		t.Fatalf("availability %q", row.Availability)
	}
	if row.Currency != "" && !isCurrencyCode(row.Currency) {
		t.Fatalf("currency %q", row.Currency)
	}
}

// FuzzParseMoney checks that any accepted amount is non-negative and reads
// back the same from its plain form.
func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"19.99", "1,299.00", "19,99", "$1", "15.00 USD", "-3", "1.2.3", "€1 299,5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cents, cur, problem := parseMoney(s)
		if problem != "" {
			if cents != 0 || cur != "" {
				t.Fatalf("parseMoney(%q) = %d, %q with problem %q", s, cents, cur, problem)
			}
			return
		}
		if cents < 0 {
			t.Fatalf("parseMoney(%q) = %d", s, cents)
		}
		plain := formatCents(cents)
		if back, _, p := parseMoney(plain); back != cents || p != "" {
			t.Fatalf("parseMoney(%q) = %d but parseMoney(%q) = %d, %q", s, cents, plain, back, p)
		}
	})
}

func formatCents(c int64) string {
	frac := c % 100
	s := []byte{'.', byte('0' + frac/10), byte('0' + frac%10)}
	whole := c / 100
	if whole == 0 {
		return "0" + string(s)
	}
	var w []byte
	for ; whole > 0; whole /= 10 {
		w = append([]byte{byte('0' + whole%10)}, w...)
	}
	return string(w) + string(s)
}
