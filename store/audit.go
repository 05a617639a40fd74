package store

import (
	"context"
	"fmt"
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
