package orderfile

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// cloneOrder copies an order deeply enough for a before/after comparison.
func cloneOrder(o Order) Order {
	o.Lines = slices.Clone(o.Lines)
	return o
}

// checkValid fails unless o passes Validate without being changed by it.
func checkValid(t *testing.T, o Order) {
	t.Helper()
	c := cloneOrder(o)
	if errs := c.Validate(); errs != nil {
		t.Fatalf("returned order %q fails Validate: %v", o.ChannelOrderID, errs)
	}
	if !reflect.DeepEqual(c, o) {
		t.Fatalf("Validate changed a returned order:\nbefore %+v\nafter  %+v", o, c)
	}
}

// FuzzReadCSV checks ReadCSV, for any file:
//   - a refused file is a *FileError with a message, and a message that
//     starts "Line N" carries that line;
//   - every order returned passes Validate unchanged and appears once;
//   - every rejected order has errors, each on one of its lines, and its
//     lines come after the header;
//   - the accepted orders, written back in the template's layout, read back
//     exactly the same.
func FuzzReadCSV(f *testing.F) {
	f.Add(CSVTemplate())
	f.Add(header + "A," + shipRow + ",S1,,1,1.00,\nB," + shipRow + ",S2,,2,2.00,\nA,,,,,,,,,,S3,,3,3.00,\n")
	f.Add("\xEF\xBB\xBF" + strings.ReplaceAll(strings.ReplaceAll(CSVTemplate(), ",", ";"), "\n", "\r\n"))
	f.Add(header + "1,31/12/2024,tiktok,XYZ,a@,,,,,Narnia,,,x,abc,\n,\n")
	f.Add("order_number;sku;quantity;unit_price\n1;A;2;1.299,50\n1;B;1.0;\"3\"\n")
	f.Add("")
	f.Add("order_number,sku,quantity\n\"1\n2\",A,1\n")
	f.Fuzz(func(t *testing.T, in string) {
		orders, rejected, err := ReadCSV(strings.NewReader(in))
		if err != nil {
			if orders != nil || rejected != nil {
				t.Fatalf("error %v with orders %v and rejected %v", err, orders, rejected)
			}
			var fe *FileError
			if !errors.As(err, &fe) || fe.Message == "" || fe.Line < 0 {
				t.Fatalf("error %v (%T), want a *FileError with a message", err, err)
			}
			// A message about a line names the line the error carries.
			if m := lineMsg.FindStringSubmatch(fe.Message); m != nil && m[1] != strconv.Itoa(fe.Line) {
				t.Fatalf("FileError on line %d says %q", fe.Line, fe.Message)
			}
			return
		}
		ids := map[string]bool{}
		for _, o := range orders {
			checkValid(t, o)
			if ids[o.ChannelOrderID] {
				t.Fatalf("order %q returned twice", o.ChannelOrderID)
			}
			ids[o.ChannelOrderID] = true
		}
		for _, r := range rejected {
			if len(r.Errors) == 0 || len(r.Lines) == 0 {
				t.Fatalf("rejected %q without errors or lines: %+v", r.ChannelOrderID, r)
			}
			if r.Lines[0] < 2 || !slices.IsSorted(r.Lines) {
				t.Fatalf("rejected %q on lines %v (the header is line 1)", r.ChannelOrderID, r.Lines)
			}
			for _, e := range r.Errors {
				if e.Message == "" || !slices.Contains(r.Lines, e.Line) {
					t.Fatalf("rejected %q: error %+v is not on one of its lines %v", r.ChannelOrderID, e, r.Lines)
				}
			}
		}

		// The accepted orders, written back in the template's layout, read
		// back the same.
		if len(orders) == 0 {
			return
		}
		out := writeOrdersCSV(orders)
		again, rej, err := ReadCSV(strings.NewReader(out))
		if err != nil || len(rej) > 0 {
			t.Fatalf("accepted orders written back: error %v, rejected %+v\n%s", err, rej, out)
		}
		if !reflect.DeepEqual(again, orders) {
			t.Fatalf("accepted orders written back read differently:\nwrote %+v\nread  %+v\n%s", orders, again, out)
		}
	})
}

var lineMsg = regexp.MustCompile(`^Line (\d+)\b`)

// writeOrdersCSV writes orders as CSVTemplate lays them out: one row per
// line, order-level cells on the first row only.
func writeOrdersCSV(orders []Order) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	rec := make([]string, len(templateOrder))
	for i, c := range templateOrder {
		rec[i] = columnNames[c]
	}
	_ = w.Write(rec)
	for _, o := range orders {
		for n, l := range o.Lines {
			var row [numCols]string
			row[colOrderNumber] = o.ChannelOrderID
			if n == 0 {
				if !o.PlacedAt.IsZero() {
					row[colPlacedAt] = o.PlacedAt.Format(time.RFC3339Nano)
				}
				row[colChannel], row[colCurrency], row[colNote] = o.Channel, o.Currency, o.Note
				row[colCustomerName], row[colCustomerEmail], row[colCustomerPhone] = o.Customer.Name, o.Customer.Email, o.Customer.Phone
				a := o.ShipTo
				row[colShipName], row[colShipCompany], row[colShipAddress1], row[colShipAddress2] = a.Name, a.Company, a.Address1, a.Address2
				row[colShipCity], row[colShipRegion], row[colShipPostalCode], row[colShipCountry], row[colShipPhone] = a.City, a.Region, a.PostalCode, a.Country, a.Phone
			}
			row[colSKU], row[colTitle] = l.SKU, l.Title
			row[colQuantity] = strconv.Itoa(l.Quantity)
			row[colUnitPrice] = fmt.Sprintf("%d.%02d", l.UnitPriceCents/100, l.UnitPriceCents%100)
			for i, c := range templateOrder {
				rec[i] = row[c]
			}
			_ = w.Write(rec)
		}
	}
	w.Flush()
	return b.String()
}

// FuzzParseShopifyOrder checks that a webhook body either gives an error and
// a zero Order, or a Shopify order that passes Validate unchanged.
func FuzzParseShopifyOrder(f *testing.F) {
	f.Add([]byte(shopifyPayload))
	f.Add([]byte(`{"order": ` + shopifyPayload + `}`))
	f.Add([]byte(`{"id": "1", "shipping_address": {"name": "A", "address1": "B", "city": "C", "country": "HK"}, "line_items": [{"title": "T", "quantity": "1", "price": 0}], "currency": "HKD"}`))
	f.Add([]byte(`{"orders": []}`))
	f.Add([]byte(`null`))
	// Real payloads: Shopify's, and other channels' and resources' that must
	// be refused cleanly.
	for _, name := range []string{"order.json", "orders.json", "draft_order.json", "refund.json",
		"../woocommerce_ios_rest_fixtures/order.json", "../woocommerce_ios_rest_fixtures/broken-order.json"} {
		if b, err := os.ReadFile(filepath.Join(shopifyFixtures, name)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := ParseShopifyOrder(body)
		if err != nil {
			if !reflect.DeepEqual(o, Order{}) {
				t.Fatalf("error %v with a non-zero order %+v", err, o)
			}
			return
		}
		if o.Channel != "shopify" {
			t.Fatalf("Channel = %q, want shopify", o.Channel)
		}
		checkValid(t, o)
	})
}

// validateKey matches the keys Validate documents.
var validateKey = regexp.MustCompile(`^(channel|channel_order_id|placed_at|currency|note|lines|` +
	`customer\.(name|email|phone)|ship_to\.(name|company|address1|address2|city|region|postal_code|country|phone)|` +
	`lines\[\d+\]\.(sku|title|quantity|unit_price))$`)

var lineIndexKey = regexp.MustCompile(`^lines\[(\d+)\]`)

// FuzzValidate builds an order, its ship-to address above all, from fuzzed
// strings and checks Validate:
//   - no panic; every message is under a documented key and not empty;
//   - it normalises once: a second call changes nothing and says the same;
//   - what it accepts keeps the documented rules: a known channel, currency
//     and country code, the required fields present (the postal code where
//     the country needs one), one-line fields trimmed, valid UTF-8 without
//     control characters or line breaks and within their lengths, the note
//     without control characters other than line breaks and tabs, 1 to
//     MaxLines lines within the quantity and price limits, and a placed date
//     in UTC between 1990 and two days from now.
func FuzzValidate(f *testing.F) {
	type seed struct {
		channel, id, currency, custName, email, custPhone          string
		name, company, addr1, addr2, city, region, postal, country string
		phone, note, sku, title                                    string
		qty                                                        int
		cents, placed                                              int64
		lines                                                      uint16
	}
	seeds := []seed{
		{"shopify", "#1001", "usd", "Bob Norman", "bob.norman@hostmail.com", "", "Bob Norman", "", "Chestnut Street 92", "", "Louisville", "Kentucky", "40202", "US", "555-625-1199", "", "IPOD2008GREEN", "IPod Nano - 8gb - green", 1, 19900, 1199955600, 3},
		{"CSV", " 1002 ", "EUR", "Grace Hopper", "grace@example.com", "", "Grace Hopper", "Navy Labs", "Hauptstraße 5", "", "Berlin", "", "10115", "germany", "", "Gift\r\nwrap", "CAP-RED", "", 3, 800, 0, 1},
		{"manual", "A-1", "HKD", "", "", "", "陳大文", "", "1 Queen's Road", "Flat\t5", "Hong Kong", "", "", "hk", "+852 1234 5678", "", "", "Tea", 100000, 99999999999, 0, 1},
		{"amazon", "113-1234567-1234567", "GBP", "", "a@b", "", "Jo\x00e", "", "1 High St", "", "London", "", "SW1A 1AA", "United Kingdom", "", "", "SKU", "", 0, -1, -62135596800, 0},
		{"etsy", "1", "XXX", "", "not an email", "", "\xff", "", "", "", "", "", "", "Narnia", "", "\u0085", "", "", 100001, 100000000000, 4102444800, 501},
		{"", "", "", "Name <a@example.com>", "a@example.com", "", "N", "", "A", "", "C", "", "", "IE", "", "", "S", "", 1, 0, 631152000, 1},
	}
	for _, s := range seeds {
		f.Add(s.channel, s.id, s.currency, s.custName, s.email, s.custPhone, s.name, s.company, s.addr1, s.addr2, s.city,
			s.region, s.postal, s.country, s.phone, s.note, s.sku, s.title, s.qty, s.cents, s.placed, s.lines)
	}
	f.Fuzz(func(t *testing.T, channel, id, currency, custName, email, custPhone, name, company, addr1, addr2, city,
		region, postal, country, phone, note, sku, title string, qty int, cents, placed int64, lines uint16) {
		o := Order{
			Channel: channel, ChannelOrderID: id, Currency: currency, Note: note,
			Customer: Customer{Name: custName, Email: email, Phone: custPhone},
			ShipTo: Address{Name: name, Company: company, Address1: addr1, Address2: addr2, City: city, Region: region,
				PostalCode: postal, Country: country, Phone: phone},
		}
		if placed != 0 {
			o.PlacedAt = time.Unix(placed, 0).In(time.FixedZone("X", -5*3600))
		}
		n := int(lines % 520)
		for i := 0; i < n; i++ {
			l := Line{SKU: sku, Title: title, Quantity: qty, UnitPriceCents: cents}
			if i%2 == 1 { // vary the lines a little
				l.SKU, l.Quantity = sku+strconv.Itoa(i), 1
			}
			o.Lines = append(o.Lines, l)
		}
		errs := o.Validate()
		for key, msg := range errs {
			if !validateKey.MatchString(key) || msg == "" {
				t.Fatalf("message %q under key %q", msg, key)
			}
			if m := lineIndexKey.FindStringSubmatch(key); m != nil {
				if i, _ := strconv.Atoi(m[1]); i >= len(o.Lines) {
					t.Fatalf("key %q for an order of %d lines", key, len(o.Lines))
				}
			}
		}
		once := cloneOrder(o)
		if again := once.Validate(); !reflect.DeepEqual(again, errs) || !reflect.DeepEqual(once, o) {
			t.Fatalf("second Validate differs:\nfirst  %v %+v\nsecond %v %+v", errs, o, again, once)
		}
		if errs != nil {
			return
		}
		checkAccepted(t, o)
	})
}

// checkAccepted fails unless o keeps Validate's documented rules.
func checkAccepted(t *testing.T, o Order) {
	t.Helper()
	if !slices.Contains(Channels(), o.Channel) || !IsCurrency(o.Currency) || !IsCountry(o.ShipTo.Country) {
		t.Fatalf("accepted channel %q, currency %q, country %q", o.Channel, o.Currency, o.ShipTo.Country)
	}
	a := o.ShipTo
	if o.ChannelOrderID == "" || a.Name == "" || a.Address1 == "" || a.City == "" || (a.PostalCode == "" && NeedsPostalCode(a.Country)) {
		t.Fatalf("accepted without a required field: %q %+v", o.ChannelOrderID, a)
	}
	oneLine := map[string]struct {
		v   string
		max int
	}{
		"channel_order_id": {o.ChannelOrderID, MaxText}, "customer.name": {o.Customer.Name, MaxText},
		"customer.email": {o.Customer.Email, MaxText}, "customer.phone": {o.Customer.Phone, MaxPhone},
		"ship_to.name": {a.Name, MaxText}, "ship_to.company": {a.Company, MaxText}, "ship_to.address1": {a.Address1, MaxText},
		"ship_to.address2": {a.Address2, MaxText}, "ship_to.city": {a.City, MaxText}, "ship_to.region": {a.Region, MaxText},
		"ship_to.postal_code": {a.PostalCode, MaxPostalCode}, "ship_to.phone": {a.Phone, MaxPhone},
	}
	for i, l := range o.Lines {
		oneLine[fmt.Sprintf("lines[%d].sku", i)] = struct {
			v   string
			max int
		}{l.SKU, MaxText}
		oneLine[fmt.Sprintf("lines[%d].title", i)] = struct {
			v   string
			max int
		}{l.Title, MaxText}
	}
	for key, f := range oneLine {
		if !utf8.ValidString(f.v) || f.v != strings.TrimSpace(f.v) || utf8.RuneCountInString(f.v) > f.max ||
			strings.IndexFunc(f.v, unicode.IsControl) >= 0 {
			t.Fatalf("accepted %s %q", key, f.v)
		}
	}
	if !utf8.ValidString(o.Note) || o.Note != strings.TrimSpace(o.Note) || utf8.RuneCountInString(o.Note) > MaxNote ||
		strings.IndexFunc(o.Note, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) >= 0 {
		t.Fatalf("accepted note %q", o.Note)
	}
	if e := o.Customer.Email; e != "" && (strings.Count(e, "@") < 1 || strings.ContainsAny(e, "<>")) {
		t.Fatalf("accepted email %q", e)
	}
	if len(o.Lines) < 1 || len(o.Lines) > MaxLines {
		t.Fatalf("accepted %d lines", len(o.Lines))
	}
	var total int64
	for i, l := range o.Lines {
		if (l.SKU == "" && l.Title == "") || l.Quantity < 1 || l.Quantity > MaxQuantity || l.UnitPriceCents < 0 || l.UnitPriceCents > MaxUnitPriceCents {
			t.Fatalf("accepted line %d: %+v", i, l)
		}
		total += int64(l.Quantity) * l.UnitPriceCents
		if total < 0 {
			t.Fatalf("order total overflows at line %d", i)
		}
	}
	if p := o.PlacedAt; !p.IsZero() && (p.Location() != time.UTC || p.Before(earliestPlacedAt) || p.After(time.Now().Add(futureSlack))) {
		t.Fatalf("accepted placed_at %v", p)
	}
}

// FuzzParseMoney checks ParseMoney and decimalCommaMoney (which ReadCSV
// applies first in ';' files):
//   - a refused amount gives 0 and an error quoting the trimmed value;
//   - an accepted amount is 0 to under 10^15 cents, the same with spaces
//     around it, and reads back the same from its plain form ("1234.50"),
//     its grouped form ("1,234.50") and, through decimalCommaMoney, its
//     European form ("1.234,50");
//   - decimalCommaMoney only ever returns an amount with one '.' followed by
//     1 or 2 digits.
func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"19.99", "19.9", "25", "1,299.00", "1.230", "1.234", "-1", "", ".5", "5.", "$1", "1,29", "0012",
		"9999999999999.99", "99999999999999", "19,99", "1.299,5", "1.299.999,00", " 7 ", "1,000,000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if q, ok := decimalCommaMoney(s); ok {
			whole, frac, _ := strings.Cut(q, ".")
			if strings.Count(q, ".") != 1 || len(frac) < 1 || len(frac) > 2 || !allDigits(frac) || strings.Contains(whole, ".") {
				t.Fatalf("decimalCommaMoney(%q) = %q", s, q)
			}
		}
		cents, err := ParseMoney(s)
		if err != nil {
			if cents != 0 {
				t.Fatalf("ParseMoney(%q) = %d with error %v", s, cents, err)
			}
			if trimmed := strings.TrimSpace(s); trimmed != "" && !strings.Contains(err.Error(), strconv.Quote(clip(trimmed))) {
				t.Fatalf("ParseMoney(%q) error %q does not quote the value", s, err)
			}
			return
		}
		if cents < 0 || cents >= 1e15 {
			t.Fatalf("ParseMoney(%q) = %d", s, cents)
		}
		if c, err := ParseMoney(" " + s + "\t"); c != cents || err != nil {
			t.Fatalf("ParseMoney(%q) = %d but with spaces %d, %v", s, cents, c, err)
		}
		whole, frac := cents/100, cents%100
		plain := fmt.Sprintf("%d.%02d", whole, frac)
		grouped := groupDigits(strconv.FormatInt(whole, 10), ",") + fmt.Sprintf(".%02d", frac)
		european := groupDigits(strconv.FormatInt(whole, 10), ".") + fmt.Sprintf(",%02d", frac)
		for _, form := range []string{plain, grouped} {
			if c, err := ParseMoney(form); c != cents || err != nil {
				t.Fatalf("ParseMoney(%q) = %d but ParseMoney(%q) = %d, %v", s, cents, form, c, err)
			}
		}
		q, ok := decimalCommaMoney(european)
		if !ok {
			t.Fatalf("decimalCommaMoney(%q) refused", european)
		}
		if c, err := ParseMoney(q); c != cents || err != nil {
			t.Fatalf("ParseMoney(%q) = %d but %q → %q reads %d, %v", s, cents, european, q, c, err)
		}
	})
}

// groupDigits puts sep between groups of 3 digits.
func groupDigits(digits, sep string) string {
	for i := len(digits) - 3; i > 0; i -= 3 {
		digits = digits[:i] + sep + digits[i:]
	}
	return digits
}
