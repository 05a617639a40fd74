package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

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
		Number: sh.TrackingNumber, URL: sh.TrackingURL, ShipmentID: sh.ID}
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

// sendFulfillment writes a shipment back to the store the order came from,
// through the store's adapter over client (the guarded client).
func (d *Deliverer) sendFulfillment(ctx context.Context, client *http.Client, m OutboxMessage) error {
	var msg fulfillmentMessage
	if err := json.Unmarshal([]byte(m.Body), &msg); err != nil {
		return &refusal{fmt.Errorf("the message cannot be read: %w", err)}
	}
	var conn channel.Conn
	var kind string
	var notify bool
	err := d.DB.rqRow(ctx, "SELECT kind, base_url, access_token, consumer_key, consumer_secret, notify_customer FROM sales_channels WHERE id = ? AND account_id = ?",
		msg.SalesChannelID, m.AccountID).Scan(&kind, &conn.BaseURL, &conn.Token, &conn.Key, &conn.Secret, &notify)
	if errors.Is(err, sql.ErrNoRows) {
		return &refusal{errors.New("the store was removed from Settings → Sales channels")}
	}
	if err != nil {
		return err
	}
	if len(msg.Lines) == 0 {
		return &refusal{errors.New("none of the shipped lines came from the store's order")}
	}
	conn.Kind, conn.HTTP = channel.Kind(kind), client
	ch, err := channel.New(conn)
	if err != nil {
		return &refusal{err}
	}
	f := channel.Fulfillment{OrderChannelID: msg.OrderRef, Carrier: msg.Carrier, Number: msg.Number, URL: msg.URL, NotifyCustomer: notify,
		Key: "dropline-shipment-" + strconv.FormatInt(msg.ShipmentID, 10)}
	for _, l := range msg.Lines {
		f.Lines = append(f.Lines, channel.FulfillmentLine{LineChannelID: l.LineRef, Quantity: l.Quantity})
	}
	if _, err := ch.PushFulfillment(ctx, f); err != nil {
		if !channel.Retryable(err) {
			return &refusal{errors.New(UserChannelMessage(err))}
		}
		return errors.New(UserChannelMessage(err))
	}
	return nil
}
