package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dropline/dropline/store/carrier"
)

// TrackingColumns are the bulk tracking CSV's columns, in template order.
// merchant is needed only when two merchants' POs to this supplier share a number.
var TrackingColumns = []string{"po_number", "carrier", "tracking_number", "ship_date", "extended_field", "sku", "quantity", "merchant"}

// TrackingTemplate is the bulk tracking CSV template users download.
func TrackingTemplate() string {
	return strings.Join(TrackingColumns, ",") + "\n" +
		"PO-000123,UPS,1Z999AA10123456784,2026-11-21,,,,\n" +
		"PO-000124,usps,9400 1000 0000 0000 0000 00,2026-11-21,Box 1 of 2,ACM-MUG,1,\n"
}

// TrackingRow is one row of a bulk tracking file and what applying it does.
type TrackingRow struct {
	Line           int
	PONumber       string
	Carrier        string
	TrackingNumber string
	ShipDate       string
	ExtendedField  string
	SKU            string
	Quantity       string
	Merchant       string // name or public ID; optional
	Error          string // empty when the row is fine
	Raw            []string
}

// TrackingPlan is a bulk tracking upload's preview or result.
type TrackingPlan struct {
	Rows      []TrackingRow
	OK        int
	Errors    int
	Shipments int
}

// readTrackingCSV parses a bulk tracking file; a problem with the file as a whole is a FieldError on "file".
func readTrackingCSV(body []byte) ([]TrackingRow, error) {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, FieldError("file", "The file is empty.")
	}
	if !utf8.Valid(body) {
		return nil, FieldError("file", "The file is not UTF-8 text: save it as CSV UTF-8.")
	}
	first, _, _ := bytes.Cut(body, []byte("\n"))
	delim := ','
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		delim = ';' // Excel in many locales
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.Comma = delim
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, FieldError("file", "The first line could not be read as CSV headers.")
	}
	idx := map[string]int{}
	for i, h := range header {
		idx[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var missing []string
	for _, col := range []string{"po_number", "carrier", "tracking_number", "ship_date"} {
		if _, ok := idx[col]; !ok {
			missing = append(missing, col)
		}
	}
	if len(missing) > 0 {
		return nil, FieldError("file", "Missing columns: "+strings.Join(missing, ", ")+". Expected "+strings.Join(TrackingColumns, ", ")+".")
	}
	cell := func(rec []string, col string) string {
		if i, ok := idx[col]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var rows []TrackingRow
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, FieldError("file", fmt.Sprintf("Line %d is not valid CSV: %v.", pe.Line, pe.Err))
			}
			return nil, FieldError("file", "The file could not be read.")
		}
		// The line the row starts on, as in the error above: blank lines,
		// which the CSV reader skips, count.
		line, _ := r.FieldPos(0)
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		if len(rows) >= 100000 {
			return nil, FieldError("file", "The file has more than 100,000 rows: split it.")
		}
		rows = append(rows, TrackingRow{Line: line, PONumber: cell(rec, "po_number"), Carrier: cell(rec, "carrier"), TrackingNumber: cell(rec, "tracking_number"),
			ShipDate: cell(rec, "ship_date"), ExtendedField: cell(rec, "extended_field"), SKU: cell(rec, "sku"), Quantity: cell(rec, "quantity"),
			Merchant: cell(rec, "merchant"), Raw: rec})
	}
	if len(rows) == 0 {
		return nil, FieldError("file", "The file has headers but no rows.")
	}
	return rows, nil
}

// resolve turns a carrier typed as a code or a name, in any case, into
// the value a shipment stores; what it cannot place it returns as typed, for
// the check to refuse.
func (tk *trackingChecker) resolve(typed string) string {
	if c, ok := carrier.Lookup(typed); ok {
		return c.Code
	}
	for _, p := range tk.providers {
		if strings.EqualFold(p.Name, strings.TrimSpace(typed)) {
			return customPrefix + strconv.FormatInt(p.ID, 10)
		}
	}
	return typed
}

// findSupplierPO finds a released PO of the supplier by number. PO numbers
// are unique per merchant, so one supplier may hold the same number from two
// merchants: then the merchant (name or public ID) picks one. Another
// supplier's PO is unknown, like one that does not exist. msg says why no PO
// was found.
func findSupplierPO(ctx context.Context, q querier, supplierID int64, number, merchant string, now time.Time) (id int64, msg string, err error) {
	rows, err := q.QueryContext(ctx, `SELECT po.id, m.name, m.public_id FROM purchase_orders po JOIN accounts m ON m.id = po.account_id
		WHERE po.supplier_id = ? AND po.po_number = ? AND po.release_at <= ?`, supplierID, number, now)
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	var ids []int64
	var names []string
	for rows.Next() {
		var poID int64
		var name, pid string
		if err := rows.Scan(&poID, &name, &pid); err != nil {
			return 0, "", err
		}
		if merchant == "" || strings.EqualFold(merchant, name) || merchant == pid {
			ids = append(ids, poID)
			names = append(names, name)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, "", err
	}
	switch {
	case len(ids) == 1:
		return ids[0], "", nil
	case len(ids) == 0 && merchant != "":
		return 0, "Unknown PO " + number + " for merchant " + merchant + ".", nil
	case len(ids) == 0:
		return 0, "Unknown PO " + number + ".", nil
	default:
		return 0, number + " is a PO number of more than one merchant (" + strings.Join(names, ", ") + "): fill in the merchant column.", nil
	}
}

// BulkTracking previews (apply false) or applies a bulk tracking file for the
// acting supplier. Rows for the same PO, carrier and tracking number make one
// shipment. Applying writes every good shipment in one transaction and skips
// the rest; a shipment already saved is a duplicate and adds nothing.
func (db *DB) BulkTracking(ctx context.Context, actor Actor, supplierID int64, body []byte, apply bool) (TrackingPlan, error) {
	rows, err := readTrackingCSV(body)
	if err != nil {
		return TrackingPlan{}, err
	}
	// The account's carriers, read once for every row.
	tk, err := db.trackingChecker(ctx, supplierID)
	if err != nil {
		return TrackingPlan{}, fmt.Errorf("store: bulk tracking: %w", err)
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return TrackingPlan{}, fmt.Errorf("store: bulk tracking: %w", err)
	}
	defer tx.Rollback()
	cached := newCachedTx(tx.Tx)
	defer cached.close()
	type group struct {
		poID  int64
		rows  []int
		input ShipmentInput
	}
	var groups []*group
	byKey := map[string]*group{}
	now := db.now()
	for i := range rows {
		r := &rows[i]
		if r.PONumber == "" {
			r.Error = "Enter the PO number."
			continue
		}
		poID, msg, err := findSupplierPO(ctx, cached, supplierID, r.PONumber, r.Merchant, now)
		if err != nil {
			return TrackingPlan{}, fmt.Errorf("store: bulk tracking: %w", err)
		}
		if msg != "" {
			r.Error = msg
			continue
		}
		code := tk.resolve(r.Carrier)
		number := r.TrackingNumber
		if !strings.HasPrefix(code, customPrefix) {
			number = carrier.Normalize(number)
		}
		key := fmt.Sprintf("%d|%s|%s", poID, code, number)
		g := byKey[key]
		if g == nil {
			g = &group{poID: poID, input: ShipmentInput{Carrier: code, TrackingNumber: r.TrackingNumber, ShipDate: r.ShipDate, ExtendedField: r.ExtendedField}}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.rows = append(g.rows, i)
		if r.SKU == "" {
			continue // everything remaining
		}
		qty, err := strconv.Atoi(r.Quantity)
		if r.Quantity == "" || err != nil || qty <= 0 {
			r.Error = "Quantity must be a whole number of 1 or more when a SKU is given."
			continue
		}
		var lineID int64
		err = cached.QueryRowContext(ctx, "SELECT id FROM po_lines WHERE po_id = ? AND supplier_sku = ? ORDER BY status = 'open' DESC, id LIMIT 1", poID, r.SKU).Scan(&lineID)
		if errors.Is(err, sql.ErrNoRows) {
			r.Error = r.SKU + " is not on " + r.PONumber + "."
			continue
		} else if err != nil {
			return TrackingPlan{}, fmt.Errorf("store: bulk tracking: %w", err)
		}
		g.input.Lines = append(g.input.Lines, ShipmentLine{POLineID: lineID, Quantity: qty})
	}
	plan := TrackingPlan{}
	touched := map[int64]bool{}
	for _, g := range groups {
		bad := false
		for _, i := range g.rows {
			bad = bad || rows[i].Error != ""
		}
		if bad {
			for _, i := range g.rows {
				if rows[i].Error == "" {
					rows[i].Error = "Another row of this shipment has an error."
				}
			}
			continue
		}
		// Each shipment in its own savepoint: a refused one leaves no trace,
		// and later rows see what earlier ones shipped.
		if _, err := cached.ExecContext(ctx, "SAVEPOINT shipment"); err != nil {
			return TrackingPlan{}, fmt.Errorf("store: bulk tracking: %w", err)
		}
		mode := shipDeferred
		if !apply {
			mode = shipTrial
		}
		_, err := db.addShipment(ctx, cached, actor, tk, supplierID, g.poID, g.input, mode)
		if err != nil {
			if _, rerr := cached.ExecContext(ctx, "ROLLBACK TO shipment"); rerr != nil {
				return TrackingPlan{}, fmt.Errorf("store: bulk tracking: %w", rerr)
			}
			msg := UserText(err)
			if errors.Is(err, ErrNotFound) {
				msg = "Unknown PO " + rows[g.rows[0]].PONumber + "."
			}
			if strings.Contains(msg, "already on") {
				msg = "Duplicate: this shipment is already saved."
			}
			for _, i := range g.rows {
				rows[i].Error = msg
			}
		} else {
			plan.Shipments++
			touched[g.poID] = true
		}
		if _, err := cached.ExecContext(ctx, "RELEASE shipment"); err != nil {
			return TrackingPlan{}, fmt.Errorf("store: bulk tracking: %w", err)
		}
	}
	// Each PO's status and its order's tab, once per PO, in PO order; a
	// preview skips them, as they decide no row.
	if apply {
		for _, poID := range slices.Sorted(maps.Keys(touched)) {
			if err := db.settlePO(ctx, cached, poID); err != nil {
				return TrackingPlan{}, fmt.Errorf("store: bulk tracking: %w", err)
			}
			var merchantID, orderID int64
			if err := cached.QueryRowContext(ctx, "SELECT account_id, order_id FROM purchase_orders WHERE id = ?", poID).Scan(&merchantID, &orderID); err != nil {
				return TrackingPlan{}, fmt.Errorf("store: bulk tracking: %w", err)
			}
			if err := db.refreshOrder(ctx, cached, merchantID, orderID); err != nil {
				return TrackingPlan{}, fmt.Errorf("store: bulk tracking: %w", err)
			}
		}
	}
	for _, r := range rows {
		if r.Error == "" {
			plan.OK++
		} else {
			plan.Errors++
		}
	}
	plan.Rows = rows
	if !apply {
		return plan, nil // the deferred rollback undoes the trial run
	}
	if plan.Shipments > 0 {
		if err := db.audit(ctx, tx, actor, supplierID, "tracking.bulk", "account", supplierID, fmt.Sprintf("%d shipments from %d rows, %d rows with errors", plan.Shipments, len(rows), plan.Errors)); err != nil {
			return TrackingPlan{}, fmt.Errorf("store: bulk tracking: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return TrackingPlan{}, fmt.Errorf("store: bulk tracking: %w", err)
	}
	return plan, nil
}

// ErrorRowsCSV writes the rows with errors back as CSV, with an error column, to fix and upload again.
func ErrorRowsCSV(plan TrackingPlan) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(append(append([]string{}, TrackingColumns...), "error"))
	for _, r := range plan.Rows {
		if r.Error == "" {
			continue
		}
		rec := []string{r.PONumber, r.Carrier, r.TrackingNumber, r.ShipDate, r.ExtendedField, r.SKU, r.Quantity, r.Merchant, r.Error}
		for i := range rec {
			rec[i] = CSVSafe(rec[i])
		}
		w.Write(rec)
	}
	w.Flush()
	return buf.Bytes()
}

// CSVSafe keeps a cell from being read as a formula by a spreadsheet.
func CSVSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
