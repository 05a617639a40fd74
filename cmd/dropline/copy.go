package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"syscall"

	"github.com/dropline/dropline/store"
)

// cmdCopy moves an installation from its SQLite file to a PostgreSQL
// database: every table, secrets (session keys) included, so that users
// stay signed in. The target must be new and empty; the copy is one
// transaction there, committed only once counts, digests and invariants
// agree (store.CopyToPostgres).
func cmdCopy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("copy", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	from := fs.String("from", "", "the SQLite database file to copy (left as it is)")
	to := fs.String("to", "", "the PostgreSQL database to fill, new and empty: postgres://user:pass@host:5432/db")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, "from", "to"); err != nil {
		return err
	}
	if !store.IsPostgres(*to) {
		return fmt.Errorf("copy: --to must be a postgres:// URL: copy moves a SQLite database to PostgreSQL (not back, and not to another file: for a copy of a SQLite file use `dropline backup`)")
	}
	if store.IsPostgres(*from) {
		return errors.New("copy: --from must be a SQLite database file: copy moves SQLite to PostgreSQL, not back (to copy a PostgreSQL database, use pg_dump and pg_restore)")
	}
	if st, err := os.Stat(*from); err != nil {
		return fmt.Errorf("copy: --from: %w", err)
	} else if st.IsDir() {
		return fmt.Errorf("copy: --from %s is a directory, not a database file", *from)
	}
	// No server writes to the file while it is copied, nor starts to: rows
	// written after the copy's snapshot would be left behind.
	lock, err := os.OpenFile(*from+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("copy: lock %s: %w", *from, err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return fmt.Errorf("copy: a dropline is serving %s (it holds %s.lock): stop it first, so that nothing is written to the file after the copy has read it", *from, *from)
	}
	src, err := store.Open(ctx, *from)
	if err != nil {
		return err
	}
	defer src.Close()
	// The target is migrated here (a new database gets the schema); the
	// source is not: the copy refuses one that is behind.
	dst, err := openStore(ctx, *to)
	if err != nil {
		return err
	}
	defer dst.Close()
	rep, err := store.CopyToPostgres(ctx, src, dst, func(msg string) {
		fmt.Fprintln(stderr, "copy:", msg)
	})
	if err != nil {
		return err
	}
	// What `dropline check` runs, once more, on the committed copy.
	if err := dst.CheckInvariants(ctx); err != nil {
		return fmt.Errorf("copy: committed, but `dropline check` fails on the target: %w", err)
	}
	printCounts(stderr, rep)
	type table struct {
		Name   string `json:"table"`
		Source int64  `json:"source_rows"`
		Target int64  `json:"target_rows"`
		Digest string `json:"digest"`
	}
	tables := make([]table, len(rep.Tables))
	for i, t := range rep.Tables {
		tables[i] = table{t.Name, t.SourceRows, t.TargetRows, t.TargetDigest}
	}
	return printJSON(stdout, map[string]any{
		"from": rep.From, "to": rep.To, "version": rep.Version,
		"rows": rep.Rows, "tables": tables, "sequences": rep.Sequences,
		"seconds": rep.Seconds, "rows_per_second": rep.RowsPerSecond,
		"check": "ok",
		"next":  "serve with --db " + rep.To + " (with its password); signed-in users stay signed in, the session keys came along",
	})
}

// printCounts writes the per-table row counts, source beside target.
func printCounts(w io.Writer, rep store.CopyReport) {
	width := len("table")
	for _, t := range rep.Tables {
		width = max(width, len(t.Name))
	}
	fmt.Fprintf(w, "%-*s %10s %10s\n", width, "table", "sqlite", "postgres")
	fmt.Fprintln(w, strings.Repeat("-", width+22))
	var source, target int64
	for _, t := range rep.Tables {
		fmt.Fprintf(w, "%-*s %10d %10d\n", width, t.Name, t.SourceRows, t.TargetRows)
		source, target = source+t.SourceRows, target+t.TargetRows
	}
	fmt.Fprintf(w, "%-*s %10d %10d\n", width, "total", source, target)
}

// postgresBackupError is backup's answer on PostgreSQL: it copies SQLite
// files only, pg_dump and pg_restore do PostgreSQL's, spelled out for the
// database named (without its password).
type postgresBackupError struct{ dsn string }

func (e postgresBackupError) Error() string {
	u := e.dsn
	if p, err := url.Parse(e.dsn); err == nil {
		if p.User != nil {
			p.User = url.User(p.User.Username())
		}
		u = p.String()
	}
	return "backup: --db is a PostgreSQL database, and backup only copies a SQLite file. " +
		"Back up with PostgreSQL's own tools: pg_dump --format=custom --file=dropline.dump '" + u + "' " +
		"(the password from PGPASSWORD or ~/.pgpass); restore into a new, empty database with " +
		"pg_restore --no-owner --dbname='postgres://…/newdb' dropline.dump. See the README, \"Moving to PostgreSQL\""
}

func (e postgresBackupError) Unwrap() error { return store.ErrPostgresBackup }
