package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

const settingAllowPrivateFeeds = "allow_private_feed_addresses"

// AllowPrivateFeeds reports whether feed URLs and webhook endpoints may point at private or local network addresses.
func (db *DB) AllowPrivateFeeds(ctx context.Context) (bool, error) {
	var v string
	err := db.rqRow(ctx, "SELECT value FROM platform_settings WHERE name = ?", settingAllowPrivateFeeds).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: platform setting: %w", err)
	}
	return v == "true", nil
}

// SetAllowPrivateFeeds lets (or stops) feed URLs and webhook endpoints point at private network addresses. Platform admins only.
func (db *DB) SetAllowPrivateFeeds(ctx context.Context, actor Actor, allow bool) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: platform setting: %w", err)
	}
	defer tx.Rollback()
	v := "false"
	if allow {
		v = "true"
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO platform_settings (name, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, settingAllowPrivateFeeds, v, db.now()); err != nil {
		return fmt.Errorf("store: platform setting: %w", err)
	}
	if err := db.audit(ctx, tx, actor, 0, "platform.private_feeds", "platform", 0, v); err != nil {
		return fmt.Errorf("store: platform setting: %w", err)
	}
	return tx.Commit()
}
