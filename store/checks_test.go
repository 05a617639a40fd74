package store_test

import (
	"context"
	"database/sql"
	"github.com/dropline/dropline/store/storetest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// checkList is a CHECK that allows a list of three or more values, which
// SQLite checks by building a temporary table on every statement; chain is
// the same list spelled as equalities (migration 16).
var (
	checkList  = regexp.MustCompile(`CHECK \((\w+) IN \('[^']*'(?:, '[^']*'){2,}\)\)`)
	checkChain = regexp.MustCompile(`CHECK \((\w+) = '[^']*'(?: OR \w+ = '[^']*')+\)`)
)

// tableDefs is every table's definition, by name, as conn reads it.
func tableDefs(t *testing.T, conn *sql.DB) map[string]string {
	t.Helper()
	rows, err := conn.Query("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND sql IS NOT NULL")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	defs := map[string]string{}
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			t.Fatal(err)
		}
		defs[name] = def
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return defs
}

// openAt15 is a store migrated up to 15, the version before the chains,
// and a connection of its own to it, which reads the schema before
// migration 16 does.
func openAt15(t *testing.T) (*store.DB, *sql.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "checks.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.MigrateTo(ctx, 15); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite", "file:"+db.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	other.SetMaxOpenConns(1)
	return db, other
}

func TestCheckListsAreChainsUpAndDown(t *testing.T) {
	ctx := context.Background()
	db, other := openAt15(t)
	before := tableDefs(t, other)
	db.PasswordCost = bcrypt.MinCost
	if _, _, err := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Checks", Kind: store.KindMerchant}, "c@example.com", pw); err != nil {
		t.Fatal(err)
	}
	wrongKind := func() string {
		_, err := other.Exec("UPDATE accounts SET kind = 'wholesaler'")
		if err == nil {
			t.Fatal("an account's kind took 'wholesaler'")
		}
		return err.Error()
	}
	if msg := wrongKind(); !strings.Contains(msg, "kind IN ('merchant', 'supplier', 'both')") {
		t.Fatalf("before 16: %s", msg)
	}

	if err := db.MigrateTo(ctx, 16); err != nil {
		t.Fatal(err)
	}
	// The other connection reads the new definition: the schema version moved.
	if msg := wrongKind(); !strings.Contains(msg, "kind = 'merchant' OR kind = 'supplier' OR kind = 'both'") {
		t.Fatalf("after 16: %s", msg)
	}
	after := tableDefs(t, other)
	chains := 0
	for name, def := range after {
		if m := checkList.FindString(def); m != "" {
			t.Errorf("table %s still checks a list: %s", name, m)
		}
		chains += len(checkChain.FindAllString(def, -1))
		// Nothing but the constraints changed.
		if undone := checkChain.ReplaceAllStringFunc(def, unchain); undone != before[name] {
			t.Errorf("table %s:\nafter 16 and undone: %s\nbefore 16:           %s", name, undone, before[name])
		}
	}
	if chains != 13 {
		t.Errorf("%d chains after 16, want 13", chains)
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}

	// Down puts back the text as it was, byte for byte; up again, and on to
	// the newest, still holds no list.
	if err := db.MigrateTo(ctx, 15); err != nil {
		t.Fatal(err)
	}
	for name, def := range tableDefs(t, other) {
		if def != before[name] {
			t.Errorf("table %s after down:\n%s\nwant\n%s", name, def, before[name])
		}
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for name, def := range tableDefs(t, other) {
		if m := checkList.FindString(def); m != "" {
			t.Errorf("newest schema: table %s checks a list: %s", name, m)
		}
	}
}

// unchain spells a chain as the list it was.
func unchain(chain string) string {
	m := regexp.MustCompile(`(\w+) = ('[^']*')`).FindAllStringSubmatch(chain, -1)
	values := make([]string, len(m))
	for i, v := range m {
		values[i] = v[2]
	}
	return "CHECK (" + m[0][1] + " IN (" + strings.Join(values, ", ") + "))"
}

// Every chain still refuses a value off its list, on a database with a row
// in each table a shipment writes.
func TestCheckChainsRefuseOtherValues(t *testing.T) {
	storetest.SkipOnPostgres(t, "migration 16 respells SQLite's CHECK lists; PostgreSQL keeps them as IN lists")
	w := newOrderWorld(t)
	po := w.poFor(t, "#CHK-1", orderfile.Line{SKU: "A-1", Quantity: 1})
	w.ship(t, po, "9400111899223100000001")
	conn, err := sql.Open("sqlite", "file:"+w.db.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tx, err := conn.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	probed := map[string]bool{}
	for name, def := range tableDefs(t, conn) {
		for _, m := range checkChain.FindAllStringSubmatch(def, -1) {
			column := m[1]
			var n int
			if err := tx.QueryRow("SELECT count(*) FROM " + name).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				continue
			}
			_, err := tx.Exec("UPDATE " + name + " SET " + column + " = 'not on the list'")
			if err == nil || !strings.Contains(err.Error(), "CHECK constraint failed: "+column+" = ") {
				t.Errorf("%s.%s = 'not on the list': %v, want its CHECK to fail", name, column, err)
			}
			probed[name+"."+column] = true
		}
	}
	for _, want := range []string{"accounts.kind", "vendor_links.state", "orders.tab", "purchase_orders.status", "purchase_orders.cancel_state",
		"po_lines.status", "outbox.kind", "outbox.state", "ledger_entries.kind", "supplier_tab_counts.tab", "feed_runs.state", "feeds.selection"} {
		if !probed[want] {
			t.Errorf("%s was not probed: no row, or no chain", want)
		}
	}
}

// Migration 16 stops, changing nothing, on a schema where a list is not
// as the earlier migrations wrote it.
func TestCheckListsMigrationStopsOnAnUnexpectedSchema(t *testing.T) {
	ctx := context.Background()
	db, other := openAt15(t)
	// Someone respelled one list by hand.
	var version int
	if err := other.QueryRow("PRAGMA schema_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"PRAGMA writable_schema = ON",
		`UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (kind IN (''merchant'', ''supplier'', ''both''))', 'CHECK (kind IN (''merchant'', ''supplier'', ''both'', ''agent''))')
			WHERE type = 'table' AND name = 'accounts'`,
		"PRAGMA schema_version = " + strconv.Itoa(version+1), "PRAGMA writable_schema = RESET"} {
		if _, err := other.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	before := tableDefs(t, other)
	_, err := db.Migrate(ctx)
	if err == nil || !strings.Contains(err.Error(), "table accounts") || !strings.Contains(err.Error(), "appears 0 times") {
		t.Fatalf("migrate = %v, want it to stop at the accounts table", err)
	}
	for name, def := range tableDefs(t, other) {
		if def != before[name] {
			t.Errorf("table %s changed:\n%s\nwas\n%s", name, def, before[name])
		}
	}
	// The store goes on writing.
	if _, _, err := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "After", Kind: store.KindMerchant}, "after@example.com", pw); err != nil {
		t.Fatal(err)
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
}
