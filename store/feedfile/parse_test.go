package feedfile

import (
	"fmt"
	"slices"
	"testing"
)

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in       string
		cents    int64
		currency string
		problem  string
	}{
		{"19.99", 1999, "", ""},
		{"19.9", 1990, "", ""},
		{"19", 1900, "", ""},
		{"0", 0, "", ""},
		{"0.01", 1, "", ""},
		{".99", 99, "", ""},
		{"19.", 1900, "", ""},
		{"19.990", 1999, "", ""},
		{"19.99000", 1999, "", ""},
		{"1,299.00", 129900, "", ""},
		{"1,299,000.50", 129900050, "", ""},
		{"1.299,00", 129900, "", ""},
		{"1.299.000,5", 129900050, "", ""},
		{"12,345,678", 1234567800, "", ""},
		{"19,99", 1999, "", ""},
		{"19,9", 1990, "", ""},
		{"1 299,00", 129900, "", ""},
		{"1\u00a0299,00", 129900, "", ""},
		{"1'299.50", 129950, "", ""},
		{"$19.99", 1999, "", ""},
		{"19.99 $", 1999, "", ""},
		{"€12,50", 1250, "EUR", ""},
		{"12,50 €", 1250, "EUR", ""},
		{"£5", 500, "GBP", ""},
		{"15.00 USD", 1500, "USD", ""},
		{"105.29 USD", 10529, "USD", ""},
		{"USD 15.00", 1500, "USD", ""},
		{"15.00USD", 1500, "USD", ""},
		{"  7.5  ", 750, "", ""},
		{"-0", 0, "", ""},
		{"9999999999999.99", 999999999999999, "", ""},
		{"19.999", 0, "", "has more than 2 decimal places"},
		{"19.001", 0, "", "has more than 2 decimal places"},
		{"1.299", 0, "", "has more than 2 decimal places"},
		{"1,299", 0, "", "is ambiguous (thousands or decimals?): write it with a dot for decimals, e.g. 1299.00"},
		{"-5", 0, "", "is negative"},
		{"-5.00 USD", 0, "", "is negative"},
		{"$-5", 0, "", "is negative"},
		{"-$5", 0, "", "is negative"},
		{"abc", 0, "", "is not a number"},
		{"", 0, "", "is not a number"},
		{".", 0, "", "is not a number"},
		{"1e5", 0, "", "is not a number"},
		{"1.2.3", 0, "", "is not a number"},
		{"12,34,56", 0, "", "is not a number"},
		{"1,2345.00", 0, "", "is not a number"},
		{"1.299,00.5", 0, "", "is not a number"},
		{"+5", 0, "", "is not a number"},
		{"--5", 0, "", "is not a number"},
		{"(5.00)", 0, "", "is not a number"},
		{"15.00 dollars", 0, "", "is not a number"},
		{"€5 USD", 0, "", "mixes two currencies"},
		{"12345678901234", 0, "", "is too large"},
	}
	for _, tt := range tests {
		cents, cur, problem := parseMoney(tt.in)
		if cents != tt.cents || cur != tt.currency || problem != tt.problem {
			t.Errorf("parseMoney(%q) = %d, %q, %q; want %d, %q, %q", tt.in, cents, cur, problem, tt.cents, tt.currency, tt.problem)
		}
	}
}

// TestParseMoneyRoundTrip formats amounts the ways spreadsheets do and reads
// them back.
func TestParseMoneyRoundTrip(t *testing.T) {
	for _, cents := range []int64{0, 1, 9, 10, 99, 100, 1999, 100000, 129900, 123456789, 999999999999999} {
		whole, frac := cents/100, cents%100
		forms := []string{
			fmt.Sprintf("%d.%02d", whole, frac),
			fmt.Sprintf("%d,%02d", whole, frac),
			fmt.Sprintf("%s.%02d", group(whole, ','), frac),
			fmt.Sprintf("%s,%02d", group(whole, '.'), frac),
			fmt.Sprintf("$%d.%02d", whole, frac),
			fmt.Sprintf("%d.%02d EUR", whole, frac),
		}
		for _, s := range forms {
			got, _, problem := parseMoney(s)
			if got != cents || problem != "" {
				t.Errorf("parseMoney(%q) = %d, %q; want %d", s, got, problem, cents)
			}
		}
	}
}

// group writes n with a thousands separator.
func group(n int64, sep byte) string {
	s := fmt.Sprint(n)
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, sep)
		}
		out = append(out, s[i])
	}
	return string(out)
}

func TestParseCount(t *testing.T) {
	tests := []struct {
		in      string
		n       int
		problem string
	}{
		{"12", 12, ""},
		{"0", 0, ""},
		{"007", 7, ""},
		{"12.0", 12, ""},
		{"12.00", 12, ""},
		{"12.", 12, ""},
		{" 5 ", 5, ""},
		{"-0", 0, ""},
		{"999999999", 999999999, ""},
		{"1.5", 0, "is not a whole number"},
		{"1,5", 0, "is not a whole number"},
		{"1,000", 0, "is not a whole number"},
		{".5", 0, "is not a whole number"},
		{"abc", 0, "is not a number"},
		{"1e3", 0, "is not a number"},
		{"+3", 0, "is not a number"},
		{"-3", 0, "is negative"},
		{"-3.0", 0, "is negative"},
		{"-12345678901", 0, "is negative"},
		{"1000000000", 0, "is too large"},
	}
	for _, tt := range tests {
		n, problem := parseCount(tt.in)
		if n != tt.n || problem != tt.problem {
			t.Errorf("parseCount(%q) = %d, %q; want %d, %q", tt.in, n, problem, tt.n, tt.problem)
		}
	}
}

func TestParseAvailability(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"in stock", InStock, true},
		{"in_stock", InStock, true},
		{"In Stock", InStock, true},
		{"out of stock", OutOfStock, true},
		{"out_of_stock", OutOfStock, true},
		{"preorder", Preorder, true},
		{"pre-order", Preorder, true},
		{"backorder", Backorder, true},
		{"available for order", InStock, true},
		{"soon", "", false},
	}
	for _, tt := range tests {
		got, ok := parseAvailability(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseAvailability(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestIsScientific(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"3.65275E+11", true},
		{"4.6347E+11", true},
		{"1E+12", true},
		{"3,65275E+11", true},
		{"1.2e-5", true},
		{"365275101829", false},
		{"E123", false},
		{"DZ1437", false},
		{"12E", false},
		{"ABC-1E5", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := isScientific(tt.in); got != tt.want {
			t.Errorf("isScientific(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestSplitTags(t *testing.T) {
	tests := []struct {
		in, seps string
		want     []string
	}{
		{"a|b, c", "|,", []string{"a", "b", "c"}},
		{" a ,, b ", ",", []string{"a", "b"}},
		{"a|b", ",", []string{"a|b"}},
		{"  ", ",", nil},
		{",|,", "|,", nil},
	}
	for _, tt := range tests {
		if got := splitTags(tt.in, tt.seps); !slices.Equal(got, tt.want) {
			t.Errorf("splitTags(%q, %q) = %q, want %q", tt.in, tt.seps, got, tt.want)
		}
	}
}

func TestParseBool(t *testing.T) {
	for in, want := range map[string]bool{"true": true, "TRUE": true, "1": true, "yes": true, "Y": true, "false": false, "0": false, "No": false} {
		got, ok := parseBool(in)
		if !ok || got != want {
			t.Errorf("parseBool(%q) = %v, %v; want %v, true", in, got, ok, want)
		}
	}
	if _, ok := parseBool("maybe"); ok {
		t.Errorf("parseBool(%q) ok = true, want false", "maybe")
	}
}
