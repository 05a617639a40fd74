package orderfile

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr string // "" for success
	}{
		{"19.99", 1999, ""},
		{"19.9", 1990, ""},
		{"19", 1900, ""},
		{"0", 0, ""},
		{"0.00", 0, ""},
		{" 7.05 ", 705, ""},
		{"1,299.00", 129900, ""},
		{"12,345,678.9", 1234567890, ""},
		{"1.230", 123, ""},
		{"007.5", 750, ""},
		{"9999999999999.99", 999999999999999, ""},
		{"-1", 0, `"-1" is negative`},
		{"1.234", 0, `"1.234" has more than 2 decimal places`},
		{"", 0, "amount is empty"},
		{"   ", 0, "amount is empty"},
		{"abc", 0, `"abc" is not an amount`},
		{"$5", 0, `"$5" is not an amount`},
		{"+5", 0, `"+5" is not an amount`},
		{".5", 0, `".5" is not an amount`},
		{"5.", 0, `"5." is not an amount`},
		{"1.2.3", 0, `"1.2.3" is not an amount`},
		{"1,29", 0, `"1,29" is not an amount`},
		{"1,2999", 0, `"1,2999" is not an amount`},
		{",299", 0, `",299" is not an amount`},
		{"1e3", 0, `"1e3" is not an amount`},
		{"١٢", 0, `"١٢" is not an amount`}, // Arabic-Indic digits
		{"10000000000000", 0, `"10000000000000" is too large`},
	}
	for _, tt := range tests {
		got, err := ParseMoney(tt.in)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != tt.want || gotErr != tt.wantErr {
			t.Errorf("ParseMoney(%q) = %d, %q; want %d, %q", tt.in, got, gotErr, tt.want, tt.wantErr)
		}
	}
}

func TestDecimalCommaMoney(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"19,99", "19.99", true},
		{"19,9", "19.9", true},
		{"1.299,50", "1,299.50", true},
		{"1,299", "", false},    // thousands comma: ParseMoney reads it
		{"1,299.00", "", false}, // decimal point
		{"1,2,3", "", false},
		{"19", "", false},
	}
	for _, tt := range tests {
		got, ok := decimalCommaMoney(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("decimalCommaMoney(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestChannels(t *testing.T) {
	got := Channels()
	want := []string{"shopify", "amazon", "etsy", "ebay", "woocommerce", "manual", "csv", "api"}
	if !slices.Equal(got, want) {
		t.Fatalf("Channels() = %v, want %v", got, want)
	}
	got[0] = "changed"
	if again := Channels(); again[0] != "shopify" {
		t.Errorf("Channels() shares its slice: after a change got %v", again)
	}
}

func TestCodeLists(t *testing.T) {
	if got, want := len(countries), 250; got != want { // 249 ISO codes + XK
		t.Errorf("len(countries) = %d, want %d", got, want)
	}
	for c := range postalOptional {
		if !countries[c] {
			t.Errorf("noPostalCode lists %q, which is not a country code", c)
		}
	}
	for name, c := range countryNames {
		if !countries[c] || name != strings.ToUpper(name) {
			t.Errorf("countryNames[%q] = %q: want an upper-case name and a known code", name, c)
		}
	}
	for _, c := range []string{"US", "GB", "DE", "HK", "XK", "ZW"} {
		if !IsCountry(c) {
			t.Errorf("IsCountry(%q) = false, want true", c)
		}
	}
	for _, c := range []string{"UK", "EU", "XX", "us", ""} {
		if IsCountry(c) {
			t.Errorf("IsCountry(%q) = true, want false", c)
		}
	}
	for _, c := range []string{"USD", "EUR", "JPY", "GBP", "CHF"} {
		if !IsCurrency(c) {
			t.Errorf("IsCurrency(%q) = false, want true", c)
		}
	}
	for _, c := range []string{"XAU", "XXX", "usd", "US", "BTC"} {
		if IsCurrency(c) {
			t.Errorf("IsCurrency(%q) = true, want false", c)
		}
	}
	for c, want := range map[string]bool{"US": true, "GB": true, "HK": false, "AE": false, "IE": false} {
		if got := NeedsPostalCode(c); got != want {
			t.Errorf("NeedsPostalCode(%q) = %v, want %v", c, got, want)
		}
	}
}

// validOrder returns an order that passes Validate unchanged.
func validOrder() Order {
	return Order{
		Channel:        "manual",
		ChannelOrderID: "1001",
		PlacedAt:       time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC),
		Currency:       "USD",
		Customer:       Customer{Name: "Ada Lovelace", Email: "ada@example.com", Phone: "+1 555 0100"},
		ShipTo: Address{Name: "Ada Lovelace", Address1: "12 Main Street", City: "Springfield", Region: "IL",
			PostalCode: "62701", Country: "US"},
		Lines: []Line{{SKU: "MUG-BLUE", Title: "Blue mug", Quantity: 2, UnitPriceCents: 1250}},
	}
}

func TestValidateMessages(t *testing.T) {
	tests := []struct {
		name   string
		change func(o *Order)
		want   map[string]string
	}{
		{"valid", func(o *Order) {}, nil},
		{"zero placed_at is fine", func(o *Order) { o.PlacedAt = time.Time{} }, nil},
		{"title without SKU", func(o *Order) { o.Lines[0].SKU = "" }, nil},
		{"SKU without title", func(o *Order) { o.Lines[0].Title = "" }, nil},
		{"free line", func(o *Order) { o.Lines[0].UnitPriceCents = 0 }, nil},
		{"no postal code in Hong Kong", func(o *Order) { o.ShipTo.Country, o.ShipTo.PostalCode = "HK", "" }, nil},
		{"no Eircode in Ireland", func(o *Order) { o.ShipTo.Country, o.ShipTo.PostalCode = "IE", "" }, nil},
		{"empty channel", func(o *Order) { o.Channel = " " },
			map[string]string{"channel": "Choose the sales channel the order comes from."}},
		{"unknown channel", func(o *Order) { o.Channel = "tiktok" },
			map[string]string{"channel": `"tiktok" is not a sales channel Dropline knows; use one of shopify, amazon, etsy, ebay, woocommerce, manual, csv, api.`}},
		{"no order number", func(o *Order) { o.ChannelOrderID = "" },
			map[string]string{"channel_order_id": "Enter the order number."}},
		{"long order number", func(o *Order) { o.ChannelOrderID = strings.Repeat("9", 256) },
			map[string]string{"channel_order_id": "The order number is too long (at most 255 characters)."}},
		{"order number of 255 runes", func(o *Order) { o.ChannelOrderID = strings.Repeat("é", 255) }, nil},
		{"old date", func(o *Order) { o.PlacedAt = time.Date(1989, 12, 31, 0, 0, 0, 0, time.UTC) },
			map[string]string{"placed_at": "The order date 1989-12-31 is before 1990."}},
		{"future date", func(o *Order) { o.PlacedAt = time.Date(2999, 1, 2, 0, 0, 0, 0, time.UTC) },
			map[string]string{"placed_at": "The order date 2999-01-02 is in the future."}},
		{"no currency", func(o *Order) { o.Currency = "" },
			map[string]string{"currency": "Enter the currency as a 3-letter code, e.g. USD."}},
		{"bad currency", func(o *Order) { o.Currency = "dollars" },
			map[string]string{"currency": `"DOLLARS" is not a currency code; use a 3-letter code such as USD or EUR.`}},
		{"bad email", func(o *Order) { o.Customer.Email = "ada@" },
			map[string]string{"customer.email": `"ada@" is not a valid email address.`}},
		{"email with a display name", func(o *Order) { o.Customer.Email = "Ada <ada@example.com>" },
			map[string]string{"customer.email": `"Ada <ada@example.com>" is not a valid email address.`}},
		{"email without a dot in the domain", func(o *Order) { o.Customer.Email = "ada@localhost" },
			map[string]string{"customer.email": `"ada@localhost" is not a valid email address.`}},
		{"long phone", func(o *Order) { o.Customer.Phone = strings.Repeat("5", 41) },
			map[string]string{"customer.phone": "The customer phone number is too long (at most 40 characters)."}},
		{"empty ship_to", func(o *Order) { o.ShipTo = Address{} },
			map[string]string{
				"ship_to.name":        "Enter the recipient's name.",
				"ship_to.address1":    "Enter the street address.",
				"ship_to.city":        "Enter the city.",
				"ship_to.country":     "Enter the country as a 2-letter code, e.g. US.",
				"ship_to.postal_code": "Enter the postal code (ZIP code).",
			}},
		{"no postal code in the US", func(o *Order) { o.ShipTo.PostalCode = "" },
			map[string]string{"ship_to.postal_code": "Enter the postal code (ZIP code)."}},
		{"unknown country", func(o *Order) { o.ShipTo.Country = "Narnia" },
			map[string]string{"ship_to.country": `"Narnia" is not a country code; use the 2-letter code, e.g. US, GB or DE.`}},
		{"control character", func(o *Order) { o.ShipTo.City = "Spring\x00field" },
			map[string]string{"ship_to.city": "The city contains control characters."}},
		{"not UTF-8", func(o *Order) { o.ShipTo.Address1 = "M\xfcnchner Str. 1" },
			map[string]string{"ship_to.address1": "The street address is not valid text (it has bytes that are not UTF-8)."}},
		{"long note", func(o *Order) { o.Note = strings.Repeat("x", MaxNote+1) },
			map[string]string{"note": "The note is too long (at most 5000 characters)."}},
		{"no lines", func(o *Order) { o.Lines = nil },
			map[string]string{"lines": "Add at least one line: a product (SKU or title) and a quantity."}},
		{"too many lines", func(o *Order) { o.Lines = slices.Repeat(o.Lines, MaxLines+1) },
			map[string]string{"lines": "The order has 501 lines; at most 500 are allowed."}},
		{"bad lines", func(o *Order) {
			o.Lines = []Line{
				{SKU: "A", Quantity: 1},
				{SKU: " ", Title: "", Quantity: 0, UnitPriceCents: -1},
				{SKU: "C", Quantity: MaxQuantity + 1, UnitPriceCents: MaxUnitPriceCents + 1},
				{SKU: "D", Quantity: -1},
			}
		}, map[string]string{
			"lines[1].sku":        "Enter a SKU or a title for the product.",
			"lines[1].quantity":   "The quantity must be at least 1.",
			"lines[1].unit_price": "The unit price cannot be negative.",
			"lines[2].quantity":   "The quantity must be at most 100000.",
			"lines[2].unit_price": "The unit price is too large (at most 999,999,999.99).",
			"lines[3].quantity":   "The quantity must be at least 1.",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := validOrder()
			tt.change(&o)
			got := o.Validate()
			if !maps.Equal(got, tt.want) {
				t.Errorf("Validate() = %q\nwant         %q", got, tt.want)
			}
			if tt.want == nil && got != nil {
				t.Errorf("Validate() = %#v, want nil", got)
			}
		})
	}
}

func TestValidateNormalises(t *testing.T) {
	ny := time.FixedZone("EST", -5*3600)
	o := Order{
		Channel:        " Shopify ",
		ChannelOrderID: " #1001\n",
		PlacedAt:       time.Date(2025, 3, 14, 9, 30, 0, 0, ny),
		Currency:       "eur",
		Customer:       Customer{Name: "  Ada\tLovelace ", Email: " ada@example.com "},
		ShipTo: Address{Name: "Ada", Address1: "12 Main Street\r\nApt 4", City: "Berlin",
			PostalCode: " 10115 ", Country: "de"},
		Lines: []Line{{SKU: " MUG ", Title: " Blue\nmug ", Quantity: 1}},
		Note:  "  line one\r\nline two\rthree\t4  ",
	}
	if errs := o.Validate(); errs != nil {
		t.Fatalf("Validate() = %v, want nil", errs)
	}
	want := Order{
		Channel:        "shopify",
		ChannelOrderID: "#1001",
		PlacedAt:       time.Date(2025, 3, 14, 14, 30, 0, 0, time.UTC),
		Currency:       "EUR",
		Customer:       Customer{Name: "Ada Lovelace", Email: "ada@example.com"},
		ShipTo:         Address{Name: "Ada", Address1: "12 Main Street Apt 4", City: "Berlin", PostalCode: "10115", Country: "DE"},
		Lines:          []Line{{SKU: "MUG", Title: "Blue mug", Quantity: 1}},
		Note:           "line one\nline two\nthree\t4",
	}
	if !reflect.DeepEqual(o, want) {
		t.Errorf("after Validate got\n%#v\nwant\n%#v", o, want)
	}
	if o.PlacedAt.Location() != time.UTC {
		t.Errorf("PlacedAt location = %v, want UTC", o.PlacedAt.Location())
	}

	for in, want := range map[string]string{"United States": "US", "  united   kingdom ": "GB", "uk": "GB", "Deutschland": "DE", "gb": "GB"} {
		o := validOrder()
		o.ShipTo.Country = in
		if errs := o.Validate(); errs != nil || o.ShipTo.Country != want {
			t.Errorf("Country %q: Validate() = %v, Country %q; want nil, %q", in, errs, o.ShipTo.Country, want)
		}
	}
}
