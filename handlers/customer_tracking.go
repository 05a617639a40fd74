package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/tracking"
	"github.com/dropline/dropline/views"
)

// customerTrackingShow is the page a customer's shipping email links to:
// the token is the credential, bound to that order alone. An unknown,
// revoked or expired link is 404, and nothing is written.
func (s *Server) customerTrackingShow(c echo.Context) error {
	ct, err := s.store.CustomerTrackingByToken(c.Request().Context(), c.Param("token"))
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	if errors.Is(err, store.ErrNotFound) {
		// The customer's own words, not the portal's error page.
		return render(c, http.StatusNotFound, views.CustomerTrackingGone())
	}
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.CustomerTrackingPage(customerTrackingView(ct)))
}

// customerTrackingPreview shows the merchant an order's tracking page as
// its customer sees it.
func (s *Server) customerTrackingPreview(c echo.Context) error {
	id, err := idParam(c, "orderID")
	if err != nil {
		return err
	}
	ct, err := s.store.CustomerTrackingPreview(c.Request().Context(), principalOf(c).accountID(), id)
	if err != nil {
		return err
	}
	v := customerTrackingView(ct)
	v.Preview, v.BackURL = true, "/orders/"+strconv.FormatInt(id, 10)
	return render(c, http.StatusOK, views.CustomerTrackingPage(v))
}

// trackingLinksRevoke stops the order's customer tracking links.
func (s *Server) trackingLinksRevoke(c echo.Context) error {
	id, err := idParam(c, "orderID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	n, err := s.store.RevokeTrackingLinks(c.Request().Context(), p.actor(), p.accountID(), id)
	if err != nil {
		return err
	}
	msg := "The customer's tracking links were already revoked."
	if n > 0 {
		msg = fmt.Sprintf("Revoked %s: the tracking page no longer opens from the emails sent so far. Later emails to the customer (a shipment, out for delivery, delivered) carry new links.",
			count(n, "tracking link", "tracking links"))
	}
	if err := s.flash(c, msg); err != nil {
		return err
	}
	return redirect(c, "/orders/"+strconv.FormatInt(id, 10))
}

// customerTrackingView words an order's tracking page, in the merchant's
// time zone (each time says its zone).
func customerTrackingView(ct store.CustomerTracking) views.CustomerTrackingView {
	vw := viewerOf(ct.Merchant)
	v := views.CustomerTrackingView{Merchant: ct.Merchant.Name, OrderNumber: ct.OrderNumber, Placed: vw.Date(ct.PlacedAt), Cancelled: ct.Cancelled, Contact: ct.ReplyTo}
	delivered := 0
	// Each parcel keeps its number whichever email's link opened the page.
	nth := map[int64]int{}
	for _, p := range ct.Parcels {
		nth[p.ID] = 1
		for _, q := range ct.Parcels {
			if q.ID < p.ID {
				nth[p.ID]++
			}
		}
	}
	for _, p := range ct.Parcels {
		pv := views.CustomerParcelView{Nth: nth[p.ID], Carrier: p.CarrierName, Number: p.TrackingNumber, URL: safeHTTP(p.TrackingURL), Shipped: p.ShipDate,
			Followed: p.Tracking.Provider != ""}
		if day, err := time.Parse(time.DateOnly, p.ShipDate); err == nil {
			pv.Shipped = day.Format("2 Jan 2006")
		}
		for _, it := range p.Items {
			pv.Items = append(pv.Items, strconv.Itoa(it.Quantity)+" × "+it.Name)
		}
		t := shipmentTrackingView(p.Shipment, vw.Loc)
		pv.Events, pv.Expected = t.Events, t.Expected
		switch {
		case p.DeliveredAt != nil:
			delivered++
			pv.Status, pv.Label, pv.Delivered = string(tracking.Delivered), "Delivered", vw.ZonedTime(*p.DeliveredAt)
		case t.Status != "":
			pv.Status, pv.Label, pv.At = t.Status, t.Label, t.At
			pv.Detail = t.Detail
			if t.Place != "" && t.Detail != "" {
				pv.Detail += ", " + t.Place
			} else if t.Place != "" {
				pv.Detail = t.Place
			}
			pv.Problem = p.Tracking.Status.Problem()
		default:
			// Not a carrier's word yet: it has left the supplier.
			pv.Status, pv.Label = "shipped", "Shipped"
		}
		v.Parcels = append(v.Parcels, pv)
	}
	for _, it := range ct.ToShip {
		v.ToShip = append(v.ToShip, strconv.Itoa(it.Quantity)+" × "+it.Name)
	}
	n := len(ct.Parcels)
	switch {
	case n == 0 && ct.Cancelled:
		v.Headline = "This order was cancelled"
	case n == 0:
		v.Headline = "Your order is being prepared"
	case delivered == n && len(ct.ToShip) == 0:
		v.Headline = "Delivered"
	case delivered == n:
		v.Headline = "Part of your order was delivered; the rest is still to ship"
	case delivered > 0:
		v.Headline = fmt.Sprintf("%d of %d parcels delivered", delivered, n)
	case len(ct.ToShip) > 0:
		v.Headline = "Part of your order is on its way"
	case n == 1:
		v.Headline = "Your order is on its way"
	default:
		v.Headline = "Your order is on its way, in " + count(n, "parcel", "parcels")
	}
	return v
}
