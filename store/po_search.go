package store

import "strings"

// poNumberDigits is the SQL for a PO number's trailing digits without
// leading zeros ("PO-000120" → "120"), as migration 0020 indexes it: the
// text must stay the same for SQLite to use the index.
func poNumberDigits(col string) string {
	return "ltrim(substr(" + col + ", length(rtrim(" + col + ", '0123456789')) + 1), '0')"
}

// poNumberMatch is the condition and arguments matching the PO numbers in
// col that a search for q means: the same number in any case, or, when q is
// all digits, every number ending in those digits whatever its prefix and
// leading zeros. Both read the number-key indexes of migration 0020.
func poNumberMatch(col, q string) (string, []any) {
	q = strings.TrimSpace(q)
	digits := trailingDigits(q)
	if digits == q && strings.TrimLeft(digits, "0") != "" {
		return poNumberDigits(col) + " = ?", []any{strings.TrimLeft(digits, "0")}
	}
	return "(" + poNumberDigits(col) + " = ? AND lower(" + col + ") = ?)", []any{strings.TrimLeft(digits, "0"), asciiLower(q)}
}

// trailingDigits is the run of ASCII digits that ends s.
func trailingDigits(s string) string {
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	return s[i:]
}

// asciiLower lower-cases A-Z only, as SQLite's lower() does.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
