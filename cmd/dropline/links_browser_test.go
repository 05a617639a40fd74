package main

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/dropline/dropline/store"
)

// signInWith fills the sign-in form with the given password.
func signInWith(url, email, password string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(url + "/login"),
		chromedp.WaitVisible(`input[name="email"]`),
		chromedp.SendKeys(`input[name="email"]`, email),
		chromedp.SendKeys(`input[name="password"]`, password),
		chromedp.Click(`form[action="/login"] button[type="submit"]`),
		// The top bar's email shows at every width (the navigation folds
		// into a menu on a phone).
		chromedp.WaitVisible(`[data-testid="user-email"]`),
	}
}

// submit clicks a form's submit button and waits for the next page: the
// current document is marked first, so the wait cannot match the old page.
func submit(sel string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Evaluate[chromedp.Void](`document.body.setAttribute('data-stale', '1'); undefined`),
		chromedp.Click(sel),
		chromedp.WaitVisible(`body:not([data-stale])`),
		// The top bar's email shows at every width (the navigation folds
		// into a menu on a phone).
		chromedp.WaitVisible(`[data-testid="user-email"]`),
	}
}

// pageFlash is the page's flash message ("" when there is none) and any error flash.
func pageFlash(ctx context.Context) (ok, bad string, err error) {
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[
		(document.querySelector('.flash[role="status"]') || {textContent: ''}).textContent.trim(),
		(document.querySelector('.flash[role="alert"]') || {textContent: ''}).textContent.trim(),
	]`))
	if err != nil {
		return "", "", err
	}
	return v[0], v[1], nil
}

// linkRowView is one row of the Suppliers or Merchants table as a person sees it.
type linkRowView struct {
	ID      string   `json:"id"`
	Other   string   `json:"other"`
	State   string   `json:"state"`
	Note    string   `json:"note"`
	Routing string   `json:"routing"`
	Buttons []string `json:"buttons"`
}

func linkRows(ctx context.Context) ([]linkRowView, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[[]linkRowView](`Array.from(document.querySelectorAll('[data-testid="link-row"]')).map(r => ({
		id: r.dataset.linkId,
		other: r.querySelector('td a').textContent.trim(),
		state: r.querySelector('[data-testid="link-state"]').textContent.trim(),
		note: Array.from(r.querySelectorAll('td div.muted')).map(d => d.textContent.trim()).join(' '),
		routing: r.querySelector('[data-testid="routing"]').textContent.replace(/\s+/g, ' ').trim(),
		buttons: Array.from(r.querySelectorAll('.actions button')).map(b => b.dataset.testid || b.textContent.trim()),
	}))`))
}

func location(ctx context.Context, t *testing.T) string {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestBrowserSupplierInvitesMerchantWhoAccepts walks the journey: a
// supplier admin sets the initial status, invites a merchant, the merchant
// accepts, and orders then route over the link.
func TestBrowserSupplierInvitesMerchantWhoAccepts(t *testing.T) {
	a, newTab := browserApp(t)
	bg := context.Background()

	const (
		supplierEmail = "owner@freshsupply.test"
		merchantEmail = "owner@freshshop.test"
		supplierPass  = "fresh-supply-pass-1"
		merchantPass  = "fresh-shop-pass-22"
	)
	sup, _, err := a.db.CreateAccountWithAdmin(bg, store.CLIActor, store.NewAccount{Name: "Fresh Supply", Kind: store.KindSupplier}, supplierEmail, supplierPass)
	if err != nil {
		t.Fatal(err)
	}
	mer, _, err := a.db.CreateAccountWithAdmin(bg, store.CLIActor, store.NewAccount{Name: "Fresh Shop", Kind: store.KindMerchant}, merchantEmail, merchantPass)
	if err != nil {
		t.Fatal(err)
	}
	for _, acc := range []store.Account{sup, mer} {
		if _, err := a.db.UpdateAccountSettings(bg, store.CLIActor, acc.ID, store.AccountSettings{Name: acc.Name, TimeZone: acc.TimeZone, DropshipEnabled: true}); err != nil {
			t.Fatal(err)
		}
	}
	// Before the journey, routing lacks exactly the link and the initial status.
	problems, err := a.db.RoutingProblems(bg, mer.ID, sup.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Fresh Shop and Fresh Supply are not linked.", store.NoInitialStatusMessage("Fresh Supply")}; !slices.Equal(problems, want) {
		t.Fatalf("routing problems before the journey %q, want %q", problems, want)
	}
	statuses, err := a.db.SupplierStatuses(bg, sup.ID)
	if err != nil {
		t.Fatal(err)
	}
	var newID int64
	for _, s := range statuses {
		if s.Initial {
			t.Fatalf("a new supplier starts with initial status %q, want none", s.Name)
		}
		if s.Name == "New" {
			newID = s.ID
		}
	}
	if newID == 0 {
		t.Fatalf("a new supplier's statuses %+v have no New", statuses)
	}

	// 1. The supplier admin chooses the initial status.
	sctx, scancel := newTab()
	defer scancel()
	err = chromedp.Do(sctx, append(signInWith(a.URL(), supplierEmail, supplierPass),
		chromedp.Navigate(a.URL()+"/settings/statuses"),
		chromedp.WaitVisible(`[data-testid="no-initial"]`),
	)...)
	if err != nil {
		t.Fatalf("supplier opens Order statuses and sees the no-initial warning: %v", err)
	}
	screenshot(sctx, t, "links-1-statuses-no-initial")
	opt, err := chromedp.Run(sctx, chromedp.Evaluate[string](`(Array.from(document.querySelectorAll('select[name="status_id"] option')).find(o => o.textContent.trim() === 'New') || {value: ''}).value`))
	if err != nil {
		t.Fatal(err)
	}
	if opt != strconv.FormatInt(newID, 10) {
		t.Fatalf("the New option has value %q, want status ID %d", opt, newID)
	}
	err = chromedp.Do(sctx, append([]chromedp.Action[chromedp.Void]{chromedp.SetValue(`select[name="status_id"]`, opt)},
		submit(`form[action="/settings/statuses/initial"] button[type="submit"]`)...)...)
	if err != nil {
		t.Fatalf("saving the initial status: %v", err)
	}
	screenshot(sctx, t, "links-2-statuses-initial-set")
	if loc := location(sctx, t); !strings.HasSuffix(loc, "/settings/statuses") {
		t.Fatalf("after saving the initial status the browser is at %s, want /settings/statuses", loc)
	}
	if ok, bad, err := pageFlash(sctx); err != nil || !strings.Contains(ok, "start in the chosen status") || bad != "" {
		t.Fatalf("flash after saving the initial status: %q / error %q (%v)", ok, bad, err)
	}
	warnings, err := chromedp.Run(sctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="no-initial"]').length`))
	if err != nil || warnings != 0 {
		t.Fatalf("the no-initial warning is still shown (%d, %v)", warnings, err)
	}
	// Each row: the name (a rename input for admins) and its badges.
	badges, err := chromedp.Run(sctx, chromedp.Evaluate[map[string]string](`Object.fromEntries(Array.from(document.querySelectorAll('[data-testid="status-row"]')).map(r => {
		const cells = r.querySelectorAll('td');
		const input = cells[0].querySelector('input[name="name"]');
		return [input ? input.value : cells[0].textContent.trim(), cells[1].textContent.replace(/\s+/g, ' ').trim()];
	}))`))
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"New": "Initial", "Processing": "", "Awaiting stock": "", "Ready to ship": ""}; !maps.Equal(badges, want) {
		t.Fatalf("status badges %q, want %q", badges, want)
	}
	selected, err := chromedp.Run(sctx, chromedp.Value(`select[name="status_id"]`))
	if err != nil || selected != opt {
		t.Fatalf("the initial status select shows %q (%v), want %q", selected, err, opt)
	}

	// 2. The supplier admin invites the merchant by its public ID.
	err = chromedp.Do(sctx, append([]chromedp.Action[chromedp.Void]{
		chromedp.Navigate(a.URL() + "/merchants"),
		chromedp.WaitVisible(`[data-testid="no-links"]`),
		chromedp.SendKeys(`input[name="public_id"]`, mer.PublicID),
	}, submit(`form[action="/merchants/invite"] button[type="submit"]`)...)...)
	if err != nil {
		t.Fatalf("inviting the merchant: %v", err)
	}
	screenshot(sctx, t, "links-3-merchants-invited")
	if loc := location(sctx, t); !strings.HasSuffix(loc, "/merchants") {
		t.Fatalf("after inviting the browser is at %s, want /merchants", loc)
	}
	if ok, bad, err := pageFlash(sctx); err != nil || !strings.Contains(ok, "Invitation sent to Fresh Shop") || bad != "" {
		t.Fatalf("flash after inviting: %q / error %q (%v)", ok, bad, err)
	}
	rows, err := linkRows(sctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Other != "Fresh Shop" || rows[0].State != "Pending" || rows[0].Note != "awaiting their answer" ||
		!strings.Contains(rows[0].Routing, "still pending") || len(rows[0].Buttons) != 0 {
		t.Fatalf("supplier's Merchants rows after inviting %+v, want one pending Fresh Shop awaiting their answer, no buttons", rows)
	}
	linkID := rows[0].ID

	// 3. The merchant admin, in another browser, accepts.
	mctx, mcancel := newTab()
	defer mcancel()
	err = chromedp.Do(mctx, append(signInWith(a.URL(), merchantEmail, merchantPass),
		chromedp.Navigate(a.URL()+"/suppliers"),
		chromedp.WaitVisible(`[data-testid="link-row"]`),
	)...)
	if err != nil {
		t.Fatalf("merchant opens Suppliers: %v", err)
	}
	screenshot(mctx, t, "links-4-suppliers-invitation")
	rows, err = linkRows(mctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].ID != linkID || rows[0].Other != "Fresh Supply" || rows[0].State != "Pending" || rows[0].Note != "invited you" ||
		!slices.Equal(rows[0].Buttons, []string{"link-accept", "link-decline"}) {
		t.Fatalf("merchant's Suppliers rows %+v, want link %s from Fresh Supply, pending, invited you, Accept and Decline", rows, linkID)
	}
	err = chromedp.Do(mctx, append(submit(`[data-testid="link-row"] [data-testid="link-accept"]`),
		chromedp.WaitVisible(`[data-testid="routing"]`))...)
	if err != nil {
		t.Fatalf("accepting: %v", err)
	}
	screenshot(mctx, t, "links-5-link-accepted")
	if loc := location(mctx, t); !strings.HasSuffix(loc, "/links/"+linkID) {
		t.Fatalf("after accepting the browser is at %s, want /links/%s", loc, linkID)
	}
	if ok, bad, err := pageFlash(mctx); err != nil || ok != "The link is now active." || bad != "" {
		t.Fatalf("flash after accepting: %q / error %q (%v)", ok, bad, err)
	}
	state, err := chromedp.Run(mctx, chromedp.Text(`[data-testid="link-state"]`))
	if err != nil || strings.TrimSpace(state) != "Active" {
		t.Fatalf("link page state %q (%v), want active", state, err)
	}
	routing, err := chromedp.Run(mctx, chromedp.Text(`[data-testid="routing"]`))
	if err != nil || strings.TrimSpace(routing) != "Orders route over this link." {
		t.Fatalf("link page routing %q (%v), want %q", routing, err, "Orders route over this link.")
	}
	buttons, err := chromedp.Run(mctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('section.panel .actions button')).map(b => b.dataset.testid)`))
	if err != nil || !slices.Equal(buttons, []string{"link-pause", "link-end"}) {
		t.Fatalf("link page buttons after accepting %q (%v), want pause and end only", buttons, err)
	}

	// 4. The supplier sees the link active and routing.
	err = chromedp.Do(sctx, chromedp.Reload(), chromedp.WaitVisible(`[data-testid="link-row"]`))
	if err != nil {
		t.Fatalf("supplier reloads Merchants: %v", err)
	}
	screenshot(sctx, t, "links-6-merchants-active")
	if loc := location(sctx, t); !strings.HasSuffix(loc, "/merchants") {
		t.Fatalf("the supplier's reload is at %s, want /merchants", loc)
	}
	rows, err = linkRows(sctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].ID != linkID || rows[0].State != "Active" || rows[0].Routing != "Yes" || rows[0].Note != "" {
		t.Fatalf("supplier's Merchants rows after acceptance %+v, want link %s active, routing yes", rows, linkID)
	}

	// 5. The database agrees.
	links, err := a.db.AccountLinks(bg, sup.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 1 || strconv.FormatInt(links[0].ID, 10) != linkID || links[0].State != store.LinkActive ||
		links[0].SupplierID != sup.ID || links[0].MerchantID != mer.ID || links[0].RequestedBy != "supplier" {
		t.Fatalf("supplier's links %+v, want one active link %s to Fresh Shop requested by the supplier", links, linkID)
	}
	problems, err = a.db.RoutingProblems(bg, mer.ID, sup.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 0 {
		t.Fatalf("routing problems after the journey: %q", problems)
	}
}
