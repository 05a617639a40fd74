package store

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"
)

// checkpointEvery is how often the checkpointer copies what the WAL holds
// into the database file. A variable for tests.
var checkpointEvery = 250 * time.Millisecond

// checkpointer copies committed pages from the WAL into the database file
// beside the writes, on a connection of its own. SQLite's default is to do
// it in the commit that takes the WAL past 1,000 pages, so one write in
// every few pays for the pages of many; for a 10,000-parcel tracking file
// that was about 0.09 s of its commit. The writer's connection has
// wal_autocheckpoint off (Open).
type checkpointer struct {
	conn *sql.DB
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex // held by each checkpoint, and while paused
}

// startCheckpointer starts checkpointing the database conn opens, every
// checkpointEvery, until stopped.
func startCheckpointer(conn *sql.DB) *checkpointer {
	c := &checkpointer{conn: conn, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

func (c *checkpointer) run() {
	defer close(c.done)
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
			c.mu.Lock()
			_, _, err := c.checkpoint(context.Background())
			c.mu.Unlock()
			if err != nil {
				slog.Default().Warn("store: checkpoint", "err", err)
			}
		}
	}
}

// checkpoint copies into the database file every page of the WAL that no
// reader still needs, and returns the WAL's pages and how many of them are
// now in the file. It is passive: it waits for no reader and no writer, and
// when the file already holds them all it writes and syncs nothing. While
// another process's connection checkpoints, it does nothing (SQLite reports
// that as busy, not as an error).
func (c *checkpointer) checkpoint(ctx context.Context) (walPages, copied int, err error) {
	var busy int
	err = c.conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &walPages, &copied)
	return walPages, copied, err
}

// pause waits for a checkpoint under way, then keeps others from starting
// and closes the checkpointer's connection until resume: the seed switches
// the file out of WAL mode, which SQLite allows only to the one connection
// that has it open.
func (c *checkpointer) pause() {
	c.mu.Lock()
	c.conn.SetMaxIdleConns(0)
}

// resume lets checkpoints run again after pause.
func (c *checkpointer) resume() {
	c.conn.SetMaxIdleConns(1)
	c.mu.Unlock()
}

// close stops the checkpointer and closes its connection. SQLite
// checkpoints what is left when the last connection to the file closes.
func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	return c.conn.Close()
}
