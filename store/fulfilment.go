package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dropline/dropline/store/carrier"
)

// Supplier queue tabs.
const (
	QueueToAcknowledge = "to_acknowledge"
	QueueToShip        = "to_ship"
	QueueShipped       = "shipped"
	QueueExceptions    = "exceptions"
	QueueLate          = "late"
	QueueAll           = "all"
)

// QueueTabs are the supplier queue's tabs in display order.
var QueueTabs = []string{QueueToAcknowledge, QueueToShip, QueueShipped, QueueExceptions, QueueLate, QueueAll}

// QueueFilter selects POs for a supplier's Dropship orders queue.
type QueueFilter struct {
	Tab        string
	MerchantID int64
	StatusID   int64 // the supplier's own status
	MinAgeDays int   // at least this old
	DueToday   bool  // promised by the end of today (the supplier's day)
	// TrackingProblem: only POs with a tracking problem (in Exceptions).
	TrackingProblem bool
	Query           string
	Page            int
	PerPage         int
}

// QueuePO is a PO in the supplier's queue with its service-level flags.
type QueuePO struct {
	PurchaseOrder
	Acknowledged   bool
	AcknowledgedAt time.Time // when Acknowledged
	AcknowledgedBy string    // who: an email, "API" or "system"; empty before Dropline kept it
	Stale          bool
	PromiseDate    time.Time
}

// QueuePage is one page of the supplier's queue and its tab counts.
type QueuePage struct {
	POs   []QueuePO
	Total int
	// AllTabs is how many POs the same filters match in All when this tab
	// has none and the list is filtered; -1 otherwise.
	AllTabs int
	Page    int
	PerPage int
	Counts  map[string]int
}

// queueStale is the condition of POs no longer chased for tracking: out of
// the supplier's active tabs, and a view of the merchant's POs.
const queueStale = "stale"

// queueConds are the SQL conditions of each tab. :now, :sla and :stale are
// bound as arguments; stale POs leave the active tabs but stay in All.
func queueCond(tab string) string {
	const stale = `(po.status IN ('open', 'partially_shipped') AND po.first_tracking_at IS NULL AND po.created_at < :stale)`
	const late = `((po.status = 'open' AND po.acknowledged_at IS NULL AND po.release_at < :sla) OR (po.status IN ('open', 'partially_shipped') AND po.promise_date < :now))`
	switch tab {
	case QueueToAcknowledge:
		// Not stale and not acknowledged means created since :stale (no
		// PO has tracking without an acknowledgement), so released since
		// then too: the range lets the list skip the stale POs, which come
		// first in release order.
		return "po.status = 'open' AND po.acknowledged_at IS NULL AND po.cancel_state <> 'requested' AND NOT " + stale + " AND po.release_at >= :stale"
	case QueueToShip:
		return "po.status IN ('open', 'partially_shipped') AND po.acknowledged_at IS NOT NULL AND po.cancel_state <> 'requested' AND NOT " + stale
	case QueueShipped:
		// Kept by requeue: shipped or delivered. (Spelled as the status
		// list, the planner chose the status index and sorted every
		// shipped PO to list the newest 50.)
		return "po.queue_flags & 1 <> 0"
	case QueueExceptions:
		// Kept by requeue (queueState.flags): a cancellation asked for, or a
		// tracking problem (the carrier's, or a parcel not moving). The bit is spelled
		// as purchase_orders_exceptions' condition so the list reads it.
		return "po.queue_flags & 2 <> 0"
	case QueueLate:
		return late + " AND NOT " + stale
	case queueStale:
		return stale
	}
	return "1 = 1"
}

// queueTimes are a supplier's deadlines as of now, and the rules they come from.
type queueTimes struct {
	now, sla, stale, tomorrow time.Time
	slaHours, staleDays       int
	loc                       *time.Location
}

func (db *DB) queueTimes(ctx context.Context, supplierID int64) (queueTimes, error) {
	return queueTimesIn(ctx, db.read, supplierID, db.now())
}

func queueTimesIn(ctx context.Context, q dbtx, supplierID int64, now time.Time) (queueTimes, error) {
	var slaHours, staleDays int
	var tz string
	if err := q.QueryRowContext(ctx, "SELECT ack_sla_hours, stale_after_days, time_zone FROM accounts WHERE id = ?", supplierID).Scan(&slaHours, &staleDays, &tz); err != nil {
		return queueTimes{}, err
	}
	loc := locationOf(tz)
	local := now.In(loc)
	// In UTC, as every time is stored: times compare as text in SQL.
	tomorrow := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, loc).UTC()
	return queueTimes{now: now, sla: now.Add(-time.Duration(slaHours) * time.Hour), stale: now.AddDate(0, 0, -staleDays), tomorrow: tomorrow,
		slaHours: slaHours, staleDays: staleDays, loc: loc}, nil
}

// queueWhere is the condition and arguments selecting f's POs of a supplier.
// The tabs a supplier works from also carry purchase_orders_waiting's
// status term, so their counts read that index.
func queueWhere(supplierID int64, f QueueFilter, t queueTimes) (string, []any) {
	cond, args := bindQueue(queueCond(f.Tab), t)
	where := []string{"po.supplier_id = ? AND po.release_at <= ?", cond}
	all := append([]any{supplierID, t.now}, args...)
	switch f.Tab {
	case QueueToAcknowledge, QueueToShip, QueueLate:
		where = append(where, "po.status IN ('open', 'partially_shipped')")
	}
	if f.MerchantID != 0 {
		where, all = append(where, "po.account_id = ?"), append(all, f.MerchantID)
	}
	if f.StatusID != 0 {
		where, all = append(where, "po.supplier_status_id = ?"), append(all, f.StatusID)
	}
	if f.MinAgeDays > 0 {
		where, all = append(where, "po.release_at <= ?"), append(all, t.now.AddDate(0, 0, -f.MinAgeDays))
	}
	if f.DueToday {
		where, all = append(where, "po.promise_date < ?"), append(all, t.tomorrow)
	}
	if f.TrackingProblem {
		// Spelled as purchase_orders_supplier_tracking_problem's condition.
		where = append(where, "po.tracking_problem <> ''")
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		// The number is matched through its key's index (see poNumberMatch).
		num, numArgs := poNumberMatch("x.po_number", q)
		where = append(where, "(po.id IN (SELECT x.id FROM purchase_orders x INDEXED BY purchase_orders_supplier_number_key WHERE x.supplier_id = ? AND "+num+
			") OR po.customer_name LIKE ? ESCAPE '\\' OR po.ship_name LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM po_lines x WHERE x.po_id = po.id AND x.supplier_sku = ?)"+
			" OR po.id IN (SELECT s.po_id FROM shipments s WHERE s.supplier_id = ? AND s.tracking_number IN (?, ?)))")
		like := "%" + escapeLike(q) + "%"
		all = append(append(append(all, supplierID), numArgs...), like, like, q, supplierID, q, carrier.Normalize(q))
	}
	return strings.Join(where, " AND "), all
}

// QueueTotal counts the POs of the supplier's queue that f selects: the
// number its list shows.
func (db *DB) QueueTotal(ctx context.Context, supplierID int64, f QueueFilter) (int, error) {
	t, err := db.queueTimes(ctx, supplierID)
	if err != nil {
		return 0, fmt.Errorf("store: queue: %w", err)
	}
	if f.Tab == "" {
		f.Tab = QueueToAcknowledge
	}
	w, args := queueWhere(supplierID, f, t)
	var n int
	if err := db.rqRow(ctx, "SELECT count(*) FROM purchase_orders po WHERE "+w, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: queue: %w", err)
	}
	return n, nil
}

// queueCounts counts every tab of a supplier's queue, and Due today: the
// kept counts, corrected by the POs whose clock instant has passed since
// they were kept, less the POs not released yet from All and Exceptions
// (kept there from the start; few, always open, read from
// purchase_orders_waiting).
func (db *DB) queueCounts(ctx context.Context, supplierID int64, t queueTimes) (map[string]int, error) {
	// One snapshot: a PO committed between the kept counts and the
	// corrections would otherwise be counted twice or not at all.
	tx, err := db.read.BeginTx(ctx, db.snapshot())
	if err != nil {
		return nil, fmt.Errorf("store: queue counts: %w", err)
	}
	defer tx.Rollback()
	return queueCountsIn(ctx, tx, supplierID, t)
}

func queueCountsIn(ctx context.Context, tx dbtx, supplierID int64, t queueTimes) (map[string]int, error) {
	counts := map[string]int{}
	rows, err := tx.QueryContext(ctx, "SELECT tab, n FROM supplier_tab_counts WHERE supplier_id = ?", supplierID)
	if err != nil {
		return nil, fmt.Errorf("store: queue counts: %w", err)
	}
	for rows.Next() {
		var tab string
		var n int
		if err := rows.Scan(&tab, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: queue counts: %w", err)
		}
		counts[tab] = n
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("store: queue counts: %w", err)
	}
	due, err := dueQueueRows(ctx, tx, "po.supplier_id", supplierID, t.now)
	if err != nil {
		return nil, fmt.Errorf("store: queue counts: %w", err)
	}
	for _, r := range due {
		is, _ := r.state.flags(t.now)
		for _, f := range queueFlagTabs {
			counts[f.tab] += flagDelta(r.flags, is, f.bit)
		}
	}
	var unreleased, requested int
	if err := tx.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE po.cancel_state = 'requested') FROM purchase_orders po
		WHERE po.supplier_id = ? AND po.release_at > ? AND po.status IN ('open', 'partially_shipped')`, supplierID, t.now).Scan(&unreleased, &requested); err != nil {
		return nil, fmt.Errorf("store: queue counts: %w", err)
	}
	counts[QueueAll] -= unreleased
	counts[QueueExceptions] -= requested
	return counts, nil
}

// bindQueue replaces the named times in a condition with positional arguments.
func bindQueue(cond string, t queueTimes) (string, []any) {
	var args []any
	var b strings.Builder
	for {
		i := strings.IndexByte(cond, ':')
		if i < 0 {
			b.WriteString(cond)
			break
		}
		b.WriteString(cond[:i])
		rest := cond[i+1:]
		switch {
		case strings.HasPrefix(rest, "now"):
			args, cond = append(args, t.now), rest[3:]
		case strings.HasPrefix(rest, "sla"):
			args, cond = append(args, t.sla), rest[3:]
		case strings.HasPrefix(rest, "stale"):
			args, cond = append(args, t.stale), rest[5:]
		default:
			b.WriteByte(':')
			cond = rest
			continue
		}
		b.WriteByte('?')
	}
	return b.String(), args
}

// SupplierQueue lists the POs routed to the acting supplier (once released).
func (db *DB) SupplierQueue(ctx context.Context, supplierID int64, f QueueFilter) (QueuePage, error) {
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 50
	}
	if f.Page < 1 {
		f.Page = 1
	}
	if f.Tab == "" {
		f.Tab = QueueToAcknowledge
	}
	t, err := db.queueTimes(ctx, supplierID)
	if err != nil {
		return QueuePage{}, fmt.Errorf("store: queue: %w", err)
	}
	page := QueuePage{Page: f.Page, PerPage: f.PerPage}
	if page.Counts, err = db.queueCounts(ctx, supplierID, t); err != nil {
		return page, err
	}
	w, all := queueWhere(supplierID, f, t)
	if n, ok := page.Counts[f.Tab]; ok && f == (QueueFilter{Tab: f.Tab, Page: f.Page, PerPage: f.PerPage}) {
		page.Total = n
	} else if err := db.rqRow(ctx, "SELECT count(*) FROM purchase_orders po WHERE "+w, all...).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("store: queue: %w", err)
	}
	page.AllTabs = -1
	if filters := (QueueFilter{Tab: f.Tab, Page: f.Page, PerPage: f.PerPage}); page.Total == 0 && f.Tab != QueueAll && f != filters {
		// Nothing here: what the same filters match in All, to point there.
		fa := f
		fa.Tab = QueueAll
		wa, alla := queueWhere(supplierID, fa, t)
		if err := db.rqRow(ctx, "SELECT count(*) FROM purchase_orders po WHERE "+wa, alla...).Scan(&page.AllTabs); err != nil {
			return page, fmt.Errorf("store: queue: %w", err)
		}
	}
	// The tabs to work from list the oldest first; the others, which hold
	// nearly every PO, the newest first, reading the supplier's index in order.
	order := " ORDER BY po.created_at DESC, po.id DESC"
	switch f.Tab {
	case QueueToAcknowledge, QueueToShip, QueueLate:
		order = " ORDER BY po.release_at ASC, po.id ASC"
	}
	rows, err := db.rq(ctx, "SELECT "+queuePOColumns+poFrom+
		" WHERE "+w+order+" LIMIT ? OFFSET ?", append(all, f.PerPage, (f.Page-1)*f.PerPage)...)
	if err != nil {
		return page, fmt.Errorf("store: queue: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		q, err := scanQueuePO(rows, t)
		if err != nil {
			return page, err
		}
		page.POs = append(page.POs, q)
	}
	return page, rows.Err()
}

const queuePOColumns = poColumns + ", po.acknowledged_at, po.acknowledged_by, po.promise_date"

// scanQueuePO reads a row of queuePOColumns and works out its flags, by the
// rules the tabs are kept by.
func scanQueuePO(row interface{ Scan(...any) error }, t queueTimes) (QueuePO, error) {
	var q QueuePO
	var promise, acked sql.NullTime
	p := &q.PurchaseOrder
	if err := row.Scan(append(poDest(p), &acked, &q.AcknowledgedBy, &promise)...); err != nil {
		return q, err
	}
	q.Acknowledged, q.AcknowledgedAt = acked.Valid, acked.Time
	// The queue is the supplier's: it sees each PO as its link shows it.
	*p = p.ForSupplier(p.link)
	q.PromiseDate = promise.Time
	if !promise.Valid {
		q.PromiseDate = p.CreatedAt.AddDate(0, 0, 1)
	}
	flags, _ := queueState{status: p.Status, cancelState: p.CancelState, release: p.ReleaseAt, created: p.CreatedAt, promise: promise,
		acked: q.Acknowledged, tracked: !p.noTracking, slaHours: t.slaHours, staleDays: t.staleDays, loc: t.loc}.flags(t.now)
	q.Stale, q.Late = flags&queueFlagStale != 0, flags&queueFlagLate != 0
	if q.Late {
		q.LateReason = lateReason(q.Acknowledged, p.Status, p.ReleaseAt, q.PromiseDate, t.slaHours, t.now, t.loc)
	}
	return q, nil
}

// QueuePurchaseOrder is one released PO of the acting supplier with the
// flags its queue row shows (acknowledged, late, stale, promise date).
func (db *DB) QueuePurchaseOrder(ctx context.Context, supplierID, poID int64) (QueuePO, error) {
	t, err := db.queueTimes(ctx, supplierID)
	if err != nil {
		return QueuePO{}, fmt.Errorf("store: queue PO: %w", err)
	}
	q, err := scanQueuePO(db.rqRow(ctx, "SELECT "+queuePOColumns+poFrom+" WHERE po.id = ? AND po.supplier_id = ? AND po.release_at <= ?", poID, supplierID, t.now), t)
	if errors.Is(err, sql.ErrNoRows) {
		return QueuePO{}, fmt.Errorf("store: queue PO %d: %w", poID, ErrNotFound)
	}
	if err != nil {
		return QueuePO{}, fmt.Errorf("store: queue PO %d: %w", poID, err)
	}
	return q, nil
}

// supplierPO loads a released PO of the acting supplier inside a transaction.
func supplierPO(ctx context.Context, tx dbtx, supplierID, poID int64, now time.Time) (PurchaseOrder, error) {
	p, err := scanPO(tx.QueryRowContext(ctx, "SELECT "+poColumns+poFrom+" WHERE po.id = ? AND po.supplier_id = ? AND po.release_at <= ?", poID, supplierID, now))
	if errors.Is(err, sql.ErrNoRows) {
		return PurchaseOrder{}, fmt.Errorf("purchase order %d: %w", poID, ErrNotFound)
	}
	return p, err
}

// AcknowledgePO records that the supplier has seen a PO and will handle it.
func (db *DB) AcknowledgePO(ctx context.Context, actor Actor, supplierID, poID int64) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: acknowledge: %w", err)
	}
	defer tx.Rollback()
	p, err := supplierPO(ctx, tx, supplierID, poID, db.now())
	if err != nil {
		return fmt.Errorf("store: acknowledge: %w", err)
	}
	acked, err := db.markAcked(ctx, tx, actor, poID, db.now())
	if err != nil {
		return fmt.Errorf("store: acknowledge: %w", err)
	}
	if !acked {
		return nil // already acknowledged
	}
	if err := db.audit(ctx, tx, actor, supplierID, "po.acknowledged", "purchase_order", poID, p.PONumber); err != nil {
		return fmt.Errorf("store: acknowledge PO: %w", err)
	}
	if err := db.orderEvent(ctx, tx, p.AccountID, p.OrderID, actor, "po_acknowledged", p.SupplierName+" acknowledged "+p.PONumber+"."); err != nil {
		return fmt.Errorf("store: acknowledge: %w", err)
	}
	return tx.Commit()
}

// SetPOStatus moves a PO being worked on (open or shipped in part) to one
// of the supplier's own statuses; once shipped or ended, its status follows
// its shipments.
func (db *DB) SetPOStatus(ctx context.Context, actor Actor, supplierID, poID, statusID int64) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: PO status: %w", err)
	}
	defer tx.Rollback()
	p, err := supplierPO(ctx, tx, supplierID, poID, db.now())
	if err != nil {
		return fmt.Errorf("store: PO status: %w", err)
	}
	if p.Status != POOpen && p.Status != POPartiallyShipped {
		return Conflict(p.PONumber + " is " + strings.ReplaceAll(p.Status, "_", " ") + ": its status follows its shipments now.")
	}
	st, err := statusOf(ctx, tx, supplierID, statusID)
	if errors.Is(err, ErrNotFound) || (err == nil && st.Retired) {
		return FieldError("status_id", "Choose one of this account's statuses.")
	}
	if err != nil {
		return fmt.Errorf("store: PO status: %w", err)
	}
	if _, err := db.markAcked(ctx, tx, actor, poID, db.now()); err != nil {
		return fmt.Errorf("store: PO status: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE purchase_orders SET supplier_status_id = ?, updated_at = ? WHERE id = ?", statusID, db.now(), poID); err != nil {
		return fmt.Errorf("store: PO status: %w", err)
	}
	if err := db.orderEvent(ctx, tx, p.AccountID, p.OrderID, actor, "po_status", fmt.Sprintf("%s moved %s to %s.", p.SupplierName, p.PONumber, st.Name)); err != nil {
		return fmt.Errorf("store: PO status: %w", err)
	}
	return tx.Commit()
}

// RejectPOLines rejects lines of a PO with a reason; their reservations are
// released and the merchant may send them elsewhere. A line shipped in part
// is declined for what remains: the shipped part stays shipped and keeps
// what it earned, and only the remainder goes elsewhere. A line rejected
// after shipping in full (a return, a loss) gives back what it earned, as
// an adjustment with the reason.
func (db *DB) RejectPOLines(ctx context.Context, actor Actor, supplierID, poID int64, lineIDs []int64, reason string) error {
	reason = strings.TrimSpace(reason)
	c := checks{}
	c.check(len(lineIDs) > 0, "lines", "Choose the lines to reject.")
	c.check(reason != "", "reason", "Say why: the merchant sees it.")
	c.check(len(reason) <= 500, "reason", "Use at most 500 characters.")
	if err := c.err(); err != nil {
		return err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: reject lines: %w", err)
	}
	defer tx.Rollback()
	p, err := supplierPO(ctx, tx, supplierID, poID, db.now())
	if err != nil {
		return fmt.Errorf("store: reject lines: %w", err)
	}
	now := db.now()
	var hadRejected bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM po_lines WHERE po_id = ? AND status = 'rejected')", poID).Scan(&hadRejected); err != nil {
		return fmt.Errorf("store: reject lines: %w", err)
	}
	var skus []string
	for _, id := range lineIDs {
		var status, sku string
		var qty, shipped int
		var source int64
		err := tx.QueryRowContext(ctx, "SELECT status, supplier_sku, quantity, shipped_qty, source_id FROM po_lines WHERE id = ? AND po_id = ?", id, poID).Scan(&status, &sku, &qty, &shipped, &source)
		if errors.Is(err, sql.ErrNoRows) {
			return FieldError("lines", "A chosen line is not on this PO.")
		}
		if err != nil {
			return fmt.Errorf("store: reject lines: %w", err)
		}
		if status != "open" && status != "shipped" {
			return FieldError("lines", sku+" is already "+status+".")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE po_lines SET status = 'rejected', reason = ? WHERE id = ?", reason, id); err != nil {
			return fmt.Errorf("store: reject lines: %w", err)
		}
		// Only what has not shipped is still reserved.
		if _, err := tx.ExecContext(ctx, "UPDATE product_sources SET reserved = max(reserved - ?, 0) WHERE id = ?", qty-shipped, source); err != nil {
			return fmt.Errorf("store: reject lines: %w", err)
		}
		switch {
		case status == "shipped":
			if err := db.adjustLine(ctx, tx, actor, id, reason, now); err != nil {
				return fmt.Errorf("store: reject lines: %w", err)
			}
			skus = append(skus, sku)
		case shipped > 0:
			skus = append(skus, fmt.Sprintf("the remaining %d of %s (%d shipped)", qty-shipped, sku, shipped))
		default:
			skus = append(skus, sku)
		}
	}
	if err := db.settlePO(ctx, tx, poID); err != nil {
		return fmt.Errorf("store: reject lines: %w", err)
	}
	if !hadRejected {
		if err := countPOEvent(ctx, tx, poID, statDelta{rejected: 1}); err != nil {
			return fmt.Errorf("store: reject lines: %w", err)
		}
	}
	for _, acc := range []int64{supplierID, p.AccountID} {
		if err := db.audit(ctx, tx, actor, acc, "po.lines_rejected", "purchase_order", poID, p.PONumber+": "+strings.Join(skus, ", ")+": "+reason); err != nil {
			return fmt.Errorf("store: reject lines: %w", err)
		}
	}
	if err := db.orderEvent(ctx, tx, p.AccountID, p.OrderID, actor, "lines_rejected",
		fmt.Sprintf("%s rejected %s on %s: %s. The lines can be dropshipped to another source.", p.SupplierName, strings.Join(skus, ", "), p.PONumber, reason)); err != nil {
		return fmt.Errorf("store: reject lines: %w", err)
	}
	if err := db.refreshOrder(ctx, tx, p.AccountID, p.OrderID); err != nil {
		return fmt.Errorf("store: reject lines: %w", err)
	}
	return tx.Commit()
}

// settlePO derives a PO's system status from its lines and shipments.
func (db *DB) settlePO(ctx context.Context, tx dbtx, poID int64) error {
	return db.settlePOs(ctx, tx, []int64{poID}, time.Time{})
}

// poCounts are what a PO's status follows from: its lines by status and
// its shipments.
type poCounts struct {
	open, shippedFull, shippedAny, total, rejected, cancelled int
	shipments, delivered                                      int
}

// A line shipped in part whose remainder was then cancelled or rejected
// keeps what it shipped: it counts as a shipped line, not a cancelled or
// rejected one. A line rejected after shipping in full is a return: it gave
// its earnings back and counts as rejected. keptPart is that rule in SQL,
// for po_lines under the alias given.
func keptPart(alias string) string {
	return "(" + alias + ".status IN ('cancelled', 'rejected') AND " + alias + ".shipped_qty > 0 AND " + alias + ".shipped_qty < " + alias + ".quantity)"
}

// add counts a line of status with shipped units shipped and left units
// not shipped (the rule keptPart spells in SQL).
func (n *poCounts) add(status string, shipped, left int) {
	n.total++
	if shipped > 0 {
		n.shippedAny++
	}
	switch {
	case status == "open":
		n.open++
	case status == "shipped" || (shipped > 0 && left > 0):
		n.shippedFull++
	case status == "rejected":
		n.rejected++
	case status == "cancelled":
		n.cancelled++
	}
}

// status is the PO's system status its counts make.
func (n poCounts) status() string {
	switch {
	case n.rejected == n.total:
		return PORejected
	case n.cancelled+n.rejected == n.total:
		return POCancelled
	case n.open == 0 && n.shippedFull > 0 && n.shipments > 0 && n.delivered == n.shipments:
		return PODelivered
	case n.open == 0 && n.shippedFull > 0:
		return POShipped
	case n.shippedAny > 0:
		return POPartiallyShipped
	}
	return POOpen
}

// settlePOs derives POs' statuses from their lines and shipments, counting
// them all in two reads, and requeues them. trackedAt, unless zero, is when
// tracking was saved for all of them: their first tracking and
// acknowledgement, unless they had them.
func (db *DB) settlePOs(ctx context.Context, tx dbtx, ids []int64, trackedAt time.Time) error {
	in, set := oneOf("po_id", ids)
	counts := map[int64]*poCounts{}
	for _, id := range ids {
		counts[id] = &poCounts{}
	}
	kept := keptPart("po_lines")
	if err := eachRow(ctx, tx, `SELECT po_id, count(*) FILTER (WHERE status = 'open'), count(*) FILTER (WHERE status = 'shipped' OR `+kept+`),
		count(*) FILTER (WHERE shipped_qty > 0), count(*), count(*) FILTER (WHERE status = 'rejected' AND NOT `+kept+`),
		count(*) FILTER (WHERE status = 'cancelled' AND NOT `+kept+`)
		FROM po_lines WHERE `+in+` GROUP BY po_id`, []any{set}, func(rows *sql.Rows) error {
		var id int64
		var n poCounts
		if err := rows.Scan(&id, &n.open, &n.shippedFull, &n.shippedAny, &n.total, &n.rejected, &n.cancelled); err != nil {
			return err
		}
		if c := counts[id]; c != nil {
			*c = n
		}
		return nil
	}); err != nil {
		return err
	}
	if err := eachRow(ctx, tx, "SELECT po_id, count(*), count(delivered_at) FROM shipments WHERE "+in+" GROUP BY po_id", []any{set}, func(rows *sql.Rows) error {
		var id int64
		var shipments, delivered int
		if err := rows.Scan(&id, &shipments, &delivered); err != nil {
			return err
		}
		if c := counts[id]; c != nil {
			c.shipments, c.delivered = shipments, delivered
		}
		return nil
	}); err != nil {
		return err
	}
	changes := map[int64]poChange{}
	for id, c := range counts {
		changes[id] = poChange{status: c.status(), trackedAt: trackedAt}
	}
	return db.requeuePOs(ctx, tx, ids, changes)
}

// Shipment is a parcel the supplier sent for a PO.
type Shipment struct {
	ID             int64
	POID           int64
	Carrier        string
	CarrierName    string
	TrackingNumber string
	TrackingURL    string
	ShipDate       string
	ExtendedField  string
	OverrideReason string
	DeliveredAt    *time.Time
	CreatedBy      string
	CreatedAt      time.Time
	Lines          []ShipmentLine
	// Tracking is what its tracking provider has said of it (Shipments
	// reads it).
	Tracking ShipmentTracking
}

// ShipmentLine is a PO line and how many of it a shipment carries.
type ShipmentLine struct {
	POLineID    int64
	SupplierSKU string
	Quantity    int
}

// ShipmentInput is a shipment as entered.
type ShipmentInput struct {
	Carrier        string // code, name, or "custom:ID"
	TrackingNumber string
	ShipDate       string // YYYY-MM-DD
	ExtendedField  string
	Override       bool // save a number that fails the carrier's check
	Lines          []ShipmentLine
}

// AddShipment records a shipment for a PO of the acting supplier: the lines
// and quantities it carries (default: everything remaining). The merchant's
// order shows it at once, with a note on its timeline.
func (db *DB) AddShipment(ctx context.Context, actor Actor, supplierID, poID int64, in ShipmentInput) (Shipment, error) {
	tk, err := db.trackingChecker(ctx, supplierID)
	if err != nil {
		return Shipment{}, fmt.Errorf("store: add shipment: %w", err)
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return Shipment{}, fmt.Errorf("store: add shipment: %w", err)
	}
	defer tx.Rollback()
	now := db.now()
	pos, err := loadShipPOs(ctx, tx, supplierID, []int64{poID}, now)
	if err != nil {
		return Shipment{}, fmt.Errorf("store: add shipment: %w", err)
	}
	p := pos[poID]
	if p == nil {
		return Shipment{}, fmt.Errorf("store: add shipment: purchase order %d: %w", poID, ErrNotFound)
	}
	uses, err := loadNumberUses(ctx, tx, supplierID, []string{carrier.Normalize(in.TrackingNumber), strings.TrimSpace(in.TrackingNumber)})
	if err != nil {
		return Shipment{}, fmt.Errorf("store: add shipment: %w", err)
	}
	sh, err := checkShipment(p, tk, actor, in, uses, now)
	var ve *ValidationError
	if err != nil && (errors.As(err, &ve) || Message(err) != "") {
		return Shipment{}, err
	} else if err != nil {
		return Shipment{}, fmt.Errorf("store: add shipment: %w", err)
	}
	left := p.take(sh)
	list := []newShipment{{po: p, sh: sh, left: left}}
	if err := db.saveShipments(ctx, tx, actor, list, now, saveOpts{}); err != nil {
		return Shipment{}, fmt.Errorf("store: add shipment: %w", err)
	}
	return list[0].sh, tx.Commit()
}

// Shipments lists a PO's shipments, for the merchant that placed it or the supplier that received it.
func (db *DB) Shipments(ctx context.Context, accountID, poID int64) ([]Shipment, error) {
	return db.shipmentsWhere(ctx, accountID, "s.po_id = ? AND (s.merchant_id = ? OR s.supplier_id = ?)", poID, accountID, accountID)
}

// shipmentsWhere lists the shipments where says (over shipments s), with
// their tracking as accountID sees it and their lines, in the order they
// were saved.
func (db *DB) shipmentsWhere(ctx context.Context, accountID int64, where string, args ...any) ([]Shipment, error) {
	rows, err := db.rq(ctx, `SELECT s.id, s.po_id, s.carrier, s.carrier_name, s.tracking_number, s.tracking_url, s.ship_date, s.extended_field,
		s.override_reason, s.delivered_at, s.created_by, s.created_at, `+trackingColumns+` FROM shipments s
		WHERE `+where+` ORDER BY s.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: shipments: %w", err)
	}
	var out []Shipment
	for rows.Next() {
		var s Shipment
		var owner sql.NullInt64
		var kind, status string
		if err := rows.Scan(append([]any{&s.ID, &s.POID, &s.Carrier, &s.CarrierName, &s.TrackingNumber, &s.TrackingURL, &s.ShipDate, &s.ExtendedField,
			&s.OverrideReason, &s.DeliveredAt, &s.CreatedBy, &s.CreatedAt}, trackingDest(&s.Tracking, &owner, &kind, &status)...)...); err != nil {
			rows.Close()
			return nil, err
		}
		s.Tracking.finish(accountID, owner, kind, status)
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: shipments: %w", err)
	}
	if err := db.loadTracking(ctx, accountID, out); err != nil {
		return nil, err
	}
	for i := range out {
		lr, err := db.rq(ctx, "SELECT sl.po_line_id, pl.supplier_sku, sl.quantity FROM shipment_lines sl JOIN po_lines pl ON pl.id = sl.po_line_id WHERE sl.shipment_id = ?", out[i].ID)
		if err != nil {
			return nil, err
		}
		for lr.Next() {
			var l ShipmentLine
			if err := lr.Scan(&l.POLineID, &l.SupplierSKU, &l.Quantity); err != nil {
				lr.Close()
				return nil, err
			}
			out[i].Lines = append(out[i].Lines, l)
		}
		lr.Close()
	}
	return out, nil
}

// ShipmentPO returns the PO a shipment of the acting supplier's belongs to.
func (db *DB) ShipmentPO(ctx context.Context, supplierID, shipmentID int64) (int64, error) {
	var poID int64
	err := db.rqRow(ctx, "SELECT po_id FROM shipments WHERE id = ? AND supplier_id = ?", shipmentID, supplierID).Scan(&poID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: shipment %d: %w", shipmentID, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("store: shipment %d: %w", shipmentID, err)
	}
	return poID, nil
}

// MarkDelivered records that a shipment arrived; a PO is delivered when all its shipments are.
func (db *DB) MarkDelivered(ctx context.Context, actor Actor, supplierID, shipmentID int64) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: delivered: %w", err)
	}
	defer tx.Rollback()
	if _, err := db.markDelivered(ctx, tx, actor, supplierID, shipmentID, db.now(), ""); err != nil {
		return fmt.Errorf("store: delivered: %w", err)
	}
	return tx.Commit()
}

// markDelivered records in tx that a shipment of the supplier's arrived at
// at: the supplier's earning on delivery (its holding period starts then),
// the PO's and order's statuses, the PO's tracking problem, and a note on
// the order's timeline (note, or a plain one when ""). A shipment already
// delivered changes nothing; it reports whether this one was.
func (db *DB) markDelivered(ctx context.Context, tx dbtx, actor Actor, supplierID, shipmentID int64, at time.Time, note string) (bool, error) {
	var poID int64
	var delivered sql.NullTime
	var number string
	err := tx.QueryRowContext(ctx, "SELECT po_id, delivered_at, tracking_number FROM shipments WHERE id = ? AND supplier_id = ?", shipmentID, supplierID).Scan(&poID, &delivered, &number)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("shipment %d: %w", shipmentID, ErrNotFound)
	}
	if err != nil {
		return false, err
	}
	if delivered.Valid {
		return false, nil
	}
	p, err := supplierPO(ctx, tx, supplierID, poID, db.now())
	if err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE shipments SET delivered_at = ? WHERE id = ?", at, shipmentID); err != nil {
		return false, err
	}
	if err := db.earnShipment(ctx, tx, actor, shipmentID, EarnOnDelivered, at); err != nil {
		return false, err
	}
	if err := db.settlePO(ctx, tx, poID); err != nil {
		return false, err
	}
	if note == "" {
		note = fmt.Sprintf("Shipment %s of %s delivered.", number, p.PONumber)
	}
	if err := db.orderEvent(ctx, tx, p.AccountID, p.OrderID, actor, "delivered", note); err != nil {
		return false, err
	}
	if err := db.refreshOrder(ctx, tx, p.AccountID, p.OrderID); err != nil {
		return false, err
	}
	// A delivered parcel is moving after all.
	if err := db.settleTrackingProblems(ctx, tx, actor, []int64{poID}); err != nil {
		return false, err
	}
	return true, nil
}

// POLink returns the link a PO travelled over, for what the supplier may see of it.
func (db *DB) POLink(ctx context.Context, po PurchaseOrder) (VendorLink, error) {
	l, err := scanLink(db.rqRow(ctx, linkSelect+" WHERE l.id = (SELECT link_id FROM purchase_orders WHERE id = ?)", po.ID))
	if err != nil {
		return VendorLink{}, fmt.Errorf("store: link of PO %d: %w", po.ID, err)
	}
	return l, nil
}
