package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Membership roles.
const (
	RoleAdmin = "admin"
	RoleStaff = "staff"
)

// Password length limits. bcrypt reads at most 72 bytes, so longer passwords
// are refused rather than silently truncated.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 72
)

// User is a person who signs in.
type User struct {
	ID            int64
	Email         string
	Name          string
	PlatformAdmin bool
	CreatedAt     time.Time
}

// Membership is a user's place in an account.
type Membership struct {
	Account Account
	Role    string
}

// IsAdmin reports whether the membership is an account admin's.
func (m Membership) IsAdmin() bool { return m.Role == RoleAdmin }

// Member is a user of an account, as the account's admins see them.
type Member struct {
	User User
	Role string
}

// NewUser is the input for creating a user.
type NewUser struct {
	Email         string
	Name          string
	Password      string
	PlatformAdmin bool
}

// NewMember is the input for adding a user to an account.
type NewMember struct {
	Email    string
	Name     string
	Password string // required only when no user has this email yet
	Role     string
}

const userColumns = "u.id, u.email, u.name, u.platform_admin, u.created_at"

func scanUser(row interface{ Scan(...any) error }, extra ...any) (User, error) {
	var u User
	err := row.Scan(append([]any{&u.ID, &u.Email, &u.Name, &u.PlatformAdmin, &u.CreatedAt}, extra...)...)
	return u, err
}

// NormalizeEmail trims and lower-cases an email address.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

func checkEmail(c checks, email string) {
	if email == "" {
		c.add("email", "Enter an email address.")
		return
	}
	a, err := mail.ParseAddress(email)
	c.check(err == nil && a.Address == email && a.Name == "", "email", "Enter an email address like name@example.com.")
	c.check(len(email) <= 254, "email", "Use at most 254 characters.")
}

// CheckPassword returns a message when password is not acceptable, or "".
func CheckPassword(password string) string {
	switch {
	case len(password) < MinPasswordLen:
		return fmt.Sprintf("Use at least %d characters.", MinPasswordLen)
	case len(password) > MaxPasswordLen:
		return fmt.Sprintf("Use at most %d bytes.", MaxPasswordLen)
	}
	return ""
}

// ValidRole reports whether role is a membership role.
func ValidRole(role string) bool { return role == RoleAdmin || role == RoleStaff }

func (db *DB) hashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), db.PasswordCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// CreateUser creates a user with no memberships (the CLI and platform admins use it).
func (db *DB) CreateUser(ctx context.Context, actor Actor, in NewUser) (User, error) {
	in.Email = NormalizeEmail(in.Email)
	c := checks{}
	checkEmail(c, in.Email)
	if msg := CheckPassword(in.Password); msg != "" {
		c.add("password", msg)
	}
	if err := c.err(); err != nil {
		return User{}, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return User{}, fmt.Errorf("store: create user: %w", err)
	}
	defer tx.Rollback()
	u, err := db.createUser(ctx, tx, actor, in)
	if err != nil {
		return User{}, fmt.Errorf("store: create user: %w", err)
	}
	return u, tx.Commit()
}

func (db *DB) createUser(ctx context.Context, tx dbtx, actor Actor, in NewUser) (User, error) {
	var exists bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM users WHERE email = ?)", in.Email).Scan(&exists); err != nil {
		return User{}, err
	}
	if exists {
		return User{}, FieldError("email", "A user with this email already exists.")
	}
	hash, err := db.hashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	now := db.now()
	res, err := execInsert(ctx, tx, "INSERT INTO users (email, name, password_hash, platform_admin, created_at) VALUES (?, ?, ?, ?, ?)",
		in.Email, strings.TrimSpace(in.Name), hash, in.PlatformAdmin, now)
	if err != nil {
		return User{}, err
	}
	id, _ := res.LastInsertId()
	if err := db.audit(ctx, tx, actor, 0, "user.created", "user", id, in.Email); err != nil {
		return User{}, err
	}
	return User{ID: id, Email: in.Email, Name: strings.TrimSpace(in.Name), PlatformAdmin: in.PlatformAdmin, CreatedAt: now}, nil
}

// CreateAccountWithAdmin creates an account and its first admin user in one transaction.
func (db *DB) CreateAccountWithAdmin(ctx context.Context, actor Actor, acc NewAccount, email, password string) (Account, User, error) {
	email = NormalizeEmail(email)
	c := checks{}
	if err := acc.validate(); err != nil {
		var ve *ValidationError
		errors.As(err, &ve)
		for k, v := range ve.Fields {
			c.add(k, v)
		}
	}
	checkEmail(c, email)
	if msg := CheckPassword(password); msg != "" {
		c.add("password", msg)
	}
	if err := c.err(); err != nil {
		return Account{}, User{}, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return Account{}, User{}, fmt.Errorf("store: create account: %w", err)
	}
	defer tx.Rollback()
	a, err := db.createAccount(ctx, tx, actor, acc)
	if err != nil {
		return Account{}, User{}, fmt.Errorf("store: create account: %w", err)
	}
	u, err := db.createUser(ctx, tx, actor, NewUser{Email: email, Password: password})
	if err != nil {
		return Account{}, User{}, fmt.Errorf("store: create account: %w", err)
	}
	if err := db.addMembership(ctx, tx, actor, a.ID, u.ID, RoleAdmin); err != nil {
		return Account{}, User{}, fmt.Errorf("store: create account: %w", err)
	}
	return a, u, tx.Commit()
}

func (db *DB) addMembership(ctx context.Context, tx dbtx, actor Actor, accountID, userID int64, role string) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO memberships (account_id, user_id, role, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (account_id, user_id) DO NOTHING`, accountID, userID, role, db.now())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return FieldError("email", "This user is already a member of the account.")
	}
	return db.audit(ctx, tx, actor, accountID, "member.added", "user", userID, role)
}

// AddMember adds a user to the acting account, creating the user when the
// email is new. An existing user keeps their password.
func (db *DB) AddMember(ctx context.Context, actor Actor, accountID int64, in NewMember) (Member, error) {
	in.Email = NormalizeEmail(in.Email)
	c := checks{}
	checkEmail(c, in.Email)
	c.check(ValidRole(in.Role), "role", "Choose admin or staff.")
	if err := c.err(); err != nil {
		return Member{}, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return Member{}, fmt.Errorf("store: add member: %w", err)
	}
	defer tx.Rollback()
	if err := accountExists(ctx, tx, accountID); err != nil {
		return Member{}, fmt.Errorf("store: add member to %d: %w", accountID, err)
	}
	u, err := scanUser(tx.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users u WHERE u.email = ?", in.Email))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if msg := CheckPassword(in.Password); msg != "" {
			return Member{}, FieldError("password", "New users need a first password: "+strings.ToLower(msg[:1])+msg[1:])
		}
		u, err = db.createUser(ctx, tx, actor, NewUser{Email: in.Email, Name: in.Name, Password: in.Password})
		if err != nil {
			return Member{}, fmt.Errorf("store: add member: %w", err)
		}
	case err != nil:
		return Member{}, fmt.Errorf("store: add member: %w", err)
	}
	if err := db.addMembership(ctx, tx, actor, accountID, u.ID, in.Role); err != nil {
		return Member{}, fmt.Errorf("store: add member: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Member{}, fmt.Errorf("store: add member: %w", err)
	}
	return Member{User: u, Role: in.Role}, nil
}

func accountExists(ctx context.Context, tx dbtx, accountID int64) error {
	var ok bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM accounts WHERE id = ?)", accountID).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return ErrNotFound
	}
	return nil
}

// dummyHash is compared against when the email is unknown, so a wrong email
// takes as long as a wrong password and timing reveals nothing.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("dropline-dummy-password"), bcrypt.DefaultCost)

// Authenticate returns the user with this email and password, or ErrBadCredentials.
func (db *DB) Authenticate(ctx context.Context, email, password string) (User, error) {
	email = NormalizeEmail(email)
	var hash string
	u, err := scanUser(db.rqRow(ctx, "SELECT "+userColumns+", u.password_hash FROM users u WHERE u.email = ?", email), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, fmt.Errorf("store: authenticate: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return User{}, ErrBadCredentials
	}
	return u, nil
}

// User returns one user by ID.
func (db *DB) User(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(db.rqRow(ctx, "SELECT "+userColumns+" FROM users u WHERE u.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("store: user %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("store: user %d: %w", id, err)
	}
	return u, nil
}

// Memberships lists the enabled accounts a user belongs to, by account
// name: a disabled account is no longer one its users can work in.
func (db *DB) Memberships(ctx context.Context, userID int64) ([]Membership, error) {
	rows, err := db.rq(ctx, `SELECT `+accountColumnsA+`, m.role
		FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE m.user_id = ? AND a.disabled_at IS NULL ORDER BY a.name, a.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: memberships of %d: %w", userID, err)
	}
	defer rows.Close()
	var out []Membership
	for rows.Next() {
		var m Membership
		a := &m.Account
		if err := rows.Scan(append(accountFields(a), &m.Role)...); err != nil {
			return nil, fmt.Errorf("store: memberships of %d: %w", userID, err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// DisabledMemberships counts the disabled accounts a user belongs to, so
// that sign-in can say why a user with no other account cannot work.
func (db *DB) DisabledMemberships(ctx context.Context, userID int64) (int, error) {
	var n int
	err := db.rqRow(ctx, "SELECT count(*) FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE m.user_id = ? AND a.disabled_at IS NOT NULL", userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: disabled memberships of %d: %w", userID, err)
	}
	return n, nil
}

// Membership returns the user's membership of one account, or ErrNotFound.
func (db *DB) Membership(ctx context.Context, userID, accountID int64) (Membership, error) {
	var m Membership
	a := &m.Account
	err := db.rqRow(ctx, `SELECT `+accountColumnsA+`, m.role
		FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE m.user_id = ? AND m.account_id = ?`, userID, accountID).
		Scan(append(accountFields(a), &m.Role)...)
	if errors.Is(err, sql.ErrNoRows) {
		return Membership{}, fmt.Errorf("store: membership of %d in %d: %w", userID, accountID, ErrNotFound)
	}
	if err != nil {
		return Membership{}, fmt.Errorf("store: membership of %d in %d: %w", userID, accountID, err)
	}
	return m, nil
}

// Members lists the acting account's users.
func (db *DB) Members(ctx context.Context, accountID int64) ([]Member, error) {
	rows, err := db.rq(ctx, "SELECT "+userColumns+", m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.account_id = ? ORDER BY u.email", accountID)
	if err != nil {
		return nil, fmt.Errorf("store: members of %d: %w", accountID, err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		u, err := scanUser(rows, &m.Role)
		if err != nil {
			return nil, fmt.Errorf("store: members of %d: %w", accountID, err)
		}
		m.User = u
		out = append(out, m)
	}
	return out, rows.Err()
}

// SetMemberRole changes a member's role in the acting account. The last admin stays admin.
func (db *DB) SetMemberRole(ctx context.Context, actor Actor, accountID, userID int64, role string) error {
	if !ValidRole(role) {
		return FieldError("role", "Choose admin or staff.")
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: set role: %w", err)
	}
	defer tx.Rollback()
	var current string
	err = tx.QueryRowContext(ctx, "SELECT role FROM memberships WHERE account_id = ? AND user_id = ?", accountID, userID).Scan(&current)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: set role of %d in %d: %w", userID, accountID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: set role: %w", err)
	}
	if current == role {
		return nil
	}
	if current == RoleAdmin {
		if err := keepOneAdmin(ctx, tx, accountID); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE memberships SET role = ? WHERE account_id = ? AND user_id = ?", role, accountID, userID); err != nil {
		return fmt.Errorf("store: set role: %w", err)
	}
	if err := db.audit(ctx, tx, actor, accountID, "member.role_changed", "user", userID, current+" → "+role); err != nil {
		return fmt.Errorf("store: set role: %w", err)
	}
	return tx.Commit()
}

func keepOneAdmin(ctx context.Context, tx dbtx, accountID int64) error {
	var admins int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM memberships WHERE account_id = ? AND role = 'admin'", accountID).Scan(&admins); err != nil {
		return fmt.Errorf("store: count admins: %w", err)
	}
	if admins <= 1 {
		return Conflict("An account needs at least one admin: make someone else admin first.")
	}
	return nil
}

// RemoveMember takes a user out of the acting account. The last admin stays.
func (db *DB) RemoveMember(ctx context.Context, actor Actor, accountID, userID int64) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: remove member: %w", err)
	}
	defer tx.Rollback()
	var role string
	err = tx.QueryRowContext(ctx, "SELECT role FROM memberships WHERE account_id = ? AND user_id = ?", accountID, userID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: remove member %d from %d: %w", userID, accountID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: remove member: %w", err)
	}
	if role == RoleAdmin {
		if err := keepOneAdmin(ctx, tx, accountID); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM memberships WHERE account_id = ? AND user_id = ?", accountID, userID); err != nil {
		return fmt.Errorf("store: remove member: %w", err)
	}
	// Their sessions in this account end: they sign in again to work elsewhere.
	if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ? AND account_id = ?", userID, accountID); err != nil {
		return fmt.Errorf("store: remove member: %w", err)
	}
	if err := db.audit(ctx, tx, actor, accountID, "member.removed", "user", userID, ""); err != nil {
		return fmt.Errorf("store: remove member: %w", err)
	}
	return tx.Commit()
}

// ChangePassword sets a new password after checking the current one, and
// ends the user's other sessions: only keepSession (the token of the session
// that changed it) stays signed in.
func (db *DB) ChangePassword(ctx context.Context, userID int64, keepSession, current, next string) error {
	var hash, email string
	err := db.rqRow(ctx, "SELECT password_hash, email FROM users WHERE id = ?", userID).Scan(&hash, &email)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: change password of %d: %w", userID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: change password: %w", err)
	}
	c := checks{}
	c.check(bcrypt.CompareHashAndPassword([]byte(hash), []byte(current)) == nil, "current_password", "This is not your current password.")
	if msg := CheckPassword(next); msg != "" {
		c.add("new_password", msg)
	}
	if err := c.err(); err != nil {
		return err
	}
	newHash, err := db.hashPassword(next)
	if err != nil {
		return fmt.Errorf("store: change password: %w", err)
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: change password: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", newHash, userID); err != nil {
		return fmt.Errorf("store: change password: %w", err)
	}
	res, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", userID, hashToken(keepSession))
	if err != nil {
		return fmt.Errorf("store: change password: %w", err)
	}
	ended, _ := res.RowsAffected()
	if err := db.audit(ctx, tx, Actor{UserID: userID, Name: email}, 0, "user.password_changed", "user", userID, fmt.Sprintf("%d other sessions ended", ended)); err != nil {
		return fmt.Errorf("store: change password: %w", err)
	}
	return tx.Commit()
}
