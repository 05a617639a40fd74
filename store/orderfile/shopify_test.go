package orderfile

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// shopifyPayload is an orders/create body written for these tests: ids as
// numbers and strings, null fields, a price as a JSON number, a gift card
// that needs no shipping, a line without a SKU and a variant title.
const shopifyPayload = `{
  "id": 820982911946154508,
  "name": "#9999",
  "order_number": 9999,
  "created_at": "2025-03-14T09:30:00-05:00",
  "currency": "cad",
  "email": "jon@example.com",
  "phone": null,
  "note": "Leave at the back door",
  "customer": {"id": 115310627314723954, "first_name": "Jon", "last_name": "Snow", "email": null, "phone": "+1 613 555 0199"},
  "shipping_address": {
    "first_name": "Jon", "last_name": "Snow", "name": null, "company": null,
    "address1": "123 Wall St", "address2": "Unit 4", "city": "Ottawa",
    "province": "Ontario", "province_code": "ON", "zip": "K1A 0B1",
    "country": "Canada", "country_code": "CA", "phone": "613-555-0100",
    "latitude": 45.4, "longitude": -75.7
  },
  "line_items": [
    {"id": 866550311766439020, "sku": "WOOL-SCARF", "title": "Wool scarf", "variant_title": "Grey", "quantity": 2, "price": "24.50", "requires_shipping": true},
    {"id": "141249953214522974", "sku": null, "title": "Sticker pack", "variant_title": null, "quantity": "1", "price": 3, "requires_shipping": true},
    {"id": 1, "sku": "GIFT-50", "title": "Gift card", "variant_title": "", "quantity": 1, "price": "50.00", "requires_shipping": false, "gift_card": true}
  ]
}`

var shopifyWant = Order{
	Channel:        "shopify",
	ChannelOrderID: "#9999",
	ChannelRef:     "gid://shopify/Order/820982911946154508",
	PlacedAt:       time.Date(2025, 3, 14, 14, 30, 0, 0, time.UTC),
	Currency:       "CAD",
	Customer:       Customer{Name: "Jon Snow", Email: "jon@example.com", Phone: "+1 613 555 0199"},
	ShipTo: Address{Name: "Jon Snow", Address1: "123 Wall St", Address2: "Unit 4", City: "Ottawa", Region: "Ontario",
		PostalCode: "K1A 0B1", Country: "CA", Phone: "613-555-0100"},
	Lines: []Line{
		{SKU: "WOOL-SCARF", Title: "Wool scarf - Grey", Quantity: 2, UnitPriceCents: 2450, ChannelLineID: "gid://shopify/LineItem/866550311766439020"},
		{Title: "Sticker pack", Quantity: 1, UnitPriceCents: 300, ChannelLineID: "gid://shopify/LineItem/141249953214522974"},
	},
	Note: "Leave at the back door",
}

func TestParseShopifyOrder(t *testing.T) {
	for name, body := range map[string]string{
		"bare":    shopifyPayload,
		"wrapped": `{"order": ` + shopifyPayload + `}`,
	} {
		t.Run(name, func(t *testing.T) {
			got, err := ParseShopifyOrder([]byte(body))
			if err != nil {
				t.Fatalf("ParseShopifyOrder: %v", err)
			}
			if !reflect.DeepEqual(got, shopifyWant) {
				t.Errorf("got  %+v\nwant %+v", got, shopifyWant)
			}
		})
	}
}

func TestParseShopifyOrderFallbacks(t *testing.T) {
	// No name: the numeric id, exactly (no float rounding). No customer: the
	// order's contact email and phone. No created_at: processed_at. No
	// address name or country code: first + last name, the country's name.
	body := `{"id": 9007199254740993, "processed_at": "2025-01-02T03:04:05Z", "currency": "GBP",
	  "contact_email": "amy@example.co.uk", "phone": "+44 20 7946 0000",
	  "shipping_address": {"first_name": "Amy", "last_name": " Pond ", "address1": "1 Leadworth Rd", "city": "Leadworth",
	    "province": null, "province_code": "ENG", "zip": 12345, "country": "United Kingdom"},
	  "line_items": [{"sku": "TARDIS", "title": "Police box", "quantity": 1, "price": "1,299.00"}]}`
	got, err := ParseShopifyOrder([]byte(body))
	if err != nil {
		t.Fatalf("ParseShopifyOrder: %v", err)
	}
	want := Order{
		Channel: "shopify", ChannelOrderID: "9007199254740993", ChannelRef: "gid://shopify/Order/9007199254740993", PlacedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Currency: "GBP",
		Customer: Customer{Email: "amy@example.co.uk", Phone: "+44 20 7946 0000"},
		ShipTo:   Address{Name: "Amy Pond", Address1: "1 Leadworth Rd", City: "Leadworth", Region: "ENG", PostalCode: "12345", Country: "GB"},
		Lines:    []Line{{SKU: "TARDIS", Title: "Police box", Quantity: 1, UnitPriceCents: 129900}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}

	// A created_at that is not RFC 3339 leaves PlacedAt zero; a long title is cut.
	long := strings.Repeat("é", 300)
	body = strings.Replace(shopifyPayload, `"2025-03-14T09:30:00-05:00"`, `"yesterday"`, 1)
	body = strings.Replace(body, `"Wool scarf"`, `"`+long+`"`, 1)
	got, err = ParseShopifyOrder([]byte(body))
	if err != nil {
		t.Fatalf("ParseShopifyOrder: %v", err)
	}
	if wantTitle := strings.Repeat("é", MaxText-1) + "…"; !got.PlacedAt.IsZero() || got.Lines[0].Title != wantTitle {
		t.Errorf("PlacedAt %v, title %q; want zero and %q", got.PlacedAt, got.Lines[0].Title, wantTitle)
	}
}

func TestParseShopifyOrderUnusable(t *testing.T) {
	replace := func(old, new string) string {
		if !strings.Contains(shopifyPayload, old) {
			t.Fatalf("payload has no %q", old)
		}
		return strings.Replace(shopifyPayload, old, new, 1)
	}
	tests := []struct{ name, body, want string }{
		{"not JSON", "<html>", "unusable Shopify order: the payload is not a JSON object"},
		{"empty", "", "unusable Shopify order: the payload is not a JSON object"},
		{"null", "null", "unusable Shopify order: the payload is not a JSON object"},
		{"array", "[" + shopifyPayload + "]", "unusable Shopify order: the payload is not a JSON object"},
		{"no id", `{"line_items": []}`, "unusable Shopify order: the order has no name or id"},
		{"a list of orders", `{"orders": [` + shopifyPayload + `]}`, "unusable Shopify order: the order has no name or id"},
		{"no shipping address", replace(`"shipping_address": {`, `"shipping_address": null, "billing_address": {`),
			"unusable Shopify order: the order has no shipping address"},
		{"no line items", replace(`"line_items": [`, `"line_items": [], "x": [`), "unusable Shopify order: the order has no line items"},
		{"nothing to ship", strings.ReplaceAll(shopifyPayload, `"requires_shipping": true`, `"requires_shipping": false`),
			"unusable Shopify order: none of the order's line items needs shipping"},
		{"bad price", replace(`"24.50"`, `"24.505"`), `unusable Shopify order: line_items[0].price "24.505" has more than 2 decimal places`},
		{"negative price", replace(`"24.50"`, `"-1.00"`), `unusable Shopify order: line_items[0].price "-1.00" is negative`},
		{"no price", replace(`"price": "24.50"`, `"price": null`), `unusable Shopify order: line_items[0] has no price`},
		{"fractional quantity", replace(`"quantity": 2`, `"quantity": 1.5`), `unusable Shopify order: line_items[0].quantity "1.5" is not a whole number`},
		{"wrong type", replace(`"city": "Ottawa"`, `"city": {"name": "Ottawa"}`), `unusable Shopify order: field "shipping_address.city" has the wrong type (object or array)`},
		{"fails Validate", strings.NewReplacer(`"zip": "K1A 0B1"`, `"zip": null`, `"currency": "cad"`, `"currency": "dollars"`).Replace(shopifyPayload),
			`unusable Shopify order: currency: "DOLLARS" is not a currency code; use a 3-letter code such as USD or EUR. ship_to.postal_code: Enter the postal code (ZIP code).`},
		{"zero quantity", replace(`"quantity": 2`, `"quantity": 0`), `unusable Shopify order: lines[0].quantity: The quantity must be at least 1.`},
		{"too large", `{"x": "` + strings.Repeat("a", MaxShopifyBody) + `"}`, "unusable Shopify order: the payload is larger than 5 MB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ParseShopifyOrder([]byte(tt.body))
			if !errors.Is(err, ErrUnusableWebhook) || err.Error() != tt.want {
				t.Errorf("error = %v\nwant    %s", err, tt.want)
			}
			if !reflect.DeepEqual(o, Order{}) {
				t.Errorf("order = %+v, want the zero Order with an error", o)
			}
		})
	}
}

func TestVerifyShopifyHMAC(t *testing.T) {
	body := []byte(shopifyPayload)
	const secret = "hush"
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	sig := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	// Computed outside Go: printf %s hello | openssl dgst -sha256 -hmac hush -binary | base64
	const helloSig = "zvT9tMFR8adPsBeM6dkn8QqflvWemcuCShl3MgGBDKI="

	tampered := []byte(strings.Replace(shopifyPayload, `"quantity": 2`, `"quantity": 20`, 1))
	tests := []struct {
		name           string
		body           []byte
		header, secret string
		want           bool
	}{
		{"computed signature", body, sig, secret, true},
		{"header with spaces", body, " " + sig + "\n", secret, true},
		{"known vector", []byte("hello"), helloSig, secret, true},
		{"wrong secret", body, sig, "other", false},
		{"tampered body", tampered, sig, secret, false},
		{"empty secret", body, sig, "", false},
		{"empty header", body, "", secret, false},
		{"not base64", body, "not base64!", secret, false},
		{"hex instead of base64", body, "80" + strings.Repeat("0", 62), secret, false},
		{"truncated", body, sig[:20], secret, false},
	}
	for _, tt := range tests {
		if got := VerifyShopifyHMAC(tt.body, tt.header, tt.secret); got != tt.want {
			t.Errorf("%s: VerifyShopifyHMAC = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestParseShopifyOrderEmails(t *testing.T) {
	tests := []struct{ customer, order, contact, want string }{
		{`"a@example.com"`, `"b@example.com"`, `"c@example.com"`, "a@example.com"},
		{`"not an email"`, `"b@example.com"`, `"c@example.com"`, "b@example.com"},
		{`null`, `""`, `" c@example.com "`, "c@example.com"},
		{`"x@"`, `"Bob <b@example.com>"`, `null`, ""},
	}
	for _, tt := range tests {
		body := strings.NewReplacer(`"email": null`, `"email": `+tt.customer,
			`"email": "jon@example.com"`, `"email": `+tt.order+`, "contact_email": `+tt.contact).Replace(shopifyPayload)
		o, err := ParseShopifyOrder([]byte(body))
		if err != nil || o.Customer.Email != tt.want {
			t.Errorf("emails %s, %s, %s: got %q, %v; want %q", tt.customer, tt.order, tt.contact, o.Customer.Email, err, tt.want)
		}
	}
	// A long note is cut rather than refusing the order.
	body := strings.Replace(shopifyPayload, `"Leave at the back door"`, `"`+strings.Repeat("n", MaxNote+10)+`"`, 1)
	if o, err := ParseShopifyOrder([]byte(body)); err != nil || o.Note != strings.Repeat("n", MaxNote-1)+"…" {
		t.Errorf("long note: got %d runes, %v; want %d", len([]rune(o.Note)), err, MaxNote)
	}
}
