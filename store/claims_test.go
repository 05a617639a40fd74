package store_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/fetch"
	"github.com/dropline/dropline/store/orderfile"
	"github.com/dropline/dropline/store/storetest"
)

// countingMailer counts what it sends, slowly enough for two passes to
// overlap.
type countingMailer struct {
	mu   sync.Mutex
	sent map[string]int
}

func (m *countingMailer) Send(ctx context.Context, e store.Email) error {
	time.Sleep(2 * time.Millisecond)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent[e.Subject]++
	return nil
}

// TestTwoDeliveryPassesSendEachMessageOnce: two passes at once, as two
// instances serving one database run them, send every message exactly once.
func TestTwoDeliveryPassesSendEachMessageOnce(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	for i := range 60 {
		if err := p.db.EnqueueEmail(ctx, p.merchant.ID, "ada@example.com", fmt.Sprintf("message %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	mailer := &countingMailer{sent: map[string]int{}}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			d := &store.Deliverer{DB: p.db, Mailer: mailer}
			for {
				n, err := d.DeliverDue(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	if len(mailer.sent) != 60 {
		t.Fatalf("%d of 60 messages sent", len(mailer.sent))
	}
	for subject, n := range mailer.sent {
		if n != 1 {
			t.Fatalf("%s sent %d times", subject, n)
		}
	}
}

// TestADeadPassesClaimIsTakenOver: a pass that claimed messages and died
// holds them until its claim runs out; then another pass sends them. A
// restart (RecoverInterrupted, which one process per SQLite database makes
// safe) releases them at once on SQLite; on PostgreSQL, where another
// instance may hold them, they wait for the claim to run out.
func TestADeadPassesClaimIsTakenOver(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	now := time.Now().UTC()
	p.db.Now = func() time.Time { return now }
	if err := p.db.EnqueueEmail(ctx, p.merchant.ID, "ada@example.com", "held"); err != nil {
		t.Fatal(err)
	}
	// The dead pass's claim, as DeliverDue writes it.
	if err := p.db.ExecForTest(ctx, "UPDATE outbox SET claim_token = 'dead', claimed_until = ?", now.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	mailer := &countingMailer{sent: map[string]int{}}
	d := &store.Deliverer{DB: p.db, Mailer: mailer}
	if n, err := d.DeliverDue(ctx); err != nil || n != 0 {
		t.Fatalf("while the claim holds: sent %d (%v), want 0", n, err)
	}
	now = now.Add(3 * time.Minute)
	if n, err := d.DeliverDue(ctx); err != nil || n != 1 || mailer.sent["held"] != 1 {
		t.Fatalf("after the claim ran out: sent %d (%v), want 1", n, err)
	}
	// Claimed again by a dead pass, then the server restarts.
	if err := p.db.EnqueueEmail(ctx, p.merchant.ID, "ada@example.com", "restart"); err != nil {
		t.Fatal(err)
	}
	if err := p.db.ExecForTest(ctx, "UPDATE outbox SET claim_token = 'dead', claimed_until = ? WHERE state = 'pending'", now.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := p.db.RecoverInterrupted(ctx); err != nil {
		t.Fatal(err)
	}
	if storetest.OnPostgres() {
		// Several instances may serve a PostgreSQL database: the claim may
		// be a live one's, so a start leaves it to run out.
		if n, err := d.DeliverDue(ctx); err != nil || n != 0 {
			t.Fatalf("after a start on PostgreSQL, while the claim holds: sent %d (%v), want 0", n, err)
		}
		now = now.Add(3 * time.Minute)
	}
	if n, err := d.DeliverDue(ctx); err != nil || n != 1 || mailer.sent["restart"] != 1 {
		t.Fatalf("after a restart: sent %d (%v), want 1", n, err)
	}
}

// gatedFeed serves a CSV feed and counts requests; while gate is open
// (not nil), a request waits for it before answering.
type gatedFeed struct {
	mu       sync.Mutex
	requests int
	qty      int
	gate     chan struct{}
	arrived  chan struct{} // gets a value per request
}

func newGatedFeed(t *testing.T) (*gatedFeed, string) {
	f := &gatedFeed{qty: 1, arrived: make(chan struct{}, 100)}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests++
		gate, qty := f.gate, f.qty
		f.mu.Unlock()
		f.arrived <- struct{}{}
		if gate != nil {
			select {
			case <-gate:
			case <-r.Context().Done():
				return
			}
		}
		fmt.Fprintf(rw, "sku,title,quantity,cost\nG-1,One,%d,1.50\nG-2,Two,%d,2.00\n", qty, qty)
	}))
	t.Cleanup(srv.Close)
	return f, srv.URL + "/feed.csv"
}

func (f *gatedFeed) set(qty int, gate chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.qty, f.gate = qty, gate
}

func (f *gatedFeed) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

func (f *gatedFeed) waitRequest(t *testing.T) {
	t.Helper()
	select {
	case <-f.arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the feed was not requested")
	}
}

func runStates(t *testing.T, w *feedWorld, subID int64) []string {
	t.Helper()
	runs, err := w.db.FeedRuns(context.Background(), w.merchant.ID, subID, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(runs) - 1; i >= 0; i-- {
		out = append(out, runs[i].State)
	}
	return out
}

// TestTwoPullersPullADueSubscriptionOnce: two tickers, as two instances
// serving one database run them, pull each due subscription once.
func TestTwoPullersPullADueSubscriptionOnce(t *testing.T) {
	w := newFeedWorld(t)
	ctx := context.Background()
	feed, url := newGatedFeed(t)
	s := w.subscribe(t, store.SubscriptionInput{URL: url})
	pullers := []*store.Puller{
		{DB: w.db, Fetcher: &fetch.Fetcher{AllowPrivate: true}},
		{DB: w.db, Fetcher: &fetch.Fetcher{AllowPrivate: true}},
	}
	for round := range 5 {
		if err := w.db.ExecForTest(ctx, "UPDATE subscriptions SET next_run_at = ? WHERE id = ?", w.now.Add(-time.Minute), s.ID); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		pulled := 0
		for _, p := range pullers {
			wg.Go(func() {
				n, err := p.PullDue(ctx)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				pulled += n
				mu.Unlock()
			})
		}
		wg.Wait()
		if pulled != 1 || feed.count() != round+1 {
			t.Fatalf("round %d: pulled %d times, feed requested %d times in all, want once per round", round, pulled, feed.count())
		}
	}
	if got := runStates(t, w, s.ID); len(got) != 5 || slices.ContainsFunc(got, func(s string) bool { return s != store.RunSucceeded }) {
		t.Fatalf("runs %v, want 5 succeeded", got)
	}
}

// TestAHeartbeatKeepsASlowPullsClaim: a pull slower than its lease renews
// its claim, and another ticker leaves it alone.
func TestAHeartbeatKeepsASlowPullsClaim(t *testing.T) {
	w := newFeedWorld(t)
	w.db.Now = time.Now
	ctx := context.Background()
	feed, url := newGatedFeed(t)
	s := w.subscribe(t, store.SubscriptionInput{URL: url})
	gate := make(chan struct{})
	feed.set(3, gate)
	// The lease is six heartbeats long, so a machine busy enough to delay
	// one heartbeat (CI, two cores, other tests) does not lose the claim.
	a := &store.Puller{DB: w.db, Fetcher: &fetch.Fetcher{AllowPrivate: true}, Lease: 600 * time.Millisecond, Heartbeat: 100 * time.Millisecond}
	b := &store.Puller{DB: w.db, Fetcher: &fetch.Fetcher{AllowPrivate: true}, Lease: 600 * time.Millisecond, Heartbeat: 100 * time.Millisecond}
	if _, err := a.PullNow(ctx, w.merchant.ID, s.ID); err != nil {
		t.Fatal(err)
	}
	// Release the feed however the test ends, so its pull does not wait.
	defer func() {
		select {
		case <-gate:
		default:
			close(gate)
		}
	}()
	feed.waitRequest(t)
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if err := w.db.ExecForTest(ctx, "UPDATE subscriptions SET next_run_at = ? WHERE id = ?", time.Now().Add(-time.Minute), s.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := b.PullDue(ctx); err != nil || n != 0 {
			t.Fatalf("another ticker pulled %d (%v) while the claim was renewed", n, err)
		}
	}
	close(gate)
	a.Wait()
	if got := runStates(t, w, s.ID); !slices.Equal(got, []string{store.RunSucceeded}) || feed.count() != 1 {
		t.Fatalf("runs %v, %d requests; want one succeeded run", got, feed.count())
	}
}

// TestAPullThatLostItsClaimAppliesNothing: a pull that stopped renewing
// its claim (its process stalled) is taken over when the lease runs out;
// when it wakes it applies nothing and leaves the other's claim alone.
func TestAPullThatLostItsClaimAppliesNothing(t *testing.T) {
	w := newFeedWorld(t)
	w.db.Now = time.Now
	ctx := context.Background()
	feed, url := newGatedFeed(t)
	s := w.subscribe(t, store.SubscriptionInput{URL: url})
	gate := make(chan struct{})
	feed.set(1, gate)
	// A never renews (a heartbeat of an hour): it stalls past its lease.
	a := &store.Puller{DB: w.db, Fetcher: &fetch.Fetcher{AllowPrivate: true}, Lease: 300 * time.Millisecond, Heartbeat: time.Hour}
	b := &store.Puller{DB: w.db, Fetcher: &fetch.Fetcher{AllowPrivate: true}, Lease: 300 * time.Millisecond, Heartbeat: 50 * time.Millisecond}
	first, err := a.PullNow(ctx, w.merchant.ID, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	feed.waitRequest(t)
	if n, err := b.PullDue(ctx); err != nil || n != 0 {
		t.Fatalf("pulled %d (%v) while the lease holds, want 0", n, err)
	}
	time.Sleep(400 * time.Millisecond)
	feed.set(7, nil)
	if n, err := b.PullDue(ctx); err != nil || n != 1 {
		t.Fatalf("pulled %d (%v) after the lease ran out, want 1", n, err)
	}
	close(gate) // A wakes with the old feed
	a.Wait()
	run, err := w.db.FeedRun(ctx, w.merchant.ID, first.ID)
	if err != nil || run.State != store.RunFailed || !strings.HasPrefix(run.Message, "Interrupted") {
		t.Fatalf("the stalled run: %s %q (%v), want failed as interrupted", run.State, run.Message, err)
	}
	if got := runStates(t, w, s.ID); !slices.Equal(got, []string{store.RunFailed, store.RunSucceeded}) {
		t.Fatalf("runs %v, want the stalled one failed and the takeover succeeded", got)
	}
	for sku, lp := range w.linked(t) {
		if lp.Sellable() != 7 {
			t.Fatalf("%s: %d sellable, want 7 (the takeover's feed, not the stalled pull's 1)", sku, lp.Sellable())
		}
	}
	got, err := w.db.Subscription(ctx, w.merchant.ID, s.ID)
	if err != nil || got.RunningSince != nil {
		t.Fatalf("subscription still claimed (%v, %v) after both pulls ended", got.RunningSince, err)
	}
}

// TestRecoverInterruptedLeavesLiveClaimsOnPostgres: at start, SQLite's only
// process closes every running pull; on PostgreSQL, where another instance
// may be pulling, only pulls whose lease ran out.
func TestRecoverInterruptedLeavesLiveClaimsOnPostgres(t *testing.T) {
	w := newFeedWorld(t)
	w.db.Now = time.Now
	ctx := context.Background()
	feed, url := newGatedFeed(t)
	s := w.subscribe(t, store.SubscriptionInput{URL: url})
	gate := make(chan struct{})
	feed.set(2, gate)
	a := &store.Puller{DB: w.db, Fetcher: &fetch.Fetcher{AllowPrivate: true}}
	if _, err := a.PullNow(ctx, w.merchant.ID, s.ID); err != nil {
		t.Fatal(err)
	}
	feed.waitRequest(t)
	n, err := w.db.RecoverInterrupted(ctx)
	if err != nil {
		t.Fatal(err)
	}
	close(gate)
	a.Wait()
	want, wantRuns := 1, []string{store.RunFailed}
	if storetest.OnPostgres() {
		want, wantRuns = 0, []string{store.RunSucceeded}
	}
	if got := runStates(t, w, s.ID); n != want || !slices.Equal(got, wantRuns) {
		t.Fatalf("recovered %d, runs %v; want %d, %v", n, got, want, wantRuns)
	}
	// A claim that ran out (its instance died) is recovered on both.
	if err := w.db.ExecForTest(ctx, "INSERT INTO feed_runs (account_id, subscription_id, trigger, state, started_at) VALUES (?, ?, 'schedule', 'running', ?)",
		w.merchant.ID, s.ID, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := w.db.ExecForTest(ctx, "UPDATE subscriptions SET running_since = ? WHERE id = ?", time.Now().Add(-time.Hour), s.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := w.db.RecoverInterrupted(ctx); err != nil || n != 1 {
		t.Fatalf("recovered %d (%v) of a claim an hour old, want 1", n, err)
	}
}

// TestTwoSweepsAtOnceMoveEachPOOnce: the queue clock sweep, run by every
// instance's ticker, moves each PO past its instant once, however many
// sweep at once.
func TestTwoSweepsAtOnceMoveEachPOOnce(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	for i := range 6 {
		w.poFor(t, fmt.Sprintf("#SW-%d", i), orderfile.Line{SKU: "A-1", Quantity: 1})
	}
	// Three days on, every PO is late and stale.
	w.now = w.now.Add(72 * time.Hour)
	due, err := w.db.QueryIntForTest(ctx, "SELECT count(*) FROM purchase_orders WHERE queue_clock_at <= ?", w.now)
	if err != nil || due == 0 {
		t.Fatalf("%d POs due for the sweep (%v), want some", due, err)
	}
	var mu sync.Mutex
	moved := 0
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			n, err := w.db.SweepQueueClock(ctx)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			moved += n
			mu.Unlock()
		})
	}
	wg.Wait()
	if moved != due {
		t.Fatalf("two sweeps at once moved %d POs, want the %d due once each", moved, due)
	}
	if n, err := w.db.SweepQueueClock(ctx); err != nil || n != 0 {
		t.Fatalf("a third sweep moved %d (%v), want 0", n, err)
	}
	// The kept counts equal a recount: checked by the invariants as the test ends.
}
