package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

func TestSeedXfer2(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	mk := func(name string) string {
		p := filepath.Join(dir, name)
		db, err := Open(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		db.Close()
		return p
	}
	src, dst := mk("src.db"), mk("dst.db")
	db, _ := sql.Open("sqlite", "file:"+dst+"?_pragma=foreign_keys(0)")
	db.SetMaxOpenConns(1)
	conn, _ := db.Conn(ctx)
	defer db.Close()
	if _, err := conn.ExecContext(ctx, "ATTACH ? AS src", src); err != nil {
		t.Fatal(err)
	}
	for _, tab := range append(seedBulkTables, "audit_log") {
		rows, err := conn.QueryContext(ctx, "EXPLAIN INSERT INTO main."+tab+" SELECT * FROM src."+tab)
		if err != nil {
			t.Fatal(err)
		}
		xfer := false
		for rows.Next() {
			var addr, p1, p2, p3 int
			var op string
			var p4, p5, c any
			rows.Scan(&addr, &op, &p1, &p2, &p3, &p4, &p5, &c)
			xfer = xfer || op == "RowData" || op == "RowCell"
		}
		rows.Close()
		t.Log(tab, "xfer:", xfer)
	}
}
