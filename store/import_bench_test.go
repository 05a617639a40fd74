package store_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
)

// Issue 22's target: a 100,000-row Shopify export with variants previews and
// applies in under 5 s on a 2-core machine with under 200 MB RSS. Run with
//
//	go test ./store -run '^$' -bench ImportShopify100k -benchtime 3x
//
// Metrics: s/preview and s/apply are the wall times of Products → Import's
// two steps on an empty catalog (every row created), s/both their sum;
// peak-rss-MB is the largest resident set seen while they ran (the file is
// held in memory, as an upload is), base-rss-MB the resident set just before
// (the file generated, the database open), vmhwm-MB the process's peak.

// shopifyExport writes a Shopify product CSV export in the current layout:
// products of 4 variants (Color × Size), the product's first row carrying
// its title, HTML body, tags and options, and one image-only row per
// product, as Shopify exports them. rows counts variant rows.
func shopifyExport(rows int) []byte {
	var buf bytes.Buffer
	buf.Grow(rows * 330)
	buf.WriteString("Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Published,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value," +
		"Variant SKU,Variant Grams,Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory Policy,Variant Fulfillment Service,Variant Price,Variant Compare At Price," +
		"Variant Requires Shipping,Variant Taxable,Variant Barcode,Image Src,Image Position,Image Alt Text,Gift Card,SEO Title,SEO Description,Variant Image,Variant Weight Unit," +
		"Variant Tax Code,Cost per item,Status\n")
	colors := [2]string{"Black", "Sand"}
	sizes := [2]string{"M", "L"}
	for p := 0; p*4 < rows; p++ {
		handle := fmt.Sprintf("field-jacket-%06d", p)
		for v := 0; v < 4 && p*4+v < rows; v++ {
			i := p*4 + v
			gtin := gtin13(400638100000 + int64(i))
			if v == 0 {
				fmt.Fprintf(&buf, "%s,Field Jacket %d,\"<p>Waxed cotton <strong>field jacket</strong>, model %d.</p><ul><li>Four pockets</li><li>Corduroy collar</li></ul>\",Northwind,Apparel & Accessories > Clothing > Outerwear,Jackets,\"outerwear, cotton\",TRUE,Color,%s,Size,%s,,,FJ-%06d,1200,shopify,%d,deny,manual,189.00,229.00,TRUE,TRUE,%s,https://cdn.shopify.com/s/files/1/fj-%d.jpg,1,Field jacket,FALSE,Field Jacket %d,Waxed cotton jacket,,kg,,74.50,active\n",
					handle, p, p, colors[v/2], sizes[v%2], i, i%40, gtin, p, p)
			} else {
				fmt.Fprintf(&buf, "%s,,,,,,,,,%s,,%s,,,FJ-%06d,1200,shopify,%d,deny,manual,189.00,229.00,TRUE,TRUE,%s,,,,,,,,kg,,74.50,\n",
					handle, colors[v/2], sizes[v%2], i, i%40, gtin)
			}
		}
		fmt.Fprintf(&buf, "%s,,,,,,,,,,,,,,,,,,,,,,,,,https://cdn.shopify.com/s/files/1/fj-%d-back.jpg,2,Back,,,,,,,,\n", handle, p)
	}
	return buf.Bytes()
}

// gtin13 appends the GS1 check digit to a 12-digit number.
func gtin13(n int64) string {
	s := fmt.Sprintf("%012d", n)
	sum := 0
	for i := 0; i < 12; i++ {
		d := int(s[11-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return s + strconv.Itoa((10-sum%10)%10)
}

func BenchmarkImportShopify100k(b *testing.B) {
	const rows = 100_000
	body := shopifyExport(rows)
	b.ReportMetric(float64(len(body))/(1<<20), "file-MB")
	ctx := context.Background()
	var preview, apply time.Duration
	var mem memPeak
	var base uint64 // resident set before the import, the file and database open
	n := 0
	for b.Loop() {
		b.StopTimer()
		dir := filepath.Join(b.TempDir(), strconv.Itoa(n))
		if err := os.Mkdir(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		w := newBenchWorld(b, dir, "http://127.0.0.1:1/unused.csv")
		supplier := w.sup
		runtime.GC()
		base = max(base, procStatusKB("VmRSS")<<10)
		mem.start()
		b.StartTimer()
		start := time.Now()
		plan, err := w.db.PreviewImport(ctx, supplier.ID, store.ImportCatalog, body, store.DefaultImportOptions())
		if err != nil || plan.Create != rows || plan.ErrorRows != 0 {
			b.Fatalf("preview: %v, %d to create, %d rows skipped", err, plan.Create, plan.ErrorRows)
		}
		mid := time.Now()
		plan, err = w.db.ApplyImport(ctx, store.CLIActor, supplier.ID, store.ImportCatalog, body, store.DefaultImportOptions())
		if err != nil || plan.Create != rows {
			b.Fatalf("apply: %v, %d created", err, plan.Create)
		}
		end := time.Now()
		b.StopTimer()
		mem.end()
		preview += mid.Sub(start)
		apply += end.Sub(mid)
		n++
		w.db.Close()
		os.RemoveAll(dir)
		b.StartTimer()
	}
	const mb = 1 << 20
	b.ReportMetric(preview.Seconds()/float64(n), "s/preview")
	b.ReportMetric(apply.Seconds()/float64(n), "s/apply")
	b.ReportMetric((preview+apply).Seconds()/float64(n), "s/both")
	b.ReportMetric(float64(mem.rss)/mb, "peak-rss-MB")
	b.ReportMetric(float64(base)/mb, "base-rss-MB")
	b.ReportMetric(float64(mem.heap)/mb, "peak-heap-MB")
	b.ReportMetric(float64(procStatusKB("VmHWM"))/1024, "vmhwm-MB")
}
