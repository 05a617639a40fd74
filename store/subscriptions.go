package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dropline/dropline/store/feedfile"
	"github.com/dropline/dropline/store/fetch"
)

// Subscription schedules.
const (
	ScheduleInterval = "interval" // every N minutes
	ScheduleDaily    = "daily"    // once a day at a time in the account's zone
)

// MinIntervalMinutes is the shortest pull interval a merchant may choose.
const MinIntervalMinutes = 5

// Subscription is a merchant pulling a feed on a schedule.
type Subscription struct {
	ID               int64
	AccountID        int64
	Name             string
	FeedID           int64 // a linked supplier's feed; 0 for an external URL
	SupplierID       int64
	SupplierName     string
	URL              string
	Format           string
	Mapping          map[string]string
	Schedule         string
	IntervalMinutes  int
	DailyAt          string // "HH:MM" in the account's time zone
	Buffer           int
	InventoryMode    string
	DropThresholdPct int
	StaleAfterHours  int
	StaleAsZero      bool
	Paused           bool
	// InStockQuantity is the quantity a row gets when the file says "in
	// stock" without a number (feedfile.Options.InStockQuantity).
	InStockQuantity int
	// BuildSKUs gives Shopify variants without a SKU one built from the
	// handle and options.
	BuildSKUs     bool
	NextRunAt     *time.Time
	RunningSince  *time.Time
	LastSuccessAt *time.Time
	LastGoodRows  int
	CreatedAt     time.Time
}

// External reports whether the subscription pulls a URL rather than a linked feed.
func (s Subscription) External() bool { return s.FeedID == 0 }

// Stale reports whether the feed has not succeeded for longer than the subscription allows.
func (s Subscription) Stale(now time.Time) bool {
	if s.LastSuccessAt == nil {
		return true
	}
	return now.Sub(*s.LastSuccessAt) > time.Duration(s.StaleAfterHours)*time.Hour
}

// SubscriptionInput is what a merchant sets on a subscription.
type SubscriptionInput struct {
	Name             string
	FeedID           int64
	URL              string
	Format           string
	Mapping          map[string]string
	Schedule         string
	IntervalMinutes  int
	DailyAt          string
	Buffer           int
	InventoryMode    string
	DropThresholdPct int
	StaleAfterHours  int
	StaleAsZero      bool
	Paused           bool
	// InStockQuantity and BuildSKUs: nil keeps the current setting (a new
	// subscription: feedfile.DefaultInStockQuantity, and building SKUs).
	InStockQuantity *int
	BuildSKUs       *bool
}

const subscriptionColumns = `s.id, s.account_id, s.name, coalesce(s.feed_id, 0), coalesce(s.supplier_id, 0), coalesce(a.name, ''), s.url, s.format, s.mapping,
	s.schedule, s.interval_minutes, s.daily_at, s.buffer, s.inventory_mode, s.drop_threshold_pct, s.stale_after_hours, s.stale_as_zero, s.paused,
	s.next_run_at, s.running_since, s.last_success_at, coalesce(s.last_good_rows, 0), s.created_at, s.in_stock_quantity, s.build_skus`

const subscriptionFrom = " FROM subscriptions s LEFT JOIN accounts a ON a.id = s.supplier_id"

func scanSubscription(row interface{ Scan(...any) error }) (Subscription, error) {
	var s Subscription
	var mapping string
	err := row.Scan(&s.ID, &s.AccountID, &s.Name, &s.FeedID, &s.SupplierID, &s.SupplierName, &s.URL, &s.Format, &mapping,
		&s.Schedule, &s.IntervalMinutes, &s.DailyAt, &s.Buffer, &s.InventoryMode, &s.DropThresholdPct, &s.StaleAfterHours, &s.StaleAsZero, &s.Paused,
		&s.NextRunAt, &s.RunningSince, &s.LastSuccessAt, &s.LastGoodRows, &s.CreatedAt, &s.InStockQuantity, &s.BuildSKUs)
	if err == nil && mapping != "" {
		_ = json.Unmarshal([]byte(mapping), &s.Mapping)
	}
	return s, err
}

// Subscriptions lists the acting merchant's subscriptions.
func (db *DB) Subscriptions(ctx context.Context, merchantID int64) ([]Subscription, error) {
	rows, err := db.rq(ctx, "SELECT "+subscriptionColumns+subscriptionFrom+" WHERE s.account_id = ? ORDER BY s.name, s.id", merchantID)
	if err != nil {
		return nil, fmt.Errorf("store: subscriptions of %d: %w", merchantID, err)
	}
	defer rows.Close()
	var out []Subscription
	for rows.Next() {
		s, err := scanSubscription(rows)
		if err != nil {
			return nil, fmt.Errorf("store: subscriptions of %d: %w", merchantID, err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Subscription returns one of the acting merchant's subscriptions.
func (db *DB) Subscription(ctx context.Context, merchantID, id int64) (Subscription, error) {
	s, err := scanSubscription(db.rqRow(ctx, "SELECT "+subscriptionColumns+subscriptionFrom+" WHERE s.id = ? AND s.account_id = ?", id, merchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return Subscription{}, fmt.Errorf("store: subscription %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Subscription{}, fmt.Errorf("store: subscription %d: %w", id, err)
	}
	return s, nil
}

func validDailyAt(s string) bool {
	_, err := time.Parse("15:04", s)
	return err == nil && len(s) == 5
}

// SaveSubscription creates (id 0) or updates one of the acting merchant's
// subscriptions. A new one is due at once.
func (db *DB) SaveSubscription(ctx context.Context, actor Actor, merchantID, id int64, in SubscriptionInput) (Subscription, error) {
	in.Name = strings.TrimSpace(in.Name)
	in.URL = strings.TrimSpace(in.URL)
	if in.Schedule == "" {
		in.Schedule = ScheduleInterval
	}
	if in.InventoryMode == "" {
		in.InventoryMode = InventoryPassive
	}
	c := checks{}
	c.check(len(in.Name) <= 100, "name", "Use at most 100 characters.")
	c.check(in.Schedule == ScheduleInterval || in.Schedule == ScheduleDaily, "schedule", "Choose every N minutes or daily.")
	c.check(in.Schedule != ScheduleInterval || in.IntervalMinutes >= MinIntervalMinutes, "interval_minutes", fmt.Sprintf("Pull at most every %d minutes.", MinIntervalMinutes))
	c.check(in.IntervalMinutes <= 7*24*60, "interval_minutes", "Pull at least once a week.")
	c.check(in.Schedule != ScheduleDaily || validDailyAt(in.DailyAt), "daily_at", "Enter a time like 06:30.")
	c.check(in.Buffer >= 0 && in.Buffer <= 100000, "buffer", "Use a buffer of 0 or more units.")
	c.check(in.InventoryMode == InventoryActive || in.InventoryMode == InventoryPassive, "inventory_mode", "Choose active or passive.")
	c.check(in.DropThresholdPct >= 1 && in.DropThresholdPct <= 100, "drop_threshold_pct", "Use 1 to 100 percent.")
	c.check(in.StaleAfterHours >= 1 && in.StaleAfterHours <= 24*30, "stale_after_hours", "Use 1 to 720 hours.")
	c.check(in.InStockQuantity == nil || *in.InStockQuantity >= 0 && *in.InStockQuantity <= 1000000, "in_stock_quantity", "Use a quantity of 0 or more.")
	if in.FeedID == 0 && id == 0 {
		if err := fetch.CheckURL(in.URL); err != nil {
			c.add("url", err.Error())
		}
	}
	if err := c.err(); err != nil {
		return Subscription{}, err
	}
	if in.Schedule == ScheduleInterval && in.DailyAt == "" {
		in.DailyAt = "06:00"
	}
	mapping := ""
	if len(in.Mapping) > 0 {
		b, _ := json.Marshal(in.Mapping)
		mapping = string(b)
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return Subscription{}, fmt.Errorf("store: save subscription: %w", err)
	}
	defer tx.Rollback()
	mer, err := accountIn(ctx, tx, merchantID)
	if err != nil || !mer.IsMerchant() {
		return Subscription{}, fmt.Errorf("store: save subscription for %d: %w", merchantID, ErrNotFound)
	}
	now := db.now()
	if id == 0 {
		var feedID, supplierID any
		name := in.Name
		if in.FeedID != 0 {
			var fid, sid int64
			var fname, sname string
			err := tx.QueryRowContext(ctx, `SELECT f.id, f.account_id, f.name, a.name FROM feeds f
				JOIN vendor_links l ON l.supplier_id = f.account_id AND l.merchant_id = ? AND l.state IN ('active', 'paused')
				JOIN accounts a ON a.id = f.account_id
				WHERE f.id = ? AND f.archived_at IS NULL AND (f.all_merchants = 1 OR EXISTS (SELECT 1 FROM feed_merchants fm WHERE fm.feed_id = f.id AND fm.merchant_id = ?))`,
				merchantID, in.FeedID, merchantID).Scan(&fid, &sid, &fname, &sname)
			if errors.Is(err, sql.ErrNoRows) {
				return Subscription{}, FieldError("feed_id", "Choose a feed of a linked supplier.")
			}
			if err != nil {
				return Subscription{}, fmt.Errorf("store: save subscription: %w", err)
			}
			var dup bool
			if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM subscriptions WHERE account_id = ? AND feed_id = ?)", merchantID, fid).Scan(&dup); err != nil {
				return Subscription{}, fmt.Errorf("store: save subscription: %w", err)
			}
			if dup {
				return Subscription{}, FieldError("feed_id", "This account already subscribes to "+fname+".")
			}
			feedID, supplierID = fid, sid
			if name == "" {
				name = sname + ": " + fname
			}
			in.URL = ""
		} else if name == "" {
			name = in.URL
			if len(name) > 100 {
				name = name[:100]
			}
		}
		inStock, build := feedfile.DefaultInStockQuantity, true
		if in.InStockQuantity != nil {
			inStock = *in.InStockQuantity
		}
		if in.BuildSKUs != nil {
			build = *in.BuildSKUs
		}
		res, err := execInsert(ctx, tx, `INSERT INTO subscriptions (account_id, name, feed_id, supplier_id, url, format, mapping, schedule, interval_minutes,
			daily_at, buffer, inventory_mode, drop_threshold_pct, stale_after_hours, stale_as_zero, paused, next_run_at, created_at, updated_at,
			in_stock_quantity, build_skus)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			merchantID, name, feedID, supplierID, in.URL, in.Format, mapping, in.Schedule, in.IntervalMinutes, in.DailyAt, in.Buffer, in.InventoryMode,
			in.DropThresholdPct, in.StaleAfterHours, in.StaleAsZero, in.Paused, now, now, now, inStock, build)
		if err != nil {
			return Subscription{}, fmt.Errorf("store: save subscription: %w", err)
		}
		id, _ = res.LastInsertId()
		if err := db.audit(ctx, tx, actor, merchantID, "subscription.created", "subscription", id, name); err != nil {
			return Subscription{}, fmt.Errorf("store: save subscription: %w", err)
		}
	} else {
		cur, err := scanSubscription(tx.QueryRowContext(ctx, "SELECT "+subscriptionColumns+subscriptionFrom+" WHERE s.id = ? AND s.account_id = ?", id, merchantID))
		if errors.Is(err, sql.ErrNoRows) {
			return Subscription{}, fmt.Errorf("store: save subscription %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return Subscription{}, fmt.Errorf("store: save subscription: %w", err)
		}
		if in.Name == "" {
			in.Name = cur.Name
		}
		if !cur.External() || in.Mapping == nil {
			mapping = ""
			if len(cur.Mapping) > 0 {
				b, _ := json.Marshal(cur.Mapping)
				mapping = string(b)
			}
		}
		// A new schedule takes effect from now: next run recomputed.
		cur.Schedule, cur.IntervalMinutes, cur.DailyAt = in.Schedule, in.IntervalMinutes, in.DailyAt
		next := nextRun(cur, now, mer.Location())
		if in.InStockQuantity != nil {
			cur.InStockQuantity = *in.InStockQuantity
		}
		if in.BuildSKUs != nil {
			cur.BuildSKUs = *in.BuildSKUs
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET name = ?, mapping = ?, schedule = ?, interval_minutes = ?, daily_at = ?, buffer = ?,
			inventory_mode = ?, drop_threshold_pct = ?, stale_after_hours = ?, stale_as_zero = ?, paused = ?, next_run_at = ?, updated_at = ?,
			in_stock_quantity = ?, build_skus = ?
			WHERE id = ? AND account_id = ?`, in.Name, mapping, in.Schedule, in.IntervalMinutes, in.DailyAt, in.Buffer, in.InventoryMode,
			in.DropThresholdPct, in.StaleAfterHours, in.StaleAsZero, in.Paused, next, now, cur.InStockQuantity, cur.BuildSKUs, id, merchantID); err != nil {
			return Subscription{}, fmt.Errorf("store: save subscription: %w", err)
		}
		if err := db.audit(ctx, tx, actor, merchantID, "subscription.updated", "subscription", id, in.Name); err != nil {
			return Subscription{}, fmt.Errorf("store: save subscription: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return Subscription{}, fmt.Errorf("store: save subscription: %w", err)
	}
	return db.Subscription(ctx, merchantID, id)
}

// nextRun is when a subscription is next due after now. Missed runs are not
// made up one by one: the next run is always in the future.
func nextRun(s Subscription, now time.Time, loc *time.Location) time.Time {
	if s.Schedule == ScheduleDaily {
		t, err := time.Parse("15:04", s.DailyAt)
		if err != nil {
			t = time.Date(0, 1, 1, 6, 0, 0, 0, time.UTC)
		}
		local := now.In(loc)
		next := time.Date(local.Year(), local.Month(), local.Day(), t.Hour(), t.Minute(), 0, 0, loc)
		if !next.After(local) {
			next = time.Date(local.Year(), local.Month(), local.Day()+1, t.Hour(), t.Minute(), 0, 0, loc)
		}
		return next.UTC()
	}
	minutes := max(s.IntervalMinutes, MinIntervalMinutes)
	return now.Add(time.Duration(minutes) * time.Minute).UTC()
}
