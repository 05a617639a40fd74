package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// OrderSettings are a merchant's order-intake and dropship rules.
type OrderSettings struct {
	LeadTimeLimitDays int
	HasShopifySecret  bool
	// A supplier's deadlines: acknowledge a released PO within AckSLAHours,
	// and a PO with no tracking after StaleAfterDays is no longer chased.
	AckSLAHours    int
	StaleAfterDays int
}

// Bounds of a supplier's deadlines.
const (
	MaxAckSLAHours    = 720
	MaxStaleAfterDays = 365
)

// OrderSettings returns the acting merchant's order settings.
func (db *DB) OrderSettings(ctx context.Context, merchantID int64) (OrderSettings, error) {
	var s OrderSettings
	var secret string
	err := db.rqRow(ctx, "SELECT lead_time_limit_days, shopify_webhook_secret, ack_sla_hours, stale_after_days FROM accounts WHERE id = ?", merchantID).
		Scan(&s.LeadTimeLimitDays, &secret, &s.AckSLAHours, &s.StaleAfterDays)
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("store: order settings %d: %w", merchantID, ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("store: order settings: %w", err)
	}
	s.HasShopifySecret = secret != ""
	return s, nil
}

// UpdateOrderSettings sets the lead time limit and, when secret is not empty, the Shopify webhook secret.
func (db *DB) UpdateOrderSettings(ctx context.Context, actor Actor, merchantID int64, leadLimit int, secret string) error {
	c := checks{}
	c.check(leadLimit >= 0 && leadLimit <= MaxLeadTimeDays, "lead_time_limit_days", fmt.Sprintf("Use 0 to %d days.", MaxLeadTimeDays))
	c.check(len(secret) <= 200, "shopify_secret", "Use at most 200 characters.")
	if err := c.err(); err != nil {
		return err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: order settings: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "UPDATE accounts SET lead_time_limit_days = ?, shopify_webhook_secret = CASE WHEN ? = '' THEN shopify_webhook_secret ELSE ? END WHERE id = ?",
		leadLimit, secret, secret, merchantID)
	if err != nil {
		return fmt.Errorf("store: order settings: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: order settings %d: %w", merchantID, ErrNotFound)
	}
	detail := fmt.Sprintf("lead time limit %d days", leadLimit)
	if secret != "" {
		detail += "; Shopify webhook secret replaced"
	}
	if err := db.audit(ctx, tx, actor, merchantID, "orders.settings", "account", merchantID, detail); err != nil {
		return fmt.Errorf("store: order settings: %w", err)
	}
	return tx.Commit()
}

// UpdateSupplierDeadlines sets how long the acting supplier has to
// acknowledge a PO and after how many days without tracking a PO is stale.
// Its POs' Late and Stale tabs follow at once.
func (db *DB) UpdateSupplierDeadlines(ctx context.Context, actor Actor, supplierID int64, ackHours, staleDays int) error {
	c := checks{}
	c.check(ackHours >= 1 && ackHours <= MaxAckSLAHours, "ack_sla_hours", fmt.Sprintf("Use 1 to %d hours.", MaxAckSLAHours))
	c.check(staleDays >= 1 && staleDays <= MaxStaleAfterDays, "stale_after_days", fmt.Sprintf("Use 1 to %d days.", MaxStaleAfterDays))
	if err := c.err(); err != nil {
		return err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: supplier deadlines: %w", err)
	}
	defer tx.Rollback()
	if err := db.setDeadlines(ctx, tx, actor, supplierID, ackHours, staleDays); err != nil {
		return err
	}
	return tx.Commit()
}

// setDeadlines writes a supplier's deadlines and requeues its open POs.
func (db *DB) setDeadlines(ctx context.Context, tx dbtx, actor Actor, supplierID int64, ackHours, staleDays int) error {
	var before OrderSettings
	err := tx.QueryRowContext(ctx, "SELECT ack_sla_hours, stale_after_days FROM accounts WHERE id = ? AND kind IN (?, ?)", supplierID, KindSupplier, KindBoth).
		Scan(&before.AckSLAHours, &before.StaleAfterDays)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: supplier deadlines %d: %w", supplierID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: supplier deadlines: %w", err)
	}
	if before.AckSLAHours == ackHours && before.StaleAfterDays == staleDays {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "UPDATE accounts SET ack_sla_hours = ?, stale_after_days = ? WHERE id = ?", ackHours, staleDays, supplierID); err != nil {
		return fmt.Errorf("store: supplier deadlines: %w", err)
	}
	// Every open PO's Late and Stale flags follow the new deadlines.
	ids, err := queryIDs(ctx, tx, "SELECT id FROM purchase_orders WHERE supplier_id = ? AND status IN ('open', 'partially_shipped')", supplierID)
	if err != nil {
		return fmt.Errorf("store: supplier deadlines: %w", err)
	}
	if len(ids) > 0 {
		if err := db.requeuePOs(ctx, tx, ids, nil); err != nil {
			return fmt.Errorf("store: supplier deadlines: %w", err)
		}
	}
	detail := fmt.Sprintf("acknowledge within %d h (was %d); stale after %d days without tracking (was %d)", ackHours, before.AckSLAHours, staleDays, before.StaleAfterDays)
	if err := db.audit(ctx, tx, actor, supplierID, "orders.deadlines", "account", supplierID, detail); err != nil {
		return fmt.Errorf("store: supplier deadlines: %w", err)
	}
	return nil
}

// ShopifySecret returns the Shopify webhook secret of the merchant with this public ID.
func (db *DB) ShopifySecret(ctx context.Context, publicID string) (Account, string, error) {
	a, err := db.AccountByPublicID(ctx, publicID)
	if err != nil {
		return Account{}, "", err
	}
	if a.Disabled() {
		// A disabled account takes no orders: the store retries, and a
		// pull after it is enabled brings what it missed.
		return Account{}, "", fmt.Errorf("store: shopify secret: %w", ErrNotFound)
	}
	var secret string
	if err := db.rqRow(ctx, "SELECT shopify_webhook_secret FROM accounts WHERE id = ?", a.ID).Scan(&secret); err != nil {
		return Account{}, "", fmt.Errorf("store: shopify secret: %w", err)
	}
	return a, secret, nil
}
