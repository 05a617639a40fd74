package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// SystemStatuses are the fixed states beside every supplier's own statuses.
var SystemStatuses = []string{"Shipped", "Delivered", "Cancelled", "Rejected"}

// defaultStatuses are every new supplier's starting list. None is the
// initial status until the supplier picks one.
var defaultStatuses = []string{"New", "Processing", "Awaiting stock", "Ready to ship"}

// SupplierStatus is one of a supplier's own statuses for incoming dropship orders.
type SupplierStatus struct {
	ID       int64
	Name     string
	Position int
	Retired  bool
	Initial  bool
}

func (db *DB) addDefaultStatuses(ctx context.Context, tx dbtx, accountID int64) error {
	for i, name := range defaultStatuses {
		if _, err := tx.ExecContext(ctx, "INSERT INTO supplier_statuses (account_id, name, position, created_at) VALUES (?, ?, ?, ?)",
			accountID, name, i+1, db.now()); err != nil {
			return err
		}
	}
	return nil
}

// SupplierStatuses lists the acting supplier's statuses: active ones in order, then retired ones.
func (db *DB) SupplierStatuses(ctx context.Context, accountID int64) ([]SupplierStatus, error) {
	rows, err := db.rq(ctx, `SELECT s.id, s.name, s.position, s.retired_at IS NOT NULL, CASE WHEN a.initial_status_id = s.id THEN 1 ELSE 0 END
		FROM supplier_statuses s JOIN accounts a ON a.id = s.account_id
		WHERE s.account_id = ? ORDER BY s.retired_at IS NOT NULL, s.position, s.id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("store: statuses of %d: %w", accountID, err)
	}
	defer rows.Close()
	var out []SupplierStatus
	for rows.Next() {
		var s SupplierStatus
		if err := rows.Scan(&s.ID, &s.Name, &s.Position, &s.Retired, &s.Initial); err != nil {
			return nil, fmt.Errorf("store: statuses of %d: %w", accountID, err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func checkStatusName(ctx context.Context, tx dbtx, accountID, exceptID int64, name string) error {
	c := checks{}
	c.check(name != "", "name", "Enter a name for the status.")
	c.check(len(name) <= 50, "name", "Use at most 50 characters.")
	for _, sys := range SystemStatuses {
		c.check(!strings.EqualFold(name, sys), "name", sys+" is a fixed system state; choose another name.")
	}
	if err := c.err(); err != nil {
		return err
	}
	var taken bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM supplier_statuses WHERE account_id = ? AND id <> ? AND lower(name) = lower(?))",
		accountID, exceptID, name).Scan(&taken); err != nil {
		return err
	}
	if taken {
		return FieldError("name", "There is already a status called "+name+".")
	}
	return nil
}

// supplierTx starts a transaction on a supplier account's statuses.
func (db *DB) supplierTx(ctx context.Context, accountID int64) (*writeTx, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	a, err := accountIn(ctx, tx, accountID)
	if err == nil && !a.IsSupplier() {
		err = fmt.Errorf("account %d is not a supplier: %w", accountID, ErrNotFound)
	}
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
}

// AddSupplierStatus adds a status at the end of the acting supplier's list.
func (db *DB) AddSupplierStatus(ctx context.Context, actor Actor, accountID int64, name string) (SupplierStatus, error) {
	name = strings.TrimSpace(name)
	tx, err := db.supplierTx(ctx, accountID)
	if err != nil {
		return SupplierStatus{}, fmt.Errorf("store: add status: %w", err)
	}
	defer tx.Rollback()
	if err := checkStatusName(ctx, tx, accountID, 0, name); err != nil {
		return SupplierStatus{}, err
	}
	var pos int
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(position), 0) + 1 FROM supplier_statuses WHERE account_id = ?", accountID).Scan(&pos); err != nil {
		return SupplierStatus{}, fmt.Errorf("store: add status: %w", err)
	}
	res, err := execInsert(ctx, tx, "INSERT INTO supplier_statuses (account_id, name, position, created_at) VALUES (?, ?, ?, ?)", accountID, name, pos, db.now())
	if err != nil {
		return SupplierStatus{}, fmt.Errorf("store: add status: %w", err)
	}
	id, _ := res.LastInsertId()
	if err := db.audit(ctx, tx, actor, accountID, "status.added", "supplier_status", id, name); err != nil {
		return SupplierStatus{}, fmt.Errorf("store: add status: %w", err)
	}
	return SupplierStatus{ID: id, Name: name, Position: pos}, tx.Commit()
}

func statusOf(ctx context.Context, tx dbtx, accountID, statusID int64) (SupplierStatus, error) {
	var s SupplierStatus
	err := tx.QueryRowContext(ctx, `SELECT s.id, s.name, s.position, s.retired_at IS NOT NULL, CASE WHEN a.initial_status_id = s.id THEN 1 ELSE 0 END
		FROM supplier_statuses s JOIN accounts a ON a.id = s.account_id WHERE s.id = ? AND s.account_id = ?`, statusID, accountID).
		Scan(&s.ID, &s.Name, &s.Position, &s.Retired, &s.Initial)
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("status %d: %w", statusID, ErrNotFound)
	}
	return s, err
}

// RenameSupplierStatus renames one of the acting supplier's statuses.
func (db *DB) RenameSupplierStatus(ctx context.Context, actor Actor, accountID, statusID int64, name string) error {
	name = strings.TrimSpace(name)
	tx, err := db.supplierTx(ctx, accountID)
	if err != nil {
		return fmt.Errorf("store: rename status: %w", err)
	}
	defer tx.Rollback()
	s, err := statusOf(ctx, tx, accountID, statusID)
	if err != nil {
		return fmt.Errorf("store: rename status: %w", err)
	}
	if err := checkStatusName(ctx, tx, accountID, statusID, name); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE supplier_statuses SET name = ? WHERE id = ?", name, statusID); err != nil {
		return fmt.Errorf("store: rename status: %w", err)
	}
	if err := db.audit(ctx, tx, actor, accountID, "status.renamed", "supplier_status", statusID, s.Name+" → "+name); err != nil {
		return fmt.Errorf("store: rename status: %w", err)
	}
	return tx.Commit()
}

// MoveSupplierStatus swaps a status with its active neighbour above (delta -1) or below (+1).
func (db *DB) MoveSupplierStatus(ctx context.Context, actor Actor, accountID, statusID int64, delta int) error {
	tx, err := db.supplierTx(ctx, accountID)
	if err != nil {
		return fmt.Errorf("store: move status: %w", err)
	}
	defer tx.Rollback()
	s, err := statusOf(ctx, tx, accountID, statusID)
	if err != nil {
		return fmt.Errorf("store: move status: %w", err)
	}
	if s.Retired {
		return Conflict("Restore the status before moving it.")
	}
	q := "SELECT id, position FROM supplier_statuses WHERE account_id = ? AND retired_at IS NULL AND position < ? ORDER BY position DESC LIMIT 1"
	if delta > 0 {
		q = "SELECT id, position FROM supplier_statuses WHERE account_id = ? AND retired_at IS NULL AND position > ? ORDER BY position LIMIT 1"
	}
	var otherID int64
	var otherPos int
	err = tx.QueryRowContext(ctx, q, accountID, s.Position).Scan(&otherID, &otherPos)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // already first or last
	}
	if err != nil {
		return fmt.Errorf("store: move status: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE supplier_statuses SET position = CASE id WHEN ? THEN CAST(? AS BIGINT) ELSE CAST(? AS BIGINT) END WHERE id IN (?, ?)",
		statusID, otherPos, s.Position, statusID, otherID); err != nil {
		return fmt.Errorf("store: move status: %w", err)
	}
	dir := "up"
	if delta > 0 {
		dir = "down"
	}
	if err := db.audit(ctx, tx, actor, accountID, "status.moved", "supplier_status", statusID, s.Name+" "+dir); err != nil {
		return fmt.Errorf("store: move status: %w", err)
	}
	return tx.Commit()
}

// RetireSupplierStatus takes a status out of use; the initial status cannot be retired.
func (db *DB) RetireSupplierStatus(ctx context.Context, actor Actor, accountID, statusID int64) error {
	return db.setStatusRetired(ctx, actor, accountID, statusID, true)
}

// RestoreSupplierStatus puts a retired status back in use.
func (db *DB) RestoreSupplierStatus(ctx context.Context, actor Actor, accountID, statusID int64) error {
	return db.setStatusRetired(ctx, actor, accountID, statusID, false)
}

func (db *DB) setStatusRetired(ctx context.Context, actor Actor, accountID, statusID int64, retire bool) error {
	tx, err := db.supplierTx(ctx, accountID)
	if err != nil {
		return fmt.Errorf("store: retire status: %w", err)
	}
	defer tx.Rollback()
	s, err := statusOf(ctx, tx, accountID, statusID)
	if err != nil {
		return fmt.Errorf("store: retire status: %w", err)
	}
	if s.Retired == retire {
		return nil
	}
	if retire && s.Initial {
		return Conflict(s.Name + " is the status new dropship orders start in: choose another initial status first.")
	}
	var retiredAt any
	action := "status.restored"
	if retire {
		retiredAt, action = db.now(), "status.retired"
	}
	if _, err := tx.ExecContext(ctx, "UPDATE supplier_statuses SET retired_at = ? WHERE id = ?", retiredAt, statusID); err != nil {
		return fmt.Errorf("store: retire status: %w", err)
	}
	if err := db.audit(ctx, tx, actor, accountID, action, "supplier_status", statusID, s.Name); err != nil {
		return fmt.Errorf("store: retire status: %w", err)
	}
	return tx.Commit()
}

// SetInitialStatus chooses the status new dropship orders start in; 0 clears
// it, and then the supplier takes no dropship orders.
func (db *DB) SetInitialStatus(ctx context.Context, actor Actor, accountID, statusID int64) error {
	tx, err := db.supplierTx(ctx, accountID)
	if err != nil {
		return fmt.Errorf("store: initial status: %w", err)
	}
	defer tx.Rollback()
	var value any
	detail := "none: dropship orders are not accepted"
	if statusID != 0 {
		s, err := statusOf(ctx, tx, accountID, statusID)
		if errors.Is(err, ErrNotFound) {
			return FieldError("status_id", "Choose one of this account's statuses.")
		}
		if err != nil {
			return fmt.Errorf("store: initial status: %w", err)
		}
		if s.Retired {
			return FieldError("status_id", s.Name+" is retired; restore it first.")
		}
		value, detail = statusID, s.Name
	}
	if _, err := tx.ExecContext(ctx, "UPDATE accounts SET initial_status_id = ? WHERE id = ?", value, accountID); err != nil {
		return fmt.Errorf("store: initial status: %w", err)
	}
	if err := db.audit(ctx, tx, actor, accountID, "status.initial_set", "account", accountID, detail); err != nil {
		return fmt.Errorf("store: initial status: %w", err)
	}
	return tx.Commit()
}
