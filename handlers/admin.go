package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/views"
)

func (s *Server) renderAdminAccounts(c echo.Context, status int, v views.AdminAccountsView) error {
	accounts, err := s.store.Accounts(c.Request().Context())
	if err != nil {
		return err
	}
	for _, a := range accounts {
		v.Accounts = append(v.Accounts, views.AccountRow{
			ID: a.ID, PublicID: a.PublicID, Name: a.Name, Kind: a.Kind, Dropship: a.DropshipEnabled,
			Members: a.Members, Links: a.Links, Created: a.CreatedAt.Format("2 Jan 2006"),
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

func linkRows(links []store.VendorLink) []views.LinkRow {
	var rows []views.LinkRow
	for _, l := range links {
		rows = append(rows, views.LinkRow{
			ID:       l.ID,
			Supplier: l.SupplierName + " (" + l.SupplierPID + ")",
			Merchant: l.MerchantName + " (" + l.MerchantPID + ")",
			State:    l.State,
			Since:    l.CreatedAt.Format("2 Jan 2006"),
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
	v.Links = linkRows(links)
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
