package carrier

import (
	"errors"
	"strings"
	"testing"
)

func FuzzCheck(f *testing.F) {
	for _, d := range documented {
		f.Add(d.code, d.number)
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
	f.Fuzz(func(t *testing.T, code, number string) {
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
