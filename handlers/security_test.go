package handlers_test

import (
	"bytes"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
)

// The tests of the hardening issue: tenant isolation both ways, every
// method, leaks without IDs, platform routes, sessions, headers and tokens.

// pairAttackers are a pair's admins, each signed in and holding an API token
// of their account.
func (e *testEnv) pairAttackers(p *tenantPair) []attacker {
	return []attacker{e.attacker(p.merchantAdmin, p.merchantToken), e.attacker(p.supplierAdmin, p.supplierToken)}
}

// directions are the two ways a mirrored world is attacked: pair B↔T's
// admins against A↔S's records, then A↔S's against B↔T's. Between them
// they cover merchant↔merchant, supplier↔supplier, merchant→unlinked
// supplier and supplier→unlinked merchant, each both ways.
func directions(w *world) []struct {
	name              string
	attacker, victims *tenantPair
} {
	return []struct {
		name              string
		attacker, victims *tenantPair
	}{{"B,T→A,S", w.bt, w.as}, {"A,S→B,T", w.as, w.bt}}
}

func isAPI(path string) bool { return strings.HasPrefix(path, "/api/") }

// TestTenantRouteWalkBothWays walks every browser route with a path
// parameter as the other pair's merchant and supplier admins, in both
// directions: 404 and the database unchanged. It first checks that the
// records aimed at are real: their own pair opens every such GET route.
func TestTenantRouteWalkBothWays(t *testing.T) {
	env := newEnv(t)
	w := env.mirroredWorld()
	env.websitePO(w.as)
	env.websitePO(w.bt)
	total := 0
	for _, d := range directions(w) {
		params := pairParams(d.victims)
		ownersCanOpen(t, env, env.pairAttackers(d.victims), params, func(p string) bool { return !isAPI(p) })
		attackers := env.pairAttackers(d.attacker)
		n := walkTenantRoutes(t, env, attackers, params, func(p string) bool { return !isAPI(p) })
		// Users and tokens belong to either kind of account: walk their
		// routes again aimed at the supplier's.
		params["userID"] = strconv.FormatInt(d.victims.supplierStaff.ID, 10)
		params["tokenID"] = strconv.FormatInt(d.victims.supplierTokenID, 10)
		n += walkTenantRoutes(t, env, attackers, params, func(p string) bool {
			return strings.Contains(p, ":userID") || strings.Contains(p, ":tokenID")
		})
		t.Logf("%s: %d browser requests (routes × 2 attackers)", d.name, n)
		total += n
	}
	if total < 100 {
		t.Fatalf("walked %d requests, want at least 100", total)
	}
}

// TestAPITenantWalkBothWays walks every API route with a path parameter with
// each merchant and supplier token of the other pair, with no cookie at all:
// 404 and the database unchanged, both ways.
func TestAPITenantWalkBothWays(t *testing.T) {
	env := newEnv(t)
	w := env.mirroredWorld()
	env.websitePO(w.as)
	env.websitePO(w.bt)
	total := 0
	for _, d := range directions(w) {
		params := pairParams(d.victims)
		p := d.attacker
		tokens := []attacker{
			{email: p.merchant.Name + "'s token", web: env.client(), token: p.merchantToken},
			{email: p.supplier.Name + "'s token", web: env.client(), token: p.supplierToken},
		}
		owners := []attacker{
			{email: d.victims.merchant.Name + "'s token", web: env.client(), token: d.victims.merchantToken},
			{email: d.victims.supplier.Name + "'s token", web: env.client(), token: d.victims.supplierToken},
		}
		ownersCanOpen(t, env, owners, params, isAPI)
		n := walkTenantRoutes(t, env, tokens, params, isAPI)
		t.Logf("%s: %d API requests (routes × 2 tokens)", d.name, n)
		total += n
	}
	if total < 20 {
		t.Fatalf("walked %d API requests, want at least 20", total)
	}
}

// ownersCanOpen checks that every GET route with a parameter opens (200) for
// at least one of the records' own users, so the walk's 404s come from
// tenancy and not from IDs that point at nothing.
func ownersCanOpen(t *testing.T, env *testEnv, owners []attacker, params map[string]string, match func(string) bool) {
	t.Helper()
	for _, r := range env.echo.Routes() {
		if r.Method != http.MethodGet || !strings.Contains(r.Path, ":") || strings.Contains(r.Path, "*") || !match(r.Path) {
			continue
		}
		if r.Path == "/feed/:token/:format" || r.Path == "/po-link/:poID/:token" || r.Path == "/track/:token" {
			continue // the walk aims a made-up token at it
		}
		if strings.HasPrefix(r.Path, "/admin/") {
			continue // platform routes: no account's users open them (TestPlatformAdminSearchesAndOpensAnAccount does)
		}
		if strings.HasPrefix(r.Path, "/suppliers-outside/") {
			continue // the pairs keep no supplier outside Dropline: TestEmailSupplierRoutesAreTheMerchantsAlone walks these
		}
		if strings.HasSuffix(r.Path, "/upload/progress") || strings.HasSuffix(r.Path, "/upload/errors.csv") {
			continue // these answer for an upload's token in the query, which the walk has none of
		}
		path := fillPath(t, r.Path, params)
		var got []int
		for _, o := range owners {
			req, _ := http.NewRequest(http.MethodGet, env.srv.URL+path, nil)
			if isAPI(r.Path) {
				req.Header.Set("Authorization", "Bearer "+o.token)
			}
			got = append(got, o.web.do(req).status)
		}
		if !slices.Contains(got, http.StatusOK) {
			t.Errorf("GET %s: the records' own users get %v, want a 200 among them (does the parameter point at a real record?)", path, got)
		}
	}
}

// routeMethods maps every registered path to its methods.
func routeMethods(env *testEnv) map[string][]string {
	out := map[string][]string{}
	for _, r := range env.echo.Routes() {
		if strings.Contains(r.Path, "*") || r.Method == "echo_route_not_found" {
			continue
		}
		out[r.Path] = append(out[r.Path], r.Method)
	}
	return out
}

var walkMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// unsafeRequest is a request with a form body that would do harm if a
// handler took it: the client's CSRF token in the form and the header, and
// the API token when the path is the API's.
func unsafeRequest(env *testEnv, c *client, method, path, apiToken string, form url.Values) *http.Request {
	f := url.Values{"_csrf": {c.csrf}}
	for k, v := range form {
		f[k] = v
	}
	req, _ := http.NewRequest(method, env.srv.URL+path, strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", c.csrf)
	if isAPI(path) {
		req.Header.Set("Authorization", "Bearer "+apiToken)
	}
	return req
}

// harmfulForm fills the fields the unsafe routes read, so a request that
// reached a handler would change something.
func harmfulForm(w *world) url.Values {
	return url.Values{"role": {"admin"}, "action": {"end"}, "name": {"Hijacked"}, "email": {"new@example.com"}, "password": {testPassword},
		"kind": {"merchant"}, "time_zone": {"UTC"}, "account_id": {strconv.FormatInt(w.merchantA.ID, 10)},
		"supplier_id": {strconv.FormatInt(w.supplierT.ID, 10)}, "merchant_id": {strconv.FormatInt(w.merchantA.ID, 10)},
		"show_prices": {"true"}, "po_prefix": {"X-"}, "po_format": {"sequence"}, "allow_private_feeds": {"true"}}
}

// TestUnregisteredMethodsAreRefused sends every path every method it does not
// register, as a signed-in admin of the records with a valid CSRF token (and
// the account's token on API paths): 404 or 405, never 2xx or 3xx, and the
// database unchanged.
func TestUnregisteredMethodsAreRefused(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	env.websitePO(w.as)
	params := routeParams(w)
	// The platform admin, made an admin of merchant A too, reaches every
	// merchant and platform route; supplier S's admin the supplier routes.
	if _, err := env.db.AddMember(t.Context(), store.CLIActor, w.merchantA.ID, store.NewMember{Email: w.platform.Email, Role: store.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	_, tokenS, err := env.db.CreateToken(t.Context(), store.CLIActor, w.supplierS.ID, "S's token")
	if err != nil {
		t.Fatal(err)
	}
	c := env.client()
	c.login(w.platform.Email)
	sup := env.client()
	sup.login(w.adminS.Email)
	form := harmfulForm(w)
	sent := 0
	before := env.dbDigest()
	for path, methods := range routeMethods(env) {
		for _, m := range walkMethods {
			if slices.Contains(methods, m) {
				continue
			}
			cl, token := c, w.tokenA
			if supplierRoute(path) || strings.HasPrefix(path, "/api/v1/shipments") {
				cl, token = sup, tokenS
			}
			p := cl.do(unsafeRequest(env, cl, m, fillPath(t, path, params), token, form))
			if p.status != http.StatusNotFound && p.status != http.StatusMethodNotAllowed {
				t.Errorf("%s %s (registered: %v): status %d, want 404 or 405", m, path, methods, p.status)
			}
			if after := env.dbDigest(); after != before {
				t.Errorf("%s %s (registered: %v) changed the database", m, path, methods)
				before = after
			}
			sent++
		}
	}
	t.Logf("%d requests with unregistered methods", sent)
	if sent < 100 {
		t.Fatalf("sent %d requests, want at least 100", sent)
	}
}

// TestPlatformRoutesRefuseAccountAdmins sends every /admin route every
// method as account admins (merchant and supplier) who are not platform
// admins, with a valid CSRF token: 403 or 404, and the database unchanged.
func TestPlatformRoutesRefuseAccountAdmins(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	env.websitePO(w.as)
	params := routeParams(w)
	form := harmfulForm(w)
	sent := 0
	for _, u := range []store.User{w.adminA, w.adminS} {
		c := env.client()
		c.login(u.Email)
		before := env.dbDigest()
		for path := range routeMethods(env) {
			if !strings.HasPrefix(path, "/admin/") {
				continue
			}
			for _, m := range walkMethods {
				p := c.do(unsafeRequest(env, c, m, fillPath(t, path, params), "", form))
				if p.status != http.StatusForbidden && p.status != http.StatusNotFound {
					t.Errorf("%s %s as %s: status %d, want 403 or 404", m, path, u.Email, p.status)
				}
				if after := env.dbDigest(); after != before {
					t.Errorf("%s %s as %s changed the database", m, path, u.Email)
					before = after
				}
				sent++
			}
		}
	}
	if sent < 2*4*5 {
		t.Fatalf("sent %d requests, want at least 40 (4 paths × 5 methods × 2 admins)", sent)
	}
}

// canaries are strings only the pair's records carry.
func canaries(p *tenantPair) []string {
	n := p.names
	return []string{n.customer, n.orderNumber, p.poNumber, n.sku, n.title, n.feed, n.provider, n.endpoint, n.merchantStaff, n.supplierStaff}
}

// leakQueries are query strings naming the victims' records, for list pages,
// searches, filters, exports and partials.
func leakQueries(v *tenantPair) []string {
	n := v.names
	sid, mid := strconv.FormatInt(v.supplier.ID, 10), strconv.FormatInt(v.merchant.ID, 10)
	return []string{"", "?tab=all", "?q=" + url.QueryEscape(n.sku), "?tab=all&q=" + url.QueryEscape(n.orderNumber),
		"?tab=all&q=" + url.QueryEscape(v.poNumber), "?tab=all&q=" + url.QueryEscape(n.customer),
		// Filters read by different routes, so they can share a query.
		"?tab=all&supplier=" + sid + "&merchant=" + mid + "&id=" + strconv.FormatInt(v.po, 10) + "&with=" + v.supplier.PublicID,
		"?merchant=" + v.merchant.PublicID + "&with=" + v.merchant.PublicID,
		"?status=all&side=supplier&merchant=" + mid + "&state=all&attention=1&kind=orders"}
}

// TestNoLeakWithoutIDs fetches every GET route without a path parameter
// (lists, dashboards, CSV exports, htmx partials, API lists) with query
// strings naming the other pair's records, as the other pair's merchant and
// supplier admins (API routes with their tokens), both ways: no body shows
// a canary string of the victims' records. A canary the query itself names
// is not looked for in that response (pages echo a search back), but the
// record's other canaries are. The victims' own admins see every canary on
// the same routes, so the test can fail.
func TestNoLeakWithoutIDs(t *testing.T) {
	env := newEnv(t)
	w := env.mirroredWorld()
	env.websitePO(w.as)
	env.websitePO(w.bt)
	var paths []string
	for path, methods := range routeMethods(env) {
		if slices.Contains(methods, http.MethodGet) && !strings.Contains(path, ":") {
			paths = append(paths, path)
		}
	}
	slices.Sort(paths)
	fetch := func(a attacker, target string, htmx bool) page {
		req, _ := http.NewRequest(http.MethodGet, env.srv.URL+target, nil)
		if isAPI(target) {
			req.Header.Set("Authorization", "Bearer "+a.token)
		}
		if htmx {
			req.Header.Set("HX-Request", "true")
		}
		return a.web.do(req)
	}
	// lookFor are the canaries a response to target must not show: those
	// the query does not name.
	lookFor := func(secrets []string, target string) []string {
		q, _ := url.QueryUnescape(target)
		var out []string
		for _, s := range secrets {
			if !strings.Contains(q, s) {
				out = append(out, s)
			}
		}
		return out
	}
	for _, d := range directions(w) {
		attackers, owners := env.pairAttackers(d.attacker), env.pairAttackers(d.victims)
		secrets := canaries(d.victims)
		for _, other := range canaries(d.attacker) {
			for _, s := range secrets {
				if strings.Contains(other, s) || strings.Contains(s, other) {
					t.Fatalf("canaries %q and %q overlap", s, other)
				}
			}
		}
		seen := map[string]bool{}
		fetched := 0
		for _, path := range paths {
			for _, o := range owners {
				for _, q := range []string{"", "?tab=all"} {
					body := fetch(o, path+q, false).body
					for _, s := range secrets {
						seen[s] = seen[s] || strings.Contains(body, s)
					}
				}
			}
			for _, q := range leakQueries(d.victims) {
				for _, htmx := range []bool{false, true} {
					if htmx && isAPI(path) {
						continue
					}
					target := path + q
					for _, a := range attackers {
						p := fetch(a, target, htmx)
						if p.status >= 500 {
							t.Errorf("GET %s (htmx %v) as %s: status %d", target, htmx, a.email, p.status)
						}
						for _, s := range lookFor(secrets, target) {
							if strings.Contains(p.body, s) {
								t.Errorf("GET %s (htmx %v) as %s shows %q of the other pair's records", target, htmx, a.email, s)
							}
						}
						fetched++
					}
				}
			}
		}
		for _, s := range secrets {
			if !seen[s] {
				t.Errorf("%s: canary %q never shows to its own tenants, so its absence proves nothing", d.name, s)
			}
		}
		t.Logf("%s: %d routes, %d fetches by the other pair", d.name, len(paths), fetched)
	}
}

// sessionCookie returns the session cookie a response sets, or nil.
func sessionCookie(h http.Header) *http.Cookie {
	for _, ck := range (&http.Response{Header: h}).Cookies() {
		if ck.Name == "dropline" {
			return ck
		}
	}
	return nil
}

// withCookie is a fresh client holding only the given session cookie value.
func (e *testEnv) withCookie(value string) *client {
	c := e.client()
	u, _ := url.Parse(e.srv.URL)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: "dropline", Value: value, Path: "/"}})
	return c
}

// sessionRows counts a user's server-side sessions.
func (e *testEnv) sessionRows(userID int64) int {
	e.t.Helper()
	raw, err := e.db.OpenSQL()
	if err != nil {
		e.t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow("SELECT count(*) FROM sessions WHERE user_id = ?", userID).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func sentToLogin(p page) bool {
	return p.status == http.StatusSeeOther && strings.HasPrefix(p.header.Get("Location"), "/login")
}

// TestSessionFixation: the cookie a browser holds before signing in does not
// grant access after, the CSRF token rotates and the old one is refused, and
// signing in again ends the session signed in before.
func TestSessionFixation(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	pre := c.get("/login")
	k0 := sessionCookie(pre.header)
	if k0 == nil {
		t.Fatal("the login page set no session cookie")
	}
	preCSRF := c.csrf
	in := c.post("/login", url.Values{"email": {w.adminA.Email}, "password": {testPassword}})
	k1 := sessionCookie(in.header)
	if in.status != http.StatusSeeOther || k1 == nil {
		t.Fatalf("login: %d, cookie %v", in.status, k1)
	}
	if k1.Value == k0.Value {
		t.Fatal("the session cookie did not change at sign-in")
	}
	// Someone who planted or kept the pre-login cookie is not signed in.
	if p := env.withCookie(k0.Value).get("/settings"); !sentToLogin(p) {
		t.Fatalf("pre-login cookie after sign-in: %d to %q, want 303 to /login", p.status, p.header.Get("Location"))
	}
	// The new cookie is.
	if p := env.withCookie(k1.Value).get("/settings"); p.status != http.StatusOK {
		t.Fatalf("signed-in cookie: %d, want 200", p.status)
	}
	// The pre-login CSRF token no longer passes.
	c.refresh()
	if c.csrf == preCSRF {
		t.Fatal("the CSRF token did not rotate at sign-in")
	}
	before := env.dbDigest()
	if p := c.postRaw("/settings/tokens", url.Values{"_csrf": {preCSRF}, "name": {"with an old token"}}); p.status != http.StatusForbidden {
		t.Fatalf("pre-login CSRF token after sign-in: %d, want 403", p.status)
	}
	if env.dbDigest() != before {
		t.Fatal("a stale CSRF token changed the database")
	}
	// Signing in again (as someone else) in the same browser ends the
	// session signed in before: its cookie is worthless.
	c.get("/login")
	again := c.post("/login", url.Values{"email": {w.staffA.Email}, "password": {testPassword}})
	if again.status != http.StatusSeeOther {
		t.Fatalf("second sign-in: %d", again.status)
	}
	if p := env.withCookie(k1.Value).get("/settings"); !sentToLogin(p) {
		t.Fatalf("the first session's cookie after signing in again: %d, want 303 to /login", p.status)
	}
	if n := env.sessionRows(w.adminA.ID); n != 0 {
		t.Fatalf("admin A still has %d server-side sessions", n)
	}
}

// TestSignOutDeletesTheServerSession: after sign-out the session row is
// gone, the cookie is cleared, and a replayed copy of the signed-in cookie
// is sent to the login page and cannot change anything.
func TestSignOutDeletesTheServerSession(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.get("/login")
	in := c.post("/login", url.Values{"email": {w.adminA.Email}, "password": {testPassword}})
	stolen := sessionCookie(in.header)
	c.refresh()
	if n := env.sessionRows(w.adminA.ID); n != 1 {
		t.Fatalf("%d server-side sessions after sign-in, want 1", n)
	}
	csrf := c.csrf
	out := c.post("/logout", nil)
	if out.status != http.StatusSeeOther || out.header.Get("Location") != "/login" {
		t.Fatalf("logout: %d to %q", out.status, out.header.Get("Location"))
	}
	if ck := sessionCookie(out.header); ck == nil || ck.MaxAge >= 0 {
		t.Errorf("logout cookie %v, want one that deletes the session cookie (Max-Age<0)", ck)
	}
	if n := env.sessionRows(w.adminA.ID); n != 0 {
		t.Fatalf("%d server-side sessions after sign-out, want 0", n)
	}
	replay := env.withCookie(stolen.Value)
	if p := replay.get("/settings"); !sentToLogin(p) {
		t.Fatalf("replayed cookie after sign-out: %d, want 303 to /login", p.status)
	}
	// The replayed cookie still carries its CSRF token: the request is
	// refused for want of a session, and nothing changes.
	before := env.dbDigest()
	if p := replay.postRaw("/settings/tokens", url.Values{"_csrf": {csrf}, "name": {"after sign-out"}}); p.status != http.StatusUnauthorized {
		t.Fatalf("POST with the replayed cookie: %d, want 401", p.status)
	}
	if env.dbDigest() != before {
		t.Fatal("a signed-out cookie changed the database")
	}
}

// TestSessionsExpire: with the store's clock moved past the session's
// lifetime, the cookie is sent to the login page; a minute before, it works.
func TestSessionsExpire(t *testing.T) {
	env := newEnv(t)
	var offset atomic.Int64
	env.db.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	w := env.world()
	c := env.client()
	c.login(w.adminA.Email)
	if p := c.get("/settings"); p.status != http.StatusOK {
		t.Fatalf("fresh session: %d", p.status)
	}
	offset.Store(int64(store.SessionLifetime - time.Minute))
	if p := c.get("/settings"); p.status != http.StatusOK {
		t.Fatalf("a minute before expiry: %d, want 200", p.status)
	}
	csrf := c.csrf
	offset.Store(int64(store.SessionLifetime + time.Minute))
	p := c.get("/settings")
	if !sentToLogin(p) || p.header.Get("Location") != "/login?next="+url.QueryEscape("/settings") {
		t.Fatalf("expired session: %d to %q, want 303 to /login?next=%%2Fsettings", p.status, p.header.Get("Location"))
	}
	before := env.dbDigest()
	if p := c.postRaw("/settings/tokens", url.Values{"_csrf": {csrf}, "name": {"after expiry"}}); p.status != http.StatusUnauthorized && p.status != http.StatusForbidden {
		t.Fatalf("POST with an expired session: %d, want 401 or 403", p.status)
	}
	if env.dbDigest() != before {
		t.Fatal("an expired session changed the database")
	}
}

// TestSessionCookieFlags: the session cookie is HttpOnly, SameSite=Lax,
// Path=/ and lasts the session's lifetime; it is Secure when the request
// came over TLS and not over plain HTTP (where a browser would drop it).
func TestSessionCookieFlags(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	tlsSrv := httptest.NewTLSServer(env.echo)
	t.Cleanup(tlsSrv.Close)
	for _, tc := range []struct {
		name   string
		base   string
		client *http.Client
		secure bool
	}{
		{"plain HTTP", env.srv.URL, env.srv.Client(), false},
		{"TLS", tlsSrv.URL, tlsSrv.Client(), true},
	} {
		jar, _ := cookiejar.New(nil)
		hc := tc.client
		hc.Jar = jar
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		c := &client{t: t, env: env, http: hc}
		check := func(step string, h http.Header) {
			ck := sessionCookie(h)
			if ck == nil {
				t.Fatalf("%s %s: no session cookie", tc.name, step)
			}
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure != tc.secure {
				t.Errorf("%s %s: cookie HttpOnly=%v SameSite=%v Path=%q Secure=%v, want true, Lax, /, %v",
					tc.name, step, ck.HttpOnly, ck.SameSite, ck.Path, ck.Secure, tc.secure)
			}
			if ck.MaxAge != int(store.SessionLifetime.Seconds()) {
				t.Errorf("%s %s: cookie Max-Age %d, want the session lifetime %d", tc.name, step, ck.MaxAge, int(store.SessionLifetime.Seconds()))
			}
		}
		get := func(path string) page {
			req, _ := http.NewRequest(http.MethodGet, tc.base+path, nil)
			return c.do(req)
		}
		check("login page", get("/login").header)
		form := url.Values{"_csrf": {c.csrf}, "email": {w.adminA.Email}, "password": {testPassword}}
		req, _ := http.NewRequest(http.MethodPost, tc.base+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		in := c.do(req)
		if in.status != http.StatusSeeOther {
			t.Fatalf("%s login: %d", tc.name, in.status)
		}
		check("sign-in", in.header)
	}
	// A forwarded-protocol header cannot switch Secure off over TLS.
	req, _ := http.NewRequest(http.MethodGet, tlsSrv.URL+"/login", nil)
	req.Header.Set("X-Forwarded-Proto", "http")
	res, err := (&http.Client{Transport: tlsSrv.Client().Transport}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if ck := sessionCookie(res.Header); ck == nil || !ck.Secure {
		t.Errorf("over TLS with X-Forwarded-Proto: http, cookie %v, want Secure", ck)
	}
}

// TestSecurityHeadersOnEveryResponseType: pages, partials, error pages,
// redirects, static files, API JSON and errors, CSV downloads and the login
// page all carry the same security headers.
func TestSecurityHeadersOnEveryResponseType(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	anon := env.client()
	admin := env.client()
	admin.login(w.adminA.Email)
	staff := env.client()
	staff.login(w.staffA.Email)
	sup := env.client()
	sup.login(w.adminS.Email)
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	api := func(path, token string) page {
		req, _ := http.NewRequest(http.MethodGet, env.srv.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return anon.do(req)
	}
	htmx := func(c *client, path string) page {
		req, _ := http.NewRequest(http.MethodGet, env.srv.URL+path, nil)
		req.Header.Set("HX-Request", "true")
		return c.do(req)
	}
	method := func(c *client, m, path string) page {
		req, _ := http.NewRequest(m, env.srv.URL+path, nil)
		return c.do(req)
	}
	cases := []struct {
		name   string
		p      page
		status int
		ctype  string
	}{
		{"login page", anon.get("/login"), 200, "text/html"},
		{"page", admin.get("/settings"), 200, "text/html"},
		{"dashboard", admin.get("/"), 200, "text/html"},
		{"htmx partial", htmx(admin, "/orders?tab=all"), 200, "text/html"},
		{"htmx tracking partial", htmx(admin, "/orders/"+id(w.orderA)+"/tracking"), 200, "text/html"},
		{"404 page", admin.get("/orders/999999999"), 404, "text/html"},
		{"404 unknown path", admin.get("/no/such/page"), 404, "text/html"},
		{"403 page", staff.post("/settings/account", url.Values{"name": {"x"}}), 403, "text/html"},
		{"403 CSRF", admin.postRaw("/settings/tokens", url.Values{"name": {"x"}}), 403, "text/html"},
		{"unregistered method, no CSRF token", method(anon, http.MethodDelete, "/healthz"), 403, "text/html"},
		{"unregistered method", admin.do(unsafeRequest(env, admin, http.MethodDelete, "/settings", "", nil)), 404, "text/html"},
		{"API unregistered method", method(anon, http.MethodDelete, "/api/v1/account"), 401, "application/json"},
		{"303 to login", anon.get("/orders"), 303, ""},
		{"301 trailing slash", anon.get("/login/"), 301, ""},
		{"static CSS", anon.get("/static/app.css"), 200, "text/css"},
		{"static JS", anon.get("/static/app.js"), 200, "javascript"},
		{"healthz", anon.get("/healthz"), 200, "text/plain"},
		{"API JSON", api("/api/v1/account", w.tokenA), 200, "application/json"},
		{"API 401", api("/api/v1/account", ""), 401, "application/json"},
		{"API 404", api("/api/v1/orders/999999999", w.tokenA), 404, "application/json"},
		{"OpenAPI", api("/api/v1/openapi.json", ""), 200, "application/json"},
		{"CSV template", admin.get("/products/template.csv"), 200, "text/csv"},
		{"CSV statement", admin.get("/statements/csv?with=" + w.supplierS.PublicID), 200, "text/csv"},
		{"packing slips", sup.get("/dropship-orders/packing-slips?id=" + id(w.poA)), 200, "text/html"},
		{"feed 404", anon.get("/feed/fd_nope/products.csv"), 404, ""},
	}
	for _, tc := range cases {
		h := tc.p.header
		if tc.p.status != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, tc.p.status, tc.status)
		}
		if tc.ctype != "" && !strings.Contains(h.Get("Content-Type"), tc.ctype) {
			t.Errorf("%s: Content-Type %q, want %s", tc.name, h.Get("Content-Type"), tc.ctype)
		}
		csp := cspDirectives(h.Get("Content-Security-Policy"))
		for _, d := range []string{"default-src", "script-src"} {
			if v, ok := csp[d]; !ok || slices.Contains(v, "'unsafe-inline'") || slices.Contains(v, "'unsafe-eval'") || slices.Contains(v, "*") {
				t.Errorf("%s: CSP %s = %v, want set, without 'unsafe-inline', 'unsafe-eval' or *", tc.name, d, v)
			}
		}
		if v := csp["frame-ancestors"]; !slices.Equal(v, []string{"'none'"}) {
			t.Errorf("%s: CSP frame-ancestors = %v, want 'none'", tc.name, v)
		}
		if v := csp["object-src"]; !slices.Equal(v, []string{"'none'"}) {
			t.Errorf("%s: CSP object-src = %v, want 'none'", tc.name, v)
		}
		if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q, want nosniff", tc.name, got)
		}
		if got := h.Get("X-Frame-Options"); got != "DENY" {
			t.Errorf("%s: X-Frame-Options %q, want DENY", tc.name, got)
		}
		switch got := h.Get("Referrer-Policy"); got {
		case "same-origin", "no-referrer", "strict-origin", "strict-origin-when-cross-origin":
		default:
			t.Errorf("%s: Referrer-Policy %q, want one that sends no path to other sites", tc.name, got)
		}
	}
}

// cspDirectives parses a Content-Security-Policy into directive → sources.
func cspDirectives(policy string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(policy, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			out[strings.ToLower(f[0])] = f[1:]
		}
	}
	return out
}

// TestAPITokensAtRestAndRevokedAtOnce adds to TestTokensShownOnceAndRevoked
// and the store's hashing test: a token made through the portal is nowhere
// in the database's files (main and WAL) nor on later pages, and once revoked
// it is refused at once on writes too, changing nothing.
func TestAPITokensAtRestAndRevokedAtOnce(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.adminA.Email)
	c.get("/settings")
	if p := c.post("/settings/tokens", url.Values{"name": {"Robot"}}); p.status != http.StatusSeeOther {
		t.Fatalf("create token: %d", p.status)
	}
	secret := strings.TrimSpace(c.get("/settings").doc.Find(`[data-testid="new-token"]`).Text())
	if !strings.HasPrefix(secret, "dl_") || len(secret) < 40 {
		t.Fatalf("new token shown as %q", secret)
	}
	for _, path := range []string{"/settings", "/settings/outbox", "/"} {
		if p := c.get(path); strings.Contains(p.body, secret) {
			t.Errorf("GET %s shows the token again", path)
		}
	}
	for _, f := range []string{env.path, env.path + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(secret)) || bytes.Contains(raw, []byte(secret[len("dl_"):])) {
			t.Errorf("%s holds the API token in clear", f)
		}
	}
	tokens, err := env.db.Tokens(t.Context(), w.merchantA.ID)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	for _, tk := range tokens {
		if tk.Name == "Robot" {
			id = tk.ID
		}
	}
	call := func(method, path, body string) int {
		req, _ := http.NewRequest(method, env.srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/json")
		return env.client().do(req).status
	}
	if got := call(http.MethodGet, "/api/v1/orders", ""); got != http.StatusOK {
		t.Fatalf("token before revoking: %d", got)
	}
	if p := c.post("/settings/tokens/"+strconv.FormatInt(id, 10)+"/revoke", nil); p.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", p.status)
	}
	before := env.dbDigest()
	order := `{"channel":"manual","channel_order_id":"REVOKED-1","currency":"USD","ship_to":{"name":"X","address1":"1 Main St","city":"Springfield","postal_code":"62701","country":"US"},"lines":[{"sku":"S-100","quantity":1}]}`
	for _, r := range []struct{ method, path, body string }{
		{http.MethodGet, "/api/v1/orders", ""},
		{http.MethodPost, "/api/v1/orders", order},
		{http.MethodPost, "/api/v1/orders/" + strconv.FormatInt(w.orderA, 10) + "/dropship", "{}"},
		{http.MethodPost, "/api/v1/purchase-orders/" + strconv.FormatInt(w.poA, 10) + "/cancel", "{}"},
	} {
		if got := call(r.method, r.path, r.body); got != http.StatusUnauthorized {
			t.Errorf("revoked token %s %s: %d, want 401", r.method, r.path, got)
		}
	}
	if env.dbDigest() != before {
		t.Fatal("a revoked token changed the database")
	}
	// The account's other token is untouched.
	req, _ := http.NewRequest(http.MethodGet, env.srv.URL+"/api/v1/account", nil)
	req.Header.Set("Authorization", "Bearer "+w.tokenA)
	if p := env.client().do(req); p.status != http.StatusOK {
		t.Fatalf("the other token after a revoke: %d", p.status)
	}
}
