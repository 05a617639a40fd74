package orderfile

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// header is a short orders CSV header with every column the tests need.
const header = "order_number,placed_at,channel,currency,customer_email,ship_name,ship_address1,ship_city,ship_postal_code,ship_country,sku,title,quantity,unit_price,note\n"

// shipRow is the order-level part of a valid row, up to ship_country.
const shipRow = "2025-03-14,,,,Ada,1 Main St,Springfield,62701,US"

func readString(t *testing.T, in string) ([]Order, []Rejected) {
	t.Helper()
	orders, rejected, err := ReadCSV(strings.NewReader(in))
	if err != nil {
		t.Fatalf("ReadCSV: %v", err)
	}
	for _, o := range orders {
		if errs := o.Validate(); errs != nil {
			t.Errorf("order %q fails Validate: %v", o.ChannelOrderID, errs)
		}
	}
	return orders, rejected
}

// summary lists orders as "id: sku×qty@cents, …".
func summary(orders []Order) []string {
	var out []string
	for _, o := range orders {
		var lines []string
		for _, l := range o.Lines {
			lines = append(lines, fmt.Sprintf("%s×%d@%d", cmpOr(l.SKU, l.Title), l.Quantity, l.UnitPriceCents))
		}
		out = append(out, o.ChannelOrderID+": "+strings.Join(lines, ", "))
	}
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// rejectedErrors lists every row error as "id line column: message".
func rejectedErrors(rejected []Rejected) []string {
	var out []string
	for _, r := range rejected {
		for _, e := range r.Errors {
			out = append(out, fmt.Sprintf("%s %d %s: %s", r.ChannelOrderID, e.Line, e.Column, e.Message))
		}
	}
	return out
}

func TestCSVTemplate(t *testing.T) {
	tpl := CSVTemplate()
	if first, _, _ := strings.Cut(tpl, "\n"); first != "order_number,placed_at,channel,currency,customer_name,customer_email,customer_phone,ship_name,ship_company,ship_address1,ship_address2,ship_city,ship_region,ship_postal_code,ship_country,ship_phone,sku,title,quantity,unit_price,note" {
		t.Errorf("template header = %q", first)
	}
	orders, rejected := readString(t, tpl)
	if len(rejected) != 0 {
		t.Fatalf("rejected = %v, want none", rejectedErrors(rejected))
	}
	want := []Order{
		{
			Channel: "csv", ChannelOrderID: "1001", PlacedAt: time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC), Currency: "USD",
			Customer: Customer{Name: "Ada Lovelace", Email: "ada@example.com", Phone: "+1 555 0100"},
			ShipTo: Address{Name: "Ada Lovelace", Address1: "12 Main Street", Address2: "Apt 4", City: "Springfield", Region: "IL",
				PostalCode: "62701", Country: "US", Phone: "+1 555 0100"},
			Lines: []Line{{SKU: "ACM-MUG", Title: "Enamel camp mug", Quantity: 2, UnitPriceCents: 1200}, {SKU: "ACM-STOVE", Title: "Trailblaze camp stove", Quantity: 1, UnitPriceCents: 5900}},
			Note:  "Gift wrap please",
		},
		{
			Channel: "csv", ChannelOrderID: "1002", PlacedAt: time.Date(2025, 3, 15, 15, 45, 0, 0, time.UTC), Currency: "EUR",
			Customer: Customer{Name: "Grace Hopper", Email: "grace@example.com"},
			ShipTo:   Address{Name: "Grace Hopper", Company: "Navy Labs", Address1: "Hauptstraße 5", City: "Berlin", PostalCode: "10115", Country: "DE"},
			Lines:    []Line{{SKU: "ACM-TENT-2P", Title: "Ridgeline 2-person tent", Quantity: 1, UnitPriceCents: 16500}, {SKU: "ACM-BAG-20", Title: "Summit sleeping bag 20°F", Quantity: 2, UnitPriceCents: 10900}},
		},
	}
	if !reflect.DeepEqual(orders, want) {
		t.Errorf("template orders:\ngot  %+v\nwant %+v", orders, want)
	}
}

func TestReadCSVGroupsInterleavedOrders(t *testing.T) {
	in := header +
		"A1," + shipRow + ",S1,,1,1.00,\n" +
		"B2," + shipRow + ",S2,,2,2.00,\n" +
		"A1,,,,,,,,,,S3,,3,3.00,\n" +
		"C3," + shipRow + ",S4,,4,4.00,\n" +
		"B2,,,,,,,,,,,Only a title,5,5,\n" +
		"A1," + shipRow + ",S1,,6,1.00,\n" // order-level cells repeated identically
	orders, rejected := readString(t, in)
	got, want := summary(orders), []string{
		"A1: S1×1@100, S3×3@300, S1×6@100",
		"B2: S2×2@200, Only a title×5@500",
		"C3: S4×4@400",
	}
	if !slices.Equal(got, want) || len(rejected) != 0 {
		t.Errorf("orders = %q, rejected %q\nwant %q, none", got, rejectedErrors(rejected), want)
	}
}

func TestReadCSVOrderLevelFields(t *testing.T) {
	t.Run("contradictions", func(t *testing.T) {
		in := header +
			"A," + shipRow + ",S1,,1,,\n" + // line 2
			"B," + shipRow + ",S2,,1,,\n" + // line 3
			"A,2025-03-15,shopify,EUR,x@example.com,Bob,1 Main St,Springfield,62701,us,S3,,1,,\n" + // line 4
			"A,,,,,,,,,,S4,,1,,hello\n" + // line 5: fills the blank note
			"A,,,,,,,,,,S5,,1,,other note\n" // line 6: contradicts line 5
		orders, rejected := readString(t, in)
		if got := summary(orders); !slices.Equal(got, []string{"B: S2×1@0"}) {
			t.Errorf("orders = %q, want only B", got)
		}
		got, want := rejectedErrors(rejected), []string{
			`A 4 placed_at: placed_at "2025-03-15" differs from "2025-03-14" on line 2 for the same order number; an order's rows must agree (or leave the cell blank).`,
			`A 4 channel: channel "shopify" differs from "csv" on line 2 for the same order number; an order's rows must agree (or leave the cell blank).`,
			`A 4 currency: currency "EUR" differs from "USD" on line 2 for the same order number; an order's rows must agree (or leave the cell blank).`,
			`A 4 ship_name: ship_name "Bob" differs from "Ada" on line 2 for the same order number; an order's rows must agree (or leave the cell blank).`,
			`A 6 note: note "other note" differs from "hello" on line 5 for the same order number; an order's rows must agree (or leave the cell blank).`,
		}
		// Line 2 gives channel and currency blank, so "csv" and "USD" are the
		// defaults, not values: line 4 does not contradict them, it fills
		// them in.
		want = slices.Delete(want, 1, 3)
		if !slices.Equal(got, want) {
			t.Errorf("errors:\ngot  %q\nwant %q", got, want)
		}
		if len(rejected) == 1 && !slices.Equal(rejected[0].Lines, []int{2, 4, 5, 6}) {
			t.Errorf("rejected lines = %v, want [2 4 5 6]", rejected[0].Lines)
		}
	})
	t.Run("agreeing and filled in", func(t *testing.T) {
		in := header +
			"A,,,,,,,,,,S1,,1,,\n" +
			"A,2025-03-14T00:00:00Z,,,,  ada ,1 MAIN   st,,,,S2,,1,,\n" +
			"A,2025-03-14,CSV,usd,ada@example.com,Ada,1 Main St,Springfield,62701,US,S3,,1,,note\n"
		orders, rejected := readString(t, in)
		if len(orders) != 1 || len(rejected) != 0 {
			t.Fatalf("orders %q, rejected %q; want 1 order", summary(orders), rejectedErrors(rejected))
		}
		o := orders[0]
		want := Address{Name: "ada", Address1: "1 MAIN   st", City: "Springfield", PostalCode: "62701", Country: "US"}
		if o.ShipTo != want || o.Customer.Email != "ada@example.com" || o.Note != "note" || o.Currency != "USD" ||
			!o.PlacedAt.Equal(time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("order = %+v\nwant ShipTo %+v, email, note, USD, 2025-03-14", o, want)
		}
	})
}

func TestReadCSVFileErrors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		want     string
	}{
		{"empty", "", 0, "The file is empty."},
		{"only a BOM", "\xEF\xBB\xBF", 0, "The file is empty."},
		{"blank lines", "\n\r\n\n", 0, "The file is empty."},
		{"header only", header, 0, "The file has a header but no orders."},
		{"header and blank rows", header + ",,,\n  ,\t\n", 0, "The file has a header but no orders."},
		{"UTF-16", "\xFF\xFEo\x00r\x00", 0, `The file is saved as UTF-16 text. Save it as "CSV UTF-8" and upload it again.`},
		{"no order_number", "order,sku,quantity\n1,A,1\n", 1,
			"No order_number column: the header row must name the template's columns (order_number, sku or title, quantity, …). It has: order, sku, quantity."},
		{"no sku or title", "order_number,quantity,product\n1,1,A\n", 1,
			"No sku or title column: the header row must name the template's columns (order_number, sku or title, quantity, …). It has: order_number, quantity, product."},
		{"no quantity", "order_number,sku,a,b,c,d,e,f,g,h\n1,A\n", 1,
			"No quantity column: the header row must name the template's columns (order_number, sku or title, quantity, …). It has: order_number, sku, a, b, c, d, e, f, …."},
		{"single column", "order_number|sku|quantity\n1|A|1\n", 1,
			`The header row has a single column ("order_number|sku|quantity"): the cells are probably separated by a character other than a comma or a semicolon. Save the file as CSV with commas or semicolons between cells.`},
		{"empty header", ",,\n1,A,1\n", 1, "Line 1, the header row, is empty; the first row must name the columns (order_number, sku, quantity, …)."},
		{"duplicate column", "order_number,SKU,quantity,Sku\n1,A,1,B\n", 1, "The header has two sku columns; keep one."},
		{"Latin-1 row", header + "1," + shipRow + ",A,Caf\xe9,1,,\n", 2, `Line 2 is not UTF-8 text; save the file as "CSV UTF-8" and upload it again.`},
		{"Latin-1 on a later line", header + "1," + shipRow + ",A,,1,,\n\n2," + shipRow + ",A,,1,,\"multi\nline \xe9\"\n", 4,
			`Line 4 is not UTF-8 text; save the file as "CSV UTF-8" and upload it again.`},
		{"Latin-1 header", "order_number,sku,quantit\xe9\n", 1, `Line 1 is not UTF-8 text; save the file as "CSV UTF-8" and upload it again.`},
		{"unclosed quote", header + "1," + shipRow + ",A,\"Blue mug,1,,\n2,x\n", 2,
			`Line 2: a quoted cell is not closed properly (a cell that starts with " must end with ", and a " inside it must be doubled).`},
		{"bare quote", header + "1," + shipRow + ",A,Blue \"mug\",1,,\n", 2,
			`Line 2: a " appears inside a cell that is not quoted; put the whole cell in quotes and double the ".`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orders, rejected, err := ReadCSV(strings.NewReader(tt.in))
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("ReadCSV() error = %v, want a *FileError", err)
			}
			if fe.Line != tt.line || fe.Message != tt.want {
				t.Errorf("FileError = line %d, %q\nwant           line %d, %q", fe.Line, fe.Message, tt.line, tt.want)
			}
			if orders != nil || rejected != nil {
				t.Errorf("got orders %v and rejected %v with a FileError, want none", orders, rejected)
			}
		})
	}
}

func TestReadCSVReadError(t *testing.T) {
	boom := errors.New("boom")
	_, _, err := ReadCSV(io.MultiReader(strings.NewReader(header), iotest.ErrReader(boom)))
	var fe *FileError
	if !errors.Is(err, boom) || errors.As(err, &fe) {
		t.Errorf("ReadCSV() error = %v, want the reader's error, not a FileError", err)
	}
}

func TestReadCSVTooManyRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("order_number,sku,quantity,title\n")
	for i := range MaxCSVRows {
		fmt.Fprintf(&b, "%d,S,1,\n", i/MaxLines)
	}
	_, _, err := ReadCSV(strings.NewReader(b.String()))
	if err != nil {
		// Every order lacks a shipping address, but the file itself is fine.
		t.Fatalf("%d rows: ReadCSV() error = %v, want nil", MaxCSVRows, err)
	}
	b.WriteString("x,S,1,\n")
	_, _, err = ReadCSV(strings.NewReader(b.String()))
	var fe *FileError
	if !errors.As(err, &fe) || fe.Line != MaxCSVRows+2 || fe.Message != "The file has more than 100000 rows; split it into smaller files." {
		t.Errorf("%d rows: ReadCSV() error = %#v, want the row limit on line %d", MaxCSVRows+1, err, MaxCSVRows+2)
	}
}

func TestLimitReader(t *testing.T) {
	for _, tt := range []struct {
		in      string
		limit   int64
		want    string
		wantErr error
	}{
		{"hello", 5, "hello", nil},
		{"hello", 10, "hello", nil},
		{"hello!", 5, "hello", errTooLarge},
	} {
		got, err := io.ReadAll(iotest.OneByteReader(&limitReader{r: strings.NewReader(tt.in), left: tt.limit}))
		if string(got) != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("limit %d on %q: got %q, %v; want %q, %v", tt.limit, tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	// And through ReadCSV: a file over the limit is refused as a whole.
	big := io.MultiReader(strings.NewReader(header), strings.NewReader(strings.Repeat("\n", MaxCSVBytes)))
	_, _, err := ReadCSV(big)
	var fe *FileError
	if !errors.As(err, &fe) || fe.Message != "The file is larger than 50 MB; split it into smaller files." {
		t.Errorf("ReadCSV(over 50 MB) error = %v, want the size limit", err)
	}
}

func TestReadCSVEncodings(t *testing.T) {
	comma := header +
		"1001," + shipRow + ",MUG,\"Blue mug, large\",2,12.50,\"Ring twice\nthen leave it\"\n" +
		"1001,,,,,,,,,,TEE,T-shirt,1,\"1,299.00\",\n"
	want := []Order{{
		Channel: "csv", ChannelOrderID: "1001", PlacedAt: time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC), Currency: "USD",
		ShipTo: Address{Name: "Ada", Address1: "1 Main St", City: "Springfield", PostalCode: "62701", Country: "US"},
		Lines:  []Line{{SKU: "MUG", Title: "Blue mug, large", Quantity: 2, UnitPriceCents: 1250}, {SKU: "TEE", Title: "T-shirt", Quantity: 1, UnitPriceCents: 129900}},
		Note:   "Ring twice\nthen leave it",
	}}
	semicolon := strings.ReplaceAll(header, ",", ";") +
		"1001;2025-03-14;;;;Ada;1 Main St;Springfield;62701;US;MUG;Blue mug, large;2;12,50;\"Ring twice\nthen leave it\"\n" +
		"1001;;;;;;;;;;TEE;T-shirt;1;1.299,00;\n"
	tabs := strings.ReplaceAll(header, ",", "\t") +
		"1001\t2025-03-14\t\t\t\tAda\t1 Main St\tSpringfield\t62701\tUS\tMUG\tBlue mug, large\t2\t12.50\t\"Ring twice\nthen leave it\"\n" +
		"1001\t\t\t\t\t\t\t\t\t\tTEE\tT-shirt\t1\t1,299.00\t\n"
	tests := []struct{ name, in string }{
		{"comma", comma},
		{"BOM", "\xEF\xBB\xBF" + comma},
		{"CRLF", strings.ReplaceAll(comma, "\n", "\r\n")},
		{"BOM, CRLF and semicolons with decimal commas", "\xEF\xBB\xBF" + strings.ReplaceAll(semicolon, "\n", "\r\n")},
		{"semicolons", semicolon},
		{"tabs", tabs},
		{"headers in another case and order, unknown columns", "Unit Price,QUANTITY,Title,SKU,Note,Ship-Country,ship_postal_code,Ship City,ship_address1,ship_name,Customer Email,Currency,Channel,Placed At,Order Number,Extra\n" +
			"12.50,2,\"Blue mug, large\",MUG,\"Ring twice\nthen leave it\",US,62701,Springfield,1 Main St,Ada,,,,2025-03-14,1001,whatever\n" +
			"\"1,299.00\",1,T-shirt,TEE,,,,,,,,,,,1001,\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orders, rejected := readString(t, tt.in)
			if !reflect.DeepEqual(orders, want) || len(rejected) != 0 {
				t.Errorf("got %+v, rejected %q\nwant %+v", orders, rejectedErrors(rejected), want)
			}
		})
	}
}

// rowErrors reads a file of one order (line 2) and returns its row errors.
func rowErrors(t *testing.T, in string) []string {
	t.Helper()
	orders, rejected := readString(t, in)
	if len(orders) != 0 {
		t.Errorf("orders = %q, want none", summary(orders))
	}
	return rejectedErrors(rejected)
}

func TestReadCSVRowErrors(t *testing.T) {
	row := func(cells string) string { return header + "1," + cells + "\n" }
	line := func(quantity, price string) string { return row(shipRow + ",A,," + quantity + "," + price + ",") }
	tests := []struct {
		name, in string
		want     []string // "id line column: message"
	}{
		{"quantity 0", line("0", ""), []string{`1 2 quantity: quantity "0" must be at least 1.`}},
		{"quantity -1", line("-1", ""), []string{`1 2 quantity: quantity "-1" must be at least 1.`}},
		{"quantity x", line("x", ""), []string{`1 2 quantity: quantity "x" is not a number.`}},
		{"quantity 1.5", line("1.5", ""), []string{`1 2 quantity: quantity "1.5" must be a whole number.`}},
		{"quantity 1,000", line(`"1,000"`, ""), []string{`1 2 quantity: quantity "1,000" is not a number.`}},
		{"quantity too large", line("100001", ""), []string{`1 2 quantity: quantity "100001" is too large (at most 100000).`}},
		{"quantity overflow", line("99999999999999999999999", ""), []string{`1 2 quantity: quantity "99999999999999999999999" is too large (at most 100000).`}},
		{"quantity missing", line("", ""), []string{`1 2 quantity: The quantity is missing.`}},
		{"price abc", line("1", "abc"), []string{`1 2 unit_price: unit_price "abc" is not an amount.`}},
		{"price -1", line("1", "-1"), []string{`1 2 unit_price: unit_price "-1" is negative.`}},
		{"price 1.234", line("1", "1.234"), []string{`1 2 unit_price: unit_price "1.234" has more than 2 decimal places.`}},
		{"price with a symbol", line("1", "$5"), []string{`1 2 unit_price: unit_price "$5" is not an amount.`}},
		{"decimal comma outside ; files", line("1", `"12,50"`), []string{`1 2 unit_price: unit_price "12,50" is not an amount.`}},
		{"price too large for Validate", line("1", "1000000000"), []string{`1 2 unit_price: The unit price is too large (at most 999,999,999.99).`}},
		{"bad date", row("2025-13-01,,,,Ada,1 Main St,Springfield,62701,US,A,,1,,"),
			[]string{`1 2 placed_at: placed_at "2025-13-01" is not a date; write it like 2025-03-14, 2025-03-14 09:30 or 03/14/2025.`}},
		{"day-first date", row("31/12/2024,,,,Ada,1 Main St,Springfield,62701,US,A,,1,,"),
			[]string{`1 2 placed_at: placed_at "31/12/2024" looks like day/month/year; write dates as year-month-day (2024-12-31) or month/day/year.`}},
		{"future date", row("2999-01-01,,,,Ada,1 Main St,Springfield,62701,US,A,,1,,"),
			[]string{`1 2 placed_at: The order date 2999-01-01 is in the future.`}},
		{"unknown channel", row("2025-03-14,tiktok,,,Ada,1 Main St,Springfield,62701,US,A,,1,,"),
			[]string{`1 2 channel: "tiktok" is not a sales channel Dropline knows; use one of shopify, amazon, etsy, ebay, woocommerce, manual, csv, api.`}},
		{"unknown currency", row("2025-03-14,,BTC,,Ada,1 Main St,Springfield,62701,US,A,,1,,"),
			[]string{`1 2 currency: "BTC" is not a currency code; use a 3-letter code such as USD or EUR.`}},
		{"no SKU nor title", row(shipRow + ",,,1,,"), []string{`1 2 sku: Enter a SKU or a title for the product.`}},
		{"bad email", row("2025-03-14,,,ada@,Ada,1 Main St,Springfield,62701,US,A,,1,,"),
			[]string{`1 2 customer_email: "ada@" is not a valid email address.`}},
		{"ship_to fields missing", row("2025-03-14,,,,,,,,,A,,1,,"), []string{
			`1 2 ship_name: Enter the recipient's name.`,
			`1 2 ship_address1: Enter the street address.`,
			`1 2 ship_city: Enter the city.`,
			`1 2 ship_postal_code: Enter the postal code (ZIP code).`,
			`1 2 ship_country: Enter the country as a 2-letter code, e.g. US.`,
		}},
		{"unknown country", row("2025-03-14,,,,Ada,1 Main St,Springfield,62701,Narnia,A,,1,,"),
			[]string{`1 2 ship_country: "Narnia" is not a country code; use the 2-letter code, e.g. US, GB or DE.`}},
		{"extra cells", row(shipRow + ",A,,1,,,oops"),
			[]string{`1 2 : This row has more cells than the header has columns; a value that contains "," must be in quotes.`}},
		{"unquoted thousands comma", row(shipRow + ",A,,1,1,299.00,gift"),
			[]string{`1 2 : This row has more cells than the header has columns; a value that contains "," must be in quotes.`}},
		{"several problems on one row", row("yesterday,,,,Ada,1 Main St,Springfield,62701,US,A,,x,abc,"), []string{
			`1 2 placed_at: placed_at "yesterday" is not a date; write it like 2025-03-14, 2025-03-14 09:30 or 03/14/2025.`,
			`1 2 quantity: quantity "x" is not a number.`,
			`1 2 unit_price: unit_price "abc" is not an amount.`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rowErrors(t, tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("row errors:\ngot  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestReadCSVPlacedAt(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2025-03-14T09:30:00Z", time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)},
		{"2025-03-14T09:30:00.5-05:00", time.Date(2025, 3, 14, 14, 30, 0, 500_000_000, time.UTC)},
		{"2025-03-14T09:30:00", time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)},
		{"2025-03-14 09:30", time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)},
		{"2025-03-14 09:30:05", time.Date(2025, 3, 14, 9, 30, 5, 0, time.UTC)},
		{"2025-03-14", time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)},
		{"03/14/2025", time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)},
		{"3/4/2025", time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC)}, // US: March 4
		{"3/14/2025 17:05", time.Date(2025, 3, 14, 17, 5, 0, 0, time.UTC)},
		{"", time.Time{}},
	}
	for _, tt := range tests {
		orders, rejected := readString(t, header+"1,"+tt.in+",,,,Ada,1 Main St,Springfield,62701,US,A,,1,,\n")
		if len(orders) != 1 || !orders[0].PlacedAt.Equal(tt.want) || orders[0].PlacedAt.Location() != time.UTC {
			t.Errorf("placed_at %q: orders %+v, rejected %q; want PlacedAt %v", tt.in, orders, rejectedErrors(rejected), tt.want)
		}
	}
}

func TestReadCSVRejectedAmongOrders(t *testing.T) {
	in := header +
		"A," + shipRow + ",S1,,1,,\n" + // 2
		"," + shipRow + ",S2,,1,,\n" + // 3: no order number
		"B," + shipRow + ",S3,,x,,\n" + // 4: bad quantity
		"C," + shipRow + ",S4,,1,,\n" + // 5
		"  ," + shipRow + ",S5,,0,,\n" + // 6: no order number, bad quantity
		"B," + shipRow + ",S6,,2,,\n" // 7
	orders, rejected := readString(t, in)
	if got, want := summary(orders), []string{"A: S1×1@0", "C: S4×1@0"}; !slices.Equal(got, want) {
		t.Errorf("orders = %q, want %q", got, want)
	}
	want := []Rejected{
		{ChannelOrderID: "", Lines: []int{3, 6}, Errors: []RowError{
			{3, "order_number", "The order number is missing."},
			{6, "order_number", "The order number is missing."},
			{6, "quantity", `quantity "0" must be at least 1.`},
		}},
		{ChannelOrderID: "B", Lines: []int{4, 7}, Errors: []RowError{{4, "quantity", `quantity "x" is not a number.`}}},
	}
	if !reflect.DeepEqual(rejected, want) {
		t.Errorf("rejected:\ngot  %+v\nwant %+v", rejected, want)
	}
	if got, want := want[1].Errors[0].Error(), `line 4, quantity: quantity "x" is not a number.`; got != want {
		t.Errorf("RowError.Error() = %q, want %q", got, want)
	}
}

func TestReadCSVTooManyLines(t *testing.T) {
	var b strings.Builder
	b.WriteString(header)
	for i := range MaxLines + 2 {
		fmt.Fprintf(&b, "A,%s,S%d,,1,,\n", shipRow, i)
	}
	orders, rejected := readString(t, b.String())
	want := []string{"A 2 : The order has 501 lines; at most 500 are allowed."}
	if got := rejectedErrors(rejected); len(orders) != 0 || !slices.Equal(got, want) || len(rejected[0].Lines) != MaxLines+2 {
		t.Errorf("orders %d, errors %q; want none, %q and %d lines", len(orders), got, want, MaxLines+2)
	}
}

func TestReadCSVInReadsTimesWithoutAZoneInTheAccountsZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	body := "order_number,placed_at,sku,quantity,ship_name,ship_address1,ship_city,ship_postal_code,ship_country\n" +
		"A1,2025-03-14 09:30,X,1,Ada,1 Main St,Springfield,62701,US\n" +
		"A2,2025-03-14T09:30:00Z,X,1,Ada,1 Main St,Springfield,62701,US\n" +
		"A3,07/04/2025,X,1,Ada,1 Main St,Springfield,62701,US\n" +
		"A3,2025-07-04T04:00:00Z,X,1,,,,,\n"
	orders, rejected, err := ReadCSVIn(strings.NewReader(body), ny)
	if err != nil || len(rejected) != 0 {
		t.Fatalf("read: %v %v", err, rejectedErrors(rejected))
	}
	want := map[string]time.Time{
		"A1": time.Date(2025, 3, 14, 13, 30, 0, 0, time.UTC), // 09:30 in New York (EDT)
		"A2": time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC),  // its own zone wins
		"A3": time.Date(2025, 7, 4, 4, 0, 0, 0, time.UTC),    // midnight in New York; the same instant again agrees
	}
	for _, o := range orders {
		if !o.PlacedAt.Equal(want[o.ChannelOrderID]) {
			t.Errorf("%s placed at %v, want %v", o.ChannelOrderID, o.PlacedAt, want[o.ChannelOrderID])
		}
	}
}
