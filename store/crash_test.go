package store_test

// Kill -9 tests: a child process (this test binary, re-run with
// DROPLINE_CRASH_CHILD set) applies bulk tracking files, pulls a feed or
// delivers the outbox in a loop, and is killed with SIGKILL at a random
// moment, many times over. After each kill the database must pass
// CheckInvariants, and the interrupted work must have happened whole or not
// at all; the next child resumes it, and a last run without a kill finishes it.

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/fetch"
	"github.com/dropline/dropline/store/storetest"
)

const (
	crashChildEnv = "DROPLINE_CRASH_CHILD" // the child's mode: bulk, pull or outbox
	crashDBEnv    = "DROPLINE_CRASH_DB"
	crashArgEnv   = "DROPLINE_CRASH_ARG"
	crashCourier  = "Crash Courier"
	crashFeedRows = 20000
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(crashChildEnv); mode != "" {
		if err := crashChild(context.Background(), mode, os.Getenv(crashDBEnv), os.Getenv(crashArgEnv)); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(storetest.Main(m))
}

// crashChild is the work the parent kills. It runs until the work is done
// or it is killed.
func crashChild(ctx context.Context, mode, path, arg string) error {
	db, err := store.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	// What the server does at start: close pulls the last process left running.
	if _, err := db.RecoverInterrupted(ctx); err != nil {
		return err
	}
	switch mode {
	case "bulk":
		var suppliers []int64
		for f := range strings.FieldsSeq(os.Getenv("DROPLINE_CRASH_SUPPLIERS")) {
			id, _ := strconv.ParseInt(f, 10, 64)
			suppliers = append(suppliers, id)
		}
		return crashBulk(ctx, db, path, arg, suppliers)
	case "pull":
		// Keep the subscription due and pull it, as the ticker would.
		w, err := db.OpenSQL()
		if err != nil {
			return err
		}
		defer w.Close()
		p := &store.Puller{DB: db, Fetcher: &fetch.Fetcher{AllowPrivate: true}}
		if storetest.OnPostgres() {
			// A start leaves the killed child's claim to run out (another
			// instance might hold it): a short lease, renewed often.
			p.Lease, p.Heartbeat = 300*time.Millisecond, 50*time.Millisecond
		}
		for range 1000 {
			if _, err := w.ExecContext(ctx, "UPDATE subscriptions SET next_run_at = ?", time.Now().UTC().Add(-time.Minute)); err != nil {
				return err
			}
			n, err := p.PullDue(ctx)
			if err != nil {
				return err
			}
			if n == 0 && storetest.OnPostgres() {
				time.Sleep(50 * time.Millisecond) // the last child's claim has not run out yet
				continue
			}
			if arg == "once" {
				return nil
			}
		}
		return nil
	case "outbox":
		// As serve starts: what the killed process left is recovered.
		if _, err := db.RecoverInterrupted(ctx); err != nil {
			return err
		}
		raw, err := db.OpenSQL()
		if err != nil {
			return err
		}
		defer raw.Close()
		d := &store.Deliverer{DB: db, HTTP: http.DefaultClient}
		if storetest.OnPostgres() {
			d.Lease = 300 * time.Millisecond // the killed child's claims run out, not released at start
		}
		for {
			n, err := d.DeliverDue(ctx)
			if err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			if !storetest.OnPostgres() {
				return nil
			}
			var due int
			if err := raw.QueryRowContext(ctx, "SELECT count(*) FROM outbox WHERE state = 'pending' AND next_attempt_at <= ?", time.Now().UTC()).Scan(&due); err != nil {
				return err
			}
			if due == 0 {
				return nil
			}
			time.Sleep(50 * time.Millisecond) // claimed by the killed child until its claims run out
		}
	}
	return fmt.Errorf("unknown mode %q", mode)
}

// crashBulk re-applies every batch file already written (a batch the last
// child was killed in is finished now; a finished one adds nothing), then
// writes and applies new batches of 10 open POs, taking the suppliers in
// turn, until none are left.
func crashBulk(ctx context.Context, db *store.DB, path, dir string, suppliers []int64) error {
	actor := store.Actor{Name: "crash test"}
	files, _ := filepath.Glob(filepath.Join(dir, "batch-*.csv"))
	sort.Strings(files)
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if _, err := db.BulkTracking(ctx, actor, batchSupplier(f), body, true); err != nil {
			return fmt.Errorf("re-apply %s: %w", f, err)
		}
	}
	ro, err := db.OpenSQL()
	if err != nil {
		return err
	}
	defer ro.Close()
	for k := len(files); len(suppliers) > 0; {
		i := k % len(suppliers)
		supplierID := suppliers[i]
		rows, err := ro.QueryContext(ctx, `SELECT po.po_number, m.public_id FROM purchase_orders po JOIN accounts m ON m.id = po.account_id
			WHERE po.supplier_id = ? AND po.status = 'open' AND po.cancel_state = '' AND po.release_at <= ?
			AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.po_id = po.id)
			ORDER BY po.id LIMIT 10`, supplierID, time.Now().UTC())
		if err != nil {
			return err
		}
		var b bytes.Buffer
		b.WriteString("po_number,carrier,tracking_number,ship_date,merchant\n")
		n := 0
		for rows.Next() {
			var number, merchant string
			if err := rows.Scan(&number, &merchant); err != nil {
				rows.Close()
				return err
			}
			n++
			fmt.Fprintf(&b, "%s,%s,CR%04d-%04d,%s,%s\n", number, crashCourier, k, n, time.Now().UTC().Format(time.DateOnly), merchant)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		if n == 0 {
			suppliers = slices.Delete(suppliers, i, i+1)
			continue
		}
		// The file is whole on disk before any of it is applied.
		name := filepath.Join(dir, fmt.Sprintf("batch-%04d-%d.csv", k, supplierID))
		if err := os.WriteFile(name+".tmp", b.Bytes(), 0o644); err != nil {
			return err
		}
		if err := os.Rename(name+".tmp", name); err != nil {
			return err
		}
		plan, err := db.BulkTracking(ctx, actor, supplierID, b.Bytes(), true)
		if err != nil {
			return fmt.Errorf("apply %s: %w", name, err)
		}
		if plan.OK != n {
			return fmt.Errorf("apply %s: %d of %d rows ok", name, plan.OK, n)
		}
		k++
	}
	return nil
}

// batchSupplier is the supplier named in a batch file's name.
func batchSupplier(name string) int64 {
	base := strings.TrimSuffix(filepath.Base(name), ".csv")
	id, _ := strconv.ParseInt(base[strings.LastIndexByte(base, '-')+1:], 10, 64)
	return id
}

// crashRun starts the child, kills it after delay (never, if delay < 0)
// and waits for it. It reports whether the child was killed.
func crashRun(t *testing.T, mode, path, arg string, env []string, delay time.Duration) bool {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, crashChildEnv+"="+mode, crashDBEnv+"="+path, crashArgEnv+"="+arg)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if delay < 0 {
		if err := <-done; err != nil {
			t.Fatalf("child %s: %v\n%s", mode, err, stderr.String())
		}
		return false
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("child %s ended early: %v\n%s", mode, err, stderr.String())
		}
		return false
	case <-time.After(delay):
	}
	cmd.Process.Kill() // SIGKILL: no deferred function, no rollback, no close
	<-done
	return true
}

// crashCheck opens the database as the next process would and runs the
// invariants and the phase's own check.
func crashCheck(t *testing.T, path string, check func(ctx context.Context, db *store.DB, raw *sql.DB)) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CheckInvariants(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := db.OpenSQL()
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	check(ctx, db, raw)
}

func crashIterations(t *testing.T) int {
	if s := os.Getenv("DROPLINE_CRASH_ITERATIONS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("DROPLINE_CRASH_ITERATIONS=%q: want a positive number", s)
		}
		return n
	}
	return 8
}

func TestKillNineDuringBulkTrackingPullAndOutbox(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; not in -short")
	}
	ctx := context.Background()
	dir := t.TempDir()
	path := storetest.DSN(t, dir, migrateDSN)
	seedRNG := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(seedRNG), 1))
	t.Logf("random seed %d, %d kills per phase", seedRNG, crashIterations(t))

	// Receiver of the webhooks: counts each delivery ID.
	var mu sync.Mutex
	received := map[string]int{}
	var slow atomic.Bool
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slow.Load() {
			time.Sleep(5 * time.Millisecond)
		}
		mu.Lock()
		received[r.Header.Get("X-Dropline-Delivery")]++
		mu.Unlock()
	}))
	defer hook.Close()

	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	seed, err := db.Seed(ctx, store.SeedOptions{Orders: 15000, Products: 300, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	var merchant store.SeedAccount
	var suppliers []string
	for _, a := range seed.Accounts {
		if a.Kind == store.KindSupplier {
			suppliers = append(suppliers, strconv.FormatInt(a.ID, 10))
			if _, err := db.AddLogisticsProvider(ctx, store.CLIActor, a.ID, crashCourier, "", ""); err != nil {
				t.Fatal(err)
			}
		}
		if a.Kind == store.KindMerchant && merchant.ID == 0 {
			merchant = a
		}
	}
	// The test's webhook server is on 127.0.0.1.
	if err := db.SetAllowPrivateFeeds(ctx, store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	for _, a := range seed.Accounts {
		if a.Kind == store.KindMerchant {
			if _, _, err := db.AddWebhookEndpoint(ctx, store.CLIActor, a.ID, hook.URL+"/hook", store.WebhookEventsFor(store.KindMerchant)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The seed leaves messages pending for other endpoints; deliver only ours.
	db.Close()
	n := crashIterations(t)

	t.Run("bulk tracking apply", func(t *testing.T) {
		batches := filepath.Join(dir, "batches")
		os.Mkdir(batches, 0o755)
		env := []string{"DROPLINE_CRASH_SUPPLIERS=" + strings.Join(suppliers, " ")}
		interrupted := 0 // kills that left a written batch not applied
		whole := func(ctx context.Context, db *store.DB, raw *sql.DB, wantAll bool) {
			files, _ := filepath.Glob(filepath.Join(batches, "batch-*.csv"))
			for k, f := range files {
				body, _ := os.ReadFile(f)
				rows := bytes.Count(body, []byte("\n")) - 1
				var got int
				if err := raw.QueryRowContext(ctx, "SELECT count(*) FROM shipments WHERE tracking_number LIKE ?", fmt.Sprintf("CR%04d-%%", k)).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != 0 && got != rows || wantAll && got != rows {
					t.Fatalf("%s: %d of its %d parcels saved", filepath.Base(f), got, rows)
				}
				if got == 0 {
					interrupted++
				}
			}
		}
		kills := 0
		for range n {
			if crashRun(t, "bulk", path, batches, env, time.Duration(30+rng.IntN(500))*time.Millisecond) {
				kills++
			}
			crashCheck(t, path, func(ctx context.Context, db *store.DB, raw *sql.DB) { whole(ctx, db, raw, false) })
		}
		// A last run resumes the interrupted batch (re-applied: the rest of
		// the file adds nothing twice) and finishes.
		crashRun(t, "bulk", path, batches, env, -1)
		crashCheck(t, path, func(ctx context.Context, db *store.DB, raw *sql.DB) { whole(ctx, db, raw, true) })
		files, _ := filepath.Glob(filepath.Join(batches, "batch-*.csv"))
		t.Logf("%d kills, %d batch files, %d interrupted before their commit", kills, len(files), interrupted)
		if kills == 0 || len(files) < 2 {
			t.Fatalf("%d kills over %d batches: the test did not interrupt anything", kills, len(files))
		}
	})

	t.Run("feed pull", func(t *testing.T) {
		var version atomic.Int64
		feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v := version.Add(1)
			w.Header().Set("Content-Type", "text/csv")
			var b strings.Builder
			b.WriteString("sku,title,quantity,cost,price\n")
			for i := range crashFeedRows {
				fmt.Fprintf(&b, "CRASH-%05d,Crash item %d,%d,4.00,9.99\n", i, i, v)
			}
			w.Write([]byte(b.String()))
		}))
		defer feed.Close()
		db, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetAllowPrivateFeeds(ctx, store.CLIActor, true); err != nil {
			t.Fatal(err)
		}
		mActor := store.Actor{Name: "crash test"}
		sub, err := db.SaveSubscription(ctx, mActor, merchant.ID, 0, store.SubscriptionInput{Name: "Crash feed", URL: feed.URL + "/feed.csv",
			IntervalMinutes: 60, DropThresholdPct: 30, StaleAfterHours: 26})
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		// Whole or nothing: every source of the subscription has one
		// version's stock (none before the first pull succeeds).
		oneVersion := func(ctx context.Context, db *store.DB, raw *sql.DB) {
			var versions, sources int
			if err := raw.QueryRowContext(ctx, "SELECT count(DISTINCT on_hand), count(*) FROM product_sources WHERE subscription_id = ?", sub.ID).Scan(&versions, &sources); err != nil {
				t.Fatal(err)
			}
			if versions > 1 || sources != 0 && sources != crashFeedRows {
				t.Fatalf("after a kill: %d sources with %d different stock levels: a pull was applied in part", sources, versions)
			}
		}
		kills := 0
		for range n {
			if crashRun(t, "pull", path, "", nil, time.Duration(100+rng.IntN(1500))*time.Millisecond) {
				kills++
			}
			crashCheck(t, path, oneVersion)
		}
		// The next start closes the interrupted run and pulls again, whole.
		crashRun(t, "pull", path, "once", nil, -1)
		crashCheck(t, path, func(ctx context.Context, db *store.DB, raw *sql.DB) {
			oneVersion(ctx, db, raw)
			var running, interrupted int
			var last string
			raw.QueryRowContext(ctx, "SELECT count(*) FILTER (WHERE state = 'running'), count(*) FILTER (WHERE message LIKE 'Interrupted%') FROM feed_runs WHERE subscription_id = ?", sub.ID).Scan(&running, &interrupted)
			raw.QueryRowContext(ctx, "SELECT state FROM feed_runs WHERE subscription_id = ? ORDER BY id DESC LIMIT 1", sub.ID).Scan(&last)
			var onHand int64
			raw.QueryRowContext(ctx, "SELECT max(on_hand) FROM product_sources WHERE subscription_id = ?", sub.ID).Scan(&onHand)
			if running != 0 || last != store.RunSucceeded {
				t.Fatalf("after the last run: %d runs still running, last run %q", running, last)
			}
			if onHand != version.Load() {
				t.Fatalf("stock %d after the last pull, want the feed's last version %d", onHand, version.Load())
			}
			t.Logf("%d kills, %d pulls served, %d runs closed as interrupted", kills, version.Load(), interrupted)
			if interrupted == 0 {
				t.Fatal("no pull was interrupted: the kills came at the wrong moments")
			}
		})
	})

	t.Run("outbox delivery", func(t *testing.T) {
		// Only our endpoint's webhooks are due; the rest (emails with no
		// SMTP, other endpoints) wait.
		wdb, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer wdb.Close()
		w, err := wdb.OpenSQL()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.ExecContext(ctx, "UPDATE outbox SET next_attempt_at = '2999-01-01 00:00:00' WHERE state = 'pending' AND recipient <> ?", hook.URL+"/hook"); err != nil {
			t.Fatal(err)
		}
		var total int
		w.QueryRowContext(ctx, "SELECT count(*) FROM outbox WHERE state = 'pending' AND recipient = ?", hook.URL+"/hook").Scan(&total)
		w.Close()
		if total < 100 {
			t.Fatalf("%d webhooks to deliver: too few to interrupt", total)
		}
		slow.Store(true)
		// Sent means received: a message is marked sent only after the
		// endpoint answered. A kill between the two leaves it pending, to be
		// sent again with the same X-Dropline-Delivery ID (at most one such
		// duplicate per kill).
		delivered := func(ctx context.Context, raw *sql.DB, kills int, wantAll bool) {
			rows, err := raw.QueryContext(ctx, "SELECT id, state FROM outbox WHERE recipient = ?", hook.URL+"/hook")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			mu.Lock()
			defer mu.Unlock()
			dups := 0
			for rows.Next() {
				var id, state string
				rows.Scan(&id, &state)
				if state == "sent" && received[id] == 0 {
					t.Fatalf("outbox %s marked sent but never received", id)
				}
				if wantAll && state != "sent" {
					t.Fatalf("outbox %s still %s after the last run", id, state)
				}
				dups += max(received[id]-1, 0)
			}
			if dups > kills {
				t.Fatalf("%d duplicate deliveries after %d kills", dups, kills)
			}
		}
		kills := 0
		for range n {
			if crashRun(t, "outbox", path, "", nil, time.Duration(50+rng.IntN(400))*time.Millisecond) {
				kills++
			}
			crashCheck(t, path, func(ctx context.Context, db *store.DB, raw *sql.DB) { delivered(ctx, raw, kills, false) })
		}
		crashRun(t, "outbox", path, "", nil, -1)
		crashCheck(t, path, func(ctx context.Context, db *store.DB, raw *sql.DB) { delivered(ctx, raw, kills, true) })
		t.Logf("%d kills, %d webhooks delivered", kills, total)
	})
}
