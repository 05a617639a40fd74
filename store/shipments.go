package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dropline/dropline/store/tracking"
)

// Saving shipments: one path for a single parcel (the form, the API) and for
// a bulk upload's thousands. Each PO is read once (its lines, the shipments
// it has); each shipment is checked in memory against it, and against the
// shipments checked before it in the same run; the checked shipments are
// then written together, a few statements per table for all of them and the
// counts, scorecard and ledger totals once per PO, day or order.

// shipPO is a PO as checking and saving its shipments needs it: of
// PurchaseOrder, the names, numbers, states and times loadShipPOs reads.
// Shipments checked earlier in a run are taken off it (take), so later ones
// see what remains.
type shipPO struct {
	PurchaseOrder
	lines      []shipLine      // every line, in id order
	saved      map[string]bool // shipmentKey of each shipment it has
	shipments  int             // how many it has, and how many delivered
	delivered  int
	queue      queueRow // its queue flags and the state they came from, as loaded
	orderEmail string   // the order's customer, for the shipping email
	orderName  string
	// elsewhere is how many units of the order's other lines (not on this
	// PO) have still to ship, by anyone: the shipping email says the rest
	// ships separately. 0 once the order is closed or cancelled on its store.
	elsewhere   int
	replyTo     string // the merchant's reply-to email, for the same
	facts       poFacts
	terms       pairTerms
	supplierLoc *time.Location
	// salesChannel and channelRef: the connected store the order came from
	// and its own ID of the order, for the fulfillment written back.
	salesChannel int64
	channelRef   string
	// tracker is the account whose tracking provider follows its parcels
	// (the merchant's when it has one, else the supplier's; 0: none), and
	// trackerKind that provider.
	tracker     int64
	trackerKind string
}

// shipLine is a PO line and what remains to ship of it.
type shipLine struct {
	id        int64
	sku       string
	item      string // the line as its customer knows it: the merchant's SKU and title
	status    string
	remaining int
	shipped   int
	source    int64
	cost      int64  // per unit, as at dropship
	channel   string // the store's ID of the order line, "" when the order did not come from a store
}

func shipmentKey(carrier, number string) string { return carrier + "|" + number }

// loadShipPOs reads the supplier's released POs among ids, with their lines,
// shipments and queue state (times as text: see textTime): all that saving
// shipments reads, so it can settle them without reading them again. A PO
// that is not the supplier's, or not released, is left out: to the supplier
// it does not exist. (The unary + keeps SQLite from reading the supplier's
// index, every one of its POs, to find a few by ID.)
func loadShipPOs(ctx context.Context, q querier, supplierID int64, ids []int64, now time.Time) (map[int64]*shipPO, error) {
	in, set := oneOf("po.id", ids)
	pos := map[int64]*shipPO{}
	byMerchant, byLink := map[int64][]*shipPO{}, map[int64][]*shipPO{}
	err := eachRow(ctx, q, `SELECT po.id, po.account_id, po.supplier_id, po.link_id, po.order_id, o.channel_order_id, o.channel,
		po.po_number, po.status, po.cancel_state, po.currency, CAST(po.release_at AS TEXT), CAST(po.created_at AS TEXT), o.customer_email, o.customer_name,
		CAST(po.promise_date AS TEXT), CAST(po.acknowledged_at AS TEXT), CAST(po.first_tracking_at AS TEXT), po.queue_flags, CAST(po.queue_clock_at AS TEXT),
		coalesce(o.sales_channel_id, 0), o.channel_ref, po.tracking_problem <> '', po.ship_name, po.ship_address1, po.ship_postal_code,
		CASE WHEN o.closed_at IS NULL AND o.channel_cancelled_at IS NULL THEN (SELECT coalesce(sum(CASE WHEN r.n > 0 THEN r.n ELSE 0 END), 0) FROM (
			SELECT ol.quantity - coalesce((SELECT sum(x.shipped_qty) FROM po_lines x WHERE x.order_line_id = ol.id), 0) AS n FROM order_lines ol
			WHERE ol.order_id = po.order_id AND NOT EXISTS (SELECT 1 FROM po_lines y WHERE y.order_line_id = ol.id AND y.po_id = po.id)) r) ELSE 0 END
		FROM purchase_orders po JOIN orders o ON o.id = po.order_id
		WHERE `+in+` AND +po.supplier_id = ? AND po.release_at <= ?`, []any{set, supplierID, now}, func(rows *sql.Rows) error {
		p := &shipPO{saved: map[string]bool{}}
		var linkID int64
		f := &p.facts
		if err := rows.Scan(&p.ID, &p.AccountID, &p.SupplierID, &linkID, &p.OrderID, &p.ChannelOrderID, &p.Channel,
			&p.PONumber, &p.Status, &p.CancelState, &p.Currency, textTime(&p.ReleaseAt), textTime(&p.CreatedAt), &p.orderEmail, &p.orderName,
			textNullTime(&f.promise), textNullTime(&f.acked), textNullTime(&f.tracked), &p.queue.flags, textNullTime(&p.queue.clock),
			&p.salesChannel, &p.channelRef, &p.queue.state.trackingProblem, &p.ShipTo.Name, &p.ShipTo.Address1, &p.ShipTo.PostalCode, &p.elsewhere); err != nil {
			return err
		}
		pos[p.ID] = p
		byMerchant[p.AccountID] = append(byMerchant[p.AccountID], p)
		byLink[linkID] = append(byLink[linkID], p)
		return nil
	})
	if err != nil || len(pos) == 0 {
		return pos, err
	}
	// The supplier, the merchants and their links: a few rows for every PO,
	// read once rather than joined to each.
	var supplierName, supplierTZ string
	var slaHours, staleDays int
	if err := q.QueryRowContext(ctx, "SELECT name, time_zone, ack_sla_hours, stale_after_days FROM accounts WHERE id = ?", supplierID).Scan(
		&supplierName, &supplierTZ, &slaHours, &staleDays); err != nil {
		return nil, err
	}
	supplierLoc := locationOf(supplierTZ)
	filled := 0 // every PO has its merchant and link: the foreign keys say so
	in, set = oneOf("id", slices.Collect(maps.Keys(byMerchant)))
	err = eachRow(ctx, q, "SELECT id, name, time_zone, reply_to_email FROM accounts WHERE "+in, []any{set}, func(rows *sql.Rows) error {
		var id int64
		var name, tz, replyTo string
		if err := rows.Scan(&id, &name, &tz, &replyTo); err != nil {
			return err
		}
		loc := locationOf(tz)
		for _, p := range byMerchant[id] {
			p.MerchantName, p.terms.loc, p.replyTo = name, loc, replyTo
			filled++
		}
		return nil
	})
	if err == nil && filled != len(pos) {
		err = fmt.Errorf("%d of %d POs have their merchant", filled, len(pos))
	}
	if err != nil {
		return nil, err
	}
	// Whose tracking provider follows the parcels: the merchant's, who
	// answers "where is my order?", else the supplier's.
	providers := map[int64]string{}
	in, set = oneOf("account_id", append(slices.Collect(maps.Keys(byMerchant)), supplierID))
	err = eachRow(ctx, q, "SELECT account_id, provider FROM tracking_settings WHERE provider <> '' AND "+in, []any{set}, func(rows *sql.Rows) error {
		var id int64
		var kind string
		if err := rows.Scan(&id, &kind); err != nil {
			return err
		}
		providers[id] = kind
		return nil
	})
	if err != nil {
		return nil, err
	}
	for id, list := range byMerchant {
		tracker := id
		if providers[id] == "" {
			tracker = supplierID
		}
		if kind := providers[tracker]; kind != "" {
			for _, p := range list {
				p.tracker, p.trackerKind = tracker, kind
			}
		}
	}
	filled = 0
	in, set = oneOf("id", slices.Collect(maps.Keys(byLink)))
	err = eachRow(ctx, q, "SELECT id, earn_on, holding_days FROM vendor_links WHERE "+in, []any{set}, func(rows *sql.Rows) error {
		var id int64
		var earnOn string
		var holdingDays int
		if err := rows.Scan(&id, &earnOn, &holdingDays); err != nil {
			return err
		}
		for _, p := range byLink[id] {
			p.terms.earnOn, p.terms.holdingDays = earnOn, holdingDays
			filled++
		}
		return nil
	})
	if err == nil && filled != len(pos) {
		err = fmt.Errorf("%d of %d POs have their link", filled, len(pos))
	}
	if err != nil {
		return nil, err
	}
	for _, p := range pos {
		p.SupplierName, p.supplierLoc = supplierName, supplierLoc
		f, t, r := &p.facts, &p.terms, &p.queue
		f.id, f.supplierID, f.merchantID, f.release, f.slaHours = p.ID, p.SupplierID, p.AccountID, p.ReleaseAt, slaHours
		t.supplierID, t.merchantID, t.currency = p.SupplierID, p.AccountID, p.Currency
		r.id, r.supplierID, r.merchantID = p.ID, p.SupplierID, p.AccountID
		r.state = queueState{status: p.Status, cancelState: p.CancelState, trackingProblem: r.state.trackingProblem, release: p.ReleaseAt, created: p.CreatedAt, promise: f.promise,
			acked: f.acked.Valid, tracked: f.tracked.Valid, slaHours: slaHours, staleDays: staleDays, loc: supplierLoc}
	}
	in, set = oneOf("pl.po_id", ids)
	err = eachRow(ctx, q, `SELECT pl.po_id, pl.id, pl.supplier_sku, pl.status, pl.quantity - pl.shipped_qty, pl.shipped_qty, pl.source_id, coalesce(pl.cost_cents, 0),
		coalesce(ol.sku, ''), coalesce(nullif(ol.title, ''), pl.title), coalesce(ol.channel_line_id, '')
		FROM po_lines pl LEFT JOIN order_lines ol ON ol.id = pl.order_line_id WHERE `+in+` ORDER BY pl.id`, []any{set}, func(rows *sql.Rows) error {
		var poID int64
		var l shipLine
		var sku, title string
		if err := rows.Scan(&poID, &l.id, &l.sku, &l.status, &l.remaining, &l.shipped, &l.source, &l.cost, &sku, &title, &l.channel); err != nil {
			return err
		}
		l.item = customerItem(sku, title)
		if p := pos[poID]; p != nil {
			p.lines = append(p.lines, l)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	in, set = oneOf("po_id", ids)
	err = eachRow(ctx, q, "SELECT po_id, carrier, tracking_number, delivered_at IS NOT NULL FROM shipments WHERE "+in, []any{set}, func(rows *sql.Rows) error {
		var poID int64
		var c, n string
		var delivered bool
		if err := rows.Scan(&poID, &c, &n, &delivered); err != nil {
			return err
		}
		if p := pos[poID]; p != nil {
			p.saved[shipmentKey(c, n)] = true
			p.shipments++
			if delivered {
				p.delivered++
			}
		}
		return nil
	})
	return pos, err
}

// lineBySKU is the PO line a SKU names: its open line, else its first.
func (p *shipPO) lineBySKU(sku string) (int64, bool) {
	var first int64
	for _, l := range p.lines {
		if l.sku != sku {
			continue
		}
		if l.status == "open" {
			return l.id, true
		}
		if first == 0 {
			first = l.id
		}
	}
	return first, first != 0
}

// checkShipment checks a shipment for p as entered and returns it as it
// would be saved: carrier, normalised number, date, and lines (by default
// everything remaining). A problem the user can fix is a ValidationError;
// a PO with nothing left to ship is a conflict.
func checkShipment(p *shipPO, tk *trackingChecker, actor Actor, in ShipmentInput, uses numberUses, now time.Time) (Shipment, error) {
	c := checks{}
	in.ExtendedField = strings.TrimSpace(in.ExtendedField)
	c.check(len(in.ExtendedField) <= 200, "extended_field", "Use at most 200 characters.")
	tc, terr := tk.check(in.Carrier, in.TrackingNumber)
	if terr != nil {
		ve, ok := terr.(*ValidationError)
		if !ok {
			return Shipment{}, terr
		}
		for k, v := range ve.Fields {
			c.add(k, v)
		}
	} else if p.saved[shipmentKey(tc.Carrier.Value, tc.Number)] {
		// The same shipment again (a re-upload, a second click) adds nothing.
		return Shipment{}, FieldError("tracking_number", "This tracking number is already on "+p.PONumber+".")
	}
	if p.Status != POOpen && p.Status != POPartiallyShipped {
		return Shipment{}, Conflict(p.PONumber + " is " + strings.ReplaceAll(p.Status, "_", " ") + ": nothing is left to ship.")
	}
	if p.CancelState == "accepted" {
		return Shipment{}, Conflict(p.PONumber + " was cancelled.")
	}
	if terr == nil && tc.Problem != "" && !in.Override {
		c.add("tracking_number", strings.TrimSuffix(tc.Problem, ".")+"."+saveAnywayHint)
	}
	// The same number on a PO to another address is almost always a
	// number pasted twice: one parcel goes to one address.
	elsewhere, told := "", ""
	if terr == nil {
		elsewhere, told = uses.elsewhere(tc.Number, p)
	}
	if elsewhere != "" && !in.Override && tc.Problem == "" {
		c.add("tracking_number", told+saveAnywayHint)
	}
	loc := p.supplierLoc
	day, derr := time.ParseInLocation("2006-01-02", strings.TrimSpace(in.ShipDate), loc)
	switch {
	case strings.TrimSpace(in.ShipDate) == "":
		c.add("ship_date", "Enter the ship date.")
	case derr != nil:
		c.add("ship_date", "Use a date like 2026-11-21.")
	default:
		local := now.In(loc)
		today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
		created := p.CreatedAt.In(loc)
		createdDay := time.Date(created.Year(), created.Month(), created.Day(), 0, 0, 0, 0, loc)
		c.check(!day.After(today.AddDate(0, 0, 1)), "ship_date", "The ship date cannot be after tomorrow.")
		c.check(!day.Before(createdDay), "ship_date", "The ship date cannot be before the PO ("+createdDay.Format("2006-01-02")+").")
	}
	// Lines: what remains on each open line, unless chosen.
	open := map[int64]shipLine{}
	for _, l := range p.lines {
		if l.status == "open" {
			open[l.id] = l
		}
	}
	lines := slices.Clone(in.Lines)
	if len(lines) == 0 {
		for _, l := range p.lines {
			if l.status == "open" && l.remaining > 0 {
				lines = append(lines, ShipmentLine{POLineID: l.id, Quantity: l.remaining})
			}
		}
	}
	seen := map[int64]bool{}
	for i, l := range lines {
		o, ok := open[l.POLineID]
		field := fmt.Sprintf("lines[%d]", i)
		switch {
		case !ok:
			c.add(field, "This line is not open on the PO.")
		case seen[l.POLineID]:
			c.add(field, o.sku+" is listed twice.")
		case l.Quantity <= 0:
			c.add(field, "Ship at least 1 of "+o.sku+".")
		case l.Quantity > o.remaining:
			c.add(field, fmt.Sprintf("Only %d of %s remain to ship.", o.remaining, o.sku))
		}
		seen[l.POLineID] = true
		lines[i].SupplierSKU = o.sku
	}
	if len(lines) == 0 {
		c.add("lines", "Nothing remains to ship on this PO.")
	}
	if err := c.err(); err != nil {
		return Shipment{}, err
	}
	sh := Shipment{POID: p.ID, Carrier: tc.Carrier.Value, CarrierName: tc.Carrier.Name, TrackingNumber: tc.Number, TrackingURL: tc.URL,
		ShipDate: day.Format("2006-01-02"), ExtendedField: in.ExtendedField, CreatedBy: actor.Name, CreatedAt: now, Lines: lines}
	if in.Override {
		// The reason kept is the merchant's to read: it names no other PO.
		sh.OverrideReason = strings.TrimSpace(tc.Problem + " " + elsewhere)
	}
	return sh, nil
}

// numberUse is a PO of the supplier's that a tracking number is already
// on, and where that PO ships.
type numberUse struct {
	poID, merchantID   int64
	poNumber, merchant string
	name, addr, postal string
}

// numberUses are the POs each tracking number is already on.
type numberUses map[string][]numberUse

// place is an address as compared: its first line and postal code, in
// lower case, spaces folded.
func place(addr, postal string) string {
	return strings.ToLower(strings.Join(strings.Fields(addr+" "+postal), " "))
}

// elsewhere says, for a number about to be saved on p, whether a PO that
// already has it ships to another address (the same customer's two orders
// in one parcel are fine): reason, kept with a shipment saved anyway and
// shown to p's merchant, names no other PO; told, said to the supplier,
// names the first such PO, and its addressee when it is the same
// merchant's (another merchant's customer is not this merchant's
// business). Both "" when none does.
func (u numberUses) elsewhere(number string, p *shipPO) (reason, told string) {
	here := place(p.ShipTo.Address1, p.ShipTo.PostalCode)
	for _, o := range u[number] {
		if o.poID == p.ID || place(o.addr, o.postal) == here {
			continue
		}
		reason = "The number is already on another parcel, to another address: one parcel goes to one address."
		if o.merchantID != p.AccountID {
			return reason, "This tracking number is already on " + o.merchant + "'s " + o.poNumber + ", which ships to another address: one parcel goes to one address."
		}
		to := strings.Join(slices.DeleteFunc([]string{o.name, o.postal}, func(s string) bool { return strings.TrimSpace(s) == "" }), ", ")
		return reason, "This tracking number is already on " + o.poNumber + ", which ships to another address (" + to + "): one parcel goes to one address."
	}
	return "", ""
}

// add records that number is now on p, for the rows of a file after it.
func (u numberUses) add(number string, p *shipPO) {
	u[number] = append(u[number], numberUse{poID: p.ID, merchantID: p.AccountID, poNumber: p.PONumber, merchant: p.MerchantName, name: p.ShipTo.Name,
		addr: p.ShipTo.Address1, postal: p.ShipTo.PostalCode})
}

// loadNumberUses reads the supplier's POs that already carry any of
// numbers (as saved: normalised for a known carrier).
func loadNumberUses(ctx context.Context, q querier, supplierID int64, numbers []string) (numberUses, error) {
	uses := numberUses{}
	if len(numbers) == 0 {
		return uses, nil
	}
	set, err := json.Marshal(numbers)
	if err != nil {
		return nil, err
	}
	err = eachRow(ctx, q, `SELECT s.tracking_number, po.id, po.account_id, po.po_number, m.name, po.ship_name, po.ship_address1, po.ship_postal_code
		FROM shipments s JOIN purchase_orders po ON po.id = s.po_id JOIN accounts m ON m.id = po.account_id
		WHERE s.supplier_id = ? AND s.tracking_number IN (SELECT value FROM json_each(?)) ORDER BY s.id`, []any{supplierID, string(set)}, func(rows *sql.Rows) error {
		var number string
		var o numberUse
		if err := rows.Scan(&number, &o.poID, &o.merchantID, &o.poNumber, &o.merchant, &o.name, &o.addr, &o.postal); err != nil {
			return err
		}
		uses[number] = append(uses[number], o)
		return nil
	})
	return uses, err
}

// saveAnywayHint follows a number that fails its carrier's check, on the
// form and the API, which can save it anyway; bulkSaveAnywayHint replaces
// it for a file, which cannot.
const (
	saveAnywayHint     = " Check it, or tick \"save anyway\" if it is right."
	bulkSaveAnywayHint = " Check it; if it is right, add it on the PO page and tick \"save anyway\" there."
)

// take counts a checked shipment against p: its quantities leave the lines
// (a line with nothing left is shipped) and its number is saved.
func (p *shipPO) take(sh Shipment) (left int) {
	for _, sl := range sh.Lines {
		for i := range p.lines {
			if l := &p.lines[i]; l.id == sl.POLineID {
				l.remaining -= sl.Quantity
				l.shipped += sl.Quantity
				if l.remaining <= 0 {
					l.status = "shipped"
				}
			}
		}
	}
	p.saved[shipmentKey(sh.Carrier, sh.TrackingNumber)] = true
	p.shipments++
	for _, l := range p.lines {
		if l.status == "open" {
			left += max(l.remaining, 0)
		}
	}
	return left
}

// settled is p's queue row as loaded and the status its lines and shipments
// now make, counted as settlePOs counts them: saving shipments writes the
// lines as take left them, so it need not read them back.
func (p *shipPO) settled() (queueRow, string) {
	r := p.queue
	n := poCounts{shipments: p.shipments, delivered: p.delivered}
	for _, l := range p.lines {
		n.add(l.status, l.shipped, l.remaining)
		if l.status == "rejected" {
			r.state.rejectedLine = true
		}
	}
	return r, n.status()
}

// line is the PO line with id.
func (p *shipPO) line(id int64) shipLine {
	for _, l := range p.lines {
		if l.id == id {
			return l
		}
	}
	return shipLine{}
}

// newShipment is a checked shipment and its PO, to save.
type newShipment struct {
	po   *shipPO
	sh   Shipment
	left int // what remained to ship of the PO once it was taken off
}

var (
	shipmentCols = []string{"id", "po_id", "supplier_id", "merchant_id", "carrier", "carrier_name", "tracking_number", "tracking_url", "ship_date",
		"extended_field", "override_reason", "created_by", "created_at", "tracking_account_id", "tracking_provider"}
	shipmentLineCols = []string{"shipment_id", "po_line_id", "quantity"}
)

// saveShipments writes checked shipments, in one transaction with
// everything they cause: the lines' shipped quantities and reservations, the
// scorecard, the supplier's earnings, the order's timeline, the audit log,
// the customer's email, the channel update and webhooks; then each PO's
// status and each order's tab. Each shipment must have been taken off its
// PO (take): the POs settle from what that leaves. It sets each shipment's
// ID and tells tr, which may be nil, how far it has got. The orders settle
// as opts says.
func (db *DB) saveShipments(ctx context.Context, tx dbtx, actor Actor, list []newShipment, now time.Time, opts saveOpts) error {
	tr := opts.tr
	var next int64
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) FROM shipments").Scan(&next); err != nil {
		return err
	}
	type poTotal struct {
		po               *shipPO
		shipments, overr int
	}
	type dayKey struct {
		supplierID, merchantID int64
		currency, day          string
	}
	type dayTotal struct{ earned, released int64 }
	var shipments, shipLines, earnings [][]any
	byPO := map[int64]*poTotal{}
	lineQty, sourceQty := map[int64]int{}, map[int64]int{}
	days := map[dayKey]*dayTotal{}
	hooks := map[int64][]string{} // the merchant's endpoints for shipment.created
	messages := 0                 // timeline notes, audit entries and outbox messages
	for i := range list {
		p, sh := list[i].po, &list[i].sh
		if !p.saved[shipmentKey(sh.Carrier, sh.TrackingNumber)] {
			return fmt.Errorf("shipment %s %s was not taken off %s: its status would not follow", sh.Carrier, sh.TrackingNumber, p.PONumber)
		}
		next++
		sh.ID = next
		if _, ok := hooks[p.AccountID]; !ok {
			urls, err := webhookURLs(ctx, tx, p.AccountID, "shipment.created")
			if err != nil {
				return err
			}
			hooks[p.AccountID] = urls
		}
		messages += 2 + p.sends(hooks).count()
	}
	// The notes, emails and payloads are the most text to build: a second
	// core builds them while this one writes the rows that do not need them.
	var notes shipNotes
	var notesErr error
	var built sync.WaitGroup
	built.Go(func() { notes, notesErr = noteShipments(list, hooks, actor, now, db.baseURL()) })
	defer built.Wait() // the builder reads list: it ends before saveShipments does
	for i := range list {
		p, sh := list[i].po, &list[i].sh
		var tracker any // NULL: no provider follows it
		if p.tracker != 0 {
			tracker = p.tracker
		}
		shipments = append(shipments, []any{sh.ID, p.ID, p.SupplierID, p.AccountID, sh.Carrier, sh.CarrierName, sh.TrackingNumber, sh.TrackingURL, sh.ShipDate,
			sh.ExtendedField, sh.OverrideReason, actor.Name, now, tracker, p.trackerKind})
		t := byPO[p.ID]
		if t == nil {
			t = &poTotal{po: p}
			byPO[p.ID] = t
		}
		t.shipments++
		if sh.OverrideReason != "" {
			t.overr++
		}
		for _, l := range sh.Lines {
			shipLines = append(shipLines, []any{sh.ID, l.POLineID, l.Quantity})
			lineQty[l.POLineID] += l.Quantity
			sourceQty[p.line(l.POLineID).source] += l.Quantity
		}
		// Earned on shipping, when the link's terms say so: each line's
		// cost at dropship times the quantity shipped, in PO line order.
		available := p.terms.availableAt(now)
		var earned int64
		if p.terms.earnOn == EarnOnShipped {
			for _, l := range slices.SortedFunc(slices.Values(sh.Lines), func(a, b ShipmentLine) int { return cmp.Compare(a.POLineID, b.POLineID) }) {
				amount := p.line(l.POLineID).cost * int64(l.Quantity)
				earnings = append(earnings, earningRow(p.terms, p.ID, l.POLineID, sh.ID, l.Quantity, amount, now, actor, now))
				earned += amount
			}
		}
		if earned != 0 {
			k := dayKey{p.SupplierID, p.AccountID, p.Currency, localDay(now, p.terms.loc)}
			if days[k] == nil {
				days[k] = &dayTotal{}
			}
			days[k].earned += earned
			k.day = localDay(available, p.terms.loc)
			if days[k] == nil {
				days[k] = &dayTotal{}
			}
			days[k].released += earned
		}
	}
	inserts := []tableRows{
		{"shipments", shipmentCols, shipments},
		{"shipment_lines", shipmentLineCols, shipLines},
		{"ledger_entries", earningCols, earnings},
	}
	ids := slices.Sorted(maps.Keys(byPO))
	orders := map[int64]int64{} // order to merchant
	if !opts.leaveOrders {
		for _, id := range ids {
			orders[byPO[id].po.OrderID] = byPO[id].po.AccountID
		}
		for _, s := range opts.earlier {
			orders[s.po.OrderID] = s.po.AccountID
		}
	}
	// Progress counts the rows written, then the POs and orders updated,
	// each update as updateUnits rows: what it costs.
	units := (len(ids)+len(orders))*updateUnits + messages
	for _, in := range inserts {
		units += len(in.rows)
	}
	if f := opts.fileShare; f.of > 0 {
		// An estimate of the whole file's, its orders counted too.
		units = (units + len(orderIDs(list))*updateUnits) * f.of / f.part
	}
	tr.count(StepSaving, units)
	if err := insertTables(ctx, tx, tr, inserts); err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(lineQty)) {
		q := lineQty[id]
		if _, err := tx.ExecContext(ctx, `UPDATE po_lines SET shipped_qty = shipped_qty + ?, status = CASE WHEN shipped_qty + ? >= quantity THEN 'shipped' ELSE status END
			WHERE id = ?`, q, q, id); err != nil {
			return err
		}
	}
	// Shipped units leave the reservation: the supplier's next feed counts them out.
	for _, id := range slices.Sorted(maps.Keys(sourceQty)) {
		if _, err := tx.ExecContext(ctx, "UPDATE product_sources SET reserved = max(reserved - ?, 0) WHERE id = ?", sourceQty[id], id); err != nil {
			return err
		}
	}
	for _, k := range slices.SortedFunc(maps.Keys(days), func(a, b dayKey) int {
		return cmp.Or(cmp.Compare(a.supplierID, b.supplierID), cmp.Compare(a.merchantID, b.merchantID),
			strings.Compare(a.currency, b.currency), strings.Compare(a.day, b.day))
	}) {
		t := pairTerms{supplierID: k.supplierID, merchantID: k.merchantID, currency: k.currency}
		if err := addLedgerDay(ctx, tx, t, k.day, days[k].earned, 0, 0, days[k].released); err != nil {
			return err
		}
	}
	marks := make([]shipMark, 0, len(ids))
	for _, id := range ids {
		t := byPO[id]
		marks = append(marks, shipMark{f: t.po.facts, shipments: t.shipments, overrides: t.overr})
	}
	if err := markShipments(ctx, tx, marks, now); err != nil {
		return err
	}
	// Each PO's status, from its lines and shipments as written.
	states := make([]queueRow, 0, len(ids))
	changes := make(map[int64]poChange, len(ids))
	for _, id := range ids {
		r, status := byPO[id].po.settled()
		states = append(states, r)
		changes[id] = poChange{status: status, trackedAt: now, trackedBy: actorName(actor)}
	}
	if err := chunks(tr, updateUnits, states, func(part []queueRow) error { return db.writeQueue(ctx, tx, part, changes) }); err != nil {
		return err
	}
	// Each order once, though its POs settled in different chunks.
	settle := func(part map[int64]int64) error { return db.settleOrders(ctx, tx, part) }
	if opts.ahead != nil && len(orders) > 0 {
		st, err := opts.ahead.wait()
		if err != nil {
			return err
		}
		for _, id := range ids {
			st.ship(byPO[id].po, lineQty)
		}
		// The earlier save's POs, each once, with what it shipped on their lines.
		earlierQty := map[int64]int{}
		earlierPOs := map[*shipPO]bool{}
		for _, s := range opts.earlier {
			earlierPOs[s.po] = true
			for _, l := range s.sh.Lines {
				earlierQty[l.POLineID] += l.Quantity
			}
		}
		for p := range earlierPOs {
			st.ship(p, earlierQty)
		}
		settle = func(part map[int64]int64) error { return db.writeOrders(ctx, tx, part, st, false) }
	}
	if err := chunks(tr, updateUnits, slices.Sorted(maps.Keys(orders)), func(ids []int64) error {
		part := make(map[int64]int64, len(ids))
		for _, id := range ids {
			part[id] = orders[id]
		}
		return settle(part)
	}); err != nil {
		return err
	}
	built.Wait()
	if notesErr != nil {
		return notesErr
	}
	return insertTables(ctx, tx, tr, []tableRows{
		{"order_events", eventCols, notes.events},
		{"audit_log", auditCols, notes.audits},
		{"outbox", outboxCols, notes.outbox},
		{"tracking_links", trackingLinkCols, notes.links},
	})
}

// saveOpts is how saveShipments reports progress and settles the orders.
type saveOpts struct {
	tr *tracker // told how far the save has got, unless nil
	// ahead, unless nil, is the orders' state before the transaction wrote,
	// read beside the writes; when nil, the orders are read after them.
	ahead *ordersAhead
	// earlier is the shipments an earlier save in the same transaction left
	// their orders to this one to settle (leaveOrders).
	earlier     []newShipment
	leaveOrders bool
	// fileShare, when set, is the share of the file's PO numbers this save
	// is of, the first of two: progress counts its units scaled to the
	// whole file's, and the next save counts its own.
	fileShare struct{ part, of int }
}

// tableRows is rows to insert into a table's columns.
type tableRows struct {
	table string
	cols  []string
	rows  [][]any
}

// insertTables inserts each table's rows in turn, telling tr of every row.
func insertTables(ctx context.Context, tx dbtx, tr *tracker, tables []tableRows) error {
	for _, in := range tables {
		if err := chunks(tr, 1, in.rows, func(rows [][]any) error { return insertRows(ctx, tx, in.table, in.cols, rows) }); err != nil {
			return err
		}
	}
	return nil
}

// ordersAhead is the state of the orders a save ships on, read beside its
// writes on a reader that sees what the transaction saw before it wrote.
type ordersAhead struct {
	read sync.WaitGroup
	st   orderState
	err  error
}

// wait is the state once read.
func (a *ordersAhead) wait() (orderState, error) {
	a.read.Wait()
	return a.st, a.err
}

// ship counts into st what the save shipped on p, given each line's
// quantity shipped (lineQty) and p's lines as take left them. Shipping moves
// an order's line, on a live PO line that was open, only from not shipped in
// full to shipped in full when nothing remains, and from nothing shipped to
// something: readOrderState's "shipped" and "partly". Nothing else it
// counts changes: which lines are linked, on a PO or off one after a
// rejection, the POs delivered (a new shipment is not), the cancellations.
func (st orderState) ship(p *shipPO, lineQty map[int64]int) {
	n := st.counts[p.OrderID]
	for _, l := range p.lines {
		q := lineQty[l.id]
		if q == 0 {
			continue
		}
		if l.status == "shipped" && l.remaining <= 0 {
			n.shipped++
		}
		if l.shipped > 0 && l.shipped == q {
			n.partly++
		}
	}
}

// shipSends is what a shipment on a PO sends: the customer's email, a
// Shopify fulfillment, its registration with a tracking provider, and the
// merchant's shipment.created webhooks.
type shipSends struct {
	email, shopify bool
	channel        bool // a fulfillment to the connected store the order came from
	tracking       bool // a tracker with the provider of the account that follows its parcels
	hooks          []string
}

// sends is what a shipment on p sends, given each merchant's webhook
// endpoints for shipment.created.
func (p *shipPO) sends(hooks map[int64][]string) shipSends {
	fromStore := p.salesChannel != 0 && p.channelRef != ""
	return shipSends{email: p.orderEmail != "", shopify: p.Channel == "shopify" && !fromStore, channel: fromStore, tracking: p.tracker != 0, hooks: hooks[p.AccountID]}
}

// count is how many outbox messages s queues.
func (s shipSends) count() int {
	n := len(s.hooks)
	if s.email {
		n += 2 // the email and its tracking link
	}
	if s.shopify || s.channel {
		n++
	}
	if s.tracking {
		n++
	}
	return n
}

// shipNotes is what saved shipments say and send, as rows: one note each
// on the order's timeline, one audit entry each, and their outbox messages.
type shipNotes struct{ events, audits, outbox, links [][]any }

// noteShipments builds list's notes. It only reads list and hooks, so it
// can run beside the writes. base is the address the customer's tracking
// links start with.
func noteShipments(list []newShipment, hooks map[int64][]string, actor Actor, now time.Time, base string) (shipNotes, error) {
	var n shipNotes
	for i := range list {
		p, sh := list[i].po, &list[i].sh
		send := p.sends(hooks)
		parts := make([]string, 0, len(sh.Lines))
		skus := make([]map[string]any, 0, len(sh.Lines))
		for _, l := range sh.Lines {
			parts = append(parts, fmt.Sprintf("%d × %s", l.Quantity, l.SupplierSKU))
			skus = append(skus, map[string]any{"sku": l.SupplierSKU, "quantity": l.Quantity})
		}
		// One note on the order's timeline says what happened and what it
		// sent: three notes at the same instant told a merchant no more.
		msg := fmt.Sprintf("%s shipped %s on %s with %s, tracking %s (%s).", p.SupplierName, strings.Join(parts, ", "), p.PONumber, sh.CarrierName, sh.TrackingNumber, sh.ShipDate)
		if sh.OverrideReason != "" {
			msg += " The number failed a check and was saved anyway: " + strings.TrimSuffix(sh.OverrideReason, ".") + "."
		}
		n.audits = append(n.audits, auditRow(actor, p.SupplierID, "shipment.created", "purchase_order", p.ID, sh.CarrierName+" "+sh.TrackingNumber, now))
		// What the shipment sends: the customer's email in the merchant's
		// name (the supplier is never named to the customer), the channel
		// update, and the merchant's webhooks.
		if send.email {
			// The email carries a link of its own to the order's tracking page.
			token := randomToken(32)
			n.links = append(n.links, []any{p.OrderID, p.AccountID, sh.ID, hashToken(token), now})
			e := shippedEmail(p, *sh, list[i].left, base+TrackingLinkPath(token))
			n.outbox = append(n.outbox, outboxRow(OutboxMessage{AccountID: p.AccountID, OrderID: p.OrderID, Kind: OutboxEmail, Topic: "customer.shipped",
				Recipient: p.orderEmail, FromName: p.MerchantName, ReplyTo: p.replyTo, Subject: e.Subject, Body: e.text(), HTML: e.html()}, now))
			msg += " Shipping email to " + p.orderEmail + " queued."
		}
		if send.shopify {
			payload, err := json.Marshal(map[string]any{"fulfillment": map[string]any{"order_name": p.ChannelOrderID, "tracking_company": sh.CarrierName,
				"tracking_number": sh.TrackingNumber, "tracking_url": sh.TrackingURL, "notify_customer": false, "line_items": skus}})
			if err != nil {
				return shipNotes{}, err
			}
			n.outbox = append(n.outbox, outboxRow(OutboxMessage{AccountID: p.AccountID, OrderID: p.OrderID, Kind: OutboxChannel, Topic: "shopify.fulfillment",
				Recipient: "shopify", Body: string(payload)}, now))
			msg += " Shopify fulfillment with tracking queued."
		}
		if send.channel {
			body, err := json.Marshal(channelFulfillment(p, *sh))
			if err != nil {
				return shipNotes{}, err
			}
			n.outbox = append(n.outbox, outboxRow(OutboxMessage{AccountID: p.AccountID, OrderID: p.OrderID, Kind: OutboxChannel, Topic: TopicChannelFulfillment,
				Recipient: "store " + strconv.FormatInt(p.salesChannel, 10), Body: string(body), ShipmentID: sh.ID}, now))
			msg += " Fulfillment with tracking for the store queued."
		}
		if send.tracking {
			row, err := trackerRow(p, *sh, now)
			if err != nil {
				return shipNotes{}, err
			}
			n.outbox = append(n.outbox, row)
			if p.tracker == p.AccountID {
				msg += " Registration with " + tracking.Kind(p.trackerKind).Name() + " for tracking updates queued."
			}
		}
		n.events = append(n.events, eventRow(p.AccountID, p.OrderID, actor, "tracking_added", msg, now))
		if len(send.hooks) > 0 {
			body, err := json.Marshal(map[string]any{"event": "shipment.created", "created_at": now, "data": map[string]any{"order_id": p.OrderID,
				"channel_order_id": p.ChannelOrderID, "po_number": p.PONumber, "carrier": sh.CarrierName, "tracking_number": sh.TrackingNumber,
				"tracking_url": sh.TrackingURL, "ship_date": sh.ShipDate, "lines": skus}})
			if err != nil {
				return shipNotes{}, err
			}
			for _, u := range send.hooks {
				n.outbox = append(n.outbox, outboxRow(OutboxMessage{AccountID: p.AccountID, OrderID: p.OrderID, Kind: OutboxWebhook, Topic: "shipment.created",
					Recipient: u, Body: string(body)}, now))
			}
		}
	}
	return n, nil
}

// shippedEmail is the customer's "your order has shipped" email: what this
// parcel holds, whether more is to come (left), and where to follow it.
func shippedEmail(p *shipPO, sh Shipment, left int, page string) customerEmail {
	e := customerEmail{Subject: "Your order " + p.ChannelOrderID + " has shipped", Name: strings.TrimSpace(p.orderName),
		Said: fmt.Sprintf("Good news: your order %s from %s is on its way.", p.ChannelOrderID, p.MerchantName), Rest: left > 0 || p.elsewhere > 0,
		Carrier: sh.CarrierName, Number: sh.TrackingNumber, Page: page, CarrierURL: sh.TrackingURL, Merchant: p.MerchantName}
	items := map[int64]string{}
	for _, l := range p.lines {
		items[l.id] = l.item
	}
	for _, l := range sh.Lines {
		item := items[l.POLineID]
		if item == "" {
			item = l.SupplierSKU
		}
		e.Items = append(e.Items, fmt.Sprintf("%d × %s", l.Quantity, item))
	}
	return e
}

// customerItem names a line as the customer knows it: "Title (SKU)".
func customerItem(sku, title string) string {
	switch {
	case title == "":
		return sku
	case sku == "":
		return title
	}
	return title + " (" + sku + ")"
}
