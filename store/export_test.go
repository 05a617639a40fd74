package store

import "context"

// SetProgressChunk makes tracked writes report every n units, for a test.
func SetProgressChunk(n int) (restore func()) {
	old := progressChunk
	progressChunk = n
	return func() { progressChunk = old }
}

// SetSplitRows makes files of n rows or more read in two parts, for a
// test, on a machine of any number of cores.
func SetSplitRows(n int) (restore func()) {
	old, cores := splitRows, splitCores
	splitRows, splitCores = n, 2
	return func() { splitRows, splitCores = old, cores }
}

// MigrateTo moves the schema up or down to version, for a test.
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	p, err := db.migrations()
	if err != nil {
		return err
	}
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return err
	}
	if version < current {
		_, err = p.DownTo(ctx, version)
	} else {
		_, err = p.UpTo(ctx, version)
	}
	return err
}

// RequeueSettledExceptions runs migration 17's requeue of the supplier's
// Exceptions, for a test.
func (db *DB) RequeueSettledExceptions(ctx context.Context) error {
	return db.requeueSettledExceptions(ctx)
}

// RefileDeclinedCancellations runs migration 17's refile of orders, for a test.
func (db *DB) RefileDeclinedCancellations(ctx context.Context) error {
	return db.refileDeclinedCancellations(ctx)
}

// MoveSequencesPastUsedNumbers runs migration 17's sequence repair, for a test.
func (db *DB) MoveSequencesPastUsedNumbers(ctx context.Context) error {
	return db.moveSequencesPastUsedNumbers(ctx)
}
