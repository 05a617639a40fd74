package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// TrendDays is how many days the dashboards' daily charts cover, and
// TrendWeeks how many weeks the weekly ones do.
const (
	TrendDays  = 30
	TrendWeeks = 8
)

// Trends are the series a dashboard draws beside its counts.
type Trends struct {
	// Days are the TrendDays days ending today in the account's zone.
	Days []time.Time
	// Weeks are the TrendWeeks weeks (each starting on a Monday) ending
	// with the current one.
	Weeks []time.Time
	// Merchant: orders placed and POs created (dropships) per day; of the
	// POs created each week, those late and those stale now; the median
	// hours from a PO's release to its first tracking, per week shipped
	// (-1: nothing tracked that week).
	Orders, Dropships []int
	// Supplier: POs received and POs given their first tracking per day;
	// of the POs received each week, those late now; median hours to
	// tracking per week.
	Received, Shipped []int
	Late, Stale       []int
	MedianHours       []int
}

// DashboardTrends reads the series of the account's dashboard, in its
// time zone: a merchant's side when merchant is true, else a supplier's.
func (db *DB) DashboardTrends(ctx context.Context, accountID int64, merchant bool, loc *time.Location) (Trends, error) {
	var t Trends
	now := db.now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	dayBounds := make([]time.Time, TrendDays+1)
	for i := range dayBounds {
		dayBounds[i] = today.AddDate(0, 0, i-TrendDays+1)
	}
	t.Days = dayBounds[:TrendDays]
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	weekBounds := make([]time.Time, TrendWeeks+1)
	for i := range weekBounds {
		weekBounds[i] = monday.AddDate(0, 0, 7*(i-TrendWeeks+1))
	}
	t.Weeks = weekBounds[:TrendWeeks]

	var err error
	if merchant {
		if t.Orders, err = db.countPer(ctx, "orders", "account_id", "placed_at", "", accountID, dayBounds); err != nil {
			return t, err
		}
		if t.Dropships, err = db.countPer(ctx, "purchase_orders", "account_id", "created_at", "", accountID, dayBounds); err != nil {
			return t, err
		}
		if t.Late, err = db.countPer(ctx, "purchase_orders", "account_id", "created_at", fmt.Sprintf("queue_flags & %d <> 0", queueFlagLate), accountID, weekBounds); err != nil {
			return t, err
		}
		if t.Stale, err = db.countPer(ctx, "purchase_orders", "account_id", "created_at", fmt.Sprintf("queue_flags & %d <> 0", queueFlagStale), accountID, weekBounds); err != nil {
			return t, err
		}
	} else {
		if t.Received, err = db.countPer(ctx, "purchase_orders", "supplier_id", "release_at", "", accountID, dayBounds); err != nil {
			return t, err
		}
		if t.Shipped, err = db.countPer(ctx, "purchase_orders", "supplier_id", "first_tracking_at", "", accountID, dayBounds); err != nil {
			return t, err
		}
		if t.Late, err = db.countPer(ctx, "purchase_orders", "supplier_id", "release_at", fmt.Sprintf("queue_flags & %d <> 0", queueFlagLate), accountID, weekBounds); err != nil {
			return t, err
		}
	}
	if t.MedianHours, err = db.medianHoursPer(ctx, merchant, accountID, weekBounds); err != nil {
		return t, err
	}
	return t, nil
}

// countPer counts the rows of table whose owner column is accountID and
// whose at column falls in each [bounds[i], bounds[i+1]), with an extra
// condition when cond is not empty: one scan of the whole range.
func (db *DB) countPer(ctx context.Context, table, owner, at, cond string, accountID int64, bounds []time.Time) ([]int, error) {
	n := len(bounds) - 1
	cols := make([]string, n)
	args := make([]any, 0, 2*n+3)
	for i := range n {
		cols[i] = "count(*) FILTER (WHERE " + at + " >= ? AND " + at + " < ?)"
		args = append(args, bounds[i].UTC(), bounds[i+1].UTC())
	}
	where := owner + " = ? AND " + at + " >= ? AND " + at + " < ?"
	args = append(args, accountID, bounds[0].UTC(), bounds[n].UTC())
	if cond != "" {
		where += " AND " + cond
	}
	out := make([]int, n)
	dst := make([]any, n)
	for i := range out {
		dst[i] = &out[i]
	}
	if err := db.rqRow(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM "+table+" WHERE "+where, args...).Scan(dst...); err != nil {
		return nil, fmt.Errorf("store: %s per period: %w", table, err)
	}
	return out, nil
}

// medianHoursPer is the median whole hours from release to first tracking
// of the account's POs (as merchant or supplier) tracked in each week, -1
// for a week with none. The scorecard's histogram keeps those hours per
// UTC day, so a week here is its UTC days.
func (db *DB) medianHoursPer(ctx context.Context, merchant bool, accountID int64, bounds []time.Time) ([]int, error) {
	owner := "supplier_id"
	if merchant {
		owner = "merchant_id"
	}
	n := len(bounds) - 1
	from, to := bounds[0].Format(time.DateOnly), bounds[n].AddDate(0, 0, -1).Format(time.DateOnly)
	rows, err := db.rq(ctx, "SELECT day, hours, sum(n) FROM supplier_ship_hours WHERE "+owner+" = ? AND day BETWEEN ? AND ? GROUP BY day, hours", accountID, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: hours to tracking: %w", err)
	}
	defer rows.Close()
	hist := make([]map[int]int, n)
	for i := range hist {
		hist[i] = map[int]int{}
	}
	for rows.Next() {
		var day string
		var h, c int
		if err := rows.Scan(&day, &h, &c); err != nil {
			return nil, fmt.Errorf("store: hours to tracking: %w", err)
		}
		for i := range n {
			if day >= bounds[i].Format(time.DateOnly) && day < bounds[i+1].Format(time.DateOnly) {
				hist[i][h] += c
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: hours to tracking: %w", err)
	}
	out := make([]int, n)
	for i := range out {
		out[i] = percentile(hist[i], 50)
	}
	return out, nil
}
