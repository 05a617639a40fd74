package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/views"
)

func (s *Server) renderAdminAccounts(c echo.Context, status int, v views.AdminAccountsView) error {
	v.Query = c.QueryParam("q")
	accounts, err := s.store.SearchAccounts(c.Request().Context(), v.Query)
	if err != nil {
		return err
	}
	vw := principalOf(c).viewer()
	for _, a := range accounts {
		v.Accounts = append(v.Accounts, views.AccountRow{
			ID: a.ID, PublicID: a.PublicID, Name: a.Name, Kind: a.Kind, Dropship: a.DropshipEnabled,
			Members: a.Members, Links: a.Links, Created: vw.Date(a.CreatedAt), Disabled: a.Disabled(), Managed: a.Managed(),
		})
	}
	if v.AllowPrivateFeeds, err = s.store.AllowPrivateFeeds(c.Request().Context()); err != nil {
		return err
	}
	return render(c, status, views.AdminAccountsPage(s.frame(c, "Accounts"), v))
}

func (s *Server) adminAccounts(c echo.Context) error {
	return s.renderAdminAccounts(c, http.StatusOK, views.AdminAccountsView{Form: views.NewAccountForm{Kind: store.KindMerchant, TimeZone: "UTC"}})
}

func (s *Server) adminAccountCreate(c echo.Context) error {
	var in views.NewAccountForm
	if err := s.decodeForm(c, &in); err != nil {
		return err
	}
	p := principalOf(c)
	a, _, err := s.store.CreateAccountWithAdmin(c.Request().Context(), p.actor(),
		store.NewAccount{Name: in.Name, Kind: in.Kind, TimeZone: in.TimeZone}, in.Email, in.Password)
	if errs := fieldErrors(err); errs != nil {
		in.Password = ""
		return s.renderAdminAccounts(c, http.StatusUnprocessableEntity, views.AdminAccountsView{Form: in, Errors: errs})
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "Created "+a.Name+" ("+a.PublicID+")."); err != nil {
		return err
	}
	return redirect(c, "/admin/accounts")
}

func linkRows(links []store.VendorLink, vw views.Viewer) []views.LinkRow {
	var rows []views.LinkRow
	for _, l := range links {
		rows = append(rows, views.LinkRow{
			ID:       l.ID,
			Supplier: l.SupplierName + " (" + l.SupplierPID + ")",
			Merchant: l.MerchantName + " (" + l.MerchantPID + ")",
			State:    l.State,
			Since:    vw.Date(l.CreatedAt),
		})
	}
	return rows
}

func (s *Server) renderAdminLinks(c echo.Context, status int, v views.AdminLinksView) error {
	ctx := c.Request().Context()
	links, err := s.store.AllLinks(ctx)
	if err != nil {
		return err
	}
	v.Links = linkRows(links, principalOf(c).viewer())
	accounts, err := s.store.Accounts(ctx)
	if err != nil {
		return err
	}
	for _, a := range accounts {
		o := views.Option{Value: strconv.FormatInt(a.ID, 10), Label: a.Name + " (" + a.PublicID + ")"}
		if a.IsSupplier() {
			v.Suppliers = append(v.Suppliers, o)
		}
		if a.IsMerchant() {
			v.Merchants = append(v.Merchants, o)
		}
	}
	return render(c, status, views.AdminLinksPage(s.frame(c, "Links"), v))
}

func (s *Server) adminLinks(c echo.Context) error {
	return s.renderAdminLinks(c, http.StatusOK, views.AdminLinksView{})
}

func (s *Server) adminLinkCreate(c echo.Context) error {
	var in views.NewLinkForm
	if err := s.decodeForm(c, &in); err != nil {
		if errs := fieldErrors(err); errs != nil {
			return s.renderAdminLinks(c, http.StatusUnprocessableEntity, views.AdminLinksView{Form: in, Errors: errs})
		}
		return err
	}
	p := principalOf(c)
	l, err := s.store.CreateLink(c.Request().Context(), p.actor(), in.SupplierID, in.MerchantID)
	if errs := fieldErrors(err); errs != nil {
		return s.renderAdminLinks(c, http.StatusUnprocessableEntity, views.AdminLinksView{Form: in, Errors: errs})
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "Linked "+l.SupplierName+" → "+l.MerchantName+" (active)."); err != nil {
		return err
	}
	return redirect(c, "/admin/links")
}

// adminSettingsSave sets platform-wide settings: whether feed URLs and webhook endpoints may reach private networks.
func (s *Server) adminSettingsSave(c echo.Context) error {
	allow := c.FormValue("allow_private_feeds") == "true"
	if err := s.store.SetAllowPrivateFeeds(c.Request().Context(), principalOf(c).actor(), allow); err != nil {
		return err
	}
	msg := "Feed URLs and webhook endpoints on private or local networks are refused."
	if allow {
		msg = "Feed URLs and webhook endpoints on private or local networks are now allowed."
	}
	if err := s.flash(c, msg); err != nil {
		return err
	}
	return redirect(c, "/admin/accounts")
}

// adminAccount shows one account to the platform admin: users with their
// roles, links, feeds, channels, recent activity, and whether it is
// disabled.
func (s *Server) adminAccount(c echo.Context) error {
	return s.renderAdminAccount(c, http.StatusOK, "", nil)
}

func (s *Server) renderAdminAccount(c echo.Context, status int, reason string, errs views.FieldErrors) error {
	id, err := idParam(c, "accountID")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	acc, err := s.store.Account(ctx, id)
	if err != nil {
		return err
	}
	vw := principalOf(c).viewer()
	v := views.AdminAccountView{ID: acc.ID, Name: acc.Name, PublicID: acc.PublicID, Kind: acc.Kind, TimeZone: acc.TimeZone, Country: acc.Country,
		Currency: acc.Currency, Dropship: acc.DropshipEnabled, Created: vw.Date(acc.CreatedAt), Disabled: acc.Disabled(), Reason: reason, Errors: errs}
	if acc.Managed() {
		keeper, err := s.store.Account(ctx, acc.ManagedBy)
		if err != nil {
			return err
		}
		v.ManagedBy = keeper.Name + " (" + keeper.PublicID + ")"
	}
	if acc.Disabled() {
		d, err := s.store.AccountDisabled(ctx, acc.ID)
		if err != nil {
			return err
		}
		v.DisabledAt, v.DisabledBy, v.DisabledReason = vw.ZonedTime(*d.At), d.By, d.Reason
	}
	members, err := s.store.Members(ctx, acc.ID)
	if err != nil {
		return err
	}
	for _, m := range members {
		v.Members = append(v.Members, views.AdminMemberRow{Email: m.User.Email, Name: m.User.Name, Role: m.Role, PlatformAdmin: m.User.PlatformAdmin})
	}
	links, err := s.store.AccountLinks(ctx, acc.ID)
	if err != nil {
		return err
	}
	for _, l := range links {
		r := views.AdminLinkRow{Other: l.MerchantName, OtherID: l.MerchantID, OtherPID: l.MerchantPID, Side: "merchant", State: l.State, Since: vw.Date(l.CreatedAt)}
		if l.MerchantID == acc.ID {
			r.Other, r.OtherID, r.OtherPID, r.Side = l.SupplierName, l.SupplierID, l.SupplierPID, "supplier"
		}
		v.Links = append(v.Links, r)
	}
	if acc.IsSupplier() {
		feeds, err := s.store.Feeds(ctx, acc.ID)
		if err != nil {
			return err
		}
		for _, f := range feeds {
			r := views.AdminFeedRow{Name: f.Name, Detail: "every merchant"}
			if !f.AllMerchants {
				r.Detail = count(len(f.MerchantIDs), "merchant", "merchants")
			}
			if f.TokenPrefix != "" {
				r.Detail += ", with a public URL"
			}
			if f.Archived {
				r.State = "archived"
			}
			v.Feeds = append(v.Feeds, r)
		}
	}
	if acc.IsMerchant() {
		subs, err := s.store.Subscriptions(ctx, acc.ID)
		if err != nil {
			return err
		}
		for _, sub := range subs {
			r := views.AdminFeedRow{Name: sub.Name, Detail: subscriptionSource(sub)}
			if sub.Paused {
				r.State = "paused"
			}
			v.Subscriptions = append(v.Subscriptions, r)
		}
		chans, err := s.store.SalesChannels(ctx, acc.ID)
		if err != nil {
			return err
		}
		for _, ch := range chans {
			r := views.AdminFeedRow{Name: ch.Name, Detail: channelLabel(ch.Kind) + " · " + ch.BaseURL}
			if ch.Paused {
				r.State = "paused"
			}
			v.Channels = append(v.Channels, r)
		}
	}
	log, err := s.store.AuditLog(ctx, acc.ID, 30)
	if err != nil {
		return err
	}
	for _, e := range log {
		v.Activity = append(v.Activity, views.AdminActivityRow{At: vw.ZonedTime(e.At), Actor: e.Actor, Action: e.Action, Detail: e.Detail})
	}
	return render(c, status, views.AdminAccountPage(s.frame(c, acc.Name), v))
}

// adminAccountDisable disables (or enables) an account: its users cannot
// sign in to it, its data stays.
func (s *Server) adminAccountDisable(disable bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "accountID")
		if err != nil {
			return err
		}
		reason := c.FormValue("reason")
		acc, err := s.store.SetAccountDisabled(c.Request().Context(), principalOf(c).actor(), id, disable, reason)
		if errs := fieldErrors(err); errs != nil {
			return s.renderAdminAccount(c, http.StatusUnprocessableEntity, reason, errs)
		}
		if err != nil {
			return err
		}
		msg := acc.Name + " is enabled: its users can sign in again."
		if disable {
			msg = acc.Name + " is disabled: its users are signed out of it and cannot sign in; its data is kept."
		}
		if err := s.flash(c, msg); err != nil {
			return err
		}
		return redirect(c, "/admin/accounts/"+strconv.FormatInt(acc.ID, 10))
	}
}

// count is n and the noun that goes with it: "1 merchant", "3 merchants".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
