package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/dropline/dropline/store"
)

// routeParams says, for each path parameter, which record of merchant A's or
// supplier S's the walks aim at. A route with a parameter not listed here
// fails the walk, so every route added later must say how it is attacked.
func routeParams(w *world) map[string]string { return pairParams(w.as) }

// pairParams are a pair's records, by path parameter.
func pairParams(p *tenantPair) map[string]string {
	return map[string]string{
		"userID":     strconv.FormatInt(p.merchantStaff.ID, 10),
		"tokenID":    strconv.FormatInt(p.merchantTokenID, 10),
		"linkID":     strconv.FormatInt(p.link.ID, 10),
		"statusID":   strconv.FormatInt(p.status, 10),
		"providerID": strconv.FormatInt(p.provider, 10),
		"productID":  strconv.FormatInt(p.product, 10),
		"sourceID":   strconv.FormatInt(p.source, 10),
		"subID":      strconv.FormatInt(p.sub, 10),
		"runID":      strconv.FormatInt(p.run, 10),
		"feedID":     strconv.FormatInt(p.feed, 10),
		"orderID":    strconv.FormatInt(p.order, 10),
		"poID":       strconv.FormatInt(p.po, 10),
		"shipmentID": strconv.FormatInt(p.shipment, 10),
		"endpointID": strconv.FormatInt(p.endpoint, 10),
		"channelID":  strconv.FormatInt(p.channel, 10),
		"messageID":  strconv.FormatInt(p.message, 10),
		"supplierID": strconv.FormatInt(p.managed, 10),
		// Routes under /purchase-orders/:poID/website take the website PO.
		"websitePO": strconv.FormatInt(p.websitePO, 10),
		"publicID":  p.merchant.PublicID,
		// Platform routes take an account: only platform admins reach them.
		"accountID": strconv.FormatInt(p.merchant.ID, 10),
		// Routes in supplierPublicIDRoutes take the supplier's instead.
		"supplierPublicID": p.supplier.PublicID,
		// A feed's public URL: only its secret token opens it.
		"token":  "fd_not-a-real-token",
		"format": "products.csv",
	}
}

// supplierPublicIDRoutes take a supplier's public ID as :publicID.
var supplierPublicIDRoutes = map[string]bool{"/suppliers/:publicID/scorecard": true}

func fillPath(t *testing.T, path string, params map[string]string) string {
	t.Helper()
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if name, ok := strings.CutPrefix(p, ":"); ok {
			if name == "publicID" && supplierPublicIDRoutes[path] {
				name = "supplierPublicID"
			}
			if name == "poID" && strings.HasPrefix(path, "/purchase-orders/:poID/website") {
				name = "websitePO"
			}
			v, ok := params[name]
			if !ok {
				t.Fatalf("route %s has parameter :%s with no entry in routeParams: add one so the tenant walk covers it", path, name)
			}
			parts[i] = v
		}
	}
	return strings.Join(parts, "/")
}

// signedRoutes authenticate by a signature over the body, not by tenant:
// a request without the tenant's signature is 401 and changes nothing.
var signedRoutes = map[string]bool{"/api/v1/webhooks/shopify/:publicID": true}

// TestTenantRouteWalk requests every route that takes an ID as users of
// other accounts, aiming at merchant A's and supplier S's records, and
// expects 404 with the database unchanged. TestTenantRouteWalkBothWays
// walks the other way too.
func TestTenantRouteWalk(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	env.websitePO(w.as)
	_, tokenT, err := env.db.CreateToken(t.Context(), store.CLIActor, w.supplierT.ID, "T's token")
	if err != nil {
		t.Fatal(err)
	}
	attackers := []attacker{env.attacker(w.adminB, w.tokenB), env.attacker(w.adminT, tokenT)}
	if walked := walkTenantRoutes(t, env, attackers, routeParams(w), nil); walked == 0 {
		t.Fatal("walked no routes")
	}
}

// attacker is a signed-in user of one account and an API token of the same account.
type attacker struct {
	email string
	web   *client
	token string
}

func (e *testEnv) attacker(u store.User, token string) attacker {
	c := e.client()
	c.login(u.Email)
	return attacker{email: u.Email, web: c, token: token}
}

// walkTenantRoutes requests every route with a path parameter (those match
// keeps, or all) as each attacker, aiming at the records in params, and
// expects 404 (401 for signed webhooks) with the database unchanged. Browser
// routes go with the attacker's session and CSRF token, API routes with its
// bearer token. It returns the number of requests made.
func walkTenantRoutes(t *testing.T, env *testEnv, attackers []attacker, params map[string]string, match func(path string) bool) int {
	t.Helper()
	walked := 0
	for _, r := range env.echo.Routes() {
		if !strings.Contains(r.Path, ":") || strings.Contains(r.Path, "*") || (match != nil && !match(r.Path)) {
			continue
		}
		path := fillPath(t, r.Path, params)
		for _, a := range attackers {
			c := a.web
			before := env.dbDigest()
			var status int
			if strings.HasPrefix(r.Path, "/api/") {
				req, _ := http.NewRequest(r.Method, env.srv.URL+path, strings.NewReader("{}"))
				req.Header.Set("Authorization", "Bearer "+a.token)
				req.Header.Set("Content-Type", "application/json")
				status = c.do(req).status
			} else if r.Method == http.MethodGet {
				status = c.get(path).status
			} else {
				form := url.Values{"_csrf": {c.csrf}, "role": {"admin"}, "action": {"end"}, "name": {"Hijacked"}, "show_prices": {"true"}, "po_prefix": {"X-"}, "po_format": {"sequence"}}
				req, _ := http.NewRequest(r.Method, env.srv.URL+path, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				status = c.do(req).status
			}
			want := http.StatusNotFound
			if signedRoutes[r.Path] {
				want = http.StatusUnauthorized
			}
			if status != want {
				t.Errorf("%s %s as %s: status %d, want %d", r.Method, path, a.email, status, want)
			}
			if env.dbDigest() != before {
				t.Errorf("%s %s as %s changed the database", r.Method, path, a.email)
			}
			walked++
		}
	}
	return walked
}

// TestCSRFRouteWalk sends every unsafe browser route without a token and with
// a wrong one, as a signed-in admin of the records, and expects 403 with the
// database unchanged.
func TestCSRFRouteWalk(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	env.websitePO(w.as)
	params := routeParams(w)
	// The platform admin, made an admin of merchant A too, reaches every
	// merchant and platform route; supplier S's admin the supplier routes.
	if _, err := env.db.AddMember(t.Context(), store.CLIActor, w.merchantA.ID, store.NewMember{Email: w.platform.Email, Role: store.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	c := env.client()
	c.login(w.platform.Email)
	sup := env.client()
	sup.login(w.adminS.Email)

	walked := 0
	for _, r := range env.echo.Routes() {
		if strings.HasPrefix(r.Path, "/api/") || strings.Contains(r.Path, "*") {
			continue
		}
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions, "echo_route_not_found":
			continue
		}
		path := fillPath(t, r.Path, params)
		for name, token := range map[string]string{"missing": "", "wrong": "not-the-token"} {
			before := env.dbDigest()
			form := url.Values{"role": {"admin"}, "name": {"x"}, "email": {"new@example.com"}, "password": {testPassword},
				"kind": {"merchant"}, "time_zone": {"UTC"}, "account_id": {strconv.FormatInt(w.merchantA.ID, 10)},
				"supplier_id": {strconv.FormatInt(w.supplierT.ID, 10)}, "merchant_id": {strconv.FormatInt(w.merchantA.ID, 10)}}
			if token != "" {
				form.Set("_csrf", token)
			}
			cl := c
			if supplierRoute(r.Path) {
				cl = sup
			}
			p := cl.postRaw(path, form)
			if p.status != http.StatusForbidden {
				t.Errorf("%s %s with %s token: status %d, want 403", r.Method, path, name, p.status)
			}
			if env.dbDigest() != before {
				t.Errorf("%s %s with %s token changed the database", r.Method, path, name)
			}
		}
		walked++
	}
	if walked < 10 {
		t.Fatalf("walked %d unsafe routes, want at least 10", walked)
	}
}

// supplierRoute reports whether a route is served only to supplier accounts.
func supplierRoute(path string) bool {
	return strings.HasPrefix(path, "/settings/statuses") || path == "/settings/deadlines" || strings.HasPrefix(path, "/merchants") || strings.HasPrefix(path, "/dropship-orders") ||
		strings.HasPrefix(path, "/feeds")
}
