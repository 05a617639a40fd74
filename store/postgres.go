package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"golang.org/x/crypto/bcrypt"
)

// The PostgreSQL side of the store. The store's SQL is written once, for
// both engines: portable where they agree (ON CONFLICT, RETURNING, CTEs,
// partial indexes), with the few statements that differ chosen by db.pg.
// What is left is spelling, done here on the way to the server, so that the
// store reads the same on both:
//
//   - placeholders: the store writes ? (or ?N), PostgreSQL numbers them ($1, $2...);
//   - INDEXED BY, a SQLite planner hint, is dropped (PostgreSQL plans alone);
//   - LIKE, which ignores case in SQLite, is PostgreSQL's ILIKE;
//   - json_each(?), SQLite's way to read a JSON array of values, is
//     PostgreSQL's json_array_elements_text, named value as in SQLite;
//   - values come back as SQLite gives them: booleans as 0 and 1, times in
//     UTC.
//
// Two functions SQLite has built in and PostgreSQL lacks, the two-argument
// max and min, are created by PostgreSQL's first migration.

// IsPostgres reports whether a --db value names a PostgreSQL server rather
// than a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// WriteLockKey is the advisory lock every write transaction takes on
// PostgreSQL. Writes are serialised as SQLite's one writer serialises them,
// across every instance on the database: the store's transactions read,
// decide and write (PO numbers, counters, stock), and were written for a
// single writer. Reads never wait for it.
const WriteLockKey = 0x44524f50 // "DROP"

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", redactDSN(dsn), err)
	}
	// Times are stored and compared in UTC whatever the server's zone.
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["timezone"] = "UTC"
	open := func(maxConns int) *sql.DB {
		db := sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)})
		db.SetMaxOpenConns(maxConns)
		db.SetMaxIdleConns(maxConns)
		db.SetConnMaxIdleTime(5 * time.Minute)
		return db
	}
	// The writers wait for the write lock in Go rather than in the server,
	// four at a time so that a write's reads overlap another's commit.
	write := open(4)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", redactDSN(dsn), err)
	}
	var version int
	if err := write.QueryRowContext(ctx, "SELECT current_setting('server_version_num')::int").Scan(&version); err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", redactDSN(dsn), err)
	}
	if version < 150000 {
		write.Close()
		return nil, fmt.Errorf("store: open %s: PostgreSQL %d.%d is too old; Dropline needs 15 or later", redactDSN(dsn), version/10000, version%10000)
	}
	return &DB{
		path:         redactDSN(dsn),
		pg:           true,
		pgcfg:        cfg,
		write:        write,
		read:         open(32),
		side:         open(2),
		Now:          time.Now,
		PasswordCost: bcrypt.DefaultCost,
	}, nil
}

// DisplayName is a --db value as messages and logs may show it: a file's
// path, or a PostgreSQL URL without its password.
func DisplayName(dsn string) string {
	if IsPostgres(dsn) {
		return redactDSN(dsn)
	}
	return dsn
}

// redactDSN is a PostgreSQL URL without its password, for messages and logs.
func redactDSN(dsn string) string {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return "postgres://…"
	}
	db := cfg.Database
	return fmt.Sprintf("postgres://%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, db)
}

// pgConnector opens pgx connections that speak the store's SQL.
type pgConnector struct{ base driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{conn.(*stdlib.Conn)}, nil
}

func (c pgConnector) Driver() driver.Driver { return c.base.Driver() }

// pgConn is a pgx connection that rewrites the store's SQL (rebind) and
// converts values to and from SQLite's shapes.
type pgConn struct{ *stdlib.Conn }

func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.Conn.PrepareContext(ctx, rebind(query))
	if err != nil {
		return nil, err
	}
	return pgStmt{st.(*stdlib.Stmt)}, nil
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(query), args)
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := c.Conn.QueryContext(ctx, rebind(query), args)
	if err != nil {
		return nil, err
	}
	return pgRows{rows}, nil
}

// CheckNamedValue turns Go booleans into 0 and 1: the store's flags are
// integer columns on both engines.
func (c *pgConn) CheckNamedValue(v *driver.NamedValue) error {
	if b, ok := v.Value.(bool); ok {
		if b {
			v.Value = int64(1)
		} else {
			v.Value = int64(0)
		}
	}
	return c.Conn.CheckNamedValue(v)
}

type pgStmt struct{ *stdlib.Stmt }

func (s pgStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := s.Stmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	return pgRows{rows}, nil
}

// pgRows gives booleans as 0 and 1 and times in UTC, as SQLite does.
type pgRows struct{ driver.Rows }

func (r pgRows) Next(dest []driver.Value) error {
	if err := r.Rows.Next(dest); err != nil {
		return err
	}
	for i, v := range dest {
		switch v := v.(type) {
		case bool:
			if v {
				dest[i] = int64(1)
			} else {
				dest[i] = int64(0)
			}
		case time.Time:
			dest[i] = v.UTC()
		}
	}
	return nil
}

var rebound sync.Map // query text → PostgreSQL's text

// rebind is query in PostgreSQL's spelling (see the top of this file).
func rebind(query string) string {
	if v, ok := rebound.Load(query); ok {
		return v.(string)
	}
	out := rebindText(query)
	rebound.Store(query, out)
	return out
}

func rebindText(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0 // the highest parameter number so far: a bare ? is the next
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			// Copy a quoted string or name whole: a ? inside is text.
			j := i + 1
			for j < len(query) {
				if query[j] == c {
					if j+1 < len(query) && query[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			if j >= len(query) {
				j = len(query) - 1
			}
			b.WriteString(query[i : j+1])
			i = j
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i
			}
			b.WriteString(query[i : i+j])
			i += j - 1
		case c == '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			if j > i+1 { // ?NNN, SQLite's numbered parameter
				k, _ := strconv.Atoi(query[i+1 : j])
				n = max(n, k)
				b.WriteString("$" + query[i+1:j])
				i = j - 1
				continue
			}
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		case (c == 'I' || c == 'i') && hasWordAt(query, i, "INDEXED BY"):
			// Drop "INDEXED BY name".
			j := i + len("INDEXED BY")
			for j < len(query) && query[j] == ' ' {
				j++
			}
			for j < len(query) && (isWordByte(query[j])) {
				j++
			}
			if j < len(query) && query[j] == ' ' {
				j++ // one space is enough
			}
			i = j - 1
		case (c == 'L' || c == 'l') && hasWordAt(query, i, "LIKE"):
			b.WriteString("ILIKE")
			i += len("LIKE") - 1
		case (c == 'j') && strings.HasPrefix(query[i:], "json_each(?") && (i == 0 || !isWordByte(query[i-1])):
			// json_each(?) or json_each(?N)
			j := i + len("json_each(?")
			k := j
			for k < len(query) && query[k] >= '0' && query[k] <= '9' {
				k++
			}
			if k >= len(query) || query[k] != ')' {
				b.WriteByte(c)
				continue
			}
			num := n + 1
			if k > j {
				num, _ = strconv.Atoi(query[j:k])
			}
			n = max(n, num)
			b.WriteString("json_array_elements_text($" + strconv.Itoa(num) + ") AS json_each(value)")
			i = k
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func hasWordAt(s string, i int, word string) bool {
	if len(s)-i < len(word) || !strings.EqualFold(s[i:i+len(word)], word) {
		return false
	}
	if i > 0 && isWordByte(s[i-1]) {
		return false
	}
	end := i + len(word)
	return end == len(s) || !isWordByte(s[end])
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// errPostgresBackup is what backup says on PostgreSQL.
var errPostgresBackup = errors.New("backup copies a SQLite file; on PostgreSQL use the server's own tools: pg_dump --format=custom --file=dropline.dump <database URL>, and pg_restore to bring it back (see the README)")

// OpenSQL opens a new database/sql pool on the store's database that speaks
// the store's SQL on either engine (? placeholders, as the store writes
// them), for tools and tests that read or write rows directly. The caller
// closes it.
func (db *DB) OpenSQL() (*sql.DB, error) {
	if db.pg {
		return sql.OpenDB(pgConnector{stdlib.GetConnector(*db.pgcfg)}), nil
	}
	return sql.Open("sqlite", "file:"+db.path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_time_format=sqlite")
}
