package store

import (
	"context"
	"fmt"
)

// The dashboards are the first page after sign-in. Each count is computed
// by the same code as the list it links to, so the two always agree.

// MerchantDashboard is what needs a merchant's attention.
type MerchantDashboard struct {
	NeedsDropship int // orders in the Needs dropship tab
	Exceptions    int // orders in the Exceptions tab: rejections, cancellation answers
	LatePOs       int
	StalePOs      int
	FailedUpdates int // outbox messages (channel updates, emails, webhooks) that failed
}

// MerchantDashboard counts what needs the merchant's attention.
func (db *DB) MerchantDashboard(ctx context.Context, merchantID int64) (MerchantDashboard, error) {
	var d MerchantDashboard
	orders, err := db.Orders(ctx, merchantID, OrderFilter{Tab: TabNeedsDropship, PerPage: 1})
	if err != nil {
		return d, err
	}
	d.NeedsDropship, d.Exceptions = orders.Counts[TabNeedsDropship], orders.Counts[TabExceptions]
	for view, n := range map[string]*int{POViewLate: &d.LatePOs, POViewStale: &d.StalePOs} {
		if *n, err = db.purchaseOrderCount(ctx, merchantID, POFilter{View: view}); err != nil {
			return d, err
		}
	}
	if d.FailedUpdates, err = db.OutboxCount(ctx, merchantID, "failed"); err != nil {
		return d, err
	}
	return d, nil
}

// SupplierDashboard is what a supplier has to do today, and what it has earned.
type SupplierDashboard struct {
	ToAcknowledge int
	DueToday      int // to ship, promised by the end of today
	Late          int
	Balances      []Balance
}

// SupplierDashboardFilters are the queue filters behind each count.
var SupplierDashboardFilters = struct{ ToAcknowledge, DueToday, Late QueueFilter }{
	ToAcknowledge: QueueFilter{Tab: QueueToAcknowledge},
	DueToday:      QueueFilter{Tab: QueueToShip, DueToday: true},
	Late:          QueueFilter{Tab: QueueLate},
}

// SupplierDashboard counts the supplier's work and reads its balances.
func (db *DB) SupplierDashboard(ctx context.Context, supplierID int64) (SupplierDashboard, error) {
	var d SupplierDashboard
	f := SupplierDashboardFilters
	for _, c := range []struct {
		f QueueFilter
		n *int
	}{{f.ToAcknowledge, &d.ToAcknowledge}, {f.DueToday, &d.DueToday}, {f.Late, &d.Late}} {
		n, err := db.QueueTotal(ctx, supplierID, c.f)
		if err != nil {
			return d, err
		}
		*c.n = n
	}
	var err error
	if d.Balances, err = db.Balances(ctx, supplierID, 0); err != nil {
		return d, fmt.Errorf("store: dashboard: %w", err)
	}
	return d, nil
}
