package store

import (
	"context"
	"database/sql"
	"sync"
)

// readStmts caches prepared statements on the reader pool by query text.
// SQLite parses every statement it is given; profiles of the order list
// under load showed a fifth of the CPU in that parser. A prepared sql.Stmt
// is reused on each connection it was prepared on.
type readStmts struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// maxCachedStmts bounds the cache: queries built from filters vary, but over
// a small set of shapes.
const maxCachedStmts = 512

func (db *DB) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	c := &db.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	st, err := db.read.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.stmts = keepStmt(c.stmts, query, st)
	return st, nil
}

// keepStmt adds a prepared statement to a cache, emptying the cache first
// when it is full. Statements in use stay open until their queries are done
// with them (database/sql counts their dependents).
func keepStmt(stmts map[string]*sql.Stmt, query string, st *sql.Stmt) map[string]*sql.Stmt {
	if stmts == nil || len(stmts) >= maxCachedStmts {
		for _, old := range stmts {
			old.Close()
		}
		stmts = map[string]*sql.Stmt{}
	}
	stmts[query] = st
	return stmts
}

// rq runs a read query through the statement cache.
func (db *DB) rq(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if db.pg {
		// pgx prepares and caches each statement per connection itself.
		return db.read.QueryContext(ctx, query, args...)
	}
	st, err := db.readStmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// rqRow runs a single-row read query through the statement cache.
func (db *DB) rqRow(ctx context.Context, query string, args ...any) *sql.Row {
	if db.pg {
		return db.read.QueryRowContext(ctx, query, args...)
	}
	st, err := db.readStmt(ctx, query)
	if err != nil {
		// The error surfaces at Scan, as with QueryRowContext.
		return db.read.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (db *DB) closeStmts() {
	db.stmts.mu.Lock()
	defer db.stmts.mu.Unlock()
	for _, st := range db.stmts.stmts {
		st.Close()
	}
	db.stmts.stmts = nil
}

// cachedReader is the reader pool through the statement cache, for helpers that take a querier.
type cachedReader struct{ db *DB }

// QueryContext runs a cached read query.
func (r cachedReader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return r.db.rq(ctx, query, args...)
}

// QueryRowContext runs a cached single-row read query.
func (r cachedReader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return r.db.rqRow(ctx, query, args...)
}

// writeStmts caches prepared statements on the single writer connection
// by query text, as readStmts does for the readers. Every write
// transaction holds SQLite's one write lock while it runs, and a profile of
// the mixed load showed a third of a tracking entry's time in the parser:
// time every other write waited.
//
// A statement can only be prepared for reuse while the writer is free, not
// from inside a transaction (which holds the only connection), so a
// statement first seen in a transaction is prepared there for that
// transaction alone, and for the cache before the next one begins.
type writeStmts struct {
	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	missed map[string]bool // to prepare before the next transaction
	failed map[string]bool // would not prepare on their own (temp tables): not retried
}

// cachedWrite returns the writer's prepared statement for query, or nil
// after noting it to prepare.
func (db *DB) cachedWrite(query string) *sql.Stmt {
	c := &db.wstmts
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st
	}
	if !c.failed[query] && len(c.missed) < maxCachedStmts {
		if c.missed == nil {
			c.missed = map[string]bool{}
		}
		c.missed[query] = true
	}
	return nil
}

// prepareMissed prepares the statements transactions ran unprepared. It
// runs before a transaction begins, when the writer is free.
func (db *DB) prepareMissed(ctx context.Context) {
	if db.pg {
		return
	}
	c := &db.wstmts
	c.mu.Lock()
	missed := c.missed
	c.missed = nil
	c.mu.Unlock()
	for query := range missed {
		st, err := db.write.PrepareContext(ctx, query)
		c.mu.Lock()
		switch {
		case err != nil:
			if c.failed == nil {
				c.failed = map[string]bool{}
			}
			c.failed[query] = true
		case c.stmts[query] != nil:
			st.Close()
		default:
			c.stmts = keepStmt(c.stmts, query, st)
		}
		c.mu.Unlock()
	}
}

// writeTx is a write transaction whose statements come from the writer's
// cache: Tx.StmtContext reuses a statement already prepared on the
// transaction's connection, the only writer, instead of parsing it again. A
// statement not cached yet is prepared in the transaction on first use and
// kept until it ends, so a bulk write of thousands of rows parses each of
// its statements once.
type writeTx struct {
	*sql.Tx
	db    *DB
	local map[string]*sql.Stmt // prepared in this transaction, closed with it
}

// stmt is query's statement in the transaction, and whether it is the
// transaction's own copy of a cached one (to close after use).
func (w *writeTx) stmt(ctx context.Context, query string) (*sql.Stmt, bool, error) {
	if st, ok := w.local[query]; ok {
		return st, false, nil
	}
	if st := w.db.cachedWrite(query); st != nil {
		return w.Tx.StmtContext(ctx, st), true, nil
	}
	st, err := w.Tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, false, err
	}
	if w.local == nil {
		w.local = map[string]*sql.Stmt{}
	}
	w.local[query] = st
	return st, false, nil
}

// ExecContext runs a statement in the transaction, prepared once.
func (w *writeTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if w.db.pg {
		return w.Tx.ExecContext(ctx, query, args...) // pgx caches statements itself
	}
	st, copied, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if copied {
		defer st.Close()
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs a query in the transaction, prepared once. The rows
// keep the statement until they are closed.
func (w *writeTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if w.db.pg {
		return w.Tx.QueryContext(ctx, query, args...)
	}
	st, _, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs a single-row query in the transaction, prepared
// once. A prepare error surfaces when the row is scanned, as with *sql.Tx.
func (w *writeTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if w.db.pg {
		return w.Tx.QueryRowContext(ctx, query, args...)
	}
	st, _, err := w.stmt(ctx, query)
	if err != nil {
		return w.Tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}
