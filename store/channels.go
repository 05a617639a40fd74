package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dropline/dropline/store/channel"
)

// SalesChannel is one of a merchant's stores. Its credentials never leave the
// store: only whether they are set, and the last characters of the token or
// key, so a person can tell which one it is.
type SalesChannel struct {
	ID             int64
	AccountID      int64
	Kind           string // "shopify" or "woocommerce"
	Name           string // the channel's name on its orders
	BaseURL        string
	CredentialHint string // e.g. "…a1b2"
	NotifyCustomer bool
	PushStock      bool
	Paused         bool
	ShopName       string
	TestedAt       *time.Time
	TestError      string     // the last test's problem, "" when it passed (or never ran)
	OrdersSyncedAt *time.Time // when orders were last pulled, nil for never
	OrdersCreated  int        // how many new orders the last pull brought
	SyncError      string     // the last pull's problem, "" when it went well
	CreatedAt      time.Time
	// HasWebhookSecret says the store's webhooks can be checked: for
	// Shopify the custom app's API secret key was entered; for WooCommerce
	// Dropline made one when it registered its webhooks.
	HasWebhookSecret     bool
	WebhookURL           string     // the address Dropline's webhooks were registered with
	WebhookTopics        []string   // the platform's topics registered, e.g. ORDERS_CREATE
	WebhooksRegisteredAt *time.Time // when they were last registered, nil for never
	WebhookError         string     // the last registration's problem
	WebhookReceivedAt    *time.Time // the last signed delivery, nil for none yet
}

// SalesChannelInput is what a merchant admin sets. Blank credentials on an
// existing connection keep the ones stored: the form never shows them.
type SalesChannelInput struct {
	Kind           string
	Name           string
	BaseURL        string
	AccessToken    string // Shopify
	ConsumerKey    string // WooCommerce
	ConsumerSecret string // WooCommerce
	// APISecretKey is a Shopify custom app's API secret key (client
	// secret), with which Shopify signs the app's webhooks.
	APISecretKey   string
	NotifyCustomer bool
	PushStock      bool
}

const salesChannelColumns = `id, account_id, kind, name, base_url, access_token, consumer_key, notify_customer, push_stock, paused,
	shop_name, tested_at, test_error, created_at, orders_synced_at, orders_created, sync_error,
	webhook_secret <> '', webhook_url, webhook_ids, webhooks_registered_at, webhook_error, webhook_received_at`

func scanSalesChannel(row interface{ Scan(...any) error }) (SalesChannel, error) {
	var c SalesChannel
	var token, key, hooks string
	err := row.Scan(&c.ID, &c.AccountID, &c.Kind, &c.Name, &c.BaseURL, &token, &key, &c.NotifyCustomer, &c.PushStock, &c.Paused,
		&c.ShopName, &c.TestedAt, &c.TestError, &c.CreatedAt, &c.OrdersSyncedAt, &c.OrdersCreated, &c.SyncError,
		&c.HasWebhookSecret, &c.WebhookURL, &hooks, &c.WebhooksRegisteredAt, &c.WebhookError, &c.WebhookReceivedAt)
	c.CredentialHint = hint(token + key)
	for _, line := range strings.Split(hooks, "\n") {
		if topic, _, _ := strings.Cut(line, "="); topic != "" {
			c.WebhookTopics = append(c.WebhookTopics, topic)
		}
	}
	return c, err
}

// hint shows the last four characters of a credential, as people recognise
// tokens by.
func hint(secret string) string {
	if len(secret) < 12 {
		return ""
	}
	return "…" + secret[len(secret)-4:]
}

// SalesChannels lists the merchant's stores.
func (db *DB) SalesChannels(ctx context.Context, merchantID int64) ([]SalesChannel, error) {
	out, err := db.salesChannelsWhere(ctx, "account_id = ? ORDER BY name, id", merchantID)
	if err != nil {
		return nil, fmt.Errorf("store: sales channels of %d: %w", merchantID, err)
	}
	return out, nil
}

// salesChannelsWhere lists the stores the condition (with its ORDER BY)
// selects.
func (db *DB) salesChannelsWhere(ctx context.Context, cond string, args ...any) ([]SalesChannel, error) {
	rows, err := db.rq(ctx, "SELECT "+salesChannelColumns+" FROM sales_channels WHERE "+cond, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SalesChannel
	for rows.Next() {
		c, err := scanSalesChannel(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SalesChannel returns one of the merchant's stores.
func (db *DB) SalesChannel(ctx context.Context, merchantID, id int64) (SalesChannel, error) {
	c, err := scanSalesChannel(db.rqRow(ctx, "SELECT "+salesChannelColumns+" FROM sales_channels WHERE id = ? AND account_id = ?", id, merchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return SalesChannel{}, fmt.Errorf("store: sales channel %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return SalesChannel{}, fmt.Errorf("store: sales channel %d: %w", id, err)
	}
	return c, nil
}

// normalizeChannelURL checks a store's address: Shopify's shop domain
// (name.myshopify.com, with or without https://) becomes its https URL; any
// other http(s) address is allowed only where the platform admin allows
// private addresses (development stores, tests), since a store on a
// myshopify.com domain is what Shopify gives every shop.
func normalizeChannelURL(kind, raw string, allowAny bool) (string, string) {
	raw = strings.TrimRight(strings.TrimSpace(raw), "/")
	if raw == "" {
		return "", map[string]string{"shopify": "Enter the shop's domain, e.g. mystore.myshopify.com.",
			"woocommerce": "Enter the store's address, e.g. https://shop.example.com."}[kind]
	}
	if kind == string(channel.Shopify) && !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", "Enter the store's address, starting with https://."
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case kind == string(channel.Shopify) && strings.HasSuffix(host, ".myshopify.com") && u.Path == "":
		if u.Scheme != "https" {
			return "", "Shopify answers on https:// only."
		}
		return "https://" + host, ""
	case allowAny:
		return u.Scheme + "://" + u.Host + u.Path, ""
	case kind == string(channel.Shopify):
		return "", "Enter the shop's myshopify.com domain (Settings → Domains in Shopify shows it), e.g. mystore.myshopify.com."
	case u.Scheme != "https":
		return "", "The store must be reached over https://: WooCommerce's REST API sends the key and secret with every request."
	}
	return u.Scheme + "://" + u.Host + u.Path, ""
}

// SaveSalesChannel connects a store (id 0) or changes a connection.
func (db *DB) SaveSalesChannel(ctx context.Context, actor Actor, merchantID, id int64, in SalesChannelInput) (SalesChannel, error) {
	in.Name = strings.TrimSpace(in.Name)
	in.AccessToken = strings.TrimSpace(in.AccessToken)
	in.ConsumerKey = strings.TrimSpace(in.ConsumerKey)
	in.ConsumerSecret = strings.TrimSpace(in.ConsumerSecret)
	in.APISecretKey = strings.TrimSpace(in.APISecretKey)
	allowAny, err := db.AllowPrivateFeeds(ctx)
	if err != nil {
		return SalesChannel{}, fmt.Errorf("store: save sales channel: %w", err)
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return SalesChannel{}, fmt.Errorf("store: save sales channel: %w", err)
	}
	defer tx.Rollback()
	var cur struct {
		token, key, secret, base, hookSecret string
		pushStock                            bool
	}
	if id != 0 {
		var kind string
		err := tx.QueryRowContext(ctx, "SELECT kind, access_token, consumer_key, consumer_secret, base_url, push_stock, webhook_secret FROM sales_channels WHERE id = ? AND account_id = ?", id, merchantID).
			Scan(&kind, &cur.token, &cur.key, &cur.secret, &cur.base, &cur.pushStock, &cur.hookSecret)
		if errors.Is(err, sql.ErrNoRows) {
			return SalesChannel{}, fmt.Errorf("store: sales channel %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return SalesChannel{}, fmt.Errorf("store: save sales channel: %w", err)
		}
		in.Kind = kind // a connection keeps its platform
		in.AccessToken = cmp.Or(in.AccessToken, cur.token)
		in.ConsumerKey = cmp.Or(in.ConsumerKey, cur.key)
		in.ConsumerSecret = cmp.Or(in.ConsumerSecret, cur.secret)
	}
	// The webhook secret: for Shopify the API secret key typed here (blank
	// keeps it); for WooCommerce the one Dropline made, never typed.
	hookSecret := cur.hookSecret
	if in.Kind == string(channel.Shopify) && in.APISecretKey != "" {
		hookSecret = in.APISecretKey
	}
	c := checks{}
	c.check(in.Kind == string(channel.Shopify) || in.Kind == string(channel.WooCommerce), "kind", "Choose Shopify or WooCommerce.")
	base, problem := normalizeChannelURL(in.Kind, in.BaseURL, allowAny)
	c.check(problem == "", "base_url", problem)
	if in.Name == "" {
		in.Name = map[string]string{"shopify": "Shopify", "woocommerce": "WooCommerce"}[in.Kind]
		if u, err := url.Parse(base); err == nil && u.Host != "" {
			in.Name += " " + strings.TrimSuffix(u.Hostname(), ".myshopify.com")
		}
	}
	c.check(len(in.Name) <= 100, "name", "Use at most 100 characters.")
	switch in.Kind {
	case string(channel.Shopify):
		c.check(in.AccessToken != "", "access_token", "Enter the Admin API access token of the store's custom app (it starts with shpat_).")
		in.ConsumerKey, in.ConsumerSecret = "", ""
		c.check(in.APISecretKey == "" || len(in.APISecretKey) >= 16, "api_secret_key", "Paste the whole API secret key of the custom app (Shopify shows it beside the API key).")
	case string(channel.WooCommerce):
		c.check(in.ConsumerKey != "", "consumer_key", "Enter the REST API consumer key (it starts with ck_).")
		c.check(in.ConsumerSecret != "", "consumer_secret", "Enter the REST API consumer secret (it starts with cs_).")
		in.AccessToken = ""
	}
	if err := c.err(); err != nil {
		return SalesChannel{}, err
	}
	var clash bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM sales_channels WHERE account_id = ? AND lower(name) = lower(?) AND id <> ?)",
		merchantID, in.Name, id).Scan(&clash); err != nil {
		return SalesChannel{}, fmt.Errorf("store: save sales channel: %w", err)
	}
	if clash {
		return SalesChannel{}, FieldError("name", "Another store already has the name "+in.Name+".")
	}
	now := db.now()
	action := "sales_channel.updated"
	if id == 0 {
		res, err := execInsert(ctx, tx, `INSERT INTO sales_channels (account_id, kind, name, base_url, access_token, consumer_key, consumer_secret,
			notify_customer, push_stock, created_at, updated_at, webhook_secret) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			merchantID, in.Kind, in.Name, base, in.AccessToken, in.ConsumerKey, in.ConsumerSecret, in.NotifyCustomer, in.PushStock, now, now, hookSecret)
		if err != nil {
			return SalesChannel{}, fmt.Errorf("store: save sales channel: %w", err)
		}
		id, _ = res.LastInsertId()
		action = "sales_channel.connected"
	} else {
		// New credentials or a new address make the last test stale; another
		// store's orders are pulled from the first-sync window again, and
		// its webhooks are not registered yet.
		if _, err := tx.ExecContext(ctx, `UPDATE sales_channels SET name = ?, base_url = ?, access_token = ?, consumer_key = ?, consumer_secret = ?,
			notify_customer = ?, push_stock = ?, updated_at = ?, webhook_secret = ?,
			tested_at = CASE WHEN base_url = ? AND access_token = ? AND consumer_key = ? AND consumer_secret = ? THEN tested_at ELSE NULL END,
			test_error = CASE WHEN base_url = ? AND access_token = ? AND consumer_key = ? AND consumer_secret = ? THEN test_error ELSE '' END,
			orders_since = CASE WHEN base_url = ? THEN orders_since ELSE NULL END,
			webhook_ids = CASE WHEN base_url = ? THEN webhook_ids ELSE '' END,
			webhooks_registered_at = CASE WHEN base_url = ? THEN webhooks_registered_at ELSE NULL END
			WHERE id = ? AND account_id = ?`,
			in.Name, base, in.AccessToken, in.ConsumerKey, in.ConsumerSecret, in.NotifyCustomer, in.PushStock, now, hookSecret,
			base, in.AccessToken, in.ConsumerKey, in.ConsumerSecret, base, in.AccessToken, in.ConsumerKey, in.ConsumerSecret, base, base, base, id, merchantID); err != nil {
			return SalesChannel{}, fmt.Errorf("store: save sales channel: %w", err)
		}
		// Another store (a new address) starts its stock over, without the
		// old shop's location; so does a store whose stock push is turned
		// back on, as its quantities may have moved meanwhile.
		if base != cur.base {
			if _, err := tx.ExecContext(ctx, "UPDATE sales_channels SET stock_location_id = '', stock_location_name = '' WHERE id = ?", id); err != nil {
				return SalesChannel{}, fmt.Errorf("store: save sales channel: %w", err)
			}
		}
		if base != cur.base || (in.PushStock && !cur.pushStock) {
			if err := resetChannelStock(ctx, tx, id); err != nil {
				return SalesChannel{}, fmt.Errorf("store: save sales channel: %w", err)
			}
		}
	}
	if err := db.audit(ctx, tx, actor, merchantID, action, "sales_channel", id, in.Kind+" "+in.Name+" at "+base); err != nil {
		return SalesChannel{}, fmt.Errorf("store: save sales channel: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return SalesChannel{}, fmt.Errorf("store: save sales channel: %w", err)
	}
	return db.SalesChannel(ctx, merchantID, id)
}

// PauseSalesChannel pauses a store, or resumes it: while paused, its orders
// are not pulled and the updates for it wait in the outbox; resuming sends
// them at the next pass.
func (db *DB) PauseSalesChannel(ctx context.Context, actor Actor, merchantID, id int64, paused bool) (SalesChannel, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return SalesChannel{}, fmt.Errorf("store: pause sales channel: %w", err)
	}
	defer tx.Rollback()
	var name string
	err = tx.QueryRowContext(ctx, "SELECT name FROM sales_channels WHERE id = ? AND account_id = ?", id, merchantID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return SalesChannel{}, fmt.Errorf("store: sales channel %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return SalesChannel{}, fmt.Errorf("store: pause sales channel: %w", err)
	}
	now := db.now()
	if _, err := tx.ExecContext(ctx, "UPDATE sales_channels SET paused = ?, updated_at = ? WHERE id = ? AND account_id = ?", paused, now, id, merchantID); err != nil {
		return SalesChannel{}, fmt.Errorf("store: pause sales channel: %w", err)
	}
	action := "sales_channel.paused"
	if !paused {
		action = "sales_channel.resumed"
		// The account's store updates that waited are due now; one for a
		// store still paused waits again at its first try.
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = ?, waiting_for = NULL
			WHERE account_id = ? AND waiting_for = ? AND state = 'pending' AND topic = ?`, now, merchantID, transportChannel, TopicChannelFulfillment); err != nil {
			return SalesChannel{}, fmt.Errorf("store: pause sales channel: %w", err)
		}
	}
	if err := db.audit(ctx, tx, actor, merchantID, action, "sales_channel", id, name); err != nil {
		return SalesChannel{}, fmt.Errorf("store: pause sales channel: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return SalesChannel{}, fmt.Errorf("store: pause sales channel: %w", err)
	}
	return db.SalesChannel(ctx, merchantID, id)
}

// RemoveSalesChannel disconnects a store: its credentials are deleted.
func (db *DB) RemoveSalesChannel(ctx context.Context, actor Actor, merchantID, id int64) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: remove sales channel: %w", err)
	}
	defer tx.Rollback()
	var name string
	err = tx.QueryRowContext(ctx, "SELECT name FROM sales_channels WHERE id = ? AND account_id = ?", id, merchantID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: sales channel %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: remove sales channel: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM sales_channels WHERE id = ? AND account_id = ?", id, merchantID); err != nil {
		return fmt.Errorf("store: remove sales channel: %w", err)
	}
	if err := db.audit(ctx, tx, actor, merchantID, "sales_channel.removed", "sales_channel", id, name); err != nil {
		return fmt.Errorf("store: remove sales channel: %w", err)
	}
	return tx.Commit()
}

// UserChannelMessage says what went wrong with a store for the merchant: the
// platform's answer as the adapter worded it, or the network problem.
func UserChannelMessage(err error) string {
	var ce *channel.Error
	if errors.As(err, &ce) {
		return ce.Message
	}
	return UserMessage(err)
}

// TestSalesChannel reads the store's name through its adapter, with client
// (the guarded client feed downloads use), and records the outcome.
func (db *DB) TestSalesChannel(ctx context.Context, merchantID, id int64, client *http.Client) (channel.Shop, error) {
	var conn channel.Conn
	var kind string
	err := db.rqRow(ctx, "SELECT kind, base_url, access_token, consumer_key, consumer_secret FROM sales_channels WHERE id = ? AND account_id = ?", id, merchantID).
		Scan(&kind, &conn.BaseURL, &conn.Token, &conn.Key, &conn.Secret)
	if errors.Is(err, sql.ErrNoRows) {
		return channel.Shop{}, fmt.Errorf("store: sales channel %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return channel.Shop{}, fmt.Errorf("store: test sales channel: %w", err)
	}
	conn.Kind, conn.HTTP = channel.Kind(kind), client
	ch, err := channel.New(conn)
	if err != nil {
		return channel.Shop{}, fmt.Errorf("store: test sales channel: %w", err)
	}
	shop, testErr := ch.Test(ctx)
	msg := ""
	if testErr != nil {
		msg = UserChannelMessage(testErr)
	}
	if _, err := db.write.ExecContext(ctx, "UPDATE sales_channels SET shop_name = CASE WHEN ? = '' THEN shop_name ELSE ? END, tested_at = ?, test_error = ? WHERE id = ? AND account_id = ?",
		shop.Name, shop.Name, db.now(), msg, id, merchantID); err != nil {
		return shop, fmt.Errorf("store: test sales channel: %w", err)
	}
	return shop, testErr
}
