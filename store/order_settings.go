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
}

// OrderSettings returns the acting merchant's order settings.
func (db *DB) OrderSettings(ctx context.Context, merchantID int64) (OrderSettings, error) {
	var s OrderSettings
	var secret string
	err := db.rqRow(ctx, "SELECT lead_time_limit_days, shopify_webhook_secret FROM accounts WHERE id = ?", merchantID).Scan(&s.LeadTimeLimitDays, &secret)
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

// ShopifySecret returns the Shopify webhook secret of the merchant with this public ID.
func (db *DB) ShopifySecret(ctx context.Context, publicID string) (Account, string, error) {
	a, err := db.AccountByPublicID(ctx, publicID)
	if err != nil {
		return Account{}, "", err
	}
	var secret string
	if err := db.rqRow(ctx, "SELECT shopify_webhook_secret FROM accounts WHERE id = ?", a.ID).Scan(&secret); err != nil {
		return Account{}, "", fmt.Errorf("store: shopify secret: %w", err)
	}
	return a, secret, nil
}
