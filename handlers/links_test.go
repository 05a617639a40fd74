package handlers_test

import (
	"github.com/PuerkitoBio/goquery"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/dropline/dropline/store"
)

func TestInviteAcceptAndRoutingOnThePages(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	s := env.client()
	s.login(w.adminS.Email)
	s.get("/merchants")

	before := env.dbDigest()
	p := s.post("/merchants/invite", url.Values{"public_id": {"dl-nope1"}})
	if p.status != http.StatusUnprocessableEntity || p.doc.Find(`[data-testid="error-public_id"]`).Length() != 1 {
		t.Fatalf("unknown public ID: %d, want 422 with a message", p.status)
	}
	if got := p.doc.Find(`input[name="public_id"]`).AttrOr("value", ""); got != "dl-nope1" {
		t.Errorf("public ID field = %q, want what was typed", got)
	}
	if env.dbDigest() != before {
		t.Fatal("a refused invitation changed the database")
	}
	if p := s.post("/merchants/invite", url.Values{"public_id": {w.merchantB.PublicID}}); p.status != http.StatusSeeOther {
		t.Fatalf("invite: %d", p.status)
	}
	page := s.get("/merchants")
	row := page.doc.Find(`[data-testid="link-row"]`).FilterFunction(func(_ int, r *goquery.Selection) bool {
		return strings.Contains(r.Text(), w.merchantB.Name)
	})
	if got := strings.TrimSpace(row.Find(`[data-testid="link-state"]`).Text()); got != "Pending" {
		t.Fatalf("invited merchant's state %q, want Pending", got)
	}
	if row.Find(`[data-testid="link-accept"]`).Length() != 0 {
		t.Fatal("the inviting supplier is offered Accept")
	}
	linkID := row.AttrOr("data-link-id", "")

	m := env.client()
	m.login(w.adminB.Email)
	sup := m.get("/suppliers")
	mrow := sup.doc.Find(`[data-link-id="` + linkID + `"]`)
	if mrow.Find(`[data-testid="link-accept"]`).Length() != 1 {
		t.Fatal("the invited merchant has no Accept button")
	}
	routing := mrow.Find(`[data-testid="routing"]`).Text()
	for _, want := range []string{"pending", "module is off", "does not accept dropship orders yet"} {
		if !strings.Contains(routing, want) {
			t.Errorf("routing cell %q does not say %q", routing, want)
		}
	}
	if p := m.post("/links/"+linkID+"/state", url.Values{"action": {"accept"}}); p.status != http.StatusSeeOther || p.header.Get("Location") != "/links/"+linkID {
		t.Fatalf("accept: %d to %q", p.status, p.header.Get("Location"))
	}
	lp := m.get("/links/" + linkID)
	if got := strings.TrimSpace(lp.doc.Find(`[data-testid="link-state"]`).Text()); got != "Active" {
		t.Fatalf("after accept, state %q", got)
	}
	if got := lp.doc.Find(`[data-testid="history"]`).Text(); !strings.Contains(got, "Link accepted") || !strings.Contains(got, w.adminB.Email) {
		t.Errorf("history %q does not show who accepted", got)
	}
	// Accepting twice is refused with a message, not an error page.
	again := m.post("/links/"+linkID+"/state", url.Values{"action": {"accept"}})
	if again.status != http.StatusSeeOther {
		t.Fatalf("second accept: %d, want 303 back with a message", again.status)
	}
	if msg := m.get("/links/" + linkID).doc.Find(".flash.error").Text(); !strings.Contains(msg, "invit") {
		t.Errorf("second accept message %q", msg)
	}
}

func TestMerchantLinkSettingsForm(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	m := env.client()
	m.login(w.adminA.Email)
	id := strconv.FormatInt(w.linkAS.ID, 10)
	m.get("/links/" + id)
	p := m.post("/links/"+id+"/merchant-settings", url.Values{"release_delay_minutes": {"soon"}, "po_format": {"channel"}, "po_prefix": {"NW-"}, "auto_dropship": {"true"}})
	if p.status != http.StatusUnprocessableEntity || p.doc.Find(`[data-testid="error-release_delay_minutes"]`).Length() != 1 {
		t.Fatalf("non-numeric delay: %d, want 422 with a message", p.status)
	}
	if got := p.doc.Find(`input[name="release_delay_minutes"]`).AttrOr("value", ""); got != "soon" {
		t.Errorf("delay field = %q, want what was typed", got)
	}
	if got := p.doc.Find(`input[name="po_prefix"]`).AttrOr("value", ""); got != "NW-" {
		t.Errorf("prefix field = %q, want what was typed", got)
	}
	p = m.post("/links/"+id+"/merchant-settings", url.Values{"release_delay_minutes": {"30"}, "po_format": {"sequence"}, "po_prefix": {"NW-"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("save: %d", p.status)
	}
	l, _ := env.db.Link(t.Context(), w.merchantA.ID, w.linkAS.ID)
	if l.ReleaseDelayMinutes != 30 || l.POPrefix != "NW-" || l.AutoDropship {
		t.Fatalf("link = %+v", l.MerchantLinkSettings)
	}
	// The supplier sees the merchant's settings but gets no form for them.
	s := env.client()
	s.login(w.adminS.Email)
	sp := s.get("/links/" + id)
	if sp.doc.Find(`form[action$="/merchant-settings"]`).Length() != 0 || !strings.Contains(sp.doc.Find(`[data-testid="merchant-settings"]`).Text(), "NW-000001") {
		t.Fatalf("supplier's view of merchant settings: %q", sp.doc.Find(`[data-testid="merchant-settings"]`).Text())
	}
	if p := s.post("/links/"+id+"/merchant-settings", url.Values{"release_delay_minutes": {"0"}, "po_format": {"sequence"}}); p.status != http.StatusNotFound {
		t.Fatalf("supplier posts merchant settings: %d, want 404", p.status)
	}
}

func TestPlatformAdminPausesAndEndsLinks(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.platform.Email)
	c.get("/admin/links")
	id := strconv.FormatInt(w.linkAS.ID, 10)
	for _, step := range []struct{ action, want string }{{"pause", store.LinkPaused}, {"resume", store.LinkActive}, {"end", store.LinkEnded}} {
		if p := c.post("/admin/links/"+id+"/state", url.Values{"action": {step.action}}); p.status != http.StatusSeeOther {
			t.Fatalf("%s: %d", step.action, p.status)
		}
		l, _ := env.db.Link(t.Context(), w.merchantA.ID, w.linkAS.ID)
		if l.State != step.want {
			t.Fatalf("after %s: %s, want %s", step.action, l.State, step.want)
		}
	}
	if p := c.post("/admin/links/"+id+"/state", url.Values{"action": {"accept"}}); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("admin accept: %d, want 422", p.status)
	}
}

func TestStatusesPage(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	s := env.client()
	s.login(w.adminS.Email)
	p := s.get("/settings/statuses")
	if p.doc.Find(`[data-testid="no-initial"]`).Length() != 1 {
		t.Fatal("no warning that dropship orders are not accepted")
	}
	if got := p.doc.Find(`[data-testid="status-row"]`).Length(); got != 4 {
		t.Fatalf("%d statuses listed, want the 4 defaults", got)
	}
	p = s.post("/settings/statuses", url.Values{"name": {"Delivered"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.doc.Find(`[data-testid="error-name"]`).Text(), "fixed system state") {
		t.Fatalf("system name: %d %q", p.status, p.doc.Find(`[data-testid="error-name"]`).Text())
	}
	if p := s.post("/settings/statuses/initial", url.Values{"status_id": {strconv.FormatInt(w.statusS, 10)}}); p.status != http.StatusSeeOther {
		t.Fatalf("set initial: %d", p.status)
	}
	p = s.get("/settings/statuses")
	if p.doc.Find(`[data-testid="no-initial"]`).Length() != 0 {
		t.Fatal("warning still shown after choosing an initial status")
	}
	// Retiring the initial status is refused with a message.
	s.post("/settings/statuses/"+strconv.FormatInt(w.statusS, 10)+"/retire", nil)
	if msg := s.get("/settings/statuses").doc.Find(".flash.error").Text(); !strings.Contains(msg, "initial status") {
		t.Fatalf("retire initial: message %q", msg)
	}
	// Merchants have no statuses page.
	m := env.client()
	m.login(w.adminA.Email)
	if p := m.get("/settings/statuses"); p.status != http.StatusNotFound {
		t.Fatalf("merchant GET /settings/statuses: %d, want 404", p.status)
	}
}

func TestCarriersPageAndTrackingCheck(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	s := env.client()
	s.login(w.adminS.Email)
	p := s.get("/settings/carriers")
	if got := p.doc.Find(`input[name="allowed"]`).Length(); got < 17 {
		t.Fatalf("%d carriers offered, want at least 17", got)
	}
	p = s.post("/settings/carriers", url.Values{"logistics_kind": {"carrier"}, "inventory_mode": {"active"}, "restricted": {"true"}, "allowed": {"usps"}, "default": {"fedex"}})
	if p.status != http.StatusUnprocessableEntity || p.doc.Find(`[data-testid="error-default"]`).Length() != 1 {
		t.Fatalf("default not allowed: %d", p.status)
	}
	if p.doc.Find(`input[name="allowed"][value="usps"][checked]`).Length() != 1 || p.doc.Find(`input[name="allowed"][value="ups"][checked]`).Length() != 0 {
		t.Error("the form does not show back the carriers as ticked")
	}
	p = s.post("/settings/carriers", url.Values{"logistics_kind": {"fulfillment_center"}, "inventory_mode": {"active"}, "restricted": {"true"}, "allowed": {"usps", "ups"}, "default": {"ups"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("save carriers: %d", p.status)
	}
	set, _, _ := env.db.CarrierSettings(t.Context(), w.supplierS.ID)
	if set.LogisticsKind != "fulfillment_center" || !set.Restricted || len(set.Allowed) != 2 || set.Default != "ups" {
		t.Fatalf("settings = %+v", set)
	}

	check := func(carrierRef, number string) page {
		req, _ := http.NewRequest(http.MethodPost, env.srv.URL+"/settings/carriers/check", strings.NewReader(url.Values{"carrier": {carrierRef}, "tracking_number": {number}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		req.Header.Set("X-CSRF-Token", s.csrf)
		return s.do(req)
	}
	ok := check("ups", "1Z 999 AA1 01 2345 6784")
	if ok.status != http.StatusOK || !strings.Contains(ok.doc.Find(`#tracking-result .result-ok`).Text(), "valid UPS") {
		t.Fatalf("valid UPS check: %d %q", ok.status, ok.body)
	}
	if ok.doc.Find("html").Length() == 1 && strings.Contains(ok.body, "<nav") {
		t.Error("the htmx check returned a whole page, want the partial")
	}
	bad := check("ups", "1Z999AA10123456785")
	if !strings.Contains(bad.doc.Find(`#tracking-result .result-bad`).Text(), "UPS") {
		t.Fatalf("bad UPS check: %q", bad.body)
	}
	notAllowed := check("fedex", "123456789012")
	if !strings.Contains(notAllowed.doc.Find(`#tracking-result`).Text(), "not one of this account's carriers") {
		t.Fatalf("carrier not allowed: %q", notAllowed.body)
	}

	// Custom providers.
	p = s.post("/settings/carriers/providers", url.Values{"name": {"Bike Courier"}, "tracking_url": {"https://bike.example/{nope}"}})
	if p.status != http.StatusUnprocessableEntity || p.doc.Find(`[data-testid="error-tracking_url"]`).Length() != 1 {
		t.Fatalf("provider without {number}: %d", p.status)
	}
	if got := p.doc.Find(`input[name="tracking_url"]`).AttrOr("value", ""); got != "https://bike.example/{nope}" {
		t.Errorf("tracking URL field = %q, want what was typed", got)
	}
	if p := s.post("/settings/carriers/providers", url.Values{"name": {"Bike Courier"}, "tracking_url": {"https://bike.example/{number}"}}); p.status != http.StatusSeeOther {
		t.Fatalf("add provider: %d", p.status)
	}
	if got := s.get("/settings/carriers").doc.Find(`[data-testid="provider-row"]`).Length(); got != 1 {
		t.Fatalf("%d providers listed, want 1", got)
	}
}

// TestLinkSettingsAuthoriseBeforeValidating: the other side of a link posting
// its settings form gets 404 whatever it sends, invalid values included, and
// nothing in the answer shows the form.
func TestLinkSettingsAuthoriseBeforeValidating(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	id := strconv.FormatInt(w.linkAS.ID, 10)
	m, s := env.client(), env.client()
	m.login(w.adminA.Email)
	s.login(w.adminS.Email)
	for _, tc := range []struct {
		who  string
		c    *client
		path string
		form url.Values
	}{
		{"supplier", s, "/merchant-settings", url.Values{"release_delay_minutes": {"soon"}, "po_format": {"channel"}, "po_prefix": {"NW-"}}},
		{"supplier", s, "/merchant-settings", url.Values{"release_delay_minutes": {"0"}, "po_format": {"nonsense"}, "holding_days": {"9999"}}},
		{"supplier", s, "/merchant-settings", url.Values{"release_delay_minutes": {"0"}, "po_format": {"sequence"}, "po_prefix": {"has space"}}},
		{"merchant", m, "/supplier-settings", url.Values{"show_prices": {"maybe"}}},
		{"merchant", m, "/supplier-settings", url.Values{"show_prices": {"true"}}},
	} {
		before := env.dbDigest()
		p := tc.c.post("/links/"+id+tc.path, tc.form)
		if p.status != http.StatusNotFound {
			t.Errorf("%s posts %s %v: %d, want 404", tc.who, tc.path, tc.form, p.status)
		}
		if p.doc.Find(`.field-error, form[action$="-settings"]`).Length() != 0 {
			t.Errorf("%s posts %s %v: the answer shows the form or its field errors", tc.who, tc.path, tc.form)
		}
		if env.dbDigest() != before {
			t.Errorf("%s posts %s %v: the database changed", tc.who, tc.path, tc.form)
		}
	}
	// Each side's own form still answers bad values with its field errors.
	if p := s.post("/links/"+id+"/supplier-settings", url.Values{"show_prices": {"maybe"}}); p.status != http.StatusUnprocessableEntity {
		t.Errorf("supplier's own bad settings: %d, want 422", p.status)
	}
	if p := m.post("/links/"+id+"/merchant-settings", url.Values{"release_delay_minutes": {"0"}, "po_format": {"nonsense"}}); p.status != http.StatusUnprocessableEntity {
		t.Errorf("merchant's own bad settings: %d, want 422", p.status)
	}
}
