package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
)

// checkpointer copies committed pages from the WAL into the database file on
// a connection of its own, when woken. SQLite does it in the commit that
// takes the WAL past 1,000 pages, so a transaction that writes thousands
// (a 10,000-parcel tracking file) would copy them all before its response:
// about 0.09 s. Such a transaction (beginLarge) commits without, and wakes
// the checkpointer. Every other commit keeps SQLite's checkpoint: under
// back-to-back writes only a checkpoint in the writer's commit lets the
// next write start the WAL over (with the writer's off, the benchmark's
// 10,000 dropships grew it past 2 GB).
type checkpointer struct {
	conn *sql.DB
	wake chan struct{} // never closed: a commit may kick after Close
	stop chan struct{}
	done chan struct{}
}

// startCheckpointer starts checkpointing the database conn opens each time
// it is woken, until closed.
func startCheckpointer(conn *sql.DB) *checkpointer {
	c := newCheckpointer(conn)
	go c.run()
	return c
}

func newCheckpointer(conn *sql.DB) *checkpointer {
	return &checkpointer{conn: conn, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

func (c *checkpointer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		case <-c.wake:
			if err := c.checkpoint(); err != nil {
				slog.Default().Warn("store: checkpoint", "err", err)
			}
		}
	}
}

// kick wakes the checkpointer, unless it is already due to run.
func (c *checkpointer) kick() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// checkpoint copies into the database file every page of the WAL that no
// reader still needs. It is passive: it waits for no reader and no writer.
// While another connection checkpoints, it does nothing (SQLite reports
// that as busy, not as an error).
func (c *checkpointer) checkpoint() error {
	_, err := c.conn.Exec("PRAGMA wal_checkpoint(PASSIVE)")
	return err
}

// close stops the checkpointer and closes its connection. SQLite
// checkpoints what is left when the last connection to the file closes.
func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	return c.conn.Close()
}

// commitTx is a write transaction from begin or beginLarge.
type commitTx interface {
	dbtx
	Commit() error
	Rollback() error
}

// largeTx is a write transaction that writes thousands of pages: its
// commit leaves their checkpoint to the checkpointer.
type largeTx struct {
	*writeTx
	db    *DB
	conn  *sql.Conn
	pages int // the connection's wal_autocheckpoint, to put back
	ended bool
}

// beginLarge begins a large write transaction on the writer's connection,
// held until Commit or Rollback, with its commit's checkpoint off.
func (db *DB) beginLarge(ctx context.Context) (*largeTx, error) {
	if db.pg {
		// PostgreSQL checkpoints on its own schedule: a plain write transaction.
		w, err := db.begin(ctx)
		if err != nil {
			return nil, err
		}
		return &largeTx{writeTx: w, db: db}, nil
	}
	db.prepareMissed(ctx)
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	t := &largeTx{db: db, conn: conn}
	if err := conn.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&t.pages); err != nil {
		conn.Close()
		return nil, fmt.Errorf("begin: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA wal_autocheckpoint = 0"); err != nil {
		conn.Close()
		return nil, fmt.Errorf("begin: %w", err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("begin: %w", err), t.end(false))
	}
	t.writeTx = &writeTx{Tx: tx, db: db}
	return t, nil
}

// Commit commits, wakes the checkpointer and gives the connection back.
func (t *largeTx) Commit() error {
	err := t.writeTx.Commit()
	return errors.Join(err, t.end(err == nil))
}

// Rollback rolls back, unless committed, and gives the connection back.
func (t *largeTx) Rollback() error {
	if t.ended {
		return nil
	}
	err := t.writeTx.Rollback()
	return errors.Join(err, t.end(false))
}

// end turns the connection's checkpoints back on, for the transactions
// after, gives it back, and wakes the checkpointer if the transaction wrote.
func (t *largeTx) end(wrote bool) error {
	t.ended = true
	if t.conn == nil { // PostgreSQL
		return nil
	}
	// Not cancelled with the request: the connection must not go back to
	// the pool without its checkpoints.
	_, err := t.conn.ExecContext(context.Background(), fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", t.pages))
	if err != nil {
		// Closed rather than given back as it is.
		t.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	if wrote {
		t.db.ckpt.kick()
	}
	return errors.Join(err, t.conn.Close())
}
