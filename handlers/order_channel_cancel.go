package handlers

import (
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/views"
)

// channelCancelView is the order's cancellation on its store, for the
// order page; nil when the store has not cancelled it.
func (s *Server) channelCancelView(c echo.Context, orderID int64) (*views.ChannelCancelView, error) {
	p := principalOf(c)
	vw := p.viewer()
	cc, err := s.store.OrderChannelCancellation(c.Request().Context(), p.accountID(), orderID)
	if err != nil || cc == nil {
		return nil, err
	}
	return &views.ChannelCancelView{OrderID: orderID, Store: cc.Store, At: vw.Time(cc.At),
		Reason: cc.Reason, Open: cc.Open, Requested: cc.Requested, Shipped: cc.Shipped}, nil
}

// orderChannelCancel asks the suppliers of an order its store cancelled to
// cancel every open PO, in one go.
func (s *Server) orderChannelCancel(c echo.Context) error {
	id, err := idParam(c, "orderID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	back := "/orders/" + strconv.FormatInt(id, 10)
	asked, err := s.store.RequestChannelCancellation(c.Request().Context(), p.actor(), p.accountID(), id)
	if err != nil {
		return s.conflictToFlash(c, err, back)
	}
	msg := "Cancellation requested for " + strings.Join(asked, ", ") + ": the supplier must accept or decline it."
	if len(asked) > 1 {
		msg = "Cancellation requested for " + strconv.Itoa(len(asked)) + " purchase orders (" + strings.Join(asked, ", ") + "): their suppliers must accept or decline it."
	}
	if cc, err := s.store.OrderChannelCancellation(c.Request().Context(), p.accountID(), id); err == nil && cc != nil && len(cc.Shipped) > 0 {
		msg += " " + strings.Join(cc.Shipped, ", ") + " already shipped and cannot be cancelled."
	}
	if err := s.flash(c, msg); err != nil {
		return err
	}
	return redirect(c, back)
}
