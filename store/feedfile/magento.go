package feedfile

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Magento 2's product export (Adobe Commerce "Product export attributes
// reference"): one row per product and store view. The row with an empty
// store_view_code holds a product's default values; rows naming a store view
// only override some of them (translations) and are not read.
//
// A configurable product is not sold itself: its configurable_variations
// cell names its children and their option values,
//
//	sku=MH01-XS-Black,size=XS,color=Black|sku=MH01-XS-Gray,size=XS,color=Gray
//
// and configurable_variation_labels names the options (size=Size,color=Color).
// Each child is a simple product row of its own, usually "Not Visible
// Individually", and may come before or after its parent.

// magentoCols are the Magento columns beyond the Dropline fields.
type magentoCols struct {
	storeView, productType, visibility, shortDesc, specialPrice int
	online, inStock, image, attrs, variations, labels           int
}

func (c *magentoCols) reset() {
	*c = magentoCols{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}
}

func (c *magentoCols) all() []int {
	return []int{c.storeView, c.productType, c.visibility, c.shortDesc, c.specialPrice,
		c.online, c.inStock, c.image, c.attrs, c.variations, c.labels}
}

func (r *Reader) resolveMagento() {
	c := &r.cols
	idx := headerIndex(r.header, normHeader)
	get := func(n string) int { return lookup(idx, n) }
	c.f[fSKU], c.f[fTitle], c.f[fDescription] = get("sku"), get("name"), get("description")
	c.f[fPrice], c.f[fQuantity] = get("price"), get("qty")
	m := &c.mag
	m.storeView, m.productType, m.visibility = get("store_view_code"), get("product_type"), get("visibility")
	m.shortDesc, m.specialPrice, m.online = get("short_description"), get("special_price"), get("product_online")
	m.inStock, m.image, m.attrs = get("is_in_stock"), get("base_image"), get("additional_attributes")
	m.variations, m.labels = get("configurable_variations"), get("configurable_variation_labels")
}

// magentoState pairs configurable products with their children, whichever
// comes first.
type magentoState struct {
	// variants: child SKU → what its configurable parent says of it, for
	// children not seen yet.
	variants map[string]magentoVariant
	// held: children not visible on their own, seen before any parent
	// named them, by SKU.
	held map[string]*heldChild
	// imageNote: the note on relative image paths was made.
	imageNote bool
}

// magentoVariant is what a configurable product gives each of its children.
type magentoVariant struct {
	parentSKU, title string
	codes            []string          // option attribute codes, sorted
	labels           map[string]string // code → label
	values           map[string]string // code → value from configurable_variations
}

// heldChild is a child row waiting for its parent.
type heldChild struct {
	b     build
	attrs string // its additional_attributes cell
}

func (r *Reader) fillMagento(b *build, rec []string) bool {
	c := &r.cols
	m := &c.mag
	if cell(rec, m.storeView) != "" {
		r.stats.storeViewRows++
		return false
	}
	sku := cell(rec, c.f[fSKU])
	switch strings.ToLower(cell(rec, m.productType)) {
	case "configurable":
		r.magentoParent(sku, cell(rec, c.f[fTitle]), cell(rec, m.variations), cell(rec, m.labels))
		r.stats.parents++
		return false
	case "bundle", "grouped":
		r.stats.parents++
		return false // sets of other products, which have rows of their own
	}
	b.row.SKU = sku
	if sku == "" {
		b.fail(r.colName(c.f[fSKU]), "this row has no sku")
		return true
	}
	if h, dup := r.mag.held[sku]; dup {
		b.fail(r.colName(c.f[fSKU]), fmt.Sprintf("SKU %q appears again; first on line %d", sku, h.b.row.Line))
		return true
	}
	r.fillMagentoFields(b, rec)
	if v, ok := r.mag.variants[sku]; ok {
		delete(r.mag.variants, sku)
		v.apply(&b.row, cell(rec, m.attrs))
		return true
	}
	if strings.EqualFold(cell(rec, m.visibility), "Not Visible Individually") {
		// Likely a child whose parent comes later: hold it until then.
		if r.mag.held == nil {
			r.mag.held = map[string]*heldChild{}
		}
		r.mag.held[strings.Clone(sku)] = &heldChild{b: *b, attrs: cell(rec, m.attrs)}
		return false
	}
	return true
}

// fillMagentoFields reads a sellable product's own cells.
func (r *Reader) fillMagentoFields(b *build, rec []string) {
	c := &r.cols
	m := &c.mag
	b.row.Title = cell(rec, c.f[fTitle])
	b.row.Description = cell(rec, c.f[fDescription])
	if b.row.Description == "" {
		b.row.Description = cell(rec, m.shortDesc)
	}
	if img := cell(rec, m.image); isAbsoluteURL(img) {
		b.row.ImageURL = img
	} else if img != "" && !r.mag.imageNote {
		r.mag.imageNote = true
		r.stats.notes = append(r.stats.notes, fmt.Sprintf("Images were not imported: %s holds paths on the Magento server (such as %s), not web addresses.", r.colName(m.image), quote(img)))
	}
	r.fillCommon(b, rec)
	if v := cell(rec, m.specialPrice); v != "" {
		setMoney(b, r.colName(m.specialPrice), v, &b.row.SalePriceCents, &b.row.HasSalePrice)
	}
	if v := cell(rec, m.inStock); v != "" {
		switch v {
		case "1":
			b.row.Availability = InStock
		case "0":
			b.row.Availability = OutOfStock
		default:
			col := r.colName(m.inStock)
			b.warn(col, fmt.Sprintf("%s %s is not 1 or 0", col, quote(v)))
		}
	}
	b.row.Active = true
	if v := cell(rec, m.online); v != "" {
		switch v {
		case "1":
			b.row.HasActive = true
		case "2", "0":
			b.row.Active, b.row.HasActive = false, true
		default:
			col := r.colName(m.online)
			b.warn(col, fmt.Sprintf("%s %s is not 1 (enabled) or 2 (disabled)", col, quote(v)))
		}
	}
}

// maxMagentoOptions bounds the options taken from a configurable product's
// labels, so that a hostile file cannot make every child cost as much as
// the whole labels cell; real products have a handful.
const maxMagentoOptions = 20

// magentoParent records what a configurable product says of its children,
// and releases those already held.
func (r *Reader) magentoParent(sku, name, variations, labels string) {
	if variations == "" {
		return
	}
	s := &r.mag
	labelOf := map[string]string{}
	var labelCodes []string
	for _, kv := range splitMagentoPairs(labels) {
		if kv[0] == "" || kv[1] == "" || labelOf[kv[0]] != "" {
			continue
		}
		if len(labelCodes) == maxMagentoOptions {
			break
		}
		code := strings.Clone(kv[0])
		labelOf[code] = strings.Clone(kv[1])
		labelCodes = append(labelCodes, code)
	}
	sku, name = strings.Clone(sku), strings.Clone(name)
	for _, entry := range strings.Split(variations, "|") {
		v := magentoVariant{parentSKU: sku, title: name, labels: labelOf, values: map[string]string{}}
		child := ""
		for _, kv := range splitMagentoPairs(entry) {
			switch {
			case kv[0] == "sku":
				child = kv[1]
			case kv[0] != "" && kv[1] != "":
				v.values[strings.Clone(kv[0])] = strings.Clone(kv[1])
			}
		}
		if child == "" {
			continue
		}
		v.codes = slices.Clone(labelCodes)
		for c := range v.values {
			if _, labelled := labelOf[c]; !labelled {
				v.codes = append(v.codes, c)
			}
		}
		slices.Sort(v.codes)
		if h, ok := s.held[child]; ok {
			delete(s.held, child)
			v.apply(&h.b.row, h.attrs)
			r.queue = append(r.queue, h.b)
			continue
		}
		if _, taken := s.variants[child]; taken {
			continue // another parent named it first
		}
		if s.variants == nil {
			s.variants = map[string]magentoVariant{}
		}
		s.variants[strings.Clone(child)] = v
	}
	// Released rows go out in file order.
	slices.SortStableFunc(r.queue, func(a, b build) int { return a.row.Line - b.row.Line })
}

// apply gives a child its product's name, options and group. An option the
// variation gives no value for is taken from the child's own
// additional_attributes.
func (v magentoVariant) apply(row *Row, attrs string) {
	row.Title = v.title
	row.GroupKey = v.parentSKU
	var own map[string]string
	names := make([]string, len(v.codes))
	vals := make([]string, len(v.codes))
	for i, code := range v.codes {
		names[i] = v.labels[code]
		if names[i] == "" {
			names[i] = codeLabel(code)
		}
		vals[i] = v.values[code]
		if vals[i] == "" {
			if own == nil {
				own = map[string]string{}
				for _, kv := range splitMagentoPairs(attrs) {
					own[kv[0]] = kv[1]
				}
			}
			vals[i] = own[code]
		}
	}
	row.Options = joinOptions(names, vals)
}

// flushMagento releases, at the end of the file, the children no parent
// named: they are products as they stand.
func (r *Reader) flushMagento() {
	held := make([]build, 0, len(r.mag.held))
	for _, h := range r.mag.held {
		held = append(held, h.b)
	}
	slices.SortFunc(held, func(a, b build) int { return a.row.Line - b.row.Line })
	r.queue = append(r.queue, held...)
	r.mag.held = nil
	r.mag.variants = nil
}

// splitMagentoPairs splits Magento's "code=value,code=value" cells
// (additional_attributes, configurable_variations entries and labels) into
// trimmed code, value pairs. Magento does not escape commas in values; a
// piece without "=" is taken as the rest of the previous value, which keeps
// "material=Cotton, Polyester" whole. Values wrapped in double quotes (the
// export's "Fields Enclosure" option) are unwrapped.
func splitMagentoPairs(s string) [][2]string {
	var out [][2]string
	valStart := -1 // where the value of the last pair starts in s
	end := func(at int) {
		if valStart < 0 {
			return
		}
		v := trimSpace(s[valStart:at])
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = trimSpace(v[1 : len(v)-1])
		}
		out[len(out)-1][1] = v
	}
	for pos := 0; pos <= len(s); {
		next := strings.IndexByte(s[pos:], ',')
		if next < 0 {
			next = len(s)
		} else {
			next += pos
		}
		if eq := strings.IndexByte(s[pos:next], '='); eq >= 0 {
			end(pos - 1)
			out = append(out, [2]string{trimSpace(s[pos : pos+eq]), ""})
			valStart = pos + eq + 1
		}
		pos = next + 1
	}
	end(len(s))
	return out
}

// codeLabel makes a label from an attribute code: "shoe_size" → "Shoe size".
func codeLabel(code string) string {
	s := strings.ReplaceAll(code, "_", " ")
	first, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return ""
	}
	return string(unicode.ToUpper(first)) + s[size:]
}

// isAbsoluteURL reports whether s is an http(s) web address rather than a
// path on the shop's server.
func isAbsoluteURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}
