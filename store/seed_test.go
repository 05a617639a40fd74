package store

// Internal test: it recomputes seeded orders and POs with refreshOrder and
// settlePO themselves, and pulls seeded subscriptions with the real puller.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/dropline/dropline/store/carrier"
	"github.com/dropline/dropline/store/orderfile"
)

func seedTestDB(t *testing.T, orders, products int) (*DB, SeedResult) {
	t.Helper()
	ctx := context.Background()
	// A file on SQLite, a fresh database on PostgreSQL in the second run.
	db, err := Open(ctx, seedDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db.PasswordCost = bcrypt.MinCost
	res, err := db.Seed(ctx, SeedOptions{Orders: orders, Products: products, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	return db, res
}

// seedDSN is where a seed test's database lives: a file, or in the
// PostgreSQL run (storetest.Main's second pass, DROPLINE_TEST_ENGINE=postgres)
// a new database on the DROPLINE_TEST_POSTGRES server, dropped when the
// test ends. (This internal test cannot import storetest, which imports the
// store.)
func seedDSN(t *testing.T) string {
	t.Helper()
	if os.Getenv("DROPLINE_TEST_ENGINE") != "postgres" {
		return filepath.Join(t.TempDir(), "seed.db")
	}
	server := os.Getenv("DROPLINE_TEST_POSTGRES")
	if server == "" {
		t.Fatal("DROPLINE_TEST_ENGINE=postgres needs DROPLINE_TEST_POSTGRES")
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("dropline_test_seed_%d_%d", os.Getpid(), seedDBs.Add(1))
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

var seedDBs atomic.Int64

// seedFreshCount runs a query that returns one number on a freshly
// migrated database of this test's engine.
func seedFreshCount(t *testing.T, q string) int {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, seedDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return seedCount(t, db, q)
}

// seedCount runs a query that returns one number.
func seedCount(t *testing.T, db *DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.read.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestSeed(t *testing.T) {
	ctx := context.Background()
	db, res := seedTestDB(t, 2000, 300)

	t.Run("accounts", func(t *testing.T) {
		var merchants, suppliers []SeedAccount
		total := 0
		for _, a := range res.Accounts {
			switch a.Kind {
			case KindMerchant:
				merchants = append(merchants, a)
				total += a.Orders
			case KindSupplier:
				suppliers = append(suppliers, a)
			}
			if len(a.Password) < MinPasswordLen {
				t.Errorf("%s: password %q is too short", a.Email, a.Password)
			}
			if got := seedCount(t, db, "SELECT count(*) FROM orders WHERE account_id = ?", a.ID); got != a.Orders {
				t.Errorf("%s: %d orders in the database, %d printed", a.Name, got, a.Orders)
			}
		}
		if len(merchants) < 3 || len(suppliers) < 3 {
			t.Fatalf("%d merchants and %d suppliers, want at least 3 of each", len(merchants), len(suppliers))
		}
		if merchants[0].Orders != 400 || total != 2000 || res.Orders != 2000 {
			t.Errorf("first merchant %d orders of %d (result %d); want 400 of 2000", merchants[0].Orders, total, res.Orders)
		}
		// A seeded merchant signs in with the printed password.
		u, err := db.Authenticate(ctx, merchants[0].Email, merchants[0].Password)
		if err != nil {
			t.Fatalf("sign in as %s: %v", merchants[0].Email, err)
		}
		ms, err := db.Memberships(ctx, u.ID)
		if err != nil || len(ms) != 1 || ms[0].Account.ID != merchants[0].ID || !ms[0].IsAdmin() || !ms[0].Account.DropshipEnabled {
			t.Errorf("memberships %+v, %v: want admin of %s with dropship on", ms, err, merchants[0].Name)
		}
		// Every supplier takes orders from every merchant.
		for _, m := range merchants {
			for _, s := range suppliers {
				if p, err := db.RoutingProblems(ctx, m.ID, s.ID); err != nil || len(p) > 0 {
					t.Errorf("%s → %s: %v %v", s.Name, m.Name, p, err)
				}
			}
		}
		if n := seedCount(t, db, "SELECT count(*) FROM products WHERE account_id = ?", suppliers[0].ID); n != 100 {
			t.Errorf("supplier 1 has %d products, want 100", n)
		}
	})

	t.Run("every tab and status", func(t *testing.T) {
		first := res.Accounts[0].ID
		for _, tab := range []string{TabNeedsDropship, TabDropshipped, TabShipped, TabExceptions, TabOther} {
			if n := seedCount(t, db, "SELECT count(*) FROM orders WHERE account_id = ? AND tab = ?", first, tab); n == 0 {
				t.Errorf("the first merchant has no order in %s", tab)
			}
		}
		for _, st := range []string{OrderNeedsDropship, OrderDropshipped, OrderPartiallyShipped, OrderShipped, OrderDelivered, OrderException, OrderNotDropship} {
			if n := seedCount(t, db, "SELECT count(*) FROM orders WHERE status = ?", st); n == 0 {
				t.Errorf("no order is %s", st)
			}
		}
		for _, st := range []string{POOpen, POPartiallyShipped, POShipped, PODelivered, PORejected} {
			if n := seedCount(t, db, "SELECT count(*) FROM purchase_orders WHERE status = ?", st); n == 0 {
				t.Errorf("no PO is %s", st)
			}
		}
		for _, cs := range []string{"requested", "declined"} {
			if n := seedCount(t, db, "SELECT count(*) FROM purchase_orders WHERE cancel_state = ?", cs); n == 0 {
				t.Errorf("no PO has a cancellation %s", cs)
			}
		}
		if n := seedCount(t, db, "SELECT count(DISTINCT channel) FROM orders"); n < 6 {
			t.Errorf("%d channels, want most of them", n)
		}
		if n := seedCount(t, db, "SELECT count(*) FROM orders WHERE placed_at < ? OR placed_at > ?",
			db.now().AddDate(0, 0, -91), db.now()); n != 0 {
			t.Errorf("%d orders outside the last 90 days", n)
		}
	})

	t.Run("tab counts", func(t *testing.T) {
		if n := seedCount(t, db, `SELECT count(*) FROM (SELECT account_id, tab, count(*) AS n FROM orders GROUP BY 1, 2) real
			FULL JOIN order_tab_counts c USING (account_id, tab) WHERE coalesce(real.n, 0) <> coalesce(c.n, 0)`); n != 0 {
			t.Errorf("%d (account, tab) counts differ from the orders", n)
		}
		for _, a := range res.Accounts[:3] {
			page, err := db.Orders(ctx, a.ID, OrderFilter{Tab: TabAll})
			if err != nil || page.Counts[TabAll] != a.Orders || len(page.Orders) != 50 {
				t.Errorf("%s: order list counts %v, %d rows, %v", a.Name, page.Counts, len(page.Orders), err)
			}
		}
	})

	t.Run("reservations and PO lines", func(t *testing.T) {
		if n := seedCount(t, db, `SELECT count(*) FROM product_sources ps WHERE ps.reserved <> (SELECT coalesce(sum(pl.quantity - pl.shipped_qty), 0)
			FROM po_lines pl WHERE pl.source_id = ps.id AND pl.status = 'open')`); n != 0 {
			t.Errorf("%d sources whose reserved differs from their open PO lines", n)
		}
		if n := seedCount(t, db, "SELECT count(*) FROM product_sources WHERE reserved > 0"); n == 0 {
			t.Error("no source has a reservation")
		}
		if n := seedCount(t, db, "SELECT count(*) FROM purchase_orders po WHERE NOT EXISTS (SELECT 1 FROM po_lines pl WHERE pl.po_id = po.id)"); n != 0 {
			t.Errorf("%d POs without lines", n)
		}
		if n := seedCount(t, db, "SELECT count(*) FROM po_lines WHERE shipped_qty > quantity OR (status = 'shipped') <> (shipped_qty = quantity)"); n != 0 {
			t.Errorf("%d PO lines with shipped quantities that do not add up", n)
		}
		if n := seedCount(t, db, `SELECT count(*) FROM po_lines pl WHERE pl.shipped_qty <> (SELECT coalesce(sum(sl.quantity), 0) FROM shipment_lines sl WHERE sl.po_line_id = pl.id)`); n != 0 {
			t.Errorf("%d PO lines whose shipped quantity differs from their shipments", n)
		}
		if n := seedCount(t, db, `SELECT count(*) FROM po_lines pl JOIN order_lines ol ON ol.id = pl.order_line_id JOIN purchase_orders po ON po.id = pl.po_id
			JOIN product_sources ps ON ps.id = pl.source_id
			WHERE pl.quantity <> ol.quantity OR po.order_id <> ol.order_id OR ps.product_id <> ol.product_id OR ps.supplier_id <> po.supplier_id OR ps.supplier_sku <> pl.supplier_sku`); n != 0 {
			t.Errorf("%d PO lines that do not match their order line or source", n)
		}
		if n := seedCount(t, db, `SELECT count(*) FROM purchase_orders WHERE status IN ('shipped', 'delivered', 'partially_shipped')
			AND (first_tracking_at IS NULL OR acknowledged_at IS NULL OR NOT EXISTS (SELECT 1 FROM shipments s WHERE s.po_id = purchase_orders.id))`); n != 0 {
			t.Errorf("%d shipped POs without tracking", n)
		}
		rows, err := db.read.QueryContext(ctx, "SELECT carrier, tracking_number, tracking_url FROM shipments")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var code, number, url string
			if err := rows.Scan(&code, &number, &url); err != nil {
				t.Fatal(err)
			}
			if err := carrier.Check(code, number); err != nil || url != carrier.URL(code, number) {
				t.Errorf("%s %s (%s): %v", code, number, url, err)
			}
			n++
		}
		if n == 0 {
			t.Error("no shipments")
		}
	})

	t.Run("refreshOrder and settlePO agree", func(t *testing.T) {
		tx, err := db.begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		type row struct {
			account                int64
			status, tab, suppliers string
			dropship               bool
		}
		before := map[int64]row{}
		rows, err := tx.QueryContext(ctx, "SELECT id, account_id, status, tab, dropship, suppliers FROM orders")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var r row
			if err := rows.Scan(&id, &r.account, &r.status, &r.tab, &r.dropship, &r.suppliers); err != nil {
				t.Fatal(err)
			}
			before[id] = r
		}
		rows.Close()
		pos := map[int64]string{}
		rows, err = tx.QueryContext(ctx, "SELECT id, status FROM purchase_orders")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var st string
			if err := rows.Scan(&id, &st); err != nil {
				t.Fatal(err)
			}
			pos[id] = st
		}
		rows.Close()
		for id := range pos {
			if err := db.settlePO(ctx, tx, id); err != nil {
				t.Fatal(err)
			}
		}
		for id, r := range before {
			if err := db.refreshOrder(ctx, tx, r.account, id); err != nil {
				t.Fatal(err)
			}
		}
		bad := 0
		for id, want := range before {
			var got row
			if err := tx.QueryRowContext(ctx, "SELECT account_id, status, tab, dropship, suppliers FROM orders WHERE id = ?", id).
				Scan(&got.account, &got.status, &got.tab, &got.dropship, &got.suppliers); err != nil {
				t.Fatal(err)
			}
			if got != want && bad < 10 {
				bad++
				t.Errorf("order %d seeded as %+v, refreshOrder makes it %+v", id, want, got)
			}
		}
		for id, want := range pos {
			var got string
			if err := tx.QueryRowContext(ctx, "SELECT status FROM purchase_orders WHERE id = ?", id).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want && bad < 10 {
				bad++
				t.Errorf("PO %d seeded as %s, settlePO makes it %s", id, want, got)
			}
		}
		// The counts did not move either.
		var moved int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT account_id, tab, count(*) AS n FROM orders GROUP BY 1, 2) real
			FULL JOIN order_tab_counts c USING (account_id, tab) WHERE coalesce(real.n, 0) <> coalesce(c.n, 0)`).Scan(&moved); err != nil || moved != 0 {
			t.Errorf("%d tab counts moved, %v", moved, err)
		}
	})

	t.Run("scorecards and ledger match what the POs say", func(t *testing.T) {
		// Runs before the subtests below change anything.
		var kept []Scorecard
		for _, a := range res.Accounts {
			if a.Kind == KindSupplier {
				sc, err := db.Scorecard(ctx, a.ID, a.ID, 0, 90)
				if err != nil || sc.Received == 0 || sc.Shipments == 0 || sc.AckJudged == 0 {
					t.Fatalf("%s: %+v %v", a.Name, sc, err)
				}
				kept = append(kept, sc)
			}
		}
		if err := db.RebuildScorecards(ctx); err != nil {
			t.Fatal(err)
		}
		i := 0
		for _, a := range res.Accounts {
			if a.Kind == KindSupplier {
				sc, _ := db.Scorecard(ctx, a.ID, a.ID, 0, 90)
				if fmt.Sprintf("%+v", sc) != fmt.Sprintf("%+v", kept[i]) {
					t.Errorf("%s: seeded %+v, rebuilt %+v", a.Name, kept[i], sc)
				}
				i++
			}
		}
		// Earnings: every shipped line of a non-rejected PO line at its cost.
		want := seedCount(t, db, `SELECT coalesce(sum(sl.quantity * pl.cost_cents), 0) FROM shipment_lines sl JOIN po_lines pl ON pl.id = sl.po_line_id WHERE pl.status <> 'rejected'`)
		if got := seedCount(t, db, "SELECT coalesce(sum(amount_cents), 0) FROM ledger_entries WHERE kind = 'earning'"); got != want || got == 0 {
			t.Errorf("earnings %d, shipped cost %d", got, want)
		}
		for _, q := range []string{"SELECT coalesce(sum(earned_cents), 0) FROM ledger_days", "SELECT coalesce(sum(released_cents), 0) FROM ledger_days"} {
			if got := seedCount(t, db, q); got != want {
				t.Errorf("%s: %d, want %d", q, got, want)
			}
		}
	})
	t.Run("a pull finds the sources as it left them", func(t *testing.T) {
		// A pull of each subscription now creates, changes and zeroes nothing:
		// the seeded products and sources are what a pull makes.
		p := &Puller{DB: db}
		subs, err := db.Subscriptions(ctx, res.Accounts[0].ID)
		if err != nil || len(subs) < 3 {
			t.Fatalf("%d subscriptions, %v", len(subs), err)
		}
		for _, s := range subs {
			if s.Stale(db.now()) || s.LastGoodRows == 0 {
				t.Errorf("%s: stale or never pulled", s.Name)
			}
			s, run, err := db.claim(ctx, s.AccountID, s.ID, "manual")
			if err != nil {
				t.Fatal(err)
			}
			p.pull(ctx, s, run)
			run, err = db.FeedRun(ctx, s.AccountID, run.ID)
			if err != nil {
				t.Fatal(err)
			}
			if run.State != RunSucceeded || run.Created != 0 || run.Updated != 0 || run.Missing != 0 || run.Unchanged != s.LastGoodRows {
				t.Errorf("%s: pull %s (%s) created %d updated %d missing %d unchanged %d, want only %d unchanged",
					s.Name, run.State, run.Message, run.Created, run.Updated, run.Missing, run.Unchanged, s.LastGoodRows)
			}
		}
	})

	t.Run("a needs-dropship order dropships", func(t *testing.T) {
		m := res.Accounts[0].ID
		page, err := db.Orders(ctx, m, OrderFilter{Tab: TabNeedsDropship, PerPage: 200})
		if err != nil {
			t.Fatal(err)
		}
		done := false
		for _, o := range page.Orders {
			plan, err := db.DropshipPlan(ctx, m, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(plan.Groups) == 0 {
				continue
			}
			r, err := db.Dropship(ctx, Actor{Name: "test"}, m, o.ID, DropshipRequest{IdempotencyKey: "t", Confirm: true})
			if err != nil || len(r.POs) == 0 {
				t.Fatalf("dropship order %d: %+v %v", o.ID, r, err)
			}
			done = true
			break
		}
		if !done {
			t.Error("no order in Needs dropship has an eligible line")
		}
	})

	t.Run("database", func(t *testing.T) {
		if err := db.IntegrityCheck(ctx); err != nil {
			t.Error(err)
		}
		if db.pg {
			// The indexes and constraints set aside are all back, as the
			// migrations made them, and the foreign keys were checked.
			if n := seedCount(t, db, "SELECT count(*) FROM pg_constraint WHERE NOT convalidated"); n != 0 {
				t.Errorf("%d constraints not validated", n)
			}
			for _, q := range []string{"SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema()",
				"SELECT count(*) FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"} {
				fresh := seedFreshCount(t, q)
				if n := seedCount(t, db, q); n != fresh {
					t.Errorf("%s: %d after the seed, %d in a migrated database", q, n, fresh)
				}
			}
			// The identity sequences are past the seeded IDs: the store's
			// next inserts get new IDs (the dropship above inserted POs, PO
			// lines and events).
			for _, tbl := range []string{"orders", "order_lines", "purchase_orders", "po_lines", "shipments", "products", "product_sources"} {
				if n := seedCount(t, db, "SELECT count(*) FROM "+tbl+" WHERE id > coalesce(pg_sequence_last_value(pg_get_serial_sequence('"+tbl+"', 'id')::regclass), 0)"); n != 0 {
					t.Errorf("%s: %d rows above the identity sequence", tbl, n)
				}
			}
		} else {
			if n := seedCount(t, db, "SELECT count(*) FROM pragma_foreign_key_check"); n != 0 {
				t.Errorf("%d foreign key violations", n)
			}
			var mode string
			if err := db.write.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
				t.Errorf("journal mode %q after the seed, %v", mode, err)
			}
			var fk int
			if err := db.write.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
				t.Errorf("foreign keys %d after the seed, %v", fk, err)
			}
			if left, _ := filepath.Glob(db.Path() + ".seed*"); len(left) > 0 {
				t.Errorf("scratch files left: %v", left)
			}
		}
		// The store's own inserts go on after the seeded IDs: an order with
		// its line, then its dropship's PO and PO line.
		maxOrder := seedCount(t, db, "SELECT max(id) FROM orders")
		o, created, err := db.CreateOrder(ctx, Actor{Name: "test"}, res.Accounts[0].ID, orderfile.Order{Channel: "api", ChannelOrderID: "AFTER-SEED-1",
			Currency: "USD", Customer: orderfile.Customer{Name: "Ada"}, ShipTo: orderfile.Address{Name: "Ada", Address1: "1 Main St", City: "Springfield",
				PostalCode: "62701", Country: "US"}, Lines: []orderfile.Line{{SKU: res.Accounts[0].Name, Title: "Item", Quantity: 1, UnitPriceCents: 100}}})
		if err != nil || !created || o.ID <= int64(maxOrder) {
			t.Errorf("an order after the seed: id %d (seeded up to %d), created %v, %v", o.ID, maxOrder, created, err)
		}
		// A second seed is refused and changes nothing.
		before := seedCount(t, db, "SELECT count(*) FROM orders")
		if _, err := db.Seed(ctx, SeedOptions{Orders: 10, Products: 30}); !errors.Is(err, ErrConflict) {
			t.Errorf("second seed: %v, want a conflict", err)
		}
		if after := seedCount(t, db, "SELECT count(*) FROM orders"); after != before {
			t.Errorf("second seed changed the orders: %d → %d", before, after)
		}
	})
}

func TestSeedTimeMatchesDriver(t *testing.T) {
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range 20000 {
		x := base.Add(time.Duration(rand.Int64N(int64(200 * 24 * time.Hour))))
		switch i % 3 {
		case 0:
			x = x.Truncate(time.Second)
		case 1:
			x = x.Truncate(time.Microsecond)
		}
		if got, want := seedTime(x), dbTime(x.UTC()); got != want {
			t.Fatalf("seedTime = %s, want %s", got, want)
		}
	}
}
