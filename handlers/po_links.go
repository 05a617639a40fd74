package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/views"
)

// Limits on the link pages. Each client address may make poLinkBurst
// requests at once and poLinkPerSecond more each second (counted in this
// instance's memory: a wrong token writes nothing, not even a count); each
// link may make poLinkActions changes per loginWindow, counted in the
// database so every instance counts the same.
const (
	poLinkBurst     = 60
	poLinkPerSecond = 1
	poLinkActions   = 60
)

// poLinkLimiter refuses a client address's requests to link pages beyond
// the limits with 429, before the token is looked up.
func (s *Server) poLinkLimiter() echo.MiddlewareFunc {
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: poLinkPerSecond, Burst: poLinkBurst, ExpiresIn: 3 * time.Minute}),
		IdentifierExtractor: func(c echo.Context) (string, error) { return c.RealIP(), nil },
		ErrorHandler: func(c echo.Context, err error) error {
			return echo.NewHTTPError(http.StatusForbidden, "This request cannot be identified.")
		},
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			return echo.NewHTTPError(http.StatusTooManyRequests, "Too many requests from your address: wait a minute and try again.")
		},
	})
}

// poLinkView builds the link page of lp, in the supplier's time zone.
func (s *Server) poLinkView(c echo.Context, lp store.LinkedPO) (views.POLinkView, error) {
	ctx := c.Request().Context()
	po := lp.PO
	sup, err := s.store.Account(ctx, lp.SupplierID)
	if err != nil {
		return views.POLinkView{}, err
	}
	vw := viewerOf(sup)
	link, err := s.store.POLink(ctx, po)
	if err != nil {
		return views.POLinkView{}, err
	}
	v := views.POLinkView{Path: store.POLinkPath(po.ID, c.Param("token")), Number: po.PONumber, Merchant: po.MerchantName, Email: lp.Link.Email, System: po.Status,
		Ack: lp.Acknowledged, Received: vw.ZonedTime(po.ReleaseAt), Promise: vw.Date(lp.PromiseDate),
		Cancel: po.CancelState, CancelWhy: po.CancelReason, ShipTo: addressLines(po.ShipTo), Phone: po.Customer.Phone, CustEmail: po.Customer.Email,
		Notes: po.Notes, CanShip: po.Status == store.POOpen || po.Status == store.POPartiallyShipped,
		Flash: s.takeFlash(c, "flash"), FlashError: s.takeFlash(c, "flash-error")}
	if lp.Acknowledged {
		by := lp.AcknowledgedBy
		if by != "" && !strings.HasPrefix(by, "via ") {
			by = "by " + by
		}
		v.AckText = strings.Join(strings.Fields("Acknowledged "+by+" at "+vw.ZonedTime(lp.AcknowledgedAt)), " ")
	}
	v.Contact = append([]string{po.MerchantName}, lp.Contact.ReturnAddressLines()...)
	if lp.Contact.ReplyToEmail != "" {
		v.Contact = append(v.Contact, lp.Contact.ReplyToEmail)
	}
	for _, l := range po.Lines {
		sl := views.SupplierPOLine{ID: l.ID, SKU: l.SupplierSKU, Title: l.Title, Ordered: l.Quantity, Shipped: l.ShippedQty, Remaining: l.Quantity - l.ShippedQty,
			Status: l.Status, Reason: l.Reason}
		if l.Status == "rejected" || l.Status == "cancelled" {
			sl.Remaining = 0
		}
		if link.ShowPrices {
			sl.Price = vw.Money(l.PriceCents, po.Currency)
		}
		v.Lines = append(v.Lines, sl)
	}
	opts, def, err := s.store.ShippingOptions(ctx, lp.SupplierID)
	if err != nil {
		return v, err
	}
	for _, o := range opts {
		v.Carriers = append(v.Carriers, views.Option{Value: o.Value, Label: o.Name})
	}
	v.Form = views.ShipmentForm{Carrier: def, ShipDate: s.now().In(vw.Loc).Format("2006-01-02")}
	ships, err := s.store.Shipments(ctx, lp.SupplierID, po.ID)
	if err != nil {
		return v, err
	}
	v.Shipments = shipmentRows(ships, vw)
	for i := range v.Shipments {
		v.Shipments[i].Tracking.SettingsURL = "" // no settings through a signed link
	}
	return v, nil
}

// renderPOLink writes the link page; it is the link's alone: never cached,
// never indexed.
func renderPOLink(c echo.Context, status int, v views.POLinkView) error {
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	return render(c, status, views.POLinkPage(csrfOf(c), v))
}

func (s *Server) poLinkShow(c echo.Context) error {
	id, err := idParam(c, "poID")
	if err != nil {
		return err
	}
	lp, err := s.store.OpenPOLink(c.Request().Context(), id, c.Param("token"))
	if err != nil {
		return err
	}
	v, err := s.poLinkView(c, lp)
	if err != nil {
		return err
	}
	return renderPOLink(c, http.StatusOK, v)
}

// linkedPO is the PO an action's link opens, once the link's count of
// changes allows one more. A link that opens nothing is 404 before any
// input is read or anything is written.
func (s *Server) linkedPO(c echo.Context) (store.LinkedPO, error) {
	ctx := c.Request().Context()
	id, err := idParam(c, "poID")
	if err != nil {
		return store.LinkedPO{}, err
	}
	lp, err := s.store.LinkedPO(ctx, id, c.Param("token"))
	if err != nil {
		return lp, err
	}
	_, blocked, wait, err := s.store.ReserveLogin(ctx, []store.LoginLimit{{Key: "po-link " + strconv.FormatInt(lp.Link.ID, 10), Limit: poLinkActions}}, loginWindow)
	if err != nil {
		return lp, err
	}
	if blocked {
		return lp, echo.NewHTTPError(http.StatusTooManyRequests, fmt.Sprintf("Too many changes through this link: try again in %d minutes.", int(wait.Minutes())+1))
	}
	return lp, nil
}

// poLinkAction runs one change through a link and returns to its page,
// with the change's message or what stopped it.
func (s *Server) poLinkAction(c echo.Context, do func(lp store.LinkedPO) error, ok string) error {
	lp, err := s.linkedPO(c)
	if err != nil {
		return err
	}
	return s.afterPOAction(c, do(lp), store.POLinkPath(lp.PO.ID, c.Param("token")), ok)
}

func (s *Server) poLinkAcknowledge(c echo.Context) error {
	return s.poLinkAction(c, func(lp store.LinkedPO) error {
		return s.store.AcknowledgePO(c.Request().Context(), lp.Link.Actor(), lp.SupplierID, lp.PO.ID)
	}, "Acknowledged: the merchant sees it now.")
}

func (s *Server) poLinkReject(c echo.Context) error {
	return s.poLinkAction(c, func(lp store.LinkedPO) error {
		if err := parseBody(c); err != nil {
			return err
		}
		var ids []int64
		for _, raw := range c.Request().PostForm["line_ids"] {
			if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
				ids = append(ids, n)
			}
		}
		// The store refuses a line that is not on this PO.
		return s.store.RejectPOLines(c.Request().Context(), lp.Link.Actor(), lp.SupplierID, lp.PO.ID, ids, c.FormValue("reason"))
	}, "Lines rejected: the merchant has been told why.")
}

func (s *Server) poLinkCancelAnswer(c echo.Context) error {
	accept := c.FormValue("answer") == "accept"
	msg := "Cancellation declined."
	if accept {
		msg = "Cancellation accepted: what had not shipped is cancelled."
	}
	return s.poLinkAction(c, func(lp store.LinkedPO) error {
		return s.store.AnswerCancel(c.Request().Context(), lp.Link.Actor(), lp.SupplierID, lp.PO.ID, accept, c.FormValue("reason"))
	}, msg)
}

func (s *Server) poLinkShipment(c echo.Context) error {
	lp, err := s.linkedPO(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var in views.ShipmentForm
	if err := s.decodeForm(c, &in); err != nil {
		return err
	}
	input := store.ShipmentInput{Carrier: in.Carrier, TrackingNumber: in.Number, ShipDate: in.ShipDate, ExtendedField: in.Extended, Override: in.Override}
	// Only this PO's lines are read from the form.
	var empty error
	input.Lines, in.Qty, empty = parcelLines(c, lp.PO.Lines)
	back := store.POLinkPath(lp.PO.ID, c.Param("token"))
	var sh store.Shipment
	if empty != nil {
		err = empty // nothing in the parcel: nothing is saved
	} else {
		sh, err = s.store.AddShipment(ctx, lp.Link.Actor(), lp.SupplierID, lp.PO.ID, input)
	}
	if errs := fieldErrors(err); errs != nil {
		v, verr := s.poLinkView(c, lp)
		if verr != nil {
			return verr
		}
		v.Form, v.Errors = in, errs
		return renderPOLink(c, http.StatusUnprocessableEntity, v)
	}
	if err != nil {
		return s.conflictToFlash(c, err, back)
	}
	if err := s.flash(c, "Shipment saved: "+sh.CarrierName+" "+sh.TrackingNumber+". "+lp.PO.MerchantName+" sees it now."); err != nil {
		return err
	}
	return redirect(c, back)
}

// poEmailingView is the merchant's PO page block of a PO emailed to its
// supplier, or nil for a PO never emailed to a supplier reached by email.
func (s *Server) poEmailingView(c echo.Context, poID int64) (*views.POEmailingView, error) {
	p := principalOf(c)
	e, err := s.store.POEmailing(c.Request().Context(), p.accountID(), poID)
	if err != nil {
		return nil, err
	}
	if len(e.Links) == 0 && !e.ByEmail {
		return nil, nil
	}
	vw := p.viewer()
	at := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return vw.ZonedTime(*t)
	}
	v := &views.POEmailingView{POID: poID, EmailedAt: at(e.EmailedAt), RemindedAt: at(e.RemindedAt), OpenedAt: at(e.OpenedAt), LastOpened: at(e.LastOpenedAt),
		AckAt: at(e.AcknowledgedAt), AckBy: e.AcknowledgedBy, Expires: at(e.ExpiresAt), Expired: e.Expired, Live: e.Live(), CanResend: e.ByEmail && !e.Expired}
	if v.AckBy != "" && !strings.HasPrefix(v.AckBy, "via ") {
		v.AckBy = "by " + v.AckBy
	}
	why := map[string]string{store.LinkNew: "new PO", store.LinkReminder: "reminder", store.LinkResent: "sent again"}
	for _, l := range e.Links {
		row := views.POLinkRow{Email: l.Email, Why: why[l.Reason], Created: at(&l.CreatedAt), State: "works", Opened: "not opened"}
		switch {
		case l.RevokedAt != nil:
			row.State = "revoked " + at(l.RevokedAt)
			if l.RevokedBy != "" {
				row.State += " by " + l.RevokedBy
			}
		case e.Expired:
			row.State = "expired"
		}
		if l.FirstOpenedAt != nil {
			row.Opened = fmt.Sprintf("%s (%d %s, last %s)", at(l.FirstOpenedAt), l.Opens, ifPlural(l.Opens, "time", "times"), at(l.LastOpenedAt))
		}
		switch l.EmailState {
		case "sent":
			row.Sent = "sent " + at(l.EmailSent)
		case "failed":
			row.Sent = "failed: " + l.EmailNote
		case "pending":
			row.Sent = "queued"
			if l.EmailNote != "" {
				row.Sent = "waiting: " + l.EmailNote
			}
		}
		v.Links = append(v.Links, row)
	}
	return v, nil
}

func ifPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (s *Server) poLinksRevoke(c echo.Context) error {
	id, err := idParam(c, "poID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	back := "/purchase-orders/" + c.Param("poID")
	n, err := s.store.RevokePOLinks(c.Request().Context(), p.actor(), p.accountID(), id)
	if err != nil {
		return s.conflictToFlash(c, err, back)
	}
	msg := "1 link revoked: it no longer opens the PO."
	if n != 1 {
		msg = fmt.Sprintf("%d links revoked: they no longer open the PO.", n)
	}
	if err := s.flash(c, msg); err != nil {
		return err
	}
	return redirect(c, back)
}

func (s *Server) poLinksResend(c echo.Context) error {
	id, err := idParam(c, "poID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	back := "/purchase-orders/" + c.Param("poID")
	addrs, err := s.store.ResendPOLink(c.Request().Context(), p.actor(), p.accountID(), id)
	if err != nil {
		return s.conflictToFlash(c, err, back)
	}
	if err := s.flash(c, "Emailed again to "+strings.Join(addrs, ", ")+" with a new link; the earlier links no longer work."); err != nil {
		return err
	}
	return redirect(c, back)
}
