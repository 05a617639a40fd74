package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
)

// trackLink finds the customer's tracking page in a shipping email.
var trackLink = regexp.MustCompile(`Follow your order here: \S*(/track/[A-Za-z0-9_-]{43})\n`)

// customerTrackingPaths are the tracking page paths of the merchant's
// shipping emails, oldest first.
func customerTrackingPaths(t *testing.T, env *testEnv, merchantID int64) []string {
	t.Helper()
	msgs, err := env.db.OutboxList(t.Context(), merchantID, store.OutboxFilter{Kind: store.OutboxEmail}, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Topic != "customer.shipped" {
			continue
		}
		m := trackLink.FindStringSubmatch(msgs[i].Body)
		if m == nil {
			t.Fatalf("a shipping email without its tracking page:\n%s", msgs[i].Body)
		}
		out = append(out, m[1])
	}
	return out
}

// TestCustomerTrackingPageFromTheEmail: the supplier ships part of an order
// in the portal; the customer's email links to a page, opened without
// signing in, that names the merchant and the order, shows the parcel and
// what is still to ship, and never the supplier, the address or a price.
// The merchant sees the link opened, previews the page, and revokes the
// links (CSRF-checked; another merchant's order is 404), after which the
// link opens nothing.
func TestCustomerTrackingPageFromTheEmail(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	po := openPO(t, env, w, "CT-1", 3)
	sup := env.client()
	sup.login(w.staffS.Email)
	path := "/dropship-orders/" + strconv.FormatInt(po.ID, 10)
	sup.get(path)
	today := time.Now().UTC().Format(time.DateOnly)
	if p := sup.post(path+"/shipments", url.Values{"carrier": {"ups"}, "tracking_number": {"1Z999AA10123456784"}, "ship_date": {today},
		"qty_" + strconv.FormatInt(po.Lines[0].ID, 10): {"2"}}); p.status != http.StatusSeeOther {
		t.Fatalf("shipping: %d", p.status)
	}
	links := customerTrackingPaths(t, env, w.merchantA.ID)
	if len(links) != 1 {
		t.Fatalf("%d shipping emails with a tracking page, want 1", len(links))
	}

	customer := env.client() // not signed in
	page := customer.get(links[0])
	if page.status != http.StatusOK {
		t.Fatalf("the tracking page: %d", page.status)
	}
	if got := page.doc.Find(`[data-testid="ct-merchant"]`).Text(); got != w.merchantA.Name {
		t.Errorf("the page names %q, want the merchant", got)
	}
	if got := page.doc.Find(`[data-testid="ct-headline"]`).Text(); got != "Part of your order is on its way" {
		t.Errorf("headline %q", got)
	}
	parcel := page.doc.Find(`[data-testid="ct-parcel"]`)
	if parcel.Length() != 1 || parcel.Find(`[data-testid="ct-number"]`).Text() != "1Z999AA10123456784" || !strings.Contains(parcel.Text(), "2 × Widget (S-100)") ||
		parcel.Find(`[data-testid="ct-status"]`).Text() != "Shipped" {
		t.Fatalf("parcel %q", parcel.Text())
	}
	if href := parcel.Find(`[data-testid="ct-carrier-link"]`).AttrOr("href", ""); !strings.Contains(href, "1Z999AA10123456784") {
		t.Errorf("carrier link %q", href)
	}
	if got := page.doc.Find(`[data-testid="ct-to-ship"]`).Text(); !strings.Contains(got, "1 × Widget (S-100)") {
		t.Errorf("still to ship %q", got)
	}
	for _, secret := range []string{"Dropline", w.supplierS.Name, "1 Main St", "62701", "42.00", "ada@example.com", "555-0100", w.staffS.Email, po.PONumber} {
		if strings.Contains(page.body, secret) {
			t.Errorf("the customer's page shows %q", secret)
		}
	}
	if page.header.Get("Cache-Control") != "no-store" || !strings.Contains(page.header.Get("X-Robots-Tag"), "noindex") {
		t.Errorf("headers %v", page.header)
	}
	for _, bad := range []string{"/track/" + strings.Repeat("A", 43), links[0][:len(links[0])-1], links[0] + "A"} {
		p := customer.get(bad)
		if p.status != http.StatusNotFound || p.doc.Find(`[data-testid="ct-gone"]`).Length() != 1 || strings.Contains(p.body, "Dropline") ||
			p.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d %q, want the customer's not-found page", bad, p.status, p.doc.Find("main").Text())
		}
	}

	// The merchant sees it was opened, and what the customer sees.
	m := env.client()
	m.login(w.adminA.Email)
	order := "/orders/" + strconv.FormatInt(po.OrderID, 10)
	op := m.get(order)
	if got := op.doc.Find(`[data-testid="tracking-page-state"]`).Text(); !strings.Contains(got, "1 link live") || !strings.Contains(got, "opened 1 time") {
		t.Errorf("the order page says %q", got)
	}
	pv := m.get(order + "/tracking-page")
	if pv.status != http.StatusOK || pv.doc.Find(`[data-testid="ct-preview"]`).Length() != 1 || pv.doc.Find(`[data-testid="ct-parcel"]`).Length() != 1 {
		t.Fatalf("preview: %d %q", pv.status, pv.doc.Find("main").Text())
	}
	// The Outbox shows the link, for a merchant with no SMTP server.
	ob := m.get("/settings/outbox")
	if href := ob.doc.Find(`[data-testid="outbox-tracking-link"]`).AttrOr("href", ""); href != links[0] {
		t.Errorf("the outbox links to %q, want %q", href, links[0])
	}

	// Another merchant neither previews nor revokes it.
	b := env.client()
	b.login(w.adminB.Email)
	if p := b.get(order + "/tracking-page"); p.status != http.StatusNotFound {
		t.Errorf("another merchant's preview: %d", p.status)
	}
	b.get("/orders")
	if p := b.post(order+"/tracking-links/revoke", nil); p.status != http.StatusNotFound {
		t.Errorf("another merchant's revoke: %d", p.status)
	}
	if p := m.postRaw(order+"/tracking-links/revoke", url.Values{}); p.status != http.StatusForbidden {
		t.Errorf("revoke without CSRF: %d", p.status)
	}
	if p := customer.get(links[0]); p.status != http.StatusOK {
		t.Fatalf("the link stopped before the merchant revoked it: %d", p.status)
	}

	m.get(order)
	if p := m.post(order+"/tracking-links/revoke", nil); p.status != http.StatusSeeOther || p.header.Get("Location") != order {
		t.Fatalf("revoke: %d to %q", p.status, p.header.Get("Location"))
	}
	rv := m.get(order)
	if !strings.Contains(rv.doc.Find(".flash").Text(), "Revoked 1 tracking link") {
		t.Errorf("after revoking the flash says %q", rv.doc.Find(".flash").Text())
	}
	if p := customer.get(links[0]); p.status != http.StatusNotFound {
		t.Errorf("a revoked link: %d", p.status)
	}
	if got := rv.doc.Find(`[data-testid="tracking-page-state"]`).Text(); !strings.Contains(got, "0 links live, 1 revoked") {
		t.Errorf("after revoking the order page says %q", got)
	}
}

// TestSearchPointsToTheTabThatHasIt: a tracking number searched from the
// tab a list opens on, where its shipped order is not, says how many the
// other tabs hold and links to All with the same search, which lists it.
func TestSearchPointsToTheTabThatHasIt(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ships, err := env.db.Shipments(t.Context(), w.merchantA.ID, w.poA)
	if err != nil || len(ships) == 0 {
		t.Fatalf("the world's shipment: %v %v", ships, err)
	}
	number := strings.ToLower(ships[0].TrackingNumber)
	for _, c := range []struct {
		who, list, rows string
	}{
		{w.adminA.Email, "/orders", `[data-testid="order-row"]`},
		{w.adminS.Email, "/dropship-orders", `[data-testid="queue-row"]`},
	} {
		cl := env.client()
		cl.login(c.who)
		p := cl.get(c.list + "?q=" + url.QueryEscape(number))
		action := p.doc.Find(`[data-testid="empty-action"]`).First()
		if p.doc.Find(c.rows).Length() != 0 || !strings.Contains(p.doc.Find(".empty-state").Text(), "1 order in") || action.Text() != "Show them in All" {
			t.Fatalf("%s from its first tab: %q", c.list, p.doc.Find(".empty-state").Text())
		}
		all := cl.get(action.AttrOr("href", ""))
		if all.doc.Find(c.rows).Length() != 1 {
			t.Errorf("%s: All lists %d rows for the number", action.AttrOr("href", ""), all.doc.Find(c.rows).Length())
		}
	}
}

// TestCustomerUpdatesSetting: a merchant's customers get tracking emails
// unless its admin unticks the box in Settings; the page shows the choice
// as saved, and a supplier's settings have no such box.
func TestCustomerUpdatesSetting(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	m := env.client()
	m.login(w.adminA.Email)
	box := func() (shown, checked bool) {
		s := m.get("/settings").doc.Find(`[data-testid="customer-updates"]`)
		_, on := s.Attr("checked")
		return s.Length() == 1, on
	}
	if shown, on := box(); !shown || !on {
		t.Fatalf("the box is shown %v, ticked %v; want ticked by default", shown, on)
	}
	save := func(extra url.Values) {
		t.Helper()
		form := url.Values{"name": {w.merchantA.Name}, "time_zone": {"UTC"}, "dropship_enabled": {"true"}}
		for k, v := range extra {
			form[k] = v
		}
		if p := m.post("/settings/account", form); p.status != http.StatusSeeOther {
			t.Fatalf("save: %d", p.status)
		}
	}
	save(nil)
	if c, err := env.db.AccountContact(t.Context(), w.merchantA.ID); err != nil || !c.CustomerUpdatesOff {
		t.Fatalf("unticked: %+v %v", c, err)
	}
	if _, on := box(); on {
		t.Error("the box is ticked after unticking it")
	}
	save(url.Values{"customer_updates": {"true"}})
	if c, _ := env.db.AccountContact(t.Context(), w.merchantA.ID); c.CustomerUpdatesOff {
		t.Error("ticked again, still off")
	}
	s := env.client()
	s.login(w.adminS.Email)
	if s.get("/settings").doc.Find(`[data-testid="customer-updates"]`).Length() != 0 {
		t.Error("a supplier's settings offer customers' tracking emails")
	}
}
