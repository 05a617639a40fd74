package store

import "context"

// ExecForTest runs one statement on the writer, in the store's SQL (tests
// that play a process that died leave its claims this way).
func (db *DB) ExecForTest(ctx context.Context, query string, args ...any) error {
	_, err := db.write.ExecContext(ctx, query, args...)
	return err
}

// QueryIntForTest reads one integer, in the store's SQL.
func (db *DB) QueryIntForTest(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}
