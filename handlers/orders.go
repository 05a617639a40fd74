package handlers

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
	"github.com/dropline/dropline/views"
)

var orderTabs = []struct{ key, label string }{
	{store.TabNeedsDropship, "Needs dropship"},
	{store.TabDropshipped, "Dropshipped"},
	{store.TabShipped, "Shipped"},
	{store.TabExceptions, "Exceptions"},
	{store.TabAll, "All"},
}

// orderFilter reads the order list's query string.
func orderFilter(c echo.Context, loc *time.Location) store.OrderFilter {
	q := c.QueryParams()
	page, _ := strconv.Atoi(q.Get("page"))
	supplier, _ := strconv.ParseInt(q.Get("supplier"), 10, 64)
	f := store.OrderFilter{Tab: q.Get("tab"), Channel: q.Get("channel"), SupplierID: supplier, Query: q.Get("q"), Sort: q.Get("sort"), Page: page}
	if t, err := time.ParseInLocation("2006-01-02", q.Get("from"), loc); err == nil {
		f.From = t
	}
	if t, err := time.ParseInLocation("2006-01-02", q.Get("to"), loc); err == nil {
		f.To = t.AddDate(0, 0, 1) // the whole "to" day
	}
	valid := false
	for _, t := range orderTabs {
		valid = valid || t.key == f.Tab
	}
	if !valid {
		f.Tab = store.TabNeedsDropship
	}
	return f
}

func (s *Server) ordersList(c echo.Context) error {
	return s.renderOrders(c, nil)
}

func (s *Server) renderOrders(c echo.Context, results []views.BulkResult) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	vw := p.viewer()
	f := orderFilter(c, vw.Loc)
	f.Summary = true
	page, err := s.store.Orders(ctx, p.accountID(), f)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	v := views.OrderListView{Tab: f.Tab, Query: f.Query, Channel: f.Channel, Supplier: q.Get("supplier"), From: q.Get("from"), To: q.Get("to"),
		Sort: f.Sort, Total: page.Total, Page: page.Page, Results: results}
	tq := cloneValues(q)
	tq.Set("tab", f.Tab)
	v.ExportURL = exportHref("/orders/export.csv", tq)
	v.Elsewhere, v.AllURL = elsewhereTabs("/orders", q, store.TabAll, page.Total, page.AllTabs)
	v.Dates = views.DateRange{Legend: "Placed", From: v.From, To: v.To, Presets: datePresets("/orders", tq, s.now().In(vw.Loc))}
	for _, t := range orderTabs {
		tq := cloneValues(q)
		tq.Set("tab", t.key)
		tq.Del("page")
		v.Tabs = append(v.Tabs, views.TabLink{Label: t.label, Href: "/orders?" + tq.Encode(), Count: page.Counts[t.key], Active: t.key == f.Tab})
	}
	for _, ch := range orderfile.Channels() {
		v.Channels = append(v.Channels, views.Option{Value: ch, Label: channelLabel(ch)})
	}
	if v.Suppliers, err = s.supplierOptions(ctx, p.accountID()); err != nil {
		return err
	}
	for _, o := range page.Orders {
		v.Rows = append(v.Rows, views.OrderRow{ID: o.ID, Number: o.ChannelOrderID, Channel: channelLabel(o.Channel), Customer: o.Customer.Name,
			Placed: vw.Time(o.PlacedAt), Total: vw.Money(o.TotalCents, o.Currency), Status: o.Status,
			Dropship: o.Dropship, Suppliers: strings.Join(o.Suppliers, ", "), CancelledOnStore: o.CancelledOnStore})
	}
	v.Pages = max(1, int(math.Ceil(float64(page.Total)/float64(page.PerPage))))
	pageURL := func(n int) string {
		pq := cloneValues(q)
		pq.Set("tab", f.Tab)
		pq.Set("page", strconv.Itoa(n))
		return "/orders?" + pq.Encode()
	}
	if v.Page > 1 {
		v.PrevURL = pageURL(v.Page - 1)
	}
	if v.Page < v.Pages {
		v.NextURL = pageURL(v.Page + 1)
	}
	if isHTMX(c) && results == nil {
		return render(c, http.StatusOK, views.OrderTable(csrfOf(c), v))
	}
	return render(c, http.StatusOK, views.OrderListPage(s.frame(c, "Orders"), v))
}

// datePresets are the date ranges a list offers ready-made, ending today
// in the viewer's zone: today, the last 7 days, the last 30; each keeps
// the list's other filters.
func datePresets(path string, q url.Values, today time.Time) []views.DatePreset {
	to := today.Format(time.DateOnly)
	var out []views.DatePreset
	for _, p := range []struct {
		label string
		days  int
	}{{"Today", 1}, {"Last 7 days", 7}, {"Last 30 days", 30}} {
		from := today.AddDate(0, 0, 1-p.days).Format(time.DateOnly)
		pq := cloneValues(q)
		pq.Del("page")
		pq.Set("from", from)
		pq.Set("to", to)
		out = append(out, views.DatePreset{Label: p.label, Href: path + "?" + pq.Encode(), Active: q.Get("from") == from && q.Get("to") == to})
	}
	return out
}

func channelLabel(ch string) string {
	switch ch {
	case "woocommerce":
		return "WooCommerce"
	case "ebay":
		return "eBay"
	case "csv", "api":
		return strings.ToUpper(ch)
	}
	if ch == "" {
		return ""
	}
	return strings.ToUpper(ch[:1]) + ch[1:]
}

func addressLines(a orderfile.Address) []string {
	var out []string
	for _, l := range []string{a.Name, a.Company, a.Address1, a.Address2, strings.TrimSpace(a.City + " " + a.Region + " " + a.PostalCode), a.Country, a.Phone} {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

func addressForm(a orderfile.Address) views.AddressForm {
	return views.AddressForm{Name: a.Name, Company: a.Company, Address1: a.Address1, Address2: a.Address2, City: a.City, Region: a.Region,
		PostalCode: a.PostalCode, Country: a.Country, Phone: a.Phone}
}

func formAddress(a views.AddressForm) orderfile.Address {
	return orderfile.Address{Name: a.Name, Company: a.Company, Address1: a.Address1, Address2: a.Address2, City: a.City, Region: a.Region,
		PostalCode: a.PostalCode, Country: a.Country, Phone: a.Phone}
}

// orderView builds the order page; form, when not nil, is a dropship form to show back.
func (s *Server) orderView(c echo.Context, orderID int64, form *views.DropshipFormView) (views.OrderView, error) {
	p := principalOf(c)
	ctx := c.Request().Context()
	vw := p.viewer()
	var chosen map[int64]int64
	if form != nil {
		chosen = form.Chosen
	}
	plan, err := s.store.DropshipPlanFor(ctx, p.accountID(), orderID, chosen)
	if err != nil {
		return views.OrderView{}, err
	}
	o := plan.Order
	v := views.OrderView{ID: o.ID, Number: o.ChannelOrderID, Channel: channelLabel(o.Channel), Placed: vw.Time(o.PlacedAt),
		Status: o.Status, Total: vw.Money(o.TotalCents, o.Currency), Customer: o.Customer.Name, Email: o.Customer.Email, Phone: o.Customer.Phone,
		ShipTo: addressLines(o.ShipTo), Note: o.Note, CanClose: o.Status == store.OrderException}
	for _, l := range plan.Lines {
		lv := views.OrderLineView{ID: l.ID, SKU: l.SKU, Title: l.Title, Quantity: l.Quantity, ToSend: l.Remaining(), Price: vw.Money(l.UnitPriceCents, o.Currency),
			Linked: l.Linked, Eligible: l.Eligible, Problem: l.Message, Default: l.Default, Checked: l.Eligible, Chosen: l.Default}
		for _, op := range l.Options {
			lv.StockOnly = lv.StockOnly || (!l.Eligible && op.Problem == store.ProblemStock)
			lv.LeadTime = lv.LeadTime || op.Problem == store.ProblemLeadTime
			if lv.Chosen == 0 && op.Problem == store.ProblemStock {
				lv.Chosen = op.ID // the override sends a line to its first source short of stock
			}
		}
		if chosen != nil {
			src, ok := chosen[l.ID]
			lv.Checked = ok
			if src != 0 {
				lv.Chosen = src
			}
		}
		if l.PO != nil {
			lv.PO, lv.POID, lv.POStatus = l.PO.PONumber, l.PO.POID, lineState(*l.PO)
		} else if l.Rejected != nil {
			lv.Rejected = l.Rejected.PONumber + " " + l.Rejected.Status
			if r := l.Rejected; r.Shipped > 0 && r.Shipped < r.Quantity {
				lv.Rejected = fmt.Sprintf("%s shipped %d of %d, the rest %s", r.PONumber, r.Shipped, r.Quantity, r.Status)
			}
			if l.Rejected.Reason != "" {
				lv.Rejected += ": " + l.Rejected.Reason
			}
		}
		srcs := l.Options
		if len(srcs) == 0 {
			for _, src := range l.Sources {
				srcs = append(srcs, store.SourceOption{Source: src, Eligible: false})
			}
		}
		for _, op := range srcs {
			sc := views.SourceChoice{ID: op.ID, Supplier: op.SupplierName, Stock: op.Sellable(), Cost: vw.MoneyIf(op.CostCents, op.HasCost, op.Currency), LeadTime: op.LeadTimeDays,
				Stale: op.Stale, Eligible: op.Eligible, Problem: op.Message, Freshness: "never pulled"}
			if op.LastSuccess != nil {
				sc.Freshness = "pulled " + vw.ShortTime(*op.LastSuccess)
			}
			lv.Sources = append(lv.Sources, sc)
		}
		v.CanShip = v.CanShip || l.Eligible || lv.StockOnly
		v.Lines = append(v.Lines, lv)
	}
	pos, err := s.store.OrderPurchaseOrders(ctx, p.accountID(), orderID)
	if err != nil {
		return v, err
	}
	for _, po := range pos {
		v.POs = append(v.POs, views.POSummary{ID: po.ID, Number: po.PONumber, Supplier: po.SupplierName, Status: po.Status, Cancel: po.CancelState, Lines: len(po.Lines)})
	}
	if v.Tracking, err = s.orderTracking(c, o.ID, o.Status, pos); err != nil {
		return v, err
	}
	if v.ChannelCancel, err = s.channelCancelView(c, o.ID); err != nil {
		return v, err
	}
	links, err := s.store.OrderTrackingLinks(ctx, p.accountID(), orderID)
	if err != nil {
		return v, err
	}
	v.TrackingPage = views.TrackingPageView{Live: links.Live, Revoked: links.Revoked, Opens: links.Opens, HasEmail: o.Customer.Email != ""}
	if links.LastOpenedAt != nil {
		v.TrackingPage.LastOpened = vw.Time(*links.LastOpenedAt)
	}
	events, err := s.store.OrderEvents(ctx, p.accountID(), orderID)
	if err != nil {
		return v, err
	}
	for _, e := range events {
		v.Events = append(v.Events, views.EventRow{At: vw.Time(e.At), Actor: e.Actor, Message: e.Message})
	}
	if form != nil {
		v.Form = *form
		v.Form.Open = true
	} else {
		v.Form = views.DropshipFormView{Key: plan.Key, ShipTo: addressForm(o.ShipTo)}
	}
	if len(v.Form.Groups) == 0 {
		for _, g := range plan.Groups {
			dg := views.DropshipGroup{SupplierID: g.SupplierID, Supplier: g.SupplierName, PONumber: g.PONumber, Proposed: g.PONumber}
			if form != nil {
				if typed := c.FormValue(fmt.Sprintf("po_number_%d", g.SupplierID)); typed != "" {
					dg.PONumber = typed
				}
			}
			if g.Website != nil {
				dg.Website = &views.WebsiteGroupView{Site: g.Website.Site, External: externalForm(c, g.SupplierID)}
				if dg.Website.External.Currency == "" {
					dg.Website.External.Currency = o.Currency
				}
				for _, l := range g.Website.Lines {
					dg.Website.Lines = append(dg.Website.Lines, views.WebsiteLineView{SKU: l.SKU, Title: l.Title, Quantity: l.Quantity,
						Cost: vw.MoneyIf(l.CostCents, l.HasCost, l.Currency), URL: safeHTTP(l.URL)})
				}
			}
			v.Form.Groups = append(v.Form.Groups, dg)
		}
	}
	return v, nil
}

// externalForm is a website supplier's external order as the dropship form
// posted it (empty on a first showing).
func externalForm(c echo.Context, supplierID int64) views.ExternalOrderForm {
	name := func(f string) string { return c.FormValue(fmt.Sprintf("external_%d_%s", supplierID, f)) }
	if c.Request().Method != http.MethodPost {
		return views.ExternalOrderForm{}
	}
	return views.ExternalOrderForm{Number: name("number"), Paid: name("paid"), Currency: name("currency"), Notes: name("notes")}
}

// lineState is where a line on a live PO stands, in the PO statuses' words
// (the badge both sides write): open, partially shipped, shipped, or
// delivered with its PO.
func lineState(r store.POLineRef) string {
	switch {
	case r.Status == "shipped" && r.POStatus == store.PODelivered:
		return store.PODelivered
	case r.Status == "shipped":
		return store.POShipped
	case r.Shipped > 0:
		return store.POPartiallyShipped
	}
	return store.POOpen
}

// orderClose closes an order whose remaining lines will not ship.
func (s *Server) orderClose(c echo.Context) error {
	id, err := idParam(c, "orderID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	if err := parseBody(c); err != nil {
		return err
	}
	err = s.store.CloseOrder(c.Request().Context(), p.actor(), p.accountID(), id, c.Request().PostFormValue("close_reason"))
	if errs := fieldErrors(err); errs != nil || errors.Is(err, store.ErrConflict) {
		v, verr := s.orderView(c, id, nil)
		if verr != nil {
			return verr
		}
		v.Form.Errors, v.CloseErr, v.CanClose = errs, store.Message(err), true
		return render(c, http.StatusUnprocessableEntity, views.OrderPage(s.frame(c, "Order "+v.Number), v))
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "Order closed."); err != nil {
		return err
	}
	return redirect(c, "/orders/"+c.Param("orderID"))
}

func (s *Server) orderShow(c echo.Context) error {
	id, err := idParam(c, "orderID")
	if err != nil {
		return err
	}
	v, err := s.orderView(c, id, nil)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.OrderPage(s.frame(c, "Order "+v.Number), v))
}

// dropshipForm is the dropship confirmation form as posted.
type dropshipForm struct {
	Key      string  `form:"key"`
	LineIDs  []int64 `form:"line_ids"`
	Notes    string  `form:"notes"`
	Confirm  bool    `form:"confirm"`
	Override bool    `form:"override_stock"`
	views.AddressForm
}

func (s *Server) orderDropship(c echo.Context) error {
	id, err := idParam(c, "orderID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	ctx := c.Request().Context()
	// Another account's order is not found before anything else happens.
	if _, err := s.store.Order(ctx, p.accountID(), id); err != nil {
		return err
	}
	var in dropshipForm
	if err := s.decodeForm(c, &in); err != nil {
		return err
	}
	req := store.DropshipRequest{IdempotencyKey: in.Key, Notes: in.Notes, Confirm: in.Confirm, OverrideStock: in.Override, PONumbers: map[int64]string{}}
	addr := formAddress(in.AddressForm)
	req.ShipTo = &addr
	for lid, src := range chosenLines(c, in.LineIDs) {
		req.Lines = append(req.Lines, store.DropshipLine{OrderLineID: lid, SourceID: src})
	}
	slices.SortFunc(req.Lines, func(a, b store.DropshipLine) int { return cmp.Compare(a.OrderLineID, b.OrderLineID) })
	req.Proposed = map[int64]string{}
	req.External = map[int64]store.ExternalOrderInput{}
	for key, vals := range c.Request().PostForm {
		if rest, ok := strings.CutPrefix(key, "external_"); ok {
			if sid, field, ok := strings.Cut(rest, "_"); ok && len(vals) > 0 {
				if n, err := strconv.ParseInt(sid, 10, 64); err == nil {
					e := req.External[n]
					switch field {
					case "number":
						e.Number = vals[0]
					case "paid":
						e.Paid = vals[0]
					case "currency":
						e.Currency = vals[0]
					case "notes":
						e.Notes = vals[0]
					}
					req.External[n] = e
				}
			}
		}
		if sid, ok := strings.CutPrefix(key, "po_number_"); ok {
			if n, err := strconv.ParseInt(sid, 10, 64); err == nil && len(vals) > 0 {
				req.PONumbers[n] = vals[0]
			}
		}
		if sid, ok := strings.CutPrefix(key, "po_proposed_"); ok {
			if n, err := strconv.ParseInt(sid, 10, 64); err == nil && len(vals) > 0 {
				req.Proposed[n] = vals[0]
			}
		}
	}
	if len(req.Lines) == 0 {
		return s.showDropshipForm(c, id, in, views.FieldErrors{"lines": "Choose at least one line."}, []string{"Choose at least one line to dropship."})
	}
	res, err := s.store.Dropship(ctx, p.actor(), p.accountID(), id, req)
	if errs := fieldErrors(err); errs != nil {
		return s.showDropshipForm(c, id, in, errs, nil)
	}
	if errors.Is(err, store.ErrConflict) {
		return s.showDropshipForm(c, id, in, nil, []string{store.Message(err)})
	}
	if err != nil {
		return err
	}
	if len(res.POs) == 0 {
		var msgs []string
		for _, pr := range res.Problems {
			msgs = append(msgs, pr.SKU+": "+pr.Message)
		}
		return s.showDropshipForm(c, id, in, nil, msgs)
	}
	var numbers []string
	for _, po := range res.POs {
		numbers = append(numbers, po.PONumber+" to "+po.SupplierName)
	}
	msg := sentence("Created " + strings.Join(numbers, ", "))
	if res.Replayed {
		msg = sentence("Already submitted: " + strings.Join(numbers, ", "))
	}
	for _, pr := range res.Problems {
		msg += " Not sent: " + pr.SKU + " (" + pr.Message + ")"
	}
	if err := s.flash(c, msg); err != nil {
		return err
	}
	return redirect(c, "/orders/"+c.Param("orderID"))
}

// orderTracking gathers an order's shipments per PO.
func (s *Server) orderTracking(c echo.Context, orderID int64, status string, pos []store.PurchaseOrder) (views.OrderTrackingView, error) {
	p := principalOf(c)
	vw := p.viewer()
	t := views.OrderTrackingView{OrderID: orderID, Status: status}
	shipped, delivered := 0, 0
	// The version names what the page shows that a supplier can change:
	// the order's status, each PO's status and cancellation, and the
	// shipments, delivered or not.
	version := []string{status}
	updates, err := s.store.OrderStoreUpdates(c.Request().Context(), p.accountID(), orderID)
	if err != nil {
		return t, err
	}
	storeBusy := false
	for _, po := range pos {
		version = append(version, po.Status+"/"+po.CancelState)
		ships, err := s.store.Shipments(c.Request().Context(), p.accountID(), po.ID)
		if err != nil {
			return t, err
		}
		for _, sh := range ships {
			shipped++
			if sh.DeliveredAt != nil {
				delivered++
			}
			// A carrier's scan changes what the row shows too.
			version = append(version, strconv.Itoa(len(sh.Tracking.Events))+string(sh.Tracking.Status))
		}
		rows := shipmentRows(ships, vw)
		for i := range rows {
			for _, u := range updates[rows[i].ID] {
				rows[i].Store = append(rows[i].Store, storeUpdateRow(orderID, u, vw))
				storeBusy = storeBusy || u.State == "pending"
			}
		}
		t.POs = append(t.POs, views.POTracking{Number: po.PONumber, Supplier: po.SupplierName, Shipments: rows})
		// Polled every second while tracking may come, then every ten
		// seconds until every PO is done: shipped POs still turn delivered,
		// and suppliers mark that by hand, some days later or never.
		switch {
		case po.Status == store.POOpen || po.Status == store.POPartiallyShipped:
			t.Every = "1s"
		case !poSettled(po.Status) && t.Every == "":
			t.Every = "10s"
		}
	}
	if storeBusy && t.Every == "" {
		// A store update still to go: its state is shown as it changes.
		t.Every = "10s"
	}
	t.Version = strings.Join(append(version, strconv.Itoa(shipped), strconv.Itoa(delivered)), ".")
	return t, nil
}

// storeUpdateRow words a store update for the order page.
func storeUpdateRow(orderID int64, u store.StoreUpdate, vw views.Viewer) views.StoreUpdateRow {
	r := views.StoreUpdateRow{Store: cmp.Or(u.Store, "a removed store")}
	retry := "/orders/" + strconv.FormatInt(orderID, 10) + "/store-updates/" + strconv.FormatInt(u.MessageID, 10) + "/retry"
	switch {
	case u.State == "sent":
		r.State, r.Detail = "sent", "fulfillment "+u.ExternalID
		if u.ExternalID == "" {
			r.Detail = ""
		}
	case u.State == "failed":
		r.State, r.Detail, r.RetryURL = "failed", u.LastError, retry
	case u.WaitingFor != "":
		r.State, r.Detail = "waiting", sentence(u.LastError)
	case u.Attempts > 0:
		r.State, r.Detail, r.RetryURL = "queued", "Try "+strconv.Itoa(u.Attempts)+" failed: "+sentence(u.LastError)+" Next try "+vw.ZonedTime(u.NextAt)+".", retry
	default:
		r.State = "queued"
	}
	return r
}

// orderStoreUpdateRetry sends a failed store update again.
func (s *Server) orderStoreUpdateRetry(c echo.Context) error {
	orderID, err := idParam(c, "orderID")
	if err != nil {
		return err
	}
	msgID, err := idParam(c, "messageID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	if err := s.store.RetryStoreUpdate(c.Request().Context(), p.actor(), p.accountID(), orderID, msgID); err != nil {
		return s.conflictToFlash(c, err, "/orders/"+c.Param("orderID"))
	}
	if err := s.flash(c, "The store update is queued again: it is sent within a minute."); err != nil {
		return err
	}
	return redirect(c, "/orders/"+c.Param("orderID"))
}

// poSettled says a PO will not change again without the merchant: delivered, cancelled or rejected.
func poSettled(status string) bool {
	return status == store.PODelivered || status == store.POCancelled || status == store.PORejected
}

// orderTrackingPartial is what an open order page polls.
func (s *Server) orderTrackingPartial(c echo.Context) error {
	id, err := idParam(c, "orderID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	o, err := s.store.Order(c.Request().Context(), p.accountID(), id)
	if err != nil {
		return err
	}
	pos, err := s.store.OrderPurchaseOrders(c.Request().Context(), p.accountID(), id)
	if err != nil {
		return err
	}
	t, err := s.orderTracking(c, id, o.Status, pos)
	if err != nil {
		return err
	}
	if t.Version == c.QueryParam("v") {
		return render(c, http.StatusOK, views.OrderTracking(csrfOf(c), t))
	}
	// Shipped or delivered since the page showed it: the status, lines,
	// POs and timeline follow, swapped in out of band.
	v, err := s.orderView(c, id, nil)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.OrderLive(csrfOf(c), v))
}

// showDropshipForm shows the order page again with the form as typed and its problems.
// chosenLines is the lines ticked in a dropship form, each with the source
// chosen for it (0: the default).
func chosenLines(c echo.Context, lineIDs []int64) map[int64]int64 {
	out := map[int64]int64{}
	for _, lid := range lineIDs {
		src, _ := strconv.ParseInt(c.FormValue("source_"+strconv.FormatInt(lid, 10)), 10, 64)
		out[lid] = src
	}
	return out
}

// orderDropshipRegroup answers a change of the dropship form's lines or
// sources: the form again, its PO numbers and confirmation following the
// suppliers the chosen lines now go to, with what was typed kept.
func (s *Server) orderDropshipRegroup(c echo.Context) error {
	id, err := idParam(c, "orderID")
	if err != nil {
		return err
	}
	if _, err := s.store.Order(c.Request().Context(), principalOf(c).accountID(), id); err != nil {
		return err
	}
	var in dropshipForm
	if err := s.decodeForm(c, &in); err != nil {
		return err
	}
	return s.renderDropshipForm(c, id, in, nil, nil, http.StatusOK)
}

func (s *Server) showDropshipForm(c echo.Context, orderID int64, in dropshipForm, errs views.FieldErrors, problems []string) error {
	status := http.StatusUnprocessableEntity
	if isHTMX(c) {
		status = http.StatusOK // htmx swaps 2xx only; the form with its messages is the content
	}
	return s.renderDropshipForm(c, orderID, in, errs, problems, status)
}

// renderDropshipForm shows the order page with the dropship form as posted:
// what was typed and chosen, with any messages.
func (s *Server) renderDropshipForm(c echo.Context, orderID int64, in dropshipForm, errs views.FieldErrors, problems []string, status int) error {
	form := &views.DropshipFormView{Key: in.Key, ShipTo: in.AddressForm, Notes: in.Notes, Confirm: in.Confirm, Override: in.Override, Errors: errs, Problems: problems,
		Chosen: chosenLines(c, in.LineIDs)}
	v, err := s.orderView(c, orderID, form)
	if err != nil {
		return err
	}
	return render(c, status, views.OrderPage(s.frame(c, "Order "+v.Number), v))
}

// ordersBulkDropship runs "Dropship selected": the same rules as the form,
// each order's eligible lines to their default sources, reported per order.
func (s *Server) ordersBulkDropship(c echo.Context) error {
	if err := parseBody(c); err != nil {
		return err
	}
	p := principalOf(c)
	ctx := c.Request().Context()
	ids := c.Request().PostForm["order_ids"]
	if len(ids) == 0 {
		return s.renderOrders(c, []views.BulkResult{{Number: "—", Message: "Select orders first."}})
	}
	var results []views.BulkResult
	for _, raw := range ids {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			continue
		}
		o, err := s.store.Order(ctx, p.accountID(), id)
		if errors.Is(err, store.ErrNotFound) {
			results = append(results, views.BulkResult{Number: raw, Message: "not found"})
			continue
		}
		if err != nil {
			return err
		}
		// One key per order per bulk submit: a double click repeats nothing.
		key := "bulk-" + c.Request().PostFormValue("_csrf") + "-" + raw + "-" + c.Request().PostFormValue("bulk_key")
		res, err := s.store.Dropship(ctx, p.actor(), p.accountID(), id, store.DropshipRequest{IdempotencyKey: key, Confirm: true})
		r := views.BulkResult{Number: o.ChannelOrderID}
		switch {
		case err != nil:
			r.Message = store.UserText(err)
		case len(res.POs) == 0:
			var msgs []string
			for _, pr := range res.Problems {
				msgs = append(msgs, pr.SKU+": "+pr.Message)
			}
			r.Message = "nothing sent. " + strings.Join(msgs, "; ")
		default:
			r.OK = true
			var numbers []string
			for _, po := range res.POs {
				numbers = append(numbers, po.PONumber+" to "+po.SupplierName)
			}
			r.Message = "created " + strings.Join(numbers, ", ")
			if len(res.Problems) > 0 {
				r.Message += fmt.Sprintf("; %d line(s) not sent", len(res.Problems))
			}
		}
		results = append(results, r)
	}
	sort.SliceStable(results, func(i, j int) bool { return results[i].OK && !results[j].OK })
	return s.renderOrders(c, results)
}

// ---- Manual orders, CSV import ----

func (s *Server) orderNew(c echo.Context) error {
	return render(c, http.StatusOK, views.ManualOrderPage(s.frame(c, "New order"), views.ManualOrderForm{Currency: "USD"}, nil))
}

func (s *Server) orderCreate(c echo.Context) error {
	var in views.ManualOrderForm
	if err := s.decodeForm(c, &in); err != nil {
		return err
	}
	o := orderfile.Order{Channel: "manual", ChannelOrderID: strings.TrimSpace(in.Number), Currency: in.Currency, Note: in.Note,
		Customer: orderfile.Customer{Name: in.Name, Email: in.Email, Phone: in.Phone}, ShipTo: formAddress(in.AddressForm)}
	errs := views.FieldErrors{}
	var rows []int // the form's row of each order line
	for i := range in.SKUs {
		typed := in.Line(i)
		if strings.TrimSpace(typed.SKU+typed.Title+typed.Quantity+typed.Price) == "" {
			continue
		}
		// A SKU of the catalog fills what was left empty, as the form does.
		l, err := s.fillManualLine(c, typed, in.Currency, false)
		if err != nil {
			return err
		}
		line := orderfile.Line{SKU: strings.TrimSpace(l.SKU), Title: strings.TrimSpace(l.Title)}
		q, err := strconv.Atoi(strings.TrimSpace(l.Quantity))
		if err != nil {
			errs[fmt.Sprintf("lines[%d].quantity", i)] = "Enter a whole number."
		}
		line.Quantity = q
		if price := strings.TrimSpace(l.Price); price != "" {
			cents, err := orderfile.ParseMoney(price)
			if err != nil {
				errs[fmt.Sprintf("lines[%d].unit_price", i)] = "Enter an amount like 19.99."
			}
			line.UnitPriceCents = cents
		}
		o.Lines, rows = append(o.Lines, line), append(rows, i)
	}
	if len(errs) == 0 {
		p := principalOf(c)
		created, _, err := s.store.CreateOrder(c.Request().Context(), p.actor(), p.accountID(), o)
		if fe := fieldErrors(err); fe != nil {
			errs = formLineErrors(fe, rows)
		} else if err != nil {
			return err
		} else {
			if err := s.flash(c, "Order "+created.ChannelOrderID+" created."); err != nil {
				return err
			}
			return redirect(c, "/orders/"+strconv.FormatInt(created.ID, 10))
		}
	}
	return render(c, http.StatusUnprocessableEntity, views.ManualOrderPage(s.frame(c, "New order"), in, errs))
}

// formLineErrors moves the store's messages about order line n to the form
// row the line was typed in (blank rows are skipped before the store sees them).
func formLineErrors(fe views.FieldErrors, rows []int) views.FieldErrors {
	out := views.FieldErrors{}
	for k, msg := range fe {
		var n int
		var rest string
		if _, err := fmt.Sscanf(k, "lines[%d]%s", &n, &rest); err == nil && n >= 0 && n < len(rows) {
			k = fmt.Sprintf("lines[%d]%s", rows[n], rest)
		}
		out[k] = msg
	}
	return out
}

// orderNewLine answers the manual order form's line as its SKU is typed:
// filled with the catalog product's title and unit price.
func (s *Server) orderNewLine(c echo.Context) error {
	i, err := strconv.Atoi(c.QueryParam("i"))
	if err != nil || i < 0 || i >= views.ManualOrderRows {
		return echo.NewHTTPError(http.StatusBadRequest, "Unknown line.")
	}
	typed := views.ManualOrderLine{Index: i, SKU: c.QueryParam("sku"), Title: c.QueryParam("title"), Quantity: c.QueryParam("quantity"), Price: c.QueryParam("unit_price")}
	l, err := s.fillManualLine(c, typed, c.QueryParam("currency"), true)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.ManualOrderLineRow(l, nil))
}

// fillManualLine fills a typed line from the merchant's catalog product with
// its SKU: the title and, when the currencies agree, the unit price; a
// quantity of 1 when none was typed. retyped (the SKU was just typed)
// replaces a title and price already there; otherwise only empty ones are
// filled.
func (s *Server) fillManualLine(c echo.Context, l views.ManualOrderLine, currency string, retyped bool) (views.ManualOrderLine, error) {
	sku := strings.TrimSpace(l.SKU)
	if sku == "" {
		return l, nil
	}
	prod, err := s.store.ProductBySKU(c.Request().Context(), principalOf(c).accountID(), sku)
	if errors.Is(err, store.ErrNotFound) {
		l.Hint = "Not in your catalog."
		return l, nil
	}
	if err != nil {
		return l, err
	}
	l.Hint = "From your catalog."
	if retyped || strings.TrimSpace(l.Title) == "" {
		l.Title = prod.Title
	}
	if strings.TrimSpace(l.Quantity) == "" {
		l.Quantity = "1"
	}
	switch {
	case !prod.HasPrice:
	case !strings.EqualFold(strings.TrimSpace(currency), prod.Currency):
		l.Hint = "From your catalog; its price is " + principalOf(c).viewer().Money(prod.PriceCents, prod.Currency) + "."
	case retyped || strings.TrimSpace(l.Price) == "":
		l.Price = store.FormatMoney(prod.PriceCents)
	}
	return l, nil
}

func (s *Server) orderTemplate(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="dropline-orders.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", []byte(orderfile.CSVTemplate()))
}

func (s *Server) orderImportShow(c echo.Context) error {
	return render(c, http.StatusOK, views.OrderImportPage(s.frame(c, "Import orders"), views.OrderImportView{}))
}

// orderImportPlan reads an uploaded orders CSV and says what importing it would do.
func (s *Server) orderImportPlan(c echo.Context, body []byte) (views.OrderImportView, []orderfile.Order, error) {
	var v views.OrderImportView
	p := principalOf(c)
	// A placed_at without a zone is a time of the merchant's day.
	orders, rejected, err := orderfile.ReadCSVIn(bytes.NewReader(body), p.member.Account.Location())
	var fe *orderfile.FileError
	if errors.As(err, &fe) {
		v.Error = fe.Message
		return v, nil, nil
	}
	if err != nil {
		return v, nil, err
	}
	v.Orders, v.Rejected = len(orders)+len(rejected), len(rejected)
	for _, o := range orders {
		page, err := s.store.Orders(c.Request().Context(), p.accountID(), store.OrderFilter{Tab: store.TabAll, Query: o.ChannelOrderID, PerPage: 5})
		if err != nil {
			return v, nil, err
		}
		exists := false
		for _, e := range page.Orders {
			exists = exists || (e.ChannelOrderID == o.ChannelOrderID && e.Channel == o.Channel)
		}
		if exists {
			v.Existing++
		} else {
			v.New++
		}
	}
	for _, r := range rejected {
		for _, e := range r.Errors {
			v.Errors = append(v.Errors, views.RunErrorRow{Line: e.Line, Column: e.Column, Message: e.Message})
		}
	}
	return v, orders, nil
}

func (s *Server) orderImportUpload(c echo.Context) error {
	filename, body, problem, err := readUpload(c)
	if err != nil {
		return err
	}
	if problem != nil {
		return render(c, problem.status, views.OrderImportPage(s.frame(c, "Import orders"), views.OrderImportView{Error: problem.msg}))
	}
	v, _, err := s.orderImportPlan(c, body)
	if err != nil {
		return err
	}
	if v.Error != "" {
		return render(c, http.StatusUnprocessableEntity, views.OrderImportPage(s.frame(c, "Import orders"), v))
	}
	p := principalOf(c)
	v.Token, err = s.store.SaveUpload(c.Request().Context(), p.accountID(), "orders", filename, body)
	if err != nil {
		return err
	}
	v.Filename = filename
	return render(c, http.StatusOK, views.OrderImportPage(s.frame(c, "Import orders"), v))
}

func (s *Server) orderImportApply(c echo.Context) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	token := c.FormValue("token")
	kind, _, body, err := s.store.Upload(ctx, p.accountID(), token)
	if errors.Is(err, store.ErrNotFound) || (err == nil && kind != "orders") {
		if ferr := s.flashError(c, "That upload has expired or was already imported. Upload the file again."); ferr != nil {
			return ferr
		}
		return redirect(c, "/orders/import")
	}
	if err != nil {
		return err
	}
	_, orders, err := s.orderImportPlan(c, body)
	if err != nil {
		return err
	}
	res, err := s.store.CreateOrders(ctx, p.actor(), p.accountID(), orders)
	if err != nil {
		return err
	}
	if err := s.store.DeleteUpload(ctx, p.accountID(), token); err != nil {
		return err
	}
	if err := s.flash(c, fmt.Sprintf("Imported %d orders (%d were already there).", res.Created, res.Existing)); err != nil {
		return err
	}
	return redirect(c, "/orders?tab=all")
}

// ---- Purchase orders (merchant) ----

// poFilter reads the PO list's query string.
func poFilter(c echo.Context) store.POFilter {
	q := c.QueryParams()
	page, _ := strconv.Atoi(q.Get("page"))
	supplier, _ := strconv.ParseInt(q.Get("supplier"), 10, 64)
	return store.POFilter{Query: q.Get("q"), Status: q.Get("status"), SupplierID: supplier, Shipped: q.Get("shipped"), View: q.Get("view"), Page: page}
}

func (s *Server) purchaseOrdersList(c echo.Context) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	vw := p.viewer()
	q := c.QueryParams()
	pg, err := s.store.PurchaseOrders(ctx, p.accountID(), poFilter(c))
	if err != nil {
		return err
	}
	v := views.POListView{Query: q.Get("q"), Status: q.Get("status"), Shipped: q.Get("shipped"), View: q.Get("view"), Supplier: q.Get("supplier"),
		Total: pg.Total, Page: pg.Page, ExportURL: exportHref("/purchase-orders/export.csv", q)}
	if v.Suppliers, err = s.supplierOptions(ctx, p.accountID()); err != nil {
		return err
	}
	for _, po := range pg.POs {
		v.Rows = append(v.Rows, views.PORow{Stale: po.Stale, LateWhy: po.LateReason, ID: po.ID, Number: po.PONumber, OrderID: po.OrderID, Order: po.ChannelOrderID, Supplier: po.SupplierName,
			Status: po.Status, Cancel: po.CancelState, Created: vw.ZonedTime(po.CreatedAt), Cost: vw.Money(po.TotalCostCents, po.Currency),
			TrackingProblem: po.TrackingProblem, TrackingLabel: store.TrackingProblemLabel(po.TrackingProblem)})
	}
	v.Pages = max(1, int(math.Ceil(float64(pg.Total)/float64(pg.PerPage))))
	pageURL := func(n int) string {
		pq := cloneValues(q)
		pq.Set("page", strconv.Itoa(n))
		return "/purchase-orders?" + pq.Encode()
	}
	if v.Page > 1 {
		v.PrevURL = pageURL(v.Page - 1)
	}
	if v.Page < v.Pages {
		v.NextURL = pageURL(v.Page + 1)
	}
	return render(c, http.StatusOK, views.POListPage(s.frame(c, "Purchase orders"), v))
}

func (s *Server) purchaseOrderShow(c echo.Context) error {
	id, err := idParam(c, "poID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	po, err := s.store.PurchaseOrder(c.Request().Context(), p.accountID(), id)
	if err != nil {
		return err
	}
	if po.AccountID != p.accountID() {
		return echo.ErrNotFound // the supplier's view of POs comes with the fulfilment work
	}
	vw := p.viewer()
	working := po.Status == store.POOpen || po.Status == store.POPartiallyShipped
	v := views.POView{Stale: po.Stale, LateWhy: po.LateReason, ID: po.ID, Number: po.PONumber, OrderID: po.OrderID, Order: po.ChannelOrderID, Supplier: po.SupplierName, Status: po.Status,
		Cancel: po.CancelState, CancelReason: po.CancelReason, ShipTo: addressLines(po.ShipTo), Notes: po.Notes,
		Created: vw.ZonedTime(po.CreatedAt), Cost: vw.Money(po.TotalCostCents, po.Currency),
		CanCancel: working && po.CancelState != "requested", TrackingProblem: po.TrackingProblem, TrackingLabel: store.TrackingProblemLabel(po.TrackingProblem)}
	// The supplier's own status says where it stands while it is worked on;
	// once shipped (or ended) the PO's status says it.
	if working {
		v.SupplierStat = po.SupplierStatus
	}
	if po.SupplierContact == store.ContactWebsite {
		v.Website = true
		if e := po.External; e.Number != "" {
			v.External = "Ordered on the site: order " + e.Number
			if e.PaidCents != nil {
				v.External += ", paid " + vw.Money(*e.PaidCents, e.Currency)
			}
			if e.Notes != "" {
				v.External += " (" + e.Notes + ")"
			}
			v.External += "."
		}
	}
	if po.ReleaseAt.After(s.now()) {
		v.Release = vw.ZonedTime(po.ReleaseAt)
	}
	for _, l := range po.Lines {
		row := views.POLineRow{SKU: l.SupplierSKU, Title: l.Title, Quantity: l.Quantity, Shipped: l.ShippedQty, Remaining: l.Quantity - l.ShippedQty,
			Cost: vw.MoneyIf(l.CostCents, l.HasCost, po.Currency), Status: l.Status, Reason: l.Reason}
		if l.Status == "rejected" || l.Status == "cancelled" {
			row.Remaining = 0
		}
		v.Lines = append(v.Lines, row)
	}
	ships, err := s.store.Shipments(c.Request().Context(), p.accountID(), po.ID)
	if err != nil {
		return err
	}
	v.Shipments = shipmentRows(ships, vw)
	if v.Emailing, err = s.poEmailingView(c, po.ID); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.POPage(s.frame(c, "PO "+po.PONumber), v))
}

func (s *Server) purchaseOrderCancel(c echo.Context) error {
	id, err := idParam(c, "poID")
	if err != nil {
		return err
	}
	p := principalOf(c)
	if _, err := s.store.RequestCancel(c.Request().Context(), p.actor(), p.accountID(), id, c.FormValue("reason")); err != nil {
		return s.conflictToFlash(c, err, "/purchase-orders/"+c.Param("poID"))
	}
	if err := s.flash(c, "Cancellation requested: the supplier must accept or decline it."); err != nil {
		return err
	}
	return redirect(c, "/purchase-orders/"+c.Param("poID"))
}

// ---- Order settings and the Shopify webhook ----

func (s *Server) orderSettingsShow(c echo.Context) error {
	return s.renderOrderSettings(c, http.StatusOK, nil, "")
}

func (s *Server) renderOrderSettings(c echo.Context, status int, errs views.FieldErrors, typedLimit string) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	set, err := s.store.OrderSettings(ctx, p.accountID())
	if err != nil {
		return err
	}
	v := views.WebhooksView{Supplier: p.member.Account.IsSupplier(), IsAdmin: p.member.IsAdmin(), HasSecret: set.HasShopifySecret, LeadTimeLimit: strconv.Itoa(set.LeadTimeLimitDays), Errors: errs,
		WebhookURL: c.Scheme() + "://" + c.Request().Host + "/api/v1/webhooks/shopify/" + p.member.Account.PublicID}
	if typedLimit != "" {
		v.LeadTimeLimit = typedLimit
	}
	hooks, err := s.store.RejectedWebhooks(ctx, p.accountID(), 50)
	if err != nil {
		return err
	}
	vw := p.viewer()
	for _, h := range hooks {
		body := h.Body
		if len(body) > 200 {
			body = body[:200] + "…"
		}
		v.Rejected = append(v.Rejected, views.RejectedWebhookRow{At: vw.Time(h.ReceivedAt), Source: h.Source, Reason: h.Reason, Body: body})
	}
	return render(c, status, views.OrderSettingsPage(s.frame(c, "Orders and Shopify"), v))
}

func (s *Server) orderSettingsSave(c echo.Context) error {
	p := principalOf(c)
	raw := strings.TrimSpace(c.FormValue("lead_time_limit_days"))
	limit, convErr := strconv.Atoi(raw)
	if convErr != nil {
		return s.renderOrderSettings(c, http.StatusUnprocessableEntity, views.FieldErrors{"lead_time_limit_days": "Enter a whole number of days."}, raw)
	}
	err := s.store.UpdateOrderSettings(c.Request().Context(), p.actor(), p.accountID(), limit, strings.TrimSpace(c.FormValue("shopify_secret")))
	if errs := fieldErrors(err); errs != nil {
		return s.renderOrderSettings(c, http.StatusUnprocessableEntity, errs, raw)
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "Order settings saved."); err != nil {
		return err
	}
	return redirect(c, "/settings/orders")
}

// shopifyWebhook takes Shopify's orders/create webhook for a merchant: the
// HMAC must match the merchant's secret; a replay creates nothing; a payload
// it cannot use gets 422 and is kept in the rejected list. An order of a
// shop the merchant connected in Settings → Sales channels
// (X-Shopify-Shop-Domain) is linked to that store.
func (s *Server) shopifyWebhook(c echo.Context) error {
	ctx := c.Request().Context()
	body, err := io.ReadAll(c.Request().Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "The webhook body is too large.")
	}
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The webhook body could not be read.")
	}
	acc, secret, err := s.store.ShopifySecret(ctx, c.Param("publicID"))
	if err != nil {
		return err
	}
	if secret == "" || !orderfile.VerifyShopifyHMAC(body, c.Request().Header.Get("X-Shopify-Hmac-Sha256"), secret) {
		// Nothing is stored for an unsigned request: anyone could send one.
		return echo.NewHTTPError(http.StatusUnauthorized, "The X-Shopify-Hmac-Sha256 signature does not match this account's webhook secret.")
	}
	o, err := orderfile.ParseShopifyOrder(body)
	if err == nil {
		if errs := o.Validate(); len(errs) > 0 {
			err = &store.ValidationError{Fields: errs}
		}
	}
	if err != nil {
		reason := err.Error()
		if rerr := s.store.RejectWebhook(ctx, acc.ID, "shopify orders/create", reason, body); rerr != nil {
			return rerr
		}
		var ve *store.ValidationError
		if errors.As(err, &ve) {
			return err
		}
		return echo.NewHTTPError(http.StatusUnprocessableEntity, reason)
	}
	// When the shop is one of the merchant's connected stores, the order is
	// linked to it, so that its tracking goes back there.
	storeID, err := s.store.ShopifyStoreByDomain(ctx, acc.ID, c.Request().Header.Get("X-Shopify-Shop-Domain"))
	if err != nil {
		return err
	}
	var created store.Order
	var isNew bool
	if storeID != 0 {
		created, isNew, err = s.store.CreateStoreOrder(ctx, store.Actor{Name: "Shopify webhook"}, acc.ID, storeID, o)
	} else {
		created, isNew, err = s.store.CreateOrder(ctx, store.Actor{Name: "Shopify webhook"}, acc.ID, o)
	}
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if !isNew {
		status = http.StatusOK
	}
	return c.JSON(status, map[string]any{"id": created.ID, "channel_order_id": created.ChannelOrderID, "created": isNew})
}

// sentence ends s with one full stop, even when it ends in a name like "Co.".
func sentence(s string) string {
	return strings.TrimSuffix(s, ".") + "."
}

// supplierOptions are the merchant's linked suppliers, for a filter.
func (s *Server) supplierOptions(ctx context.Context, merchantID int64) ([]views.Option, error) {
	suppliers, err := s.store.LinkedSuppliers(ctx, merchantID)
	if err != nil {
		return nil, err
	}
	out := make([]views.Option, len(suppliers))
	for i, a := range suppliers {
		out[i] = views.Option{Value: strconv.FormatInt(a.ID, 10), Label: a.Name}
	}
	return out, nil
}

// elsewhereTabs is, for a tabbed list whose filters match nothing in its tab
// (total) but allTabs in every tab, how many that is and the list's All tab
// (allTab) with the same filters; 0 and "" when the tab has rows or no
// other tab does.
func elsewhereTabs(path string, q url.Values, allTab string, total, allTabs int) (int, string) {
	if total > 0 || allTabs <= 0 {
		return 0, ""
	}
	aq := cloneValues(q)
	aq.Set("tab", allTab)
	aq.Del("page")
	return allTabs, path + "?" + aq.Encode()
}
