package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// A PO's place in the supplier queue's tabs, and in the merchant's Late and
// Stale views, is kept in purchase_orders.queue_flags and summed per
// supplier in supplier_tab_counts and per merchant in merchant_po_counts,
// so no page counts POs one by one. Every PO is in All; these bits say the
// rest. Shipped and Exceptions follow the PO's state alone; the others also
// follow the clock, so queue_clock_at holds the next instant they can change
// by time alone. queueState.flags must agree with queueCond: the invariants
// hold the kept counts to the lists' own counts.
const (
	queueFlagShipped    = 1
	queueFlagExceptions = 2
	queueFlagToAck      = 4
	queueFlagToShip     = 8
	queueFlagLate       = 16  // also the merchant's Late view
	queueFlagDueToday   = 32  // to ship, promised by the end of the supplier's day
	queueFlagStale      = 64  // the merchant's Stale view
	queueFlagsKnown     = 127 // every bit above
)

// queueFlagTabs are the supplier tabs kept per flag.
var queueFlagTabs = []struct {
	bit int
	tab string
}{{queueFlagShipped, QueueShipped}, {queueFlagExceptions, QueueExceptions}, {queueFlagToAck, QueueToAcknowledge},
	{queueFlagToShip, QueueToShip}, {queueFlagLate, QueueLate}, {queueFlagDueToday, queueDueToday}}

// queueDueToday is the kept count of the To ship POs promised by the end of
// the supplier's day: the dashboard's Due today.
const queueDueToday = "due_today"

// queueState is what decides a PO's tabs: its state and its supplier's rules.
type queueState struct {
	status, cancelState string
	rejectedLine        bool
	trackingProblem     bool // the carrier reported a problem, or a parcel is not moving
	release, created    time.Time
	promise             sql.NullTime
	acked, tracked      bool
	slaHours, staleDays int
	loc                 *time.Location
}

// sameInstant reports whether two queue clocks are one instant. Clocks are
// kept to the microsecond, the resolution of both engines' times ("just
// after t" is t plus a microsecond). SQLite files written before kept t
// plus a nanosecond, which a copy to PostgreSQL rounds to t: within a
// microsecond is the same instant.
func sameInstant(a, b time.Time) bool {
	d := a.Sub(b)
	return d >= -time.Microsecond && d <= time.Microsecond
}

// flags are the PO's tabs at now, and the next instant after now at which
// they can change by time alone (zero when none can). Each condition is
// queueCond's, read as "now has reached instant t".
func (s queueState) flags(now time.Time) (int, time.Time) {
	f := 0
	if s.status == POShipped || s.status == PODelivered {
		f |= queueFlagShipped
	}
	// Exceptions hold what waits for the supplier: a cancellation to
	// answer. A rejected or cancelled PO needs nothing more of it (the
	// merchant's order shows the lines to re-route), and stays in All.
	if s.cancelState == "requested" || s.trackingProblem {
		// A parcel the carrier could not deliver, is returning, or has not
		// scanned (not moving) waits for the supplier too, shipped or not.
		f |= queueFlagExceptions
	}
	if s.status != POOpen && s.status != POPartiallyShipped {
		return f, time.Time{}
	}
	var next time.Time
	reached := func(t time.Time) bool {
		if !now.Before(t) {
			return true
		}
		if next.IsZero() || t.Before(next) {
			next = t.UTC() // stored in UTC, as every time: SQL compares them as text
		}
		return false
	}
	// Not released: in no working tab until it is (release_at <= now).
	if !reached(s.release) {
		return f, next
	}
	// Stale: created_at < now - stale days, with no tracking; for good.
	if !s.tracked && reached(s.created.AddDate(0, 0, s.staleDays).Add(time.Microsecond)) {
		return f | queueFlagStale, time.Time{}
	}
	if s.cancelState != "requested" {
		switch {
		case !s.acked && s.status == POOpen:
			f |= queueFlagToAck
		case s.acked:
			f |= queueFlagToShip
			// promise_date < the start of the supplier's tomorrow: from the
			// start of the promise's own day.
			if s.promise.Valid {
				p := s.promise.Time.In(s.loc)
				if reached(time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, s.loc)) {
					f |= queueFlagDueToday
				}
			}
		}
	}
	// Late: not acknowledged within the SLA (release_at < now - SLA), or
	// past the promise date (promise_date < now).
	lateAck := !s.acked && s.status == POOpen && reached(s.release.Add(time.Duration(s.slaHours)*time.Hour).Add(time.Microsecond))
	latePromise := s.promise.Valid && reached(s.promise.Time.Add(time.Microsecond))
	if lateAck || latePromise {
		f |= queueFlagLate
	}
	return f, next
}

// queueStateColumns read a PO's queueRow (times as text: see textTime); the
// query joins the supplier as a.
const queueStateColumns = `po.id, po.supplier_id, po.account_id, po.queue_flags, CAST(po.queue_clock_at AS TEXT), po.status, po.cancel_state,
	EXISTS (SELECT 1 FROM po_lines x WHERE x.po_id = po.id AND x.status = 'rejected'), CAST(po.release_at AS TEXT), CAST(po.created_at AS TEXT), CAST(po.promise_date AS TEXT),
	po.acknowledged_at IS NOT NULL, po.first_tracking_at IS NOT NULL, a.ack_sla_hours, a.stale_after_days, a.time_zone, po.tracking_problem <> ''
	FROM purchase_orders po JOIN accounts a ON a.id = po.supplier_id`

// queueRow is a PO's kept flags and clock beside the state they came from.
type queueRow struct {
	id, supplierID, merchantID int64
	flags                      int
	clock                      sql.NullTime
	state                      queueState
}

func scanQueueRow(row interface{ Scan(...any) error }) (queueRow, error) {
	var r queueRow
	var tz string
	s := &r.state
	err := row.Scan(&r.id, &r.supplierID, &r.merchantID, &r.flags, textNullTime(&r.clock), &s.status, &s.cancelState, &s.rejectedLine, textTime(&s.release), textTime(&s.created),
		textNullTime(&s.promise), &s.acked, &s.tracked, &s.slaHours, &s.staleDays, &tz, &s.trackingProblem)
	s.loc = locationOf(tz)
	return r, err
}

// requeue brings a PO's kept queue flags and clock, and its supplier's tab
// counts and merchant's view counts, up to date after a change to its state
// or after its clock instant passed. Every change to a PO's status,
// cancellation, lines, acknowledgement or tracking calls it in the change's
// transaction; CheckInvariants holds the counts to a recount.
func (db *DB) requeue(ctx context.Context, tx dbtx, poID int64) error {
	return db.requeuePOs(ctx, tx, []int64{poID}, nil)
}

// poChange is what settlePOs writes with a PO's queue flags: its status,
// and when tracking was saved for it, if it was (its first tracking and
// acknowledgement then, unless it had them).
type poChange struct {
	status    string
	trackedAt time.Time
	trackedBy string // who saved the tracking: the acknowledgement's, if it had none
}

// requeuePOs requeues POs together: their states in one read, then
// writeQueue.
func (db *DB) requeuePOs(ctx context.Context, tx dbtx, ids []int64, changes map[int64]poChange) error {
	in, set := oneOf("po.id", ids)
	var states []queueRow
	if err := eachRow(ctx, tx, "SELECT "+queueStateColumns+" WHERE "+in+" ORDER BY po.id", []any{set}, func(rows *sql.Rows) error {
		r, err := scanQueueRow(rows)
		states = append(states, r)
		return err
	}); err != nil {
		return fmt.Errorf("queue flags: %w", err)
	}
	if len(states) != len(ids) {
		return fmt.Errorf("queue flags: %d of %d POs found", len(states), len(ids))
	}
	return db.writeQueue(ctx, tx, states, changes)
}

// writeQueue writes POs' queue flags from their states as read in the
// transaction: each PO's flags when they change, and the counts once per
// supplier tab and merchant. A PO in changes has them written with its
// flags, in one update.
func (db *DB) writeQueue(ctx context.Context, tx dbtx, states []queueRow, changes map[int64]poChange) error {
	type tabKey struct {
		supplierID int64
		tab        string
	}
	tabs := map[tabKey]int{}
	var tabOrder []tabKey
	type views struct{ late, stale int }
	merchants := map[int64]*views{}
	var merchantOrder []int64
	now := db.now()
	nowText := dbTime(now) // formatted once for every PO
	for _, r := range states {
		c, changed := changes[r.id]
		var tracked any // NULL: first_tracking_at and acknowledged_at stay as they are
		var trackedBy string
		if changed {
			r.state.status = c.status
			if !c.trackedAt.IsZero() {
				r.state.tracked, r.state.acked = true, true
				tracked, trackedBy = dbTime(c.trackedAt), c.trackedBy
			}
		}
		is, next := r.state.flags(now)
		clock := sql.NullTime{Time: next, Valid: !next.IsZero()}
		same := is == r.flags && clock.Valid == r.clock.Valid && sameInstant(clock.Time, r.clock.Time)
		switch {
		case changed:
			// SET reads the row as it was: acknowledged_by follows the
			// acknowledged_at it replaces.
			if _, err := tx.ExecContext(ctx, `UPDATE purchase_orders SET status = ?, updated_at = ?, queue_flags = ?, queue_clock_at = ?,
				first_tracking_at = coalesce(first_tracking_at, ?), acknowledged_at = coalesce(acknowledged_at, ?),
				acknowledged_by = CASE WHEN acknowledged_at IS NULL AND CAST(? AS TEXT) IS NOT NULL THEN ? ELSE acknowledged_by END WHERE id = ?`,
				c.status, nowText, is, clock, tracked, tracked, tracked, trackedBy, r.id); err != nil {
				return fmt.Errorf("status of PO %d: %w", r.id, err)
			}
		case !same:
			if _, err := tx.ExecContext(ctx, "UPDATE purchase_orders SET queue_flags = ?, queue_clock_at = ? WHERE id = ?", is, clock, r.id); err != nil {
				return fmt.Errorf("queue flags of PO %d: %w", r.id, err)
			}
		}
		if same {
			continue
		}
		for _, f := range queueFlagTabs {
			if d := flagDelta(r.flags, is, f.bit); d != 0 {
				k := tabKey{r.supplierID, f.tab}
				if _, ok := tabs[k]; !ok {
					tabOrder = append(tabOrder, k)
				}
				tabs[k] += d
			}
		}
		late, stale := flagDelta(r.flags, is, queueFlagLate), flagDelta(r.flags, is, queueFlagStale)
		if late != 0 || stale != 0 {
			v := merchants[r.merchantID]
			if v == nil {
				v = &views{}
				merchants[r.merchantID] = v
				merchantOrder = append(merchantOrder, r.merchantID)
			}
			v.late += late
			v.stale += stale
		}
	}
	for _, k := range tabOrder {
		if d := tabs[k]; d != 0 {
			if err := bumpQueue(ctx, tx, k.supplierID, k.tab, d); err != nil {
				return err
			}
		}
	}
	for _, id := range merchantOrder {
		if v := merchants[id]; v.late != 0 || v.stale != 0 {
			if _, err := tx.ExecContext(ctx, "UPDATE merchant_po_counts SET late = late + ?, stale = stale + ? WHERE account_id = ?", v.late, v.stale, id); err != nil {
				return fmt.Errorf("merchant PO counts: %w", err)
			}
		}
	}
	return nil
}

// flagDelta is +1 when bit was set between was and is, -1 when cleared.
func flagDelta(was, is, bit int) int {
	switch {
	case was&bit == 0 && is&bit != 0:
		return 1
	case was&bit != 0 && is&bit == 0:
		return -1
	}
	return 0
}

// bumpQueue changes a supplier's kept count of a tab. A count going below
// zero breaks the table's check: a bug, not something to hide. (SQLite
// checks the row to insert before the conflict, hence max in VALUES.)
func bumpQueue(ctx context.Context, tx dbtx, supplierID int64, tab string, delta int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO supplier_tab_counts (supplier_id, tab, n) VALUES (?, ?, max(?, 0))
		ON CONFLICT (supplier_id, tab) DO UPDATE SET n = supplier_tab_counts.n + ?`, supplierID, tab, delta, delta)
	if err != nil {
		return fmt.Errorf("queue counts: %w", err)
	}
	return nil
}

// dueQueueRows reads the POs of an account whose clock instant has passed
// (who is "po.supplier_id" or "po.account_id"): their kept flags are out of
// date until the sweep requeues them.
func dueQueueRows(ctx context.Context, q dbtx, who string, accountID int64, now time.Time) ([]queueRow, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+queueStateColumns+" WHERE "+who+" = ? AND po.queue_clock_at <= ?", accountID, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var due []queueRow
	for rows.Next() {
		r, err := scanQueueRow(rows)
		if err != nil {
			return nil, err
		}
		due = append(due, r)
	}
	return due, rows.Err()
}

// merchantPOViews counts a merchant's late and stale POs: the kept counts,
// corrected by the POs whose clock instant has passed since.
func (db *DB) merchantPOViews(ctx context.Context, merchantID int64) (late, stale int, err error) {
	tx, err := db.read.BeginTx(ctx, db.snapshot())
	if err != nil {
		return 0, 0, fmt.Errorf("store: PO views: %w", err)
	}
	defer tx.Rollback()
	return merchantPOViewsIn(ctx, tx, merchantID, db.now())
}

func merchantPOViewsIn(ctx context.Context, tx dbtx, merchantID int64, now time.Time) (late, stale int, err error) {
	err = tx.QueryRowContext(ctx, "SELECT late, stale FROM merchant_po_counts WHERE account_id = ?", merchantID).Scan(&late, &stale)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, 0, fmt.Errorf("store: PO views: %w", err)
	}
	due, err := dueQueueRows(ctx, tx, "po.account_id", merchantID, now)
	if err != nil {
		return 0, 0, fmt.Errorf("store: PO views: %w", err)
	}
	for _, r := range due {
		is, _ := r.state.flags(now)
		late += flagDelta(r.flags, is, queueFlagLate)
		stale += flagDelta(r.flags, is, queueFlagStale)
	}
	return late, stale, nil
}

// sweepBatch is how many POs one sweep transaction requeues: short enough
// not to hold up the writers behind it.
const sweepBatch = 500

// SweepQueueClock requeues every PO whose clock instant has passed, a batch
// of each supplier per transaction, and returns how many it requeued. The
// ticker runs it; counts are right without it, only slower to read.
func (db *DB) SweepQueueClock(ctx context.Context) (int, error) {
	suppliers, err := queryIDs(ctx, db.read, "SELECT id FROM accounts WHERE kind IN (?, ?) ORDER BY id", KindSupplier, KindBoth)
	if err != nil {
		return 0, fmt.Errorf("store: queue sweep: %w", err)
	}
	total := 0
	for _, id := range suppliers {
		for {
			n, err := db.sweepSupplier(ctx, id)
			total += n
			if err != nil {
				return total, fmt.Errorf("store: queue sweep: %w", err)
			}
			if n < sweepBatch {
				break
			}
		}
	}
	return total, nil
}

// sweepSupplier requeues up to sweepBatch of a supplier's due POs in one
// transaction.
func (db *DB) sweepSupplier(ctx context.Context, supplierID int64) (int, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	ids, err := queryIDs(ctx, tx, "SELECT id FROM purchase_orders WHERE supplier_id = ? AND queue_clock_at <= ? LIMIT ?", supplierID, db.now(), sweepBatch)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := db.requeue(ctx, tx, id); err != nil {
			return 0, err
		}
	}
	return len(ids), tx.Commit()
}

// requeueSupplierSoon makes every open PO of a supplier due for the sweep,
// after a change to the rules its tabs follow (time zone, SLA, stale days).
func requeueSupplierSoon(ctx context.Context, tx dbtx, supplierID int64) error {
	_, err := tx.ExecContext(ctx, "UPDATE purchase_orders SET queue_clock_at = ? WHERE supplier_id = ? AND status IN ('open', 'partially_shipped')",
		queueDueNow, supplierID)
	return err
}

// queueDueNow is a clock instant before any: the PO is due for the sweep.
var queueDueNow = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
