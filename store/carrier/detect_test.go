package carrier

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestFormatExamples checks every format's example, which the closest-format
// message quotes: it fits the format, passes Check, and suggests the carrier
// when the format may (another format of the carrier may also suggest it).
func TestFormatExamples(t *testing.T) {
	for _, d := range registry {
		for _, f := range d.formats {
			label := d.Code + " " + f.name
			if f.name == "" || f.desc == "" || f.example == "" {
				t.Errorf("%s: name, desc and example are all required", label)
				continue
			}
			if !f.matches(f.example) {
				t.Errorf("%s: example %s does not fit its own format", label, f.example)
				continue
			}
			if f.verify != nil {
				if reason := f.verify(label, f.example); reason != "" {
					t.Errorf("%s: example %s: %s", label, f.example, reason)
				}
			}
			if err := Check(d.Code, f.example); err != nil {
				t.Errorf("Check(%s, %s): %v", d.Code, f.example, err)
			}
			suggests := !f.others && !f.vague && (f.detectIf == nil || f.detectIf(f.example))
			if got := codesOf(Detect(f.example)); suggests && !slices.Contains(got, d.Code) {
				t.Errorf("%s: Detect(%s) = %v; want %s listed", label, f.example, got, d.Code)
			}
		}
	}
}

func codesOf(ms []Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Carrier.Code)
	}
	return out
}

func TestDetect(t *testing.T) {
	tests := []struct {
		number string
		sure   []string // carriers a check digit or an own prefix confirms, in order
		unsure []string // carriers whose format only fits, in order
		issuer string   // of the first match
	}{
		// One carrier, confirmed.
		{"1Z 999 AA1 01 2345 6784", []string{"ups"}, nil, ""},
		{"K2479825491", []string{"ups"}, nil, ""},
		{"MI123456PKG0001234", []string{"ups"}, nil, ""},
		{"986578788855", []string{"fedex"}, []string{"parcelforce", "sf_express"}, ""},
		{"32971514560102447849175802862014", []string{"fedex"}, nil, ""},
		{"1001921334250001000300779017972697", []string{"fedex"}, nil, ""},
		{"DT106309453451", []string{"fedex"}, nil, ""},
		{"9400 1112 0108 0805 4830 16", []string{"usps"}, []string{"dhl_ecommerce"}, ""},
		{"3318810025", []string{"dhl_express"}, []string{"dpd"}, ""},
		{"GM9E44608A27984866BA2D", []string{"dhl_ecommerce"}, nil, ""},
		{"TBA502887274000", []string{"amazon_logistics"}, nil, ""},
		{"C11031500001879", []string{"ontrac"}, nil, ""},
		{"LX17635036", []string{"lasership"}, nil, ""}, // OnTrac tracks it, but it is LaserShip's
		{"1LS717793482164", []string{"lasership"}, nil, ""},
		{"0073938000549297", []string{"canada_post"}, []string{"dhl_ecommerce", "evri"}, ""},
		{"YT2229521272164446", []string{"yunexpress"}, nil, ""},
		{"LP00724622449605", []string{"cainiao"}, []string{"evri"}, ""},
		{"4PX3000123456789CN", []string{"4px"}, nil, ""},
		{"UG123456785YP", []string{"yanwen"}, nil, ""},
		{"SF1234567890123", []string{"sf_express"}, nil, ""},
		{"CJPKL7000012345YQ", []string{"cjpacket"}, nil, ""},
		{"UUS5A12345678901234", []string{"uniuni"}, nil, ""},
		{"UR06250000000000351", []string{"uniuni"}, nil, ""},
		{"URB0625000000000035", []string{"uniuni"}, nil, ""},
		{"VR344217874YP", []string{"yanwen"}, nil, ""}, // its S10 check digit holds
		{"4PX3001481136711CN", []string{"4px"}, nil, ""},
		{"4PX 3001 4811 3671 12 CN", []string{"4px"}, nil, ""}, // one digit more, as itsvic-dev/deliveries accepts
		{"CNUSUP00009319533", []string{"cainiao"}, nil, ""},
		{"SF7444471039325", []string{"sf_express"}, nil, ""},
		{"GFUS01011884214464", []string{"gofo"}, nil, ""},
		{"LTN74207623N1", []string{"landmark_global"}, nil, ""},
		{"SP029692510000920746", []string{"speedee"}, nil, ""},

		// S10 numbers suggest the post of their country.
		{"RR123456785US", []string{"usps"}, nil, "USPS (US)"},
		{"RR123456785CN", []string{"china_post"}, nil, "China Post (CN)"},
		{"EE123456785JP", []string{"japan_post"}, nil, "Japan Post (JP)"},
		{"RR123456785IT", []string{"poste_italiane"}, nil, "Poste Italiane (IT)"},
		{"RR123456785DE", []string{"dhl_parcel_de"}, nil, "Deutsche Post (DE)"},
		{"CB123456785FR", []string{"colissimo"}, nil, "La Poste (FR)"},
		{"RR123456785GB", []string{"royal_mail"}, nil, "Royal Mail (GB)"},
		{"EK123456785GB", []string{"parcelforce"}, nil, "Parcelforce Worldwide (GB)"},
		{"RR123456785DK", []string{"postnord"}, nil, "PostNord Denmark (DK)"},
		{"RR123456785TH", []string{"upu_s10"}, nil, "Thailand Post (TH)"},
		{"RR123456785MN", []string{"upu_s10"}, nil, "the post of MN"},

		// Ambiguous: several carriers confirmed.
		{"9261292700768711948021", []string{"usps", "fedex"}, []string{"dhl_ecommerce"}, ""},
		{"JJD0002257639032011", []string{"dhl_express", "yodel", "dhl_parcel_de"}, nil, ""},
		{"201298452277", []string{"fedex", "gls", "dhl_parcel_de"}, []string{"parcelforce", "sf_express"}, ""},
		{"C1004444443", []string{"ups"}, []string{"amazon_logistics"}, ""},

		// Only formats without a check digit fit.
		{"C1004444444", nil, []string{"amazon_logistics"}, ""},
		{"60120172242323", nil, []string{"dhl_ecommerce", "dpd"}, ""},
		{"H01HYA0012345678", nil, []string{"evri"}, ""},
		{"520000014433330021832563", nil, []string{"inpost"}, ""},
		{"6A12345678901", nil, []string{"colissimo"}, ""},
		{"D576002440000001718010", nil, []string{"canpar"}, ""},
		{"PK0DLC0000085800128009G", nil, []string{"correos"}, ""}, // Correos's control letter is not checked
		{"PKBW0E072936634T", nil, []string{"evri", "correos"}, ""},

		// Nothing: a wrong check digit, a too vague or a non-number.
		{"1Z999AA10123456785", nil, nil, ""},
		{"RR123456784CN", nil, nil, ""},
		{"VR344217875YP", nil, nil, ""}, // a Yanwen number with a wrong check digit
		{"12345678", nil, nil, ""},
		{"hello", nil, nil, ""},
		{"1Z#999", nil, nil, ""},
		{"", nil, nil, ""},
	}
	for _, tt := range tests {
		got := Detect(tt.number)
		var sure, unsure []string
		for _, m := range got {
			if m.Sure {
				sure = append(sure, m.Carrier.Code)
			} else {
				unsure = append(unsure, m.Carrier.Code)
			}
		}
		if !slices.Equal(sure, tt.sure) || !slices.Equal(unsure, tt.unsure) {
			t.Errorf("Detect(%q): sure %v, unsure %v; want sure %v, unsure %v", tt.number, sure, unsure, tt.sure, tt.unsure)
			continue
		}
		if len(got) > 0 && got[0].Issuer != tt.issuer {
			t.Errorf("Detect(%q): issuer %q, want %q", tt.number, got[0].Issuer, tt.issuer)
		}
		if codes := codesOf(Sure(got)); !slices.Equal(codes, tt.sure) {
			t.Errorf("Sure(Detect(%q)) = %v, want %v", tt.number, codes, tt.sure)
		}
	}
	if got, want := Detect("1Z999AA10123456784")[0].Format, "UPS 1Z number"; got != want {
		t.Errorf("Format: got %q, want %q", got, want)
	}
}

// TestDetectAgreesWithCheck runs the detector over every documented and
// generated number: each carrier it names accepts the number, sure matches
// come first, and no carrier is named twice.
func TestDetectAgreesWithCheck(t *testing.T) {
	numbers := []string{}
	for _, d := range documented {
		numbers = append(numbers, d.number)
	}
	for _, g := range generate(t, rand.New(rand.NewPCG(5, 6))) {
		numbers = append(numbers, g.number)
	}
	for _, n := range numbers {
		checkDetection(t, n)
	}
}

// checkDetection fails t when Detect's answer for n breaks one of its
// promises; FuzzDetect runs it on arbitrary input.
func checkDetection(t *testing.T, n string) {
	t.Helper()
	ms := Detect(n)
	seen := map[string]bool{}
	unsureSeen := false
	for _, m := range ms {
		if err := Check(m.Carrier.Code, n); err != nil {
			t.Fatalf("Detect(%q) names %s, but Check says %v", n, m.Carrier.Code, err)
		}
		if seen[m.Carrier.Code] {
			t.Fatalf("Detect(%q) names %s twice", n, m.Carrier.Code)
		}
		seen[m.Carrier.Code] = true
		if m.Sure && unsureSeen {
			t.Fatalf("Detect(%q): a sure match after an unsure one: %+v", n, ms)
		}
		unsureSeen = unsureSeen || !m.Sure
		if !strings.HasPrefix(m.Format, m.Carrier.Name+" ") {
			t.Fatalf("Detect(%q): format %q does not start with %q", n, m.Format, m.Carrier.Name)
		}
		if m.Issuer != "" && !isS10(Normalize(n)) {
			t.Fatalf("Detect(%q): issuer %q for a number that is not S10", n, m.Issuer)
		}
	}
	if again := Detect(Normalize(n)); !slices.Equal(codesOf(again), codesOf(ms)) {
		t.Fatalf("Detect(%q) = %v but Detect of the normalized number = %v", n, codesOf(ms), codesOf(again))
	}
}

func TestFamily(t *testing.T) {
	if got, want := Family(" dhl "), []string{"dhl_express", "dhl_ecommerce", "dhl_parcel_de"}; !slices.Equal(got, want) {
		t.Errorf("Family(dhl): got %v, want %v", got, want)
	}
	for _, name := range []string{"DHL Express", "dhl_express", "UPS", "", "pigeon"} {
		if got := Family(name); got != nil {
			t.Errorf("Family(%q): got %v, want nil", name, got)
		}
	}
	// Every member is a carrier, and Lookup reads the family name as its first.
	for name, codes := range families {
		for _, code := range codes {
			if c, ok := Lookup(code); !ok || c.Code != code {
				t.Errorf("family %s: %s is not a carrier", name, code)
			}
		}
		if c, _ := Lookup(name); c.Code != codes[0] {
			t.Errorf("Lookup(%s) = %s, want %s", name, c.Code, codes[0])
		}
	}
}
