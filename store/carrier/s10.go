package carrier

import (
	"fmt"
	"regexp"
)

// UPU S10 (Universal Postal Union standard S10, "Identification of postal
// items"): 2 letters of service indicator, an 8-digit serial, a check digit
// computed with weights 8 6 4 2 3 5 9 7 (11 - sum mod 11; 10 is written 0
// and 11 is written 5) and the ISO 3166-1 alpha-2 code of the post that
// issued the number. Every postal operator uses it for international items,
// and many (Royal Mail, USPS Priority Mail Express, Deutsche Post) for
// domestic ones too.

var s10Re = regexp.MustCompile(`^[A-Z]{2}[0-9]{9}[A-Z]{2}$`)

func isS10(n string) bool { return s10Re.MatchString(n) }

// s10 accepts S10 numbers of every post, because the post that delivers an
// item tracks it under the number the sending post gave it. issuer is the
// country whose numbers suggest this carrier ("" for none: the carrier
// accepts them but does not issue them).
func s10(issuer string) format {
	example := "RR123456785" + issuer
	if issuer == "" {
		example = "RR123456785CN"
	}
	f := newFormat("S10 number", "2 letters, 9 digits and the 2-letter country code of the post that issued it", example, s10Re.String())
	f.verify = func(label, n string) string {
		country := n[11:13]
		if !isCountry(country) {
			return fmt.Sprintf("The last two letters of this %s (%s) are not a country code", label, country)
		}
		return compareCheck(label, s10Check(n[2:10]), n[10])
	}
	if issuer == "" {
		return f.othersNumbers()
	}
	f.issuers = []string{issuer}
	f.detectIf = func(n string) bool { return n[11:13] == issuer }
	return f
}

// s10Issuer names the post that issued an S10 number, from its country code.
func s10Issuer(n string) string {
	country := n[11:13]
	if country == "GB" && n[0] == 'E' {
		return "Parcelforce Worldwide (GB)" // the UK's EMS operator
	}
	if name, ok := postOperators[country]; ok {
		return name + " (" + country + ")"
	}
	return "the post of " + country
}

// postOperators names the designated postal operator of the countries whose
// numbers dropshippers meet most, by ISO 3166-1 code. Source: the UPU member
// country list as compiled in jkeen/tracking_number_data (s10.json, "courier"
// per "matches"), with the operators' current trading names. Any other
// country's numbers are still accepted, and named by their code.
var postOperators = map[string]string{
	"AE": "Emirates Post", "AR": "Correo Argentino", "AT": "Österreichische Post", "AU": "Australia Post",
	"BD": "Bangladesh Post Office", "BE": "bpost", "BG": "Bulgarian Posts", "BR": "Correios",
	"BY": "Belpochta", "CA": "Canada Post", "CH": "Swiss Post", "CL": "Correos de Chile",
	"CN": "China Post", "CO": "4-72 La Red Postal de Colombia", "CY": "Cyprus Post", "CZ": "Česká pošta",
	"DE": "Deutsche Post", "DK": "PostNord Denmark", "EE": "Omniva", "EG": "Egypt Post",
	"ES": "Correos", "FI": "Posti", "FR": "La Poste", "GB": "Royal Mail",
	"GR": "ELTA Hellenic Post", "HK": "Hongkong Post", "HR": "Hrvatska pošta", "HU": "Magyar Posta",
	"ID": "Pos Indonesia", "IE": "An Post", "IL": "Israel Post", "IN": "India Post",
	"IS": "Iceland Post", "IT": "Poste Italiane", "JP": "Japan Post", "KR": "Korea Post",
	"KZ": "Kazpost", "LT": "Lietuvos paštas", "LU": "POST Luxembourg", "LV": "Latvijas Pasts",
	"MA": "Barid Al-Maghrib", "MO": "Macau Post", "MT": "MaltaPost", "MX": "Correos de México",
	"MY": "Pos Malaysia", "NG": "NIPOST", "NL": "PostNL", "NO": "Posten Norge",
	"NZ": "New Zealand Post", "PE": "Serpost", "PH": "PHLPost", "PK": "Pakistan Post",
	"PL": "Poczta Polska", "PT": "CTT Correios de Portugal", "RO": "Poșta Română", "RS": "Pošta Srbije",
	"RU": "Russian Post", "SA": "Saudi Post (SPL)", "SE": "PostNord Sweden", "SG": "Singapore Post",
	"SI": "Pošta Slovenije", "SK": "Slovenská pošta", "TH": "Thailand Post", "TR": "PTT (Turkish Post)",
	"TW": "Chunghwa Post", "UA": "Ukrposhta", "US": "USPS", "VN": "Vietnam Post",
	"ZA": "South African Post Office",
}
