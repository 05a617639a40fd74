package feedfile

import (
	"fmt"
	"strings"
)

// Amazon Seller Central's tab-separated flat files:
//
//   - a category inventory file template: line 1 "TemplateType=…", line 2
//     labels for people, line 3 the attribute names (item_sku, item_name,
//     external_product_id, standard_price, quantity, parent_child,
//     parent_sku, color_name, size_name, …). Parent rows only tie their
//     children together and are not sellable;
//   - the All (or Active) Listings Report: item-name, item-description,
//     listing-id, seller-sku, price, quantity, open-date, image-url, …,
//     product-id-type, product-id, …, status;
//   - the Price & Quantity file and Inventory Loader: sku, price,
//     minimum-seller-allowed-price, …, quantity, handling-time, ….

// amazonCols are the Amazon columns beyond the Dropline fields.
type amazonCols struct {
	idType, productID, salePrice, parentChild, parentSKU, color, size, status, updateDelete int
}

func (c *amazonCols) reset() { *c = amazonCols{-1, -1, -1, -1, -1, -1, -1, -1, -1} }

func (c *amazonCols) all() []int {
	return []int{c.idType, c.productID, c.salePrice, c.parentChild, c.parentSKU, c.color, c.size, c.status, c.updateDelete}
}

// resolveAmazon finds the columns of the file's kind of flat file and
// returns the SKU column's name, for messages.
func (r *Reader) resolveAmazon() string {
	c := &r.cols
	a := &c.amz
	idx := headerIndex(r.header, normHeader)
	get := func(n string) int { return lookup(idx, n) }
	c.f[fQuantity] = get("quantity")
	switch r.format {
	case FormatAmazonTemplate:
		c.f[fSKU], c.f[fTitle], c.f[fDescription] = get("item_sku"), get("item_name"), get("product_description")
		c.f[fPrice], c.f[fImageURL], c.f[fMPN] = get("standard_price"), get("main_image_url"), get("part_number")
		c.f[fLeadTime] = get("fulfillment_latency")
		a.productID, a.idType, a.salePrice = get("external_product_id"), get("external_product_id_type"), get("sale_price")
		a.parentChild, a.parentSKU = get("parent_child"), get("parent_sku")
		a.color, a.size, a.updateDelete = get("color_name"), get("size_name"), get("update_delete")
		return "item_sku"
	case FormatAmazonListings:
		c.f[fSKU], c.f[fTitle], c.f[fDescription] = get("seller-sku"), get("item-name"), get("item-description")
		c.f[fPrice], c.f[fImageURL] = get("price"), get("image-url")
		a.productID, a.idType, a.status = get("product-id"), get("product-id-type"), get("status")
		return "seller-sku"
	default:
		c.f[fSKU], c.f[fPrice], c.f[fLeadTime] = get("sku"), get("price"), get("handling-time")
		a.productID, a.idType = get("product-id"), get("product-id-type")
		return "sku"
	}
}

// amazonState remembers the names of template parents, for children that
// leave item_name empty.
type amazonState struct {
	parents map[string]string // item_sku → item_name
}

func (r *Reader) fillAmazon(b *build, rec []string) bool {
	c := &r.cols
	a := &c.amz
	sku := cell(rec, c.f[fSKU])
	relation := strings.ToLower(cell(rec, a.parentChild))
	if relation == "parent" {
		if name := cell(rec, c.f[fTitle]); sku != "" && name != "" {
			if r.amz.parents == nil {
				r.amz.parents = map[string]string{}
			}
			r.amz.parents[strings.Clone(sku)] = strings.Clone(name)
		}
		r.stats.parents++
		return false
	}
	if strings.EqualFold(cell(rec, a.updateDelete), "delete") {
		// A row that tells Amazon to delete the listing is not a product to sell.
		col := r.colName(a.updateDelete)
		b.row.SKU = sku
		b.fail(col, fmt.Sprintf("%s says Delete: the listing is being removed, so it is not imported", col))
		return true
	}
	b.row.SKU = sku
	if sku == "" {
		b.fail(r.colName(c.f[fSKU]), fmt.Sprintf("this row has no %s", r.colName(c.f[fSKU])))
		return true
	}
	b.row.Title = cell(rec, c.f[fTitle])
	b.row.Description = cell(rec, c.f[fDescription])
	b.row.ImageURL = cell(rec, c.f[fImageURL])
	r.fillCommon(b, rec)
	if v := cell(rec, a.salePrice); v != "" {
		setMoney(b, r.colName(a.salePrice), v, &b.row.SalePriceCents, &b.row.HasSalePrice)
	}
	if id := cell(rec, a.productID); id != "" && isAmazonGTIN(cell(rec, a.idType), id) {
		setGTIN(b, r.colName(a.productID), id)
	}
	if relation == "child" {
		parent := cell(rec, a.parentSKU)
		b.row.GroupKey = parent
		if b.row.Title == "" {
			b.row.Title = r.amz.parents[parent]
		}
		b.row.Options = joinOptions([]string{"Color", "Size"}, []string{cell(rec, a.color), cell(rec, a.size)})
	}
	b.row.Active = true
	if v := cell(rec, a.status); v != "" {
		switch strings.ToLower(v) {
		case "active":
			b.row.HasActive = true
		case "inactive", "incomplete":
			b.row.Active, b.row.HasActive = false, true
		default:
			col := r.colName(a.status)
			b.warn(col, fmt.Sprintf("%s %s is not Active, Inactive or Incomplete", col, quote(v)))
		}
	}
	return true
}

// isAmazonGTIN reports whether a product id of the given type is a GTIN
// (UPC, EAN, ISBN, JAN) rather than an ASIN or GCID. Listings reports give
// the type as a number (1 ASIN, 2 ISBN, 3 UPC, 4 EAN), templates as a word;
// without a type, an id of 8, 12, 13 or 14 digits is taken as a GTIN.
func isAmazonGTIN(typ, id string) bool {
	switch strings.ToLower(typ) {
	case "2", "3", "4", "upc", "ean", "gtin", "isbn", "jan", "ean/upc":
		return true
	case "":
		n := len(id)
		return allDigits(id) && (n == 8 || n == 12 || n == 13 || n == 14)
	}
	return false
}
