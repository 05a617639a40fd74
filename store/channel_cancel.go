package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ChannelCancellation is an order's cancellation on the store it came from,
// and where its purchase orders stand.
type ChannelCancellation struct {
	At     time.Time
	Reason string // the platform's reason, "" when it gave none
	Store  string // the store's name, or the platform's when the order is linked to no store
	// Open are the POs whose cancellation can be requested (open, or
	// shipped in part, with no request waiting); Requested those whose
	// request waits for the supplier; Shipped those that shipped in full.
	Open, Requested, Shipped []string
}

// OrderChannelCancellation returns the cancellation on its store of one of
// the merchant's orders, nil when the store has not cancelled it.
func (db *DB) OrderChannelCancellation(ctx context.Context, merchantID, orderID int64) (*ChannelCancellation, error) {
	c, err := channelCancellation(ctx, db.read, merchantID, orderID)
	if err != nil {
		return nil, fmt.Errorf("store: order %d: %w", orderID, err)
	}
	return c, nil
}

func channelCancellation(ctx context.Context, q dbtx, merchantID, orderID int64) (*ChannelCancellation, error) {
	var kind string
	var at *time.Time
	var reason string
	var store sql.NullString
	err := q.QueryRowContext(ctx, `SELECT o.channel, o.channel_cancelled_at, o.channel_cancel_reason, s.name FROM orders o
		LEFT JOIN sales_channels s ON s.id = o.sales_channel_id WHERE o.id = ? AND o.account_id = ?`, orderID, merchantID).
		Scan(&kind, &at, &reason, &store)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil || at == nil {
		return nil, err
	}
	c := &ChannelCancellation{At: at.UTC(), Reason: reason, Store: store.String}
	if c.Store == "" {
		c.Store = channelName(kind)
	}
	rows, err := q.QueryContext(ctx, "SELECT po_number, status, cancel_state FROM purchase_orders WHERE order_id = ? AND account_id = ? ORDER BY id", orderID, merchantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var number, status, cancel string
		if err := rows.Scan(&number, &status, &cancel); err != nil {
			return nil, err
		}
		switch {
		case (status == POOpen || status == POPartiallyShipped) && cancel == "requested":
			c.Requested = append(c.Requested, number)
		case status == POOpen || status == POPartiallyShipped:
			c.Open = append(c.Open, number)
		case status == POShipped || status == PODelivered:
			c.Shipped = append(c.Shipped, number)
		}
	}
	return c, rows.Err()
}

// RequestChannelCancellation asks the suppliers, in one transaction, to
// cancel what has not shipped of every open PO of an order its store
// cancelled, giving the store's cancellation as the reason. It returns the
// POs asked; with none left to ask it is a conflict saying why.
func (db *DB) RequestChannelCancellation(ctx context.Context, actor Actor, merchantID, orderID int64) ([]string, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: request cancellation: %w", err)
	}
	defer tx.Rollback()
	c, err := channelCancellation(ctx, tx, merchantID, orderID)
	if err != nil {
		return nil, fmt.Errorf("store: order %d: %w", orderID, err)
	}
	if c == nil {
		return nil, Conflict("The store has not cancelled this order.")
	}
	if len(c.Open) == 0 {
		switch {
		case len(c.Requested) > 0:
			return nil, Conflict("Cancellation of " + strings.Join(c.Requested, ", ") + " was already requested; the supplier has not answered yet.")
		case len(c.Shipped) > 0:
			return nil, Conflict(strings.Join(c.Shipped, ", ") + " already shipped: nothing is left to cancel.")
		}
		return nil, Conflict("No purchase order of this order is open: nothing is left to cancel.")
	}
	reason := "Cancelled on the store " + c.Store
	if c.Reason != "" {
		reason += " (" + c.Reason + ")"
	}
	ids, err := queryIDs(ctx, tx, `SELECT id FROM purchase_orders WHERE order_id = ? AND account_id = ? AND status IN ('open', 'partially_shipped')
		AND cancel_state <> 'requested' ORDER BY id`, orderID, merchantID)
	if err != nil {
		return nil, fmt.Errorf("store: request cancellation: %w", err)
	}
	for _, id := range ids {
		if err := db.requestCancel(ctx, tx, actor, merchantID, id, reason); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: request cancellation: %w", err)
	}
	return c.Open, nil
}
