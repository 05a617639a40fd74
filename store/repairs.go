package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// repairs put right, once, data that earlier versions wrote under rules
// that have changed since. Each runs in one transaction with its row in
// store_repairs, so it is done exactly once: a start that stops half-way
// does it again on the next.
var repairs = []struct {
	name string
	run  func(db *DB, ctx context.Context, tx dbtx) error
}{
	// A declined cancellation used to keep an order in Exceptions.
	{"declined-cancellations-refiled", (*DB).refileDeclinedCancellations},
	// Rejected and cancelled POs used to sit in the supplier's Exceptions.
	{"settled-exceptions-requeued", (*DB).requeueSettledExceptions},
	// Two feeds of one supplier used to make two sources of one product.
	{"duplicate-sources-merged", (*DB).mergeDuplicateSources},
	// A typed PO number used not to move the sequence.
	{"po-sequences-caught-up", (*DB).catchUpAllSequences},
}

// repair runs each repair not yet done.
func (db *DB) repair(ctx context.Context) error {
	for _, r := range repairs {
		if err := db.repairOnce(ctx, r.name, r.run); err != nil {
			return fmt.Errorf("repair %s: %w", r.name, err)
		}
	}
	return nil
}

func (db *DB) repairOnce(ctx context.Context, name string, run func(*DB, context.Context, dbtx) error) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var done bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM store_repairs WHERE name = ?)", name).Scan(&done); err != nil || done {
		return err
	}
	if err := run(db, ctx, tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO store_repairs (name, done_at) VALUES (?, ?)", name, db.now()); err != nil {
		return err
	}
	return tx.Commit()
}

// refileDeclinedCancellations refiles the orders of POs whose cancellation
// was declined: a declined cancellation needs nobody's action.
func (db *DB) refileDeclinedCancellations(ctx context.Context, tx dbtx) error {
	orders := map[int64]int64{}
	if err := eachRow(ctx, tx, "SELECT DISTINCT order_id, account_id FROM purchase_orders WHERE cancel_state = 'declined'", nil, func(rows *sql.Rows) error {
		var id, acc int64
		if err := rows.Scan(&id, &acc); err != nil {
			return err
		}
		orders[id] = acc
		return nil
	}); err != nil {
		return err
	}
	if len(orders) == 0 {
		return nil
	}
	return db.refreshOrders(ctx, tx, orders)
}

// requeueSettledExceptions requeues the POs that sat in the supplier's
// Exceptions only for being rejected or cancelled: Exceptions now holds
// only cancellations to answer.
func (db *DB) requeueSettledExceptions(ctx context.Context, tx dbtx) error {
	ids, err := queryIDs(ctx, tx, "SELECT id FROM purchase_orders WHERE queue_flags & 2 <> 0 AND cancel_state <> 'requested'")
	if err != nil {
		return err
	}
	for part := range slices.Chunk(ids, 1000) {
		if err := db.requeuePOs(ctx, tx, part, nil); err != nil {
			return err
		}
	}
	return nil
}

// mergeDuplicateSources folds each set of sources of one supplier product
// at one merchant into the oldest: its PO lines and their reservations move
// to it, and the others go.
func (db *DB) mergeDuplicateSources(ctx context.Context, tx dbtx) error {
	type dup struct{ keep, gone int64 }
	var dups []dup
	if err := eachRow(ctx, tx, `SELECT k.keep, ps.id FROM product_sources ps JOIN (
			SELECT account_id, supplier_id, supplier_sku, min(id) AS keep FROM product_sources WHERE supplier_id IS NOT NULL
			GROUP BY account_id, supplier_id, supplier_sku HAVING count(*) > 1) k
		ON k.account_id = ps.account_id AND k.supplier_id = ps.supplier_id AND k.supplier_sku = ps.supplier_sku AND ps.id <> k.keep
		ORDER BY ps.id`, nil, func(rows *sql.Rows) error {
		var d dup
		if err := rows.Scan(&d.keep, &d.gone); err != nil {
			return err
		}
		dups = append(dups, d)
		return nil
	}); err != nil {
		return err
	}
	for _, d := range dups {
		for _, st := range []struct {
			q    string
			args []any
		}{
			{"UPDATE product_sources SET reserved = reserved + (SELECT reserved FROM product_sources WHERE id = ?2) WHERE id = ?1", []any{d.keep, d.gone}},
			{"UPDATE po_lines SET source_id = ?1 WHERE source_id = ?2", []any{d.keep, d.gone}},
			{"DELETE FROM product_sources WHERE id = ?", []any{d.gone}},
		} {
			if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
				return err
			}
		}
	}
	return nil
}

// catchUpAllSequences moves each merchant's PO sequence past the numbers
// used in its sequence formats before the sequence followed typed numbers.
func (db *DB) catchUpAllSequences(ctx context.Context, tx dbtx) error {
	ids, err := queryIDs(ctx, tx, "SELECT DISTINCT merchant_id FROM vendor_links WHERE po_format = 'sequence' ORDER BY merchant_id")
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := catchUpSequence(ctx, tx, id); err != nil {
			return err
		}
	}
	return nil
}
