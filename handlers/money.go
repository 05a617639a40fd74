package handlers

import (
	"encoding/csv"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/views"
)

// dashboard is the first page after sign-in: what needs attention, each
// count a link to the list that shows the same number.
func (s *Server) dashboard(c echo.Context) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	acc := p.member.Account
	var v views.DashboardView
	count := strconv.Itoa
	if acc.IsMerchant() {
		d, err := s.store.MerchantDashboard(ctx, acc.ID)
		if err != nil {
			return err
		}
		subs, err := s.subscriptionRows(c)
		if err != nil {
			return err
		}
		feeds := needingAttention(subs)
		v.Merchant = []views.DashCard{
			{Key: "needs-dropship", Label: "Orders needing dropship", Count: count(d.NeedsDropship), Href: "/orders?tab=" + store.TabNeedsDropship, Alert: d.NeedsDropship > 0},
			{Key: "late-pos", Label: "Late purchase orders", Count: count(d.LatePOs), Href: "/purchase-orders?view=" + store.POViewLate,
				Hint: "Not acknowledged in time or past the promise date", Alert: d.LatePOs > 0},
			{Key: "stale-pos", Label: "Stale purchase orders", Count: count(d.StalePOs), Href: "/purchase-orders?view=" + store.POViewStale,
				Hint: "No tracking after the supplier's stale period", Alert: d.StalePOs > 0},
			{Key: "exceptions", Label: "Exceptions", Count: count(d.Exceptions), Href: "/orders?tab=" + store.TabExceptions,
				Hint: "Rejected lines, cancellation answers", Alert: d.Exceptions > 0},
			{Key: "tracking-problems", Label: "Tracking problems", Count: count(d.TrackingProblems), Href: "/purchase-orders?view=" + store.POViewTracking,
				Hint: "Failed delivery attempts, exceptions, returns and parcels not moving", Alert: d.TrackingProblems > 0},
			{Key: "failed-updates", Label: "Failed channel updates", Count: count(d.FailedUpdates),
				Href: "/settings/outbox?kind=" + store.FailedChannelUpdates.Kind + "&state=" + store.FailedChannelUpdates.State,
				Hint: "Tracking updates to your sales channels that failed or wait for a connection", Alert: d.FailedUpdates > 0},
			{Key: "feeds", Label: "Stale or held feeds", Count: count(len(feeds)), Href: "/feeds?attention=1", Alert: len(feeds) > 0},
		}
	}
	if acc.IsSupplier() {
		d, err := s.store.SupplierDashboard(ctx, acc.ID)
		if err != nil {
			return err
		}
		f := store.SupplierDashboardFilters
		v.Supplier = []views.DashCard{
			{Key: "to-acknowledge", Label: "POs to acknowledge", Count: count(d.ToAcknowledge), Href: queueHref(f.ToAcknowledge), Alert: d.ToAcknowledge > 0},
			{Key: "ship-today", Label: "To ship today", Count: count(d.DueToday), Href: queueHref(f.DueToday), Hint: "Promised by the end of today", Alert: d.DueToday > 0},
			{Key: "late", Label: "Late POs", Count: count(d.Late), Href: queueHref(f.Late), Alert: d.Late > 0},
			{Key: "tracking-problems", Label: "Tracking problems", Count: count(d.TrackingProblems), Href: queueHref(f.TrackingProblems),
				Hint: "Failed delivery attempts, exceptions, returns and parcels not moving, in Exceptions", Alert: d.TrackingProblems > 0},
		}
		available := availableText(d.Balances, p.viewer())
		v.Supplier = append(v.Supplier, views.DashCard{Key: "earnings", Label: "Earnings available", Count: available, Href: "/earnings",
			Hint: "Past the holding period, not yet paid"})
	}
	if err := s.checklists(c, &v); err != nil {
		return err
	}
	if err := s.dashboardCharts(c, &v); err != nil {
		return err
	}
	return render(c, http.StatusOK, views.DashboardPage(s.frame(c, "Dashboard"), v))
}

// dashboardCharts draws each side's last weeks beside its counts: a
// month of days, two months of weeks, in the account's zone.
func (s *Server) dashboardCharts(c echo.Context, v *views.DashboardView) error {
	acc := principalOf(c).member.Account
	loc := acc.Location()
	ctx := c.Request().Context()
	series := func(id, title, x, y, empty string, at []time.Time, values []int) views.Chart {
		ch := views.Chart{ID: id, Title: title, XLabel: x, YLabel: y, Empty: empty, Small: true}
		if len(at) > 10 {
			ch.LabelEvery = 7
		}
		for i, n := range values {
			ch.Bars = append(ch.Bars, views.Bar{Label: at[i].Format("2 Jan"), Value: float64(n)})
		}
		return ch
	}
	hours := func(id string, t store.Trends) views.Chart {
		ch := views.Chart{ID: id, Title: "Median hours to tracking, by week", XLabel: "Week starting", YLabel: "Hours", Small: true,
			Empty: "Nothing tracked in these weeks, or all of it within the hour"}
		for i, h := range t.MedianHours {
			ch.Bars = append(ch.Bars, views.Bar{Label: t.Weeks[i].Format("2 Jan"), Value: float64(max(h, 0))})
		}
		return ch
	}
	if acc.IsMerchant() {
		t, err := s.store.DashboardTrends(ctx, acc.ID, true, loc)
		if err != nil {
			return err
		}
		v.MerchantCharts = []views.Chart{
			series("chart-orders", "Orders per day", "Day placed", "Orders", "No orders in the last 30 days", t.Days, t.Orders),
			series("chart-dropships", "Dropships per day (purchase orders created)", "Day", "POs", "Nothing dropshipped in the last 30 days", t.Days, t.Dropships),
			series("chart-late", "POs late now, by week placed", "Week starting", "POs", "None of these weeks' POs is late", t.Weeks, t.Late),
			series("chart-stale", "POs stale now, by week placed", "Week starting", "POs", "None of these weeks' POs is stale", t.Weeks, t.Stale),
			hours("chart-hours", t),
		}
	}
	if acc.IsSupplier() {
		t, err := s.store.DashboardTrends(ctx, acc.ID, false, loc)
		if err != nil {
			return err
		}
		v.SupplierCharts = []views.Chart{
			series("chart-received", "POs received per day", "Day", "POs", "No POs received in the last 30 days", t.Days, t.Received),
			series("chart-shipped", "POs shipped per day (first tracking)", "Day", "POs", "Nothing shipped in the last 30 days", t.Days, t.Shipped),
			series("chart-supplier-late", "POs late now, by week received", "Week starting", "POs", "None of these weeks' POs is late", t.Weeks, t.Late),
			hours("chart-supplier-hours", t),
		}
	}
	return nil
}

// checklists puts the account's first steps on its dashboard until every
// one is done or an admin hid them; each step links to where it is done.
func (s *Server) checklists(c echo.Context, v *views.DashboardView) error {
	p := principalOf(c)
	acc := p.member.Account
	cl, err := s.store.FirstRunChecklist(c.Request().Context(), acc.ID)
	if err != nil || cl.Dismissed {
		return err
	}
	var lists []views.Checklist
	if acc.IsMerchant() {
		lists = append(lists, views.Checklist{Title: "Selling your suppliers' products", Steps: []views.ChecklistStep{
			{Key: "link-supplier", Label: "Link a supplier", Href: "/suppliers", Done: cl.LinkedSupplier,
				Hint: "Enter a supplier's public ID, or add a supplier outside Dropline (a website, or one you email)."},
			{Key: "subscribe", Label: "Subscribe to its feed", Href: "/feeds", Done: cl.Subscribed,
				Hint: "Its products become yours, with its stock, on the feed's schedule."},
			{Key: "channel", Label: "Connect a sales channel", Href: "/settings/channels", Done: cl.ChannelConnected,
				Hint: "Your Shopify or WooCommerce store: orders come in, tracking goes back."},
			{Key: "first-order", Label: "Bring in your first order", Href: "/orders/new", Done: cl.FirstOrder,
				Hint: "From your store, a CSV file, the API, or typed in."},
			{Key: "first-dropship", Label: "Dropship your first order", Href: "/orders?tab=" + store.TabNeedsDropship, Done: cl.FirstDropship,
				Hint: "A purchase order goes to the supplier, who ships to your customer."},
		}})
	}
	if acc.IsSupplier() {
		lists = append(lists, views.Checklist{Title: "Shipping for merchants", Steps: []views.ChecklistStep{
			{Key: "initial-status", Label: "Set the status new dropship orders start in", Href: "/settings/statuses", Done: cl.InitialStatus,
				Hint: "Until it is set, merchants' dropships create no purchase orders for you."},
			{Key: "publish-feed", Label: "Publish a feed", Href: "/feeds/new", Done: cl.FeedPublished,
				Hint: "The products, prices and stock your merchants sell."},
			{Key: "invite-merchant", Label: "Invite a merchant", Href: "/merchants", Done: cl.MerchantInvited,
				Hint: "With its public ID; it accepts, and its orders can reach you."},
			{Key: "first-shipment", Label: "Ship your first order", Href: "/dropship-orders", Done: cl.FirstShipment,
				Hint: "Enter its carrier and tracking number: the merchant sees it at once."},
		}})
	}
	for _, l := range lists {
		for _, st := range l.Steps {
			if !st.Done {
				v.Checklists, v.CanHideChecklist = lists, p.member.IsAdmin()
				return nil
			}
		}
	}
	return nil // every step done: the checklist has done its job
}

// checklistHide hides the first-run checklist from the account's dashboard.
func (s *Server) checklistHide(c echo.Context) error {
	p := principalOf(c)
	if err := s.store.DismissChecklist(c.Request().Context(), p.actor(), p.accountID()); err != nil {
		return err
	}
	if err := s.flash(c, "The checklist is hidden; each step is still done on its own page."); err != nil {
		return err
	}
	return redirect(c, "/")
}

// availableText is what is available for payout, summed per currency in
// currency order: "120.00 EUR + 1250.00 USD", "0.00" when nothing is.
func availableText(bs []store.Balance, vw views.Viewer) string {
	sums := map[string]int64{}
	for _, b := range bs {
		sums[b.Currency] += max(b.AvailableCents, 0)
	}
	if len(sums) == 0 {
		return "0.00"
	}
	var parts []string
	for _, cur := range slices.Sorted(maps.Keys(sums)) {
		parts = append(parts, vw.Money(sums[cur], cur))
	}
	return strings.Join(parts, " + ")
}

// queueHref is the supplier queue's URL for a filter.
func queueHref(f store.QueueFilter) string {
	q := url.Values{"tab": {f.Tab}}
	if f.DueToday {
		q.Set("due", "today")
	}
	if f.TrackingProblem {
		q.Set("problem", "tracking")
	}
	return "/dropship-orders?" + q.Encode()
}

// earningsShow lists balances with each counterparty: the supplier's
// earnings, the merchant's supplier payouts.
func (s *Server) earningsShow(c echo.Context) error {
	return s.renderEarnings(c, http.StatusOK, views.PayoutForm{}, nil)
}

func (s *Server) renderEarnings(c echo.Context, status int, form views.PayoutForm, errs views.FieldErrors) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	acc := p.member.Account
	// An account that is both sees its own side as a merchant here.
	vw := p.viewer()
	v := views.EarningsView{Merchant: acc.IsMerchant(), IsAdmin: p.member.IsAdmin(), Payout: form, Errors: errs}
	balances, err := s.store.Balances(ctx, acc.ID, 0)
	if err != nil {
		return err
	}
	for _, b := range balances {
		other, otherPID := b.MerchantName, b.MerchantPID
		if b.MerchantID == acc.ID {
			other, otherPID = b.SupplierName, b.SupplierPID
		}
		m := func(cents int64) string { return vw.Money(cents, b.Currency) }
		v.Rows = append(v.Rows, views.BalanceRow{Other: other, OtherPID: otherPID, Currency: b.Currency, Earned: m(b.EarnedCents),
			Adjusted: m(b.AdjustCents), Paid: m(b.PaidCents), Pending: m(b.PendingCents),
			Available: m(b.AvailableCents), Balance: m(b.BalanceCents), Statement: "/statements?with=" + url.QueryEscape(otherPID)})
	}
	others, err := s.store.Counterparties(ctx, acc.ID)
	if err != nil {
		return err
	}
	for _, o := range others {
		label := o.Name + " (" + o.PublicID + ")"
		v.Others = append(v.Others, views.Option{Value: o.PublicID, Label: label})
		v.PayTo = append(v.PayTo, views.Option{Value: strconv.FormatInt(o.ID, 10), Label: label})
	}
	if v.Payout.Key == "" {
		v.Payout.Key = newToken()
	}
	if v.Payout.Currency == "" {
		v.Payout.Currency = "USD"
	}
	if v.Payout.Date == "" {
		v.Payout.Date = s.now().In(acc.Location()).Format(time.DateOnly)
	}
	title := "Earnings"
	if v.Merchant {
		title = "Supplier payouts"
	}
	return render(c, status, views.EarningsPage(s.frame(c, title), v))
}

// payoutRecord records a payout to a supplier (merchant admins).
func (s *Server) payoutRecord(c echo.Context) error {
	if err := parseBody(c); err != nil {
		return err
	}
	p := principalOf(c)
	r := c.Request()
	form := views.PayoutForm{SupplierID: r.PostFormValue("supplier_id"), Currency: r.PostFormValue("currency"), Amount: r.PostFormValue("amount"),
		Date: r.PostFormValue("date"), Reference: r.PostFormValue("reference"), Key: r.PostFormValue("key")}
	supplierID, _ := strconv.ParseInt(form.SupplierID, 10, 64)
	res, err := s.store.RecordPayout(r.Context(), p.actor(), p.accountID(), store.PayoutInput{SupplierID: supplierID, Currency: form.Currency,
		Amount: form.Amount, Date: form.Date, Reference: form.Reference, IdempotencyKey: form.Key})
	if errs := fieldErrors(err); errs != nil {
		return s.renderEarnings(c, http.StatusUnprocessableEntity, form, errs)
	}
	if err != nil {
		return err
	}
	msg := "Payout of " + form.Amount + " " + form.Currency + " recorded."
	if res.Replayed {
		msg = "This payout was already recorded; nothing was added."
	}
	if err := s.flash(c, msg); err != nil {
		return err
	}
	return redirect(c, "/earnings")
}

// statement shows the account between the acting account and another for a period.
func (s *Server) statement(c echo.Context) error {
	st, other, err := s.loadStatement(c)
	if errs := fieldErrors(err); errs != nil {
		return render(c, http.StatusUnprocessableEntity, views.StatementPage(s.frame(c, "Statement"), views.StatementView{SupplierName: st.SupplierName,
			MerchantName: st.MerchantName, WithPID: other.PublicID, From: c.QueryParam("from"), To: c.QueryParam("to"), TimeZone: st.TimeZone, Errors: errs}))
	}
	if err != nil {
		return err
	}
	p := principalOf(c)
	vw := p.viewer()
	v := views.StatementView{SupplierName: st.SupplierName, MerchantName: st.MerchantName, WithPID: other.PublicID, From: st.From, To: st.To, TimeZone: st.TimeZone,
		CSV: "/statements/csv?" + url.Values{"with": {other.PublicID}, "from": {st.From}, "to": {st.To}}.Encode()}
	for _, t := range st.Totals {
		m := func(cents int64) string { return vw.Money(cents, t.Currency) }
		v.Totals = append(v.Totals, views.StatementTotalsRow{Currency: t.Currency, Opening: m(t.OpeningCents), Earned: m(t.EarnedCents),
			Adjusted: m(t.AdjustCents), Paid: m(t.PaidCents), Closing: m(t.ClosingCents)})
	}
	const perPage = 100
	page, _ := strconv.Atoi(c.QueryParam("page"))
	page = max(page, 1)
	v.Total, err = s.store.StatementEntries(c.Request().Context(), st, (page-1)*perPage, perPage, func(e store.LedgerEntry) error {
		l := views.StatementLine{Date: e.Day, Kind: ledgerKind(e.Kind), PONumber: e.PONumber, SKU: e.SupplierSKU, Amount: vw.Money(e.AmountCents, e.Currency),
			Detail: ledgerDetail(e)}
		if e.Quantity > 0 {
			l.Quantity = strconv.Itoa(e.Quantity)
		}
		if e.Kind == store.LedgerEarning {
			l.Available = vw.Date(e.AvailableAt)
		}
		if e.POID != 0 {
			l.POHref = "/purchase-orders/" + strconv.FormatInt(e.POID, 10)
			if p.accountID() == st.SupplierID {
				l.POHref = "/dropship-orders/" + strconv.FormatInt(e.POID, 10)
			}
		}
		v.Lines = append(v.Lines, l)
		return nil
	})
	if err != nil {
		return err
	}
	v.First, v.Last = (page-1)*perPage+1, (page-1)*perPage+len(v.Lines)
	pageURL := func(n int) string {
		return "/statements?" + url.Values{"with": {other.PublicID}, "from": {st.From}, "to": {st.To}, "page": {strconv.Itoa(n)}}.Encode()
	}
	if page > 1 {
		v.PrevURL = pageURL(page - 1)
	}
	if v.Last < v.Total {
		v.NextURL = pageURL(page + 1)
	}
	return render(c, http.StatusOK, views.StatementPage(s.frame(c, "Statement"), v))
}

// statementCSV is the statement as CSV: the totals, then every entry.
func (s *Server) statementCSV(c echo.Context) error {
	st, other, err := s.loadStatement(c)
	if err != nil {
		return err
	}
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	w.Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="statement-%s-%s-%s.csv"`, other.PublicID, st.From, st.To))
	w.WriteHeader(http.StatusOK)
	cw := csv.NewWriter(w)
	safe := store.CSVSafe
	cw.Write([]string{"supplier", "merchant", "from", "to", "currency", "opening", "earnings", "adjustments", "payouts", "closing"})
	for _, t := range st.Totals {
		cw.Write([]string{safe(st.SupplierName), safe(st.MerchantName), st.From, st.To, t.Currency, store.FormatMoney(t.OpeningCents), store.FormatMoney(t.EarnedCents),
			store.FormatMoney(t.AdjustCents), store.FormatMoney(t.PaidCents), store.FormatMoney(t.ClosingCents)})
	}
	cw.Write(nil)
	cw.Write([]string{"date", "entry", "po_number", "sku", "quantity", "currency", "amount", "available_from", "reference", "reason"})
	loc := store.Account{TimeZone: st.TimeZone}.Location()
	_, err = s.store.StatementEntries(c.Request().Context(), st, 0, -1, func(e store.LedgerEntry) error {
		available := ""
		if e.Kind == store.LedgerEarning {
			available = e.AvailableAt.In(loc).Format(time.DateOnly)
		}
		return cw.Write([]string{e.Day, e.Kind, safe(e.PONumber), safe(e.SupplierSKU), strconv.Itoa(e.Quantity), e.Currency, store.FormatMoney(e.AmountCents),
			available, safe(e.Reference), safe(e.Reason)})
	})
	cw.Flush()
	return err
}

// loadStatement reads the statement the query asks for: with (the other
// account's public ID), from and to.
func (s *Server) loadStatement(c echo.Context) (store.Statement, store.Account, error) {
	p := principalOf(c)
	ctx := c.Request().Context()
	other, err := s.store.AccountByPublicID(ctx, c.QueryParam("with"))
	if err != nil {
		return store.Statement{}, store.Account{}, err
	}
	st, err := s.store.Statement(ctx, p.accountID(), other.ID, c.QueryParam("from"), c.QueryParam("to"))
	return st, other, err
}

func ledgerKind(kind string) string {
	switch kind {
	case store.LedgerEarning:
		return "Earning"
	case store.LedgerAdjustment:
		return "Adjustment"
	}
	return "Payout"
}

func ledgerDetail(e store.LedgerEntry) string {
	switch {
	case e.Reason != "":
		return e.Reason
	case e.Reference != "":
		return "Reference " + e.Reference
	}
	return ""
}

// scorecard shows a supplier's service figures: the supplier's own (all
// merchants, or one), or a linked merchant's view of its supplier.
func (s *Server) scorecard(c echo.Context) error {
	p := principalOf(c)
	ctx := c.Request().Context()
	acc := p.member.Account
	supplier := acc
	if pid := c.Param("publicID"); pid != "" {
		var err error
		if supplier, err = s.store.AccountByPublicID(ctx, pid); err != nil {
			return err
		}
	} else if !acc.IsSupplier() {
		return echo.ErrNotFound
	}
	days, _ := strconv.Atoi(c.QueryParam("days"))
	if days != 90 {
		days = 30
	}
	var merchantID int64
	own := supplier.ID == acc.ID
	if own && c.QueryParam("merchant") != "" {
		m, err := s.store.AccountByPublicID(ctx, c.QueryParam("merchant"))
		if err != nil {
			return err
		}
		merchantID = m.ID
	}
	sc, err := s.store.Scorecard(ctx, acc.ID, supplier.ID, merchantID, days)
	if err != nil {
		return err
	}
	v := views.ScorecardView{SupplierName: sc.SupplierName, Days: days, Scope: "all merchants", Merchant: c.QueryParam("merchant")}
	base := c.Request().URL.Path
	for _, d := range store.ScorecardWindows {
		q := url.Values{"days": {strconv.Itoa(d)}}
		if v.Merchant != "" {
			q.Set("merchant", v.Merchant)
		}
		v.Windows = append(v.Windows, views.TabLink{Label: fmt.Sprintf("Last %d days", d), Href: base + "?" + q.Encode(), Active: d == days})
	}
	if !own {
		v.Scope = "your POs only"
	} else {
		others, err := s.store.Counterparties(ctx, acc.ID)
		if err != nil {
			return err
		}
		for _, o := range others {
			v.Merchants = append(v.Merchants, views.Option{Value: o.PublicID, Label: o.Name})
			if o.PublicID == v.Merchant {
				v.Scope = o.Name + "'s POs"
			}
		}
	}
	pct := func(part, whole int) string {
		if n := store.Percent(part, whole); n >= 0 {
			return strconv.Itoa(n) + "%"
		}
		return "—"
	}
	hours := func(h int) string {
		if h < 0 {
			return "—"
		}
		return strconv.Itoa(h) + " h"
	}
	v.Figures = []views.ScoreFigure{
		{Key: "received", Label: "POs received", Value: strconv.Itoa(sc.Received)},
		{Key: "ack", Label: "Acknowledged within SLA", Value: pct(sc.AckedInSLA, sc.AckJudged), Note: fmt.Sprintf("%d of %d due", sc.AckedInSLA, sc.AckJudged)},
		{Key: "on-time", Label: "Shipped on time", Value: pct(sc.ShippedOnTime, sc.ShipJudged), Note: fmt.Sprintf("%d of %d due", sc.ShippedOnTime, sc.ShipJudged)},
		{Key: "median", Label: "Median time to tracking", Value: hours(sc.MedianHours), Note: "90th percentile " + hours(sc.P90Hours)},
		{Key: "rejected", Label: "Rejection rate", Value: pct(sc.Rejected, sc.Received), Note: fmt.Sprintf("%d POs with a rejected line", sc.Rejected)},
		{Key: "cancelled", Label: "Cancellation rate", Value: pct(sc.Cancelled, sc.Received), Note: fmt.Sprintf("%d POs cancelled", sc.Cancelled)},
		{Key: "overrides", Label: "Invalid-tracking overrides", Value: strconv.Itoa(sc.Overrides), Note: fmt.Sprintf("of %d shipments", sc.Shipments)},
		{Key: "delivered-on-time", Label: "Delivered on time", Value: pct(sc.DeliveredOnTime, sc.DeliveryJudged),
			Note: fmt.Sprintf("%d of %d tracked parcels delivered or due, within %d days of shipping", sc.DeliveredOnTime, sc.DeliveryJudged, sc.DeliveryDays)},
		{Key: "not-moving", Label: "Not moving", Value: pct(sc.NotMoving, sc.Tracked),
			Note: fmt.Sprintf("%d of %d tracked parcels had no carrier scan in time", sc.NotMoving, sc.Tracked)},
	}
	vw := viewerOf(acc)
	v.Volume = views.Chart{ID: fmt.Sprintf("chart-volume-%d", days), Title: "POs received per week", XLabel: "Week starting", YLabel: "POs", Empty: "No POs in this window"}
	v.ShipTime = views.Chart{ID: fmt.Sprintf("chart-ship-%d", days), Title: "Median hours to tracking per week", XLabel: "Week starting", YLabel: "Hours",
		Empty: "Nothing shipped in this window, or all of it tracked within the hour"}
	for _, w := range sc.Weeks {
		label := w.Start.Format("2 Jan")
		v.Volume.Bars = append(v.Volume.Bars, views.Bar{Label: label, Value: float64(w.Received)})
		v.ShipTime.Bars = append(v.ShipTime.Bars, views.Bar{Label: label, Value: float64(max(w.MedianHours, 0))})
	}
	for _, f := range sc.Feeds {
		r := views.FeedFreshnessRow{Merchant: f.MerchantName, Subscription: f.Subscription, LastPull: "never", Stale: f.Stale}
		if f.LastSuccess != nil {
			r.LastPull = vw.ShortTime(*f.LastSuccess)
		}
		v.Feeds = append(v.Feeds, r)
	}
	return render(c, http.StatusOK, views.ScorecardPage(s.frame(c, "Scorecard"), v))
}
