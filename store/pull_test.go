package store_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/fetch"
)

// feedWorld is a linked supplier with a catalog and a feed, and a merchant.
type feedWorld struct {
	*pair
	puller *store.Puller
	feed   store.Feed
	now    time.Time
}

func newFeedWorld(t *testing.T, skus ...string) *feedWorld {
	t.Helper()
	p := newPair(t)
	ctx := context.Background()
	w := &feedWorld{pair: p, now: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
	p.db.Now = func() time.Time { return w.now }
	if _, err := p.db.CreateLink(ctx, store.CLIActor, p.supplier.ID, p.merchant.ID); err != nil {
		t.Fatal(err)
	}
	for i, sku := range skus {
		w.product(t, sku, 10*(i+1), "0001234567"+fmt.Sprint(i))
	}
	f, err := p.db.SaveFeed(ctx, p.sActor, p.supplier.ID, 0, store.FeedInput{Name: "All", Selection: store.SelectAll, Fields: store.FeedFields, AllMerchants: true})
	if err != nil {
		t.Fatal(err)
	}
	w.feed = f
	w.puller = &store.Puller{DB: p.db, Fetcher: &fetch.Fetcher{AllowPrivate: true}}
	return w
}

// product creates or updates a supplier product with a quantity.
func (w *feedWorld) product(t *testing.T, sku string, qty int, gtin string) {
	t.Helper()
	ctx := context.Background()
	page, _ := w.db.Products(ctx, w.supplier.ID, store.ProductFilter{Query: sku, Status: "all"})
	var id int64
	for _, p := range page.Products {
		if p.SKU == sku {
			id = p.ID
		}
	}
	in := store.ProductInput{SKU: sku, Title: "Item " + sku, GTIN: gtin, Quantity: qty, LeadTimeDays: 1, CostCents: 500, HasCost: true, PriceCents: 1299, HasPrice: true, Active: true}
	if _, err := w.db.SaveProduct(ctx, w.sActor, w.supplier.ID, id, in); err != nil {
		t.Fatal(err)
	}
}

func (w *feedWorld) subscribe(t *testing.T, in store.SubscriptionInput) store.Subscription {
	t.Helper()
	if in.IntervalMinutes == 0 {
		in.IntervalMinutes = 60
	}
	if in.DropThresholdPct == 0 {
		in.DropThresholdPct = 30
	}
	if in.StaleAfterHours == 0 {
		in.StaleAfterHours = 26
	}
	s, err := w.db.SaveSubscription(context.Background(), w.mActor, w.merchant.ID, 0, in)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// pull runs a pull to the end and returns its run.
func (w *feedWorld) pull(t *testing.T, subID int64) store.FeedRun {
	t.Helper()
	run, err := w.puller.PullNow(context.Background(), w.merchant.ID, subID)
	if err != nil {
		t.Fatal(err)
	}
	w.puller.Wait()
	got, err := w.db.FeedRun(context.Background(), w.merchant.ID, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (w *feedWorld) linked(t *testing.T) map[string]store.LinkedProduct {
	t.Helper()
	_, lps, err := w.db.LinkedProducts(context.Background(), w.merchant.ID, store.ProductFilter{PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.LinkedProduct{}
	for _, lp := range lps {
		out[lp.SKU] = lp
	}
	return out
}

func counts(r store.FeedRun) string {
	return fmt.Sprintf("%s rows=%d created=%d updated=%d unchanged=%d missing=%d errors=%d", r.State, r.Rows, r.Created, r.Updated, r.Unchanged, r.Missing, r.Errors)
}

func TestPullLinkedFeedCreatesUpdatesAndBuffers(t *testing.T) {
	w := newFeedWorld(t, "A-1", "A-2", "A-3")
	s := w.subscribe(t, store.SubscriptionInput{FeedID: w.feed.ID, Buffer: 2})
	if s.Name == "" || s.SupplierName != "Supply" {
		t.Fatalf("subscription = %+v", s)
	}
	if got, want := counts(w.pull(t, s.ID)), "succeeded rows=3 created=3 updated=0 unchanged=0 missing=0 errors=0"; got != want {
		t.Fatalf("first pull %q, want %q", got, want)
	}
	lp := w.linked(t)
	if len(lp) != 3 {
		t.Fatalf("%d linked products, want 3", len(lp))
	}
	a2 := lp["A-2"]
	if len(a2.Sources) != 1 || a2.Sources[0].Available != 20 || a2.Sources[0].OnHand != 18 || a2.Sellable() != 18 || a2.Sources[0].CostCents != 500 {
		t.Fatalf("A-2 = %+v, want available 20, on hand 18 (buffer 2), cost 500", a2.Sources)
	}
	if a2.PriceCents != 1299 || a2.Title != "Item A-2" {
		t.Fatalf("new merchant product %+v, want the feed's title and price", a2.Product)
	}
	w.now = w.now.Add(time.Hour)
	if got, want := counts(w.pull(t, s.ID)), "succeeded rows=3 created=0 updated=0 unchanged=3 missing=0 errors=0"; got != want {
		t.Fatalf("second pull %q, want %q", got, want)
	}
	w.product(t, "A-1", 1, "00012345670")
	w.now = w.now.Add(time.Hour)
	if got, want := counts(w.pull(t, s.ID)), "succeeded rows=3 created=0 updated=1 unchanged=2 missing=0 errors=0"; got != want {
		t.Fatalf("third pull %q, want %q", got, want)
	}
	if a1 := w.linked(t)["A-1"]; a1.Sources[0].OnHand != 0 || a1.Sources[0].Available != 1 {
		t.Fatalf("A-1 with 1 available and buffer 2: %+v, want on hand 0", a1.Sources[0])
	}
}

func TestPullMatchesExistingProductsByGTINAndKeepsSeveralSources(t *testing.T) {
	w := newFeedWorld(t, "A-1")
	ctx := context.Background()
	// The merchant sells the item under its own SKU, with the same GTIN.
	mine, err := w.db.SaveProduct(ctx, w.mActor, w.merchant.ID, 0, store.ProductInput{SKU: "MY-1", Title: "Mine", GTIN: "00012345670", Active: true, PriceCents: 2500, HasPrice: true})
	if err != nil {
		t.Fatal(err)
	}
	s := w.subscribe(t, store.SubscriptionInput{FeedID: w.feed.ID})
	if got := counts(w.pull(t, s.ID)); !strings.Contains(got, "created=1") {
		t.Fatalf("pull %q", got)
	}
	lp := w.linked(t)
	if len(lp) != 1 || len(lp["MY-1"].Sources) != 1 || lp["MY-1"].PriceCents != 2500 {
		t.Fatalf("linked = %+v, want the source on MY-1 and its own price kept", lp)
	}
	// A second supplier carrying the same GTIN becomes the second source.
	other, ou, _ := w.db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Second", Kind: store.KindSupplier}, "two@example.com", pw)
	oa := store.Actor{UserID: ou.ID, Name: ou.Email}
	w.db.CreateLink(ctx, store.CLIActor, other.ID, w.merchant.ID)
	w.db.SaveProduct(ctx, oa, other.ID, 0, store.ProductInput{SKU: "X-9", GTIN: "00012345670", Quantity: 7, Active: true})
	f2, _ := w.db.SaveFeed(ctx, oa, other.ID, 0, store.FeedInput{Name: "B", Selection: store.SelectAll, Fields: store.FeedFields, AllMerchants: true})
	s2 := w.subscribe(t, store.SubscriptionInput{FeedID: f2.ID})
	w.pull(t, s2.ID)
	got := w.linked(t)["MY-1"]
	if len(got.Sources) != 2 || got.Sources[0].SupplierName != "Supply" || got.Sources[1].SupplierName != "Second" || got.Sellable() != 17 {
		t.Fatalf("sources = %+v, want Supply then Second, 17 sellable", got.Sources)
	}
	if err := w.db.MoveSource(ctx, w.mActor, w.merchant.ID, got.Sources[1].ID, -1); err != nil {
		t.Fatal(err)
	}
	if got := w.linked(t)["MY-1"]; got.Sources[0].SupplierName != "Second" {
		t.Fatalf("after moving up, first source %s", got.Sources[0].SupplierName)
	}
	if err := w.db.MoveSource(ctx, store.CLIActor, other.ID, got.Sources[0].ID, 1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another account moves the merchant's source: %v", err)
	}
	_ = mine
}

func TestPullHoldsALargeDropForReview(t *testing.T) {
	w := newFeedWorld(t, "A-1", "A-2", "A-3", "A-4")
	ctx := context.Background()
	s := w.subscribe(t, store.SubscriptionInput{FeedID: w.feed.ID})
	w.pull(t, s.ID)
	// Two of four products leave the feed: 50% > 30%.
	page, _ := w.db.Products(ctx, w.supplier.ID, store.ProductFilter{})
	for _, p := range page.Products[:2] {
		w.db.ArchiveProduct(ctx, w.sActor, w.supplier.ID, p.ID, true)
	}
	held := w.pull(t, s.ID)
	if held.State != store.RunHeld || !strings.Contains(held.Message, "2 of the 4") {
		t.Fatalf("run %q %q, want held naming 2 of 4", held.State, held.Message)
	}
	for sku, lp := range w.linked(t) {
		if lp.Sellable() == 0 {
			t.Fatalf("%s lost its stock while the run is held", sku)
		}
	}
	// The ticker does not pull a subscription with a held run.
	w.now = w.now.Add(3 * time.Hour)
	if n, err := w.puller.PullDue(ctx); err != nil || n != 0 {
		t.Fatalf("PullDue with a held run pulled %d, %v", n, err)
	}
	if _, err := w.db.ResolveHeldRun(ctx, w.mActor, w.merchant.ID+99, held.ID, true); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another account approves: %v", err)
	}
	run, err := w.db.ResolveHeldRun(ctx, w.mActor, w.merchant.ID, held.ID, true)
	if err != nil || run.State != store.RunSucceeded || run.Missing != 2 || run.Unchanged != 2 {
		t.Fatalf("approve: %s %v", counts(run), err)
	}
	zero := 0
	for _, lp := range w.linked(t) {
		if lp.Sellable() == 0 {
			zero++
		}
	}
	if zero != 2 {
		t.Fatalf("%d products out of stock after approving, want 2", zero)
	}
	if _, err := w.db.ResolveHeldRun(ctx, w.mActor, w.merchant.ID, held.ID, false); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("discard after approve: %v, want ErrConflict", err)
	}
}

func TestPullExternalFeedFailuresChangeNothing(t *testing.T) {
	w := newFeedWorld(t)
	ctx := context.Background()
	body := "sku,title,quantity,cost\nE-1,One,5,1.50\nE-2,Two,-3,2.00\nE-3,Three,7,x\n"
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.WriteHeader(status)
		fmt.Fprint(rw, body)
	}))
	defer srv.Close()
	s := w.subscribe(t, store.SubscriptionInput{URL: srv.URL + "/feed.csv"})
	run := w.pull(t, s.ID)
	if run.State != store.RunSucceeded || run.Created != 3 || run.Errors != 2 {
		t.Fatalf("first pull %s (%s)", counts(run), run.Message)
	}
	errs, _ := w.db.FeedRunErrors(ctx, w.merchant.ID, run.ID, 10)
	if len(errs) != 2 || errs[0].Line != 3 || !strings.Contains(errs[0].Message, "-3") {
		t.Fatalf("row errors %+v, want line 3 about -3 first", errs)
	}
	before := w.linked(t)
	for _, tc := range []struct {
		name   string
		status int
		body   string
	}{
		{"server error", http.StatusInternalServerError, "oops"},
		{"empty file", http.StatusOK, ""},
		{"no sku column", http.StatusOK, "name,qty\nx,1\n"},
		{"not UTF-8", http.StatusOK, "sku,title\nE-1,\xff\xfe\n"},
	} {
		status, body = tc.status, tc.body
		w.now = w.now.Add(time.Hour)
		run := w.pull(t, s.ID)
		if run.State != store.RunFailed || run.Message == "" {
			t.Errorf("%s: %s %q, want failed with a message", tc.name, run.State, run.Message)
		}
		after := w.linked(t)
		for sku, lp := range before {
			if after[sku].Sellable() != lp.Sellable() {
				t.Errorf("%s changed %s's stock", tc.name, sku)
			}
		}
	}
}

func TestScheduleCatchesUpOnceAndResumes(t *testing.T) {
	w := newFeedWorld(t, "A-1")
	ctx := context.Background()
	s := w.subscribe(t, store.SubscriptionInput{FeedID: w.feed.ID, IntervalMinutes: 15})
	if n, _ := w.puller.PullDue(ctx); n != 1 {
		t.Fatalf("a new subscription is due at once: pulled %d", n)
	}
	// Ten intervals of downtime: one catch-up pull, then the next is in the future.
	w.now = w.now.Add(150 * time.Minute)
	if n, _ := w.puller.PullDue(ctx); n != 1 {
		t.Fatalf("after downtime pulled %d, want 1", n)
	}
	if n, _ := w.puller.PullDue(ctx); n != 0 {
		t.Fatalf("right after catching up pulled %d, want 0", n)
	}
	got, _ := w.db.Subscription(ctx, w.merchant.ID, s.ID)
	if got.NextRunAt == nil || !got.NextRunAt.Equal(w.now.Add(15*time.Minute)) {
		t.Fatalf("next run %v, want %v", got.NextRunAt, w.now.Add(15*time.Minute))
	}
	// A claim held by a running pull blocks a second one.
	if _, err := w.puller.PullNow(ctx, w.merchant.ID, s.ID); err != nil {
		t.Fatal(err)
	}
	_, err := w.puller.PullNow(ctx, w.merchant.ID, s.ID)
	w.puller.Wait()
	if err != nil && !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second pull now: %v, want nil (first already done) or ErrConflict", err)
	}
}

func TestDailyScheduleUsesTheAccountsZone(t *testing.T) {
	w := newFeedWorld(t, "A-1")
	ctx := context.Background()
	w.db.UpdateAccountSettings(ctx, store.CLIActor, w.merchant.ID, store.AccountSettings{Name: "Shop", TimeZone: "America/New_York", DropshipEnabled: true})
	s := w.subscribe(t, store.SubscriptionInput{FeedID: w.feed.ID, Schedule: store.ScheduleDaily, DailyAt: "06:30"})
	w.pull(t, s.ID)
	got, _ := w.db.Subscription(ctx, w.merchant.ID, s.ID)
	// 12:00 UTC is 07:00 in New York: next 06:30 New York is tomorrow 11:30 UTC.
	want := time.Date(2026, 11, 22, 11, 30, 0, 0, time.UTC)
	if got.NextRunAt == nil || !got.NextRunAt.Equal(want) {
		t.Fatalf("next run %v, want %v", got.NextRunAt, want)
	}
	if _, err := w.db.SaveSubscription(ctx, w.mActor, w.merchant.ID, 0, store.SubscriptionInput{FeedID: w.feed.ID, Schedule: store.ScheduleInterval, IntervalMinutes: 4, DropThresholdPct: 30, StaleAfterHours: 26}); fields(err)["interval_minutes"] == "" {
		t.Fatalf("4-minute interval: %v, want a field error", err)
	}
}

func TestStaleSourcesAndActiveInventory(t *testing.T) {
	w := newFeedWorld(t, "A-1")
	ctx := context.Background()
	s := w.subscribe(t, store.SubscriptionInput{FeedID: w.feed.ID, StaleAsZero: true, InventoryMode: store.InventoryActive})
	w.pull(t, s.ID)
	lp := w.linked(t)["A-1"]
	if lp.Sources[0].Available != 10 || lp.Sources[0].OnHand != 0 {
		t.Fatalf("active inventory: %+v, want available 10 but on hand left to the merchant (0)", lp.Sources[0])
	}
	if err := w.db.SetSourceOnHand(ctx, w.mActor, w.merchant.ID, lp.Sources[0].ID, 6); err != nil {
		t.Fatal(err)
	}
	w.product(t, "A-1", 3, "00012345670")
	w.now = w.now.Add(time.Hour)
	w.pull(t, s.ID)
	lp = w.linked(t)["A-1"]
	if lp.Sources[0].OnHand != 6 || lp.Sources[0].Available != 3 || lp.Sellable() != 6 || lp.Sources[0].Stale {
		t.Fatalf("after a pull in active mode: %+v", lp.Sources[0])
	}
	w.now = w.now.Add(27 * time.Hour)
	lp = w.linked(t)["A-1"]
	if !lp.Sources[0].Stale || lp.Sellable() != 0 || !lp.AnyStale() {
		t.Fatalf("27 h later: stale %v sellable %d, want stale and 0 (treated as zero)", lp.Sources[0].Stale, lp.Sellable())
	}
	if _, err := w.db.SaveSubscription(ctx, w.mActor, w.merchant.ID, 0, store.SubscriptionInput{FeedID: w.feed.ID, IntervalMinutes: 60, DropThresholdPct: 30, StaleAfterHours: 26}); fields(err)["feed_id"] == "" {
		t.Fatalf("second subscription to the same feed: %v, want a feed_id error", err)
	}
}
