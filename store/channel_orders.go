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
	Invalid   int // orders Dropline cannot take as they are
	// Problems says why each invalid order was not imported (the first
	// maxSyncProblems of them).
	Problems []string
}

// Summary says what a sync did in a sentence.
func (r SyncResult) Summary() string {
	s := fmt.Sprintf("%d new order(s), %d already in Dropline", r.Created, r.Unchanged)
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
	pullErr := db.pullChannelOrders(ctx, merchantID, channelID, conn, channelName(kind)+" "+name, from, &res)
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

// pullChannelOrders reads every page of orders updated since from and
// records each page's new orders in one transaction.
func (db *DB) pullChannelOrders(ctx context.Context, merchantID, channelID int64, conn channel.Conn, label string, from time.Time, res *SyncResult) error {
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
		var batch []orderfile.Order
		for _, co := range page {
			o := channelOrder(conn.Kind, co)
			problems := o.Validate()
			if co.Cancelled {
				// Dropshipping an order its buyer cancelled ships goods
				// nobody pays for: one Dropline has not seen stays out.
				have, err := db.haveOrder(ctx, merchantID, o.Channel, o.ChannelOrderID)
				if err != nil {
					return err
				}
				if have {
					res.Unchanged++
				} else {
					res.Cancelled++
				}
				continue
			}
			if problems != nil {
				res.Invalid++
				if len(res.Problems) < maxSyncProblems {
					res.Problems = append(res.Problems, orderProblem(o.ChannelOrderID, problems))
				}
				continue
			}
			// Orders are unique per platform and number: another store on
			// the same platform may already have used this number. Such an
			// order is reported, never taken for the other store's.
			if other, err := db.otherStoresOrder(ctx, merchantID, channelID, o.Channel, o.ChannelOrderID); err != nil {
				return err
			} else if other != "" {
				res.Invalid++
				if len(res.Problems) < maxSyncProblems {
					res.Problems = append(res.Problems, fmt.Sprintf("order %s was not imported: %s already has an order with that number", o.ChannelOrderID, other))
				}
				continue
			}
			batch = append(batch, o)
		}
		if len(batch) > 0 {
			r, err := db.createOrders(ctx, SystemActor, merchantID, channelID, label, batch)
			if err != nil {
				return err
			}
			res.Created += r.Created
			res.Unchanged += r.Existing
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return fmt.Errorf("the store kept answering with more pages after %d", maxSyncPages)
}

// otherStoresOrder names the other connected store (of the same platform)
// whose order already has this number, or "" when there is none.
func (db *DB) otherStoresOrder(ctx context.Context, merchantID, channelID int64, channelKind, number string) (string, error) {
	var name string
	err := db.rqRow(ctx, `SELECT s.name FROM orders o JOIN sales_channels s ON s.id = o.sales_channel_id
		WHERE o.account_id = ? AND o.channel = ? AND o.channel_order_id = ? AND o.sales_channel_id <> ?`,
		merchantID, channelKind, number, channelID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return name, err
}

// haveOrder reports whether the merchant has the channel's order number.
func (db *DB) haveOrder(ctx context.Context, merchantID int64, channelKind, number string) (bool, error) {
	var have bool
	err := db.rqRow(ctx, "SELECT EXISTS (SELECT 1 FROM orders WHERE account_id = ? AND channel = ? AND channel_order_id = ?)",
		merchantID, channelKind, number).Scan(&have)
	return have, err
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
	rows, err := db.rq(ctx, "SELECT "+salesChannelColumns+` FROM sales_channels
		WHERE paused = 0 AND (orders_synced_at IS NULL OR orders_synced_at <= ?)
		ORDER BY orders_synced_at IS NOT NULL, orders_synced_at, id`, now.UTC().Add(-ChannelSyncEvery))
	if err != nil {
		return nil, fmt.Errorf("store: channels due for sync: %w", err)
	}
	defer rows.Close()
	var out []SalesChannel
	for rows.Next() {
		c, err := scanSalesChannel(rows)
		if err != nil {
			return nil, fmt.Errorf("store: channels due for sync: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
