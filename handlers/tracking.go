package handlers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/tracking"
	"github.com/dropline/dropline/views"
)

// trackingWebhook takes a tracking provider's update for an account. The
// token in the address says which account; only the signature with the
// account's webhook secret says it came from the provider: without it the
// answer is 401, nothing changes, and the refusal is listed for the
// account's admin. Every delivery read is answered 200, since providers
// retry anything else.
func (s *Server) trackingWebhook(c echo.Context) error {
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, tracking.MaxWebhookBody+1))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) || len(body) > tracking.MaxWebhookBody {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "The webhook body is too large.")
	}
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The webhook body could not be read.")
	}
	out, err := s.store.ReceiveTrackingWebhook(c.Request().Context(), c.Param("token"), c.Request().Header, body)
	if errors.Is(err, store.ErrTrackingSignature) {
		return echo.NewHTTPError(http.StatusUnauthorized, "The webhook's signature does not match the webhook secret.")
	}
	if err != nil {
		return err
	}
	answer := map[string]any{"result": out.Result, "shipments": out.Shipments, "events_added": out.Added}
	if out.Problem != "" {
		answer["problem"] = out.Problem
	}
	return c.JSON(http.StatusOK, answer)
}

// trackingSettingsSave saves the account's tracking provider and rules.
func (s *Server) trackingSettingsSave(c echo.Context) error {
	p := principalOf(c)
	in := store.TrackingSettingsInput{Provider: c.FormValue("provider"), APIKey: c.FormValue("api_key"), WebhookSecret: c.FormValue("webhook_secret")}
	errs := views.FieldErrors{}
	var convErr error
	if in.NotMovingHours, convErr = strconv.Atoi(strings.TrimSpace(c.FormValue("not_moving_hours"))); convErr != nil {
		errs["not_moving_hours"] = "Enter a whole number of hours."
	}
	if in.DeliveryDays, convErr = strconv.Atoi(strings.TrimSpace(c.FormValue("delivery_days"))); convErr != nil {
		errs["delivery_days"] = "Enter a whole number of days."
	}
	var set store.TrackingSettings
	var err error
	if len(errs) == 0 {
		set, err = s.store.SaveTrackingSettings(c.Request().Context(), p.actor(), p.accountID(), in)
		errs = fieldErrors(err)
	}
	if len(errs) > 0 {
		// What was typed stays, but never a credential.
		typed := views.TrackingSettingsView{Provider: in.Provider, NotMovingHours: c.FormValue("not_moving_hours"), DeliveryDays: c.FormValue("delivery_days"), Errors: errs}
		return s.renderCarriers(c, http.StatusUnprocessableEntity, nil, views.CarriersView{Tracking: typed})
	}
	if err != nil {
		return err
	}
	msg := "Tracking updates are off."
	if set.Provider != "" {
		msg = "Tracking updates through " + set.Provider.Name() + " saved. New shipments are registered with it; add the webhook address below in " + set.Provider.Name() + " if it is not there yet."
		if set.EarlierQueued > 0 {
			msg += fmt.Sprintf(" %d shipment%s from the last %d days will be registered with %s.", set.EarlierQueued, plural(set.EarlierQueued),
				store.EarlierShipmentDays, set.Provider.Name())
		}
	}
	if err := s.flash(c, msg); err != nil {
		return err
	}
	return redirect(c, "/settings/carriers#tracking-updates")
}

// trackingWebhookRegister registers the account's webhook address with its
// provider by API (Register webhook with EasyPost), signed with the webhook
// secret saved, and says so; pressed again it makes no second webhook.
func (s *Server) trackingWebhookRegister(c echo.Context) error {
	p := principalOf(c)
	ctx, cancel := context.WithTimeout(c.Request().Context(), trackingRefreshTimeout)
	defer cancel()
	set, err := s.store.TrackingSettings(ctx, p.accountID())
	if err != nil {
		return err
	}
	api, err := s.trackingAPI(ctx)
	if err != nil {
		return err
	}
	hook, err := s.store.RegisterTrackingWebhook(ctx, p.actor(), p.accountID(), set.WebhookURL(c.Scheme()+"://"+c.Request().Host), api)
	name := set.Provider.Name()
	var te *tracking.Error
	switch {
	case errors.Is(err, store.ErrConflict):
		err = s.flashError(c, "Choose EasyPost, with its API key and webhook secret, and save first.")
	case errors.Is(err, store.ErrWebhookByHand):
		err = s.flashError(c, name+"'s API cannot add webhooks: add the address below in "+name+" yourself.")
	case errors.As(err, &te):
		err = s.flashError(c, "Registering the webhook failed. "+te.Error())
	case err != nil:
		return err
	case hook.Created:
		err = s.flash(c, "Webhook registered with "+name+" ("+hook.Ref+"): its updates come to the address below, signed with the webhook secret saved here.")
	default:
		err = s.flash(c, name+" already had a webhook for this address ("+hook.Ref+"): it now signs with the webhook secret saved here. No second webhook was made.")
	}
	if err != nil {
		return err
	}
	return redirect(c, "/settings/carriers#tracking-updates")
}

// trackingSettingsView is the Tracking updates section as saved; typed,
// when it has errors, is a rejected form to show back.
func (s *Server) trackingSettingsView(c echo.Context, typed views.TrackingSettingsView) (views.TrackingSettingsView, error) {
	p := principalOf(c)
	ctx := c.Request().Context()
	set, err := s.store.TrackingSettings(ctx, p.accountID())
	if err != nil {
		return typed, err
	}
	loc := p.member.Account.Location()
	v := views.TrackingSettingsView{IsAdmin: p.member.IsAdmin(), Provider: string(set.Provider), ProviderName: set.Provider.Name(), HasAPIKey: set.HasAPIKey,
		KeyHint: set.KeyHint, HasSecret: set.HasSecret, NotMovingHours: strconv.Itoa(set.NotMovingHours), DeliveryDays: strconv.Itoa(set.DeliveryDays)}
	if v.IsAdmin {
		// The address names the account: only its admins see it.
		v.WebhookURL = set.WebhookURL(c.Scheme() + "://" + c.Request().Host)
		rejected, err := s.store.RejectedTrackingWebhooks(ctx, p.accountID(), 10)
		if err != nil {
			return v, err
		}
		for _, r := range rejected {
			v.Rejected = append(v.Rejected, views.RejectedWebhookRow{At: views.Viewer{Loc: loc}.ZonedTime(r.ReceivedAt), Source: r.Source, Reason: r.Reason})
		}
	}
	if set.WebhookReceivedAt != nil {
		v.LastReceived = views.Viewer{Loc: loc}.ZonedTime(*set.WebhookReceivedAt)
	}
	if prov, err := tracking.New(tracking.Config{Kind: set.Provider}); err == nil {
		_, v.CanRegisterWebhook = prov.(tracking.WebhookRegistrar)
		v.WebhookRef = set.WebhookRef
	}
	if len(typed.Errors) > 0 {
		v.Provider, v.NotMovingHours, v.DeliveryDays, v.Errors = typed.Provider, typed.NotMovingHours, typed.DeliveryDays, typed.Errors
	}
	return v, nil
}

// trackingAPI is how the store reaches the tracking providers from a
// request: over the guarded client feed downloads use.
func (s *Server) trackingAPI(ctx context.Context) (store.TrackingAPI, error) {
	fetcher, err := s.puller.Downloader(ctx)
	if err != nil {
		return store.TrackingAPI{}, err
	}
	return store.TrackingAPI{HTTP: fetcher.GuardedClient(), URLs: s.trackingURLs}, nil
}

// trackingRefreshTimeout bounds Refresh tracking: one call to the provider.
const trackingRefreshTimeout = 30 * time.Second

// trackingRefresh asks the account's tracking provider about a shipment
// now (Refresh tracking), applies what it says as its webhook would, and
// says on the page it came from what changed, or the provider's words.
// Only the account whose provider follows the shipment may: for any
// other it is not found.
func (s *Server) trackingRefresh(c echo.Context) error {
	id, err := idParam(c, "shipmentID")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), trackingRefreshTimeout)
	defer cancel()
	api, err := s.trackingAPI(ctx)
	if err != nil {
		return err
	}
	out, err := s.store.RefreshShipmentTracking(ctx, principalOf(c).accountID(), id, api)
	var te *tracking.Error
	switch {
	case errors.Is(err, store.ErrNotTracked):
		err = s.flashError(c, "This shipment is not registered with the tracking provider yet: it can be refreshed once its registration has gone through.")
	case errors.As(err, &te):
		err = s.flashError(c, "Refreshing tracking failed. "+te.Error())
	case err != nil:
		return err
	case out.Added > 0:
		err = s.flash(c, fmt.Sprintf("Tracking refreshed: %d new carrier event%s.", out.Added, plural(out.Added)))
	default:
		err = s.flash(c, "Tracking refreshed: no new events.")
	}
	if err != nil {
		return err
	}
	return redirect(c, backHere(c))
}

// backHere is the page of this site a form was posted from, "/" when the
// browser did not say or named another site.
func backHere(c echo.Context) string {
	u, err := url.Parse(c.Request().Referer())
	if err != nil || u.Host != c.Request().Host || u.Path == "" {
		return "/"
	}
	back := u.Path
	if u.RawQuery != "" {
		back += "?" + u.RawQuery
	}
	return safeNext(back)
}

// shipmentTrackingView words what a shipment's tracking provider said.
func shipmentTrackingView(sh store.Shipment, loc *time.Location) views.ShipmentTrackingView {
	t := sh.Tracking
	v := views.ShipmentTrackingView{Provider: t.Provider.Name(), Status: string(t.Status), Label: t.Status.Label(), Expected: views.ExpectedDelivery(t.ExpectedFrom, t.ExpectedTo)}
	if t.Provider == "" {
		v.Off, v.SettingsURL = true, "/settings/carriers#tracking-updates"
	}
	if t.Mine && t.RegisteredAt != nil && sh.DeliveredAt == nil {
		v.RefreshURL = "/shipments/" + strconv.FormatInt(sh.ID, 10) + "/tracking/refresh"
	}
	if t.RegisteredAt == nil {
		switch t.Registration {
		case "pending", "waiting":
			v.Waiting = "Registering with " + v.Provider + "…"
		case "failed":
			v.Waiting, v.WaitingBad = "Registering with "+v.Provider+" failed", true
			if t.RegistrationError != "" {
				v.Waiting += ": " + t.RegistrationError
			}
		}
	}
	if t.NotMoving(sh.DeliveredAt != nil) {
		v.NotMoving = true
		v.NotMovingHint = "No carrier scan since it shipped (flagged " + views.Viewer{Loc: loc}.ZonedTime(*t.NotMovingAt) + ")."
	}
	for i, e := range t.Events {
		row := views.TrackingEventRow{Status: string(e.Status), Label: e.Status.Label(), Message: e.Message, Location: e.Location, At: views.Viewer{Loc: loc}.ZonedTime(e.OccurredAt)}
		if sub := strings.TrimSpace(e.SubStatus); sub != "" && !strings.EqualFold(sub, row.Label) && !strings.EqualFold(sub, e.Message) {
			row.Sub = sub
		}
		if i == 0 {
			v.Detail, v.Place, v.At = e.Message, e.Location, row.At
		}
		v.Events = append(v.Events, row)
	}
	return v
}
