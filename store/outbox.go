package store

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/dropline/dropline/store/channel"
	"github.com/dropline/dropline/store/fetch"
	"github.com/dropline/dropline/store/tracking"
)

// Outbox message kinds.
const (
	OutboxEmail   = "email"
	OutboxWebhook = "webhook"
	OutboxChannel = "channel" // an update to the order's sales channel
)

// WebhookEvents are the events an account can receive at its endpoints.
var WebhookEvents = []string{"order.dropshipped", "purchase_order.created", "shipment.created", "purchase_order.cancelled"}

// webhookEventSides says which kind of account receives each event: the
// merchant hears of its orders' POs and parcels, the supplier of the POs
// routed to it; both hear of an accepted cancellation.
var webhookEventSides = map[string][]string{
	"order.dropshipped":        {KindMerchant},
	"purchase_order.created":   {KindSupplier},
	"shipment.created":         {KindMerchant},
	"purchase_order.cancelled": {KindMerchant, KindSupplier},
}

// WebhookEventsFor are the events an account of kind can receive, in WebhookEvents order.
func WebhookEventsFor(kind string) []string {
	var out []string
	for _, e := range WebhookEvents {
		if kind == KindBoth || slices.Contains(webhookEventSides[e], kind) {
			out = append(out, e)
		}
	}
	return out
}

// maxAttempts is how many times a message is tried before it is marked failed.
const maxAttempts = 6

// backoff is the wait before each retry.
var backoff = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 12 * time.Hour}

// OutboxMessage is a message waiting to be sent, sent, or failed.
type OutboxMessage struct {
	ID            int64
	AccountID     int64
	OrderID       int64
	Kind          string
	Topic         string
	Recipient     string
	FromName      string // an email's sender display name ("" for Dropline's own)
	ReplyTo       string // an email's reply-to address, if any
	Subject       string
	Body          string
	HTML          string // an email's HTML part, "" for plain text alone
	State         string
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	WaitingFor    string // the transport a pending message waits for: "smtp", "channel", or ""
	// ShipmentID is the shipment a store update writes back, 0 for other messages.
	ShipmentID int64
	CreatedAt  time.Time
	SentAt     *time.Time
}

func (db *DB) enqueue(ctx context.Context, tx dbtx, m OutboxMessage) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (`+strings.Join(outboxCols, ", ")+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, outboxRow(m, db.now())...)
	return err
}

// outboxCols are the columns of outboxRow's values.
var outboxCols = []string{"account_id", "order_id", "kind", "topic", "recipient", "subject", "body", "next_attempt_at", "created_at", "from_name", "reply_to", "shipment_id",
	"html_body"}

// outboxRow is a new message's values, in outboxCols order; it is due at
// once unless it says when.
func outboxRow(m OutboxMessage, now time.Time) []any {
	var order any
	if m.OrderID != 0 {
		order = m.OrderID
	}
	var shipment any
	if m.ShipmentID != 0 {
		shipment = m.ShipmentID
	}
	if m.NextAttemptAt.IsZero() {
		m.NextAttemptAt = now
	}
	return []any{m.AccountID, order, m.Kind, m.Topic, m.Recipient, m.Subject, m.Body, m.NextAttemptAt, now, m.FromName, m.ReplyTo, shipment, m.HTML}
}

// webhookURLs are the account's endpoints that want event.
func webhookURLs(ctx context.Context, tx dbtx, accountID int64, event string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT url, events FROM webhook_endpoints WHERE account_id = ? AND disabled_at IS NULL", accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var urls []string
	for rows.Next() {
		var u, events string
		if err := rows.Scan(&u, &events); err != nil {
			return nil, err
		}
		if slices.Contains(strings.Split(events, ","), event) {
			urls = append(urls, u)
		}
	}
	return urls, rows.Err()
}

// queueEvent posts an event to each of the account's endpoints that wants it.
func (db *DB) queueEvent(ctx context.Context, tx dbtx, accountID, orderID int64, event string, data any, at time.Time) error {
	urls, err := webhookURLs(ctx, tx, accountID, event)
	if err != nil || len(urls) == 0 {
		return err
	}
	body, err := json.Marshal(map[string]any{"event": event, "created_at": db.now(), "data": data})
	if err != nil {
		return err
	}
	for _, u := range urls {
		if err := db.enqueue(ctx, tx, OutboxMessage{AccountID: accountID, OrderID: orderID, Kind: OutboxWebhook, Topic: event, Recipient: u, Body: string(body), NextAttemptAt: at}); err != nil {
			return err
		}
	}
	return nil
}

// queuePOCreated queues what a new PO sends: an email to the supplier's
// users once the PO is released (a supplier reached by email: the PO
// itself, with a signed link, to each of its order addresses), and the two
// accounts' webhooks.
func (db *DB) queuePOCreated(ctx context.Context, tx dbtx, merchant Account, supplierID, orderID, poID int64, number string, release time.Time) error {
	rows, err := tx.QueryContext(ctx, "SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.account_id = ? ORDER BY u.email", supplierID)
	if err != nil {
		return err
	}
	var emails []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			rows.Close()
			return err
		}
		emails = append(emails, e)
	}
	rows.Close()
	body := fmt.Sprintf("%s (%s) has sent you a new dropship order: %s.\n\nOpen it in Dropline under Dropship orders to acknowledge it, print the packing slip and add tracking.\n", merchant.Name, merchant.PublicID, number)
	for _, e := range emails {
		if err := db.enqueue(ctx, tx, OutboxMessage{AccountID: supplierID, Kind: OutboxEmail, Topic: "po.new", Recipient: e,
			Subject: "New dropship order " + number + " from " + merchant.Name, Body: body, NextAttemptAt: release}); err != nil {
			return err
		}
	}
	if _, err := db.emailPO(ctx, tx, poID, LinkNew, Actor{}, release); err != nil {
		return err
	}
	data := map[string]any{"purchase_order_id": poID, "po_number": number, "order_id": orderID}
	if err := db.queueEvent(ctx, tx, merchant.ID, orderID, "order.dropshipped", data, db.now()); err != nil {
		return err
	}
	return db.queueEvent(ctx, tx, supplierID, 0, "purchase_order.created", data, release)
}

// Outbox states a list can be filtered on, beside the stored pending, sent and failed.
const (
	// OutboxStuck is what cannot be delivered: failed, or waiting for a
	// transport that is not configured (no SMTP server, no sales channel
	// connection).
	OutboxStuck = "stuck"
)

// OutboxFilter selects outbox messages; an empty field selects all.
type OutboxFilter struct {
	Kind  string // OutboxEmail, OutboxWebhook or OutboxChannel
	State string // pending, sent, failed or OutboxStuck
}

// Outbox lists the acting account's newest messages, optionally in one state.
func (db *DB) Outbox(ctx context.Context, accountID int64, state string, limit int) ([]OutboxMessage, error) {
	return db.OutboxList(ctx, accountID, OutboxFilter{State: state}, limit)
}

// OutboxList lists the acting account's newest messages that f selects.
func (db *DB) OutboxList(ctx context.Context, accountID int64, f OutboxFilter, limit int) ([]OutboxMessage, error) {
	q := `SELECT id, account_id, coalesce(order_id, 0), kind, topic, recipient, from_name, reply_to, subject, body, html_body, state, attempts, next_attempt_at, last_error,
		coalesce(waiting_for, ''), created_at, sent_at
		FROM outbox WHERE account_id = ?`
	args := []any{accountID}
	if f.Kind != "" {
		q, args = q+" AND kind = ?", append(args, f.Kind)
	}
	if f.State == OutboxStuck {
		q += " AND (state = 'failed' OR waiting_for IS NOT NULL)"
	} else if f.State != "" {
		term, a := outboxStateTerm(f.State)
		q, args = q+term, append(args, a...)
	}
	rows, err := db.rq(ctx, q+" ORDER BY id DESC LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() {
		var m OutboxMessage
		if err := rows.Scan(&m.ID, &m.AccountID, &m.OrderID, &m.Kind, &m.Topic, &m.Recipient, &m.FromName, &m.ReplyTo, &m.Subject, &m.Body, &m.HTML, &m.State, &m.Attempts,
			&m.NextAttemptAt, &m.LastError, &m.WaitingFor, &m.CreatedAt, &m.SentAt); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// OutboxCount counts the acting account's messages in a state.
func (db *DB) OutboxCount(ctx context.Context, accountID int64, state string) (int, error) {
	return db.OutboxFilterCount(ctx, accountID, OutboxFilter{State: state})
}

// OutboxFilterCount counts the acting account's messages that f selects.
// Stuck ones are counted as failed plus waiting, so that each count reads
// its own partial index.
func (db *DB) OutboxFilterCount(ctx context.Context, accountID int64, f OutboxFilter) (int, error) {
	if f.State == OutboxStuck {
		failed, err := db.OutboxFilterCount(ctx, accountID, OutboxFilter{Kind: f.Kind, State: "failed"})
		if err != nil {
			return 0, err
		}
		q, args := "SELECT count(*) FROM outbox WHERE waiting_for IS NOT NULL AND account_id = ?", []any{accountID}
		if f.Kind != "" {
			// Each kind waits for its own transport: say which, for the index.
			q, args = "SELECT count(*) FROM outbox WHERE waiting_for = ? AND account_id = ?", []any{transportOf[f.Kind], accountID}
		}
		var waiting int
		if err := db.rqRow(ctx, q, args...).Scan(&waiting); err != nil {
			return 0, fmt.Errorf("store: outbox count: %w", err)
		}
		return failed + waiting, nil
	}
	q, args := "SELECT count(*) FROM outbox WHERE account_id = ?", []any{accountID}
	if f.Kind != "" {
		q, args = q+" AND kind = ?", append(args, f.Kind)
	}
	if f.State != "" {
		term, a := outboxStateTerm(f.State)
		q, args = q+term, append(args, a...)
	}
	var n int
	if err := db.rqRow(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: outbox count: %w", err)
	}
	return n, nil
}

// outboxStateTerm selects the messages in a state. Failed ones are spelled
// as outbox_account_failed's condition: SQLite reads a partial index only
// for a query that says its condition, not for a bound value.
func outboxStateTerm(state string) (string, []any) {
	if state == "failed" {
		return " AND state = 'failed'", nil
	}
	return " AND state = ?", []any{state}
}

// RetryFailed puts the acting account's failed messages back in the queue.
func (db *DB) RetryFailed(ctx context.Context, actor Actor, accountID int64) (int, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: retry: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ? WHERE account_id = ? AND state = 'failed'", db.now(), accountID)
	if err != nil {
		return 0, fmt.Errorf("store: retry: %w", err)
	}
	n, _ := res.RowsAffected()
	if n > 0 {
		if err := db.audit(ctx, tx, actor, accountID, "outbox.retried", "account", accountID, fmt.Sprintf("%d messages", n)); err != nil {
			return 0, fmt.Errorf("store: retry: %w", err)
		}
	}
	return int(n), tx.Commit()
}

// WebhookEndpoint is a URL an account's events are posted to.
type WebhookEndpoint struct {
	ID        int64
	URL       string
	Events    []string
	CreatedAt time.Time
}

// WebhookEndpoints lists the acting account's endpoints.
func (db *DB) WebhookEndpoints(ctx context.Context, accountID int64) ([]WebhookEndpoint, error) {
	rows, err := db.rq(ctx, "SELECT id, url, events, created_at FROM webhook_endpoints WHERE account_id = ? AND disabled_at IS NULL ORDER BY id", accountID)
	if err != nil {
		return nil, fmt.Errorf("store: webhook endpoints: %w", err)
	}
	defer rows.Close()
	var out []WebhookEndpoint
	for rows.Next() {
		var e WebhookEndpoint
		var events string
		if err := rows.Scan(&e.ID, &e.URL, &events, &e.CreatedAt); err != nil {
			return nil, err
		}
		e.Events = strings.Split(events, ",")
		out = append(out, e)
	}
	return out, rows.Err()
}

// AddWebhookEndpoint adds an endpoint and returns its signing secret, shown once.
func (db *DB) AddWebhookEndpoint(ctx context.Context, actor Actor, accountID int64, rawURL string, events []string) (WebhookEndpoint, string, error) {
	rawURL = strings.TrimSpace(rawURL)
	acc, err := db.Account(ctx, accountID)
	if err != nil {
		return WebhookEndpoint{}, "", err
	}
	allowPrivate, err := db.AllowPrivateFeeds(ctx)
	if err != nil {
		return WebhookEndpoint{}, "", err
	}
	c := checks{}
	u, err := url.Parse(rawURL)
	c.check(err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil, "url", "Enter an http:// or https:// address without a password in it.")
	c.check(len(rawURL) <= 2048, "url", "Use at most 2048 characters.")
	if err == nil && !allowPrivate && fetch.PrivateHost(u.Hostname()) {
		c.add("url", "This address is on a private or local network. Webhooks go only to public internet addresses unless a platform admin allows private addresses (Accounts → Platform settings).")
	}
	offered := WebhookEventsFor(acc.Kind)
	for _, e := range events {
		switch {
		case !slices.Contains(WebhookEvents, e):
			c.add("events", fmt.Sprintf("There is no event %q.", e))
		case !slices.Contains(offered, e):
			c.add("events", fmt.Sprintf("A %s account does not receive %s: choose among %s.", acc.Kind, e, strings.Join(offered, ", ")))
		}
	}
	var keep []string
	for _, e := range offered {
		if slices.Contains(events, e) {
			keep = append(keep, e)
		}
	}
	c.check(len(keep) > 0, "events", "Choose at least one event.")
	if err := c.err(); err != nil {
		return WebhookEndpoint{}, "", err
	}
	secret := "whsec_" + randomToken(24)
	tx, err := db.begin(ctx)
	if err != nil {
		return WebhookEndpoint{}, "", fmt.Errorf("store: add endpoint: %w", err)
	}
	defer tx.Rollback()
	now := db.now()
	res, err := execInsert(ctx, tx, "INSERT INTO webhook_endpoints (account_id, url, secret, events, created_at) VALUES (?, ?, ?, ?, ?)", accountID, rawURL, secret, strings.Join(keep, ","), now)
	if err != nil {
		return WebhookEndpoint{}, "", fmt.Errorf("store: add endpoint: %w", err)
	}
	id, _ := res.LastInsertId()
	if err := db.audit(ctx, tx, actor, accountID, "webhook.added", "webhook_endpoint", id, rawURL); err != nil {
		return WebhookEndpoint{}, "", fmt.Errorf("store: add endpoint: %w", err)
	}
	return WebhookEndpoint{ID: id, URL: rawURL, Events: keep, CreatedAt: now}, secret, tx.Commit()
}

// RemoveWebhookEndpoint stops posting to one of the acting account's endpoints.
func (db *DB) RemoveWebhookEndpoint(ctx context.Context, actor Actor, accountID, id int64) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: remove endpoint: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "UPDATE webhook_endpoints SET disabled_at = ? WHERE id = ? AND account_id = ? AND disabled_at IS NULL", db.now(), id, accountID)
	if err != nil {
		return fmt.Errorf("store: remove endpoint: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: remove endpoint %d: %w", id, ErrNotFound)
	}
	if err := db.audit(ctx, tx, actor, accountID, "webhook.removed", "webhook_endpoint", id, ""); err != nil {
		return fmt.Errorf("store: remove endpoint: %w", err)
	}
	return tx.Commit()
}

// Email is one email as a Mailer sends it: plain text, with an HTML
// alternative when HTML is set.
type Email struct {
	To       string
	FromName string // the sender's display name beside the configured address; "" keeps the configured one
	ReplyTo  string // "" for none
	Subject  string
	Body     string
	HTML     string // "" for plain text alone
}

// Mailer sends one email.
type Mailer interface {
	Send(ctx context.Context, e Email) error
}

// Deliverer sends due outbox messages: emails through the Mailer (none
// configured: they wait, readable on the Outbox page), webhooks signed with
// HMAC-SHA256 in X-Dropline-Signature. Failures are retried with backoff and
// marked failed after maxAttempts.
type Deliverer struct {
	DB     *DB
	Mailer Mailer // nil: no SMTP configured
	// HTTP overrides the client webhooks are posted with (tests). When nil,
	// each pass uses Fetcher's guarded client, which refuses to dial
	// private, local or reserved addresses unless the platform admin
	// allows them (the same setting as feed URLs).
	HTTP    *http.Client
	Fetcher *fetch.Fetcher // nil: the defaults
	Log     *slog.Logger
	// Lease overrides outboxClaim (tests).
	Lease time.Duration
	// TrackingURLs override tracking providers' API addresses (tests).
	TrackingURLs map[tracking.Kind]string
}

func (d *Deliverer) lease() time.Duration {
	if d.Lease > 0 {
		return d.Lease
	}
	return outboxClaim
}

// webhookClient is the client this pass posts webhooks with.
func (d *Deliverer) webhookClient(ctx context.Context) (*http.Client, error) {
	if d.HTTP != nil {
		return d.HTTP, nil
	}
	f := fetch.Fetcher{}
	if d.Fetcher != nil {
		f = *d.Fetcher
	}
	allow, err := d.DB.AllowPrivateFeeds(ctx)
	if err != nil {
		return nil, err
	}
	f.AllowPrivate = f.AllowPrivate || allow
	return f.GuardedClient(), nil
}

// Transports a message waits for when none is configured.
const (
	transportSMTP    = "smtp"
	transportChannel = "channel"
)

// transportOf is the transport each kind of message leaves through, when
// one can be missing.
var transportOf = map[string]string{OutboxEmail: transportSMTP, OutboxChannel: transportChannel}

// waitError keeps a message waiting for its transport rather than failing it.
type waitError struct {
	transport string
	reason    string // what the Outbox page says after "waiting: "
}

func (e *waitError) Error() string { return e.reason }

// DeliverDue sends every message whose time has come and returns how many
// were sent. Emails that waited for an SMTP server are due as soon as the
// Deliverer has a Mailer: configuring SMTP sends them on the next pass.
func (d *Deliverer) DeliverDue(ctx context.Context) (int, error) {
	db := d.DB
	if d.Mailer != nil {
		if _, err := db.write.ExecContext(ctx, "UPDATE outbox SET next_attempt_at = ?, waiting_for = NULL WHERE waiting_for = ? AND state = 'pending'",
			db.now(), transportSMTP); err != nil {
			return 0, fmt.Errorf("store: release waiting emails: %w", err)
		}
	}
	// Claim the due messages no live pass holds: this pass alone sends
	// them, whichever instance serving the database runs it. The outer
	// condition repeats the inner one: on PostgreSQL a row another pass
	// claimed while this statement waited for it is read again as that
	// pass left it (and the subquery skips the rows another pass is
	// claiming at that moment), so it stays the other pass's.
	token := randomToken(12)
	now := db.now()
	claim := `UPDATE outbox SET claim_token = ?, claimed_until = ? WHERE id IN (
		SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) AND ` + liveAccount("outbox.account_id") + ` ORDER BY id LIMIT 200%s)
		AND state = 'pending' AND (claimed_until IS NULL OR claimed_until < ?)`
	lock := ""
	if db.pg {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	if _, err := db.write.ExecContext(ctx, fmt.Sprintf(claim, lock), token, now.Add(d.lease()), now, now, now); err != nil {
		return 0, fmt.Errorf("store: claim due messages: %w", err)
	}
	rows, err := db.rq(ctx, `SELECT o.id, o.account_id, coalesce(o.order_id, 0), coalesce(o.shipment_id, 0), o.kind, o.topic, o.recipient, o.from_name, o.reply_to, o.subject, o.body, o.html_body, o.attempts, coalesce(w.secret, '')
		FROM outbox o LEFT JOIN webhook_endpoints w ON w.account_id = o.account_id AND w.url = o.recipient AND w.disabled_at IS NULL
		WHERE o.claim_token = ? AND o.state = 'pending' ORDER BY o.id`, token)
	if err != nil {
		return 0, fmt.Errorf("store: due messages: %w", err)
	}
	type due struct {
		m      OutboxMessage
		secret string
	}
	var list []due
	for rows.Next() {
		var x due
		if err := rows.Scan(&x.m.ID, &x.m.AccountID, &x.m.OrderID, &x.m.ShipmentID, &x.m.Kind, &x.m.Topic, &x.m.Recipient, &x.m.FromName, &x.m.ReplyTo, &x.m.Subject, &x.m.Body, &x.m.HTML, &x.m.Attempts, &x.secret); err != nil {
			rows.Close()
			return 0, err
		}
		list = append(list, x)
	}
	rows.Close()
	client, err := d.webhookClient(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: deliver: %w", err)
	}
	sent := 0
	for _, x := range list {
		if ctx.Err() != nil {
			break
		}
		// The claim is renewed before each send: a pass slower than the
		// claim sends nothing another pass has taken over since.
		res, err := db.write.ExecContext(ctx, "UPDATE outbox SET claimed_until = ? WHERE id = ? AND claim_token = ? AND state = 'pending'",
			db.now().Add(d.lease()), x.m.ID, token)
		if err != nil {
			return sent, fmt.Errorf("store: renew claim %d: %w", x.m.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		ref, err := d.send(ctx, client, x.m, x.secret)
		if err := d.record(ctx, x.m, ref, err); err != nil {
			return sent, err
		}
		if err == nil {
			sent++
		}
	}
	return sent, nil
}

// outboxClaim is how long a delivery pass holds a message it is about to
// send: longer than one send (a webhook times out after 15 s), so that only
// the claim of a pass that died runs out. Then another pass, on this
// instance or another serving the database, sends the message.
const outboxClaim = 2 * time.Minute

// send delivers m and returns what the receiver called it, where it says:
// the store's ID of a fulfillment.
func (d *Deliverer) send(ctx context.Context, client *http.Client, m OutboxMessage, secret string) (string, error) {
	switch m.Kind {
	case OutboxEmail:
		if d.Mailer == nil {
			return "", &waitError{transportSMTP, "no SMTP server is configured"}
		}
		return "", d.Mailer.Send(ctx, Email{To: m.Recipient, FromName: m.FromName, ReplyTo: m.ReplyTo, Subject: m.Subject, Body: m.Body, HTML: m.HTML})
	case OutboxWebhook:
		return "", postWebhook(ctx, client, m, secret)
	case OutboxChannel:
		switch m.Topic {
		case TopicChannelFulfillment:
			return d.sendFulfillment(ctx, client, m)
		case TopicTrackingRegister:
			return d.sendTracker(ctx, client, m)
		}
		return "", &waitError{transportChannel, "no sales channel connection is configured"}
	}
	return "", fmt.Errorf("unknown message kind %q", m.Kind)
}

// postWebhook posts m to its endpoint, signed with the endpoint's secret.
func postWebhook(ctx context.Context, client *http.Client, m OutboxMessage, secret string) error {
	if secret == "" {
		return errors.New("the endpoint was removed")
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Recipient, bytes.NewReader([]byte(m.Body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Dropline-Event", m.Topic)
	req.Header.Set("X-Dropline-Delivery", fmt.Sprint(m.ID))
	req.Header.Set("X-Dropline-Signature", "sha256="+SignWebhook([]byte(m.Body), secret))
	res, err := client.Do(req)
	if fetch.IsForbiddenAddress(err) {
		return errors.New("the endpoint is on a private or local network, and the platform settings allow only public addresses")
	}
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 4096))
	res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("the endpoint answered %s", res.Status)
	}
	return nil
}

// SignWebhook is the hex HMAC-SHA256 of a webhook body with the endpoint's secret.
func SignWebhook(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// record keeps what sending m did: sent (with ref, the receiver's ID for
// it), waiting for its transport, failed, or to be tried again after the
// backoff or as long as the receiver asked (Retry-After).
func (d *Deliverer) record(ctx context.Context, m OutboxMessage, ref string, sendErr error) error {
	db := d.DB
	now := db.now()
	var err error
	var wait *waitError
	var platform *channel.Error
	switch {
	case sendErr == nil:
		_, err = db.write.ExecContext(ctx, "UPDATE outbox SET state = 'sent', attempts = attempts + 1, sent_at = ?, last_error = '', external_id = ?, waiting_for = NULL, claim_token = NULL, claimed_until = NULL WHERE id = ? AND state = 'pending'", now, ref, m.ID)
	case errors.As(sendErr, &wait):
		// Nothing to try until the transport is configured, which releases
		// it (see DeliverDue); meanwhile look again in an hour, not every tick.
		_, err = db.write.ExecContext(ctx, "UPDATE outbox SET next_attempt_at = ?, last_error = ?, waiting_for = ?, claim_token = NULL, claimed_until = NULL WHERE id = ? AND state = 'pending'", now.Add(time.Hour), wait.reason, wait.transport, m.ID)
	case errors.As(sendErr, new(*refusal)) || m.Attempts+1 >= maxAttempts:
		// A refusal (the store said no: userErrors, a 4xx) is not tried
		// again blindly; it waits in the failed list for a person.
		_, err = db.write.ExecContext(ctx, "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?, waiting_for = NULL, claim_token = NULL, claimed_until = NULL WHERE id = ? AND state = 'pending'", sendErr.Error(), m.ID)
	default:
		wait := backoff[min(m.Attempts, len(backoff)-1)]
		var provider *tracking.Error
		if errors.As(sendErr, &platform) && platform.RetryAfter > 0 {
			// A throttled store said when to come back (Retry-After).
			wait = platform.RetryAfter
		} else if errors.As(sendErr, &provider) && provider.RetryAfter > 0 {
			wait = provider.RetryAfter
		}
		_, err = db.write.ExecContext(ctx, "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, waiting_for = NULL, claim_token = NULL, claimed_until = NULL WHERE id = ? AND state = 'pending'",
			now.Add(wait), sendErr.Error(), m.ID)
	}
	if err != nil {
		return fmt.Errorf("store: record delivery %d: %w", m.ID, err)
	}
	return nil
}
