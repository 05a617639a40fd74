package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The scorecard's counts are kept per supplier, merchant and the UTC day a
// PO was released to the supplier, in the same transaction as each event
// (PO created, acknowledged, first tracking, shipment, rejection,
// cancellation). A scorecard then sums at most 90 days of rows per merchant
// instead of reading every PO; rebuildStats derives the same rows from the
// POs themselves (the seed uses it, and a test holds the two equal).

// statDelta is what one event adds to a PO's day.
type statDelta struct {
	received, acked, ackedInSLA, tracked, trackedOnTime, rejected, cancelled, shipments, overrides int
}

// poFacts are the times the scorecard judges a PO by.
type poFacts struct {
	id, supplierID, merchantID int64
	release                    time.Time
	promise                    sql.NullTime
	acked, tracked             sql.NullTime
	slaHours                   int
}

func (f poFacts) day() string { return f.release.UTC().Format(time.DateOnly) }

func poFactsOf(ctx context.Context, q dbtx, poID int64) (poFacts, error) {
	f := poFacts{id: poID}
	err := q.QueryRowContext(ctx, `SELECT po.supplier_id, po.account_id, po.release_at, po.promise_date, po.acknowledged_at, po.first_tracking_at, s.ack_sla_hours
		FROM purchase_orders po JOIN accounts s ON s.id = po.supplier_id WHERE po.id = ?`, poID).
		Scan(&f.supplierID, &f.merchantID, &f.release, &f.promise, &f.acked, &f.tracked, &f.slaHours)
	return f, err
}

// bumpStats adds d to the PO's day.
func bumpStats(ctx context.Context, tx dbtx, f poFacts, d statDelta) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO supplier_stats (supplier_id, merchant_id, day, received, acked, acked_in_sla, tracked, tracked_on_time,
			rejected, cancelled, shipments, overrides) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (supplier_id, merchant_id, day) DO UPDATE SET received = supplier_stats.received + excluded.received, acked = supplier_stats.acked + excluded.acked,
			acked_in_sla = supplier_stats.acked_in_sla + excluded.acked_in_sla, tracked = supplier_stats.tracked + excluded.tracked, tracked_on_time = supplier_stats.tracked_on_time + excluded.tracked_on_time,
			rejected = supplier_stats.rejected + excluded.rejected, cancelled = supplier_stats.cancelled + excluded.cancelled, shipments = supplier_stats.shipments + excluded.shipments,
			overrides = supplier_stats.overrides + excluded.overrides`,
		f.supplierID, f.merchantID, f.day(), d.received, d.acked, d.ackedInSLA, d.tracked, d.trackedOnTime, d.rejected, d.cancelled, d.shipments, d.overrides)
	return err
}

// ackedInSLA says whether an acknowledgement at t kept the supplier's SLA.
func (f poFacts) ackedInSLA(t time.Time) bool {
	return !t.After(f.release.Add(time.Duration(f.slaHours) * time.Hour))
}

// shipHours is the whole hours from release to first tracking at t.
func (f poFacts) shipHours(t time.Time) int {
	return max(int(t.Sub(f.release)/time.Hour), 0)
}

// markAcked records the PO's acknowledgement by actor at now unless it has one.
func (db *DB) markAcked(ctx context.Context, tx dbtx, actor Actor, poID int64, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, "UPDATE purchase_orders SET acknowledged_at = ?, acknowledged_by = ?, updated_at = ? WHERE id = ? AND acknowledged_at IS NULL",
		now, actorName(actor), now, poID)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	f, err := poFactsOf(ctx, tx, poID)
	if err != nil {
		return false, err
	}
	d := statDelta{acked: 1}
	if f.ackedInSLA(now) {
		d.ackedInSLA = 1
	}
	if err := bumpStats(ctx, tx, f, d); err != nil {
		return false, err
	}
	return true, db.requeue(ctx, tx, poID)
}

// shipMark is a PO's shipments saved in one go: f are its facts before
// them; overrides were saved with a number that failed the carrier's check.
type shipMark struct {
	f                    poFacts
	shipments, overrides int
}

// markShipments counts POs' shipments saved at now in the scorecard: each
// PO's first tracking (and acknowledgement, if it had none), in the day rows
// once per day however many POs share it. settlePOs writes the times on
// the POs.
func markShipments(ctx context.Context, tx dbtx, marks []shipMark, now time.Time) error {
	type dayKey struct {
		supplierID, merchantID int64
		day                    string
	}
	type hourKey struct {
		dayKey
		hours int
	}
	deltas := map[dayKey]*statDelta{}
	facts := map[dayKey]poFacts{}
	var days []dayKey
	hours := map[hourKey]int{}
	var hourOrder []hourKey
	for _, m := range marks {
		f := m.f
		k := dayKey{f.supplierID, f.merchantID, f.day()}
		d := deltas[k]
		if d == nil {
			d = &statDelta{}
			deltas[k], facts[k] = d, f
			days = append(days, k)
		}
		d.shipments += m.shipments
		d.overrides += m.overrides
		if !f.acked.Valid {
			d.acked++
			if f.ackedInSLA(now) {
				d.ackedInSLA++
			}
		}
		if !f.tracked.Valid {
			d.tracked++
			if f.promise.Valid && !now.After(f.promise.Time) {
				d.trackedOnTime++
			}
			h := hourKey{k, f.shipHours(now)}
			if hours[h] == 0 {
				hourOrder = append(hourOrder, h)
			}
			hours[h]++
		}
	}
	for _, h := range hourOrder {
		if _, err := tx.ExecContext(ctx, `INSERT INTO supplier_ship_hours (supplier_id, merchant_id, day, hours, n) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (supplier_id, merchant_id, day, hours) DO UPDATE SET n = supplier_ship_hours.n + excluded.n`, h.supplierID, h.merchantID, h.day, h.hours, hours[h]); err != nil {
			return err
		}
	}
	for _, k := range days {
		if err := bumpStats(ctx, tx, facts[k], *deltas[k]); err != nil {
			return err
		}
	}
	return nil
}

// countPOEvent adds one event (received, rejected, cancelled) to the PO's day.
func countPOEvent(ctx context.Context, tx dbtx, poID int64, d statDelta) error {
	f, err := poFactsOf(ctx, tx, poID)
	if err != nil {
		return err
	}
	return bumpStats(ctx, tx, f, d)
}

// rebuildStats derives every scorecard row from the POs and shipments, in
// one statement per table. The seed writes POs directly and calls it.
func (db *DB) rebuildStats(ctx context.Context, tx dbtx) error {
	// Milliseconds between two times, rounded: julianday's float would
	// otherwise put a whole number of hours a hair under it. And the UTC
	// day of a time. SQLite's times are text, PostgreSQL's are not.
	ms := `CAST(round((julianday(%s) - julianday(po.release_at)) * 86400000) AS INTEGER)`
	day := "substr(po.release_at, 1, 10)"
	if db.pg {
		ms = `CAST(round(extract(epoch FROM (%s - po.release_at)) * 1000) AS BIGINT)`
		day = "to_char(po.release_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
	}
	stmts := []string{
		"DELETE FROM supplier_stats",
		"DELETE FROM supplier_ship_hours",
		fmt.Sprintf(`INSERT INTO supplier_stats (supplier_id, merchant_id, day, received, acked, acked_in_sla, tracked, tracked_on_time, rejected, cancelled, shipments, overrides)
		SELECT po.supplier_id, po.account_id, `+day+`, count(*), count(po.acknowledged_at),
			count(*) FILTER (WHERE `+ms+` <= s.ack_sla_hours * 3600000),
			count(po.first_tracking_at), count(*) FILTER (WHERE po.first_tracking_at <= po.promise_date),
			count(*) FILTER (WHERE EXISTS (SELECT 1 FROM po_lines pl WHERE pl.po_id = po.id AND pl.status = 'rejected')),
			count(*) FILTER (WHERE po.status = 'cancelled'),
			coalesce(sum((SELECT count(*) FROM shipments sh WHERE sh.po_id = po.id)), 0),
			coalesce(sum((SELECT count(*) FROM shipments sh WHERE sh.po_id = po.id AND sh.override_reason <> '')), 0)
		FROM purchase_orders po JOIN accounts s ON s.id = po.supplier_id
		GROUP BY s.id, po.supplier_id, po.account_id, `+day+``, "po.acknowledged_at"),
		fmt.Sprintf(`INSERT INTO supplier_ship_hours (supplier_id, merchant_id, day, hours, n)
		SELECT po.supplier_id, po.account_id, `+day+`, max(`+ms+` / 3600000, 0) AS h, count(*)
		FROM purchase_orders po WHERE po.first_tracking_at IS NOT NULL
		GROUP BY po.supplier_id, po.account_id, `+day+`, h`, "po.first_tracking_at"),
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("rebuild stats: %w", err)
		}
	}
	return nil
}
