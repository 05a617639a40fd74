package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dropline/dropline/store/tracking"
)

// The customer's tracking page: every "your order has shipped" email
// carries a link of its own (a random 256-bit token, only its hash kept)
// to a page that shows, without signing in, that order's parcels: carrier,
// number, what each carries, where it is and every carrier event. It names
// the merchant alone: never the supplier, the customer's address or a
// price, since a link may be forwarded. The merchant sees how often it was
// opened, previews it, and revokes the order's links.

// TrackingLinkLifetime is how long a customer's tracking link works.
const TrackingLinkLifetime = 180 * 24 * time.Hour

// TrackingLinkPath is the path of the customer's tracking page a token opens.
func TrackingLinkPath(token string) string { return "/track/" + token }

// trackingLinkCols are the columns of a new link's row, in notes.links.
var trackingLinkCols = []string{"order_id", "account_id", "shipment_id", "token_hash", "created_at"}

// CustomerTracking is an order's parcels as its customer sees them.
type CustomerTracking struct {
	LinkID      int64 // the link it was opened by, 0 for the merchant's preview
	MerchantID  int64
	Merchant    Account // its name, time zone and country
	ReplyTo     string  // the merchant's reply-to address, "" when none
	OrderID     int64
	OrderNumber string
	PlacedAt    time.Time
	Cancelled   bool
	// Parcels are the order's shipments, the one the email was about first,
	// then in the order they were sent.
	Parcels []CustomerParcel
	// ToShip is what no parcel has carried yet, line by line.
	ToShip []CustomerItem
}

// CustomerParcel is one shipment as the customer sees it.
type CustomerParcel struct {
	Shipment
	Items []CustomerItem
}

// CustomerItem is a quantity of an order line, named as the customer knows it.
type CustomerItem struct {
	Name     string
	Quantity int
}

// CustomerTrackingByToken is the tracking page a customer's link opens,
// recording the opening (the first one on the order's timeline). A token
// that is unknown, revoked, older than TrackingLinkLifetime or of a
// disabled merchant is ErrNotFound, and nothing is written.
func (db *DB) CustomerTrackingByToken(ctx context.Context, token string) (CustomerTracking, error) {
	if len(token) != linkTokenLen {
		return CustomerTracking{}, fmt.Errorf("store: tracking link: %w", ErrNotFound)
	}
	now := db.now()
	var linkID, merchantID, orderID, shipmentID int64
	err := db.rqRow(ctx, `SELECT l.id, l.account_id, l.order_id, l.shipment_id FROM tracking_links l
		JOIN accounts a ON a.id = l.account_id
		WHERE l.token_hash = ? AND l.revoked_at IS NULL AND l.created_at > ? AND a.disabled_at IS NULL`,
		hashToken(token), now.Add(-TrackingLinkLifetime)).Scan(&linkID, &merchantID, &orderID, &shipmentID)
	if errors.Is(err, sql.ErrNoRows) {
		return CustomerTracking{}, fmt.Errorf("store: tracking link: %w", ErrNotFound)
	}
	if err != nil {
		return CustomerTracking{}, fmt.Errorf("store: tracking link: %w", err)
	}
	ct, err := db.customerTracking(ctx, merchantID, orderID, shipmentID)
	if err != nil {
		return ct, err
	}
	ct.LinkID = linkID
	tx, err := db.begin(ctx)
	if err != nil {
		return ct, fmt.Errorf("store: open tracking link: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "UPDATE tracking_links SET last_opened_at = ?, opens = opens + 1 WHERE id = ?", now, linkID); err != nil {
		return ct, fmt.Errorf("store: open tracking link: %w", err)
	}
	// The first opening is noted once, however many come at the same time.
	first, err := tx.ExecContext(ctx, "UPDATE tracking_links SET first_opened_at = ? WHERE id = ? AND first_opened_at IS NULL", now, linkID)
	if err != nil {
		return ct, fmt.Errorf("store: open tracking link: %w", err)
	}
	if n, _ := first.RowsAffected(); n == 1 {
		msg := "The customer opened the tracking page from the shipping email."
		for _, p := range ct.Parcels {
			if p.ID == shipmentID {
				msg = fmt.Sprintf("The customer opened the tracking page from the shipping email for %s %s.", p.CarrierName, p.TrackingNumber)
			}
		}
		if err := db.orderEvent(ctx, tx, merchantID, orderID, Actor{Name: "customer"}, "tracking_page_opened", msg); err != nil {
			return ct, fmt.Errorf("store: open tracking link: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return ct, fmt.Errorf("store: open tracking link: %w", err)
	}
	return ct, nil
}

// CustomerTrackingPreview is the tracking page of one of the merchant's
// orders, as its customer sees it, for the merchant to check.
func (db *DB) CustomerTrackingPreview(ctx context.Context, merchantID, orderID int64) (CustomerTracking, error) {
	return db.customerTracking(ctx, merchantID, orderID, 0)
}

// customerTracking reads an order's tracking page, shipmentID's parcel first.
func (db *DB) customerTracking(ctx context.Context, merchantID, orderID, shipmentID int64) (CustomerTracking, error) {
	ct := CustomerTracking{MerchantID: merchantID, OrderID: orderID}
	var status string
	var closed bool
	err := db.rqRow(ctx, "SELECT channel_order_id, placed_at, status, closed_at IS NOT NULL OR channel_cancelled_at IS NOT NULL FROM orders WHERE id = ? AND account_id = ?",
		orderID, merchantID).Scan(&ct.OrderNumber, &ct.PlacedAt, &status, &closed)
	if errors.Is(err, sql.ErrNoRows) {
		return ct, fmt.Errorf("store: tracking page of order %d: %w", orderID, ErrNotFound)
	}
	if err != nil {
		return ct, fmt.Errorf("store: tracking page of order %d: %w", orderID, err)
	}
	ct.Cancelled = status == OrderCancelled || closed
	if ct.Merchant, err = db.Account(ctx, merchantID); err != nil {
		return ct, err
	}
	contact, err := db.AccountContact(ctx, merchantID)
	if err != nil {
		return ct, err
	}
	ct.ReplyTo = contact.ReplyToEmail
	ships, err := db.shipmentsWhere(ctx, merchantID, "s.merchant_id = ? AND s.po_id IN (SELECT id FROM purchase_orders WHERE order_id = ? AND account_id = ?)",
		merchantID, orderID, merchantID)
	if err != nil {
		return ct, fmt.Errorf("store: tracking page of order %d: %w", orderID, err)
	}
	// Each shipment's lines named as the order has them: the merchant's
	// SKU and title, never the supplier's.
	names := map[int64]string{}
	err = eachRow(ctx, db.read, `SELECT pl.id, coalesce(ol.sku, pl.supplier_sku), coalesce(ol.title, '') FROM po_lines pl
		JOIN purchase_orders po ON po.id = pl.po_id LEFT JOIN order_lines ol ON ol.id = pl.order_line_id
		WHERE po.order_id = ? AND po.account_id = ?`, []any{orderID, merchantID}, func(rows *sql.Rows) error {
		var id int64
		var sku, title string
		if err := rows.Scan(&id, &sku, &title); err != nil {
			return err
		}
		names[id] = customerItem(sku, title)
		return nil
	})
	if err != nil {
		return ct, fmt.Errorf("store: tracking page of order %d: %w", orderID, err)
	}
	for _, sh := range ships {
		p := CustomerParcel{Shipment: sh}
		for _, l := range sh.Lines {
			p.Items = append(p.Items, CustomerItem{Name: names[l.POLineID], Quantity: l.Quantity})
		}
		ct.Parcels = append(ct.Parcels, p)
	}
	slices.SortStableFunc(ct.Parcels, func(a, b CustomerParcel) int {
		switch {
		case a.ID == shipmentID && b.ID != shipmentID:
			return -1
		case b.ID == shipmentID && a.ID != shipmentID:
			return 1
		}
		return 0
	})
	// What has still to ship: each line's quantity less what any parcel
	// carried of it, whoever is to send it (a supplier's PO, one not placed
	// yet, or the merchant's own stock); nothing once the order was closed
	// or cancelled on its store.
	if ct.Cancelled {
		return ct, nil
	}
	err = eachRow(ctx, db.read, `SELECT ol.sku, ol.title, ol.quantity - coalesce((SELECT sum(pl.shipped_qty) FROM po_lines pl WHERE pl.order_line_id = ol.id), 0)
		FROM order_lines ol WHERE ol.order_id = ? AND ol.account_id = ? ORDER BY ol.line_no`, []any{orderID, merchantID}, func(rows *sql.Rows) error {
		var sku, title string
		var left int
		if err := rows.Scan(&sku, &title, &left); err != nil {
			return err
		}
		if left > 0 {
			ct.ToShip = append(ct.ToShip, CustomerItem{Name: customerItem(sku, title), Quantity: left})
		}
		return nil
	})
	if err != nil {
		return ct, fmt.Errorf("store: tracking page of order %d: %w", orderID, err)
	}
	return ct, nil
}

// TrackingLinks is what the merchant sees of an order's customer links.
type TrackingLinks struct {
	Live, Revoked int        // links that open the page, and links revoked
	Opens         int        // how often the page was opened by any of them
	FirstOpenedAt *time.Time // nil: never opened
	LastOpenedAt  *time.Time
}

// OrderTrackingLinks counts the customer links of one of the merchant's orders.
func (db *DB) OrderTrackingLinks(ctx context.Context, merchantID, orderID int64) (TrackingLinks, error) {
	var t TrackingLinks
	var first, last sql.NullTime
	err := db.rqRow(ctx, `SELECT coalesce(sum(CASE WHEN revoked_at IS NULL AND created_at > ? THEN 1 ELSE 0 END), 0),
		coalesce(sum(CASE WHEN revoked_at IS NOT NULL THEN 1 ELSE 0 END), 0), coalesce(sum(opens), 0),
		CAST(min(first_opened_at) AS TEXT), CAST(max(last_opened_at) AS TEXT)
		FROM tracking_links WHERE order_id = ? AND account_id = ?`, db.now().Add(-TrackingLinkLifetime), orderID, merchantID).
		Scan(&t.Live, &t.Revoked, &t.Opens, textNullTime(&first), textNullTime(&last))
	if err != nil {
		return t, fmt.Errorf("store: tracking links of order %d: %w", orderID, err)
	}
	if first.Valid {
		t.FirstOpenedAt = &first.Time
	}
	if last.Valid {
		t.LastOpenedAt = &last.Time
	}
	return t, nil
}

// RevokeTrackingLinks stops every customer link of one of the merchant's
// orders from opening its page (one sent to the wrong address, say), and
// returns how many it revoked. Later shipping emails carry new links.
func (db *DB) RevokeTrackingLinks(ctx context.Context, actor Actor, merchantID, orderID int64) (int, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: revoke tracking links: %w", err)
	}
	defer tx.Rollback()
	var number string
	err = tx.QueryRowContext(ctx, "SELECT channel_order_id FROM orders WHERE id = ? AND account_id = ?", orderID, merchantID).Scan(&number)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: revoke tracking links: %w", ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("store: revoke tracking links: %w", err)
	}
	res, err := tx.ExecContext(ctx, "UPDATE tracking_links SET revoked_at = ?, revoked_by = ? WHERE order_id = ? AND account_id = ? AND revoked_at IS NULL",
		db.now(), actorName(actor), orderID, merchantID)
	if err != nil {
		return 0, fmt.Errorf("store: revoke tracking links: %w", err)
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return 0, nil
	}
	msg := fmt.Sprintf("Revoked the customer's tracking links (%d): they no longer open the tracking page.", n)
	if err := db.orderEvent(ctx, tx, merchantID, orderID, actor, "tracking_links_revoked", msg); err != nil {
		return 0, fmt.Errorf("store: revoke tracking links: %w", err)
	}
	if err := db.audit(ctx, tx, actor, merchantID, "order.tracking_links_revoked", "order", orderID, fmt.Sprintf("%s: %d links", number, n)); err != nil {
		return 0, fmt.Errorf("store: revoke tracking links: %w", err)
	}
	return int(n), tx.Commit()
}

// TopicCustomerUpdate is the outbox topic of a customer's email about a
// parcel that is out for delivery, delivered or held up.
const TopicCustomerUpdate = "customer.tracking"

// customerUpdateWindow is how recent a carrier's event must be for the
// customer to be emailed about it: a history fetched days late (a provider
// turned on for earlier shipments) tells nobody what they already know.
const customerUpdateWindow = 48 * time.Hour

// emailCustomerUpdate queues, in tx, the customer's email about a parcel
// whose carrier status just became e's, when that is news to them (out for
// delivery, delivered, a failed attempt, an exception, a return, in the last
// two days), the order has the customer's email, is not closed, and its
// merchant has not turned these emails off. The email carries a new link
// to the order's tracking page. It returns the address, "" when nothing
// was queued.
func (db *DB) emailCustomerUpdate(ctx context.Context, tx dbtx, s trackedShipment, e tracking.Event, now time.Time) (string, error) {
	switch e.Status {
	case tracking.OutForDelivery, tracking.Delivered, tracking.FailedAttempt, tracking.Exception, tracking.Returned:
	default:
		return "", nil
	}
	if e.OccurredAt.Before(now.Add(-customerUpdateWindow)) {
		return "", nil
	}
	var to, name, number, merchant, replyTo string
	var off, closed bool
	err := tx.QueryRowContext(ctx, `SELECT o.customer_email, o.customer_name, o.channel_order_id, m.name, m.reply_to_email, m.customer_updates_off,
		o.closed_at IS NOT NULL OR o.channel_cancelled_at IS NOT NULL
		FROM orders o JOIN accounts m ON m.id = o.account_id WHERE o.id = ? AND o.account_id = ?`, s.orderID, s.merchantID).
		Scan(&to, &name, &number, &merchant, &replyTo, &off, &closed)
	if err != nil {
		return "", err
	}
	if to == "" || off || closed {
		return "", nil
	}
	var items []string
	err = eachRow(ctx, tx, `SELECT coalesce(ol.sku, pl.supplier_sku), coalesce(ol.title, ''), sl.quantity FROM shipment_lines sl
		JOIN po_lines pl ON pl.id = sl.po_line_id LEFT JOIN order_lines ol ON ol.id = pl.order_line_id WHERE sl.shipment_id = ? ORDER BY pl.id`,
		[]any{s.id}, func(rows *sql.Rows) error {
			var sku, title string
			var qty int
			if err := rows.Scan(&sku, &title, &qty); err != nil {
				return err
			}
			items = append(items, fmt.Sprintf("%d × %s", qty, customerItem(sku, title)))
			return nil
		})
	if err != nil {
		return "", err
	}
	token := randomToken(32)
	if _, err := tx.ExecContext(ctx, "INSERT INTO tracking_links (order_id, account_id, shipment_id, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
		s.orderID, s.merchantID, s.id, hashToken(token), now); err != nil {
		return "", err
	}
	subject, said := customerUpdateWords(e.Status, number, merchant, eventDetail(e))
	m := customerEmail{Subject: subject, Name: strings.TrimSpace(name), Said: said, Items: items, Carrier: s.carrier, Number: s.number,
		Page: db.baseURL() + TrackingLinkPath(token), Merchant: merchant}
	err = db.enqueue(ctx, tx, OutboxMessage{AccountID: s.merchantID, OrderID: s.orderID, Kind: OutboxEmail, Topic: TopicCustomerUpdate,
		Recipient: to, FromName: merchant, ReplyTo: replyTo, Subject: subject, Body: m.text(), HTML: m.html()})
	if err != nil {
		return "", err
	}
	return to, nil
}

// customerUpdateWords are a customer update's subject and first lines, in
// the merchant's name (the supplier is never named to the customer).
func customerUpdateWords(status tracking.Status, number, merchant, detail string) (subject, said string) {
	because := ""
	if detail != "" {
		because = " The carrier says: " + strings.TrimSuffix(detail, ".") + "."
	}
	switch status {
	case tracking.OutForDelivery:
		return "Your order " + number + " is out for delivery",
			"Your parcel from " + merchant + " is out for delivery." + because
	case tracking.Delivered:
		return "Your order " + number + " was delivered",
			"Your parcel from " + merchant + " was delivered." + because + " If it has not reached you, reply to this email."
	case tracking.FailedAttempt:
		return "Delivery of your order " + number + " was attempted",
			"The carrier tried to deliver your parcel from " + merchant + " but could not." + because + " It usually tries again on the next working day."
	case tracking.Returned:
		return "Your order " + number + " is being returned",
			"The carrier is returning your parcel from " + merchant + " to the sender." + because + " Reply to this email and we will sort it out."
	}
	return "Your order " + number + " is held up",
		"The carrier reports a problem with your parcel from " + merchant + "." + because + " We are looking into it; reply to this email with any question."
}
