package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/dropline/dropline/store/orderfile"
)

// Account kinds.
const (
	KindMerchant = "merchant"
	KindSupplier = "supplier"
	KindBoth     = "both"
)

// Account is a tenant: a merchant, a supplier, or both.
type Account struct {
	ID              int64
	PublicID        string
	Name            string
	Kind            string
	TimeZone        string
	DropshipEnabled bool
	CreatedAt       time.Time
	// Currency is the ISO 4217 code the account's catalog prices are in;
	// imported prices in another currency are refused, not converted.
	Currency string
	// ManagedBy is the merchant that keeps this supplier outside Dropline
	// (a website, or a supplier reached by email), 0 for an account people
	// sign in to; Contact says which: ContactWebsite or ContactEmail.
	ManagedBy int64
	Contact   string
	// Country is the ISO 3166 code whose conventions the account's pages
	// write money in ("" for the US way).
	Country string
	// DisabledAt is when a platform admin disabled the account (nil while
	// it is enabled): its users cannot sign in to it, its API tokens stop
	// working, and its data stays.
	DisabledAt *time.Time
}

// Disabled reports whether a platform admin has disabled the account.
func (a Account) Disabled() bool { return a.DisabledAt != nil }

// Managed reports whether the account is a supplier outside Dropline that
// a merchant keeps.
func (a Account) Managed() bool { return a.ManagedBy != 0 }

// IsMerchant reports whether the account sells (merchant or both).
func (a Account) IsMerchant() bool { return a.Kind == KindMerchant || a.Kind == KindBoth }

// IsSupplier reports whether the account ships for others (supplier or both).
func (a Account) IsSupplier() bool { return a.Kind == KindSupplier || a.Kind == KindBoth }

// Location returns the account's time zone, UTC if it cannot be loaded.
func (a Account) Location() *time.Location {
	return locationOf(a.TimeZone)
}

// locations caches loaded time zones: time.LoadLocation reads and parses
// the zone file on every call, and the queue needs one per PO change.
var locations sync.Map

// locationOf returns the named time zone, UTC if it cannot be loaded.
func locationOf(name string) *time.Location {
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	locations.Store(name, loc)
	return loc
}

// NewAccount is the input for creating an account.
type NewAccount struct {
	Name     string
	Kind     string
	TimeZone string
}

// AccountSettings is what an account admin may change about the account.
type AccountSettings struct {
	Name            string
	TimeZone        string
	DropshipEnabled bool
	// Currency is the catalog's currency; "" keeps the current one.
	Currency string
	// Country is an ISO 3166 code, or "" for none; it decides how the
	// account's pages write money.
	Country string
	AccountContact
}

// AccountContact is how a merchant's customers reach it: the return address
// its packing slips print and the reply-to address of its customer emails.
type AccountContact struct {
	ReturnAddress string // lines as typed
	ReplyToEmail  string
	// CustomerUpdatesOff: no email to customers when a parcel is out for
	// delivery, delivered or held up (they still get the shipping email).
	CustomerUpdatesOff bool
}

// ReturnAddressLines are the return address's lines that hold something.
func (c AccountContact) ReturnAddressLines() []string {
	var out []string
	for _, l := range strings.Split(c.ReturnAddress, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// check tidies the contact and adds its problems to c.
func (in *AccountContact) check(c checks) {
	in.ReturnAddress = strings.Join(in.ReturnAddressLines(), "\n")
	in.ReplyToEmail = strings.TrimSpace(in.ReplyToEmail)
	c.check(len(in.ReturnAddress) <= 500, "return_address", "Use at most 500 characters.")
	c.check(len(in.ReturnAddressLines()) <= 8, "return_address", "Use at most 8 lines.")
	if in.ReplyToEmail != "" {
		a, err := mail.ParseAddress(in.ReplyToEmail)
		c.check(err == nil && a.Address == in.ReplyToEmail && len(in.ReplyToEmail) <= 254, "reply_to_email", "Enter an email address such as orders@example.com.")
	}
}

// AccountContact returns the acting account's return address and reply-to email.
func (db *DB) AccountContact(ctx context.Context, accountID int64) (AccountContact, error) {
	var c AccountContact
	err := db.rqRow(ctx, "SELECT return_address, reply_to_email, customer_updates_off FROM accounts WHERE id = ?", accountID).
		Scan(&c.ReturnAddress, &c.ReplyToEmail, &c.CustomerUpdatesOff)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("store: account contact %d: %w", accountID, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("store: account contact %d: %w", accountID, err)
	}
	return c, nil
}

const accountColumns = "id, public_id, name, kind, time_zone, dropship_enabled, created_at, currency, coalesce(managed_by, 0), contact, country, disabled_at"

// accountColumnsA is accountColumns for a query that calls accounts "a".
const accountColumnsA = "a.id, a.public_id, a.name, a.kind, a.time_zone, a.dropship_enabled, a.created_at, a.currency, coalesce(a.managed_by, 0), a.contact, a.country, a.disabled_at"

// accountFields are the scan targets of accountColumns, in order.
func accountFields(a *Account) []any {
	return []any{&a.ID, &a.PublicID, &a.Name, &a.Kind, &a.TimeZone, &a.DropshipEnabled, &a.CreatedAt, &a.Currency, &a.ManagedBy, &a.Contact, &a.Country, &a.DisabledAt}
}

func scanAccount(row interface{ Scan(...any) error }) (Account, error) {
	var a Account
	err := row.Scan(accountFields(&a)...)
	return a, err
}

// ValidKind reports whether kind is an account kind.
func ValidKind(kind string) bool {
	return kind == KindMerchant || kind == KindSupplier || kind == KindBoth
}

func validTimeZone(tz string) bool {
	if tz == "" || strings.EqualFold(tz, "local") {
		return false
	}
	_, err := time.LoadLocation(tz)
	return err == nil
}

func (in *NewAccount) validate() error {
	in.Name = strings.TrimSpace(in.Name)
	if in.TimeZone == "" {
		in.TimeZone = "UTC"
	}
	c := checks{}
	c.check(in.Name != "", "name", "Enter the account's name.")
	c.check(len(in.Name) <= 200, "name", "Use at most 200 characters.")
	c.check(ValidKind(in.Kind), "kind", "Choose merchant, supplier or both.")
	c.check(validTimeZone(in.TimeZone), "time_zone", "Choose a time zone such as Europe/London or America/New_York.")
	return c.err()
}

// publicIDAlphabet leaves out 0, O, 1 and I, which people misread.
const publicIDAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

func newPublicID() string {
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	for i := range b {
		b[i] = publicIDAlphabet[int(b[i])%len(publicIDAlphabet)]
	}
	return "DL-" + string(b)
}

// CreateAccount creates an account with no users.
func (db *DB) CreateAccount(ctx context.Context, actor Actor, in NewAccount) (Account, error) {
	if err := in.validate(); err != nil {
		return Account{}, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return Account{}, fmt.Errorf("store: create account: %w", err)
	}
	defer tx.Rollback()
	a, err := db.createAccount(ctx, tx, actor, in)
	if err != nil {
		return Account{}, fmt.Errorf("store: create account: %w", err)
	}
	return a, tx.Commit()
}

func (db *DB) createAccount(ctx context.Context, tx dbtx, actor Actor, in NewAccount) (Account, error) {
	now := db.now()
	for range 10 {
		pid := newPublicID()
		res, err := execInsert(ctx, tx, `INSERT INTO accounts (public_id, name, kind, time_zone, dropship_enabled, created_at)
			VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT (public_id) DO NOTHING`, pid, in.Name, in.Kind, in.TimeZone, now)
		if err != nil {
			return Account{}, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // public ID taken; draw another
		}
		id, _ := res.LastInsertId()
		if in.Kind == KindSupplier || in.Kind == KindBoth {
			if err := db.addDefaultStatuses(ctx, tx, id); err != nil {
				return Account{}, err
			}
		}
		a := Account{ID: id, PublicID: pid, Name: in.Name, Kind: in.Kind, TimeZone: in.TimeZone, CreatedAt: now}
		if err := db.audit(ctx, tx, actor, id, "account.created", "account", id, in.Kind+" "+in.Name); err != nil {
			return Account{}, err
		}
		return a, nil
	}
	return Account{}, errors.New("could not draw a free public ID")
}

// Account returns one account by numeric ID.
func (db *DB) Account(ctx context.Context, id int64) (Account, error) {
	a, err := scanAccount(db.rqRow(ctx, "SELECT "+accountColumns+" FROM accounts WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, fmt.Errorf("store: account %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Account{}, fmt.Errorf("store: account %d: %w", id, err)
	}
	return a, nil
}

// AccountByPublicID returns one account by its public ID (case-insensitive).
func (db *DB) AccountByPublicID(ctx context.Context, publicID string) (Account, error) {
	publicID = strings.ToUpper(strings.TrimSpace(publicID))
	a, err := scanAccount(db.rqRow(ctx, "SELECT "+accountColumns+" FROM accounts WHERE public_id = ?", publicID))
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, fmt.Errorf("store: account %s: %w", publicID, ErrNotFound)
	}
	if err != nil {
		return Account{}, fmt.Errorf("store: account %s: %w", publicID, err)
	}
	return a, nil
}

// AccountSummary is an account with its member count, for the platform admin's list.
type AccountSummary struct {
	Account
	Members int
	Links   int
}

// Accounts lists every account, newest first. Only platform admins see this.
func (db *DB) Accounts(ctx context.Context) ([]AccountSummary, error) {
	return db.SearchAccounts(ctx, "")
}

// UpdateAccountSettings changes the acting account's name, time zone,
// dropship module, return address and reply-to email.
func (db *DB) UpdateAccountSettings(ctx context.Context, actor Actor, accountID int64, in AccountSettings) (Account, error) {
	in.Name = strings.TrimSpace(in.Name)
	c := checks{}
	c.check(in.Name != "", "name", "Enter the account's name.")
	c.check(len(in.Name) <= 200, "name", "Use at most 200 characters.")
	c.check(validTimeZone(in.TimeZone), "time_zone", "Choose a time zone such as Europe/London or America/New_York.")
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	c.check(in.Currency == "" || validCurrency(in.Currency), "currency", "Enter a three-letter currency code such as USD, EUR or GBP.")
	in.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	c.check(in.Country == "" || orderfile.IsCountry(in.Country), "country", "Choose a country from the list.")
	in.AccountContact.check(c)
	if err := c.err(); err != nil {
		return Account{}, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return Account{}, fmt.Errorf("store: update account %d: %w", accountID, err)
	}
	defer tx.Rollback()
	before, err := scanAccount(tx.QueryRowContext(ctx, "SELECT "+accountColumns+" FROM accounts WHERE id = ?", accountID))
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, fmt.Errorf("store: update account %d: %w", accountID, ErrNotFound)
	}
	if err != nil {
		return Account{}, fmt.Errorf("store: update account %d: %w", accountID, err)
	}
	var contact AccountContact
	if err := tx.QueryRowContext(ctx, "SELECT return_address, reply_to_email, customer_updates_off FROM accounts WHERE id = ?", accountID).
		Scan(&contact.ReturnAddress, &contact.ReplyToEmail, &contact.CustomerUpdatesOff); err != nil {
		return Account{}, fmt.Errorf("store: update account %d: %w", accountID, err)
	}
	if in.Currency == "" {
		in.Currency = before.Currency
	}
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET name = ?, time_zone = ?, dropship_enabled = ?, return_address = ?, reply_to_email = ?, currency = ?, country = ?,
		customer_updates_off = ? WHERE id = ?`,
		in.Name, in.TimeZone, in.DropshipEnabled, in.ReturnAddress, in.ReplyToEmail, in.Currency, in.Country, in.CustomerUpdatesOff, accountID); err != nil {
		return Account{}, fmt.Errorf("store: update account %d: %w", accountID, err)
	}
	var changes []string
	if contact.ReturnAddress != in.ReturnAddress {
		changes = append(changes, "return address changed")
	}
	if contact.CustomerUpdatesOff != in.CustomerUpdatesOff {
		changes = append(changes, "customers' tracking emails "+onOff(!in.CustomerUpdatesOff))
	}
	if contact.ReplyToEmail != in.ReplyToEmail {
		changes = append(changes, fmt.Sprintf("reply-to email %q → %q", contact.ReplyToEmail, in.ReplyToEmail))
	}
	if before.Name != in.Name {
		changes = append(changes, fmt.Sprintf("name %q → %q", before.Name, in.Name))
	}
	if before.TimeZone != in.TimeZone {
		changes = append(changes, fmt.Sprintf("time zone %s → %s", before.TimeZone, in.TimeZone))
		// A supplier's day decides its POs' Due today.
		if err := requeueSupplierSoon(ctx, tx, accountID); err != nil {
			return Account{}, fmt.Errorf("store: update account %d: %w", accountID, err)
		}
	}
	if before.DropshipEnabled != in.DropshipEnabled {
		changes = append(changes, fmt.Sprintf("dropship module %s", onOff(in.DropshipEnabled)))
	}
	if before.Currency != in.Currency {
		changes = append(changes, fmt.Sprintf("currency %s → %s", before.Currency, in.Currency))
	}
	if before.Country != in.Country {
		changes = append(changes, fmt.Sprintf("country %q → %q", before.Country, in.Country))
	}
	if len(changes) > 0 {
		if err := db.audit(ctx, tx, actor, accountID, "account.updated", "account", accountID, strings.Join(changes, "; ")); err != nil {
			return Account{}, fmt.Errorf("store: update account %d: %w", accountID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return Account{}, fmt.Errorf("store: update account %d: %w", accountID, err)
	}
	before.Name, before.TimeZone, before.DropshipEnabled, before.Currency, before.Country = in.Name, in.TimeZone, in.DropshipEnabled, in.Currency, in.Country
	return before, nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// validCurrency reports whether s looks like an ISO 4217 code.
func validCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}
