package migrations

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/pressly/goose/v3"
)

// Migration 16 spells each CHECK that allows a list of three or more values
// as a chain of equalities: CHECK (status = 'open' OR status = 'shipped' OR
// ...) instead of CHECK (status IN ('open', 'shipped', ...)). The two allow
// the same values, but SQLite checks an IN list of three or more by building
// a temporary table of it, afresh for every statement that writes the
// column: 10,000 PO updates built 10,000 such tables, about a sixth of a
// bulk tracking file's save. Two values or fewer it compares one by one, as
// it does the chain.
//
// A constraint is text in the table's definition, not in its rows, so the
// migration edits the text in sqlite_schema (SQLite's procedure for changing
// a constraint without rebuilding the table: PRAGMA writable_schema, then a
// new schema version so that every connection reads the new text). Each
// list must appear exactly once in its table, as the earlier migrations
// wrote it: anything else stops the migration and changes nothing.
var checkLists = []struct {
	table, column string
	values        []string
}{
	{"accounts", "kind", []string{"merchant", "supplier", "both"}},
	{"vendor_links", "state", []string{"pending", "active", "paused", "ended"}},
	{"vendor_links", "requested_by", []string{"supplier", "merchant", "admin"}},
	{"feeds", "selection", []string{"all", "tag", "skus"}},
	{"feed_runs", "state", []string{"running", "succeeded", "failed", "held", "discarded"}},
	{"orders", "tab", []string{"needs_dropship", "dropshipped", "shipped", "exceptions", "other"}},
	{"purchase_orders", "status", []string{"open", "partially_shipped", "shipped", "delivered", "cancelled", "rejected"}},
	{"purchase_orders", "cancel_state", []string{"", "requested", "accepted", "declined"}},
	{"po_lines", "status", []string{"open", "shipped", "rejected", "cancelled"}},
	{"outbox", "kind", []string{"email", "webhook", "channel"}},
	{"outbox", "state", []string{"pending", "sent", "failed"}},
	{"ledger_entries", "kind", []string{"earning", "adjustment", "payout"}},
	{"supplier_tab_counts", "tab", []string{"all", "shipped", "exceptions", "to_acknowledge", "to_ship", "late", "due_today"}},
}

// Go is the migrations written in Go, for the store's goose provider.
var Go = []*goose.Migration{
	goose.NewGoMigration(16, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return respellChecks(ctx, tx, true) }},
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return respellChecks(ctx, tx, false) }}),
}

// checkIn and checkChain are a list's two spellings.
func checkIn(column string, values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "'" + v + "'"
	}
	return fmt.Sprintf("CHECK (%s IN (%s))", column, strings.Join(quoted, ", "))
}

func checkChain(column string, values []string) string {
	terms := make([]string, len(values))
	for i, v := range values {
		terms[i] = column + " = '" + v + "'"
	}
	return "CHECK (" + strings.Join(terms, " OR ") + ")"
}

// respellChecks turns each list into a chain (up) or back (down).
func respellChecks(ctx context.Context, tx *sql.Tx, up bool) (err error) {
	var version int64
	if err := tx.QueryRowContext(ctx, "PRAGMA schema_version").Scan(&version); err != nil {
		return err
	}
	tables := map[string]string{}
	for _, c := range checkLists {
		def, ok := tables[c.table]
		if !ok {
			if err := tx.QueryRowContext(ctx, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", c.table).Scan(&def); err != nil {
				return fmt.Errorf("table %s: %w", c.table, err)
			}
		}
		from, to := checkIn(c.column, c.values), checkChain(c.column, c.values)
		if !up {
			from, to = to, from
		}
		if n := strings.Count(def, from); n != 1 {
			return fmt.Errorf("table %s: %q appears %d times, want once", c.table, from, n)
		}
		tables[c.table] = strings.Replace(def, from, to, 1)
	}
	if _, err := tx.ExecContext(ctx, "PRAGMA writable_schema = ON"); err != nil {
		return err
	}
	defer func() {
		// RESET also makes this connection read the new definitions. It
		// runs even if ctx is done: writable_schema belongs to the
		// connection, not the transaction. (If database/sql has already
		// ended the transaction, the store resets the connection.)
		if _, rerr := tx.ExecContext(context.WithoutCancel(ctx), "PRAGMA writable_schema = RESET"); err == nil {
			err = rerr
		}
	}()
	for name, def := range tables {
		if _, err := tx.ExecContext(ctx, "UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?", def, name); err != nil {
			return fmt.Errorf("table %s: %w", name, err)
		}
	}
	_, err = tx.ExecContext(ctx, fmt.Sprintf("PRAGMA schema_version = %d", version+1))
	return err
}
