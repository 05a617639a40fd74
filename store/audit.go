package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Actor is who makes a change, as the audit log records it.
type Actor struct {
	UserID int64  // 0 for the CLI or the system
	Name   string // an email, "cli" or "system"
}

// CLIActor is the actor for changes made with the dropline command.
var CLIActor = Actor{Name: "cli"}

// SystemActor is the actor for changes made by background work.
var SystemActor = Actor{Name: "system"}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID         int64
	At         time.Time
	AccountID  int64
	Actor      string
	Action     string
	RecordType string
	RecordID   int64
	Detail     string
	// Subject names the record where its ID alone says little (audit log
	// pages only): a user's email, a token's name, the other side of a link.
	Subject string
}

func (db *DB) audit(ctx context.Context, tx dbtx, actor Actor, accountID int64, action, recordType string, recordID int64, detail string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, account_id, user_id, actor, action, record_type, record_id, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, auditRow(actor, accountID, action, recordType, recordID, detail, db.now())...)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// auditCols are the columns of auditRow's values.
var auditCols = []string{"at", "account_id", "user_id", "actor", "action", "record_type", "record_id", "detail"}

// auditRow is an audit log entry's values, in auditCols order.
func auditRow(actor Actor, accountID int64, action, recordType string, recordID int64, detail string, at time.Time) []any {
	var uid, acc any
	if actor.UserID != 0 {
		uid = actor.UserID
	}
	if accountID != 0 {
		acc = accountID
	}
	name := actor.Name
	if name == "" {
		name = "unknown"
	}
	return []any{at, acc, uid, name, action, recordType, recordID, detail}
}

// AuditLog returns the newest entries about the acting account's records.
func (db *DB) AuditLog(ctx context.Context, accountID int64, limit int) ([]AuditEntry, error) {
	rows, err := db.rq(ctx, `SELECT id, at, coalesce(account_id, 0), actor, action, record_type, record_id, detail
		FROM audit_log WHERE account_id = ? ORDER BY id DESC LIMIT ?`, accountID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.At, &e.AccountID, &e.Actor, &e.Action, &e.RecordType, &e.RecordID, &e.Detail); err != nil {
			return nil, fmt.Errorf("store: audit log: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// RecordHistory returns what happened to one record, newest first, as the acting account's log has it.
func (db *DB) RecordHistory(ctx context.Context, accountID int64, recordType string, recordID int64) ([]AuditEntry, error) {
	rows, err := db.rq(ctx, `SELECT id, at, coalesce(account_id, 0), actor, action, record_type, record_id, detail
		FROM audit_log WHERE account_id = ? AND record_type = ? AND record_id = ? ORDER BY id DESC LIMIT 200`, accountID, recordType, recordID)
	if err != nil {
		return nil, fmt.Errorf("store: history of %s %d: %w", recordType, recordID, err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.At, &e.AccountID, &e.Actor, &e.Action, &e.RecordType, &e.RecordID, &e.Detail); err != nil {
			return nil, fmt.Errorf("store: history: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AuditKind is a group of audit log actions an admin can filter by.
type AuditKind struct {
	Key      string
	Label    string
	prefixes []string // the actions it holds start with one of these
}

// AuditKinds are the audit log's filters, in the order the page offers them.
var AuditKinds = []AuditKind{
	{"settings", "Settings", []string{"account.", "orders.settings", "carriers.", "provider.", "status.", "webhook.", "outbox."}},
	{"users", "Users and roles", []string{"member.", "user."}},
	{"tokens", "API tokens", []string{"token."}},
	{"links", "Links", []string{"link."}},
	{"feeds", "Feeds and subscriptions", []string{"feed.", "subscription."}},
	{"pulls", "Pulls", []string{"feed_run."}},
	{"payouts", "Payouts", []string{"payout."}},
	{"orders", "Orders, POs and shipments", []string{"order.", "po.", "shipment.", "tracking."}},
	{"products", "Products", []string{"product.", "products.", "source."}},
}

// AuditLogPerPage is how many entries a page of the audit log holds.
const AuditLogPerPage = 50

// AuditLogPage is one page of an account's audit log, newest first.
type AuditLogPage struct {
	Entries []AuditEntry
	Total   int // entries matching the filter, on every page
	Page    int
}

// AuditLogPaged returns page (from 1) of the acting account's audit log,
// newest first, only the actions of kind (an AuditKinds key; any other
// value means all).
func (db *DB) AuditLogPaged(ctx context.Context, accountID int64, kind string, page int) (AuditLogPage, error) {
	page = max(page, 1)
	where, args := "a.account_id = ?", []any{accountID}
	for _, k := range AuditKinds {
		if k.Key != kind {
			continue
		}
		var or []string
		for _, p := range k.prefixes {
			// substr, not LIKE: "_" in "feed_run." is a wildcard to LIKE.
			or = append(or, "substr(a.action, 1, ?) = ?")
			args = append(args, len(p), p)
		}
		where += " AND (" + strings.Join(or, " OR ") + ")"
	}
	out := AuditLogPage{Page: page}
	if err := db.rqRow(ctx, "SELECT count(*) FROM audit_log a WHERE "+where, args...).Scan(&out.Total); err != nil {
		return out, fmt.Errorf("store: audit log: %w", err)
	}
	rows, err := db.rq(ctx, `SELECT a.id, a.at, coalesce(a.account_id, 0), a.actor, a.action, a.record_type, a.record_id, a.detail,
			coalesce(CASE a.record_type
				WHEN 'user' THEN (SELECT u.email FROM users u WHERE u.id = a.record_id)
				WHEN 'api_token' THEN (SELECT t.name FROM api_tokens t WHERE t.id = a.record_id AND t.account_id = a.account_id)
				WHEN 'vendor_link' THEN (SELECT o.name FROM vendor_links l JOIN accounts o ON o.id = CASE WHEN l.supplier_id = a.account_id THEN l.merchant_id ELSE l.supplier_id END
					WHERE l.id = a.record_id AND a.account_id IN (l.supplier_id, l.merchant_id))
				WHEN 'purchase_order' THEN (SELECT po.po_number FROM purchase_orders po WHERE po.id = a.record_id AND a.account_id IN (po.account_id, po.supplier_id))
				WHEN 'order' THEN (SELECT o.channel_order_id FROM orders o WHERE o.id = a.record_id AND o.account_id = a.account_id)
			END, '')
		FROM audit_log a WHERE `+where+` ORDER BY a.id DESC LIMIT ? OFFSET ?`, append(args, AuditLogPerPage, (page-1)*AuditLogPerPage)...)
	if err != nil {
		return out, fmt.Errorf("store: audit log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.At, &e.AccountID, &e.Actor, &e.Action, &e.RecordType, &e.RecordID, &e.Detail, &e.Subject); err != nil {
			return out, fmt.Errorf("store: audit log: %w", err)
		}
		out.Entries = append(out.Entries, e)
	}
	return out, rows.Err()
}
