package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dbtx is what the store's helpers need of a transaction.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// queryIDs runs a query of one integer column and returns its values.
func queryIDs(ctx context.Context, q querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// eachRow runs a query and calls row for each result, then closes the
// rows; the first error, of the query, a row or the rows, stops it.
func eachRow(ctx context.Context, q querier, query string, args []any, row func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return err
		}
	}
	return errors.Join(rows.Err(), rows.Close())
}

// oneOf is the condition that col is one of ids, and its argument: "col =
// ?" for one ID, whose plan SQLite makes at once, and for more a JSON array
// read by json_each (for one ID that costs about twice as much).
func oneOf(col string, ids []int64) (string, any) {
	if len(ids) == 1 {
		return col + " = ?", ids[0]
	}
	return col + " IN (SELECT CAST(value AS BIGINT) FROM json_each(?))", jsonIDs(ids)
}

// jsonIDs is ids as a JSON array, for json_each.
func jsonIDs(ids []int64) string {
	b := make([]byte, 0, 8*len(ids)+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// insertBatch is how many rows one INSERT writes.
const insertBatch = 64

// insertRows inserts rows of len(cols) values each into table, up to
// insertBatch rows per statement. Times are bound as the text the driver
// would write for them, each distinct one formatted once: the rows of a
// batch mostly share one (their "now"), and the driver formats every time it
// binds (about 150,000 for a 10,000-PO bulk tracking apply).
func insertRows(ctx context.Context, tx dbtx, table string, cols []string, rows [][]any) error {
	args := make([]any, 0, insertBatch*len(cols))
	full := insertSQL("INSERT", table, cols, insertBatch)
	var last time.Time
	var lastText string
	for len(rows) > 0 {
		n := min(len(rows), insertBatch)
		args = args[:0]
		for _, r := range rows[:n] {
			for _, v := range r {
				if t, ok := v.(time.Time); ok {
					if lastText == "" || !t.Equal(last) || t.Location() != last.Location() {
						last, lastText = t, dbTime(t)
					}
					v = lastText
				}
				args = append(args, v)
			}
		}
		query := full
		if n < insertBatch {
			query = insertSQL("INSERT", table, cols, n)
		}
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
		rows = rows[n:]
	}
	return nil
}

// insertSQL is a statement (verb "INSERT", "INSERT OR IGNORE") inserting
// rows rows of values for cols into table.
func insertSQL(verb, table string, cols []string, rows int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s INTO %s (%s) VALUES ", verb, table, strings.Join(cols, ", "))
	one := "(" + strings.Repeat("?, ", len(cols)-1) + "?)"
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	return b.String()
}

// Reading times. Given a DATETIME column, the driver first tries the layout
// of time.Time.String on every value, fails (allocating the error), then
// parses it with the layout it writes: in a 10,000-PO bulk tracking apply,
// half of its 90,000 time reads. Queries that read many times select them
// as text, CAST(col AS TEXT), and scan them with textTime or textNullTime,
// which parse with that layout at once.

// textTime scans a time selected as text into t.
func textTime(t *time.Time) sql.Scanner { return timeScanner{t: t} }

// textNullTime scans a time selected as text, or NULL, into t.
func textNullTime(t *sql.NullTime) sql.Scanner { return timeScanner{null: t} }

type timeScanner struct {
	t    *time.Time
	null *sql.NullTime
}

func (s timeScanner) Scan(src any) error {
	var text string
	switch v := src.(type) {
	case nil:
		if s.null == nil {
			return errors.New("store: a time is NULL")
		}
		*s.null = sql.NullTime{}
		return nil
	case string:
		text = v
	case []byte:
		text = string(v)
	case time.Time: // PostgreSQL's timestamptz
		if s.null != nil {
			*s.null = sql.NullTime{Time: v.UTC(), Valid: true}
		} else {
			*s.t = v.UTC()
		}
		return nil
	default:
		return fmt.Errorf("store: a time is %T, not text", src)
	}
	for _, layout := range timeLayouts {
		t, err := time.Parse(layout, text)
		if err != nil {
			continue
		}
		if s.null != nil {
			*s.null = sql.NullTime{Time: t, Valid: true}
		} else {
			*s.t = t
		}
		return nil
	}
	return fmt.Errorf("store: %q is not a time", text)
}

// timeLayouts are the layouts the drivers read times in, SQLite's own first.
var timeLayouts = []string{dbTimeLayout, "2006-01-02 15:04:05.999999999-07" /* PostgreSQL's text */, "2006-01-02T15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"}

// insertResult is an INSERT's outcome as RETURNING id tells it: both
// engines have RETURNING, and PostgreSQL has no LastInsertId.
type insertResult struct{ id, n int64 }

func (r insertResult) LastInsertId() (int64, error) { return r.id, nil }
func (r insertResult) RowsAffected() (int64, error) { return r.n, nil }

// execInsert runs an INSERT of one row and returns the new row's id; a row
// not written (ON CONFLICT DO NOTHING) affects none.
func execInsert(ctx context.Context, q dbtx, query string, args ...any) (insertResult, error) {
	var r insertResult
	err := q.QueryRowContext(ctx, query+" RETURNING id", args...).Scan(&r.id)
	if errors.Is(err, sql.ErrNoRows) {
		return r, nil
	}
	if err != nil {
		return r, err
	}
	r.n = 1
	return r, nil
}

// allRows is a LIMIT for limit, where a negative limit means all rows
// (SQLite reads LIMIT -1 so; PostgreSQL refuses it).
func allRows(limit int) int64 {
	if limit < 0 {
		return 1 << 62
	}
	return int64(limit)
}
