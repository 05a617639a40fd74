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

// RepairAgain forgets that the one-time repairs were done and runs them,
// as a database written under the old rules gets them, for a test.
func (db *DB) RepairAgain(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, "DELETE FROM store_repairs"); err != nil {
		return err
	}
	return db.repair(ctx)
}

// EnqueueEmail queues an email of accountID, due now, for a test.
func (db *DB) EnqueueEmail(ctx context.Context, accountID int64, to, subject string) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := db.enqueue(ctx, tx, OutboxMessage{AccountID: accountID, Kind: OutboxEmail, Topic: "test", Recipient: to, Subject: subject, Body: "hello"}); err != nil {
		return err
	}
	return tx.Commit()
}
