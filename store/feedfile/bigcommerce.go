package feedfile

import (
	"fmt"
	"strings"
)

// BigCommerce's Bulk Edit product export ("Importing & Exporting Products",
// "Importing Product Options (v2)"): a row with Item Type "Product" is a
// product; the "SKU" rows directly under it are its variants, their Product
// Name cell holding option values such as "[S]Size=Small,[RB]Color=Red"
// (the bracketed code is the option's display type); "Rule" rows under them
// adjust prices, weights or images and are not products.
//
// A product is not sellable itself when SKU rows follow it, which only the
// next row tells: so each Product row is held until the next Product row or
// the end of the file.

// bigCommerceCols are the BigCommerce columns beyond the Dropline fields.
type bigCommerceCols struct {
	itemType, productID, salePrice, tracking, imageFile int
}

func (c *bigCommerceCols) reset() { *c = bigCommerceCols{-1, -1, -1, -1, -1} }

func (c *bigCommerceCols) all() []int {
	return []int{c.itemType, c.productID, c.salePrice, c.tracking, c.imageFile}
}

func (r *Reader) resolveBigCommerce() {
	c := &r.cols
	idx := headerIndex(r.header, normHeader)
	get := func(n ...string) int { return lookup(idx, n...) }
	c.f[fSKU], c.f[fTitle], c.f[fDescription] = get("product code/sku"), get("product name"), get("product description")
	c.f[fPrice], c.f[fCost], c.f[fQuantity] = get("price"), get("cost price"), get("current stock level", "stock level")
	c.f[fGTIN] = get("product upc/ean", "gps global trade item number", "global trade item number")
	c.f[fMPN] = get("manufacturer part number", "gps manufacturer part number")
	c.f[fActive], c.f[fTags], c.f[fURL] = get("product visible?", "product visible"), get("search keywords"), get("product url")
	c.f[fImageURL] = get("product image url - 1")
	b := &c.bc
	b.itemType, b.productID, b.salePrice = get("item type"), get("product id"), get("sale price")
	b.tracking, b.imageFile = get("track inventory"), get("product image file - 1")
}

// bigCommerceState carries a product over to the rows under it.
type bigCommerceState struct {
	held    *build // the last Product row, until the next row shows what it is
	product bigCommerceProduct
	notes   map[string]bool // notes made, by column
}

// bigCommerceProduct is what a product gives its variants.
type bigCommerceProduct struct {
	started            bool
	group, name        string
	description, image string
	url                string
	tags               []string
	untracked          bool
	price, sale, cost  int64
	hasPrice, hasSale  bool
	hasCost            bool
	active, hasActive  bool
	currency           string
}

func (r *Reader) fillBigCommerce(b *build, rec []string) bool {
	c := &r.cols
	s := &r.bc
	switch t := strings.ToLower(cell(rec, c.bc.itemType)); t {
	case "product", "":
		r.releaseBigCommerce()
		r.fillBigCommerceProduct(b, rec)
		held := *b
		s.held = &held
		return false
	case "sku":
		if s.held != nil { // a product with variants: they are what is sold
			r.stats.parents++
		}
		s.held = nil
		r.fillBigCommerceVariant(b, rec)
		return true
	case "rule":
		return false
	default:
		col := r.colName(c.bc.itemType)
		b.fail(col, fmt.Sprintf("%s %s is not Product, SKU or Rule", col, quote(cell(rec, c.bc.itemType))))
		return true
	}
}

// releaseBigCommerce queues the held product: no variants followed it.
func (r *Reader) releaseBigCommerce() {
	if r.bc.held != nil {
		r.queue = append(r.queue, *r.bc.held)
		r.bc.held = nil
	}
}

func (r *Reader) flushBigCommerce() { r.releaseBigCommerce() }

// queueBehindHeld puts a row just read behind a held product, which comes
// first in file order (the row is not one of its variants: those release
// nothing), and reports whether it did.
func (r *Reader) queueBehindHeld(b build) bool {
	if r.bc.held == nil {
		return false
	}
	r.releaseBigCommerce()
	r.queue = append(r.queue, b)
	return true
}

func (r *Reader) fillBigCommerceProduct(b *build, rec []string) {
	c := &r.cols
	b.row.SKU = cell(rec, c.f[fSKU])
	b.row.Title = cell(rec, c.f[fTitle])
	b.row.Description = cell(rec, c.f[fDescription])
	b.row.Tags = splitTags(cell(rec, c.f[fTags]), ",")
	r.bigCommerceLinks(b, rec)
	untracked := r.bigCommerceUntracked(rec)
	r.fillBigCommerceCommon(b, rec, untracked)
	r.yesNoActive(b, rec, "Y or N")
	if v := cell(rec, c.bc.salePrice); v != "" {
		setMoney(b, r.colName(c.bc.salePrice), v, &b.row.SalePriceCents, &b.row.HasSalePrice)
	}
	group := b.row.SKU
	if group == "" {
		group = cell(rec, c.bc.productID)
	}
	if group == "" {
		group = b.row.Title // BigCommerce product names are unique
	}
	row := &b.row
	r.bc.product = bigCommerceProduct{
		started: true, group: strings.Clone(group), name: strings.Clone(row.Title),
		description: strings.Clone(row.Description), image: strings.Clone(row.ImageURL), url: strings.Clone(row.URL),
		tags: cloneStrings(row.Tags), untracked: untracked,
		price: row.PriceCents, hasPrice: row.HasPrice, sale: row.SalePriceCents, hasSale: row.HasSalePrice,
		cost: row.CostCents, hasCost: row.HasCost, active: row.Active, hasActive: row.HasActive, currency: row.Currency,
	}
	if b.row.SKU == "" {
		b.fail(r.colName(c.f[fSKU]), "this product has no Product Code/SKU")
	}
}

func (r *Reader) fillBigCommerceVariant(b *build, rec []string) {
	c := &r.cols
	p := &r.bc.product
	b.row.SKU = cell(rec, c.f[fSKU])
	if b.row.SKU == "" {
		b.fail(r.colName(c.f[fSKU]), "this variant has no Product Code/SKU")
		return
	}
	b.row.Options = bigCommerceOptions(cell(rec, c.f[fTitle]))
	r.bigCommerceLinks(b, rec)
	r.fillBigCommerceCommon(b, rec, p.untracked)
	if !p.started {
		b.row.Active = true
		return // a variant with no product above it
	}
	b.row.Title, b.row.GroupKey = p.name, p.group
	b.row.Description = p.description
	if p.tags != nil {
		b.row.Tags = append([]string(nil), p.tags...)
	}
	if b.row.ImageURL == "" {
		b.row.ImageURL = p.image
	}
	if b.row.URL == "" {
		b.row.URL = p.url
	}
	// Amounts left blank on a variant are the product's.
	inherit := func(col int, v *int64, has *bool, pv int64, phas bool) {
		if cell(rec, col) == "" && phas && (b.row.Currency == "" || b.row.Currency == p.currency) {
			*v, *has = pv, true
			if p.currency != "" {
				b.row.Currency = p.currency
			}
		}
	}
	inherit(c.f[fPrice], &b.row.PriceCents, &b.row.HasPrice, p.price, p.hasPrice)
	inherit(c.f[fCost], &b.row.CostCents, &b.row.HasCost, p.cost, p.hasCost)
	if p.hasSale && (b.row.Currency == "" || b.row.Currency == p.currency) {
		b.row.SalePriceCents, b.row.HasSalePrice = p.sale, true
	}
	b.row.Active, b.row.HasActive = p.active, p.hasActive
}

// fillBigCommerceCommon reads the cells products and variants share. When
// the product does not track inventory, its stock cells hold 0 without
// meaning it: the row is then in stock by Dropline's rule instead.
func (r *Reader) fillBigCommerceCommon(b *build, rec []string, untracked bool) {
	c := &r.cols
	setGTIN(b, r.colName(c.f[fGTIN]), cell(rec, c.f[fGTIN]))
	r.code(b, rec, c.f[fMPN], &b.row.MPN)
	r.money(b, rec, c.f[fPrice], &b.row.PriceCents, &b.row.HasPrice)
	r.money(b, rec, c.f[fCost], &b.row.CostCents, &b.row.HasCost)
	if untracked {
		b.row.Availability = InStock
	} else {
		setQuantity(b, r.colName(c.f[fQuantity]), cell(rec, c.f[fQuantity]))
	}
}

// bigCommerceUntracked reports whether a Product row says its inventory is
// not tracked (Track Inventory "none" or "N").
func (r *Reader) bigCommerceUntracked(rec []string) bool {
	switch strings.ToLower(cell(rec, r.cols.bc.tracking)) {
	case "none", "n", "no":
		return true
	}
	return false
}

// bigCommerceLinks reads the image and product addresses, which the export
// may give as paths on the store rather than web addresses: those are left
// out, with a note.
func (r *Reader) bigCommerceLinks(b *build, rec []string) {
	c := &r.cols
	img := cell(rec, c.f[fImageURL])
	imgCol := c.f[fImageURL]
	if img == "" {
		img, imgCol = cell(rec, c.bc.imageFile), c.bc.imageFile
	}
	b.row.ImageURL = r.absoluteOrNote(img, imgCol, "Images")
	b.row.URL = r.absoluteOrNote(cell(rec, c.f[fURL]), c.f[fURL], "Product URLs")
}

func (r *Reader) absoluteOrNote(v string, col int, what string) string {
	if v == "" || isAbsoluteURL(v) {
		return v
	}
	name := r.colName(col)
	if !r.bc.notes[name] {
		if r.bc.notes == nil {
			r.bc.notes = map[string]bool{}
		}
		r.bc.notes[name] = true
		r.stats.notes = append(r.stats.notes, fmt.Sprintf("%s were not imported: %s holds paths on the store (such as %s), not web addresses.", what, name, quote(v)))
	}
	return ""
}

// bigCommerceOptions turns a SKU row's "[S]Size=Small,[RB]Color=Red" into
// "Size: Small / Color: Red". Values may hold commas: a cell with codes is
// split only at commas before a "[" code.
func bigCommerceOptions(s string) string {
	var parts []string
	if strings.HasPrefix(s, "[") {
		start := 0
		for i := 0; i < len(s); i++ {
			if s[i] == ',' && strings.HasPrefix(strings.TrimLeft(s[i+1:], " "), "[") {
				parts, start = append(parts, s[start:i]), i+1
			}
		}
		parts = append(parts, s[start:])
	} else {
		parts = strings.Split(s, ",")
	}
	var names, vals []string
	for _, p := range parts {
		p = trimSpace(p)
		if strings.HasPrefix(p, "[") {
			if end := strings.IndexByte(p, ']'); end > 0 {
				p = p[end+1:]
			}
		}
		name, val, ok := strings.Cut(p, "=")
		if !ok {
			name, val = "", name
		}
		names, vals = append(names, trimSpace(name)), append(vals, trimSpace(val))
	}
	return joinOptions(names, vals)
}

func cloneStrings(s []string) []string {
	if s == nil {
		return nil
	}
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strings.Clone(v)
	}
	return out
}
