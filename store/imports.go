package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dropline/dropline/store/feedfile"
)

// Import kinds.
const (
	ImportCatalog   = "catalog"   // create and update products
	ImportInventory = "inventory" // update quantity (and cost) of existing SKUs
)

// MaxUploadBytes caps an uploaded CSV.
const MaxUploadBytes = 50 << 20

// uploadLifetime is how long an uploaded file waits for its preview to be applied.
const uploadLifetime = time.Hour

// ImportChange is one row's effect in an import preview.
type ImportChange struct {
	Line    int
	SKU     string
	Action  string   // "create", "update" or "unchanged"
	Changes []string // e.g. `quantity 4 → 10`
}

// ImportPlan is what applying an uploaded file would do.
type ImportPlan struct {
	Kind      string
	Format    string
	Rows      int
	Create    int
	Update    int
	Unchanged int
	Changes   []ImportChange // the first maxPlanChanges creates and updates
	Errors    []RunError     // row errors, the first maxStoredRowErrors
	ErrorRows int            // rows that will be skipped
	ErrorsAll int            // all row errors counted
	// Summary accounts for what the file held: columns ignored, fields
	// empty, quantities filled in, SKUs built, rows that are not products.
	Summary feedfile.Summary
	// Currency is the account's: prices in another are left empty.
	Currency string
}

// Loses lists the fields every row of the file would lose (title,
// quantity): applying such a file needs ImportOptions.Acknowledged.
//
// Only new products can lose anything: an existing product keeps its title
// and quantity when the file has none, so a file that creates nothing (an
// inventory update, say) needs no acknowledgement.
func (p ImportPlan) Loses() []feedfile.EmptyField {
	if p.Create == 0 {
		return nil
	}
	return p.Summary.Loses()
}

// ImportOptions say how to read an uploaded catalog file; the preview and
// the apply must be given the same ones.
type ImportOptions struct {
	// Mapping says which column holds each Dropline field, for a file whose
	// format is not recognised; nil detects the format.
	Mapping map[string]string
	// InStockQuantity is the quantity of a row that says "in stock"
	// without a number.
	InStockQuantity int
	// BuildSKUs gives Shopify variants without a Variant SKU one built from
	// the handle and options.
	BuildSKUs bool
	// Acknowledged says the user saw that every row would lose its title or
	// quantity, and wants the file applied anyway.
	Acknowledged bool
}

// DefaultImportOptions are an upload's options until the user changes them.
func DefaultImportOptions() ImportOptions {
	return ImportOptions{InStockQuantity: feedfile.DefaultInStockQuantity, BuildSKUs: true}
}

// ErrNotAcknowledged: the file would lose every row's title or quantity and
// the user has not said to go ahead.
var ErrNotAcknowledged = errors.New("store: the import would lose every row's title or quantity; acknowledge it first")

const maxPlanChanges = 500

// SaveUpload keeps an uploaded file for its preview to be applied, and returns its token.
func (db *DB) SaveUpload(ctx context.Context, accountID int64, kind, filename string, body []byte) (string, error) {
	token := randomToken(24)
	now := db.now()
	if _, err := db.write.ExecContext(ctx, "DELETE FROM uploads WHERE expires_at < ?", now); err != nil {
		return "", fmt.Errorf("store: save upload: %w", err)
	}
	if _, err := db.write.ExecContext(ctx, "INSERT INTO uploads (token_hash, account_id, kind, filename, body, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		hashToken(token), accountID, kind, filename, body, now, now.Add(uploadLifetime)); err != nil {
		return "", fmt.Errorf("store: save upload: %w", err)
	}
	return token, nil
}

// Upload returns an uploaded file of the acting account by its token.
func (db *DB) Upload(ctx context.Context, accountID int64, token string) (kind, filename string, body []byte, err error) {
	err = db.rqRow(ctx, "SELECT kind, filename, body FROM uploads WHERE token_hash = ? AND account_id = ? AND expires_at > ?",
		hashToken(token), accountID, db.now()).Scan(&kind, &filename, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil, fmt.Errorf("store: upload: %w", ErrNotFound)
	}
	if err != nil {
		return "", "", nil, fmt.Errorf("store: upload: %w", err)
	}
	return kind, filename, body, nil
}

// importRow is a parsed row with what the product has now, and the product
// it would make.
type importRow struct {
	row      feedfile.Row
	existing *Product
	in       ProductInput
	changes  []string
	invalid  bool // skipped: the product would break the catalog's rules
}

// walkImport parses body and calls fn for each usable row with the existing
// product of that SKU, collecting row errors into plan.
//
// It follows the reader's rule: a row is skipped only for a problem with its
// SKU or shape; a bad optional field (a GTIN, a price in another currency, a
// web address) is reported on its row and left as it was, the rest of the
// row imported. Feed pulls follow the same rule.
func (db *DB) walkImport(ctx context.Context, q querier, accountID int64, kind string, body []byte, opt ImportOptions, plan *ImportPlan, fn func(importRow) error) error {
	fr, err := feedfile.NewReader(bytes.NewReader(body), feedfile.Options{Mapping: feedfile.Mapping(opt.Mapping),
		InStockQuantity: opt.InStockQuantity, BuildSKUs: opt.BuildSKUs})
	if err != nil {
		return err
	}
	plan.Kind, plan.Format = kind, string(fr.Format())
	if kind == ImportInventory {
		hasQty := opt.Mapping["quantity"] != ""
		for _, h := range fr.Header() {
			hasQty = hasQty || strings.EqualFold(strings.TrimSpace(h), "quantity")
		}
		if !hasQty {
			return &feedfile.FileError{Line: 1, Message: "An inventory update needs a quantity column (sku, quantity and optionally cost)."}
		}
	}
	if err := q.QueryRowContext(ctx, "SELECT currency FROM accounts WHERE id = ?", accountID).Scan(&plan.Currency); err != nil {
		return err
	}
	addErr := func(e RunError) {
		plan.ErrorsAll++
		if len(plan.Errors) < maxStoredRowErrors {
			plan.Errors = append(plan.Errors, e)
		}
	}
	// Rows are taken in batches, so that one query finds the products a
	// batch's SKUs already have, not one query per row.
	type pending struct {
		row  feedfile.Row
		errs []feedfile.RowError
	}
	var batch []pending
	skus := make([]string, 0, importBatch)
	flush := func() error {
		existing, err := productsBySKU(ctx, q, accountID, skus)
		if err != nil {
			return err
		}
		for _, pr := range batch {
			row := pr.row
			for _, e := range pr.errs {
				addErr(RunError{Line: e.Line, Column: e.Column, Message: e.Message, Skipped: e.Skipped})
			}
			if row.Usable() {
				for _, e := range checkRow(&row, plan.Currency) {
					addErr(e)
				}
			}
			if !row.Usable() {
				plan.ErrorRows++
				continue
			}
			r := importRow{row: row, existing: existing[row.SKU]}
			if kind == ImportInventory {
				if r.existing == nil {
					addErr(RunError{Line: row.Line, Column: "sku", Message: fmt.Sprintf("No product has the SKU %q.", row.SKU), Skipped: true})
					plan.ErrorRows++
					continue
				}
				if !row.HasQuantity {
					addErr(RunError{Line: row.Line, Column: "quantity", Message: "Enter the quantity.", Skipped: true})
					plan.ErrorRows++
					continue
				}
			}
			r.in, r.changes = merged(kind, r)
			for _, e := range keepValid(&r) {
				addErr(e)
			}
			if r.invalid {
				plan.ErrorRows++
				continue
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		batch, skus = batch[:0], skus[:0]
		return nil
	}
	for {
		row, errs, err := fr.Next()
		if err == io.EOF {
			if err := flush(); err != nil {
				return err
			}
			plan.Summary = fr.Summary()
			return nil
		}
		if err != nil {
			return err
		}
		plan.Rows++
		batch = append(batch, pending{row, errs})
		if row.Usable() {
			skus = append(skus, row.SKU)
		}
		if len(skus) == importBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
}

// importBatch is how many rows' products one query looks up.
const importBatch = 500

// productsBySKU returns the account's products with the given SKUs.
func productsBySKU(ctx context.Context, q querier, accountID int64, skus []string) (map[string]*Product, error) {
	out := make(map[string]*Product, len(skus))
	if len(skus) == 0 {
		return out, nil
	}
	set, err := json.Marshal(skus)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, "SELECT "+productColumns+" FROM products p WHERE p.account_id = ? AND p.sku IN (SELECT value FROM json_each(?))", accountID, string(set))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanProduct(rows)
		if err != nil {
			return nil, err
		}
		out[p.SKU] = &p
	}
	return out, rows.Err()
}

// checkRow holds a usable row to the catalog's rules, the same on Products →
// Import and on feed pulls. A SKU the catalog cannot hold (too long, with
// line breaks or tabs) skips the row: the row's SKU is cleared and the error
// says so. A title too long is cut to fit; a bad web address, GTIN, MPN,
// options or description too long is left out (the product keeps what it
// had). currency is the account's ("" checks no currency).
func checkRow(row *feedfile.Row, currency string) []RunError {
	var out []RunError
	in := ProductInput{SKU: row.SKU, Title: row.Title, Options: row.Options, GTIN: row.GTIN, MPN: row.MPN, URL: row.URL, ImageURL: row.ImageURL,
		Description: row.Description, Quantity: row.Quantity, LeadTimeDays: row.LeadTimeDays}
	if err := in.Validate(); err != nil {
		var ve *ValidationError
		if !errors.As(err, &ve) {
			return []RunError{{Line: row.Line, Message: err.Error(), Skipped: true}}
		}
		fields := make([]string, 0, len(ve.Fields))
		for f := range ve.Fields {
			fields = append(fields, f)
		}
		slices.Sort(fields)
		for _, f := range fields {
			msg := ve.Fields[f]
			switch f {
			case "sku":
				out = append(out, RunError{Line: row.Line, Column: f, Message: fmt.Sprintf("SKU %q: %s", shorten(row.SKU), msg), Skipped: true})
				row.SKU = ""
				continue
			case "title":
				row.Title = cutRunes(row.Title, maxTitle)
				out = append(out, RunError{Line: row.Line, Column: f, Message: fmt.Sprintf("the title is longer than %d characters: it was cut to fit", maxTitle)})
				continue
			case "url":
				row.URL = ""
			case "image_url":
				row.ImageURL = ""
			case "gtin":
				row.GTIN = ""
			case "mpn":
				row.MPN = ""
			case "options":
				row.Options = ""
			case "description":
				row.Description = ""
			case "lead_time_days":
				row.HasLeadTime, row.LeadTimeDays = false, 0
			default:
				continue
			}
			out = append(out, RunError{Line: row.Line, Column: f, Message: msg + " The file's value was not imported."})
		}
	}
	if row.SKU == "" {
		for i := range out {
			out[i].Skipped = true
		}
		return out
	}
	if currency != "" {
		if msg := foreignCurrency(row, currency); msg != "" {
			out = append(out, RunError{Line: row.Line, Column: "price", Message: msg})
		}
	}
	return out
}

// maxTitle is the longest title the catalog keeps, in bytes (Validate's rule).
const maxTitle = 500

// cutRunes cuts s to at most n bytes without splitting a character.
func cutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// shorten shows a long value in a message.
func shorten(s string) string {
	if len(s) > 40 {
		return cutRunes(s, 40) + "…"
	}
	return s
}

// foreignCurrency leaves a row's money empty when the file gives it in
// another currency than the account's: Dropline does not convert.
func foreignCurrency(row *feedfile.Row, currency string) string {
	if row.Currency == "" || row.Currency == currency || !(row.HasPrice || row.HasCost || row.HasSalePrice) {
		return ""
	}
	msg := fmt.Sprintf("prices are in %s but the account's catalog is in %s: the price, sale price and cost were left empty (Dropline does not convert currencies)", row.Currency, currency)
	row.HasPrice, row.HasCost, row.HasSalePrice = false, false, false
	row.PriceCents, row.CostCents, row.SalePriceCents = 0, 0, 0
	row.Currency = "" // what is left is in the account's currency
	return msg
}

// keepValid checks the merged product by the catalog's rules. checkRow has
// already held the row to them and the product was valid, so this refuses
// nothing a user can send; should it ever, the row is skipped, not half
// imported.
func keepValid(r *importRow) []RunError {
	if err := r.in.Validate(); err != nil {
		r.invalid = true
		return []RunError{{Line: r.row.Line, Message: err.Error(), Skipped: true}}
	}
	return nil
}

// merged returns the product input after applying a row, and what changed.
func merged(kind string, r importRow) (ProductInput, []string) {
	in := ProductInput{Active: true, LeadTimeDays: 1}
	if e := r.existing; e != nil {
		in = ProductInput{SKU: e.SKU, Title: e.Title, Options: e.Options, GTIN: e.GTIN, MPN: e.MPN, CostCents: e.CostCents, HasCost: e.HasCost,
			PriceCents: e.PriceCents, HasPrice: e.HasPrice, Quantity: e.Quantity, LeadTimeDays: e.LeadTimeDays, URL: e.URL, ImageURL: e.ImageURL,
			Description: e.Description, Tags: e.Tags, Active: e.Active, GroupKey: e.GroupKey, SalePriceCents: e.SalePriceCents, HasSalePrice: e.HasSalePrice}
	}
	row := r.row
	var changes []string
	setS := func(name string, dst *string, v string) {
		if v != "" && *dst != v {
			if r.existing != nil {
				changes = append(changes, fmt.Sprintf("%s %q → %q", name, *dst, v))
			}
			*dst = v
		}
	}
	in.SKU = row.SKU
	if row.HasQuantity && in.Quantity != row.Quantity {
		changes = append(changes, fmt.Sprintf("quantity %d → %d", in.Quantity, row.Quantity))
		in.Quantity = row.Quantity
	}
	if row.HasCost && (!in.HasCost || in.CostCents != row.CostCents) {
		changes = append(changes, fmt.Sprintf("cost %s → %s", money(in.CostCents, in.HasCost), FormatMoney(row.CostCents)))
		in.CostCents, in.HasCost = row.CostCents, true
	}
	if kind == ImportInventory {
		return in, changes
	}
	setS("title", &in.Title, row.Title)
	setS("options", &in.Options, row.Options)
	setS("GTIN", &in.GTIN, row.GTIN)
	setS("MPN", &in.MPN, row.MPN)
	setS("URL", &in.URL, row.URL)
	setS("image", &in.ImageURL, row.ImageURL)
	setS("description", &in.Description, row.Description)
	if row.HasPrice && (!in.HasPrice || in.PriceCents != row.PriceCents) {
		changes = append(changes, fmt.Sprintf("price %s → %s", money(in.PriceCents, in.HasPrice), FormatMoney(row.PriceCents)))
		in.PriceCents, in.HasPrice = row.PriceCents, true
	}
	if row.HasLeadTime && in.LeadTimeDays != row.LeadTimeDays {
		changes = append(changes, fmt.Sprintf("lead time %d → %d days", in.LeadTimeDays, row.LeadTimeDays))
		in.LeadTimeDays = row.LeadTimeDays
	}
	if row.HasActive && in.Active != row.Active {
		changes = append(changes, fmt.Sprintf("active %v → %v", in.Active, row.Active))
		in.Active = row.Active
	}
	switch {
	case row.HasSalePrice && (!in.HasSalePrice || in.SalePriceCents != row.SalePriceCents):
		changes = append(changes, fmt.Sprintf("sale price %s → %s", money(in.SalePriceCents, in.HasSalePrice), FormatMoney(row.SalePriceCents)))
		in.SalePriceCents, in.HasSalePrice = row.SalePriceCents, true
	case !row.HasSalePrice && row.SaleColumn && in.HasSalePrice:
		// The sale is over: the file's sale price column is empty.
		changes = append(changes, fmt.Sprintf("sale price %s → none", FormatMoney(in.SalePriceCents)))
		in.SalePriceCents, in.HasSalePrice = 0, false
	}
	setS("group", &in.GroupKey, row.GroupKey)
	if len(row.Tags) > 0 && joinTags(row.Tags) != joinTags(in.Tags) {
		changes = append(changes, "tags")
		in.Tags = row.Tags
	}
	return in, changes
}

func money(cents int64, ok bool) string {
	if !ok {
		return "none"
	}
	return FormatMoney(cents)
}

// PreviewImport says what applying an uploaded file would do, changing nothing.
func (db *DB) PreviewImport(ctx context.Context, accountID int64, kind string, body []byte, opt ImportOptions) (ImportPlan, error) {
	var plan ImportPlan
	err := db.walkImport(ctx, db.read, accountID, kind, body, opt, &plan, func(r importRow) error {
		ch := ImportChange{Line: r.row.Line, SKU: r.row.SKU, Changes: r.changes}
		switch {
		case r.existing == nil:
			ch.Action, ch.Changes = "create", []string{"new product: " + r.in.Title}
			if r.row.BuiltSKU {
				ch.Changes[0] += " (SKU built from the handle and options)"
			}
			plan.Create++
		case len(r.changes) > 0:
			ch.Action = "update"
			plan.Update++
		default:
			plan.Unchanged++
			return nil
		}
		if len(plan.Changes) < maxPlanChanges {
			plan.Changes = append(plan.Changes, ch)
		}
		return nil
	})
	if err != nil {
		return plan, fmt.Errorf("store: preview import: %w", err)
	}
	return plan, nil
}

// ApplyImport applies an uploaded file's usable rows in one transaction;
// rows with errors are skipped, as the preview showed. A file that would
// lose every row's title or quantity is refused (ErrNotAcknowledged)
// unless opt.Acknowledged.
func (db *DB) ApplyImport(ctx context.Context, actor Actor, accountID int64, kind string, body []byte, opt ImportOptions) (ImportPlan, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return ImportPlan{}, fmt.Errorf("store: apply import: %w", err)
	}
	defer tx.Rollback()
	plan, err := db.applyImport(ctx, tx, actor, accountID, kind, body, opt)
	if err != nil {
		return plan, err
	}
	return plan, tx.Commit()
}

// applyImport is ApplyImport in the caller's transaction.
func (db *DB) applyImport(ctx context.Context, tx dbtx, actor Actor, accountID int64, kind string, body []byte, opt ImportOptions) (ImportPlan, error) {
	var plan ImportPlan
	now := db.now()
	err := db.walkImport(ctx, tx, accountID, kind, body, opt, &plan, func(r importRow) error {
		in := r.in
		args := []any{in.SKU, in.Title, in.Options, in.GTIN, in.MPN, nullMoney(in.CostCents, in.HasCost), nullMoney(in.PriceCents, in.HasPrice),
			in.Quantity, in.LeadTimeDays, in.URL, in.ImageURL, in.Description, joinTags(in.Tags), in.Active, in.GroupKey,
			nullMoney(in.SalePriceCents, in.HasSalePrice), now}
		switch {
		case r.existing == nil:
			plan.Create++
			_, err := tx.ExecContext(ctx, `INSERT INTO products (sku, title, options, gtin, mpn, cost_cents, price_cents, quantity, lead_time_days,
				url, image_url, description, tags, active, group_key, sale_price_cents, updated_at, account_id, created_at, currency)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				append(args, accountID, now, plan.Currency)...)
			return err
		case len(r.changes) > 0:
			plan.Update++
			// Prices the file sets are in the account's currency.
			cur := r.existing.Currency
			if r.row.HasPrice || r.row.HasCost || r.row.HasSalePrice {
				cur = plan.Currency
			}
			_, err := tx.ExecContext(ctx, `UPDATE products SET sku = ?, title = ?, options = ?, gtin = ?, mpn = ?, cost_cents = ?, price_cents = ?,
				quantity = ?, lead_time_days = ?, url = ?, image_url = ?, description = ?, tags = ?, active = ?, group_key = ?, sale_price_cents = ?,
				updated_at = ?, currency = ? WHERE id = ?`,
				append(args, cur, r.existing.ID)...)
			return err
		}
		plan.Unchanged++
		return nil
	})
	if err != nil {
		return plan, fmt.Errorf("store: apply import: %w", err)
	}
	if len(plan.Loses()) > 0 && !opt.Acknowledged {
		return plan, ErrNotAcknowledged
	}
	detail := fmt.Sprintf("%s import: %d created, %d updated, %d unchanged, %d rows skipped", kind, plan.Create, plan.Update, plan.Unchanged, plan.ErrorRows)
	if err := db.audit(ctx, tx, actor, accountID, "products.imported", "account", accountID, detail); err != nil {
		return plan, fmt.Errorf("store: apply import: %w", err)
	}
	return plan, nil
}

// DeleteUpload forgets an uploaded file once applied.
func (db *DB) DeleteUpload(ctx context.Context, accountID int64, token string) error {
	_, err := db.write.ExecContext(ctx, "DELETE FROM uploads WHERE token_hash = ? AND account_id = ?", hashToken(token), accountID)
	return err
}
