package handlers

import (
	"cmp"
	"context"
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

// ownStatus is the supplier's own status of a PO while it is worked on;
// once shipped or ended the PO's status says where it stands.
func ownStatus(po store.PurchaseOrder) string {
	if po.Status == store.POOpen || po.Status == store.POPartiallyShipped {
		return po.SupplierStatus
	}
	return ""
}

// queueFilter reads the supplier queue's query string.
func queueFilter(c echo.Context) store.QueueFilter {
	q := c.QueryParams()
	page, _ := strconv.Atoi(q.Get("page"))
	merchant, _ := strconv.ParseInt(q.Get("merchant"), 10, 64)
	status, _ := strconv.ParseInt(q.Get("status"), 10, 64)
	ageDays, _ := strconv.Atoi(q.Get("age"))
	tab := q.Get("tab")
	if _, ok := queueTabLabels[tab]; !ok {
		tab = store.QueueToAcknowledge
	}
	return store.QueueFilter{Tab: tab, MerchantID: merchant, StatusID: status, MinAgeDays: ageDays, DueToday: q.Get("due") == "today",
		TrackingProblem: q.Get("problem") == "tracking", Query: q.Get("q"), Page: page}
}

func (s *Server) dropshipOrders(c echo.Context) error {
	p := principalOf(c)
	vw := p.viewer()
	ctx := c.Request().Context()
	q := c.QueryParams()
	f := queueFilter(c)
	tab := f.Tab
	pg, err := s.store.SupplierQueue(ctx, p.accountID(), f)
	if err != nil {
		return err
	}
	v := views.QueueView{Tab: tab, Query: q.Get("q"), Merchant: q.Get("merchant"), Status: q.Get("status"), Age: q.Get("age"), Due: q.Get("due"), Problem: q.Get("problem"),
		Total: pg.Total, Page: pg.Page}
	eq := cloneValues(q)
	eq.Set("tab", tab)
	v.ExportURL = exportHref("/dropship-orders/export.csv", eq)
	v.Elsewhere, v.AllURL = elsewhereTabs("/dropship-orders", q, store.QueueAll, pg.Total, pg.AllTabs)
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
			Status: ownStatus(po.PurchaseOrder), System: po.Status, Age: age(now.Sub(po.ReleaseAt)), Received: vw.ZonedTime(po.ReleaseAt), Late: po.Late, LateWhy: po.LateReason, Stale: po.Stale, Cancel: po.CancelState,
			TrackingProblem: po.TrackingProblem, TrackingLabel: store.TrackingProblemLabel(po.TrackingProblem)})
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
// and prices follows the link's settings (store.PurchaseOrder.ForSupplier).
func (s *Server) supplierPOView(c echo.Context, poID int64) (views.SupplierPOView, error) {
	p := principalOf(c)
	ctx := c.Request().Context()
	po, err := s.store.PurchaseOrder(ctx, p.accountID(), poID)
	if err != nil {
		return views.SupplierPOView{}, err
	}
	side, err := s.sideOf(c, po)
	if err != nil {
		return views.SupplierPOView{}, err
	}
	link, err := s.store.POLink(ctx, po)
	if err != nil {
		return views.SupplierPOView{}, err
	}
	vw := p.viewer()
	qp, err := s.store.QueuePurchaseOrder(ctx, side.supplierID, po.ID)
	if err != nil {
		return views.SupplierPOView{}, err
	}
	v := views.SupplierPOView{Base: side.base, Website: side.website, ID: po.ID, Number: po.PONumber, Merchant: po.MerchantName + " (" + po.MerchantPID + ")", Status: ownStatus(po), System: po.Status,
		Cancel: po.CancelState, CancelWhy: po.CancelReason, ShipTo: addressLines(po.ShipTo), Notes: po.Notes,
		Created: vw.ZonedTime(po.ReleaseAt), CanShip: po.Status == store.POOpen || po.Status == store.POPartiallyShipped,
		TrackingProblem: po.TrackingProblem, TrackingLabel: store.TrackingProblemLabel(po.TrackingProblem)}
	v.Ack, v.Late, v.Promise = qp.Acknowledged, qp.Late, vw.Date(qp.PromiseDate)
	if qp.Acknowledged {
		v.AckBy, v.AckAt = qp.AcknowledgedBy, vw.ZonedTime(qp.AcknowledgedAt)
	}
	// The store gives the supplier the PO as its link shows it.
	v.Phone, v.Email = po.Customer.Phone, po.Customer.Email
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
	statuses, err := s.store.SupplierStatuses(ctx, side.supplierID)
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
	opts, def, err := s.store.ShippingOptions(ctx, side.supplierID)
	if err != nil {
		return v, err
	}
	for _, o := range opts {
		v.Carriers = append(v.Carriers, views.Option{Value: o.Value, Label: o.Name})
	}
	v.Form = views.ShipmentForm{Carrier: def, ShipDate: s.now().In(vw.Loc).Format("2006-01-02")}
	ships, err := s.store.Shipments(ctx, side.supplierID, po.ID)
	if err != nil {
		return v, err
	}
	v.Shipments = shipmentRows(ships, vw)
	if side.website {
		for i := range v.Shipments {
			v.Shipments[i].DeliverURL = side.base + "/shipments/" + strconv.FormatInt(v.Shipments[i].ID, 10) + "/delivered"
		}
		v.External = views.ExternalOrderForm{Number: po.External.Number, Paid: po.External.PaidText(), Currency: cmp.Or(po.External.Currency, po.Currency),
			Notes: po.External.Notes}
		if v.Site, err = s.websiteLines(ctx, p.accountID(), po, vw); err != nil {
			return v, err
		}
	}
	return v, nil
}

// supplierSide is who works a PO's supplier side in this request, and where
// its page is: the signed-in supplier at /dropship-orders/:poID, or, at
// /purchase-orders/:poID/website, the merchant for a website supplier it
// keeps (it orders on the site for the customer and enters the tracking
// itself, as seed 004 describes).
type supplierSide struct {
	supplierID int64
	base       string // the PO's page on this side
	website    bool
}

// sideOf says who works po's supplier side in this request; a PO the
// principal may not work is not found.
func (s *Server) sideOf(c echo.Context, po store.PurchaseOrder) (supplierSide, error) {
	p := principalOf(c)
	id := strconv.FormatInt(po.ID, 10)
	if !strings.HasPrefix(c.Path(), "/purchase-orders/") {
		if po.SupplierID != p.accountID() {
			return supplierSide{}, echo.ErrNotFound
		}
		return supplierSide{supplierID: p.accountID(), base: "/dropship-orders/" + id}, nil
	}
	if po.AccountID != p.accountID() {
		return supplierSide{}, echo.ErrNotFound
	}
	sup, err := s.store.ManagedSupplier(c.Request().Context(), p.accountID(), po.SupplierID)
	if err != nil {
		return supplierSide{}, err
	}
	if sup.Contact != store.ContactWebsite {
		return supplierSide{}, echo.ErrNotFound
	}
	return supplierSide{supplierID: sup.ID, base: "/purchase-orders/" + id + "/website", website: true}, nil
}

func shipmentRows(ships []store.Shipment, vw views.Viewer) []views.ShipmentRow {
	var out []views.ShipmentRow
	for _, sh := range ships {
		row := views.ShipmentRow{ID: sh.ID, Carrier: sh.CarrierName, Number: sh.TrackingNumber, URL: safeHTTP(sh.TrackingURL), ShipDate: sh.ShipDate,
			Extended: sh.ExtendedField, Override: sh.OverrideReason, Entered: vw.ZonedTime(sh.CreatedAt)}
		// The ship date is a day as entered: written as the page's other dates.
		if day, err := time.Parse(time.DateOnly, sh.ShipDate); err == nil {
			row.ShipDate = day.Format("2 Jan 2006")
		}
		if sh.DeliveredAt != nil {
			row.Delivered = vw.ZonedTime(*sh.DeliveredAt)
		}
		for _, l := range sh.Lines {
			row.Lines = append(row.Lines, fmt.Sprintf("%d × %s", l.Quantity, l.SupplierSKU))
		}
		row.Tracking = shipmentTrackingView(sh, vw.Loc)
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
func (s *Server) poAction(c echo.Context, do func(p *principal, supplierID, id int64) error, ok string) error {
	id, err := idParam(c, "poID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	// Another supplier's PO is not found, before any input is looked at.
	po, err := s.store.PurchaseOrder(c.Request().Context(), p.accountID(), id)
	if err != nil {
		return err
	}
	side, err := s.sideOf(c, po)
	if err != nil {
		return err
	}
	return s.afterPOAction(c, do(p, side.supplierID, id), side.base, ok)
}

// afterPOAction returns to a PO's page (back) after an action that ended in
// err: with ok said, or with what stopped it (field messages and conflicts
// said on the page; anything else is the error page's).
func (s *Server) afterPOAction(c echo.Context, err error, back, ok string) error {
	if err != nil {
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
	return s.poAction(c, func(p *principal, supplierID, id int64) error {
		return s.store.AcknowledgePO(c.Request().Context(), p.actor(), supplierID, id)
	}, "Acknowledged.")
}

func (s *Server) poStatus(c echo.Context) error {
	return s.poAction(c, func(p *principal, supplierID, id int64) error {
		sid, _ := strconv.ParseInt(c.FormValue("status_id"), 10, 64)
		return s.store.SetPOStatus(c.Request().Context(), p.actor(), supplierID, id, sid)
	}, "Status changed.")
}

func (s *Server) poReject(c echo.Context) error {
	return s.poAction(c, func(p *principal, supplierID, id int64) error {
		if err := parseBody(c); err != nil {
			return err
		}
		var ids []int64
		for _, raw := range c.Request().PostForm["line_ids"] {
			if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
				ids = append(ids, n)
			}
		}
		return s.store.RejectPOLines(c.Request().Context(), p.actor(), supplierID, id, ids, c.FormValue("reason"))
	}, "Lines rejected: the merchant has been told why.")
}

func (s *Server) poCancelAnswer(c echo.Context) error {
	accept := c.FormValue("answer") == "accept"
	msg := "Cancellation declined."
	if accept {
		msg = "Cancellation accepted: what had not shipped is cancelled."
	}
	return s.poAction(c, func(p *principal, supplierID, id int64) error {
		return s.store.AnswerCancel(c.Request().Context(), p.actor(), supplierID, id, accept, c.FormValue("reason"))
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
	side, err := s.sideOf(c, po)
	if err != nil {
		return err
	}
	var in views.ShipmentForm
	if err := s.decodeForm(c, &in); err != nil {
		return err
	}
	input := store.ShipmentInput{Carrier: in.Carrier, TrackingNumber: in.Number, ShipDate: in.ShipDate, ExtendedField: in.Extended, Override: in.Override}
	var empty error
	input.Lines, in.Qty, empty = parcelLines(c, po.Lines)
	var sh store.Shipment
	if empty != nil {
		err = empty // nothing in the parcel: nothing is saved
	} else {
		sh, err = s.store.AddShipment(ctx, p.actor(), side.supplierID, id, input)
	}
	if errs := fieldErrors(err); errs != nil {
		v, verr := s.supplierPOView(c, id)
		if verr != nil {
			return verr
		}
		v.Form, v.Errors = in, errs
		if strings.TrimSpace(in.Number) != "" {
			g, gerr := s.store.GuessCarrier(ctx, p.accountID(), in.Number)
			if gerr != nil {
				return gerr
			}
			chosen := ""
			for _, o := range v.Carriers {
				if o.Value == in.Carrier {
					chosen = o.Label
				}
			}
			v.Hint = hintView(g, chosen)
		}
		return render(c, http.StatusUnprocessableEntity, views.SupplierPOPage(s.frame(c, "PO "+v.Number), v))
	}
	if err != nil {
		return s.conflictToFlash(c, err, side.base)
	}
	who := " The merchant's order shows it now."
	if side.website {
		who = " The order shows it, and the customer's email and the store's update are queued."
	}
	saved := "Shipment saved: " + sh.CarrierName + " " + sh.TrackingNumber + "." + who
	if strings.TrimSpace(in.Carrier) == "" {
		saved = "Shipment saved: " + sh.CarrierName + " (read from the number) " + sh.TrackingNumber + "." + who
	}
	if err := s.flash(c, saved); err != nil {
		return err
	}
	return redirect(c, side.base)
}

func (s *Server) shipmentDelivered(c echo.Context) error {
	id, err := idParam(c, "shipmentID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	if c.Param("poID") != "" {
		// A website supplier's shipment, marked by the merchant.
		poID, err := idParam(c, "poID")
		if err != nil {
			return err
		}
		po, err := s.store.PurchaseOrder(c.Request().Context(), p.accountID(), poID)
		if err != nil {
			return err
		}
		side, err := s.sideOf(c, po)
		if err != nil {
			return err
		}
		if shipPO, err := s.store.ShipmentPO(c.Request().Context(), side.supplierID, id); err != nil || shipPO != po.ID {
			return echo.ErrNotFound
		}
		if err := s.store.MarkDelivered(c.Request().Context(), p.actor(), side.supplierID, id); err != nil {
			return err
		}
		if err := s.flash(c, "Marked delivered."); err != nil {
			return err
		}
		return redirect(c, side.base)
	}
	if err := s.store.MarkDelivered(c.Request().Context(), p.actor(), p.accountID(), id); err != nil {
		return err
	}
	if err := s.flash(c, "Marked delivered."); err != nil {
		return err
	}
	// Back to the PO or list it was marked from, on this site only.
	back := backHere(c)
	if !strings.HasPrefix(back, "/dropship-orders") {
		back = "/dropship-orders"
	}
	return redirect(c, back)
}

// packingSlips prints one page per selected PO (id) or shipment (shipment),
// in the merchant's name with its return address and order number, never
// with prices unless the link allows them. A PO's slip holds what remains
// to ship once part of it has shipped; a shipment's, what that parcel holds.
func (s *Server) packingSlips(c echo.Context) error {
	var slips []views.PackingSlip
	q := c.QueryParams()
	for _, param := range []string{"id", "shipment"} {
		for _, raw := range q[param] {
			id, err := strconv.ParseInt(raw, 10, 64)
			if err != nil || id <= 0 {
				return echo.ErrNotFound
			}
			poID, shipmentID := id, int64(0)
			if param == "shipment" {
				shipmentID = id
				if poID, err = s.store.ShipmentPO(c.Request().Context(), principalOf(c).accountID(), id); err != nil {
					return err
				}
			}
			slip, err := s.packingSlip(c, poID, shipmentID)
			if err != nil {
				return err
			}
			slips = append(slips, slip)
		}
	}
	if len(slips) == 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "Choose the POs to print.")
	}
	return render(c, http.StatusOK, views.PackingSlipsPage(slips))
}

// shipsAll reports whether a slip's lines are the whole of a PO's live lines.
func shipsAll(po []store.POLine, slip []views.SlipLine) bool {
	want, got := 0, 0
	for _, l := range po {
		if l.Status != "rejected" && l.Status != "cancelled" {
			want += l.Quantity
		}
	}
	for _, l := range slip {
		got += l.Quantity
	}
	return got >= want
}

// packingSlip is one slip of the acting supplier's PO: of one of its
// shipments when shipmentID is not 0.
func (s *Server) packingSlip(c echo.Context, poID, shipmentID int64) (views.PackingSlip, error) {
	p := principalOf(c)
	vw := p.viewer()
	ctx := c.Request().Context()
	po, err := s.store.PurchaseOrder(ctx, p.accountID(), poID)
	if err != nil {
		return views.PackingSlip{}, err
	}
	if po.SupplierID != p.accountID() {
		return views.PackingSlip{}, echo.ErrNotFound
	}
	link, err := s.store.POLink(ctx, po)
	if err != nil {
		return views.PackingSlip{}, err
	}
	slip := views.PackingSlip{Number: po.PONumber, OrderNumber: po.ChannelOrderID, Merchant: po.MerchantName,
		Return: store.AccountContact{ReturnAddress: po.MerchantReturnAddress}.ReturnAddressLines(), Heading: "Packing slip",
		ShipTo: addressLines(po.ShipTo), Date: vw.Date(po.ReleaseAt), Notes: po.Notes}
	lines := map[int64]store.POLine{}
	for _, l := range po.Lines {
		lines[l.ID] = l
	}
	slipLine := func(l store.POLine, qty int) views.SlipLine {
		sl := views.SlipLine{SKU: l.SupplierSKU, Title: l.Title, Quantity: qty}
		if link.ShowPrices {
			sl.Price = vw.Money(l.PriceCents, po.Currency)
		}
		return sl
	}
	if shipmentID != 0 {
		ships, err := s.store.Shipments(ctx, p.accountID(), po.ID)
		if err != nil {
			return slip, err
		}
		for _, sh := range ships {
			if sh.ID != shipmentID {
				continue
			}
			slip.Parcel = sh.CarrierName + " " + sh.TrackingNumber
			if day, err := time.Parse(time.DateOnly, sh.ShipDate); err == nil {
				slip.Date = day.Format("2 Jan 2006")
			}
			for _, l := range sh.Lines {
				slip.Lines = append(slip.Lines, slipLine(lines[l.POLineID], l.Quantity))
			}
		}
		if len(ships) > 1 || !shipsAll(po.Lines, slip.Lines) {
			slip.Remark = "Part of your order: other items ship in separate parcels."
		}
		return slip, nil
	}
	// Once part has shipped, the PO's slip is for the parcel still to go:
	// what remains. Nothing shipped, or nothing left: the whole PO.
	shipped, remaining := 0, 0
	for _, l := range po.Lines {
		shipped += l.ShippedQty
		if l.Status != "rejected" && l.Status != "cancelled" {
			remaining += l.Quantity - l.ShippedQty
		}
	}
	for _, l := range po.Lines {
		qty := l.Quantity
		switch {
		case shipped > 0 && remaining > 0:
			qty = l.Quantity - l.ShippedQty
			if l.Status == "rejected" || l.Status == "cancelled" {
				qty = 0
			}
		case shipped > 0:
			qty = l.ShippedQty
		case l.Status == "rejected" || l.Status == "cancelled":
			qty = 0
		}
		if qty > 0 {
			slip.Lines = append(slip.Lines, slipLine(l, qty))
		}
	}
	if shipped > 0 && remaining > 0 {
		slip.Heading = "Remaining items"
		slip.Remark = "Items shipped earlier in another parcel are not on this slip."
	}
	return slip, nil
}

// websiteLines are a website supplier's PO lines still to buy or follow on
// its site, with each product's page.
func (s *Server) websiteLines(ctx context.Context, merchantID int64, po store.PurchaseOrder, vw views.Viewer) ([]views.WebsiteLineView, error) {
	var ids []int64
	for _, l := range po.Lines {
		ids = append(ids, l.SourceID)
	}
	urls, err := s.store.SourceURLs(ctx, merchantID, ids)
	if err != nil {
		return nil, err
	}
	var out []views.WebsiteLineView
	for _, l := range po.Lines {
		out = append(out, views.WebsiteLineView{SKU: l.SupplierSKU, Title: l.Title, Quantity: l.Quantity, Cost: vw.MoneyIf(l.CostCents, l.HasCost, po.Currency),
			URL: safeHTTP(urls[l.SourceID])})
	}
	return out, nil
}

// websitePOOrder records the order the merchant placed on a website
// supplier's site for a PO.
func (s *Server) websitePOOrder(c echo.Context) error {
	id, err := idParam(c, "poID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	ctx := c.Request().Context()
	po, err := s.store.PurchaseOrder(ctx, p.accountID(), id)
	if err != nil {
		return err
	}
	side, err := s.sideOf(c, po)
	if err != nil {
		return err
	}
	in := store.ExternalOrderInput{Number: c.FormValue("external_number"), Paid: c.FormValue("external_paid"), Currency: c.FormValue("external_currency"),
		Notes: c.FormValue("external_notes")}
	err = s.store.RecordExternalOrder(ctx, p.actor(), p.accountID(), id, in)
	if errs := fieldErrors(err); errs != nil {
		v, verr := s.supplierPOView(c, id)
		if verr != nil {
			return verr
		}
		v.External = views.ExternalOrderForm{Number: in.Number, Paid: in.Paid, Currency: in.Currency, Notes: in.Notes}
		v.Errors = errs
		return render(c, http.StatusUnprocessableEntity, views.SupplierPOPage(s.frame(c, "PO "+v.Number), v))
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "Recorded the site's order "+strings.TrimSpace(in.Number)+" on "+po.PONumber+"."); err != nil {
		return err
	}
	return redirect(c, side.base)
}

// parcelLines reads a shipment form's quantity boxes (qty_ID) for lines:
// the lines and quantities the parcel carries, each box as typed (to show
// again), and a field error when boxes were sent and every one is 0 (a
// parcel with nothing in it; no boxes at all means everything remaining).
func parcelLines(c echo.Context, lines []store.POLine) ([]store.ShipmentLine, map[int64]string, error) {
	var out []store.ShipmentLine
	typed := map[int64]string{}
	for _, l := range lines {
		raw, sent := c.Request().PostForm["qty_"+strconv.FormatInt(l.ID, 10)]
		if !sent || len(raw) == 0 {
			continue
		}
		typed[l.ID] = raw[0]
		n, err := strconv.Atoi(strings.TrimSpace(raw[0]))
		if strings.TrimSpace(raw[0]) == "" {
			n, err = 0, nil
		}
		if err != nil {
			n = -1
		}
		if n != 0 {
			out = append(out, store.ShipmentLine{POLineID: l.ID, Quantity: n})
		}
	}
	if len(typed) > 0 && len(out) == 0 {
		return nil, typed, store.FieldError("lines", "Choose at least one item for this parcel: every quantity is 0.")
	}
	return out, typed, nil
}
