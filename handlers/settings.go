package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/views"
)

// settingsView loads the Settings page's lists around the forms in v.
func (s *Server) settingsView(c echo.Context, v views.SettingsView) (views.SettingsView, error) {
	p := principalOf(c)
	ctx := c.Request().Context()
	acc := p.member.Account
	v.IsAdmin = p.member.IsAdmin()
	v.Kind = acc.Kind
	v.PublicID = acc.PublicID
	if v.AccountErrors == nil {
		contact, err := s.store.AccountContact(ctx, acc.ID)
		if err != nil {
			return v, err
		}
		v.Account = views.AccountForm{Name: acc.Name, TimeZone: acc.TimeZone, DropshipEnabled: acc.DropshipEnabled,
			ReturnAddress: contact.ReturnAddress, ReplyToEmail: contact.ReplyToEmail, Currency: acc.Currency, Country: acc.Country,
			CustomerUpdates: !contact.CustomerUpdatesOff}
	}
	members, err := s.store.Members(ctx, acc.ID)
	if err != nil {
		return v, err
	}
	for _, m := range members {
		v.Members = append(v.Members, views.MemberRow{UserID: m.User.ID, Email: m.User.Email, Name: m.User.Name, Role: m.Role, IsSelf: m.User.ID == p.user.ID})
	}
	tokens, err := s.store.Tokens(ctx, acc.ID)
	if err != nil {
		return v, err
	}
	vw := viewerOf(acc)
	for _, t := range tokens {
		row := views.TokenRow{ID: t.ID, Name: t.Name, Prefix: t.Prefix, Created: vw.Time(t.CreatedAt)}
		if t.RevokedAt != nil {
			row.Revoked = vw.Time(*t.RevokedAt)
		}
		v.Tokens = append(v.Tokens, row)
	}
	return v, nil
}

func (s *Server) renderSettings(c echo.Context, status int, v views.SettingsView) error {
	v, err := s.settingsView(c, v)
	if err != nil {
		return err
	}
	return render(c, status, views.SettingsPage(s.frame(c, "Settings"), v))
}

func (s *Server) settingsShow(c echo.Context) error {
	v := views.SettingsView{NewToken: s.takeFlash(c, "new-token")}
	return s.renderSettings(c, http.StatusOK, v)
}

func (s *Server) accountSave(c echo.Context) error {
	var in views.AccountForm
	if err := s.decodeForm(c, &in); err != nil {
		return err
	}
	p := principalOf(c)
	_, err := s.store.UpdateAccountSettings(c.Request().Context(), p.actor(), p.accountID(),
		store.AccountSettings{Name: in.Name, TimeZone: in.TimeZone, DropshipEnabled: in.DropshipEnabled, Currency: in.Currency, Country: in.Country,
			// A supplier's form has no such box: its customers are the merchants'.
			AccountContact: store.AccountContact{ReturnAddress: in.ReturnAddress, ReplyToEmail: in.ReplyToEmail,
				CustomerUpdatesOff: p.member.Account.Kind != store.KindSupplier && !in.CustomerUpdates}})
	if errs := fieldErrors(err); errs != nil {
		return s.renderSettings(c, http.StatusUnprocessableEntity, views.SettingsView{Account: in, AccountErrors: errs})
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "Account settings saved."); err != nil {
		return err
	}
	return redirect(c, "/settings")
}

func (s *Server) memberAdd(c echo.Context) error {
	var in views.MemberForm
	if err := s.decodeForm(c, &in); err != nil {
		return err
	}
	p := principalOf(c)
	m, err := s.store.AddMember(c.Request().Context(), p.actor(), p.accountID(),
		store.NewMember{Email: in.Email, Name: in.Name, Password: in.Password, Role: in.Role})
	if errs := fieldErrors(err); errs != nil {
		in.Password = ""
		return s.renderSettings(c, http.StatusUnprocessableEntity, views.SettingsView{Member: in, MemberErrors: errs})
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, m.User.Email+" can now sign in to this account as "+m.Role+"."); err != nil {
		return err
	}
	return redirect(c, "/settings")
}

// idParam reads a numeric path parameter; anything else is not found.
func idParam(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.ErrNotFound
	}
	return id, nil
}

// optionalIDParam reads a numeric path parameter that create routes lack (0 then).
func optionalIDParam(c echo.Context, name string) (int64, error) {
	if c.Param(name) == "" {
		return 0, nil
	}
	return idParam(c, name)
}

// conflictToFlash shows a conflict's message on the page the user came from.
func (s *Server) conflictToFlash(c echo.Context, err error, back string) error {
	if !errors.Is(err, store.ErrConflict) {
		return err
	}
	if ferr := s.flashError(c, store.Message(err)); ferr != nil {
		return ferr
	}
	return redirect(c, back)
}

func (s *Server) memberRole(c echo.Context) error {
	userID, err := idParam(c, "userID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	err = s.store.SetMemberRole(c.Request().Context(), p.actor(), p.accountID(), userID, c.FormValue("role"))
	if errs := fieldErrors(err); errs != nil {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, errs["role"])
	}
	if err != nil {
		return s.conflictToFlash(c, err, "/settings")
	}
	if err := s.flash(c, "Role changed."); err != nil {
		return err
	}
	return redirect(c, "/settings")
}

func (s *Server) memberRemove(c echo.Context) error {
	userID, err := idParam(c, "userID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	if err := s.store.RemoveMember(c.Request().Context(), p.actor(), p.accountID(), userID); err != nil {
		return s.conflictToFlash(c, err, "/settings")
	}
	if err := s.flash(c, "User removed from the account."); err != nil {
		return err
	}
	return redirect(c, "/settings")
}

func (s *Server) tokenCreate(c echo.Context) error {
	var in views.TokenForm
	if err := s.decodeForm(c, &in); err != nil {
		return err
	}
	p := principalOf(c)
	_, secret, err := s.store.CreateToken(c.Request().Context(), p.actor(), p.accountID(), in.Name)
	if errs := fieldErrors(err); errs != nil {
		return s.renderSettings(c, http.StatusUnprocessableEntity, views.SettingsView{Token: in, TokenErrors: errs})
	}
	if err != nil {
		return err
	}
	// The secret rides in the encrypted session cookie to the next page only.
	if err := s.addFlash(c, secret, "new-token"); err != nil {
		return err
	}
	return redirect(c, "/settings#api-tokens")
}

func (s *Server) tokenRevoke(c echo.Context) error {
	tokenID, err := idParam(c, "tokenID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	if err := s.store.RevokeToken(c.Request().Context(), p.actor(), p.accountID(), tokenID); err != nil {
		return err
	}
	if err := s.flash(c, "Token revoked."); err != nil {
		return err
	}
	return redirect(c, "/settings#api-tokens")
}

// passwordForm is the change-password form as posted.
type passwordForm struct {
	Current string `form:"current_password"`
	New     string `form:"new_password"`
}

func (s *Server) passwordChange(c echo.Context) error {
	var in passwordForm
	if err := s.decodeForm(c, &in); err != nil {
		return err
	}
	p := principalOf(c)
	err := s.store.ChangePassword(c.Request().Context(), p.user.ID, p.token, in.Current, in.New)
	if errs := fieldErrors(err); errs != nil {
		return s.renderSettings(c, http.StatusUnprocessableEntity, views.SettingsView{PasswordErrors: errs})
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "Password changed."); err != nil {
		return err
	}
	return redirect(c, "/settings")
}
