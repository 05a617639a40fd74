package feedfile

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

type fileKind int

const (
	kindCSV fileKind = iota
	kindXML
)

// Detect sniffs the format and cell delimiter from the first few KB of a file
// (16 KB is plenty; the header line is what counts). For XML the delimiter is
// 0. A file whose columns match no known format gives a *FileError (errors.Is
// ErrNeedsMapping or ErrSingleColumn): the user should pick a Mapping, for
// which GuessMapping gives a start.
func Detect(head []byte) (Format, rune, error) {
	// The head may end in the middle of a character.
	for i := 0; i < utf8.UTFMax-1 && len(head) > 0 && !utf8.FullRune(head[lastRuneStart(head):]); i++ {
		head = head[:lastRuneStart(head)]
	}
	// The reader itself decides, so that Detect and NewReader always agree.
	r, err := NewReader(bytes.NewReader(head), Options{})
	if err != nil {
		_, delim, _ := sniff(head, 0)
		return "", delim, err
	}
	return r.Format(), r.Delimiter(), nil
}

// lastRuneStart is where the last (possibly incomplete) character of b starts.
func lastRuneStart(b []byte) int {
	i := len(b) - 1
	for i > 0 && len(b)-i < utf8.UTFMax && !utf8.RuneStart(b[i]) {
		i--
	}
	return i
}

// sniff checks the start of the file (empty, encoding) and picks the kind of
// file and the delimiter (delim when it is not 0).
func sniff(head []byte, delim rune) (fileKind, rune, *FileError) {
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return 0, 0, fileErr(1, ErrEncoding, "Line 1 is not valid UTF-8 text (it looks like UTF-16): save the file as UTF-8.")
	}
	head = bytes.TrimPrefix(head, utf8BOM)
	rest := bytes.TrimLeft(head, " \t\r\n")
	if len(rest) == 0 {
		return 0, 0, fileErr(0, ErrEmpty, "The file is empty.")
	}
	line, complete := firstLine(head)
	if !complete {
		// The head may end in the middle of a character.
		for i := 0; i < utf8.UTFMax-1 && len(line) > 0 && !utf8.Valid(line); i++ {
			line = line[:len(line)-1]
		}
	}
	if !utf8.Valid(line) {
		return 0, 0, fileErr(1, ErrEncoding, "Line 1 is not valid UTF-8 text: save the file as UTF-8.")
	}
	if bytes.IndexByte(line, 0) >= 0 {
		return 0, 0, fileErr(1, ErrEncoding, "Line 1 is not valid UTF-8 text (it looks like UTF-16): save the file as UTF-8.")
	}
	if rest[0] == '<' {
		return kindXML, 0, nil
	}
	if delim == 0 {
		if hl, _ := headerLine(head); len(hl) > 0 {
			line = hl
		}
		delim = pickDelimiter(line)
	}
	return kindCSV, delim, nil
}

// headerLine returns the line that holds the column headers: the first
// non-blank line, or the third for an Amazon template, whose first line
// starts "TemplateType=" and whose second holds labels for people. Blank
// lines are passed over, as the CSV reader does.
func headerLine(head []byte) (line []byte, complete bool) {
	line, complete = firstLine(head)
	if !complete || !isAmazonPreamble(string(line)) {
		return line, complete
	}
	rest := head
	for range 2 {
		l, ok := firstLine(rest)
		if !ok {
			return nil, false
		}
		start := len(rest) - len(bytes.TrimLeft(rest, "\r\n"))
		rest = rest[start+len(l):]
	}
	return firstLine(rest)
}

// isAmazonPreamble reports whether a first line (or its first cell) is an
// Amazon template's "TemplateType=fptcustom …".
func isAmazonPreamble(s string) bool {
	return strings.HasPrefix(strings.TrimPrefix(trimSpace(s), `"`), "TemplateType=")
}

func looksGoogleXML(head []byte) bool {
	return bytes.Contains(head, []byte("base.google.com/ns/1.0")) || bytes.Contains(head, []byte("<rss"))
}

// firstLine returns the first non-blank line of head, without its line end,
// treating line breaks inside double quotes as part of the line. complete is
// false when head ends before the line does.
func firstLine(head []byte) (line []byte, complete bool) {
	head = bytes.TrimLeft(head, "\r\n")
	quoted := false
	for i, c := range head {
		switch c {
		case '"':
			quoted = !quoted
		case '\n', '\r':
			if !quoted {
				return head[:i], true
			}
		}
	}
	return head, false
}

// pickDelimiter returns the candidate found most often outside quotes in the
// header line; ties go to the earlier candidate, and none found means ','.
func pickDelimiter(line []byte) rune {
	candidates := [...]byte{',', '\t', ';', '|'}
	var counts [len(candidates)]int
	quoted := false
	for _, c := range line {
		if c == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		for i, d := range candidates {
			if c == d {
				counts[i]++
			}
		}
	}
	best := 0
	for i := range candidates {
		if counts[i] > counts[best] {
			best = i
		}
	}
	return rune(candidates[best])
}

// normHeader lower-cases and trims a header cell.
func normHeader(h string) string { return strings.ToLower(strings.TrimSpace(h)) }

// classify names the format whose columns header has, or "" for none.
func classify(header []string) Format {
	set := make(map[string]bool, len(header))
	for _, h := range header {
		n := normHeader(h)
		set[n] = true
		set[strings.TrimPrefix(n, "g:")] = true
	}
	has := func(names ...string) bool {
		for _, n := range names {
			if set[n] {
				return true
			}
		}
		return false
	}
	switch {
	case has("handle") && has("variant sku", "variant price", "option1 name", "title"):
		return FormatShopify
	case has("regular price") || has("sku") && has("type") && has("published"):
		return FormatWooCommerce
	// Google's id is the product's SKU: a file that also has a sku column
	// is some other export.
	case has("id") && !has("sku") && has("availability", "link", "image_link", "item_group_id", "gtin", "condition", "google_product_category", "brand"):
		return FormatGoogleTSV
	case has("sku") && has("product_type") && has("name") && has("qty") &&
		has("attribute_set_code", "configurable_variations", "additional_attributes", "store_view_code"):
		return FormatMagento
	case has("item type") && has("product code/sku") && has("product name"):
		return FormatBigCommerce
	case has("item_sku") && has("feed_product_type", "parent_child", "external_product_id_type"):
		return FormatAmazonTemplate
	case has("seller-sku") && has("item-name"):
		return FormatAmazonListings
	case has("sku") && has("price") && has("quantity") &&
		has("handling-time", "minimum-seller-allowed-price", "maximum-seller-allowed-price", "fulfillment-channel"):
		return FormatAmazonPriceQuantity
	}
	if isDroplineHeader(header) {
		return FormatDropline
	}
	return ""
}

// isDroplineHeader reports whether header is Dropline's own: a sku column
// and every other non-blank column one of Dropline's fields. A file that
// merely has a sku column among others is some other export, and goes to
// the column mapping rather than losing the columns Dropline does not know.
func isDroplineHeader(header []string) bool {
	known := make(map[string]bool, nFields)
	for _, n := range fieldNames {
		known[n] = true
	}
	sku := false
	for _, h := range header {
		k := droplineKey(h)
		switch {
		case k == "":
		case !known[k]:
			return false
		case k == "sku":
			sku = true
		}
	}
	return sku
}

// unknownHeader explains why the file needs a column mapping.
func unknownHeader(header []string, delim rune) *FileError {
	if len(header) == 1 {
		return singleColumn(delim)
	}
	return fileErr(1, ErrNeedsMapping, "Dropline does not recognise these columns as one of the formats it reads (found: %s): say which column holds what.", foundList(header))
}

func singleColumn(delim rune) *FileError {
	name := map[rune]string{',': "commas", ';': "semicolons", '\t': "tabs", '|': "vertical bars (|)"}[delim]
	return fileErr(1, ErrSingleColumn, "Only one column was found: is the file separated by something other than %s?", name)
}

// foundList lists headers for a message, shortened when there are many.
func foundList(header []string) string {
	const max = 12
	var parts []string
	for i, h := range header {
		if i == max {
			parts = append(parts, fmt.Sprintf("… %d more", len(header)-max))
			break
		}
		h = strings.TrimSpace(h)
		if h == "" {
			h = "(blank)"
		}
		if utf8.RuneCountInString(h) > 40 {
			h = string([]rune(h)[:40]) + "…"
		}
		parts = append(parts, h)
	}
	return strings.Join(parts, ", ")
}

func skipBOM(br *bufio.Reader) {
	if b, _ := br.Peek(3); bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(3)
	}
}

// newCSV skips a BOM, turns old Mac line ends (CR only) into LF, and sets up
// the CSV reader.
func newCSV(br *bufio.Reader, head []byte, delim rune) *csv.Reader {
	skipBOM(br)
	var src io.Reader = br
	if bytes.IndexByte(head, '\n') < 0 && bytes.IndexByte(head, '\r') >= 0 {
		src = crReader{br}
	}
	cr := csv.NewReader(src)
	cr.Comma = delim
	cr.LazyQuotes = false
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return cr
}

// crReader turns every CR into LF, for files whose lines end in CR alone.
type crReader struct{ r io.Reader }

func (c crReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i := range p[:n] {
		if p[i] == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}
