package main

import (
	"errors"
	"fmt"
	"github.com/dropline/dropline/store/storetest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to make the target database

	"github.com/dropline/dropline/store"
)

// copyTarget is a new, empty PostgreSQL database on the server
// DROPLINE_TEST_POSTGRES names, dropped when the test ends. Without a
// server the test skips, except on CI, where it fails.
func copyTarget(t *testing.T) string {
	t.Helper()
	return storetest.EmptyPostgres(t)
}

// A seeded installation, copied by the command: every table's count on
// both sides, check passing, and `dropline check` on the target after.
func TestCLICopySeededDatabase(t *testing.T) {
	target := copyTarget(t)
	db := filepath.Join(t.TempDir(), "seeded.db")
	if _, err := cli(t, nil, "seed", "--db", db, "--orders", "300", "--products", "60"); err != nil {
		t.Fatal(err)
	}
	out, err := cli(t, nil, "copy", "--from", db, "--to", target)
	if err != nil {
		t.Fatalf("copy: %v %v", out, err)
	}
	if out["check"] != "ok" || out["rows"].(float64) == 0 || out["to"] != target {
		t.Fatalf("copy output %v", out)
	}
	tables := out["tables"].([]any)
	seen := map[string]float64{}
	for _, x := range tables {
		tb := x.(map[string]any)
		if tb["source_rows"] != tb["target_rows"] {
			t.Errorf("table %v: %v", tb["table"], tb)
		}
		seen[tb["table"].(string)] = tb["target_rows"].(float64)
	}
	if seen["orders"] != 300 || seen["purchase_orders"] == 0 || seen["shipments"] == 0 || seen["accounts"] == 0 {
		t.Fatalf("copied %v", seen)
	}
	if c, err := cli(t, nil, "check", "--db", target); err != nil || c["ok"] != true {
		t.Fatalf("check on the target: %v %v", c, err)
	}
	// A second copy is refused: the target has data now.
	again, err := cli(t, nil, "copy", "--from", db, "--to", target)
	if !errors.Is(err, store.ErrCopyTargetNotEmpty) || !strings.Contains(fmt.Sprint(again["error"]), "already has data") {
		t.Fatalf("second copy: %v %v", again, err)
	}
}

func TestCLICopyRefusals(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "src.db")
	if _, err := cli(t, nil, "migrate", "--db", db); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.db")
	other := filepath.Join(dir, "other.db")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"copy", "--from", db}, "missing --to"},
		{[]string{"copy", "--to", "postgres://u@localhost/db"}, "missing --from"},
		{[]string{"copy", "--from", db, "--to", other}, "--to must be a postgres:// URL"},
		{[]string{"copy", "--from", "postgres://u@localhost/a", "--to", "postgres://u@localhost/b"}, "--from must be a SQLite database file"},
		{[]string{"copy", "--from", missing, "--to", "postgres://u@localhost/db"}, "no such file"},
		{[]string{"copy", "--from", dir, "--to", "postgres://u@localhost/db"}, "is a directory"},
	}
	for _, c := range cases {
		out, err := cli(t, nil, c.args...)
		if err == nil || !strings.Contains(fmt.Sprint(out["error"]), c.want) {
			t.Errorf("dropline %s: %v, %v; want an error saying %q", strings.Join(c.args, " "), out, err, c.want)
		}
	}
	// A server on the file: the copy waits for nothing, it refuses.
	lock, err := lockDB(db)
	if err != nil {
		t.Fatal(err)
	}
	out, err := cli(t, nil, "copy", "--from", db, "--to", "postgres://u@localhost/db")
	lock.Close()
	if err == nil || !strings.Contains(fmt.Sprint(out["error"]), "a dropline is serving "+db) {
		t.Errorf("copy of a file being served: %v, %v", out, err)
	}
	for _, f := range []string{missing, other} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("a refused copy made %s", f)
		}
	}
}

// backup on PostgreSQL fails, and says what to do instead, without
// connecting and without repeating the password.
func TestCLIBackupOnPostgresSaysPgDump(t *testing.T) {
	dsn := "postgres://dropline:s3cret@db.invalid:5432/dropline"
	for _, args := range [][]string{
		{"backup", "--db", dsn, "--out", filepath.Join(t.TempDir(), "x.db")},
		{"backup", "--db", dsn},
	} {
		out, err := cli(t, nil, args...)
		if !errors.Is(err, store.ErrPostgresBackup) {
			t.Fatalf("dropline %s: %v, want the PostgreSQL backup error", strings.Join(args, " "), err)
		}
		msg := fmt.Sprint(out["error"])
		for _, want := range []string{"pg_dump --format=custom", "pg_restore", "postgres://dropline@db.invalid:5432/dropline", "README"} {
			if !strings.Contains(msg, want) {
				t.Errorf("backup on PostgreSQL says %q, without %q", msg, want)
			}
		}
		if strings.Contains(msg, "s3cret") {
			t.Errorf("backup on PostgreSQL repeats the password: %q", msg)
		}
	}
}
