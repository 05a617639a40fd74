package handlers

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/views"
)

var queueTabLabels = map[string]string{
	store.QueueToAcknowledge: "To acknowledge", store.QueueToShip: "To ship", store.QueueShipped: "Shipped",
	store.QueueExceptions: "Exceptions", store.QueueLate: "Late", store.QueueAll: "All",
}

func age(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

func poStatusText(po store.PurchaseOrder) string {
	if po.Status == store.POOpen && po.SupplierStatus != "" {
		return po.SupplierStatus
	}
	return strings.ReplaceAll(po.Status, "_", " ")
}

func (s *Server) dropshipOrders(c echo.Context) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	q := c.QueryParams()
	page, _ := strconv.Atoi(q.Get("page"))
	merchant, _ := strconv.ParseInt(q.Get("merchant"), 10, 64)
	status, _ := strconv.ParseInt(q.Get("status"), 10, 64)
	ageDays, _ := strconv.Atoi(q.Get("age"))
	tab := q.Get("tab")
	if _, ok := queueTabLabels[tab]; !ok {
		tab = store.QueueToAcknowledge
	}
	pg, err := s.store.SupplierQueue(ctx, p.accountID(), store.QueueFilter{Tab: tab, MerchantID: merchant, StatusID: status, MinAgeDays: ageDays,
		DueToday: q.Get("due") == "today", Query: q.Get("q"), Page: page})
	if err != nil {
		return err
	}
	v := views.QueueView{Tab: tab, Query: q.Get("q"), Merchant: q.Get("merchant"), Status: q.Get("status"), Age: q.Get("age"), Due: q.Get("due"),
		Total: pg.Total, Page: pg.Page}
	for _, t := range store.QueueTabs {
		tq := cloneValues(q)
		tq.Set("tab", t)
		tq.Del("page")
		v.Tabs = append(v.Tabs, views.TabLink{Label: queueTabLabels[t], Href: "/dropship-orders?" + tq.Encode(), Count: pg.Counts[t], Active: t == tab})
	}
	links, err := s.store.AccountLinks(ctx, p.accountID())
	if err != nil {
		return err
	}
	for _, l := range links {
		if l.SupplierID == p.accountID() {
			v.Merchants = append(v.Merchants, views.Option{Value: strconv.FormatInt(l.MerchantID, 10), Label: l.MerchantName + " (" + l.MerchantPID + ")"})
		}
	}
	statuses, err := s.store.SupplierStatuses(ctx, p.accountID())
	if err != nil {
		return err
	}
	for _, st := range statuses {
		if !st.Retired {
			v.Statuses = append(v.Statuses, views.Option{Value: strconv.FormatInt(st.ID, 10), Label: st.Name})
		}
	}
	now := s.now()
	for _, po := range pg.POs {
		v.Rows = append(v.Rows, views.QueueRow{ID: po.ID, Number: po.PONumber, Merchant: po.MerchantName + " (" + po.MerchantPID + ")", Customer: po.ShipTo.Name,
			Status: poStatusText(po.PurchaseOrder), System: po.Status, Age: age(now.Sub(po.ReleaseAt)), Received: zonedTime(po.ReleaseAt, p.member.Account.Location()), Late: po.Late, Stale: po.Stale, Cancel: po.CancelState})
	}
	v.Pages = max(1, int(math.Ceil(float64(pg.Total)/float64(pg.PerPage))))
	pageURL := func(n int) string {
		pq := cloneValues(q)
		pq.Set("tab", tab)
		pq.Set("page", strconv.Itoa(n))
		return "/dropship-orders?" + pq.Encode()
	}
	if v.Page > 1 {
		v.PrevURL = pageURL(v.Page - 1)
	}
	if v.Page < v.Pages {
		v.NextURL = pageURL(v.Page + 1)
	}
	return render(c, http.StatusOK, views.QueuePage(s.frame(c, "Dropship orders"), v))
}

// supplierPOView builds the supplier's PO page; what it shows of the customer
// and prices follows the link's settings.
func (s *Server) supplierPOView(c echo.Context, poID int64) (views.SupplierPOView, error) {
	p := principalOf(c)
	ctx := c.Request().Context()
	po, err := s.store.PurchaseOrder(ctx, p.accountID(), poID)
	if err != nil {
		return views.SupplierPOView{}, err
	}
	if po.SupplierID != p.accountID() {
		return views.SupplierPOView{}, echo.ErrNotFound
	}
	link, err := s.store.POLink(ctx, po)
	if err != nil {
		return views.SupplierPOView{}, err
	}
	loc := p.member.Account.Location()
	qp, err := s.store.QueuePurchaseOrder(ctx, p.accountID(), po.ID)
	if err != nil {
		return views.SupplierPOView{}, err
	}
	v := views.SupplierPOView{ID: po.ID, Number: po.PONumber, Merchant: po.MerchantName + " (" + po.MerchantPID + ")", Status: poStatusText(po), System: po.Status,
		Cancel: po.CancelState, CancelWhy: po.CancelReason, ShipTo: addressLines(po.ShipTo), Notes: po.Notes,
		Created: zonedTime(po.ReleaseAt, loc), CanShip: po.Status == store.POOpen || po.Status == store.POPartiallyShipped}
	v.Ack, v.Late, v.Promise = qp.Acknowledged, qp.Late, qp.PromiseDate.In(loc).Format("2 Jan 2006")
	if link.ShowCustomerPhone {
		v.Phone = po.Customer.Phone
	}
	if link.ShowCustomerEmail {
		v.Email = po.Customer.Email
	}
	for _, l := range po.Lines {
		sl := views.SupplierPOLine{ID: l.ID, SKU: l.SupplierSKU, Title: l.Title, Ordered: l.Quantity, Shipped: l.ShippedQty, Remaining: l.Quantity - l.ShippedQty,
			Status: l.Status, Reason: l.Reason}
		if l.Status == "rejected" || l.Status == "cancelled" {
			sl.Remaining = 0
		}
		if link.ShowPrices {
			sl.Price = orderMoney(l.PriceCents, po.Currency)
		}
		v.Lines = append(v.Lines, sl)
	}
	statuses, err := s.store.SupplierStatuses(ctx, p.accountID())
	if err != nil {
		return v, err
	}
	for _, st := range statuses {
		if !st.Retired {
			v.Statuses = append(v.Statuses, views.Option{Value: strconv.FormatInt(st.ID, 10), Label: st.Name})
		}
		if st.Name == po.SupplierStatus {
			v.StatusID = strconv.FormatInt(st.ID, 10)
		}
	}
	opts, def, err := s.store.ShippingOptions(ctx, p.accountID())
	if err != nil {
		return v, err
	}
	for _, o := range opts {
		v.Carriers = append(v.Carriers, views.Option{Value: o.Value, Label: o.Name})
	}
	v.Form = views.ShipmentForm{Carrier: def, ShipDate: s.now().In(loc).Format("2006-01-02")}
	ships, err := s.store.Shipments(ctx, p.accountID(), po.ID)
	if err != nil {
		return v, err
	}
	v.Shipments = shipmentRows(ships, loc)
	return v, nil
}

func shipmentRows(ships []store.Shipment, loc *time.Location) []views.ShipmentRow {
	var out []views.ShipmentRow
	for _, sh := range ships {
		row := views.ShipmentRow{ID: sh.ID, Carrier: sh.CarrierName, Number: sh.TrackingNumber, URL: safeHTTP(sh.TrackingURL), ShipDate: sh.ShipDate,
			Extended: sh.ExtendedField, Override: sh.OverrideReason, Entered: zonedTime(sh.CreatedAt, loc)}
		// The ship date is a day as entered: written as the page's other dates.
		if day, err := time.Parse(time.DateOnly, sh.ShipDate); err == nil {
			row.ShipDate = day.Format("2 Jan 2006")
		}
		if sh.DeliveredAt != nil {
			row.Delivered = zonedTime(*sh.DeliveredAt, loc)
		}
		for _, l := range sh.Lines {
			row.Lines = append(row.Lines, fmt.Sprintf("%d × %s", l.Quantity, l.SupplierSKU))
		}
		out = append(out, row)
	}
	return out
}

func (s *Server) dropshipOrderShow(c echo.Context) error {
	id, err := idParam(c, "poID")
	if err != nil {
		return err
	}
	v, err := s.supplierPOView(c, id)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.SupplierPOPage(s.frame(c, "PO "+v.Number), v))
}

// poAction runs a supplier action on a PO and returns to its page, showing a conflict's message.
func (s *Server) poAction(c echo.Context, do func(p *principal, id int64) error, ok string) error {
	id, err := idParam(c, "poID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	back := "/dropship-orders/" + c.Param("poID")
	// Another supplier's PO is not found, before any input is looked at.
	po, err := s.store.PurchaseOrder(c.Request().Context(), p.accountID(), id)
	if err != nil {
		return err
	}
	if po.SupplierID != p.accountID() {
		return echo.ErrNotFound
	}
	if err := do(p, id); err != nil {
		if errs := fieldErrors(err); errs != nil {
			var msgs []string
			for _, m := range errs {
				msgs = append(msgs, m)
			}
			if ferr := s.flashError(c, strings.Join(msgs, " ")); ferr != nil {
				return ferr
			}
			return redirect(c, back)
		}
		return s.conflictToFlash(c, err, back)
	}
	if err := s.flash(c, ok); err != nil {
		return err
	}
	return redirect(c, back)
}

func (s *Server) poAcknowledge(c echo.Context) error {
	return s.poAction(c, func(p *principal, id int64) error {
		return s.store.AcknowledgePO(c.Request().Context(), p.actor(), p.accountID(), id)
	}, "Acknowledged.")
}

func (s *Server) poStatus(c echo.Context) error {
	return s.poAction(c, func(p *principal, id int64) error {
		sid, _ := strconv.ParseInt(c.FormValue("status_id"), 10, 64)
		return s.store.SetPOStatus(c.Request().Context(), p.actor(), p.accountID(), id, sid)
	}, "Status changed.")
}

func (s *Server) poReject(c echo.Context) error {
	return s.poAction(c, func(p *principal, id int64) error {
		if err := parseBody(c); err != nil {
			return err
		}
		var ids []int64
		for _, raw := range c.Request().PostForm["line_ids"] {
			if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
				ids = append(ids, n)
			}
		}
		return s.store.RejectPOLines(c.Request().Context(), p.actor(), p.accountID(), id, ids, c.FormValue("reason"))
	}, "Lines rejected: the merchant has been told why.")
}

func (s *Server) poCancelAnswer(c echo.Context) error {
	accept := c.FormValue("answer") == "accept"
	msg := "Cancellation declined."
	if accept {
		msg = "Cancellation accepted: the PO is cancelled."
	}
	return s.poAction(c, func(p *principal, id int64) error {
		return s.store.AnswerCancel(c.Request().Context(), p.actor(), p.accountID(), id, accept, c.FormValue("reason"))
	}, msg)
}

func (s *Server) shipmentAdd(c echo.Context) error {
	id, err := idParam(c, "poID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	ctx := c.Request().Context()
	// Another supplier's PO is not found before anything is read.
	po, err := s.store.PurchaseOrder(ctx, p.accountID(), id)
	if err != nil {
		return err
	}
	if po.SupplierID != p.accountID() {
		return echo.ErrNotFound
	}
	var in views.ShipmentForm
	if err := s.decodeForm(c, &in); err != nil {
		return err
	}
	input := store.ShipmentInput{Carrier: in.Carrier, TrackingNumber: in.Number, ShipDate: in.ShipDate, ExtendedField: in.Extended, Override: in.Override}
	for _, l := range po.Lines {
		raw := c.Request().PostFormValue("qty_" + strconv.FormatInt(l.ID, 10))
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil {
			n = -1
		}
		if n != 0 {
			input.Lines = append(input.Lines, store.ShipmentLine{POLineID: l.ID, Quantity: n})
		}
	}
	sh, err := s.store.AddShipment(ctx, p.actor(), p.accountID(), id, input)
	if errs := fieldErrors(err); errs != nil {
		v, verr := s.supplierPOView(c, id)
		if verr != nil {
			return verr
		}
		v.Form, v.Errors = in, errs
		return render(c, http.StatusUnprocessableEntity, views.SupplierPOPage(s.frame(c, "PO "+v.Number), v))
	}
	if err != nil {
		return s.conflictToFlash(c, err, "/dropship-orders/"+c.Param("poID"))
	}
	if err := s.flash(c, "Shipment saved: "+sh.CarrierName+" "+sh.TrackingNumber+". The merchant's order shows it now."); err != nil {
		return err
	}
	return redirect(c, "/dropship-orders/"+c.Param("poID"))
}

func (s *Server) shipmentDelivered(c echo.Context) error {
	id, err := idParam(c, "shipmentID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	if err := s.store.MarkDelivered(c.Request().Context(), p.actor(), p.accountID(), id); err != nil {
		return err
	}
	if err := s.flash(c, "Marked delivered."); err != nil {
		return err
	}
	back := c.Request().Referer()
	if !strings.Contains(back, "/dropship-orders/") {
		back = "/dropship-orders"
	}
	return redirect(c, back)
}

// packingSlips prints one page per selected PO, in the merchant's name,
// never with prices unless the link allows them.
func (s *Server) packingSlips(c echo.Context) error {
	var slips []views.PackingSlip
	for _, raw := range c.QueryParams()["id"] {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return echo.ErrNotFound
		}
		v, err := s.supplierPOView(c, id)
		if err != nil {
			return err
		}
		merchant := v.Merchant
		if i := strings.LastIndex(merchant, " ("); i > 0 {
			merchant = merchant[:i]
		}
		slips = append(slips, views.PackingSlip{Number: v.Number, Merchant: merchant, ShipTo: v.ShipTo, Date: v.Created, Lines: v.Lines, Notes: v.Notes})
	}
	if len(slips) == 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "Choose the POs to print.")
	}
	return render(c, http.StatusOK, views.PackingSlipsPage(slips))
}
