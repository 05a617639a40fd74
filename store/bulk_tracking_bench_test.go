package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// BenchmarkBulkTracking10k previews and applies a 10,000-row tracking file
// on a small database, with a custom carrier so every number is accepted as
// typed: one-po is 10,000 parcels of one unit against one large PO; pos is
// one parcel for each of 10,000 POs (each with its own order to settle).
func BenchmarkBulkTracking10k(b *testing.B) {
	b.Run("one-po", func(b *testing.B) { benchBulkTracking(b, 1) })
	b.Run("pos", func(b *testing.B) { benchBulkTracking(b, trackingRows) })
}

func benchBulkTracking(b *testing.B, pos int) {
	t := &testing.T{}
	var previewS, applyS, cpuS float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		w := newOrderWorld(t)
		ctx := context.Background()
		prov, err := w.db.AddLogisticsProvider(ctx, w.sActor, w.supplier.ID, "Bike Courier", "", "")
		if err != nil {
			b.Fatal(err)
		}
		numbers := make([]string, pos)
		for p := range pos {
			o := w.order(t, fmt.Sprintf("#BIG-%d", p), orderfile.Line{SKU: "A-1", Quantity: trackingRows / pos})
			res, err := w.db.Dropship(ctx, w.mActor, w.merchant.ID, o.ID, store.DropshipRequest{IdempotencyKey: fmt.Sprint("big-", p), Confirm: true, OverrideStock: true})
			if err != nil || len(res.POs) != 1 {
				b.Fatalf("dropship: %v", err)
			}
			numbers[p] = res.POs[0].PONumber
		}
		day := w.now.Format("2006-01-02")
		var file strings.Builder
		file.WriteString("po_number,carrier,tracking_number,ship_date,extended_field,sku,quantity\n")
		for n := 0; n < trackingRows; n++ {
			fmt.Fprintf(&file, "%s,%s,BC-%06d,%s,,A-1,1\n", numbers[n%pos], prov.Name, n, day)
		}
		body := []byte(file.String())
		b.StartTimer()
		cpu0 := cpuTime()
		start := time.Now()
		preview, err := w.db.BulkTracking(ctx, w.sActor, w.supplier.ID, body, false)
		if err != nil || preview.Shipments != trackingRows {
			b.Fatalf("preview: %d shipments, %d errors, %v", preview.Shipments, preview.Errors, err)
		}
		mid := time.Now()
		applied, err := w.db.BulkTracking(ctx, w.sActor, w.supplier.ID, body, true)
		if err != nil || applied.Shipments != trackingRows {
			b.Fatalf("apply: %d shipments, %v", applied.Shipments, err)
		}
		previewS += mid.Sub(start).Seconds()
		applyS += time.Since(mid).Seconds()
		cpuS += (cpuTime() - cpu0).Seconds()
		b.StopTimer()
		dropWorld(b, w)
	}
	// Means over the iterations, as ns/op is.
	b.ReportMetric(previewS/float64(b.N), "preview-s")
	b.ReportMetric(applyS/float64(b.N), "apply-s")
	b.ReportMetric(cpuS/float64(b.N), "cpu-s")
}

// trackingRows is the size of the benchmark's tracking file.
var trackingRows = 10000
