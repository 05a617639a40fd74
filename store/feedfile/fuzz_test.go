package feedfile

import (
	"bytes"
	"errors"
	"io"
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
//   - lines only go up, and every RowError carries its row's line and a
//     message;
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
		"Handle,Title,Variant SKU,Variant Price,Variant Barcode\nh,T,S1,1,3.65275E+11\nh,,,2,\n",
		"<rss xmlns:g=\"http://base.google.com/ns/1.0\"><channel><item><g:id>1</g:id><g:price>-5 USD</g:price><g:shipping><g:price>1 USD</g:price></g:shipping></item>",
		"",
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint8(i))
	}
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		opt := fuzzOptions[int(mode)%len(fuzzOptions)]
		r, err := NewReader(bytes.NewReader(data), opt)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.Message == "" {
				t.Fatalf("NewReader error %v (%T), want a *FileError with a message", err, err)
			}
			return
		}
		seen := map[string]bool{}
		last := 0
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
				if _, _, again := r.Next(); again != err {
					t.Fatalf("Next after %v returned %v", err, again)
				}
				return
			}
			if row.Line <= last {
				t.Fatalf("line %d after line %d", row.Line, last)
			}
			last = row.Line
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
			if seen[row.SKU] {
				t.Fatalf("SKU %q returned twice as usable", row.SKU)
			}
			seen[row.SKU] = true
		}
	})
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
