package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dropline/dropline/store/carrier"
)

// Logistics kinds (seed 001): a supplier ships from its own warehouse with
// shipping carriers, or through a fulfilment centre.
const (
	LogisticsCarrier           = "carrier"
	LogisticsFulfillmentCenter = "fulfillment_center"
)

// Inventory modes (seed 001): active keeps stock in Dropline and pushes it
// out; passive mirrors stock fetched from outside.
const (
	InventoryActive  = "active"
	InventoryPassive = "passive"
)

// customPrefix marks a custom provider in a carrier choice: "custom:12".
const customPrefix = "custom:"

// CarrierSettings are an account's logistics and carrier choices.
type CarrierSettings struct {
	LogisticsKind string
	InventoryMode string
	Restricted    bool     // false: every built-in carrier is allowed
	Allowed       []string // built-in carrier codes allowed when Restricted
	Default       string   // a carrier code or "custom:ID"; "" for none
}

// LogisticsProvider is an account's own carrier or fulfilment centre with no API.
type LogisticsProvider struct {
	ID          int64
	Name        string
	TrackingURL string // template with {number}, may be empty
	Kind        string
	Retired     bool
	CreatedAt   time.Time
}

// ShippingOption is a carrier a user of the account may pick for a shipment.
type ShippingOption struct {
	Value string // carrier code or "custom:ID"
	Name  string
	// Custom providers have no number check.
	Custom bool
}

// CarrierSettings returns the acting account's carrier settings and its custom providers.
func (db *DB) CarrierSettings(ctx context.Context, accountID int64) (CarrierSettings, []LogisticsProvider, error) {
	var s CarrierSettings
	err := db.rqRow(ctx, "SELECT logistics_kind, inventory_mode, carriers_restricted, default_carrier FROM accounts WHERE id = ?", accountID).
		Scan(&s.LogisticsKind, &s.InventoryMode, &s.Restricted, &s.Default)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil, fmt.Errorf("store: carriers of %d: %w", accountID, ErrNotFound)
	}
	if err != nil {
		return s, nil, fmt.Errorf("store: carriers of %d: %w", accountID, err)
	}
	rows, err := db.rq(ctx, "SELECT carrier_code FROM account_carriers WHERE account_id = ?", accountID)
	if err != nil {
		return s, nil, fmt.Errorf("store: carriers of %d: %w", accountID, err)
	}
	allowed := map[string]bool{}
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			rows.Close()
			return s, nil, fmt.Errorf("store: carriers of %d: %w", accountID, err)
		}
		allowed[code] = true
	}
	rows.Close()
	// Keep the registry's display order.
	for _, c := range carrier.All() {
		if !s.Restricted || allowed[c.Code] {
			s.Allowed = append(s.Allowed, c.Code)
		}
	}
	providers, err := db.providers(ctx, accountID)
	if err != nil {
		return s, nil, err
	}
	return s, providers, nil
}

func (db *DB) providers(ctx context.Context, accountID int64) ([]LogisticsProvider, error) {
	rows, err := db.rq(ctx, "SELECT id, name, tracking_url, kind, retired_at IS NOT NULL, created_at FROM logistics_providers WHERE account_id = ? ORDER BY retired_at IS NOT NULL, name", accountID)
	if err != nil {
		return nil, fmt.Errorf("store: providers of %d: %w", accountID, err)
	}
	defer rows.Close()
	var out []LogisticsProvider
	for rows.Next() {
		var p LogisticsProvider
		if err := rows.Scan(&p.ID, &p.Name, &p.TrackingURL, &p.Kind, &p.Retired, &p.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: providers of %d: %w", accountID, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// UpdateCarrierSettings saves the acting account's logistics kind, inventory
// mode, allowed carriers and default carrier.
func (db *DB) UpdateCarrierSettings(ctx context.Context, actor Actor, accountID int64, in CarrierSettings) error {
	c := checks{}
	c.check(in.LogisticsKind == LogisticsCarrier || in.LogisticsKind == LogisticsFulfillmentCenter, "logistics_kind", "Choose shipping carriers or a fulfilment centre.")
	c.check(in.InventoryMode == InventoryActive || in.InventoryMode == InventoryPassive, "inventory_mode", "Choose active or passive.")
	allowed := map[string]bool{}
	for _, code := range in.Allowed {
		cr, ok := carrier.Lookup(code)
		if !ok || cr.Code != code {
			c.add("allowed", "Unknown carrier "+code+".")
			continue
		}
		allowed[code] = true
	}
	c.check(!in.Restricted || len(allowed) > 0, "allowed", "Allow at least one built-in carrier, or allow them all.")
	if err := c.err(); err != nil {
		return err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: carrier settings: %w", err)
	}
	defer tx.Rollback()
	if err := accountExists(ctx, tx, accountID); err != nil {
		return fmt.Errorf("store: carrier settings of %d: %w", accountID, err)
	}
	if in.Default != "" {
		switch id, custom := strings.CutPrefix(in.Default, customPrefix); {
		case custom:
			pid, _ := strconv.ParseInt(id, 10, 64)
			var ok bool
			if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM logistics_providers WHERE id = ? AND account_id = ? AND retired_at IS NULL)", pid, accountID).Scan(&ok); err != nil {
				return fmt.Errorf("store: carrier settings: %w", err)
			}
			if !ok {
				return FieldError("default", "Choose one of this account's providers as the default.")
			}
		case in.Restricted && !allowed[in.Default]:
			return FieldError("default", "The default carrier must be one of the allowed carriers.")
		default:
			if cr, ok := carrier.Lookup(in.Default); !ok || cr.Code != in.Default {
				return FieldError("default", "Unknown carrier "+in.Default+".")
			}
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE accounts SET logistics_kind = ?, inventory_mode = ?, carriers_restricted = ?, default_carrier = ? WHERE id = ?",
		in.LogisticsKind, in.InventoryMode, in.Restricted, in.Default, accountID); err != nil {
		return fmt.Errorf("store: carrier settings: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM account_carriers WHERE account_id = ?", accountID); err != nil {
		return fmt.Errorf("store: carrier settings: %w", err)
	}
	if in.Restricted {
		for code := range allowed {
			if _, err := tx.ExecContext(ctx, "INSERT INTO account_carriers (account_id, carrier_code) VALUES (?, ?)", accountID, code); err != nil {
				return fmt.Errorf("store: carrier settings: %w", err)
			}
		}
	}
	detail := fmt.Sprintf("%s, inventory %s, carriers %s, default %q", in.LogisticsKind, in.InventoryMode, map[bool]string{false: "all", true: fmt.Sprint(len(allowed))}[in.Restricted], in.Default)
	if err := db.audit(ctx, tx, actor, accountID, "carriers.updated", "account", accountID, detail); err != nil {
		return fmt.Errorf("store: carrier settings: %w", err)
	}
	return tx.Commit()
}

// CheckTrackingURLTemplate returns a message when a custom tracking URL template is unusable, or "".
func CheckTrackingURLTemplate(tmpl string) string {
	if tmpl == "" {
		return ""
	}
	u, err := url.Parse(strings.ReplaceAll(tmpl, "{number}", "X"))
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return "Enter an http:// or https:// address."
	case !strings.Contains(tmpl, "{number}"):
		return "Put {number} where the tracking number goes, e.g. https://track.example.com/?n={number}."
	case len(tmpl) > 500:
		return "Use at most 500 characters."
	}
	return ""
}

// AddLogisticsProvider adds a custom carrier or fulfilment centre to the acting account.
func (db *DB) AddLogisticsProvider(ctx context.Context, actor Actor, accountID int64, name, trackingURL, kind string) (LogisticsProvider, error) {
	name, trackingURL = strings.TrimSpace(name), strings.TrimSpace(trackingURL)
	if kind == "" {
		kind = LogisticsCarrier
	}
	c := checks{}
	c.check(name != "", "name", "Enter the provider's name.")
	c.check(len(name) <= 100, "name", "Use at most 100 characters.")
	if msg := CheckTrackingURLTemplate(trackingURL); msg != "" {
		c.add("tracking_url", msg)
	}
	c.check(kind == LogisticsCarrier || kind == LogisticsFulfillmentCenter, "kind", "Choose carrier or fulfilment centre.")
	if _, builtIn := carrier.Lookup(name); builtIn {
		c.add("name", name+" is a built-in carrier already.")
	}
	if err := c.err(); err != nil {
		return LogisticsProvider{}, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return LogisticsProvider{}, fmt.Errorf("store: add provider: %w", err)
	}
	defer tx.Rollback()
	if err := accountExists(ctx, tx, accountID); err != nil {
		return LogisticsProvider{}, fmt.Errorf("store: add provider to %d: %w", accountID, err)
	}
	now := db.now()
	res, err := execInsert(ctx, tx, "INSERT INTO logistics_providers (account_id, name, tracking_url, kind, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
		accountID, name, trackingURL, kind, now)
	if err != nil {
		return LogisticsProvider{}, fmt.Errorf("store: add provider: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return LogisticsProvider{}, FieldError("name", "There is already a provider called "+name+".")
	}
	id, _ := res.LastInsertId()
	if err := db.audit(ctx, tx, actor, accountID, "provider.added", "logistics_provider", id, name); err != nil {
		return LogisticsProvider{}, fmt.Errorf("store: add provider: %w", err)
	}
	return LogisticsProvider{ID: id, Name: name, TrackingURL: trackingURL, Kind: kind, CreatedAt: now}, tx.Commit()
}

// RetireLogisticsProvider takes a custom provider out of the carrier choices.
func (db *DB) RetireLogisticsProvider(ctx context.Context, actor Actor, accountID, providerID int64) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: retire provider: %w", err)
	}
	defer tx.Rollback()
	var name string
	var retired bool
	err = tx.QueryRowContext(ctx, "SELECT name, retired_at IS NOT NULL FROM logistics_providers WHERE id = ? AND account_id = ?", providerID, accountID).Scan(&name, &retired)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: retire provider %d: %w", providerID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: retire provider: %w", err)
	}
	if retired {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "UPDATE logistics_providers SET retired_at = ? WHERE id = ?", db.now(), providerID); err != nil {
		return fmt.Errorf("store: retire provider: %w", err)
	}
	// A retired provider cannot stay the default.
	if _, err := tx.ExecContext(ctx, "UPDATE accounts SET default_carrier = '' WHERE id = ? AND default_carrier = ?", accountID, customPrefix+strconv.FormatInt(providerID, 10)); err != nil {
		return fmt.Errorf("store: retire provider: %w", err)
	}
	if err := db.audit(ctx, tx, actor, accountID, "provider.retired", "logistics_provider", providerID, name); err != nil {
		return fmt.Errorf("store: retire provider: %w", err)
	}
	return tx.Commit()
}

// ShippingOptions lists the carriers the acting account's users may pick,
// built-in first, and the account's default choice.
func (db *DB) ShippingOptions(ctx context.Context, accountID int64) ([]ShippingOption, string, error) {
	s, providers, err := db.CarrierSettings(ctx, accountID)
	if err != nil {
		return nil, "", err
	}
	var out []ShippingOption
	for _, code := range s.Allowed {
		c, _ := carrier.Lookup(code)
		out = append(out, ShippingOption{Value: c.Code, Name: c.Name})
	}
	for _, p := range providers {
		if !p.Retired {
			out = append(out, ShippingOption{Value: customPrefix + strconv.FormatInt(p.ID, 10), Name: p.Name, Custom: true})
		}
	}
	return out, s.Default, nil
}

// TrackingCheck is what a tracking number check found.
type TrackingCheck struct {
	Carrier ShippingOption
	Number  string // normalised: spaces and dashes removed, upper case
	URL     string // the carrier's tracking page for the number, if known
	Problem string // why the number fails the carrier's check; "" when it passes or cannot be checked
	// Note says the carrier was read from the number (the carrier was left
	// empty, or was a name several carriers share, such as "DHL"); "" when
	// the carrier was taken as given.
	Note string
}

// CheckTracking checks a tracking number for one of the acting account's
// carriers (a code, a name, or "custom:ID"; empty to read the carrier from
// the number when exactly one of the account's carriers confirms it). A
// number that fails the check is not an error: the caller decides whether
// the user overrides it.
func (db *DB) CheckTracking(ctx context.Context, accountID int64, carrierRef, number string) (TrackingCheck, error) {
	tk, err := db.trackingChecker(ctx, accountID)
	if err != nil {
		return TrackingCheck{}, err
	}
	return tk.check(carrierRef, number)
}

// trackingChecker holds one account's carriers and custom providers, so a bulk
// upload checks thousands of numbers against one read of its settings.
type trackingChecker struct {
	allowed   []string
	providers map[int64]LogisticsProvider // not retired
}

func (db *DB) trackingChecker(ctx context.Context, accountID int64) (*trackingChecker, error) {
	s, providers, err := db.CarrierSettings(ctx, accountID)
	if err != nil {
		return nil, err
	}
	tk := &trackingChecker{allowed: s.Allowed, providers: map[int64]LogisticsProvider{}}
	for _, p := range providers {
		if !p.Retired {
			tk.providers[p.ID] = p
		}
	}
	return tk, nil
}

func (tk *trackingChecker) check(carrierRef, number string) (TrackingCheck, error) {
	var tc TrackingCheck
	c := checks{}
	c.check(strings.TrimSpace(number) != "", "tracking_number", "Enter the tracking number.")
	c.check(len(number) <= 100, "tracking_number", "Use at most 100 characters.")
	if err := c.err(); err != nil {
		return tc, err
	}
	// A code or a name in any case, as the bulk upload takes them; none, or
	// a name several carriers share, and the number decides.
	var err error
	if carrierRef, tc.Note, err = tk.pick(carrierRef, number, "choose the carrier"); err != nil {
		return tc, err
	}
	if id, ok := strings.CutPrefix(carrierRef, customPrefix); ok {
		pid, _ := strconv.ParseInt(id, 10, 64)
		p, ok := tk.providers[pid]
		if !ok {
			return tc, FieldError("carrier", "Choose one of this account's carriers.")
		}
		tc.Carrier = ShippingOption{Value: carrierRef, Name: p.Name, Custom: true}
		tc.Number = strings.TrimSpace(number)
		if p.TrackingURL != "" {
			tc.URL = strings.ReplaceAll(p.TrackingURL, "{number}", url.QueryEscape(tc.Number))
		}
		return tc, nil
	}
	cr, ok := carrier.Lookup(carrierRef)
	if !ok {
		return tc, FieldError("carrier", "Unknown carrier "+carrierRef+".")
	}
	if !slices.Contains(tk.allowed, cr.Code) {
		return tc, FieldError("carrier", cr.Name+" is not one of this account's carriers (Settings → Carriers).")
	}
	tc.Carrier = ShippingOption{Value: cr.Code, Name: cr.Name}
	tc.Number = carrier.Normalize(number)
	tc.URL = carrier.URL(cr.Code, tc.Number)
	if err := carrier.Check(cr.Code, tc.Number); err != nil {
		tc.Problem = err.Error()
	}
	return tc, nil
}

// pick turns the carrier a form, file row or API call gives for a number
// into the value a shipment stores, with a note when the number chose it:
// an empty carrier is read from the number, and a name several carriers
// share ("DHL") becomes the one of them the number confirms, or else the one
// the name means alone (DHL Express). What it cannot place it returns as
// typed, for the check to refuse. ask ends the message when the number does
// not settle the carrier: what the person should do.
func (tk *trackingChecker) pick(typed, number, ask string) (ref, note string, err error) {
	typed = strings.TrimSpace(typed)
	if typed == "" && strings.TrimSpace(number) != "" {
		g := tk.guess(number, tk.allowed)
		o, ok := g.Only()
		if !ok {
			return "", "", FieldError("carrier", g.Problem()+": "+ask+".")
		}
		return o.Value, "Carrier read from the number: " + o.Name + ".", nil
	}
	if family := carrier.Family(typed); family != nil && !tk.isProvider(typed) {
		var among []string
		for _, code := range family {
			if slices.Contains(tk.allowed, code) {
				among = append(among, code)
			}
		}
		if o, ok := tk.guess(number, among).Only(); ok {
			return o.Value, typed + " read as " + o.Name + " from the number.", nil
		}
	}
	return tk.resolve(typed), "", nil
}

// CarrierGuess is what a tracking number alone says about its carrier,
// among the acting account's carriers.
type CarrierGuess struct {
	Number string           // normalised
	Sure   []ShippingOption // the account's carriers a check digit or own prefix confirms
	// Maybe lists the account's carriers whose format the number only
	// fits (no check digit to confirm it); empty when Sure is not.
	Maybe []ShippingOption
	// Elsewhere names carriers that would confirm the number but are not
	// among the account's carriers.
	Elsewhere []string
	Issuer    string // the post that issued an S10 number, e.g. "China Post (CN)"
}

// Only returns the carrier when exactly one of the account's carriers
// confirms the number.
func (g CarrierGuess) Only() (ShippingOption, bool) {
	if len(g.Sure) == 1 {
		return g.Sure[0], true
	}
	return ShippingOption{}, false
}

// Problem says why the guess does not settle the carrier, for a person who
// must then choose it (the caller adds what to do); "" when it does.
func (g CarrierGuess) Problem() string {
	switch {
	case len(g.Sure) == 1:
		return ""
	case len(g.Sure) > 1:
		return "The number could be " + optionNames(g.Sure)
	case len(g.Elsewhere) > 0:
		return "The number looks like " + nameList(g.Elsewhere) + ", which is not one of this account's carriers (Settings → Carriers)"
	case len(g.Maybe) > 0:
		return "The number could be " + optionNames(g.Maybe) + ", but it has no check digit to confirm it"
	}
	return "No carrier's format matches this number"
}

func optionNames(opts []ShippingOption) string {
	names := make([]string, len(opts))
	for i, o := range opts {
		names[i] = o.Name
	}
	return nameList(names)
}

// nameList joins names as "A, B or C", at most five of them.
func nameList(names []string) string {
	if len(names) > 5 {
		names = append(names[:4:4], fmt.Sprintf("%d others", len(names)-4))
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// GuessCarrier reads the carrier from a tracking number alone, among the
// acting account's carriers, for the forms' "Looks like" hint.
func (db *DB) GuessCarrier(ctx context.Context, accountID int64, number string) (CarrierGuess, error) {
	tk, err := db.trackingChecker(ctx, accountID)
	if err != nil {
		return CarrierGuess{}, err
	}
	return tk.guess(number, tk.allowed), nil
}

// guess runs the detector and keeps the carriers among codes.
func (tk *trackingChecker) guess(number string, among []string) CarrierGuess {
	g := CarrierGuess{Number: carrier.Normalize(number)}
	var maybe []ShippingOption
	for _, m := range carrier.Detect(number) {
		if g.Issuer == "" {
			g.Issuer = m.Issuer
		}
		o := ShippingOption{Value: m.Carrier.Code, Name: m.Carrier.Name}
		switch {
		case !slices.Contains(among, m.Carrier.Code):
			if m.Sure {
				g.Elsewhere = append(g.Elsewhere, m.Carrier.Name)
			}
		case m.Sure:
			g.Sure = append(g.Sure, o)
		default:
			maybe = append(maybe, o)
		}
	}
	if len(g.Sure) == 0 {
		g.Maybe = maybe
	}
	return g
}

// isProvider reports whether one of the account's own providers has the
// name, which then means that provider rather than a built-in carrier.
func (tk *trackingChecker) isProvider(name string) bool {
	for _, p := range tk.providers {
		if strings.EqualFold(p.Name, strings.TrimSpace(name)) {
			return true
		}
	}
	return false
}
