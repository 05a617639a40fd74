package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dropline/dropline/store"
)

// browserApp boots the real app on port 0 with demo data and returns a
// chromedp context factory, or skips when there is no chromium (fails on CI).
func browserApp(t *testing.T) (*app, func() (context.Context, context.CancelFunc)) {
	t.Helper()
	return browserAppOn(t, filepath.Join(t.TempDir(), "browser.db"))
}

// browserAppOn is browserApp on the database dsn names (a file or a postgres:// URL).
func browserAppOn(t *testing.T, dsn string) (*app, func() (context.Context, context.CancelFunc)) {
	t.Helper()
	a, open := browserAppFor(t, dsn)
	// A tab's whole life, bounded so a hung page fails the test: the
	// journeys sign in, dropship, ship and look again in one tab, and CI runs
	// them beside the other packages' tests on two cores.
	return a, func() (context.Context, context.CancelFunc) { return open(120 * time.Second) }
}

// browserAppFor is browserAppOn with browsers that last as long as asked:
// open starts a chromium whose context ends after timeout.
func browserAppFor(t *testing.T, dsn string) (*app, func(timeout time.Duration) (context.Context, context.CancelFunc)) {
	t.Helper()
	var chrome string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			chrome = p
			break
		}
	}
	if chrome == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed; CI must install it (apt-get install -y chromium)")
		}
		t.Skip("chromium is not installed; skipping browser test (apt-get install -y chromium)")
	}
	a, err := startApp(context.Background(), serveConfig{Addr: "127.0.0.1:0", DB: dsn, Demo: true},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	go a.Serve()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		a.Close(ctx)
	})
	open := func(timeout time.Duration) (context.Context, context.CancelFunc) {
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(chrome),
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.UserDataDir(t.TempDir()),
			chromedp.WindowSize(1280, 900),
		)
		actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(actx)
		ctx, tcancel := context.WithTimeout(ctx, timeout)
		return ctx, func() { tcancel(); cancel(); acancel() }
	}
	return a, open
}

// signIn fills the sign-in form as a person would.
func signIn(url, email string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(url + "/login"),
		chromedp.WaitVisible(`input[name="email"]`),
		chromedp.SendKeys(`input[name="email"]`, email),
		chromedp.SendKeys(`input[name="password"]`, store.DemoPassword),
		chromedp.Click(`form[action="/login"] button[type="submit"]`),
		// The top bar's email shows at every width (the navigation folds
		// into a menu on a phone).
		chromedp.WaitVisible(`[data-testid="user-email"]`),
	}
}

func navTexts(ctx context.Context) ([]string, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('[data-testid="nav"] a')).map(a => a.textContent.trim())`))
}

// screenshot saves the page to $DROPLINE_SCREENSHOTS when set, for people to look at.
func screenshot(ctx context.Context, t *testing.T, name string) {
	dir := os.Getenv("DROPLINE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
}

func TestBrowserSignInShowsTheRolesNavigation(t *testing.T) {
	a, newTab := browserApp(t)
	cases := []struct {
		email string
		want  []string
	}{
		{"merchant@dropline.test", []string{"Dashboard", "Orders", "Purchase orders", "Supplier payouts", "Products", "Feeds", "Suppliers", "Settings"}},
		{"supplier@dropline.test", []string{"Dashboard", "Dropship orders", "Scorecard", "Earnings", "Products", "Feeds", "Merchants", "Settings"}},
		{"admin@dropline.test", []string{"Accounts", "Links"}},
	}
	for _, tc := range cases {
		t.Run(tc.email, func(t *testing.T) {
			ctx, cancel := newTab()
			defer cancel()
			if err := chromedp.Do(ctx, signIn(a.URL(), tc.email)...); err != nil {
				t.Fatal(err)
			}
			got, err := navTexts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("navigation %q, want %q", got, tc.want)
			}
			screenshot(ctx, t, "signed-in-"+strings.Split(tc.email, "@")[0])

			// Sign out returns to the sign-in form, and the pages are closed.
			err = chromedp.Do(ctx,
				chromedp.Click(`form[action="/logout"] button`),
				chromedp.WaitVisible(`form[action="/login"]`),
				chromedp.Navigate(a.URL()+"/settings"),
				chromedp.WaitVisible(`form[action="/login"]`),
			)
			if err != nil {
				t.Fatal(err)
			}
			loc, err := chromedp.Run(ctx, chromedp.Location())
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(loc, "/login") {
				t.Fatalf("after sign-out /settings went to %s, want the sign-in page", loc)
			}
		})
	}
}

func TestBrowserSwitchAccount(t *testing.T) {
	a, newTab := browserApp(t)
	ctx, cancel := newTab()
	defer cancel()
	if err := chromedp.Do(ctx, signIn(a.URL(), "ops@dropline.test")...); err != nil {
		t.Fatal(err)
	}
	before, err := chromedp.Run(ctx, chromedp.Text(`[data-testid="current-account"]`))
	if err != nil {
		t.Fatal(err)
	}
	// Choosing the other account in the switcher submits it (static/app.js).
	err = chromedp.Do(ctx,
		chromedp.WaitVisible(`#switch-account`),
		// Pick Northwind Outfitters (account 1) the way a person's choice does:
		// set the value and fire change, which app.js turns into a submit.
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#switch-account'); s.value = '1'; s.dispatchEvent(new Event('change', {bubbles: true})); })()`),
		chromedp.WaitVisible(`[data-testid="nav"] a[href="/suppliers"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	after, err := chromedp.Run(ctx, chromedp.Text(`[data-testid="current-account"]`))
	if err != nil {
		t.Fatal(err)
	}
	nav, err := navTexts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(ctx, t, "switched-account")
	// Memberships are listed by name, so sign-in lands in Acme Supply Co.
	if !strings.Contains(before, "Acme Supply Co.") || !strings.Contains(after, "Northwind Outfitters") {
		t.Fatalf("current account went from %q to %q, want Acme Supply Co. → Northwind Outfitters", before, after)
	}
	if want := []string{"Dashboard", "Orders", "Purchase orders", "Supplier payouts", "Products", "Feeds", "Suppliers", "Settings"}; !reflect.DeepEqual(nav, want) {
		t.Fatalf("after switching, navigation %q, want %q", nav, want)
	}
}

func TestSecondStartReusesTheData(t *testing.T) {
	db := filepath.Join(t.TempDir(), "twice.db")
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	var pids []string
	for i := range 2 {
		a, err := startApp(context.Background(), serveConfig{Addr: "127.0.0.1:0", DB: db, Demo: true}, logger)
		if err != nil {
			t.Fatal(err)
		}
		if (i == 0) != (a.logins != nil) {
			t.Errorf("start %d: demo logins %v; want them only on the first start", i+1, a.logins)
		}
		accounts, err := a.db.Accounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, acc := range accounts {
			ids = append(ids, acc.PublicID)
		}
		pids = append(pids, strings.Join(ids, ","))
		a.Close(context.Background())
	}
	if pids[0] != pids[1] || pids[0] == "" {
		t.Fatalf("accounts changed between starts: %q vs %q", pids[0], pids[1])
	}
}
