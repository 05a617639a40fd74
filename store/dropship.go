package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dropline/dropline/store/orderfile"
)

// Line problem codes: why a line cannot be dropshipped now.
const (
	ProblemNotLinked     = "not_linked"     // no supplier carries the SKU
	ProblemAlreadyOnPO   = "already_on_po"  // the line is on a live PO
	ProblemRouting       = "routing"        // link, dropship module or initial status missing
	ProblemLeadTime      = "lead_time"      // source lead time over the account's limit
	ProblemStock         = "stock"          // not enough stock at the source
	ProblemGone          = "gone"           // the product left the supplier's feed
	ProblemUnknownSource = "unknown_source" // the chosen source is not one of the line's
	ProblemRejected      = "rejected"       // the only eligible source is the supplier that rejected the line
	ProblemClosed        = "closed"         // the merchant closed the order
)

// SourceOption is one source a line could be dropshipped from, and why not.
type SourceOption struct {
	Source
	Eligible bool
	Problem  string // code, when not eligible
	Message  string
}

// PlanLine is an order line as the dropship form shows it.
type PlanLine struct {
	OrderLine
	Options  []SourceOption
	Default  int64  // the default source: first eligible by priority
	Problem  string // set when no source is eligible
	Message  string
	Eligible bool
}

// PlanGroup is the lines one supplier would get, with its proposed PO number.
type PlanGroup struct {
	SupplierID   int64
	SupplierName string
	PONumber     string
	LineIDs      []int64
	// Website is set for a website supplier the merchant orders from by
	// hand: its site, and per line what the merchant buys there.
	Website *WebsiteGroup
}

// WebsiteGroup is what the dropship form shows for a website supplier.
type WebsiteGroup struct {
	Site  string
	Lines []WebsiteLine
}

// WebsiteLine is one line to buy on the supplier's site for the customer.
type WebsiteLine struct {
	OrderLineID int64
	SKU         string // the supplier's SKU
	Title       string // the order line's title: the variant the customer chose
	Quantity    int
	CostCents   int64
	HasCost     bool
	Currency    string
	URL         string // the product's page on the site, from the feed
}

// DropshipPlan is what the confirmation form offers for an order.
type DropshipPlan struct {
	Order  Order
	Lines  []PlanLine
	Groups []PlanGroup
	Key    string // idempotency key for this form
}

// DropshipLine chooses a line (and optionally its source) to dropship.
type DropshipLine struct {
	OrderLineID int64
	SourceID    int64 // 0: the default source
}

// DropshipRequest is a submitted dropship confirmation.
type DropshipRequest struct {
	IdempotencyKey string
	Lines          []DropshipLine   // empty: every eligible line
	PONumbers      map[int64]string // supplier ID → PO number; missing: generated
	// Proposed are the numbers the form proposed (supplier ID → number): one
	// submitted unchanged that another submit used meanwhile is replaced by
	// the next free number instead of being refused.
	Proposed      map[int64]string
	ShipTo        *orderfile.Address // nil: the order's ship-to
	Notes         string
	Confirm       bool
	OverrideStock bool
	// External is, per website supplier (supplier ID), the order the
	// merchant placed on its site for the customer: recorded on the PO,
	// which it acknowledges. Left out, it can be recorded on the PO later.
	External map[int64]ExternalOrderInput
}

// LineProblem is why a requested line was not dropshipped.
type LineProblem struct {
	OrderLineID int64
	SKU         string
	Code        string
	Message     string
}

// DropshipResult is what a dropship did.
type DropshipResult struct {
	POs      []PurchaseOrder
	Problems []LineProblem
	Replayed bool // the same submit was seen before; these are its POs
}

// options evaluates each source of a line against the dropship rules.
func (db *DB) lineOptions(ctx context.Context, q querier, acc Account, l OrderLine, override bool, routing map[int64][]string) ([]SourceOption, error) {
	var leadLimit int
	if err := q.QueryRowContext(ctx, "SELECT lead_time_limit_days FROM accounts WHERE id = ?", acc.ID).Scan(&leadLimit); err != nil {
		return nil, err
	}
	var out []SourceOption
	for _, s := range l.Sources {
		o := SourceOption{Source: s, Eligible: true}
		problems, ok := routing[s.SupplierID]
		if !ok && s.SupplierID != 0 {
			var err error
			problems, err = routingProblems(ctx, q, acc.ID, s.SupplierID)
			if err != nil {
				return nil, err
			}
			routing[s.SupplierID] = problems
		}
		switch {
		case s.SupplierID == 0:
			o.Eligible, o.Problem, o.Message = false, ProblemRouting, "This source is a feed by URL with no supplier named: name its supplier under Suppliers → Suppliers outside Dropline (a website you order from, or a supplier reached by email) to dropship it."
		case s.Missing:
			o.Eligible, o.Problem, o.Message = false, ProblemGone, s.SupplierName+" no longer lists "+s.SupplierSKU+" in its feed."
		case len(problems) > 0:
			o.Eligible, o.Problem, o.Message = false, ProblemRouting, strings.Join(problems, " ")
		case s.LeadTimeDays > leadLimit:
			o.Eligible, o.Problem, o.Message = false, ProblemLeadTime, fmt.Sprintf("Lead time at %s is %d days; only %d day(s) or less can be dropshipped.", s.SupplierName, s.LeadTimeDays, leadLimit)
		case !override && s.Sellable() < l.Remaining():
			o.Eligible, o.Problem, o.Message = false, ProblemStock, fmt.Sprintf("Only %d in stock at %s; %d to send.", s.Sellable(), s.SupplierName, l.Remaining())
		}
		out = append(out, o)
	}
	return out, nil
}

// planLines evaluates every line of an order.
func (db *DB) planLines(ctx context.Context, q querier, acc Account, o Order, override bool) ([]PlanLine, error) {
	routing := map[int64][]string{}
	var closed bool
	if err := q.QueryRowContext(ctx, "SELECT closed_at IS NOT NULL FROM orders WHERE id = ?", o.ID).Scan(&closed); err != nil {
		return nil, err
	}
	var out []PlanLine
	for _, l := range o.Lines {
		pl := PlanLine{OrderLine: l}
		switch {
		case closed && l.PO == nil:
			pl.Problem, pl.Message = ProblemClosed, "The order is closed."
		case l.PO != nil:
			pl.Problem, pl.Message = ProblemAlreadyOnPO, "Already dropshipped on "+l.PO.PONumber+"."
		case !l.Linked:
			pl.Problem, pl.Message = ProblemNotLinked, "No supplier carries this SKU: not a dropship line."
		default:
			opts, err := db.lineOptions(ctx, q, acc, l, override, routing)
			if err != nil {
				return nil, err
			}
			pl.Options = opts
			// A rejected line goes elsewhere by default: never back to the
			// supplier that rejected it (it can still be chosen by name).
			var rejecter int64
			if l.Rejected != nil && l.Rejected.Status == "rejected" {
				rejecter = l.Rejected.SupplierID
			}
			for _, op := range opts {
				if op.Eligible && op.SupplierID != rejecter {
					pl.Default, pl.Eligible = op.ID, true
					break
				}
			}
			switch {
			case pl.Eligible || len(opts) == 0:
			case rejecter != 0 && slices.ContainsFunc(opts, func(op SourceOption) bool { return op.Eligible }):
				pl.Problem, pl.Message = ProblemRejected, l.Rejected.Supplier+" rejected this line and no other source can take it: close the order, or add a source."
			default:
				pl.Problem, pl.Message = opts[0].Problem, opts[0].Message
			}
		}
		out = append(out, pl)
	}
	return out, nil
}

// DropshipPlan prepares the confirmation form for an order: each line's
// sources and eligibility, grouped by supplier with proposed PO numbers.
func (db *DB) DropshipPlan(ctx context.Context, merchantID, orderID int64) (DropshipPlan, error) {
	return db.DropshipPlanFor(ctx, merchantID, orderID, nil)
}

// DropshipPlanFor is DropshipPlan for the lines and sources the form has
// chosen so far (line ID → source ID, 0 for the default source): the groups,
// and so the PO numbers and suppliers to confirm, follow where each chosen
// line now goes. A nil choice is every eligible line to its default source.
func (db *DB) DropshipPlanFor(ctx context.Context, merchantID, orderID int64, chosen map[int64]int64) (DropshipPlan, error) {
	o, err := db.Order(ctx, merchantID, orderID)
	if err != nil {
		return DropshipPlan{}, err
	}
	acc, err := db.Account(ctx, merchantID)
	if err != nil {
		return DropshipPlan{}, err
	}
	lines, err := db.planLines(ctx, cachedReader{db}, acc, o, false)
	if err != nil {
		return DropshipPlan{}, fmt.Errorf("store: dropship plan: %w", err)
	}
	plan := DropshipPlan{Order: o, Lines: lines, Key: randomToken(16)}
	groups := map[int64]*PlanGroup{}
	var seq int
	if err := db.rqRow(ctx, "SELECT po_sequence FROM accounts WHERE id = ?", merchantID).Scan(&seq); err != nil {
		return DropshipPlan{}, fmt.Errorf("store: dropship plan: %w", err)
	}
	var existing int
	if err := db.rqRow(ctx, "SELECT count(*) FROM purchase_orders WHERE order_id = ?", orderID).Scan(&existing); err != nil {
		return DropshipPlan{}, fmt.Errorf("store: dropship plan: %w", err)
	}
	for _, l := range lines {
		srcID := l.Default
		if chosen != nil {
			id, ok := chosen[l.ID]
			if !ok {
				continue
			}
			if id != 0 {
				srcID = id
			}
		}
		var src *Source
		for _, op := range l.Options {
			// A chosen line short of stock goes, with the override, to its first such source.
			if op.ID == srcID || (chosen != nil && srcID == 0 && src == nil && op.Problem == ProblemStock) {
				src = &op.Source
			}
		}
		if src == nil || src.SupplierID == 0 || l.PO != nil {
			continue
		}
		g := groups[src.SupplierID]
		if g == nil {
			g = &PlanGroup{SupplierID: src.SupplierID, SupplierName: src.SupplierName}
			var contact, site string
			if err := db.rqRow(ctx, "SELECT contact, website FROM accounts WHERE id = ? AND managed_by = ?", src.SupplierID, merchantID).Scan(&contact, &site); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return DropshipPlan{}, fmt.Errorf("store: dropship plan: %w", err)
			}
			if contact == ContactWebsite {
				g.Website = &WebsiteGroup{Site: site}
			}
			groups[src.SupplierID] = g
		}
		g.LineIDs = append(g.LineIDs, l.ID)
		if g.Website != nil {
			g.Website.Lines = append(g.Website.Lines, WebsiteLine{OrderLineID: l.ID, SKU: src.SupplierSKU, Title: l.Title, Quantity: l.Remaining(),
				CostCents: src.CostCents, HasCost: src.HasCost, Currency: src.Currency, URL: src.URL})
		}
	}
	var ids []int64
	for id := range groups {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return groups[ids[i]].SupplierName < groups[ids[j]].SupplierName })
	taken := map[string]bool{}
	for _, id := range ids {
		g := groups[id]
		settings, err := db.linkSettings(ctx, cachedReader{db}, merchantID, id)
		if errors.Is(err, ErrNotFound) {
			continue // a chosen source over an ended link: the line's own message says so
		}
		if err != nil {
			return DropshipPlan{}, fmt.Errorf("store: dropship plan: %w", err)
		}
		// Each group proposes the next number nobody has used, and no other
		// group of this form proposes it too.
		g.PONumber, seq, existing, err = freePONumber(ctx, cachedReader{db}, merchantID, settings, o.ChannelOrderID, seq, existing, taken)
		if err != nil {
			return DropshipPlan{}, fmt.Errorf("store: dropship plan: %w", err)
		}
		plan.Groups = append(plan.Groups, *g)
	}
	return plan, nil
}

// freePONumber is the first PO number in the link's format after seq (or
// after the order's nth PO) that is neither used in the merchant's account
// nor in taken, with the seq and nth it used. It adds the number to taken.
func freePONumber(ctx context.Context, q querier, merchantID int64, link VendorLink, channelOrderID string, seq, nth int, taken map[string]bool) (string, int, int, error) {
	for {
		if link.POFormat == POFormatChannel {
			nth++
		} else {
			seq++
		}
		number := poNumber(link, channelOrderID, seq, nth)
		if taken[number] {
			continue
		}
		used, err := poNumberUsed(ctx, q, merchantID, number)
		if err != nil {
			return "", seq, nth, err
		}
		if !used {
			taken[number] = true
			return number, seq, nth, nil
		}
	}
}

// poNumberUsed is whether a PO of the merchant already has number.
func poNumberUsed(ctx context.Context, q querier, merchantID int64, number string) (bool, error) {
	var used bool
	err := q.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM purchase_orders WHERE account_id = ? AND po_number = ?)", merchantID, number).Scan(&used)
	return used, err
}

// sequencePrefixes are the prefixes of the merchant's links that number
// POs by sequence.
func sequencePrefixes(ctx context.Context, q querier, merchantID int64) ([]string, error) {
	var out []string
	err := eachRow(ctx, q, "SELECT DISTINCT po_prefix FROM vendor_links WHERE merchant_id = ? AND po_format = 'sequence' ORDER BY po_prefix", []any{merchantID},
		func(rows *sql.Rows) error {
			var p string
			if err := rows.Scan(&p); err != nil {
				return err
			}
			out = append(out, p)
			return nil
		})
	return out, err
}

// sequenceOf is the sequence number a PO number written in one of the
// sequence formats (a prefix, then up to nine digits) holds, if it is one.
func sequenceOf(number string, prefixes []string) (int, bool) {
	best, found := 0, false
	for _, prefix := range prefixes {
		digits, ok := strings.CutPrefix(number, prefix)
		if !ok || digits == "" || len(digits) > 9 || strings.Trim(digits, "0123456789") != "" {
			continue
		}
		if n, err := strconv.Atoi(digits); err == nil && (!found || n > best) {
			best, found = n, true
		}
	}
	return best, found
}

// notePONumber moves the merchant's PO sequence past a number that was used,
// generated or typed, when it is written in one of its sequence formats, so
// that it is never proposed again.
func notePONumber(ctx context.Context, tx dbtx, merchantID int64, number string) error {
	prefixes, err := sequencePrefixes(ctx, tx, merchantID)
	if err != nil {
		return err
	}
	n, ok := sequenceOf(number, prefixes)
	if !ok {
		return nil
	}
	_, err = tx.ExecContext(ctx, "UPDATE accounts SET po_sequence = ? WHERE id = ? AND po_sequence < ?", n, merchantID, n)
	return err
}

// catchUpSequence moves the merchant's PO sequence past every used number
// written in one of its sequence formats: after a link's prefix changes, a
// number typed under it before is not proposed again. Each prefix reads
// only the numbers that start with it.
func catchUpSequence(ctx context.Context, tx dbtx, merchantID int64) error {
	prefixes, err := sequencePrefixes(ctx, tx, merchantID)
	if err != nil {
		return err
	}
	best := 0
	for _, prefix := range prefixes {
		if err := eachRow(ctx, tx, "SELECT po_number FROM purchase_orders WHERE account_id = ? AND po_number >= ? AND po_number < ?",
			[]any{merchantID, prefix, prefix + "\U0010FFFF"}, func(rows *sql.Rows) error {
				var number string
				if err := rows.Scan(&number); err != nil {
					return err
				}
				if n, ok := sequenceOf(number, []string{prefix}); ok && n > best {
					best = n
				}
				return nil
			}); err != nil {
			return err
		}
	}
	if best == 0 {
		return nil
	}
	_, err = tx.ExecContext(ctx, "UPDATE accounts SET po_sequence = ? WHERE id = ? AND po_sequence < ?", best, merchantID, best)
	return err
}

func (db *DB) linkSettings(ctx context.Context, q querier, merchantID, supplierID int64) (VendorLink, error) {
	l, err := scanLink(q.QueryRowContext(ctx, linkSelect+" WHERE l.merchant_id = ? AND l.supplier_id = ? AND l.state <> 'ended'", merchantID, supplierID))
	if errors.Is(err, sql.ErrNoRows) {
		return VendorLink{}, fmt.Errorf("link %d → %d: %w", supplierID, merchantID, ErrNotFound)
	}
	return l, err
}

// poNumber makes a PO number in the link's format: prefix + merchant-wide
// sequence, or the channel order number + the order's PO count.
func poNumber(l VendorLink, channelOrderID string, seq, nth int) string {
	if l.POFormat == POFormatChannel {
		return strings.TrimPrefix(channelOrderID, "#") + "-" + fmt.Sprint(nth)
	}
	return fmt.Sprintf("%s%06d", l.POPrefix, seq)
}

// checkShipTo checks the address a supplier needs to ship.
func checkShipTo(a orderfile.Address) map[string]string {
	o := orderfile.Order{Channel: "manual", ChannelOrderID: "x", Currency: "USD", ShipTo: a, Lines: []orderfile.Line{{SKU: "x", Quantity: 1}}}
	out := map[string]string{}
	for k, v := range o.Validate() {
		if strings.HasPrefix(k, "ship_to.") {
			out[k] = v
		}
	}
	return out
}

// Dropship creates the purchase orders for an order in one transaction: one
// per supplier, holding only that supplier's lines, with the ship-to frozen.
// Lines that cannot go are reported with a reason; the order is otherwise
// untouched. The same idempotency key again returns the POs it made.
func (db *DB) Dropship(ctx context.Context, actor Actor, merchantID, orderID int64, req DropshipRequest) (DropshipResult, error) {
	var res DropshipResult
	c := checks{}
	c.check(req.Confirm, "confirm", "Tick the box to confirm you are placing a real order with the supplier.")
	c.check(strings.TrimSpace(req.IdempotencyKey) != "", "idempotency_key", "This form has no submit key; reload it and try again.")
	c.check(len(req.Notes) <= 2000, "notes", "Use at most 2,000 characters.")
	if err := c.err(); err != nil {
		return res, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return res, fmt.Errorf("store: dropship: %w", err)
	}
	defer tx.Rollback()
	// A submit seen before returns what it made, never a second PO.
	prior, err := db.posByKey(ctx, tx, merchantID, req.IdempotencyKey)
	if err != nil {
		return res, fmt.Errorf("store: dropship: %w", err)
	}
	if len(prior) > 0 {
		return DropshipResult{POs: prior, Replayed: true}, nil
	}
	o, err := db.orderInTx(ctx, tx, merchantID, orderID)
	if err != nil {
		return res, err
	}
	shipTo := o.ShipTo
	if req.ShipTo != nil {
		shipTo = *req.ShipTo
	}
	if errs := checkShipTo(shipTo); len(errs) > 0 {
		return res, &ValidationError{Fields: errs}
	}
	acc, err := accountIn(ctx, tx, merchantID)
	if err != nil {
		return res, err
	}
	lines, err := db.planLines(ctx, tx, acc, o, req.OverrideStock)
	if err != nil {
		return res, fmt.Errorf("store: dropship: %w", err)
	}
	byID := map[int64]PlanLine{}
	for _, l := range lines {
		byID[l.ID] = l
	}
	want := req.Lines
	if len(want) == 0 {
		for _, l := range lines {
			if l.Eligible {
				want = append(want, DropshipLine{OrderLineID: l.ID})
			} else if l.Problem != ProblemNotLinked {
				res.Problems = append(res.Problems, LineProblem{OrderLineID: l.ID, SKU: l.SKU, Code: l.Problem, Message: l.Message})
			}
		}
	}
	type chosen struct {
		line PlanLine
		src  Source
	}
	groups := map[int64][]chosen{}
	var order []int64
	for _, w := range want {
		l, ok := byID[w.OrderLineID]
		if !ok {
			return res, FieldError("lines", "A chosen line is not on this order.")
		}
		srcID := w.SourceID
		if srcID == 0 {
			srcID = l.Default
		}
		var pick *SourceOption
		for i := range l.Options {
			if l.Options[i].ID == srcID {
				pick = &l.Options[i]
			}
		}
		switch {
		case l.Problem == ProblemAlreadyOnPO || l.Problem == ProblemNotLinked:
			res.Problems = append(res.Problems, LineProblem{OrderLineID: l.ID, SKU: l.SKU, Code: l.Problem, Message: l.Message})
			continue
		case pick == nil && srcID != 0:
			res.Problems = append(res.Problems, LineProblem{OrderLineID: l.ID, SKU: l.SKU, Code: ProblemUnknownSource, Message: "That supplier does not carry this SKU."})
			continue
		case pick == nil:
			res.Problems = append(res.Problems, LineProblem{OrderLineID: l.ID, SKU: l.SKU, Code: l.Problem, Message: l.Message})
			continue
		case !pick.Eligible:
			res.Problems = append(res.Problems, LineProblem{OrderLineID: l.ID, SKU: l.SKU, Code: pick.Problem, Message: pick.Message})
			continue
		}
		if _, seen := groups[pick.SupplierID]; !seen {
			order = append(order, pick.SupplierID)
		}
		groups[pick.SupplierID] = append(groups[pick.SupplierID], chosen{line: l, src: pick.Source})
	}
	if len(groups) == 0 {
		if len(res.Problems) == 0 {
			return res, Conflict("Nothing on this order can be dropshipped.")
		}
		return res, nil
	}
	sort.Slice(order, func(i, j int) bool {
		return groups[order[i]][0].src.SupplierName < groups[order[j]][0].src.SupplierName
	})
	now := db.now()
	var existingPOs int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM purchase_orders WHERE order_id = ?", orderID).Scan(&existingPOs); err != nil {
		return res, fmt.Errorf("store: dropship: %w", err)
	}
	for _, supplierID := range order {
		link, err := db.linkSettings(ctx, tx, merchantID, supplierID)
		if err != nil {
			return res, fmt.Errorf("store: dropship: %w", err)
		}
		number := strings.TrimSpace(req.PONumbers[supplierID])
		used := false
		if number != "" {
			if used, err = poNumberUsed(ctx, tx, merchantID, number); err != nil {
				return res, fmt.Errorf("store: dropship: %w", err)
			}
			// A proposal submitted unchanged that another submit took
			// meanwhile gives way to the next free number.
			if used && number == req.Proposed[supplierID] {
				number, used = "", false
			}
		}
		if number == "" {
			var seq int
			if err := tx.QueryRowContext(ctx, "SELECT po_sequence FROM accounts WHERE id = ?", merchantID).Scan(&seq); err != nil {
				return res, fmt.Errorf("store: dropship: %w", err)
			}
			if number, _, existingPOs, err = freePONumber(ctx, tx, merchantID, link, o.ChannelOrderID, seq, existingPOs, map[string]bool{}); err != nil {
				return res, fmt.Errorf("store: dropship: %w", err)
			}
		}
		field := fmt.Sprintf("po_number_%d", supplierID)
		if len(number) > 50 || strings.ContainsAny(number, "\r\n\t") {
			return res, FieldError(field, "Use at most 50 characters and no line breaks.")
		}
		if used {
			return res, FieldError(field, "PO number "+number+" is already used in this account.")
		}
		if err := notePONumber(ctx, tx, merchantID, number); err != nil {
			return res, fmt.Errorf("store: dropship: %w", err)
		}
		var initial sql.NullInt64
		var contact string
		if err := tx.QueryRowContext(ctx, "SELECT initial_status_id, contact FROM accounts WHERE id = ?", supplierID).Scan(&initial, &contact); err != nil {
			return res, fmt.Errorf("store: dropship: %w", err)
		}
		var external *ExternalOrder
		if in, ok := req.External[supplierID]; ok && contact == ContactWebsite && in != (ExternalOrderInput{}) {
			e, err := in.check(fmt.Sprintf("external_%d_", supplierID), o.Currency)
			if err != nil {
				return res, err
			}
			external = &e
		}
		var total int64
		lead := 0
		for _, ch := range groups[supplierID] {
			total += int64(ch.line.Remaining()) * ch.src.CostCents
			lead = max(lead, ch.src.LeadTimeDays)
		}
		release := now.Add(time.Duration(link.ReleaseDelayMinutes) * time.Minute)
		// The supplier should ship within the longest lead time, at least by the next day.
		promise := release.AddDate(0, 0, max(lead, 1))
		pres, err := execInsert(ctx, tx, `INSERT INTO purchase_orders (account_id, supplier_id, order_id, link_id, po_number, status, supplier_status_id, currency,
			total_cost_cents, customer_name, customer_email, customer_phone, ship_name, ship_company, ship_address1, ship_address2, ship_city, ship_region,
			ship_postal_code, ship_country, ship_phone, notes, idempotency_key, release_at, promise_date, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			merchantID, supplierID, orderID, link.ID, number, initial, o.Currency, total, o.Customer.Name, o.Customer.Email, o.Customer.Phone,
			shipTo.Name, shipTo.Company, shipTo.Address1, shipTo.Address2, shipTo.City, shipTo.Region, shipTo.PostalCode, shipTo.Country, shipTo.Phone,
			strings.TrimSpace(req.Notes), req.IdempotencyKey, release, promise, actor.Name, now, now)
		if err != nil {
			return res, fmt.Errorf("store: dropship: %w", err)
		}
		poID, _ := pres.LastInsertId()
		if err := countPOEvent(ctx, tx, poID, statDelta{received: 1}); err != nil {
			return res, fmt.Errorf("store: dropship: %w", err)
		}
		if err := bumpQueue(ctx, tx, supplierID, QueueAll, 1); err != nil {
			return res, fmt.Errorf("store: dropship: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO merchant_po_counts (account_id, n) VALUES (?, 1)
			ON CONFLICT (account_id) DO UPDATE SET n = merchant_po_counts.n + 1`, merchantID); err != nil {
			return res, fmt.Errorf("store: dropship: %w", err)
		}
		var skus []string
		for _, ch := range groups[supplierID] {
			if _, err := tx.ExecContext(ctx, `INSERT INTO po_lines (po_id, order_line_id, source_id, supplier_sku, title, quantity, cost_cents, price_cents)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, poID, ch.line.ID, ch.src.ID, ch.src.SupplierSKU, ch.line.Title, ch.line.Remaining(),
				nullMoney(ch.src.CostCents, ch.src.HasCost), ch.line.UnitPriceCents); err != nil {
				return res, fmt.Errorf("store: dropship: %w", err)
			}
			// Reserve the quantity against the source until shipped, cancelled or rejected.
			if _, err := tx.ExecContext(ctx, "UPDATE product_sources SET reserved = reserved + ? WHERE id = ?", ch.line.Remaining(), ch.src.ID); err != nil {
				return res, fmt.Errorf("store: dropship: %w", err)
			}
			skus = append(skus, fmt.Sprintf("%d × %s", ch.line.Remaining(), ch.src.SupplierSKU))
		}
		if err := db.requeue(ctx, tx, poID); err != nil {
			return res, fmt.Errorf("store: dropship: %w", err)
		}
		supplierName := groups[supplierID][0].src.SupplierName
		if err := db.orderEvent(ctx, tx, merchantID, orderID, actor, "dropshipped",
			fmt.Sprintf("Dropshipped to %s on %s: %s.", supplierName, number, strings.Join(skus, ", "))); err != nil {
			return res, fmt.Errorf("store: dropship: %w", err)
		}
		if err := db.audit(ctx, tx, actor, merchantID, "po.created", "purchase_order", poID, number); err != nil {
			return res, fmt.Errorf("store: dropship: %w", err)
		}
		if err := db.audit(ctx, tx, actor, supplierID, "po.received", "purchase_order", poID, number); err != nil {
			return res, fmt.Errorf("store: dropship: %w", err)
		}
		if err := db.queuePOCreated(ctx, tx, acc, supplierID, orderID, poID, number, release); err != nil {
			return res, fmt.Errorf("store: dropship: %w", err)
		}
		if external != nil {
			if err := db.writeExternalOrder(ctx, tx, actor, merchantID, supplierID, orderID, poID, number, *external); err != nil {
				return res, fmt.Errorf("store: dropship: %w", err)
			}
		}
	}
	if err := db.refreshOrder(ctx, tx, merchantID, orderID); err != nil {
		return res, fmt.Errorf("store: dropship: %w", err)
	}
	if res.POs, err = db.posByKey(ctx, tx, merchantID, req.IdempotencyKey); err != nil {
		return res, fmt.Errorf("store: dropship: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("store: dropship: %w", err)
	}
	return res, nil
}

func (db *DB) orderInTx(ctx context.Context, tx dbtx, merchantID, orderID int64) (Order, error) {
	var ok bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM orders WHERE id = ? AND account_id = ?)", orderID, merchantID).Scan(&ok); err != nil {
		return Order{}, err
	}
	if !ok {
		return Order{}, fmt.Errorf("store: order %d: %w", orderID, ErrNotFound)
	}
	// Reads inside the write transaction see its own state; the order is
	// loaded through the same connection.
	return db.orderWith(ctx, tx, merchantID, orderID)
}

// autoDropship dropships a new order's lines whose supplier link has
// automatic dropship on. What it cannot dropship stays in Needs dropship with
// a note on the timeline saying why.
func (db *DB) autoDropship(ctx context.Context, merchantID, orderID int64) {
	var n int
	err := db.rqRow(ctx, `SELECT count(*) FROM order_lines ol JOIN product_sources ps ON ps.product_id = ol.product_id
		JOIN vendor_links l ON l.supplier_id = ps.supplier_id AND l.merchant_id = ol.account_id AND l.state = 'active' AND l.auto_dropship = 1
		WHERE ol.order_id = ?`, orderID).Scan(&n)
	if err != nil || n == 0 {
		return
	}
	plan, err := db.DropshipPlan(ctx, merchantID, orderID)
	if err != nil {
		return
	}
	var lines []DropshipLine
	var reasons []string
	for _, l := range plan.Lines {
		auto := false
		for _, op := range l.Options {
			var on bool
			db.rqRow(ctx, "SELECT auto_dropship FROM vendor_links WHERE supplier_id = ? AND merchant_id = ? AND state = 'active'", op.SupplierID, merchantID).Scan(&on)
			auto = auto || on
		}
		switch {
		case !auto:
		case l.Eligible:
			lines = append(lines, DropshipLine{OrderLineID: l.ID})
		default:
			reasons = append(reasons, l.SKU+": "+l.Message)
		}
	}
	actor := Actor{Name: "automatic dropship"}
	if len(lines) > 0 {
		if _, err := db.Dropship(ctx, actor, merchantID, orderID, DropshipRequest{IdempotencyKey: "auto-" + fmt.Sprint(orderID), Lines: lines, Confirm: true}); err != nil {
			reasons = append(reasons, UserText(err))
		}
	}
	if len(reasons) > 0 {
		tx, err := db.begin(ctx)
		if err != nil {
			return
		}
		defer tx.Rollback()
		if db.orderEvent(ctx, tx, merchantID, orderID, actor, "auto_dropship_skipped", "Automatic dropship left lines for review: "+strings.Join(reasons, "; ")) == nil {
			tx.Commit()
		}
	}
}

// UserText is an error's message fit for a page: field messages, a conflict's text, or a generic line.
func UserText(err error) string {
	var ve *ValidationError
	switch {
	case errors.As(err, &ve):
		var parts []string
		for _, v := range ve.Fields {
			parts = append(parts, v)
		}
		sort.Strings(parts)
		return strings.Join(parts, " ")
	case Message(err) != "":
		return Message(err)
	case errors.Is(err, ErrNotFound):
		return "Not found."
	}
	return "Something went wrong."
}
