package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
)

// TestTickerPushesStock: the ticker's stock step pushes a store that is due
// through the guarded client (private addresses allowed by the platform
// admin, as for a local test shop), then leaves it until a feed pull changes
// a quantity, when the next tick sends that one alone.
func TestTickerPushesStock(t *testing.T) {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := openApp(ctx, serveConfig{Addr: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "stock.db")}, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(context.Background()) })
	db := a.db
	const pass = "a long enough password 42"
	merchant, mu, err := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Shop", Kind: store.KindMerchant}, "m@example.com", pass)
	if err != nil {
		t.Fatal(err)
	}
	supplier, su, err := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Supply", Kind: store.KindSupplier}, "s@example.com", pass)
	if err != nil {
		t.Fatal(err)
	}
	mActor, sActor := store.Actor{UserID: mu.ID, Name: mu.Email}, store.Actor{UserID: su.ID, Name: su.Email}
	if _, err := db.CreateLink(ctx, store.CLIActor, supplier.ID, merchant.ID); err != nil {
		t.Fatal(err)
	}
	product := func(id int64, qty int) int64 {
		p, err := db.SaveProduct(ctx, sActor, supplier.ID, id, store.ProductInput{SKU: "T-1", Title: "Tent", Quantity: qty, LeadTimeDays: 1, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	pid := product(0, 12)
	feed, err := db.SaveFeed(ctx, sActor, supplier.ID, 0, store.FeedInput{Name: "All", Selection: store.SelectAll, Fields: store.FeedFields, AllMerchants: true})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := db.SaveSubscription(ctx, mActor, merchant.ID, 0, store.SubscriptionInput{FeedID: feed.ID, IntervalMinutes: 60, DropThresholdPct: 30, StaleAfterHours: 26})
	if err != nil {
		t.Fatal(err)
	}
	pull := func() {
		t.Helper()
		if _, err := a.puller.PullNow(ctx, merchant.ID, sub.ID); err != nil {
			t.Fatal(err)
		}
		a.puller.Wait()
	}
	pull()

	const token = "shpat_0123456789abcdef0123456789abcdef"
	var mux sync.Mutex
	var sets []string
	shop := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var body struct {
			Query     string
			Variables json.RawMessage
		}
		json.NewDecoder(r.Body).Decode(&body)
		rw.Header().Set("Content-Type", "application/json")
		data := `{"location":{"id":"gid://shopify/Location/1","name":"Main"}}`
		switch {
		case r.Header.Get("X-Shopify-Access-Token") != token:
			rw.WriteHeader(http.StatusUnauthorized)
			io.WriteString(rw, `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`)
			return
		case strings.Contains(body.Query, "DroplineVariantsBySKU"):
			data = `{"productVariants":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[{"id":"gid://shopify/ProductVariant/1","sku":"T-1","inventoryItem":{"id":"gid://shopify/InventoryItem/1"}}]}}`
		case strings.Contains(body.Query, "DroplineInventorySet"):
			mux.Lock()
			sets = append(sets, string(body.Variables))
			mux.Unlock()
			data = `{"inventorySetQuantities":{"inventoryAdjustmentGroup":{"id":"gid://shopify/InventoryAdjustmentGroup/1"},"userErrors":[]}}`
		}
		io.WriteString(rw, `{"data":`+data+`}`)
	}))
	t.Cleanup(shop.Close)
	if err := db.SetAllowPrivateFeeds(ctx, store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveSalesChannel(ctx, mActor, merchant.ID, 0, store.SalesChannelInput{Kind: "shopify", Name: "Shop", BaseURL: shop.URL, AccessToken: token, PushStock: true}); err != nil {
		t.Fatal(err)
	}
	taken := func() []string {
		mux.Lock()
		defer mux.Unlock()
		s := sets
		sets = nil
		return s
	}

	a.pushStock(ctx)
	if got := taken(); len(got) != 1 || !strings.Contains(got[0], `"quantity":12`) {
		t.Fatalf("first tick set %q, want T-1 at 12", got)
	}
	a.pushStock(ctx)
	if got := taken(); len(got) != 0 {
		t.Errorf("a tick with nothing changed set %q", got)
	}
	product(pid, 5)
	pull()
	a.pushStock(ctx)
	if got := taken(); len(got) != 1 || !strings.Contains(got[0], `"quantity":5`) {
		t.Errorf("the tick after a pull set %q, want T-1 at 5", got)
	}
	if due, err := db.ChannelsDueForStockPush(ctx, time.Now().Add(time.Minute)); err != nil || len(due) != 0 {
		t.Errorf("due after the tick: %+v, %v", due, err)
	}
}
