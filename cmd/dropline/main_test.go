package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dropline/dropline/store/storetest"
)

// cli runs the dropline command in-process and decodes its one JSON object.
func cli(t *testing.T, env map[string]string, args ...string) (map[string]any, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr)
	var out map[string]any
	if jerr := json.Unmarshal(stdout.Bytes(), &out); jerr != nil {
		t.Fatalf("dropline %s printed %q, not one JSON object: %v", strings.Join(args, " "), stdout.String(), jerr)
	}
	return out, err
}

func TestCLIAccountUserLinkTokenBackup(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cli.db")
	env := map[string]string{"DROPLINE_DB": db}

	if out, err := cli(t, env, "migrate"); err != nil || out["db"] != db {
		t.Fatalf("migrate: %v %v", out, err)
	}
	m, err := cli(t, env, "account", "create", "--name", "Shop", "--kind", "merchant", "--email", "Owner@Shop.example", "--password", "a long password")
	if err != nil {
		t.Fatalf("account create: %v", err)
	}
	for _, k := range []string{"id", "public_id", "kind", "email"} {
		if _, ok := m[k]; !ok {
			t.Errorf("account create output lacks %q: %v", k, m)
		}
	}
	if m["kind"] != "merchant" || m["email"] != "owner@shop.example" {
		t.Fatalf("account create output %v", m)
	}
	s, err := cli(t, nil, "account", "create", "--db", db, "--name", "Supply", "--kind", "supplier", "--email", "s@supply.example", "--password", "a long password")
	if err != nil {
		t.Fatal(err)
	}
	// IDs may be numeric or public IDs.
	l, err := cli(t, env, "link", "create", "--supplier", s["public_id"].(string), "--merchant", jsonID(m["id"]))
	if err != nil || l["state"] != "active" {
		t.Fatalf("link create: %v %v", l, err)
	}
	u, err := cli(t, env, "user", "create", "--account", m["public_id"].(string), "--email", "clerk@shop.example", "--password", "another long one", "--role", "staff")
	if err != nil || u["role"] != "staff" {
		t.Fatalf("user create: %v %v", u, err)
	}
	tok, err := cli(t, env, "token", "create", "--account", jsonID(m["id"]), "--name", "orders import")
	if err != nil || !strings.HasPrefix(tok["token"].(string), "dl_") {
		t.Fatalf("token create: %v %v", tok, err)
	}
	out := filepath.Join(dir, "backup.db")
	if b, err := cli(t, env, "backup", "--out", out); err != nil || b["out"] != out {
		t.Fatalf("backup: %v %v", b, err)
	}
}

func jsonID(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestCLIErrorsAreClear(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DROPLINE_DB": filepath.Join(dir, "x.db")}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"account", "create", "--name", "X", "--kind", "shop", "--email", "x@example.com", "--password", "a long password"}, "kind"},
		{[]string{"account", "create", "--name", "X"}, "missing --kind, --email, --password"},
		{[]string{"link", "create", "--supplier", "DL-ZZZZZ", "--merchant", "1"}, "not found"},
		{[]string{"migrate", "--db", "/no/such/dir/dropline.db"}, "/no/such/dir/dropline.db"},
		{[]string{"check", "--db", filepath.Join(dir, "absent.db")}, "absent.db"},
		{[]string{"check", "--db", filepath.Join(dir, "empty.db")}, "run `dropline migrate"},
	}
	if err := os.WriteFile(filepath.Join(dir, "empty.db"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		out, err := cli(t, env, tc.args...)
		if err == nil {
			t.Errorf("dropline %v succeeded, want an error", tc.args)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("dropline %v: error %q does not mention %q", tc.args, err, tc.want)
		}
		if _, ok := out["error"]; !ok {
			t.Errorf("dropline %v: stdout %v has no error object", tc.args, out)
		}
	}
}

func TestServeBadDBPathFails(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"serve", "--db", "/no/such/dir/d.db", "--addr", "127.0.0.1:0"}, func(string) string { return "" }, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "/no/such/dir/d.db") {
		t.Fatalf("serve with a bad --db: %v, want an error naming the path", err)
	}
}

// -h and --help list a command's flags on stdout and run nothing.
func TestCLIHelpListsFlags(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DROPLINE_DB": filepath.Join(dir, "never.db")}
	for _, tc := range []struct {
		args  []string
		flags []string
	}{
		{[]string{"--help"}, []string{"-addr", "-db", "-smtp-host", "-tick"}},
		{[]string{"serve", "-h"}, []string{"-addr", "-db", "-demo"}},
		{[]string{"account", "create", "--help"}, []string{"-name", "-kind", "-email", "-password", "-time-zone"}},
		{[]string{"seed", "--help"}, []string{"-orders", "-products"}},
		{[]string{"check", "-h"}, []string{"-db"}},
	} {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), tc.args, func(k string) string { return env[k] }, &stdout, &stderr); err != nil {
			t.Errorf("dropline %v: %v", tc.args, err)
			continue
		}
		for _, f := range tc.flags {
			if !strings.Contains(stdout.String(), "  "+f+" ") && !strings.Contains(stdout.String(), "  "+f+"\n") {
				t.Errorf("dropline %v does not list %s:\n%s", tc.args, f, stdout.String())
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "never.db")); err == nil {
		t.Error("a help request created the database")
	}
}

// The CLI on PostgreSQL: every command through DROPLINE_DB, and the
// password in the URL never printed.
func TestCLIOnPostgresNeverPrintsThePassword(t *testing.T) {
	u, err := url.Parse(storetest.EmptyPostgres(t))
	if err != nil {
		t.Fatal(err)
	}
	const secret = "s3cret-pw-not-for-logs"
	u.User = url.UserPassword(u.User.Username(), secret) // the test server trusts any password
	env := map[string]string{"DROPLINE_DB": u.String()}
	steps := [][]string{
		{"migrate"},
		{"account", "create", "--name", "Shop", "--kind", "merchant", "--email", "shop@example.com", "--password", "a-long-password-1"},
		{"account", "create", "--name", "Supply", "--kind", "supplier", "--email", "supply@example.com", "--password", "a-long-password-1"},
		{"user", "create", "--account", "1", "--email", "staff@example.com", "--password", "a-long-password-1", "--role", "staff"},
		{"link", "create", "--supplier", "2", "--merchant", "1"},
		{"token", "create", "--account", "1", "--name", "ci"},
		{"check"},
	}
	for _, args := range steps {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr); err != nil {
			t.Fatalf("dropline %s: %v\n%s", strings.Join(args, " "), err, stdout.String())
		}
		if strings.Contains(stdout.String()+stderr.String(), secret) {
			t.Errorf("dropline %s printed the database password:\n%s%s", strings.Join(args, " "), stdout.String(), stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"backup", "--out", filepath.Join(t.TempDir(), "b.db")}, func(k string) string { return env[k] }, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "pg_dump") || strings.Contains(err.Error()+stdout.String(), secret) {
		t.Errorf("backup on PostgreSQL = %v (%s), want pg_dump explained without the password", err, stdout.String())
	}
}

// A PostgreSQL URL that cannot be used is refused with the reason, and the
// password is in no message: a server that is not there, and a URL that
// does not parse. No server is needed.
func TestCLIBadPostgresURLSaysWhyWithoutThePassword(t *testing.T) {
	for _, tc := range []struct{ dsn, want string }{
		{"postgres://bob:s3cret-pw@127.0.0.1:1/dropline", "connection refused"},
		{"postgres://bob:s3cret pw@[bad", "cannot parse"},
	} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), []string{"migrate", "--db", tc.dsn}, func(string) string { return "" }, &stdout, &stderr)
		all := fmt.Sprint(err) + stdout.String() + stderr.String()
		if err == nil || !strings.Contains(all, tc.want) {
			t.Errorf("migrate --db %q: %v, want an error saying %q", tc.dsn, err, tc.want)
		}
		if strings.Contains(all, "s3cret") {
			t.Errorf("migrate --db %q printed the password: %s", tc.dsn, all)
		}
	}
}
