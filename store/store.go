// Package store is Dropline's system of record: types, SQL, and every state
// change as one transaction with its rules.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"golang.org/x/crypto/bcrypt"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/dropline/dropline/migrations"
)

// DB is the store: on SQLite, one writer connection and a pool of readers
// on one file; on PostgreSQL, a pool of writers and one of readers on one
// database, shared by every instance.
type DB struct {
	path   string
	pg     bool // PostgreSQL (see postgres.go)
	pgcfg  *pgx.ConnConfig
	side   *sql.DB // PostgreSQL: small writes that must not queue behind the write lock (progress)
	write  *sql.DB
	read   *sql.DB
	ckpt   *checkpointer
	closed bool
	stmts  readStmts
	wstmts writeStmts

	// Now returns the current time; tests replace it to control the clock.
	Now func() time.Time
	// PasswordCost is the bcrypt cost for new password hashes; tests lower it.
	PasswordCost int
	// BaseURL is where people reach this Dropline (scheme, host, port, no
	// trailing slash), for the links in emails; "" is DefaultBaseURL.
	BaseURL string
}

// Open opens the database path names: a PostgreSQL server's database for a
// postgres:// URL, otherwise the SQLite file at path (created if needed).
// It does not migrate.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("store: open: empty database path")
	}
	if IsPostgres(path) {
		return openPostgres(ctx, path)
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("store: open %s: directory %s does not exist", path, dir)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("store: open %s: %s is not a directory", path, dir)
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, fmt.Errorf("store: open %s: is a directory, not a database file", path)
	}

	// WAL lets readers run beside the single writer; busy_timeout makes a
	// connection wait for a lock instead of failing with SQLITE_BUSY;
	// foreign_keys is off by default in SQLite and we rely on it;
	// synchronous=NORMAL is durable in WAL mode except on power loss of the OS.
	common := url.Values{}
	common.Add("_pragma", "foreign_keys(1)")
	common.Add("_pragma", "busy_timeout(10000)")
	common.Add("_pragma", "synchronous(NORMAL)")
	common.Add("_pragma", "temp_store(MEMORY)") // savepoint journals and sorts stay off disk
	common.Set("_time_format", "sqlite")        // dbTimeLayout

	w := cloneValues(common)
	w.Add("_pragma", "journal_mode(WAL)")
	// The writer keeps up to 64 MB of pages (SQLite's default is 2 MB): a
	// large write no longer spills changed pages to the WAL mid-transaction
	// and reads them back. A 10,000-parcel tracking file applied about
	// 0.09 s faster. Memory is taken as pages are read, not up front.
	w.Add("_pragma", "cache_size(-65536)")
	// BEGIN IMMEDIATE takes the write lock at the start, so a transaction
	// never fails half-way when it upgrades from reading to writing.
	w.Set("_txlock", "immediate")
	write, err := sql.Open("sqlite", "file:"+path+"?"+w.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// One writer: SQLite allows one at a time anyway, and queueing in Go is
	// cheaper than spinning on the file lock.
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	var mode string
	if err := write.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}

	r := cloneValues(common)
	r.Add("_pragma", "query_only(1)")
	// Readers map the file instead of copying each page they read through a
	// syscall into a cache of their own: under the mixed load, reads were
	// 7% of the CPU in pread, and mapping gave 870-1,050 requests/s against
	// 730-890 (a per-connection cache of 64 MB: 670-810). 2 GB is the most
	// this SQLite build maps; pages past it are read as before. The writer
	// does not map: in WAL mode it writes the log, never the mapped file,
	// and the file only shrinks by VACUUM, which Dropline does not run.
	r.Add("_pragma", "mmap_size(2147418112)")
	read, err := sql.Open("sqlite", "file:"+path+"?"+r.Encode())
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	read.SetMaxOpenConns(max(4, 2*runtime.NumCPU()))
	read.SetMaxIdleConns(max(4, 2*runtime.NumCPU()))
	ckpt, err := sql.Open("sqlite", "file:"+path+"?"+common.Encode())
	if err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	ckpt.SetMaxOpenConns(1)

	return &DB{
		path:         path,
		write:        write,
		read:         read,
		ckpt:         startCheckpointer(ckpt),
		Now:          time.Now,
		PasswordCost: bcrypt.DefaultCost,
	}, nil
}

// cloneValues copies a DSN's parameters, so that adding to the copy leaves
// the original as it was.
func cloneValues(v url.Values) url.Values {
	c := url.Values{}
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

// dbTimeLayout is how the driver writes a time.Time (DSN _time_format
// "sqlite"): text that sorts in time order and SQLite's date functions read.
const dbTimeLayout = "2006-01-02 15:04:05.999999999-07:00"

// dbTime is t as the driver would write it, for code that formats a time
// once to bind it many times.
func dbTime(t time.Time) string { return t.Format(dbTimeLayout) }

// Path returns the database file's path, or the PostgreSQL URL without its password.
func (db *DB) Path() string { return db.path }

// Postgres reports whether the store is on PostgreSQL.
func (db *DB) Postgres() bool { return db.pg }

// Close closes both connection pools.
func (db *DB) Close() error {
	if db.closed {
		return nil
	}
	db.closed = true
	db.closeStmts()
	var ckptErr error
	if db.ckpt != nil {
		ckptErr = db.ckpt.close()
	}
	var sideErr error
	if db.side != nil {
		sideErr = db.side.Close()
	}
	return errors.Join(ckptErr, sideErr, db.read.Close(), db.write.Close())
}

// Migrate applies every migration not yet applied, in order.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	p, err := db.migrations()
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	if db.pg {
		defer p.Close() // its own connections
	}
	results, err := p.Up(ctx)
	if err != nil && db.pg {
		return nil, fmt.Errorf("store: migrate %s: %w", db.path, err)
	}
	if err != nil {
		// A Go migration that failed half-way may have left the writer's
		// connection allowed to write the schema (0016).
		_, rerr := db.write.ExecContext(context.WithoutCancel(ctx), "PRAGMA writable_schema = RESET")
		return nil, fmt.Errorf("store: migrate %s: %w", db.path, errors.Join(err, rerr))
	}
	var applied []string
	for _, r := range results {
		applied = append(applied, r.Source.Path)
	}
	if err := db.repair(ctx); err != nil {
		return applied, fmt.Errorf("store: migrate %s: %w", db.path, err)
	}
	return applied, nil
}

// migrations is goose's view of the embedded migrations on the writer.
func (db *DB) migrations() (*goose.Provider, error) {
	if db.pg {
		fsys, err := fs.Sub(migrations.Postgres, "postgres")
		if err != nil {
			return nil, err
		}
		// One instance migrates at a time: goose's session lock is an
		// advisory lock on the database.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		// goose speaks PostgreSQL itself (its own placeholders and types),
		// so it gets connections of its own, not the store's.
		return goose.NewProvider(goose.DialectPostgres, stdlib.OpenDB(*db.pgcfg), fsys, goose.WithSessionLocker(locker))
	}
	fsys, err := fs.Sub(migrations.FS, ".")
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectSQLite3, db.write, fsys, goose.WithGoMigrations(migrations.Go...))
}

// Pending reports whether migrations are waiting to be applied.
func (db *DB) Pending(ctx context.Context) (bool, error) {
	p, err := db.migrations()
	if err != nil {
		return false, fmt.Errorf("store: migrations: %w", err)
	}
	if db.pg {
		defer p.Close()
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("store: migrations of %s: %w", db.path, err)
	}
	return pending, nil
}

// now returns the store's current time in UTC, truncated to the microsecond
// so that values round-trip through SQLite unchanged.
func (db *DB) now() time.Time {
	return db.Now().UTC().Truncate(time.Microsecond)
}

// snapshot is the options of a read transaction that sees one committed
// state throughout: any read transaction on SQLite, REPEATABLE READ on
// PostgreSQL (whose default gives each statement its own).
func (db *DB) snapshot() *sql.TxOptions {
	if db.pg {
		return &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	return &sql.TxOptions{ReadOnly: true}
}

// begin starts a write transaction. Callers defer tx.Rollback().
func (db *DB) begin(ctx context.Context) (*writeTx, error) {
	db.prepareMissed(ctx)
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	if db.pg {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", WriteLockKey); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("begin: %w", err)
		}
	}
	return &writeTx{Tx: tx, db: db}, nil
}

// Backup writes a consistent copy of the database to out (SQLite's VACUUM INTO,
// which reads one snapshot while writers go on).
func (db *DB) Backup(ctx context.Context, out string) error {
	if db.pg {
		return fmt.Errorf("store: %w", errPostgresBackup)
	}
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("store: backup: %s already exists", out)
	}
	if st, err := os.Stat(filepath.Dir(out)); err != nil || !st.IsDir() {
		return fmt.Errorf("store: backup: directory %s does not exist", filepath.Dir(out))
	}
	// A connection of its own: the readers are query_only, and using the
	// writer would hold up every write for the length of the copy.
	conn, err := sql.Open("sqlite", "file:"+db.path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("store: backup to %s: %w", out, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", out); err != nil {
		return fmt.Errorf("store: backup to %s: %w", out, err)
	}
	return nil
}

// IntegrityCheck runs PRAGMA integrity_check and returns an error unless it says ok.
func (db *DB) IntegrityCheck(ctx context.Context) error {
	if db.pg {
		// PostgreSQL checks its pages as it reads them (and with data
		// checksums, if the cluster has them); there is no whole-file check
		// to run from here. Foreign keys are always enforced there.
		return db.Ping(ctx)
	}
	var res string
	if err := db.read.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("store: integrity check: %s", res)
	}
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.read.PingContext(ctx)
}
