package views

import (
	"strconv"
	"strings"
	"time"
)

// Viewer is how one account reads its pages: money in the conventions of
// its country, times in its time zone. Handlers build one per request and
// write every amount and time through it, so that each page of both sides
// writes them the same way.
type Viewer struct {
	// Country is the account's ISO 3166 code; "" writes money the US way.
	Country string
	// Loc is the account's time zone.
	Loc *time.Location
}

// numberStyle is how a country writes amounts.
type numberStyle struct {
	group, decimal string
	// after puts the currency after the amount ("1.234,56 €") instead of
	// before it ("$1,234.56"); space separates it from the amount.
	after, space bool
}

// The styles, as CLDR writes currency amounts in each country's main
// language; non-breaking spaces keep "1 234,56 €" on one line.
var (
	styleEN = numberStyle{group: ",", decimal: "."}                                // $1,234.56
	styleDE = numberStyle{group: ".", decimal: ",", after: true, space: true}      // 1.234,56 €
	styleFR = numberStyle{group: "\u202f", decimal: ",", after: true, space: true} // 1 234,56 €
	styleSE = numberStyle{group: "\u00a0", decimal: ",", after: true, space: true} // 1 234,56 kr
	styleNL = numberStyle{group: ".", decimal: ",", space: true}                   // € 1.234,56
	styleCH = numberStyle{group: "’", decimal: ".", space: true}                   // CHF 1’234.56
	styleTR = numberStyle{group: ".", decimal: ","}                                // ₺1.234,56
	styleIL = numberStyle{group: ",", decimal: ".", after: true, space: true}      // 1,234.56 ₪
	styleZA = numberStyle{group: "\u00a0", decimal: ","}                           // R1 234,56
)

// countryStyles maps countries to their style; every other country (and
// "") reads the US way.
var countryStyles = map[string]numberStyle{
	"DE": styleDE, "ES": styleDE, "IT": styleDE, "GR": styleDE, "CY": styleDE, "LU": styleDE, "HR": styleDE, "SI": styleDE,
	"RS": styleDE, "RO": styleDE, "IS": styleDE, "DK": styleDE, "VN": styleDE, "SM": styleDE, "VA": styleDE,
	"FR": styleFR, "MC": styleFR, "BE": styleFR,
	"SE": styleSE, "NO": styleSE, "FI": styleSE, "PL": styleSE, "CZ": styleSE, "SK": styleSE, "HU": styleSE, "BG": styleSE,
	"LT": styleSE, "LV": styleSE, "EE": styleSE, "UA": styleSE, "RU": styleSE, "PT": styleSE,
	"NL": styleNL, "AT": styleNL, "BR": styleNL, "AR": styleNL, "CO": styleNL, "UY": styleNL,
	"CH": styleCH, "LI": styleCH,
	"TR": styleTR, "ID": styleTR, "CL": styleTR,
	"IL": styleIL,
	"ZA": styleZA,
}

// symbols are the currency signs no reader mistakes for another currency's.
var symbols = map[string]string{
	"EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "KRW": "₩", "ILS": "₪", "NGN": "₦", "PHP": "₱",
	"UAH": "₴", "VND": "₫", "TRY": "₺", "THB": "฿", "RUB": "₽",
}

// homeSymbols are signs shared by several currencies ("$", "kr", "R"):
// sure only for the currency of the reader's own country.
var homeSymbols = map[string]struct{ currency, symbol string }{
	"": {"USD", "$"}, "US": {"USD", "$"}, "CA": {"CAD", "$"}, "AU": {"AUD", "$"}, "NZ": {"NZD", "$"},
	"MX": {"MXN", "$"}, "SG": {"SGD", "$"}, "HK": {"HKD", "$"}, "TW": {"TWD", "$"}, "AR": {"ARS", "$"},
	"CL": {"CLP", "$"}, "CO": {"COP", "$"}, "UY": {"UYU", "$"}, "BR": {"BRL", "R$"}, "ZA": {"ZAR", "R"},
	"SE": {"SEK", "kr"}, "NO": {"NOK", "kr"}, "DK": {"DKK", "kr."}, "IS": {"ISK", "kr."}, "PL": {"PLN", "zł"},
	"CZ": {"CZK", "Kč"}, "HU": {"HUF", "Ft"}, "CN": {"CNY", "¥"}, "MY": {"MYR", "RM"}, "ID": {"IDR", "Rp"},
}

// Money writes an amount in minor units (cents) of currency for this viewer:
// thousands grouped, the decimal mark and the currency's place as the
// viewer's country writes them, and the currency's symbol where no reader
// can mistake it ("$448,198.54" for a US account, "448.198,54 €" for a
// German one), its ISO code otherwise ("CAD 1,234.56", "1.234,56 USD").
func (v Viewer) Money(cents int64, currency string) string {
	st, ok := countryStyles[v.Country]
	if !ok {
		st = styleEN
	}
	currency = strings.ToUpper(strings.TrimSpace(currency))
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	whole := strconv.FormatInt(cents/100, 10)
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + st.group + whole[i:]
	}
	frac := strconv.FormatInt(cents%100, 10)
	if len(frac) < 2 {
		frac = "0" + frac
	}
	amount := whole + st.decimal + frac
	if currency == "" {
		return sign + amount
	}
	sym, sure := symbols[currency]
	switch home := homeSymbols[v.Country]; {
	case home.currency == currency:
		sym, sure = home.symbol, true
	case sure && home.symbol == sym:
		sure = false // "¥" in China is the yuan: the yen gets its code there
	}
	if !sure {
		// A code always stands apart from the digits.
		sym = currency
		st.space = true
	}
	gap := ""
	if st.space {
		gap = "\u00a0"
	}
	if st.after {
		return sign + amount + gap + sym
	}
	return sign + sym + gap + amount
}

// MoneyIf is Money, or "—" when the amount is not known.
func (v Viewer) MoneyIf(cents int64, known bool, currency string) string {
	if !known {
		return "—"
	}
	return v.Money(cents, currency)
}

// Time writes t in the viewer's time zone: "2 Jan 2026 15:04". Use it
// where only the viewer reads the time.
func (v Viewer) Time(t time.Time) string { return t.In(v.loc()).Format("2 Jan 2006 15:04") }

// Date writes the day of t in the viewer's time zone: "2 Jan 2026".
func (v Viewer) Date(t time.Time) string { return t.In(v.loc()).Format("2 Jan 2006") }

// ShortTime writes t without its year, for times of the last days in
// dense lists: "2 Jan 15:04".
func (v Viewer) ShortTime(t time.Time) string { return t.In(v.loc()).Format("2 Jan 15:04") }

// ZonedTime writes t in the viewer's time zone followed by the zone, where
// two accounts in different zones compare what each sees (a PO, its
// shipments): "2 Jan 2026 15:04 CET", or "2 Jan 2026 15:04 UTC+03:00"
// where the zone has no abbreviation.
func (v Viewer) ZonedTime(t time.Time) string {
	local := t.In(v.loc())
	return local.Format("2 Jan 2006 15:04") + " " + zoneName(local)
}

// ZoneName is the viewer's zone as ZonedTime writes it, at t.
func (v Viewer) ZoneName(t time.Time) string { return zoneName(t.In(v.loc())) }

func zoneName(local time.Time) string {
	name, offset := local.Zone()
	if name == "" || strings.HasPrefix(name, "+") || strings.HasPrefix(name, "-") {
		name = "UTC"
		if offset != 0 {
			name += local.Format("-07:00")
		}
	}
	return name
}

func (v Viewer) loc() *time.Location {
	if v.Loc == nil {
		return time.UTC
	}
	return v.Loc
}

// ExpectedDelivery words a carrier's estimated delivery, days as
// YYYY-MM-DD: "Expected Wed 9 Dec", "Expected 9–11 Dec", "Expected 30 Nov –
// 2 Dec"; "" when there is none or it cannot be read.
func ExpectedDelivery(from, to string) string {
	f, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return ""
	}
	t, err := time.Parse(time.DateOnly, to)
	if err != nil || !t.After(f) {
		return "Expected " + f.Format("Mon 2 Jan")
	}
	if f.Month() == t.Month() && f.Year() == t.Year() {
		return "Expected " + f.Format("2") + "–" + t.Format("2 Jan")
	}
	return "Expected " + f.Format("2 Jan") + " – " + t.Format("2 Jan")
}
