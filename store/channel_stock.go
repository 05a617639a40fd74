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
	"github.com/dropline/dropline/store/feedfile"
)

// Stock out: each store a merchant has opted in (push_stock) gets, by SKU,
// the sellable quantity of every linked product — LinkedProduct.Sellable,
// the number the products and order pages show. Only what differs from the
// quantity the store last accepted is sent, in batches through the store's
// adapter; what the store accepted is recorded per SKU, with the SKUs it
// does not have. A throttled or failed push records nothing it did not
// send, and the next push sends the rest.
const (
	// StockPushEvery is how often the ticker looks at each store's
	// quantities. A look that finds nothing changed sends nothing.
	StockPushEvery = 5 * time.Minute
	// StockRecheckMissing is how long a SKU the store does not have is left
	// alone before the store is asked again (Push stock now asks at once).
	StockRecheckMissing = 24 * time.Hour
	// MaxStockMissingListed is how many of the SKUs a store lacks its
	// report names.
	MaxStockMissingListed = 10
	// stockBatch is how many SKUs go to the adapter at a time: what one
	// batch did is recorded before the next is sent.
	stockBatch = 100
	// maxStockPerRun bounds one push, so that a large first push does not
	// hold the ticker: the rest goes with the next tick.
	maxStockPerRun = 2000
	// maxStockRefusals stops a push after this many refused batches: a
	// refusal of every batch (a revoked token, a missing scope) is the
	// store's, not the SKUs'.
	maxStockRefusals = 3
	// stockRetryFloor is the least a throttled or failing store waits.
	stockRetryFloor = time.Minute
	// stockLease is how long a push holds its store. It is longer than
	// the ticker's and the button's time limits, so it only matters when a
	// process dies mid-push.
	stockLease = 5 * time.Minute
)

// ErrStockPushBusy: another push of the same store is running.
var ErrStockPushBusy = Conflict("A stock push for this store is already running; what it did shows here when it ends.")

// StockPushResult says what one push of a store's stock did.
type StockPushResult struct {
	Sent      int // SKUs whose quantity the store accepted
	Unchanged int // SKUs already at their quantity on the store: not sent
	Missing   int // SKUs this push found the store does not have
	Waiting   int // SKUs still to send: throttled, refused or past the push's limit
	// Error is the platform's answer when part of the push failed
	// (throttling, a refusal), "" when all went well.
	Error string
}

// Summary says what a push did in a sentence.
func (r StockPushResult) Summary() string {
	s := feedfile.Plural(r.Sent, "quantity", "quantities") + " sent, " + feedfile.Count(r.Unchanged) + " already up to date"
	if r.Missing > 0 {
		s += ", " + feedfile.Plural(r.Missing, "SKU", "SKUs") + " the store does not have"
	}
	if r.Waiting > 0 {
		s += ", " + feedfile.Count(r.Waiting) + " waiting for the next push"
	}
	return s + "."
}

// ChannelStock is what a store's stock push shows on Settings → Sales
// channels.
type ChannelStock struct {
	ChannelID    int64
	LocationID   string // Shopify: where quantities are set, "" for the primary location
	LocationName string
	CheckedAt    *time.Time // when the last push ran, nil for never
	Sent         int        // quantities the last push sent
	Waiting      int        // SKUs the last push left for the next
	Error        string     // the last push's problem, "" when it went well
	InStep       int        // SKUs whose quantity on the store is the one Dropline last pushed
	Missing      int        // SKUs the store does not have
	MissingSKUs  []string   // the first MaxStockMissingListed of them, by SKU
}

// ChannelStockReports returns, by store, what pushing stock to the
// merchant's stores did.
func (db *DB) ChannelStockReports(ctx context.Context, merchantID int64) (map[int64]ChannelStock, error) {
	out := map[int64]ChannelStock{}
	var ids []int64
	err := eachRow(ctx, db.read, `SELECT sc.id, sc.stock_location_id, sc.stock_location_name, sc.stock_checked_at, sc.stock_sent, sc.stock_waiting, sc.stock_error,
		(SELECT count(*) FROM channel_stock cs WHERE cs.sales_channel_id = sc.id AND cs.quantity IS NOT NULL AND cs.missing_at IS NULL),
		(SELECT count(*) FROM channel_stock cs WHERE cs.sales_channel_id = sc.id AND cs.missing_at IS NOT NULL)
		FROM sales_channels sc WHERE sc.account_id = ? ORDER BY sc.id`, []any{merchantID}, func(rows *sql.Rows) error {
		var r ChannelStock
		if err := rows.Scan(&r.ChannelID, &r.LocationID, &r.LocationName, &r.CheckedAt, &r.Sent, &r.Waiting, &r.Error, &r.InStep, &r.Missing); err != nil {
			return err
		}
		out[r.ChannelID] = r
		if r.Missing > 0 {
			ids = append(ids, r.ChannelID)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: stock reports of %d: %w", merchantID, err)
	}
	for _, id := range ids {
		r := out[id]
		err := eachRow(ctx, db.read, "SELECT sku FROM channel_stock WHERE sales_channel_id = ? AND missing_at IS NOT NULL ORDER BY sku LIMIT ?",
			[]any{id, MaxStockMissingListed}, func(rows *sql.Rows) error {
				var sku string
				if err := rows.Scan(&sku); err != nil {
					return err
				}
				r.MissingSKUs = append(r.MissingSKUs, sku)
				return nil
			})
		if err != nil {
			return nil, fmt.Errorf("store: stock reports of %d: %w", merchantID, err)
		}
		out[id] = r
	}
	return out, nil
}

// sellableBySKU is the sellable quantity of each of the merchant's products
// that have sources and are not archived, by SKU: LinkedProduct.Sellable
// over the same sources, read the same way, as the products page shows.
func (db *DB) sellableBySKU(ctx context.Context, merchantID int64) (map[string]int, error) {
	tx, err := db.read.BeginTx(ctx, db.snapshot())
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	skus := map[int64]string{}
	if err := eachRow(ctx, tx, `SELECT p.id, p.sku FROM products p WHERE p.account_id = ? AND p.archived_at IS NULL
		AND EXISTS (SELECT 1 FROM product_sources ps WHERE ps.product_id = p.id)`, []any{merchantID}, func(rows *sql.Rows) error {
		var id int64
		var sku string
		if err := rows.Scan(&id, &sku); err != nil {
			return err
		}
		skus[id] = sku
		return nil
	}); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, sourceSelect+" WHERE ps.account_id = ? ORDER BY ps.product_id, ps.priority, ps.id", merchantID)
	if err != nil {
		return nil, err
	}
	sources, err := db.scanSources(rows)
	if err != nil {
		return nil, err
	}
	byProduct := map[int64]*LinkedProduct{}
	for _, s := range sources {
		if _, ok := skus[s.ProductID]; !ok {
			continue
		}
		lp := byProduct[s.ProductID]
		if lp == nil {
			lp = &LinkedProduct{}
			byProduct[s.ProductID] = lp
		}
		lp.Sources = append(lp.Sources, s)
	}
	out := make(map[string]int, len(byProduct))
	for id, lp := range byProduct {
		if sku := skus[id]; strings.TrimSpace(sku) != "" {
			out[sku] = lp.Sellable()
		}
	}
	return out, nil
}

// stockState is what a store last did with one SKU.
type stockState struct {
	quantity  *int       // the quantity the store last accepted, nil for none yet
	missingAt *time.Time // since when the store has had no such SKU, nil while it has
}

// markStockChanged makes the merchant's stores that push stock due for a
// push now: something their sellable quantities are made of changed.
func markStockChanged(ctx context.Context, tx dbtx, merchantID int64) error {
	_, err := tx.ExecContext(ctx, "UPDATE sales_channels SET stock_changes = stock_changes + 1 WHERE account_id = ? AND push_stock = 1", merchantID)
	return err
}

// resetChannelStock forgets what was pushed to a store, so that its next
// push sends every quantity again: the store is another one (a new
// address), quantities go to another location, or pushing was off and the
// store's quantities may have moved meanwhile. The store is due at once.
func resetChannelStock(ctx context.Context, tx dbtx, channelID int64) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM channel_stock WHERE sales_channel_id = ?", channelID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE sales_channels SET stock_checked_at = NULL, stock_sent = 0, stock_missing = 0, stock_waiting = 0,
		stock_error = '', stock_next_at = NULL WHERE id = ?`, channelID)
	return err
}

// stockConn reads how to reach one of the merchant's stores.
func (db *DB) stockConn(ctx context.Context, merchantID, channelID int64, client *http.Client) (channel.Conn, error) {
	var conn channel.Conn
	var kind string
	err := db.rqRow(ctx, `SELECT kind, base_url, access_token, consumer_key, consumer_secret, stock_location_id
		FROM sales_channels WHERE id = ? AND account_id = ?`, channelID, merchantID).
		Scan(&kind, &conn.BaseURL, &conn.Token, &conn.Key, &conn.Secret, &conn.Location)
	if errors.Is(err, sql.ErrNoRows) {
		return conn, fmt.Errorf("store: sales channel %d: %w", channelID, ErrNotFound)
	}
	conn.Kind, conn.HTTP = channel.Kind(kind), client
	return conn, err
}

// stockMessage says what went wrong pushing stock, in the platform's words
// where it answered.
func stockMessage(err error) string {
	var ce *channel.Error
	switch {
	case errors.As(err, &ce):
		return ce.Message
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "The push was stopped before it finished; what it did not send goes with the next push."
	}
	return err.Error()
}

// claimStockPush takes the store for one push, or says why it cannot be
// pushed: not found, stock push off, paused, or another push running.
func (db *DB) claimStockPush(ctx context.Context, merchantID, channelID int64, now time.Time) error {
	res, err := db.write.ExecContext(ctx, `UPDATE sales_channels SET stock_claimed_until = ?
		WHERE id = ? AND account_id = ? AND push_stock = 1 AND paused = 0 AND (stock_claimed_until IS NULL OR stock_claimed_until <= ?)`,
		now.Add(stockLease), channelID, merchantID, now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var push, paused bool
	err = db.rqRow(ctx, "SELECT push_stock, paused FROM sales_channels WHERE id = ? AND account_id = ?", channelID, merchantID).Scan(&push, &paused)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("store: sales channel %d: %w", channelID, ErrNotFound)
	case err != nil:
		return err
	case !push:
		return Conflict("Stock levels are not pushed to this store: tick “Push stock levels to this store” under Change and save first.")
	case paused:
		return Conflict("This store is paused: Dropline sends it nothing until it is resumed.")
	}
	return ErrStockPushBusy
}

// PushChannelStock pushes to one of the merchant's stores, through its
// adapter with client (the guarded client feed downloads use), the sellable
// quantity of each linked product whose quantity differs from the one the
// store last accepted (all of them the first time), stockBatch SKUs at a
// time, and records per SKU what the store accepted and which SKUs it does
// not have. SKUs the store lacked are asked for again after
// StockRecheckMissing, or now with recheckMissing (Push stock now). A SKU
// pushed before that is no longer linked, or whose product is archived, is
// set to 0 once.
//
// A throttled or failing store stops the push: what was not sent waits for
// the next one, which the ticker runs after the wait the platform asked
// for. A refused batch is not recorded either, and the push goes on with
// the next batches until maxStockRefusals. The platform's message is kept as
// the store's stock error and returned in the result: the error returned is
// only the store's own (not found, not pushing stock, paused, already
// running, the database).
func (db *DB) PushChannelStock(ctx context.Context, merchantID, channelID int64, client *http.Client, recheckMissing bool) (StockPushResult, error) {
	var res StockPushResult
	start := db.now()
	if err := db.claimStockPush(ctx, merchantID, channelID, start); err != nil {
		if errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) {
			return res, err
		}
		return res, fmt.Errorf("store: push stock to %d: %w", channelID, err)
	}
	// Whatever happens below, the store is released and its next push
	// scheduled; ctx may be over by then.
	done := context.WithoutCancel(ctx)
	var changes int64
	var base string
	conn, err := db.stockConn(ctx, merchantID, channelID, client)
	if err == nil {
		err = db.rqRow(ctx, "SELECT stock_changes, base_url FROM sales_channels WHERE id = ?", channelID).Scan(&changes, &base)
	}
	if err != nil {
		return res, errors.Join(fmt.Errorf("store: push stock to %d: %w", channelID, err), db.releaseStockPush(done, channelID))
	}
	outcome, pushErr := db.pushStock(ctx, merchantID, channelID, conn, base, start, recheckMissing, &res)
	if pushErr != nil {
		return res, errors.Join(fmt.Errorf("store: push stock to %d: %w", channelID, pushErr), db.releaseStockPush(done, channelID))
	}
	now := db.now()
	next := start.Add(StockPushEvery)
	switch {
	case outcome.retry:
		next = now.Add(max(outcome.retryAfter, stockRetryFloor))
	case res.Waiting > 0 && res.Error == "":
		next = now // past the push's limit: the rest goes with the next tick
	}
	var missing int
	if err := db.write.QueryRowContext(done, "SELECT count(*) FROM channel_stock WHERE sales_channel_id = ? AND missing_at IS NOT NULL", channelID).Scan(&missing); err != nil {
		return res, errors.Join(fmt.Errorf("store: push stock to %d: %w", channelID, err), db.releaseStockPush(done, channelID))
	}
	if _, err := db.write.ExecContext(done, `UPDATE sales_channels SET stock_checked_at = ?, stock_sent = ?, stock_missing = ?, stock_waiting = ?,
		stock_error = ?, stock_changes_seen = ?, stock_next_at = ?, stock_claimed_until = NULL WHERE id = ? AND account_id = ?`,
		start, res.Sent, missing, res.Waiting, res.Error, changes, next, channelID, merchantID); err != nil {
		return res, fmt.Errorf("store: push stock to %d: %w", channelID, err)
	}
	return res, nil
}

func (db *DB) releaseStockPush(ctx context.Context, channelID int64) error {
	_, err := db.write.ExecContext(ctx, "UPDATE sales_channels SET stock_claimed_until = NULL WHERE id = ?", channelID)
	return err
}

// stockOutcome says how a push ended, for scheduling the next.
type stockOutcome struct {
	retry      bool // stopped by throttling or a failure worth retrying
	retryAfter time.Duration
}

// pushStock works out what to send and sends it, recording each batch the
// store accepted. Platform problems end up in res.Error; the error returned
// is the database's.
func (db *DB) pushStock(ctx context.Context, merchantID, channelID int64, conn channel.Conn, base string, start time.Time,
	recheckMissing bool, res *StockPushResult) (stockOutcome, error) {
	var out stockOutcome
	want, err := db.sellableBySKU(ctx, merchantID)
	if err != nil {
		return out, err
	}
	state := map[string]stockState{}
	if err := eachRow(ctx, db.read, "SELECT sku, quantity, missing_at FROM channel_stock WHERE sales_channel_id = ?", []any{channelID}, func(rows *sql.Rows) error {
		var sku string
		var st stockState
		if err := rows.Scan(&sku, &st.quantity, &st.missingAt); err != nil {
			return err
		}
		state[sku] = st
		return nil
	}); err != nil {
		return out, err
	}
	// What the store still shows for a product Dropline no longer sells
	// from a source is set to 0; a SKU with nothing to take back is
	// forgotten.
	var forget []string
	for sku, st := range state {
		if _, linked := want[sku]; linked {
			continue
		}
		if st.missingAt == nil && st.quantity != nil && *st.quantity > 0 {
			want[sku] = 0
		} else {
			forget = append(forget, sku)
		}
	}
	if len(forget) > 0 {
		if _, err := db.write.ExecContext(ctx, "DELETE FROM channel_stock WHERE sales_channel_id = ? AND sku IN (SELECT value FROM json_each(?))",
			channelID, jsonStrings(forget)); err != nil {
			return out, err
		}
	}
	var due []string
	for sku, q := range want {
		st, seen := state[sku]
		switch {
		case !seen:
			due = append(due, sku)
		case st.missingAt != nil:
			if recheckMissing || start.Sub(*st.missingAt) >= StockRecheckMissing {
				due = append(due, sku)
			}
		case st.quantity == nil || *st.quantity != q:
			due = append(due, sku)
		default:
			res.Unchanged++
		}
	}
	slices.Sort(due)
	if len(due) > maxStockPerRun {
		res.Waiting += len(due) - maxStockPerRun
		due = due[:maxStockPerRun]
	}
	if len(due) == 0 {
		return out, nil
	}
	ch, err := channel.New(conn)
	if err != nil {
		res.Waiting += len(due)
		res.Error = stockMessage(err)
		return out, nil
	}
	var problems []string
	refused := 0
	for i := 0; i < len(due); i += stockBatch {
		batch := due[i:min(i+stockBatch, len(due))]
		levels := make([]channel.StockLevel, len(batch))
		for j, sku := range batch {
			levels[j] = channel.StockLevel{SKU: sku, Quantity: want[sku]}
		}
		missing, err := ch.PushStock(ctx, levels)
		if err != nil {
			if msg := stockMessage(err); !slices.Contains(problems, msg) {
				problems = append(problems, msg)
			}
			if channel.Retryable(err) || ctx.Err() != nil {
				var ce *channel.Error
				if errors.As(err, &ce) {
					out.retryAfter = ce.RetryAfter
				}
				out.retry = true
				res.Waiting += len(due) - i
				break
			}
			res.Waiting += len(batch)
			if refused++; refused >= maxStockRefusals {
				res.Waiting += len(due) - i - len(batch)
				break
			}
			continue
		}
		kept, err := db.recordStock(ctx, channelID, conn.Location, base, batch, want, missing)
		if err != nil {
			return out, err
		}
		if !kept {
			// The store's address or location changed meanwhile: what was
			// sent went to the old one, and the next push starts over.
			res.Waiting += len(due) - i
			problems = append(problems, "The store's settings changed during the push; the next push sends every quantity again.")
			break
		}
		gone := map[string]bool{}
		for _, sku := range missing {
			gone[sku] = true
		}
		for _, sku := range batch {
			if gone[strings.TrimSpace(sku)] {
				res.Missing++
			} else {
				res.Sent++
			}
		}
	}
	res.Error = strings.Join(problems, " ")
	return out, nil
}

// recordStock records one batch the store took: the quantity of each SKU it
// has, and which it does not have. It records nothing, and says so, when the
// store's address or location is no longer the one the batch went to.
func (db *DB) recordStock(ctx context.Context, channelID int64, location, base string, batch []string, want map[string]int, missing []string) (bool, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var same bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM sales_channels WHERE id = ? AND base_url = ? AND stock_location_id = ? AND push_stock = 1)",
		channelID, base, location).Scan(&same); err != nil {
		return false, err
	}
	if !same {
		return false, nil
	}
	gone := map[string]bool{}
	for _, sku := range missing {
		gone[sku] = true
	}
	now := db.now()
	for _, sku := range batch {
		if gone[strings.TrimSpace(sku)] {
			if _, err := tx.ExecContext(ctx, `INSERT INTO channel_stock (sales_channel_id, sku, missing_at) VALUES (?, ?, ?)
				ON CONFLICT (sales_channel_id, sku) DO UPDATE SET missing_at = excluded.missing_at`, channelID, sku, now); err != nil {
				return false, err
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO channel_stock (sales_channel_id, sku, quantity, pushed_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (sales_channel_id, sku) DO UPDATE SET quantity = excluded.quantity, pushed_at = excluded.pushed_at, missing_at = NULL`,
			channelID, sku, want[sku], now); err != nil {
			return false, err
		}
	}
	return true, tx.Commit()
}

// ChannelsDueForStockPush lists the stores, of every merchant, that push
// stock and are due: never pushed, StockPushEvery after the last push (or
// the wait a throttled push was asked for), or with catalog changes since
// the last push began. Paused stores, and those a push holds, are left
// alone.
func (db *DB) ChannelsDueForStockPush(ctx context.Context, now time.Time) ([]SalesChannel, error) {
	now = now.UTC()
	out, err := db.salesChannelsWhere(ctx, liveAccount("sales_channels.account_id")+` AND push_stock = 1 AND paused = 0 AND (stock_claimed_until IS NULL OR stock_claimed_until <= ?)
		AND (stock_next_at IS NULL OR stock_next_at <= ? OR stock_changes <> stock_changes_seen)
		ORDER BY stock_checked_at IS NOT NULL, stock_checked_at, id`, now, now)
	if err != nil {
		return nil, fmt.Errorf("store: channels due for stock push: %w", err)
	}
	return out, nil
}

// ChannelLocations lists the active locations of one of the merchant's
// stores, for choosing where its stock goes. Only Shopify keeps stock per
// location.
func (db *DB) ChannelLocations(ctx context.Context, merchantID, channelID int64, client *http.Client) ([]channel.Location, error) {
	conn, err := db.stockConn(ctx, merchantID, channelID, client)
	if err != nil {
		return nil, err
	}
	ch, err := channel.New(conn)
	if err != nil {
		return nil, err
	}
	loc, ok := ch.(channel.Locator)
	if !ok {
		return nil, Conflict(channelName(string(conn.Kind)) + " keeps one stock quantity per product: there is no location to choose.")
	}
	return loc.Locations(ctx)
}

// SetStockLocation chooses the Shopify location a store's stock is set at
// ("" for the shop's primary location), after checking with the shop that
// it is one of its active locations. Another location starts over: the next
// push sends every quantity there.
func (db *DB) SetStockLocation(ctx context.Context, actor Actor, merchantID, channelID int64, locationID string, client *http.Client) (channel.Location, error) {
	locationID = strings.TrimSpace(locationID)
	var chosen channel.Location
	if locationID != "" {
		locs, err := db.ChannelLocations(ctx, merchantID, channelID, client)
		if err != nil {
			return chosen, err
		}
		found := false
		for _, l := range locs {
			if l.ID == locationID {
				chosen, found = l, true
			}
		}
		if !found {
			return chosen, FieldError("location_id", "The shop has no active location with that ID: choose one of the list.")
		}
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return chosen, fmt.Errorf("store: set stock location: %w", err)
	}
	defer tx.Rollback()
	var kind, cur, name string
	err = tx.QueryRowContext(ctx, "SELECT kind, stock_location_id, name FROM sales_channels WHERE id = ? AND account_id = ?", channelID, merchantID).Scan(&kind, &cur, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return chosen, fmt.Errorf("store: sales channel %d: %w", channelID, ErrNotFound)
	}
	if err != nil {
		return chosen, fmt.Errorf("store: set stock location: %w", err)
	}
	if kind != string(channel.Shopify) {
		return chosen, Conflict(channelName(kind) + " keeps one stock quantity per product: there is no location to choose.")
	}
	if _, err := tx.ExecContext(ctx, "UPDATE sales_channels SET stock_location_id = ?, stock_location_name = ?, updated_at = ? WHERE id = ?",
		chosen.ID, chosen.Name, db.now(), channelID); err != nil {
		return chosen, fmt.Errorf("store: set stock location: %w", err)
	}
	if cur != chosen.ID {
		if err := resetChannelStock(ctx, tx, channelID); err != nil {
			return chosen, fmt.Errorf("store: set stock location: %w", err)
		}
	}
	detail := name + ": stock at the shop's primary location"
	if chosen.ID != "" {
		detail = name + ": stock at " + chosen.Name + " (" + chosen.ID + ")"
	}
	if err := db.audit(ctx, tx, actor, merchantID, "sales_channel.stock_location", "sales_channel", channelID, detail); err != nil {
		return chosen, fmt.Errorf("store: set stock location: %w", err)
	}
	return chosen, tx.Commit()
}
