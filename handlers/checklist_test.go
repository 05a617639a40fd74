package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/dropline/dropline/store"
)

// TestNewAccountsDashboardGuidesTheFirstSteps: a new merchant's dashboard
// lists its five first steps, each a link to where it is done; a step is
// ticked from the database once done; an admin hides the list, staff
// cannot; an account that has done everything never sees it.
func TestNewAccountsDashboardGuidesTheFirstSteps(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := t.Context()
	acc, admin, err := env.db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Fresh Shop", Kind: store.KindMerchant}, "fresh@example.com", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.db.AddMember(ctx, store.CLIActor, acc.ID, store.NewMember{Email: "fresh-staff@example.com", Password: testPassword, Role: store.RoleStaff}); err != nil {
		t.Fatal(err)
	}
	c := env.client()
	c.login(admin.Email)
	steps := func(p page) map[string]string {
		out := map[string]string{}
		p.doc.Find(`[data-testid="checklist"] li`).Each(func(_ int, s *goquery.Selection) {
			key := strings.TrimPrefix(s.AttrOr("data-testid", ""), "step-")
			if s.AttrOr("data-done", "") == "true" {
				out[key] = "done"
			} else {
				out[key] = s.Find("a").AttrOr("href", "")
			}
		})
		return out
	}
	d := c.get("/")
	got := steps(d)
	want := map[string]string{"link-supplier": "/suppliers", "subscribe": "/feeds", "channel": "/settings/channels",
		"first-order": "/orders/new", "first-dropship": "/orders?tab=" + store.TabNeedsDropship}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("step %s: %q, want a link to %s", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("steps %v, want the merchant's five", got)
	}
	if p := strings.TrimSpace(d.doc.Find(`[data-testid="checklist-progress"]`).Text()); p != "0 of 5 done" {
		t.Errorf("progress %q", p)
	}
	// Each link opens a page the merchant can use.
	for k, href := range want {
		if p := c.get(href); p.status != http.StatusOK {
			t.Errorf("step %s links to %s, which answers %d", k, href, p.status)
		}
	}

	// Linking a supplier ticks the first step.
	if _, err := env.db.CreateLink(ctx, store.CLIActor, w.supplierT.ID, acc.ID); err != nil {
		t.Fatal(err)
	}
	d = c.get("/")
	if got := steps(d); got["link-supplier"] != "done" || got["subscribe"] != "/feeds" {
		t.Errorf("after linking: %v", got)
	}
	if p := strings.TrimSpace(d.doc.Find(`[data-testid="checklist-progress"]`).Text()); p != "1 of 5 done" {
		t.Errorf("progress after linking %q", p)
	}

	// Staff read it but cannot hide it.
	staff := env.client()
	staff.login("fresh-staff@example.com")
	sd := staff.get("/")
	if sd.doc.Find(`[data-testid="checklist"]`).Length() != 1 || sd.doc.Find(`[data-testid="hide-checklist"]`).Length() != 0 {
		t.Error("staff: want the checklist without the hide button")
	}
	if p := staff.post("/dashboard/checklist/hide", nil); p.status != http.StatusForbidden {
		t.Errorf("staff hiding: %d, want 403", p.status)
	}
	if p := c.post("/dashboard/checklist/hide", nil); p.status != http.StatusSeeOther {
		t.Fatalf("hide: %d", p.status)
	}
	if c.get("/").doc.Find(`[data-testid="checklist"]`).Length() != 0 {
		t.Error("the checklist is still there after hiding it")
	}

	// Merchant A has done every step: no checklist. Supplier S has all
	// but the initial status, which the world clears after its dropship.
	a := env.client()
	a.login(w.adminA.Email)
	if a.get("/").doc.Find(`[data-testid="checklist"]`).Length() != 0 {
		t.Error("merchant A has done every step but sees the checklist")
	}
	s := env.client()
	s.login(w.adminS.Email)
	sp := s.get("/")
	if got := strings.TrimSpace(sp.doc.Find(`[data-testid="checklist-progress"]`).Text()); got != "3 of 4 done" ||
		sp.doc.Find(`[data-testid="step-initial-status"]`).AttrOr("data-done", "") != "false" {
		t.Errorf("supplier S: progress %q, initial status done %q", got, sp.doc.Find(`[data-testid="step-initial-status"]`).AttrOr("data-done", ""))
	}
}

// TestNewSupplierChecklist: a new supplier's four steps, the initial
// status ticked once chosen.
func TestNewSupplierChecklist(t *testing.T) {
	env := newEnv(t)
	env.world()
	ctx := t.Context()
	acc, admin, err := env.db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Fresh Supply", Kind: store.KindSupplier}, "supply@example.com", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	c := env.client()
	c.login(admin.Email)
	keys := func() map[string]bool {
		out := map[string]bool{}
		c.get("/").doc.Find(`[data-testid="checklist"] li`).Each(func(_ int, s *goquery.Selection) {
			out[strings.TrimPrefix(s.AttrOr("data-testid", ""), "step-")] = s.AttrOr("data-done", "") == "true"
		})
		return out
	}
	got := keys()
	for _, k := range []string{"initial-status", "publish-feed", "invite-merchant", "first-shipment"} {
		if done, ok := got[k]; !ok || done {
			t.Errorf("step %s: listed %v, done %v", k, ok, done)
		}
	}
	statuses, err := env.db.SupplierStatuses(ctx, acc.ID)
	if err != nil || len(statuses) == 0 {
		t.Fatalf("statuses: %v", err)
	}
	if err := env.db.SetInitialStatus(ctx, store.CLIActor, acc.ID, statuses[0].ID); err != nil {
		t.Fatal(err)
	}
	if got := keys(); !got["initial-status"] || got["publish-feed"] {
		t.Errorf("after choosing the initial status: %v", got)
	}
}

// TestEmptyListsSayWhatFillsThem: a new merchant's and a new supplier's
// empty lists each say what would fill them and link to where that is done;
// a list emptied by its filters offers to clear them.
func TestEmptyListsSayWhatFillsThem(t *testing.T) {
	env := newEnv(t)
	env.world()
	ctx := t.Context()
	_, m, err := env.db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Empty Shop", Kind: store.KindMerchant}, "empty-shop@example.com", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	_, s, err := env.db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Empty Supply", Kind: store.KindSupplier}, "empty-supply@example.com", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	mc, sc := env.client(), env.client()
	mc.login(m.Email)
	sc.login(s.Email)
	for _, c := range []struct {
		who    *client
		path   string
		testid string
		says   string
		links  []string
	}{
		{mc, "/orders?tab=all", "no-orders", "No orders yet", []string{"/settings/channels", "/orders/import", "/orders/new"}},
		{mc, "/orders?tab=needs_dropship", "no-orders", "No order waits to be dropshipped", []string{"/settings/channels", "/orders/import", "/orders/new"}},
		{mc, "/orders?tab=all&q=nothing-like-this", "no-orders", "No orders match these filters", []string{"/orders?tab=all"}},
		{mc, "/purchase-orders", "no-pos", "Dropshipping an order creates one", []string{"/orders?tab=needs_dropship", "/suppliers"}},
		{mc, "/products", "no-products", "Subscribe to a linked supplier's feed", []string{"/feeds", "/products/import", "/products/new"}},
		{mc, "/feeds", "no-subscriptions", "No subscriptions yet", []string{"#subscribe", "/suppliers"}},
		{mc, "/suppliers", "no-links", "No suppliers linked yet", []string{"#link-form", "/suppliers-outside"}},
		{mc, "/settings/channels", "no-channels", "Connect your Shopify or WooCommerce store", []string{"#connect-store"}},
		{mc, "/suppliers-outside", "no-managed-suppliers", "Add a website you buy from", nil},
		{sc, "/dropship-orders?tab=all", "no-queue", "No dropship orders yet", []string{"/merchants", "/feeds/new"}},
		{sc, "/feeds", "no-feeds", "No feeds yet", []string{"/feeds/new"}},
		{sc, "/merchants", "no-links", "No merchants linked yet", []string{"#link-form"}},
		{sc, "/products", "no-products", "Import your catalog", []string{"/products/import", "/products/new"}},
	} {
		p := c.who.get(c.path)
		e := p.doc.Find(`[data-testid="` + c.testid + `"]`)
		if p.status != http.StatusOK || e.Length() != 1 || !strings.Contains(e.Text(), c.says) {
			t.Errorf("%s: %d, %s says %q, want %q", c.path, p.status, c.testid, strings.TrimSpace(e.Text()), c.says)
			continue
		}
		var hrefs []string
		e.Find(`[data-testid="empty-action"]`).Each(func(_ int, a *goquery.Selection) { hrefs = append(hrefs, a.AttrOr("href", "")) })
		if strings.Join(hrefs, " ") != strings.Join(c.links, " ") {
			t.Errorf("%s: actions %q, want %q", c.path, hrefs, c.links)
		}
		for _, h := range hrefs {
			if strings.HasPrefix(h, "#") {
				if p.doc.Find(h).Length() != 1 {
					t.Errorf("%s: action %s points at nothing on the page", c.path, h)
				}
			} else if got := c.who.get(h).status; got != http.StatusOK {
				t.Errorf("%s: action %s answers %d", c.path, h, got)
			}
		}
	}
}
