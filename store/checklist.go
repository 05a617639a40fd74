package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Checklist is a new account's first steps, each done or not, read from
// what the account holds: the dashboard shows it until every step is done
// or an admin hides it.
type Checklist struct {
	// Merchant steps (all false for a supplier-only account).
	LinkedSupplier, Subscribed, ChannelConnected, FirstOrder, FirstDropship bool
	// Supplier steps (all false for a merchant-only account).
	InitialStatus, FeedPublished, MerchantInvited, FirstShipment bool
	// Dismissed is set once an admin hid the checklist.
	Dismissed bool
}

// FirstRunChecklist reads which first steps the account has taken.
func (db *DB) FirstRunChecklist(ctx context.Context, accountID int64) (Checklist, error) {
	var c Checklist
	var kind string
	var initial sql.NullInt64
	var dismissed sql.NullTime
	err := db.rqRow(ctx, "SELECT kind, initial_status_id, checklist_dismissed_at FROM accounts WHERE id = ?", accountID).Scan(&kind, &initial, &dismissed)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("store: checklist of %d: %w", accountID, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("store: checklist of %d: %w", accountID, err)
	}
	c.Dismissed = dismissed.Valid
	acc := Account{Kind: kind}
	exists := func(dst *bool, q string) {
		if err != nil {
			return
		}
		err = db.rqRow(ctx, "SELECT EXISTS ("+q+")", accountID).Scan(dst)
	}
	if acc.IsMerchant() {
		// A supplier outside Dropline counts: it is a link the merchant made.
		exists(&c.LinkedSupplier, "SELECT 1 FROM vendor_links WHERE merchant_id = ? AND state = 'active'")
		exists(&c.Subscribed, "SELECT 1 FROM subscriptions WHERE account_id = ?")
		exists(&c.ChannelConnected, "SELECT 1 FROM sales_channels WHERE account_id = ?")
		exists(&c.FirstOrder, "SELECT 1 FROM orders WHERE account_id = ?")
		exists(&c.FirstDropship, "SELECT 1 FROM purchase_orders WHERE account_id = ?")
	}
	if acc.IsSupplier() {
		c.InitialStatus = initial.Valid
		exists(&c.FeedPublished, "SELECT 1 FROM feeds WHERE account_id = ? AND archived_at IS NULL")
		// An invitation counts as soon as it is sent.
		exists(&c.MerchantInvited, "SELECT 1 FROM vendor_links WHERE supplier_id = ? AND state <> 'ended'")
		exists(&c.FirstShipment, "SELECT 1 FROM shipments WHERE supplier_id = ?")
	}
	if err != nil {
		return c, fmt.Errorf("store: checklist of %d: %w", accountID, err)
	}
	return c, nil
}

// DismissChecklist hides the account's first-run checklist from its dashboard.
func (db *DB) DismissChecklist(ctx context.Context, actor Actor, accountID int64) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: dismiss checklist: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "UPDATE accounts SET checklist_dismissed_at = ? WHERE id = ? AND checklist_dismissed_at IS NULL", db.now(), accountID)
	if err != nil {
		return fmt.Errorf("store: dismiss checklist: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // hidden already, or no such account: nothing to do
	}
	if err := db.audit(ctx, tx, actor, accountID, "account.checklist_hidden", "account", accountID, ""); err != nil {
		return fmt.Errorf("store: dismiss checklist: %w", err)
	}
	return tx.Commit()
}
