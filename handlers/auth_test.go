package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/dropline/dropline/store"
)

func TestHealthz(t *testing.T) {
	env := newEnv(t)
	p := env.client().get("/healthz")
	if p.status != http.StatusOK || strings.TrimSpace(p.body) != "ok" {
		t.Fatalf("GET /healthz: %d %q, want 200 ok", p.status, p.body)
	}
}

func TestLoginPageHasPinnedFields(t *testing.T) {
	env := newEnv(t)
	p := env.client().get("/login")
	if p.status != http.StatusOK {
		t.Fatalf("GET /login: status %d", p.status)
	}
	for _, sel := range []string{`form[action="/login"] input[name="email"]`, `form[action="/login"] input[name="password"]`} {
		if p.doc.Find(sel).Length() != 1 {
			t.Errorf("login page has no %s", sel)
		}
	}
}

func TestSignedOutIsSentToLogin(t *testing.T) {
	env := newEnv(t)
	p := env.client().get("/orders?tab=all")
	if p.status != http.StatusSeeOther {
		t.Fatalf("GET /orders signed out: status %d, want 303", p.status)
	}
	if got, want := p.header.Get("Location"), "/login?next="+url.QueryEscape("/orders?tab=all"); got != want {
		t.Fatalf("Location = %q, want %q", got, want)
	}
}

func TestLoginWrongPasswordAndUnknownEmailSayTheSame(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	var msgs []string
	for _, email := range []string{w.adminA.Email, "nobody@example.com"} {
		c := env.client()
		c.get("/login")
		p := c.post("/login", url.Values{"email": {email}, "password": {"wrong password!"}})
		if p.status != http.StatusUnauthorized {
			t.Fatalf("bad login for %s: status %d, want 401", email, p.status)
		}
		msgs = append(msgs, strings.TrimSpace(p.doc.Find(`[data-testid="login-error"]`).Text()))
		if got := p.doc.Find(`input[name="email"]`).AttrOr("value", ""); got != email {
			t.Errorf("email field = %q, want what was typed %q", got, email)
		}
	}
	if msgs[0] == "" || msgs[0] != msgs[1] {
		t.Fatalf("messages differ or are empty: %q vs %q", msgs[0], msgs[1])
	}
}

func TestLoginSessionCookieAndLogout(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	before := c.get("/login")
	preLoginCSRF := c.csrf
	p := c.post("/login", url.Values{"email": {"  A@Example.com "}, "password": {testPassword}, "next": {"/settings"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/settings" {
		t.Fatalf("login: %d to %q, want 303 to /settings", p.status, p.header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, ck := range (&http.Response{Header: p.header}).Cookies() {
		if ck.Name == "dropline" {
			cookie = ck
		}
	}
	if cookie == nil {
		t.Fatal("no session cookie set at login")
	}
	if !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Secure {
		t.Errorf("cookie HttpOnly=%v SameSite=%v Secure=%v, want true, Lax, false over plain HTTP", cookie.HttpOnly, cookie.SameSite, cookie.Secure)
	}
	_ = before
	settings := c.get("/settings")
	if settings.status != http.StatusOK {
		t.Fatalf("GET /settings after login: %d", settings.status)
	}
	if c.csrf == preLoginCSRF {
		t.Error("CSRF token did not change at sign-in")
	}
	if got := strings.TrimSpace(settings.doc.Find(`[data-testid="user-email"]`).Text()); got != w.adminA.Email {
		t.Errorf("signed in as %q, want %q", got, w.adminA.Email)
	}

	// Keep the signed-in cookie to replay after sign-out.
	u, _ := url.Parse(env.srv.URL)
	stolen := c.http.Jar.Cookies(u)

	out := c.post("/logout", nil)
	if out.status != http.StatusSeeOther || out.header.Get("Location") != "/login" {
		t.Fatalf("logout: %d to %q", out.status, out.header.Get("Location"))
	}
	if p := c.get("/settings"); p.status != http.StatusSeeOther {
		t.Fatalf("GET /settings after logout: %d, want 303 to login", p.status)
	}
	replay := env.client()
	replay.http.Jar.SetCookies(u, stolen)
	if p := replay.get("/settings"); p.status != http.StatusSeeOther {
		t.Fatalf("replayed cookie after logout: %d, want 303 to login (session ended server-side)", p.status)
	}
}

func TestLoginNextStaysOnSite(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	for _, next := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "/\t/evil.example/x", "/\n/evil.example", "/\r/evil.example",
		"/ /evil.example", "/%2F/evil.example", "/%2f%2fevil.example", "/%5C/evil.example", "/\\/evil.example", "/\x00/evil.example", "/\u00a0/evil.example"} {
		c := env.client()
		c.get("/login")
		p := c.post("/login", url.Values{"email": {w.adminA.Email}, "password": {testPassword}, "next": {next}})
		if got := p.header.Get("Location"); got != "/" {
			t.Errorf("next=%q redirected to %q, want /", next, got)
		}
	}
	// A plain path with its query still comes back.
	c := env.client()
	c.get("/login")
	if got := c.post("/login", url.Values{"email": {w.adminA.Email}, "password": {testPassword}, "next": {"/orders?tab=all"}}).header.Get("Location"); got != "/orders?tab=all" {
		t.Errorf("next=/orders?tab=all redirected to %q", got)
	}
}

func TestLoginRateLimit(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.get("/login")
	for i := range 5 {
		if p := c.post("/login", url.Values{"email": {w.adminA.Email}, "password": {"wrong password!"}}); p.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d, want 401", i+1, p.status)
		}
	}
	p := c.post("/login", url.Values{"email": {w.adminA.Email}, "password": {testPassword}})
	if p.status != http.StatusTooManyRequests {
		t.Fatalf("6th attempt: status %d, want 429", p.status)
	}
	if msg := p.doc.Find(`[data-testid="login-error"]`).Text(); !strings.Contains(msg, "Too many sign-in attempts") {
		t.Errorf("message %q does not say why", msg)
	}
	if p.header.Get("Retry-After") == "" {
		t.Error("no Retry-After header")
	}
	// Another email from the same client is still allowed (per-IP limit is higher).
	c2 := env.client()
	c2.get("/login")
	if p := c2.post("/login", url.Values{"email": {w.adminB.Email}, "password": {testPassword}}); p.status != http.StatusSeeOther {
		t.Fatalf("other email: status %d, want 303", p.status)
	}
}

func TestNavigationFitsTheRole(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	cases := []struct {
		email string
		want  []string
	}{
		{w.adminA.Email, []string{"Dashboard", "Orders", "Purchase orders", "Supplier payouts", "Products", "Feeds", "Suppliers", "Settings"}},
		{w.adminS.Email, []string{"Dashboard", "Dropship orders", "Scorecard", "Earnings", "Products", "Feeds", "Merchants", "Settings"}},
		{w.platform.Email, []string{"Accounts", "Links"}},
	}
	for _, tc := range cases {
		c := env.client()
		c.login(tc.email)
		p := c.get("/settings")
		if tc.email == w.platform.Email {
			p = c.get("/admin/accounts")
		}
		if got := navLabels(p); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s sees %q, want %q", tc.email, got, tc.want)
		}
	}
}

func TestRoleScreensAreNotFoundForTheOtherSide(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	m, s := env.client(), env.client()
	m.login(w.adminA.Email)
	s.login(w.adminS.Email)
	for _, path := range []string{"/dropship-orders", "/merchants", "/admin/accounts", "/admin/links"} {
		if p := m.get(path); p.status != http.StatusNotFound {
			t.Errorf("merchant GET %s: %d, want 404", path, p.status)
		}
	}
	for _, path := range []string{"/orders", "/purchase-orders", "/suppliers", "/admin/accounts"} {
		if p := s.get(path); p.status != http.StatusNotFound {
			t.Errorf("supplier GET %s: %d, want 404", path, p.status)
		}
	}
	for _, path := range []string{"/orders", "/purchase-orders", "/products", "/feeds", "/suppliers", "/settings"} {
		if p := m.get(path); p.status != http.StatusOK {
			t.Errorf("merchant GET %s: %d, want 200", path, p.status)
		}
	}
}

func TestSwitchAccount(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := t.Context()
	if _, err := env.db.AddMember(ctx, store.CLIActor, w.supplierS.ID, store.NewMember{Email: w.staffA.Email, Role: store.RoleStaff}); err != nil {
		t.Fatal(err)
	}
	c := env.client()
	c.login(w.staffA.Email)
	p := c.get("/settings")
	if got := p.doc.Find(`[data-testid="account-switcher"] option`).Length(); got != 2 {
		t.Fatalf("switcher offers %d accounts, want 2", got)
	}
	if got := strings.TrimSpace(p.doc.Find(`[data-testid="current-account"]`).Text()); !strings.Contains(got, w.merchantA.Name) {
		t.Fatalf("current account %q, want %s", got, w.merchantA.Name)
	}
	sw := c.post("/switch-account", url.Values{"account_id": {strconv.FormatInt(w.supplierS.ID, 10)}})
	if sw.status != http.StatusSeeOther {
		t.Fatalf("switch: %d", sw.status)
	}
	p = c.get("/settings")
	if got := strings.TrimSpace(p.doc.Find(`[data-testid="current-account"]`).Text()); !strings.Contains(got, w.supplierS.Name) {
		t.Fatalf("after switch, current account %q, want %s", got, w.supplierS.Name)
	}
	if got, want := navLabels(p), []string{"Dashboard", "Dropship orders", "Scorecard", "Earnings", "Products", "Feeds", "Merchants", "Settings"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after switch nav %q, want %q", got, want)
	}
	// An account the user does not belong to is not found, and nothing moves.
	before := env.dbDigest()
	if p := c.post("/switch-account", url.Values{"account_id": {strconv.FormatInt(w.merchantB.ID, 10)}}); p.status != http.StatusNotFound {
		t.Fatalf("switch to a stranger's account: %d, want 404", p.status)
	}
	if env.dbDigest() != before {
		t.Fatal("switching to a stranger's account changed the database")
	}
}

func TestRemovedMemberLosesAccessAtOnce(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.staffA.Email)
	if p := c.get("/orders"); p.status != http.StatusOK {
		t.Fatalf("staff GET /orders: %d", p.status)
	}
	// An admin removes them in Settings: their session in the account ends.
	admin := env.client()
	admin.login(w.adminA.Email)
	admin.get("/settings")
	if p := admin.post("/settings/users/"+strconv.FormatInt(w.staffA.ID, 10)+"/remove", nil); p.status != http.StatusSeeOther {
		t.Fatalf("remove staff: %d", p.status)
	}
	if p := c.get("/orders"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/login") {
		t.Fatalf("removed staff GET /orders: %d to %q, want 303 to sign in", p.status, p.header.Get("Location"))
	}
	if p := admin.get("/orders"); p.status != http.StatusOK {
		t.Fatalf("the admin who removed them: GET /orders %d", p.status)
	}
}

// TestPasswordChangeSignsOutOtherSessions: changing the password ends the
// user's other sign-ins at once; the browser that changed it stays in.
func TestPasswordChangeSignsOutOtherSessions(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	here, there := env.client(), env.client()
	here.login(w.staffA.Email)
	there.login(w.staffA.Email)
	here.get("/settings")
	if p := here.post("/settings/password", url.Values{"current_password": {testPassword}, "new_password": {"a much better passphrase"}}); p.status != http.StatusSeeOther {
		t.Fatalf("password change: %d", p.status)
	}
	if p := there.get("/orders"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/login") {
		t.Errorf("the other browser after the change: %d to %q, want 303 to sign in", p.status, p.header.Get("Location"))
	}
	if p := here.get("/orders"); p.status != http.StatusOK {
		t.Errorf("the browser that changed it: GET /orders %d, want 200", p.status)
	}
}

func TestOversizedAndMalformedBodies(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.adminA.Email)
	before := env.dbDigest()
	big := url.Values{"_csrf": {c.csrf}, "name": {strings.Repeat("x", 2<<20)}}
	if p := c.postRaw("/settings/tokens", big); p.status != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MB form: status %d, want 413", p.status)
	}
	req, _ := http.NewRequest(http.MethodPost, env.srv.URL+"/settings/tokens", strings.NewReader("name=%zz&_csrf="+c.csrf))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if p := c.do(req); p.status != http.StatusBadRequest && p.status != http.StatusForbidden {
		t.Errorf("malformed form: status %d, want 400 or 403", p.status)
	}
	if env.dbDigest() != before {
		t.Fatal("a refused body changed the database")
	}
}

// TestLoginRateLimitHoldsUnderConcurrency: 40 wrong passwords sent at once
// for one email check at most 5 of them (the rest are refused with 429);
// 40 at once from one address, each for another email, check at most 20.
func TestLoginRateLimitHoldsUnderConcurrency(t *testing.T) {
	burst := func(env *testEnv, emails func(i int) string) (checked, refused int) {
		t.Helper()
		clients := make([]*client, 40)
		for i := range clients {
			clients[i] = env.client()
			clients[i].get("/login")
		}
		statuses := make([]int, len(clients))
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				form := url.Values{"_csrf": {c.csrf}, "email": {emails(i)}, "password": {"wrong password!"}}
				req, _ := http.NewRequest(http.MethodPost, env.srv.URL+"/login", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				<-start
				res, err := c.http.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				statuses[i] = res.StatusCode
			}()
		}
		close(start)
		wg.Wait()
		for _, st := range statuses {
			switch st {
			case http.StatusUnauthorized:
				checked++
			case http.StatusTooManyRequests:
				refused++
			default:
				t.Errorf("status %d, want 401 or 429", st)
			}
		}
		return checked, refused
	}

	env := newEnv(t)
	w := env.world()
	if checked, refused := burst(env, func(int) string { return w.adminA.Email }); checked > 5 || checked+refused != 40 {
		t.Errorf("one email: %d passwords checked, %d refused; want at most 5 checked", checked, refused)
	}
	// The right password is refused too, until the window passes.
	c := env.client()
	c.get("/login")
	if p := c.post("/login", url.Values{"email": {w.adminA.Email}, "password": {testPassword}}); p.status != http.StatusTooManyRequests {
		t.Errorf("right password after the burst: %d, want 429", p.status)
	}

	env = newEnv(t)
	env.world()
	if checked, refused := burst(env, func(i int) string { return fmt.Sprintf("someone-%d@example.com", i) }); checked > 20 || checked+refused != 40 {
		t.Errorf("one address: %d passwords checked, %d refused; want at most 20 checked", checked, refused)
	}
}
