package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dropline/dropline/store"
)

// waitText polls an element's text until it equals want or the time is up.
func waitText(ctx context.Context, sel, want string, d time.Duration) (string, error) {
	deadline := time.Now().Add(d)
	var got string
	for time.Now().Before(deadline) {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const e = document.querySelector('`+sel+`'); return e ? e.textContent.trim() : ''; })()`))
		if err != nil {
			return got, err
		}
		got = v
		if got == want {
			return got, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return got, nil
}

func TestBrowserMerchantSubscribesPullsAndSeesLinkedProducts(t *testing.T) {
	a, newTab := browserApp(t)
	ctx := context.Background()
	// A second supplier, linked to the demo merchant, publishes three products.
	sup, su, err := a.db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Trail Goods", Kind: store.KindSupplier}, "trail@goods.test", "trail-goods-pw")
	if err != nil {
		t.Fatal(err)
	}
	actor := store.Actor{UserID: su.ID, Name: su.Email}
	merchant := demoMerchant(t, a)
	if _, err := a.db.CreateLink(ctx, store.CLIActor, sup.ID, merchant.ID); err != nil {
		t.Fatal(err)
	}
	for i, sku := range []string{"TG-ROPE", "TG-KNIFE", "TG-MAP"} {
		if _, err := a.db.SaveProduct(ctx, actor, sup.ID, 0, store.ProductInput{SKU: sku, Title: "Trail " + sku, Quantity: 10 + i, LeadTimeDays: 1, Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	feed, err := a.db.SaveFeed(ctx, actor, sup.ID, 0, store.FeedInput{Name: "Trail catalog", Selection: store.SelectAll, Fields: store.FeedFields, AllMerchants: true})
	if err != nil {
		t.Fatal(err)
	}

	tab, cancel := newTab()
	defer cancel()
	err = chromedp.Do(tab, append(signIn(a.URL(), "merchant@dropline.test"),
		chromedp.Navigate(a.URL()+"/feeds"),
		chromedp.WaitVisible(`select[name="feed_id"]`),
		chromedp.SetValue(`select[name="feed_id"]`, strconv.FormatInt(feed.ID, 10)),
		chromedp.Click(`form[action="/subscriptions"] button[type="submit"]`),
		chromedp.WaitVisible(`[data-testid="run-status"]`),
	)...)
	if err != nil {
		t.Fatal(err)
	}
	// The first pull starts at once; the run page refreshes itself until it is done.
	if got, err := waitText(tab, `[data-testid="run-state"]`, "Succeeded", 15*time.Second); err != nil || got != "Succeeded" {
		t.Fatalf("first run state %q (%v), want succeeded", got, err)
	}
	if got, _ := chromedp.Run(tab, chromedp.Text(`[data-testid="run-created"]`)); strings.TrimSpace(got) != "3" {
		t.Fatalf("first run created %q, want 3", got)
	}
	screenshot(tab, t, "feeds-1-first-run")

	// Pull now from the subscription page: nothing changed, so all unchanged.
	err = chromedp.Do(tab,
		chromedp.Click(`a.back`),
		chromedp.WaitVisible(`[data-testid="pull-now"]`),
		chromedp.Click(`[data-testid="pull-now"]`),
		chromedp.WaitVisible(`[data-testid="run-status"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := waitText(tab, `[data-testid="run-state"]`, "Succeeded", 15*time.Second); err != nil || got != "Succeeded" {
		t.Fatalf("pull-now run state %q (%v), want succeeded", got, err)
	}
	screenshot(tab, t, "feeds-2-pull-now")

	err = chromedp.Do(tab,
		chromedp.Navigate(a.URL()+"/products?q=TG-"),
		chromedp.WaitVisible(`[data-testid="products"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('[data-testid="product-row"] td:first-child')).map(td => td.textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows, ",") != "TG-KNIFE,TG-MAP,TG-ROPE" {
		t.Fatalf("linked products %q, want TG-KNIFE, TG-MAP, TG-ROPE", rows)
	}
	screenshot(tab, t, "feeds-3-linked-products")
}

// demoMerchant returns the demo merchant's account.
func demoMerchant(t *testing.T, a *app) store.Account {
	t.Helper()
	return demoAccount(t, a, "Northwind Outfitters")
}

// demoAccount returns the demo account called name.
func demoAccount(t *testing.T, a *app, name string) store.Account {
	t.Helper()
	accounts, err := a.db.Accounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, acc := range accounts {
		if acc.Name == name {
			m, err := a.db.AccountByPublicID(context.Background(), acc.PublicID)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
	}
	t.Fatalf("no demo account %q", name)
	return store.Account{}
}
