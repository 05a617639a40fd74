package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// CopyToPostgres moves an installation from SQLite to PostgreSQL (dropline
// copy): every row of every table of src, a SQLite store, into dst, a
// PostgreSQL store already migrated to the same version and holding no data.
//
// It is all or nothing. The source must be at the target's schema version
// and pass its own checks; it is read in one snapshot. The target is
// written in one transaction, which holds the store's write lock (a server
// already running on the target waits), and which is committed only after
// every check has passed on what it wrote: the row count and a digest of the
// content of each table equal on both sides, every identity sequence past
// the highest id SQLite ever gave, and the domain invariants that `dropline
// check` runs. Anything else rolls it back, leaving the target as it was.
//
// Rows go in by COPY, tables in foreign key order; the one cycle of the
// schema (an account's initial status is one of its own statuses) is
// closed by deferring that constraint to the end of the copy, made
// deferrable for the transaction only. Values are converted by the target
// column's type: SQLite's text times become timestamptz (to the
// microsecond, PostgreSQL's precision), blobs bytea, integers stay
// integers. The target is analyzed before its checks: rows that came by
// COPY have no statistics until autovacuum gets to them.
func CopyToPostgres(ctx context.Context, src, dst *DB, progress func(string)) (CopyReport, error) {
	started := time.Now()
	rep := CopyReport{From: src.path, To: dst.path, Tables: []CopyTable{}}
	if progress == nil {
		progress = func(string) {}
	}
	if src.pg {
		return rep, fmt.Errorf("store: copy: the source %s is PostgreSQL; copy moves a SQLite database to PostgreSQL, not back", src.path)
	}
	if !dst.pg {
		return rep, fmt.Errorf("store: copy: the target %s is not PostgreSQL (a postgres:// URL); copy moves a SQLite database to PostgreSQL", dst.path)
	}
	if err := src.copyVersionsMatch(ctx, dst, &rep); err != nil {
		return rep, err
	}
	if err := dst.CopyTargetEmpty(ctx); err != nil {
		return rep, err
	}
	progress("checking the source")
	t0 := time.Now()
	if err := src.CheckInvariants(ctx); err != nil {
		return rep, fmt.Errorf("store: copy: the source %s fails `dropline check`; put it right before copying: %w", src.path, err)
	}
	progress(fmt.Sprintf("the source passes `dropline check` (%.1fs)", time.Since(t0).Seconds()))

	// The source, in one snapshot.
	stx, err := src.read.BeginTx(ctx, src.snapshot())
	if err != nil {
		return rep, fmt.Errorf("store: copy: %w", err)
	}
	defer stx.Rollback()
	tables, err := sqliteTables(ctx, stx)
	if err != nil {
		return rep, fmt.Errorf("store: copy: read the source's tables: %w", err)
	}

	// The target, in one transaction on one connection: the store's SQL
	// through database/sql, and the same session's pgx connection for COPY.
	conn, err := dst.write.Conn(ctx)
	if err != nil {
		return rep, fmt.Errorf("store: copy: %w", err)
	}
	defer conn.Close()
	ttx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return rep, fmt.Errorf("store: copy: %w", err)
	}
	defer ttx.Rollback()
	if _, err := ttx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", WriteLockKey); err != nil {
		return rep, fmt.Errorf("store: copy: %w", err)
	}
	err = conn.Raw(func(dc any) error {
		pc, ok := dc.(*pgConn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		return copyTables(ctx, stx, pc.Conn.Conn(), tables, &rep, progress)
	})
	if err != nil {
		return rep, fmt.Errorf("store: copy to %s: %w", dst.path, err)
	}
	progress("checking the target")
	t0 = time.Now()
	if err := dst.checkRules(ctx, ttx, nil); err != nil {
		return rep, fmt.Errorf("store: copy to %s: the copy fails `dropline check`, nothing was written: %w", dst.path, err)
	}
	progress(fmt.Sprintf("the target passes `dropline check` (%.1fs)", time.Since(t0).Seconds()))
	t0 = time.Now()
	if err := ttx.Commit(); err != nil {
		return rep, fmt.Errorf("store: copy to %s: commit: %w", dst.path, err)
	}
	progress(fmt.Sprintf("committed (%.1fs)", time.Since(t0).Seconds()))
	rep.Seconds = time.Since(started).Seconds()
	if rep.Seconds > 0 {
		rep.RowsPerSecond = int64(float64(rep.Rows) / rep.Seconds)
	}
	return rep, nil
}

// ErrPostgresBackup is what backup says on PostgreSQL: use pg_dump and
// pg_restore.
var ErrPostgresBackup = errPostgresBackup

// CopyReport is what a copy did and checked.
type CopyReport struct {
	From          string      `json:"from"`
	To            string      `json:"to"`
	Version       int64       `json:"version"` // the schema version of both
	Tables        []CopyTable `json:"tables"`  // in the order copied
	Rows          int64       `json:"rows"`
	Sequences     int         `json:"sequences"` // identity sequences set past the highest id
	Seconds       float64     `json:"seconds"`
	RowsPerSecond int64       `json:"rows_per_second"`
}

// CopyTable is one table's copy: rows on each side, and the digest of its
// content (order-independent, times as UTC instants) computed from the
// values sent and again from the values the target holds.
type CopyTable struct {
	Name         string `json:"table"`
	SourceRows   int64  `json:"source_rows"`
	TargetRows   int64  `json:"target_rows"`
	SourceDigest string `json:"source_digest"`
	TargetDigest string `json:"target_digest"`

	copySeconds, readSeconds float64
}

// copyVersionsMatch refuses a source that is not at the schema version the
// target is, and a target not migrated to this build's newest.
func (src *DB) copyVersionsMatch(ctx context.Context, dst *DB, rep *CopyReport) error {
	if pending, err := src.Pending(ctx); err != nil {
		return fmt.Errorf("store: copy: %w", err)
	} else if pending {
		return fmt.Errorf("store: copy: the source %s has migrations waiting: run `dropline migrate --db %s` first, then copy", src.path, src.path)
	}
	if pending, err := dst.Pending(ctx); err != nil {
		return fmt.Errorf("store: copy: %w", err)
	} else if pending {
		return fmt.Errorf("store: copy: the target %s has migrations waiting: run `dropline migrate --db <target>` first", dst.path)
	}
	var sv, tv int64
	if err := src.read.QueryRowContext(ctx, "SELECT coalesce(max(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&sv); err != nil {
		return fmt.Errorf("store: copy: the source's schema version: %w", err)
	}
	if err := dst.read.QueryRowContext(ctx, "SELECT coalesce(max(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&tv); err != nil {
		return fmt.Errorf("store: copy: the target's schema version: %w", err)
	}
	if sv != tv {
		return fmt.Errorf("store: copy: the source %s is at schema version %d and the target at %d; both must be at this build's newest (a newer source needs a newer dropline)", src.path, sv, tv)
	}
	rep.Version = sv
	return nil
}

// copyKeep are the tables migrate fills on an empty database, which the
// copy replaces with the source's rows.
var copyKeep = map[string]bool{"store_repairs": true}

// sqliteTable is a source table: its columns in order, and the highest id
// SQLite's AUTOINCREMENT ever gave (sqlite_sequence), if it keeps one.
type sqliteTable struct {
	name    string
	columns []string
	seq     int64
}

func sqliteTables(ctx context.Context, tx *sql.Tx) (map[string]*sqliteTable, error) {
	rows, err := tx.QueryContext(ctx, `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' AND m.name <> 'goose_db_version'
		ORDER BY m.name, p.cid`)
	if err != nil {
		return nil, err
	}
	tables := map[string]*sqliteTable{}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			rows.Close()
			return nil, err
		}
		t := tables[table]
		if t == nil {
			t = &sqliteTable{name: table}
			tables[table] = t
		}
		t.columns = append(t.columns, col)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	var hasSeq bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence')").Scan(&hasSeq); err != nil || !hasSeq {
		return tables, err
	}
	rows, err = tx.QueryContext(ctx, "SELECT name, seq FROM sqlite_sequence")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var seq int64
		if err := rows.Scan(&name, &seq); err != nil {
			return nil, err
		}
		if t := tables[name]; t != nil {
			t.seq = seq
		}
	}
	return tables, rows.Err()
}

// pgTable is a target table: its columns' types, its identity column, and
// the foreign keys it holds.
type pgTable struct {
	name     string
	types    map[string]string // column → data_type as information_schema spells it
	identity string
	parents  []pgForeignKey
}

type pgForeignKey struct {
	name, parent string
	deferrable   bool // already, in the schema
}

func pgTables(ctx context.Context, pc *pgx.Conn) (map[string]*pgTable, error) {
	tables := map[string]*pgTable{}
	rows, err := pc.Query(ctx, `SELECT table_name, column_name, data_type, is_identity = 'YES' FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name <> 'goose_db_version' ORDER BY table_name, ordinal_position`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var table, col, typ string
		var identity bool
		if err := rows.Scan(&table, &col, &typ, &identity); err != nil {
			rows.Close()
			return nil, err
		}
		t := tables[table]
		if t == nil {
			t = &pgTable{name: table, types: map[string]string{}}
			tables[table] = t
		}
		t.types[col] = typ
		if identity {
			t.identity = col
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = pc.Query(ctx, `SELECT c.conname, child.relname, parent.relname, c.condeferrable FROM pg_constraint c
		JOIN pg_class child ON child.oid = c.conrelid JOIN pg_class parent ON parent.oid = c.confrelid
		WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace ORDER BY c.conname`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name, child, parent string
		var deferrable bool
		if err := rows.Scan(&name, &child, &parent, &deferrable); err != nil {
			return nil, err
		}
		if t := tables[child]; t != nil && child != parent {
			t.parents = append(t.parents, pgForeignKey{name, parent, deferrable})
		}
	}
	return tables, rows.Err()
}

// copyOrder is the tables in an order where each comes after the tables
// its foreign keys name, and the constraints that close a cycle, to be
// checked at the end instead. Ties go by name, so the order is the same
// every time.
func copyOrder(tables map[string]*pgTable) (order []string, deferred []string) {
	done := map[string]bool{}
	skip := map[string]bool{} // deferred constraints
	left := make([]string, 0, len(tables))
	for name := range tables {
		left = append(left, name)
	}
	slices.Sort(left)
	waiting := func(name string) []pgForeignKey {
		var w []pgForeignKey
		for _, fk := range tables[name].parents {
			if !done[fk.parent] && !skip[fk.name] && tables[fk.parent] != nil {
				w = append(w, fk)
			}
		}
		return w
	}
	// reaches reports whether from waits, through others, on to.
	reaches := func(from, to string) bool {
		seen := map[string]bool{}
		stack := []string{from}
		for len(stack) > 0 {
			t := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, fk := range waiting(t) {
				if fk.parent == to {
					return true
				}
				if !seen[fk.parent] {
					seen[fk.parent] = true
					stack = append(stack, fk.parent)
				}
			}
		}
		return false
	}
	for len(left) > 0 {
		next := slices.IndexFunc(left, func(name string) bool { return len(waiting(name)) == 0 })
		if next >= 0 {
			done[left[next]] = true
			order = append(order, left[next])
			left = slices.Delete(left, next, next+1)
			continue
		}
		// Every table left waits: some are on a cycle. Defer, for the
		// first of them by name, the constraints on its own cycle.
		for _, name := range left {
			if !reaches(name, name) {
				continue
			}
			for _, fk := range waiting(name) {
				if fk.parent == name || reaches(fk.parent, name) {
					skip[fk.name] = true
					deferred = append(deferred, fk.name)
				}
			}
			break
		}
	}
	return order, deferred
}

// copyTables does the copy on the target's connection, inside the
// transaction the caller opened on it.
func copyTables(ctx context.Context, stx *sql.Tx, pc *pgx.Conn, src map[string]*sqliteTable, rep *CopyReport, progress func(string)) error {
	dst, err := pgTables(ctx, pc)
	if err != nil {
		return fmt.Errorf("read the target's tables: %w", err)
	}
	// The same tables with the same columns on both sides.
	var problems []string
	for name, s := range src {
		d := dst[name]
		if d == nil {
			problems = append(problems, "table "+name+" is missing from the target")
			continue
		}
		for _, c := range s.columns {
			if _, ok := d.types[c]; !ok {
				problems = append(problems, "column "+name+"."+c+" is missing from the target")
			}
		}
		if len(d.types) != len(s.columns) {
			for c := range d.types {
				if !slices.Contains(s.columns, c) {
					problems = append(problems, "column "+name+"."+c+" is missing from the source")
				}
			}
		}
	}
	for name := range dst {
		if src[name] == nil {
			problems = append(problems, "table "+name+" is missing from the source")
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return fmt.Errorf("the schemas differ (is one of them from another build of dropline?):\n%s", strings.Join(problems, "\n"))
	}

	// Nothing there yet but what migrate wrote.
	if err := copyTargetEmpty(ctx, pc, dst); err != nil {
		return err
	}
	for name := range copyKeep {
		if _, err := pc.Exec(ctx, "DELETE FROM "+pgx.Identifier{name}.Sanitize()); err != nil {
			return err
		}
	}

	order, deferred := copyOrder(dst)
	for _, name := range deferred {
		// Checked at the end rather than row by row, then made as it was;
		// both undone with the rest if the transaction rolls back.
		if err := alterDeferrable(ctx, pc, dst, name, true); err != nil {
			return err
		}
		if _, err := pc.Exec(ctx, "SET CONSTRAINTS "+pgx.Identifier{name}.Sanitize()+" DEFERRED"); err != nil {
			return err
		}
	}

	for _, name := range order {
		t0 := time.Now()
		ct, err := copyTable(ctx, stx, pc, src[name], dst[name])
		if err != nil {
			return fmt.Errorf("table %s: %w", name, err)
		}
		rep.Tables = append(rep.Tables, ct)
		rep.Rows += ct.TargetRows
		progress(fmt.Sprintf("%-20s %8d rows %6.2fs (copy %.2fs, read back %.2fs)", name, ct.TargetRows, time.Since(t0).Seconds(), ct.copySeconds, ct.readSeconds))
	}
	if len(deferred) > 0 {
		if _, err := pc.Exec(ctx, "SET CONSTRAINTS ALL IMMEDIATE"); err != nil {
			return fmt.Errorf("foreign keys: %w", err)
		}
		for _, name := range deferred {
			if err := alterDeferrable(ctx, pc, dst, name, false); err != nil {
				return err
			}
		}
	}

	// Statistics for the planner, which has none for rows that came by
	// COPY until autovacuum gets round to them: the checks below, and the
	// first pages served, would be planned blind.
	t0 := time.Now()
	if _, err := pc.Exec(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	progress(fmt.Sprintf("analyzed (%.1fs)", time.Since(t0).Seconds()))

	// Every identity sequence past the highest id used: the rows' own, or
	// one SQLite gave to a row since deleted (AUTOINCREMENT never reuses it).
	for _, name := range order {
		d := dst[name]
		if d.identity == "" {
			continue
		}
		q := fmt.Sprintf("SELECT setval(pg_get_serial_sequence($1, $2), greatest(coalesce(max(%s), 0), $3::bigint) + 1, false) FROM %s",
			pgx.Identifier{d.identity}.Sanitize(), pgx.Identifier{name}.Sanitize())
		var next int64
		if err := pc.QueryRow(ctx, q, pgx.Identifier{name}.Sanitize(), d.identity, src[name].seq).Scan(&next); err != nil {
			return fmt.Errorf("table %s: reset the sequence of %s: %w", name, d.identity, err)
		}
		rep.Sequences++
	}
	return nil
}

// copyTargetEmpty refuses a target holding rows (but those migrate writes).
func copyTargetEmpty(ctx context.Context, pc *pgx.Conn, tables map[string]*pgTable) error {
	var full []string
	for name := range tables {
		if copyKeep[name] {
			continue
		}
		var has bool
		if err := pc.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+pgx.Identifier{name}.Sanitize()+")").Scan(&has); err != nil {
			return err
		}
		if has {
			full = append(full, name)
		}
	}
	if len(full) == 0 {
		return nil
	}
	slices.Sort(full)
	what := strings.Join(full, ", ")
	if len(full) > 5 {
		what = fmt.Sprintf("%s and %d other tables", strings.Join(full[:5], ", "), len(full)-5)
	}
	var accounts int64
	if tables["accounts"] != nil {
		if err := pc.QueryRow(ctx, "SELECT count(*) FROM accounts").Scan(&accounts); err != nil {
			return err
		}
	}
	return fmt.Errorf("%w (%d accounts; rows in %s); copy only fills a new, empty database: create one (createdb), or drop this one if its data is not wanted", ErrCopyTargetNotEmpty, accounts, what)
}

// ErrCopyTargetNotEmpty is a copy refused because the target has data.
var ErrCopyTargetNotEmpty = errors.New("the target already has data")

// CopyTargetEmpty refuses, before anything else, a PostgreSQL store that
// already has data: the copy checks again in its transaction.
func (db *DB) CopyTargetEmpty(ctx context.Context) error {
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: copy: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc, ok := dc.(*pgConn)
		if !ok {
			return fmt.Errorf("store: copy: %s is not PostgreSQL", db.path)
		}
		tables, err := pgTables(ctx, pc.Conn.Conn())
		if err != nil {
			return fmt.Errorf("store: copy: read the target's tables: %w", err)
		}
		if err := copyTargetEmpty(ctx, pc.Conn.Conn(), tables); err != nil {
			return fmt.Errorf("store: copy to %s: %w", db.path, err)
		}
		return nil
	})
}

// alterDeferrable makes the foreign key name deferrable, or not.
func alterDeferrable(ctx context.Context, pc *pgx.Conn, tables map[string]*pgTable, name string, on bool) error {
	for _, t := range tables {
		for _, fk := range t.parents {
			if fk.name != name {
				continue
			}
			if fk.deferrable {
				return nil // SET CONSTRAINTS is enough
			}
			how := "NOT DEFERRABLE"
			if on {
				how = "DEFERRABLE INITIALLY IMMEDIATE"
			}
			if _, err := pc.Exec(ctx, "ALTER TABLE "+pgx.Identifier{t.name}.Sanitize()+" ALTER CONSTRAINT "+pgx.Identifier{name}.Sanitize()+" "+how); err != nil {
				return fmt.Errorf("constraint %s: %w", name, err)
			}
			return nil
		}
	}
	return fmt.Errorf("constraint %s: not found", name)
}

// copyTable copies one table by COPY, then reads back what the target
// holds and compares it with what was sent.
func copyTable(ctx context.Context, stx *sql.Tx, pc *pgx.Conn, s *sqliteTable, d *pgTable) (CopyTable, error) {
	ct := CopyTable{Name: s.name}
	quoted := make([]string, len(s.columns))
	types := make([]string, len(s.columns))
	for i, c := range s.columns {
		quoted[i] = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
		types[i] = d.types[c]
	}
	rows, err := stx.QueryContext(ctx, "SELECT "+strings.Join(quoted, ", ")+` FROM "`+s.name+`"`)
	if err != nil {
		return ct, fmt.Errorf("read the source: %w", err)
	}
	defer rows.Close()
	in := &copySource{rows: rows, table: s.name, columns: s.columns, types: types}
	in.vals = make([]any, len(s.columns))
	in.ptrs = make([]any, len(s.columns))
	for i := range in.vals {
		in.ptrs[i] = &in.vals[i]
	}
	t0 := time.Now()
	n, err := pc.CopyFrom(ctx, pgx.Identifier{s.name}, s.columns, in)
	ct.copySeconds = time.Since(t0).Seconds()
	if err != nil {
		if in.err != nil {
			return ct, in.err
		}
		return ct, err
	}
	ct.SourceDigest = in.digest.String()
	if err := stx.QueryRowContext(ctx, `SELECT count(*) FROM "`+s.name+`"`).Scan(&ct.SourceRows); err != nil {
		return ct, fmt.Errorf("count the source: %w", err)
	}
	if n != in.n || n != ct.SourceRows {
		return ct, fmt.Errorf("the source has %d rows, %d were sent, the target took %d", ct.SourceRows, in.n, n)
	}

	// What the target holds, read back.
	t0 = time.Now()
	var back copyDigest
	trows, err := pc.Query(ctx, "SELECT "+strings.Join(quoted, ", ")+" FROM "+pgx.Identifier{s.name}.Sanitize())
	if err != nil {
		return ct, fmt.Errorf("read back: %w", err)
	}
	for trows.Next() {
		vals, err := trows.Values()
		if err != nil {
			trows.Close()
			return ct, fmt.Errorf("read back: %w", err)
		}
		back.add(vals)
		ct.TargetRows++
	}
	trows.Close()
	if err := trows.Err(); err != nil {
		return ct, fmt.Errorf("read back: %w", err)
	}
	ct.TargetDigest = back.String()
	ct.readSeconds = time.Since(t0).Seconds()
	if ct.SourceRows != ct.TargetRows || ct.SourceDigest != ct.TargetDigest {
		return ct, fmt.Errorf("the target holds %d rows (digest %s), the source %d (digest %s)", ct.TargetRows, ct.TargetDigest, ct.SourceRows, ct.SourceDigest)
	}
	return ct, nil
}

// copySource feeds COPY from the source's rows, converting each value to
// its target column's type, and digests what it sends.
type copySource struct {
	rows    *sql.Rows
	table   string
	columns []string
	types   []string
	vals    []any
	ptrs    []any
	out     []any
	n       int64
	digest  copyDigest
	err     error
}

func (c *copySource) Next() bool {
	if c.err != nil || !c.rows.Next() {
		return false
	}
	if err := c.rows.Scan(c.ptrs...); err != nil {
		c.err = err
		return false
	}
	c.out = make([]any, len(c.vals))
	for i, v := range c.vals {
		out, err := copyValue(v, c.types[i])
		if err != nil {
			c.err = fmt.Errorf("row %d, column %s: %w", c.n+1, c.columns[i], err)
			return false
		}
		c.out[i] = out
	}
	c.n++
	c.digest.add(c.out)
	return true
}

func (c *copySource) Values() ([]any, error) { return c.out, c.err }

func (c *copySource) Err() error {
	if c.err != nil {
		return c.err
	}
	return c.rows.Err()
}

// copyValue is a SQLite value as the target column of type typ takes it.
func copyValue(v any, typ string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch typ {
	case "bigint", "integer", "smallint":
		switch v := v.(type) {
		case int64:
			return v, nil
		case float64:
			if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
				return int64(v), nil
			}
		case string:
			if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				return n, nil
			}
		case []byte:
			if n, err := strconv.ParseInt(strings.TrimSpace(string(v)), 10, 64); err == nil {
				return n, nil
			}
		}
		return nil, fmt.Errorf("%T %v is not an integer", v, v)
	case "text":
		switch v := v.(type) {
		case string:
			return v, nil
		case []byte:
			return string(v), nil
		case int64:
			return strconv.FormatInt(v, 10), nil
		case float64:
			return strconv.FormatFloat(v, 'g', -1, 64), nil
		case time.Time:
			// A TEXT column the driver read as a time does not happen
			// (it parses only DATETIME columns); keep the text as written.
			return v.Format(dbTimeLayout), nil
		}
	case "timestamp with time zone":
		switch v := v.(type) {
		case time.Time:
			return v.UTC().Round(time.Microsecond), nil
		case string:
			t, err := parseSQLiteTime(v)
			if err != nil {
				return nil, err
			}
			return t, nil
		case []byte:
			t, err := parseSQLiteTime(string(v))
			if err != nil {
				return nil, err
			}
			return t, nil
		}
		return nil, fmt.Errorf("%T %v is not a time", v, v)
	case "bytea":
		switch v := v.(type) {
		case []byte:
			return v, nil
		case string:
			return []byte(v), nil
		}
	case "double precision", "real":
		switch v := v.(type) {
		case float64:
			return v, nil
		case int64:
			return float64(v), nil
		}
	default:
		return nil, fmt.Errorf("the target's type %s is not one copy knows", typ)
	}
	return nil, fmt.Errorf("%T %v does not fit a %s column", v, v, typ)
}

// sqliteTimeLayouts are the ways a time may be written in a SQLite
// DATETIME column: the driver's (dbTimeLayout) and SQLite's own.
var sqliteTimeLayouts = []string{
	dbTimeLayout,
	"2006-01-02 15:04:05.999999999Z07:00",
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	time.DateOnly,
}

// parseSQLiteTime reads a time SQLite holds as text; one without a zone is
// UTC, as SQLite's date functions take it.
func parseSQLiteTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range sqliteTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Round(time.Microsecond), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time", s)
}

// copyDigest is a digest of a table's rows in no particular order: the
// sum of each row's SHA-256, over values in a form both engines agree on
// (times as UTC instants, text and bytes as their bytes).
type copyDigest struct{ a, b uint64 }

func (d *copyDigest) add(vals []any) {
	h := sha256.New()
	var buf []byte
	for _, v := range vals {
		buf = buf[:0]
		switch v := v.(type) {
		case nil:
			buf = append(buf, 'N')
		case int64:
			buf = strconv.AppendInt(append(buf, 'I'), v, 10)
		case int32:
			buf = strconv.AppendInt(append(buf, 'I'), int64(v), 10)
		case bool: // booleans are 0 and 1, as on SQLite
			if v {
				buf = append(buf, 'I', '1')
			} else {
				buf = append(buf, 'I', '0')
			}
		case float64:
			buf = strconv.AppendFloat(append(buf, 'F'), v, 'g', -1, 64)
		case string:
			buf = append(append(buf, 'S'), v...)
		case []byte:
			buf = append(append(buf, 'S'), v...)
		case time.Time:
			buf = v.UTC().AppendFormat(append(buf, 'T'), time.RFC3339Nano)
		default:
			buf = fmt.Appendf(append(buf, '?'), "%T %v", v, v)
		}
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(buf)))
		h.Write(n[:])
		h.Write(buf)
	}
	sum := h.Sum(nil)
	d.a += binary.BigEndian.Uint64(sum[:8])
	d.b += binary.BigEndian.Uint64(sum[8:16])
}

func (d copyDigest) String() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], d.a)
	binary.BigEndian.PutUint64(b[8:], d.b)
	return hex.EncodeToString(b[:])
}
