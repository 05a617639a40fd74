package feedfile

import (
	"fmt"
	"strings"
)

// Summary accounts for a file after reading it: what was used, what was
// left out and what was filled in, so that nothing the file held is lost
// without the user being told.
type Summary struct {
	Format  Format
	Rows    int      // usable rows
	Skipped int      // rows left out whole (each has a Skipped RowError)
	Ignored []string // columns no field was read from, in file order
	// Empty lists the fields left empty on some usable rows, most important
	// first: title, quantity and price always, other fields when the file
	// has a column for them that was empty on every row.
	Empty []EmptyField
	// InStock counts rows that said "in stock" without a number and got
	// Options.InStockQuantity.
	InStock         int
	InStockQuantity int
	// BuiltSKUs counts Shopify variants whose SKU was built from the handle
	// and options (Options.BuildSKUs); BuiltExample is the first of them.
	BuiltSKUs    int
	BuiltExample string
	// MissingSKUs counts Shopify variants skipped for having no Variant SKU
	// when Options.BuildSKUs is off: the user may turn it on.
	MissingSKUs int
	// Notes are other things the file held that were not imported, in plain
	// English, e.g. Magento's store-view rows.
	Notes []string
}

// EmptyField is a field left empty on Rows of the usable rows.
type EmptyField struct {
	Field  string // Dropline field: title, quantity, price, …
	Column string // the file's column for it, "" when the file has none
	Rows   int
	All    bool // empty on every usable row
}

// Message says it for a user, e.g. "title is empty on all 1,994 rows (no
// column holds it)".
func (e EmptyField) Message() string {
	where := ""
	if e.Column == "" {
		where = " (no column holds it)"
	} else {
		where = fmt.Sprintf(" (column %s)", e.Column)
	}
	label := fieldLabels[e.Field]
	if label == "" {
		label = e.Field
	}
	if e.All && e.Rows == 1 {
		return fmt.Sprintf("%s is empty on the only row%s", label, where)
	}
	if e.All {
		return fmt.Sprintf("%s is empty on all %s rows%s", label, Count(e.Rows), where)
	}
	rows := "rows"
	if e.Rows == 1 {
		rows = "row"
	}
	return fmt.Sprintf("%s is empty on %s %s%s", label, Count(e.Rows), rows, where)
}

// fieldLabels name Dropline's fields in messages.
var fieldLabels = map[string]string{
	"options": "variant options", "gtin": "GTIN", "mpn": "MPN", "lead_time_days": "lead time", "url": "product URL",
	"image_url": "image URL", "tags": "the tag list", "active": "the active/inactive status",
}

// Sentence is Message as a sentence: "Title is empty on all 3 rows (…)."
func (e EmptyField) Sentence() string {
	m := e.Message()
	return strings.ToUpper(m[:1]) + m[1:] + "."
}

// Loses reports whether every usable row lost its title or its quantity:
// the user must acknowledge that before such a file is applied.
func (s Summary) Loses() []EmptyField {
	var out []EmptyField
	for _, e := range s.Empty {
		if e.All && (e.Field == "title" || e.Field == "quantity") {
			out = append(out, e)
		}
	}
	return out
}

// Plural writes a count and the word that goes with it: "1 row", "1,994 rows".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return Count(n) + " " + many
}

// Count writes n with thousands separators: 1994 → "1,994".
func Count(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + Count(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// stats counts, over usable rows, which fields had values.
type stats struct {
	rows, skipped int
	filled        [nFields]int
	inStock       int
	built         int
	builtExample  string
	missingSKUs   int
	storeViewRows int
	parents       int // parent products not emitted: their variants are
	notes         []string
}

func (s *stats) count(r *Row) {
	s.rows++
	inc := func(f int, ok bool) {
		if ok {
			s.filled[f]++
		}
	}
	inc(fTitle, r.Title != "")
	inc(fOptions, r.Options != "")
	inc(fGTIN, r.GTIN != "")
	inc(fMPN, r.MPN != "")
	inc(fCost, r.HasCost)
	inc(fPrice, r.HasPrice)
	inc(fQuantity, r.HasQuantity)
	inc(fLeadTime, r.HasLeadTime)
	inc(fURL, r.URL != "")
	inc(fImageURL, r.ImageURL != "")
	inc(fDescription, r.Description != "")
	inc(fTags, len(r.Tags) > 0)
	inc(fActive, r.HasActive)
	if r.BuiltSKU {
		s.built++
		if s.builtExample == "" {
			s.builtExample = r.SKU
		}
	}
}

// settle turns descriptions into text and applies the availability rule
// (an explicit out of stock beats a quantity, with a note on the row), the same for every format: a row
// that says it is out of stock, on preorder or on backorder without a
// quantity has none on hand (0); a row that says it is in stock without a
// number gets Options.InStockQuantity, and is counted.
func (r *Reader) settle(b *build) {
	row := &b.row
	// Descriptions are kept as text: markup never reaches a page or a store.
	// Variants share their product's description: it is converted once.
	if row.Description != r.lastHTML {
		r.lastHTML, r.lastText = row.Description, plainText(row.Description)
	}
	row.Description = r.lastText
	c := &r.cols
	row.SaleColumn = r.xr == nil && (c.salePrice >= 0 || c.amz.salePrice >= 0 || c.bc.salePrice >= 0 || c.mag.specialPrice >= 0)
	// Currency says what the price and cost are in: a code only a sale
	// price named, beside neither, qualifies nothing a store keeps.
	if !row.HasPrice && !row.HasCost {
		row.Currency = ""
	}
	if row.HasQuantity {
		// The file says the product cannot be bought now: its stock count
		// (Magento keeps qty when set out of stock) is not for sale.
		if row.Availability == OutOfStock && row.Quantity > 0 {
			b.warn("", fmt.Sprintf("the row says out of stock but gives a quantity of %d: quantity 0", row.Quantity))
			row.Quantity = 0
		}
		return
	}
	switch row.Availability {
	case InStock:
		row.Quantity, row.HasQuantity = r.opt.InStockQuantity, true
		r.stats.inStock++
	case OutOfStock, Preorder, Backorder:
		row.Quantity, row.HasQuantity = 0, true
	}
}

// Summary accounts for the rows read so far; after Next returned io.EOF it
// covers the whole file.
func (r *Reader) Summary() Summary {
	s := Summary{Format: r.format, Rows: r.stats.rows, Skipped: r.stats.skipped, Ignored: r.Ignored(),
		InStock: r.stats.inStock, InStockQuantity: r.opt.InStockQuantity, BuiltSKUs: r.stats.built, BuiltExample: r.stats.builtExample,
		MissingSKUs: r.stats.missingSKUs, Notes: append([]string(nil), r.stats.notes...)}
	switch n := r.stats.parents; {
	case n == 1:
		s.Notes = append(s.Notes, "1 parent product (configurable, variable, bundle or grouped) is not imported as a product of its own: its variants are, with its name, grouped under it.")
	case n > 1:
		s.Notes = append(s.Notes, fmt.Sprintf("%s parent products (configurable, variable, bundle or grouped) are not imported as products of their own: their variants are, each with its parent's name, grouped under it.", Count(n)))
	}
	if n := r.stats.storeViewRows; n > 0 {
		s.Notes = append(s.Notes, fmt.Sprintf("%s (translations and overrides for one store view) not imported: Dropline keeps the default values of each product.",
			Plural(n, "store-view row", "store-view rows")))
	}
	if s.Rows == 0 {
		return s
	}
	for f := range nFields {
		if f == fSKU {
			continue
		}
		empty := s.Rows - r.stats.filled[f]
		if empty == 0 {
			continue
		}
		col, has := r.fieldColumn(f)
		key := f == fTitle || f == fQuantity || f == fPrice
		if !key && !(has && empty == s.Rows) {
			continue
		}
		s.Empty = append(s.Empty, EmptyField{Field: fieldNames[f], Column: col, Rows: empty, All: empty == s.Rows})
	}
	return s
}

// fieldColumn names the file's column for field f, and whether there is one.
func (r *Reader) fieldColumn(f int) (string, bool) {
	if r.xr != nil {
		// A feed's items carry only the elements they use: one missing
		// from every item is worth a word only for the key fields.
		return "", false
	}
	i := r.cols.f[f]
	if f == fQuantity && i < 0 {
		for _, alt := range []int{r.cols.stock, r.cols.avail} {
			if alt >= 0 {
				return r.colName(alt), true
			}
		}
	}
	if i < 0 {
		return "", false
	}
	return r.colName(i), true
}

// guessNames are the headers each Dropline field is commonly found under,
// best first, normalised as guessKey does.
var guessNames = [nFields][]string{
	fSKU:         {"sku", "variant sku", "product code/sku", "product code", "item code", "seller sku", "item sku", "product sku", "code", "article number", "item number", "item no", "part number", "style number", "id"},
	fTitle:       {"title", "name", "product name", "item name", "product title", "item title"},
	fOptions:     {"options", "variant", "variant options", "option"},
	fGTIN:        {"gtin", "ean", "upc", "barcode", "variant barcode", "product upc/ean", "upc/ean", "isbn", "external product id", "product id"},
	fMPN:         {"mpn", "manufacturer part number", "gps manufacturer part number"},
	fCost:        {"cost", "cost price", "cost per item", "wholesale price", "cost of goods sold", "unit cost"},
	fPrice:       {"price", "regular price", "variant price", "standard price", "retail price", "list price", "unit price"},
	fQuantity:    {"quantity", "qty", "stock", "stock quantity", "stock level", "inventory", "inventory quantity", "current stock level", "current stock", "on hand", "qty on hand", "quantity available", "variant inventory qty", "available"},
	fLeadTime:    {"lead time days", "lead time", "handling time", "fulfillment latency", "dispatch days"},
	fURL:         {"url", "link", "product url", "product link"},
	fImageURL:    {"image url", "image", "image link", "image src", "main image url", "base image", "images", "picture"},
	fDescription: {"description", "body (html)", "product description", "long description", "item description"},
	fTags:        {"tags", "keywords", "search keywords"},
	fActive:      {"active", "status", "published", "enabled", "is visible", "product visible?"},
}

// guessKey normalises a header for guessing: lower case, with underscores,
// hyphens and runs of spaces as one space, and "g:" dropped.
func guessKey(h string) string {
	h = strings.TrimPrefix(normHeader(h), "g:")
	h = strings.NewReplacer("_", " ", "-", " ").Replace(h)
	return strings.Join(strings.Fields(h), " ")
}

// GuessMapping suggests which column holds each Dropline field, from
// common header names; each column is used once. The user confirms or
// changes it: a guess is never applied unseen.
func GuessMapping(header []string) Mapping {
	idx := headerIndex(header, guessKey)
	used := map[int]bool{}
	m := Mapping{}
	for f, names := range guessNames {
		for _, n := range names {
			if i, ok := idx[n]; ok && !used[i] {
				m[fieldNames[f]], used[i] = header[i], true
				break
			}
		}
	}
	// In an ERP or stock-list export without a name column, "Description"
	// is the item's name ("Blue mug"), not a long text.
	if m["title"] == "" && m["description"] != "" {
		m["title"] = m["description"]
		delete(m, "description")
	}
	return m
}
