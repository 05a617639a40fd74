package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/dropline/dropline/store"
)

func TestAccountSettingsBadInputKeepsWhatWasTyped(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.adminA.Email)
	c.get("/settings")
	before := env.dbDigest()
	p := c.post("/settings/account", url.Values{"name": {"Renamed A"}, "time_zone": {"Mars/Olympus"}, "dropship_enabled": {"true"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad time zone: status %d, want 422", p.status)
	}
	if msg := p.doc.Find(`[data-testid="error-time_zone"]`).Text(); msg == "" {
		t.Error("no message on the time zone field")
	}
	if got := p.doc.Find(`#account-settings input[name="name"]`).AttrOr("value", ""); got != "Renamed A" {
		t.Errorf("name field = %q, want what was typed", got)
	}
	if got := p.doc.Find(`#account-settings select[name="time_zone"] option[selected]`).AttrOr("value", ""); got != "Mars/Olympus" {
		t.Errorf("time zone field = %q, want what was sent", got)
	}
	if env.dbDigest() != before {
		t.Fatal("invalid settings changed the database")
	}

	p = c.post("/settings/account", url.Values{"name": {"Renamed A"}, "time_zone": {"Europe/London"}, "dropship_enabled": {"true"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("valid settings: status %d, want 303", p.status)
	}
	a, err := env.db.Account(t.Context(), w.merchantA.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "Renamed A" || a.TimeZone != "Europe/London" || !a.DropshipEnabled {
		t.Fatalf("account = %+v, want renamed, London, dropship on", a)
	}
	page := c.get("/settings")
	if !strings.Contains(page.doc.Find(".flash").Text(), "saved") {
		t.Errorf("no confirmation after saving")
	}
	log, err := env.db.AuditLog(t.Context(), w.merchantA.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) == 0 || log[0].Action != "account.updated" || log[0].Actor != w.adminA.Email {
		t.Fatalf("audit log head = %+v, want account.updated by %s", log, w.adminA.Email)
	}
}

// adminOnlyRoutes are the routes that staff may not use. Every unsafe
// browser route outside /admin must be listed here or in memberRoutes.
var adminOnlyRoutes = map[string]url.Values{
	"/earnings/payouts":                               {"supplier_id": {"0"}, "amount": {"1.00"}, "currency": {"USD"}, "date": {"2026-11-21"}},
	"/settings/carriers":                              {"logistics_kind": {"carrier"}, "inventory_mode": {"active"}, "restricted": {"false"}},
	"/settings/carriers/providers":                    {"name": {"Staff Courier"}},
	"/settings/carriers/providers/:providerID/retire": {},
	"/settings/carriers/tracking":                     {"provider": {""}, "not_moving_hours": {"72"}, "delivery_days": {"7"}},
	"/settings/carriers/tracking/webhook":             {},
	"/settings/statuses":                              {"name": {"Staff status"}},
	"/settings/statuses/initial":                      {"status_id": {"0"}},
	"/settings/deadlines":                             {"ack_sla_hours": {"2"}, "stale_after_days": {"3"}},
	"/settings/statuses/:statusID/rename":             {"name": {"Renamed by staff"}},
	"/settings/statuses/:statusID/up":                 {},
	"/settings/statuses/:statusID/down":               {},
	"/settings/statuses/:statusID/retire":             {},
	"/settings/statuses/:statusID/restore":            {},
	"/links/:linkID/state":                            {"action": {"end"}},
	"/links/:linkID/supplier-settings":                {"show_prices": {"true"}},
	"/links/:linkID/merchant-settings":                {"po_format": {"sequence"}, "po_prefix": {"X-"}},
	"/suppliers/request":                              {"public_id": {"DL-XXXXX"}},
	"/merchants/invite":                               {"public_id": {"DL-XXXXX"}},
	"/feeds":                                          {"name": {"Staff feed"}, "selection": {"all"}, "all_merchants": {"true"}},
	"/feeds/:feedID":                                  {"name": {"Staff feed"}, "selection": {"all"}, "all_merchants": {"true"}},
	"/feeds/:feedID/token":                            {},
	"/feeds/:feedID/token/revoke":                     {},
	"/subscriptions":                                  {"url": {"https://example.com/feed.csv"}, "format": {"dropline"}},
	"/subscriptions/preview":                          {"url": {"https://example.com/feed.csv"}},
	"/subscriptions/:subID":                           {"buffer": {"5"}},
	"/subscriptions/:subID/mapping":                   {"remove": {"1"}},
	"/runs/:runID/approve":                            {},
	"/runs/:runID/discard":                            {},
	"/settings/orders":                                {"lead_time_limit_days": {"9"}},
	"/settings/channels":                              {"kind": {"shopify"}, "base_url": {"staff.myshopify.com"}, "access_token": {"shpat_staff"}},
	"/settings/channels/:channelID":                   {"name": {"Staff was here"}},
	"/settings/channels/:channelID/remove":            {},
	"/settings/channels/:channelID/test":              {},
	"/settings/channels/:channelID/sync":              {},
	"/settings/channels/:channelID/pause":             {},
	"/suppliers-outside":                              {"contact": {"website"}, "name": {"Staff site"}, "website": {"staff.example.com"}},
	"/suppliers-outside/:supplierID":                  {"name": {"Staff was here"}, "website": {"staff.example.com"}},
	"/subscriptions/:subID/supplier":                  {"supplier_id": {"1"}},
	"/settings/channels/:channelID/stock":             {},
	"/settings/channels/:channelID/locations":         {},
	"/settings/channels/:channelID/location":          {"location_id": {""}},
	"/settings/channels/:channelID/webhooks":          {},
	"/settings/webhooks":                              {"url": {"https://x.example.com/h"}, "events": {"shipment.created"}},
	"/settings/webhooks/:endpointID/remove":           {},
	"/settings/account":                               {"name": {"Staff was here"}, "time_zone": {"UTC"}},
	"/dashboard/checklist/hide":                       {},
	"/settings/users":                                 {"email": {"new@example.com"}, "password": {testPassword}, "role": {"admin"}},
	"/settings/users/:userID/role":                    {"role": {"staff"}},
	"/settings/users/:userID/remove":                  {},
	"/settings/tokens":                                {"name": {"staff token"}},
	"/settings/tokens/:tokenID/revoke":                {},
	"/suppliers-outside/:supplierID/email/upgrade":    {"email": {"staff-pick@example.com"}, "password": {testPassword}},
}

var memberRoutes = map[string]bool{"/settings/password": true, "/settings/carriers/check": true, "/switch-account": true, "/login": true, "/logout": true,
	// Day-to-day catalog and stock work is for staff too.
	"/products": true, "/products/:productID": true, "/products/:productID/archive": true, "/products/import": true, "/products/import/preview": true, "/products/import/apply": true,
	"/products/sources/:sourceID/up": true, "/products/sources/:sourceID/down": true, "/products/sources/:sourceID/on-hand": true,
	"/subscriptions/:subID/pull": true,
	// Handling orders is the staff's daily work.
	"/orders": true, "/orders/dropship": true, "/orders/:orderID/dropship": true, "/orders/:orderID/dropship/regroup": true, "/orders/:orderID/close": true, "/orders/:orderID/store-updates/:messageID/retry": true,
	// A website supplier's PO is worked by the merchant's staff, as a supplier's staff work theirs.
	"/purchase-orders/:poID/website/order": true, "/purchase-orders/:poID/website/status": true, "/purchase-orders/:poID/website/reject": true,
	"/purchase-orders/:poID/website/cancel": true, "/purchase-orders/:poID/website/shipments": true,
	"/purchase-orders/:poID/website/shipments/:shipmentID/delivered": true,
	// Refresh tracking, for whoever follows the parcel.
	"/shipments/:shipmentID/tracking/refresh": true,
	"/suppliers-outside/:supplierID/upload":   true, "/suppliers-outside/:supplierID/upload/apply": true, "/orders/import": true, "/orders/import/apply": true,
	"/orders/:orderID/channel-cancel":           true,
	"/orders/:orderID/tracking-links/revoke":    true, // one sent to the wrong address is day-to-day order work
	"/purchase-orders/:poID/cancel":             true,
	"/purchase-orders/:poID/email-links/revoke": true, "/purchase-orders/:poID/email-links/resend": true,
	"/suppliers-outside/:supplierID/email/catalog": true,
	// An emailed PO link's page needs no account at all: its token is the credential.
	"/po-link/:poID/:token/acknowledge": true, "/po-link/:poID/:token/reject": true, "/po-link/:poID/:token/cancel": true, "/po-link/:poID/:token/shipments": true,
	// Handling dropship orders is the supplier staff's daily work.
	"/dropship-orders/:poID/acknowledge": true, "/dropship-orders/:poID/status": true, "/dropship-orders/:poID/reject": true,
	"/dropship-orders/:poID/cancel": true, "/dropship-orders/:poID/shipments": true, "/dropship-orders/shipments/:shipmentID/delivered": true,
	"/dropship-orders/upload": true, "/dropship-orders/upload/apply": true,
	// Retrying failed deliveries is day-to-day work.
	"/settings/outbox/retry": true}

func TestStaffCannotChangeSettingsLinksUsersOrTokens(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	env.websitePO(w.as)
	c := env.client()
	c.login(w.staffA.Email)
	cs := env.client()
	cs.login(w.staffS.Email)
	params := routeParams(w)
	params["userID"] = strconv.FormatInt(w.adminA.ID, 10)
	for _, r := range env.echo.Routes() {
		if r.Method != http.MethodPost || strings.HasPrefix(r.Path, "/admin/") || strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		form, admin := adminOnlyRoutes[r.Path]
		if !admin && !memberRoutes[r.Path] {
			t.Errorf("route %s is in neither adminOnlyRoutes nor memberRoutes", r.Path)
			continue
		}
		if !admin {
			continue
		}
		before := env.dbDigest()
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		cl := c
		if supplierRoute(r.Path) {
			cl = cs
		}
		p := cl.post(fillPath(t, r.Path, params), f)
		if p.status != http.StatusForbidden {
			t.Errorf("staff POST %s: status %d, want 403", r.Path, p.status)
		}
		if env.dbDigest() != before {
			t.Errorf("staff POST %s changed the database", r.Path)
		}
	}
	// Staff see the settings without the forms that change them.
	p := c.get("/settings")
	if p.doc.Find(`form[action="/settings/account"]`).Length() != 0 || p.doc.Find(`form[action="/settings/tokens"]`).Length() != 0 {
		t.Error("staff are shown forms they may not use")
	}
}

func TestUsersAddRoleRemoveAndLastAdmin(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.adminA.Email)
	c.get("/settings")

	// A new user needs a first password.
	p := c.post("/settings/users", url.Values{"email": {"new@example.com"}, "role": {"staff"}})
	if p.status != http.StatusUnprocessableEntity || p.doc.Find(`[data-testid="error-password"]`).Length() != 1 {
		t.Fatalf("new user without password: status %d, want 422 with a password message", p.status)
	}
	if got := p.doc.Find(`#users input[name="email"]`).AttrOr("value", ""); got != "new@example.com" {
		t.Errorf("email field = %q, want what was typed", got)
	}
	p = c.post("/settings/users", url.Values{"email": {"new@example.com"}, "password": {testPassword}, "role": {"staff"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("add user: %d", p.status)
	}
	// An existing user of another account can be added and keeps their password.
	p = c.post("/settings/users", url.Values{"email": {w.adminS.Email}, "role": {"staff"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("add existing user: %d\n%s", p.status, p.doc.Find(".field-error").Text())
	}
	members, _ := env.db.Members(t.Context(), w.merchantA.ID)
	if len(members) != 4 {
		t.Fatalf("merchant A has %d members, want 4", len(members))
	}
	// Adding twice is a field error.
	p = c.post("/settings/users", url.Values{"email": {"new@example.com"}, "role": {"staff"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("add twice: %d, want 422", p.status)
	}

	// The only admin cannot demote themselves through another admin path: make
	// staff A admin, then demote admin A, then try to demote the last admin.
	if p := c.post("/settings/users/"+strconv.FormatInt(w.staffA.ID, 10)+"/role", url.Values{"role": {"admin"}}); p.status != http.StatusSeeOther {
		t.Fatalf("promote: %d", p.status)
	}
	if err := env.db.SetMemberRole(t.Context(), store.CLIActor, w.merchantA.ID, w.adminA.ID, store.RoleStaff); err != nil {
		t.Fatal(err)
	}
	err := env.db.SetMemberRole(t.Context(), store.CLIActor, w.merchantA.ID, w.staffA.ID, store.RoleStaff)
	if store.Message(err) == "" {
		t.Fatalf("demoting the last admin: err %v, want a conflict with a message", err)
	}
}

func TestTokensShownOnceAndRevoked(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.adminA.Email)
	c.get("/settings")
	p := c.post("/settings/tokens", url.Values{"name": {"  "}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("blank token name: %d, want 422", p.status)
	}
	p = c.post("/settings/tokens", url.Values{"name": {"Warehouse"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("create token: %d", p.status)
	}
	first := c.get("/settings")
	secret := strings.TrimSpace(first.doc.Find(`[data-testid="new-token"]`).Text())
	if !strings.HasPrefix(secret, "dl_") {
		t.Fatalf("new token shown as %q", secret)
	}
	if again := c.get("/settings"); again.doc.Find(`[data-testid="new-token"]`).Length() != 0 {
		t.Fatal("token shown a second time")
	}
	apiGet := func() int {
		req, _ := http.NewRequest(http.MethodGet, env.srv.URL+"/api/v1/account", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		return c.do(req).status
	}
	if got := apiGet(); got != http.StatusOK {
		t.Fatalf("API with new token: %d", got)
	}
	tokens, _ := env.db.Tokens(t.Context(), w.merchantA.ID)
	var id int64
	for _, tk := range tokens {
		if tk.Name == "Warehouse" {
			id = tk.ID
		}
	}
	if p := c.post("/settings/tokens/"+strconv.FormatInt(id, 10)+"/revoke", nil); p.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", p.status)
	}
	if got := apiGet(); got != http.StatusUnauthorized {
		t.Fatalf("API with revoked token: %d, want 401", got)
	}
}

func TestPasswordChange(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.staffA.Email)
	c.get("/settings")
	p := c.post("/settings/password", url.Values{"current_password": {"not it at all"}, "new_password": {"short"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad password change: %d, want 422", p.status)
	}
	for _, f := range []string{"current_password", "new_password"} {
		if p.doc.Find(`[data-testid="error-`+f+`"]`).Length() != 1 {
			t.Errorf("no message on %s", f)
		}
	}
	p = c.post("/settings/password", url.Values{"current_password": {testPassword}, "new_password": {"a much better passphrase"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("password change: %d", p.status)
	}
	if _, err := env.db.Authenticate(t.Context(), w.staffA.Email, "a much better passphrase"); err != nil {
		t.Fatalf("new password does not work: %v", err)
	}
}

func TestPlatformAdminCreatesAccountsAndLinks(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.platform.Email)
	c.get("/admin/accounts")
	before := env.dbDigest()
	p := c.post("/admin/accounts", url.Values{"name": {""}, "kind": {"wholesaler"}, "email": {"not-an-email"}, "password": {"short"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad account: %d, want 422", p.status)
	}
	for _, f := range []string{"name", "kind", "email", "password"} {
		if p.doc.Find(`[data-testid="error-`+f+`"]`).Length() != 1 {
			t.Errorf("no message on %s", f)
		}
	}
	if env.dbDigest() != before {
		t.Fatal("invalid account changed the database")
	}
	p = c.post("/admin/accounts", url.Values{"name": {"New Supplier"}, "kind": {"supplier"}, "time_zone": {"UTC"}, "email": {"ns@example.com"}, "password": {testPassword}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("create account: %d", p.status)
	}
	list := c.get("/admin/accounts")
	if !strings.Contains(list.doc.Find(`[data-testid="accounts"]`).Text(), "New Supplier") {
		t.Fatal("new account not listed")
	}

	// Linking a merchant as the supplier is refused with a field message.
	p = c.post("/admin/links", url.Values{"supplier_id": {strconv.FormatInt(w.merchantB.ID, 10)}, "merchant_id": {strconv.FormatInt(w.merchantA.ID, 10)}})
	if p.status != http.StatusUnprocessableEntity || p.doc.Find(`[data-testid="error-supplier"]`).Length() != 1 {
		t.Fatalf("merchant as supplier: %d, want 422 with a supplier message", p.status)
	}
	p = c.post("/admin/links", url.Values{"supplier_id": {strconv.FormatInt(w.supplierS.ID, 10)}, "merchant_id": {strconv.FormatInt(w.merchantB.ID, 10)}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("create link: %d", p.status)
	}
	links := c.get("/admin/links")
	// The world.s links, A.s website supplier.s among them, and the one made here.
	if got := links.doc.Find(`[data-testid="link-row"]`).Length(); got != 4 {
		t.Fatalf("links page lists %d links, want 4", got)
	}

	// The merchant sees its supplier; the supplier sees both its merchants.
	m := env.client()
	m.login(w.adminB.Email)
	if got := m.get("/suppliers").doc.Find(`[data-testid="link-row"]`).Length(); got != 2 {
		t.Errorf("merchant B's Suppliers page lists %d links, want 2", got)
	}
	s := env.client()
	s.login(w.adminS.Email)
	if got := s.get("/merchants").doc.Find(`[data-testid="link-row"]`).Length(); got != 2 {
		t.Errorf("supplier S's Merchants page lists %d links, want 2", got)
	}
}
