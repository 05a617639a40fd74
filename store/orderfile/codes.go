package orderfile

import "strings"

// iso3166 lists the ISO 3166-1 alpha-2 country codes (all 249), plus XK
// (Kosovo), which is user-assigned but used by Shopify and the carriers.
const iso3166 = "" +
	"AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ " +
	"BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ " +
	"DE DJ DK DM DO DZ " +
	"EC EE EG EH ER ES ET " +
	"FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY " +
	"HK HM HN HR HT HU " +
	"ID IE IL IM IN IO IQ IR IS IT " +
	"JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ " +
	"LA LB LC LI LK LR LS LT LU LV LY " +
	"MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ " +
	"NA NC NE NF NG NI NL NO NP NR NU NZ " +
	"OM " +
	"PA PE PF PG PH PK PL PM PN PR PS PT PW PY " +
	"QA " +
	"RE RO RS RU RW " +
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ " +
	"TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ " +
	"UA UG UM US UY UZ " +
	"VA VC VE VG VI VN VU " +
	"WF WS " +
	"XK " +
	"YE YT " +
	"ZA ZM ZW"

// iso4217 lists the ISO 4217 currency codes in use for trade (funds codes
// such as USN included, precious metals and test codes left out), plus a few
// recently withdrawn ones (ANG, HRK, SLL, ZWL) that old orders may carry.
const iso4217 = "" +
	"AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV " +
	"BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE " +
	"CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD " +
	"HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD " +
	"KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN " +
	"MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD " +
	"RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS " +
	"TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST " +
	"XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL"

// noPostalCode lists countries whose addresses need no postal code: they
// have none, or (IE's Eircode, HK, AE, …) carriers deliver without one.
const noPostalCode = "" +
	"AE AG AO AW BF BI BJ BO BQ BS BW BZ CD CF CG CI CK CM CW DJ DM ER FJ GA GD GH GM GQ " +
	"GY HK IE JM KI KM KN KP LY ML MO MR MS MW NR NU QA RW SB SC SL SR SS ST SX SY TD " +
	"TF TG TK TL TO TT TV UG VU YE ZW"

func codeSet(list string) map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(list) {
		m[c] = true
	}
	return m
}

var (
	countries      = codeSet(iso3166)
	currencies     = codeSet(iso4217)
	postalOptional = codeSet(noPostalCode)
)

// countryNames maps common ways of writing a country (upper case) to its
// code. "UK" is not an ISO code but everyone writes it.
var countryNames = map[string]string{
	"UNITED STATES": "US", "UNITED STATES OF AMERICA": "US", "USA": "US", "U.S.A.": "US", "U.S.": "US",
	"UNITED KINGDOM": "GB", "UK": "GB", "U.K.": "GB", "GREAT BRITAIN": "GB", "ENGLAND": "GB", "SCOTLAND": "GB", "WALES": "GB", "NORTHERN IRELAND": "GB",
	"CANADA": "CA", "AUSTRALIA": "AU", "NEW ZEALAND": "NZ", "IRELAND": "IE", "GERMANY": "DE", "DEUTSCHLAND": "DE",
	"FRANCE": "FR", "SPAIN": "ES", "ESPAÑA": "ES", "ITALY": "IT", "ITALIA": "IT", "NETHERLANDS": "NL", "THE NETHERLANDS": "NL",
	"BELGIUM": "BE", "AUSTRIA": "AT", "SWITZERLAND": "CH", "SWEDEN": "SE", "NORWAY": "NO", "DENMARK": "DK", "FINLAND": "FI",
	"POLAND": "PL", "PORTUGAL": "PT", "MEXICO": "MX", "BRAZIL": "BR", "JAPAN": "JP", "CHINA": "CN", "HONG KONG": "HK",
	"SINGAPORE": "SG", "INDIA": "IN", "UNITED ARAB EMIRATES": "AE", "SOUTH AFRICA": "ZA", "ISRAEL": "IL", "SOUTH KOREA": "KR",
}

// countryCode returns the ISO code for s, which Validate has trimmed: a
// 2-letter code in any case, or a name from countryNames.
func countryCode(s string) (string, bool) {
	u := strings.ToUpper(s)
	if countries[u] {
		return u, true
	}
	code, ok := countryNames[strings.Join(strings.Fields(u), " ")]
	return code, ok
}

// IsCountry reports whether code is an ISO 3166-1 alpha-2 country code (upper
// case) that Validate accepts.
func IsCountry(code string) bool { return countries[code] }

// IsCurrency reports whether code is an ISO 4217 currency code (upper case)
// that Validate accepts.
func IsCurrency(code string) bool { return currencies[code] }

// NeedsPostalCode reports whether an address in the country (an upper-case
// ISO code) needs a postal code. It is false for countries without postal
// codes and those where it is optional: HK, AE, IE (Eircode), most of the
// Caribbean and much of Africa, among others.
func NeedsPostalCode(country string) bool { return !postalOptional[country] }
