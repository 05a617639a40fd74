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
	if err := tx.Commit(); err != nil {
		return nil, false, fmt.Errorf("store: demo: %w", err)
	}
	return logins, true, nil
}
