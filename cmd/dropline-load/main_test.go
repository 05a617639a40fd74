package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dropline/dropline/store/storetest"
)

// A small run end to end: seed, serve on 127.0.0.1, sign in, load, search, dropship, bulk tracking.
func TestLoadSmall(t *testing.T) {
	dir := t.TempDir()
	c := config{orders: 3000, products: 90, db: filepath.Join(dir, "load.db"), duration: 500 * time.Millisecond, conns: 4, searchN: 10, dropshipN: 3, trackingAPIN: 3, trackingRows: 20}
	out, err := run(context.Background(), c, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"order_list", "search_order_number", "search_sku", "dropship_api", "tracking_api"} {
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
	c.dropshipN, c.trackingAPIN = 0, 0
	out, err = run(context.Background(), c, io.Discard)
	if err != nil || out["seeded"] != false {
		t.Fatalf("second run: %v %v", out["seeded"], err)
	}
}

// The same on PostgreSQL, when DROPLINE_TEST_POSTGRES names a server: a
// database of its own, seeded, loaded, and reused by a second run with the
// logins kept in the temporary directory.
func TestLoadSmallPostgres(t *testing.T) {
	server := os.Getenv(storetest.ServerEnv)
	if server == "" {
		t.Skip(storetest.ServerEnv + " names no PostgreSQL server")
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() }) // after the drop below: cleanups run last first
	name := fmt.Sprintf("dropline_test_load_%d", os.Getpid())
	if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	c := config{orders: 3000, products: 90, db: u.String(), logins: filepath.Join(t.TempDir(), "logins.json"), duration: 500 * time.Millisecond,
		conns: 4, searchN: 10, dropshipN: 3, trackingAPIN: 3, trackingRows: 20}
	out, err := run(ctx, c, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"order_list", "search_order_number", "search_sku", "dropship_api", "tracking_api"} {
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
	c.dropshipN, c.trackingAPIN = 0, 0
	out, err = run(ctx, c, io.Discard)
	if err != nil || out["seeded"] != false {
		t.Fatalf("second run: %v %v", out["seeded"], err)
	}
}

func TestDefaultLogins(t *testing.T) {
	for in, want := range map[string]string{
		"/tmp/seed.db": "/tmp/seed.db.seed.json",
		"postgres://postgres@127.0.0.1:5432/seed_1m":     filepath.Join(os.TempDir(), "dropline-load-seed_1m.seed.json"),
		"postgres://u:pw@db.example:6432/dl?sslmode=off": filepath.Join(os.TempDir(), "dropline-load-db.example-6432-dl.seed.json"),
	} {
		if got := defaultLogins(in); got != want {
			t.Errorf("defaultLogins(%q) = %q, want %q", in, got, want)
		}
	}
}
