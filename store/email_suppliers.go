package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/dropline/dropline/store/feedfile"
)

// managedCatalogFeed names the feed a managed supplier's uploaded catalog
// is published in, to the merchant that keeps it.
const managedCatalogFeed = "Catalog"

// ImportManagedCatalog applies a catalog file the merchant uploads for one
// of its suppliers outside Dropline to that supplier's products, the rows
// with errors skipped as in any import, and makes sure the supplier
// publishes its products in a feed the merchant subscribes to: the
// merchant's next pull of it (due at once; the caller may start it) makes
// them the merchant's sources, routed to the supplier. One transaction.
func (db *DB) ImportManagedCatalog(ctx context.Context, actor Actor, merchantID, supplierID int64, body []byte, opt ImportOptions) (ImportPlan, Subscription, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return ImportPlan{}, Subscription{}, fmt.Errorf("store: managed catalog: %w", err)
	}
	defer tx.Rollback()
	var name string
	err = tx.QueryRowContext(ctx, "SELECT name FROM accounts WHERE id = ? AND managed_by = ?", supplierID, merchantID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return ImportPlan{}, Subscription{}, fmt.Errorf("store: managed catalog of %d: %w", supplierID, ErrNotFound)
	}
	if err != nil {
		return ImportPlan{}, Subscription{}, fmt.Errorf("store: managed catalog: %w", err)
	}
	plan, err := db.applyImport(ctx, tx, actor, supplierID, "catalog", body, opt)
	if err != nil {
		return plan, Subscription{}, err
	}
	subID, err := db.ensureCatalogSubscription(ctx, tx, actor, merchantID, supplierID, name)
	if err != nil {
		return plan, Subscription{}, fmt.Errorf("store: managed catalog: %w", err)
	}
	detail := fmt.Sprintf("%s's catalog: %d created, %d updated, %d unchanged, %d rows skipped", name, plan.Create, plan.Update, plan.Unchanged, plan.ErrorRows)
	if err := db.audit(ctx, tx, actor, merchantID, "managed_supplier.catalog_imported", "account", supplierID, detail); err != nil {
		return plan, Subscription{}, fmt.Errorf("store: managed catalog: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return plan, Subscription{}, fmt.Errorf("store: managed catalog: %w", err)
	}
	sub, err := db.Subscription(ctx, merchantID, subID)
	return plan, sub, err
}

// ensureCatalogSubscription returns the merchant's subscription to the
// managed supplier's catalog feed, making the feed (all its active
// products, every field, for its linked merchant) and the subscription (due
// at once, hourly after) when they are missing.
func (db *DB) ensureCatalogSubscription(ctx context.Context, tx dbtx, actor Actor, merchantID, supplierID int64, supplierName string) (int64, error) {
	var subID int64
	err := tx.QueryRowContext(ctx, `SELECT s.id FROM subscriptions s JOIN feeds f ON f.id = s.feed_id
		WHERE s.account_id = ? AND f.account_id = ? AND f.archived_at IS NULL ORDER BY s.id LIMIT 1`, merchantID, supplierID).Scan(&subID)
	if err == nil {
		return subID, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	now := db.now()
	var feedID int64
	err = tx.QueryRowContext(ctx, "SELECT id FROM feeds WHERE account_id = ? AND archived_at IS NULL AND selection = ? ORDER BY id LIMIT 1", supplierID, SelectAll).Scan(&feedID)
	if errors.Is(err, sql.ErrNoRows) {
		res, err := execInsert(ctx, tx, `INSERT INTO feeds (account_id, name, selection, selection_value, fields, all_merchants, created_at, updated_at)
			VALUES (?, ?, ?, '', ?, 1, ?, ?)`, supplierID, managedCatalogFeed, SelectAll, strings.Join(FeedFields, ","), now, now)
		if err != nil {
			return 0, err
		}
		feedID, _ = res.LastInsertId()
		if err := db.audit(ctx, tx, actor, supplierID, "feed.created", "feed", feedID, managedCatalogFeed); err != nil {
			return 0, err
		}
	} else if err != nil {
		return 0, err
	}
	name := supplierName + ": " + managedCatalogFeed
	res, err := execInsert(ctx, tx, `INSERT INTO subscriptions (account_id, name, feed_id, supplier_id, url, format, mapping, schedule, interval_minutes,
		daily_at, buffer, inventory_mode, drop_threshold_pct, stale_after_hours, stale_as_zero, paused, next_run_at, created_at, updated_at,
		in_stock_quantity, build_skus)
		VALUES (?, ?, ?, ?, '', '', '', ?, 60, '06:00', 0, ?, 30, 26, 0, 0, ?, ?, ?, ?, 1)`,
		merchantID, name, feedID, supplierID, ScheduleInterval, InventoryPassive, now, now, now, feedfile.DefaultInStockQuantity)
	if err != nil {
		return 0, err
	}
	subID, _ = res.LastInsertId()
	return subID, db.audit(ctx, tx, actor, merchantID, "subscription.created", "subscription", subID, name)
}

// UpgradeManagedSupplier makes one of the merchant's email suppliers a
// supplier that signs in to Dropline: the person the merchant names becomes
// its admin (a new user with the first password the merchant gives them,
// or a user of that email keeping theirs), and the merchant keeps it no
// longer. Its link to the merchant, POs, products, feed and the history of
// its emailed links stay; links already emailed work until they expire or
// are revoked; new POs reach its users in Dropline. The person is emailed
// (through the merchant's outbox) where to sign in. One transaction.
func (db *DB) UpgradeManagedSupplier(ctx context.Context, actor Actor, merchantID, supplierID int64, in NewMember) (Member, error) {
	in.Email = NormalizeEmail(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	in.Role = RoleAdmin
	c := checks{}
	checkEmail(c, in.Email)
	c.check(len(in.Name) <= 100, "name", "Use at most 100 characters.")
	if err := c.err(); err != nil {
		return Member{}, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return Member{}, fmt.Errorf("store: upgrade supplier: %w", err)
	}
	defer tx.Rollback()
	var name, contact, merchant string
	err = tx.QueryRowContext(ctx, "SELECT s.name, s.contact, m.name FROM accounts s JOIN accounts m ON m.id = s.managed_by WHERE s.id = ? AND s.managed_by = ?",
		supplierID, merchantID).Scan(&name, &contact, &merchant)
	if errors.Is(err, sql.ErrNoRows) {
		return Member{}, fmt.Errorf("store: upgrade supplier %d: %w", supplierID, ErrNotFound)
	}
	if err != nil {
		return Member{}, fmt.Errorf("store: upgrade supplier: %w", err)
	}
	if contact != ContactEmail {
		return Member{}, Conflict(name + " is a website you order from: there is nobody to sign in for it.")
	}
	u, err := scanUser(tx.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users u WHERE u.email = ?", in.Email))
	existing := err == nil
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if msg := CheckPassword(in.Password); msg != "" {
			return Member{}, FieldError("password", "Give "+in.Email+" a first password to sign in with: "+strings.ToLower(msg[:1])+msg[1:])
		}
		if u, err = db.createUser(ctx, tx, actor, NewUser{Email: in.Email, Name: in.Name, Password: in.Password}); err != nil {
			return Member{}, fmt.Errorf("store: upgrade supplier: %w", err)
		}
	case err != nil:
		return Member{}, fmt.Errorf("store: upgrade supplier: %w", err)
	}
	if err := db.addMembership(ctx, tx, actor, supplierID, u.ID, RoleAdmin); err != nil {
		return Member{}, fmt.Errorf("store: upgrade supplier: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE accounts SET managed_by = NULL, contact = '' WHERE id = ? AND managed_by = ?", supplierID, merchantID); err != nil {
		return Member{}, fmt.Errorf("store: upgrade supplier: %w", err)
	}
	for _, acc := range []int64{merchantID, supplierID} {
		if err := db.audit(ctx, tx, actor, acc, "managed_supplier.upgraded", "account", supplierID, name+": "+in.Email+" signs in for it"); err != nil {
			return Member{}, fmt.Errorf("store: upgrade supplier: %w", err)
		}
	}
	password := "the first password " + merchant + " gives you (change it under Settings once signed in)"
	if existing {
		password = "your Dropline password"
	}
	body := fmt.Sprintf("%s has moved %s onto Dropline: you now sign in to see and handle its dropship orders, instead of following a link in each order's email.\n\n"+
		"Sign in at %s/login with this email address (%s) and %s.\n\n"+
		"Orders emailed to you before keep working through their links until they expire.\n", merchant, name, db.baseURL(), in.Email, password)
	if err := db.enqueue(ctx, tx, OutboxMessage{AccountID: merchantID, Kind: OutboxEmail, Topic: "supplier.upgraded", Recipient: in.Email, FromName: merchant,
		Subject: "You now sign in to Dropline for " + name, Body: body}); err != nil {
		return Member{}, fmt.Errorf("store: upgrade supplier: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Member{}, fmt.Errorf("store: upgrade supplier: %w", err)
	}
	return Member{User: u, Role: RoleAdmin}, nil
}
