package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/dropline/dropline/store/channel"
)

// TopicChannelFulfillment is the outbox topic of a shipment written back to
// the connected store an order came from.
const TopicChannelFulfillment = "channel.fulfillment"

// fulfillmentMessage is a TopicChannelFulfillment message's body: what the
// store needs to find the order and lines, and the tracking. It is built
// in the shipment's transaction, so the store is told exactly what shipped.
type fulfillmentMessage struct {
	SalesChannelID int64             `json:"sales_channel_id"`
	OrderRef       string            `json:"order_ref"`
	OrderNumber    string            `json:"order_number"`
	Lines          []fulfillmentLine `json:"lines"`
	Carrier        string            `json:"carrier"`
	Number         string            `json:"tracking_number"`
	URL            string            `json:"tracking_url"`
	ShipDate       string            `json:"ship_date"`
	ShipmentID     int64             `json:"shipment_id"`
}

type fulfillmentLine struct {
	LineRef  string `json:"line_ref"`
	Quantity int    `json:"quantity"`
}

// channelFulfillment is the message for shipment sh of p: the shipped
// quantities summed per store line (a line the store did not send, such as
// one added in Dropline, is left out).
func channelFulfillment(p *shipPO, sh Shipment) fulfillmentMessage {
	ref := make(map[int64]string, len(p.lines))
	for _, l := range p.lines {
		ref[l.id] = l.channel
	}
	m := fulfillmentMessage{SalesChannelID: p.salesChannel, OrderRef: p.channelRef, OrderNumber: p.ChannelOrderID, Carrier: sh.CarrierName,
		Number: sh.TrackingNumber, URL: sh.TrackingURL, ShipDate: sh.ShipDate, ShipmentID: sh.ID}
	at := map[string]int{}
	for _, l := range sh.Lines {
		r := ref[l.POLineID]
		if r == "" {
			continue
		}
		if i, ok := at[r]; ok {
			m.Lines[i].Quantity += l.Quantity
			continue
		}
		at[r] = len(m.Lines)
		m.Lines = append(m.Lines, fulfillmentLine{LineRef: r, Quantity: l.Quantity})
	}
	return m
}

// refusal marks a store's refusal, which is not tried again.
type refusal struct{ err error }

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

// storeError words a store's answer for people (UserChannelMessage) and
// keeps the adapter's error underneath, with its Retry-After.
type storeError struct{ err error }

func (e *storeError) Error() string { return UserChannelMessage(e.err) }
func (e *storeError) Unwrap() error { return e.err }

// sendFulfillment writes a shipment back to the store the order came from,
// through the store's adapter over client (the guarded client), and returns
// the store's ID of the fulfillment. A paused store's updates wait until it
// is resumed. The order is marked complete (WooCommerce) when it has
// shipped in full and this is its latest shipment, so that an earlier
// parcel's update, sent late, does not complete it before the last one's
// tracking is there.
func (d *Deliverer) sendFulfillment(ctx context.Context, client *http.Client, m OutboxMessage) (string, error) {
	var msg fulfillmentMessage
	if err := json.Unmarshal([]byte(m.Body), &msg); err != nil {
		return "", &refusal{fmt.Errorf("the message cannot be read: %w", err)}
	}
	var conn channel.Conn
	var kind string
	var notify, paused bool
	err := d.DB.rqRow(ctx, "SELECT kind, base_url, access_token, consumer_key, consumer_secret, notify_customer, paused FROM sales_channels WHERE id = ? AND account_id = ?",
		msg.SalesChannelID, m.AccountID).Scan(&kind, &conn.BaseURL, &conn.Token, &conn.Key, &conn.Secret, &notify, &paused)
	if errors.Is(err, sql.ErrNoRows) {
		return "", &refusal{errors.New("the store was removed from Settings → Sales channels")}
	}
	if err != nil {
		return "", err
	}
	if paused {
		return "", &waitError{transportChannel, "the store is paused in Settings → Sales channels"}
	}
	if len(msg.Lines) == 0 {
		return "", &refusal{errors.New("none of the shipped lines came from the store's order")}
	}
	complete, err := d.shippedInFull(ctx, m)
	if err != nil {
		return "", err
	}
	conn.Kind, conn.HTTP = channel.Kind(kind), client
	ch, err := channel.New(conn)
	if err != nil {
		return "", &refusal{err}
	}
	f := channel.Fulfillment{OrderChannelID: msg.OrderRef, Carrier: msg.Carrier, Number: msg.Number, URL: msg.URL, ShipDate: msg.ShipDate, NotifyCustomer: notify,
		Key: "dropline-shipment-" + strconv.FormatInt(msg.ShipmentID, 10), Complete: complete}
	for _, l := range msg.Lines {
		f.Lines = append(f.Lines, channel.FulfillmentLine{LineChannelID: l.LineRef, Quantity: l.Quantity})
	}
	id, err := ch.PushFulfillment(ctx, f)
	if err != nil {
		if !channel.Retryable(err) {
			return "", &refusal{&storeError{err}}
		}
		return "", &storeError{err}
	}
	return id, nil
}

// shippedInFull says m's order has shipped (or been delivered) in full and
// m's shipment is the order's latest.
func (d *Deliverer) shippedInFull(ctx context.Context, m OutboxMessage) (bool, error) {
	if m.OrderID == 0 || m.ShipmentID == 0 {
		return false, nil
	}
	var status string
	var latest int64
	err := d.DB.rqRow(ctx, `SELECT o.status, coalesce((SELECT max(s.id) FROM shipments s JOIN purchase_orders p ON p.id = s.po_id WHERE p.order_id = o.id), 0)
		FROM orders o WHERE o.id = ? AND o.account_id = ?`, m.OrderID, m.AccountID).Scan(&status, &latest)
	if err != nil {
		return false, fmt.Errorf("store: order %d shipped in full: %w", m.OrderID, err)
	}
	return (status == OrderShipped || status == OrderDelivered) && latest == m.ShipmentID, nil
}

// StoreUpdate is a shipment's fulfillment written back to the store its
// order came from, as the order page shows it.
type StoreUpdate struct {
	MessageID  int64
	ShipmentID int64
	Store      string // the store's name, "" once it was removed
	State      string // pending, sent or failed
	WaitingFor string // "channel" while the store is paused
	Attempts   int
	LastError  string
	ExternalID string // the store's ID of the fulfillment, once sent
	NextAt     time.Time
	SentAt     *time.Time
}

// OrderStoreUpdates lists the store updates of the merchant's order, by
// shipment, oldest first.
func (db *DB) OrderStoreUpdates(ctx context.Context, merchantID, orderID int64) (map[int64][]StoreUpdate, error) {
	rows, err := db.rq(ctx, `SELECT o.id, o.shipment_id, coalesce(c.name, ''), o.state, coalesce(o.waiting_for, ''), o.attempts, o.last_error, o.external_id,
		o.next_attempt_at, o.sent_at
		FROM outbox o LEFT JOIN sales_channels c ON c.account_id = o.account_id AND o.recipient = 'store ' || c.id
		WHERE o.account_id = ? AND o.order_id = ? AND o.topic = ? AND o.shipment_id IS NOT NULL ORDER BY o.id`, merchantID, orderID, TopicChannelFulfillment)
	if err != nil {
		return nil, fmt.Errorf("store: store updates of order %d: %w", orderID, err)
	}
	defer rows.Close()
	out := map[int64][]StoreUpdate{}
	for rows.Next() {
		var u StoreUpdate
		if err := rows.Scan(&u.MessageID, &u.ShipmentID, &u.Store, &u.State, &u.WaitingFor, &u.Attempts, &u.LastError, &u.ExternalID, &u.NextAt, &u.SentAt); err != nil {
			return nil, fmt.Errorf("store: store updates of order %d: %w", orderID, err)
		}
		out[u.ShipmentID] = append(out[u.ShipmentID], u)
	}
	return out, rows.Err()
}

// RetryStoreUpdate sends a failed store update of the merchant's order
// again at the next pass (or, while it waits for its next try, now).
func (db *DB) RetryStoreUpdate(ctx context.Context, actor Actor, merchantID, orderID, messageID int64) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: retry store update: %w", err)
	}
	defer tx.Rollback()
	var state string
	err = tx.QueryRowContext(ctx, "SELECT state FROM outbox WHERE id = ? AND account_id = ? AND order_id = ? AND topic = ?",
		messageID, merchantID, orderID, TopicChannelFulfillment).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: store update %d: %w", messageID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: retry store update: %w", err)
	}
	if state == "sent" {
		return Conflict("The store already has this shipment: there is nothing to send again.")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, waiting_for = NULL
		WHERE id = ? AND state <> 'sent'`, db.now(), messageID); err != nil {
		return fmt.Errorf("store: retry store update: %w", err)
	}
	if err := db.audit(ctx, tx, actor, merchantID, "outbox.retried", "order", orderID, "store update "+strconv.FormatInt(messageID, 10)); err != nil {
		return fmt.Errorf("store: retry store update: %w", err)
	}
	return tx.Commit()
}
