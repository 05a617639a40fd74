package handlers

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/carrier"
	"github.com/dropline/dropline/views"
)

// carrierSettingsForm is the carriers form as posted.
type carrierSettingsForm struct {
	LogisticsKind string   `form:"logistics_kind"`
	InventoryMode string   `form:"inventory_mode"`
	Restricted    bool     `form:"restricted"`
	Allowed       []string `form:"allowed"`
	Default       string   `form:"default"`
}

// renderCarriers shows the Carriers page; typed, when not nil, is a rejected form to show back.
func (s *Server) renderCarriers(c echo.Context, status int, typed *carrierSettingsForm, v views.CarriersView) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	set, providers, err := s.store.CarrierSettings(ctx, p.accountID())
	if err != nil {
		return err
	}
	form := carrierSettingsForm{LogisticsKind: set.LogisticsKind, InventoryMode: set.InventoryMode, Restricted: set.Restricted, Allowed: set.Allowed, Default: set.Default}
	if typed != nil {
		form = *typed
	}
	allowed := map[string]bool{}
	for _, code := range form.Allowed {
		allowed[code] = true
	}
	v.IsAdmin, v.IsSupplier, v.IsMerchant = p.member.IsAdmin(), p.member.Account.IsSupplier(), p.member.Account.IsMerchant()
	v.LogisticsKind, v.InventoryMode, v.Restricted, v.Default = form.LogisticsKind, form.InventoryMode, form.Restricted, form.Default
	for _, cr := range carrier.All() {
		v.Carriers = append(v.Carriers, views.CarrierChoice{Code: cr.Code, Name: cr.Name, Allowed: allowed[cr.Code]})
	}
	options, _, err := s.store.ShippingOptions(ctx, p.accountID())
	if err != nil {
		return err
	}
	for _, o := range options {
		v.Options = append(v.Options, views.Option{Value: o.Value, Label: o.Name})
	}
	for _, pr := range providers {
		v.Providers = append(v.Providers, views.ProviderRow{ID: pr.ID, Name: pr.Name, TrackingURL: pr.TrackingURL, Kind: pr.Kind, Retired: pr.Retired})
	}
	if v.Tracking, err = s.trackingSettingsView(c, v.Tracking); err != nil {
		return err
	}
	return render(c, status, views.CarriersPage(s.frame(c, "Carriers"), v))
}

func (s *Server) carriersShow(c echo.Context) error {
	return s.renderCarriers(c, http.StatusOK, nil, views.CarriersView{})
}

func (s *Server) carriersSave(c echo.Context) error {
	var in carrierSettingsForm
	if err := s.decodeForm(c, &in); err != nil {
		return err
	}
	p := principalOf(c)
	err := s.store.UpdateCarrierSettings(c.Request().Context(), p.actor(), p.accountID(), store.CarrierSettings(in))
	if errs := fieldErrors(err); errs != nil {
		return s.renderCarriers(c, http.StatusUnprocessableEntity, &in, views.CarriersView{SettingsErrors: errs})
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "Carrier settings saved."); err != nil {
		return err
	}
	return redirect(c, "/settings/carriers")
}

func (s *Server) providerAdd(c echo.Context) error {
	var in views.ProviderForm
	if err := s.decodeForm(c, &in); err != nil {
		return err
	}
	p := principalOf(c)
	pr, err := s.store.AddLogisticsProvider(c.Request().Context(), p.actor(), p.accountID(), in.Name, in.TrackingURL, in.Kind)
	if errs := fieldErrors(err); errs != nil {
		return s.renderCarriers(c, http.StatusUnprocessableEntity, nil, views.CarriersView{Provider: in, ProviderErrors: errs})
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "Added "+pr.Name+"."); err != nil {
		return err
	}
	return redirect(c, "/settings/carriers")
}

func (s *Server) providerRetire(c echo.Context) error {
	id, err := idParam(c, "providerID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	if err := s.store.RetireLogisticsProvider(c.Request().Context(), p.actor(), p.accountID(), id); err != nil {
		return err
	}
	if err := s.flash(c, "Provider retired."); err != nil {
		return err
	}
	return redirect(c, "/settings/carriers")
}

// trackingCheck answers the tracking-number checker: an htmx partial, or the
// whole page for a browser without JavaScript. With no carrier chosen it
// says which of the account's carriers the number is.
func (s *Server) trackingCheck(c echo.Context) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	number := c.FormValue("tracking_number")
	status := http.StatusOK
	var v views.TrackingResultView
	if strings.TrimSpace(c.FormValue("carrier")) == "" && strings.TrimSpace(number) != "" {
		g, err := s.store.GuessCarrier(ctx, p.accountID(), number)
		if err != nil {
			return err
		}
		hint := hintView(g, "")
		v = views.TrackingResultView{Checked: true, Guess: &hint}
		return render(c, status, views.TrackingResult(v))
	}
	tc, err := s.store.CheckTracking(ctx, p.accountID(), c.FormValue("carrier"), number)
	v = views.TrackingResultView{Checked: true, Carrier: tc.Carrier.Name, Number: tc.Number, URL: tc.URL, Problem: tc.Problem}
	if errs := fieldErrors(err); errs != nil {
		v.Error = errs["carrier"] + errs["tracking_number"]
		status = http.StatusUnprocessableEntity
	} else if err != nil {
		return err
	}
	if isHTMX(c) {
		// htmx swaps only 2xx responses by default; the message is the content.
		return render(c, http.StatusOK, views.TrackingResult(v))
	}
	return render(c, status, views.TrackingResult(v))
}

// carrierGuess answers the shipment form's "Looks like" line as a
// tracking number is typed: which of the account's carriers it is.
func (s *Server) carrierGuess(c echo.Context) error {
	p := principalOf(c)
	number := c.QueryParam("tracking_number")
	if strings.TrimSpace(number) == "" {
		return render(c, http.StatusOK, views.CarrierHint(views.CarrierHintView{}))
	}
	g, err := s.store.GuessCarrier(c.Request().Context(), p.accountID(), number)
	if err != nil {
		return err
	}
	chosen := ""
	v := views.CarrierHintView{}
	if cr, ok := carrier.Lookup(c.QueryParam("carrier")); ok && cr.Code == c.QueryParam("carrier") {
		chosen = cr.Name
		v = hintView(g, chosen)
		if err := carrier.Check(cr.Code, number); err != nil && v.Chosen == "" {
			// (When the number is surely another carrier's, the hint says
			// that instead.)
			v.Problem = err.Error()
		}
	} else {
		v = hintView(g, chosen)
	}
	return render(c, http.StatusOK, views.CarrierHint(v))
}

// hintView turns a guess into the hint line; chosen, the carrier picked in
// the form, is mentioned when the number confirms others but not it.
func hintView(g store.CarrierGuess, chosen string) views.CarrierHintView {
	v := views.CarrierHintView{Number: g.Number, Elsewhere: g.Elsewhere, Issuer: g.Issuer}
	for _, o := range g.Sure {
		v.Sure = append(v.Sure, o.Name)
	}
	for _, o := range g.Maybe {
		v.Maybe = append(v.Maybe, o.Name)
	}
	if chosen != "" && len(v.Sure) > 0 && !slices.Contains(v.Sure, chosen) {
		v.Chosen = chosen
	}
	return v
}
