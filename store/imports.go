package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

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
}

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

// importRow is a parsed row with what the product has now.
type importRow struct {
	row      feedfile.Row
	existing *Product
}

// walkImport parses body and calls fn for each usable row with the existing
// product of that SKU, collecting row errors into plan.
func (db *DB) walkImport(ctx context.Context, q querier, accountID int64, kind string, body []byte, plan *ImportPlan, fn func(importRow) error) error {
	fr, err := feedfile.NewReader(bytes.NewReader(body), feedfile.Options{})
	if err != nil {
		return err
	}
	plan.Kind, plan.Format = kind, string(fr.Format())
	if kind == ImportInventory {
		hasQty := false
		for _, h := range fr.Header() {
			hasQty = hasQty || strings.EqualFold(strings.TrimSpace(h), "quantity")
		}
		if !hasQty {
			return &feedfile.FileError{Line: 1, Message: "An inventory update needs a quantity column (sku, quantity and optionally cost)."}
		}
	}
	for {
		row, errs, err := fr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		plan.Rows++
		addErr := func(e RunError) {
			plan.ErrorsAll++
			if len(plan.Errors) < maxStoredRowErrors {
				plan.Errors = append(plan.Errors, e)
			}
		}
		for _, e := range errs {
			addErr(RunError{Line: e.Line, Column: e.Column, Message: e.Message})
		}
		// A row with any problem is skipped whole: half a row is not what the user meant.
		if !row.Usable() || len(errs) > 0 {
			plan.ErrorRows++
			continue
		}
		var existing *Product
		p, err := scanProduct(q.QueryRowContext(ctx, "SELECT "+productColumns+" FROM products p WHERE p.account_id = ? AND p.sku = ?", accountID, row.SKU))
		switch {
		case err == nil:
			existing = &p
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if kind == ImportInventory {
			if existing == nil {
				addErr(RunError{Line: row.Line, Column: "sku", Message: fmt.Sprintf("No product has the SKU %q.", row.SKU)})
				plan.ErrorRows++
				continue
			}
			if !row.HasQuantity {
				addErr(RunError{Line: row.Line, Column: "quantity", Message: "Enter the quantity."})
				plan.ErrorRows++
				continue
			}
		}
		if err := fn(importRow{row: row, existing: existing}); err != nil {
			return err
		}
	}
}

// merged returns the product input after applying a row, and what changed.
func merged(kind string, r importRow) (ProductInput, []string) {
	in := ProductInput{Active: true, LeadTimeDays: 1}
	if e := r.existing; e != nil {
		in = ProductInput{SKU: e.SKU, Title: e.Title, Options: e.Options, GTIN: e.GTIN, MPN: e.MPN, CostCents: e.CostCents, HasCost: e.HasCost,
			PriceCents: e.PriceCents, HasPrice: e.HasPrice, Quantity: e.Quantity, LeadTimeDays: e.LeadTimeDays, URL: e.URL, ImageURL: e.ImageURL,
			Description: e.Description, Tags: e.Tags, Active: e.Active}
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
func (db *DB) PreviewImport(ctx context.Context, accountID int64, kind string, body []byte) (ImportPlan, error) {
	var plan ImportPlan
	err := db.walkImport(ctx, db.read, accountID, kind, body, &plan, func(r importRow) error {
		in, changes := merged(kind, r)
		if err := in.Validate(); err != nil {
			plan.ErrorRows++
			var ve *ValidationError
			errors.As(err, &ve)
			for col, msg := range ve.Fields {
				plan.ErrorsAll++
				plan.Errors = append(plan.Errors, RunError{Line: r.row.Line, Column: col, Message: msg})
			}
			return nil
		}
		ch := ImportChange{Line: r.row.Line, SKU: r.row.SKU, Changes: changes}
		switch {
		case r.existing == nil:
			ch.Action, ch.Changes = "create", []string{"new product: " + in.Title}
			plan.Create++
		case len(changes) > 0:
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
// rows with errors are skipped, as the preview showed.
func (db *DB) ApplyImport(ctx context.Context, actor Actor, accountID int64, kind string, body []byte) (ImportPlan, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return ImportPlan{}, fmt.Errorf("store: apply import: %w", err)
	}
	defer tx.Rollback()
	var plan ImportPlan
	now := db.now()
	err = db.walkImport(ctx, tx, accountID, kind, body, &plan, func(r importRow) error {
		in, changes := merged(kind, r)
		if in.Validate() != nil {
			plan.ErrorRows++
			return nil
		}
		args := []any{in.SKU, in.Title, in.Options, in.GTIN, in.MPN, nullMoney(in.CostCents, in.HasCost), nullMoney(in.PriceCents, in.HasPrice),
			in.Quantity, in.LeadTimeDays, in.URL, in.ImageURL, in.Description, joinTags(in.Tags), in.Active, now}
		switch {
		case r.existing == nil:
			plan.Create++
			_, err := tx.ExecContext(ctx, `INSERT INTO products (sku, title, options, gtin, mpn, cost_cents, price_cents, quantity, lead_time_days,
				url, image_url, description, tags, active, updated_at, account_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				append(args, accountID, now)...)
			return err
		case len(changes) > 0:
			plan.Update++
			_, err := tx.ExecContext(ctx, `UPDATE products SET sku = ?, title = ?, options = ?, gtin = ?, mpn = ?, cost_cents = ?, price_cents = ?,
				quantity = ?, lead_time_days = ?, url = ?, image_url = ?, description = ?, tags = ?, active = ?, updated_at = ? WHERE id = ?`,
				append(args, r.existing.ID)...)
			return err
		}
		plan.Unchanged++
		return nil
	})
	if err != nil {
		return plan, fmt.Errorf("store: apply import: %w", err)
	}
	detail := fmt.Sprintf("%s import: %d created, %d updated, %d unchanged, %d rows skipped", kind, plan.Create, plan.Update, plan.Unchanged, plan.ErrorRows)
	if err := db.audit(ctx, tx, actor, accountID, "products.imported", "account", accountID, detail); err != nil {
		return plan, fmt.Errorf("store: apply import: %w", err)
	}
	return plan, tx.Commit()
}

// DeleteUpload forgets an uploaded file once applied.
func (db *DB) DeleteUpload(ctx context.Context, accountID int64, token string) error {
	_, err := db.write.ExecContext(ctx, "DELETE FROM uploads WHERE token_hash = ? AND account_id = ?", hashToken(token), accountID)
	return err
}
