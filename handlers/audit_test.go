package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// auditRows reads the audit log page's rows as action → actors, in page order.
func auditRows(p page) (actions []string, actors map[string][]string) {
	actors = map[string][]string{}
	p.doc.Find(`[data-testid="audit-row"]`).Each(func(_ int, r *goquery.Selection) {
		action := strings.TrimSpace(r.Find(`[data-testid="audit-action"]`).Text())
		actions = append(actions, action)
		actors[action] = append(actors[action], strings.TrimSpace(r.Find(`[data-testid="audit-actor"]`).Text()))
	})
	return actions, actors
}

// TestAuditLogPageNamesWhoDidIt: what an admin does in the pages (settings,
// users and roles, tokens, link settings, Pull now, a payout) and what an
// API token does shows on Settings → Audit log, newest first, each entry
// naming the person's email or the token's name, never the system; the log
// filters by kind; staff cannot open it; another tenant sees none of it.
func TestAuditLogPageNamesWhoDidIt(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := t.Context()
	readyToDropship(t, env, w)
	// The world's shipment earned its cost; the holding period has passed.
	env.db.Now = func() time.Time { return time.Now().AddDate(0, 0, 20) }
	a := env.client()
	a.login(w.adminA.Email)
	a.get("/settings")
	steps := []struct {
		path string
		form url.Values
	}{
		{"/settings/account", url.Values{"name": {"Merchant A"}, "time_zone": {"Europe/London"}, "dropship_enabled": {"true"}}},
		{"/settings/users", url.Values{"email": {"temp@example.com"}, "password": {testPassword}, "role": {"staff"}}},
		{"/settings/tokens", url.Values{"name": {"Order bot"}}},
		{"/links/" + strconv.FormatInt(w.linkAS.ID, 10) + "/merchant-settings", url.Values{"release_delay_minutes": {"0"}, "po_format": {"sequence"}, "po_prefix": {"PO-"}}},
	}
	for _, st := range steps {
		if p := a.post(st.path, st.form); p.status != http.StatusSeeOther {
			t.Fatalf("POST %s: %d", st.path, p.status)
		}
	}
	secret := strings.TrimSpace(a.get("/settings").doc.Find(`[data-testid="new-token"]`).Text())
	members, _ := env.db.Members(ctx, w.merchantA.ID)
	var temp int64
	for _, m := range members {
		if m.User.Email == "temp@example.com" {
			temp = m.User.ID
		}
	}
	for _, st := range []struct {
		path string
		form url.Values
	}{
		{"/settings/users/" + strconv.FormatInt(temp, 10) + "/role", url.Values{"role": {"admin"}}},
		{"/settings/users/" + strconv.FormatInt(temp, 10) + "/remove", nil},
	} {
		if p := a.post(st.path, st.form); p.status != http.StatusSeeOther {
			t.Fatalf("POST %s: %d", st.path, p.status)
		}
	}
	// Pull now, pressed by the admin: the pull's outcome names them.
	a.get("/subscriptions/" + strconv.FormatInt(w.subA, 10))
	if p := a.post("/subscriptions/"+strconv.FormatInt(w.subA, 10)+"/pull", nil); p.status != http.StatusSeeOther {
		t.Fatalf("pull now: %d", p.status)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		runs, err := env.db.FeedRuns(ctx, w.merchantA.ID, w.subA, 1)
		if err == nil && len(runs) == 1 && runs[0].ID != w.runA && runs[0].State != store.RunRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the pull did not finish: %+v %v", runs, err)
		}
	}
	// A payout from the form.
	earn := a.get("/earnings")
	key := earn.doc.Find(`[data-testid="payout-form"] input[name="key"]`).AttrOr("value", "")
	if p := a.post("/earnings/payouts", url.Values{"supplier_id": {strconv.FormatInt(w.supplierS.ID, 10)}, "currency": {"USD"}, "amount": {"1.00"},
		"date": {env.db.Now().UTC().Format(time.DateOnly)}, "key": {key}}); p.status != http.StatusSeeOther {
		t.Fatalf("payout: %d", p.status)
	}
	// The API token dropships an order.
	o, _, err := env.db.CreateOrder(ctx, store.CLIActor, w.merchantA.ID, orderfile.Order{Channel: "manual", ChannelOrderID: "AUD-1", Currency: "USD",
		ShipTo: orderfile.Address{Name: "Ada", Address1: "1 Main St", City: "Springfield", PostalCode: "62701", Country: "US"},
		Lines:  []orderfile.Line{{SKU: "S-100", Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if st, body := env.api("POST", "/api/v1/orders/"+strconv.FormatInt(o.ID, 10)+"/dropship", secret, `{"confirm": true}`, "Idempotency-Key", "aud-1"); st != http.StatusCreated {
		t.Fatalf("API dropship: %d %v", st, body)
	}
	tokens, _ := env.db.Tokens(ctx, w.merchantA.ID)
	a.get("/settings")
	if p := a.post("/settings/tokens/"+strconv.FormatInt(tokens[0].ID, 10)+"/revoke", nil); p.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", p.status)
	}

	settings := a.get("/settings")
	if href := settings.doc.Find(`[data-testid="settings-tabs"] a:contains("Audit log")`).AttrOr("href", ""); href != "/settings/audit" {
		t.Errorf("the admin's settings tabs link the audit log at %q", href)
	}
	log := a.get("/settings/audit")
	if log.status != http.StatusOK {
		t.Fatalf("GET /settings/audit: %d", log.status)
	}
	actions, actors := auditRows(log)
	if len(actions) == 0 || actions[0] != "token.revoked" {
		t.Errorf("newest entry %v, want token.revoked first", actions)
	}
	bot := `API token "Order bot"`
	for action, want := range map[string]string{
		"account.updated": w.adminA.Email, "member.added": w.adminA.Email, "member.role_changed": w.adminA.Email, "member.removed": w.adminA.Email,
		"token.created": w.adminA.Email, "token.revoked": w.adminA.Email, "link.merchant_settings": w.adminA.Email,
		"feed_run.succeeded": w.adminA.Email, "payout.recorded": w.adminA.Email, "po.created": bot,
	} {
		// The newest entry of each action is the one this test made.
		if got := actors[action]; len(got) == 0 || got[0] != want {
			t.Errorf("%s by %v, want %s", action, got, want)
		}
	}
	if !strings.Contains(log.doc.Find(`[data-testid="audit-log"]`).Text(), "temp@example.com") {
		t.Error("the member entries do not name the member")
	}
	// Filters: only that kind's entries.
	for kind, prefix := range map[string]string{"users": "member.", "payouts": "payout.", "pulls": "feed_run.", "tokens": "token.", "links": "link."} {
		acts, _ := auditRows(a.get("/settings/audit?kind=" + kind))
		if len(acts) == 0 {
			t.Errorf("kind=%s: no entries", kind)
		}
		for _, act := range acts {
			if !strings.HasPrefix(act, prefix) && !(kind == "users" && strings.HasPrefix(act, "user.")) {
				t.Errorf("kind=%s lists %s", kind, act)
			}
		}
	}
	// Staff: no tab, and the page is refused.
	staff := env.client()
	staff.login(w.staffA.Email)
	if staff.get("/settings").doc.Find(`a[href="/settings/audit"]`).Length() != 0 {
		t.Error("staff see the audit log tab")
	}
	if p := staff.get("/settings/audit"); p.status != http.StatusForbidden {
		t.Errorf("staff GET /settings/audit: %d, want 403", p.status)
	}
	// Another merchant's admin sees none of it.
	b := env.client()
	b.login(w.adminB.Email)
	other := b.get("/settings/audit")
	if other.status != http.StatusOK || strings.Contains(other.body, w.adminA.Email) || strings.Contains(other.body, "Order bot") {
		t.Errorf("merchant B's audit log shows merchant A's entries: %d", other.status)
	}
}
