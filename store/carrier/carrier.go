// Package carrier knows the built-in shipping carriers and checks tracking
// numbers against each carrier's published format and check digit, so that
// a typo is caught when the merchant types the number rather than when the
// customer clicks a dead tracking link.
package carrier

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
)

// Carrier is a shipping carrier or postal service a shipment can go with.
type Carrier struct {
	Code        string // stable lower-case code, e.g. "ups", "usps", "fedex", "dhl_express"
	Name        string // display name, e.g. "UPS"
	TrackingURL string // URL template with {number}, e.g. "https://www.ups.com/track?tracknum={number}"
	Kind        string // "carrier" (all built-ins); custom providers live elsewhere
}

// KindCarrier is the Kind of every built-in carrier, so callers can tell them
// apart from merchant-defined providers that are stored elsewhere.
const KindCarrier = "carrier"

// ErrUnknownCarrier is matched by errors.Is on the error Check returns for a
// code it does not know, so callers can tell a bad code from a bad number.
var ErrUnknownCarrier = errors.New("unknown carrier")

// CheckError is returned by Check so callers can show Reason to the person
// who typed the number, and still know which carrier and number it was about.
type CheckError struct {
	Carrier string // carrier code as resolved by Lookup, or the code as given when unknown
	Number  string // the tracking number after Normalize
	Reason  string // plain-English explanation that names the carrier

	unknown bool
}

// Error returns Reason, because Reason is already written for an end user.
func (e *CheckError) Error() string {
	if e == nil {
		return "<nil>"
	}
	if e.Reason == "" {
		return "invalid tracking number"
	}
	return e.Reason
}

// Unwrap exposes ErrUnknownCarrier so errors.Is works without comparing text.
func (e *CheckError) Unwrap() error {
	if e != nil && e.unknown {
		return ErrUnknownCarrier
	}
	return nil
}

// All returns every built-in carrier in display order; the slice is a copy so
// callers may sort or trim it without affecting the registry.
func All() []Carrier {
	out := make([]Carrier, len(registry))
	for i := range registry {
		out[i] = registry[i].Carrier
	}
	return out
}

// Lookup finds a built-in carrier by code, display name or common alias,
// ignoring case and punctuation, because codes arrive from forms, CSV imports
// and API clients that spell them differently ("DHL Express", "dhl-express",
// "DHL_EXPRESS").
func Lookup(codeOrName string) (Carrier, bool) {
	d := lookupDef(codeOrName)
	if d == nil {
		return Carrier{}, false
	}
	return d.Carrier, true
}

func lookupDef(codeOrName string) *def {
	key := foldName(codeOrName)
	if key == "" {
		return nil
	}
	return byKey[key]
}

// foldName reduces a code or name to lower-case letters and digits so that
// spelling variants of the same carrier compare equal.
func foldName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// Normalize upper-cases a tracking number and drops the spaces, dashes, dots
// and invisible characters people copy from labels and e-mails (full-width
// input becomes ASCII; anything else is kept so Check can point it out), and
// is idempotent so already-stored numbers can safely be normalized again.
func Normalize(number string) string {
	var b strings.Builder
	b.Grow(len(number))
	for _, r := range number {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r >= '０' && r <= '９':
			b.WriteRune(r - '０' + '0')
		case r >= 'Ａ' && r <= 'Ｚ':
			b.WriteRune(r - 'Ａ' + 'A')
		case r >= 'ａ' && r <= 'ｚ':
			b.WriteRune(r - 'ａ' + 'A')
		case isSeparator(r):
			// dropped
		default:
			// Invalid UTF-8 is written as U+FFFD, which is itself stable.
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isSeparator reports characters that only group digits for readability or
// sneak in through copy and paste (zero-width spaces, soft hyphens, quotes).
func isSeparator(r rune) bool {
	switch r {
	case '.', ',', '_', '/', '\\', ':', ';', '|', '\'', '"', '`',
		'·', '•', '‧', '∙', '−', '‘', '’', '“', '”',
		'．', '，', '／', '：', '＿', '－':
		return true
	}
	return unicode.IsSpace(r) ||
		unicode.Is(unicode.Zs, r) ||
		unicode.Is(unicode.Cf, r) ||
		unicode.Is(unicode.Pd, r)
}

// maxNumberLen bounds the work Check does on hostile input; the longest real
// format (a DHL eCommerce number) is 41 characters.
const maxNumberLen = 64

// Check returns nil when the normalized number has a shape the carrier
// (identified by anything Lookup accepts) issues and, where the carrier
// defines one, a correct check digit, so typos are caught at entry time
// rather than by a customer with a dead link; otherwise it returns a
// *CheckError whose message can be shown to the user as is: it names the
// format the number came closest to and what keeps it from that format.
func Check(code, number string) error {
	n := Normalize(number)
	d := lookupDef(code)
	if d == nil {
		return &CheckError{Carrier: code, Number: n, Reason: ErrUnknownCarrier.Error(), unknown: true}
	}
	fail := func(reason string) error {
		return &CheckError{Carrier: d.Code, Number: n, Reason: reason}
	}
	if n == "" {
		return fail("The " + d.Name + " tracking number is empty")
	}
	if !isAlnum(n) {
		return fail(d.Name + " tracking numbers can only contain letters and digits")
	}
	if len(n) > maxNumberLen {
		return fail(fmt.Sprintf("This is not %s tracking number: it has %d characters, more than any %s format", article(d.Name), len(n), d.Name))
	}
	firstReason := ""
	for _, f := range d.formats {
		if !f.matches(n) {
			continue
		}
		if f.verify == nil {
			return nil
		}
		reason := f.verify(d.Name+" "+f.name, n)
		if reason == "" {
			return nil
		}
		if firstReason == "" {
			firstReason = reason
		}
	}
	if firstReason != "" {
		return fail(firstReason)
	}
	return fail(d.closestMessage(n))
}

// closestMessage explains a number that fits none of the carrier's formats
// by the format it comes closest to.
func (d *def) closestMessage(n string) string {
	best := d.formats[0]
	bestScore := best.closeness(n)
	for _, f := range d.formats[1:] {
		if s := f.closeness(n); s > bestScore {
			best, bestScore = f, s
		}
	}
	return fmt.Sprintf("This is not %s tracking number: the closest %s format is the %s (%s, e.g. %s), but %s",
		article(d.Name), d.Name, best.name, best.desc, best.example, best.difference(n))
}

// article puts "a" or "an" before a carrier's name, by how it is said:
// "an Evri", "a UPS", "an SF Express".
func article(name string) string {
	if name != "" && (strings.ContainsRune("AEIO", rune(name[0])) || strings.HasPrefix(name, "SF")) {
		return "an " + name
	}
	return "a " + name
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// URL returns the carrier's tracking page for the normalized, query-escaped
// number, or "" for an unknown carrier or an empty number so templates can
// hide the link instead of rendering a broken one.
func URL(code, number string) string {
	d := lookupDef(code)
	if d == nil {
		return ""
	}
	n := Normalize(number)
	if n == "" {
		return ""
	}
	return strings.ReplaceAll(d.TrackingURL, "{number}", url.QueryEscape(n))
}
