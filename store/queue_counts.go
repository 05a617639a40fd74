package store

import (
	"context"
	"fmt"
)

// A PO's place in the supplier queue's tabs that do not depend on the clock
// is kept in purchase_orders.queue_flags and summed per supplier in
// supplier_queue_counts: every PO is in All; these bits say Shipped and
// Exceptions. queueFlagsExpr must agree with queueCond.
const (
	queueFlagShipped    = 1
	queueFlagExceptions = 2
)

const queueFlagsExpr = `((po.status IN ('shipped', 'delivered')) | ((po.cancel_state = 'requested' OR po.status IN ('rejected', 'cancelled')
	OR EXISTS (SELECT 1 FROM po_lines x WHERE x.po_id = po.id AND x.status = 'rejected')) << 1))`

// requeue brings a PO's kept queue flags, and its supplier's tab counts, up
// to date after a change to its status, cancellation or lines. Every change
// to those calls it in the change's transaction; CheckInvariants holds the
// counts to a recount.
func requeue(ctx context.Context, tx dbtx, poID int64) error {
	var supplierID int64
	var was, is int
	err := tx.QueryRowContext(ctx, "SELECT po.supplier_id, po.queue_flags, "+queueFlagsExpr+" FROM purchase_orders po WHERE po.id = ?", poID).Scan(&supplierID, &was, &is)
	if err != nil {
		return fmt.Errorf("queue flags of PO %d: %w", poID, err)
	}
	if was == is {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "UPDATE purchase_orders SET queue_flags = ? WHERE id = ?", is, poID); err != nil {
		return fmt.Errorf("queue flags of PO %d: %w", poID, err)
	}
	for _, f := range []struct {
		bit int
		tab string
	}{{queueFlagShipped, QueueShipped}, {queueFlagExceptions, QueueExceptions}} {
		switch {
		case was&f.bit == 0 && is&f.bit != 0:
			err = bumpQueue(ctx, tx, supplierID, f.tab, 1)
		case was&f.bit != 0 && is&f.bit == 0:
			err = bumpQueue(ctx, tx, supplierID, f.tab, -1)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// bumpQueue changes a supplier's kept count of a tab. A count going below
// zero breaks the table's check: a bug, not something to hide. (SQLite
// checks the row to insert before the conflict, hence max in VALUES.)
func bumpQueue(ctx context.Context, tx dbtx, supplierID int64, tab string, delta int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO supplier_queue_counts (supplier_id, tab, n) VALUES (?, ?, max(?, 0))
		ON CONFLICT (supplier_id, tab) DO UPDATE SET n = n + ?`, supplierID, tab, delta, delta)
	if err != nil {
		return fmt.Errorf("queue counts: %w", err)
	}
	return nil
}
