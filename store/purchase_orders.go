package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dropline/dropline/store/carrier"
	"github.com/dropline/dropline/store/orderfile"
)

// PO statuses (system states; suppliers keep their own statuses beside them).
const (
	POOpen             = "open"
	POPartiallyShipped = "partially_shipped"
	POShipped          = "shipped"
	PODelivered        = "delivered"
	POCancelled        = "cancelled"
	PORejected         = "rejected"
)

// PurchaseOrder is what a dropship sends one supplier.
type PurchaseOrder struct {
	ID             int64
	AccountID      int64 // the merchant
	MerchantName   string
	MerchantPID    string
	SupplierID     int64
	SupplierName   string
	OrderID        int64
	ChannelOrderID string
	Channel        string
	PONumber       string
	Status         string
	SupplierStatus string
	CancelState    string
	CancelReason   string
	Currency       string
	TotalCostCents int64
	Customer       orderfile.Customer
	ShipTo         orderfile.Address
	Notes          string
	ReleaseAt      time.Time
	CreatedBy      string
	CreatedAt      time.Time
	Lines          []POLine
	// Stale: open with no tracking for longer than the supplier chases POs.
	Stale bool
	// Late: not acknowledged within the supplier's deadline, or not shipped
	// by the promise date; LateReason says which.
	Late       bool
	LateReason string
	// MerchantReturnAddress is the merchant's return address, as typed, for
	// the packing slip.
	MerchantReturnAddress string
	// SupplierContact is how a supplier outside Dropline is reached
	// (ContactWebsite, ContactEmail), "" for a supplier that signs in.
	SupplierContact string
	// External is the order the merchant placed on a website supplier's
	// site for this PO.
	External ExternalOrder
	// TrackingProblem is its shipments' worst tracking problem (one of the
	// TrackingProblem* values), "" for none.
	TrackingProblem string

	noTracking bool
	staleDays  int
	acked      bool
	promise    sql.NullTime
	slaHours   int
	merchantTZ string
	link       SupplierLinkSettings // what the supplier's link shows it
}

// POLine is one line of a purchase order.
type POLine struct {
	ID          int64
	OrderLineID int64
	SourceID    int64
	SupplierSKU string
	Title       string
	Quantity    int
	ShippedQty  int
	CostCents   int64
	HasCost     bool
	PriceCents  int64
	Status      string
	Reason      string
}

const poColumns = `po.id, po.account_id, m.name, m.public_id, po.supplier_id, s.name, po.order_id, o.channel_order_id, o.channel, po.po_number, po.status,
	coalesce(ss.name, ''), po.cancel_state, po.cancel_reason, po.currency, po.total_cost_cents, po.customer_name, po.customer_email, po.customer_phone,
	po.ship_name, po.ship_company, po.ship_address1, po.ship_address2, po.ship_city, po.ship_region, po.ship_postal_code, po.ship_country, po.ship_phone,
	po.notes, po.release_at, po.created_by, po.created_at, po.first_tracking_at IS NULL, s.stale_after_days, m.return_address,
	vl.show_customer_phone, vl.show_customer_email, vl.show_prices, po.acknowledged_at IS NOT NULL, po.promise_date, s.ack_sla_hours, m.time_zone,
	s.contact, po.external_number, po.external_paid_cents, po.external_currency, po.external_notes, po.tracking_problem`

const poFrom = ` FROM purchase_orders po JOIN accounts m ON m.id = po.account_id JOIN accounts s ON s.id = po.supplier_id
	JOIN orders o ON o.id = po.order_id JOIN vendor_links vl ON vl.id = po.link_id LEFT JOIN supplier_statuses ss ON ss.id = po.supplier_status_id`

// poDest are the scan destinations of poColumns in p.
func poDest(p *PurchaseOrder) []any {
	a := &p.ShipTo
	return []any{&p.ID, &p.AccountID, &p.MerchantName, &p.MerchantPID, &p.SupplierID, &p.SupplierName, &p.OrderID, &p.ChannelOrderID, &p.Channel,
		&p.PONumber, &p.Status, &p.SupplierStatus, &p.CancelState, &p.CancelReason, &p.Currency, &p.TotalCostCents,
		&p.Customer.Name, &p.Customer.Email, &p.Customer.Phone,
		&a.Name, &a.Company, &a.Address1, &a.Address2, &a.City, &a.Region, &a.PostalCode, &a.Country, &a.Phone,
		&p.Notes, &p.ReleaseAt, &p.CreatedBy, &p.CreatedAt, &p.noTracking, &p.staleDays, &p.MerchantReturnAddress,
		&p.link.ShowCustomerPhone, &p.link.ShowCustomerEmail, &p.link.ShowPrices, &p.acked, &p.promise, &p.slaHours, &p.merchantTZ,
		&p.SupplierContact, &p.External.Number, &p.External.PaidCents, &p.External.Currency, &p.External.Notes, &p.TrackingProblem}
}

func scanPO(row interface{ Scan(...any) error }) (PurchaseOrder, error) {
	var p PurchaseOrder
	err := row.Scan(poDest(&p)...)
	return p, err
}

// ForSupplier is the PO as its supplier may see it: the customer's phone
// (the ship-to's too) and email, and the merchant's prices, only where the
// supplier's link shows them. Every page, slip, file, API answer and
// message a supplier gets of a PO is made from it.
func (p PurchaseOrder) ForSupplier(show SupplierLinkSettings) PurchaseOrder {
	if !show.ShowCustomerPhone {
		p.Customer.Phone, p.ShipTo.Phone = "", ""
	}
	if !show.ShowCustomerEmail {
		p.Customer.Email = ""
	}
	if !show.ShowPrices {
		lines := make([]POLine, len(p.Lines))
		for i, l := range p.Lines {
			l.PriceCents = 0
			lines[i] = l
		}
		p.Lines = lines
	}
	return p
}

// seenBy is the PO as accountID may see it: all of it for the merchant that
// placed it, ForSupplier for the supplier it was routed to.
func (p PurchaseOrder) seenBy(accountID int64) PurchaseOrder {
	if accountID == p.AccountID {
		return p
	}
	return p.ForSupplier(p.link)
}

// markStale sets Stale and Late as of now, by the rules the queue's tabs
// are kept by, and why a late PO is late.
func (p *PurchaseOrder) markStale(now time.Time) {
	flags, _ := queueState{status: p.Status, cancelState: p.CancelState, release: p.ReleaseAt, created: p.CreatedAt, promise: p.promise,
		acked: p.acked, tracked: !p.noTracking, slaHours: p.slaHours, staleDays: p.staleDays, loc: time.UTC}.flags(now)
	p.Stale, p.Late = flags&queueFlagStale != 0, flags&queueFlagLate != 0
	if p.Late {
		promise := p.promise.Time
		if !p.promise.Valid {
			promise = p.CreatedAt.AddDate(0, 0, 1)
		}
		// The merchant reads the promise date in its own time zone.
		loc, err := time.LoadLocation(p.merchantTZ)
		if err != nil {
			loc = time.UTC
		}
		p.LateReason = lateReason(p.acked, p.Status, p.ReleaseAt, promise, p.slaHours, now, loc)
	}
}

// lateReason says which deadline a late PO missed: the supplier's
// acknowledgement deadline, or the promise date.
func lateReason(acked bool, status string, release, promise time.Time, slaHours int, now time.Time, loc *time.Location) string {
	if !acked && status == POOpen && now.After(release.Add(time.Duration(slaHours)*time.Hour)) {
		return fmt.Sprintf("Not acknowledged within %d hours of release.", slaHours)
	}
	return fmt.Sprintf("Not shipped by the promise date, %s.", promise.In(loc).Format("2 Jan 2006"))
}

func (db *DB) poLines(ctx context.Context, q querier, p *PurchaseOrder) error {
	rows, err := q.QueryContext(ctx, `SELECT id, order_line_id, source_id, supplier_sku, title, quantity, shipped_qty, cost_cents, price_cents, status, reason
		FROM po_lines WHERE po_id = ? ORDER BY id`, p.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var l POLine
		var cost sql.NullInt64
		if err := rows.Scan(&l.ID, &l.OrderLineID, &l.SourceID, &l.SupplierSKU, &l.Title, &l.Quantity, &l.ShippedQty, &cost, &l.PriceCents, &l.Status, &l.Reason); err != nil {
			return err
		}
		l.CostCents, l.HasCost = cost.Int64, cost.Valid
		p.Lines = append(p.Lines, l)
	}
	return rows.Err()
}

func (db *DB) posByKey(ctx context.Context, q querier, merchantID int64, key string) ([]PurchaseOrder, error) {
	return db.posWithLines(ctx, q, "WHERE po.account_id = ? AND po.idempotency_key = ? ORDER BY po.id", merchantID, key)
}

// posWithLines reads the POs a WHERE clause (over poFrom) selects, each with its lines.
func (db *DB) posWithLines(ctx context.Context, q querier, where string, args ...any) ([]PurchaseOrder, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+poColumns+poFrom+" "+where, args...)
	if err != nil {
		return nil, err
	}
	var out []PurchaseOrder
	for rows.Next() {
		p, err := scanPO(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := db.poLines(ctx, q, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PurchaseOrder returns a PO the acting account placed (merchant) or received
// (supplier, once released).
func (db *DB) PurchaseOrder(ctx context.Context, accountID, poID int64) (PurchaseOrder, error) {
	p, err := scanPO(db.rqRow(ctx, "SELECT "+poColumns+poFrom+` WHERE po.id = ?
		AND (po.account_id = ? OR (po.supplier_id = ? AND po.release_at <= ?))`, poID, accountID, accountID, db.now()))
	if errors.Is(err, sql.ErrNoRows) {
		return PurchaseOrder{}, fmt.Errorf("store: purchase order %d: %w", poID, ErrNotFound)
	}
	if err != nil {
		return PurchaseOrder{}, fmt.Errorf("store: purchase order %d: %w", poID, err)
	}
	if err := db.poLines(ctx, cachedReader{db}, &p); err != nil {
		return PurchaseOrder{}, fmt.Errorf("store: purchase order %d: %w", poID, err)
	}
	p.markStale(db.now())
	return p.seenBy(accountID), nil
}

// OrderPurchaseOrders lists the POs of one of the acting merchant's orders.
func (db *DB) OrderPurchaseOrders(ctx context.Context, merchantID, orderID int64) ([]PurchaseOrder, error) {
	out, err := db.posWithLines(ctx, cachedReader{db}, "WHERE po.account_id = ? AND po.order_id = ? ORDER BY po.id", merchantID, orderID)
	if err != nil {
		return nil, fmt.Errorf("store: order POs: %w", err)
	}
	return out, nil
}

// POFilter selects purchase orders for the merchant's Purchase orders page.
type POFilter struct {
	Query      string // PO number (any case, or its digits alone), order number, supplier name or tracking number
	Status     string
	SupplierID int64
	Shipped    string // "yes", "no" or ""
	View       string // POViewLate, POViewStale, POViewTracking or ""
	Page       int
	PerPage    int
}

// Merchant PO views: POs late by their supplier's own service levels, POs
// no longer chased for tracking, and POs with a tracking problem.
const (
	POViewLate     = "late"
	POViewStale    = "stale"
	POViewTracking = "tracking"
)

// poViewCond is the condition for a merchant's late or stale POs: each
// supplier's acknowledgement SLA and stale period apply to its own POs.
// The status term is spelled as purchase_orders_merchant_waiting's so the
// count reads that index.
func (db *DB) poViewCond(ctx context.Context, merchantID int64, view string) (string, []any, error) {
	return poViewCondIn(ctx, db.read, merchantID, view, db.now())
}

func poViewCondIn(ctx context.Context, q dbtx, merchantID int64, view string, now time.Time) (string, []any, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT a.id, a.ack_sla_hours, a.stale_after_days FROM vendor_links l JOIN accounts a ON a.id = l.supplier_id
		WHERE l.merchant_id = ? ORDER BY a.id`, merchantID)
	if err != nil {
		return "", nil, err
	}
	defer rows.Close()
	tab := QueueLate
	if view == POViewStale {
		tab = queueStale
	}
	var conds []string
	var args []any
	for rows.Next() {
		var id int64
		var sla, staleDays int
		if err := rows.Scan(&id, &sla, &staleDays); err != nil {
			return "", nil, err
		}
		cond, a := bindQueue(queueCond(tab), queueTimes{now: now, sla: now.Add(-time.Duration(sla) * time.Hour), stale: now.AddDate(0, 0, -staleDays)})
		conds, args = append(conds, "(po.supplier_id = ? AND "+cond+")"), append(append(args, id), a...)
	}
	if len(conds) == 0 {
		return "0 = 1", nil, rows.Err()
	}
	return "po.status IN ('open', 'partially_shipped') AND po.release_at <= ? AND (" + strings.Join(conds, " OR ") + ")", append([]any{now}, args...), rows.Err()
}

// POPage is one page of purchase orders.
type POPage struct {
	POs     []PurchaseOrder
	Total   int
	Page    int
	PerPage int
}

// poWhere is the condition and arguments selecting f's POs of a merchant.
func (db *DB) poWhere(ctx context.Context, merchantID int64, f POFilter) (string, []any, error) {
	where := []string{"po.account_id = ?"}
	args := []any{merchantID}
	if q := strings.TrimSpace(f.Query); q != "" {
		// The POs a search matches are found through indexes (the number's
		// key, the order number, the suppliers whose name matches), then read
		// by id: the unary + keeps SQLite from walking all the merchant's POs
		// and testing each one.
		where[0] = "+po.account_id = ?"
		num, numArgs := poNumberMatch("x.po_number", q)
		where = append(where, `po.id IN (SELECT x.id FROM purchase_orders x INDEXED BY purchase_orders_merchant_number_key WHERE x.account_id = ? AND `+num+`
			UNION SELECT x.id FROM orders xo JOIN purchase_orders x ON x.order_id = xo.id WHERE xo.account_id = ? AND xo.channel_order_id IN (?, ?)
			UNION SELECT x.id FROM accounts sa CROSS JOIN purchase_orders x WHERE x.supplier_id = sa.id AND sa.name LIKE ? ESCAPE '\' AND x.account_id = ?
			UNION SELECT s.po_id FROM shipments s WHERE s.merchant_id = ? AND s.tracking_number IN (?, ?))`)
		args = append(append(append(args, merchantID), numArgs...), merchantID, q, "#"+strings.TrimPrefix(q, "#"), "%"+escapeLike(q)+"%", merchantID,
			merchantID, q, carrier.Normalize(q))
	}
	if f.Status != "" {
		where, args = append(where, "po.status = ?"), append(args, f.Status)
	}
	if f.SupplierID != 0 {
		where, args = append(where, "po.supplier_id = ?"), append(args, f.SupplierID)
	}
	if f.View == POViewLate || f.View == POViewStale {
		cond, a, err := db.poViewCond(ctx, merchantID, f.View)
		if err != nil {
			return "", nil, err
		}
		where, args = append(where, cond), append(args, a...)
	}
	if f.View == POViewTracking {
		// Spelled as purchase_orders_tracking_problem's condition.
		where = append(where, "po.tracking_problem <> ''")
	}
	switch f.Shipped {
	case "yes":
		where = append(where, "po.status IN ('shipped', 'delivered')")
	case "no":
		where = append(where, "po.status NOT IN ('shipped', 'delivered')")
	}
	return strings.Join(where, " AND "), args, nil
}

// purchaseOrderCount counts the POs f selects: the number the list shows.
func (db *DB) purchaseOrderCount(ctx context.Context, merchantID int64, f POFilter) (int, error) {
	cond, args, err := db.poWhere(ctx, merchantID, f)
	if err != nil {
		return 0, fmt.Errorf("store: purchase orders: %w", err)
	}
	// The Late and Stale views alone: their kept counts.
	if (f.View == POViewLate || f.View == POViewStale) && f == (POFilter{View: f.View, Page: f.Page, PerPage: f.PerPage}) {
		late, stale, err := db.merchantPOViews(ctx, merchantID)
		if f.View == POViewLate {
			return late, err
		}
		return stale, err
	}
	// Unfiltered: the kept count.
	if f == (POFilter{Page: f.Page, PerPage: f.PerPage}) {
		var n int
		err := db.rqRow(ctx, "SELECT n FROM merchant_po_counts WHERE account_id = ?", merchantID).Scan(&n)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("store: purchase orders: %w", err)
		}
		return n, nil
	}
	// Only a search reads the joined tables; every PO has its accounts and
	// order, so without one the POs alone count the same, from an index.
	from := poFrom
	if strings.TrimSpace(f.Query) == "" {
		from = " FROM purchase_orders po"
	}
	var n int
	if err := db.rqRow(ctx, "SELECT count(*)"+from+" WHERE "+cond, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: purchase orders: %w", err)
	}
	return n, nil
}

// PurchaseOrders lists the acting merchant's purchase orders, newest first.
func (db *DB) PurchaseOrders(ctx context.Context, merchantID int64, f POFilter) (POPage, error) {
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 50
	}
	if f.Page < 1 {
		f.Page = 1
	}
	cond, args, err := db.poWhere(ctx, merchantID, f)
	if err != nil {
		return POPage{}, fmt.Errorf("store: purchase orders: %w", err)
	}
	page := POPage{Page: f.Page, PerPage: f.PerPage}
	if page.Total, err = db.purchaseOrderCount(ctx, merchantID, f); err != nil {
		return page, err
	}
	rows, err := db.rq(ctx, "SELECT "+poColumns+poFrom+" WHERE "+cond+" ORDER BY po.created_at DESC, po.id DESC LIMIT ? OFFSET ?",
		append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	if err != nil {
		return page, fmt.Errorf("store: purchase orders: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanPO(rows)
		if err != nil {
			return page, err
		}
		p.markStale(db.now())
		page.POs = append(page.POs, p)
	}
	return page, rows.Err()
}

// RequestCancel asks the supplier to cancel what has not shipped of a PO:
// all of an open PO, the remainder of one shipped in part. The supplier
// must accept or decline; nothing is deleted.
func (db *DB) RequestCancel(ctx context.Context, actor Actor, merchantID, poID int64, reason string) (PurchaseOrder, error) {
	reason = strings.TrimSpace(reason)
	if len(reason) > 500 {
		return PurchaseOrder{}, FieldError("reason", "Use at most 500 characters.")
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return PurchaseOrder{}, fmt.Errorf("store: request cancel: %w", err)
	}
	defer tx.Rollback()
	if err := db.requestCancel(ctx, tx, actor, merchantID, poID, reason); err != nil {
		return PurchaseOrder{}, err
	}
	if err := tx.Commit(); err != nil {
		return PurchaseOrder{}, fmt.Errorf("store: request cancel: %w", err)
	}
	return db.PurchaseOrder(ctx, merchantID, poID)
}

// requestCancel asks the supplier, in tx, to cancel what has not shipped of
// the merchant's PO, with the reason on both sides' records.
func (db *DB) requestCancel(ctx context.Context, tx dbtx, actor Actor, merchantID, poID int64, reason string) error {
	var status, cancel, number string
	var orderID, supplierID int64
	err := tx.QueryRowContext(ctx, "SELECT status, cancel_state, po_number, order_id, supplier_id FROM purchase_orders WHERE id = ? AND account_id = ?", poID, merchantID).
		Scan(&status, &cancel, &number, &orderID, &supplierID)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: request cancel %d: %w", poID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: request cancel: %w", err)
	}
	switch {
	case status != POOpen && status != POPartiallyShipped:
		return Conflict("Only what has not shipped can be cancelled, and nothing is left on this PO: it is " + strings.ReplaceAll(status, "_", " ") + ".")
	case cancel == "requested":
		return Conflict("Cancellation was already requested; the supplier has not answered yet.")
	}
	if _, err := tx.ExecContext(ctx, "UPDATE purchase_orders SET cancel_state = 'requested', cancel_reason = ?, updated_at = ? WHERE id = ?", reason, db.now(), poID); err != nil {
		return fmt.Errorf("store: request cancel: %w", err)
	}
	if err := db.requeue(ctx, tx, poID); err != nil {
		return fmt.Errorf("store: request cancel: %w", err)
	}
	msg := "Cancellation of " + number + " requested"
	if status == POPartiallyShipped {
		msg = "Cancellation of what has not shipped of " + number + " requested"
	}
	if reason != "" {
		msg += ": " + reason
	}
	for _, acc := range []int64{merchantID, supplierID} {
		if err := db.audit(ctx, tx, actor, acc, "po.cancel_requested", "purchase_order", poID, strings.TrimSuffix(number+": "+reason, ": ")); err != nil {
			return fmt.Errorf("store: request cancel: %w", err)
		}
	}
	if err := db.orderEvent(ctx, tx, merchantID, orderID, actor, "cancel_requested", msg+"."); err != nil {
		return fmt.Errorf("store: request cancel: %w", err)
	}
	if err := db.refreshOrder(ctx, tx, merchantID, orderID); err != nil {
		return fmt.Errorf("store: request cancel: %w", err)
	}
	return nil
}

// AnswerCancel is the supplier's answer to a cancellation request. Accepting
// cancels what has not shipped of each open line and releases exactly that
// reservation; what shipped stays shipped, so a PO shipped in part ends
// shipped (or delivered) and the order's lines with a remainder wait for
// the merchant to send it elsewhere or close the order. Either way the
// merchant's order records the answer.
func (db *DB) AnswerCancel(ctx context.Context, actor Actor, supplierID, poID int64, accept bool, reason string) error {
	reason = strings.TrimSpace(reason)
	if !accept && reason == "" {
		return FieldError("reason", "Say why the cancellation is declined.")
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: answer cancel: %w", err)
	}
	defer tx.Rollback()
	var merchantID, orderID int64
	var cancel, number, status string
	err = tx.QueryRowContext(ctx, "SELECT account_id, order_id, cancel_state, po_number, status FROM purchase_orders WHERE id = ? AND supplier_id = ? AND release_at <= ?",
		poID, supplierID, db.now()).Scan(&merchantID, &orderID, &cancel, &number, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: answer cancel %d: %w", poID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: answer cancel: %w", err)
	}
	if cancel != "requested" {
		return Conflict("There is no cancellation request to answer on this PO.")
	}
	// Only what has not shipped can be cancelled: a PO that shipped in full
	// while the request waited is declined, with the reason.
	if accept && status != POOpen && status != POPartiallyShipped {
		return Conflict("This PO has " + strings.ReplaceAll(status, "_", " ") + " since the request: nothing is left to cancel; decline the cancellation and say so.")
	}
	now := db.now()
	msg := "declined by the supplier: " + reason
	if accept {
		if _, err := tx.ExecContext(ctx, `UPDATE product_sources SET reserved = max(reserved - (SELECT coalesce(sum(pl.quantity - pl.shipped_qty), 0) FROM po_lines pl
			WHERE pl.po_id = ? AND pl.source_id = product_sources.id AND pl.status = 'open'), 0)
			WHERE id IN (SELECT source_id FROM po_lines WHERE po_id = ? AND status = 'open')`, poID, poID); err != nil {
			return fmt.Errorf("store: answer cancel: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE po_lines SET status = 'cancelled', reason = 'cancelled at the merchant''s request' WHERE po_id = ? AND status = 'open'", poID); err != nil {
			return fmt.Errorf("store: answer cancel: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE purchase_orders SET cancel_state = 'accepted', updated_at = ? WHERE id = ?", now, poID); err != nil {
			return fmt.Errorf("store: answer cancel: %w", err)
		}
		if err := db.settlePO(ctx, tx, poID); err != nil {
			return fmt.Errorf("store: answer cancel: %w", err)
		}
		var settled string
		if err := tx.QueryRowContext(ctx, "SELECT status FROM purchase_orders WHERE id = ?", poID).Scan(&settled); err != nil {
			return fmt.Errorf("store: answer cancel: %w", err)
		}
		// The scorecard counts cancelled POs; one that shipped in part is not.
		if settled == POCancelled {
			if err := countPOEvent(ctx, tx, poID, statDelta{cancelled: 1}); err != nil {
				return fmt.Errorf("store: answer cancel: %w", err)
			}
		}
		msg = "accepted by the supplier: the lines can be dropshipped again"
		if status == POPartiallyShipped {
			msg = "accepted by the supplier: what shipped stays shipped; the rest can be dropshipped again, or the order closed"
		}
		data := map[string]any{"purchase_order_id": poID, "po_number": number, "order_id": orderID, "status": settled}
		for _, acc := range []int64{merchantID, supplierID} {
			if err := db.queueEvent(ctx, tx, acc, 0, "purchase_order.cancelled", data, now); err != nil {
				return fmt.Errorf("store: answer cancel: %w", err)
			}
		}
	} else if _, err := tx.ExecContext(ctx, "UPDATE purchase_orders SET cancel_state = 'declined', cancel_reason = ?, updated_at = ? WHERE id = ?", reason, now, poID); err != nil {
		return fmt.Errorf("store: answer cancel: %w", err)
	}
	if err := db.requeue(ctx, tx, poID); err != nil {
		return fmt.Errorf("store: answer cancel: %w", err)
	}
	action := "po.cancel_declined"
	if accept {
		action = "po.cancel_accepted"
	}
	for _, acc := range []int64{supplierID, merchantID} {
		if err := db.audit(ctx, tx, actor, acc, action, "purchase_order", poID, strings.TrimSuffix(number+": "+reason, ": ")); err != nil {
			return fmt.Errorf("store: answer cancel: %w", err)
		}
	}
	if err := db.orderEvent(ctx, tx, merchantID, orderID, actor, "cancel_answered", "Cancellation of "+number+" "+msg+"."); err != nil {
		return fmt.Errorf("store: answer cancel: %w", err)
	}
	if err := db.refreshOrder(ctx, tx, merchantID, orderID); err != nil {
		return fmt.Errorf("store: answer cancel: %w", err)
	}
	return tx.Commit()
}
