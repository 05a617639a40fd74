package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dropline/dropline/store/carrier"
)

// Synthetic data for demos and benchmarks (dropline seed). The rows look
// exactly like what the portal writes: accounts and admins through the same
// code as the CLI, linked products and sources as a feed pull's apply makes
// them, orders with the status, tab, badge and suppliers refreshOrder would
// compute, POs and their lines as Dropship makes them, and tab counts and
// reservations that add up. The bulk is written with multi-row INSERTs in one
// transaction on the writer connection, so a failed seed leaves nothing. On
// PostgreSQL the same rows go in by COPY, also in one transaction
// (seed_postgres.go).

// Seed shape.
const (
	seedMerchants   = 3
	seedSuppliers   = 3
	seedDays        = 90 // orders are spread over this many days back from now
	seedActorName   = "seed"
	seedHoldingDays = 14 // the links' default holding period
	seedAckSLAHours = 24 // the suppliers' default acknowledgement SLA
	seedStaleDays   = 42 // the suppliers' default stale period
	// seedParams is the parameter count a full multi-row INSERT aims at.
	seedParams = 6000
	// seedCacheKiB is the page cache of the seed's main connection while it
	// copies; seedScratchCacheKiB each scratch connection's.
	seedCacheKiB        = 256 << 10
	seedScratchCacheKiB = 128 << 10
)

// SeedOptions says how much to generate.
type SeedOptions struct {
	Orders   int    // orders over all merchants; the first merchant gets a fifth
	Products int    // supplier products over all suppliers
	Seed     uint64 // random seed; the same seed gives the same data set (IDs and passwords aside)
	// Progress, when set, hears about each phase (for logs on stderr).
	Progress func(msg string)
}

// SeedAccount is a seeded account and its admin's login.
type SeedAccount struct {
	ID             int64  `json:"id"`
	PublicID       string `json:"public_id"`
	Kind           string `json:"kind"`
	Name           string `json:"name"`
	Email          string `json:"email"`
	Password       string `json:"password"`
	Orders         int    `json:"orders"`          // the merchant's orders (0 for suppliers)
	PurchaseOrders int    `json:"purchase_orders"` // POs placed (merchant) or received (supplier)
	Products       int    `json:"products"`        // catalog products (a merchant's include its linked products)
}

// SeedResult is what a seed made.
type SeedResult struct {
	Accounts       []SeedAccount  `json:"accounts"`
	Orders         int            `json:"orders"`
	OrderLines     int            `json:"order_lines"`
	PurchaseOrders int            `json:"purchase_orders"`
	POLines        int            `json:"po_lines"`
	Products       int            `json:"products"`        // supplier products
	LinkedProducts int            `json:"linked_products"` // merchant products with sources
	Sources        int            `json:"sources"`
	Shipments      int            `json:"shipments"`
	Events         int            `json:"order_events"`
	Tabs           map[string]int `json:"tabs"`     // orders per tab over all merchants
	Statuses       map[string]int `json:"statuses"` // orders per status over all merchants
	Seconds        float64        `json:"seconds"`
}

// Seed fills an empty database with a synthetic data set: at least three
// merchants and three suppliers with an admin each, dropship on, every
// supplier linked to every merchant, feeds pulled into linked products,
// and orders in every state over the last 90 days. It refuses a database
// that already has accounts.
func (db *DB) Seed(ctx context.Context, opts SeedOptions) (SeedResult, error) {
	started := time.Now()
	if opts.Orders < 0 {
		return SeedResult{}, FieldError("orders", "Use 0 or more orders.")
	}
	if opts.Products < seedSuppliers {
		return SeedResult{}, FieldError("products", fmt.Sprintf("Use at least %d products (one per supplier).", seedSuppliers))
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	g := &seedGen{db: db, opts: opts, rng: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)), now: db.now()}
	g.start = g.now.Add(-seedDays * 24 * time.Hour)
	res, err := db.seed(ctx, g)
	if err != nil {
		return SeedResult{}, fmt.Errorf("store: seed: %w", err)
	}
	res.Seconds = math.Round(time.Since(started).Seconds()*100) / 100
	return res, nil
}

// seed runs the whole seed in one transaction on the writer's connection.
//
// SQLite takes one writer at a time and binding, inserting and indexing ten
// million rows is most of the work, so the bulk tables are first written in
// parallel by several connections, each to a scratch database of its own
// holding a group of tables with the same schema, which also builds that
// group's indexes. The main transaction then copies each scratch table with
// INSERT INTO … SELECT *, which SQLite performs as a raw copy of the table's
// and its indexes' records (the transfer optimization) when the target is
// empty and the schemas match. Foreign key checks, fsync and the small
// default page cache are set aside on the writer for the seed and restored
// after.
func (db *DB) seed(ctx context.Context, g *seedGen) (res SeedResult, err error) {
	if db.pg {
		return db.seedPostgres(ctx, g)
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return res, err
	}
	defer conn.Close()
	var cache, temp int
	if err := conn.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&cache); err != nil {
		return res, err
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&temp); err != nil {
		return res, err
	}
	// Rows are written children before parents (IDs are assigned here), so
	// foreign keys are checked by the tests, not row by row; the copy from
	// the scratch databases needs them off too.
	for _, p := range []string{"PRAGMA foreign_keys = OFF", "PRAGMA synchronous = OFF", fmt.Sprintf("PRAGMA cache_size = -%d", seedCacheKiB),
		"PRAGMA temp_store = MEMORY"} {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			return res, err
		}
	}
	// A rollback journal in memory instead of the WAL while seeding: every
	// page is written once, not to the WAL and again at the checkpoint. It
	// needs the file to itself; when another connection has it open the seed
	// stays in WAL mode.
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode = MEMORY").Scan(&mode); err != nil {
		mode = "wal"
	}
	var aux []*seedAux
	defer func() {
		// The connection goes back to the pool as Open made it, and the
		// scratch databases go.
		restore := context.WithoutCancel(ctx)
		for _, a := range aux {
			a.remove(restore, conn)
		}
		if mode == "memory" {
			if _, rerr := conn.ExecContext(restore, "PRAGMA journal_mode = WAL"); rerr != nil && err == nil {
				err = rerr
			}
		}
		for _, p := range []string{"PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL", fmt.Sprintf("PRAGMA cache_size = %d", cache),
			fmt.Sprintf("PRAGMA temp_store = %d", temp)} {
			if _, rerr := conn.ExecContext(restore, p); rerr != nil && err == nil {
				err = rerr
			}
		}
		if err == nil {
			_, err = conn.ExecContext(restore, "PRAGMA wal_checkpoint(TRUNCATE)")
		}
	}()
	aux, err = db.seedScratch(ctx, conn)
	if err != nil {
		return res, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
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
	// The main group's indexes are built after its rows, like the others'.
	for _, a := range aux {
		if !a.main {
			continue
		}
		a.tx = tx
		for _, t := range a.tables {
			var names []string
			rows, err := tx.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", t.name)
			if err != nil {
				return res, err
			}
			for rows.Next() {
				var name string
				if err := rows.Scan(&name); err != nil {
					rows.Close()
					return res, err
				}
				names = append(names, name)
			}
			rows.Close()
			for _, name := range names {
				if _, err := tx.ExecContext(ctx, `DROP INDEX "`+strings.ReplaceAll(name, `"`, `""`)+`"`); err != nil {
					return res, err
				}
			}
		}
	}
	g.progress(fmt.Sprintf("%d orders, written by %d connections in parallel", g.opts.Orders, len(aux)))
	w := newSeedWriter(aux)
	for _, a := range aux {
		a.progress = g.progress
		go a.run(ctx, w)
	}
	go func() {
		defer w.close()
		g.generate(w)
	}()
	// Copy each group as soon as its connection has finished.
	var firstErr error
	pending := slices.Clone(aux)
	for len(pending) > 0 {
		var a *seedAux
		var aerr error
		select {
		case r := <-w.finished:
			a, aerr = r.aux, r.err
		case <-ctx.Done():
			w.fail()
			a, aerr = (<-w.finished).aux, ctx.Err()
		}
		pending = slices.DeleteFunc(pending, func(x *seedAux) bool { return x == a })
		if aerr != nil {
			w.fail()
			if firstErr == nil {
				firstErr = aerr
			}
			continue
		}
		if firstErr != nil {
			continue
		}
		g.progress("copy " + strings.Join(a.tableNames(), ", "))
		if err := a.copyInto(ctx, tx); err != nil {
			w.fail()
			firstErr = err
		}
	}
	if firstErr != nil {
		return res, firstErr
	}
	if err := g.finish(ctx, tx); err != nil {
		return res, err
	}
	g.progress("commit")
	if err := tx.Commit(); err != nil {
		return res, err
	}
	return g.result(), nil
}

// seedGroups are the bulk tables, grouped by scratch database: about the
// same work per group.
// The first group is written straight into the main database by the main
// connection, which would otherwise wait: it needs no copy.
var seedGroups = [][]*seedTable{
	{seedEvents, seedLedger},
	{seedOrders, seedOrderLines},
	{seedPOs, seedPOLines},
	{seedShipments, seedShipmentLines, seedProducts, seedSources},
}

// seedAux is one scratch database and the connection writing it, or (main)
// the main transaction writing its group directly.
type seedAux struct {
	main     bool
	tx       *sql.Tx // main only
	progress func(string)
	k        int
	path     string
	schema   string // its name in the main connection
	tables   []*seedTable
	creates  []string // its tables' CREATE TABLE statements
	indexes  []string // and their named indexes', built after the rows
	db       *sql.DB
	batches  chan seedBatch
	free     map[*seedTable]chan []any
	rows     map[*seedTable]int
}

func (a *seedAux) tableNames() []string {
	var out []string
	for _, t := range a.tables {
		out = append(out, t.name)
	}
	return out
}

// seedScratch creates the scratch databases beside the main one, with the
// main schema of their tables.
func (db *DB) seedScratch(ctx context.Context, conn *sql.Conn) (out []*seedAux, err error) {
	defer func() {
		if err != nil {
			for _, a := range out {
				a.remove(context.WithoutCancel(ctx), conn)
			}
			out = nil
		}
	}()
	for k, grp := range seedGroups {
		a := &seedAux{main: k == 0, k: k, path: fmt.Sprintf("%s.seed%d.tmp", db.path, k), schema: fmt.Sprintf("seed_scratch_%d", k), tables: grp,
			batches: make(chan seedBatch, 16), free: map[*seedTable]chan []any{}, rows: map[*seedTable]int{}}
		out = append(out, a)
		for _, t := range grp {
			var create string
			if err := conn.QueryRowContext(ctx, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", t.name).Scan(&create); err != nil {
				return out, fmt.Errorf("schema of %s: %w", t.name, err)
			}
			a.creates = append(a.creates, create)
			rows, err := conn.QueryContext(ctx, "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY rowid", t.name)
			if err != nil {
				return out, err
			}
			for rows.Next() {
				var ix string
				if err := rows.Scan(&ix); err != nil {
					rows.Close()
					return out, err
				}
				a.indexes = append(a.indexes, ix)
			}
			rows.Close()
			a.free[t] = make(chan []any, 24)
		}
		if a.main {
			continue
		}
		for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
			os.Remove(a.path + suffix)
		}
		// A throwaway file: no journal, no fsync, its own large cache, and
		// reads through a memory map when it builds its indexes.
		q := url.Values{}
		for _, p := range []string{"journal_mode(OFF)", "synchronous(OFF)", "foreign_keys(0)", fmt.Sprintf("cache_size(-%d)", seedScratchCacheKiB),
			"temp_store(MEMORY)", "mmap_size(2147418112)"} {
			q.Add("_pragma", p)
		}
		if a.db, err = sql.Open("sqlite", "file:"+a.path+"?"+q.Encode()); err != nil {
			return out, err
		}
		a.db.SetMaxOpenConns(1)
		for _, create := range a.creates {
			if _, err := a.db.ExecContext(ctx, create); err != nil {
				return out, fmt.Errorf("scratch schema: %w", err)
			}
		}
	}
	return out, nil
}

// remove detaches and deletes a scratch database.
func (a *seedAux) remove(ctx context.Context, conn *sql.Conn) {
	if a.main {
		return
	}
	if a.db != nil {
		a.db.Close()
	}
	conn.ExecContext(ctx, "DETACH DATABASE "+a.schema)
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		os.Remove(a.path + suffix)
	}
}

// run writes the batches for its tables, then builds their indexes (writer side).
func (a *seedAux) run(ctx context.Context, w *seedWriter) {
	err := a.write(ctx)
	if err != nil {
		w.fail()
		for range a.batches { // let the generator finish
		}
	}
	// The main connection reads the file next: this one lets go of it.
	if a.db != nil {
		if cerr := a.db.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}
	w.finished <- seedDone{a, err}
}

// seedTableList names tables for progress messages.
func seedTableList(ts []*seedTable) string {
	var names []string
	for _, t := range ts {
		names = append(names, t.name)
	}
	return strings.Join(names, ", ")
}

func (a *seedAux) write(ctx context.Context) error {
	tx := a.tx
	if !a.main {
		var err error
		if tx, err = a.db.BeginTx(ctx, nil); err != nil {
			return err
		}
		defer tx.Rollback()
	}
	stmts := map[*seedTable]*sql.Stmt{}
	for _, t := range a.tables {
		st, err := tx.PrepareContext(ctx, t.insert(t.rows))
		if err != nil {
			return fmt.Errorf("prepare %s: %w", t.name, err)
		}
		defer st.Close()
		stmts[t] = st
	}
	for b := range a.batches {
		t := b.table
		rows := len(b.args) / len(t.columns)
		var r sql.Result
		var err error
		if rows == t.rows {
			r, err = stmts[t].ExecContext(ctx, b.args...)
		} else {
			r, err = tx.ExecContext(ctx, t.insert(rows), b.args...)
		}
		if err == nil {
			if n, _ := r.RowsAffected(); n != int64(rows) {
				err = fmt.Errorf("%d of %d rows went in: a generated row breaks a constraint", n, rows)
			}
		}
		if err != nil {
			return fmt.Errorf("insert %s: %w", t.name, err)
		}
		a.rows[t] += rows
		select {
		case a.free[t] <- b.args:
		default:
		}
	}
	a.progress("rows of " + seedTableList(a.tables) + " written")
	for _, ix := range a.indexes {
		if _, err := tx.ExecContext(ctx, ix); err != nil {
			return fmt.Errorf("build index: %w", err)
		}
	}
	a.progress("indexes of " + seedTableList(a.tables) + " built")
	if a.main {
		return nil
	}
	return tx.Commit()
}

// copyInto copies the scratch tables into the main database (main side).
// The scratch database is attached only now: BEGIN IMMEDIATE would have
// locked it against its own writer.
func (a *seedAux) copyInto(ctx context.Context, tx *sql.Tx) error {
	if a.main {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "ATTACH DATABASE ? AS "+a.schema, a.path); err != nil {
		return fmt.Errorf("attach scratch database: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "PRAGMA "+a.schema+".mmap_size = 2147418112"); err != nil {
		return err
	}
	for _, t := range a.tables {
		res, err := tx.ExecContext(ctx, fmt.Sprintf("INSERT INTO main.%s SELECT * FROM %s.%s", t.name, a.schema, t.name))
		if err != nil {
			return fmt.Errorf("copy %s: %w", t.name, err)
		}
		if n, _ := res.RowsAffected(); n != int64(a.rows[t]) {
			return fmt.Errorf("copy %s: %d rows, want %d", t.name, n, a.rows[t])
		}
	}
	return nil
}

// progress reports a phase; the writers call it from their goroutines.
func (g *seedGen) progress(msg string) {
	if g.opts.Progress != nil {
		g.progressMu.Lock()
		defer g.progressMu.Unlock()
		g.opts.Progress(msg)
	}
}

// seedTime formats a time the way the driver writes time.Time values
// (dbTimeLayout), by hand: it is called a dozen times per order.
func seedTime(t time.Time) string {
	t = t.UTC()
	var b [40]byte
	buf := b[:0]
	pad := func(v, width int) {
		var d [10]byte
		for i := width - 1; i >= 0; i-- {
			d[i] = byte('0' + v%10)
			v /= 10
		}
		buf = append(buf, d[:width]...)
	}
	y, mo, d := t.Date()
	h, mi, sec := t.Clock()
	pad(y, 4)
	buf = append(buf, '-')
	pad(int(mo), 2)
	buf = append(buf, '-')
	pad(d, 2)
	buf = append(buf, ' ')
	pad(h, 2)
	buf = append(buf, ':')
	pad(mi, 2)
	buf = append(buf, ':')
	pad(sec, 2)
	if ns := t.Nanosecond(); ns != 0 {
		buf = append(buf, '.')
		pad(ns, 9)
		for buf[len(buf)-1] == '0' {
			buf = buf[:len(buf)-1]
		}
	}
	buf = append(buf, "+00:00"...)
	return string(buf)
}

// ---- the writers: multi-row INSERTs fed by the generator ----

// seedTable is one table's INSERT: its columns and rows per statement.
type seedTable struct {
	name    string
	columns []string
	rows    int // rows per full statement
}

func (t *seedTable) insert(rows int) string {
	// OR IGNORE spares each statement its statement journal (no partial
	// rollback is ever needed); run checks every row went in.
	return insertSQL("INSERT OR IGNORE", t.name, t.columns, rows)
}

func newSeedTable(name string, columns ...string) *seedTable {
	return &seedTable{name: name, columns: columns, rows: max(1, seedParams/len(columns))}
}

var (
	seedOrders = newSeedTable("orders", "id", "account_id", "channel", "channel_order_id", "placed_at", "currency", "customer_name", "customer_lc",
		"customer_email", "customer_phone", "ship_name", "ship_company", "ship_address1", "ship_address2", "ship_city", "ship_region", "ship_postal_code",
		"ship_country", "ship_phone", "note", "total_cents", "status", "tab", "dropship", "suppliers", "created_at", "updated_at")
	seedOrderLines = newSeedTable("order_lines", "id", "order_id", "account_id", "line_no", "sku", "title", "quantity", "unit_price_cents", "product_id")
	seedPOs        = newSeedTable("purchase_orders", "id", "account_id", "supplier_id", "order_id", "link_id", "po_number", "status", "supplier_status_id",
		"cancel_state", "cancel_reason", "currency", "total_cost_cents", "customer_name", "customer_email", "customer_phone", "ship_name", "ship_company",
		"ship_address1", "ship_address2", "ship_city", "ship_region", "ship_postal_code", "ship_country", "ship_phone", "notes", "idempotency_key",
		"release_at", "created_by", "created_at", "updated_at", "acknowledged_at", "promise_date", "first_tracking_at", "queue_flags", "queue_clock_at")
	seedPOLines = newSeedTable("po_lines", "id", "po_id", "order_line_id", "source_id", "supplier_sku", "title", "quantity", "shipped_qty", "cost_cents",
		"price_cents", "status", "reason")
	seedShipments = newSeedTable("shipments", "id", "po_id", "supplier_id", "merchant_id", "carrier", "carrier_name", "tracking_number", "tracking_url",
		"ship_date", "extended_field", "override_reason", "delivered_at", "created_by", "created_at")
	seedShipmentLines = newSeedTable("shipment_lines", "shipment_id", "po_line_id", "quantity")
	seedEvents        = newSeedTable("order_events", "order_id", "account_id", "at", "actor", "kind", "message")
	seedLedger        = newSeedTable("ledger_entries", "supplier_id", "merchant_id", "kind", "currency", "amount_cents", "po_id", "po_line_id", "shipment_id",
		"quantity", "at", "day", "available_at", "created_by", "created_at")
	seedProducts = newSeedTable("products", "id", "account_id", "sku", "title", "options", "gtin", "mpn", "cost_cents", "price_cents", "currency",
		"quantity", "lead_time_days", "url", "image_url", "description", "tags", "active", "created_at", "updated_at")
	seedSources = newSeedTable("product_sources", "id", "account_id", "product_id", "subscription_id", "supplier_id", "supplier_name", "supplier_sku",
		"gtin", "mpn", "priority", "available", "on_hand", "reserved", "cost_cents", "currency", "lead_time_days", "url", "last_seen_at", "created_at", "updated_at")
)

// seedBatch is rows for one INSERT.
type seedBatch struct {
	table *seedTable
	args  []any
}

type seedDone struct {
	aux *seedAux
	err error
}

// seedWriter routes the generator's rows, in full batches, to the
// connection writing each table.
type seedWriter struct {
	aux      map[*seedTable]*seedAux
	all      []*seedAux
	pending  map[*seedTable][]any // the generator's partly filled batch per table
	failed   chan struct{}
	failOnce sync.Once
	finished chan seedDone
	pg       *seedCopy // on PostgreSQL, the rows go to COPY instead
}

func newSeedWriter(aux []*seedAux) *seedWriter {
	w := &seedWriter{aux: map[*seedTable]*seedAux{}, all: aux, pending: map[*seedTable][]any{}, failed: make(chan struct{}),
		finished: make(chan seedDone, len(aux))}
	for _, a := range aux {
		for _, t := range a.tables {
			w.aux[t] = a
		}
	}
	return w
}

// fail stops the generator.
func (w *seedWriter) fail() { w.failOnce.Do(func() { close(w.failed) }) }

// add queues one row (generator side). It returns false once a writer has failed.
func (w *seedWriter) add(t *seedTable, vals ...any) bool {
	if w.pg != nil {
		return w.pg.add(w, t, vals)
	}
	buf := w.pending[t]
	if buf == nil {
		select {
		case buf = <-w.aux[t].free[t]:
			buf = buf[:0]
		default:
			buf = make([]any, 0, t.rows*len(t.columns))
		}
	}
	buf = append(buf, vals...)
	if len(buf) < t.rows*len(t.columns) {
		w.pending[t] = buf
		return true
	}
	w.pending[t] = nil
	return w.send(seedBatch{table: t, args: buf})
}

func (w *seedWriter) send(b seedBatch) bool {
	select {
	case w.aux[b.table].batches <- b:
		return true
	case <-w.failed:
		return false
	}
}

// close flushes the partly filled batches and ends the streams (generator side).
func (w *seedWriter) close() {
	if w.pg != nil {
		w.pg.close(w)
		return
	}
	for _, a := range w.all {
		for _, t := range a.tables {
			if buf := w.pending[t]; len(buf) > 0 {
				w.send(seedBatch{table: t, args: buf})
			}
			w.pending[t] = nil
		}
		close(a.batches)
	}
}

// ---- the generator ----

type seedGen struct {
	progressMu sync.Mutex
	db         *DB
	opts       SeedOptions
	rng        *rand.Rand
	now        time.Time
	start      time.Time // the oldest order's time

	merchants []*seedMerchant
	suppliers []*seedSupplier

	nextOrder, nextLine, nextPO, nextPOLine, nextProduct, nextSource, nextShipment int64

	orders, lines, pos, poLines, events, shipments, shipmentLines int
	tabs, statuses                                                map[string]int
	ledger                                                        map[seedLedgerDay]*[2]int64 // earned, released
	stats                                                         map[seedLedgerDay]*statDelta
	hours                                                         map[seedHours]int
}

type seedHours struct {
	seedLedgerDay
	hours int
}

// seedLedgerDay is a row of ledger_days: the seed's links earn on shipping
// with the default holding period.
type seedLedgerDay struct {
	supplier, merchant int64
	day                string
}

type seedSupplier struct {
	idx        int
	acc        Account
	email      string
	password   string
	prefix     string
	domain     string
	loc        *time.Location
	upsShipper string  // its UPS account number, in its tracking numbers
	statusIDs  []int64 // New, Processing, Awaiting stock, Ready to ship
	feedID     int64
	products   []seedSupProduct
	queue      map[string]int // kept queue tab counts (supplier_tab_counts)
	pos        int
}

type seedSupProduct struct {
	id                                    int64
	sku, title, options, gtin, desc, tags string
	costCents, priceCents                 int64
	qty, lead                             int
	shared                                int // index of supplier 0's product it is the same item as, -1
}

type seedMerchant struct {
	idx       int
	acc       Account
	loc       *time.Location
	email     string
	password  string
	prefix    string
	buffer    int
	linkIDs   []int64 // per supplier
	subIDs    []int64 // per supplier
	subCreate time.Time
	lastPull  time.Time
	target    int // orders to generate
	orders    int
	poSeq     int
	pos       int
	latePOs   int // kept in merchant_po_counts
	stalePOs  int
	own       []seedOwnProduct
	linked    []seedLinked
	sources   []seedSource
	anyPick   []int // linked product indexes, shuffled: popularity by position
	shipPick  []int // the ones with an eligible source
	channels  map[string]int
	tabs      map[string]int
}

type seedOwnProduct struct {
	id                    int64
	sku, title            string
	costCents, priceCents int64
	qty                   int
}

type seedLinked struct {
	id         int64
	sku, title string
	priceCents int64
	sources    []int // merchant source indexes, by priority
	eligible   int   // the first eligible source, -1 if none
}

type seedSource struct {
	id       int64
	supplier int
	product  int // supplier product index
	linked   int // merchant linked product index
	priority int
	reserved int
}

func (g *seedGen) intn(n int) int        { return g.rng.IntN(n) }
func (g *seedGen) chance(p float64) bool { return g.rng.Float64() < p }
func pickOf[T any](g *seedGen, xs []T) T { return xs[g.rng.IntN(len(xs))] }

// between returns a random duration in [lo, hi).
func (g *seedGen) between(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(g.rng.Int64N(int64(hi-lo)))
}

var (
	seedMerchantNames = []struct{ name, tz, prefix string }{
		{"Trailhead Outfitters", "America/New_York", "TH"},
		{"Harbor & Pine Home", "Europe/London", "HP"},
		{"Copperline Goods", "America/Los_Angeles", "CL"},
	}
	seedSupplierNames = []struct{ name, tz, prefix, domain string }{
		{"Acme Supply Co.", "America/Chicago", "ACM", "acme-supply.example"},
		{"Bluestone Wholesale", "America/Denver", "BLU", "bluestone.example"},
		{"Cedar Ridge Distribution", "Europe/Berlin", "CDR", "cedarridge.example"},
	}
	seedAdjectives = []string{"Ridgeline", "Summit", "Trailblaze", "Glow", "Traverse", "Basecamp", "Harbor", "Cascade", "Granite", "Meadow",
		"Alpine", "Coastal", "Evergreen", "Northstar", "Canyon", "Prairie", "Driftwood", "Ember", "Juniper", "Sierra"}
	seedNouns = []struct{ noun, tag string }{
		{"tent", "camping"}, {"sleeping bag", "camping"}, {"camp stove", "camping"}, {"lantern", "camping"}, {"backpack", "bags"},
		{"camp mug", "kitchen"}, {"folding chair", "furniture"}, {"water bottle", "kitchen"}, {"rain jacket", "apparel"}, {"fleece", "apparel"},
		{"hiking boots", "footwear"}, {"trail socks", "apparel"}, {"headlamp", "camping"}, {"cooler", "kitchen"}, {"hammock", "camping"},
		{"throw blanket", "home"}, {"table lamp", "home"}, {"cutting board", "kitchen"}, {"duvet cover", "home"}, {"bath towel", "home"},
		{"ceramic vase", "home"}, {"wall clock", "home"}, {"desk organizer", "office"}, {"notebook", "office"}, {"yoga mat", "fitness"},
		{"dumbbell set", "fitness"}, {"bike light", "cycling"}, {"saddle bag", "cycling"}, {"dog bed", "pets"}, {"cat tree", "pets"},
	}
	seedOptions    = []string{"", "", "Color: Olive", "Color: Slate", "Color: Black", "Color: Sand", "Size: S", "Size: M", "Size: L", "Size: XL", "Size: Regular"}
	seedFirstNames = []string{"Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "William", "Mia", "Benjamin",
		"Charlotte", "Lucas", "Amelia", "Henry", "Harper", "Theodore", "Evelyn", "Jack", "Abigail", "Levi", "Emily", "Alexander", "Ella",
		"Jackson", "Elizabeth", "Mateo", "Camila", "Daniel", "Luna", "Michael", "Sofia", "Mason", "Avery", "Sebastian", "Mila", "Ethan",
		"Aria", "Logan", "Scarlett", "Owen", "Penelope", "Samuel", "Layla", "Jacob", "Chloe", "Asher", "Victoria", "Aiden", "Madison",
		"John", "Eleanor", "Joseph", "Grace", "Wyatt", "Nora", "David", "Riley", "Leo", "Zoey", "Luke", "Hannah", "Julian", "Hazel",
		"Hudson", "Lily", "Grayson", "Ellie", "Matthew", "Violet", "Ezra", "Lillian", "Gabriel", "Zoe", "Carter", "Stella", "Isaac",
		"Aurora", "Jayden", "Natalie", "Luca", "Emilia", "Anthony", "Everly", "Dylan", "Leah", "Lincoln", "Aubrey", "Thomas", "Willow",
		"Maverick", "Addison", "Elias", "Lucy", "Josiah", "Audrey", "Charles", "Bella", "Caleb", "Nova", "Christopher", "Brooklyn",
		"Ezekiel", "Paisley", "Miles", "Savannah", "Jaxon", "Claire", "Isaiah", "Skylar", "Andrew", "Isla", "Joshua", "Genesis", "Nathan",
		"Naomi", "Nolan", "Elena", "Adrian", "Caroline", "Cameron", "Eliana", "Santiago", "Anna", "Eli", "Maya", "Aaron", "Valentina",
		"Ryan", "Ruby", "Angel", "Kennedy", "Cooper", "Ivy", "Waylon", "Ariana", "Easton", "Aaliyah", "Kai", "Cora", "Christian", "Madelyn",
		"Colton", "Alice", "Robert", "Kinsley", "Jameson", "Hailey", "Greta", "Jonas", "Ingrid", "Lars", "Freya", "Mats", "Siobhan", "Declan"}
	seedLastNames = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
		"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson",
		"White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
		"Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter",
		"Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris",
		"Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly", "Howard",
		"Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz",
		"Hughes", "Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez", "Powell", "Jenkins",
		"Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes", "Gonzales", "Fisher", "Vasquez", "Simmons",
		"Romero", "Jordan", "Patterson", "Alexander", "Hamilton", "Graham", "Reynolds", "Griffin", "Wallace", "Moreno", "West", "Cole",
		"Hayes", "Bryant", "Herrera", "Gibson", "Ellis", "Tran", "Medina", "Aguilar", "Stevens", "Murray", "Ford", "Castro", "Marshall",
		"Owens", "Harrison", "Fernandez", "McDonald", "Woods", "Washington", "Kennedy", "Wells", "Vargas", "Henry", "Chen", "Freeman",
		"Webb", "Tucker", "Guzman", "Burns", "Crawford", "Olson", "Simpson", "Porter", "Hunter", "Gordon", "Mendez", "Silva", "Shaw",
		"Snyder", "Mason", "Dixon", "Munoz", "Hunt", "Hicks", "Holmes", "Palmer", "Wagner", "Black", "Robertson", "Boyd", "Rose",
		"Stone", "Salazar", "Fox", "Warren", "Mills", "Meyer", "Rice", "Schmidt", "Garza", "Daniels", "Ferguson", "Nichols", "Stephens",
		"Soto", "Weaver", "Ryan", "Gardner", "Payne", "Grant", "Dunn", "Kelley", "Spencer", "Hawkins", "Arnold", "Pierce", "Hansen",
		"Peters", "Santos", "Hart", "Bradley", "Knight", "Elliott", "Cunningham", "Duncan", "Armstrong", "Hudson", "Carroll", "Lane",
		"Riley", "Andrews", "Alvarado", "Ray", "Delgado", "Berry", "Perkins", "Hoffman", "Johnston", "Matthews", "Pena", "Richards",
		"Willis", "Carpenter", "Lawrence", "Sandoval", "O'Brien", "Müller", "Schneider", "Fischer", "Weber", "Becker", "Dubois", "Moreau"}
	seedStreets = []string{"Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Pine St", "Elm St", "Washington Blvd", "Lake Rd", "Hill St",
		"Park Ave", "River Rd", "Sunset Blvd", "Highland Ave", "Church St", "Mill Rd", "Forest Dr", "Spring St", "Meadow Ln", "Ridge Rd", "2nd St"}
	seedCities = []struct{ city, region, postal, country, phone string }{
		{"Portland", "OR", "972", "US", "+1 503"}, {"Denver", "CO", "802", "US", "+1 303"}, {"Austin", "TX", "787", "US", "+1 512"},
		{"Seattle", "WA", "981", "US", "+1 206"}, {"Boston", "MA", "021", "US", "+1 617"}, {"Chicago", "IL", "606", "US", "+1 312"},
		{"Atlanta", "GA", "303", "US", "+1 404"}, {"Phoenix", "AZ", "850", "US", "+1 602"}, {"Minneapolis", "MN", "554", "US", "+1 612"},
		{"Nashville", "TN", "372", "US", "+1 615"}, {"Salt Lake City", "UT", "841", "US", "+1 801"}, {"Brooklyn", "NY", "112", "US", "+1 718"},
		{"San Diego", "CA", "921", "US", "+1 619"}, {"Raleigh", "NC", "276", "US", "+1 919"}, {"Madison", "WI", "537", "US", "+1 608"},
		{"Columbus", "OH", "432", "US", "+1 614"}, {"Boise", "ID", "837", "US", "+1 208"}, {"Asheville", "NC", "288", "US", "+1 828"},
		{"Toronto", "ON", "M5V", "CA", "+1 416"}, {"Vancouver", "BC", "V6B", "CA", "+1 604"},
		{"London", "", "SW1A", "GB", "+44 20"}, {"Manchester", "", "M1", "GB", "+44 161"}, {"Berlin", "", "10115", "DE", "+49 30"},
	}
	seedRejectReasons = []string{"Out of stock at the warehouse", "Discontinued by the manufacturer", "Cannot ship to this address",
		"Item damaged in storage", "Backordered for more than two weeks"}
	seedCancelReasons  = []string{"Customer cancelled the order", "Customer changed their mind", "Wrong size ordered", "Duplicate order", "Address could not be verified"}
	seedDeclineReasons = []string{"Already packed and handed to the carrier", "Custom item already in production", "Shipped before the request arrived"}
)

// seedChannels are the sales channels and how often each merchant sees them.
var seedChannels = []struct {
	name   string
	weight [seedMerchants]int
}{
	{"shopify", [seedMerchants]int{55, 30, 40}},
	{"amazon", [seedMerchants]int{20, 35, 25}},
	{"etsy", [seedMerchants]int{5, 10, 15}},
	{"ebay", [seedMerchants]int{8, 12, 10}},
	{"woocommerce", [seedMerchants]int{6, 8, 5}},
	{"manual", [seedMerchants]int{2, 2, 2}},
	{"csv", [seedMerchants]int{2, 2, 2}},
	{"api", [seedMerchants]int{2, 1, 1}},
}

// accounts creates the accounts and their admins through the store's own
// code, then links, feeds and subscriptions.
func (g *seedGen) accounts(ctx context.Context, tx *sql.Tx) error {
	db := g.db
	actor := Actor{Name: seedActorName}
	created := g.start.Add(-10 * 24 * time.Hour)
	mk := func(name, kind, tz, email string) (Account, string, error) {
		password := "seed-" + randomToken(12)
		a, err := db.createAccount(ctx, tx, actor, NewAccount{Name: name, Kind: kind, TimeZone: tz})
		if err != nil {
			return a, "", err
		}
		u, err := db.createUser(ctx, tx, actor, NewUser{Email: email, Name: name + " admin", Password: password})
		if err != nil {
			return a, "", err
		}
		if err := db.addMembership(ctx, tx, actor, a.ID, u.ID, RoleAdmin); err != nil {
			return a, "", err
		}
		// The accounts predate their orders.
		if _, err := tx.ExecContext(ctx, "UPDATE accounts SET dropship_enabled = 1, created_at = ? WHERE id = ?", created, a.ID); err != nil {
			return a, "", err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET created_at = ? WHERE id = ?", created, u.ID); err != nil {
			return a, "", err
		}
		a.DropshipEnabled, a.CreatedAt = true, created
		return a, password, nil
	}
	for i, m := range seedMerchantNames {
		email := fmt.Sprintf("merchant%d@seed.dropline.test", i+1)
		a, pw, err := mk(m.name, KindMerchant, m.tz, email)
		if err != nil {
			return err
		}
		g.merchants = append(g.merchants, &seedMerchant{idx: i, acc: a, email: email, password: pw, prefix: m.prefix, loc: a.Location(),
			buffer: []int{0, 2, 1}[i], channels: map[string]int{}, tabs: map[string]int{}})
	}
	for i, s := range seedSupplierNames {
		email := fmt.Sprintf("supplier%d@seed.dropline.test", i+1)
		a, pw, err := mk(s.name, KindSupplier, s.tz, email)
		if err != nil {
			return err
		}
		sup := &seedSupplier{idx: i, queue: map[string]int{}, acc: a, email: email, password: pw, prefix: s.prefix, domain: s.domain, loc: a.Location(),
			upsShipper: fmt.Sprintf("%dX%dW%02d", 1+i, 7-i, 10+i*17)}
		if sup.statusIDs, err = queryIDs(ctx, tx, "SELECT id FROM supplier_statuses WHERE account_id = ? ORDER BY position", a.ID); err != nil {
			return err
		}
		if len(sup.statusIDs) < 4 {
			return fmt.Errorf("supplier %s has %d statuses, want the 4 defaults", a.Name, len(sup.statusIDs))
		}
		// New dropship orders start in "New": without it no PO is created.
		if _, err := tx.ExecContext(ctx, "UPDATE accounts SET initial_status_id = ? WHERE id = ?", sup.statusIDs[0], a.ID); err != nil {
			return err
		}
		if err := db.audit(ctx, tx, actor, a.ID, "status.initial_set", "account", a.ID, "New"); err != nil {
			return err
		}
		res, err := execInsert(ctx, tx, `INSERT INTO feeds (account_id, name, selection, fields, all_merchants, created_at, updated_at)
			VALUES (?, 'All products', 'all', 'price,cost,quantity,lead_time,description,images', 1, ?, ?)`, a.ID, created, created)
		if err != nil {
			return err
		}
		sup.feedID, _ = res.LastInsertId()
		g.suppliers = append(g.suppliers, sup)
	}
	for _, m := range g.merchants {
		m.linkIDs = make([]int64, len(g.suppliers))
		m.subIDs = make([]int64, len(g.suppliers))
		m.subCreate = g.start.Add(-24 * time.Hour)
		m.lastPull = g.now.Add(-g.between(2*time.Minute, 40*time.Minute))
		for i, s := range g.suppliers {
			id, err := db.insertLink(ctx, tx, actor, s.acc, m.acc, LinkActive, "admin")
			if err != nil {
				return err
			}
			m.linkIDs[i] = id
			if _, err := tx.ExecContext(ctx, "UPDATE vendor_links SET created_at = ?, updated_at = ? WHERE id = ?", created, created, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// catalog builds the suppliers' products and each merchant's linked
// products and sources in memory, with their IDs; they are written after
// the orders, once reservations are known.
func (g *seedGen) catalog(ctx context.Context, tx *sql.Tx) error {
	next := func(table string) (int64, error) {
		var id int64
		err := tx.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) + 1 FROM "+table).Scan(&id)
		return id, err
	}
	var err error
	for _, p := range []struct {
		table string
		to    *int64
	}{{"orders", &g.nextOrder}, {"order_lines", &g.nextLine}, {"purchase_orders", &g.nextPO}, {"po_lines", &g.nextPOLine},
		{"products", &g.nextProduct}, {"product_sources", &g.nextSource}, {"shipments", &g.nextShipment}} {
		if *p.to, err = next(p.table); err != nil {
			return err
		}
	}
	per := g.opts.Products / len(g.suppliers)
	for i, s := range g.suppliers {
		n := per
		if i < g.opts.Products%len(g.suppliers) {
			n++
		}
		s.products = make([]seedSupProduct, n)
		for j := range s.products {
			p := &s.products[j]
			p.id = g.nextProduct
			g.nextProduct++
			p.shared = -1
			p.sku = fmt.Sprintf("%s-%06d", s.prefix, j+1)
			noun := seedNouns[(j/len(seedAdjectives))%len(seedNouns)]
			p.title = fmt.Sprintf("%s %s", seedAdjectives[j%len(seedAdjectives)], noun.noun)
			if j >= len(seedAdjectives)*len(seedNouns) {
				p.title += fmt.Sprintf(" %d", j/(len(seedAdjectives)*len(seedNouns))+1)
			}
			p.options = pickOf(g, seedOptions)
			p.tags = noun.tag
			p.gtin = seedGTIN(i, j)
			if i > 0 && j%10 == 0 && j < len(g.suppliers[0].products) {
				// The same item as supplier 1's: one merchant product, several sources.
				o := g.suppliers[0].products[j]
				p.shared, p.gtin, p.title, p.options, p.tags = j, o.gtin, o.title, o.options, o.tags
			}
			p.costCents = int64(200 + g.intn(16000))
			p.priceCents = p.costCents * int64(160+g.intn(90)) / 100
			p.desc = fmt.Sprintf("%s by %s. %s.", p.title, s.acc.Name, strings.ToUpper(p.tags[:1])+p.tags[1:])
			switch r := g.rng.Float64(); {
			case r < 0.10:
				p.lead = 0
			case r < 0.95:
				p.lead = 1
			default:
				p.lead = 2 + g.intn(5) // over the default limit: not dropshippable
			}
			if !g.chance(0.03) {
				p.qty = 5 + g.intn(300)
			}
		}
	}
	for _, m := range g.merchants {
		nOwn := min(max(g.opts.Products/50, 20), 500)
		for j := range nOwn {
			cost := int64(300 + g.intn(9000))
			m.own = append(m.own, seedOwnProduct{id: g.nextProduct, sku: fmt.Sprintf("%s-OWN-%04d", m.prefix, j+1),
				title:     fmt.Sprintf("%s %s (house brand)", seedAdjectives[(j*7)%len(seedAdjectives)], seedNouns[j%len(seedNouns)].noun),
				costCents: cost, priceCents: cost * 2, qty: g.intn(120)})
			g.nextProduct++
		}
		// Subscriptions are applied supplier by supplier: each new SKU makes
		// a product, a shared GTIN adds a source to the existing one.
		byGTIN := map[string]int{}
		for si, s := range g.suppliers {
			for j := range s.products {
				p := &s.products[j]
				li, ok := byGTIN[p.gtin]
				if !ok {
					li = len(m.linked)
					m.linked = append(m.linked, seedLinked{id: g.nextProduct, sku: p.sku, title: p.title, priceCents: p.priceCents, eligible: -1})
					g.nextProduct++
					byGTIN[p.gtin] = li
				}
				l := &m.linked[li]
				m.sources = append(m.sources, seedSource{id: g.nextSource, supplier: si, product: j, linked: li, priority: len(l.sources) + 1})
				g.nextSource++
				l.sources = append(l.sources, len(m.sources)-1)
			}
		}
		for li := range m.linked {
			l := &m.linked[li]
			for _, si := range l.sources {
				src := m.sources[si]
				p := g.suppliers[src.supplier].products[src.product]
				if p.lead <= 1 && p.qty > m.buffer {
					l.eligible = si
					break
				}
			}
			m.anyPick = append(m.anyPick, li)
			if l.eligible >= 0 {
				m.shipPick = append(m.shipPick, li)
			}
		}
		g.rng.Shuffle(len(m.anyPick), func(i, j int) { m.anyPick[i], m.anyPick[j] = m.anyPick[j], m.anyPick[i] })
		g.rng.Shuffle(len(m.shipPick), func(i, j int) { m.shipPick[i], m.shipPick[j] = m.shipPick[j], m.shipPick[i] })
		if len(m.shipPick) == 0 {
			return errors.New("no dropshippable product: use more products")
		}
	}
	// Merchant shares: the first a fifth, the others the rest evenly.
	first := g.opts.Orders / 5
	rest := g.opts.Orders - first
	for i, m := range g.merchants {
		switch {
		case i == 0:
			m.target = first
		case i == len(g.merchants)-1:
			m.target = rest - (rest/(len(g.merchants)-1))*(len(g.merchants)-2)
		default:
			m.target = rest / (len(g.merchants) - 1)
		}
	}
	// Subscriptions and their pulls: the first when subscribed, the last a few minutes ago.
	actor := Actor{Name: seedActorName}
	for _, m := range g.merchants {
		for si, s := range g.suppliers {
			res, err := execInsert(ctx, tx, `INSERT INTO subscriptions (account_id, name, feed_id, supplier_id, buffer, inventory_mode, next_run_at,
				last_success_at, last_good_rows, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'passive', ?, ?, ?, ?, ?)`,
				m.acc.ID, s.acc.Name+": All products", s.feedID, s.acc.ID, m.buffer, m.lastPull.Add(time.Hour), m.lastPull, len(s.products),
				m.subCreate, m.subCreate)
			if err != nil {
				return err
			}
			m.subIDs[si], _ = res.LastInsertId()
			if err := g.db.audit(ctx, tx, actor, m.acc.ID, "subscription.created", "subscription", m.subIDs[si], s.acc.Name+": All products"); err != nil {
				return err
			}
			var created int
			for _, src := range m.sources {
				if src.supplier == si {
					created++
				}
			}
			for _, run := range []struct {
				at                       time.Time
				created, unchanged, rows int
			}{{m.subCreate, created, 0, len(s.products)}, {m.lastPull, 0, len(s.products), len(s.products)}} {
				started := run.at.Add(-3 * time.Second)
				if _, err := tx.ExecContext(ctx, `INSERT INTO feed_runs (account_id, subscription_id, trigger, state, started_at, finished_at, rows, created, unchanged)
					VALUES (?, ?, 'schedule', 'succeeded', ?, ?, ?, ?, ?)`, m.acc.ID, m.subIDs[si], started, run.at, run.rows, run.created, run.unchanged); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// seedGTIN is a unique 13-digit GTIN with a valid check digit.
func seedGTIN(supplier, i int) string {
	body := fmt.Sprintf("084%01d%08d", supplier+1, i+1)
	sum := 0
	for k, r := range body {
		d := int(r - '0')
		if k%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return body + fmt.Sprint((10-sum%10)%10)
}

// Order shapes the generator draws; the status is computed from the rows, as refreshOrder does.
const (
	shapeNotDropship = iota
	shapeNeeds
	shapeDropshipped
	shapePartial
	shapeShipped
	shapeDelivered
	shapeRejected
	shapeCancelRequested
	shapeCancelDeclined
)

// shape picks what happened to an order of this age.
func (g *seedGen) shape(age time.Duration) int {
	if g.chance(0.12) {
		return shapeNotDropship
	}
	var weights []float64 // needs, dropshipped, partial, shipped, delivered, exception
	switch h := age.Hours(); {
	case h < 12:
		weights = []float64{75, 23, 0, 0, 0, 2}
	case h < 48:
		weights = []float64{15, 55, 8, 18, 0, 4}
	case h < 168:
		weights = []float64{4, 14, 7, 55, 15, 5}
	default:
		weights = []float64{1, 0.8, 0.4, 12, 83.3, 2.5}
	}
	total := 0.0
	for _, w := range weights {
		total += w
	}
	r := g.rng.Float64() * total
	k := 0
	for ; k < len(weights)-1; k++ {
		if r < weights[k] {
			break
		}
		r -= weights[k]
	}
	if k < 5 {
		return shapeNeeds + k
	}
	switch r := g.rng.Float64(); {
	case r < 0.6:
		return shapeRejected
	case r < 0.9:
		return shapeCancelRequested
	default:
		return shapeCancelDeclined
	}
}

type seedLine struct {
	id        int64
	sku       string
	title     string
	qty       int
	price     int64
	productID int64
	linked    int // merchant linked product index, -1 for an own product
	po        int // index into the order's POs, -1 when on none
	src       int // merchant source index of its PO line
	plID      int64
	plStatus  string
	shipped   int
	reason    string
}

type seedPO struct {
	id           int64
	lead         int       // longest lead time of its lines' sources
	acked        time.Time // zero: not acknowledged
	shipment     int64     // its shipment's ID, 0 for none
	shippedAt    time.Time
	supplier     int
	number       string
	status       string
	statusID     int64
	cancel       string
	cancelReason string
	lines        []int
	costCents    int64
	created      time.Time
	updated      time.Time
}

// generate streams the orders, then the catalog rows, to the writer.
func (g *seedGen) generate(w *seedWriter) {
	g.tabs, g.statuses, g.ledger = map[string]int{}, map[string]int{}, map[seedLedgerDay]*[2]int64{}
	g.stats, g.hours = map[seedLedgerDay]*statDelta{}, map[seedHours]int{}
	n := g.opts.Orders
	remaining := make([]int, len(g.merchants))
	left := 0
	for i, m := range g.merchants {
		remaining[i] = m.target
		left += m.target
	}
	span := g.now.Add(-time.Minute).Sub(g.start)
	var step time.Duration
	if n > 0 {
		step = span / time.Duration(n)
	}
	for k := 0; k < n; k++ {
		// Draw a merchant without replacement so the shares come out exact.
		r := g.intn(left)
		mi := 0
		for r >= remaining[mi] {
			r -= remaining[mi]
			mi++
		}
		remaining[mi]--
		left--
		placed := g.start.Add(step*time.Duration(k) + g.between(0, max(step, time.Microsecond))).Truncate(time.Second)
		if !g.order(w, g.merchants[mi], placed) {
			return
		}
		if (k+1)%250000 == 0 {
			g.progress(fmt.Sprintf("%d orders generated", k+1))
		}
	}
	g.progress("catalog: products and sources")
	g.catalogRows(w)
}

// order generates one order with its lines, POs, PO lines and events.
func (g *seedGen) order(w *seedWriter, m *seedMerchant, placed time.Time) bool {
	age := g.now.Sub(placed)
	shape := g.shape(age)
	nLines := 1
	switch r := g.rng.Float64(); {
	case r < 0.55:
	case r < 0.83:
		nLines = 2
	case r < 0.95:
		nLines = 3
	default:
		nLines = 4
	}
	qty := func() int {
		switch r := g.rng.Float64(); {
		case r < 0.8:
			return 1
		case r < 0.95:
			return 2
		default:
			return 3 + g.intn(3)
		}
	}
	// Popular products sell more: position in the shuffled list sets popularity.
	popular := func(n int) int { return int(float64(n) * math.Pow(g.rng.Float64(), 1.6)) }
	var lines []seedLine
	used := map[int64]bool{}
	addLinked := func(li int) {
		l := m.linked[li]
		if used[l.id] {
			return
		}
		used[l.id] = true
		lines = append(lines, seedLine{sku: l.sku, title: l.title, qty: qty(), price: l.priceCents, productID: l.id, linked: li, po: -1, src: -1})
	}
	addOwn := func() {
		p := pickOf(g, m.own)
		if used[p.id] {
			return
		}
		used[p.id] = true
		lines = append(lines, seedLine{sku: p.sku, title: p.title, qty: qty(), price: p.priceCents, productID: p.id, linked: -1, po: -1, src: -1})
	}
	switch shape {
	case shapeNotDropship:
		for range nLines {
			addOwn()
		}
	case shapeNeeds:
		for range nLines {
			addLinked(m.anyPick[popular(len(m.anyPick))])
		}
	default:
		for range nLines {
			addLinked(m.shipPick[popular(len(m.shipPick))])
		}
	}
	if shape != shapeNotDropship && g.chance(0.08) {
		addOwn() // a mixed order: one line the merchant ships itself
	}
	if shape == shapePartial {
		// A partial shipment needs two units at least.
		units := 0
		for _, l := range lines {
			if l.linked >= 0 {
				units += l.qty
			}
		}
		if units < 2 {
			for i := range lines {
				if lines[i].linked >= 0 {
					lines[i].qty = 2
					break
				}
			}
		}
	}
	id := g.nextOrder
	g.nextOrder++
	for i := range lines {
		lines[i].id = g.nextLine
		g.nextLine++
	}

	// Who, where, which channel.
	ch := g.channel(m)
	m.channels[ch]++
	number := seedOrderNumber(g, ch, m.channels[ch])
	first, last := pickOf(g, seedFirstNames), pickOf(g, seedLastNames)
	name := first + " " + last
	email := strings.ToLower(strings.NewReplacer("'", "", "ü", "u").Replace(first+"."+last)) + fmt.Sprintf("%d@example.com", g.intn(1000))
	city := pickOf(g, seedCities)
	phone := fmt.Sprintf("%s %03d %04d", city.phone, 200+g.intn(800), g.intn(10000))
	postal := city.postal
	switch city.country {
	case "US":
		postal += fmt.Sprintf("%02d", g.intn(100))
	case "CA":
		postal += fmt.Sprintf(" %d%c%d", g.intn(10), 'A'+rune(g.intn(26)), g.intn(10))
	case "GB":
		postal += fmt.Sprintf(" %d%c%c", g.intn(10), 'A'+rune(g.intn(26)), 'A'+rune(g.intn(26)))
	}
	address1 := fmt.Sprintf("%d %s", 1+g.intn(9899), pickOf(g, seedStreets))
	address2 := ""
	if g.chance(0.15) {
		address2 = fmt.Sprintf("Apt %d", 1+g.intn(40))
	}
	company := ""
	if g.chance(0.05) {
		company = last + " & Co."
	}
	note := ""
	if g.chance(0.03) {
		note = pickOf(g, []string{"Gift: please leave out the invoice.", "Leave at the back door.", "Ring twice.", "Please ship together."})
	}
	created := placed.Add(g.between(time.Minute, 10*time.Minute))
	if created.After(g.now) {
		created = g.now
	}
	updated := created

	// What happened to it.
	var pos []seedPO
	dropshipAt := placed.Add(min(g.between(20*time.Minute, 18*time.Hour), age*8/10))
	if dropshipAt.Before(created) {
		dropshipAt = created
	}
	groups := func(only func(seedLine) bool) {
		for i := range lines {
			l := &lines[i]
			if l.linked < 0 || !only(*l) {
				continue
			}
			src := m.linked[l.linked].eligible
			if src < 0 {
				continue
			}
			sup := m.sources[src].supplier
			k := slices.IndexFunc(pos, func(p seedPO) bool { return p.supplier == sup })
			if k < 0 {
				pos = append(pos, seedPO{supplier: sup})
				k = len(pos) - 1
			}
			l.po, l.src, l.plStatus = k, src, "open"
			pos[k].lines = append(pos[k].lines, i)
		}
		// Dropship numbers the POs in supplier name order.
		order := make([]int, len(pos))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int {
			return strings.Compare(g.suppliers[pos[a].supplier].acc.Name, g.suppliers[pos[b].supplier].acc.Name)
		})
		sorted := make([]seedPO, len(pos))
		remap := make([]int, len(pos))
		for to, from := range order {
			sorted[to] = pos[from]
			remap[from] = to
		}
		pos = sorted
		for i := range lines {
			if lines[i].po >= 0 {
				lines[i].po = remap[lines[i].po]
			}
		}
	}
	switch shape {
	case shapeNotDropship:
	case shapeNeeds:
		// Now and then one supplier's lines went and another's wait.
		if g.chance(0.15) {
			sups := map[int]bool{}
			for _, l := range lines {
				if l.linked >= 0 && m.linked[l.linked].eligible >= 0 {
					sups[m.sources[m.linked[l.linked].eligible].supplier] = true
				}
			}
			if len(sups) >= 2 {
				var firstSup = -1
				for _, l := range lines {
					if l.linked >= 0 && m.linked[l.linked].eligible >= 0 {
						firstSup = m.sources[m.linked[l.linked].eligible].supplier
						break
					}
				}
				groups(func(l seedLine) bool {
					src := m.linked[l.linked].eligible
					return src >= 0 && m.sources[src].supplier == firstSup
				})
			}
		}
	default:
		groups(func(seedLine) bool { return true })
	}
	for k := range pos {
		p := &pos[k]
		m.poSeq++
		p.id = g.nextPO
		g.nextPO++
		p.number = fmt.Sprintf("PO-%06d", m.poSeq)
		p.status = POOpen
		p.created, p.updated = dropshipAt, dropshipAt
		s := g.suppliers[p.supplier]
		p.statusID = s.statusIDs[0]
		for _, li := range p.lines {
			l := &lines[li]
			l.plID = g.nextPOLine
			g.nextPOLine++
			sp := s.products[m.sources[l.src].product]
			p.costCents += int64(l.qty) * sp.costCents
			p.lead = max(p.lead, sp.lead)
		}
	}
	shipAt := dropshipAt.Add(min(g.between(4*time.Hour, 48*time.Hour), g.now.Sub(dropshipAt)*9/10))
	switch shape {
	case shapeShipped, shapeDelivered:
		for i := range lines {
			if lines[i].po >= 0 {
				lines[i].plStatus, lines[i].shipped = "shipped", lines[i].qty
			}
		}
		for k := range pos {
			pos[k].status, pos[k].updated = POShipped, shipAt
			if shape == shapeDelivered {
				pos[k].status = PODelivered
				pos[k].updated = shipAt.Add(min(g.between(24*time.Hour, 5*24*time.Hour), g.now.Sub(shipAt)*9/10))
			}
		}
	case shapePartial:
		var live []int
		for i := range lines {
			if lines[i].po >= 0 {
				live = append(live, i)
			}
		}
		if len(live) >= 2 {
			// The first line went in full, the rest wait.
			l := &lines[live[0]]
			l.plStatus, l.shipped = "shipped", l.qty
		} else if len(live) == 1 {
			l := &lines[live[0]]
			l.shipped = 1 + g.intn(l.qty-1)
		}
		for k := range pos {
			all, some := true, false
			for _, li := range pos[k].lines {
				all = all && lines[li].plStatus == "shipped"
				some = some || lines[li].shipped > 0
			}
			switch {
			case all:
				pos[k].status, pos[k].updated = POShipped, shipAt
			case some:
				pos[k].status, pos[k].updated = POPartiallyShipped, shipAt
			}
		}
	case shapeRejected:
		if len(pos) > 0 {
			k := g.intn(len(pos))
			li := pos[k].lines[g.intn(len(pos[k].lines))]
			lines[li].plStatus, lines[li].reason = "rejected", pickOf(g, seedRejectReasons)
			allRejected := true
			for _, x := range pos[k].lines {
				allRejected = allRejected && lines[x].plStatus == "rejected"
			}
			if allRejected {
				pos[k].status = PORejected
			}
			pos[k].updated = dropshipAt.Add(min(g.between(time.Hour, 24*time.Hour), g.now.Sub(dropshipAt)*9/10))
		}
	case shapeCancelRequested, shapeCancelDeclined:
		if len(pos) > 0 {
			k := g.intn(len(pos))
			pos[k].cancel, pos[k].cancelReason = "requested", pickOf(g, seedCancelReasons)
			pos[k].updated = dropshipAt.Add(min(g.between(10*time.Minute, 6*time.Hour), g.now.Sub(dropshipAt)*9/10))
			if shape == shapeCancelDeclined {
				pos[k].cancel, pos[k].cancelReason = "declined", pickOf(g, seedDeclineReasons)
			}
		}
	}
	for k := range pos {
		p := &pos[k]
		s := g.suppliers[p.supplier]
		since := g.now.Sub(p.created)
		shipped := p.status == POShipped || p.status == PODelivered || p.status == POPartiallyShipped
		if shipped {
			// One parcel with what went; a shipment records tracking and
			// acknowledges the PO if the supplier had not yet.
			p.shipment = g.nextShipment
			g.nextShipment++
			p.shippedAt = shipAt.Add(min(g.between(0, 2*time.Hour), g.now.Sub(shipAt)/2))
			p.acked = p.created.Add(min(g.between(5*time.Minute, 4*time.Hour), p.shippedAt.Sub(p.created)))
		} else if since > 2*time.Hour && g.chance(0.85) {
			p.acked = p.created.Add(g.between(5*time.Minute, 2*time.Hour))
		}
		// The supplier's own workflow status, by how long it has had the PO.
		switch {
		case shipped:
			p.statusID = s.statusIDs[3]
		case since > 30*time.Hour && !p.acked.IsZero():
			p.statusID = s.statusIDs[1+g.intn(3)]
		case since > 4*time.Hour && !p.acked.IsZero() && g.chance(0.5):
			p.statusID = s.statusIDs[1]
		}
		if p.updated.After(updated) {
			updated = p.updated
		}
	}

	// Status, tab, badge and suppliers exactly as refreshOrder computes them.
	status, tab, dropship, suppliers := g.refresh(m, lines, pos)
	m.tabs[tab]++
	g.tabs[tab]++
	g.statuses[status]++
	m.orders++
	g.orders++
	g.lines += len(lines)
	g.pos += len(pos)
	m.pos += len(pos)

	var total int64
	for _, l := range lines {
		total += int64(l.qty) * l.price
	}
	ts := seedTime(placed)
	if !w.add(seedOrders, id, m.acc.ID, ch, number, ts, "USD", name, strings.ToLower(name), email, phone,
		name, company, address1, address2, city.city, city.region, postal, city.country, phone, note, total,
		status, tab, dropship, suppliers, seedTime(created), seedTime(updated)) {
		return false
	}
	for i, l := range lines {
		var pid any
		if l.productID != 0 {
			pid = l.productID
		}
		if !w.add(seedOrderLines, l.id, id, m.acc.ID, i+1, l.sku, l.title, l.qty, l.price, pid) {
			return false
		}
	}
	actorName := m.email
	switch ch {
	case "shopify":
		actorName = "Shopify webhook"
	case "api":
		actorName = "API"
	}
	// The timeline reads in ID order: events are written oldest first.
	events := []seedEvent{{created, actorName, "imported", orderInMessage(ch, number, len(lines))}}
	for _, p := range pos {
		s := g.suppliers[p.supplier]
		g.suppliers[p.supplier].pos++
		var acked, firstTracking any
		if !p.acked.IsZero() {
			acked = seedTime(p.acked)
		}
		if p.shipment != 0 {
			firstTracking = seedTime(p.shippedAt)
		}
		// The supplier should ship within the longest lead time, at least by the next day.
		promise := p.created.AddDate(0, 0, max(p.lead, 1))
		flags, next := g.queueState(s, p, promise, lines).flags(g.now)
		var clock any
		if !next.IsZero() {
			clock = seedTime(next)
		}
		if !w.add(seedPOs, p.id, m.acc.ID, s.acc.ID, id, m.linkIDs[p.supplier], p.number, p.status, p.statusID, p.cancel, p.cancelReason,
			"USD", p.costCents, name, email, phone, name, company, address1, address2, city.city, city.region, postal, city.country, phone,
			"", fmt.Sprintf("seed-%d", id), seedTime(p.created), m.email, seedTime(p.created), seedTime(p.updated),
			acked, seedTime(promise), firstTracking, flags, clock) {
			return false
		}
		s.queue[QueueAll]++
		for _, f := range queueFlagTabs {
			if flags&f.bit != 0 {
				s.queue[f.tab]++
			}
		}
		if flags&queueFlagLate != 0 {
			m.latePOs++
		}
		if flags&queueFlagStale != 0 {
			m.stalePOs++
		}
		g.countPO(m, s, p, promise, lines)
		var skus, sent []string
		for _, li := range p.lines {
			l := lines[li]
			src := m.sources[l.src]
			sp := s.products[src.product]
			if l.plStatus == "open" {
				m.sources[l.src].reserved += l.qty - l.shipped
			}
			g.poLines++
			if !w.add(seedPOLines, l.plID, p.id, l.id, src.id, sp.sku, l.title, l.qty, l.shipped, sp.costCents, l.price, l.plStatus, l.reason) {
				return false
			}
			skus = append(skus, fmt.Sprintf("%d × %s", l.qty, sp.sku))
			if l.shipped > 0 {
				g.shipmentLines++
				if !w.add(seedShipmentLines, p.shipment, l.plID, l.shipped) {
					return false
				}
				sent = append(sent, fmt.Sprintf("%d × %s", l.shipped, sp.sku))
				if l.plStatus != "rejected" && !g.earn(w, m, s, p, l.plID, l.shipped, int64(l.shipped)*sp.costCents) {
					return false
				}
			}
		}
		events = append(events, seedEvent{p.created, m.email, "dropshipped", fmt.Sprintf("Dropshipped to %s on %s: %s.", s.acc.Name, p.number, strings.Join(skus, ", "))})
		var rejected []string
		for _, li := range p.lines {
			if l := lines[li]; l.plStatus == "rejected" {
				rejected = append(rejected, s.products[m.sources[l.src].product].sku)
				events = append(events, seedEvent{p.updated, s.email, "lines_rejected", fmt.Sprintf("%s rejected %s on %s: %s. The lines can be dropshipped to another source.",
					s.acc.Name, strings.Join(rejected, ", "), p.number, l.reason)})
			}
		}
		if p.cancel != "" {
			reason := p.cancelReason
			if p.cancel == "declined" {
				reason = pickOf(g, seedCancelReasons)
			}
			events = append(events, seedEvent{p.updated, m.email, "cancel_requested", "Cancellation of " + p.number + " requested: " + reason + "."})
			if p.cancel == "declined" {
				events = append(events, seedEvent{p.updated, s.email, "cancel_answered", "Cancellation of " + p.number + " declined by the supplier: " + p.cancelReason + "."})
			}
		}
		if p.shipment != 0 {
			code, carrierName, number := g.tracking(p.supplier)
			var delivered any
			if p.status == PODelivered {
				delivered = seedTime(p.updated)
			}
			shipDate := p.shippedAt.In(s.loc).Format("2006-01-02")
			g.shipments++
			if !w.add(seedShipments, p.shipment, p.id, s.acc.ID, m.acc.ID, code, carrierName, number, carrier.URL(code, number), shipDate, "", "",
				delivered, s.email, seedTime(p.shippedAt)) {
				return false
			}
			events = append(events, seedEvent{p.shippedAt, s.email, "tracking_added", fmt.Sprintf("%s shipped %s on %s with %s, tracking %s (%s).",
				s.acc.Name, strings.Join(sent, ", "), p.number, carrierName, number, shipDate)})
			if p.status == PODelivered {
				events = append(events, seedEvent{p.updated, s.email, "delivered", fmt.Sprintf("Shipment %s of %s delivered.", number, p.number)})
			}
		}
	}
	slices.SortStableFunc(events, func(a, b seedEvent) int { return a.at.Compare(b.at) })
	for _, e := range events {
		g.events++
		if !w.add(seedEvents, id, m.acc.ID, seedTime(e.at), e.actor, e.kind, e.msg) {
			return false
		}
	}
	return true
}

// queueState is what decides a generated PO's queue tabs (requeue's input).
func (g *seedGen) queueState(s *seedSupplier, p seedPO, promise time.Time, lines []seedLine) queueState {
	st := queueState{status: p.status, cancelState: p.cancel, release: p.created, created: p.created,
		promise: sql.NullTime{Time: promise, Valid: true}, acked: !p.acked.IsZero(), tracked: p.shipment != 0,
		slaHours: seedAckSLAHours, staleDays: seedStaleDays, loc: s.loc}
	for _, li := range p.lines {
		st.rejectedLine = st.rejectedLine || lines[li].plStatus == "rejected"
	}
	return st
}

// countPO adds a PO to the scorecard counts as the events would have
// (bumpStats, markAcked, markShipment); a seed test holds them equal to a
// rebuild from the written POs.
func (g *seedGen) countPO(m *seedMerchant, s *seedSupplier, p seedPO, promise time.Time, lines []seedLine) {
	f := poFacts{supplierID: s.acc.ID, merchantID: m.acc.ID, release: p.created, slaHours: seedAckSLAHours}
	key := seedLedgerDay{s.acc.ID, m.acc.ID, f.day()}
	d := g.stats[key]
	if d == nil {
		d = &statDelta{}
		g.stats[key] = d
	}
	d.received++
	if !p.acked.IsZero() {
		d.acked++
		if f.ackedInSLA(p.acked) {
			d.ackedInSLA++
		}
	}
	if p.shipment != 0 {
		d.tracked++
		d.shipments++
		if !p.shippedAt.After(promise) {
			d.trackedOnTime++
		}
		g.hours[seedHours{key, f.shipHours(p.shippedAt)}]++
	}
	for _, li := range p.lines {
		if lines[li].plStatus == "rejected" {
			d.rejected++
			break
		}
	}
	if p.status == POCancelled {
		d.cancelled++
	}
}

// earn writes a shipped line's earning to the ledger and adds it to its days.
func (g *seedGen) earn(w *seedWriter, m *seedMerchant, s *seedSupplier, p seedPO, line int64, qty int, amount int64) bool {
	terms := pairTerms{holdingDays: seedHoldingDays, loc: m.loc}
	available := terms.availableAt(p.shippedAt)
	day := localDay(p.shippedAt, m.loc)
	for col, d := range [2]string{day, localDay(available, m.loc)} { // earned, released
		key := seedLedgerDay{s.acc.ID, m.acc.ID, d}
		if g.ledger[key] == nil {
			g.ledger[key] = new([2]int64)
		}
		g.ledger[key][col] += amount
	}
	return w.add(seedLedger, s.acc.ID, m.acc.ID, LedgerEarning, "USD", amount, p.id, line, p.shipment, qty, seedTime(p.shippedAt), day,
		seedTime(available), s.email, seedTime(p.shippedAt))
}

// seedEvent is a line of an order's timeline.
type seedEvent struct {
	at               time.Time
	actor, kind, msg string
}

// tracking draws a carrier and a tracking number that passes the carrier's check.
func (g *seedGen) tracking(supplier int) (code, name, number string) {
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + g.intn(10))
		}
		return string(b)
	}
	r := g.intn(100)
	switch {
	case r < []int{60, 35, 45}[supplier%3]:
		// 1Z, the shipper number, the service, a serial and the mod-10 check.
		body := g.suppliers[supplier].upsShipper + "03" + digits(7)
		sum := 0
		for i := 0; i < len(body); i++ {
			v := int(body[i] - '0')
			if body[i] >= 'A' {
				v = int(body[i]-63) % 10
			}
			if i%2 == 1 {
				v *= 2
			}
			sum += v
		}
		return "ups", "UPS", "1Z" + body + string(rune('0'+(10-sum%10)%10))
	case r < 85:
		// IMpb: 94 + service and mailer digits, a serial, the GS1 mod-10 check.
		body := "9400111" + digits(14)
		sum, w := 0, 3
		for i := len(body) - 1; i >= 0; i-- {
			sum += int(body[i]-'0') * w
			w = 4 - w
		}
		return "usps", "USPS", body + string(rune('0'+(10-sum%10)%10))
	default:
		// FedEx Express: 11 digits and the mod-11 check.
		body := digits(11)
		weights := [3]int{1, 3, 7}
		sum := 0
		for i, j := len(body)-1, 0; i >= 0; i, j = i-1, j+1 {
			sum += int(body[i]-'0') * weights[j%3]
		}
		return "fedex", "FedEx", body + string(rune('0'+sum%11%10))
	}
}

// refresh is refreshOrder over the generated rows: status, tab, dropship
// badge and the suppliers it names. The seed test checks the two agree.
func (g *seedGen) refresh(m *seedMerchant, lines []seedLine, pos []seedPO) (status, tab string, dropship int, suppliers string) {
	var n lineCounts
	var names []string
	for _, l := range lines {
		live := l.po >= 0 && (l.plStatus == "open" || l.plStatus == "shipped")
		if l.linked >= 0 {
			n.linked++
		}
		if live {
			n.onPO++
			if l.plStatus == "shipped" && l.shipped >= l.qty {
				n.shipped++
			}
			if l.shipped > 0 {
				n.partly++
			}
			if pos[l.po].status == PODelivered {
				n.delivered++
			}
			names = append(names, g.suppliers[pos[l.po].supplier].acc.Name)
		} else {
			if l.po >= 0 {
				n.exceptions++
			}
			if l.linked >= 0 {
				first := m.sources[m.linked[l.linked].sources[0]]
				names = append(names, g.suppliers[first.supplier].acc.Name)
			}
		}
	}
	for _, p := range pos {
		if p.cancel == "requested" {
			n.cancelTrouble++
		}
	}
	status, tab = n.statusTab()
	if n.dropship() {
		dropship = 1
	}
	slices.Sort(names)
	return status, tab, dropship, joinTags(slices.Compact(names))
}

func (g *seedGen) channel(m *seedMerchant) string {
	total := 0
	for _, c := range seedChannels {
		total += c.weight[m.idx%seedMerchants]
	}
	r := g.intn(total)
	for _, c := range seedChannels {
		if r < c.weight[m.idx%seedMerchants] {
			return c.name
		}
		r -= c.weight[m.idx%seedMerchants]
	}
	return "manual"
}

// seedOrderNumber is the k-th order number of a channel, in that channel's
// style; unique per merchant and channel.
func seedOrderNumber(g *seedGen, ch string, k int) string {
	switch ch {
	case "shopify":
		return fmt.Sprintf("#%d", 1000+k)
	case "amazon":
		mid := (uint64(k)*7919 + 104729) % 10_000_000 // a bijection for k < 10^7
		return fmt.Sprintf("11%d-%07d-%07d", 1+k/10_000_000%9, mid, g.intn(10_000_000))
	case "etsy":
		return fmt.Sprint(1_800_000_000 + k*7 + g.intn(7))
	case "ebay":
		v := uint64(k)*7919 + 17
		return fmt.Sprintf("%02d-%05d-%05d", 10+v/10_000_000_000%90, v/100_000%100_000, v%100_000)
	case "woocommerce":
		return fmt.Sprint(5000 + k)
	case "manual":
		return fmt.Sprintf("M-%05d", k)
	case "csv":
		return fmt.Sprintf("CSV-%06d", k)
	}
	return fmt.Sprintf("API-%06d", k)
}

// catalogRows writes the products and sources, now that the orders have
// set each source's reservation. A supplier quantity below what the open
// POs hold is raised: the seed models stock that was there when the POs
// were placed and is still there.
func (g *seedGen) catalogRows(w *seedWriter) {
	created := g.start.Add(-24 * time.Hour)
	// Raise supplier stock to cover every merchant's reservations plus buffer.
	for _, m := range g.merchants {
		for _, src := range m.sources {
			p := &g.suppliers[src.supplier].products[src.product]
			if p.qty > 0 && p.qty < src.reserved+m.buffer+1 {
				p.qty = src.reserved + m.buffer + 1 + g.intn(40)
			}
		}
	}
	for _, s := range g.suppliers {
		for _, p := range s.products {
			updated := created.Add(g.between(0, g.now.Sub(created)-time.Hour))
			if !w.add(seedProducts, p.id, s.acc.ID, p.sku, p.title, p.options, p.gtin, "", p.costCents, p.priceCents, "USD", p.qty, p.lead,
				"https://"+s.domain+"/p/"+p.sku, "https://"+s.domain+"/img/"+p.sku+".jpg", p.desc, p.tags, 1, seedTime(created), seedTime(updated)) {
				return
			}
		}
	}
	for _, m := range g.merchants {
		for _, p := range m.own {
			if !w.add(seedProducts, p.id, m.acc.ID, p.sku, p.title, "", "", "", p.costCents, p.priceCents, "USD", p.qty, 1,
				"", "", "", "house", 1, seedTime(created), seedTime(created)) {
				return
			}
		}
		// As a pull's apply creates them: no cost, quantity 0, no URL, no tags.
		pulled := seedTime(m.subCreate)
		for _, l := range m.linked {
			first := m.sources[l.sources[0]]
			p := g.suppliers[first.supplier].products[first.product]
			if !w.add(seedProducts, l.id, m.acc.ID, p.sku, p.title, p.options, p.gtin, "", nil, p.priceCents, "USD", 0, p.lead,
				"", "https://"+g.suppliers[first.supplier].domain+"/img/"+p.sku+".jpg", p.desc, "", 1, pulled, pulled) {
				return
			}
		}
		last := seedTime(m.lastPull)
		for _, src := range m.sources {
			s := g.suppliers[src.supplier]
			p := s.products[src.product]
			if !w.add(seedSources, src.id, m.acc.ID, m.linked[src.linked].id, m.subIDs[src.supplier], s.acc.ID, s.acc.Name, p.sku, p.gtin, "",
				src.priority, p.qty, max(p.qty-m.buffer, 0), src.reserved, p.costCents, "USD", p.lead, "https://"+s.domain+"/p/"+p.sku,
				last, pulled, last) {
				return
			}
		}
	}
}

// finish writes what depends on the whole run: tab counts and PO sequences.
func (g *seedGen) finish(ctx context.Context, tx *sql.Tx) error {
	g.progress("ledger days and scorecard counts")
	for k, v := range g.ledger {
		t := pairTerms{supplierID: k.supplier, merchantID: k.merchant, currency: "USD"}
		if err := addLedgerDay(ctx, tx, t, k.day, v[0], 0, 0, v[1]); err != nil {
			return err
		}
	}
	for k, d := range g.stats {
		if err := bumpStats(ctx, tx, poFacts{supplierID: k.supplier, merchantID: k.merchant, release: mustDay(k.day)}, *d); err != nil {
			return err
		}
	}
	for k, n := range g.hours {
		if _, err := tx.ExecContext(ctx, "INSERT INTO supplier_ship_hours (supplier_id, merchant_id, day, hours, n) VALUES (?, ?, ?, ?, ?)",
			k.supplier, k.merchant, k.day, k.hours, n); err != nil {
			return err
		}
	}
	for _, s := range g.suppliers {
		for tab, n := range s.queue {
			if err := bumpQueue(ctx, tx, s.acc.ID, tab, n); err != nil {
				return err
			}
		}
	}
	for _, m := range g.merchants {
		for _, tab := range []string{TabNeedsDropship, TabDropshipped, TabShipped, TabExceptions, TabOther} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO order_tab_counts (account_id, tab, n) VALUES (?, ?, ?)
				ON CONFLICT (account_id, tab) DO UPDATE SET n = order_tab_counts.n + excluded.n`, m.acc.ID, tab, m.tabs[tab]); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE accounts SET po_sequence = ? WHERE id = ?", m.poSeq, m.acc.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO merchant_po_counts (account_id, n, late, stale) VALUES (?, ?, ?, ?)",
			m.acc.ID, m.pos, m.latePOs, m.stalePOs); err != nil {
			return err
		}
	}
	return g.db.audit(ctx, tx, Actor{Name: seedActorName}, 0, "seed.loaded", "account", g.merchants[0].acc.ID,
		fmt.Sprintf("%d orders, %d purchase orders, %d products", g.orders, g.pos, g.opts.Products))
}

func (g *seedGen) result() SeedResult {
	res := SeedResult{Orders: g.orders, OrderLines: g.lines, PurchaseOrders: g.pos, POLines: g.poLines, Events: g.events, Shipments: g.shipments,
		Tabs: g.tabs, Statuses: g.statuses}
	for _, m := range g.merchants {
		res.Accounts = append(res.Accounts, SeedAccount{ID: m.acc.ID, PublicID: m.acc.PublicID, Kind: m.acc.Kind, Name: m.acc.Name,
			Email: m.email, Password: m.password, Orders: m.orders, PurchaseOrders: m.pos, Products: len(m.own) + len(m.linked)})
		res.LinkedProducts += len(m.linked)
		res.Sources += len(m.sources)
	}
	for _, s := range g.suppliers {
		res.Accounts = append(res.Accounts, SeedAccount{ID: s.acc.ID, PublicID: s.acc.PublicID, Kind: s.acc.Kind, Name: s.acc.Name,
			Email: s.email, Password: s.password, PurchaseOrders: s.pos, Products: len(s.products)})
		res.Products += len(s.products)
	}
	return res
}

// mustDay parses a day the seed itself formatted.
func mustDay(day string) time.Time {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		panic(err)
	}
	return t
}
