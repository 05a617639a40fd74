package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// MaxLeadTimeDays bounds a product's lead time (a year).
const MaxLeadTimeDays = 365

// Product is a product in an account's catalog.
type Product struct {
	ID           int64
	AccountID    int64
	SKU          string
	Title        string
	Options      string
	GTIN         string
	MPN          string
	CostCents    int64
	HasCost      bool
	PriceCents   int64
	HasPrice     bool
	Currency     string
	Quantity     int
	LeadTimeDays int
	URL          string
	ImageURL     string
	Description  string
	Tags         []string
	Active       bool
	Archived     bool
	// GroupKey ties a product to the other variants of the same product in
	// the file it came from (Shopify handle, Magento configurable SKU, …);
	// the catalog lists a group together.
	GroupKey string
	// SalePriceCents is a reduced price given beside the price.
	SalePriceCents int64
	HasSalePrice   bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// PendingMerchants are subscribers that have not pulled since the last change (Needs sync).
	PendingMerchants []string
}

// ProductInput is what a user sets on a product.
type ProductInput struct {
	SKU          string
	Title        string
	Options      string
	GTIN         string
	MPN          string
	CostCents    int64
	HasCost      bool
	PriceCents   int64
	HasPrice     bool
	Quantity     int
	LeadTimeDays int
	URL          string
	ImageURL     string
	Description  string
	Tags         []string
	Active       bool
	// GroupKey and the sale price come from imported files; the product
	// form leaves them as they are.
	GroupKey       string
	SalePriceCents int64
	HasSalePrice   bool
}

const productColumns = `p.id, p.account_id, p.sku, p.title, p.options, p.gtin, p.mpn, p.cost_cents, p.price_cents, p.currency,
	p.quantity, p.lead_time_days, p.url, p.image_url, p.description, p.tags, p.active, p.archived_at IS NOT NULL, p.group_key, p.sale_price_cents,
	p.created_at, p.updated_at`

// productOrder lists a group's variants together, where its first SKU
// would be, by the products_grouped index.
const productOrder = "CASE WHEN p.group_key = '' THEN p.sku ELSE p.group_key END, p.sku"

func scanProduct(row interface{ Scan(...any) error }) (Product, error) {
	var p Product
	var cost, price, sale sql.NullInt64
	var tags string
	err := row.Scan(&p.ID, &p.AccountID, &p.SKU, &p.Title, &p.Options, &p.GTIN, &p.MPN, &cost, &price, &p.Currency,
		&p.Quantity, &p.LeadTimeDays, &p.URL, &p.ImageURL, &p.Description, &tags, &p.Active, &p.Archived, &p.GroupKey, &sale,
		&p.CreatedAt, &p.UpdatedAt)
	p.CostCents, p.HasCost = cost.Int64, cost.Valid
	p.PriceCents, p.HasPrice = price.Int64, price.Valid
	p.SalePriceCents, p.HasSalePrice = sale.Int64, sale.Valid
	p.Tags = splitTags(tags)
	return p, err
}

func splitTags(s string) []string {
	var out []string
	for _, t := range strings.Split(s, "|") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func joinTags(tags []string) string {
	var clean []string
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.TrimSpace(strings.ReplaceAll(t, "|", " "))
		if t != "" && !seen[strings.ToLower(t)] {
			seen[strings.ToLower(t)] = true
			clean = append(clean, t)
		}
	}
	return strings.Join(clean, "|")
}

func nullMoney(v int64, ok bool) any {
	if !ok {
		return nil
	}
	return v
}

func checkWebURL(c checks, field, raw string) {
	if raw == "" {
		return
	}
	u, err := url.Parse(raw)
	c.check(err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "", field, "Enter an http:// or https:// address.")
	c.check(len(raw) <= 2048, field, "Use at most 2048 characters.")
}

// Validate checks a product input by the catalog's rules, trimming its text fields.
func (in *ProductInput) Validate() error {
	in.SKU = strings.TrimSpace(in.SKU)
	in.Title = strings.TrimSpace(in.Title)
	in.GTIN = strings.TrimSpace(in.GTIN)
	in.MPN = strings.TrimSpace(in.MPN)
	in.URL = strings.TrimSpace(in.URL)
	in.ImageURL = strings.TrimSpace(in.ImageURL)
	c := checks{}
	c.check(in.SKU != "", "sku", "Enter the SKU.")
	c.check(len(in.SKU) <= 100, "sku", "Use at most 100 characters.")
	c.check(!strings.ContainsAny(in.SKU, "\r\n\t"), "sku", "Leave line breaks and tabs out of the SKU.")
	c.check(len(in.Title) <= 500, "title", "Use at most 500 characters.")
	c.check(len(in.GTIN) <= 20 && digitsOnly(in.GTIN), "gtin", "A GTIN/UPC/EAN is up to 14 digits.")
	c.check(len(in.MPN) <= 100, "mpn", "Use at most 100 characters.")
	c.check(in.Quantity >= 0, "quantity", "Quantity cannot be negative.")
	c.check(in.LeadTimeDays >= 0 && in.LeadTimeDays <= MaxLeadTimeDays, "lead_time_days", fmt.Sprintf("Use 0 to %d days.", MaxLeadTimeDays))
	c.check(!in.HasCost || in.CostCents >= 0, "cost", "Cost cannot be negative.")
	c.check(!in.HasPrice || in.PriceCents >= 0, "price", "Price cannot be negative.")
	c.check(!in.HasSalePrice || in.SalePriceCents >= 0, "sale_price", "A sale price cannot be negative.")
	checkWebURL(c, "url", in.URL)
	checkWebURL(c, "image_url", in.ImageURL)
	c.check(len(in.Description) <= 20000, "description", "Use at most 20,000 characters.")
	return c.err()
}

func digitsOnly(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ProductFilter selects products for the catalog list.
type ProductFilter struct {
	Query     string // SKU, title, GTIN or MPN contains
	Status    string // "active" (default), "archived" or "all"
	NeedsSync bool   // changed since a subscribed merchant last pulled
	Page      int    // 1-based
	PerPage   int
}

// ProductPage is one page of the catalog list.
type ProductPage struct {
	Products []Product
	Total    int
	Page     int
	PerPage  int
}

// needsSyncCond is true for products changed since the oldest successful
// pull of any subscription to this supplier's feeds (or never pulled).
const needsSyncCond = `EXISTS (SELECT 1 FROM subscriptions s WHERE s.supplier_id = p.account_id AND s.paused = 0
	AND (s.last_success_at IS NULL OR s.last_success_at < p.updated_at))`

// Products lists the acting account's products.
func (db *DB) Products(ctx context.Context, accountID int64, f ProductFilter) (ProductPage, error) {
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 50
	}
	if f.Page < 1 {
		f.Page = 1
	}
	where := []string{"p.account_id = ?"}
	args := []any{accountID}
	switch f.Status {
	case "archived":
		where = append(where, "p.archived_at IS NOT NULL")
	case "all":
	default:
		where = append(where, "p.archived_at IS NULL")
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + escapeLike(q) + "%"
		where = append(where, `(p.sku LIKE ? ESCAPE '\' OR p.title LIKE ? ESCAPE '\' OR p.gtin = ? OR p.mpn = ?)`)
		args = append(args, like, like, q, q)
	}
	if f.NeedsSync {
		where = append(where, needsSyncCond)
	}
	cond := strings.Join(where, " AND ")
	page := ProductPage{Page: f.Page, PerPage: f.PerPage}
	if err := db.rqRow(ctx, "SELECT count(*) FROM products p WHERE "+cond, args...).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("store: products of %d: %w", accountID, err)
	}
	rows, err := db.rq(ctx, "SELECT "+productColumns+" FROM products p WHERE "+cond+" ORDER BY "+productOrder+" LIMIT ? OFFSET ?",
		append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	if err != nil {
		return page, fmt.Errorf("store: products of %d: %w", accountID, err)
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanProduct(rows)
		if err != nil {
			return page, fmt.Errorf("store: products of %d: %w", accountID, err)
		}
		page.Products = append(page.Products, p)
	}
	if err := rows.Err(); err != nil {
		return page, err
	}
	if f.NeedsSync {
		for i := range page.Products {
			if page.Products[i].PendingMerchants, err = db.pendingMerchants(ctx, page.Products[i]); err != nil {
				return page, err
			}
		}
	}
	return page, nil
}

func (db *DB) pendingMerchants(ctx context.Context, p Product) ([]string, error) {
	rows, err := db.rq(ctx, `SELECT DISTINCT a.name FROM subscriptions s JOIN accounts a ON a.id = s.account_id
		WHERE s.supplier_id = ? AND s.paused = 0 AND (s.last_success_at IS NULL OR s.last_success_at < ?) ORDER BY a.name`, p.AccountID, p.UpdatedAt)
	if err != nil {
		return nil, fmt.Errorf("store: pending merchants: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Product returns one of the acting account's products.
func (db *DB) Product(ctx context.Context, accountID, id int64) (Product, error) {
	p, err := scanProduct(db.rqRow(ctx, "SELECT "+productColumns+" FROM products p WHERE p.id = ? AND p.account_id = ?", id, accountID))
	if errors.Is(err, sql.ErrNoRows) {
		return Product{}, fmt.Errorf("store: product %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Product{}, fmt.Errorf("store: product %d: %w", id, err)
	}
	return p, nil
}

// ProductBySKU is the account's catalog product with that SKU: what a line
// typed with the SKU is filled from.
func (db *DB) ProductBySKU(ctx context.Context, accountID int64, sku string) (Product, error) {
	p, err := scanProduct(db.rqRow(ctx, "SELECT "+productColumns+" FROM products p WHERE p.account_id = ? AND p.sku = ?", accountID, sku))
	if errors.Is(err, sql.ErrNoRows) {
		return Product{}, fmt.Errorf("store: product %q: %w", sku, ErrNotFound)
	}
	if err != nil {
		return Product{}, fmt.Errorf("store: product %q: %w", sku, err)
	}
	return p, nil
}

// SaveProduct creates (id 0) or updates one of the acting account's products.
func (db *DB) SaveProduct(ctx context.Context, actor Actor, accountID, id int64, in ProductInput) (Product, error) {
	if err := in.Validate(); err != nil {
		return Product{}, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return Product{}, fmt.Errorf("store: save product: %w", err)
	}
	defer tx.Rollback()
	if err := accountExists(ctx, tx, accountID); err != nil {
		return Product{}, fmt.Errorf("store: save product: %w", err)
	}
	var clash int64
	err = tx.QueryRowContext(ctx, "SELECT id FROM products WHERE account_id = ? AND sku = ? AND id <> ?", accountID, in.SKU, id).Scan(&clash)
	if err == nil {
		return Product{}, FieldError("sku", "Another product already has the SKU "+in.SKU+".")
	} else if !errors.Is(err, sql.ErrNoRows) {
		return Product{}, fmt.Errorf("store: save product: %w", err)
	}
	now := db.now()
	args := []any{in.SKU, in.Title, in.Options, in.GTIN, in.MPN, nullMoney(in.CostCents, in.HasCost), nullMoney(in.PriceCents, in.HasPrice),
		in.Quantity, in.LeadTimeDays, in.URL, in.ImageURL, in.Description, joinTags(in.Tags), in.Active, now}
	action := "product.updated"
	if id == 0 {
		// A new product's prices are in its account's currency.
		res, err := execInsert(ctx, tx, `INSERT INTO products (sku, title, options, gtin, mpn, cost_cents, price_cents, quantity, lead_time_days,
			url, image_url, description, tags, active, updated_at, account_id, created_at, currency)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT a.currency FROM accounts a WHERE a.id = ?))`,
			append(args, accountID, now, accountID)...)
		if err != nil {
			return Product{}, fmt.Errorf("store: save product: %w", err)
		}
		id, _ = res.LastInsertId()
		action = "product.created"
	} else {
		res, err := tx.ExecContext(ctx, `UPDATE products SET sku = ?, title = ?, options = ?, gtin = ?, mpn = ?, cost_cents = ?, price_cents = ?,
			quantity = ?, lead_time_days = ?, url = ?, image_url = ?, description = ?, tags = ?, active = ?, updated_at = ?
			WHERE id = ? AND account_id = ?`, append(args, id, accountID)...)
		if err != nil {
			return Product{}, fmt.Errorf("store: save product: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return Product{}, fmt.Errorf("store: save product %d: %w", id, ErrNotFound)
		}
	}
	if err := db.audit(ctx, tx, actor, accountID, action, "product", id, in.SKU); err != nil {
		return Product{}, fmt.Errorf("store: save product: %w", err)
	}
	p, err := scanProduct(tx.QueryRowContext(ctx, "SELECT "+productColumns+" FROM products p WHERE p.id = ?", id))
	if err != nil {
		return Product{}, fmt.Errorf("store: save product: %w", err)
	}
	return p, tx.Commit()
}

// ArchiveProduct archives (or restores) one of the acting account's products.
// Archived products leave feeds; their history stays.
func (db *DB) ArchiveProduct(ctx context.Context, actor Actor, accountID, id int64, archive bool) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: archive product: %w", err)
	}
	defer tx.Rollback()
	var value any
	action := "product.restored"
	if archive {
		value, action = db.now(), "product.archived"
	}
	res, err := tx.ExecContext(ctx, "UPDATE products SET archived_at = ?, updated_at = ? WHERE id = ? AND account_id = ? AND (CASE WHEN archived_at IS NULL THEN 1 ELSE 0 END) = ?",
		value, db.now(), id, accountID, archive)
	if err != nil {
		return fmt.Errorf("store: archive product: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := scanProduct(tx.QueryRowContext(ctx, "SELECT "+productColumns+" FROM products p WHERE p.id = ? AND p.account_id = ?", id, accountID)); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: archive product %d: %w", id, ErrNotFound)
		}
		return nil // already in that state
	}
	if err := db.audit(ctx, tx, actor, accountID, action, "product", id, ""); err != nil {
		return fmt.Errorf("store: archive product: %w", err)
	}
	return tx.Commit()
}
