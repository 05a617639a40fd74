package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// When a PO line's cost becomes the supplier's earning (a link's payment terms).
const (
	EarnOnShipped   = "shipped"
	EarnOnDelivered = "delivered"
	// MaxHoldingDays bounds a link's holding period.
	MaxHoldingDays = 365
)

// Ledger entry kinds.
const (
	LedgerEarning    = "earning"
	LedgerAdjustment = "adjustment"
	LedgerPayout     = "payout"
)

// The ledger: what a merchant owes a supplier. Every entry is signed as its
// effect on that balance (earnings add, adjustments and payouts subtract),
// in integer minor units with the PO's currency, and counts on a day in the
// merchant's time zone, so both sides' statements cut periods at the same
// instants. ledger_days holds the same sums per day, written in the same
// transaction as each entry; statements and balances read it.

// pairTerms are what the ledger needs to know about a supplier-merchant pair.
type pairTerms struct {
	supplierID, merchantID int64
	currency               string
	earnOn                 string
	holdingDays            int
	loc                    *time.Location
}

// localDay is the date of t in loc.
func localDay(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.DateOnly) }

// availableAt is when an earning at t may be paid out: after the holding
// period, from the start of the next local day (at once with no holding).
func (t pairTerms) availableAt(at time.Time) time.Time {
	if t.holdingDays == 0 {
		return at
	}
	end := at.In(t.loc).AddDate(0, 0, t.holdingDays)
	return time.Date(end.Year(), end.Month(), end.Day()+1, 0, 0, 0, 0, t.loc)
}

// addLedgerDay adds amounts to one day of a pair's ledger.
func addLedgerDay(ctx context.Context, tx dbtx, t pairTerms, day string, earned, adjusted, paid, released int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO ledger_days (supplier_id, merchant_id, currency, day, earned_cents, adjusted_cents, paid_cents, released_cents)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (supplier_id, merchant_id, currency, day) DO UPDATE SET
		earned_cents = ledger_days.earned_cents + excluded.earned_cents, adjusted_cents = ledger_days.adjusted_cents + excluded.adjusted_cents,
		paid_cents = ledger_days.paid_cents + excluded.paid_cents, released_cents = ledger_days.released_cents + excluded.released_cents`,
		t.supplierID, t.merchantID, t.currency, day, earned, adjusted, paid, released)
	return err
}

// shipmentTerms reads the pair, currency and payment terms of a shipment's PO.
func shipmentTerms(ctx context.Context, tx dbtx, shipmentID int64) (pairTerms, int64, error) {
	var t pairTerms
	var poID int64
	var tz string
	err := tx.QueryRowContext(ctx, `SELECT po.id, po.supplier_id, po.account_id, po.currency, l.earn_on, l.holding_days, m.time_zone
		FROM shipments sh JOIN purchase_orders po ON po.id = sh.po_id JOIN vendor_links l ON l.id = po.link_id JOIN accounts m ON m.id = po.account_id
		WHERE sh.id = ?`, shipmentID).Scan(&poID, &t.supplierID, &t.merchantID, &t.currency, &t.earnOn, &t.holdingDays, &tz)
	t.loc = Account{TimeZone: tz}.Location()
	return t, poID, err
}

// earnShipment records the supplier's earning for what a shipment carried,
// when event ("shipped" or "delivered") is the one the link's terms earn on:
// each line's cost at dropship times the quantity shipped. Lines rejected
// after shipping in full (returns) earn nothing; a line whose remainder was
// rejected earns for what it shipped. A shipment earns once.
func (db *DB) earnShipment(ctx context.Context, tx dbtx, actor Actor, shipmentID int64, event string, at time.Time) error {
	t, poID, err := shipmentTerms(ctx, tx, shipmentID)
	if err != nil {
		return err
	}
	if t.earnOn != event {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT pl.id, sl.quantity, coalesce(pl.cost_cents, 0) FROM shipment_lines sl JOIN po_lines pl ON pl.id = sl.po_line_id
		WHERE sl.shipment_id = ? AND NOT (pl.status = 'rejected' AND pl.shipped_qty >= pl.quantity) ORDER BY pl.id`, shipmentID)
	if err != nil {
		return err
	}
	type earned struct {
		line   int64
		qty    int
		amount int64
	}
	var lines []earned
	for rows.Next() {
		var e earned
		if err := rows.Scan(&e.line, &e.qty, &e.amount); err != nil {
			rows.Close()
			return err
		}
		e.amount *= int64(e.qty)
		lines = append(lines, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	available := t.availableAt(at)
	day := localDay(at, t.loc)
	var total int64
	for _, e := range lines {
		res, err := tx.ExecContext(ctx, `INSERT INTO ledger_entries (`+strings.Join(earningCols, ", ")+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			earningRow(t, poID, e.line, shipmentID, e.qty, e.amount, at, actor, db.now())...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			total += e.amount
		}
	}
	if total == 0 {
		return nil
	}
	if err := addLedgerDay(ctx, tx, t, day, total, 0, 0, 0); err != nil {
		return err
	}
	return addLedgerDay(ctx, tx, t, localDay(available, t.loc), 0, 0, 0, total)
}

// earningCols are the columns of earningRow's values.
var earningCols = []string{"supplier_id", "merchant_id", "kind", "currency", "amount_cents", "po_id", "po_line_id", "shipment_id",
	"quantity", "at", "day", "available_at", "created_by", "created_at"}

// earningRow is the values of a supplier's earning at for qty of a PO
// line a shipment carried, in earningCols order.
func earningRow(t pairTerms, poID, lineID, shipmentID int64, qty int, amount int64, at time.Time, actor Actor, now time.Time) []any {
	return []any{t.supplierID, t.merchantID, LedgerEarning, t.currency, amount, poID, lineID, shipmentID,
		qty, at, localDay(at, t.loc), t.availableAt(at), actor.Name, now}
}

// adjustLine takes back what a PO line earned, when it is rejected after
// shipping, with the reason. A line that earned nothing yet needs no
// adjustment: it never will (returned lines do not earn).
func (db *DB) adjustLine(ctx context.Context, tx dbtx, actor Actor, lineID int64, reason string, at time.Time) error {
	var t pairTerms
	var poID int64
	var tz string
	err := tx.QueryRowContext(ctx, `SELECT po.id, po.supplier_id, po.account_id, po.currency, m.time_zone FROM po_lines pl
		JOIN purchase_orders po ON po.id = pl.po_id JOIN accounts m ON m.id = po.account_id WHERE pl.id = ?`, lineID).
		Scan(&poID, &t.supplierID, &t.merchantID, &t.currency, &tz)
	if err != nil {
		return err
	}
	t.loc = Account{TimeZone: tz}.Location()
	rows, err := tx.QueryContext(ctx, "SELECT amount_cents, quantity, available_at FROM ledger_entries WHERE po_line_id = ? AND kind = 'earning'", lineID)
	if err != nil {
		return err
	}
	type earning struct {
		amount    int64
		qty       int
		available time.Time
	}
	var earnings []earning
	for rows.Next() {
		var e earning
		if err := rows.Scan(&e.amount, &e.qty, &e.available); err != nil {
			rows.Close()
			return err
		}
		earnings = append(earnings, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var total int64
	var qty int
	for _, e := range earnings {
		total += e.amount
		qty += e.qty
		// What was still held will never be released.
		if err := addLedgerDay(ctx, tx, t, localDay(e.available, t.loc), 0, 0, 0, -e.amount); err != nil {
			return err
		}
	}
	if len(earnings) == 0 {
		return nil
	}
	day := localDay(at, t.loc)
	if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_entries (supplier_id, merchant_id, kind, currency, amount_cents, po_id, po_line_id, quantity,
		at, day, available_at, reason, created_by, created_at) VALUES (?, ?, 'adjustment', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.supplierID, t.merchantID, t.currency, -total, poID, lineID, qty, at, day, at, reason, actor.Name, db.now()); err != nil {
		return err
	}
	return addLedgerDay(ctx, tx, t, day, 0, -total, 0, 0)
}

// heldAfter is what a pair earned in a currency that is released after
// today (a local date): still in its holding period.
func heldAfter(ctx context.Context, q querier, t pairTerms, today string) (int64, error) {
	var held int64
	err := q.QueryRowContext(ctx, `SELECT coalesce(sum(released_cents), 0) FROM ledger_days
		WHERE supplier_id = ? AND merchant_id = ? AND currency = ? AND day > ?`, t.supplierID, t.merchantID, t.currency, today).Scan(&held)
	return held, err
}

// Balance is where a supplier-merchant pair stands in one currency.
type Balance struct {
	SupplierID   int64
	SupplierName string
	SupplierPID  string
	MerchantID   int64
	MerchantName string
	MerchantPID  string
	Currency     string
	EarnedCents  int64 // all earnings
	AdjustCents  int64 // adjustments (≤ 0)
	PaidCents    int64 // payouts, as a positive amount
	PendingCents int64 // earnings still in their holding period
	// BalanceCents is what the merchant owes: earned + adjustments - paid.
	BalanceCents int64
	// AvailableCents is the part of the balance past its holding period:
	// what the merchant may pay out now (negative when adjustments exceed it).
	AvailableCents int64
}

// Balances lists where the acting account stands with each counterparty,
// per currency: a supplier sees what each merchant owes it, a merchant what
// it owes each supplier. counterparty 0 means all.
func (db *DB) Balances(ctx context.Context, accountID, counterparty int64) ([]Balance, error) {
	now := db.now()
	rows, err := db.rq(ctx, `SELECT d.supplier_id, s.name, s.public_id, d.merchant_id, m.name, m.public_id, m.time_zone, d.currency,
			sum(d.earned_cents), sum(d.adjusted_cents), sum(d.paid_cents)
		FROM ledger_days d JOIN accounts s ON s.id = d.supplier_id JOIN accounts m ON m.id = d.merchant_id
		WHERE (d.supplier_id = ?1 AND (?2 = 0 OR d.merchant_id = ?2)) OR (d.merchant_id = ?1 AND (?2 = 0 OR d.supplier_id = ?2))
		GROUP BY d.supplier_id, s.id, d.merchant_id, m.id, d.currency ORDER BY s.name, m.name, d.currency`, accountID, counterparty)
	if err != nil {
		return nil, fmt.Errorf("store: balances: %w", err)
	}
	var out []Balance
	zones := map[int64]*time.Location{}
	for rows.Next() {
		var b Balance
		var tz string
		if err := rows.Scan(&b.SupplierID, &b.SupplierName, &b.SupplierPID, &b.MerchantID, &b.MerchantName, &b.MerchantPID, &tz, &b.Currency,
			&b.EarnedCents, &b.AdjustCents, &b.PaidCents); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: balances: %w", err)
		}
		b.PaidCents = -b.PaidCents
		b.BalanceCents = b.EarnedCents + b.AdjustCents - b.PaidCents
		zones[b.MerchantID] = Account{TimeZone: tz}.Location()
		out = append(out, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: balances: %w", err)
	}
	// Pending: earnings released after today, in each merchant's zone.
	for i := range out {
		b := &out[i]
		t := pairTerms{supplierID: b.SupplierID, merchantID: b.MerchantID, currency: b.Currency}
		if b.PendingCents, err = heldAfter(ctx, db.read, t, localDay(now, zones[b.MerchantID])); err != nil {
			return nil, fmt.Errorf("store: balances: %w", err)
		}
		b.AvailableCents = b.BalanceCents - b.PendingCents
	}
	return out, nil
}

// PayoutInput is a payout as the merchant records it.
type PayoutInput struct {
	SupplierID int64
	Currency   string
	Amount     string // decimal, e.g. "1250.00"
	Date       string // YYYY-MM-DD in the merchant's time zone
	Reference  string // the bank or payment reference
	// IdempotencyKey is the form's submit key: the same key again records nothing.
	IdempotencyKey string
}

// PayoutResult is the payout a submit recorded, or the one an earlier submit
// with the same key recorded (Replayed).
type PayoutResult struct {
	ID       int64
	Replayed bool
}

// RecordPayout records that the merchant paid a linked supplier: the amount
// leaves the available balance and shows on both sides' statements. A payout
// cannot exceed what is available now. The same idempotency key again
// returns the payout it recorded and records nothing.
func (db *DB) RecordPayout(ctx context.Context, actor Actor, merchantID int64, in PayoutInput) (PayoutResult, error) {
	in.Reference = strings.TrimSpace(in.Reference)
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	in.IdempotencyKey = strings.TrimSpace(in.IdempotencyKey)
	c := checks{}
	c.check(in.IdempotencyKey != "", "idempotency_key", "This form has no submit key; reload it and try again.")
	c.check(len(in.IdempotencyKey) <= 100, "idempotency_key", "This form's submit key is too long; reload it and try again.")
	amount, err := ParseMoney(in.Amount)
	switch {
	case strings.TrimSpace(in.Amount) == "":
		c.add("amount", "Enter the amount paid.")
	case err != nil:
		c.add("amount", "Enter an amount such as 1250.00.")
	case amount == 0:
		c.add("amount", "A payout is more than 0.")
	}
	c.check(len(in.Reference) <= 100, "reference", "Use at most 100 characters.")
	var tz string
	if err := db.rqRow(ctx, "SELECT time_zone FROM accounts WHERE id = ?", merchantID).Scan(&tz); err != nil {
		return PayoutResult{}, fmt.Errorf("store: payout: %w", err)
	}
	loc := Account{TimeZone: tz}.Location()
	now := db.now()
	date, derr := time.ParseInLocation(time.DateOnly, strings.TrimSpace(in.Date), loc)
	today := localDay(now, loc)
	switch {
	case strings.TrimSpace(in.Date) == "":
		c.add("date", "Enter the date paid.")
	case derr != nil:
		c.add("date", "Use a date like 2026-11-21.")
	case date.Format(time.DateOnly) > today:
		c.add("date", "The payout date cannot be in the future.")
	}
	if err := c.err(); err != nil {
		return PayoutResult{}, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return PayoutResult{}, fmt.Errorf("store: payout: %w", err)
	}
	defer tx.Rollback()
	// A submit seen before returns what it recorded, never a second payout.
	var prior int64
	err = tx.QueryRowContext(ctx, "SELECT id FROM ledger_entries WHERE merchant_id = ? AND idempotency_key = ?", merchantID, in.IdempotencyKey).Scan(&prior)
	if err == nil {
		return PayoutResult{ID: prior, Replayed: true}, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return PayoutResult{}, fmt.Errorf("store: payout: %w", err)
	}
	var supplierName string
	err = tx.QueryRowContext(ctx, `SELECT s.name FROM vendor_links l JOIN accounts s ON s.id = l.supplier_id
		WHERE l.supplier_id = ? AND l.merchant_id = ? ORDER BY l.id DESC LIMIT 1`, in.SupplierID, merchantID).Scan(&supplierName)
	if errors.Is(err, sql.ErrNoRows) {
		return PayoutResult{}, FieldError("supplier_id", "Choose one of your suppliers.")
	}
	if err != nil {
		return PayoutResult{}, fmt.Errorf("store: payout: %w", err)
	}
	// The balance is read inside the write transaction: two payouts
	// recorded at once cannot both spend the same money.
	t := pairTerms{supplierID: in.SupplierID, merchantID: merchantID, currency: in.Currency, loc: loc}
	var balance int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(earned_cents + adjusted_cents + paid_cents), 0)
		FROM ledger_days WHERE supplier_id = ? AND merchant_id = ? AND currency = ?`, t.supplierID, merchantID, t.currency).Scan(&balance); err != nil {
		return PayoutResult{}, fmt.Errorf("store: payout: %w", err)
	}
	pending, err := heldAfter(ctx, tx, t, today)
	if err != nil {
		return PayoutResult{}, fmt.Errorf("store: payout: %w", err)
	}
	if available := balance - pending; amount > available {
		return PayoutResult{}, FieldError("amount", fmt.Sprintf("Only %s %s is available to pay %s now.", FormatMoney(max(available, 0)), t.currency, supplierName))
	}
	at := now
	if day := date.Format(time.DateOnly); day != today {
		at = date // the start of that day, in the merchant's zone
	}
	day := localDay(at, loc)
	res, err := execInsert(ctx, tx, `INSERT INTO ledger_entries (supplier_id, merchant_id, kind, currency, amount_cents, at, day, available_at, reference,
		idempotency_key, created_by, created_at) VALUES (?, ?, 'payout', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.supplierID, merchantID, t.currency, -amount, at, day, at, in.Reference, in.IdempotencyKey, actor.Name, now)
	if err != nil {
		return PayoutResult{}, fmt.Errorf("store: payout: %w", err)
	}
	id, _ := res.LastInsertId()
	if err := addLedgerDay(ctx, tx, t, day, 0, 0, -amount, 0); err != nil {
		return PayoutResult{}, fmt.Errorf("store: payout: %w", err)
	}
	detail := fmt.Sprintf("payout of %s %s to %s on %s", FormatMoney(amount), t.currency, supplierName, day)
	if in.Reference != "" {
		detail += ", reference " + in.Reference
	}
	for _, acc := range []int64{merchantID, t.supplierID} {
		if err := db.audit(ctx, tx, actor, acc, "payout.recorded", "ledger_entry", id, detail); err != nil {
			return PayoutResult{}, fmt.Errorf("store: payout: %w", err)
		}
	}
	return PayoutResult{ID: id}, tx.Commit()
}

// Statement is a supplier-merchant pair's account for a period, per currency.
type Statement struct {
	SupplierID   int64
	SupplierName string
	MerchantID   int64
	MerchantName string
	From, To     string // local dates, inclusive, in the merchant's time zone
	TimeZone     string
	Totals       []StatementTotals
}

// StatementTotals are one currency's figures: closing = opening + earnings
// + adjustments - payouts, to the cent.
type StatementTotals struct {
	Currency     string
	OpeningCents int64
	EarnedCents  int64
	AdjustCents  int64 // ≤ 0
	PaidCents    int64 // payouts as a positive amount
	ClosingCents int64
}

// LedgerEntry is one line of a statement.
type LedgerEntry struct {
	ID          int64
	Kind        string
	Currency    string
	AmountCents int64 // signed: its effect on what the merchant owes
	POID        int64
	PONumber    string
	SupplierSKU string
	Quantity    int
	At          time.Time
	Day         string
	AvailableAt time.Time
	Reference   string
	Reason      string
	CreatedBy   string
}

// statementPair finds the pair the acting account (either side) has with
// counterparty, over any link they ever had.
func (db *DB) statementPair(ctx context.Context, accountID, counterparty int64) (Statement, *time.Location, error) {
	var st Statement
	err := db.rqRow(ctx, `SELECT l.supplier_id, s.name, l.merchant_id, m.name, m.time_zone FROM vendor_links l
		JOIN accounts s ON s.id = l.supplier_id JOIN accounts m ON m.id = l.merchant_id
		WHERE (l.supplier_id = ?1 AND l.merchant_id = ?2) OR (l.merchant_id = ?1 AND l.supplier_id = ?2) ORDER BY l.id DESC LIMIT 1`,
		accountID, counterparty).Scan(&st.SupplierID, &st.SupplierName, &st.MerchantID, &st.MerchantName, &st.TimeZone)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil, fmt.Errorf("store: statement with %d: %w", counterparty, ErrNotFound)
	}
	if err != nil {
		return st, nil, fmt.Errorf("store: statement: %w", err)
	}
	return st, Account{TimeZone: st.TimeZone}.Location(), nil
}

// StatementPeriod checks a period's dates; empty means the current month
// in the merchant's time zone.
func statementPeriod(from, to string, loc *time.Location, now time.Time) (string, string, error) {
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	local := now.In(loc)
	if from == "" {
		from = time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, loc).Format(time.DateOnly)
	}
	if to == "" {
		to = local.Format(time.DateOnly)
	}
	c := checks{}
	_, ferr := time.Parse(time.DateOnly, from)
	_, terr := time.Parse(time.DateOnly, to)
	c.check(ferr == nil, "from", "Use a date like 2026-11-01.")
	c.check(terr == nil, "to", "Use a date like 2026-11-30.")
	if ferr == nil && terr == nil {
		c.check(from <= to, "to", "The period ends on or after it starts.")
	}
	return from, to, c.err()
}

// Statement is the account between the acting account and counterparty from
// one local date to another (inclusive; empty: this month so far). Both
// sides get the same figures.
func (db *DB) Statement(ctx context.Context, accountID, counterparty int64, from, to string) (Statement, error) {
	st, loc, err := db.statementPair(ctx, accountID, counterparty)
	if err != nil {
		return st, err
	}
	if st.From, st.To, err = statementPeriod(from, to, loc, db.now()); err != nil {
		return st, err
	}
	rows, err := db.rq(ctx, `SELECT currency,
			coalesce(sum(earned_cents + adjusted_cents + paid_cents) FILTER (WHERE day < ?3), 0),
			coalesce(sum(earned_cents) FILTER (WHERE day >= ?3), 0), coalesce(sum(adjusted_cents) FILTER (WHERE day >= ?3), 0),
			coalesce(sum(paid_cents) FILTER (WHERE day >= ?3), 0)
		FROM ledger_days WHERE supplier_id = ?1 AND merchant_id = ?2 AND day <= ?4 GROUP BY currency ORDER BY currency`,
		st.SupplierID, st.MerchantID, st.From, st.To)
	if err != nil {
		return st, fmt.Errorf("store: statement: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t StatementTotals
		if err := rows.Scan(&t.Currency, &t.OpeningCents, &t.EarnedCents, &t.AdjustCents, &t.PaidCents); err != nil {
			return st, fmt.Errorf("store: statement: %w", err)
		}
		t.PaidCents = -t.PaidCents
		t.ClosingCents = t.OpeningCents + t.EarnedCents + t.AdjustCents - t.PaidCents
		st.Totals = append(st.Totals, t)
	}
	return st, rows.Err()
}

// StatementEntries calls fn for each ledger entry of a statement's period,
// oldest first, from offset (limit < 0: all of them).
func (db *DB) StatementEntries(ctx context.Context, st Statement, offset, limit int, fn func(LedgerEntry) error) (int, error) {
	var total int
	if err := db.rqRow(ctx, "SELECT count(*) FROM ledger_entries WHERE supplier_id = ? AND merchant_id = ? AND day BETWEEN ? AND ?",
		st.SupplierID, st.MerchantID, st.From, st.To).Scan(&total); err != nil {
		return 0, fmt.Errorf("store: statement entries: %w", err)
	}
	rows, err := db.rq(ctx, `SELECT e.id, e.kind, e.currency, e.amount_cents, coalesce(e.po_id, 0), coalesce(po.po_number, ''), coalesce(pl.supplier_sku, ''),
			e.quantity, e.at, e.day, e.available_at, e.reference, e.reason, e.created_by
		FROM ledger_entries e LEFT JOIN purchase_orders po ON po.id = e.po_id LEFT JOIN po_lines pl ON pl.id = e.po_line_id
		WHERE e.supplier_id = ? AND e.merchant_id = ? AND e.day BETWEEN ? AND ? ORDER BY e.day, e.id LIMIT ? OFFSET ?`,
		st.SupplierID, st.MerchantID, st.From, st.To, allRows(limit), offset)
	if err != nil {
		return 0, fmt.Errorf("store: statement entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e LedgerEntry
		if err := rows.Scan(&e.ID, &e.Kind, &e.Currency, &e.AmountCents, &e.POID, &e.PONumber, &e.SupplierSKU, &e.Quantity, &e.At, &e.Day,
			&e.AvailableAt, &e.Reference, &e.Reason, &e.CreatedBy); err != nil {
			return 0, fmt.Errorf("store: statement entries: %w", err)
		}
		if err := fn(e); err != nil {
			return 0, err
		}
	}
	return total, rows.Err()
}

// Counterparties lists the accounts the acting account has a ledger or a
// link with, by name: the statements it can open.
func (db *DB) Counterparties(ctx context.Context, accountID int64) ([]AccountRef, error) {
	refs, err := accountRefs(db.rq(ctx, `SELECT DISTINCT a.id, a.public_id, a.name FROM vendor_links l
		JOIN accounts a ON a.id = CASE WHEN l.supplier_id = ?1 THEN l.merchant_id ELSE l.supplier_id END
		WHERE (l.supplier_id = ?1 OR l.merchant_id = ?1) AND l.state <> 'pending' ORDER BY a.name`, accountID))
	if err != nil {
		return nil, fmt.Errorf("store: counterparties: %w", err)
	}
	return refs, nil
}

// LinkedSuppliers names the suppliers a merchant has links with (in any
// state), by name: the order list's supplier filter.
func (db *DB) LinkedSuppliers(ctx context.Context, merchantID int64) ([]AccountRef, error) {
	refs, err := accountRefs(db.rq(ctx, `SELECT DISTINCT a.id, a.public_id, a.name FROM vendor_links l JOIN accounts a ON a.id = l.supplier_id
		WHERE l.merchant_id = ? ORDER BY a.name, a.id`, merchantID))
	if err != nil {
		return nil, fmt.Errorf("store: linked suppliers: %w", err)
	}
	return refs, nil
}

// accountRefs reads rows of (id, public_id, name).
func accountRefs(rows *sql.Rows, err error) ([]AccountRef, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AccountRef
	for rows.Next() {
		var a AccountRef
		if err := rows.Scan(&a.ID, &a.PublicID, &a.Name); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AccountRef names another account.
type AccountRef struct {
	ID       int64
	PublicID string
	Name     string
}
