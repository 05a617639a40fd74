package feedfile

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// checkGTIN reports what is wrong with a GTIN/UPC/EAN, or "" when it is a
// GTIN-8, UPC-A (12), EAN-13 or GTIN-14 with a correct GS1 check digit.
func checkGTIN(v string) string {
	if !allDigits(v) {
		return "is not a GTIN: use digits only"
	}
	switch len(v) {
	case 8, 12, 13, 14:
	case 11:
		return "has 11 digits: a UPC has 12 (a spreadsheet may have dropped a leading zero)"
	default:
		return fmt.Sprintf("has %d digits: a GTIN has 8, 12, 13 or 14", len(v))
	}
	sum := 0
	for i := 0; i < len(v)-1; i++ {
		d := int(v[len(v)-2-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	if want := (10 - sum%10) % 10; int(v[len(v)-1]-'0') != want {
		return fmt.Sprintf("has a wrong check digit (%c; the digits before it give %d): a digit may be mistyped", v[len(v)-1], want)
	}
	return ""
}

// setGTIN reads a GTIN cell: a value that is not a valid GTIN is reported
// on its row and left empty; the rest of the row is kept.
func setGTIN(b *build, col, v string) {
	if v == "" {
		return
	}
	if isScientific(v) {
		setCode(b, col, v, new(string))
		return
	}
	// Spaces and hyphens are how people group digits, not part of the code.
	d := v
	if !allDigits(d) {
		d = digitGroups.Replace(v)
	}
	if problem := checkGTIN(d); problem != "" {
		b.warn(col, fmt.Sprintf("%s %s %s", col, quote(v), problem))
		return
	}
	b.row.GTIN = d
}

// digitGroups drops the spaces and hyphens people group digits with.
var digitGroups = strings.NewReplacer(" ", "", "-", "")

// plainText turns an HTML description into safe text: tags are dropped,
// entities decoded, block elements and <br> become line breaks, and script
// and style content goes. Text with no markup comes back as it is.
func plainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	var out strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0 // inside script or style
	newline := func() {
		str := out.String()
		if out.Len() > 0 && !strings.HasSuffix(str, "\n\n") {
			out.WriteByte('\n')
		}
	}
	for {
		switch z.Next() {
		case html.ErrorToken:
			return tidyLines(out.String())
		case html.TextToken:
			if skip == 0 {
				out.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			start := z.Token().Type != html.EndTagToken
			switch tag {
			case "script", "style":
				if start {
					skip++
				} else if skip > 0 {
					skip--
				}
			case "br":
				out.WriteByte('\n')
			case "p", "div", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "section", "article", "blockquote":
				newline()
			case "li":
				if start {
					if out.Len() > 0 && !strings.HasSuffix(out.String(), "\n") {
						out.WriteByte('\n')
					}
					out.WriteString("• ")
				}
			case "td", "th":
				if start {
					out.WriteByte(' ')
				}
			}
		}
	}
}

// tidyLines collapses spaces within lines and keeps at most one blank line
// between paragraphs.
func tidyLines(s string) string {
	var out []string
	blank := 0
	for _, line := range strings.Split(s, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			blank++
			continue
		}
		if len(out) > 0 && blank > 0 {
			out = append(out, "")
		}
		blank = 0
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// maxBuiltSKU keeps built SKUs within the catalog's 100 characters.
const maxBuiltSKU = 90

// builtSKU makes a SKU for a Shopify variant that has none, from its
// handle and option values: "Classic Tee" Red / M → "classic-tee-red-m". The
// same product gives the same SKU on every read.
func builtSKU(handle string, values []string) string {
	parts := append([]string{handle}, values...)
	var b strings.Builder
	dash := false
	for _, p := range parts {
		for _, c := range strings.ToLower(p) {
			ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c > 127 && c != '\u00a0'
			if ok {
				if dash && b.Len() > 0 {
					b.WriteByte('-')
				}
				b.WriteRune(c)
				dash = false
			} else {
				dash = true
			}
		}
		dash = true
	}
	sku := b.String()
	if len(sku) > maxBuiltSKU {
		// Too long for a SKU: cut, with a hash of the whole to keep it
		// unique and the same on every read.
		sum := sha256.Sum256([]byte(sku))
		cut := strings.TrimRight(sku[:maxBuiltSKU-9], "-")
		for !utf8.ValidString(cut) {
			cut = cut[:len(cut)-1]
		}
		sku = cut + "-" + hex.EncodeToString(sum[:4])
	}
	return sku
}
