package migrations

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
)

// versions are the numbered files of a history, by version prefix.
func versions(t *testing.T, fsys fs.FS, dir string) []string {
	t.Helper()
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if n := e.Name(); !e.IsDir() && (strings.HasSuffix(n, ".sql") || strings.HasSuffix(n, ".go")) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// TestBothEnginesHaveTheSameHistory: every version SQLite has, PostgreSQL
// has under the same name (16 is Go on SQLite, SQL on PostgreSQL), so a
// migration is never written for one engine only.
func TestBothEnginesHaveTheSameHistory(t *testing.T) {
	strip := func(names []string) []string {
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = strings.TrimSuffix(strings.TrimSuffix(n, ".sql"), ".go")
		}
		return out
	}
	sqlite := strip(versions(t, FS, "."))
	postgres := strip(versions(t, Postgres, "postgres"))
	if !slices.Equal(sqlite, postgres) {
		t.Fatalf("the histories differ:\nSQLite     %v\nPostgreSQL %v", sqlite, postgres)
	}
	if len(sqlite) < 27 {
		t.Fatalf("only %d migrations found", len(sqlite))
	}
}
