package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/dropline/dropline/store/channel"
)

// ChannelWebhookPath is where connected stores deliver their webhooks,
// followed by the store's webhook token.
const ChannelWebhookPath = "/api/v1/webhooks/channels/"

// ErrWebhookSignature is the error of a delivery that is not signed with the
// store's secret: nothing of it is kept.
var ErrWebhookSignature = channel.ErrSignature

// RegisterChannelWebhooks subscribes Dropline to the new and changed orders
// of one of the merchant's stores, through its adapter with client (the
// guarded client), delivering to base (the scheme and host people reach
// this Dropline at) + ChannelWebhookPath + the store's token. The token,
// and for WooCommerce the signing secret, are made the first time and
// saved before the platform is called, since WooCommerce pings the new
// address at once. What the platform answered is kept on the store, and
// registering again keeps the webhooks that are there.
func (db *DB) RegisterChannelWebhooks(ctx context.Context, actor Actor, merchantID, id int64, base string, client *http.Client) ([]channel.Subscription, error) {
	var conn channel.Conn
	var kind, name, token, secret string
	err := db.rqRow(ctx, `SELECT kind, name, base_url, access_token, consumer_key, consumer_secret, webhook_token, webhook_secret
		FROM sales_channels WHERE id = ? AND account_id = ?`, id, merchantID).
		Scan(&kind, &name, &conn.BaseURL, &conn.Token, &conn.Key, &conn.Secret, &token, &secret)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: sales channel %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: register webhooks: %w", err)
	}
	conn.Kind, conn.HTTP = channel.Kind(kind), client
	ch, err := channel.New(conn)
	if err != nil {
		return nil, db.webhookProblem(ctx, merchantID, id, err)
	}
	reg, ok := ch.(channel.WebhookRegistrar)
	if !ok || !channel.HasWebhooks(conn.Kind) {
		return nil, db.webhookProblem(ctx, merchantID, id, Conflict(channelName(kind)+" cannot send orders by webhook: its orders come in with the pull every few minutes."))
	}
	if secret == "" && conn.Kind == channel.Shopify {
		return nil, db.webhookProblem(ctx, merchantID, id, Conflict(
			"Enter the custom app's API secret key first (Shopify admin → Apps → the app → API credentials): Shopify signs its webhooks with it, and Dropline refuses deliveries it cannot check."))
	}
	if token == "" || secret == "" {
		// Only blanks are filled, and what is stored is read back: two
		// registrations at once agree on one token and secret.
		if _, err := db.write.ExecContext(ctx, `UPDATE sales_channels SET webhook_token = CASE WHEN webhook_token = '' THEN ? ELSE webhook_token END,
			webhook_secret = CASE WHEN webhook_secret = '' THEN ? ELSE webhook_secret END WHERE id = ? AND account_id = ?`,
			randomToken(24), randomToken(32), id, merchantID); err != nil {
			return nil, fmt.Errorf("store: register webhooks: %w", err)
		}
		if err := db.write.QueryRowContext(ctx, "SELECT webhook_token, webhook_secret FROM sales_channels WHERE id = ? AND account_id = ?", id, merchantID).
			Scan(&token, &secret); err != nil {
			return nil, fmt.Errorf("store: register webhooks: %w", err)
		}
	}
	callback := strings.TrimRight(base, "/") + ChannelWebhookPath + token
	subs, regErr := reg.RegisterWebhooks(ctx, callback, secret)
	var ids []string
	var topics []string
	for _, s := range subs {
		ids = append(ids, s.Topic+"="+s.ID)
		topics = append(topics, s.Topic)
	}
	msg := ""
	var registered any // NULL: not (fully) registered
	if regErr != nil {
		msg = WebhookMessage(regErr)
	} else {
		registered = db.now()
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return subs, errors.Join(regErr, fmt.Errorf("store: register webhooks: %w", err))
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE sales_channels SET webhook_url = ?, webhook_ids = ?, webhooks_registered_at = ?, webhook_error = ?
		WHERE id = ? AND account_id = ?`, callback, strings.Join(ids, "\n"), registered, msg, id, merchantID); err != nil {
		return subs, errors.Join(regErr, fmt.Errorf("store: register webhooks: %w", err))
	}
	detail := name + ": " + strings.Join(topics, ", ")
	if regErr != nil {
		detail += " (failed: " + msg + ")"
	}
	if err := db.audit(ctx, tx, actor, merchantID, "sales_channel.webhooks", "sales_channel", id, detail); err != nil {
		return subs, errors.Join(regErr, fmt.Errorf("store: register webhooks: %w", err))
	}
	if err := tx.Commit(); err != nil {
		return subs, errors.Join(regErr, fmt.Errorf("store: register webhooks: %w", err))
	}
	return subs, regErr
}

// webhookProblem keeps why the store's webhooks could not be registered
// and returns err.
func (db *DB) webhookProblem(ctx context.Context, merchantID, id int64, err error) error {
	if _, uerr := db.write.ExecContext(ctx, "UPDATE sales_channels SET webhook_error = ? WHERE id = ? AND account_id = ?",
		WebhookMessage(err), id, merchantID); uerr != nil {
		return errors.Join(err, fmt.Errorf("store: register webhooks: %w", uerr))
	}
	return err
}

// WebhookMessage says why a store's webhooks could not be registered: the
// platform's answer as the adapter worded it, or Dropline's reason.
func WebhookMessage(err error) string {
	var ce *channel.Error
	switch {
	case errors.As(err, &ce):
		return ce.Message
	case Message(err) != "":
		return Message(err)
	case errors.Is(err, context.DeadlineExceeded):
		return "The store did not answer in time: try again."
	}
	return "Registering the webhooks failed: " + err.Error()
}

// WebhookOutcome says what a store's webhook delivery did.
type WebhookOutcome struct {
	Store   string // the store's name
	Result  string // one of the Webhook* results
	OrderID int64  // the order created or found, 0 for none
	Problem string // why the order was not imported
}

// What a delivery did.
const (
	WebhookCreated     = "created"      // a new order
	WebhookUnchanged   = "unchanged"    // Dropline had the order: nothing new
	WebhookCancelled   = "cancelled"    // an order Dropline had is now marked cancelled on the store
	WebhookReinstated  = "reinstated"   // the store took the order back from cancelled
	WebhookNotImported = "not_imported" // cancelled before Dropline had it, or not an order Dropline can take (Problem says why)
	WebhookIgnored     = "ignored"      // carries no order (another topic)
	WebhookPaused      = "paused"       // the store is paused: kept for the pull after it resumes
	WebhookPing        = "ping"         // the platform checking the address
)

// ReceiveChannelWebhook takes a delivery to ChannelWebhookPath + token. It
// returns ErrNotFound for an unknown token and ErrWebhookSignature for a
// delivery not signed with the store's secret, keeping nothing of either.
// A signed order is recorded exactly as a pull records it (new, already in
// Dropline, cancelled on the store); one Dropline cannot take is kept in
// the rejected webhooks with its reason. A paused store's deliveries are
// accepted and left alone: pausing stops orders coming in, and the pull
// after the store resumes starts from where it stopped, so nothing is lost.
func (db *DB) ReceiveChannelWebhook(ctx context.Context, token string, h http.Header, body []byte) (WebhookOutcome, error) {
	var out WebhookOutcome
	if token == "" {
		return out, fmt.Errorf("store: webhook: %w", ErrNotFound)
	}
	var merchantID int64
	var store storeRef
	var kind, secret string
	var paused bool
	err := db.rqRow(ctx, "SELECT id, account_id, kind, name, webhook_secret, paused FROM sales_channels WHERE webhook_token = ? AND "+liveAccount("sales_channels.account_id"), token).
		Scan(&store.id, &merchantID, &kind, &store.name, &secret, &paused)
	if errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("store: webhook: %w", ErrNotFound)
	}
	if err != nil {
		return out, fmt.Errorf("store: webhook: %w", err)
	}
	store.kind, out.Store = channel.Kind(kind), store.name
	d, readErr := channel.ReadWebhook(store.kind, h, body, secret)
	if errors.Is(readErr, channel.ErrSignature) {
		return out, fmt.Errorf("store: webhook for %s: %w", store.name, readErr)
	}
	if d.Ping && readErr == nil {
		out.Result = WebhookPing
		return out, nil
	}
	if _, err := db.write.ExecContext(ctx, "UPDATE sales_channels SET webhook_received_at = ? WHERE id = ?", db.now(), store.id); err != nil {
		return out, fmt.Errorf("store: webhook: %w", err)
	}
	source := fmt.Sprintf("%s webhook %s (%s)", channelName(kind), d.Topic, store.name)
	switch {
	case paused:
		out.Result = WebhookPaused
		return out, nil
	case readErr != nil:
		out.Result, out.Problem = WebhookNotImported, readErr.Error()
		return out, db.RejectWebhook(ctx, merchantID, source, out.Problem, body)
	case d.Order == nil:
		out.Result = WebhookIgnored
		return out, nil
	}
	var res SyncResult
	if err := db.recordChannelOrders(ctx, merchantID, store, []channel.Order{*d.Order}, &res); err != nil {
		return out, fmt.Errorf("store: webhook for %s: %w", store.name, err)
	}
	switch {
	case res.Created > 0:
		out.Result = WebhookCreated
	case res.CancelledLater > 0:
		out.Result = WebhookCancelled
	case res.Reinstated > 0:
		out.Result = WebhookReinstated
	case res.Cancelled > 0:
		out.Result, out.Problem = WebhookNotImported, "the order was cancelled on the store before Dropline had it"
	case res.Invalid > 0:
		out.Result, out.Problem = WebhookNotImported, strings.Join(res.Problems, " ")
		return out, db.RejectWebhook(ctx, merchantID, source, out.Problem, body)
	default:
		out.Result = WebhookUnchanged
	}
	if len(res.OrderIDs) > 0 {
		out.OrderID = res.OrderIDs[0]
	}
	return out, nil
}

// ShopifyStoreByDomain returns the merchant's connected Shopify store whose
// shop is domain (name.myshopify.com, as Shopify's X-Shopify-Shop-Domain
// names it), or 0 when none is.
func (db *DB) ShopifyStoreByDomain(ctx context.Context, merchantID int64, domain string) (int64, error) {
	domain = strings.ToLower(strings.TrimSpace(domain))
	if domain == "" || strings.ContainsAny(domain, "/:@") {
		return 0, nil
	}
	var id int64
	err := db.rqRow(ctx, "SELECT id FROM sales_channels WHERE account_id = ? AND kind = 'shopify' AND base_url = ? ORDER BY id LIMIT 1",
		merchantID, "https://"+domain).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: shopify store %s: %w", domain, err)
	}
	return id, nil
}

// RemoveChannelWebhooks deletes, on the platform, the subscriptions that
// deliver one of the merchant's stores' orders to Dropline (before the
// store is removed: a removed store's webhooks would otherwise go on
// delivering to an address that no longer answers), over client. It
// returns how many it deleted: 0, and no call, when none were registered.
func (db *DB) RemoveChannelWebhooks(ctx context.Context, merchantID, id int64, client *http.Client) (int, error) {
	var conn channel.Conn
	var kind, callback string
	err := db.rqRow(ctx, `SELECT kind, base_url, access_token, consumer_key, consumer_secret, webhook_url FROM sales_channels WHERE id = ? AND account_id = ?`,
		id, merchantID).Scan(&kind, &conn.BaseURL, &conn.Token, &conn.Key, &conn.Secret, &callback)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: sales channel %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("store: remove webhooks: %w", err)
	}
	if callback == "" {
		return 0, nil
	}
	conn.Kind, conn.HTTP = channel.Kind(kind), client
	ch, err := channel.New(conn)
	if err != nil {
		return 0, err
	}
	reg, ok := ch.(channel.WebhookRegistrar)
	if !ok {
		return 0, nil
	}
	return reg.RemoveWebhooks(ctx, callback)
}
