package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/dropline/dropline/store/channel"
	"github.com/dropline/dropline/store/orderfile"
)

// Pulling orders from connected stores.
const (
	// FirstSyncDays is how far back the first pull of a store reaches.
	FirstSyncDays = 30
	// ChannelSyncEvery is how often the ticker pulls each store.
	ChannelSyncEvery = 5 * time.Minute
	// syncOverlap is how far before a pull's start the next one begins: an
	// order saved on the platform while the pull ran, with an updated_at
	// a little before the platform's clock reached ours, is not missed.
	// Orders seen twice are counted unchanged.
	syncOverlap = 2 * time.Minute
	// maxSyncPages stops a store whose cursor never ends.
	maxSyncPages = 1000
	// maxSyncProblems is how many order problems a sync keeps to show.
	maxSyncProblems = 20
)

// SyncResult counts what pulling a store's orders did.
type SyncResult struct {
	Created   int // new orders in Dropline
	Unchanged int // orders Dropline had already (same channel and number)
	Cancelled int // orders cancelled on the store before Dropline had them: not imported
	// CancelledLater counts orders Dropline had that the store has now
	// cancelled: each is marked on its page, for the merchant to act on.
	CancelledLater int
	// Reinstated counts orders the store took back from cancelled.
	Reinstated int
	Invalid    int // orders Dropline cannot take as they are
	// Problems says why each invalid order was not imported (the first
	// maxSyncProblems of them).
	Problems []string
	// OrderIDs are the orders created or found already, in the order given.
	OrderIDs []int64
}

// Summary says what a sync did in a sentence.
func (r SyncResult) Summary() string {
	s := fmt.Sprintf("%d new order(s), %d already in Dropline", r.Created, r.Unchanged)
	if r.CancelledLater > 0 {
		s += fmt.Sprintf(", %d cancelled on the store since (marked on the order)", r.CancelledLater)
	}
	if r.Reinstated > 0 {
		s += fmt.Sprintf(", %d no longer cancelled on the store", r.Reinstated)
	}
	if r.Cancelled > 0 {
		s += fmt.Sprintf(", %d cancelled on the store (not imported)", r.Cancelled)
	}
	if r.Invalid > 0 {
		s += fmt.Sprintf(", %d not imported", r.Invalid)
	}
	return s + "."
}

// SyncChannelOrders pulls the orders of one of the merchant's stores updated
// since the last pull (the last FirstSyncDays days the first time) through
// its adapter, with client (the guarded client feed downloads use), and
// records the new ones as orders from that store. Orders Dropline has already
// are left as they are; an order Dropline cannot take is counted with its
// problem and the others still come in. The watermark moves only when every
// page was read, so a failed pull is tried again from the same point; the
// platform's answer is kept as the store's sync error.
func (db *DB) SyncChannelOrders(ctx context.Context, merchantID, channelID int64, client *http.Client) (SyncResult, error) {
	var res SyncResult
	var conn channel.Conn
	var kind, name string
	var since *time.Time
	err := db.rqRow(ctx, `SELECT kind, name, base_url, access_token, consumer_key, consumer_secret, orders_since
		FROM sales_channels WHERE id = ? AND account_id = ?`, channelID, merchantID).
		Scan(&kind, &name, &conn.BaseURL, &conn.Token, &conn.Key, &conn.Secret, &since)
	if errors.Is(err, sql.ErrNoRows) {
		return res, fmt.Errorf("store: sales channel %d: %w", channelID, ErrNotFound)
	}
	if err != nil {
		return res, fmt.Errorf("store: sync channel %d: %w", channelID, err)
	}
	start := db.now()
	from := start.AddDate(0, 0, -FirstSyncDays)
	if since != nil {
		from = *since
	}
	conn.Kind, conn.HTTP = channel.Kind(kind), client
	pullErr := db.pullChannelOrders(ctx, merchantID, storeRef{id: channelID, kind: conn.Kind, name: name}, conn, from, &res)
	msg := ""
	switch {
	case pullErr != nil:
		msg = UserChannelMessage(pullErr)
	case res.Invalid > 0:
		msg = fmt.Sprintf("%d order(s) not imported (correct them in the store and they come in with the next pull): %s",
			res.Invalid, strings.Join(res.Problems, " "))
	}
	// The watermark moves only past a pull that read every page.
	var next any
	if pullErr == nil {
		next = start.Add(-syncOverlap)
	}
	if _, err := db.write.ExecContext(ctx, `UPDATE sales_channels SET orders_since = coalesce(?, orders_since), orders_synced_at = ?,
		orders_created = ?, sync_error = ? WHERE id = ? AND account_id = ?`,
		next, start, res.Created, msg, channelID, merchantID); err != nil {
		return res, errors.Join(pullErr, fmt.Errorf("store: sync channel %d: %w", channelID, err))
	}
	if pullErr != nil {
		return res, fmt.Errorf("store: sync channel %d: %w", channelID, pullErr)
	}
	return res, nil
}

// storeRef is the connected store orders come from.
type storeRef struct {
	id   int64
	kind channel.Kind
	name string
}

// label names the store in audit entries: "Shopify Acme".
func (s storeRef) label() string { return channelName(string(s.kind)) + " " + s.name }

// pullChannelOrders reads every page of orders updated since from and
// records each page.
func (db *DB) pullChannelOrders(ctx context.Context, merchantID int64, store storeRef, conn channel.Conn, from time.Time, res *SyncResult) error {
	ch, err := channel.New(conn)
	if err != nil {
		return err
	}
	cursor := ""
	for range maxSyncPages {
		page, next, err := ch.PullOrders(ctx, from, cursor)
		if err != nil {
			return err
		}
		if err := db.recordChannelOrders(ctx, merchantID, store, page, res); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return fmt.Errorf("the store kept answering with more pages after %d", maxSyncPages)
}

// recordChannelOrders is what Dropline does with orders a store gives it,
// whether a pull read them or a webhook brought one: new orders are created
// in one transaction (an order Dropline has already is left as it is); an
// order the store cancelled stays out if Dropline does not have it, and is
// marked cancelled on the store if it does; an order Dropline cannot take,
// or whose number another store of the platform already has, is counted
// with its problem.
func (db *DB) recordChannelOrders(ctx context.Context, merchantID int64, store storeRef, page []channel.Order, res *SyncResult) error {
	var batch []orderfile.Order
	for _, co := range page {
		o := channelOrder(store.kind, co)
		known, err := db.knownChannelOrder(ctx, merchantID, o.Channel, o.ChannelOrderID)
		if err != nil {
			return err
		}
		// Orders are unique per platform and number: another store on the
		// same platform may already have used this number (linked to that
		// store, or carrying another platform ID). Such an order is
		// reported, never taken for the other store's.
		other := known.id != 0 && ((known.storeID != 0 && known.storeID != store.id) ||
			(known.storeID == 0 && known.ref != "" && known.ref != o.ChannelRef))
		switch {
		case co.Cancelled && (known.id == 0 || other):
			// Dropshipping an order its buyer cancelled ships goods
			// nobody pays for: one Dropline has not seen stays out.
			res.Cancelled++
			continue
		case co.Cancelled:
			marked, err := db.markCancelledOnStore(ctx, merchantID, known.id, store, co)
			if err != nil {
				return err
			}
			if marked {
				res.CancelledLater++
			} else {
				res.Unchanged++
			}
			continue
		case known.id != 0 && !other && known.cancelledAt != nil:
			// Only WooCommerce can take an order back from cancelled; a
			// change older than the cancellation is a late delivery of
			// what came before it.
			if co.UpdatedAt.After(*known.cancelledAt) {
				if err := db.reinstateOnStore(ctx, merchantID, known.id, store); err != nil {
					return err
				}
				res.Reinstated++
				continue
			}
		}
		if problems := o.Validate(); problems != nil {
			res.Invalid++
			if len(res.Problems) < maxSyncProblems {
				res.Problems = append(res.Problems, orderProblem(o.ChannelOrderID, problems))
			}
			continue
		}
		if other {
			res.Invalid++
			holder := known.storeName
			if holder == "" {
				holder = "another shop"
			}
			if len(res.Problems) < maxSyncProblems {
				res.Problems = append(res.Problems, fmt.Sprintf("order %s was not imported: %s already has an order with that number", o.ChannelOrderID, holder))
			}
			continue
		}
		batch = append(batch, o)
	}
	if len(batch) == 0 {
		return nil
	}
	r, err := db.createOrders(ctx, SystemActor, merchantID, store.id, store.label(), batch)
	if err != nil {
		return err
	}
	res.Created += r.Created
	res.Unchanged += r.Existing
	res.OrderIDs = append(res.OrderIDs, r.OrderIDs...)
	return nil
}

// knownOrder is the merchant's order with a platform's number, if any.
type knownOrder struct {
	id          int64
	storeID     int64  // the connected store it is linked to, 0 for none
	storeName   string // that store's name
	ref         string // the platform's ID it carries, "" for none
	cancelledAt *time.Time
}

func (db *DB) knownChannelOrder(ctx context.Context, merchantID int64, channelKind, number string) (knownOrder, error) {
	var k knownOrder
	var storeID sql.NullInt64
	var storeName sql.NullString
	err := db.rqRow(ctx, `SELECT o.id, o.sales_channel_id, s.name, o.channel_ref, o.channel_cancelled_at FROM orders o LEFT JOIN sales_channels s ON s.id = o.sales_channel_id
		WHERE o.account_id = ? AND o.channel = ? AND o.channel_order_id = ?`, merchantID, channelKind, number).
		Scan(&k.id, &storeID, &storeName, &k.ref, &k.cancelledAt)
	if errors.Is(err, sql.ErrNoRows) {
		return knownOrder{}, nil
	}
	k.storeID, k.storeName = storeID.Int64, storeName.String
	return k, err
}

// markCancelledOnStore records that the store cancelled an order Dropline
// has, with its time and reason and a line on its timeline; false when it
// was marked already. What becomes of the order's purchase orders is the
// merchant's call, from the order's page.
func (db *DB) markCancelledOnStore(ctx context.Context, merchantID, orderID int64, store storeRef, co channel.Order) (bool, error) {
	at := co.CancelledAt
	if at.IsZero() {
		at = db.now()
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE orders SET channel_cancelled_at = ?, channel_cancel_reason = ?, updated_at = ?
		WHERE id = ? AND account_id = ? AND channel_cancelled_at IS NULL`, at.UTC(), co.CancelReason, db.now(), orderID, merchantID)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	msg := "Cancelled on the store " + store.name
	if co.CancelReason != "" {
		msg += " (" + co.CancelReason + ")"
	}
	if err := db.orderEvent(ctx, tx, merchantID, orderID, SystemActor, "channel_cancelled", msg+"."); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// reinstateOnStore clears the cancellation of an order the store has
// taken back.
func (db *DB) reinstateOnStore(ctx context.Context, merchantID, orderID int64, store storeRef) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE orders SET channel_cancelled_at = NULL, channel_cancel_reason = '', updated_at = ?
		WHERE id = ? AND account_id = ?`, db.now(), orderID, merchantID); err != nil {
		return err
	}
	if err := db.orderEvent(ctx, tx, merchantID, orderID, SystemActor, "channel_reinstated", "No longer cancelled on the store "+store.name+"."); err != nil {
		return err
	}
	return tx.Commit()
}

// channelOrder is a store's order in Dropline's terms, keeping the
// platform's IDs of the order and its lines.
func channelOrder(kind channel.Kind, co channel.Order) orderfile.Order {
	a := co.ShipTo
	o := orderfile.Order{
		Channel:        string(kind),
		ChannelOrderID: co.Number,
		ChannelRef:     co.ChannelID,
		PlacedAt:       co.CreatedAt,
		Currency:       co.Currency,
		Customer:       orderfile.Customer{Name: a.Name, Email: co.Email},
		ShipTo: orderfile.Address{Name: a.Name, Company: a.Company, Address1: a.Line1, Address2: a.Line2, City: a.City,
			Region: a.Region, PostalCode: a.PostalCode, Country: a.Country, Phone: a.Phone},
	}
	for _, l := range co.Lines {
		o.Lines = append(o.Lines, orderfile.Line{SKU: l.SKU, Title: l.Title, Quantity: l.Quantity, UnitPriceCents: l.PriceCents, ChannelLineID: l.ChannelID})
	}
	return o
}

// orderProblem says in a sentence why an order was not imported.
func orderProblem(number string, problems map[string]string) string {
	keys := make([]string, 0, len(problems))
	for k := range problems {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	msgs := make([]string, len(keys))
	for i, k := range keys {
		msgs[i] = problems[k]
	}
	if number == "" {
		number = "without a number"
	}
	return "Order " + number + ": " + strings.Join(msgs, " ")
}

// ChannelsDueForSync lists the stores, of every merchant, whose orders were
// last pulled ChannelSyncEvery or more before now (or never), oldest first;
// paused ones are left alone.
func (db *DB) ChannelsDueForSync(ctx context.Context, now time.Time) ([]SalesChannel, error) {
	out, err := db.salesChannelsWhere(ctx, liveAccount("sales_channels.account_id")+` AND paused = 0 AND (orders_synced_at IS NULL OR orders_synced_at <= ?)
		ORDER BY orders_synced_at IS NOT NULL, orders_synced_at, id`, now.UTC().Add(-ChannelSyncEvery))
	if err != nil {
		return nil, fmt.Errorf("store: channels due for sync: %w", err)
	}
	return out, nil
}
