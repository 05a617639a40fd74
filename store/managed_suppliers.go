package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"

	"github.com/dropline/dropline/store/carrier"
)

// How a managed supplier is reached.
const (
	// ContactWebsite: the merchant orders on the supplier's website for the
	// customer and records that order on the PO; the merchant enters its
	// tracking.
	ContactWebsite = "website"
	// ContactEmail: each PO is emailed to the supplier with a signed link
	// through which it acts on that PO without signing in.
	ContactEmail = "email"
)

// ManagedSupplier is a supplier outside Dropline that a merchant keeps: an
// account with no users, linked to that merchant alone.
type ManagedSupplier struct {
	Account
	Website        string   // the site's address (website suppliers)
	OrderEmails    []string // where POs are emailed (email suppliers)
	DefaultCarrier string   // a carrier code, "" for none
	Sources        int      // how many of the merchant's sources name it
	OpenPOs        int
}

// ManagedSupplierInput is what a merchant sets on a managed supplier.
type ManagedSupplierInput struct {
	Contact        string // ContactWebsite or ContactEmail; fixed once made
	Name           string
	Website        string
	OrderEmails    string // comma- or newline-separated addresses
	DefaultCarrier string
}

// maxOrderEmails bounds how many addresses a PO is emailed to.
const maxOrderEmails = 5

// check validates in, returning the website and the addresses as stored.
func (in *ManagedSupplierInput) check() (string, []string, error) {
	c := checks{}
	in.Name = strings.TrimSpace(in.Name)
	c.check(in.Name != "", "name", "Enter the supplier's name.")
	c.check(len(in.Name) <= 100, "name", "Use at most 100 characters.")
	c.check(in.Contact == ContactWebsite || in.Contact == ContactEmail, "contact", "Choose a website supplier or a supplier reached by email.")
	website := strings.TrimSpace(in.Website)
	if website != "" && !strings.Contains(website, "://") {
		website = "https://" + website
	}
	if website != "" {
		u, err := url.Parse(website)
		c.check(err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil && len(website) <= 500,
			"website", "Enter the site's address, e.g. https://www.aliexpress.com.")
	}
	if in.Contact == ContactWebsite {
		c.check(website != "", "website", "Enter the site's address, e.g. https://www.aliexpress.com.")
	}
	var emails []string
	seen := map[string]bool{}
	for _, f := range strings.FieldsFunc(in.OrderEmails, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' || r == ' ' }) {
		a, err := mail.ParseAddress(f)
		if err != nil || a.Address != f || !strings.Contains(a.Address[strings.LastIndex(a.Address, "@")+1:], ".") {
			c.add("order_emails", fmt.Sprintf("%q is not an email address.", f))
			continue
		}
		if k := strings.ToLower(a.Address); !seen[k] {
			seen[k] = true
			emails = append(emails, a.Address)
		}
	}
	if in.Contact == ContactEmail {
		c.check(len(emails) > 0, "order_emails", "Enter the address the supplier reads its orders at.")
	}
	c.check(len(emails) <= maxOrderEmails, "order_emails", fmt.Sprintf("Enter at most %d addresses.", maxOrderEmails))
	in.DefaultCarrier = strings.TrimSpace(in.DefaultCarrier)
	if in.DefaultCarrier != "" {
		cr, ok := carrier.Lookup(in.DefaultCarrier)
		c.check(ok, "default_carrier", "Choose one of the carriers.")
		if ok {
			in.DefaultCarrier = cr.Code
		}
	}
	return website, emails, c.err()
}

// CreateManagedSupplier makes a supplier outside Dropline for the merchant,
// in one transaction: a supplier account with no users, in the merchant's
// time zone and currency, its dropship module on, taking POs in its first
// status, and an active link to the merchant alone.
func (db *DB) CreateManagedSupplier(ctx context.Context, actor Actor, merchantID int64, in ManagedSupplierInput) (ManagedSupplier, error) {
	website, emails, err := in.check()
	if err != nil {
		return ManagedSupplier{}, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return ManagedSupplier{}, fmt.Errorf("store: create managed supplier: %w", err)
	}
	defer tx.Rollback()
	mer, err := accountIn(ctx, tx, merchantID)
	if err != nil {
		return ManagedSupplier{}, fmt.Errorf("store: create managed supplier: %w", err)
	}
	if !mer.IsMerchant() {
		return ManagedSupplier{}, fmt.Errorf("store: create managed supplier: account %d: %w", merchantID, ErrNotFound)
	}
	var clash bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM accounts WHERE managed_by = ? AND lower(name) = lower(?))", merchantID, in.Name).Scan(&clash); err != nil {
		return ManagedSupplier{}, fmt.Errorf("store: create managed supplier: %w", err)
	}
	if clash {
		return ManagedSupplier{}, FieldError("name", "You already have a supplier named "+in.Name+".")
	}
	sup, err := db.createAccount(ctx, tx, actor, NewAccount{Name: in.Name, Kind: KindSupplier, TimeZone: mer.TimeZone})
	if err != nil {
		return ManagedSupplier{}, fmt.Errorf("store: create managed supplier: %w", err)
	}
	var first int64
	if err := tx.QueryRowContext(ctx, "SELECT id FROM supplier_statuses WHERE account_id = ? ORDER BY position LIMIT 1", sup.ID).Scan(&first); err != nil {
		return ManagedSupplier{}, fmt.Errorf("store: create managed supplier: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET managed_by = ?, contact = ?, website = ?, order_emails = ?, default_carrier = ?,
		dropship_enabled = 1, initial_status_id = ?, currency = ? WHERE id = ?`,
		merchantID, in.Contact, website, strings.Join(emails, ", "), in.DefaultCarrier, first, mer.Currency, sup.ID); err != nil {
		return ManagedSupplier{}, fmt.Errorf("store: create managed supplier: %w", err)
	}
	sup.ManagedBy, sup.Contact, sup.DropshipEnabled, sup.Currency = merchantID, in.Contact, true, mer.Currency
	if _, err := db.insertLink(ctx, tx, actor, sup, mer, LinkActive, "merchant"); err != nil {
		return ManagedSupplier{}, fmt.Errorf("store: create managed supplier: %w", err)
	}
	if err := db.audit(ctx, tx, actor, merchantID, "managed_supplier.created", "account", sup.ID, in.Contact+" supplier "+in.Name); err != nil {
		return ManagedSupplier{}, fmt.Errorf("store: create managed supplier: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return ManagedSupplier{}, fmt.Errorf("store: create managed supplier: %w", err)
	}
	return db.ManagedSupplier(ctx, merchantID, sup.ID)
}

// UpdateManagedSupplier changes a managed supplier's name, site, addresses
// and default carrier; how it is reached stays.
func (db *DB) UpdateManagedSupplier(ctx context.Context, actor Actor, merchantID, supplierID int64, in ManagedSupplierInput) (ManagedSupplier, error) {
	cur, err := db.ManagedSupplier(ctx, merchantID, supplierID)
	if err != nil {
		return ManagedSupplier{}, err
	}
	in.Contact = cur.Contact
	website, emails, err := in.check()
	if err != nil {
		return ManagedSupplier{}, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return ManagedSupplier{}, fmt.Errorf("store: update managed supplier: %w", err)
	}
	defer tx.Rollback()
	var clash bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM accounts WHERE managed_by = ? AND lower(name) = lower(?) AND id <> ?)",
		merchantID, in.Name, supplierID).Scan(&clash); err != nil {
		return ManagedSupplier{}, fmt.Errorf("store: update managed supplier: %w", err)
	}
	if clash {
		return ManagedSupplier{}, FieldError("name", "You already have a supplier named "+in.Name+".")
	}
	if _, err := tx.ExecContext(ctx, "UPDATE accounts SET name = ?, website = ?, order_emails = ?, default_carrier = ? WHERE id = ? AND managed_by = ?",
		in.Name, website, strings.Join(emails, ", "), in.DefaultCarrier, supplierID, merchantID); err != nil {
		return ManagedSupplier{}, fmt.Errorf("store: update managed supplier: %w", err)
	}
	// The merchant's sources carry the supplier's name as shown on orders.
	if _, err := tx.ExecContext(ctx, "UPDATE product_sources SET supplier_name = ? WHERE account_id = ? AND supplier_id = ?", in.Name, merchantID, supplierID); err != nil {
		return ManagedSupplier{}, fmt.Errorf("store: update managed supplier: %w", err)
	}
	if err := db.audit(ctx, tx, actor, merchantID, "managed_supplier.updated", "account", supplierID, in.Name); err != nil {
		return ManagedSupplier{}, fmt.Errorf("store: update managed supplier: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return ManagedSupplier{}, fmt.Errorf("store: update managed supplier: %w", err)
	}
	return db.ManagedSupplier(ctx, merchantID, supplierID)
}

const managedSupplierQuery = `SELECT a.id, a.public_id, a.name, a.kind, a.time_zone, a.dropship_enabled, a.created_at, a.currency, coalesce(a.managed_by, 0), a.contact,
	a.website, a.order_emails, a.default_carrier,
	(SELECT count(*) FROM product_sources ps WHERE ps.account_id = a.managed_by AND ps.supplier_id = a.id),
	(SELECT count(*) FROM purchase_orders p WHERE p.account_id = a.managed_by AND p.supplier_id = a.id AND p.status IN ('open', 'partially_shipped'))
	FROM accounts a WHERE a.managed_by = ?`

func scanManagedSupplier(row interface{ Scan(...any) error }) (ManagedSupplier, error) {
	var m ManagedSupplier
	var emails string
	err := row.Scan(&m.ID, &m.PublicID, &m.Name, &m.Kind, &m.TimeZone, &m.DropshipEnabled, &m.CreatedAt, &m.Currency, &m.ManagedBy, &m.Contact,
		&m.Website, &emails, &m.DefaultCarrier, &m.Sources, &m.OpenPOs)
	if emails != "" {
		m.OrderEmails = strings.Split(emails, ", ")
	}
	return m, err
}

// ManagedSuppliers lists the merchant's suppliers outside Dropline, by name.
func (db *DB) ManagedSuppliers(ctx context.Context, merchantID int64) ([]ManagedSupplier, error) {
	rows, err := db.rq(ctx, managedSupplierQuery+" ORDER BY lower(a.name), a.id", merchantID)
	if err != nil {
		return nil, fmt.Errorf("store: managed suppliers of %d: %w", merchantID, err)
	}
	defer rows.Close()
	var out []ManagedSupplier
	for rows.Next() {
		m, err := scanManagedSupplier(rows)
		if err != nil {
			return nil, fmt.Errorf("store: managed suppliers of %d: %w", merchantID, err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ManagedSupplier returns one of the merchant's suppliers outside Dropline;
// any other account is ErrNotFound.
func (db *DB) ManagedSupplier(ctx context.Context, merchantID, supplierID int64) (ManagedSupplier, error) {
	m, err := scanManagedSupplier(db.rqRow(ctx, managedSupplierQuery+" AND a.id = ?", merchantID, supplierID))
	if errors.Is(err, sql.ErrNoRows) {
		return ManagedSupplier{}, fmt.Errorf("store: managed supplier %d: %w", supplierID, ErrNotFound)
	}
	if err != nil {
		return ManagedSupplier{}, fmt.Errorf("store: managed supplier %d: %w", supplierID, err)
	}
	return m, nil
}

// SetSubscriptionSupplier names the supplier behind one of the merchant's
// URL subscriptions: one of its managed suppliers, whose POs its products
// then route to. The subscription's sources, and those its next pulls
// make, carry that supplier. A linked supplier's feed keeps its supplier.
func (db *DB) SetSubscriptionSupplier(ctx context.Context, actor Actor, merchantID, subID, supplierID int64) error {
	sup, err := db.ManagedSupplier(ctx, merchantID, supplierID)
	if err != nil {
		return err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: subscription supplier: %w", err)
	}
	defer tx.Rollback()
	var feedID sql.NullInt64
	var name string
	err = tx.QueryRowContext(ctx, "SELECT feed_id, name FROM subscriptions WHERE id = ? AND account_id = ?", subID, merchantID).Scan(&feedID, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: subscription %d: %w", subID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: subscription supplier: %w", err)
	}
	if feedID.Valid {
		return Conflict("This subscription pulls a linked supplier's feed: its products come from that supplier.")
	}
	if _, err := tx.ExecContext(ctx, "UPDATE subscriptions SET supplier_id = ?, updated_at = ? WHERE id = ? AND account_id = ?", supplierID, db.now(), subID, merchantID); err != nil {
		return fmt.Errorf("store: subscription supplier: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE product_sources SET supplier_id = ?, supplier_name = ?, updated_at = ? WHERE subscription_id = ? AND account_id = ?",
		supplierID, sup.Name, db.now(), subID, merchantID); err != nil {
		return fmt.Errorf("store: subscription supplier: %w", err)
	}
	if err := db.audit(ctx, tx, actor, merchantID, "subscription.supplier_set", "subscription", subID, name+" → "+sup.Name); err != nil {
		return fmt.Errorf("store: subscription supplier: %w", err)
	}
	return tx.Commit()
}

// ExternalOrder is the order a merchant placed on a website supplier's site
// for a PO: the site's order number or confirmation, what was paid, notes.
type ExternalOrder struct {
	Number    string
	PaidCents *int64 // nil: not recorded
	Currency  string
	Notes     string
}

// PaidText is the amount paid as typed back into a form ("" when none).
func (e ExternalOrder) PaidText() string {
	if e.PaidCents == nil {
		return ""
	}
	return FormatMoney(*e.PaidCents)
}

// ExternalOrderInput is the external order as a person types it.
type ExternalOrderInput struct {
	Number   string
	Paid     string // a decimal amount, "" for not recorded
	Currency string // ISO 4217; "" is the PO's currency
	Notes    string
}

// check validates in, fields named with prefix (the dropship form names
// each supplier's fields apart).
func (in ExternalOrderInput) check(prefix, poCurrency string) (ExternalOrder, error) {
	c := checks{}
	out := ExternalOrder{Number: strings.TrimSpace(in.Number), Notes: strings.TrimSpace(in.Notes),
		Currency: strings.ToUpper(strings.TrimSpace(in.Currency))}
	c.check(out.Number != "", prefix+"number", "Enter the order number or confirmation the site gave you.")
	c.check(len(out.Number) <= 100 && !strings.ContainsAny(out.Number, "\r\n\t"), prefix+"number", "Use at most 100 characters on one line.")
	c.check(len(out.Notes) <= 2000, prefix+"notes", "Use at most 2000 characters.")
	if out.Currency == "" {
		out.Currency = poCurrency
	}
	c.check(len(out.Currency) == 3 && strings.Trim(out.Currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "", prefix+"currency", "Enter a three-letter currency code, e.g. USD.")
	if paid := strings.TrimSpace(in.Paid); paid != "" {
		cents, err := ParseMoney(paid)
		c.check(err == nil && cents >= 0, prefix+"paid", "Enter the amount paid, e.g. 12.40.")
		if err == nil && cents >= 0 {
			out.PaidCents = &cents
		}
	}
	return out, c.err()
}

// RecordExternalOrder records (or corrects) the order the merchant placed on
// a website supplier's site for one of its POs. Recording it is the PO's
// acknowledgement: the supplier has the order.
func (db *DB) RecordExternalOrder(ctx context.Context, actor Actor, merchantID, poID int64, in ExternalOrderInput) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: record external order: %w", err)
	}
	defer tx.Rollback()
	var supplierID, orderID int64
	var number, currency, contact, status string
	err = tx.QueryRowContext(ctx, `SELECT po.supplier_id, po.order_id, po.po_number, po.currency, s.contact, po.status FROM purchase_orders po
		JOIN accounts s ON s.id = po.supplier_id WHERE po.id = ? AND po.account_id = ? AND s.managed_by = ?`, poID, merchantID, merchantID).
		Scan(&supplierID, &orderID, &number, &currency, &contact, &status)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && contact != ContactWebsite) {
		return fmt.Errorf("store: external order of PO %d: %w", poID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: record external order: %w", err)
	}
	e, err := in.check("", currency)
	if err != nil {
		return err
	}
	if err := db.writeExternalOrder(ctx, tx, actor, merchantID, supplierID, orderID, poID, number, e); err != nil {
		return fmt.Errorf("store: record external order: %w", err)
	}
	return tx.Commit()
}

// writeExternalOrder keeps e on the PO, acknowledges it, and notes it on the
// order's timeline.
func (db *DB) writeExternalOrder(ctx context.Context, tx dbtx, actor Actor, merchantID, supplierID, orderID, poID int64, number string, e ExternalOrder) error {
	var paid any
	if e.PaidCents != nil {
		paid = *e.PaidCents
	}
	if _, err := tx.ExecContext(ctx, `UPDATE purchase_orders SET external_number = ?, external_paid_cents = ?, external_currency = ?, external_notes = ?, updated_at = ?
		WHERE id = ?`, e.Number, paid, e.Currency, e.Notes, db.now(), poID); err != nil {
		return err
	}
	if _, err := db.markAcked(ctx, tx, actor, poID, db.now()); err != nil {
		return err
	}
	msg := "Ordered from the supplier's site for " + number + ": order " + e.Number
	if e.PaidCents != nil {
		msg += ", paid " + FormatMoney(*e.PaidCents) + " " + e.Currency
	}
	if err := db.orderEvent(ctx, tx, merchantID, orderID, actor, "external_order", msg+"."); err != nil {
		return err
	}
	return db.audit(ctx, tx, actor, merchantID, "po.external_order", "purchase_order", poID, number+" → "+e.Number)
}

// SourceURLs returns the product page of each of the merchant's sources
// named, by source ID ("" where the feed gave none).
func (db *DB) SourceURLs(ctx context.Context, merchantID int64, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	for _, id := range ids {
		var u string
		err := db.rqRow(ctx, "SELECT url FROM product_sources WHERE id = ? AND account_id = ?", id, merchantID).Scan(&u)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("store: source %d: %w", id, err)
		}
		out[id] = u
	}
	return out, nil
}
