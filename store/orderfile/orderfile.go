// Package orderfile turns sales orders from the outside world into Dropline
// orders: a merchant's orders CSV (ReadCSV) and Shopify's orders/create
// webhook (ParseShopifyOrder). Every order it returns has passed
// Order.Validate. Money is held as integer cents and never passes through a
// float.
package orderfile

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Address is a postal address as an order gives it.
type Address struct {
	Name, Company, Address1, Address2, City, Region, PostalCode, Country, Phone string
}

// Customer is who bought.
type Customer struct {
	Name, Email, Phone string
}

// Line is one order line.
type Line struct {
	SKU, Title     string
	Quantity       int
	UnitPriceCents int64
	// ChannelLineID is the platform's own ID of the line item, where the
	// source gives it (a connected store, a Shopify webhook); "" otherwise.
	ChannelLineID string
}

// Order is a sales order from any channel, in Dropline's terms.
type Order struct {
	Channel        string // "shopify","amazon","etsy","ebay","woocommerce","manual","csv","api"
	ChannelOrderID string // the channel's order number, unique per merchant and channel
	// ChannelRef is the platform's own ID of the order (a Shopify GID, a
	// WooCommerce id) where the source gives it (a connected store, a
	// Shopify webhook), so what is written back targets it; "" otherwise.
	ChannelRef string
	PlacedAt   time.Time // UTC; zero when unknown (the caller fills in now)
	Currency   string    // ISO 4217, upper case
	Customer   Customer
	ShipTo     Address
	Lines      []Line
	Note       string
}

// Limits that Validate enforces. Together they keep any order total
// (MaxLines × MaxQuantity × MaxUnitPriceCents < 5×10^18) inside an int64.
const (
	MaxText           = 255            // runes in any one-line text field
	MaxNote           = 5000           // runes in Note
	MaxPhone          = 40             // runes in a phone number
	MaxPostalCode     = 20             // runes in a postal code
	MaxLines          = 500            // lines in one order
	MaxQuantity       = 100_000        // units on one line
	MaxUnitPriceCents = 99_999_999_999 // 999,999,999.99
)

// earliestPlacedAt is the earliest order date Validate accepts; older dates
// are typos (or a year 0 from a broken export).
var earliestPlacedAt = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)

// futureSlack is how far in the future an order date may be (clock skew and
// time zones); later dates are typos.
const futureSlack = 48 * time.Hour

var channels = []string{"shopify", "amazon", "etsy", "ebay", "woocommerce", "manual", "csv", "api"}

// Channels returns the sales channels Dropline knows, as Order.Channel spells
// them. The slice is a copy.
func Channels() []string { return slices.Clone(channels) }

// Validate checks an order has what Dropline needs and returns field messages
// keyed like "channel_order_id", "ship_to.address1", "lines[2].quantity" (line
// indexes count from 0), in plain English for an end user; it returns nil
// when the order is fine.
//
// It also normalises the order in place, so a second call changes nothing:
// text is trimmed and line breaks or tabs in one-line fields become spaces
// (Note keeps its line breaks); Channel is lower-cased; Currency is
// upper-cased; a 2-letter Country is upper-cased and a few common country
// names ("United States", "UK", "Germany", …) become their ISO 3166 codes;
// PlacedAt is converted to UTC.
//
// Required: Channel (one of Channels), ChannelOrderID, Currency (an ISO 4217
// code), ShipTo.Name, Address1, City, Country (an ISO 3166-1 alpha-2 code)
// and PostalCode, except for countries without postal codes (see
// NeedsPostalCode), and at least one line, each with a SKU or a title, a
// Quantity of 1 to MaxQuantity and a UnitPriceCents of 0 to
// MaxUnitPriceCents. Customer.Email, when given, must be a plain address such
// as bob@example.com. PlacedAt may be zero; otherwise it must lie between 1990
// and two days from now. Text is bounded by MaxText, MaxNote, MaxPhone and
// MaxPostalCode and may not hold control characters.
func (o *Order) Validate() map[string]string {
	v := validator{}

	o.Channel = strings.ToLower(oneLine(o.Channel))
	switch {
	case o.Channel == "":
		v.add("channel", "Choose the sales channel the order comes from.")
	case !slices.Contains(channels, o.Channel):
		v.add("channel", fmt.Sprintf("%q is not a sales channel Dropline knows; use one of %s.", clip(o.Channel), strings.Join(channels, ", ")))
	}

	v.text("channel_order_id", "order number", &o.ChannelOrderID, MaxText, "Enter the order number.")
	v.text("channel_ref", "channel's order ID", &o.ChannelRef, MaxText, "")

	if !o.PlacedAt.IsZero() {
		o.PlacedAt = o.PlacedAt.UTC()
		switch {
		case o.PlacedAt.Before(earliestPlacedAt):
			v.add("placed_at", fmt.Sprintf("The order date %s is before 1990.", o.PlacedAt.Format("2006-01-02")))
		case o.PlacedAt.After(time.Now().Add(futureSlack)):
			v.add("placed_at", fmt.Sprintf("The order date %s is in the future.", o.PlacedAt.Format("2006-01-02")))
		}
	}

	o.Currency = strings.ToUpper(oneLine(o.Currency))
	switch {
	case o.Currency == "":
		v.add("currency", "Enter the currency as a 3-letter code, e.g. USD.")
	case !IsCurrency(o.Currency):
		v.add("currency", fmt.Sprintf("%q is not a currency code; use a 3-letter code such as USD or EUR.", clip(o.Currency)))
	}

	v.text("customer.name", "customer name", &o.Customer.Name, MaxText, "")
	if v.text("customer.email", "customer email", &o.Customer.Email, MaxText, "") && o.Customer.Email != "" && !validEmail(o.Customer.Email) {
		v.add("customer.email", fmt.Sprintf("%q is not a valid email address.", clip(o.Customer.Email)))
	}
	v.text("customer.phone", "customer phone number", &o.Customer.Phone, MaxPhone, "")

	a := &o.ShipTo
	v.text("ship_to.name", "recipient's name", &a.Name, MaxText, "Enter the recipient's name.")
	v.text("ship_to.company", "company", &a.Company, MaxText, "")
	v.text("ship_to.address1", "street address", &a.Address1, MaxText, "Enter the street address.")
	v.text("ship_to.address2", "second address line", &a.Address2, MaxText, "")
	v.text("ship_to.city", "city", &a.City, MaxText, "Enter the city.")
	v.text("ship_to.region", "state or region", &a.Region, MaxText, "")
	if v.text("ship_to.country", "country", &a.Country, MaxText, "Enter the country as a 2-letter code, e.g. US.") && a.Country != "" {
		if code, ok := countryCode(a.Country); ok {
			a.Country = code
		} else {
			v.add("ship_to.country", fmt.Sprintf("%q is not a country code; use the 2-letter code, e.g. US, GB or DE.", clip(a.Country)))
		}
	}
	postalMissing := ""
	if a.Country == "" || NeedsPostalCode(a.Country) {
		postalMissing = "Enter the postal code (ZIP code)."
	}
	v.text("ship_to.postal_code", "postal code", &a.PostalCode, MaxPostalCode, postalMissing)
	v.text("ship_to.phone", "recipient's phone number", &a.Phone, MaxPhone, "")

	v.note(&o.Note)

	switch {
	case len(o.Lines) == 0:
		v.add("lines", "Add at least one line: a product (SKU or title) and a quantity.")
	case len(o.Lines) > MaxLines:
		v.add("lines", fmt.Sprintf("The order has %d lines; at most %d are allowed.", len(o.Lines), MaxLines))
	}
	for i := range o.Lines {
		l := &o.Lines[i]
		key := fmt.Sprintf("lines[%d].", i)
		okSKU := v.text(key+"sku", "SKU", &l.SKU, MaxText, "")
		okTitle := v.text(key+"title", "title", &l.Title, MaxText, "")
		v.text(key+"channel_line_id", "channel's line ID", &l.ChannelLineID, MaxText, "")
		if okSKU && okTitle && l.SKU == "" && l.Title == "" {
			v.add(key+"sku", "Enter a SKU or a title for the product.")
		}
		switch {
		case l.Quantity < 1:
			v.add(key+"quantity", "The quantity must be at least 1.")
		case l.Quantity > MaxQuantity:
			v.add(key+"quantity", fmt.Sprintf("The quantity must be at most %d.", MaxQuantity))
		}
		switch {
		case l.UnitPriceCents < 0:
			v.add(key+"unit_price", "The unit price cannot be negative.")
		case l.UnitPriceCents > MaxUnitPriceCents:
			v.add(key+"unit_price", "The unit price is too large (at most 999,999,999.99).")
		}
	}
	if len(v) == 0 {
		return nil
	}
	return v
}

// validator collects field messages; the first message for a key wins.
type validator map[string]string

func (v validator) add(key, msg string) {
	if _, ok := v[key]; !ok {
		v[key] = msg
	}
}

// text normalises *s as a one-line field and checks it. missing, when not
// "", is the message for an empty value (the field is required). It reports
// whether the value is well formed (so further checks make sense).
func (v validator) text(key, label string, s *string, maxLen int, missing string) bool {
	*s = oneLine(*s)
	switch {
	case !utf8.ValidString(*s):
		v.add(key, fmt.Sprintf("The %s is not valid text (it has bytes that are not UTF-8).", label))
	case hasControl(*s, false):
		v.add(key, fmt.Sprintf("The %s contains control characters.", label))
	case utf8.RuneCountInString(*s) > maxLen:
		v.add(key, fmt.Sprintf("The %s is too long (at most %d characters).", label, maxLen))
	case *s == "" && missing != "":
		v.add(key, missing)
	default:
		return true
	}
	return false
}

func (v validator) note(s *string) {
	*s = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(*s, "\r\n", "\n"), "\r", "\n"))
	switch {
	case !utf8.ValidString(*s):
		v.add("note", "The note is not valid text (it has bytes that are not UTF-8).")
	case hasControl(*s, true):
		v.add("note", "The note contains control characters.")
	case utf8.RuneCountInString(*s) > MaxNote:
		v.add("note", fmt.Sprintf("The note is too long (at most %d characters).", MaxNote))
	}
}

// oneLine trims s and turns line breaks and tabs into spaces.
func oneLine(s string) string {
	if strings.ContainsAny(s, "\r\n\t") {
		s = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ", "\t", " ").Replace(s)
	}
	return strings.TrimSpace(s)
}

// hasControl reports a control character (C0, DEL, C1); multiLine allows
// line breaks and tabs.
func hasControl(s string, multiLine bool) bool {
	for _, r := range s {
		if unicode.IsControl(r) && !(multiLine && (r == '\n' || r == '\t')) {
			return true
		}
	}
	return false
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}

// validEmail accepts a bare address such as bob@example.com: net/mail syntax,
// no display name, and a domain with a dot.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	dot := strings.LastIndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1
}
