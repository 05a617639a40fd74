package handlers

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/a-h/templ"
	"github.com/go-playground/form/v4"
	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/views"
)

// render writes a component with a status. It renders into a buffer first so
// a template error becomes a clean 500, not half a page.
func render(c echo.Context, status int, t templ.Component) error {
	var buf bytes.Buffer
	if err := t.Render(c.Request().Context(), &buf); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// isHTMX reports whether the request came from htmx and wants a partial.
// Boosted requests want whole pages.
func isHTMX(c echo.Context) bool {
	h := c.Request().Header
	return h.Get("HX-Request") == "true" && h.Get("HX-Boosted") != "true"
}

// redirect sends the browser to path; htmx requests get HX-Redirect instead.
func redirect(c echo.Context, path string) error {
	if isHTMX(c) {
		c.Response().Header().Set("HX-Redirect", path)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, path)
}

// flash stores a one-time message shown on the next page.
func (s *Server) flash(c echo.Context, msg string) error {
	return s.addFlash(c, msg, "flash")
}

// flashError stores a one-time error message shown on the next page.
func (s *Server) flashError(c echo.Context, msg string) error {
	return s.addFlash(c, msg, "flash-error")
}

func (s *Server) addFlash(c echo.Context, msg, key string) error {
	sess := sessionOf(c)
	if sess == nil {
		return nil
	}
	sess.AddFlash(msg, key)
	return s.saveSession(c, sess)
}

// takeFlash returns and clears the one-time messages under key.
func (s *Server) takeFlash(c echo.Context, key string) string {
	sess := sessionOf(c)
	if sess == nil {
		return ""
	}
	fs := sess.Flashes(key)
	if len(fs) == 0 {
		return ""
	}
	_ = s.saveSession(c, sess)
	var msgs []string
	for _, f := range fs {
		if m, ok := f.(string); ok {
			msgs = append(msgs, m)
		}
	}
	return strings.Join(msgs, " ")
}

// frame builds the layout's view of the signed-in user and the page.
func (s *Server) frame(c echo.Context, title string) views.Frame {
	f := views.Frame{Title: title, CSRF: csrfOf(c)}
	p := principalOf(c)
	if p == nil {
		return f
	}
	f.UserEmail = p.user.Email
	if p.accountID() != 0 {
		f.AccountName = p.member.Account.Name
		f.AccountPID = p.member.Account.PublicID
	}
	for _, m := range p.memberships {
		f.Accounts = append(f.Accounts, views.AccountChoice{
			ID:       m.Account.ID,
			Label:    m.Account.Name + " (" + m.Account.Kind + ")",
			Selected: m.Account.ID == p.accountID(),
		})
	}
	f.Nav = navFor(p, c.Path())
	f.Flash = s.takeFlash(c, "flash")
	f.FlashError = s.takeFlash(c, "flash-error")
	return f
}

// navFor returns the navigation that fits the user's account kind and role.
func navFor(p *principal, current string) []views.NavSection {
	// Pages below a section light up the section's item.
	switch {
	case strings.HasPrefix(current, "/subscriptions"), strings.HasPrefix(current, "/runs"):
		current = "/feeds"
	case strings.HasPrefix(current, "/statements"):
		current = "/earnings"
	case strings.HasPrefix(current, "/suppliers/"):
		current = "/suppliers"
	case strings.HasPrefix(current, "/links/"):
		current = "/suppliers"
		if !p.member.Account.IsMerchant() {
			current = "/merchants"
		}
	}
	item := func(label, href string) views.NavItem {
		return views.NavItem{Label: label, Href: href, Active: current == href || strings.HasPrefix(current, href+"/")}
	}
	var nav []views.NavSection
	if acc := p.member.Account; acc.ID != 0 {
		items := []views.NavItem{{Label: "Dashboard", Href: "/", Active: current == "/"}}
		if acc.IsMerchant() {
			items = append(items, item("Orders", "/orders"), item("Purchase orders", "/purchase-orders"), item("Supplier payouts", "/earnings"))
		}
		if acc.IsSupplier() {
			items = append(items, item("Dropship orders", "/dropship-orders"), item("Scorecard", "/scorecard"))
			if !acc.IsMerchant() {
				items = append(items, item("Earnings", "/earnings"))
			}
		}
		items = append(items, item("Products", "/products"), item("Feeds", "/feeds"))
		if acc.IsMerchant() {
			items = append(items, item("Suppliers", "/suppliers"))
		}
		if acc.IsSupplier() {
			items = append(items, item("Merchants", "/merchants"))
		}
		items = append(items, item("Settings", "/settings"))
		nav = append(nav, views.NavSection{Items: items})
	}
	if p.user.PlatformAdmin {
		nav = append(nav, views.NavSection{Title: "Platform", Items: []views.NavItem{
			item("Accounts", "/admin/accounts"),
			item("Links", "/admin/links"),
		}})
	}
	return nav
}

// decodeForm parses the request body into dst. Values that do not fit their
// field come back as a *store.ValidationError.
func (s *Server) decodeForm(c echo.Context, dst any) error {
	if err := parseBody(c); err != nil {
		return err
	}
	err := s.forms.Decode(dst, c.Request().PostForm)
	if err == nil {
		return nil
	}
	var invalid *form.InvalidDecoderError
	if errors.As(err, &invalid) {
		panic(err) // a programming error: dst is not a pointer to a struct
	}
	var decodeErrs form.DecodeErrors
	if errors.As(err, &decodeErrs) {
		fields := map[string]string{}
		for name := range decodeErrs {
			fields[name] = "This value is not valid here."
		}
		return &store.ValidationError{Fields: fields}
	}
	return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
}

// fieldErrors returns the field messages of a validation error, or nil.
func fieldErrors(err error) views.FieldErrors {
	var ve *store.ValidationError
	if errors.As(err, &ve) {
		return views.FieldErrors(ve.Fields)
	}
	return nil
}

// cloneValues copies a query so it can be changed for a link.
func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}
