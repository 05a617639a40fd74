package handlers

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/views"
)

const (
	cookieName   = "dropline"
	ctxSession   = "dl.session"
	ctxPrincipal = "dl.principal"
	ctxCSRF      = "dl.csrf"
	csrfField    = "_csrf"
	csrfHeader   = "X-CSRF-Token"
)

// principal is the signed-in user and the account they are acting in.
type principal struct {
	user        store.User
	member      store.Membership // Account.ID is 0 when no account is selected
	memberships []store.Membership
	token       string // the server-side session token
}

func (p *principal) accountID() int64 { return p.member.Account.ID }

// viewer is how the acting account reads money and times.
func (p *principal) viewer() views.Viewer { return viewerOf(p.member.Account) }

// viewerOf is how an account reads money and times.
func viewerOf(a store.Account) views.Viewer {
	return views.Viewer{Country: a.Country, Loc: a.Location()}
}

func (p *principal) actor() store.Actor {
	return store.Actor{UserID: p.user.ID, Name: p.user.Email}
}

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// loadSession reads the session cookie, makes sure it carries a CSRF token,
// and loads the signed-in user, their memberships and current account.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		// A cookie that fails to decode (old keys, tampering) starts a fresh session.
		sess, _ := s.cookies.Get(c.Request(), cookieName)
		dirty := false
		csrf, _ := sess.Values["csrf"].(string)
		if csrf == "" {
			csrf = newToken()
			sess.Values["csrf"] = csrf
			dirty = true
		}
		if tok, ok := sess.Values["sid"].(string); ok {
			p, err := s.principalFor(c, tok)
			switch {
			case errors.Is(err, store.ErrNotFound):
				delete(sess.Values, "sid")
				dirty = true
			case err != nil:
				return err
			default:
				c.Set(ctxPrincipal, p)
			}
		}
		c.Set(ctxSession, sess)
		c.Set(ctxCSRF, csrf)
		if dirty {
			if err := s.saveSession(c, sess); err != nil {
				return err
			}
		}
		return next(c)
	}
}

func (s *Server) principalFor(c echo.Context, token string) (*principal, error) {
	ctx := c.Request().Context()
	sess, err := s.store.SessionByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	u := sess.User
	ms, err := s.store.Memberships(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	p := &principal{user: u, memberships: ms, token: token}
	// The membership is checked on every request, so a user removed from an
	// account loses it at once.
	for _, m := range ms {
		if m.Account.ID == sess.AccountID {
			p.member = m
		}
	}
	return p, nil
}

// saveSession writes the session cookie: HttpOnly, SameSite=Lax, and Secure
// when the request came over TLS.
func (s *Server) saveSession(c echo.Context, sess *sessions.Session) error {
	opts := *s.cookies.Options
	opts.Path = "/"
	opts.HttpOnly = true
	opts.SameSite = http.SameSiteLaxMode
	opts.Secure = c.Scheme() == "https"
	if sess.Options != nil && sess.Options.MaxAge < 0 {
		opts.MaxAge = -1
	}
	sess.Options = &opts
	return sess.Save(c.Request(), c.Response())
}

func sessionOf(c echo.Context) *sessions.Session {
	sess, _ := c.Get(ctxSession).(*sessions.Session)
	return sess
}

func principalOf(c echo.Context) *principal {
	p, _ := c.Get(ctxPrincipal).(*principal)
	return p
}

func csrfOf(c echo.Context) string {
	t, _ := c.Get(ctxCSRF).(string)
	return t
}

// checkCSRF refuses unsafe requests whose token (form field or header) does
// not match the session's. A missing or wrong token gets 403 before any
// handler runs, so nothing changes.
func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		want := csrfOf(c)
		got := c.Request().Header.Get(csrfHeader)
		if got == "" {
			if err := parseBody(c); err != nil {
				return err
			}
			got = c.Request().PostFormValue(csrfField)
		}
		if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			return echo.NewHTTPError(http.StatusForbidden, "This form has expired or did not come from Dropline. Go back, reload the page and try again.")
		}
		return next(c)
	}
}

// parseBody reads a form body (URL-encoded or multipart) once, turning a
// body over the cap into 413 and an unreadable one into 400.
func parseBody(c echo.Context) error {
	r := c.Request()
	var err error
	if strings.HasPrefix(r.Header.Get(echo.HeaderContentType), echo.MIMEMultipartForm) {
		if r.MultipartForm == nil {
			err = r.ParseMultipartForm(8 << 20)
		}
	} else {
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "The request is too large.")
	case err != nil:
		return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
	}
	return nil
}

// inTurn runs a bounded number of requests at once; the others wait their
// turn in arrival order. With every request runnable at once, on two cores,
// a request holding SQLite's single write lock got a sliver of the CPU and
// held the lock many times longer than its work took, queueing every other
// write behind it (the mixed load's writes: p99 3.5 s, 0.35 s in turn).
// File uploads and feed exports go round it: a slow client sending 50 MB,
// or reading a large feed, must not hold a turn the whole time.
func (s *Server) inTurn(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if uploadRoutes[c.Path()] || c.Path() == feedExportRoute {
			return next(c)
		}
		select {
		case s.slots <- struct{}{}:
		case <-c.Request().Context().Done():
			return c.Request().Context().Err()
		}
		defer func() { <-s.slots }()
		return next(c)
	}
}

// limitBody caps request bodies so an oversized form is refused with 413
// before it is read.
func (s *Server) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		limit := s.maxBody
		if uploadRoutes[c.Path()] {
			// Room for a 50 MB file and the multipart framing around it.
			limit = store.MaxUploadBytes + 1<<20
		}
		if r.ContentLength > limit {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "The request is too large.")
		}
		r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
		return next(c)
	}
}

// uploadRoutes take file uploads of up to store.MaxUploadBytes.
var uploadRoutes = map[string]bool{"/products/import": true, "/orders/import": true, "/dropship-orders/upload": true,
	"/suppliers-outside/:supplierID/email/catalog": true}

// jsonValues serialises a session's values as JSON. They are strings (the
// CSRF token, the session token) and lists of strings (flash messages).
// securecookie's default, gob, compiles a decoder for every cookie it reads:
// 5% of the order list's CPU under load.
type jsonValues struct{}

func (jsonValues) Serialize(src any) ([]byte, error) {
	vals, ok := src.(map[any]any)
	if !ok {
		return nil, fmt.Errorf("session: cannot serialise %T", src)
	}
	m := make(map[string]any, len(vals))
	for k, v := range vals {
		key, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("session: key %v is not a string", k)
		}
		switch v := v.(type) {
		case string:
			m[key] = v
		case []any:
			for _, e := range v {
				if _, ok := e.(string); !ok {
					return nil, fmt.Errorf("session: %s holds a %T", key, e)
				}
			}
			m[key] = v
		default:
			return nil, fmt.Errorf("session: %s holds a %T", key, v)
		}
	}
	return json.Marshal(m)
}

func (jsonValues) Deserialize(src []byte, dst any) error {
	vals, ok := dst.(*map[any]any)
	if !ok {
		return fmt.Errorf("session: cannot deserialise into %T", dst)
	}
	var m map[string]any
	if err := json.Unmarshal(src, &m); err != nil {
		return err
	}
	for k, v := range m {
		(*vals)[k] = v
	}
	return nil
}
