package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/views"
)

// suppliersList is the merchant's Suppliers page: links where it is the merchant.
func (s *Server) suppliersList(c echo.Context) error {
	return s.renderAccountLinks(c, http.StatusOK, "merchant", "", nil)
}

// merchantsList is the supplier's Merchants page: links where it is the supplier.
func (s *Server) merchantsList(c echo.Context) error {
	return s.renderAccountLinks(c, http.StatusOK, "supplier", "", nil)
}

// renderAccountLinks lists the links where the acting account stands on side.
func (s *Server) renderAccountLinks(c echo.Context, status int, side, publicID string, errs views.FieldErrors) error {
	p := principalOf(c)
	vw := p.viewer()
	ctx := c.Request().Context()
	links, err := s.store.AccountLinks(ctx, p.accountID())
	if err != nil {
		return err
	}
	v := views.AccountLinksView{IsAdmin: p.member.IsAdmin(), PublicID: publicID, Errors: errs}
	if side == "merchant" {
		v.Heading, v.OtherSide, v.FormPath, v.FormLabel = "Suppliers", "Supplier", "/suppliers/request", "Ask a supplier to link"
		v.Intro = "Suppliers linked to this account. Orders route only over an active link, with the dropship module on in both accounts and an initial status chosen by the supplier."
	} else {
		v.Heading, v.OtherSide, v.FormPath, v.FormLabel = "Merchants", "Merchant", "/merchants/invite", "Invite a merchant"
		v.Intro = "Merchants that sell this account's products and route their orders to it."
	}
	for _, l := range links {
		if l.Side(p.accountID()) != side {
			continue
		}
		row := views.LinkListRow{ID: l.ID, State: l.State, Since: vw.Date(l.CreatedAt),
			Awaiting: l.AwaitsAnswerFrom(p.accountID()), Sent: l.State == store.LinkPending && l.RequestedBy == side}
		if side == "merchant" {
			row.Other, row.OtherPID = l.SupplierName, l.SupplierPID
		} else {
			row.Other, row.OtherPID = l.MerchantName, l.MerchantPID
		}
		if l.Live() {
			if row.Routing, err = s.store.RoutingProblems(ctx, l.MerchantID, l.SupplierID); err != nil {
				return err
			}
		}
		v.Links = append(v.Links, row)
	}
	return render(c, status, views.AccountLinksPage(s.frame(c, v.Heading), v))
}

func (s *Server) linkRequest(side, back string) echo.HandlerFunc {
	return func(c echo.Context) error {
		p := principalOf(c)
		publicID := c.FormValue("public_id")
		l, err := s.store.RequestLink(c.Request().Context(), p.actor(), p.accountID(), side, publicID)
		if errs := fieldErrors(err); errs != nil {
			return s.renderAccountLinks(c, http.StatusUnprocessableEntity, side, publicID, errs)
		}
		if err != nil {
			return err
		}
		other := l.MerchantName
		if side == "merchant" {
			other = l.SupplierName
		}
		if err := s.flash(c, "Invitation sent to "+other+". The link becomes active when they accept."); err != nil {
			return err
		}
		return redirect(c, back)
	}
}

func (s *Server) linkShow(c echo.Context) error {
	return s.renderLink(c, http.StatusOK, nil, nil)
}

func (s *Server) renderLink(c echo.Context, status int, merchantForm *store.MerchantLinkSettings, errs views.FieldErrors) error {
	id, err := idParam(c, "linkID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	ctx := c.Request().Context()
	l, err := s.store.Link(ctx, p.accountID(), id)
	if err != nil {
		return err
	}
	side := l.Side(p.accountID())
	v := views.LinkView{
		ID: l.ID, Supplier: l.SupplierName + " (" + l.SupplierPID + ")", Merchant: l.MerchantName + " (" + l.MerchantPID + ")",
		State: l.State, RequestedBy: l.RequestedBy, Side: side, IsAdmin: p.member.IsAdmin(),
		Awaiting: l.AwaitsAnswerFrom(p.accountID()), Sent: l.State == store.LinkPending && l.RequestedBy == side,
		ShowCustomerPhone: l.ShowCustomerPhone, ShowCustomerEmail: l.ShowCustomerEmail, ShowPrices: l.ShowPrices,
		AutoDropship: l.AutoDropship, ReleaseDelayMinutes: strconv.Itoa(l.ReleaseDelayMinutes), POFormat: l.POFormat, POPrefix: l.POPrefix,
		POExample: store.ExamplePONumber(l.MerchantLinkSettings, "1001"), MerchantErrors: errs,
		EarnOn: l.EarnOn, HoldingDays: strconv.Itoa(l.HoldingDays),
		Back: "/suppliers", BackLabel: "Suppliers",
	}
	if side == "supplier" {
		v.Back, v.BackLabel = "/merchants", "Merchants"
	} else {
		v.Scorecard = "/suppliers/" + l.SupplierPID + "/scorecard"
	}
	if merchantForm != nil {
		v.AutoDropship, v.POFormat, v.POPrefix, v.EarnOn = merchantForm.AutoDropship, merchantForm.POFormat, merchantForm.POPrefix, merchantForm.EarnOn
		v.ReleaseDelayMinutes, v.HoldingDays = c.FormValue("release_delay_minutes"), c.FormValue("holding_days")
	}
	if l.Live() {
		if v.Routing, err = s.store.RoutingProblems(ctx, l.MerchantID, l.SupplierID); err != nil {
			return err
		}
	}
	hist, err := s.store.RecordHistory(ctx, p.accountID(), "vendor_link", l.ID)
	if err != nil {
		return err
	}
	v.History = historyRows(hist, p.member.Account)
	return render(c, status, views.LinkPage(s.frame(c, "Link: "+l.SupplierName+" → "+l.MerchantName), v))
}

func historyRows(entries []store.AuditEntry, acc store.Account) []views.HistoryRow {
	vw := viewerOf(acc)
	var rows []views.HistoryRow
	for _, e := range entries {
		rows = append(rows, views.HistoryRow{At: vw.ZonedTime(e.At), Actor: e.Actor, Action: e.Action, Detail: e.Detail})
	}
	return rows
}

// linkBack is where a link change returns to: the link's page.
func linkBack(c echo.Context) string { return "/links/" + c.Param("linkID") }

func (s *Server) linkState(c echo.Context) error {
	id, err := idParam(c, "linkID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	action := c.FormValue("action")
	l, err := s.store.ChangeLink(c.Request().Context(), p.actor(), p.accountID(), id, action)
	if errs := fieldErrors(err); errs != nil {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "Unknown link action.")
	}
	if err != nil {
		return s.conflictToFlash(c, err, linkBack(c))
	}
	if err := s.flash(c, "The link is now "+l.State+"."); err != nil {
		return err
	}
	return redirect(c, linkBack(c))
}

// ownLinkSide checks that the acting account stands on side of the link
// before its settings form is read: the other side, and everyone else, get
// 404 whatever they post, so no answer reveals the form.
func (s *Server) ownLinkSide(c echo.Context, linkID int64, side string) error {
	p := principalOf(c)
	l, err := s.store.Link(c.Request().Context(), p.accountID(), linkID)
	if err != nil {
		return err
	}
	if l.Side(p.accountID()) != side {
		return echo.ErrNotFound
	}
	return nil
}

// supplierLinkForm is the supplier's link settings form as posted.
type supplierLinkForm struct {
	ShowCustomerPhone bool `form:"show_customer_phone"`
	ShowCustomerEmail bool `form:"show_customer_email"`
	ShowPrices        bool `form:"show_prices"`
}

func (s *Server) linkSupplierSettings(c echo.Context) error {
	id, err := idParam(c, "linkID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	if err := s.ownLinkSide(c, id, "supplier"); err != nil {
		return err
	}
	var in supplierLinkForm
	if err := s.decodeForm(c, &in); err != nil {
		return err
	}
	if _, err := s.store.UpdateSupplierLinkSettings(c.Request().Context(), p.actor(), p.accountID(), id, store.SupplierLinkSettings(in)); err != nil {
		return err
	}
	if err := s.flash(c, "Link settings saved."); err != nil {
		return err
	}
	return redirect(c, linkBack(c))
}

// merchantLinkForm is the merchant's link settings form as posted.
type merchantLinkForm struct {
	AutoDropship bool   `form:"auto_dropship"`
	ReleaseDelay string `form:"release_delay_minutes"`
	POFormat     string `form:"po_format"`
	POPrefix     string `form:"po_prefix"`
	EarnOn       string `form:"earn_on"`
	HoldingDays  string `form:"holding_days"`
}

func (s *Server) linkMerchantSettings(c echo.Context) error {
	id, err := idParam(c, "linkID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	if err := s.ownLinkSide(c, id, "merchant"); err != nil {
		return err
	}
	var in merchantLinkForm
	if err := s.decodeForm(c, &in); err != nil {
		return err
	}
	settings := store.MerchantLinkSettings{AutoDropship: in.AutoDropship, POFormat: in.POFormat, POPrefix: in.POPrefix, EarnOn: in.EarnOn}
	errs := views.FieldErrors{}
	settings.ReleaseDelayMinutes = wholeNumber(errs, "release_delay_minutes", in.ReleaseDelay, 0)
	settings.HoldingDays = wholeNumber(errs, "holding_days", in.HoldingDays, 14)
	if len(errs) > 0 {
		return s.renderLink(c, http.StatusUnprocessableEntity, &settings, errs)
	}
	_, err = s.store.UpdateMerchantLinkSettings(c.Request().Context(), p.actor(), p.accountID(), id, settings)
	if errs := fieldErrors(err); errs != nil {
		return s.renderLink(c, http.StatusUnprocessableEntity, &settings, errs)
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "Link settings saved."); err != nil {
		return err
	}
	return redirect(c, linkBack(c))
}

// adminLinkState lets the platform admin pause, resume or end any link.
func (s *Server) adminLinkState(c echo.Context) error {
	id, err := idParam(c, "linkID")
	if err != nil {
		return err
	}
	action := c.FormValue("action")
	if action != store.LinkPause && action != store.LinkResume && action != store.LinkEnd {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "Platform admins can pause, resume or end a link.")
	}
	l, err := s.store.ChangeLink(c.Request().Context(), principalOf(c).actor(), 0, id, action)
	if err != nil {
		return s.conflictToFlash(c, err, "/admin/links")
	}
	if err := s.flash(c, l.SupplierName+" → "+l.MerchantName+" is now "+l.State+"."); err != nil {
		return err
	}
	return redirect(c, "/admin/links")
}
