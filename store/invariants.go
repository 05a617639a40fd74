package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// invariants are the domain rules every committed state keeps. Each query
// returns one row per breach, described in its first column; none may return
// a row. They are what the crash, backup and property tests check after
// the fact, and what `dropline check` reports on a live database.
var invariants = []struct{ name, query string }{
	// One supplier product is one source, however many of the supplier's
	// feeds the merchant pulls: two would count its stock twice.
	{"supplier product counted twice", `SELECT 'merchant ' || account_id || ': ' || count(*) || ' sources of supplier ' || supplier_id || ' SKU ' || supplier_sku
		FROM product_sources WHERE supplier_id IS NOT NULL GROUP BY account_id, supplier_id, supplier_sku HAVING count(*) > 1`},
	// The sequence is past every used number written in one of the
	// merchant's sequence formats (sequenceOf), so none is proposed again.
	{"PO sequence behind a used number", `SELECT DISTINCT 'merchant ' || a.id || ': sequence ' || a.po_sequence || ', used ' || po.po_number
		FROM vendor_links l JOIN accounts a ON a.id = l.merchant_id
		JOIN purchase_orders po ON po.account_id = l.merchant_id AND substr(po.po_number, 1, length(l.po_prefix)) = l.po_prefix
		WHERE l.po_format = 'sequence' AND length(po.po_number) - length(l.po_prefix) BETWEEN 1 AND 9
		AND ltrim(substr(po.po_number, length(l.po_prefix) + 1), '0123456789') = ''
		AND CAST(substr(po.po_number, length(l.po_prefix) + 1) AS INTEGER) > a.po_sequence`},
	{"PO without lines", `SELECT 'PO ' || po.id FROM purchase_orders po
		WHERE NOT EXISTS (SELECT 1 FROM po_lines pl WHERE pl.po_id = po.id)`},
	// poCounts.status, recounted: saving shipments settles POs from what it
	// took off them in memory, not from a read of what it wrote. Spelled
	// out rather than with keptPart, so the rule is checked, not shared: a
	// line cancelled or rejected after shipping in part counts as shipped.
	{"PO status differs from its lines and shipments", `SELECT 'PO ' || po.id || ' is ' || po.status || ', its lines and shipments make it ' || w.status
		FROM purchase_orders po JOIN (SELECT l.po_id, CASE
			WHEN l.rejected = l.total THEN 'rejected'
			WHEN l.cancelled + l.rejected = l.total THEN 'cancelled'
			WHEN l.open = 0 AND l.full > 0 AND coalesce(s.n, 0) > 0 AND s.delivered = s.n THEN 'delivered'
			WHEN l.open = 0 AND l.full > 0 THEN 'shipped'
			WHEN l.some > 0 THEN 'partially_shipped'
			ELSE 'open' END AS status
			FROM (SELECT po_id, count(*) AS total, count(*) FILTER (WHERE status = 'open') AS open,
				count(*) FILTER (WHERE status = 'shipped' OR (status IN ('cancelled', 'rejected') AND shipped_qty > 0 AND shipped_qty < quantity)) AS full,
				count(*) FILTER (WHERE shipped_qty > 0) AS some,
				count(*) FILTER (WHERE status = 'rejected' AND NOT (shipped_qty > 0 AND shipped_qty < quantity)) AS rejected,
				count(*) FILTER (WHERE status = 'cancelled' AND NOT (shipped_qty > 0 AND shipped_qty < quantity)) AS cancelled FROM po_lines GROUP BY po_id) l
			LEFT JOIN (SELECT po_id, count(*) AS n, count(delivered_at) AS delivered FROM shipments GROUP BY po_id) s ON s.po_id = l.po_id) w ON w.po_id = po.id
		WHERE po.status <> w.status`},
	{"shipped more than ordered", `SELECT 'PO line ' || id || ': shipped ' || shipped_qty || ' of ' || quantity
		FROM po_lines WHERE shipped_qty > quantity`},
	{"shipment lines disagree with the shipped quantity", `SELECT 'PO line ' || pl.id || ': shipped_qty ' || pl.shipped_qty || ', shipment lines ' || coalesce(s.n, 0)
		FROM po_lines pl LEFT JOIN (SELECT po_line_id, sum(quantity) AS n FROM shipment_lines GROUP BY po_line_id) s ON s.po_line_id = pl.id
		WHERE pl.shipped_qty <> coalesce(s.n, 0)`},
	{"shipment without lines", `SELECT 'shipment ' || sh.id FROM shipments sh
		WHERE NOT EXISTS (SELECT 1 FROM shipment_lines sl WHERE sl.shipment_id = sh.id)`},
	{"shipment line on another PO", `SELECT 'shipment ' || sh.id || ' carries PO line ' || pl.id
		FROM shipments sh JOIN shipment_lines sl ON sl.shipment_id = sh.id JOIN po_lines pl ON pl.id = sl.po_line_id
		WHERE pl.po_id <> sh.po_id`},
	{"reserved stock differs from open PO quantities", `SELECT 'source ' || ps.id || ': reserved ' || ps.reserved || ', open ' || coalesce(o.n, 0)
		FROM product_sources ps LEFT JOIN (
			SELECT pl.source_id, sum(pl.quantity - pl.shipped_qty) AS n FROM po_lines pl JOIN purchase_orders po ON po.id = pl.po_id
			WHERE pl.status = 'open' AND po.status NOT IN ('cancelled', 'rejected') GROUP BY pl.source_id) o ON o.source_id = ps.id
		WHERE ps.reserved <> coalesce(o.n, 0)`},
	{"order tab counts differ from the orders", `SELECT 'account ' || coalesce(c.account_id, o.account_id) || ' tab ' || coalesce(c.tab, o.tab) || ': kept ' || coalesce(c.n, 0) || ', counted ' || coalesce(o.n, 0)
		FROM order_tab_counts c FULL JOIN (SELECT account_id, tab, count(*) AS n FROM orders GROUP BY account_id, tab) o
		ON o.account_id = c.account_id AND o.tab = c.tab
		WHERE coalesce(c.n, 0) <> coalesce(o.n, 0)`},
	{"merchant PO counts differ from the POs", `SELECT 'merchant ' || coalesce(c.account_id, p.account_id) || ': kept ' || coalesce(c.n, 0) || '/' || coalesce(c.late, 0) || '/' || coalesce(c.stale, 0)
			|| ' (all/late/stale), counted ' || coalesce(p.n, 0) || '/' || coalesce(p.late, 0) || '/' || coalesce(p.stale, 0)
		FROM merchant_po_counts c FULL JOIN (SELECT account_id, count(*) AS n, count(*) FILTER (WHERE queue_flags & 16 <> 0) AS late,
			count(*) FILTER (WHERE queue_flags & 64 <> 0) AS stale FROM purchase_orders GROUP BY account_id) p ON p.account_id = c.account_id
		WHERE coalesce(c.n, 0) <> coalesce(p.n, 0) OR coalesce(c.late, 0) <> coalesce(p.late, 0) OR coalesce(c.stale, 0) <> coalesce(p.stale, 0)`},
	{"ledger days differ from the entries", `SELECT 'pair ' || coalesce(d.supplier_id, e.supplier_id) || '/' || coalesce(d.merchant_id, e.merchant_id) || ' ' || coalesce(d.day, e.day)
		FROM ledger_days d FULL JOIN (
			SELECT supplier_id, merchant_id, currency, day,
				sum(CASE WHEN kind = 'earning' THEN amount_cents ELSE 0 END) AS earned,
				sum(CASE WHEN kind = 'adjustment' THEN amount_cents ELSE 0 END) AS adjusted,
				sum(CASE WHEN kind = 'payout' THEN amount_cents ELSE 0 END) AS paid
			FROM ledger_entries GROUP BY supplier_id, merchant_id, currency, day) e
		ON e.supplier_id = d.supplier_id AND e.merchant_id = d.merchant_id AND e.currency = d.currency AND e.day = d.day
		WHERE coalesce(d.earned_cents, 0) <> coalesce(e.earned, 0) OR coalesce(d.adjusted_cents, 0) <> coalesce(e.adjusted, 0)
			OR coalesce(d.paid_cents, 0) <> coalesce(e.paid, 0)`},
	{"supplier queue counts differ from the POs", `SELECT 'supplier ' || coalesce(c.supplier_id, p.supplier_id) || ' tab ' || coalesce(c.tab, p.tab) || ': kept ' || coalesce(c.n, 0) || ', counted ' || coalesce(p.n, 0)
		FROM supplier_tab_counts c FULL JOIN (
			SELECT supplier_id, 'all' AS tab, count(*) AS n FROM purchase_orders GROUP BY supplier_id
			UNION ALL SELECT supplier_id, 'shipped', count(*) FROM purchase_orders WHERE queue_flags & 1 <> 0 GROUP BY supplier_id
			UNION ALL SELECT supplier_id, 'exceptions', count(*) FROM purchase_orders WHERE queue_flags & 2 <> 0 GROUP BY supplier_id
			UNION ALL SELECT supplier_id, 'to_acknowledge', count(*) FROM purchase_orders WHERE queue_flags & 4 <> 0 GROUP BY supplier_id
			UNION ALL SELECT supplier_id, 'to_ship', count(*) FROM purchase_orders WHERE queue_flags & 8 <> 0 GROUP BY supplier_id
			UNION ALL SELECT supplier_id, 'late', count(*) FROM purchase_orders WHERE queue_flags & 16 <> 0 GROUP BY supplier_id
			UNION ALL SELECT supplier_id, 'due_today', count(*) FROM purchase_orders WHERE queue_flags & 32 <> 0 GROUP BY supplier_id) p
		ON p.supplier_id = c.supplier_id AND p.tab = c.tab
		WHERE coalesce(c.n, 0) <> coalesce(p.n, 0)`},
	{"outbox message sent without a time, or pending with one", `SELECT 'outbox ' || id || ' ' || state FROM outbox
		WHERE (state = 'sent') <> (sent_at IS NOT NULL)`},
	{"shipping email without its tracking link", `SELECT 'order ' || e.order_id || ': ' || e.n || ' shipping emails, ' || coalesce(l.n, 0) || ' tracking links'
		FROM (SELECT order_id, count(*) AS n FROM outbox WHERE topic IN ('customer.shipped', 'customer.tracking') GROUP BY order_id) e
		LEFT JOIN (SELECT order_id, count(*) AS n FROM tracking_links GROUP BY order_id) l ON l.order_id = e.order_id
		WHERE e.n <> coalesce(l.n, 0)`},
	{"tracking link to another order's parcel", `SELECT 'tracking link ' || l.id FROM tracking_links l
		JOIN shipments s ON s.id = l.shipment_id JOIN purchase_orders po ON po.id = s.po_id
		WHERE po.order_id <> l.order_id OR po.account_id <> l.account_id`},
	{"outbox message waiting for a transport and not pending", `SELECT 'outbox ' || id || ' ' || state || ' waits for ' || waiting_for FROM outbox
		WHERE waiting_for IS NOT NULL AND state <> 'pending'`},
}

// CheckInvariants runs SQLite's integrity and foreign key checks and the
// domain invariants on one snapshot, and returns every breach it finds
// (at most ten per rule), or nil.
func (db *DB) CheckInvariants(ctx context.Context) error {
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: check: %w", err)
	}
	defer conn.Close()
	// One read transaction: every rule sees the same committed state.
	tx, err := conn.BeginTx(ctx, db.snapshot())
	if err != nil {
		return fmt.Errorf("store: check: %w", err)
	}
	defer tx.Rollback()

	var problems []string
	if db.pg {
		// PostgreSQL enforces foreign keys as it writes, and checks its
		// pages as it reads them: the domain rules are what is left.
		return db.checkRules(ctx, tx, problems)
	}
	rows, err := tx.QueryContext(ctx, "PRAGMA integrity_check(20)")
	if err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	for rows.Next() {
		var res string
		if err := rows.Scan(&res); err != nil {
			rows.Close()
			return fmt.Errorf("store: integrity check: %w", err)
		}
		if res != "ok" {
			problems = append(problems, "integrity check: "+res)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	rows, err = tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return fmt.Errorf("store: foreign key check: %w", err)
	}
	for rows.Next() {
		var table, parent string
		var rowid, fkid any
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			rows.Close()
			return fmt.Errorf("store: foreign key check: %w", err)
		}
		problems = append(problems, fmt.Sprintf("foreign key: %s row %v refers to a missing %s", table, rowid, parent))
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("store: foreign key check: %w", err)
	}
	return db.checkRules(ctx, tx, problems)
}

// checkRules adds the breaches of the domain invariants to problems.
func (db *DB) checkRules(ctx context.Context, tx *sql.Tx, problems []string) error {
	for _, inv := range invariants {
		rows, err := tx.QueryContext(ctx, inv.query+" LIMIT 10")
		if err != nil {
			return fmt.Errorf("store: check %s: %w", inv.name, err)
		}
		for rows.Next() {
			var what string
			if err := rows.Scan(&what); err != nil {
				rows.Close()
				return fmt.Errorf("store: check %s: %w", inv.name, err)
			}
			problems = append(problems, inv.name+": "+what)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return fmt.Errorf("store: check %s: %w", inv.name, err)
		}
	}
	more, err := db.checkQueueFlags(ctx, tx)
	if err != nil {
		return fmt.Errorf("store: check queue flags: %w", err)
	}
	problems = append(problems, more...)
	more, err = checkOrderStatus(ctx, tx)
	if err != nil {
		return fmt.Errorf("store: check order status: %w", err)
	}
	problems = append(problems, more...)
	if len(problems) > 0 {
		return fmt.Errorf("store: %d invariant breaches:\n%s", len(problems), strings.Join(problems, "\n"))
	}
	return nil
}

// checkQueueFlags holds each PO's kept queue flags and clock to what its
// state gives now (POs whose instant has passed excepted: their counts are
// corrected when read), and each account's counts, as the pages read them,
// to the lists' own counts, which follow queueCond.
func (db *DB) checkQueueFlags(ctx context.Context, tx *sql.Tx) ([]string, error) {
	var problems []string
	report := func(rule, what string) {
		if n := len(problems); n < 10 || !strings.HasPrefix(problems[n-1], rule) {
			problems = append(problems, rule+": "+what)
		}
	}
	now := db.now()
	rows, err := tx.QueryContext(ctx, "SELECT "+queueStateColumns)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		r, err := scanQueueRow(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if r.clock.Valid && !r.clock.Time.After(now) {
			continue
		}
		is, next := r.state.flags(now)
		if is != r.flags || next.IsZero() == r.clock.Valid || (r.clock.Valid && !sameInstant(next, r.clock.Time)) {
			report("PO queue flags differ from its state", fmt.Sprintf("PO %d: kept %d until %v, now %d until %v", r.id, r.flags, r.clock.Time, is, next))
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}

	suppliers, err := queryIDs(ctx, tx, "SELECT DISTINCT supplier_id FROM purchase_orders ORDER BY 1")
	if err != nil {
		return nil, err
	}
	merchants, err := queryIDs(ctx, tx, "SELECT DISTINCT account_id FROM purchase_orders ORDER BY 1")
	if err != nil {
		return nil, err
	}
	for _, id := range suppliers {
		t, err := queueTimesIn(ctx, tx, id, now)
		if err != nil {
			return nil, err
		}
		counts, err := queueCountsIn(ctx, tx, id, t)
		if err != nil {
			return nil, err
		}
		for _, f := range []QueueFilter{{Tab: QueueToAcknowledge}, {Tab: QueueToShip}, {Tab: QueueShipped}, {Tab: QueueExceptions},
			{Tab: QueueLate}, {Tab: QueueAll}, SupplierDashboardFilters.DueToday} {
			w, args := queueWhere(id, f, t)
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM purchase_orders po WHERE "+w, args...).Scan(&n); err != nil {
				return nil, err
			}
			tab := f.Tab
			if f.DueToday {
				tab = queueDueToday
			}
			if counts[tab] != n {
				report("supplier queue count differs from its list", fmt.Sprintf("supplier %d tab %s: counted %d, listed %d", id, tab, counts[tab], n))
			}
		}
	}
	for _, id := range merchants {
		late, stale, err := merchantPOViewsIn(ctx, tx, id, now)
		if err != nil {
			return nil, err
		}
		for view, kept := range map[string]int{POViewLate: late, POViewStale: stale} {
			cond, args, err := poViewCondIn(ctx, tx, id, view, now)
			if err != nil {
				return nil, err
			}
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM purchase_orders po WHERE po.account_id = ? AND "+cond, append([]any{id}, args...)...).Scan(&n); err != nil {
				return nil, err
			}
			if kept != n {
				report("merchant PO view count differs from its list", fmt.Sprintf("merchant %d view %s: counted %d, listed %d", id, view, kept, n))
			}
		}
	}
	return problems, nil
}

// checkOrderStatus holds each order's status, tab and dropship flag to what
// its lines and POs count now, as refreshing it counts them.
func checkOrderStatus(ctx context.Context, tx *sql.Tx) ([]string, error) {
	ids, err := queryIDs(ctx, tx, "SELECT id FROM orders ORDER BY id")
	if err != nil {
		return nil, err
	}
	var problems []string
	for part := range slices.Chunk(ids, 1000) {
		st, err := readOrderState(ctx, tx, part, false)
		if err != nil {
			return nil, err
		}
		for _, id := range part {
			k, n := st.kept[id], st.counts[id]
			status, tab := n.statusTab()
			if dropship := n.dropship(); (k.status != status || k.tab != tab || k.dropship != dropship) && len(problems) < 10 {
				problems = append(problems, fmt.Sprintf("order status differs from its lines: order %d is %s/%s/dropship %v, its lines make %s/%s/dropship %v",
					id, k.status, k.tab, k.dropship, status, tab, dropship))
			}
		}
	}
	return problems, nil
}
