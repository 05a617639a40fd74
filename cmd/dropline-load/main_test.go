package main

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"
)

// A small run end to end: seed, serve on 127.0.0.1, sign in, load, search, dropship, bulk tracking.
func TestLoadSmall(t *testing.T) {
	dir := t.TempDir()
	c := config{orders: 3000, products: 90, db: filepath.Join(dir, "load.db"), duration: 500 * time.Millisecond, conns: 4, searchN: 10, dropshipN: 3, trackingRows: 20}
	out, err := run(context.Background(), c, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"order_list", "search_order_number", "search_sku", "dropship_api"} {
		s, ok := out[k].(stats)
		if !ok || s.Requests == 0 || len(s.Errors) != 0 || s.Note != "" {
			t.Errorf("%s: %+v", k, out[k])
		}
	}
	b, _ := out["bulk_tracking"].(map[string]any)
	for _, k := range []string{"preview", "apply"} {
		p, _ := b[k].(map[string]any)
		if p == nil || p["shipments"] != b["rows"] || p["errors"] != 0 {
			t.Errorf("bulk tracking %s: %v", k, b)
		}
	}
	if out["seeded"] != true || out["peak_rss_mb"].(int) <= 0 {
		t.Errorf("output %v", out)
	}
	// A second run reuses the seeded database and its logins.
	c.dropshipN = 0
	out, err = run(context.Background(), c, io.Discard)
	if err != nil || out["seeded"] != false {
		t.Fatalf("second run: %v %v", out["seeded"], err)
	}
}
