package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/dropline/dropline/store/carrier"
)

// TrackingColumns are the bulk tracking CSV's columns, in template order.
// merchant is needed only when two merchants' POs to this supplier share a number.
var TrackingColumns = []string{"po_number", "carrier", "tracking_number", "ship_date", "extended_field", "sku", "quantity", "merchant"}

// TrackingTemplate is the bulk tracking CSV template users download, its
// example rows shipped on shipDate (the supplier's today: a ship date must lie
// between the PO's day and tomorrow). Its numbers pass the carriers' checks,
// and its POs are what the demo merchant's first two dropships of the orders
// template get: the whole of the first, one line of the second.
func TrackingTemplate(shipDate string) string {
	return strings.Join(TrackingColumns, ",") + "\n" +
		"PO-000001,UPS,1Z999AA10123456784," + shipDate + ",,,,\n" +
		"PO-000002,usps,9400 1112 0288 1234 5678 46," + shipDate + ",Box 1 of 2,ACM-TENT-2P,1,\n"
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
	CarrierNote    string // how the number chose the carrier, when it did; see TrackingCheck.Note
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
		name := strings.ToLower(strings.TrimSpace(h))
		// Two columns for one field: which one is meant cannot be known.
		if _, seen := idx[name]; seen && slices.Contains(TrackingColumns, name) {
			return nil, FieldError("file", fmt.Sprintf("The header has two %s columns; keep one.", name))
		}
		idx[name] = i
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
// the check to refuse. A built-in carrier's code means that carrier; then
// the account's own provider of that name comes first: an account that
// added, say, "Evri" before Dropline knew Evri keeps shipping with its
// provider, and a file it uploaded before finds its shipments again.
func (tk *trackingChecker) resolve(typed string) string {
	if c, ok := carrier.Lookup(typed); ok && c.Code == typed {
		return c.Code
	}
	for _, p := range tk.providers {
		if strings.EqualFold(p.Name, strings.TrimSpace(typed)) {
			return customPrefix + strconv.FormatInt(p.ID, 10)
		}
	}
	if c, ok := carrier.Lookup(typed); ok {
		return c.Code
	}
	return typed
}

// poCandidate is a released PO of the supplier with a number from a file.
type poCandidate struct {
	id                 int64
	merchant, merchPID string
}

// candidatesByNumber reads the supplier's released POs with the numbers in
// a file. PO numbers are unique per merchant, so one supplier may hold the
// same number from two merchants.
func candidatesByNumber(ctx context.Context, q querier, supplierID int64, numbers []string, now time.Time) (map[string][]poCandidate, error) {
	set, err := json.Marshal(numbers)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT po.id, po.po_number, m.name, m.public_id FROM purchase_orders po JOIN accounts m ON m.id = po.account_id
		WHERE po.supplier_id = ? AND po.po_number IN (SELECT value FROM json_each(?)) AND po.release_at <= ? ORDER BY po.id`, supplierID, string(set), now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]poCandidate{}
	for rows.Next() {
		var c poCandidate
		var number string
		if err := rows.Scan(&c.id, &number, &c.merchant, &c.merchPID); err != nil {
			return nil, err
		}
		out[number] = append(out[number], c)
	}
	return out, rows.Err()
}

// readFilePOs reads every PO a file names, in four reads for each reader,
// which read their shares of the numbers side by side.
func readFilePOs(ctx context.Context, readers []querier, supplierID int64, numbers []string, now time.Time) (map[string][]poCandidate, map[int64]*shipPO, error) {
	type share struct {
		cands map[string][]poCandidate
		pos   map[int64]*shipPO
		err   error
	}
	shares := make([]share, len(readers))
	var wg sync.WaitGroup
	for i, q := range readers {
		part := numbers[i*len(numbers)/len(readers) : (i+1)*len(numbers)/len(readers)]
		wg.Go(func() {
			s := &shares[i]
			if s.cands, s.err = candidatesByNumber(ctx, q, supplierID, part, now); s.err != nil {
				return
			}
			var ids []int64
			for _, cs := range s.cands {
				for _, c := range cs {
					ids = append(ids, c.id)
				}
			}
			s.pos, s.err = loadShipPOs(ctx, q, supplierID, ids, now)
		})
	}
	wg.Wait()
	if len(shares) == 1 {
		return shares[0].cands, shares[0].pos, shares[0].err
	}
	cands, pos := map[string][]poCandidate{}, map[int64]*shipPO{}
	for _, s := range shares {
		if s.err != nil {
			return nil, nil, s.err
		}
		maps.Copy(cands, s.cands)
		maps.Copy(pos, s.pos)
	}
	return cands, pos, nil
}

// pickPO picks the PO a row names among the supplier's POs with its
// number: the merchant (name or public ID), when given, chooses. Another
// supplier's PO is unknown, like one that does not exist. msg says why no
// PO was picked.
func pickPO(cands []poCandidate, number, merchant string) (id int64, msg string) {
	var ids []int64
	var names []string
	for _, c := range cands {
		if merchant == "" || strings.EqualFold(merchant, c.merchant) || merchant == c.merchPID {
			ids = append(ids, c.id)
			names = append(names, c.merchant)
		}
	}
	switch {
	case len(ids) == 1:
		return ids[0], ""
	case len(ids) == 0 && merchant != "":
		return 0, "Unknown PO " + number + " for merchant " + merchant + "."
	case len(ids) == 0:
		return 0, "Unknown PO " + number + "."
	default:
		return 0, number + " is a PO number of more than one merchant (" + strings.Join(names, ", ") + "): fill in the merchant column."
	}
}

// BulkTracking previews (apply false) or applies a bulk tracking file for the
// acting supplier. Rows for the same PO, carrier and tracking number make one
// shipment. Applying writes every good shipment in one transaction and skips
// the rest; a shipment already saved is a duplicate and adds nothing. A
// preview writes nothing: it checks the file without the write lock, each PO
// against one snapshot of the database (a large file's two halves read side
// by side, each from its own).
func (db *DB) BulkTracking(ctx context.Context, actor Actor, supplierID int64, body []byte, apply bool) (TrackingPlan, error) {
	if apply {
		return db.ApplyTracking(ctx, actor, supplierID, body, nil)
	}
	rows, tk, err := db.readTracking(ctx, supplierID, body)
	if err != nil {
		return TrackingPlan{}, err
	}
	tx, err := db.read.BeginTx(ctx, db.snapshot())
	if err != nil {
		return TrackingPlan{}, fmt.Errorf("store: bulk tracking: %w", err)
	}
	defer tx.Rollback()
	readers, release, err := db.readersOf(ctx, tx, rows)
	if err != nil {
		return TrackingPlan{}, fmt.Errorf("store: bulk tracking: %w", err)
	}
	defer release()
	plan, _, err := checkTracking(ctx, readers, actor, supplierID, tk, rows, db.now())
	if err != nil {
		return TrackingPlan{}, fmt.Errorf("store: bulk tracking: %w", err)
	}
	return plan, nil
}

// ApplyTracking applies a bulk tracking file, as BulkTracking does, and
// tells progress, unless nil, how far it has got: while it waits for the
// write lock, checks the rows, writes and commits.
func (db *DB) ApplyTracking(ctx context.Context, actor Actor, supplierID int64, body []byte, progress func(TrackingProgress)) (TrackingPlan, error) {
	rows, tk, err := db.readTracking(ctx, supplierID, body)
	if err != nil {
		return TrackingPlan{}, err
	}
	tr := newTracker(progress)
	tr.step(StepWaiting)
	// A large file's commit leaves its pages' checkpoint to the
	// checkpointer (beginLarge); a small one's costs nothing to keep.
	var tx commitTx
	if len(rows) >= splitRows {
		tx, err = db.beginLarge(ctx)
	} else {
		tx, err = db.begin(ctx)
	}
	if err != nil {
		return TrackingPlan{}, fmt.Errorf("store: bulk tracking: %w", err)
	}
	defer tx.Rollback()
	// The time the shipments are saved at: once the write lock is held,
	// not before waiting for it.
	now := db.now()
	tr.step(StepChecking)
	// A large file's POs are read in two parts, the second from the reader
	// pool: while this transaction holds the write lock and has written
	// nothing, a new read sees just what it sees, and goes on seeing it
	// while the transaction writes.
	readers, release, err := db.readersOf(ctx, tx, rows)
	if err != nil {
		return TrackingPlan{}, fmt.Errorf("store: bulk tracking: %w", err)
	}
	var plan TrackingPlan
	if len(readers) > 1 && !numberInBothParts(rows) {
		plan, err = db.saveTrackingBeside(ctx, tx, readers[1], release, actor, supplierID, tk, rows, now, tr)
	} else {
		// One part (a small file, or a tracking number in both parts,
		// which one check must see whole: one number, one address).
		release()
		readers = readers[:1]
		var list []newShipment
		plan, list, err = checkTracking(ctx, readers, actor, supplierID, tk, rows, now)
		if err == nil && len(list) > 0 {
			err = db.saveShipments(ctx, tx, actor, list, now, saveOpts{tr: tr})
		}
	}
	if err != nil {
		return TrackingPlan{}, fmt.Errorf("store: bulk tracking: %w", err)
	}
	if plan.Shipments == 0 {
		return plan, nil
	}
	if err := db.audit(ctx, tx, actor, supplierID, "tracking.bulk", "account", supplierID, fmt.Sprintf("%d shipments from %d rows, %d rows with errors", plan.Shipments, len(rows), plan.Errors)); err != nil {
		return TrackingPlan{}, fmt.Errorf("store: bulk tracking: %w", err)
	}
	tr.step(StepCommitting)
	if err := tx.Commit(); err != nil {
		return TrackingPlan{}, fmt.Errorf("store: bulk tracking: %w", err)
	}
	return plan, nil
}

// readTracking parses a bulk tracking file and reads the supplier's carriers, once for every row.
func (db *DB) readTracking(ctx context.Context, supplierID int64, body []byte) ([]TrackingRow, *trackingChecker, error) {
	rows, err := readTrackingCSV(body)
	if err != nil {
		return nil, nil, err
	}
	tk, err := db.trackingChecker(ctx, supplierID)
	if err != nil {
		return nil, nil, fmt.Errorf("store: bulk tracking: %w", err)
	}
	return rows, tk, nil
}

// splitRows is the size of file read in two parts side by side, on the
// machine's second core (halves for a preview; for an apply, see
// saveTrackingBeside): below it, the second read costs more than it saves.
// splitCores is the machine's cores. Both are variables for tests.
var splitRows, splitCores = 2000, runtime.NumCPU()

// readersOf is first, and for a large file, when there is a second core to
// read on, a second reader if one is free (sideReader), to check rows with;
// and what ends the second.
func (db *DB) readersOf(ctx context.Context, first querier, rows []TrackingRow) ([]querier, func(), error) {
	if len(rows) >= splitRows && splitCores > 1 {
		side, release, err := db.sideReader(ctx)
		if err != nil {
			return nil, nil, err
		}
		if side != nil {
			return []querier{first, side}, release, nil
		}
	}
	return []querier{first}, func() {}, nil
}

// firstShare is the share of a large file's PO numbers the writer reads
// and saves while the side reader reads and checks the rest: enough that
// the side is done before the writer has saved the first part.
const firstShare = 4

// saveTrackingBeside checks and saves a large file's rows in two parts. The
// writer, on tx, reads the POs of the first quarter of the file's PO
// numbers, checks their rows and saves them, while side reads and checks
// the rest; then it saves those. Side, whose snapshot is the one tx had
// before it wrote, goes on to read the state of every order shipped on,
// beside the second save, which settles them all (ordersAhead); it is
// released (release) before this returns: held open, its snapshot would
// keep the next checkpoint from restarting the log. The rows of a PO
// number, and so each PO and shipment, are all in one part.
func (db *DB) saveTrackingBeside(ctx context.Context, tx dbtx, side querier, release func(), actor Actor, supplierID int64, tk *trackingChecker,
	rows []TrackingRow, now time.Time, tr *tracker) (TrackingPlan, error) {
	numbers, k, first, second := fileParts(rows)
	var rest []newShipment
	var restErr error
	checked := make(chan struct{})       // closed once side has checked the rest
	firstOrders := make(chan []int64, 1) // the orders of the first part's shipments, or closed on failure
	ahead := &ordersAhead{}
	ahead.read.Go(func() {
		defer release()
		cands, pos, err := readFilePOs(ctx, []querier{side}, supplierID, numbers[k:], now)
		var uses numberUses
		if err == nil {
			uses, err = loadNumberUses(ctx, side, supplierID, rowTrackingNumbers(rows, second))
		}
		if err == nil {
			rest, err = checkRows(rows, second, cands, pos, tk, actor, uses, now)
		}
		restErr = err
		orders := orderIDs(rest) // read before the writer has rest
		close(checked)
		saved, ok := <-firstOrders
		if err != nil || !ok {
			ahead.err = errors.Join(err, errors.New("the save stopped"))
			return
		}
		orders = append(orders, saved...)
		slices.Sort(orders)
		ahead.st, ahead.err = readOrderState(ctx, side, slices.Compact(orders), false)
	})
	sent := false
	defer func() {
		if !sent {
			close(firstOrders)
		}
		ahead.wait()
	}()
	cands, pos, err := readFilePOs(ctx, []querier{tx}, supplierID, numbers[:k], now)
	if err != nil {
		return TrackingPlan{}, err
	}
	uses, err := loadNumberUses(ctx, tx, supplierID, rowTrackingNumbers(rows, first))
	if err != nil {
		return TrackingPlan{}, err
	}
	list, err := checkRows(rows, first, cands, pos, tk, actor, uses, now)
	if err != nil {
		return TrackingPlan{}, err
	}
	firstOrders <- orderIDs(list)
	sent = true
	if len(list) > 0 {
		opts := saveOpts{tr: tr, leaveOrders: true}
		opts.fileShare.part, opts.fileShare.of = k, len(numbers)
		if err := db.saveShipments(ctx, tx, actor, list, now, opts); err != nil {
			return TrackingPlan{}, err
		}
	}
	<-checked
	if restErr != nil {
		return TrackingPlan{}, restErr
	}
	if len(list)+len(rest) > 0 {
		if err := db.saveShipments(ctx, tx, actor, rest, now, saveOpts{tr: tr, ahead: ahead, earlier: list}); err != nil {
			return TrackingPlan{}, err
		}
	}
	return countPlan(rows, len(list)+len(rest)), nil
}

// fileParts splits a large file's PO numbers in the two parts
// saveTrackingBeside checks side by side: the first k (and rows with no PO
// number) and the rest.
func fileParts(rows []TrackingRow) (numbers []string, k int, first, second map[string]bool) {
	numbers = fileNumbers(rows)
	k = (len(numbers) + firstShare - 1) / firstShare
	first, second = map[string]bool{"": true}, map[string]bool{}
	for i, n := range numbers {
		if i < k {
			first[n] = true
		} else {
			second[n] = true
		}
	}
	return numbers, k, first, second
}

// numberInBothParts says a tracking number stands in rows of both of a
// large file's parts: each part checks its own, so they are checked as one.
func numberInBothParts(rows []TrackingRow) bool {
	_, _, first, second := fileParts(rows)
	inFirst := map[string]bool{}
	for _, n := range rowTrackingNumbers(rows, first) {
		inFirst[n] = true
	}
	for _, n := range rowTrackingNumbers(rows, second) {
		if inFirst[n] {
			return true
		}
	}
	return false
}

// orderIDs is the orders list's shipments are on, each once.
func orderIDs(list []newShipment) []int64 {
	seen := map[int64]bool{}
	var ids []int64
	for i := range list {
		if id := list[i].po.OrderID; !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// sideWait is how long a second reader is waited for.
const sideWait = 20 * time.Millisecond

// sideReader is a read transaction for a file's second part on a reader
// free now, and what ends it; nil when every reader stays busy: the caller
// holds the write lock or a reader, and waiting for another would hold up
// others (or, for as many previews at once as there are readers, each other
// for good). The caller then reads both parts.
func (db *DB) sideReader(ctx context.Context) (*sql.Tx, func(), error) {
	wait, cancel := context.WithTimeout(ctx, sideWait)
	conn, err := db.read.Conn(wait)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, nil
	}
	tx, err := conn.BeginTx(ctx, db.snapshot())
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	// Both engines take the snapshot at the first read, not at BEGIN: read
	// now, before the caller writes (SQLite only counts a read of the file).
	first := "SELECT count(*) FROM sqlite_schema"
	if db.pg {
		first = "SELECT 1"
	}
	var n int
	if err := tx.QueryRowContext(ctx, first).Scan(&n); err != nil {
		tx.Rollback()
		conn.Close()
		return nil, nil, err
	}
	return tx, func() { tx.Rollback(); conn.Close() }, nil
}

// checkTracking checks a file's rows, marking each with its errors, and
// returns the shipments the good rows make, in file order. Each shipment is
// checked against what the database holds and the shipments before it.
// Each reader reads its share of the file's PO numbers, side by side: each
// must see the POs as the transaction that saves them does.
func checkTracking(ctx context.Context, readers []querier, actor Actor, supplierID int64, tk *trackingChecker, rows []TrackingRow, now time.Time) (TrackingPlan, []newShipment, error) {
	cands, pos, err := readFilePOs(ctx, readers, supplierID, fileNumbers(rows), now)
	if err != nil {
		return TrackingPlan{}, nil, err
	}
	uses, err := loadNumberUses(ctx, readers[0], supplierID, rowTrackingNumbers(rows, nil))
	if err != nil {
		return TrackingPlan{}, nil, err
	}
	list, err := checkRows(rows, nil, cands, pos, tk, actor, uses, now)
	if err != nil {
		return TrackingPlan{}, nil, err
	}
	return countPlan(rows, len(list)), list, nil
}

// rowTrackingNumbers is the tracking numbers of the rows whose PO number is
// in part (every row when part is nil), as typed and normalised, each once:
// what a saved shipment may carry.
func rowTrackingNumbers(rows []TrackingRow, part map[string]bool) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rows {
		if part != nil && !part[r.PONumber] {
			continue
		}
		for _, n := range []string{strings.TrimSpace(r.TrackingNumber), carrier.Normalize(r.TrackingNumber)} {
			if n != "" && !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// fileNumbers is the PO numbers of rows, each once, in file order.
func fileNumbers(rows []TrackingRow) []string {
	var numbers []string
	seen := map[string]bool{}
	for _, r := range rows {
		if r.PONumber != "" && !seen[r.PONumber] {
			seen[r.PONumber] = true
			numbers = append(numbers, r.PONumber)
		}
	}
	return numbers
}

// checkRows checks the rows whose PO number is in part (every row when part
// is nil; "" for the rows with none) against cands and pos, read for those
// numbers, marking each with its errors; it returns the shipments the good
// rows make, in file order, each taken off its PO. It writes only the rows
// and POs of its part.
func checkRows(rows []TrackingRow, part map[string]bool, cands map[string][]poCandidate, pos map[int64]*shipPO, tk *trackingChecker, actor Actor,
	uses numberUses, now time.Time) ([]newShipment, error) {
	type group struct {
		po    *shipPO
		rows  []int
		input ShipmentInput
	}
	var groups []*group
	byKey := map[string]*group{}
	for i := range rows {
		r := &rows[i]
		if part != nil && !part[r.PONumber] {
			continue
		}
		if r.PONumber == "" {
			r.Error = "Enter the PO number."
			continue
		}
		poID, msg := pickPO(cands[r.PONumber], r.PONumber, r.Merchant)
		if msg != "" {
			r.Error = msg
			continue
		}
		p := pos[poID]
		if p == nil { // released since the numbers were read
			r.Error = "Unknown PO " + r.PONumber + "."
			continue
		}
		code, note, err := tk.pick(r.Carrier, r.TrackingNumber, "fill in its carrier")
		if err != nil {
			r.Error = UserText(err)
			continue
		}
		r.CarrierNote = note
		number := r.TrackingNumber
		if !strings.HasPrefix(code, customPrefix) {
			number = carrier.Normalize(number)
		}
		key := fmt.Sprintf("%d|%s|%s", poID, code, number)
		g := byKey[key]
		if g == nil {
			g = &group{po: p, input: ShipmentInput{Carrier: code, TrackingNumber: r.TrackingNumber, ShipDate: r.ShipDate, ExtendedField: r.ExtendedField}}
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
		lineID, ok := p.lineBySKU(r.SKU)
		if !ok {
			r.Error = r.SKU + " is not on " + r.PONumber + "."
			continue
		}
		g.input.Lines = append(g.input.Lines, ShipmentLine{POLineID: lineID, Quantity: qty})
	}
	var list []newShipment
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
		sh, err := checkShipment(g.po, tk, actor, g.input, uses, now)
		var ve *ValidationError
		if err != nil && !errors.As(err, &ve) && Message(err) == "" {
			return nil, err
		}
		if err != nil {
			msg := UserText(err)
			if strings.Contains(msg, "already on "+g.po.PONumber+".") {
				msg = "Duplicate: this shipment is already saved."
			}
			msg = strings.Replace(msg, saveAnywayHint, bulkSaveAnywayHint, 1)
			for _, i := range g.rows {
				rows[i].Error = msg
			}
			continue
		}
		left := g.po.take(sh)
		list = append(list, newShipment{po: g.po, sh: sh, left: left})
		uses.add(sh.TrackingNumber, g.po)
	}
	return list, nil
}

// countPlan is the plan of rows checked, which make shipments shipments.
func countPlan(rows []TrackingRow, shipments int) TrackingPlan {
	plan := TrackingPlan{Rows: rows, Shipments: shipments}
	for _, r := range rows {
		if r.Error == "" {
			plan.OK++
		} else {
			plan.Errors++
		}
	}
	return plan
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
