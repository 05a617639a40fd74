package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// The seed on PostgreSQL. The generator is the same as on SQLite (same rows,
// same IDs); what differs is how the rows get in. Everything happens in one
// transaction on one writer connection, so a failed seed leaves nothing:
//
//   - the bulk tables' secondary indexes, unique constraints and foreign
//     keys are set aside (dropped inside the transaction), as the SQLite seed
//     builds its indexes after the rows;
//   - the generator encodes each row in COPY's text format into a buffer per
//     table; full buffers go, in the order they fill, to COPY … FROM STDIN on
//     the writer connection while the generator goes on (the server parses
//     and stores on one core, the generator runs on the other);
//   - the indexes and constraints are made again (the foreign keys checked
//     once per key by the server's join, not row by row), the identity
//     sequences moved past the IDs the seed chose, and the counters written;
//   - after the commit, ANALYZE gives the planner the new tables' statistics.

// seedChunkBytes is how much COPY data one COPY statement carries.
const seedChunkBytes = 4 << 20

// seedBulkTables are the tables the generator writes.
var seedBulkTables = []*seedTable{seedOrders, seedOrderLines, seedPOs, seedPOLines, seedShipments, seedShipmentLines, seedEvents, seedLedger,
	seedProducts, seedSources}

// seedPostgres is seed on PostgreSQL.
func (db *DB) seedPostgres(ctx context.Context, g *seedGen) (res SeedResult, err error) {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return res, err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	// One writer at a time, as every write transaction on PostgreSQL.
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", WriteLockKey); err != nil {
		return res, err
	}
	// Index builds sort in memory rather than in temporary files.
	if _, err := tx.ExecContext(ctx, "SET LOCAL maintenance_work_mem = '512MB'"); err != nil {
		return res, err
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM accounts").Scan(&n); err != nil {
		return res, err
	}
	if n > 0 {
		return res, Conflict(fmt.Sprintf("The database already has %d account(s): seed only into an empty database.", n))
	}
	g.progress("accounts, links, feeds and subscriptions")
	if err := g.accounts(ctx, tx); err != nil {
		return res, err
	}
	if err := g.catalog(ctx, tx); err != nil {
		return res, err
	}
	aside, err := seedSetAside(ctx, tx)
	if err != nil {
		return res, err
	}
	g.progress(fmt.Sprintf("%d orders, copied while they are generated (%d indexes and %d constraints set aside)", g.opts.Orders,
		len(aside.indexes), len(aside.uniques)+len(aside.fkeys)))
	w := newSeedWriter(nil)
	cp := newSeedCopy()
	w.pg = cp
	go func() {
		defer w.close()
		g.generate(w)
	}()
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*pgConn)
		if !ok {
			return fmt.Errorf("seed: the writer connection is a %T, not PostgreSQL's", dc)
		}
		return cp.run(ctx, c.Conn.Conn().PgConn(), w)
	})
	if err != nil {
		// The generator stops at its next row; if run never started, the
		// stream is drained here so that it is not left waiting.
		w.fail()
		for range cp.chunks {
		}
		return res, err
	}
	g.progress("rows copied; indexes and constraints")
	if err := aside.restore(ctx, tx, g.progress); err != nil {
		return res, err
	}
	// The seed chose the IDs: the identity sequences go past them, so the
	// next row the portal inserts does not collide.
	for _, t := range seedBulkTables {
		if t.columns[0] != "id" {
			continue
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), max(id)) FROM %s", t.name, t.name)); err != nil {
			return res, fmt.Errorf("identity of %s: %w", t.name, err)
		}
	}
	if err := g.finish(ctx, tx); err != nil {
		return res, err
	}
	g.progress("commit")
	if err := tx.Commit(); err != nil {
		return res, err
	}
	g.progress("analyze")
	if _, err := conn.ExecContext(ctx, "ANALYZE"); err != nil {
		return res, err
	}
	return g.result(), nil
}

// seedAside is what the seed drops before the rows and makes again after.
type seedAside struct {
	indexes []seedDDL // CREATE INDEX statements
	uniques []seedDDL // unique constraints
	fkeys   []seedDDL // foreign keys
}

type seedDDL struct {
	table, name, def string
}

// seedSetAside drops the bulk tables' secondary indexes, unique constraints
// and foreign keys, and says how to make them again. Primary keys stay:
// the IDs come in ascending, so their indexes grow at the right edge.
func seedSetAside(ctx context.Context, tx *sql.Tx) (a seedAside, err error) {
	var names []string
	for _, t := range seedBulkTables {
		names = append(names, "'"+t.name+"'::regclass")
	}
	tables := strings.Join(names, ", ")
	rows, err := tx.QueryContext(ctx, `SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
		FROM pg_constraint c WHERE c.conrelid IN (`+tables+`) AND c.contype IN ('f', 'u') ORDER BY c.conrelid, c.conname`)
	if err != nil {
		return a, err
	}
	for rows.Next() {
		var d seedDDL
		var kind string
		if err := rows.Scan(&d.table, &d.name, &d.def, &kind); err != nil {
			rows.Close()
			return a, err
		}
		if kind == "f" {
			a.fkeys = append(a.fkeys, d)
		} else {
			a.uniques = append(a.uniques, d)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return a, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
		FROM pg_index i WHERE i.indrelid IN (`+tables+`)
		AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
		ORDER BY i.indrelid, i.indexrelid`)
	if err != nil {
		return a, err
	}
	for rows.Next() {
		var d seedDDL
		if err := rows.Scan(&d.table, &d.name, &d.def); err != nil {
			rows.Close()
			return a, err
		}
		a.indexes = append(a.indexes, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return a, err
	}
	for _, d := range a.fkeys {
		if _, err := tx.ExecContext(ctx, "ALTER TABLE "+d.table+" DROP CONSTRAINT "+quoteIdent(d.name)); err != nil {
			return a, fmt.Errorf("set aside %s: %w", d.name, err)
		}
	}
	for _, d := range a.uniques {
		if _, err := tx.ExecContext(ctx, "ALTER TABLE "+d.table+" DROP CONSTRAINT "+quoteIdent(d.name)); err != nil {
			return a, fmt.Errorf("set aside %s: %w", d.name, err)
		}
	}
	for _, d := range a.indexes {
		if _, err := tx.ExecContext(ctx, "DROP INDEX "+d.name); err != nil {
			return a, fmt.Errorf("set aside %s: %w", d.name, err)
		}
	}
	return a, nil
}

// restore makes the indexes and constraints again: the unique ones first,
// then the foreign keys, each checked over the whole table at once.
func (a seedAside) restore(ctx context.Context, tx *sql.Tx, progress func(string)) error {
	started := time.Now()
	for _, d := range a.indexes {
		if _, err := tx.ExecContext(ctx, d.def); err != nil {
			return fmt.Errorf("index %s: %w", d.name, err)
		}
	}
	for _, d := range a.uniques {
		if _, err := tx.ExecContext(ctx, "ALTER TABLE "+d.table+" ADD CONSTRAINT "+quoteIdent(d.name)+" "+d.def); err != nil {
			return fmt.Errorf("constraint %s: %w", d.name, err)
		}
	}
	progress(fmt.Sprintf("%d indexes and %d unique constraints in %.1fs; foreign keys", len(a.indexes), len(a.uniques), time.Since(started).Seconds()))
	for _, d := range a.fkeys {
		if _, err := tx.ExecContext(ctx, "ALTER TABLE "+d.table+" ADD CONSTRAINT "+quoteIdent(d.name)+" "+d.def); err != nil {
			return fmt.Errorf("foreign key %s: %w", d.name, err)
		}
	}
	return nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// seedCopy turns the generator's rows into COPY data, a buffer per table,
// and hands full buffers to the COPY statements.
type seedCopy struct {
	bufs   map[*seedTable][]byte
	rows   map[*seedTable]int // rows in each buffer
	chunks chan seedChunk
	free   chan []byte
	copied map[*seedTable]int64 // rows each table received (run's side)
	sent   map[*seedTable]int64 // rows sent (generator's side)
}

type seedChunk struct {
	table *seedTable
	data  []byte
	rows  int
}

func newSeedCopy() *seedCopy {
	return &seedCopy{bufs: map[*seedTable][]byte{}, rows: map[*seedTable]int{}, chunks: make(chan seedChunk, 8), free: make(chan []byte, 10),
		copied: map[*seedTable]int64{}, sent: map[*seedTable]int64{}}
}

// add encodes one row (generator side). It returns false once the copy has failed.
func (c *seedCopy) add(w *seedWriter, t *seedTable, vals []any) bool {
	if len(vals) != len(t.columns) {
		panic(fmt.Sprintf("seed: %d values for the %d columns of %s", len(vals), len(t.columns), t.name))
	}
	b := c.bufs[t]
	if b == nil {
		select {
		case b = <-c.free:
			b = b[:0]
		default:
			b = make([]byte, 0, seedChunkBytes+64<<10)
		}
	}
	for i, v := range vals {
		if i > 0 {
			b = append(b, '\t')
		}
		b = appendCopyValue(b, v)
	}
	b = append(b, '\n')
	c.rows[t]++
	if len(b) < seedChunkBytes {
		c.bufs[t] = b
		return true
	}
	return c.send(w, t, b)
}

func (c *seedCopy) send(w *seedWriter, t *seedTable, b []byte) bool {
	n := c.rows[t]
	c.bufs[t], c.rows[t] = nil, 0
	c.sent[t] += int64(n)
	select {
	case c.chunks <- seedChunk{t, b, n}:
		return true
	case <-w.failed:
		return false
	}
}

// close sends the partly filled buffers and ends the stream (generator side).
func (c *seedCopy) close(w *seedWriter) {
	for _, t := range seedBulkTables {
		if len(c.bufs[t]) > 0 && !c.send(w, t, c.bufs[t]) {
			break
		}
	}
	close(c.chunks)
}

// run copies the chunks as they come, on the writer connection inside the
// seed's transaction, until the generator is done.
func (c *seedCopy) run(ctx context.Context, pc *pgconn.PgConn, w *seedWriter) error {
	var firstErr error
	fail := func(err error) {
		if firstErr == nil {
			firstErr = err
			w.fail()
		}
	}
	for ch := range c.chunks {
		if firstErr != nil {
			continue // let the generator finish
		}
		if ctx.Err() != nil {
			fail(ctx.Err())
			continue
		}
		tag, err := pc.CopyFrom(ctx, bytes.NewReader(ch.data), ch.table.copySQL())
		if err != nil {
			fail(fmt.Errorf("copy %s: %w", ch.table.name, err))
			continue
		}
		if tag.RowsAffected() != int64(ch.rows) {
			fail(fmt.Errorf("copy %s: %d rows went in, %d sent", ch.table.name, tag.RowsAffected(), ch.rows))
			continue
		}
		c.copied[ch.table] += int64(ch.rows)
		select {
		case c.free <- ch.data:
		default:
		}
	}
	if firstErr != nil {
		return firstErr
	}
	for _, t := range seedBulkTables {
		if c.copied[t] != c.sent[t] {
			return fmt.Errorf("copy %s: %d rows copied, %d generated", t.name, c.copied[t], c.sent[t])
		}
	}
	return nil
}

// copySQL is the table's COPY statement.
func (t *seedTable) copySQL() string {
	cols := make([]string, len(t.columns))
	for i, c := range t.columns {
		cols[i] = quoteIdent(c)
	}
	return "COPY " + t.name + " (" + strings.Join(cols, ", ") + ") FROM STDIN"
}

// appendCopyValue appends v in COPY's text format.
func appendCopyValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, `\N`...)
	case string:
		return appendCopyText(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case bool:
		if v {
			return append(b, '1')
		}
		return append(b, '0')
	case time.Time:
		return append(b, seedTime(v)...)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return appendCopyText(b, rv.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(b, rv.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.AppendUint(b, rv.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.AppendFloat(b, rv.Float(), 'g', -1, 64)
	}
	panic(fmt.Sprintf("seed: no COPY text for a %T", v))
}

// appendCopyText appends s escaped for COPY's text format: backslash,
// and the tab, newline and carriage return that would end a field or row.
func appendCopyText(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		var esc byte
		switch s[i] {
		case '\\':
			esc = '\\'
		case '\t':
			esc = 't'
		case '\n':
			esc = 'n'
		case '\r':
			esc = 'r'
		default:
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, '\\', esc)
		start = i + 1
	}
	return append(b, s[start:]...)
}
