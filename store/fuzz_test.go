package store

// Internal fuzz targets for the two upload parsers of this package that sit
// in front of the database: the bulk tracking CSV (readTrackingCSV) and the
// catalog import / inventory update (feedfile rows merged onto products).

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dropline/dropline/store/feedfile"
)

// fuzzFixtures is the shared folder of real third-party files, read in place
// (never copied into the repository); seeds from it are skipped when absent.
var fuzzFixtures = filepath.Join("..", "..", "shared", "fixtures")

// addFixtureSeeds adds each named fixture file that exists as a seed.
func addFixtureSeeds(f *testing.F, add func([]byte), names ...string) {
	for _, name := range names {
		if b, err := os.ReadFile(filepath.Join(fuzzFixtures, name)); err == nil {
			add(b)
		}
	}
}

var csvLineMsg = regexp.MustCompile(`^Line (\d+) `)

// FuzzReadTrackingCSV checks readTrackingCSV, for any upload:
//   - a refused file is a ValidationError on "file" alone, with a message,
//     and "Line N" in a message names a line N >= 1 of the file;
//   - an accepted file has 1 to 100,000 rows, lines strictly increasing from
//     2, cells trimmed, no row blank, no Error set;
//   - writing the rows back as a tracking CSV and reading that gives the same
//     cells, row for row (the parse of valid output re-parses the same).
func FuzzReadTrackingCSV(f *testing.F) {
	seeds := []string{
		TrackingTemplate("2026-11-21"),
		"\xef\xbb\xbfpo_number;carrier;tracking_number;ship_date;extended_field;sku;quantity\r\n" +
			"PO-000123;ups;1Z 999 AA1 01 2345 6784;2026-11-21;;A-1;1\r\nPO-000123;UPS;1z999aa10123456784;2026-11-21;;A-2;1\r\n" +
			"PO-000124;United Parcel Service;1Z999AA10123456784;2026-11-21;;;\r\n;;;;;;\r\nPO-000125;fedex;123456789012;21/11/2026;;;\r\n",
		"PO_Number , Carrier,Tracking_Number,Ship_Date,Merchant\nPO-1,usps,\"9400 1000 0000 0000 0000 00\",2026-01-02,Acme Co\n\n,,,,\nPO-2,dhl,\"multi\nline\",x,\n",
		"po_number,carrier,tracking_number,ship_date\nPO-1,ups,\"1Z\"x,2026-01-02\n",
		"po_number,carrier,tracking_number,ship_date\n",
		"po_number,carrier\nX,ups\n",
		"\xff\xfe",
		"",
		"po_number,carrier,tracking_number,ship_date,sku,quantity\nPO-1,ups,1Z999AA10123456784,2026-01-02,SKU,1,extra,cells\nPO-1\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rows, err := readTrackingCSV(body)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields["file"] == "" {
				t.Fatalf("error %v (%T), want a ValidationError on file alone", err, err)
			}
			if rows != nil {
				t.Fatalf("error %v with %d rows", err, len(rows))
			}
			if m := csvLineMsg.FindStringSubmatch(ve.Fields["file"]); m != nil {
				if n, _ := strconv.Atoi(m[1]); n < 1 || n > bytes.Count(body, []byte("\n"))+bytes.Count(body, []byte("\r"))+1 {
					t.Fatalf("message %q names line %d of a file of %d bytes", ve.Fields["file"], n, len(body))
				}
			}
			return
		}
		if len(rows) == 0 || len(rows) > 100000 {
			t.Fatalf("%d rows without an error", len(rows))
		}
		// Without quotes, each row is one line of the file: the one its Line
		// names, counting every line, blank ones too.
		var fileLines []string
		if !bytes.ContainsRune(body, '"') {
			fileLines = strings.Split(string(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))), "\n")
		}
		last := 1
		for _, r := range rows {
			if r.Line <= last {
				t.Fatalf("row on line %d after line %d", r.Line, last)
			}
			last = r.Line
			if fileLines != nil {
				if r.Line > len(fileLines) {
					t.Fatalf("row on line %d of a file of %d lines", r.Line, len(fileLines))
				}
				text := strings.TrimSuffix(fileLines[r.Line-1], "\r")
				if !slices.Equal(strings.Split(text, ","), r.Raw) && !slices.Equal(strings.Split(text, ";"), r.Raw) {
					t.Fatalf("row %q on line %d, which reads %q", r.Raw, r.Line, text)
				}
			}
			if r.Error != "" {
				t.Fatalf("line %d: parsing set Error %q", r.Line, r.Error)
			}
			if strings.TrimSpace(strings.Join(r.Raw, "")) == "" {
				t.Fatalf("line %d: blank row returned: %q", r.Line, r.Raw)
			}
			for _, c := range trackingCells(r) {
				if c != strings.TrimSpace(c) {
					t.Fatalf("line %d: cell %q is not trimmed", r.Line, c)
				}
			}
		}

		// Round trip: the known columns, plus one that keeps the row non-blank
		// as its unknown cells did.
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		_ = w.Write(append(append([]string{}, TrackingColumns...), "rest"))
		for _, r := range rows {
			_ = w.Write(append(trackingCells(r), strings.Join(r.Raw, " ")))
		}
		w.Flush()
		again, err := readTrackingCSV(buf.Bytes())
		if err != nil {
			t.Fatalf("the rows written back do not read: %v\n%s", err, buf.Bytes())
		}
		if len(again) != len(rows) {
			t.Fatalf("%d rows written back read as %d", len(rows), len(again))
		}
		for i := range rows {
			if a, b := trackingCells(rows[i]), trackingCells(again[i]); !reflect.DeepEqual(a, b) {
				t.Fatalf("line %d: %q written back reads as %q", rows[i].Line, a, b)
			}
		}
	})
}

// trackingCells returns a row's cells in TrackingColumns order.
func trackingCells(r TrackingRow) []string {
	return []string{r.PONumber, r.Carrier, r.TrackingNumber, r.ShipDate, r.ExtendedField, r.SKU, r.Quantity, r.Merchant}
}

// fuzzExisting is the product a row lands on when the fuzzer picks an
// existing product.
var fuzzExisting = Product{
	ID: 7, AccountID: 1, Title: "Classic T-Shirt", Options: "Color: Red / Size: M", GTIN: "0012345678905", MPN: "CT-100",
	CostCents: 650, HasCost: true, PriceCents: 1999, HasPrice: true, Currency: "USD", Quantity: 25, LeadTimeDays: 3,
	URL: "https://example.com/tee", ImageURL: "https://example.com/tee-red.jpg", Description: "Soft cotton tee.",
	Tags: []string{"apparel", "tees"}, Active: true,
}

// stored is the product the database holds after saving in (SaveProduct and
// ApplyImport write the same columns; tags go through joinTags/splitTags).
func stored(in ProductInput) Product {
	return Product{ID: 7, AccountID: 1, SKU: in.SKU, Title: in.Title, Options: in.Options, GTIN: in.GTIN, MPN: in.MPN,
		CostCents: in.CostCents, HasCost: in.HasCost, PriceCents: in.PriceCents, HasPrice: in.HasPrice, Currency: "USD",
		Quantity: in.Quantity, LeadTimeDays: in.LeadTimeDays, URL: in.URL, ImageURL: in.ImageURL, Description: in.Description,
		Tags: splitTags(joinTags(in.Tags)), Active: in.Active, GroupKey: in.GroupKey, SalePriceCents: in.SalePriceCents, HasSalePrice: in.HasSalePrice}
}

// FuzzImportRows checks the catalog import and the inventory update without
// the database: each usable row of a feed file is merged onto no product or
// an existing one (merged, as PreviewImport and ApplyImport do) and validated.
//   - merged keeps the row's SKU; an inventory update changes only quantity
//     and cost;
//   - Validate refuses only with a *ValidationError carrying at least one
//     field message (PreviewImport lists them);
//   - what Validate accepts satisfies the products table's CHECKs (no
//     negative money, quantity or lead time) and the catalog's limits;
//   - importing the same row again onto what was saved changes nothing
//     (a second upload of a file previews as "unchanged").
func FuzzImportRows(f *testing.F) {
	seeds := []string{
		feedfile.Template(),
		"sku,quantity,cost\nTEE-RED-M,40,6.75\nMUG-11OZ,0,\nNOPE,-1,x\n",
		"SKU,Title,Price,Quantity,Tags,Active,Lead Time Days,URL\n A ,  Alpha  ,\"1,299.00\",3,a|b|A, yes ,400,ftp://x\nB,Beta,-5,1.5,,maybe,2,https://example.com/b\n",
		"Handle,Title,Variant SKU,Variant Price,Variant Inventory Qty,Cost per item,Variant Barcode,Tags,Status\n" +
			"tee,Tee,TEE-1,19.99,5,6.50,3.65275E+11,\"a, b\",active\ntee,,TEE-2,20,0,,012345678905,,draft\n",
		"id\ttitle\tprice\tavailability\tlink\timage_link\tgtin\nG1\tGoogle thing\t15.00 USD\tin stock\thttps://example.com/g\thttps://example.com/g.jpg\t0012345678905\n",
		"<rss xmlns:g=\"http://base.google.com/ns/1.0\"><channel><item><g:id>X1</g:id><g:title> T </g:title><g:price>5.00 USD</g:price></item></channel></rss>",
	}
	for i, s := range seeds {
		f.Add([]byte(s), i%2 == 1, i%3 == 0)
	}
	addFixtureSeeds(f, func(b []byte) { f.Add(b, false, false) },
		"shopify_product_csv_template/product_template_current.csv",
		"shopify_product_csv_template/product_template_excel_mangled.csv",
		"google_merchant_feed_example/celebird_rss2_variants_apparel_upi.xml",
		"classic_commerce_woocommerce_csv/importer_test_sample.csv")
	f.Fuzz(func(t *testing.T, data []byte, inventory, onExisting bool) {
		fr, err := feedfile.NewReader(bytes.NewReader(data), feedfile.Options{})
		if err != nil {
			return
		}
		kind := ImportCatalog
		if inventory {
			kind = ImportInventory
		}
		for calls := 0; calls <= len(data); calls++ {
			row, errs, err := fr.Next()
			if err != nil {
				return
			}
			if !row.Usable() || len(errs) > 0 {
				continue // walkImport skips these
			}
			var existing *Product
			if onExisting {
				p := fuzzExisting
				p.SKU = row.SKU
				existing = &p
			} else if kind == ImportInventory {
				continue // walkImport refuses an unknown SKU
			}
			in, _ := merged(kind, importRow{row: row, existing: existing})
			if in.SKU != row.SKU {
				t.Fatalf("merged SKU %q from row SKU %q", in.SKU, row.SKU)
			}
			if kind == ImportInventory {
				want := stored(in)
				want.Quantity, want.CostCents, want.HasCost = fuzzExisting.Quantity, fuzzExisting.CostCents, fuzzExisting.HasCost
				if base := *existing; !reflect.DeepEqual(want, base) {
					t.Fatalf("inventory update changed more than quantity and cost:\n%+v\nfrom %+v", want, base)
				}
			}
			err = in.Validate()
			if err != nil {
				var ve *ValidationError
				if !errors.As(err, &ve) || len(ve.Fields) == 0 {
					t.Fatalf("Validate error %v (%T), want a *ValidationError with fields", err, err)
				}
				for field, msg := range ve.Fields {
					if field == "" || msg == "" {
						t.Fatalf("Validate error with field %q, message %q", field, msg)
					}
				}
				continue
			}
			if in.Quantity < 0 || in.LeadTimeDays < 0 || in.LeadTimeDays > MaxLeadTimeDays ||
				(in.HasCost && in.CostCents < 0) || (in.HasPrice && in.PriceCents < 0) ||
				in.SKU == "" || len(in.SKU) > 100 || strings.ContainsAny(in.SKU, "\r\n\t") || len(in.Description) > 20000 {
				t.Fatalf("Validate accepted %+v", in)
			}
			saved := stored(in)
			again, changes := merged(kind, importRow{row: row, existing: &saved})
			if len(changes) > 0 {
				t.Fatalf("importing line %d again onto what it saved changes %q", row.Line, changes)
			}
			if err := again.Validate(); err != nil {
				t.Fatalf("line %d: saved product fails Validate on re-import: %v", row.Line, err)
			}
		}
	})
}
