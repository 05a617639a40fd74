package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/storetest"
)

const pw = "correct horse battery"

func openTest(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), storetest.DSN(t, t.TempDir(), migrateDSN))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.PasswordCost = bcrypt.MinCost
	// Whatever a test did, the domain invariants still hold at its end.
	t.Cleanup(func() {
		if err := db.CheckInvariants(context.Background()); err != nil && !strings.Contains(err.Error(), "database is closed") {
			t.Error(err)
		}
	})
	return db
}

// migrateDSN migrates the database at dsn, for storetest's template.
func migrateDSN(dsn string) error {
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Migrate(context.Background())
	return err
}

func fields(err error) map[string]string {
	var ve *store.ValidationError
	if errors.As(err, &ve) {
		return ve.Fields
	}
	return nil
}

func TestOpenBadPathNamesIt(t *testing.T) {
	for _, path := range []string{"/no/such/dir/x.db", t.TempDir()} {
		_, err := store.Open(context.Background(), path)
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("Open(%q) = %v, want an error naming the path", path, err)
		}
	}
}

func TestMigrateTwiceAppliesNothingNew(t *testing.T) {
	db := openTest(t)
	applied, err := db.Migrate(context.Background())
	if err != nil || len(applied) != 0 {
		t.Fatalf("second migrate applied %v, %v; want nothing", applied, err)
	}
}

func TestCreateAccountValidates(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	_, err := db.CreateAccount(ctx, store.CLIActor, store.NewAccount{Name: " ", Kind: "shop", TimeZone: "Nowhere/City"})
	got := fields(err)
	for _, f := range []string{"name", "kind", "time_zone"} {
		if got[f] == "" {
			t.Errorf("no message for %s in %v", f, err)
		}
	}
	a, err := db.CreateAccount(ctx, store.CLIActor, store.NewAccount{Name: "  Acme ", Kind: store.KindBoth})
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "Acme" || a.TimeZone != "UTC" || !a.IsMerchant() || !a.IsSupplier() {
		t.Fatalf("account = %+v", a)
	}
	if !regexp.MustCompile(`^DL-[2-9A-HJ-NP-Z]{5}$`).MatchString(a.PublicID) {
		t.Fatalf("public ID %q has the wrong shape", a.PublicID)
	}
	byPID, err := db.AccountByPublicID(ctx, strings.ToLower(a.PublicID))
	if err != nil || byPID.ID != a.ID {
		t.Fatalf("AccountByPublicID lower-case: %+v, %v", byPID, err)
	}
	if _, err := db.Account(ctx, a.ID+100); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing account: %v, want ErrNotFound", err)
	}
}

func TestAccountWithAdminIsAllOrNothing(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if _, _, err := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "One", Kind: store.KindMerchant}, "x@example.com", pw); err != nil {
		t.Fatal(err)
	}
	// Same email again: the second account must not be left behind without an admin.
	_, _, err := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Two", Kind: store.KindMerchant}, "X@example.com", pw)
	if fields(err)["email"] == "" {
		t.Fatalf("duplicate email: %v, want an email field error", err)
	}
	all, _ := db.Accounts(ctx)
	if len(all) != 1 {
		t.Fatalf("%d accounts exist, want 1 (the failed create left one behind)", len(all))
	}
}

func TestPasswordRules(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	for _, p := range []string{"", "short", strings.Repeat("x", 73)} {
		_, err := db.CreateUser(ctx, store.CLIActor, store.NewUser{Email: "u@example.com", Password: p})
		if fields(err)["password"] == "" {
			t.Errorf("password of %d bytes: %v, want a password field error", len(p), err)
		}
	}
	u, err := db.CreateUser(ctx, store.CLIActor, store.NewUser{Email: " U@Example.COM ", Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "u@example.com" {
		t.Fatalf("email stored as %q, want normalised", u.Email)
	}
	if _, err := db.Authenticate(ctx, "u@EXAMPLE.com", pw); err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	for _, tc := range []struct{ email, pass string }{{"u@example.com", "wrong password"}, {"nobody@example.com", pw}} {
		if _, err := db.Authenticate(ctx, tc.email, tc.pass); !errors.Is(err, store.ErrBadCredentials) {
			t.Errorf("Authenticate(%s): %v, want ErrBadCredentials", tc.email, err)
		}
	}
}

func TestPasswordsAndTokensAreHashedAtRest(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	a, _, err := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "A", Kind: store.KindMerchant}, "a@example.com", pw)
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := db.CreateToken(ctx, store.CLIActor, a.ID, "ci")
	if err != nil {
		t.Fatal(err)
	}
	raw := everyValue(t, db)
	db.Close()
	for _, s := range []string{pw, secret} {
		if strings.Contains(string(raw), s) {
			t.Errorf("database file contains the secret %q in clear", s)
		}
	}
}

func TestTokensActForTheirAccountUntilRevoked(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	a, _, _ := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "A", Kind: store.KindMerchant}, "a@example.com", pw)
	b, _, _ := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "B", Kind: store.KindMerchant}, "b@example.com", pw)
	tok, secret, err := db.CreateToken(ctx, store.CLIActor, a.ID, "ci")
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.AccountForToken(ctx, secret)
	if err != nil || got.ID != a.ID {
		t.Fatalf("AccountForToken = %d, %v; want %d", got.ID, err, a.ID)
	}
	if err := db.RevokeToken(ctx, store.CLIActor, b.ID, tok.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoke by another account: %v, want ErrNotFound", err)
	}
	if _, err := db.AccountForToken(ctx, secret); err != nil {
		t.Fatal("token stopped working after another account's failed revoke")
	}
	if err := db.RevokeToken(ctx, store.CLIActor, a.ID, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AccountForToken(ctx, secret); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoked token: %v, want ErrNotFound", err)
	}
}

func TestSessionsExpireAndSwitchOnlyToOwnAccounts(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	a, u, _ := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "A", Kind: store.KindMerchant}, "a@example.com", pw)
	b, _, _ := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "B", Kind: store.KindSupplier}, "b@example.com", pw)
	tok, err := db.CreateSession(ctx, u.ID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SwitchAccount(ctx, tok, u.ID, b.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("switch to an account the user is not in: %v, want ErrNotFound", err)
	}
	s, err := db.SessionByToken(ctx, tok)
	if err != nil || s.AccountID != a.ID {
		t.Fatalf("session = %+v, %v", s, err)
	}
	now = now.Add(store.SessionLifetime + time.Second)
	if _, err := db.SessionByToken(ctx, tok); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired session: %v, want ErrNotFound", err)
	}
}

// TestPasswordChangeEndsOtherSessions: the user's other sign-ins end, the
// one that changed the password goes on, other users' sessions are untouched.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	a, u, _ := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "A", Kind: store.KindMerchant}, "a@example.com", pw)
	_, other, _ := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "B", Kind: store.KindSupplier}, "b@example.com", pw)
	here, _ := db.CreateSession(ctx, u.ID, a.ID)
	laptop, _ := db.CreateSession(ctx, u.ID, a.ID)
	phone, _ := db.CreateSession(ctx, u.ID, 0)
	theirs, _ := db.CreateSession(ctx, other.ID, 0)
	if err := db.ChangePassword(ctx, u.ID, here, "wrong current", "a much better passphrase"); fields(err)["current_password"] == "" {
		t.Fatalf("wrong current password: %v", err)
	}
	if _, err := db.SessionByToken(ctx, laptop); err != nil {
		t.Fatalf("a refused change ended a session: %v", err)
	}
	if err := db.ChangePassword(ctx, u.ID, here, pw, "a much better passphrase"); err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{"laptop": laptop, "phone": phone} {
		if _, err := db.SessionByToken(ctx, tok); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s session after the password change: %v, want ErrNotFound", name, err)
		}
	}
	for name, tok := range map[string]string{"current": here, "another user's": theirs} {
		if _, err := db.SessionByToken(ctx, tok); err != nil {
			t.Errorf("%s session after the password change: %v", name, err)
		}
	}
}

// TestRemovedMemberSessionsEnd: removing a member ends their sessions in
// that account; their sessions in another account go on.
func TestRemovedMemberSessionsEnd(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	a, _, _ := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "A", Kind: store.KindMerchant}, "a@example.com", pw)
	b, _, _ := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "B", Kind: store.KindSupplier}, "b@example.com", pw)
	m, err := db.AddMember(ctx, store.CLIActor, a.ID, store.NewMember{Email: "staff@example.com", Password: pw, Role: store.RoleStaff})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddMember(ctx, store.CLIActor, b.ID, store.NewMember{Email: "staff@example.com", Role: store.RoleStaff}); err != nil {
		t.Fatal(err)
	}
	inA, _ := db.CreateSession(ctx, m.User.ID, a.ID)
	inB, _ := db.CreateSession(ctx, m.User.ID, b.ID)
	if err := db.RemoveMember(ctx, store.CLIActor, a.ID, m.User.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SessionByToken(ctx, inA); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("session in the account they were removed from: %v, want ErrNotFound", err)
	}
	if s, err := db.SessionByToken(ctx, inB); err != nil || s.AccountID != b.ID {
		t.Errorf("session in their other account: %+v %v", s, err)
	}
}

func TestLastAdminStays(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	a, admin, _ := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "A", Kind: store.KindMerchant}, "a@example.com", pw)
	if err := db.RemoveMember(ctx, store.CLIActor, a.ID, admin.ID); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("remove last admin: %v, want ErrConflict", err)
	}
	if err := db.SetMemberRole(ctx, store.CLIActor, a.ID, admin.ID, store.RoleStaff); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("demote last admin: %v, want ErrConflict", err)
	}
	if _, err := db.AddMember(ctx, store.CLIActor, a.ID, store.NewMember{Email: "two@example.com", Password: pw, Role: store.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetMemberRole(ctx, store.CLIActor, a.ID, admin.ID, store.RoleStaff); err != nil {
		t.Fatalf("demote with another admin present: %v", err)
	}
}

func TestLinksCheckKindsAndAreIdempotent(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	m, _, _ := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "M", Kind: store.KindMerchant}, "m@example.com", pw)
	s, _, _ := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "S", Kind: store.KindSupplier}, "s@example.com", pw)
	if _, err := db.CreateLink(ctx, store.CLIActor, m.ID, s.ID); fields(err)["supplier"] == "" || fields(err)["merchant"] == "" {
		t.Fatalf("reversed link: %v, want supplier and merchant field errors", err)
	}
	l1, err := db.CreateLink(ctx, store.CLIActor, s.ID, m.ID)
	if err != nil || l1.State != store.LinkActive {
		t.Fatalf("link: %+v, %v", l1, err)
	}
	l2, err := db.CreateLink(ctx, store.CLIActor, s.ID, m.ID)
	if err != nil || l2.ID != l1.ID {
		t.Fatalf("second create made link %d, want the same %d (%v)", l2.ID, l1.ID, err)
	}
	log, _ := db.AuditLog(ctx, m.ID, 10)
	if len(log) == 0 || log[0].Action != "link.created" {
		t.Fatalf("merchant's audit log = %+v, want link.created", log)
	}
}

func TestConcurrentWritersDoNotFail(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	a, _, _ := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "A", Kind: store.KindMerchant}, "a@example.com", pw)
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := db.CreateToken(ctx, store.CLIActor, a.ID, "t"+string(rune('a'+i%26)))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	toks, _ := db.Tokens(ctx, a.ID)
	if len(toks) != 50 {
		t.Fatalf("%d tokens, want 50", len(toks))
	}
}

func TestBackupIsAConsistentCopy(t *testing.T) {
	storetest.SkipOnPostgres(t, "backup copies the SQLite file (TestBackupOnPostgresExplainsPgDump covers PostgreSQL)")
	db := openTest(t)
	ctx := context.Background()
	if _, _, err := db.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "copy.db")
	if err := db.Backup(ctx, out); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, out); err == nil {
		t.Fatal("backup over an existing file succeeded")
	}
	cp, err := store.Open(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if err := cp.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	accounts, _ := cp.Accounts(ctx)
	if len(accounts) != 2 {
		t.Fatalf("copy has %d accounts, want 2", len(accounts))
	}
}

func TestSeedDemoOnlyOnEmptyDatabase(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	logins, created, err := db.SeedDemo(ctx)
	if err != nil || !created || len(logins) != 4 {
		t.Fatalf("first seed: %d logins, created %v, %v", len(logins), created, err)
	}
	for _, l := range logins {
		if _, err := db.Authenticate(ctx, l.Email, l.Password); err != nil {
			t.Errorf("demo login %s does not work: %v", l.Email, err)
		}
	}
	_, created, err = db.SeedDemo(ctx)
	if err != nil || created {
		t.Fatalf("second seed created %v, %v; want nothing", created, err)
	}
	links, _ := db.AllLinks(ctx)
	if len(links) != 1 || links[0].State != store.LinkActive {
		t.Fatalf("demo links = %+v, want one active", links)
	}
}

// TestAuditLogPagedFiltersAndPages: an account's log comes newest first,
// 50 a page, with the total; a kind holds only its actions ("feed." is not
// "feed_run."); another account's entries never show.
func TestAuditLogPagedFiltersAndPages(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	a, u, _ := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "A", Kind: store.KindSupplier}, "a@example.com", pw)
	b, _, _ := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "B", Kind: store.KindMerchant}, "b@example.com", pw)
	admin := store.Actor{UserID: u.ID, Name: u.Email}
	for i := range 60 {
		if _, _, err := db.CreateToken(ctx, admin, a.ID, fmt.Sprint("token ", i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.SaveFeed(ctx, admin, a.ID, 0, store.FeedInput{Name: "All", Selection: store.SelectAll, Fields: store.FeedFields, AllMerchants: true}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreateToken(ctx, store.CLIActor, b.ID, "B's token"); err != nil {
		t.Fatal(err)
	}
	all, err := db.AuditLogPaged(ctx, a.ID, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Entries) != store.AuditLogPerPage || all.Total < 61 || all.Entries[0].Action != "feed.created" {
		t.Fatalf("first page: %d entries of %d, newest %+v", len(all.Entries), all.Total, all.Entries[0])
	}
	for i := 1; i < len(all.Entries); i++ {
		if all.Entries[i].ID >= all.Entries[i-1].ID {
			t.Fatalf("entries not newest first at %d", i)
		}
	}
	second, err := db.AuditLogPaged(ctx, a.ID, "", 2)
	if err != nil || len(second.Entries) != all.Total-store.AuditLogPerPage || second.Entries[0].ID >= all.Entries[len(all.Entries)-1].ID {
		t.Fatalf("second page: %d entries, %v", len(second.Entries), err)
	}
	for kind, want := range map[string]int{"tokens": 60, "feeds": 1, "pulls": 0, "payouts": 0} {
		got, err := db.AuditLogPaged(ctx, a.ID, kind, 1)
		if err != nil || got.Total != want {
			t.Errorf("kind %s: total %d, %v; want %d", kind, got.Total, err, want)
		}
	}
	for _, p := range []store.AuditLogPage{all, second} {
		for _, e := range p.Entries {
			if e.AccountID != a.ID || e.Detail == "B's token" {
				t.Fatalf("account A's log holds %+v", e)
			}
		}
	}
}

// everyValue is everything the database holds: the SQLite file's bytes, or
// on PostgreSQL every row of every table as text.
func everyValue(t *testing.T, db *store.DB) []byte {
	t.Helper()
	if !db.Postgres() {
		raw, err := os.ReadFile(db.Path())
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	conn, err := db.OpenSQL()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var all []byte
	for _, table := range tables {
		rows, err := conn.Query("SELECT t::text FROM " + table + " t")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v string
			rows.Scan(&v)
			all = append(all, v...)
		}
		rows.Close()
	}
	return all
}

func TestBackupOnPostgresExplainsPgDump(t *testing.T) {
	if !storetest.OnPostgres() {
		t.Skip("PostgreSQL only: SQLite's backup is TestBackupIsAConsistentCopy")
	}
	db := openTest(t)
	out := filepath.Join(t.TempDir(), "copy.db")
	err := db.Backup(context.Background(), out)
	if err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Fatalf("Backup on PostgreSQL = %v, want an error explaining pg_dump", err)
	}
	if _, serr := os.Stat(out); serr == nil {
		t.Errorf("Backup on PostgreSQL wrote %s", out)
	}
}
