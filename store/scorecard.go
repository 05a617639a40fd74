package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Scorecard windows, in days.
var ScorecardWindows = []int{30, 90}

// Scorecard is how a supplier has served over a window of days: of the POs
// released to it in the window (all merchants', or one merchant's).
type Scorecard struct {
	SupplierID   int64
	SupplierName string
	MerchantID   int64 // 0: every merchant (the supplier's own view)
	Days         int
	From         time.Time // the window's first UTC day
	Received     int
	// Acknowledged within the SLA, of those acknowledged or overdue.
	AckedInSLA, AckJudged int
	// Tracked by the promise date, of those tracked or overdue.
	ShippedOnTime, ShipJudged int
	// Whole hours from release to first tracking; -1 when nothing shipped.
	MedianHours, P90Hours int
	Rejected, Cancelled   int // POs with a rejected line; POs cancelled
	Shipments, Overrides  int // shipments; those saved over a failed tracking check
	// Of the shipments a tracking provider followed that were shipped in
	// the window: delivered within DeliveryDays of the ship date (by the
	// end of that day, the supplier's time), of those delivered or past
	// that day undelivered.
	DeliveredOnTime, DeliveryJudged int
	DeliveryDays                    int // the viewing account's setting (Settings → Carriers)
	// Of the same shipments, those flagged as not moving (no carrier scan
	// in time), however they went on.
	NotMoving, Tracked int
	Weeks              []ScoreWeek
	Feeds              []FeedFreshness
}

// ScoreWeek is one week of a scorecard's charts.
type ScoreWeek struct {
	Start       time.Time
	Received    int
	MedianHours int // -1: nothing shipped
}

// FeedFreshness is when a merchant last pulled the supplier's feed.
type FeedFreshness struct {
	MerchantName string
	Subscription string
	LastSuccess  *time.Time
	Stale        bool
}

// Percent is part of whole as a whole percentage, -1 when whole is 0.
func Percent(part, whole int) int {
	if whole == 0 {
		return -1
	}
	return (part*100 + whole/2) / whole
}

// Scorecard returns the supplier's scorecard as viewer may see it: the
// supplier sees all its merchants (or one, merchantID), a linked merchant
// sees only its own POs with the supplier. Anyone else gets ErrNotFound.
func (db *DB) Scorecard(ctx context.Context, viewerID, supplierID, merchantID int64, days int) (Scorecard, error) {
	if viewerID != supplierID {
		var linked bool
		if err := db.rqRow(ctx, "SELECT EXISTS (SELECT 1 FROM vendor_links WHERE supplier_id = ? AND merchant_id = ? AND state <> 'pending')",
			supplierID, viewerID).Scan(&linked); err != nil {
			return Scorecard{}, fmt.Errorf("store: scorecard: %w", err)
		}
		if !linked {
			return Scorecard{}, fmt.Errorf("store: scorecard of %d: %w", supplierID, ErrNotFound)
		}
		merchantID = viewerID
	}
	if days != 30 && days != 90 {
		days = 30
	}
	sc := Scorecard{SupplierID: supplierID, MerchantID: merchantID, Days: days, MedianHours: -1, P90Hours: -1}
	var sla int
	err := db.rqRow(ctx, "SELECT name, ack_sla_hours FROM accounts WHERE id = ?", supplierID).Scan(&sc.SupplierName, &sla)
	if errors.Is(err, sql.ErrNoRows) {
		return sc, fmt.Errorf("store: scorecard of %d: %w", supplierID, ErrNotFound)
	}
	if err != nil {
		return sc, fmt.Errorf("store: scorecard: %w", err)
	}
	now := db.now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	sc.From = today.AddDate(0, 0, 1-days)
	from, to := sc.From.Format(time.DateOnly), today.Format(time.DateOnly)

	var acked, tracked int
	err = db.rqRow(ctx, `SELECT coalesce(sum(received), 0), coalesce(sum(acked), 0), coalesce(sum(acked_in_sla), 0), coalesce(sum(tracked), 0),
			coalesce(sum(tracked_on_time), 0), coalesce(sum(rejected), 0), coalesce(sum(cancelled), 0), coalesce(sum(shipments), 0), coalesce(sum(overrides), 0)
		FROM supplier_stats WHERE supplier_id = ?1 AND (?2 = 0 OR merchant_id = ?2) AND day BETWEEN ?3 AND ?4`, supplierID, merchantID, from, to).
		Scan(&sc.Received, &acked, &sc.AckedInSLA, &tracked, &sc.ShippedOnTime, &sc.Rejected, &sc.Cancelled, &sc.Shipments, &sc.Overrides)
	if err != nil {
		return sc, fmt.Errorf("store: scorecard: %w", err)
	}
	// POs past their SLA or promise date with no acknowledgement or tracking
	// yet count against the supplier now; those still in time do not count.
	var ackOverdue, shipOverdue int
	err = db.rqRow(ctx, `SELECT count(*) FILTER (WHERE acknowledged_at IS NULL AND release_at < ?5),
			count(*) FILTER (WHERE first_tracking_at IS NULL AND promise_date < ?4)
		FROM purchase_orders WHERE supplier_id = ?1 AND status IN ('open', 'partially_shipped') AND release_at >= ?3 AND release_at <= ?4
			AND (?2 = 0 OR account_id = ?2)`, supplierID, merchantID, sc.From, now, now.Add(-time.Duration(sla)*time.Hour)).Scan(&ackOverdue, &shipOverdue)
	if err != nil {
		return sc, fmt.Errorf("store: scorecard: %w", err)
	}
	sc.AckJudged, sc.ShipJudged = acked+ackOverdue, tracked+shipOverdue
	if err := db.deliveryScore(ctx, &sc, viewerID, now); err != nil {
		return sc, fmt.Errorf("store: scorecard: %w", err)
	}

	// Hours to first tracking, per week of the window.
	nWeeks := (days + 6) / 7
	sc.Weeks = make([]ScoreWeek, nWeeks)
	hist := make([]map[int]int, nWeeks)
	for i := range sc.Weeks {
		sc.Weeks[i] = ScoreWeek{Start: sc.From.AddDate(0, 0, 7*i), MedianHours: -1}
		hist[i] = map[int]int{}
	}
	week := func(day string) int {
		d, _ := time.Parse(time.DateOnly, day)
		return min(max(int(d.Sub(sc.From)/(7*24*time.Hour)), 0), nWeeks-1)
	}
	rows, err := db.rq(ctx, `SELECT day, sum(received) FROM supplier_stats WHERE supplier_id = ?1 AND (?2 = 0 OR merchant_id = ?2)
		AND day BETWEEN ?3 AND ?4 GROUP BY day`, supplierID, merchantID, from, to)
	if err != nil {
		return sc, fmt.Errorf("store: scorecard: %w", err)
	}
	for rows.Next() {
		var day string
		var n int
		if err := rows.Scan(&day, &n); err != nil {
			rows.Close()
			return sc, fmt.Errorf("store: scorecard: %w", err)
		}
		sc.Weeks[week(day)].Received += n
	}
	rows.Close()
	rows, err = db.rq(ctx, `SELECT day, hours, sum(n) FROM supplier_ship_hours WHERE supplier_id = ?1 AND (?2 = 0 OR merchant_id = ?2)
		AND day BETWEEN ?3 AND ?4 GROUP BY day, hours`, supplierID, merchantID, from, to)
	if err != nil {
		return sc, fmt.Errorf("store: scorecard: %w", err)
	}
	all := map[int]int{}
	for rows.Next() {
		var day string
		var h, n int
		if err := rows.Scan(&day, &h, &n); err != nil {
			rows.Close()
			return sc, fmt.Errorf("store: scorecard: %w", err)
		}
		hist[week(day)][h] += n
		all[h] += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return sc, fmt.Errorf("store: scorecard: %w", err)
	}
	sc.MedianHours, sc.P90Hours = percentile(all, 50), percentile(all, 90)
	for i := range sc.Weeks {
		sc.Weeks[i].MedianHours = percentile(hist[i], 50)
	}

	rows, err = db.rq(ctx, `SELECT m.name, sub.name, sub.last_success_at, sub.stale_after_hours FROM subscriptions sub JOIN accounts m ON m.id = sub.account_id
		WHERE sub.supplier_id = ?1 AND (?2 = 0 OR sub.account_id = ?2) ORDER BY m.name, sub.name`, supplierID, merchantID)
	if err != nil {
		return sc, fmt.Errorf("store: scorecard: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f FeedFreshness
		var staleHours int
		if err := rows.Scan(&f.MerchantName, &f.Subscription, &f.LastSuccess, &staleHours); err != nil {
			return sc, fmt.Errorf("store: scorecard: %w", err)
		}
		f.Stale = f.LastSuccess == nil || f.LastSuccess.Before(now.Add(-time.Duration(staleHours)*time.Hour))
		sc.Feeds = append(sc.Feeds, f)
	}
	return sc, rows.Err()
}

// percentile is the nearest-rank p-th percentile of a histogram of whole
// hours, -1 when it is empty.
func percentile(hist map[int]int, p int) int {
	total := 0
	top := -1
	for h, n := range hist {
		total += n
		top = max(top, h)
	}
	if total == 0 {
		return -1
	}
	rank := (total*p + 99) / 100 // ceil(p% of total), at least 1
	rank = max(rank, 1)
	seen := 0
	for h := 0; h <= top; h++ {
		seen += hist[h]
		if seen >= rank {
			return h
		}
	}
	return top
}

// RebuildScorecards derives every scorecard count from the POs again (after
// a seed, or to repair counts), in one transaction.
func (db *DB) RebuildScorecards(ctx context.Context) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: rebuild scorecards: %w", err)
	}
	defer tx.Rollback()
	if err := db.rebuildStats(ctx, tx); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return tx.Commit()
}

// deliveryScore counts the window's tracked shipments: delivered on time
// by the viewer's delivery days, and flagged as not moving.
func (db *DB) deliveryScore(ctx context.Context, sc *Scorecard, viewerID int64, now time.Time) error {
	set, err := db.TrackingSettings(ctx, viewerID)
	if err != nil {
		return err
	}
	sc.DeliveryDays = set.DeliveryDays
	var tz string
	if err := db.rqRow(ctx, "SELECT time_zone FROM accounts WHERE id = ?", sc.SupplierID).Scan(&tz); err != nil {
		return err
	}
	loc := locationOf(tz)
	today := now.UTC().Format(time.DateOnly)
	return eachRow(ctx, db.read, `SELECT ship_date, delivered_at, not_moving_at IS NOT NULL FROM shipments
		WHERE supplier_id = ? AND tracking_registered_at IS NOT NULL AND ship_date BETWEEN ? AND ? AND (? = 0 OR merchant_id = ?)`,
		[]any{sc.SupplierID, sc.From.Format(time.DateOnly), today, sc.MerchantID, sc.MerchantID}, func(rows *sql.Rows) error {
			var day string
			var delivered *time.Time
			var notMoving bool
			if err := rows.Scan(&day, &delivered, &notMoving); err != nil {
				return err
			}
			sc.Tracked++
			if notMoving {
				sc.NotMoving++
			}
			ship, err := time.ParseInLocation(time.DateOnly, day, loc)
			if err != nil {
				return nil
			}
			due := ship.AddDate(0, 0, sc.DeliveryDays+1) // the end of the last day that is on time
			switch {
			case delivered != nil:
				sc.DeliveryJudged++
				if delivered.Before(due) {
					sc.DeliveredOnTime++
				}
			case !now.Before(due):
				sc.DeliveryJudged++ // overdue: it counts against the supplier now
			}
			return nil
		})
}
