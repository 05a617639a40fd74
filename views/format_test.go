package views

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"

	"github.com/dropline/dropline/store/orderfile"
)

// nb and nnb are the non-breaking spaces amounts use, written out so the
// table below says where they are.
const nb, nnb = "\u00a0", "\u202f"

func TestMoneyByCountry(t *testing.T) {
	for _, c := range []struct {
		country  string
		cents    int64
		currency string
		want     string
	}{
		// The US way, for US accounts and accounts with no country.
		{"", 44819854, "USD", "$448,198.54"},
		{"US", 44819854, "USD", "$448,198.54"},
		{"US", 5, "USD", "$0.05"},
		{"US", 0, "USD", "$0.00"},
		{"US", 100000000, "USD", "$1,000,000.00"},
		{"US", -123456, "USD", "-$1,234.56"},
		{"US", 123456, "EUR", "€1,234.56"},
		{"US", 123456, "GBP", "£1,234.56"},
		// "$" is sure only for the reader's own dollar: the code otherwise.
		{"US", 123456, "CAD", "CAD" + nb + "1,234.56"},
		{"CA", 123456, "CAD", "$1,234.56"},
		{"CA", 123456, "USD", "USD" + nb + "1,234.56"},
		{"AU", 99, "AUD", "$0.99"},
		// Where the amount is written the German way, the currency follows.
		{"DE", 44819854, "EUR", "448.198,54" + nb + "€"},
		{"DE", 44819854, "USD", "448.198,54" + nb + "USD"},
		{"DE", -500, "EUR", "-5,00" + nb + "€"},
		{"ES", 123456, "EUR", "1.234,56" + nb + "€"},
		{"FR", 123456, "EUR", "1" + nnb + "234,56" + nb + "€"},
		{"SE", 123456, "SEK", "1" + nb + "234,56" + nb + "kr"},
		{"SE", 123456, "NOK", "1" + nb + "234,56" + nb + "NOK"}, // "kr" is Sweden's: Norway's crowns get their code
		{"NL", 123456, "EUR", "€" + nb + "1.234,56"},
		{"CH", 123456, "CHF", "CHF" + nb + "1’234.56"},
		{"GB", 123456, "GBP", "£1,234.56"},
		{"JP", 123456, "JPY", "¥1,234.56"},
		{"CN", 123456, "CNY", "¥1,234.56"},
		{"CN", 123456, "JPY", "JPY" + nb + "1,234.56"},
		{"BR", 123456, "BRL", "R$" + nb + "1.234,56"},
		// A country with no style of its own reads the US way.
		{"KY", 123456, "KYD", "KYD" + nb + "1,234.56"},
		// No currency: the amount alone; a code in lower case is still a code.
		{"US", 123456, "", "1,234.56"},
		{"DE", 123456, "eur", "1.234,56" + nb + "€"},
	} {
		if got := (Viewer{Country: c.country}).Money(c.cents, c.currency); got != c.want {
			t.Errorf("%s: Money(%d, %q) = %q, want %q", c.country, c.cents, c.currency, got, c.want)
		}
	}
	if got := (Viewer{}).MoneyIf(100, false, "USD"); got != "—" {
		t.Errorf("an unknown amount reads %q, want —", got)
	}
}

// TestMoneyStylesAreForRealCountries: a style or a home symbol under a
// code that is no country would never be used.
func TestMoneyStylesAreForRealCountries(t *testing.T) {
	for c := range countryStyles {
		if !orderfile.IsCountry(c) {
			t.Errorf("countryStyles has %q, not an ISO country code", c)
		}
	}
	for c, h := range homeSymbols {
		if c != "" && !orderfile.IsCountry(c) {
			t.Errorf("homeSymbols has %q, not an ISO country code", c)
		}
		if !orderfile.IsCurrency(h.currency) {
			t.Errorf("homeSymbols[%q] is %q, not an ISO currency code", c, h.currency)
		}
	}
}

func TestTimesInTheViewersZone(t *testing.T) {
	at := time.Date(2026, 1, 2, 14, 4, 0, 0, time.UTC)
	summer := time.Date(2026, 7, 2, 14, 4, 0, 0, time.UTC)
	for _, c := range []struct {
		zone                    string
		at                      time.Time
		zoned, plain, date, sht string
	}{
		{"UTC", at, "2 Jan 2026 14:04 UTC", "2 Jan 2026 14:04", "2 Jan 2026", "2 Jan 14:04"},
		{"Europe/Berlin", at, "2 Jan 2026 15:04 CET", "2 Jan 2026 15:04", "2 Jan 2026", "2 Jan 15:04"},
		{"Europe/Berlin", summer, "2 Jul 2026 16:04 CEST", "2 Jul 2026 16:04", "2 Jul 2026", "2 Jul 16:04"},
		{"America/New_York", at, "2 Jan 2026 09:04 EST", "2 Jan 2026 09:04", "2 Jan 2026", "2 Jan 09:04"},
		{"Asia/Dubai", at, "2 Jan 2026 18:04 UTC+04:00", "2 Jan 2026 18:04", "2 Jan 2026", "2 Jan 18:04"}, // no abbreviation in the zone database
		{"Asia/Kolkata", at, "2 Jan 2026 19:34 IST", "2 Jan 2026 19:34", "2 Jan 2026", "2 Jan 19:34"},
		{"Pacific/Kiritimati", at, "3 Jan 2026 04:04 UTC+14:00", "3 Jan 2026 04:04", "3 Jan 2026", "3 Jan 04:04"}, // the next day there
		{"America/St_Johns", at, "2 Jan 2026 10:34 NST", "2 Jan 2026 10:34", "2 Jan 2026", "2 Jan 10:34"},
	} {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Fatal(err)
		}
		v := Viewer{Loc: loc}
		if got := v.ZonedTime(c.at); got != c.zoned {
			t.Errorf("%s: ZonedTime = %q, want %q", c.zone, got, c.zoned)
		}
		if got := v.Time(c.at); got != c.plain {
			t.Errorf("%s: Time = %q, want %q", c.zone, got, c.plain)
		}
		if got := v.Date(c.at); got != c.date {
			t.Errorf("%s: Date = %q, want %q", c.zone, got, c.date)
		}
		if got := v.ShortTime(c.at); got != c.sht {
			t.Errorf("%s: ShortTime = %q, want %q", c.zone, got, c.sht)
		}
	}
	if got := (Viewer{}).ZonedTime(at); got != "2 Jan 2026 14:04 UTC" {
		t.Errorf("a viewer with no zone reads %q, want UTC", got)
	}
}

func render(t *testing.T, c templ.Component) *goquery.Document {
	t.Helper()
	var b bytes.Buffer
	if err := c.Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestBadgeWritesEachStateInItsFixedColour(t *testing.T) {
	for _, c := range []struct {
		state, class, text string
	}{
		{"needs_dropship", "badge amber", "Needs dropship"},
		{"partially_shipped", "badge green", "Partially shipped"},
		{"open", "badge blue", "Open"},
		{"rejected", "badge red", "Rejected"},
		{"late", "badge red", "Late"},
		{"stale", "badge amber", "Stale"},
		{"ended", "badge", "Ended"},
		{"succeeded", "badge green", "Succeeded"},
		{"some_new_state", "badge", "Some new state"}, // unknown: neutral, in words
	} {
		doc := render(t, Badge(c.state, templ.Attributes{"data-testid": "b"}))
		b := doc.Find(`span[data-testid="b"]`)
		if b.Length() != 1 {
			t.Fatalf("%s: %d badges", c.state, b.Length())
		}
		if got, _ := b.Attr("class"); got != c.class {
			t.Errorf("%s: class %q, want %q", c.state, got, c.class)
		}
		if got := b.Text(); got != c.text {
			t.Errorf("%s: text %q, want %q", c.state, got, c.text)
		}
		if got, _ := b.Attr("data-state"); got != c.state {
			t.Errorf("%s: data-state %q", c.state, got)
		}
	}
	doc := render(t, BadgeText("cancellation", "Cancellation refused", nil))
	if got, _ := doc.Find("span").Attr("class"); got != "badge red" || doc.Find("span").Text() != "Cancellation refused" {
		t.Errorf("BadgeText: %q %q", got, doc.Find("span").Text())
	}
}

// TestEveryStatusHasABadge: each status the store gives orders, POs,
// links, feed runs and messages is in the badge's fixed set, so that no
// status falls back to a made-up label in grey.
func TestEveryStatusHasABadge(t *testing.T) {
	for _, s := range []string{
		"needs_dropship", "dropshipped", "partially_shipped", "shipped", "delivered", "exception", "not_dropship", "cancelled", // orders
		"open", "rejected", // POs
		"pending", "active", "paused", "ended", // links
		"running", "succeeded", "failed", "held", "discarded", // feed runs
		"sent", "queued", // messages and store updates
	} {
		if _, ok := badgeStates[s]; !ok {
			t.Errorf("state %q has no badge", s)
		}
	}
	for s, b := range badgeStates {
		switch b.Tone {
		case ToneNeutral, ToneInfo, ToneGood, ToneWarn, ToneBad:
		default:
			t.Errorf("state %q has tone %q, not one of the fixed set", s, b.Tone)
		}
		if b.Label == "" || strings.ToUpper(b.Label[:1]) != b.Label[:1] {
			t.Errorf("state %q is labelled %q: badges start with a capital", s, b.Label)
		}
	}
}

// TestZonesLoad: every zone the time-zone select offers is one Go loads
// (the binary embeds time/tzdata), so that choosing any of them saves.
func TestZonesLoad(t *testing.T) {
	if len(ianaZones) < 300 {
		t.Fatalf("only %d zones listed", len(ianaZones))
	}
	for _, z := range ianaZones {
		if _, err := time.LoadLocation(z); err != nil {
			t.Errorf("zone %q does not load: %v", z, err)
		}
	}
	for _, z := range []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney"} {
		if !knownZone(z) {
			t.Errorf("%s is not offered", z)
		}
	}
}

// TestCountriesAreTheOnesOrdersAccept: the country select offers exactly
// the codes an order's ship-to accepts, each once.
func TestCountriesAreTheOnesOrdersAccept(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Countries() {
		if !orderfile.IsCountry(c.Code) {
			t.Errorf("%s (%s) is offered but orders refuse it", c.Code, c.Name)
		}
		if seen[c.Code] {
			t.Errorf("%s is offered twice", c.Code)
		}
		seen[c.Code] = true
	}
	if len(seen) < 249 {
		t.Errorf("%d countries offered, want every ISO 3166 country", len(seen))
	}
	if CountryName("GB") != "United Kingdom" || CountryName("DE") != "Germany" {
		t.Errorf("names: GB %q, DE %q", CountryName("GB"), CountryName("DE"))
	}
}

func TestSelectsKeepTheirValue(t *testing.T) {
	doc := render(t, TimeZoneSelect("time_zone", "Europe/Berlin", nil))
	if got := doc.Find("option[selected]").AttrOr("value", ""); got != "Europe/Berlin" {
		t.Errorf("selected zone %q", got)
	}
	if got := doc.Find(`optgroup[label="Europe"] option[value="Europe/Berlin"]`).Text(); got != "Berlin" {
		t.Errorf("Berlin is labelled %q under Europe", got)
	}
	// An alias the list does not hold stays chosen, so saving keeps it.
	doc = render(t, TimeZoneSelect("time_zone", "US/Eastern", nil))
	if got := doc.Find("option[selected]").AttrOr("value", ""); got != "US/Eastern" {
		t.Errorf("an alias: selected %q", got)
	}
	doc = render(t, CountrySelect("country", "DE", "Not set", nil, "country"))
	if got := doc.Find("option[selected]").Text(); got != "Germany" {
		t.Errorf("selected country %q", got)
	}
	if doc.Find(`option[value=""]`).Text() != "Not set" {
		t.Errorf("no empty choice")
	}
}

func TestExpectedDelivery(t *testing.T) {
	for _, c := range []struct{ from, to, want string }{
		{"2026-12-09", "2026-12-09", "Expected Wed 9 Dec"},
		{"2026-12-09", "", "Expected Wed 9 Dec"},
		{"2026-12-09", "2026-12-11", "Expected 9–11 Dec"},
		{"2026-11-30", "2026-12-02", "Expected 30 Nov – 2 Dec"},
		{"2026-12-09", "2026-12-01", "Expected Wed 9 Dec"},
		{"", "", ""},
		{"soon", "", ""},
	} {
		if got := ExpectedDelivery(c.from, c.to); got != c.want {
			t.Errorf("ExpectedDelivery(%q, %q) = %q, want %q", c.from, c.to, got, c.want)
		}
	}
}
