package handlers

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/views"
)

// loginForm is the sign-in form as posted.
type loginForm struct {
	Email    string `form:"email"`
	Password string `form:"password"`
	Next     string `form:"next"`
}

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	// Browsers drop tabs and newlines from a URL and read a backslash as a
	// slash, so "/\t/evil.example" would leave the site: anything but a
	// plain path on this site goes to the start page.
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\") ||
		strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f || unicode.IsSpace(r) }) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	// An encoded slash or backslash that a later decode could turn into "//".
	if lower := strings.ToLower(next); strings.Contains(lower, "%2f") || strings.Contains(lower, "%5c") || strings.Contains(lower, "%09") {
		return "/"
	}
	return next
}

func (s *Server) loginShow(c echo.Context) error {
	if principalOf(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	return render(c, http.StatusOK, views.LoginPage(csrfOf(c), views.LoginForm{Next: c.QueryParam("next")}))
}

func (s *Server) loginSubmit(c echo.Context) error {
	var in loginForm
	if err := s.decodeForm(c, &in); err != nil {
		return err
	}
	email := store.NormalizeEmail(in.Email)
	ip := c.RealIP()
	again := func(status int, msg string) error {
		return render(c, status, views.LoginPage(csrfOf(c), views.LoginForm{Email: in.Email, Next: in.Next, Error: msg}))
	}
	// The attempt is counted before the password is checked: a wrong
	// password keeps it, a right one or a failed check gives it back.
	emailKey, ipKey := "email:"+email, "ip:"+ip
	at, blocked, wait, err := s.store.ReserveLogin(c.Request().Context(),
		[]store.LoginLimit{{Key: emailKey, Limit: loginMaxPerEmail}, {Key: ipKey, Limit: loginMaxPerIP}}, loginWindow)
	if err != nil {
		return err
	}
	if blocked {
		mins := int(math.Ceil(wait.Minutes()))
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return again(http.StatusTooManyRequests, fmt.Sprintf("Too many sign-in attempts. Wait %d minute%s and try again.", mins, plural(mins)))
	}
	u, err := s.store.Authenticate(c.Request().Context(), email, in.Password)
	if errors.Is(err, store.ErrBadCredentials) {
		return again(http.StatusUnauthorized, "Email or password is incorrect.")
	}
	if err != nil {
		if rerr := s.store.ReleaseLogin(context.WithoutCancel(c.Request().Context()), []string{emailKey, ipKey}, nil, at); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	// A good sign-in clears its email's failures and gives back the
	// address's attempt.
	if err := s.store.ReleaseLogin(c.Request().Context(), []string{ipKey}, []string{emailKey}, at); err != nil {
		return err
	}

	ms, err := s.store.Memberships(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	if len(ms) == 0 && !u.PlatformAdmin {
		// Every account of the user's is disabled: no session at all, and
		// the user is told why rather than shown an empty Dropline.
		disabled, err := s.store.DisabledMemberships(c.Request().Context(), u.ID)
		if err != nil {
			return err
		}
		if disabled > 0 {
			return again(http.StatusForbidden, "Your account is disabled, so you cannot sign in. Ask Dropline's platform admin to enable it; its data is kept.")
		}
	}
	var accountID int64
	if len(ms) > 0 {
		accountID = ms[0].Account.ID
	}
	token, err := s.store.CreateSession(c.Request().Context(), u.ID, accountID)
	if err != nil {
		return err
	}
	// A new session on sign-in: drop the old server session and every value
	// of the old cookie, and issue a new CSRF token (no fixation).
	sess := sessionOf(c)
	if old, ok := sess.Values["sid"].(string); ok {
		if err := s.store.DeleteSession(c.Request().Context(), old); err != nil {
			return err
		}
	}
	for k := range sess.Values {
		delete(sess.Values, k)
	}
	sess.Values["sid"] = token
	sess.Values["csrf"] = newToken()
	if err := s.saveSession(c, sess); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, safeNext(in.Next))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (s *Server) logout(c echo.Context) error {
	sess := sessionOf(c)
	if tok, ok := sess.Values["sid"].(string); ok {
		if err := s.store.DeleteSession(c.Request().Context(), tok); err != nil {
			return err
		}
	}
	for k := range sess.Values {
		delete(sess.Values, k)
	}
	sess.Options.MaxAge = -1
	if err := s.saveSession(c, sess); err != nil {
		return err
	}
	return redirect(c, "/login")
}

func (s *Server) switchAccount(c echo.Context) error {
	p := principalOf(c)
	id, err := strconv.ParseInt(c.FormValue("account_id"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "Choose an account to switch to.")
	}
	if err := s.store.SwitchAccount(c.Request().Context(), p.token, p.user.ID, id); err != nil {
		return err
	}
	return redirect(c, "/")
}

// home sends each user to the first screen of their role.
func (s *Server) home(c echo.Context) error {
	p := principalOf(c)
	acc := p.member.Account
	switch {
	case acc.ID != 0:
		return s.dashboard(c)
	case p.user.PlatformAdmin:
		return c.Redirect(http.StatusSeeOther, "/admin/accounts")
	}
	return render(c, http.StatusOK, views.ComingSoon(s.frame(c, "No account"), "No account yet",
		"You are signed in but not a member of any account. Ask an account admin to add you."))
}

// requireUser lets signed-in users through; others are sent to sign in.
func (s *Server) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if principalOf(c) != nil {
			return next(c)
		}
		if c.Request().Method != http.MethodGet {
			return echo.NewHTTPError(http.StatusUnauthorized, "Sign in first.")
		}
		login := "/login?next=" + url.QueryEscape(c.Request().URL.RequestURI())
		return redirect(c, login)
	}
}

// requireAccount needs a current account; its pages do not exist without one.
func (s *Server) requireAccount(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if principalOf(c).accountID() == 0 {
			return echo.ErrNotFound
		}
		return next(c)
	}
}

// requireAccountAdmin lets only the account's admins change its settings.
func (s *Server) requireAccountAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !principalOf(c).member.IsAdmin() {
			return echo.NewHTTPError(http.StatusForbidden, "Only account admins can do this.")
		}
		return next(c)
	}
}

// requireMerchant serves merchant screens only to merchant accounts.
func (s *Server) requireMerchant(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !principalOf(c).member.Account.IsMerchant() {
			return echo.ErrNotFound
		}
		return next(c)
	}
}

// requireSupplier serves supplier screens only to supplier accounts.
func (s *Server) requireSupplier(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !principalOf(c).member.Account.IsSupplier() {
			return echo.ErrNotFound
		}
		return next(c)
	}
}

// requirePlatformAdmin hides platform screens from everyone else (404, as if absent).
func (s *Server) requirePlatformAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !principalOf(c).user.PlatformAdmin {
			return echo.ErrNotFound
		}
		return next(c)
	}
}
