package store

import (
	"context"
	"fmt"
)

// DemoPassword is the password of every demo login.
const DemoPassword = "dropline-demo"

// DemoLogin is one of the demo users, printed at first start.
type DemoLogin struct {
	Role     string `json:"role"`
	Email    string `json:"email"`
	Password string `json:"password"`
	Accounts string `json:"accounts"`
}

// SeedDemo fills an empty database with demo accounts and users: a platform
// admin, a merchant and a supplier (linked, dropship module on) and one user
// who belongs to both. It does nothing when any account exists.
func (db *DB) SeedDemo(ctx context.Context) ([]DemoLogin, bool, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("store: demo: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM accounts").Scan(&n); err != nil {
		return nil, false, fmt.Errorf("store: demo: %w", err)
	}
	if n > 0 {
		return nil, false, nil
	}
	actor := Actor{Name: "demo"}
	merchant, err := db.createAccount(ctx, tx, actor, NewAccount{Name: "Northwind Outfitters", Kind: KindMerchant, TimeZone: "America/New_York"})
	if err != nil {
		return nil, false, fmt.Errorf("store: demo: %w", err)
	}
	supplier, err := db.createAccount(ctx, tx, actor, NewAccount{Name: "Acme Supply Co.", Kind: KindSupplier, TimeZone: "America/Chicago"})
	if err != nil {
		return nil, false, fmt.Errorf("store: demo: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE accounts SET dropship_enabled = 1 WHERE id IN (?, ?)", merchant.ID, supplier.ID); err != nil {
		return nil, false, fmt.Errorf("store: demo: %w", err)
	}
	// The address customers' questions go to, named on their tracking page
	// and in their shipping emails' Reply-To.
	if _, err := tx.ExecContext(ctx, "UPDATE accounts SET reply_to_email = 'help@northwind.example' WHERE id = ?", merchant.ID); err != nil {
		return nil, false, fmt.Errorf("store: demo: %w", err)
	}
	// The demo supplier takes orders from the start: new ones arrive as "New".
	if _, err := tx.ExecContext(ctx, "UPDATE accounts SET initial_status_id = (SELECT id FROM supplier_statuses WHERE account_id = ? AND name = 'New') WHERE id = ?",
		supplier.ID, supplier.ID); err != nil {
		return nil, false, fmt.Errorf("store: demo: %w", err)
	}
	now := db.now()
	if _, err := tx.ExecContext(ctx, "INSERT INTO vendor_links (supplier_id, merchant_id, state, created_at, updated_at) VALUES (?, ?, 'active', ?, ?)",
		supplier.ID, merchant.ID, now, now); err != nil {
		return nil, false, fmt.Errorf("store: demo: %w", err)
	}
	users := []struct {
		email    string
		name     string
		admin    bool
		accounts map[int64]string
		login    DemoLogin
	}{
		{"admin@dropline.test", "Platform Admin", true, nil, DemoLogin{Role: "platform admin", Accounts: "all (Accounts, Links)"}},
		{"merchant@dropline.test", "Mia Merchant", false, map[int64]string{merchant.ID: RoleAdmin}, DemoLogin{Role: "merchant admin", Accounts: merchant.Name + " " + merchant.PublicID}},
		{"supplier@dropline.test", "Sam Supplier", false, map[int64]string{supplier.ID: RoleAdmin}, DemoLogin{Role: "supplier admin", Accounts: supplier.Name + " " + supplier.PublicID}},
		{"ops@dropline.test", "Olu Ops", false, map[int64]string{merchant.ID: RoleStaff, supplier.ID: RoleStaff}, DemoLogin{Role: "staff in both accounts", Accounts: merchant.Name + ", " + supplier.Name}},
	}
	var logins []DemoLogin
	for _, u := range users {
		user, err := db.createUser(ctx, tx, actor, NewUser{Email: u.email, Name: u.name, Password: DemoPassword, PlatformAdmin: u.admin})
		if err != nil {
			return nil, false, fmt.Errorf("store: demo: %w", err)
		}
		for acc, role := range u.accounts {
			if err := db.addMembership(ctx, tx, actor, acc, user.ID, role); err != nil {
				return nil, false, fmt.Errorf("store: demo: %w", err)
			}
		}
		u.login.Email, u.login.Password = u.email, DemoPassword
		logins = append(logins, u.login)
	}
	// The supplier's catalog and a feed the merchant pulls: the ticker's
	// first pass after start creates the merchant's linked products.
	products := []struct {
		sku, title, options, gtin string
		cost, price               int64
		qty, lead                 int
	}{
		{"ACM-TENT-2P", "Ridgeline 2-person tent", "Color: Olive", "0840012300014", 8900, 17900, 24, 1},
		{"ACM-TENT-4P", "Ridgeline 4-person tent", "Color: Olive", "0840012300021", 13900, 27900, 9, 1},
		{"ACM-BAG-20", "Summit sleeping bag 20°F", "Size: Regular", "0840012300038", 5400, 11900, 31, 1},
		{"ACM-STOVE", "Trailblaze camp stove", "", "0840012300045", 2800, 5900, 57, 1},
		{"ACM-LAMP", "Glow rechargeable lantern", "", "0840012300052", 1250, 2900, 0, 1},
		{"ACM-PACK-45", "Traverse 45 L backpack", "Color: Slate", "0840012300069", 6200, 13900, 14, 2},
		{"ACM-MUG", "Enamel camp mug", "Color: White", "0840012300076", 350, 1200, 240, 1},
		{"ACM-CHAIR", "Basecamp folding chair", "", "0840012300083", 2300, 4900, 3, 4},
	}
	for _, p := range products {
		if _, err := tx.ExecContext(ctx, `INSERT INTO products (account_id, sku, title, options, gtin, cost_cents, price_cents, quantity, lead_time_days,
			url, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
			supplier.ID, p.sku, p.title, p.options, p.gtin, p.cost, p.price, p.qty, p.lead, "https://acme-supply.example/p/"+p.sku, now, now); err != nil {
			return nil, false, fmt.Errorf("store: demo: %w", err)
		}
	}
	res, err := execInsert(ctx, tx, `INSERT INTO feeds (account_id, name, selection, fields, all_merchants, created_at, updated_at)
		VALUES (?, 'All products', 'all', 'price,cost,quantity,lead_time,description,images', 1, ?, ?)`, supplier.ID, now, now)
	if err != nil {
		return nil, false, fmt.Errorf("store: demo: %w", err)
	}
	feedID, _ := res.LastInsertId()
	if _, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (account_id, name, feed_id, supplier_id, buffer, next_run_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, 2, ?, ?, ?)`, merchant.ID, supplier.Name+": All products", feedID, supplier.ID, now, now, now); err != nil {
		return nil, false, fmt.Errorf("store: demo: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, false, fmt.Errorf("store: demo: %w", err)
	}
	return logins, true, nil
}
