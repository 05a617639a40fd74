package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to read the target as it is
	"golang.org/x/crypto/bcrypt"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
	"github.com/dropline/dropline/store/storetest"
)

// The copy goes from SQLite to PostgreSQL, so its tests run once, in the
// SQLite run, each with a database of its own on the server named by
// DROPLINE_TEST_POSTGRES. Without one they skip, except on CI, where they fail.

// copyTarget is a new, empty PostgreSQL database (not migrated), dropped
// when the test ends.
func copyTarget(t *testing.T) string {
	t.Helper()
	if storetest.OnPostgres() {
		t.Skip("copy reads a SQLite source: it runs in the SQLite run")
	}
	return storetest.EmptyPostgres(t)
}

// openTarget opens and migrates the target, on the source's clock.
func openTarget(t *testing.T, dsn string, src *store.DB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Now = src.Now
	db.PasswordCost = bcrypt.MinCost
	return db
}

// copyWorld is an installation with a bit of everything: two accounts and
// their admins, a link, products, a feed and a subscription pulled, orders,
// dropships making POs, a shipment with tracking, outbox messages, a
// session, an API token and the session keys.
type copyWorld struct {
	*orderWorld
	shipped, open store.PurchaseOrder
	session       string
	token         string
	upload        string
}

func newCopyWorld(t *testing.T) *copyWorld {
	t.Helper()
	ctx := context.Background()
	w := &copyWorld{orderWorld: newOrderWorld(t)}
	var err error
	if _, _, err := w.db.AddWebhookEndpoint(ctx, w.mActor, w.merchant.ID, "https://hooks.example.com/dropline", store.WebhookEventsFor(store.KindMerchant)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.AddLogisticsProvider(ctx, w.sActor, w.supplier.ID, "Bike Courier", "https://bike.example.com/t/{number}", ""); err != nil {
		t.Fatal(err)
	}
	if err := w.db.SetAllowPrivateFeeds(ctx, store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := w.db.ReserveLogin(ctx, []store.LoginLimit{{Key: "email:m@example.com", Limit: 10}}, time.Hour); err != nil {
		t.Fatal(err)
	}
	w.shipped = w.poFor(t, "#C-1", orderfile.Line{SKU: "A-1", Quantity: 2, UnitPriceCents: 1299}, orderfile.Line{SKU: "A-2", Quantity: 1, UnitPriceCents: 500})
	if err := w.db.AcknowledgePO(ctx, w.sActor, w.supplier.ID, w.shipped.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.AddShipment(ctx, w.sActor, w.supplier.ID, w.shipped.ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456784",
		ShipDate: w.now.Format(time.DateOnly)}); err != nil {
		t.Fatal(err)
	}
	w.now = w.now.Add(90 * time.Minute)
	w.open = w.poFor(t, "#C-2", orderfile.Line{SKU: "A-3", Quantity: 1, UnitPriceCents: 2500})
	w.order(t, "#C-3", orderfile.Line{SKU: "OWN-1", Quantity: 4, UnitPriceCents: 100})
	if _, err = w.db.Secret(ctx, "session-key", 32); err != nil {
		t.Fatal(err)
	}
	if w.session, err = w.db.CreateSession(ctx, w.mActor.UserID, w.merchant.ID); err != nil {
		t.Fatal(err)
	}
	if _, w.token, err = w.db.CreateToken(ctx, w.mActor, w.merchant.ID, "orders import"); err != nil {
		t.Fatal(err)
	}
	// Bytes that are not text: a bytea must keep them as they are.
	if w.upload, err = w.db.SaveUpload(ctx, w.supplier.ID, "products", "odd.csv", []byte("sku,title\nA-1,\x00\xff\xfe\n")); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestCopyToPostgresMovesEverything(t *testing.T) {
	target := copyTarget(t)
	ctx := context.Background()
	w := newCopyWorld(t)
	dst := openTarget(t, target, w.db)
	var heard []string
	rep, err := store.CopyToPostgres(ctx, w.db, dst, func(msg string) { heard = append(heard, msg) })
	if err != nil {
		t.Fatal(err)
	}
	if len(heard) == 0 || rep.Version == 0 || rep.Sequences == 0 {
		t.Fatalf("report %+v, progress %q", rep, heard)
	}

	// Every table, the same rows on both sides.
	want := map[string]bool{"accounts": true, "users": true, "memberships": true, "vendor_links": true, "products": true, "feeds": true,
		"subscriptions": true, "product_sources": true, "feed_runs": true, "orders": true, "order_lines": true, "purchase_orders": true,
		"po_lines": true, "shipments": true, "shipment_lines": true, "outbox": true, "audit_log": true, "sessions": true, "api_tokens": true,
		"secrets": true, "store_repairs": true, "webhook_endpoints": true, "logistics_providers": true, "platform_settings": true,
		"login_attempts": true, "uploads": true}
	var total int64
	for _, tb := range rep.Tables {
		if tb.SourceRows != tb.TargetRows || tb.SourceDigest != tb.TargetDigest {
			t.Errorf("table %s: %+v", tb.Name, tb)
		}
		if want[tb.Name] && tb.TargetRows == 0 {
			t.Errorf("table %s copied no rows: the world should have some", tb.Name)
		}
		delete(want, tb.Name)
		total += tb.TargetRows
	}
	if len(want) > 0 || total != rep.Rows {
		t.Fatalf("tables not copied: %v; rows %d, report says %d", want, total, rep.Rows)
	}

	// Each table's content, read afresh on both sides by plain drivers.
	srcRaw, err := sql.Open("sqlite", "file:"+w.db.Path()+"?mode=ro&_time_format=sqlite")
	if err != nil {
		t.Fatal(err)
	}
	defer srcRaw.Close()
	dstRaw, err := sql.Open("pgx", target)
	if err != nil {
		t.Fatal(err)
	}
	defer dstRaw.Close()
	for _, tb := range rep.Tables {
		cols := sourceColumns(t, srcRaw, tb.Name)
		a, b := tableContent(t, srcRaw, tb.Name, cols), tableContent(t, dstRaw, tb.Name, cols)
		if !slices.Equal(a, b) {
			t.Errorf("table %s differs:\nsqlite   %q\npostgres %q", tb.Name, firstDiff(a, b), firstDiff(b, a))
		}
	}

	// The target passes `dropline check`.
	if err := dst.CheckInvariants(ctx); err != nil {
		t.Fatal(err)
	}

	// Signing in works with the same password; the session and the token
	// carry over; the session keys are the same.
	u, err := dst.Authenticate(ctx, "m@example.com", pw)
	if err != nil || u.ID != w.mActor.UserID {
		t.Fatalf("authenticate on the target: %+v, %v", u, err)
	}
	if _, err := dst.Authenticate(ctx, "m@example.com", "wrong password"); !errors.Is(err, store.ErrBadCredentials) {
		t.Fatalf("wrong password on the target: %v", err)
	}
	if s, err := dst.SessionByToken(ctx, w.session); err != nil || s.UserID != w.mActor.UserID || s.AccountID != w.merchant.ID {
		t.Fatalf("session on the target: %+v, %v", s, err)
	}
	if a, err := dst.AccountForToken(ctx, w.token); err != nil || a.ID != w.merchant.ID {
		t.Fatalf("API token on the target: %+v, %v", a, err)
	}
	k1, err := w.db.Secret(ctx, "session-key", 32)
	if err != nil {
		t.Fatal(err)
	}
	if k2, err := dst.Secret(ctx, "session-key", 32); err != nil || string(k1) != string(k2) {
		t.Fatalf("session key differs on the target: %v", err)
	}

	if kind, name, body, err := dst.Upload(ctx, w.supplier.ID, w.upload); err != nil || kind != "products" || name != "odd.csv" || string(body) != "sku,title\nA-1,\x00\xff\xfe\n" {
		t.Fatalf("upload on the target: %q %q %q, %v", kind, name, body, err)
	}

	// The store reads the same things on both.
	for _, po := range []store.PurchaseOrder{w.shipped, w.open} {
		a, err := w.db.PurchaseOrder(ctx, w.merchant.ID, po.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, err := dst.PurchaseOrder(ctx, w.merchant.ID, po.ID)
		if err != nil {
			t.Fatalf("PO %s on the target: %v", po.PONumber, err)
		}
		// Its exported fields: a time's location may be UTC or nil.
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			t.Errorf("PO %s differs:\nsqlite   %s\npostgres %s", po.PONumber, ja, jb)
		}
	}

	// New rows follow on from the copied ones (the sequences were reset).
	acc, admin, err := dst.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "After", Kind: store.KindMerchant}, "after@example.com", pw)
	if err != nil {
		t.Fatalf("a new account on the target: %v", err)
	}
	if acc.ID <= w.supplier.ID || acc.ID <= w.merchant.ID || admin.ID <= w.sActor.UserID || admin.ID <= w.mActor.UserID {
		t.Fatalf("new account %d, user %d: not past the copied ones", acc.ID, admin.ID)
	}
	if _, err := dst.Authenticate(ctx, "after@example.com", pw); err != nil {
		t.Fatal(err)
	}
}

// sourceColumns are a SQLite table's columns in order.
func sourceColumns(t *testing.T, db *sql.DB, table string) []string {
	t.Helper()
	rows, err := db.Query("SELECT name FROM pragma_table_info(?) ORDER BY cid", table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, `"`+c+`"`)
	}
	return cols
}

// tableContent is a table's rows, each as text, sorted: times as UTC
// instants to the microsecond (PostgreSQL's precision), text and bytes as
// their bytes, integers in decimal.
func tableContent(t *testing.T, db *sql.DB, table string, cols []string) []string {
	t.Helper()
	rows, err := db.Query("SELECT " + strings.Join(cols, ", ") + ` FROM "` + table + `"`)
	if err != nil {
		t.Fatalf("%s: %v", table, err)
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out []string
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i, v := range vals {
			if i > 0 {
				b.WriteString(" | ")
			}
			switch v := v.(type) {
			case nil:
				b.WriteString("NULL")
			case time.Time:
				b.WriteString(v.UTC().Round(time.Microsecond).Format(time.RFC3339Nano))
			case []byte:
				fmt.Fprintf(&b, "%q", v)
			case string:
				fmt.Fprintf(&b, "%q", v)
			default:
				fmt.Fprintf(&b, "%v", v)
			}
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func firstDiff(a, b []string) string {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return x
		}
	}
	return fmt.Sprintf("(%d rows)", len(a))
}

func TestCopyRefusesATargetWithData(t *testing.T) {
	target := copyTarget(t)
	ctx := context.Background()
	w := newCopyWorld(t)
	dst := openTarget(t, target, w.db)
	if _, err := store.CopyToPostgres(ctx, w.db, dst, nil); err != nil {
		t.Fatal(err)
	}
	before := accountCount(t, target)
	_, err := store.CopyToPostgres(ctx, w.db, dst, nil)
	if !errors.Is(err, store.ErrCopyTargetNotEmpty) || !strings.Contains(err.Error(), "2 accounts") || !strings.Contains(err.Error(), "new, empty database") {
		t.Fatalf("second copy: %v", err)
	}
	if n := accountCount(t, target); n != before {
		t.Fatalf("%d accounts after the refused copy, %d before", n, before)
	}
}

func TestCopyRefusesASourceBehindOnMigrations(t *testing.T) {
	target := copyTarget(t)
	ctx := context.Background()
	w := newCopyWorld(t)
	dst := openTarget(t, target, w.db)
	// The newest migration not applied, as far as the source knows.
	raw, err := sql.Open("sqlite", "file:"+w.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec("DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)"); err != nil {
		t.Fatal(err)
	}
	_, err = store.CopyToPostgres(ctx, w.db, dst, nil)
	if err == nil || !strings.Contains(err.Error(), "migrations waiting") || !strings.Contains(err.Error(), "dropline migrate --db "+w.db.Path()) {
		t.Fatalf("copy of a source behind: %v", err)
	}
	if n := accountCount(t, target); n != 0 {
		t.Fatalf("%d accounts on the target after a refused copy", n)
	}
}

func TestCopyRefusesWhatIsNotSQLiteToPostgres(t *testing.T) {
	if storetest.OnPostgres() {
		t.Skip("copy reads a SQLite source: it runs in the SQLite run")
	}
	w := newCopyWorld(t)
	other := openTest(t) // SQLite too
	_, err := store.CopyToPostgres(context.Background(), w.db, other, nil)
	if err == nil || !strings.Contains(err.Error(), "is not PostgreSQL") {
		t.Fatalf("copy to a SQLite file: %v", err)
	}
}

// A value the target cannot take, in a table copied after others: nothing
// is left on the target, and the message says where the value is.
func TestCopyIsAllOrNothing(t *testing.T) {
	target := copyTarget(t)
	ctx := context.Background()
	w := newCopyWorld(t)
	dst := openTarget(t, target, w.db)
	raw, err := sql.Open("sqlite", "file:"+w.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec("UPDATE audit_log SET at = 'yesterday' WHERE id = (SELECT max(id) FROM audit_log)"); err != nil {
		t.Fatal(err)
	}
	_, err = store.CopyToPostgres(ctx, w.db, dst, nil)
	if err == nil || !strings.Contains(err.Error(), "table audit_log") || !strings.Contains(err.Error(), "column at") || !strings.Contains(err.Error(), `"yesterday" is not a time`) {
		t.Fatalf("copy with a bad time: %v", err)
	}
	if n := accountCount(t, target); n != 0 {
		t.Fatalf("%d accounts on the target after a failed copy", n)
	}
	// Put right, the copy goes through on the same target.
	if _, err := raw.Exec("UPDATE audit_log SET at = ? WHERE at = 'yesterday'", w.now); err != nil {
		t.Fatal(err)
	}
	if _, err := store.CopyToPostgres(ctx, w.db, dst, nil); err != nil {
		t.Fatal(err)
	}
	if n := accountCount(t, target); n != 2 {
		t.Fatalf("%d accounts on the target, want 2", n)
	}
}

// accountCount is the number of accounts in the PostgreSQL database at dsn.
func accountCount(t *testing.T, dsn string) int {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM accounts").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
