package carrier

import (
	"fmt"
	"regexp"
)

// def is a built-in carrier together with everything Check needs to know
// about its numbers.
type def struct {
	Carrier
	aliases []string
	// shape is the reason shown when a number matches none of the formats;
	// it describes the formats in words a customer-service agent would use.
	shape   string
	formats []format
}

// format is one shape a carrier's numbers come in. Carriers issue several at
// once (FedEx alone has six), so a number is accepted if any format fits.
type format struct {
	re    *regexp.Regexp
	extra func(n string) bool // additional condition a regexp cannot express; nil means none
	// verify returns "" when the check digit (or other rule) holds and the
	// user-facing reason otherwise; nil means the carrier defines no check.
	verify func(name, n string) string
}

func (f format) matches(n string) bool {
	return f.re.MatchString(n) && (f.extra == nil || f.extra(n))
}

func pattern(expr string) format {
	return format{re: regexp.MustCompile(expr)}
}

// checked builds a format whose check character is the last one and is
// computed by alg over prefix + n[from:len(n)-1]. The prefix exists because
// some carriers compute the digit over an application identifier that is not
// printed (USPS "91", FedEx SmartPost "92").
func checked(expr string, from int, prefix string, alg func(string) byte) format {
	f := pattern(expr)
	f.verify = func(name, n string) string {
		last := len(n) - 1
		return compareCheck(name, alg(prefix+n[from:last]), n[last])
	}
	return f
}

func compareCheck(name string, want, got byte) string {
	if want == got {
		return ""
	}
	return fmt.Sprintf("The check digit of this %s tracking number is wrong (expected %c, got %c)", name, want, got)
}

var s10Re = regexp.MustCompile(`^[A-Z]{2}[0-9]{9}[A-Z]{2}$`)

// s10 accepts UPU S10 numbers such as RR123456785GB: two service letters,
// eight serial digits, the check digit and the ISO country code of the
// issuing post. Every postal operator uses it for international items, and
// several (Royal Mail, USPS Priority Mail Express) for domestic ones too.
func s10() format {
	return format{re: s10Re, verify: func(name, n string) string {
		country := n[11:13]
		if !isCountry(country) {
			return fmt.Sprintf("The last two letters of this %s tracking number (%s) are not a country code", name, country)
		}
		return compareCheck(name, s10Check(n[2:10]), n[10])
	}}
}

func isS10(n string) bool { return s10Re.MatchString(n) }

// impb lists the USPS Intelligent Mail package barcode forms, which DHL
// eCommerce also uses because USPS delivers its US parcels. The check digit is
// always the USPS mod 10 over the serial that follows an optional "420" +
// ZIP (or ZIP+4) routing prefix; serials printed without the "9x" application
// identifier are checked as if "91" preceded them, as USPS specifies.
func impb() []format {
	return []format{
		checked(`^9[1-5][0-9]{20}$`, 0, "", gs1Mod10),
		checked(`^9[1-5][0-9]{24}$`, 0, "", gs1Mod10),
		checked(`^[0-9]{20}$`, 0, "", gs1Mod10),
		checked(`^[0-9]{20}$`, 0, "91", gs1Mod10),
		checked(`^[0-9]{24}$`, 0, "91", gs1Mod10),
		checked(`^420[0-9]{5}9[1-5][0-9]{20}$`, 8, "", gs1Mod10),
		checked(`^420[0-9]{5}9[1-5][0-9]{24}$`, 8, "", gs1Mod10),
		checked(`^420[0-9]{5}[0-9]{20}$`, 8, "", gs1Mod10),
		checked(`^420[0-9]{5}[0-9]{20}$`, 8, "91", gs1Mod10),
		checked(`^420[0-9]{9}9[1-5][0-9]{20}$`, 12, "", gs1Mod10),
	}
}

func lasershipFormats() []format {
	return []format{
		pattern(`^1LS[0-9A-Z]{12,14}$`),
		pattern(`^L[A-Z][0-9]{8}$`),
	}
}

func join(parts ...[]format) []format {
	var out []format
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// registry is in display order: the big US carriers first (most merchants
// ship there), then Canada, the UK, mainland Europe, Australia and the
// catch-all international postal format.
var registry = []def{
	{
		Carrier: Carrier{Code: "ups", Name: "UPS", TrackingURL: "https://www.ups.com/track?tracknum={number}"},
		aliases: []string{"United Parcel Service"},
		shape:   "UPS tracking numbers start with 1Z followed by 16 letters or digits",
		formats: []format{
			checked(`^1Z[0-9A-Z]{16}$`, 2, "", upsMod10),
		},
	},
	{
		Carrier: Carrier{Code: "usps", Name: "USPS", TrackingURL: "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}"},
		aliases: []string{"United States Postal Service", "US Postal Service"},
		shape:   "USPS tracking numbers are 20 to 34 digits (usually starting with 9, or with 420 and a ZIP code), or 13 characters like EC123456785US",
		formats: join(impb(), []format{s10()}),
	},
	{
		Carrier: Carrier{Code: "fedex", Name: "FedEx", TrackingURL: "https://www.fedex.com/fedextrack/?trknbr={number}"},
		aliases: []string{"Federal Express"},
		shape:   "FedEx tracking numbers are 12, 15, 18, 20, 22 or 34 digits",
		formats: []format{
			checked(`^[0-9]{12}$`, 0, "", fedexMod11),     // Express
			checked(`^[0-9]{15}$`, 0, "", gs1Mod10),       // Ground
			checked(`^[0-9]{18}$`, 0, "", gs1Mod10),       // Ground SSCC-18
			checked(`^00[0-9]{18}$`, 0, "", gs1Mod10),     // SSCC-18 with its (00) application identifier
			checked(`^[0-9]{20}$`, 0, "92", gs1Mod10),     // SmartPost / Ground Economy without "92"
			checked(`^92[0-9]{20}$`, 0, "", gs1Mod10),     // SmartPost / Ground Economy
			checked(`^96[0-9]{20}$`, 7, "", gs1Mod10),     // Ground "96" barcode: check over the 14-digit serial
			checked(`^96[0-9]{32}$`, 20, "", fedexMod11),  // Ground GSN barcode: check over the last 13 digits
			checked(`^100[0-9]{31}$`, 20, "", fedexMod11), // Express 34-digit barcode
		},
	},
	{
		Carrier: Carrier{Code: "dhl_express", Name: "DHL Express", TrackingURL: "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id={number}"},
		aliases: []string{"DHL"},
		shape:   "DHL Express waybill numbers are 10 digits, or a piece ID such as JJD followed by digits",
		formats: []format{
			checked(`^[0-9]{10}$`, 0, "", mod7),
			checked(`^[0-9]{11}$`, 0, "", mod7),
			pattern(`^J[A-Z]{2,3}[0-9]{9,21}$`),
		},
	},
	{
		Carrier: Carrier{Code: "dhl_ecommerce", Name: "DHL eCommerce", TrackingURL: "https://www.dhl.com/global-en/home/tracking/tracking-ecommerce.html?submit=1&tracking-id={number}"},
		aliases: []string{"DHL eCommerce Solutions", "DHL Global Mail"},
		shape:   "DHL eCommerce tracking numbers start with two letters such as GM followed by 10 to 39 digits, or are 20 to 34 digit USPS-style numbers",
		formats: join([]format{
			pattern(`^(GM|LX|RX|UV|CN|SG|TH|IN|HK|MY)[0-9]{10,39}$`),
		}, impb()),
	},
	{
		Carrier: Carrier{Code: "amazon_logistics", Name: "Amazon Logistics", TrackingURL: "https://track.amazon.com/tracking/{number}"},
		aliases: []string{"Amazon", "Amazon Shipping"},
		shape:   "Amazon Logistics tracking numbers start with TBA followed by 12 digits",
		formats: []format{
			pattern(`^TB[ACM][0-9]{12}$`),
		},
	},
	{
		Carrier: Carrier{Code: "ontrac", Name: "OnTrac", TrackingURL: "https://www.ontrac.com/tracking/?number={number}"},
		shape:   "OnTrac tracking numbers start with C or D followed by 14 digits, or with 1LS for former LaserShip parcels",
		// OnTrac took over LaserShip, and now tracks LaserShip numbers too.
		formats: join([]format{
			checked(`^[CD][0-9]{14}$`, 0, "", upsMod10),
		}, lasershipFormats()),
	},
	{
		Carrier: Carrier{Code: "lasership", Name: "LaserShip", TrackingURL: "https://www.ontrac.com/tracking/?number={number}"},
		shape:   "LaserShip tracking numbers start with 1LS followed by 12 to 14 letters or digits, or with L and another letter followed by 8 digits",
		formats: lasershipFormats(),
	},
	{
		Carrier: Carrier{Code: "canada_post", Name: "Canada Post", TrackingURL: "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor={number}"},
		aliases: []string{"Postes Canada"},
		shape:   "Canada Post tracking numbers are 16 digits, or 13 characters like RR123456785CA",
		formats: []format{
			checked(`^[0-9]{16}$`, 0, "", gs1Mod10),
			s10(),
		},
	},
	{
		Carrier: Carrier{Code: "purolator", Name: "Purolator", TrackingURL: "https://www.purolator.com/en/shipping/tracker?searchValue={number}"},
		shape:   "Purolator tracking numbers are 12 digits, or 3 letters followed by 9 digits",
		formats: []format{
			checked(`^[0-5][0-9]{11}$`, 0, "", luhn),
			pattern(`^[A-Z]{3}[0-9]{9}$`),
		},
	},
	{
		Carrier: Carrier{Code: "royal_mail", Name: "Royal Mail", TrackingURL: "https://www.royalmail.com/track-your-item#/tracking-results/{number}"},
		shape:   "Royal Mail tracking numbers are 13 characters: 2 letters, 9 digits and 2 letters, like AB123456785GB",
		formats: []format{s10()},
	},
	{
		Carrier: Carrier{Code: "parcelforce", Name: "Parcelforce", TrackingURL: "https://www.parcelforce.com/track-trace?trackNumber={number}"},
		aliases: []string{"Parcelforce Worldwide"},
		shape:   "Parcelforce tracking numbers are 2 letters and 7 digits, 4 letters and 10 digits, 12 digits, or 13 characters like EK123456785GB",
		formats: []format{
			pattern(`^[A-Z]{2}[0-9]{7}$`),
			pattern(`^[A-Z]{4}[0-9]{10}$`),
			pattern(`^[0-9]{12}$`),
			s10(),
		},
	},
	{
		Carrier: Carrier{Code: "dpd", Name: "DPD", TrackingURL: "https://tracking.dpd.de/status/en_US/parcel/{number}"},
		shape:   "DPD tracking numbers are 14 digits, optionally followed by a check letter or digit, or 10 digits for a DPD UK consignment",
		formats: []format{
			pattern(`^[0-9]{14}$`),
			checked(`^[0-9]{14}[0-9A-Z]$`, 0, "", mod3736),
			checked(`^[0-9]{27}[0-9A-Z]$`, 0, "", mod3736), // full barcode: ZIP, parcel number, service, country
			pattern(`^[0-9]{10}$`),
		},
	},
	{
		Carrier: Carrier{Code: "gls", Name: "GLS", TrackingURL: "https://gls-group.com/EU/en/parcel-tracking?match={number}"},
		aliases: []string{"General Logistics Systems"},
		shape:   "GLS tracking numbers are 11 or 12 digits, or an 8-character track ID",
		formats: []format{
			checked(`^[0-9]{12}$`, 0, "", glsMod10),
			pattern(`^[0-9]{11}$`), // the same parcel number printed without its check digit
			pattern(`^[0-9A-Z]{8}$`),
		},
	},
	{
		Carrier: Carrier{Code: "postnl", Name: "PostNL", TrackingURL: "https://jouw.postnl.nl/track-and-trace/{number}"},
		shape:   "PostNL tracking numbers start with 3S followed by 4 letters and 7 to 11 digits, or are 13 characters like RR123456785NL",
		formats: []format{
			pattern(`^3S[A-Z]{4}[0-9]{7,11}$`),
			s10(),
		},
	},
	{
		Carrier: Carrier{Code: "australia_post", Name: "Australia Post", TrackingURL: "https://auspost.com.au/mypost/track/details/{number}"},
		aliases: []string{"AusPost"},
		shape:   "Australia Post tracking numbers are 10 to 23 letters and digits, or 13 characters like RR123456785AU",
		formats: []format{
			s10(),
			{
				// eParcel, MyPost Business and StarTrack article IDs vary a
				// lot; require mostly digits, and leave S10-shaped numbers to
				// the S10 check so a typo there is still caught.
				re:    regexp.MustCompile(`^[0-9A-Z]{10,23}$`),
				extra: func(n string) bool { return !isS10(n) && countDigits(n) >= 6 },
			},
		},
	},
	{
		Carrier: Carrier{Code: "upu_s10", Name: "International Post (UPU S10)", TrackingURL: "https://t.17track.net/en#nums={number}"},
		aliases: []string{"Universal Postal Union S10", "UPU", "S10", "International Post"},
		shape:   "International Post (UPU S10) tracking numbers are 13 characters: 2 letters, 9 digits and 2 letters, like RR123456785GB",
		formats: []format{s10()},
	},
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// byKey indexes the registry by folded code, name and alias so Lookup is a
// single map read; it is filled by init.
var byKey = map[string]*def{}

func init() {
	for i := range registry {
		d := &registry[i]
		// Set here rather than in every entry: all built-ins share it.
		d.Kind = KindCarrier
		for _, k := range append([]string{d.Code, d.Name}, d.aliases...) {
			key := foldName(k)
			if prev, ok := byKey[key]; ok && prev != d {
				panic("carrier: " + k + " names two carriers")
			}
			byKey[key] = d
		}
	}
}
