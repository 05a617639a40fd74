package orderfile

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of ReadCSV.
const (
	MaxCSVBytes = 50 << 20 // 50 MB
	MaxCSVRows  = 100_000  // data rows, not counting the header
)

// The columns of an orders CSV, as the template names them. Order-level
// columns come first (orderCols), then the line columns.
const (
	colPlacedAt = iota
	colChannel
	colCurrency
	colCustomerName
	colCustomerEmail
	colCustomerPhone
	colShipName
	colShipCompany
	colShipAddress1
	colShipAddress2
	colShipCity
	colShipRegion
	colShipPostalCode
	colShipCountry
	colShipPhone
	colNote
	orderCols // number of order-level columns
)

// The other columns.
const (
	colOrderNumber = orderCols + iota
	colSKU
	colTitle
	colQuantity
	colUnitPrice
	numCols
)

var columnNames = [numCols]string{
	colOrderNumber: "order_number", colPlacedAt: "placed_at", colChannel: "channel", colCurrency: "currency",
	colCustomerName: "customer_name", colCustomerEmail: "customer_email", colCustomerPhone: "customer_phone",
	colShipName: "ship_name", colShipCompany: "ship_company", colShipAddress1: "ship_address1", colShipAddress2: "ship_address2",
	colShipCity: "ship_city", colShipRegion: "ship_region", colShipPostalCode: "ship_postal_code", colShipCountry: "ship_country",
	colShipPhone: "ship_phone", colSKU: "sku", colTitle: "title", colQuantity: "quantity", colUnitPrice: "unit_price", colNote: "note",
}

// templateOrder is the column order of CSVTemplate.
var templateOrder = []int{
	colOrderNumber, colPlacedAt, colChannel, colCurrency, colCustomerName, colCustomerEmail, colCustomerPhone,
	colShipName, colShipCompany, colShipAddress1, colShipAddress2, colShipCity, colShipRegion, colShipPostalCode,
	colShipCountry, colShipPhone, colSKU, colTitle, colQuantity, colUnitPrice, colNote,
}

// validateColumns maps Validate's order-level keys to CSV columns.
var validateColumns = map[string]int{
	"channel": colChannel, "channel_order_id": colOrderNumber, "placed_at": colPlacedAt, "currency": colCurrency,
	"customer.name": colCustomerName, "customer.email": colCustomerEmail, "customer.phone": colCustomerPhone,
	"ship_to.name": colShipName, "ship_to.company": colShipCompany, "ship_to.address1": colShipAddress1,
	"ship_to.address2": colShipAddress2, "ship_to.city": colShipCity, "ship_to.region": colShipRegion,
	"ship_to.postal_code": colShipPostalCode, "ship_to.country": colShipCountry, "ship_to.phone": colShipPhone,
	"note": colNote, "sku": colSKU, "title": colTitle, "quantity": colQuantity, "unit_price": colUnitPrice,
}

// CSVTemplate returns an orders CSV to fill in: the header and two example
// orders, the first with two lines (one row per line). The SKUs are the demo
// supplier's, so the template imported on the demo shows Dropship orders; the
// first order's time has no zone (the account's), the second's has one.
func CSVTemplate() string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	header := make([]string, len(templateOrder))
	for i, c := range templateOrder {
		header[i] = columnNames[c]
	}
	_ = w.Write(header)
	for _, row := range [][]string{
		{"1001", "2025-03-14 09:30", "csv", "USD", "Ada Lovelace", "ada@example.com", "+1 555 0100", "Ada Lovelace", "", "12 Main Street", "Apt 4", "Springfield", "IL", "62701", "US", "+1 555 0100", "ACM-MUG", "Enamel camp mug", "2", "12.00", "Gift wrap please"},
		{"1001", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "ACM-STOVE", "Trailblaze camp stove", "1", "59.00", ""},
		{"1002", "2025-03-15T16:45:00+01:00", "csv", "EUR", "Grace Hopper", "grace@example.com", "", "Grace Hopper", "Navy Labs", "Hauptstraße 5", "", "Berlin", "", "10115", "DE", "", "ACM-TENT-2P", "Ridgeline 2-person tent", "1", "165.00", ""},
		{"1002", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "ACM-BAG-20", "Summit sleeping bag 20°F", "2", "109.00", ""},
	} {
		_ = w.Write(row)
	}
	w.Flush()
	return b.String()
}

// ReadCSV is ReadCSVIn with times without a zone in UTC.
func ReadCSV(r io.Reader) (orders []Order, rejected []Rejected, err error) {
	return ReadCSVIn(r, time.UTC)
}

// RowError is a problem with one row of an orders CSV. Message is plain
// English for an end user.
type RowError struct {
	Line    int    // the file's line where the row starts (the header is line 1)
	Column  string // the template's column name, e.g. "quantity"; "" for the whole row
	Message string
}

// Error formats the problem with its line and column.
func (e RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return fmt.Sprintf("line %d, %s: %s", e.Line, e.Column, e.Message)
}

// FileError is a problem with a whole orders CSV: ReadCSV read nothing from
// it. Message is plain English for an end user.
type FileError struct {
	Line    int // the line where the problem is; 0 for the file as a whole
	Message string
}

// Error returns the Message.
func (e *FileError) Error() string { return e.Message }

// Rejected is an order of an orders CSV that had row errors; none of it is
// imported.
type Rejected struct {
	ChannelOrderID string     // the order_number, "" for rows without one
	Lines          []int      // the file lines of the order's rows
	Errors         []RowError // sorted by line, then by column
}

// ReadCSV parses a whole orders CSV (at most MaxCSVBytes and MaxCSVRows data
// rows) into orders in first-seen order, with row errors; an order with any
// row error, including the messages of Order.Validate, is returned in
// Rejected (with its errors), not in Orders. Every returned order has passed
// Validate. err is a *FileError when the file cannot be read as orders at
// all (empty, not UTF-8, a required column missing, a single column, broken
// quoting, too large), or the error of r.
//
// The file is UTF-8 (a byte order mark is skipped) with ',', ';' (Excel in
// many locales) or tab between cells, detected from the header line; CRLF line
// ends and quoted cells are fine. Headers are matched ignoring case, spaces
// around them, and ' ' or '-' for '_' ("Order Number" is order_number);
// unknown columns are ignored. order_number, quantity and sku or title are
// required columns. One row per line; rows sharing an order_number form one
// order, in any order. An order-level cell (placed_at through note) may be
// left blank on an order's other rows; the first non-empty value counts, and
// a later row that gives a different value (ignoring case and spacing) is a
// row error. Blank rows are skipped. Rows without an order_number are
// returned together as one Rejected with ChannelOrderID "".
//
// Cells: channel defaults to "csv" and currency to "USD". placed_at is one of
// RFC 3339 ("2025-03-14T09:30:00Z", "2025-03-14T09:30:00-05:00"),
// "2025-03-14T09:30:00", "2025-03-14 09:30", "2025-03-14 09:30:05",
// "2025-03-14" or US
// month/day/year "03/14/2025" (or "3/14/2025", optionally with " 09:30");
// times without a zone are in loc (the merchant account's time zone; ReadCSV:
// UTC); a blank placed_at leaves PlacedAt zero.
// quantity is a whole number ("2", "2.0"). unit_price is an amount as
// ParseMoney reads it; in ';' files a decimal comma ("19,99", "1.299,50") is
// also accepted; blank means 0.
func ReadCSVIn(r io.Reader, loc *time.Location) (orders []Order, rejected []Rejected, err error) {
	lim := &limitReader{r: r, left: MaxCSVBytes}
	br := bufio.NewReaderSize(lim, 64<<10)
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")):
		_, _ = br.Discard(3)
	case bytes.HasPrefix(head, []byte("\xFF\xFE")), bytes.HasPrefix(head, []byte("\xFE\xFF")):
		return nil, nil, &FileError{Message: "The file is saved as UTF-16 text. Save it as \"CSV UTF-8\" and upload it again."}
	}
	delim := sniffDelimiter(br)

	cr := csv.NewReader(br)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true

	readErr := func(err error) error {
		var pe *csv.ParseError
		switch {
		case errors.Is(err, errTooLarge):
			return &FileError{Message: fmt.Sprintf("The file is larger than %d MB; split it into smaller files.", MaxCSVBytes>>20)}
		case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrQuote):
			return &FileError{Line: pe.StartLine, Message: fmt.Sprintf("Line %d: a quoted cell is not closed properly (a cell that starts with \" must end with \", and a \" inside it must be doubled).", pe.StartLine)}
		case errors.As(err, &pe):
			return &FileError{Line: pe.Line, Message: fmt.Sprintf("Line %d: a \" appears inside a cell that is not quoted; put the whole cell in quotes and double the \".", pe.Line)}
		}
		return fmt.Errorf("reading the orders file: %w", err)
	}

	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, &FileError{Message: "The file is empty."}
	}
	if err != nil {
		return nil, nil, readErr(err)
	}
	headerLine, _ := cr.FieldPos(0)
	for i, h := range header {
		if !utf8.ValidString(h) {
			line, _ := cr.FieldPos(i)
			return nil, nil, notUTF8(line)
		}
	}
	var idx [numCols]int
	for i := range idx {
		idx[i] = -1
	}
	for i, h := range header {
		name := normalizeHeader(h)
		c := slices.Index(columnNames[:], name)
		if c < 0 {
			continue
		}
		if idx[c] >= 0 {
			return nil, nil, &FileError{Line: headerLine, Message: fmt.Sprintf("The header has two %s columns; keep one.", name)}
		}
		idx[c] = i
	}
	if err := checkHeader(header, idx, delim, headerLine); err != nil {
		return nil, nil, err
	}
	nHeader := len(header)

	var (
		groups  []*group
		byID    = map[string]*group{}
		rows    int
		row     [numCols]string
		errLine = func(g *group, line int, col int, format string, args ...any) {
			name := ""
			if col >= 0 {
				name = columnNames[col]
			}
			g.errs = append(g.errs, RowError{Line: line, Column: name, Message: fmt.Sprintf(format, args...)})
		}
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, readErr(err)
		}
		line, _ := cr.FieldPos(0)
		blank := true
		for i, cell := range rec {
			if !utf8.ValidString(cell) {
				l, _ := cr.FieldPos(i)
				return nil, nil, notUTF8(l)
			}
			if strings.TrimSpace(cell) != "" {
				blank = false
			}
		}
		if blank {
			continue
		}
		if rows++; rows > MaxCSVRows {
			return nil, nil, &FileError{Line: line, Message: fmt.Sprintf("The file has more than %d rows; split it into smaller files.", MaxCSVRows)}
		}
		for c := range row {
			row[c] = ""
			if i := idx[c]; i >= 0 && i < len(rec) {
				row[c] = strings.TrimSpace(rec[i])
			}
		}

		id := oneLine(row[colOrderNumber]) // as Validate will normalise it
		g := byID[id]
		if g == nil {
			// Rows without an order number cannot be grouped: together they
			// form one rejected "order" with ChannelOrderID "".
			g = &group{}
			g.order.ChannelOrderID = strings.Clone(id)
			groups = append(groups, g)
			byID[g.order.ChannelOrderID] = g
		}
		if id == "" {
			errLine(g, line, colOrderNumber, "The order number is missing.")
		}
		g.rows = append(g.rows, line)

		for i := nHeader; i < len(rec); i++ {
			if strings.TrimSpace(rec[i]) != "" {
				errLine(g, line, -1, "This row has more cells than the header has columns; a value that contains %q must be in quotes.", string(delim))
				break
			}
		}

		// Order-level cells: the first non-empty value counts.
		for c := range orderCols {
			v := row[c]
			if v == "" || id == "" {
				continue
			}
			if g.set[c] == "" {
				if c == colPlacedAt {
					t, msg := parsePlacedAt(v, loc)
					if msg != "" {
						errLine(g, line, c, "%s", msg)
						continue
					}
					g.placedAt = t
				}
				g.set[c], g.setLine[c] = strings.Clone(v), line
				continue
			}
			if c == colPlacedAt {
				if _, msg := parsePlacedAt(v, loc); msg != "" {
					errLine(g, line, c, "%s", msg)
					continue
				}
			}
			if !sameValue(c, g.set[c], v, g.placedAt, loc) {
				errLine(g, line, c, "%s %q differs from %q on line %d for the same order number; an order's rows must agree (or leave the cell blank).",
					columnNames[c], clip(v), clip(g.set[c]), g.setLine[c])
			}
		}

		// Line cells.
		l := Line{SKU: strings.Clone(row[colSKU]), Title: strings.Clone(row[colTitle])}
		if q := row[colQuantity]; q == "" {
			errLine(g, line, colQuantity, "The quantity is missing.")
		} else if n, msg := parseQuantity(q); msg != "" {
			errLine(g, line, colQuantity, "%s", msg)
		} else {
			l.Quantity = n
		}
		if p := row[colUnitPrice]; p != "" {
			if delim == ';' {
				if q, ok := decimalCommaMoney(p); ok {
					p = q
				}
			}
			cents, err := ParseMoney(p)
			if err != nil {
				errLine(g, line, colUnitPrice, "unit_price %v.", err)
			} else {
				l.UnitPriceCents = cents
			}
		}
		if id != "" && len(g.order.Lines) <= MaxLines { // more are rejected anyway: keep memory bounded
			g.order.Lines = append(g.order.Lines, l)
		}
	}
	if rows == 0 {
		return nil, nil, &FileError{Message: "The file has a header but no orders."}
	}

	for _, g := range groups {
		o := &g.order
		s := &g.set
		o.PlacedAt = g.placedAt
		o.Channel = cmp.Or(s[colChannel], "csv")
		o.Currency = cmp.Or(s[colCurrency], "USD")
		o.Customer = Customer{Name: s[colCustomerName], Email: s[colCustomerEmail], Phone: s[colCustomerPhone]}
		o.ShipTo = Address{
			Name: s[colShipName], Company: s[colShipCompany], Address1: s[colShipAddress1], Address2: s[colShipAddress2],
			City: s[colShipCity], Region: s[colShipRegion], PostalCode: s[colShipPostalCode], Country: s[colShipCountry], Phone: s[colShipPhone],
		}
		o.Note = s[colNote]
		if o.ChannelOrderID != "" {
			errs := o.Validate()
			// In key order: the result (and a fuzzer's coverage) must not
			// depend on map iteration.
			for _, key := range slices.Sorted(maps.Keys(errs)) {
				msg := errs[key]
				line, col := g.rows[0], -1
				if i, field, ok := lineKey(key); ok {
					if i < len(g.rows) {
						line = g.rows[i]
					}
					col = validateColumns[field]
				} else if c, ok := validateColumns[key]; ok {
					col = c
					if c < orderCols && g.setLine[c] != 0 {
						line = g.setLine[c]
					}
				}
				errLine(g, line, col, "%s", msg)
			}
		}
		if len(g.errs) == 0 {
			orders = append(orders, *o)
			continue
		}
		rejected = append(rejected, Rejected{ChannelOrderID: o.ChannelOrderID, Lines: g.rows, Errors: sortErrors(g.errs)})
	}
	return orders, rejected, nil
}

// group is an order being read: the order, its rows' lines, and the
// order-level cells as first given. Its size does not depend on the number
// of columns.
type group struct {
	order    Order
	rows     []int
	set      [orderCols]string // first non-empty cell per order-level column
	setLine  [orderCols]int    // the line that gave it
	placedAt time.Time
	errs     []RowError
}

// sortErrors sorts by line, then by template column, and keeps the first
// message for each line and column (a cell that could not be read is not
// reported again by Validate); whole-row messages are all kept.
func sortErrors(errs []RowError) []RowError {
	colRank := func(name string) int {
		if name == "" {
			return -1
		}
		return slices.Index(templateOrder, slices.Index(columnNames[:], name))
	}
	slices.SortStableFunc(errs, func(a, b RowError) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(colRank(a.Column), colRank(b.Column)))
	})
	return slices.CompactFunc(errs, func(a, b RowError) bool {
		return a.Line == b.Line && a.Column == b.Column && (a.Column != "" || a.Message == b.Message)
	})
}

// lineKey splits a Validate key "lines[3].quantity" into 3 and "quantity".
func lineKey(key string) (int, string, bool) {
	rest, ok := strings.CutPrefix(key, "lines[")
	if !ok {
		return 0, "", false
	}
	num, field, ok := strings.Cut(rest, "].")
	if !ok {
		return 0, "", false
	}
	i, err := strconv.Atoi(num)
	return i, field, err == nil
}

// sameValue reports whether a later row's order-level cell agrees with the
// first one: the same text ignoring case and spacing, or the same instant.
func sameValue(col int, first, later string, firstTime time.Time, loc *time.Location) bool {
	if col == colPlacedAt {
		t, msg := parsePlacedAt(later, loc)
		return msg == "" && t.Equal(firstTime)
	}
	return strings.EqualFold(strings.Join(strings.Fields(first), " "), strings.Join(strings.Fields(later), " "))
}

var placedAtLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02 15:04:05",
	"2006-01-02",
	"1/2/2006",
	"1/2/2006 15:04",
	"1/2/2006 15:04:05",
}

var slashDate = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{4})`)

// parsePlacedAt reads a placed_at cell (see ReadCSVIn), a time without a
// zone in loc; msg explains a bad one.
func parsePlacedAt(s string, loc *time.Location) (time.Time, string) {
	for _, layout := range placedAtLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC(), ""
		}
	}
	if m := slashDate.FindStringSubmatch(s); m != nil {
		if day, _ := strconv.Atoi(m[1]); day > 12 {
			return time.Time{}, fmt.Sprintf("placed_at %q looks like day/month/year; write dates as year-month-day (%s-%s-%s) or month/day/year.",
				clip(s), m[3], pad2(m[2]), pad2(m[1]))
		}
	}
	return time.Time{}, fmt.Sprintf("placed_at %q is not a date; write it like 2025-03-14, 2025-03-14 09:30 or 03/14/2025.", clip(s))
}

func pad2(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return s
}

// parseQuantity reads a whole number of at least 1 ("2", "2.0").
func parseQuantity(s string) (int, string) {
	t := s
	if whole, frac, ok := strings.Cut(s, "."); ok && whole != "" && frac != "" && strings.Trim(frac, "0") == "" {
		t = whole
	}
	sign := strings.HasPrefix(t, "-")
	digits := strings.TrimPrefix(t, "-")
	if digits == "" || !allDigits(digits) {
		if whole, frac, ok := strings.Cut(strings.TrimPrefix(s, "-"), "."); ok && allDigits(whole) && allDigits(frac) && frac != "" {
			return 0, fmt.Sprintf("quantity %q must be a whole number.", clip(s))
		}
		return 0, fmt.Sprintf("quantity %q is not a number.", clip(s))
	}
	n, err := strconv.Atoi(digits)
	switch {
	case err != nil || n > MaxQuantity:
		return 0, fmt.Sprintf("quantity %q is too large (at most %d).", clip(s), MaxQuantity)
	case sign || n < 1:
		return 0, fmt.Sprintf("quantity %q must be at least 1.", clip(s))
	}
	return n, ""
}

// normalizeHeader maps "Order Number", " ORDER-NUMBER " and "order_number"
// to "order_number".
func normalizeHeader(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(h)
}

// checkHeader reports a header that is not an orders CSV.
func checkHeader(header []string, idx [numCols]int, delim rune, line int) error {
	nonEmpty := 0
	for _, h := range header {
		if strings.TrimSpace(h) != "" {
			nonEmpty++
		}
	}
	if nonEmpty == 0 {
		return &FileError{Line: line, Message: fmt.Sprintf("Line %d, the header row, is empty; the first row must name the columns (order_number, sku, quantity, …).", line)}
	}
	if len(header) == 1 {
		return &FileError{Line: line, Message: fmt.Sprintf("The header row has a single column (%q): the cells are probably separated by a character other than a comma or a semicolon. Save the file as CSV with commas or semicolons between cells.", clip(header[0]))}
	}
	found := func() string {
		var names []string
		for _, h := range header {
			if h = strings.TrimSpace(h); h != "" && len(names) < 8 {
				names = append(names, clip(h))
			}
		}
		s := strings.Join(names, ", ")
		if nonEmpty > len(names) {
			s += ", …"
		}
		return s
	}
	var missing string
	switch {
	case idx[colOrderNumber] < 0:
		missing = "No order_number column"
	case idx[colSKU] < 0 && idx[colTitle] < 0:
		missing = "No sku or title column"
	case idx[colQuantity] < 0:
		missing = "No quantity column"
	default:
		return nil
	}
	return &FileError{Line: line, Message: fmt.Sprintf("%s: the header row must name the template's columns (order_number, sku or title, quantity, …). It has: %s.", missing, found())}
}

func notUTF8(line int) error {
	return &FileError{Line: line, Message: fmt.Sprintf("Line %d is not UTF-8 text; save the file as \"CSV UTF-8\" and upload it again.", line)}
}

// sniffDelimiter picks ',', ';' or tab, whichever occurs most (outside
// quotes) on the first non-blank line; ',' when none does.
func sniffDelimiter(br *bufio.Reader) rune {
	head, _ := br.Peek(64 << 10)
	counts := map[byte]int{}
	inQuote, started := false, false
	for _, c := range head {
		if c == '"' {
			inQuote = !inQuote
		}
		if inQuote {
			continue
		}
		if c == '\n' || c == '\r' {
			if started {
				break
			}
			continue
		}
		started = true
		if c == ',' || c == ';' || c == '\t' {
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best)
}

var errTooLarge = errors.New("orderfile: file too large")

// limitReader reads at most left bytes and then fails with errTooLarge if
// there is more.
type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			return 0, errTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}
