package feedfile

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Dropline field numbers, in display order.
const (
	fSKU = iota
	fTitle
	fOptions
	fGTIN
	fMPN
	fCost
	fPrice
	fQuantity
	fLeadTime
	fURL
	fImageURL
	fDescription
	fTags
	fActive
	nFields
)

var fieldNames = [nFields]string{
	"sku", "title", "options", "gtin", "mpn", "cost", "price", "quantity",
	"lead_time_days", "url", "image_url", "description", "tags", "active",
}

// Fields returns the Dropline field names a Mapping may use, in display order.
// They are also the columns of Dropline's own CSV format.
func Fields() []string { return append([]string(nil), fieldNames[:]...) }

// droplineKey normalises a header for Dropline's format: lower case, spaces
// and hyphens as underscores.
func droplineKey(h string) string {
	return strings.NewReplacer(" ", "_", "-", "_").Replace(normHeader(h))
}

// cols holds column indexes (-1 when absent) for the file's format.
type cols struct {
	f [nFields]int

	// Google
	avail, group int
	variant      [4]int // color, size, material, pattern

	// Shopify
	handle, status, published, variantImage int
	optName, optVal                         [3]int

	// WooCommerce
	typ, stock, parent, id, shortDesc, salePrice int
	attrName, attrVal                            []int

	mag magentoCols
	bc  bigCommerceCols
	amz amazonCols
}

var googleVariantNames = [4]string{"Color", "Size", "Material", "Pattern"}

func (c *cols) all() []int {
	out := append([]int(nil), c.f[:]...)
	out = append(out, c.avail, c.group, c.handle, c.status, c.published, c.variantImage,
		c.typ, c.stock, c.parent, c.id, c.shortDesc, c.salePrice)
	out = append(out, c.variant[:]...)
	out = append(out, c.optName[:]...)
	out = append(out, c.optVal[:]...)
	out = append(out, c.attrName...)
	out = append(out, c.mag.all()...)
	out = append(out, c.bc.all()...)
	out = append(out, c.amz.all()...)
	return append(out, c.attrVal...)
}

func (r *Reader) readHeader() error {
	rec, err := r.cr.Read()
	if err == nil && isAmazonPreamble(rec[0]) {
		// An Amazon template: line 2 holds labels, line 3 the header.
		for range 2 {
			r.countBreaks(rec)
			if rec, err = r.cr.Read(); err != nil {
				break
			}
		}
		if err == io.EOF {
			return fileErr(0, ErrEmpty, "The file holds only the first lines of an Amazon template: the third line, with its column names, and the products are missing.")
		}
	}
	if err == io.EOF {
		return fileErr(0, ErrEmpty, "The file is empty.")
	}
	if err != nil {
		return r.csvError(err)
	}
	line, _ := r.cr.FieldPos(0)
	r.header = make([]string, len(rec))
	for i, h := range rec {
		if !utf8.ValidString(h) {
			return notUTF8(line)
		}
		r.extra += strings.Count(h, "\n")
		r.header[i] = trimSpace(h)
	}
	return nil
}

// countBreaks counts the line breaks inside the cells of a record that is
// not otherwise read, so later rows keep their spreadsheet numbers.
func (r *Reader) countBreaks(rec []string) {
	for _, v := range rec {
		r.extra += strings.Count(v, "\n")
	}
}

func notUTF8(line int) *FileError {
	return fileErr(line, ErrEncoding, "Line %d is not valid UTF-8 text: save the file as UTF-8.", line)
}

// csvError turns an error from the CSV reader into a *FileError when it is
// about the file's content.
func (r *Reader) csvError(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return err
	}
	line := pe.StartLine - r.extra
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return fileErr(line, ErrMalformed, `Line %d has a stray quote mark ("): a cell with quote marks must start and end with one, and quote marks inside it must be doubled ("").`, line)
	case errors.Is(pe.Err, csv.ErrQuote):
		return fileErr(line, ErrMalformed, `Line %d has a quoted cell that is not closed properly: check its quote marks (").`, line)
	}
	return fileErr(line, ErrMalformed, "Line %d could not be read: %v.", line, pe.Err)
}

// headerIndex maps normalised headers to their first column.
func headerIndex(header []string, norm func(string) string) map[string]int {
	idx := make(map[string]int, len(header))
	for i, h := range header {
		k := norm(h)
		if _, dup := idx[k]; !dup && k != "" {
			idx[k] = i
		}
	}
	return idx
}

// resolve finds the columns the format uses.
func (r *Reader) resolve(m Mapping) error {
	c := &r.cols
	for i := range c.f {
		c.f[i] = -1
	}
	c.avail, c.group, c.handle, c.status, c.published, c.variantImage = -1, -1, -1, -1, -1, -1
	c.typ, c.stock, c.parent, c.id, c.shortDesc, c.salePrice = -1, -1, -1, -1, -1, -1
	for i := range c.variant {
		c.variant[i] = -1
	}
	for i := range c.optName {
		c.optName[i], c.optVal[i] = -1, -1
	}
	c.mag.reset()
	c.bc.reset()
	c.amz.reset()
	if r.format == "" {
		return unknownHeader(r.header, r.delim)
	}
	var want string // the SKU column's name, for messages
	switch r.format {
	case FormatDropline:
		want = "sku"
		for i, h := range r.header {
			k := droplineKey(h)
			for f, name := range fieldNames {
				if k != name {
					continue
				}
				if c.f[f] >= 0 {
					return fileErr(1, ErrDuplicateColumn, "The column %s appears twice (columns %d and %d).", name, c.f[f]+1, i+1)
				}
				c.f[f] = i
			}
		}
	case FormatMapped:
		if err := r.resolveMapping(m); err != nil {
			return err
		}
	case FormatShopify:
		want = "Variant SKU"
		idx := headerIndex(r.header, normHeader)
		get := func(n string) int { return lookup(idx, n) }
		c.f[fSKU] = get("variant sku")
		c.f[fTitle] = get("title")
		c.f[fDescription] = get("body (html)")
		c.f[fTags] = get("tags")
		c.f[fPrice] = get("variant price")
		c.f[fCost] = get("cost per item")
		c.f[fQuantity] = get("variant inventory qty")
		c.f[fGTIN] = get("variant barcode")
		c.f[fMPN] = get("google shopping / mpn")
		c.handle, c.status, c.published = get("handle"), get("status"), get("published")
		c.f[fImageURL], c.variantImage = get("image src"), get("variant image")
		for i := range c.optName {
			c.optName[i] = get(fmt.Sprintf("option%d name", i+1))
			c.optVal[i] = get(fmt.Sprintf("option%d value", i+1))
		}
	case FormatGoogleTSV:
		want = "id"
		idx := headerIndex(r.header, func(h string) string { return strings.TrimPrefix(normHeader(h), "g:") })
		get := func(n string) int { return lookup(idx, n) }
		c.f[fSKU], c.f[fTitle], c.f[fDescription] = get("id"), get("title"), get("description")
		c.f[fURL], c.f[fImageURL] = get("link"), get("image_link")
		c.f[fPrice], c.f[fCost], c.f[fQuantity] = get("price"), get("cost_of_goods_sold"), get("quantity")
		c.f[fGTIN], c.f[fMPN] = get("gtin"), get("mpn")
		c.avail, c.group, c.salePrice = get("availability"), get("item_group_id"), get("sale_price")
		for i, n := range googleVariantNames {
			c.variant[i] = get(strings.ToLower(n))
		}
	case FormatWooCommerce:
		want = "SKU"
		idx := headerIndex(r.header, normHeader)
		get := func(n ...string) int { return lookup(idx, n...) }
		c.f[fSKU], c.f[fTitle] = get("sku"), get("name")
		c.f[fDescription], c.shortDesc = get("description"), get("short description")
		c.f[fPrice], c.salePrice, c.f[fCost] = get("regular price"), get("sale price"), get("meta: _wc_cog_cost")
		c.f[fQuantity], c.stock = get("stock"), get("in stock?")
		c.f[fActive], c.f[fImageURL], c.f[fTags] = get("published"), get("images"), get("tags")
		c.f[fGTIN] = get("gtin, upc, ean, or isbn", "gtin", "ean", "upc", "barcode")
		c.f[fMPN] = get("mpn")
		c.typ, c.parent, c.id = get("type"), get("parent"), get("id")
		for n := 1; ; n++ {
			name := get(fmt.Sprintf("attribute %d name", n))
			val := get(fmt.Sprintf("attribute %d value(s)", n))
			if name < 0 && val < 0 {
				break
			}
			c.attrName, c.attrVal = append(c.attrName, name), append(c.attrVal, val)
		}
	case FormatMagento:
		want = "sku"
		r.resolveMagento()
	case FormatBigCommerce:
		want = "Product Code/SKU"
		r.resolveBigCommerce()
	case FormatAmazonTemplate, FormatAmazonListings, FormatAmazonPriceQuantity:
		want = r.resolveAmazon()
	}
	if c.f[fSKU] < 0 {
		if len(r.header) == 1 {
			return singleColumn(r.delim)
		}
		return fileErr(1, ErrNoSKUColumn, "No SKU column: expected %s (found: %s).", want, foundList(r.header))
	}
	used := make([]bool, len(r.header))
	for _, i := range c.all() {
		if i >= 0 {
			used[i] = true
		}
	}
	for i, h := range r.header {
		if !used[i] {
			r.ignored = append(r.ignored, h)
		}
	}
	return nil
}

func lookup(idx map[string]int, names ...string) int {
	for _, n := range names {
		if i, ok := idx[n]; ok {
			return i
		}
	}
	return -1
}

func (r *Reader) resolveMapping(m Mapping) error {
	idx := headerIndex(r.header, normHeader)
	known := make(map[string]int, nFields)
	for f, n := range fieldNames {
		known[n] = f
	}
	if _, ok := m["sku"]; !ok {
		if len(r.header) == 1 {
			return singleColumn(r.delim)
		}
		return fileErr(0, ErrMapping, "The column mapping must say which column holds the SKU.")
	}
	for field, col := range m {
		f, ok := known[normHeader(field)]
		if !ok {
			return fileErr(0, ErrMapping, "The column mapping uses %q, which is not a Dropline field (%s).", field, strings.Join(fieldNames[:], ", "))
		}
		i, ok := idx[normHeader(col)]
		if !ok || normHeader(col) == "" {
			if len(r.header) == 1 {
				return singleColumn(r.delim)
			}
			return fileErr(1, ErrMapping, "The column %q chosen for %s is not in the file (found: %s).", col, fieldNames[f], foundList(r.header))
		}
		r.cols.f[f] = i
	}
	return nil
}

func (r *Reader) colName(i int) string {
	if i < 0 || i >= len(r.header) {
		return ""
	}
	return r.header[i]
}

// cell returns the trimmed cell i of rec, "" when absent.
func cell(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return trimSpace(rec[i])
}

// nextCSV reads one record into b; ok is false for rows skipped silently.
func (r *Reader) nextCSV(b *build) (ok bool, err error) {
	rec, err := r.cr.Read()
	if err != nil {
		if err == io.EOF {
			return false, io.EOF
		}
		return false, r.csvError(err)
	}
	line, _ := r.cr.FieldPos(0)
	lastLine, _ := r.cr.FieldPos(len(rec) - 1)
	line -= r.extra
	b.row.Line = line
	// Line breaks inside cells: those before the last cell show in its
	// position; only the last cell needs counting.
	r.extra += lastLine - (line + r.extra) + strings.Count(rec[len(rec)-1], "\n")
	blank := true
	for _, v := range rec {
		if !utf8.ValidString(v) {
			return false, notUTF8(line)
		}
		if blank && trimSpace(v) != "" {
			blank = false
		}
	}
	if blank {
		return false, nil
	}
	if len(rec) > len(r.header) {
		for _, v := range rec[len(r.header):] {
			if trimSpace(v) != "" {
				d := string(r.delim)
				if r.delim == '\t' {
					d = "tab"
				}
				b.fail("", fmt.Sprintf("this row has %d cells but the header has %d columns: a value may contain an unquoted %q", len(rec), len(r.header), d))
				return true, nil
			}
		}
	}
	switch r.format {
	case FormatShopify:
		return r.fillShopify(b, rec), nil
	case FormatGoogleTSV:
		r.fillGoogleTSV(b, rec)
	case FormatWooCommerce:
		return r.fillWoo(b, rec), nil
	case FormatMagento:
		return r.fillMagento(b, rec), nil
	case FormatBigCommerce:
		return r.fillBigCommerce(b, rec), nil
	case FormatAmazonTemplate, FormatAmazonListings, FormatAmazonPriceQuantity:
		return r.fillAmazon(b, rec), nil
	default:
		r.fillDropline(b, rec)
	}
	return true, nil
}

// fillCommon sets the fields every CSV format reads the same way.
func (r *Reader) fillCommon(b *build, rec []string) {
	c := &r.cols
	b.row.URL = cell(rec, c.f[fURL])
	setGTIN(b, r.colName(c.f[fGTIN]), cell(rec, c.f[fGTIN]))
	r.code(b, rec, c.f[fMPN], &b.row.MPN)
	r.money(b, rec, c.f[fPrice], &b.row.PriceCents, &b.row.HasPrice)
	r.money(b, rec, c.f[fCost], &b.row.CostCents, &b.row.HasCost)
	setQuantity(b, r.colName(c.f[fQuantity]), cell(rec, c.f[fQuantity]))
	r.count(b, rec, c.f[fLeadTime], &b.row.LeadTimeDays, &b.row.HasLeadTime)
}

// code reads a GTIN or MPN, flagging values a spreadsheet turned into
// scientific notation (the text is kept; the row stays usable).
func (r *Reader) code(b *build, rec []string, i int, dst *string) {
	setCode(b, r.colName(i), cell(rec, i), dst)
}

func setCode(b *build, col, v string, dst *string) {
	*dst = v
	if v != "" && isScientific(v) {
		b.warn(col, fmt.Sprintf("%s %s was mangled by a spreadsheet (scientific notation) and has lost digits: format the column as text and export it again", col, quote(v)))
	}
}

func (r *Reader) money(b *build, rec []string, i int, dst *int64, has *bool) {
	v := cell(rec, i)
	if v == "" {
		return
	}
	col := r.colName(i)
	setMoney(b, col, v, dst, has)
}

func setMoney(b *build, col, v string, dst *int64, has *bool) {
	cents, cur, problem := parseMoney(v)
	if problem != "" {
		b.warn(col, fmt.Sprintf("%s %s %s", col, quote(v), problem))
		return
	}
	if cur != "" {
		if b.row.Currency != "" && b.row.Currency != cur {
			b.warn(col, fmt.Sprintf("%s %s is in %s, not %s like the price", col, quote(v), cur, b.row.Currency))
			return
		}
		b.row.Currency = cur
	}
	*dst, *has = cents, true
}

func (r *Reader) count(b *build, rec []string, i int, dst *int, has *bool) {
	v := cell(rec, i)
	if v == "" {
		return
	}
	setCount(b, r.colName(i), v, dst, has)
}

func setCount(b *build, col, v string, dst *int, has *bool) {
	n, problem := parseCount(v)
	if problem != "" {
		b.warn(col, fmt.Sprintf("%s %s %s", col, quote(v), problem))
		return
	}
	*dst, *has = n, true
}

// setQuantity reads a quantity cell by parseQuantity's rule; a cell with an
// availability word sets Availability (when the file did not already say).
func setQuantity(b *build, col, v string) {
	if v == "" {
		return
	}
	n, avail, problem := parseQuantity(v)
	switch {
	case problem != "":
		b.warn(col, fmt.Sprintf("%s %s %s", col, quote(v), problem))
	case avail != "":
		if b.row.Availability == "" {
			b.row.Availability = avail
		}
	default:
		b.row.Quantity, b.row.HasQuantity = n, true
	}
}

// fillDropline reads Dropline's format and mapped files.
func (r *Reader) fillDropline(b *build, rec []string) {
	c := &r.cols
	b.row.SKU = cell(rec, c.f[fSKU])
	if b.row.SKU == "" {
		b.fail(r.colName(c.f[fSKU]), "this row has no SKU")
		return
	}
	b.row.Title = cell(rec, c.f[fTitle])
	b.row.Options = cell(rec, c.f[fOptions])
	b.row.ImageURL = cell(rec, c.f[fImageURL])
	b.row.Description = cell(rec, c.f[fDescription])
	b.row.Tags = splitTags(cell(rec, c.f[fTags]), "|,")
	r.fillCommon(b, rec)
	r.yesNoActive(b, rec, "one of true, false, yes, no, 1, 0")
}

// yesNoActive reads a yes/no active column (true unless it says otherwise);
// accepted names its values for the message about any other.
func (r *Reader) yesNoActive(b *build, rec []string, accepted string) {
	b.row.Active = true
	v := cell(rec, r.cols.f[fActive])
	if v == "" {
		return
	}
	if a, ok := parseBool(v); ok {
		b.row.Active, b.row.HasActive = a, true
		return
	}
	col := r.colName(r.cols.f[fActive])
	b.warn(col, fmt.Sprintf("%s %s is not %s", col, quote(v), accepted))
}

func (r *Reader) fillGoogleTSV(b *build, rec []string) {
	c := &r.cols
	b.row.SKU = cell(rec, c.f[fSKU])
	if b.row.SKU == "" {
		b.fail(r.colName(c.f[fSKU]), "this row has no id")
		return
	}
	b.row.Title = cell(rec, c.f[fTitle])
	b.row.Description = cell(rec, c.f[fDescription])
	b.row.ImageURL = cell(rec, c.f[fImageURL])
	r.fillCommon(b, rec)
	b.row.Active = true
	setAvailability(b, r.colName(c.avail), cell(rec, c.avail))
	r.salePrice(b, rec)
	if b.row.GroupKey = cell(rec, c.group); b.row.GroupKey != "" {
		var vals [4]string
		for i, ci := range c.variant {
			vals[i] = cell(rec, ci)
		}
		b.row.Options = joinOptions(googleVariantNames[:], vals[:])
	}
}

// salePrice reads the format's sale price column, if it has one.
func (r *Reader) salePrice(b *build, rec []string) {
	if v := cell(rec, r.cols.salePrice); v != "" {
		setMoney(b, r.colName(r.cols.salePrice), v, &b.row.SalePriceCents, &b.row.HasSalePrice)
	}
}

func setAvailability(b *build, col, v string) {
	if v == "" {
		return
	}
	a, ok := parseAvailability(v)
	if !ok {
		b.warn(col, fmt.Sprintf("%s %s is not one of in stock, out of stock, preorder, backorder", col, quote(v)))
		return
	}
	b.row.Availability = a
}

// joinOptions renders option names and values as "Color: Red / Size: M",
// leaving out empty values.
func joinOptions(names, vals []string) string {
	var sb strings.Builder
	for i, v := range vals {
		if v == "" {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteString(" / ")
		}
		if names[i] != "" {
			sb.WriteString(names[i])
			sb.WriteString(": ")
		}
		sb.WriteString(v)
	}
	return sb.String()
}

// shopifyState carries a product's first row over to its later rows.
type shopifyState struct {
	started      bool
	handle       string
	title, body  string
	tags         []string
	optNames     [3]string
	image        string
	active       bool
	hasActive    bool
	statusErr    *RowError // reported on the product's first emitted variant
	statusErrDue bool
}

func (r *Reader) fillShopify(b *build, rec []string) bool {
	c := &r.cols
	s := &r.shop
	h := cell(rec, c.handle)
	if !s.started || h != s.handle || c.handle < 0 {
		*s = shopifyState{started: true, handle: h, active: true}
		s.title = cell(rec, c.f[fTitle])
		s.body = cell(rec, c.f[fDescription])
		s.tags = splitTags(cell(rec, c.f[fTags]), ",")
		for i := range s.optNames {
			s.optNames[i] = cell(rec, c.optName[i])
		}
		if v := cell(rec, c.status); c.status >= 0 && v != "" {
			switch strings.ToLower(v) {
			case "active":
				s.active, s.hasActive = true, true
			case "draft", "archived":
				s.active, s.hasActive = false, true
			default:
				col := r.colName(c.status)
				s.statusErr = &RowError{Column: col, Message: fmt.Sprintf("%s %s is not active, draft or archived", col, quote(v))}
				s.statusErrDue = true
			}
		} else if v := cell(rec, c.published); c.status < 0 && v != "" {
			if a, ok := parseBool(v); ok {
				s.active, s.hasActive = a, true
			} else {
				col := r.colName(c.published)
				s.statusErr = &RowError{Column: col, Message: fmt.Sprintf("%s %s is not TRUE or FALSE", col, quote(v))}
				s.statusErrDue = true
			}
		}
	}
	if s.image == "" {
		s.image = cell(rec, c.f[fImageURL])
	}
	var vals [3]string
	for i := range vals {
		vals[i] = cell(rec, c.optVal[i])
		if s.optNames[i] == "Title" && vals[i] == "Default Title" {
			vals[i] = ""
		}
	}
	b.row.SKU = cell(rec, c.f[fSKU])
	if b.row.SKU == "" {
		if cell(rec, c.f[fPrice]) == "" && cell(rec, c.f[fQuantity]) == "" {
			return false // an image-only row
		}
		built := ""
		if r.opt.BuildSKUs {
			built = builtSKU(h, vals[:])
		}
		if built == "" { // not asked, or the handle and options have no letters or digits
			r.stats.missingSKUs++
			b.fail(r.colName(c.f[fSKU]), "this variant has a price or quantity but no Variant SKU")
			return true
		}
		b.row.SKU, b.row.BuiltSKU = built, true
	}
	b.row.Title = s.title
	b.row.Description = s.body
	if s.tags != nil {
		b.row.Tags = append([]string(nil), s.tags...)
	}
	b.row.Options = joinOptions(s.optNames[:], vals[:])
	if b.row.Options != "" {
		b.row.GroupKey = h
	}
	b.row.ImageURL = cell(rec, c.variantImage)
	if b.row.ImageURL == "" {
		b.row.ImageURL = s.image
	}
	r.fillCommon(b, rec)
	b.row.Active, b.row.HasActive = s.active, s.hasActive
	if s.statusErrDue {
		s.statusErrDue = false
		b.warn(s.statusErr.Column, s.statusErr.Message)
	}
	return true
}

// wooState remembers the names of variable products, for variations that
// leave Name empty.
type wooState struct {
	parents   map[string]string // "sku" or "id:123" → Name
	parentSKU map[string]string // "id:123" → the parent's SKU
}

func (r *Reader) fillWoo(b *build, rec []string) bool {
	c := &r.cols
	types := strings.Split(strings.ToLower(cell(rec, c.typ)), ",")
	variation := false
	for _, t := range types {
		switch trimSpace(t) {
		case "variable", "grouped":
			// A parent or group: its variations or members are the products.
			if name := cell(rec, c.f[fTitle]); name != "" {
				if r.woo.parents == nil {
					r.woo.parents = map[string]string{}
				}
				name = strings.Clone(name)
				sku := strings.Clone(cell(rec, c.f[fSKU]))
				if sku != "" {
					r.woo.parents[sku] = name
				}
				if id := cell(rec, c.id); id != "" {
					r.woo.parents["id:"+id] = name
					if sku != "" {
						if r.woo.parentSKU == nil {
							r.woo.parentSKU = map[string]string{}
						}
						r.woo.parentSKU["id:"+id] = sku
					}
				}
			}
			r.stats.parents++
			return false
		case "variation":
			variation = true
		}
	}
	b.row.SKU = cell(rec, c.f[fSKU])
	if b.row.SKU == "" {
		if cell(rec, c.f[fPrice]) != "" || cell(rec, c.salePrice) != "" {
			b.fail(r.colName(c.f[fSKU]), "this product has a price but no SKU")
			return true
		}
		return false
	}
	b.row.Title = cell(rec, c.f[fTitle])
	if variation {
		parent := cell(rec, c.parent)
		if b.row.Title == "" {
			b.row.Title = r.woo.parents[parent]
		}
		// The group is the parent's SKU when the file gave one.
		b.row.GroupKey = parent
		if sku, ok := r.woo.parentSKU[parent]; ok {
			b.row.GroupKey = sku
		}
	}
	r.salePrice(b, rec)
	b.row.Description = cell(rec, c.f[fDescription])
	if b.row.Description == "" {
		b.row.Description = cell(rec, c.shortDesc)
	}
	if variation {
		names := make([]string, len(c.attrName))
		vals := make([]string, len(c.attrVal))
		for i := range c.attrName {
			names[i], vals[i] = cell(rec, c.attrName[i]), cell(rec, c.attrVal[i])
		}
		b.row.Options = joinOptions(names, vals)
	}
	if imgs := cell(rec, c.f[fImageURL]); imgs != "" {
		first, _, _ := strings.Cut(imgs, ",")
		b.row.ImageURL = trimSpace(first)
	}
	b.row.Tags = splitTags(cell(rec, c.f[fTags]), ",")
	r.fillCommon(b, rec)
	b.row.Active = true
	if v := cell(rec, c.f[fActive]); v != "" {
		col := r.colName(c.f[fActive])
		switch v {
		case "1":
			b.row.Active, b.row.HasActive = true, true
		case "0", "-1":
			b.row.Active, b.row.HasActive = false, true
		default:
			b.warn(col, fmt.Sprintf("%s %s is not 1, 0 or -1", col, quote(v)))
		}
	}
	if v := cell(rec, c.stock); v != "" {
		col := r.colName(c.stock)
		switch strings.ToLower(v) {
		case "1":
			b.row.Availability = InStock
		case "0":
			b.row.Availability = OutOfStock
		case "backorder", "onbackorder":
			b.row.Availability = Backorder
		default:
			b.warn(col, fmt.Sprintf("%s %s is not 1, 0 or backorder", col, quote(v)))
		}
	}
	return true
}
