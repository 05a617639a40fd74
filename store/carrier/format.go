package carrier

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
)

// format is one shape a carrier's numbers come in. Carriers issue several at
// once (FedEx alone has ten), so a number is accepted if any format fits.
type format struct {
	name    string // what the format is called after the carrier's name: "1Z number"
	desc    string // its shape in words a customer-service agent would use
	example string // a valid number of this format, normalized
	re      *regexp.Regexp
	extra   func(n string) bool // a further condition a regexp cannot express; nil means none
	whyNot  string              // what a number the regexp fits but extra refuses lacks
	// verify returns "" when the check digit (or another rule) holds and the
	// user-facing reason otherwise; nil means the carrier defines no check.
	verify func(label, n string) string

	// What Detect may conclude from the format. others marks numbers that
	// belong to another carrier and that this one also accepts (USPS numbers
	// on UPS Mail Innovations, say), so they never suggest this carrier;
	// vague marks a format too loose to suggest anything.
	// distinct marks a format whose literal start no other carrier uses, which
	// is as good as a check digit for telling carriers apart. detectIf, when
	// set, further limits which numbers suggest the carrier (an S10 number
	// suggests only the post of its country).
	others   bool
	vague    bool
	distinct bool
	detectIf func(n string) bool
	issuers  []string // S10 formats: the countries whose numbers suggest the carrier

	// Derived from re, for the closest-format message.
	prefix         string // literal start every number of the format has
	minLen, maxLen int    // maxLen -1: unbounded
	letters        bool   // letters may appear after the literal start
	first          string // the letters and digits a number may start with
}

// newFormat builds a format from its regexp (anchored, upper case, letters
// and digits only) and works out its literal start, lengths and whether it
// takes letters.
func newFormat(name, desc, example, expr string) format {
	f := format{name: name, desc: desc, example: example, re: regexp.MustCompile(expr)}
	f.prefix, _ = f.re.LiteralPrefix()
	parsed, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		panic("carrier: " + expr + ": " + err.Error())
	}
	parsed = parsed.Simplify()
	f.minLen, f.maxLen = lengths(parsed)
	f.letters = lettersAfter(parsed, len(f.prefix))
	for _, c := range alphabet {
		if canStart(parsed, c) {
			f.first += string(c)
		}
	}
	return f
}

// check makes the character at position at (-1: the last) a check character
// computed by alg over prefix + n[from:at]. The prefix exists because some
// carriers compute the digit over an application identifier that is not
// printed (USPS "91", FedEx SmartPost "92").
func (f format) check(from, at int, prefix string, alg func(string) byte) format {
	f.verify = func(label, n string) string {
		i := at
		if i < 0 {
			i = len(n) - 1
		}
		return compareCheck(label, alg(prefix+n[from:i]), n[i])
	}
	return f
}

// when adds a condition the regexp cannot express, and what to tell
// someone whose number fails it.
func (f format) when(extra func(n string) bool, whyNot string) format {
	f.extra, f.whyNot = extra, whyNot
	return f
}

// othersNumbers marks a format whose numbers belong to another carrier.
func (f format) othersNumbers() format {
	f.others = true
	return f
}

// tooVague marks a format so loose (any 8 letters and digits, say) that a
// number fitting it says nothing about the carrier: Check accepts it, Detect
// ignores it.
func (f format) tooVague() format {
	f.vague = true
	return f
}

// distinctive marks a format whose literal start is this carrier's own.
func (f format) distinctive() format {
	f.distinct = true
	return f
}

func (f format) matches(n string) bool {
	return f.re.MatchString(n) && (f.extra == nil || f.extra(n))
}

// sure reports whether a number that fits the format (check included) is
// good evidence for the carrier: a check digit held, or the start is the
// carrier's own.
func (f format) sure() bool {
	return f.verify != nil || f.distinct
}

func compareCheck(label string, want, got byte) string {
	if want == got {
		return ""
	}
	return fmt.Sprintf("The check digit of this %s is wrong (expected %c, got %c)", label, want, got)
}

// closeness scores how near n comes to the format, higher being nearer: its
// literal start counts most, then its length, then letters where the format
// has only digits.
func (f format) closeness(n string) int {
	score := 0
	if f.prefix != "" {
		cp := commonPrefix(n, f.prefix)
		if cp == len(f.prefix) {
			score += 10 + 2*cp
		} else {
			score += 2*cp - 2
		}
	}
	if len(n) > 0 && !strings.Contains(f.first, n[:1]) {
		score -= 4
	}
	score -= 2 * f.lengthGap(len(n))
	if !f.letters {
		score -= 3 * countLetters(n[commonPrefix(n, f.prefix):])
	}
	return score
}

func (f format) lengthGap(l int) int {
	switch {
	case l < f.minLen:
		return f.minLen - l
	case f.maxLen >= 0 && l > f.maxLen:
		return l - f.maxLen
	}
	return 0
}

// difference says what keeps n from the format, for the closest-format
// message.
func (f format) difference(n string) string {
	switch {
	case f.re.MatchString(n):
		return f.whyNot
	case f.prefix != "" && !strings.HasPrefix(n, f.prefix):
		return "it does not start with " + f.prefix
	case len(n) > 0 && !strings.Contains(f.first, n[:1]):
		return "it does not start with " + f.firstWords()
	case f.lengthGap(len(n)) > 0:
		return fmt.Sprintf("it has %d characters, not %s", len(n), f.lengthWords())
	case !f.letters && countLetters(n[len(f.prefix):]) > 0:
		return "it has letters where that format has only digits"
	}
	return "it does not follow that pattern"
}

// firstWords says what a number of the format starts with.
func (f format) firstWords() string {
	switch {
	case f.first == alphabet[:10]:
		return "a digit"
	case f.first == alphabet[10:]:
		return "a letter"
	case len(f.first) <= 8:
		parts := strings.Split(f.first, "")
		return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
	}
	return "a letter or digit it can start with"
}

func (f format) lengthWords() string {
	switch {
	case f.maxLen == f.minLen:
		return fmt.Sprint(f.minLen)
	case f.maxLen < 0:
		return fmt.Sprintf("%d or more", f.minLen)
	}
	return fmt.Sprintf("%d to %d", f.minLen, f.maxLen)
}

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// canStart reports whether a match of the simplified regexp can start with c.
func canStart(re *syntax.Regexp, c rune) bool {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune) > 0 && re.Rune[0] == c
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i] <= c && c <= re.Rune[i+1] {
				return true
			}
		}
		return false
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return true
	case syntax.OpCapture, syntax.OpPlus, syntax.OpRepeat:
		return canStart(re.Sub[0], c)
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if canStart(s, c) {
				return true
			}
		}
		return false
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if canStart(s, c) {
				return true
			}
			if lo, _ := lengths(s); lo > 0 {
				return false
			}
		}
		return false
	}
	return false
}

func commonPrefix(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

func countLetters(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			n++
		}
	}
	return n
}

// lengths is the shortest and longest match of a simplified regexp of
// literals, classes, concatenations, alternations and counted repeats (-1:
// unbounded).
func lengths(re *syntax.Regexp) (int, int) {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune), len(re.Rune)
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1, 1
	case syntax.OpCapture:
		return lengths(re.Sub[0])
	case syntax.OpConcat:
		lo, hi := 0, 0
		for _, s := range re.Sub {
			a, b := lengths(s)
			lo += a
			if hi >= 0 {
				if b < 0 {
					hi = -1
				} else {
					hi += b
				}
			}
		}
		return lo, hi
	case syntax.OpAlternate:
		lo, hi := lengths(re.Sub[0])
		for _, s := range re.Sub[1:] {
			a, b := lengths(s)
			lo = min(lo, a)
			if hi >= 0 && (b < 0 || b > hi) {
				hi = b
			}
		}
		return lo, hi
	case syntax.OpQuest:
		_, b := lengths(re.Sub[0])
		return 0, b
	case syntax.OpStar:
		return 0, -1
	case syntax.OpPlus:
		a, _ := lengths(re.Sub[0])
		return a, -1
	case syntax.OpRepeat:
		a, b := lengths(re.Sub[0])
		hi := -1
		if re.Max >= 0 && b >= 0 {
			hi = b * re.Max
		}
		return a * re.Min, hi
	}
	return 0, 0 // anchors and empty matches
}

// lettersAfter reports whether the regexp can match a letter beyond its
// first skip characters (the literal start).
func lettersAfter(re *syntax.Regexp, skip int) bool {
	if re.Op == syntax.OpConcat {
		for _, s := range re.Sub {
			if isAnchor(s.Op) {
				continue // ^ and $ match no character, so the literal start is still ahead
			}
			if s.Op == syntax.OpLiteral && skip > 0 {
				if hasLetter(s.Rune[min(skip, len(s.Rune)):]) {
					return true
				}
				skip -= min(skip, len(s.Rune))
				continue
			}
			skip = 0
			if lettersAfter(s, 0) {
				return true
			}
		}
		return false
	}
	switch re.Op {
	case syntax.OpLiteral:
		return hasLetter(re.Rune[min(skip, len(re.Rune)):])
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i] <= 'Z' && re.Rune[i+1] >= 'A' {
				return true
			}
		}
		return false
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return true
	}
	for _, s := range re.Sub {
		if lettersAfter(s, 0) {
			return true
		}
	}
	return false
}

func isAnchor(op syntax.Op) bool {
	switch op {
	case syntax.OpBeginText, syntax.OpEndText, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpEmptyMatch:
		return true
	}
	return false
}

func hasLetter(rs []rune) bool {
	for _, r := range rs {
		if r >= 'A' && r <= 'Z' {
			return true
		}
	}
	return false
}
