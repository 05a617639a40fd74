// Command dropline serves the Dropline portal and administers its database.
//
//	dropline [serve] [--addr ADDR] [--db PATH] [--demo=false]
//	dropline migrate | account create | user create | link create | token create | seed | backup | check | copy
//
// Every subcommand prints one JSON object on stdout; logs go to stderr.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // account time zones work on machines without a zoneinfo database

	"github.com/dropline/dropline/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "dropline:", err)
		os.Exit(1)
	}
}

// usage is printed for -h and unknown commands.
const usage = `usage: dropline <command> [flags]

commands:
  serve          serve the portal (the default): --addr, --db, --demo
  migrate        apply database migrations: --db
  account create --name N --kind merchant|supplier|both --email E --password P [--time-zone TZ]
  user create    --account ID --email E --password P --role admin|staff [--name N]
                 (or --platform-admin without --account)
  link create    --supplier ID --merchant ID
  token create   --account ID --name N
  seed           --orders N --products N [--seed S]  (synthetic data; empty database only)
  backup         --out FILE  (SQLite; on PostgreSQL use pg_dump, see the README)
  check          integrity and domain invariants (exit 1 on any breach)
  copy           --from FILE --to postgres://user:pass@host:5432/db
                 move a SQLite installation to a new, empty PostgreSQL database
                 (all or nothing; checks counts, content and invariants)

Every command but copy takes --db PATH (env DROPLINE_DB, default ./dropline.db;
or a postgres:// URL) and prints one JSON object on stdout. IDs are numeric ids
or public IDs (DL-XXXXX).
`

// run is the whole program, with its environment passed in so tests can drive it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
		if cmd == "account" || cmd == "user" || cmd == "link" || cmd == "token" {
			if len(args) == 0 || args[0] != "create" {
				return fmt.Errorf("unknown command %q (did you mean %q?)\n\n%s", cmd, cmd+" create", usage)
			}
			cmd, args = cmd+" create", args[1:]
		}
	}
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(ctx, args, getenv, stdout, stderr)
	case "migrate":
		err = cmdMigrate(ctx, args, getenv, stdout)
	case "account create":
		err = cmdAccountCreate(ctx, args, getenv, stdout)
	case "user create":
		err = cmdUserCreate(ctx, args, getenv, stdout)
	case "link create":
		err = cmdLinkCreate(ctx, args, getenv, stdout)
	case "token create":
		err = cmdTokenCreate(ctx, args, getenv, stdout)
	case "seed":
		err = cmdSeed(ctx, args, getenv, stdout, stderr)
	case "backup":
		err = cmdBackup(ctx, args, getenv, stdout)
	case "check":
		err = cmdCheck(ctx, args, getenv, stdout)
	case "copy":
		err = cmdCopy(ctx, args, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
	}
	if h := (helpRequested{}); errors.As(err, &h) {
		fmt.Fprint(stdout, h.text)
		return nil
	}
	if err != nil && cmd != "serve" {
		printError(stdout, err)
	}
	return err
}

// printJSON writes v as the command's one JSON object.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printError writes a failed command's JSON object, in the API's error shape.
func printError(w io.Writer, err error) {
	body := map[string]any{"code": "error", "message": err.Error()}
	var ve *store.ValidationError
	switch {
	case errors.As(err, &ve):
		body["code"], body["fields"] = "invalid", ve.Fields
	case errors.Is(err, store.ErrNotFound):
		body["code"] = "not_found"
	case errors.Is(err, store.ErrConflict):
		body["code"] = "conflict"
	}
	_ = printJSON(w, map[string]any{"error": body})
}
