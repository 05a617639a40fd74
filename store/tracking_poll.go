package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/dropline/dropline/store/tracking"
)

// Missed tracking updates: a provider's webhook can be lost (the address
// was not pasted yet, Dropline was down longer than the provider retries,
// a delivery was refused while the secret was being changed). So the
// ticker asks the provider, now and then, for the trackers that have said
// nothing for a while, and anyone following a shipment can ask for it at
// once (Refresh tracking). What comes back goes through the same path as a
// webhook's update: events are kept once, so a replay changes nothing.

// TrackingAPI is how the store reaches the tracking providers.
type TrackingAPI struct {
	// HTTP sends the requests: the guarded client every outbound request
	// uses. Nil is http.DefaultClient (tests).
	HTTP *http.Client
	// URLs override the providers' API addresses (tests).
	URLs map[tracking.Kind]string
}

// provider is the adapter of kind with key.
func (api TrackingAPI) provider(kind tracking.Kind, key string) (tracking.Provider, error) {
	return tracking.New(tracking.Config{Kind: kind, APIKey: key, BaseURL: api.URLs[kind], HTTP: api.HTTP})
}

// How the ticker polls.
const (
	// TrackingPollAfter is how long a registered shipment may go without
	// news (a new event, or its registration) before the provider is asked;
	// and how long after asking it is asked again.
	TrackingPollAfter = 12 * time.Hour
	// TrackingPollBatch is how many shipments one pass asks about.
	TrackingPollBatch = 50
	// trackingPollDays: a parcel not delivered this long after its ship
	// date is lost or returned, not late: it is not asked about any more.
	trackingPollDays = 60
	// trackingPollRetry is how soon a shipment whose provider could not
	// answer (throttled, down) is asked again, unless it said to wait longer.
	trackingPollRetry = time.Hour
)

// TrackingPoll is what one polling pass did.
type TrackingPoll struct {
	Asked   int    // shipments asked about
	Added   int    // events not seen before
	Failed  int    // shipments the provider did not answer for
	Problem string // the first failure, in the provider's words
}

// polled is a shipment a pass asks about.
type polled struct {
	id, account int64
	kind, ref   string
}

// RefreshTracking asks the providers about the registered, undelivered
// shipments that have had no news for TrackingPollAfter, the longest
// waiting first, TrackingPollBatch at most, and applies what they answer
// as a webhook's update. Each shipment is claimed (its tracking_polled_at
// set) before it is asked about, so that two instances serving the
// database never ask about the same one, and one pass does not ask again
// what the last one asked. The ticker runs it.
func (db *DB) RefreshTracking(ctx context.Context, api TrackingAPI) (TrackingPoll, error) {
	var out TrackingPoll
	now := db.now()
	quiet := now.Add(-TrackingPollAfter)
	lock := ""
	if db.pg {
		lock = " FOR UPDATE OF s SKIP LOCKED"
	}
	var list []polled
	err := eachRow(ctx, db.write, `UPDATE shipments SET tracking_polled_at = ? WHERE id IN (
		SELECT s.id FROM shipments s JOIN tracking_settings ts ON ts.account_id = s.tracking_account_id
		WHERE s.tracking_registered_at IS NOT NULL AND s.delivered_at IS NULL AND s.tracking_ref <> '' AND ts.provider = s.tracking_provider
			AND `+liveAccount("s.tracking_account_id")+`
			AND coalesce(s.tracking_at, s.tracking_registered_at) < ?
			AND (s.tracking_polled_at IS NULL OR s.tracking_polled_at < ?) AND s.ship_date >= ?
		ORDER BY coalesce(s.tracking_polled_at, s.tracking_registered_at), s.id LIMIT `+fmt.Sprint(TrackingPollBatch)+lock+`)
		AND (tracking_polled_at IS NULL OR tracking_polled_at < ?)
		RETURNING id, tracking_account_id, tracking_provider, tracking_ref`,
		[]any{now, quiet, quiet, now.AddDate(0, 0, -trackingPollDays).Format(time.DateOnly), quiet}, func(rows *sql.Rows) error {
			var p polled
			if err := rows.Scan(&p.id, &p.account, &p.kind, &p.ref); err != nil {
				return err
			}
			list = append(list, p)
			return nil
		})
	if err != nil {
		return out, fmt.Errorf("store: poll tracking: %w", err)
	}
	providers := map[int64]tracking.Provider{}
	throttled := map[int64]time.Duration{} // accounts whose provider asked to wait, and how long
	for _, p := range list {
		if ctx.Err() != nil {
			break
		}
		if wait, ok := throttled[p.account]; ok {
			// The provider asked to slow down: the rest of this account's
			// shipments wait for a later pass.
			if err := db.pollLater(ctx, p.id, now, wait); err != nil {
				return out, err
			}
			continue
		}
		prov := providers[p.account]
		if prov == nil {
			var key string
			if err := db.rqRow(ctx, "SELECT api_key FROM tracking_settings WHERE account_id = ? AND provider = ?", p.account, p.kind).Scan(&key); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					continue // turned off or switched since the claim
				}
				return out, fmt.Errorf("store: poll tracking: %w", err)
			}
			if prov, err = api.provider(tracking.Kind(p.kind), key); err != nil {
				return out, fmt.Errorf("store: poll tracking: %w", err)
			}
			providers[p.account] = prov
		}
		out.Asked++
		u, err := prov.Fetch(ctx, p.ref)
		if err != nil {
			out.Failed++
			if out.Problem == "" {
				out.Problem = err.Error()
			}
			if tracking.Retryable(err) {
				wait := trackingPollRetry
				var te *tracking.Error
				if errors.As(err, &te) {
					wait = max(wait, te.RetryAfter)
					if te.Status == http.StatusTooManyRequests {
						throttled[p.account] = wait
					}
				}
				if err := db.pollLater(ctx, p.id, now, wait); err != nil {
					return out, err
				}
			}
			continue // a refusal (a revoked key, a tracker gone) is asked again after TrackingPollAfter
		}
		res, err := db.applyTrackingUpdate(ctx, p.account, tracking.Kind(p.kind), u)
		if err != nil {
			return out, err
		}
		out.Added += res.Added
	}
	return out, nil
}

// pollLater makes shipment id due again wait after now, rather than after
// TrackingPollAfter.
func (db *DB) pollLater(ctx context.Context, id int64, now time.Time, wait time.Duration) error {
	if _, err := db.write.ExecContext(ctx, "UPDATE shipments SET tracking_polled_at = ? WHERE id = ?", now.Add(wait-TrackingPollAfter), id); err != nil {
		return fmt.Errorf("store: poll tracking of shipment %d: %w", id, err)
	}
	return nil
}

// ErrNotTracked is the error of refreshing a shipment the account's
// provider does not follow yet: tracking updates are off, or its
// registration has not gone through.
var ErrNotTracked = errors.New("the shipment is not registered with a tracking provider yet")

// RefreshShipmentTracking asks the account's tracking provider about one
// of its shipments now (Refresh tracking) and applies what it says as a
// webhook's update. Only the account whose provider follows the shipment
// may: for any other, even the other side of its PO, it is ErrNotFound. A
// shipment not registered yet is ErrNotTracked; the provider's refusal or
// failure is a *tracking.Error, in its words.
func (db *DB) RefreshShipmentTracking(ctx context.Context, accountID, shipmentID int64, api TrackingAPI) (TrackingOutcome, error) {
	var out TrackingOutcome
	var kind, ref, current, key string
	var registered bool
	err := db.rqRow(ctx, `SELECT s.tracking_provider, s.tracking_ref, s.tracking_registered_at IS NOT NULL, coalesce(ts.provider, ''), coalesce(ts.api_key, '')
		FROM shipments s LEFT JOIN tracking_settings ts ON ts.account_id = s.tracking_account_id
		WHERE s.id = ? AND s.tracking_account_id = ?`, shipmentID, accountID).Scan(&kind, &ref, &registered, &current, &key)
	if errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("store: refresh tracking of shipment %d: %w", shipmentID, ErrNotFound)
	}
	if err != nil {
		return out, fmt.Errorf("store: refresh tracking of shipment %d: %w", shipmentID, err)
	}
	if current == "" || current != kind || !registered || ref == "" {
		return out, ErrNotTracked
	}
	prov, err := api.provider(tracking.Kind(kind), key)
	if err != nil {
		return out, fmt.Errorf("store: refresh tracking: %w", err)
	}
	u, err := prov.Fetch(ctx, ref)
	if err != nil {
		return out, err
	}
	if _, err := db.write.ExecContext(ctx, "UPDATE shipments SET tracking_polled_at = ? WHERE id = ?", db.now(), shipmentID); err != nil {
		return out, fmt.Errorf("store: refresh tracking of shipment %d: %w", shipmentID, err)
	}
	return db.applyTrackingUpdate(ctx, accountID, tracking.Kind(kind), u)
}
