package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// The store's tests run on SQLite always, and again on PostgreSQL when
// DROPLINE_TEST_POSTGRES names a server (a URL of a database the tests can
// create databases from, e.g. postgres://postgres@127.0.0.1:5432/postgres).
// Main runs a package's tests on SQLite, then runs the same test binary
// again with DROPLINE_TEST_ENGINE=postgres, where DSN hands out a fresh
// PostgreSQL database per test instead of a file.

const (
	// ServerEnv names the PostgreSQL server the tests may use.
	ServerEnv = "DROPLINE_TEST_POSTGRES"
	// EngineEnv is "postgres" in the second run.
	EngineEnv = "DROPLINE_TEST_ENGINE"
)

// OnPostgres reports whether this test run is the PostgreSQL one.
func OnPostgres() bool { return os.Getenv(EngineEnv) == "postgres" }

// Main runs the tests, and runs them again on PostgreSQL when a server is
// named. Use it as TestMain: os.Exit(storetest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if OnPostgres() {
		dropTemplate()
		return code
	}
	if os.Getenv(ServerEnv) == "" {
		return code
	}
	fmt.Fprintln(os.Stderr, "--- the same tests on PostgreSQL ("+ServerEnv+")")
	cmd := exec.Command(os.Args[0], os.Args[1:]...)
	cmd.Env = append(os.Environ(), EngineEnv+"=postgres")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "--- FAIL on PostgreSQL:", err)
		return max(code, 1)
	}
	return code
}

// SkipOnPostgres skips a test of something only SQLite has (its file,
// locks, checkpoints), saying why.
func SkipOnPostgres(t testing.TB, why string) {
	t.Helper()
	if OnPostgres() {
		t.Skip("SQLite only: " + why)
	}
}

var (
	tmplOnce sync.Once
	tmplName string
	tmplErr  error
	seq      atomic.Int64

	poolMu sync.Mutex
	free   []string // this process's databases, emptied, for the next test
	made   []string // every database this process made, dropped at its end
)

// DSN is where a test's database lives: a file in dir on SQLite, or on
// PostgreSQL a database as migrate leaves a new one. Making a database
// (from a template migrated once per test binary) takes about half a
// second, so a test's database is emptied when it ends (every table but
// goose's, identities restarted) and handed to the next test.
func DSN(t testing.TB, dir string, migrate func(dsn string) error) string {
	t.Helper()
	if !OnPostgres() {
		return filepath.Join(dir, "test.db")
	}
	server := os.Getenv(ServerEnv)
	if server == "" {
		t.Fatal(EngineEnv + "=postgres needs " + ServerEnv)
	}
	poolMu.Lock()
	var name string
	if n := len(free); n > 0 {
		name, free = free[n-1], free[:n-1]
	}
	poolMu.Unlock()
	if name == "" {
		tmplOnce.Do(func() {
			tmplName = fmt.Sprintf("dropline_test_tmpl_%d", os.Getpid())
			if tmplErr = admin("DROP DATABASE IF EXISTS " + tmplName); tmplErr != nil {
				return
			}
			if tmplErr = admin("CREATE DATABASE " + tmplName); tmplErr != nil {
				return
			}
			tmplErr = migrate(withDatabase(server, tmplName))
		})
		if tmplErr != nil {
			t.Fatalf("postgres template database: %v", tmplErr)
		}
		name = newName()
		if err := admin("CREATE DATABASE " + name + " TEMPLATE " + tmplName); err != nil {
			t.Fatal(err)
		}
		poolMu.Lock()
		made = append(made, name)
		poolMu.Unlock()
	}
	dsn := withDatabase(server, name)
	t.Cleanup(func() {
		// After the test's own cleanups (its store is closed by then).
		if err := empty(dsn); err != nil {
			t.Logf("postgres test database %s not reused: %v", name, err)
			return
		}
		poolMu.Lock()
		free = append(free, name)
		poolMu.Unlock()
	})
	return dsn
}

// empty truncates every table of the database but goose's version table.
func empty(dsn string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	var tables string
	if err := db.QueryRowContext(ctx, `SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables
		WHERE schemaname = 'public' AND tablename <> 'goose_db_version'`).Scan(&tables); err != nil {
		return err
	}
	// A connection the test left open in a transaction would hold its
	// tables: give up on the database rather than wait.
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET lock_timeout = '2s'"); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, "TRUNCATE "+tables+" RESTART IDENTITY CASCADE")
	return err
}

// withDatabase is a server URL naming another database.
func withDatabase(server, name string) string {
	u, err := url.Parse(server)
	if err != nil {
		return server
	}
	u.Path = "/" + name
	return u.String()
}

// dropTemplate removes the databases this process made, the template last.
func dropTemplate() {
	poolMu.Lock()
	names := append(made, tmplName)
	poolMu.Unlock()
	for _, name := range names {
		if strings.HasPrefix(name, "dropline_test_") {
			admin(dropDatabase(name))
		}
	}
}

// admin runs a statement on the test server (CREATE or DROP DATABASE).
func admin(statement string) error {
	db, err := sql.Open("pgx", os.Getenv(ServerEnv))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(context.Background(), statement)
	return err
}

// newName is a name for a database of this process's.
func newName() string { return fmt.Sprintf("dropline_test_%d_%d", os.Getpid(), seq.Add(1)) }

func dropDatabase(name string) string { return "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)" }

// EmptyPostgres is a new empty PostgreSQL database on the server
// DROPLINE_TEST_POSTGRES names, dropped when the test ends, for tests of
// what happens on PostgreSQL whichever pass is running (a first start's
// migrations, several instances). Without a server the test is skipped,
// or fails when CI=true.
func EmptyPostgres(t testing.TB) string {
	t.Helper()
	server := os.Getenv(ServerEnv)
	if server == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(ServerEnv + " is not set: CI must start a PostgreSQL server (.ci/run)")
		}
		t.Skip(ServerEnv + " is not set: no PostgreSQL server to test on")
	}
	name := newName()
	if err := admin("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := admin(dropDatabase(name)); err != nil {
			t.Error(err)
		}
	})
	return withDatabase(server, name)
}

// CopyPostgres makes a new database on the test server from the database
// dsn names (which must have no connections open), for tests that build a
// world once and start each run from it. drop removes the copy.
func CopyPostgres(dsn string) (copyDSN string, drop func(), err error) {
	server := os.Getenv(ServerEnv)
	u, err := url.Parse(dsn)
	if err != nil {
		return "", nil, err
	}
	name := newName()
	if err := admin("CREATE DATABASE " + name + " TEMPLATE " + strings.TrimPrefix(u.Path, "/")); err != nil {
		return "", nil, err
	}
	return withDatabase(server, name), func() { admin(dropDatabase(name)) }, nil
}
