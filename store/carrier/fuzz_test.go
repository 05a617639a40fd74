package carrier

import (
	"cmp"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCheck checks tracking numbers against every carrier: Normalize is
// idempotent; a number Check accepts normalizes to letters and digits that
// Check also accepts and URL embeds; a refusal is a *CheckError naming the
// carrier; an unknown carrier is ErrUnknownCarrier with no URL; and every
// carrier Detect names for the number accepts it. Seeds: the documented
// examples, every format's example, hand-picked edge cases and the real pairs
// of the shared fixtures.
func FuzzCheck(f *testing.F) {
	for _, d := range documented {
		f.Add(d.code, d.number)
	}
	for _, d := range registry {
		for _, fm := range d.formats {
			f.Add(d.Code, fm.example)
		}
	}
	seeds := []struct{ code, number string }{
		{"ups", "1Z999AA10123456785"},
		{"ups", "1z 999 aa1 01 2345 678"},
		{"usps", "9400111201080805483015"},
		{"usps", "420221539101026837331000039520"},
		{"usps", "RB123456786US"},
		{"fedex", "996578788855"},
		{"fedex", "9622001560001234567100794808390595"},
		{"dhl_express", "3318810010"},
		{"dhl_ecommerce", "GS295117494011169041"},
		{"amazon_logistics", "TBA50288727400A"},
		{"ontrac", "C11031500001889"},
		{"lasership", "1LX734505321754"},
		{"canada_post", "5002847016405018"},
		{"purolator", "320595463939"},
		{"royal_mail", "RB123456785XX"},
		{"parcelforce", "P1234567"},
		{"dpd", "008182709980000020033350276A"},
		{"gls", "123456789012"},
		{"postnl", "3S1234567890"},
		{"australia_post", "RR123456784AU"},
		{"upu_s10", "RR12345678GB"},
		{"", ""},
		{"DHL Express", "\xff\xfe\x00"},
		{"ups", "１Ｚ９９９ＡＡ１０１２３４５６７８４"},
		{"usps", "9400\u200b1112\u00ad0108"},
		{"hermes", "H1234567890"},
	}
	for _, s := range seeds {
		f.Add(s.code, s.number)
	}
	for _, s := range fixtureTracking() {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, code, number string) {
		checkDetection(t, number)
		once := Normalize(number)
		if twice := Normalize(once); twice != once {
			t.Fatalf("Normalize not idempotent: %q -> %q -> %q", number, once, twice)
		}
		codes := []string{code}
		for _, c := range All() {
			codes = append(codes, c.Code)
		}
		for _, c := range codes {
			err := Check(c, number)
			u := URL(c, number)
			known, ok := Lookup(c)
			if !ok {
				if !errors.Is(err, ErrUnknownCarrier) || u != "" {
					t.Fatalf("Check(%q, %q) = %v, URL %q; want ErrUnknownCarrier and no URL", c, number, err, u)
				}
				continue
			}
			if err == nil {
				if err2 := Check(c, once); err2 != nil {
					t.Fatalf("Check(%q, %q) = nil but Check of the normalized %q = %v", c, number, once, err2)
				}
				if once == "" || !isAlnum(once) {
					t.Fatalf("Check(%q, %q) accepted %q, which is not letters and digits", c, number, once)
				}
				if !strings.Contains(u, once) {
					t.Fatalf("URL(%q, %q) = %q does not contain %q", c, number, u, once)
				}
				continue
			}
			var ce *CheckError
			if !errors.As(err, &ce) {
				t.Fatalf("Check(%q, %q) returned %T, want *CheckError", c, number, err)
			}
			if !strings.Contains(ce.Error(), known.Name) || ce.Carrier != known.Code {
				t.Fatalf("Check(%q, %q) = %q (carrier %q); want the message to name %q", c, number, ce.Error(), ce.Carrier, known.Name)
			}
		}
	})
}

// FuzzDetect checks the detector on arbitrary input and on valid numbers
// with one character changed, the typo it must not mistake for another
// carrier's number: each carrier it names accepts the number, sure matches
// first, none twice, and normalizing first changes nothing.
func FuzzDetect(f *testing.F) {
	for _, d := range documented {
		f.Add(d.number, uint8(0), byte('0'))
	}
	for _, d := range registry {
		for _, fm := range d.formats {
			f.Add(fm.example, uint8(len(fm.example)-1), byte('7'))
		}
	}
	f.Add("", uint8(0), byte('A'))
	f.Add("1z 999 aa1 01 2345 6784", uint8(3), byte('\xff'))
	f.Fuzz(func(t *testing.T, number string, at uint8, c byte) {
		checkDetection(t, number)
		if int(at) < len(number) {
			checkDetection(t, number[:at]+string(c)+number[at+1:])
		}
	})
}

// fixtureTracking returns the carrier and tracking number pairs of real
// payloads in the shared fixtures folder (WooCommerce Shipment Tracking,
// Amazon Vendor Direct Fulfillment shipping), read in place; none when the
// folder is absent.
func fixtureTracking() [][2]string {
	dir := filepath.Join("..", "..", "..", "shared", "fixtures")
	files, _ := filepath.Glob(filepath.Join(dir, "woocommerce_ios_rest_fixtures", "shipment_tracking_*.json"))
	more, _ := filepath.Glob(filepath.Join(dir, "amazon_sp_api_models", "sandbox_examples", "vendorDirectFulfillmentShipping*.json"))
	var pairs [][2]string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			number, _ := cmp.Or(v["tracking_number"], v["trackingNumber"]).(string)
			code, _ := cmp.Or(v["tracking_provider"], v["carrierCode"], v["carrierName"], v["CarrierName"]).(string)
			if number != "" {
				pairs = append(pairs, [2]string{code, number})
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	for _, name := range append(files, more...) {
		b, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		var v any
		if json.Unmarshal(b, &v) == nil {
			walk(v)
		}
	}
	return pairs
}
