package store

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/dropline/dropline/store/tracking"
)

// Tracking events: each new shipment is registered with the tracking
// provider of the account that follows its parcels (a message in the
// outbox, written with the shipment), and the provider's signed webhooks
// bring its carrier's scans back as events. The store keeps each event
// once, reads the shipment's status from its latest event by the time it
// happened (so a late or replayed webhook changes nothing it should not),
// marks it delivered when the carrier says so, and flags its PO when the
// carrier reports a failed attempt, an exception or a return, or when no
// first scan came within the account's not-moving hours.

// TopicTrackingRegister is the outbox topic of a shipment registered with
// a tracking provider.
const TopicTrackingRegister = "tracking.register"

// trackerMessage is a TopicTrackingRegister message's body. The provider
// and its API key are read when it is sent: never a credential in the outbox.
type trackerMessage struct {
	ShipmentID int64  `json:"shipment_id"`
	Carrier    string `json:"carrier"`
	Number     string `json:"tracking_number"`
	Title      string `json:"title"`
	ShipDate   string `json:"ship_date"`
}

// trackerRow is the outbox row registering sh of p with p's tracker.
func trackerRow(p *shipPO, sh Shipment, now time.Time) ([]any, error) {
	body, err := json.Marshal(trackerMessage{ShipmentID: sh.ID, Carrier: sh.Carrier, Number: sh.TrackingNumber, Title: p.PONumber, ShipDate: sh.ShipDate})
	if err != nil {
		return nil, err
	}
	m := OutboxMessage{AccountID: p.tracker, Kind: OutboxChannel, Topic: TopicTrackingRegister, Recipient: p.trackerKind, Body: string(body), ShipmentID: sh.ID}
	if p.tracker == p.AccountID {
		m.OrderID = p.OrderID // the order is the merchant's: the supplier's outbox does not point at it
	}
	return outboxRow(m, now), nil
}

// sendTracker registers a shipment with the provider its account has now,
// over client (the guarded client), and returns the provider's ID of the
// tracker. A shipment registered before is not registered again.
func (d *Deliverer) sendTracker(ctx context.Context, client *http.Client, m OutboxMessage) (string, error) {
	var msg trackerMessage
	if err := json.Unmarshal([]byte(m.Body), &msg); err != nil {
		return "", &refusal{fmt.Errorf("the message cannot be read: %w", err)}
	}
	var kind, key string
	err := d.DB.rqRow(ctx, "SELECT provider, api_key FROM tracking_settings WHERE account_id = ?", m.AccountID).Scan(&kind, &key)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && kind == "") {
		return "", &refusal{errors.New("tracking updates were turned off in Settings → Carriers")}
	}
	if err != nil {
		return "", err
	}
	var ref string
	var registered bool
	err = d.DB.rqRow(ctx, "SELECT tracking_ref, tracking_registered_at IS NOT NULL FROM shipments WHERE id = ? AND tracking_account_id = ?", msg.ShipmentID, m.AccountID).
		Scan(&ref, &registered)
	if errors.Is(err, sql.ErrNoRows) {
		return "", &refusal{errors.New("the shipment is not followed by this account's tracking provider")}
	}
	if err != nil {
		return "", err
	}
	if registered {
		return ref, nil
	}
	p, err := tracking.New(tracking.Config{Kind: tracking.Kind(kind), APIKey: key, BaseURL: d.TrackingURLs[tracking.Kind(kind)], HTTP: client})
	if err != nil {
		return "", &refusal{err}
	}
	ref, err = p.CreateTracker(ctx, tracking.Shipment{Carrier: msg.Carrier, Number: msg.Number, Title: msg.Title, ShipDate: msg.ShipDate})
	if err != nil {
		if !tracking.Retryable(err) {
			return "", &refusal{err}
		}
		return "", err
	}
	if _, err := d.DB.write.ExecContext(ctx, `UPDATE shipments SET tracking_provider = ?, tracking_ref = ?, tracking_registered_at = coalesce(tracking_registered_at, ?)
		WHERE id = ?`, kind, ref, d.DB.now(), msg.ShipmentID); err != nil {
		return "", fmt.Errorf("store: tracker of shipment %d: %w", msg.ShipmentID, err)
	}
	return ref, nil
}

// ErrTrackingSignature is the error of a tracking webhook not signed with
// the account's webhook secret: it changes nothing, and is listed in the
// account's rejected webhooks.
var ErrTrackingSignature = tracking.ErrSignature

// TrackingOutcome says what a tracking webhook did.
type TrackingOutcome struct {
	Result    string // one of the Tracking* results
	Shipments int    // shipments the update was for
	Added     int    // events not seen before
	Problem   string // why a signed delivery was not used
}

// What a tracking webhook did.
const (
	TrackingApplied   = "applied"   // new events were recorded
	TrackingUnchanged = "unchanged" // every event was known: a duplicate or a replay
	TrackingUnknown   = "unknown"   // no shipment of the account has this parcel
	TrackingIgnored   = "ignored"   // not a parcel's update (a test, another topic)
	TrackingOff       = "off"       // the account has no provider now
	TrackingUnread    = "unread"    // signed, but its payload cannot be read (Problem says why)
)

// maxTrackingRejects bounds how many refused deliveries an account keeps
// an hour: someone who found the address cannot fill the database.
const maxTrackingRejects = 50

// ReceiveTrackingWebhook takes a delivery to TrackingWebhookPath + token.
// An unknown token is ErrNotFound; a delivery not signed with the account's
// webhook secret is ErrTrackingSignature and is kept in the account's
// rejected webhooks (a short head of its body, for the admin to see what
// came). A signed update is applied in one transaction.
func (db *DB) ReceiveTrackingWebhook(ctx context.Context, token string, h http.Header, body []byte) (TrackingOutcome, error) {
	var out TrackingOutcome
	if token == "" {
		return out, fmt.Errorf("store: tracking webhook: %w", ErrNotFound)
	}
	var accountID int64
	var kind, secret string
	err := db.rqRow(ctx, "SELECT account_id, provider, webhook_secret FROM tracking_settings WHERE webhook_token = ? AND "+liveAccount("tracking_settings.account_id"), token).
		Scan(&accountID, &kind, &secret)
	if errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("store: tracking webhook: %w", ErrNotFound)
	}
	if err != nil {
		return out, fmt.Errorf("store: tracking webhook: %w", err)
	}
	if kind == "" {
		out.Result = TrackingOff
		return out, nil
	}
	k := tracking.Kind(kind)
	p, err := tracking.New(tracking.Config{Kind: k})
	if err != nil {
		return out, fmt.Errorf("store: tracking webhook: %w", err)
	}
	u, err := p.ParseWebhook(h, body, secret)
	switch {
	case errors.Is(err, tracking.ErrSignature):
		header, _ := tracking.Signature(k, body, "")
		reason := "Refused: the " + header + " signature does not match the webhook secret in Settings → Carriers. Nothing was changed."
		if rerr := db.rejectTrackingWebhook(ctx, accountID, k, reason, body); rerr != nil {
			return out, errors.Join(err, rerr)
		}
		return out, fmt.Errorf("store: tracking webhook: %w", ErrTrackingSignature)
	case errors.Is(err, tracking.ErrNotTracking):
		out.Result = TrackingIgnored
		return out, nil
	case err != nil:
		out.Result, out.Problem = TrackingUnread, err.Error()
		return out, db.rejectTrackingWebhook(ctx, accountID, k, "Not used: "+err.Error(), body)
	}
	if _, err := db.write.ExecContext(ctx, "UPDATE tracking_settings SET webhook_received_at = ? WHERE account_id = ?", db.now(), accountID); err != nil {
		return out, fmt.Errorf("store: tracking webhook: %w", err)
	}
	return db.applyTrackingUpdate(ctx, accountID, k, u)
}

// rejectTrackingWebhook keeps a refused delivery in the account's rejected
// webhooks, unless the account already has maxTrackingRejects from the
// last hour.
func (db *DB) rejectTrackingWebhook(ctx context.Context, accountID int64, k tracking.Kind, reason string, body []byte) error {
	var recent int
	if err := db.rqRow(ctx, "SELECT count(*) FROM rejected_webhooks WHERE account_id = ? AND received_at > ? AND source LIKE 'Tracking webhook%'",
		accountID, db.now().Add(-time.Hour)).Scan(&recent); err != nil {
		return fmt.Errorf("store: reject tracking webhook: %w", err)
	}
	if recent >= maxTrackingRejects {
		return nil
	}
	return db.RejectWebhook(ctx, accountID, trackingWebhookSource(k), reason, body[:min(len(body), 2048)])
}

// eventKey is an event's dedupe key: the same checkpoint, sent again, has
// the same key.
func eventKey(k tracking.Kind, e tracking.Event) string {
	h := sha256.New()
	for _, part := range []string{string(k), e.OccurredAt.UTC().Format(time.RFC3339Nano), string(e.Status), e.SubStatus, e.Message, e.Location} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// carrierActor is who a provider's update is recorded as.
func carrierActor(k tracking.Kind) Actor { return Actor{Name: "carrier (" + k.Name() + ")"} }

// applyTrackingUpdate records u's events on the account's shipments of
// that parcel, in one transaction with all they cause.
func (db *DB) applyTrackingUpdate(ctx context.Context, accountID int64, k tracking.Kind, u tracking.Update) (TrackingOutcome, error) {
	out := TrackingOutcome{Result: TrackingUnknown}
	tx, err := db.begin(ctx)
	if err != nil {
		return out, fmt.Errorf("store: tracking update: %w", err)
	}
	defer tx.Rollback()
	number := strings.ToUpper(strings.Join(strings.Fields(u.Number), ""))
	ids, err := queryIDs(ctx, tx, "SELECT id FROM shipments WHERE tracking_account_id = ? AND tracking_number = ? ORDER BY id", accountID, number)
	if err == nil && len(ids) == 0 && u.Ref != "" {
		ids, err = queryIDs(ctx, tx, "SELECT id FROM shipments WHERE tracking_account_id = ? AND tracking_ref = ? ORDER BY id", accountID, u.Ref)
	}
	if err != nil {
		return out, fmt.Errorf("store: tracking update: %w", err)
	}
	if len(ids) == 0 {
		return out, nil
	}
	out.Result, out.Shipments = TrackingUnchanged, len(ids)
	now := db.now()
	if e := u.Expected; e.From != "" {
		// The newest estimate, even when no scan came with it (AfterShip's
		// edd_revise): it is shown until the parcel is delivered. An update
		// whose scans are all older than the shipment's latest is a late
		// one, and so is its estimate.
		var newest any // NULL: no scan to judge it by
		for _, ev := range u.Events {
			if t, ok := newest.(time.Time); !ok || ev.OccurredAt.After(t) {
				newest = ev.OccurredAt.UTC()
			}
		}
		in, set := oneOf("id", ids)
		res, err := tx.ExecContext(ctx, "UPDATE shipments SET expected_from = ?, expected_to = ? WHERE "+in+
			" AND (expected_from <> ? OR expected_to <> ?) AND (CAST(? AS TIMESTAMP) IS NULL OR tracking_at IS NULL OR tracking_at <= ?)",
			e.From, e.To, set, e.From, e.To, newest, newest)
		if err != nil {
			return out, fmt.Errorf("store: tracking update: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			out.Result = TrackingApplied
		}
	}
	// One parcel may be on several POs of one order (the same customer's
	// lines in one box): the customer hears its news once.
	told := map[string]bool{}
	for _, id := range ids {
		added, err := db.applyShipmentEvents(ctx, tx, k, id, u.Events, told, now)
		if err != nil {
			return out, fmt.Errorf("store: tracking update of shipment %d: %w", id, err)
		}
		out.Added += added
	}
	if out.Added > 0 {
		out.Result = TrackingApplied
	}
	return out, tx.Commit()
}

// trackedShipment is what applying events reads of a shipment.
type trackedShipment struct {
	id, poID, supplierID, merchantID, orderID int64
	carrier, number, poNumber                 string
	status                                    tracking.Status
	delivered                                 bool
}

// applyShipmentEvents inserts the events a shipment does not have and, when
// any is new, reads its status again from all of them: the latest by when
// it happened is its status, the earliest scan its first scan, and a
// delivery anywhere among them marks it delivered. It returns how many
// events were new.
func (db *DB) applyShipmentEvents(ctx context.Context, tx dbtx, k tracking.Kind, id int64, events []tracking.Event, told map[string]bool, now time.Time) (int, error) {
	added := 0
	for _, e := range events {
		res, err := tx.ExecContext(ctx, `INSERT INTO shipment_events (shipment_id, status, sub_status, message, location, occurred_at, provider, dedupe_key, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (shipment_id, dedupe_key) DO NOTHING`,
			id, string(e.Status), clip(e.SubStatus, 200), clip(e.Message, 500), clip(e.Location, 200), e.OccurredAt.UTC(), string(k), eventKey(k, e), now)
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			added++
		}
	}
	if added == 0 {
		return 0, nil // a duplicate or replayed delivery: nothing changes
	}
	var s trackedShipment
	var was string
	var deliveredAt sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT s.id, s.po_id, s.supplier_id, s.merchant_id, po.order_id, s.carrier_name, s.tracking_number, po.po_number,
		s.tracking_status, s.delivered_at FROM shipments s JOIN purchase_orders po ON po.id = s.po_id WHERE s.id = ?`, id).
		Scan(&s.id, &s.poID, &s.supplierID, &s.merchantID, &s.orderID, &s.carrier, &s.number, &s.poNumber, &was, &deliveredAt)
	if err != nil {
		return 0, err
	}
	s.status, s.delivered = tracking.Status(was), deliveredAt.Valid
	var latest tracking.Event
	var status string
	if err := tx.QueryRowContext(ctx, `SELECT status, sub_status, message, location, CAST(occurred_at AS TEXT) FROM shipment_events
		WHERE shipment_id = ? ORDER BY occurred_at DESC, id DESC LIMIT 1`, id).Scan(&status, &latest.SubStatus, &latest.Message, &latest.Location, textTime(&latest.OccurredAt)); err != nil {
		return 0, err
	}
	latest.Status = tracking.Status(status)
	var firstScan, deliveredBy sql.NullTime
	if err := tx.QueryRowContext(ctx, `SELECT CAST(min(occurred_at) AS TEXT) FROM shipment_events WHERE shipment_id = ? AND status <> 'info_received'`, id).
		Scan(textNullTime(&firstScan)); err != nil {
		return 0, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT CAST(min(occurred_at) AS TEXT) FROM shipment_events WHERE shipment_id = ? AND status = 'delivered'`, id).
		Scan(textNullTime(&deliveredBy)); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE shipments SET tracking_status = ?, tracking_sub_status = ?, tracking_at = ?, first_scan_at = ?,
		tracking_provider = CASE WHEN tracking_provider = '' THEN ? ELSE tracking_provider END WHERE id = ?`,
		string(latest.Status), latest.SubStatus, latest.OccurredAt, firstScan, string(k), id); err != nil {
		return 0, err
	}
	actor := carrierActor(k)
	if latest.Status != s.status {
		msg := fmt.Sprintf("%s %s (%s): %s", s.carrier, s.number, s.poNumber, latest.Status.Label())
		if detail := eventDetail(latest); detail != "" {
			msg += " — " + detail
		}
		emailed := ""
		if key := fmt.Sprintf("%d|%s", s.orderID, latest.Status); !told[key] {
			told[key] = true
			if emailed, err = db.emailCustomerUpdate(ctx, tx, s, latest, now); err != nil {
				return 0, err
			}
		}
		if emailed != "" {
			msg += ". Email to " + emailed + " queued"
		}
		if err := db.orderEvent(ctx, tx, s.merchantID, s.orderID, actor, "tracking_event", msg+"."); err != nil {
			return 0, err
		}
	}
	if deliveredBy.Valid && !s.delivered {
		// The carrier's time of delivery, but never later than now: the
		// supplier's holding period starts then.
		at := deliveredBy.Time
		if at.After(now) {
			at = now
		}
		note := fmt.Sprintf("%s delivered %s of %s (carrier's scan).", s.carrier, s.number, s.poNumber)
		if _, err := db.markDelivered(ctx, tx, actor, s.supplierID, s.id, at, note); err != nil {
			return 0, err
		}
		return added, nil // markDelivered settled the PO's tracking problem
	}
	if err := db.settleTrackingProblems(ctx, tx, actor, []int64{s.poID}); err != nil {
		return 0, err
	}
	return added, nil
}

// eventDetail is what an event says beside its status: its words and place.
func eventDetail(e tracking.Event) string {
	var parts []string
	for _, p := range []string{strings.TrimRight(cmp.Or(e.Message, e.SubStatus), ". "), e.Location} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// clip cuts s to at most n bytes, at a character's start.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// Tracking problems a PO carries, worst last.
const (
	TrackingProblemNotMoving = "not_moving"
	TrackingProblemFailed    = "failed_attempt"
	TrackingProblemException = "exception"
	TrackingProblemReturned  = "returned"
)

// trackingProblemRank orders the problems: a PO shows its worst.
var trackingProblemRank = map[string]int{"": 0, TrackingProblemNotMoving: 1, TrackingProblemFailed: 2, TrackingProblemException: 3, TrackingProblemReturned: 4}

// TrackingProblemLabel is a PO's tracking problem as people read it.
func TrackingProblemLabel(p string) string {
	switch p {
	case TrackingProblemNotMoving:
		return "Not moving"
	case "":
		return ""
	}
	return tracking.Status(p).Label()
}

// shipmentProblem is a shipment's tracking problem: its latest status when
// that is a problem, else not moving when it was flagged and still has no
// carrier scan and is not delivered.
func shipmentProblem(status string, notMoving, scanned, delivered bool) string {
	if tracking.Status(status).Problem() {
		return status
	}
	if notMoving && !scanned && !delivered {
		return TrackingProblemNotMoving
	}
	return ""
}

// settleTrackingProblems sets each PO's tracking problem from its
// shipments, and when one changes, requeues the PO (the supplier's
// Exceptions tab follows it) and notes it on the order and in both
// accounts' audit logs.
func (db *DB) settleTrackingProblems(ctx context.Context, tx dbtx, actor Actor, poIDs []int64) error {
	for _, poID := range poIDs {
		var was, number string
		var merchantID, supplierID, orderID int64
		if err := tx.QueryRowContext(ctx, "SELECT tracking_problem, po_number, account_id, supplier_id, order_id FROM purchase_orders WHERE id = ?", poID).
			Scan(&was, &number, &merchantID, &supplierID, &orderID); err != nil {
			return fmt.Errorf("tracking problem of PO %d: %w", poID, err)
		}
		worst, cause := "", ""
		err := eachRow(ctx, tx, `SELECT carrier_name, tracking_number, tracking_status, not_moving_at IS NOT NULL, first_scan_at IS NOT NULL, delivered_at IS NOT NULL
			FROM shipments WHERE po_id = ? ORDER BY id`, []any{poID}, func(rows *sql.Rows) error {
			var carrier, number, status string
			var notMoving, scanned, delivered bool
			if err := rows.Scan(&carrier, &number, &status, &notMoving, &scanned, &delivered); err != nil {
				return err
			}
			if p := shipmentProblem(status, notMoving, scanned, delivered); trackingProblemRank[p] > trackingProblemRank[worst] {
				worst, cause = p, carrier+" "+number
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("tracking problem of PO %d: %w", poID, err)
		}
		if worst == was {
			continue
		}
		if _, err := tx.ExecContext(ctx, "UPDATE purchase_orders SET tracking_problem = ? WHERE id = ?", worst, poID); err != nil {
			return fmt.Errorf("tracking problem of PO %d: %w", poID, err)
		}
		if err := db.requeue(ctx, tx, poID); err != nil {
			return err
		}
		msg := fmt.Sprintf("%s has a tracking problem: %s (%s).", number, TrackingProblemLabel(worst), cause)
		if worst == TrackingProblemNotMoving {
			msg = fmt.Sprintf("%s: %s has had no carrier scan since it was shipped. A wrong or made-up tracking number often looks like this: check it with the supplier.", number, cause)
		}
		if worst == "" {
			msg = fmt.Sprintf("%s: the tracking problem (%s) is over.", number, TrackingProblemLabel(was))
		}
		if err := db.orderEvent(ctx, tx, merchantID, orderID, actor, "tracking_problem", msg); err != nil {
			return err
		}
		for _, acc := range []int64{merchantID, supplierID} {
			if err := db.audit(ctx, tx, actor, acc, "po.tracking_problem", "purchase_order", poID, number+": "+cmp.Or(TrackingProblemLabel(worst), "cleared")); err != nil {
				return err
			}
		}
	}
	return nil
}

// notMovingBatch is how many shipments one not-moving sweep flags in a
// transaction.
const notMovingBatch = 500

// FlagNotMoving flags the shipments with no first carrier scan by the end
// of their ship date (in the supplier's time zone) plus the tracking
// account's not-moving hours, and their POs; it returns how many it
// flagged. Only shipments a provider follows are judged: without a
// tracker there is no scan to wait for. The ticker runs it.
func (db *DB) FlagNotMoving(ctx context.Context) (int, error) {
	now := db.now()
	// No account waits less than 12 hours after the end of the ship day.
	latest := now.Add(-12 * time.Hour).Format(time.DateOnly)
	type due struct {
		id, poID int64
	}
	var list []due
	err := eachRow(ctx, db.read, `SELECT s.id, s.po_id, s.ship_date, ts.not_moving_hours, a.time_zone FROM shipments s
		JOIN tracking_settings ts ON ts.account_id = s.tracking_account_id JOIN accounts a ON a.id = s.supplier_id
		WHERE s.tracking_registered_at IS NOT NULL AND s.first_scan_at IS NULL AND s.not_moving_at IS NULL AND s.delivered_at IS NULL
			AND s.ship_date <= ? AND ts.provider <> '' AND `+liveAccount("s.tracking_account_id")+` ORDER BY s.id`, []any{latest}, func(rows *sql.Rows) error {
		var d due
		var day, tz string
		var hours int
		if err := rows.Scan(&d.id, &d.poID, &day, &hours, &tz); err != nil {
			return err
		}
		ship, err := time.ParseInLocation(time.DateOnly, day, locationOf(tz))
		if err != nil {
			return nil // not a day: nothing to judge it by
		}
		if !now.Before(ship.AddDate(0, 0, 1).Add(time.Duration(hours) * time.Hour)) {
			list = append(list, d)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: not moving: %w", err)
	}
	flagged := 0
	for part := range slices.Chunk(list, notMovingBatch) {
		n, err := db.flagNotMoving(ctx, part2ids(part, func(d due) int64 { return d.id }), now)
		flagged += n
		if err != nil {
			return flagged, err
		}
	}
	return flagged, nil
}

// part2ids maps a part of a list to IDs.
func part2ids[T any](part []T, id func(T) int64) []int64 {
	out := make([]int64, len(part))
	for i, x := range part {
		out[i] = id(x)
	}
	return out
}

// flagNotMoving flags shipments in one transaction, each only if it still
// has no scan and no flag (a webhook may have come since they were read).
func (db *DB) flagNotMoving(ctx context.Context, ids []int64, now time.Time) (int, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: not moving: %w", err)
	}
	defer tx.Rollback()
	var pos []int64
	flagged := 0
	actor := Actor{Name: "system (not moving)"}
	for _, id := range ids {
		var poID int64
		err := tx.QueryRowContext(ctx, `UPDATE shipments SET not_moving_at = ? WHERE id = ? AND not_moving_at IS NULL AND first_scan_at IS NULL AND delivered_at IS NULL
			RETURNING po_id`, now, id).Scan(&poID)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("store: not moving: %w", err)
		}
		flagged++
		if !slices.Contains(pos, poID) {
			pos = append(pos, poID)
		}
	}
	if err := db.settleTrackingProblems(ctx, tx, actor, pos); err != nil {
		return 0, fmt.Errorf("store: not moving: %w", err)
	}
	return flagged, tx.Commit()
}

// ShipmentTracking is what a shipment's tracking provider has said of it.
type ShipmentTracking struct {
	Provider     tracking.Kind // "" when no provider follows it: tracking updates are off
	Mine         bool          // the viewing account's provider follows it
	Ref          string
	RegisteredAt *time.Time
	// Registration is the registration message's state while it is not
	// registered: "pending", "waiting" or "failed" (the error shown only
	// to the account whose provider it is).
	Registration      string
	RegistrationError string
	Status            tracking.Status // the latest event's, "" before any
	SubStatus         string
	At                *time.Time // when the latest event happened
	FirstScanAt       *time.Time
	NotMovingAt       *time.Time // when it was flagged as not moving, if it was
	// ExpectedFrom and ExpectedTo are the carrier's estimated delivery
	// (YYYY-MM-DD, the same day for one date), "" when none was given.
	ExpectedFrom, ExpectedTo string
	Events                   []ShipmentEvent
}

// NotMoving says the shipment is flagged as not moving now: no carrier
// scan yet, not delivered.
func (t ShipmentTracking) NotMoving(delivered bool) bool {
	return t.NotMovingAt != nil && t.FirstScanAt == nil && !delivered
}

// ShipmentEvent is one carrier scan of a shipment.
type ShipmentEvent struct {
	Status     tracking.Status
	SubStatus  string
	Message    string
	Location   string
	OccurredAt time.Time
}

// loadTracking reads the tracking of shipments seen by accountID: their
// events newest first, and for those not registered yet, their
// registration message.
func (db *DB) loadTracking(ctx context.Context, accountID int64, ships []Shipment) error {
	if len(ships) == 0 {
		return nil
	}
	at := map[int64]*Shipment{}
	ids := make([]int64, len(ships))
	for i := range ships {
		at[ships[i].ID], ids[i] = &ships[i], ships[i].ID
	}
	in, set := oneOf("shipment_id", ids)
	err := eachRow(ctx, db.read, `SELECT shipment_id, status, sub_status, message, location, occurred_at FROM shipment_events WHERE `+in+`
		ORDER BY shipment_id, occurred_at DESC, id DESC`, []any{set}, func(rows *sql.Rows) error {
		var id int64
		var e ShipmentEvent
		var status string
		if err := rows.Scan(&id, &status, &e.SubStatus, &e.Message, &e.Location, &e.OccurredAt); err != nil {
			return err
		}
		e.Status = tracking.Status(status)
		if s := at[id]; s != nil {
			s.Tracking.Events = append(s.Tracking.Events, e)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: shipment events: %w", err)
	}
	in, set = oneOf("o.shipment_id", ids)
	return eachRow(ctx, db.read, `SELECT o.shipment_id, o.account_id, o.state, coalesce(o.waiting_for, ''), o.last_error FROM outbox o
		WHERE `+in+` AND o.topic = ? ORDER BY o.id`, []any{set, TopicTrackingRegister}, func(rows *sql.Rows) error {
		var id, owner int64
		var state, waiting, lastErr string
		if err := rows.Scan(&id, &owner, &state, &waiting, &lastErr); err != nil {
			return err
		}
		s := at[id]
		if s == nil || s.Tracking.RegisteredAt != nil {
			return nil
		}
		s.Tracking.Registration = state
		if waiting != "" && state == "pending" {
			s.Tracking.Registration = "waiting"
		}
		s.Tracking.RegistrationError = ""
		if owner == accountID {
			s.Tracking.RegistrationError = lastErr
		}
		return nil
	})
}

// trackingColumns are the shipment columns scanShipmentTracking reads.
const trackingColumns = `s.tracking_account_id, s.tracking_provider, s.tracking_ref, s.tracking_registered_at, s.tracking_status, s.tracking_sub_status,
	s.tracking_at, s.first_scan_at, s.not_moving_at, s.expected_from, s.expected_to`

// trackingDest are the scan destinations of trackingColumns.
func trackingDest(t *ShipmentTracking, owner *sql.NullInt64, kind, status *string) []any {
	return []any{owner, kind, &t.Ref, &t.RegisteredAt, status, &t.SubStatus, &t.At, &t.FirstScanAt, &t.NotMovingAt, &t.ExpectedFrom, &t.ExpectedTo}
}

// finish completes a scanned ShipmentTracking as seen by accountID.
func (t *ShipmentTracking) finish(accountID int64, owner sql.NullInt64, kind, status string) {
	if owner.Valid {
		t.Provider = tracking.Kind(kind)
		t.Mine = owner.Int64 == accountID
	}
	t.Status = tracking.Status(status)
}
