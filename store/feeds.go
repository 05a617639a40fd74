package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dropline/dropline/store/feedfile"
)

// Feed selections.
const (
	SelectAll  = "all"  // every active product
	SelectTag  = "tag"  // active products with a tag
	SelectSKUs = "skus" // a list of SKUs
)

// FeedFields are the optional fields a feed may publish; SKU, title,
// options, GTIN, MPN and the product page are always in it.
var FeedFields = []string{"price", "cost", "quantity", "lead_time", "description", "images"}

// Feed is a supplier's published selection of products.
type Feed struct {
	ID             int64
	AccountID      int64
	Name           string
	Selection      string
	SelectionValue string
	Fields         []string
	AllMerchants   bool
	MerchantIDs    []int64
	TokenPrefix    string // "" when the feed has no external URL
	Archived       bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Has reports whether the feed publishes an optional field.
func (f Feed) Has(field string) bool { return slices.Contains(f.Fields, field) }

// FeedInput is what a supplier sets on a feed.
type FeedInput struct {
	Name           string
	Selection      string
	SelectionValue string
	Fields         []string
	AllMerchants   bool
	MerchantIDs    []int64
}

const feedColumns = "f.id, f.account_id, f.name, f.selection, f.selection_value, f.fields, f.all_merchants, f.token_prefix, f.archived_at IS NOT NULL, f.created_at, f.updated_at"

func scanFeed(row interface{ Scan(...any) error }) (Feed, error) {
	var f Feed
	var fields string
	err := row.Scan(&f.ID, &f.AccountID, &f.Name, &f.Selection, &f.SelectionValue, &fields, &f.AllMerchants, &f.TokenPrefix, &f.Archived, &f.CreatedAt, &f.UpdatedAt)
	for _, x := range strings.Split(fields, ",") {
		if x != "" {
			f.Fields = append(f.Fields, x)
		}
	}
	return f, err
}

func (db *DB) feedMerchants(ctx context.Context, q querier, f *Feed) error {
	var err error
	f.MerchantIDs, err = queryIDs(ctx, q, "SELECT merchant_id FROM feed_merchants WHERE feed_id = ? ORDER BY merchant_id", f.ID)
	return err
}

// Feeds lists the acting supplier's feeds.
func (db *DB) Feeds(ctx context.Context, supplierID int64) ([]Feed, error) {
	rows, err := db.rq(ctx, "SELECT "+feedColumns+" FROM feeds f WHERE f.account_id = ? ORDER BY f.archived_at IS NOT NULL, f.name", supplierID)
	if err != nil {
		return nil, fmt.Errorf("store: feeds of %d: %w", supplierID, err)
	}
	var out []Feed
	for rows.Next() {
		f, err := scanFeed(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: feeds of %d: %w", supplierID, err)
		}
		out = append(out, f)
	}
	rows.Close()
	for i := range out {
		if err := db.feedMerchants(ctx, cachedReader{db}, &out[i]); err != nil {
			return nil, fmt.Errorf("store: feeds of %d: %w", supplierID, err)
		}
	}
	return out, rows.Err()
}

// Feed returns one of the acting supplier's feeds.
func (db *DB) Feed(ctx context.Context, supplierID, id int64) (Feed, error) {
	f, err := scanFeed(db.rqRow(ctx, "SELECT "+feedColumns+" FROM feeds f WHERE f.id = ? AND f.account_id = ?", id, supplierID))
	if errors.Is(err, sql.ErrNoRows) {
		return Feed{}, fmt.Errorf("store: feed %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Feed{}, fmt.Errorf("store: feed %d: %w", id, err)
	}
	if err := db.feedMerchants(ctx, cachedReader{db}, &f); err != nil {
		return Feed{}, fmt.Errorf("store: feed %d: %w", id, err)
	}
	return f, nil
}

// SaveFeed creates (id 0) or updates one of the acting supplier's feeds.
func (db *DB) SaveFeed(ctx context.Context, actor Actor, supplierID, id int64, in FeedInput) (Feed, error) {
	in.Name = strings.TrimSpace(in.Name)
	in.SelectionValue = strings.TrimSpace(in.SelectionValue)
	c := checks{}
	c.check(in.Name != "", "name", "Name the feed, e.g. after the merchants it is for.")
	c.check(len(in.Name) <= 100, "name", "Use at most 100 characters.")
	c.check(in.Selection == SelectAll || in.Selection == SelectTag || in.Selection == SelectSKUs, "selection", "Choose all active products, a tag, or a SKU list.")
	c.check(in.Selection != SelectTag || in.SelectionValue != "", "selection_value", "Enter the tag.")
	c.check(in.Selection != SelectSKUs || in.SelectionValue != "", "selection_value", "Enter at least one SKU.")
	c.check(len(in.SelectionValue) <= 200000, "selection_value", "The list is too long.")
	var fields []string
	for _, f := range FeedFields {
		if slices.Contains(in.Fields, f) {
			fields = append(fields, f)
		}
	}
	for _, f := range in.Fields {
		c.check(slices.Contains(FeedFields, f), "fields", "Unknown field "+f+".")
	}
	c.check(in.AllMerchants || len(in.MerchantIDs) > 0, "merchants", "Choose the merchants who may pull this feed, or allow all linked merchants.")
	if err := c.err(); err != nil {
		return Feed{}, err
	}
	if in.Selection == SelectSKUs {
		in.SelectionValue = strings.Join(splitList(in.SelectionValue), "\n")
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return Feed{}, fmt.Errorf("store: save feed: %w", err)
	}
	defer tx.Rollback()
	sup, err := accountIn(ctx, tx, supplierID)
	if err != nil || !sup.IsSupplier() {
		return Feed{}, fmt.Errorf("store: save feed for %d: %w", supplierID, ErrNotFound)
	}
	if !in.AllMerchants {
		for _, m := range in.MerchantIDs {
			var linked bool
			if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM vendor_links WHERE supplier_id = ? AND merchant_id = ? AND state <> 'ended')", supplierID, m).Scan(&linked); err != nil {
				return Feed{}, fmt.Errorf("store: save feed: %w", err)
			}
			if !linked {
				return Feed{}, FieldError("merchants", "Choose only merchants linked to this account.")
			}
		}
	}
	now := db.now()
	action := "feed.updated"
	if id == 0 {
		res, err := execInsert(ctx, tx, `INSERT INTO feeds (account_id, name, selection, selection_value, fields, all_merchants, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, supplierID, in.Name, in.Selection, in.SelectionValue, strings.Join(fields, ","), in.AllMerchants, now, now)
		if err != nil {
			return Feed{}, fmt.Errorf("store: save feed: %w", err)
		}
		id, _ = res.LastInsertId()
		action = "feed.created"
	} else {
		res, err := tx.ExecContext(ctx, `UPDATE feeds SET name = ?, selection = ?, selection_value = ?, fields = ?, all_merchants = ?, updated_at = ?
			WHERE id = ? AND account_id = ?`, in.Name, in.Selection, in.SelectionValue, strings.Join(fields, ","), in.AllMerchants, now, id, supplierID)
		if err != nil {
			return Feed{}, fmt.Errorf("store: save feed: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return Feed{}, fmt.Errorf("store: save feed %d: %w", id, ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM feed_merchants WHERE feed_id = ?", id); err != nil {
			return Feed{}, fmt.Errorf("store: save feed: %w", err)
		}
	}
	if !in.AllMerchants {
		for _, m := range in.MerchantIDs {
			if _, err := tx.ExecContext(ctx, "INSERT INTO feed_merchants (feed_id, merchant_id) VALUES (?, ?) ON CONFLICT DO NOTHING", id, m); err != nil {
				return Feed{}, fmt.Errorf("store: save feed: %w", err)
			}
		}
	}
	if err := db.audit(ctx, tx, actor, supplierID, action, "feed", id, in.Name); err != nil {
		return Feed{}, fmt.Errorf("store: save feed: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Feed{}, fmt.Errorf("store: save feed: %w", err)
	}
	return db.Feed(ctx, supplierID, id)
}

// splitList splits a list typed one per line or comma-separated.
func splitList(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' || r == '\r' }) {
		if part = strings.TrimSpace(part); part != "" && !seen[part] {
			seen[part] = true
			out = append(out, part)
		}
	}
	return out
}

// RotateFeedToken gives a feed a new secret URL token, revoking the old one,
// and returns the token once.
func (db *DB) RotateFeedToken(ctx context.Context, actor Actor, supplierID, feedID int64) (string, error) {
	secret := "fd_" + randomToken(24)
	if err := db.setFeedToken(ctx, actor, supplierID, feedID, hashToken(secret), secret[:9], "feed.token_rotated"); err != nil {
		return "", err
	}
	return secret, nil
}

// RevokeFeedToken removes a feed's external URL.
func (db *DB) RevokeFeedToken(ctx context.Context, actor Actor, supplierID, feedID int64) error {
	return db.setFeedToken(ctx, actor, supplierID, feedID, nil, "", "feed.token_revoked")
}

func (db *DB) setFeedToken(ctx context.Context, actor Actor, supplierID, feedID int64, hash any, prefix, action string) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: feed token: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "UPDATE feeds SET token_hash = ?, token_prefix = ?, updated_at = ? WHERE id = ? AND account_id = ?", hash, prefix, db.now(), feedID, supplierID)
	if err != nil {
		return fmt.Errorf("store: feed token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: feed token %d: %w", feedID, ErrNotFound)
	}
	if err := db.audit(ctx, tx, actor, supplierID, action, "feed", feedID, ""); err != nil {
		return fmt.Errorf("store: feed token: %w", err)
	}
	return tx.Commit()
}

// FeedByToken returns the live feed a secret URL token opens, or ErrNotFound.
func (db *DB) FeedByToken(ctx context.Context, secret string) (Feed, error) {
	if !strings.HasPrefix(secret, "fd_") {
		return Feed{}, fmt.Errorf("store: feed token: %w", ErrNotFound)
	}
	f, err := scanFeed(db.rqRow(ctx, "SELECT "+feedColumns+" FROM feeds f WHERE f.token_hash = ? AND f.archived_at IS NULL"+
		// A disabled supplier's feed URLs stop answering, as its API tokens do.
		" AND NOT EXISTS (SELECT 1 FROM accounts x WHERE x.id = f.account_id AND x.disabled_at IS NOT NULL)", hashToken(secret)))
	if errors.Is(err, sql.ErrNoRows) {
		return Feed{}, fmt.Errorf("store: feed token: %w", ErrNotFound)
	}
	if err != nil {
		return Feed{}, fmt.Errorf("store: feed token: %w", err)
	}
	return f, nil
}

// feedSelection is the condition on products p that a feed publishes, or
// false when it publishes none.
func feedSelection(f Feed) (string, []any, bool) {
	where := "p.account_id = ? AND p.archived_at IS NULL AND p.active = 1"
	args := []any{f.AccountID}
	switch f.Selection {
	case SelectTag:
		where += " AND ('|' || lower(p.tags) || '|') LIKE ? ESCAPE '\\'"
		args = append(args, "%|"+escapeLike(strings.ToLower(f.SelectionValue))+"|%")
	case SelectSKUs:
		skus := splitList(f.SelectionValue)
		if len(skus) == 0 {
			return "", nil, false
		}
		where += " AND p.sku IN (SELECT value FROM json_each(?))"
		args = append(args, jsonStrings(skus))
	}
	return where, args, true
}

// FeedRows streams the products a feed publishes, with only its fields, in SKU order.
func (db *DB) FeedRows(ctx context.Context, f Feed, yield func(feedfile.Row) error) error {
	where, args, ok := feedSelection(f)
	if !ok {
		return nil
	}
	rows, err := db.rq(ctx, "SELECT "+productColumns+" FROM products p WHERE "+where+" ORDER BY p.sku", args...)
	if err != nil {
		return fmt.Errorf("store: feed %d rows: %w", f.ID, err)
	}
	defer rows.Close()
	line := 1
	for rows.Next() {
		p, err := scanProduct(rows)
		if err != nil {
			return fmt.Errorf("store: feed %d rows: %w", f.ID, err)
		}
		line++
		r := feedfile.Row{Line: line, SKU: p.SKU, Title: p.Title, Options: p.Options, GTIN: p.GTIN, MPN: p.MPN, URL: p.URL, Currency: p.Currency,
			GroupKey: p.GroupKey}
		if f.Has("price") {
			r.PriceCents, r.HasPrice = p.PriceCents, p.HasPrice
			r.SalePriceCents, r.HasSalePrice = p.SalePriceCents, p.HasSalePrice
		}
		if f.Has("cost") {
			r.CostCents, r.HasCost = p.CostCents, p.HasCost
		}
		if f.Has("quantity") {
			r.Quantity, r.HasQuantity = p.Quantity, true
		}
		if f.Has("lead_time") {
			r.LeadTimeDays, r.HasLeadTime = p.LeadTimeDays, true
		}
		if f.Has("description") {
			r.Description = p.Description
		}
		if f.Has("images") {
			r.ImageURL = p.ImageURL
		}
		if err := yield(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

func jsonStrings(ss []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q", s)
	}
	b.WriteByte(']')
	return b.String()
}

// LinkedFeed is a feed a merchant may subscribe to.
type LinkedFeed struct {
	Feed
	SupplierName string
}

// AvailableFeeds lists the feeds of the merchant's linked suppliers that it may pull.
func (db *DB) AvailableFeeds(ctx context.Context, merchantID int64) ([]LinkedFeed, error) {
	rows, err := db.rq(ctx, `SELECT `+feedColumns+`, a.name FROM feeds f
		JOIN vendor_links l ON l.supplier_id = f.account_id AND l.merchant_id = ? AND l.state IN ('active', 'paused')
		JOIN accounts a ON a.id = f.account_id
		WHERE f.archived_at IS NULL AND (f.all_merchants = 1 OR EXISTS (SELECT 1 FROM feed_merchants fm WHERE fm.feed_id = f.id AND fm.merchant_id = ?))
		ORDER BY a.name, f.name`, merchantID, merchantID)
	if err != nil {
		return nil, fmt.Errorf("store: feeds for %d: %w", merchantID, err)
	}
	defer rows.Close()
	var out []LinkedFeed
	for rows.Next() {
		var lf LinkedFeed
		var fields string
		f := &lf.Feed
		if err := rows.Scan(&f.ID, &f.AccountID, &f.Name, &f.Selection, &f.SelectionValue, &fields, &f.AllMerchants, &f.TokenPrefix, &f.Archived, &f.CreatedAt, &f.UpdatedAt, &lf.SupplierName); err != nil {
			return nil, fmt.Errorf("store: feeds for %d: %w", merchantID, err)
		}
		f.Fields = strings.Split(fields, ",")
		out = append(out, lf)
	}
	return out, rows.Err()
}
