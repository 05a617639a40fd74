// Package feedfile reads supplier product feed files as a stream, one row at a
// time, and turns each into a normalised Row.
//
// It understands Dropline's own product CSV, Shopify's product CSV export,
// Google Merchant Center feeds (tab-separated and RSS 2.0/Atom XML with the g:
// namespace), WooCommerce's product CSV export, Magento 2's product export,
// BigCommerce's Bulk Edit product export, Amazon's flat files (category
// inventory templates, listings reports, price and quantity files), and any
// other CSV/TSV file through a column Mapping the user picks once.
//
// Problems come in two kinds. A *FileError stops the whole file: it is empty,
// not UTF-8, its quoting is broken, or it has no SKU column. A RowError
// concerns one row: a quantity that is negative, a price that is not a number,
// a SKU seen twice. Rows with only non-fatal RowErrors are still usable; the
// field in question is left unset (its Has* flag is false).
//
// The reader keeps one record in memory at a time, plus the set of SKUs seen so
// far (needed to report duplicates) and, for WooCommerce and Amazon, the names
// of parent products. A Magento export may list a configurable product's
// children before the product itself: those children are held until it
// comes (or the file ends), and a BigCommerce product is held until the next
// row says whether it has variants. Money is handled as integer minor units;
// no float is used.
package feedfile

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Format names a kind of product feed file.
type Format string

// The formats a Reader understands.
const (
	// FormatDropline is Dropline's own product CSV: sku, title, options, gtin,
	// mpn, cost, price, quantity, lead_time_days, url, image_url, description,
	// tags, active. Header names are case-insensitive (spaces and hyphens count
	// as underscores), in any order; only sku is required.
	FormatDropline Format = "dropline"
	// FormatShopify is Shopify's product CSV export (Handle, Title, Variant SKU,
	// Variant Price, Variant Inventory Qty, Cost per item, Variant Barcode, …),
	// where one product spans several rows sharing a Handle.
	FormatShopify Format = "shopify"
	// FormatGoogleTSV is a Google Merchant Center tab-separated feed (id, title,
	// link, image_link, availability, price "15.00 USD", gtin, mpn, …).
	FormatGoogleTSV Format = "google_tsv"
	// FormatGoogleXML is a Google Merchant Center RSS 2.0 (or Atom) feed with
	// elements in the namespace http://base.google.com/ns/1.0.
	FormatGoogleXML Format = "google_xml"
	// FormatWooCommerce is WooCommerce's product CSV export (ID, Type, SKU,
	// Name, Published, Regular price, Stock, In stock?, …).
	FormatWooCommerce Format = "woocommerce"
	// FormatMagento is Magento 2's product export (sku, store_view_code,
	// attribute_set_code, product_type, name, price, qty, is_in_stock,
	// configurable_variations, …): configurable products are not sellable
	// themselves; their children carry the product's name and options.
	FormatMagento Format = "magento"
	// FormatBigCommerce is BigCommerce's Bulk Edit product export (Item Type,
	// Product ID, Product Name, Product Code/SKU, Price, Current Stock Level,
	// …), where a Product row is followed by its SKU (variant) rows.
	FormatBigCommerce Format = "bigcommerce"
	// FormatAmazonTemplate is an Amazon category inventory file template
	// (tab-separated; line 1 "TemplateType=…", line 2 labels, line 3
	// item_sku, item_name, standard_price, quantity, parent_child, …).
	FormatAmazonTemplate Format = "amazon_template"
	// FormatAmazonListings is Amazon's All or Active Listings Report
	// (item-name, seller-sku, price, quantity, product-id, status, …).
	FormatAmazonListings Format = "amazon_listings"
	// FormatAmazonPriceQuantity is Amazon's Price & Quantity (or Inventory
	// Loader) file: sku, price, quantity, handling-time, ….
	FormatAmazonPriceQuantity Format = "amazon_price_quantity"
	// FormatMapped is any CSV/TSV read through a Mapping chosen by the user.
	FormatMapped Format = "mapped"
)

// Availability values a Row may carry.
const (
	InStock    = "in_stock"
	OutOfStock = "out_of_stock"
	Preorder   = "preorder"
	Backorder  = "backorder"
)

// Row is one product as a feed describes it; the Has* fields say whether the
// file gave a usable value for the field next to them.
//
// A Row with an empty SKU is not usable: Next returns such a row only together
// with the RowErrors that explain why (no SKU, duplicate SKU, misaligned
// cells), so the caller can count and show it, then skip it.
type Row struct {
	// Line is where the row came from. For CSV/TSV it is the spreadsheet row
	// number: the header is 1, a cell with line breaks does not add rows, and
	// blank lines count (spreadsheets show them as empty rows). Without blank
	// lines this is the file's record number. For XML it is the item's index,
	// starting at 1.
	Line int

	SKU         string
	Title       string
	Options     string // variant options, e.g. "Color: Red / Size: M"
	GTIN        string
	MPN         string
	URL         string
	ImageURL    string
	Description string // as given; Shopify and WooCommerce descriptions may be HTML
	Tags        []string

	// Currency is the ISO 4217 code when the file says (Google "15.00 USD",
	// "€12,50"), else "".
	Currency string
	// PriceCents and CostCents are money in minor units (hundredths). They are
	// never negative: a negative amount is a row error and leaves Has* false.
	PriceCents int64
	CostCents  int64
	HasPrice   bool
	HasCost    bool

	// Quantity is the stock on hand; never negative.
	Quantity    int
	HasQuantity bool

	// LeadTimeDays is the supplier's handling time in days; never negative.
	LeadTimeDays int
	HasLeadTime  bool

	// Active says whether the product is for sale. It is true unless the file
	// says otherwise; HasActive says whether the file said.
	Active    bool
	HasActive bool

	// Availability is "in_stock", "out_of_stock", "preorder", "backorder" or ""
	// (Google availability, WooCommerce "In stock?").
	Availability string

	// SalePriceCents is a reduced price the file gives beside the regular
	// one (Google sale_price, WooCommerce "Sale price", Magento
	// special_price, BigCommerce "Sale Price"), in the price's currency.
	SalePriceCents int64
	HasSalePrice   bool
	// SaleColumn says the file has a sale price column, so an empty cell
	// means the product is not on sale (rather than "not said").
	SaleColumn bool

	// GroupKey ties the variants of one product together (Shopify Handle,
	// Google item_group_id, WooCommerce parent, Magento configurable SKU,
	// BigCommerce product, Amazon parent_sku); "" for a product on its own.
	GroupKey string

	// BuiltSKU says the SKU was not in the file but built from the product's
	// handle and option values (Options.BuildSKUs).
	BuiltSKU bool
}

// Usable reports whether the row can be imported, i.e. has a SKU.
func (r Row) Usable() bool { return r.SKU != "" }

// RowError is a problem with one row. Message is plain English for an end
// user, e.g. `quantity "-3" is negative`, and names the column as the file
// does.
//
// Every reader follows one rule: a problem with the SKU or the row's shape
// (no SKU, a SKU seen before, cells out of line) skips the row, and Skipped
// is true; a problem with any other field leaves that field empty and keeps
// the rest of the row, and Skipped is false.
type RowError struct {
	Line    int    // the row's Line
	Column  string // the file's column header (or XML element name); "" for the whole row
	Message string
	Skipped bool // the whole row was left out, not just the field
}

// Error formats the problem with its line, e.g. `line 4: quantity "-3" is negative`.
func (e RowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Message) }

// Mapping maps a Dropline field name (see Fields) to the file's column header.
// Headers match exactly, ignoring case and surrounding spaces.
type Mapping map[string]string

// Options say how to read a file. The zero value detects everything.
type Options struct {
	// Format is the file's format; "" detects it from the first bytes (or
	// means FormatMapped when Mapping is set).
	Format Format
	// Mapping is required for FormatMapped and must map "sku"; it is not
	// allowed with other formats.
	Mapping Mapping
	// Delimiter separates cells in CSV/TSV files; 0 detects one of ',' ';'
	// '\t' '|' (Excel writes ';' in many locales).
	Delimiter rune
	// InStockQuantity is the quantity a row gets when it says it is in stock
	// without a number: availability "in stock" and no quantity, or a
	// quantity cell such as "in stock" or "available". Zero is a valid
	// choice. Such rows are counted in the Summary, never silent.
	InStockQuantity int
	// BuildSKUs gives Shopify variants without a Variant SKU a SKU built from
	// the product's handle and option values, e.g. "classic-tee-red-m",
	// which stays the same on every read of the same product. Without it
	// such variants are skipped, each with a RowError.
	BuildSKUs bool
}

// DefaultInStockQuantity is the quantity Dropline gives, unless the user
// chooses another, to a row that says "in stock" without a number.
const DefaultInStockQuantity = 1

// FileError is a problem with the whole file; reading cannot go on.
type FileError struct {
	// Line is the spreadsheet row (CSV/TSV) or text line (XML) where the
	// problem is, or 0 when it concerns the file as a whole.
	Line int
	// Message is plain English for an end user, e.g. "The file is empty.".
	Message string
	// Err is one of the Err* values of this package, for errors.Is.
	Err error
}

// Error returns the Message.
func (e *FileError) Error() string { return e.Message }

// Unwrap returns the kind of problem (ErrEmpty, ErrEncoding, …).
func (e *FileError) Unwrap() error { return e.Err }

// Kinds of FileError, to test with errors.Is.
var (
	// ErrEmpty: the file has no header.
	ErrEmpty = errors.New("feedfile: empty file")
	// ErrEncoding: the file is not UTF-8 text.
	ErrEncoding = errors.New("feedfile: not UTF-8")
	// ErrMalformed: broken CSV quoting or XML syntax.
	ErrMalformed = errors.New("feedfile: malformed file")
	// ErrNoSKUColumn: no column holds the SKU, so the format is unknown or the
	// file is incomplete; a Mapping may help.
	ErrNoSKUColumn = errors.New("feedfile: no SKU column")
	// ErrSingleColumn: the header has a single column, which usually means the
	// wrong delimiter.
	ErrSingleColumn = errors.New("feedfile: single column")
	// ErrUnknownFormat: an XML file that is not a Google Merchant feed.
	ErrUnknownFormat = errors.New("feedfile: unknown format")
	// ErrDuplicateColumn: two columns hold the same Dropline field.
	ErrDuplicateColumn = errors.New("feedfile: duplicate column")
	// ErrMapping: the Mapping names a column the file lacks or an unknown field.
	ErrMapping = errors.New("feedfile: bad mapping")
	// ErrNeedsMapping: the columns match no format with confidence, so the
	// user must say which column holds what; GuessMapping suggests a Mapping.
	ErrNeedsMapping = errors.New("feedfile: needs a column mapping")
)

func fileErr(line int, kind error, format string, args ...any) *FileError {
	return &FileError{Line: line, Message: fmt.Sprintf(format, args...), Err: kind}
}

// headSize is how much of the file is sniffed to detect its format.
const headSize = 16 << 10

// Reader reads rows from a feed file. It is not safe for concurrent use.
type Reader struct {
	format Format
	delim  rune
	header []string // trimmed; nil for XML

	cr    *csv.Reader
	extra int // line breaks inside cells of records read so far
	xr    *xmlSource

	cols    cols
	ignored []string
	seen    map[string]int // SKU → Line of its first usable row
	err     error          // sticky: io.EOF or the first file-level error

	opt   Options
	stats stats

	lastHTML, lastText string // the last description and its text

	shop shopifyState
	woo  wooState
	mag  magentoState
	bc   bigCommerceState
	amz  amazonState

	// queue holds rows a format held back and has now released, returned
	// before any further row is read.
	queue []build
}

// NewReader reads the file's header (or, for XML, its start) and returns a
// Reader positioned at the first row. File-level problems are returned as a
// *FileError; an error from r itself is returned as it is.
func NewReader(r io.Reader, opt Options) (*Reader, error) {
	if err := checkOptions(&opt); err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(r, headSize)
	head, err := br.Peek(headSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull && len(head) == 0 {
		return nil, err
	}
	kind, delim, ferr := sniff(head, opt.Delimiter)
	if ferr != nil {
		return nil, ferr
	}
	format := opt.Format
	if format == FormatGoogleXML || (format == "" && kind == kindXML) {
		if format == "" {
			if !looksGoogleXML(head) {
				return nil, fileErr(0, ErrUnknownFormat, "This XML file is not a Google Merchant feed (RSS 2.0 or Atom with the g: namespace).")
			}
		}
		skipBOM(br)
		return &Reader{format: FormatGoogleXML, xr: newXMLSource(br), seen: map[string]int{}, opt: opt}, nil
	}
	if kind == kindXML {
		return nil, fileErr(0, ErrUnknownFormat, "This file is XML, not a CSV or TSV file.")
	}
	rd := &Reader{format: format, delim: delim, seen: map[string]int{}, opt: opt}
	rd.cr = newCSV(br, head, delim)
	if err := rd.readHeader(); err != nil {
		return nil, err
	}
	if rd.format == "" {
		rd.format = classify(rd.header)
	}
	if err := rd.resolve(opt.Mapping); err != nil {
		return nil, err
	}
	return rd, nil
}

func checkOptions(opt *Options) error {
	switch opt.Format {
	case "":
		if opt.Mapping != nil {
			opt.Format = FormatMapped
		}
	case FormatDropline, FormatShopify, FormatGoogleTSV, FormatGoogleXML, FormatWooCommerce,
		FormatMagento, FormatBigCommerce, FormatAmazonTemplate, FormatAmazonListings, FormatAmazonPriceQuantity:
		if opt.Mapping != nil {
			return fmt.Errorf("feedfile: a Mapping is only used with FormatMapped, not %q", opt.Format)
		}
	case FormatMapped:
		if opt.Mapping == nil {
			return errors.New("feedfile: FormatMapped needs a Mapping")
		}
	default:
		return fmt.Errorf("feedfile: unknown format %q", opt.Format)
	}
	switch opt.Delimiter {
	case 0, ',', ';', '\t', '|':
	default:
		return fmt.Errorf("feedfile: unsupported delimiter %q (use ',', ';', tab or '|')", opt.Delimiter)
	}
	return nil
}

// Format returns the file's format, as given in Options or detected.
func (r *Reader) Format() Format { return r.format }

// Header returns a copy of the file's column headers (CSV/TSV), trimmed of
// surrounding spaces; nil for XML.
func (r *Reader) Header() []string {
	if r.header == nil {
		return nil
	}
	return append([]string(nil), r.header...)
}

// Delimiter returns the cell delimiter in use (0 for XML).
func (r *Reader) Delimiter() rune { return r.delim }

// Ignored returns the headers of the columns the format does not use, in file
// order, so a user can be told what was not imported. For XML it lists the
// item elements read so far that no field comes from (e.g. g:shipping).
func (r *Reader) Ignored() []string {
	if r.xr != nil {
		return append([]string(nil), r.xr.unknown...)
	}
	return append([]string(nil), r.ignored...)
}

// Next returns the next row.
//
//   - A usable row comes with err == nil and possibly some RowErrors about
//     fields that were left unset (e.g. a negative quantity).
//   - A row that cannot be used (no SKU, SKU already seen, cells out of
//     line) comes with err == nil, at least one RowError, and Row.SKU == ""
//     (only Row.Line is set): count it and skip it.
//   - Rows that are not products (Shopify image-only rows, WooCommerce
//     variable/grouped parents, Magento configurable products and
//     store-view rows, BigCommerce products with variants and rules, Amazon
//     parents, fully blank rows) are skipped silently.
//   - Rows come in file order, except that a Magento child held back until
//     its configurable product comes is returned after the rows before it:
//     Row.Line says where each came from.
//   - At the end Next returns io.EOF; a problem with the file as a whole
//     (bad encoding, broken quoting or XML) returns a *FileError. Either is
//     returned again by every later call.
func (r *Reader) Next() (row Row, errs []RowError, err error) {
	if r.err != nil {
		return Row{}, nil, r.err
	}
	for {
		var b build
		var ok bool
		switch {
		case len(r.queue) > 0:
			b, ok = r.queue[0], true
			r.queue[0] = build{}
			r.queue = r.queue[1:]
		case r.xr != nil:
			ok, err = r.nextXML(&b)
		default:
			ok, err = r.nextCSV(&b)
			if ok && r.queueBehindHeld(b) {
				continue
			}
		}
		if err == io.EOF && r.flushHeld() {
			err = nil
			continue
		}
		if err != nil {
			r.err = err
			return Row{}, nil, err
		}
		if !ok {
			continue
		}
		if !b.fatal {
			r.checkDuplicate(&b)
		}
		if b.fatal {
			for i := range b.errs {
				b.errs[i].Skipped = true
			}
			r.stats.skipped++
			return Row{Line: b.row.Line}, b.errs, nil
		}
		r.settle(&b)
		r.stats.count(&b.row)
		return b.row, b.errs, nil
	}
}

// flushHeld queues, at the end of the file, the rows a format still holds
// back, and reports whether there were any.
func (r *Reader) flushHeld() bool {
	r.flushMagento()
	r.flushBigCommerce()
	return len(r.queue) > 0
}

func (r *Reader) checkDuplicate(b *build) {
	if first, dup := r.seen[b.row.SKU]; dup {
		b.fail(r.skuColumn(), fmt.Sprintf("SKU %q appears again; first on line %d", b.row.SKU, first))
		return
	}
	// Clone: the SKU is a substring of the whole record's text.
	r.seen[strings.Clone(b.row.SKU)] = b.row.Line
}

func (r *Reader) skuColumn() string {
	if r.xr != nil {
		return "id"
	}
	return r.colName(r.cols.f[fSKU])
}

// build collects one row and its problems.
type build struct {
	row   Row
	errs  []RowError
	fatal bool
}

func (b *build) warn(col, msg string) {
	b.errs = append(b.errs, RowError{Line: b.row.Line, Column: col, Message: msg})
}

func (b *build) fail(col, msg string) {
	b.warn(col, msg)
	b.fatal = true
}
