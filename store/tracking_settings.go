package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/dropline/dropline/store/tracking"
)

// TrackingWebhookPath is where tracking providers deliver their updates,
// followed by the account's webhook token.
const TrackingWebhookPath = "/api/v1/webhooks/tracking/"

// Defaults of an account's tracking rules.
const (
	DefaultNotMovingHours = 48
	DefaultDeliveryDays   = 7
)

// TrackingSettings is an account's tracking provider, as Settings →
// Carriers shows it: never its credentials, only whether they are set.
type TrackingSettings struct {
	Provider     tracking.Kind // "" when tracking updates are off
	HasAPIKey    bool
	KeyHint      string // the API key's last four characters
	HasSecret    bool
	WebhookToken string // "" until a provider was first chosen
	// NotMovingHours: a shipment with no carrier scan this long after the
	// end of its ship date is flagged as not moving.
	NotMovingHours int
	// DeliveryDays: a delivery this many days or fewer after the ship date
	// is on time on the scorecards this account reads.
	DeliveryDays      int
	WebhookReceivedAt *time.Time
	// WebhookRef is the provider's ID of the webhook Dropline registered
	// with it by API, "" when none was.
	WebhookRef string
	// EarlierQueued is how many shipments saved before the provider was
	// chosen the save queued for registration with it (SaveTrackingSettings'
	// answer only).
	EarlierQueued int
}

// WebhookURL is where the provider delivers, given the base people reach
// this Dropline at; "" before there is a token.
func (s TrackingSettings) WebhookURL(base string) string {
	if s.WebhookToken == "" {
		return ""
	}
	return strings.TrimRight(base, "/") + TrackingWebhookPath + s.WebhookToken
}

// TrackingSettingsInput is the tracking form as posted. A blank API key or
// secret keeps the one saved for the same provider.
type TrackingSettingsInput struct {
	Provider       string
	APIKey         string
	WebhookSecret  string
	NotMovingHours int
	DeliveryDays   int
}

// TrackingSettings returns the account's tracking provider and rules.
func (db *DB) TrackingSettings(ctx context.Context, accountID int64) (TrackingSettings, error) {
	return trackingSettingsIn(ctx, db.read, accountID)
}

func trackingSettingsIn(ctx context.Context, q querier, accountID int64) (TrackingSettings, error) {
	s := TrackingSettings{NotMovingHours: DefaultNotMovingHours, DeliveryDays: DefaultDeliveryDays}
	var kind, key, secret string
	err := q.QueryRowContext(ctx, `SELECT provider, api_key, webhook_secret, webhook_token, not_moving_hours, delivery_days, webhook_received_at, webhook_ref
		FROM tracking_settings WHERE account_id = ?`, accountID).Scan(&kind, &key, &secret, &s.WebhookToken, &s.NotMovingHours, &s.DeliveryDays, &s.WebhookReceivedAt,
		&s.WebhookRef)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("store: tracking settings: %w", err)
	}
	s.Provider, s.HasAPIKey, s.HasSecret = tracking.Kind(kind), key != "", secret != ""
	if len(key) >= 8 {
		s.KeyHint = key[len(key)-4:]
	}
	return s, nil
}

// credential checks an API key or secret as typed: printable, no spaces
// (a key pasted with its line break would never work).
func credential(c checks, field, value, what string) {
	switch {
	case len(value) > 200:
		c.add(field, "Use at most 200 characters.")
	case strings.IndexFunc(value, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0:
		c.add(field, "The "+what+" has a space or an invisible character in it: paste it again.")
	}
}

// SaveTrackingSettings sets the account's tracking provider and rules.
// Choosing a provider needs its API key and webhook secret (blank keeps
// those saved for the same provider); choosing none turns tracking
// updates off and forgets the credentials. The webhook address's token
// is made the first time and kept.
func (db *DB) SaveTrackingSettings(ctx context.Context, actor Actor, accountID int64, in TrackingSettingsInput) (TrackingSettings, error) {
	in.APIKey, in.WebhookSecret = strings.TrimSpace(in.APIKey), strings.TrimSpace(in.WebhookSecret)
	c := checks{}
	kind := tracking.Kind(in.Provider)
	c.check(kind == "" || slices.Contains(tracking.Kinds, kind), "provider", "Choose AfterShip, EasyPost or none.")
	c.check(in.NotMovingHours >= 12 && in.NotMovingHours <= 720, "not_moving_hours", "Use between 12 and 720 hours.")
	c.check(in.DeliveryDays >= 1 && in.DeliveryDays <= 60, "delivery_days", "Use between 1 and 60 days.")
	credential(c, "api_key", in.APIKey, "API key")
	credential(c, "webhook_secret", in.WebhookSecret, "webhook secret")
	tx, err := db.begin(ctx)
	if err != nil {
		return TrackingSettings{}, fmt.Errorf("store: tracking settings: %w", err)
	}
	defer tx.Rollback()
	if err := accountExists(ctx, tx, accountID); err != nil {
		return TrackingSettings{}, fmt.Errorf("store: tracking settings of %d: %w", accountID, err)
	}
	var was, key, secret, token, hook string
	err = tx.QueryRowContext(ctx, "SELECT provider, api_key, webhook_secret, webhook_token, webhook_ref FROM tracking_settings WHERE account_id = ?", accountID).
		Scan(&was, &key, &secret, &token, &hook)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return TrackingSettings{}, fmt.Errorf("store: tracking settings: %w", err)
	}
	if was != string(kind) {
		// Another provider's credentials and webhook are no use to this one.
		key, secret, hook = "", "", ""
	}
	if in.APIKey != "" {
		key = in.APIKey
	}
	if in.WebhookSecret != "" {
		secret = in.WebhookSecret
	}
	if kind != "" {
		c.check(key != "", "api_key", "Enter the "+kind.Name()+" API key.")
		c.check(secret != "", "webhook_secret", "Enter the secret "+kind.Name()+" signs its webhooks with: Dropline refuses updates it cannot check.")
	} else {
		key, secret = "", ""
	}
	if err := c.err(); err != nil {
		return TrackingSettings{}, err
	}
	if token == "" {
		token = randomToken(24)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO tracking_settings (account_id, provider, api_key, webhook_secret, webhook_token, not_moving_hours, delivery_days, updated_at,
		webhook_ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET provider = excluded.provider, api_key = excluded.api_key,
		webhook_secret = excluded.webhook_secret, not_moving_hours = excluded.not_moving_hours, delivery_days = excluded.delivery_days, updated_at = excluded.updated_at,
		webhook_ref = excluded.webhook_ref`,
		accountID, string(kind), key, secret, token, in.NotMovingHours, in.DeliveryDays, db.now(), hook); err != nil {
		return TrackingSettings{}, fmt.Errorf("store: tracking settings: %w", err)
	}
	queued := 0
	if kind != "" && was != string(kind) {
		// Turned on, or another provider: the open shipments it should
		// follow that no provider follows now are registered with it too.
		if queued, err = followEarlierShipments(ctx, tx, accountID, kind, db.now()); err != nil {
			return TrackingSettings{}, fmt.Errorf("store: tracking settings: %w", err)
		}
	}
	detail := "off"
	if kind != "" {
		detail = kind.Name()
	}
	detail += fmt.Sprintf(", not moving after %d h, on time within %d days", in.NotMovingHours, in.DeliveryDays)
	if queued > 0 {
		detail += fmt.Sprintf(", %d earlier shipments queued for registration", queued)
	}
	if err := db.audit(ctx, tx, actor, accountID, "tracking.settings", "account", accountID, detail); err != nil {
		return TrackingSettings{}, fmt.Errorf("store: tracking settings: %w", err)
	}
	set, err := trackingSettingsIn(ctx, tx, accountID)
	if err != nil {
		return set, err
	}
	set.EarlierQueued = queued
	return set, tx.Commit()
}

// EarlierShipmentDays is how far back, by ship date, turning tracking
// updates on reaches for shipments saved before: an older parcel that is
// still not delivered is more likely lost than moving.
const EarlierShipmentDays = 30

// followEarlierShipments queues, in tx, the registration with kind (the
// provider accountID has just chosen) of the open shipments of the last
// EarlierShipmentDays that accountID's provider should follow, and returns
// how many it queued.
//
// Which shipments: a shipment is followed by one account, its
// tracking_account_id, chosen when it is saved (the merchant's provider
// when it has one, else the supplier's; NULL when neither had one). Turning
// a provider on takes the shipments already the account's (registered with
// another provider before a switch, or never registered because the
// registration failed or was refused), and those that no provider follows
// now (tracking_account_id NULL, or an account that has since turned its
// provider off): a merchant takes those of its own orders; a supplier those
// it shipped to merchants that have no provider now, since a merchant's
// provider comes first. A shipment another account's provider follows stays
// with it: moving it would leave a tracker nobody reads.
//
// Each is queued once: not one registered with this provider by this
// account already (a sent registration made it so), and not one with a
// registration of this account's still pending (it is sent with the
// provider the account has when it goes; another account's pending one is
// refused when it goes, as that account no longer follows the shipment). A shipment registered with the previous provider is
// registered again with the new one: the old one's webhooks are refused now.
func followEarlierShipments(ctx context.Context, tx dbtx, accountID int64, kind tracking.Kind, now time.Time) (int, error) {
	since := now.AddDate(0, 0, -EarlierShipmentDays).Format(time.DateOnly)
	type earlier struct {
		msg             trackerMessage
		merchant, order int64
	}
	var list []earlier
	err := eachRow(ctx, tx, `SELECT s.id, s.merchant_id, po.order_id, po.po_number, s.carrier, s.tracking_number, s.ship_date
		FROM shipments s JOIN purchase_orders po ON po.id = s.po_id
		LEFT JOIN tracking_settings ta ON ta.account_id = s.tracking_account_id
		LEFT JOIN tracking_settings tm ON tm.account_id = s.merchant_id
		WHERE (s.merchant_id = ? OR s.supplier_id = ?) AND s.delivered_at IS NULL AND s.ship_date >= ?
			AND (s.tracking_account_id = ? OR (coalesce(ta.provider, '') = '' AND (s.merchant_id = ? OR coalesce(tm.provider, '') = '')))
			AND NOT (s.tracking_registered_at IS NOT NULL AND s.tracking_provider = ? AND s.tracking_account_id = ?)
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.shipment_id = s.id AND o.account_id = ? AND o.topic = ? AND o.state = 'pending')
		ORDER BY s.id`, []any{accountID, accountID, since, accountID, accountID, string(kind), accountID, accountID, TopicTrackingRegister},
		func(rows *sql.Rows) error {
			var e earlier
			m := &e.msg
			if err := rows.Scan(&m.ShipmentID, &e.merchant, &e.order, &m.Title, &m.Carrier, &m.Number, &m.ShipDate); err != nil {
				return err
			}
			list = append(list, e)
			return nil
		})
	if err != nil || len(list) == 0 {
		return 0, err
	}
	rows := make([][]any, 0, len(list))
	ids := make([]int64, 0, len(list))
	for _, e := range list {
		body, err := json.Marshal(e.msg)
		if err != nil {
			return 0, err
		}
		m := OutboxMessage{AccountID: accountID, Kind: OutboxChannel, Topic: TopicTrackingRegister, Recipient: string(kind), Body: string(body), ShipmentID: e.msg.ShipmentID}
		if e.merchant == accountID {
			m.OrderID = e.order // the order is the merchant's: a supplier's outbox does not point at it
		}
		rows = append(rows, outboxRow(m, now))
		ids = append(ids, e.msg.ShipmentID)
	}
	for part := range slices.Chunk(ids, 500) {
		in, set := oneOf("id", part)
		if _, err := tx.ExecContext(ctx, `UPDATE shipments SET tracking_account_id = ?, tracking_provider = ?, tracking_ref = '', tracking_registered_at = NULL
			WHERE `+in, accountID, string(kind), set); err != nil {
			return 0, err
		}
	}
	if err := insertRows(ctx, tx, "outbox", outboxCols, rows); err != nil {
		return 0, err
	}
	return len(list), nil
}

// trackingWebhookSource is how a rejected tracking webhook is listed.
func trackingWebhookSource(kind tracking.Kind) string {
	return "Tracking webhook (" + kind.Name() + ")"
}

// RejectedTrackingWebhooks lists the account's newest refused tracking
// webhooks: Settings → Carriers shows them to every kind of account.
func (db *DB) RejectedTrackingWebhooks(ctx context.Context, accountID int64, limit int) ([]RejectedWebhook, error) {
	rows, err := db.rq(ctx, "SELECT id, received_at, source, reason, body FROM rejected_webhooks WHERE account_id = ? AND source LIKE 'Tracking webhook%' ORDER BY id DESC LIMIT ?",
		accountID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: rejected tracking webhooks: %w", err)
	}
	defer rows.Close()
	var out []RejectedWebhook
	for rows.Next() {
		var w RejectedWebhook
		if err := rows.Scan(&w.ID, &w.ReceivedAt, &w.Source, &w.Reason, &w.Body); err != nil {
			return nil, fmt.Errorf("store: rejected tracking webhooks: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// ErrWebhookByHand is the error of registering the webhook with a
// provider whose API cannot add one (AfterShip): its admin pastes the
// address in the provider instead.
var ErrWebhookByHand = errors.New("the provider's API cannot add webhooks: add the address in the provider")

// TrackingWebhook is the webhook Dropline registered with the provider.
type TrackingWebhook struct {
	Ref     string // the provider's ID of it
	Created bool   // false: the provider had one for the address, whose secret was set
}

// RegisterTrackingWebhook registers hookURL (the account's webhook
// address) with the account's provider by API, signed with its webhook
// secret, and keeps the provider's ID of it. Pressed again it makes no
// second webhook: the provider's one for the address gets the secret
// saved now. Tracking updates off is ErrConflict; a provider without such
// an API is ErrWebhookByHand; the provider's refusal is a *tracking.Error.
func (db *DB) RegisterTrackingWebhook(ctx context.Context, actor Actor, accountID int64, hookURL string, api TrackingAPI) (TrackingWebhook, error) {
	var out TrackingWebhook
	var kind, key, secret string
	err := db.rqRow(ctx, "SELECT provider, api_key, webhook_secret FROM tracking_settings WHERE account_id = ?", accountID).Scan(&kind, &key, &secret)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (kind == "" || key == "" || secret == "")) {
		return out, fmt.Errorf("store: register tracking webhook: tracking updates are off: %w", ErrConflict)
	}
	if err != nil {
		return out, fmt.Errorf("store: register tracking webhook: %w", err)
	}
	p, err := api.provider(tracking.Kind(kind), key)
	if err != nil {
		return out, fmt.Errorf("store: register tracking webhook: %w", err)
	}
	reg, ok := p.(tracking.WebhookRegistrar)
	if !ok {
		return out, ErrWebhookByHand
	}
	if out.Ref, out.Created, err = reg.RegisterWebhook(ctx, hookURL, secret); err != nil {
		return out, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return out, fmt.Errorf("store: register tracking webhook: %w", err)
	}
	defer tx.Rollback()
	// Only while the provider is still the one asked: a switch since
	// forgets the webhook.
	if _, err := tx.ExecContext(ctx, "UPDATE tracking_settings SET webhook_ref = ? WHERE account_id = ? AND provider = ?", out.Ref, accountID, kind); err != nil {
		return out, fmt.Errorf("store: register tracking webhook: %w", err)
	}
	what := "updated"
	if out.Created {
		what = "created"
	}
	if err := db.audit(ctx, tx, actor, accountID, "tracking.webhook", "account", accountID, tracking.Kind(kind).Name()+" webhook "+out.Ref+" "+what); err != nil {
		return out, fmt.Errorf("store: register tracking webhook: %w", err)
	}
	return out, tx.Commit()
}
