package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Vendor link states.
const (
	LinkPending = "pending"
	LinkActive  = "active"
	LinkPaused  = "paused"
	LinkEnded   = "ended"
)

// VendorLink is a relation supplier → merchant over which orders route.
type VendorLink struct {
	ID           int64
	SupplierID   int64
	SupplierName string
	SupplierPID  string
	MerchantID   int64
	MerchantName string
	MerchantPID  string
	State        string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

const linkSelect = `SELECT l.id, l.supplier_id, s.name, s.public_id, l.merchant_id, m.name, m.public_id, l.state, l.created_at, l.updated_at
	FROM vendor_links l JOIN accounts s ON s.id = l.supplier_id JOIN accounts m ON m.id = l.merchant_id`

func scanLink(row interface{ Scan(...any) error }) (VendorLink, error) {
	var l VendorLink
	err := row.Scan(&l.ID, &l.SupplierID, &l.SupplierName, &l.SupplierPID, &l.MerchantID, &l.MerchantName, &l.MerchantPID, &l.State, &l.CreatedAt, &l.UpdatedAt)
	return l, err
}

func queryLinks(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, where string, args ...any) ([]VendorLink, error) {
	rows, err := q.QueryContext(ctx, linkSelect+" "+where+" ORDER BY l.id DESC", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []VendorLink
	for rows.Next() {
		l, err := scanLink(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// CreateLink makes an active link between a supplier and a merchant account,
// as the platform admin or the CLI does. A live link between the two is made
// active and returned rather than duplicated.
func (db *DB) CreateLink(ctx context.Context, actor Actor, supplierID, merchantID int64) (VendorLink, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return VendorLink{}, fmt.Errorf("store: create link: %w", err)
	}
	defer tx.Rollback()
	sup, err := scanAccount(tx.QueryRowContext(ctx, "SELECT "+accountColumns+" FROM accounts WHERE id = ?", supplierID))
	if errors.Is(err, sql.ErrNoRows) {
		return VendorLink{}, FieldError("supplier", fmt.Sprintf("No account %d.", supplierID))
	} else if err != nil {
		return VendorLink{}, fmt.Errorf("store: create link: %w", err)
	}
	mer, err := scanAccount(tx.QueryRowContext(ctx, "SELECT "+accountColumns+" FROM accounts WHERE id = ?", merchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return VendorLink{}, FieldError("merchant", fmt.Sprintf("No account %d.", merchantID))
	} else if err != nil {
		return VendorLink{}, fmt.Errorf("store: create link: %w", err)
	}
	c := checks{}
	c.check(sup.IsSupplier(), "supplier", sup.Name+" is not a supplier account.")
	c.check(mer.IsMerchant(), "merchant", mer.Name+" is not a merchant account.")
	c.check(sup.ID != mer.ID, "merchant", "An account cannot link to itself.")
	if err := c.err(); err != nil {
		return VendorLink{}, err
	}
	now := db.now()
	var id int64
	var state string
	err = tx.QueryRowContext(ctx, "SELECT id, state FROM vendor_links WHERE supplier_id = ? AND merchant_id = ? AND state <> 'ended'", supplierID, merchantID).Scan(&id, &state)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := tx.ExecContext(ctx, "INSERT INTO vendor_links (supplier_id, merchant_id, state, created_at, updated_at) VALUES (?, ?, 'active', ?, ?)",
			supplierID, merchantID, now, now)
		if err != nil {
			return VendorLink{}, fmt.Errorf("store: create link: %w", err)
		}
		id, _ = res.LastInsertId()
		detail := fmt.Sprintf("%s → %s", sup.PublicID, mer.PublicID)
		for _, acc := range []int64{supplierID, merchantID} {
			if err := db.audit(ctx, tx, actor, acc, "link.created", "vendor_link", id, detail); err != nil {
				return VendorLink{}, fmt.Errorf("store: create link: %w", err)
			}
		}
	case err != nil:
		return VendorLink{}, fmt.Errorf("store: create link: %w", err)
	case state != LinkActive:
		if _, err := tx.ExecContext(ctx, "UPDATE vendor_links SET state = 'active', updated_at = ? WHERE id = ?", now, id); err != nil {
			return VendorLink{}, fmt.Errorf("store: create link: %w", err)
		}
		for _, acc := range []int64{supplierID, merchantID} {
			if err := db.audit(ctx, tx, actor, acc, "link.activated", "vendor_link", id, state+" → active"); err != nil {
				return VendorLink{}, fmt.Errorf("store: create link: %w", err)
			}
		}
	}
	l, err := scanLink(tx.QueryRowContext(ctx, linkSelect+" WHERE l.id = ?", id))
	if err != nil {
		return VendorLink{}, fmt.Errorf("store: create link: %w", err)
	}
	return l, tx.Commit()
}

// AccountLinks lists the links the acting account stands on, either side.
func (db *DB) AccountLinks(ctx context.Context, accountID int64) ([]VendorLink, error) {
	ls, err := queryLinks(ctx, db.read, "WHERE l.supplier_id = ? OR l.merchant_id = ?", accountID, accountID)
	if err != nil {
		return nil, fmt.Errorf("store: links of %d: %w", accountID, err)
	}
	return ls, nil
}

// AllLinks lists every link, for the platform admin.
func (db *DB) AllLinks(ctx context.Context) ([]VendorLink, error) {
	ls, err := queryLinks(ctx, db.read, "")
	if err != nil {
		return nil, fmt.Errorf("store: links: %w", err)
	}
	return ls, nil
}
