package orderfile

import (
	"errors"
	"fmt"
	"strings"
)

// maxMoneyDigits bounds the whole part of an amount (under 10^13 units), so
// cents always fit an int64.
const maxMoneyDigits = 13

// ParseMoney reads a non-negative decimal amount such as "19.99", "19.9",
// "25" or "1,299.00" into cents, exactly: money never passes through a float.
// Commas may only group thousands (groups of 3 digits); the decimal point is
// '.'. More than 2 decimals are refused unless the extra ones are zeros
// ("1.230" is 123 cents, "1.234" an error). Negative amounts, signs, currency
// symbols, an empty string and ".5" or "5." are errors; the error text quotes
// the value, e.g. `"-1" is negative`.
func ParseMoney(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, errors.New("amount is empty")
	}
	if strings.HasPrefix(t, "-") {
		return 0, fmt.Errorf("%q is negative", clip(t))
	}
	notAmount := fmt.Errorf("%q is not an amount", clip(t))
	whole, frac, hasDot := strings.Cut(t, ".")
	if whole == "" || (hasDot && frac == "") || !allDigits(frac) {
		return 0, notAmount
	}
	if strings.Contains(whole, ",") {
		groups := strings.Split(whole, ",")
		for i, g := range groups {
			if !allDigits(g) || len(g) > 3 || len(g) == 0 || (i > 0 && len(g) != 3) {
				return 0, notAmount
			}
		}
		whole = strings.Join(groups, "")
	}
	if !allDigits(whole) {
		return 0, notAmount
	}
	if len(frac) > 2 {
		if strings.Trim(frac[2:], "0") != "" {
			return 0, fmt.Errorf("%q has more than 2 decimal places", clip(t))
		}
		frac = frac[:2]
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > maxMoneyDigits {
		return 0, fmt.Errorf("%q is too large", clip(t))
	}
	var cents int64
	for i := 0; i < len(whole); i++ {
		cents = cents*10 + int64(whole[i]-'0')
	}
	cents *= 100
	if len(frac) > 0 {
		cents += int64(frac[0]-'0') * 10
	}
	if len(frac) > 1 {
		cents += int64(frac[1] - '0')
	}
	return cents, nil
}

// allDigits reports whether s holds only ASCII digits ("" does).
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// decimalCommaMoney rewrites a European amount such as "19,99" or
// "1.299,5" as "19.99" or "1,299.5" so ParseMoney reads it; ok is false when
// s does not end in a decimal comma followed by 1 or 2 digits.
func decimalCommaMoney(s string) (string, bool) {
	t := strings.TrimSpace(s)
	i := strings.LastIndexByte(t, ',')
	if i < 0 || strings.IndexByte(t[i:], '.') >= 0 {
		return "", false
	}
	frac := t[i+1:]
	if len(frac) < 1 || len(frac) > 2 || !allDigits(frac) {
		return "", false
	}
	whole := t[:i]
	if strings.Contains(whole, ",") {
		return "", false
	}
	return strings.ReplaceAll(whole, ".", ",") + "." + frac, true
}
