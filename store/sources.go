package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Source is where a merchant product's stock comes from: a supplier product
// reached through a subscription.
type Source struct {
	ID             int64
	ProductID      int64
	SubscriptionID int64
	Subscription   string
	SupplierID     int64
	SupplierName   string
	SupplierSKU    string
	Priority       int
	Available      int // the supplier's available quantity, as last pulled
	OnHand         int // the merchant's on-hand for this source (available − buffer in passive mode)
	Reserved       int
	CostCents      int64
	HasCost        bool
	Currency       string
	LeadTimeDays   int
	URL            string
	Missing        bool       // gone from the feed
	LastSuccess    *time.Time // when its feed last succeeded: freshness
	Stale          bool       // the feed has not succeeded for longer than allowed
	StaleAsZero    bool       // the subscription treats stale stock as zero
	InventoryMode  string
}

// Sellable is the stock this source lets the merchant sell now.
func (s Source) Sellable() int {
	if s.Missing || (s.Stale && s.StaleAsZero) {
		return 0
	}
	return max(s.OnHand-s.Reserved, 0)
}

// LinkedProduct is a merchant product with its sources, best first.
type LinkedProduct struct {
	Product
	Sources []Source
}

// Sellable is the merchant's available stock over all sources.
func (p LinkedProduct) Sellable() int {
	n := 0
	for _, s := range p.Sources {
		n += s.Sellable()
	}
	return n
}

// AnyStale reports whether a source's feed is stale.
func (p LinkedProduct) AnyStale() bool {
	for _, s := range p.Sources {
		if s.Stale {
			return true
		}
	}
	return false
}

const sourceSelect = `SELECT ps.id, ps.product_id, ps.subscription_id, s.name, coalesce(ps.supplier_id, 0), ps.supplier_name, ps.supplier_sku, ps.priority,
	ps.available, ps.on_hand, ps.reserved, ps.cost_cents, ps.currency, ps.lead_time_days, ps.url, ps.missing_since IS NOT NULL,
	s.last_success_at, s.stale_after_hours, s.stale_as_zero, s.inventory_mode
	FROM product_sources ps JOIN subscriptions s ON s.id = ps.subscription_id`

func (db *DB) scanSources(rows *sql.Rows) ([]Source, error) {
	defer rows.Close()
	now := db.now()
	var out []Source
	for rows.Next() {
		var s Source
		var cost sql.NullInt64
		var staleHours int
		if err := rows.Scan(&s.ID, &s.ProductID, &s.SubscriptionID, &s.Subscription, &s.SupplierID, &s.SupplierName, &s.SupplierSKU, &s.Priority,
			&s.Available, &s.OnHand, &s.Reserved, &cost, &s.Currency, &s.LeadTimeDays, &s.URL, &s.Missing,
			&s.LastSuccess, &staleHours, &s.StaleAsZero, &s.InventoryMode); err != nil {
			return nil, err
		}
		s.CostCents, s.HasCost = cost.Int64, cost.Valid
		s.Stale = s.LastSuccess == nil || now.Sub(*s.LastSuccess) > time.Duration(staleHours)*time.Hour
		out = append(out, s)
	}
	return out, rows.Err()
}

// LinkedProducts lists the acting merchant's products that have sources, with their sources.
func (db *DB) LinkedProducts(ctx context.Context, merchantID int64, f ProductFilter) (ProductPage, []LinkedProduct, error) {
	page, err := db.Products(ctx, merchantID, f)
	if err != nil {
		return page, nil, err
	}
	out := make([]LinkedProduct, len(page.Products))
	for i, p := range page.Products {
		out[i].Product = p
		rows, err := db.rq(ctx, sourceSelect+" WHERE ps.product_id = ? AND ps.account_id = ? ORDER BY ps.priority, ps.id", p.ID, merchantID)
		if err != nil {
			return page, nil, fmt.Errorf("store: sources: %w", err)
		}
		if out[i].Sources, err = db.scanSources(rows); err != nil {
			return page, nil, fmt.Errorf("store: sources: %w", err)
		}
	}
	return page, out, nil
}

// LinkedProduct returns one of the acting merchant's products with its sources.
func (db *DB) LinkedProduct(ctx context.Context, merchantID, productID int64) (LinkedProduct, error) {
	p, err := db.Product(ctx, merchantID, productID)
	if err != nil {
		return LinkedProduct{}, err
	}
	rows, err := db.rq(ctx, sourceSelect+" WHERE ps.product_id = ? AND ps.account_id = ? ORDER BY ps.priority, ps.id", productID, merchantID)
	if err != nil {
		return LinkedProduct{}, fmt.Errorf("store: sources: %w", err)
	}
	srcs, err := db.scanSources(rows)
	if err != nil {
		return LinkedProduct{}, fmt.Errorf("store: sources: %w", err)
	}
	return LinkedProduct{Product: p, Sources: srcs}, nil
}

// MoveSource raises (delta -1) or lowers (+1) a source in its product's priority order.
func (db *DB) MoveSource(ctx context.Context, actor Actor, merchantID, sourceID int64, delta int) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: move source: %w", err)
	}
	defer tx.Rollback()
	var productID int64
	err = tx.QueryRowContext(ctx, "SELECT product_id FROM product_sources WHERE id = ? AND account_id = ?", sourceID, merchantID).Scan(&productID)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: move source %d: %w", sourceID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: move source: %w", err)
	}
	order, err := queryIDs(ctx, tx, "SELECT id FROM product_sources WHERE product_id = ? ORDER BY priority, id", productID)
	if err != nil {
		return fmt.Errorf("store: move source: %w", err)
	}
	for i, id := range order {
		j := i + delta
		if id == sourceID && j >= 0 && j < len(order) {
			order[i], order[j] = order[j], order[i]
			break
		}
	}
	// Renumber 1..n so priorities stay dense.
	for i, id := range order {
		if _, err := tx.ExecContext(ctx, "UPDATE product_sources SET priority = ? WHERE id = ?", i+1, id); err != nil {
			return fmt.Errorf("store: move source: %w", err)
		}
	}
	if err := db.audit(ctx, tx, actor, merchantID, "source.reordered", "product", productID, fmt.Sprintf("source %d moved %+d", sourceID, delta)); err != nil {
		return fmt.Errorf("store: move source: %w", err)
	}
	return tx.Commit()
}

// SetSourceOnHand sets the merchant's on-hand for a source it manages actively.
func (db *DB) SetSourceOnHand(ctx context.Context, actor Actor, merchantID, sourceID int64, onHand int) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: set on hand: %w", err)
	}
	defer tx.Rollback()
	var mode string
	var productID int64
	err = tx.QueryRowContext(ctx, `SELECT s.inventory_mode, ps.product_id FROM product_sources ps JOIN subscriptions s ON s.id = ps.subscription_id
		WHERE ps.id = ? AND ps.account_id = ?`, sourceID, merchantID).Scan(&mode, &productID)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: set on hand %d: %w", sourceID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: set on hand: %w", err)
	}
	if mode != InventoryActive {
		return Conflict("This source's stock mirrors its feed (passive inventory). Switch the subscription to active inventory to edit it.")
	}
	if onHand < 0 {
		return FieldError("on_hand", "On hand cannot be negative.")
	}
	if _, err := tx.ExecContext(ctx, "UPDATE product_sources SET on_hand = ?, updated_at = ? WHERE id = ?", onHand, db.now(), sourceID); err != nil {
		return fmt.Errorf("store: set on hand: %w", err)
	}
	if err := db.audit(ctx, tx, actor, merchantID, "source.on_hand_set", "product", productID, fmt.Sprintf("source %d on hand %d", sourceID, onHand)); err != nil {
		return fmt.Errorf("store: set on hand: %w", err)
	}
	if err := markStockChanged(ctx, tx, merchantID); err != nil {
		return fmt.Errorf("store: set on hand: %w", err)
	}
	return tx.Commit()
}
