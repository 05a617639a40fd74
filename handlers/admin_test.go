package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/dropline/dropline/store"
)

// TestPlatformAdminSearchesAndOpensAnAccount: the platform admin finds
// merchant A by a user's email, opens its page and reads its users with
// their roles, its link to supplier S and its recent activity.
func TestPlatformAdminSearchesAndOpensAnAccount(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.platform.Email)
	list := c.get("/admin/accounts?q=" + url.QueryEscape(w.staffA.Email))
	rows := list.doc.Find(`[data-testid="account-row"]`)
	if list.status != http.StatusOK || rows.Length() != 1 || !strings.Contains(rows.Text(), w.merchantA.Name) {
		t.Fatalf("search by %s: %d, rows %q", w.staffA.Email, list.status, rows.Text())
	}
	none := c.get("/admin/accounts?q=no-such-account")
	if none.doc.Find(`[data-testid="account-row"]`).Length() != 0 || !strings.Contains(none.doc.Find(`[data-testid="no-accounts"]`).Text(), "no-such-account") {
		t.Errorf("a search that finds nothing says %q", none.doc.Find(`[data-testid="no-accounts"]`).Text())
	}
	href := rows.Find("a").First().AttrOr("href", "")
	if href != "/admin/accounts/"+strconv.FormatInt(w.merchantA.ID, 10) {
		t.Fatalf("the row links to %q", href)
	}
	p := c.get(href)
	if p.status != http.StatusOK {
		t.Fatalf("account page: %d", p.status)
	}
	users := map[string]string{}
	p.doc.Find(`[data-testid="account-user"]`).Each(func(_ int, r *goquery.Selection) {
		users[strings.TrimSpace(r.Find("td").Eq(0).Text())] = strings.Fields(r.Find("td").Eq(2).Text())[0]
	})
	if users[w.adminA.Email] != "admin" || users[w.staffA.Email] != "staff" {
		t.Errorf("users and roles: %v", users)
	}
	link := p.doc.Find(`[data-testid="account-link"]`).FilterFunction(func(_ int, r *goquery.Selection) bool {
		return strings.Contains(r.Text(), w.supplierS.Name)
	})
	if link.Length() != 1 || !strings.Contains(link.Text(), w.supplierS.PublicID) || !strings.Contains(link.Find(".badge").Text(), "Active") {
		t.Errorf("links: %q", link.Text())
	}
	if p.doc.Find(`[data-testid="account-subscriptions-row"]`).Length() == 0 {
		t.Error("merchant A's subscription is not listed")
	}
	if p.doc.Find(`[data-testid="account-activity-row"]`).Length() == 0 {
		t.Error("no recent activity")
	}
	if got := strings.TrimSpace(p.doc.Find(`[data-testid="account-state"]`).Text()); got != "Enabled" {
		t.Errorf("state %q, want Enabled", got)
	}
	// Others do not know the page exists.
	a := env.client()
	a.login(w.adminA.Email)
	if got := a.get(href).status; got != http.StatusNotFound {
		t.Errorf("an account admin opening the platform page: %d, want 404", got)
	}
}

// TestDisabledAccountCannotSignInAndKeepsItsData: disabling merchant A
// signs its users out at once, refuses their sign-in and its API token,
// keeps every record; enabling it lets them back in.
func TestDisabledAccountCannotSignInAndKeepsItsData(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := t.Context()
	root := env.client()
	root.login(w.platform.Email)
	staff := env.client()
	staff.login(w.staffA.Email)
	page := "/admin/accounts/" + strconv.FormatInt(w.merchantA.ID, 10)
	root.get(page)

	before := env.dbDigest()
	p := root.post(page+"/disable", url.Values{"reason": {""}})
	if p.status != http.StatusUnprocessableEntity || p.doc.Find(`[data-testid="error-reason"]`).Text() == "" {
		t.Fatalf("disable with no reason: %d %q", p.status, p.doc.Find(`[data-testid="error-reason"]`).Text())
	}
	if env.dbDigest() != before {
		t.Fatal("a refused disable changed the database")
	}
	orders, _ := env.db.Orders(ctx, w.merchantA.ID, store.OrderFilter{Tab: store.TabAll})
	p = root.post(page+"/disable", url.Values{"reason": {"Unpaid invoices"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("disable: %d", p.status)
	}
	shown := root.get(page)
	if got := strings.TrimSpace(shown.doc.Find(`[data-testid="account-state"]`).Text()); got != "Disabled" {
		t.Errorf("state after disabling %q", got)
	}
	if note := shown.doc.Find(`[data-testid="disabled-note"]`).Text(); !strings.Contains(note, "Unpaid invoices") || !strings.Contains(note, w.platform.Email) {
		t.Errorf("disabled note %q, want the reason and who", note)
	}
	if list := root.get("/admin/accounts?q=" + url.QueryEscape(w.merchantA.PublicID)); list.doc.Find(`[data-testid="account-disabled"]`).Length() != 1 {
		t.Error("the account list does not mark it disabled")
	}

	// The staff member signed in before is signed out at once.
	if p := staff.get("/orders"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/login") {
		t.Errorf("signed-in staff after the disable: %d to %q, want sent to sign in", p.status, p.header.Get("Location"))
	}
	// Signing in again is refused, saying why.
	again := env.client()
	again.get("/login")
	p = again.post("/login", url.Values{"email": {w.adminA.Email}, "password": {testPassword}})
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "disabled") {
		t.Errorf("sign-in to a disabled account: %d", p.status)
	}
	if p := again.get("/orders"); p.status != http.StatusSeeOther {
		t.Errorf("after the refused sign-in /orders answers %d, want a redirect to sign in", p.status)
	}
	// A wrong password still says only that it is wrong.
	p = again.post("/login", url.Values{"email": {w.adminA.Email}, "password": {"not the password"}})
	if p.status != http.StatusUnauthorized || strings.Contains(p.body, "disabled") {
		t.Errorf("wrong password for a disabled account: %d", p.status)
	}
	if status, _ := env.api(http.MethodGet, "/api/v1/account", w.tokenA, ""); status != http.StatusUnauthorized {
		t.Errorf("API token of the disabled account: %d, want 401", status)
	}
	// Other accounts are untouched.
	if status, _ := env.api(http.MethodGet, "/api/v1/account", w.tokenB, ""); status != http.StatusOK {
		t.Errorf("merchant B's API token: %d", status)
	}
	// The data stays.
	kept, _ := env.db.Orders(ctx, w.merchantA.ID, store.OrderFilter{Tab: store.TabAll})
	if kept.Total != orders.Total || kept.Total == 0 {
		t.Errorf("orders after disabling: %d, want %d", kept.Total, orders.Total)
	}

	if p := root.post(page+"/enable", nil); p.status != http.StatusSeeOther {
		t.Fatalf("enable: %d", p.status)
	}
	back := env.client()
	back.login(w.adminA.Email)
	if p := back.get("/orders"); p.status != http.StatusOK {
		t.Errorf("orders after enabling: %d", p.status)
	}
	if status, _ := env.api(http.MethodGet, "/api/v1/account", w.tokenA, ""); status != http.StatusOK {
		t.Errorf("API token after enabling: %d", status)
	}
	log, _ := env.db.AuditLog(ctx, w.merchantA.ID, 5)
	if len(log) < 2 || log[0].Action != "account.enabled" || log[1].Action != "account.disabled" || log[1].Detail != "Unpaid invoices" {
		t.Errorf("audit: %+v", log)
	}
}
