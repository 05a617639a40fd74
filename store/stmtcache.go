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
	if c.stmts == nil || len(c.stmts) >= maxCachedStmts {
		for _, old := range c.stmts {
			old.Close()
		}
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[query] = st
	return st, nil
}

// rq runs a read query through the statement cache.
func (db *DB) rq(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := db.readStmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// rqRow runs a single-row read query through the statement cache.
func (db *DB) rqRow(ctx context.Context, query string, args ...any) *sql.Row {
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
