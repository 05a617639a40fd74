package feedfile

import (
	"strings"
	"unicode/utf8"
)

// maxMoneyDigits bounds the whole part of an amount (10^13 units).
const maxMoneyDigits = 13

// trimSpace trims ASCII and Unicode spaces, including no-break spaces.
func trimSpace(s string) string { return strings.TrimSpace(s) }

// parseMoney reads an amount such as "19.99", "1,299.00", "1.299,00", "19,99",
// "$19.99", "€12,50" or "15.00 USD" into hundredths, exactly. problem is ""
// on success, else the end of a message like `price "x" is not a number`.
//
// The decimal separator is the last of '.' and ',' when both occur; a lone ','
// followed by 1 or 2 digits is a decimal comma, followed by 3 digits it is
// ambiguous (1,299 or 1.299?) and refused. Thousands groups must have 3
// digits; spaces and apostrophes may also group thousands. More than 2
// decimals is refused unless the extra ones are zeros. A minus sign gives
// "is negative": feeds carry no negative prices or costs.
func parseMoney(s string) (cents int64, currency string, problem string) {
	s = trimSpace(s)
	if c, ok := plainMoney(s); ok {
		return c, "", ""
	}
	// ISO code before or after the amount.
	if len(s) > 3 {
		if code := s[len(s)-3:]; isCurrencyCode(code) && !isLetter(s[len(s)-4]) {
			currency, s = strings.ToUpper(code), trimSpace(s[:len(s)-3])
		} else if code := s[:3]; isCurrencyCode(code) && !isLetter(s[3]) {
			currency, s = strings.ToUpper(code), trimSpace(s[3:])
		}
	}
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, trimSpace(s[1:])
	}
	// A currency symbol before or after the amount.
	for _, sym := range [...]struct{ sym, code string }{{"$", ""}, {"€", "EUR"}, {"£", "GBP"}} {
		var ok bool
		if rest, found := strings.CutPrefix(s, sym.sym); found {
			s, ok = trimSpace(rest), true
		} else if rest, found := strings.CutSuffix(s, sym.sym); found {
			s, ok = trimSpace(rest), true
		}
		if ok {
			if sym.code != "" {
				if currency != "" && currency != sym.code {
					return 0, "", "mixes two currencies"
				}
				currency = sym.code
			}
			break
		}
	}
	if !neg && strings.HasPrefix(s, "-") {
		neg, s = true, trimSpace(s[1:])
	}
	whole, frac, problem := splitAmount(s)
	if problem != "" {
		return 0, "", problem
	}
	if len(frac) > 2 {
		if strings.Trim(frac[2:], "0") != "" {
			return 0, "", "has more than 2 decimal places"
		}
		frac = frac[:2]
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > maxMoneyDigits {
		return 0, "", "is too large"
	}
	for i := 0; i < len(whole); i++ {
		cents = cents*10 + int64(whole[i]-'0')
	}
	cents *= 100
	switch len(frac) {
	case 1:
		cents += int64(frac[0]-'0') * 10
	case 2:
		cents += int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	}
	if neg && cents > 0 {
		return 0, "", "is negative"
	}
	return cents, currency, ""
}

// plainMoney is the fast path for the common "19.99", "25" and "8.5".
func plainMoney(s string) (int64, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > maxMoneyDigits || len(frac) > 2 || !allDigits(whole) || !allDigits(frac) {
		return 0, false
	}
	var c int64
	for i := 0; i < len(whole); i++ {
		c = c*10 + int64(whole[i]-'0')
	}
	c *= 100
	if len(frac) > 0 {
		c += int64(frac[0]-'0') * 10
	}
	if len(frac) > 1 {
		c += int64(frac[1] - '0')
	}
	return c, true
}

// splitAmount splits a number with separators into its whole digits (without
// grouping) and fraction digits.
func splitAmount(s string) (whole, frac, problem string) {
	const notNumber = "is not a number"
	if s == "" {
		return "", "", notNumber
	}
	dots, commas, digits := 0, 0, 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			dots++
		case c == ',':
			commas++
		case isGroupSpace(c):
		default:
			return "", "", notNumber
		}
	}
	if digits == 0 {
		return "", "", notNumber
	}
	var dec byte // decimal separator, 0 for none
	switch {
	case dots > 0 && commas > 0:
		dec = ','
		if strings.LastIndexByte(s, '.') > strings.LastIndexByte(s, ',') {
			dec = '.'
		}
		if (dec == '.' && dots > 1) || (dec == ',' && commas > 1) {
			return "", "", notNumber
		}
	case dots == 1:
		dec = '.'
	case commas == 1:
		after := len(s) - strings.IndexByte(s, ',') - 1
		if after == 3 && allDigits(s[len(s)-3:]) {
			return "", "", "is ambiguous (thousands or decimals?): write it with a dot for decimals, e.g. 1299.00"
		}
		dec = ','
	}
	intPart := s
	if dec != 0 {
		i := strings.LastIndexByte(s, dec)
		intPart, frac = s[:i], s[i+1:]
		for j := 0; j < len(frac); j++ {
			if frac[j] < '0' || frac[j] > '9' {
				return "", "", notNumber
			}
		}
	}
	whole, ok := ungroup(intPart)
	if !ok || whole == "" && frac == "" {
		return "", "", notNumber
	}
	return whole, frac, ""
}

// ungroup removes thousands separators ('.', ',', spaces, apostrophes) from
// the whole part of a number, checking that groups have 3 digits.
func ungroup(s string) (string, bool) {
	var sep rune
	for _, c := range s {
		if c < '0' || c > '9' {
			if sep != 0 && c != sep {
				return "", false
			}
			sep = c
		}
	}
	if sep == 0 {
		return s, true
	}
	var b strings.Builder
	for i, g := range strings.Split(s, string(sep)) {
		if (i == 0 && (len(g) < 1 || len(g) > 3)) || (i > 0 && len(g) != 3) {
			return "", false
		}
		b.WriteString(g)
	}
	return b.String(), true
}

func isGroupSpace(c rune) bool {
	return c == ' ' || c == '\u00a0' || c == '\u202f' || c == '\'' || c == '’'
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isCurrencyCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// parseCount reads a non-negative whole number such as a quantity: "12" and
// "12.0" are fine; "1.5", "abc", "-3" are not.
func parseCount(s string) (int, string) {
	s = trimSpace(s)
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || !allDigits(frac) {
		if strings.ContainsAny(s, "0123456789") && strings.Trim(s, "0123456789.,") == "" {
			return 0, "is not a whole number"
		}
		return 0, "is not a number"
	}
	if strings.Trim(frac, "0") != "" {
		return 0, "is not a whole number"
	}
	whole = strings.TrimLeft(whole, "0")
	n := 0
	if len(whole) > 9 { // quantities and lead times stay under a billion
		if neg {
			return 0, "is negative"
		}
		return 0, "is too large"
	}
	for i := 0; i < len(whole); i++ {
		n = n*10 + int(whole[i]-'0')
	}
	if neg && n > 0 {
		return 0, "is negative"
	}
	return n, ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseBool reads Dropline's active column.
func parseBool(s string) (v, ok bool) {
	switch strings.ToLower(trimSpace(s)) {
	case "true", "1", "yes", "y":
		return true, true
	case "false", "0", "no", "n":
		return false, true
	}
	return false, false
}

// wordJoins drops what joins words in availability values: "in_stock",
// "in-stock" and "in stock" read the same.
var wordJoins = strings.NewReplacer(" ", "", "_", "", "-", "")

// parseAvailability normalises Google's availability values.
func parseAvailability(s string) (string, bool) {
	k := strings.ToLower(trimSpace(s))
	k = wordJoins.Replace(k)
	switch k {
	case "instock", "availablefororder":
		return InStock, true
	case "outofstock":
		return OutOfStock, true
	case "preorder":
		return Preorder, true
	case "backorder":
		return Backorder, true
	}
	return "", false
}

// splitTags splits a tags cell on any of seps (ASCII), trimming and dropping blanks.
func splitTags(s, seps string) []string {
	if trimSpace(s) == "" {
		return nil
	}
	n := 1
	for i := 0; i < len(seps); i++ {
		n += strings.Count(s, seps[i:i+1])
	}
	tags := make([]string, 0, n)
	for s != "" {
		i := strings.IndexAny(s, seps)
		var t string
		if i < 0 {
			t, s = s, ""
		} else {
			t, s = s[:i], s[i+1:]
		}
		if t = trimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	if len(tags) == 0 {
		return nil
	}
	return tags
}

// isScientific reports whether s looks like a number a spreadsheet turned
// into scientific notation, e.g. "3.65275E+11".
func isScientific(s string) bool {
	i := strings.IndexAny(s, "eE")
	if i <= 0 || i == len(s)-1 {
		return false
	}
	mant, exp := s[:i], s[i+1:]
	if exp[0] == '+' || exp[0] == '-' {
		exp = exp[1:]
	}
	whole, frac, _ := strings.Cut(mant, ".")
	if !strings.Contains(mant, ".") {
		whole, frac, _ = strings.Cut(mant, ",")
	}
	return whole != "" && exp != "" && allDigits(whole) && allDigits(frac) && allDigits(exp)
}

// quote shows a cell value in a message, shortened when long.
func quote(s string) string {
	if utf8.RuneCountInString(s) > 60 {
		s = string([]rune(s)[:60]) + "…"
	}
	return `"` + strings.ReplaceAll(s, `"`, `'`) + `"`
}

// countUnits are words that may follow a stock count: "12 pcs" is 12.
var countUnits = map[string]bool{
	"pc": true, "pcs": true, "piece": true, "pieces": true, "unit": true, "units": true, "ea": true, "each": true,
	"item": true, "items": true, "x": true, "stk": true, "st": true, "left": true, "available": true, "in stock": true,
	"instock": true, "in_stock": true, "on hand": true,
}

// measureUnits are units of measure: "100 ML" is a size, not a count.
var measureUnits = map[string]bool{
	"ml": true, "cl": true, "dl": true, "l": true, "ltr": true, "g": true, "gr": true, "kg": true, "mg": true, "oz": true,
	"fl oz": true, "floz": true, "lb": true, "lbs": true, "mm": true, "cm": true, "m": true, "in": true, "inch": true,
	"ft": true, "gal": true, "sqm": true, "sqft": true, "ct": true, "w": true, "v": true, "mah": true,
}

// parseQuantity reads a stock quantity by Dropline's one rule for both
// Products → Import and feed pulls:
//
//   - a whole number, alone or followed by a count word ("12", "12 pcs",
//     "12 units", "12 in stock", "12+"), is that count;
//   - a number with a unit of measure ("100 ML", "2 kg") is a size, not a
//     count: problem is set and the quantity is left empty;
//   - an availability word without a number ("in stock", "in_stock",
//     "available", "out of stock", "sold out", "preorder", "backorder")
//     gives no count but the availability, which settle turns into a
//     quantity (the in-stock default, or 0);
//   - anything else is not a number.
func parseQuantity(s string) (n int, avail string, problem string) {
	if n, problem := parseCount(s); problem == "" || problem == "is negative" || problem == "is too large" || problem == "is not a whole number" {
		return n, "", problem
	}
	k := strings.ToLower(trimSpace(s))
	if a, ok := availabilityWord(k); ok {
		return 0, a, ""
	}
	k = strings.TrimPrefix(strings.TrimPrefix(k, ">"), "≥")
	k = trimSpace(k)
	i := 0
	for i < len(k) && k[i] >= '0' && k[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, "", "is not a number"
	}
	num, rest := k[:i], trimSpace(strings.TrimSuffix(trimSpace(k[i:]), "."))
	rest = trimSpace(strings.TrimPrefix(rest, "+"))
	switch {
	case rest == "" || countUnits[rest]:
		n, problem := parseCount(num)
		return n, "", problem
	case measureUnits[rest] || measureUnits[strings.TrimSuffix(rest, ".")]:
		return 0, "", "is a measure, not a count of items in stock"
	}
	return 0, "", "is not a number"
}

// availabilityWord reads the words feeds use for availability in place of a
// quantity (already lower case).
func availabilityWord(k string) (string, bool) {
	if a, ok := parseAvailability(k); ok {
		return a, true
	}
	switch wordJoins.Replace(k) {
	case "available", "yes", "true", "y", "instockonly", "onstock", "lagernd", "disponible":
		return InStock, true
	case "soldout", "unavailable", "no", "false", "n", "none", "discontinued", "notavailable":
		return OutOfStock, true
	case "onbackorder", "backordered":
		return Backorder, true
	case "preordered", "comingsoon":
		return Preorder, true
	}
	return "", false
}
