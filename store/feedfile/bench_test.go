package feedfile

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// droplineCSV builds an n-row Dropline file in memory.
func droplineCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("sku,title,options,gtin,mpn,cost,price,quantity,lead_time_days,url,image_url,description,tags,active\r\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "SKU-%06d,Product %d,Color: Red / Size: M,0012345678905,MPN-%d,6.50,19.99,%d,3,https://example.com/p/%d,https://example.com/i/%d.jpg,\"Soft, durable and warm.\",apparel|tees,true\r\n",
			i, i, i, i%100, i, i)
	}
	return b.Bytes()
}

func BenchmarkReadDropline100k(b *testing.B) {
	const n = 100_000
	data := droplineCSV(n)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data), Options{})
		if err != nil {
			b.Fatal(err)
		}
		rows := 0
		for {
			row, errs, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil || len(errs) != 0 || !row.Usable() {
				b.Fatalf("row %d: %+v %v %v", rows, row, errs, err)
			}
			rows++
		}
		if rows != n {
			b.Fatalf("read %d rows, want %d", rows, n)
		}
	}
}
