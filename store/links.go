package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Vendor link states.
const (
	LinkPending = "pending"
	LinkActive  = "active"
	LinkPaused  = "paused"
	LinkEnded   = "ended"
)

// PO number formats a merchant can choose per link.
const (
	POFormatSequence = "sequence" // prefix + merchant-wide sequence: PO-000001
	POFormatChannel  = "channel"  // channel order number + suffix: 1001-1
)

// MaxReleaseDelay is the longest a merchant may hold new POs back (one week).
const MaxReleaseDelay = 7 * 24 * 60

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
	RequestedBy  string // supplier, merchant or admin
	CreatedAt    time.Time
	UpdatedAt    time.Time
	SupplierLinkSettings
	MerchantLinkSettings
}

// SupplierLinkSettings are what the supplier's admin sets on a link: what the
// supplier sees of the merchant's customer and prices.
type SupplierLinkSettings struct {
	ShowCustomerPhone bool
	ShowCustomerEmail bool
	ShowPrices        bool
}

// MerchantLinkSettings are what the merchant's admin sets on a link: how
// orders are dropshipped over it.
type MerchantLinkSettings struct {
	AutoDropship        bool
	ReleaseDelayMinutes int
	POFormat            string
	POPrefix            string
	// Payment terms: a PO line's cost is the supplier's earning when its
	// shipment is saved (EarnOnShipped) or delivered, available for payout
	// HoldingDays later.
	EarnOn      string
	HoldingDays int
}

// Side returns "supplier" or "merchant": where accountID stands on the link.
func (l VendorLink) Side(accountID int64) string {
	switch accountID {
	case l.SupplierID:
		return "supplier"
	case l.MerchantID:
		return "merchant"
	}
	return ""
}

// AwaitsAnswerFrom reports whether the link is an invitation that accountID must accept or decline.
func (l VendorLink) AwaitsAnswerFrom(accountID int64) bool {
	return l.State == LinkPending && l.RequestedBy != "" && l.RequestedBy != "admin" && l.Side(accountID) != "" && l.Side(accountID) != l.RequestedBy
}

// Live reports whether the link is not ended.
func (l VendorLink) Live() bool { return l.State != LinkEnded }

const linkSelect = `SELECT l.id, l.supplier_id, s.name, s.public_id, l.merchant_id, m.name, m.public_id, l.state, l.requested_by,
	l.created_at, l.updated_at, l.show_customer_phone, l.show_customer_email, l.show_prices,
	l.auto_dropship, l.release_delay_minutes, l.po_format, l.po_prefix, l.earn_on, l.holding_days
	FROM vendor_links l JOIN accounts s ON s.id = l.supplier_id JOIN accounts m ON m.id = l.merchant_id`

func scanLink(row interface{ Scan(...any) error }) (VendorLink, error) {
	var l VendorLink
	err := row.Scan(&l.ID, &l.SupplierID, &l.SupplierName, &l.SupplierPID, &l.MerchantID, &l.MerchantName, &l.MerchantPID, &l.State, &l.RequestedBy,
		&l.CreatedAt, &l.UpdatedAt, &l.ShowCustomerPhone, &l.ShowCustomerEmail, &l.ShowPrices,
		&l.AutoDropship, &l.ReleaseDelayMinutes, &l.POFormat, &l.POPrefix, &l.EarnOn, &l.HoldingDays)
	return l, err
}

type querier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

func queryLinks(ctx context.Context, q querier, where string, args ...any) ([]VendorLink, error) {
	rows, err := q.QueryContext(ctx, linkSelect+" "+where+" ORDER BY l.state = 'ended', l.id DESC", args...)
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

// linkOf loads a link that accountID stands on (either side); 0 means the platform admin, who sees all.
func linkOf(ctx context.Context, q querier, accountID, linkID int64) (VendorLink, error) {
	row := q.QueryRowContext(ctx, linkSelect+" WHERE l.id = ? AND (? = 0 OR l.supplier_id = ? OR l.merchant_id = ?)", linkID, accountID, accountID, accountID)
	l, err := scanLink(row)
	if errors.Is(err, sql.ErrNoRows) {
		return VendorLink{}, fmt.Errorf("link %d: %w", linkID, ErrNotFound)
	}
	return l, err
}

func accountIn(ctx context.Context, q querier, id int64) (Account, error) {
	a, err := scanAccount(q.QueryRowContext(ctx, "SELECT "+accountColumns+" FROM accounts WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, fmt.Errorf("account %d: %w", id, ErrNotFound)
	}
	return a, err
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
	sup, err := accountIn(ctx, tx, supplierID)
	if errors.Is(err, ErrNotFound) {
		return VendorLink{}, FieldError("supplier", fmt.Sprintf("No account %d.", supplierID))
	} else if err != nil {
		return VendorLink{}, fmt.Errorf("store: create link: %w", err)
	}
	mer, err := accountIn(ctx, tx, merchantID)
	if errors.Is(err, ErrNotFound) {
		return VendorLink{}, FieldError("merchant", fmt.Sprintf("No account %d.", merchantID))
	} else if err != nil {
		return VendorLink{}, fmt.Errorf("store: create link: %w", err)
	}
	if err := checkLinkKinds(sup, mer); err != nil {
		return VendorLink{}, err
	}
	var id int64
	var state string
	err = tx.QueryRowContext(ctx, "SELECT id, state FROM vendor_links WHERE supplier_id = ? AND merchant_id = ? AND state <> 'ended'", supplierID, merchantID).Scan(&id, &state)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		id, err = db.insertLink(ctx, tx, actor, sup, mer, LinkActive, "admin")
		if err != nil {
			return VendorLink{}, fmt.Errorf("store: create link: %w", err)
		}
	case err != nil:
		return VendorLink{}, fmt.Errorf("store: create link: %w", err)
	case state != LinkActive:
		if err := db.setLinkState(ctx, tx, actor, id, supplierID, merchantID, state, LinkActive, "activated"); err != nil {
			return VendorLink{}, fmt.Errorf("store: create link: %w", err)
		}
	}
	l, err := linkOf(ctx, tx, 0, id)
	if err != nil {
		return VendorLink{}, fmt.Errorf("store: create link: %w", err)
	}
	return l, tx.Commit()
}

func checkLinkKinds(sup, mer Account) error {
	c := checks{}
	c.check(sup.IsSupplier(), "supplier", sup.Name+" is not a supplier account.")
	c.check(mer.IsMerchant(), "merchant", mer.Name+" is not a merchant account.")
	c.check(sup.ID != mer.ID, "merchant", "An account cannot link to itself.")
	return c.err()
}

func (db *DB) insertLink(ctx context.Context, tx dbtx, actor Actor, sup, mer Account, state, requestedBy string) (int64, error) {
	now := db.now()
	res, err := execInsert(ctx, tx, "INSERT INTO vendor_links (supplier_id, merchant_id, state, requested_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
		sup.ID, mer.ID, state, requestedBy, now, now)
	if err != nil {
		return 0, err
	}
	id, _ := res.LastInsertId()
	action := "link.created"
	if state == LinkPending {
		action = "link.requested"
	}
	detail := fmt.Sprintf("%s %s → %s %s (%s)", sup.Name, sup.PublicID, mer.Name, mer.PublicID, state)
	for _, acc := range []int64{sup.ID, mer.ID} {
		if err := db.audit(ctx, tx, actor, acc, action, "vendor_link", id, detail); err != nil {
			return 0, err
		}
	}
	return id, nil
}

func (db *DB) setLinkState(ctx context.Context, tx dbtx, actor Actor, linkID, supplierID, merchantID int64, from, to, verb string) error {
	res, err := tx.ExecContext(ctx, "UPDATE vendor_links SET state = ?, updated_at = ? WHERE id = ? AND state = ?", to, db.now(), linkID, from)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Conflict("The link changed meanwhile. Reload and try again.")
	}
	for _, acc := range []int64{supplierID, merchantID} {
		if err := db.audit(ctx, tx, actor, acc, "link."+verb, "vendor_link", linkID, from+" → "+to); err != nil {
			return err
		}
	}
	return nil
}

// RequestLink starts a pending link from the acting account to the account
// with otherPublicID. As "supplier" the acting account invites a merchant; as
// "merchant" it asks a supplier. The other side accepts or declines.
func (db *DB) RequestLink(ctx context.Context, actor Actor, accountID int64, as, otherPublicID string) (VendorLink, error) {
	otherPublicID = strings.ToUpper(strings.TrimSpace(otherPublicID))
	if otherPublicID == "" {
		return VendorLink{}, FieldError("public_id", "Enter the other account's public ID, like DL-4F7K2.")
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return VendorLink{}, fmt.Errorf("store: request link: %w", err)
	}
	defer tx.Rollback()
	me, err := accountIn(ctx, tx, accountID)
	if err != nil {
		return VendorLink{}, fmt.Errorf("store: request link: %w", err)
	}
	other, err := scanAccount(tx.QueryRowContext(ctx, "SELECT "+accountColumns+" FROM accounts WHERE public_id = ?", otherPublicID))
	if err == nil && other.Managed() && other.ManagedBy != accountID {
		// A supplier another merchant keeps outside Dropline is that
		// merchant's alone: to anyone else it does not exist.
		err = sql.ErrNoRows
	}
	if errors.Is(err, sql.ErrNoRows) {
		return VendorLink{}, FieldError("public_id", "No account has the public ID "+otherPublicID+".")
	} else if err != nil {
		return VendorLink{}, fmt.Errorf("store: request link: %w", err)
	}
	var sup, mer Account
	switch {
	case me.ID == other.ID:
		return VendorLink{}, FieldError("public_id", "That is this account's own public ID.")
	case as == "supplier" && me.IsSupplier():
		if !other.IsMerchant() {
			return VendorLink{}, FieldError("public_id", other.Name+" is not a merchant account.")
		}
		sup, mer = me, other
	case as == "merchant" && me.IsMerchant():
		if !other.IsSupplier() {
			return VendorLink{}, FieldError("public_id", other.Name+" is not a supplier account.")
		}
		sup, mer = other, me
	default:
		return VendorLink{}, fmt.Errorf("store: request link as %s from a %s account: %w", as, me.Kind, ErrNotFound)
	}
	by := as
	var existing string
	err = tx.QueryRowContext(ctx, "SELECT state FROM vendor_links WHERE supplier_id = ? AND merchant_id = ? AND state <> 'ended'", sup.ID, mer.ID).Scan(&existing)
	if err == nil {
		return VendorLink{}, FieldError("public_id", fmt.Sprintf("There is already a %s link with %s.", existing, other.Name))
	} else if !errors.Is(err, sql.ErrNoRows) {
		return VendorLink{}, fmt.Errorf("store: request link: %w", err)
	}
	id, err := db.insertLink(ctx, tx, actor, sup, mer, LinkPending, by)
	if err != nil {
		return VendorLink{}, fmt.Errorf("store: request link: %w", err)
	}
	l, err := linkOf(ctx, tx, 0, id)
	if err != nil {
		return VendorLink{}, fmt.Errorf("store: request link: %w", err)
	}
	return l, tx.Commit()
}

// Link actions.
const (
	LinkAccept  = "accept"
	LinkDecline = "decline"
	LinkCancel  = "cancel" // the requesting side withdraws its invitation
	LinkPause   = "pause"
	LinkResume  = "resume"
	LinkEnd     = "end"
)

// ChangeLink applies an action to a link the acting account stands on.
// accountID 0 acts as the platform admin, who may pause, resume and end any link.
func (db *DB) ChangeLink(ctx context.Context, actor Actor, accountID, linkID int64, action string) (VendorLink, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return VendorLink{}, fmt.Errorf("store: change link: %w", err)
	}
	defer tx.Rollback()
	l, err := linkOf(ctx, tx, accountID, linkID)
	if err != nil {
		return VendorLink{}, fmt.Errorf("store: change link: %w", err)
	}
	from := l.State
	var to, verb string
	switch action {
	case LinkAccept, LinkDecline:
		if accountID == 0 || !l.AwaitsAnswerFrom(accountID) {
			return VendorLink{}, Conflict("Only the invited account can answer an invitation, and only while it is pending.")
		}
		to, verb = LinkActive, "accepted"
		if action == LinkDecline {
			to, verb = LinkEnded, "declined"
		}
	case LinkCancel:
		if l.State != LinkPending || (accountID != 0 && l.Side(accountID) != l.RequestedBy) {
			return VendorLink{}, Conflict("Only the account that sent a pending invitation can withdraw it.")
		}
		to, verb = LinkEnded, "withdrawn"
	case LinkPause:
		if l.State != LinkActive {
			return VendorLink{}, Conflict("Only an active link can be paused.")
		}
		to, verb = LinkPaused, "paused"
	case LinkResume:
		if l.State != LinkPaused {
			return VendorLink{}, Conflict("Only a paused link can be resumed.")
		}
		to, verb = LinkActive, "resumed"
	case LinkEnd:
		if l.State == LinkEnded {
			return VendorLink{}, Conflict("This link has already ended.")
		}
		to, verb = LinkEnded, "ended"
	default:
		return VendorLink{}, FieldError("action", "Unknown link action.")
	}
	if err := db.setLinkState(ctx, tx, actor, l.ID, l.SupplierID, l.MerchantID, from, to, verb); err != nil {
		return VendorLink{}, fmt.Errorf("store: %s link %d: %w", action, linkID, err)
	}
	l.State = to
	return l, tx.Commit()
}

// Link returns a link the acting account stands on, or ErrNotFound.
func (db *DB) Link(ctx context.Context, accountID, linkID int64) (VendorLink, error) {
	if accountID == 0 {
		return VendorLink{}, fmt.Errorf("store: link %d: %w", linkID, ErrNotFound)
	}
	l, err := linkOf(ctx, cachedReader{db}, accountID, linkID)
	if err != nil {
		return VendorLink{}, fmt.Errorf("store: %w", err)
	}
	return l, nil
}

// UpdateSupplierLinkSettings sets what the supplier sees over a link. Only the link's supplier may.
func (db *DB) UpdateSupplierLinkSettings(ctx context.Context, actor Actor, supplierID, linkID int64, in SupplierLinkSettings) (VendorLink, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return VendorLink{}, fmt.Errorf("store: link settings: %w", err)
	}
	defer tx.Rollback()
	l, err := linkOf(ctx, tx, supplierID, linkID)
	if err != nil || l.SupplierID != supplierID {
		return VendorLink{}, fmt.Errorf("store: supplier settings of link %d: %w", linkID, ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE vendor_links SET show_customer_phone = ?, show_customer_email = ?, show_prices = ?, updated_at = ? WHERE id = ?",
		in.ShowCustomerPhone, in.ShowCustomerEmail, in.ShowPrices, db.now(), linkID); err != nil {
		return VendorLink{}, fmt.Errorf("store: link settings: %w", err)
	}
	detail := fmt.Sprintf("customer phone %s, customer email %s, prices %s", onOff(in.ShowCustomerPhone), onOff(in.ShowCustomerEmail), onOff(in.ShowPrices))
	for _, acc := range []int64{l.SupplierID, l.MerchantID} {
		if err := db.audit(ctx, tx, actor, acc, "link.supplier_settings", "vendor_link", linkID, detail); err != nil {
			return VendorLink{}, fmt.Errorf("store: link settings: %w", err)
		}
	}
	l.SupplierLinkSettings = in
	return l, tx.Commit()
}

// UpdateMerchantLinkSettings sets how the merchant dropships over a link. Only the link's merchant may.
func (db *DB) UpdateMerchantLinkSettings(ctx context.Context, actor Actor, merchantID, linkID int64, in MerchantLinkSettings) (VendorLink, error) {
	in.POPrefix = strings.TrimSpace(in.POPrefix)
	if in.EarnOn == "" {
		in.EarnOn = EarnOnShipped
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return VendorLink{}, fmt.Errorf("store: link settings: %w", err)
	}
	defer tx.Rollback()
	// Only the link's merchant learns what the form accepts.
	l, err := linkOf(ctx, tx, merchantID, linkID)
	if err != nil || l.MerchantID != merchantID {
		return VendorLink{}, fmt.Errorf("store: merchant settings of link %d: %w", linkID, ErrNotFound)
	}
	c := checks{}
	c.check(in.ReleaseDelayMinutes >= 0 && in.ReleaseDelayMinutes <= MaxReleaseDelay, "release_delay_minutes",
		fmt.Sprintf("Use 0 to %d minutes (a week).", MaxReleaseDelay))
	c.check(in.POFormat == POFormatSequence || in.POFormat == POFormatChannel, "po_format", "Choose prefix + sequence or channel order number + suffix.")
	c.check(len(in.POPrefix) <= 20, "po_prefix", "Use at most 20 characters.")
	c.check(!strings.ContainsAny(in.POPrefix, " \t\r\n"), "po_prefix", "Leave spaces out of the prefix.")
	c.check(in.EarnOn == EarnOnShipped || in.EarnOn == EarnOnDelivered, "earn_on", "Choose when a PO earns: when it ships or when it is delivered.")
	c.check(in.HoldingDays >= 0 && in.HoldingDays <= MaxHoldingDays, "holding_days", fmt.Sprintf("Use 0 to %d days.", MaxHoldingDays))
	if err := c.err(); err != nil {
		return VendorLink{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE vendor_links SET auto_dropship = ?, release_delay_minutes = ?, po_format = ?, po_prefix = ?, earn_on = ?, holding_days = ?,
		updated_at = ? WHERE id = ?`, in.AutoDropship, in.ReleaseDelayMinutes, in.POFormat, in.POPrefix, in.EarnOn, in.HoldingDays, db.now(), linkID); err != nil {
		return VendorLink{}, fmt.Errorf("store: link settings: %w", err)
	}
	detail := fmt.Sprintf("automatic dropship %s, release delay %d min, PO numbers %s, earns when %s, held %d days",
		onOff(in.AutoDropship), in.ReleaseDelayMinutes, ExamplePONumber(in, "1001"), in.EarnOn, in.HoldingDays)
	for _, acc := range []int64{l.SupplierID, l.MerchantID} {
		if err := db.audit(ctx, tx, actor, acc, "link.merchant_settings", "vendor_link", linkID, detail); err != nil {
			return VendorLink{}, fmt.Errorf("store: link settings: %w", err)
		}
	}
	// A number typed under the new prefix before is not proposed again.
	if err := catchUpSequence(ctx, tx, l.MerchantID); err != nil {
		return VendorLink{}, fmt.Errorf("store: link settings: %w", err)
	}
	l.MerchantLinkSettings = in
	return l, tx.Commit()
}

// ExamplePONumber shows what the first PO number looks like under s.
func ExamplePONumber(s MerchantLinkSettings, channelOrder string) string {
	if s.POFormat == POFormatChannel {
		return channelOrder + "-1"
	}
	return fmt.Sprintf("%s%06d", s.POPrefix, 1)
}

// AccountLinks lists the links the acting account stands on, either side.
func (db *DB) AccountLinks(ctx context.Context, accountID int64) ([]VendorLink, error) {
	ls, err := queryLinks(ctx, cachedReader{db}, "WHERE l.supplier_id = ? OR l.merchant_id = ?", accountID, accountID)
	if err != nil {
		return nil, fmt.Errorf("store: links of %d: %w", accountID, err)
	}
	return ls, nil
}

// AllLinks lists every link, for the platform admin.
func (db *DB) AllLinks(ctx context.Context) ([]VendorLink, error) {
	ls, err := queryLinks(ctx, cachedReader{db}, "")
	if err != nil {
		return nil, fmt.Errorf("store: links: %w", err)
	}
	return ls, nil
}

// RoutingProblems says why orders cannot route from a merchant to a supplier
// right now, one sentence per missing piece; none means they can.
func (db *DB) RoutingProblems(ctx context.Context, merchantID, supplierID int64) ([]string, error) {
	p, err := routingProblems(ctx, cachedReader{db}, merchantID, supplierID)
	if err != nil {
		return nil, fmt.Errorf("store: routing %d → %d: %w", merchantID, supplierID, err)
	}
	return p, nil
}

func routingProblems(ctx context.Context, q querier, merchantID, supplierID int64) ([]string, error) {
	mer, err := accountIn(ctx, q, merchantID)
	if err != nil {
		return nil, err
	}
	sup, err := accountIn(ctx, q, supplierID)
	if err != nil {
		return nil, err
	}
	var problems []string
	var state string
	err = q.QueryRowContext(ctx, "SELECT state FROM vendor_links WHERE supplier_id = ? AND merchant_id = ? AND state <> 'ended'", supplierID, merchantID).Scan(&state)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		problems = append(problems, fmt.Sprintf("%s and %s are not linked.", mer.Name, sup.Name))
	case err != nil:
		return nil, err
	case state == LinkPending:
		problems = append(problems, fmt.Sprintf("The link between %s and %s is still pending: the invited account must accept it.", sup.Name, mer.Name))
	case state == LinkPaused:
		problems = append(problems, fmt.Sprintf("The link between %s and %s is paused.", sup.Name, mer.Name))
	}
	if !mer.DropshipEnabled {
		problems = append(problems, fmt.Sprintf("The dropship module is off in %s (Settings).", mer.Name))
	}
	if !sup.DropshipEnabled {
		problems = append(problems, fmt.Sprintf("The dropship module is off in %s.", sup.Name))
	}
	var initial sql.NullInt64
	if err := q.QueryRowContext(ctx, "SELECT initial_status_id FROM accounts WHERE id = ?", supplierID).Scan(&initial); err != nil {
		return nil, err
	}
	if !initial.Valid {
		problems = append(problems, NoInitialStatusMessage(sup.Name))
	}
	return problems, nil
}

// NoInitialStatusMessage is Valigara's rule, in words: a supplier with no
// initial status takes no dropship orders.
func NoInitialStatusMessage(supplier string) string {
	return supplier + " does not accept dropship orders yet"
}
