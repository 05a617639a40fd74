package carrier

// Match is a carrier whose format a tracking number fits.
type Match struct {
	Carrier Carrier
	Format  string // the format, after the carrier's name: "UPS 1Z number"
	// Sure is true when a check digit confirmed the format, or the number
	// starts the way only this carrier's numbers do. A number that merely
	// has the right length (14 digits, say) is not sure: several carriers
	// issue such numbers.
	Sure bool
	// Issuer names the post that issued an S10 number, from its country
	// code ("China Post (CN)"); "" for other numbers.
	Issuer string
}

// Detect answers "which carrier is this?" from a number alone: every
// carrier with a format the number fits, check digit included, sure matches
// first, each group in the registry's order and each carrier once. Formats
// a carrier accepts but another carrier issues (USPS numbers on UPS Mail
// Innovations, any post's S10 numbers at Cainiao) do not count, and an S10
// number suggests the post of its country (or, for a country without a named
// post here, International Post with the post's name as Issuer). Detect
// returns nil for input Check would refuse for every carrier.
func Detect(number string) []Match {
	n := Normalize(number)
	if n == "" || !isAlnum(n) || len(n) > maxNumberLen {
		return nil
	}
	var sure, unsure []Match
	for i := range registry {
		d := &registry[i]
		var found *Match
		for _, f := range d.formats {
			if f.others || f.vague || !f.matches(n) || (f.detectIf != nil && !f.detectIf(n)) {
				continue
			}
			if f.verify != nil && f.verify(d.Name+" "+f.name, n) != "" {
				continue
			}
			m := Match{Carrier: d.Carrier, Format: d.Name + " " + f.name, Sure: f.sure()}
			if isS10(n) && f.re.String() == s10Re.String() {
				m.Issuer = s10Issuer(n)
			}
			if found == nil || (m.Sure && !found.Sure) {
				found = &m
			}
			if m.Sure {
				break
			}
		}
		switch {
		case found == nil:
		case found.Sure:
			sure = append(sure, *found)
		default:
			unsure = append(unsure, *found)
		}
	}
	return append(sure, unsure...)
}

// Sure returns the sure matches among ms.
func Sure(ms []Match) []Match {
	var out []Match
	for _, m := range ms {
		if m.Sure {
			out = append(out, m)
		}
	}
	return out
}

// families are names merchants, feeds and sales channels use for several
// carriers at once, by folded name; Lookup reads each as its first member
// (an order exported as "DHL" usually went by DHL Express), and Family lets
// a caller with the tracking number tell which member it was.
var families = map[string][]string{
	"dhl": {"dhl_express", "dhl_ecommerce", "dhl_parcel_de"},
}

// Family returns the codes of the carriers a family name such as "DHL"
// stands for, or nil when codeOrName names one carrier or none.
func Family(codeOrName string) []string {
	return families[foldName(codeOrName)]
}
