package store

import (
	"context"
	"fmt"
)

// The dashboards are the first page after sign-in. Each count is the kept
// count of the list it links to, which the invariants hold to the list's
// own count.

// MerchantDashboard is what needs a merchant's attention.
type MerchantDashboard struct {
	NeedsDropship int // orders in the Needs dropship tab
	Exceptions    int // orders in the Exceptions tab: rejections, cancellation answers
	LatePOs       int
	StalePOs      int
	FailedUpdates int // channel updates that cannot be delivered: failed, or waiting for a sales channel connection
	// TrackingProblems: POs whose parcels the carrier could not deliver,
	// returned, or never scanned (the Tracking problems view).
	TrackingProblems int
}

// MerchantDashboard counts what needs the merchant's attention.
func (db *DB) MerchantDashboard(ctx context.Context, merchantID int64) (MerchantDashboard, error) {
	var d MerchantDashboard
	orders, err := db.Orders(ctx, merchantID, OrderFilter{Tab: TabNeedsDropship, PerPage: 1})
	if err != nil {
		return d, err
	}
	d.NeedsDropship, d.Exceptions = orders.Counts[TabNeedsDropship], orders.Counts[TabExceptions]
	if d.LatePOs, d.StalePOs, err = db.merchantPOViews(ctx, merchantID); err != nil {
		return d, err
	}
	if d.FailedUpdates, err = db.OutboxFilterCount(ctx, merchantID, FailedChannelUpdates); err != nil {
		return d, err
	}
	// Few POs have one at a time: counted from their partial index.
	if err := db.rqRow(ctx, "SELECT count(*) FROM purchase_orders WHERE account_id = ? AND tracking_problem <> ''", merchantID).Scan(&d.TrackingProblems); err != nil {
		return d, fmt.Errorf("store: dashboard: %w", err)
	}
	return d, nil
}

// FailedChannelUpdates is the Outbox filter behind the dashboard's failed channel updates.
var FailedChannelUpdates = OutboxFilter{Kind: OutboxChannel, State: OutboxStuck}

// SupplierDashboard is what a supplier has to do today, and what it has earned.
type SupplierDashboard struct {
	ToAcknowledge int
	DueToday      int // to ship, promised by the end of today
	Late          int
	// TrackingProblems: POs with a tracking problem, in the Exceptions tab.
	TrackingProblems int
	Balances         []Balance
}

// SupplierDashboardFilters are the queue filters behind each count.
var SupplierDashboardFilters = struct{ ToAcknowledge, DueToday, Late, TrackingProblems QueueFilter }{
	ToAcknowledge:    QueueFilter{Tab: QueueToAcknowledge},
	DueToday:         QueueFilter{Tab: QueueToShip, DueToday: true},
	Late:             QueueFilter{Tab: QueueLate},
	TrackingProblems: QueueFilter{Tab: QueueExceptions, TrackingProblem: true},
}

// SupplierDashboard counts the supplier's work and reads its balances.
func (db *DB) SupplierDashboard(ctx context.Context, supplierID int64) (SupplierDashboard, error) {
	var d SupplierDashboard
	t, err := db.queueTimes(ctx, supplierID)
	if err != nil {
		return d, fmt.Errorf("store: dashboard: %w", err)
	}
	counts, err := db.queueCounts(ctx, supplierID, t)
	if err != nil {
		return d, err
	}
	d.ToAcknowledge, d.DueToday, d.Late = counts[QueueToAcknowledge], counts[queueDueToday], counts[QueueLate]
	if err := db.rqRow(ctx, "SELECT count(*) FROM purchase_orders WHERE supplier_id = ? AND tracking_problem <> ''", supplierID).Scan(&d.TrackingProblems); err != nil {
		return d, fmt.Errorf("store: dashboard: %w", err)
	}
	if d.Balances, err = db.Balances(ctx, supplierID, 0); err != nil {
		return d, fmt.Errorf("store: dashboard: %w", err)
	}
	return d, nil
}
