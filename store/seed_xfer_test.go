package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSeedXfer(t *testing.T) {
	if os.Getenv("SEED_XFER") == "" {
		t.Skip()
	}
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "x.db")+"?_pragma=journal_mode(memory)&_pragma=synchronous(off)&_pragma=cache_size(-262144)&_pragma=foreign_keys(0)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	defer db.Close()
	conn, _ := db.Conn(ctx)
	defer conn.Close()
	var create string
	src, _ := sql.Open("sqlite", "file:/tmp/seed.db?mode=ro")
	src.QueryRow("SELECT sql FROM sqlite_master WHERE name = 'orders'").Scan(&create)
	src.Close()
	for _, q := range []string{create, "ATTACH 'file:/tmp/seed.db?mode=ro' AS src", "PRAGMA src.mmap_size = 2000000000",
		"CREATE INDEX orders_tab ON orders (account_id, tab, placed_at DESC, id DESC)", "BEGIN"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(q, err)
		}
	}
	rows, err := conn.QueryContext(ctx, "EXPLAIN INSERT INTO main.orders SELECT * FROM src.orders")
	if err != nil {
		t.Fatal(err)
	}
	cols, _ := rows.Columns()
	for rows.Next() {
		v := make([]any, len(cols))
		p := make([]any, len(cols))
		for i := range v {
			p[i] = &v[i]
		}
		rows.Scan(p...)
		t.Log(v[1], v[2], v[3], v[4], v[5])
	}
	rows.Close()
	t0 := time.Now()
	if _, err := conn.ExecContext(ctx, "INSERT INTO main.orders SELECT * FROM src.orders"); err != nil {
		t.Fatal(err)
	}
	t.Log("xfer", time.Since(t0))
	t0 = time.Now()
	conn.ExecContext(ctx, "COMMIT")
	t.Log("commit", time.Since(t0))
}
