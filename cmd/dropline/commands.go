package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/dropline/dropline/store"
)

const defaultDB = "./dropline.db"

// newFlags makes a flag set with the --db flag every command takes.
func newFlags(name string, getenv func(string) string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	def := getenv("DROPLINE_DB")
	if def == "" {
		def = defaultDB
	}
	db := fs.String("db", def, "SQLite database file, or a postgres:// URL (env DROPLINE_DB)")
	return fs, db
}

// helpRequested is -h or --help: the command's flags, to print instead of running it.
type helpRequested struct{ text string }

func (h helpRequested) Error() string { return "help requested" }

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		var b strings.Builder
		fmt.Fprintf(&b, "usage: dropline %s [flags]\n\nflags:\n", fs.Name())
		fs.SetOutput(&b)
		fs.PrintDefaults()
		return helpRequested{b.String()}
	} else if err != nil {
		return fmt.Errorf("%s: %w", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

func required(fs *flag.FlagSet, names ...string) error {
	var missing []string
	for _, n := range names {
		if fs.Lookup(n).Value.String() == "" {
			missing = append(missing, "--"+n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s: missing %s", fs.Name(), strings.Join(missing, ", "))
	}
	return nil
}

// openStore opens and migrates the database for a command.
func openStore(ctx context.Context, path string) (*store.DB, error) {
	db, err := store.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// resolveAccount finds an account by numeric id or public ID.
func resolveAccount(ctx context.Context, db *store.DB, ref string) (store.Account, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return db.Account(ctx, id)
	}
	return db.AccountByPublicID(ctx, ref)
}

func cmdMigrate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, dbPath := newFlags("migrate", getenv)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if applied == nil {
		applied = []string{}
	}
	return printJSON(stdout, map[string]any{"db": store.DisplayName(*dbPath), "applied": applied})
}

func cmdAccountCreate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, dbPath := newFlags("account create", getenv)
	name := fs.String("name", "", "account name")
	kind := fs.String("kind", "", "merchant, supplier or both")
	email := fs.String("email", "", "first admin's email")
	password := fs.String("password", "", "first admin's password")
	tz := fs.String("time-zone", "UTC", "IANA time zone")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, "name", "kind", "email", "password"); err != nil {
		return err
	}
	db, err := openStore(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	a, u, err := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: *name, Kind: *kind, TimeZone: *tz}, *email, *password)
	if err != nil {
		return err
	}
	return printJSON(stdout, map[string]any{"id": a.ID, "public_id": a.PublicID, "kind": a.Kind, "email": u.Email, "name": a.Name})
}

func cmdUserCreate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, dbPath := newFlags("user create", getenv)
	account := fs.String("account", "", "account id or public ID")
	email := fs.String("email", "", "email")
	password := fs.String("password", "", "password (ignored when the user exists)")
	role := fs.String("role", "", "admin or staff")
	name := fs.String("name", "", "display name")
	platformAdmin := fs.Bool("platform-admin", false, "create a platform admin (no account)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *platformAdmin {
		if *account != "" {
			return errors.New("user create: --platform-admin takes no --account")
		}
		if err := required(fs, "email", "password"); err != nil {
			return err
		}
	} else if err := required(fs, "account", "email", "password", "role"); err != nil {
		return err
	}
	db, err := openStore(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if *platformAdmin {
		u, err := db.CreateUser(ctx, store.CLIActor, store.NewUser{Email: *email, Name: *name, Password: *password, PlatformAdmin: true})
		if err != nil {
			return err
		}
		return printJSON(stdout, map[string]any{"id": u.ID, "email": u.Email, "platform_admin": true})
	}
	a, err := resolveAccount(ctx, db, *account)
	if err != nil {
		return err
	}
	m, err := db.AddMember(ctx, store.CLIActor, a.ID, store.NewMember{Email: *email, Name: *name, Password: *password, Role: *role})
	if err != nil {
		return err
	}
	return printJSON(stdout, map[string]any{"id": m.User.ID, "email": m.User.Email, "account_id": a.ID, "public_id": a.PublicID, "role": m.Role})
}

func cmdLinkCreate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, dbPath := newFlags("link create", getenv)
	supplier := fs.String("supplier", "", "supplier account id or public ID")
	merchant := fs.String("merchant", "", "merchant account id or public ID")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, "supplier", "merchant"); err != nil {
		return err
	}
	db, err := openStore(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := resolveAccount(ctx, db, *supplier)
	if err != nil {
		return fmt.Errorf("link create: supplier %s: %w", *supplier, err)
	}
	m, err := resolveAccount(ctx, db, *merchant)
	if err != nil {
		return fmt.Errorf("link create: merchant %s: %w", *merchant, err)
	}
	l, err := db.CreateLink(ctx, store.CLIActor, s.ID, m.ID)
	if err != nil {
		return err
	}
	return printJSON(stdout, map[string]any{"id": l.ID, "supplier_id": l.SupplierID, "merchant_id": l.MerchantID,
		"supplier": l.SupplierPID, "merchant": l.MerchantPID, "state": l.State})
}

func cmdTokenCreate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, dbPath := newFlags("token create", getenv)
	account := fs.String("account", "", "account id or public ID")
	name := fs.String("name", "", "what the token is for")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required(fs, "account", "name"); err != nil {
		return err
	}
	db, err := openStore(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := resolveAccount(ctx, db, *account)
	if err != nil {
		return err
	}
	t, secret, err := db.CreateToken(ctx, store.CLIActor, a.ID, *name)
	if err != nil {
		return err
	}
	return printJSON(stdout, map[string]any{"token": secret, "id": t.ID, "account_id": a.ID, "name": t.Name})
}

func cmdBackup(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, dbPath := newFlags("backup", getenv)
	out := fs.String("out", "", "file to write the copy to (must not exist)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if store.IsPostgres(*dbPath) {
		// Nothing to open: the server's own tools do this, and better.
		return postgresBackupError{*dbPath}
	}
	if err := required(fs, "out"); err != nil {
		return err
	}
	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, *out); err != nil {
		return err
	}
	return printJSON(stdout, map[string]any{"db": store.DisplayName(*dbPath), "out": *out})
}

func cmdCheck(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, dbPath := newFlags("check", getenv)
	if err := parse(fs, args); err != nil {
		return err
	}
	if _, err := os.Stat(*dbPath); err != nil && !store.IsPostgres(*dbPath) {
		return fmt.Errorf("check: %w", err)
	}
	db, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	// The checks read the newest schema; an older one would fail them with
	// "no such table".
	if pending, err := db.Pending(ctx); err != nil {
		return err
	} else if pending {
		return fmt.Errorf("check: %s has migrations waiting: run `dropline migrate --db %s` first", *dbPath, *dbPath)
	}
	if err := db.CheckInvariants(ctx); err != nil {
		return err
	}
	return printJSON(stdout, map[string]any{"db": store.DisplayName(*dbPath), "ok": true})
}
