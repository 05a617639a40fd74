package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
	"github.com/dropline/dropline/store/tracking"
)

const (
	trackAPIKey = "asat_test_key_0123456789"
	trackSecret = "aftership-webhook-secret-1"
)

// trackWorld is an order world whose merchant follows its parcels with
// AfterShip, answered by an in-test server as AfterShip documents it.
type trackWorld struct {
	*orderWorld
	srv      *httptest.Server
	d        *store.Deliverer
	settings store.TrackingSettings
	mu       sync.Mutex
	created  []map[string]string
	refuse   bool // answer 401, as AfterShip does to a revoked key
	// get answers GET /trackings/{id} (Get a tracking by ID) with a status
	// and body; nil answers 404 as AfterShip does for an unknown ID.
	get     func(id string) (int, string)
	fetched []string // the IDs asked for, in order
}

func newTrackWorld(t *testing.T) *trackWorld {
	t.Helper()
	w := &trackWorld{orderWorld: newOrderWorld(t)}
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if id, ok := strings.CutPrefix(r.URL.Path, "/tracking/2025-07/trackings/"); ok && r.Method == http.MethodGet {
			w.answerGet(rw, r, id)
			return
		}
		if r.Method != http.MethodPost || r.URL.Path != "/tracking/2025-07/trackings" {
			t.Errorf("AfterShip got %s %s", r.Method, r.URL.Path)
			http.NotFound(rw, r)
			return
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		rw.Header().Set("Content-Type", "application/json")
		if w.refuse || r.Header.Get("as-api-key") != trackAPIKey {
			rw.WriteHeader(http.StatusUnauthorized)
			io.WriteString(rw, `{"meta":{"code":401,"message":"The API key is invalid.","type":"Unauthorized"},"data":{}}`)
			return
		}
		var body map[string]string
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Error(err)
		}
		w.created = append(w.created, body)
		rw.WriteHeader(http.StatusCreated)
		io.WriteString(rw, `{"meta":{"code":201,"message":"Created","type":"Created"},"data":{"id":"as-`+strings.ToLower(body["tracking_number"])+`","tracking_number":"`+body["tracking_number"]+`","tag":"Pending"}}`)
	}))
	t.Cleanup(w.srv.Close)
	w.d = &store.Deliverer{DB: w.db, HTTP: w.srv.Client(), TrackingURLs: map[tracking.Kind]string{tracking.AfterShip: w.srv.URL + "/tracking/2025-07"}}
	return w
}

// follow sets account's tracking provider to AfterShip.
func (w *trackWorld) follow(t *testing.T, account int64, actor store.Actor) store.TrackingSettings {
	t.Helper()
	set, err := w.db.SaveTrackingSettings(context.Background(), actor, account, store.TrackingSettingsInput{Provider: "aftership", APIKey: trackAPIKey,
		WebhookSecret: trackSecret, NotMovingHours: 48, DeliveryDays: 7})
	if err != nil {
		t.Fatal(err)
	}
	w.settings = set
	return set
}

// deliver sends the due outbox messages.
func (w *trackWorld) deliver(t *testing.T) {
	t.Helper()
	if _, err := w.d.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// checkpoint is one AfterShip checkpoint of a webhook.
type checkpoint struct{ at, tag, subtag, message, location string }

// afterShipUpdate is a tracking_update webhook body as AfterShip sends it.
func afterShipUpdate(number string, cps ...checkpoint) []byte {
	var list []map[string]any
	for _, c := range cps {
		list = append(list, map[string]any{"checkpoint_time": c.at, "slug": "usps", "tag": c.tag, "subtag": c.subtag, "subtag_message": c.subtag,
			"message": c.message, "location": c.location})
	}
	b, _ := json.Marshal(map[string]any{"event": "tracking_update", "event_id": "e-" + number, "is_tracking_first_tag": false,
		"msg": map[string]any{"id": "as-" + strings.ToLower(number), "tracking_number": number, "slug": "usps", "tag": "InTransit", "checkpoints": list}, "ts": 1})
	return b
}

// post delivers body to the account's webhook address, signed with secret.
func (w *trackWorld) post(t *testing.T, body []byte, secret string) (store.TrackingOutcome, error) {
	t.Helper()
	h := http.Header{}
	h.Set(tracking.Signature(tracking.AfterShip, body, secret))
	return w.db.ReceiveTrackingWebhook(context.Background(), w.settings.WebhookToken, h, body)
}

func (w *trackWorld) mustPost(t *testing.T, body []byte) store.TrackingOutcome {
	t.Helper()
	out, err := w.post(t, body, trackSecret)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// shipment is the PO's one shipment as account sees it.
func (w *trackWorld) shipment(t *testing.T, account, poID int64) store.Shipment {
	t.Helper()
	ships, err := w.db.Shipments(context.Background(), account, poID)
	if err != nil || len(ships) != 1 {
		t.Fatalf("shipments %+v, %v", ships, err)
	}
	return ships[0]
}

// timeline is the order's timeline messages of a kind.
func (w *trackWorld) timeline(t *testing.T, orderID int64, kind string) []string {
	t.Helper()
	events, err := w.db.OrderEvents(context.Background(), w.merchant.ID, orderID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range events {
		if e.Kind == kind {
			out = append(out, e.Message)
		}
	}
	return out
}

// ledger is the pair's ledger entries, over the whole year.
func (w *trackWorld) ledger(t *testing.T) []store.LedgerEntry {
	t.Helper()
	ctx := context.Background()
	st, err := w.db.Statement(ctx, w.supplier.ID, w.merchant.ID, "2026-01-01", "2026-12-31")
	if err != nil {
		t.Fatal(err)
	}
	var out []store.LedgerEntry
	if _, err := w.db.StatementEntries(ctx, st, 0, -1, func(e store.LedgerEntry) error {
		out = append(out, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func (w *trackWorld) checkInvariants(t *testing.T) {
	t.Helper()
	if err := w.db.CheckInvariants(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestNoProviderSendsNothing: with no tracking provider on either side a
// shipment queues no registration and says tracking updates are off.
func TestNoProviderSendsNothing(t *testing.T) {
	w := newTrackWorld(t)
	po := w.poFor(t, "#7001", orderfile.Line{SKU: "A-1", Quantity: 1})
	w.ship(t, po, "9400100000000000000011")
	if msgs := w.outbox(t, store.TopicTrackingRegister); len(msgs) != 0 {
		t.Fatalf("registration queued with no provider: %+v", msgs)
	}
	sh := w.shipment(t, w.merchant.ID, po.ID)
	if sh.Tracking.Provider != "" || sh.Tracking.Registration != "" {
		t.Errorf("tracking %+v, want off", sh.Tracking)
	}
	w.deliver(t)
	if len(w.created) != 0 {
		t.Errorf("AfterShip was called: %v", w.created)
	}
}

// TestShipmentRegisteredWithTheProvider: the merchant's AfterShip gets each
// new shipment through the outbox, once; a supplier's own provider is used
// when the merchant has none; a refused key fails the message with
// AfterShip's words.
func TestShipmentRegisteredWithTheProvider(t *testing.T) {
	w := newTrackWorld(t)
	ctx := context.Background()
	w.follow(t, w.merchant.ID, w.mActor)
	po := w.poFor(t, "#7002", orderfile.Line{SKU: "A-1", Quantity: 1})
	w.ship(t, po, "9400100000000000000028")
	msgs := w.outbox(t, store.TopicTrackingRegister)
	if len(msgs) != 1 || msgs[0].State != "pending" || msgs[0].Recipient != "aftership" || strings.Contains(msgs[0].Body, trackAPIKey) {
		t.Fatalf("registration messages %+v", msgs)
	}
	sh := w.shipment(t, w.supplier.ID, po.ID)
	if sh.Tracking.Provider != tracking.AfterShip || sh.Tracking.Mine || sh.Tracking.RegisteredAt != nil || sh.Tracking.Registration != "pending" {
		t.Fatalf("before sending, the supplier sees %+v", sh.Tracking)
	}
	w.deliver(t)
	w.deliver(t) // a second pass sends nothing again
	if len(w.created) != 1 || w.created[0]["tracking_number"] != "9400100000000000000028" || w.created[0]["slug"] != "usps" || w.created[0]["title"] != po.PONumber {
		t.Fatalf("AfterShip received %v", w.created)
	}
	sh = w.shipment(t, w.merchant.ID, po.ID)
	if !sh.Tracking.Mine || sh.Tracking.Ref != "as-9400100000000000000028" || sh.Tracking.RegisteredAt == nil || sh.Tracking.Registration != "" {
		t.Errorf("after sending %+v", sh.Tracking)
	}
	if msgs := w.outbox(t, store.TopicTrackingRegister); msgs[0].State != "sent" {
		t.Errorf("message %+v", msgs[0])
	}

	// The merchant turns it off; the supplier follows its own parcels.
	if _, err := w.db.SaveTrackingSettings(ctx, w.mActor, w.merchant.ID, store.TrackingSettingsInput{NotMovingHours: 48, DeliveryDays: 7}); err != nil {
		t.Fatal(err)
	}
	w.follow(t, w.supplier.ID, w.sActor)
	w.mu.Lock()
	w.refuse = true
	w.mu.Unlock()
	po2 := w.poFor(t, "#7003", orderfile.Line{SKU: "A-2", Quantity: 1})
	w.ship(t, po2, "9400100000000000000035")
	if msgs := w.outbox(t, store.TopicTrackingRegister); len(msgs) != 1 {
		t.Errorf("the merchant's outbox has %d registrations, want the first only", len(msgs))
	}
	w.deliver(t)
	all, err := w.db.OutboxList(ctx, w.supplier.ID, store.OutboxFilter{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	var reg *store.OutboxMessage
	for i := range all {
		if all[i].Topic == store.TopicTrackingRegister {
			reg = &all[i]
		}
	}
	if reg == nil || reg.State != "failed" || !strings.Contains(reg.LastError, "The API key is invalid.") {
		t.Fatalf("the supplier's registration %+v", reg)
	}
	mine := w.shipment(t, w.supplier.ID, po2.ID).Tracking
	theirs := w.shipment(t, w.merchant.ID, po2.ID).Tracking
	if !mine.Mine || mine.Registration != "failed" || !strings.Contains(mine.RegistrationError, "API key") || theirs.Registration != "failed" || theirs.RegistrationError != "" {
		t.Errorf("the supplier sees %+v; the merchant %+v (the supplier's provider's error is the supplier's)", mine, theirs)
	}
}

// TestCarrierDeliveryRollsUp: a signed webhook whose checkpoints end in a
// delivery marks the shipment delivered at the carrier's time, the PO and
// order delivered, and starts the supplier's holding period then; the same
// webhook again, and an older one after it, change nothing.
func TestCarrierDeliveryRollsUp(t *testing.T) {
	w := newTrackWorld(t)
	ctx := context.Background()
	w.terms(t, store.EarnOnDelivered, 14)
	w.follow(t, w.merchant.ID, w.mActor)
	po := w.poFor(t, "#7004", orderfile.Line{SKU: "A-1", Quantity: 2})
	w.ship(t, po, "9400100000000000000042")
	w.deliver(t)
	w.now = w.now.Add(96 * time.Hour)
	early := afterShipUpdate("9400100000000000000042",
		checkpoint{"2026-11-21T18:00:00Z", "InfoReceived", "InfoReceived_001", "Shipping label created", ""},
		checkpoint{"2026-11-22T08:00:00Z", "InTransit", "InTransit_002", "Accepted at USPS origin facility", "HOUSTON, TX"})
	full := afterShipUpdate("9400100000000000000042",
		checkpoint{"2026-11-21T18:00:00Z", "InfoReceived", "InfoReceived_001", "Shipping label created", ""},
		checkpoint{"2026-11-22T08:00:00Z", "InTransit", "InTransit_002", "Accepted at USPS origin facility", "HOUSTON, TX"},
		checkpoint{"2026-11-23T10:00:00Z", "Pending", "Pending_001", "No information", ""},
		checkpoint{"2026-11-24T15:30:00Z", "Delivered", "Delivered_001", "Delivered, Front Door/Porch", "SPRINGFIELD, IL"})
	out := w.mustPost(t, full)
	if out.Result != store.TrackingApplied || out.Shipments != 1 || out.Added != 3 {
		t.Fatalf("outcome %+v", out)
	}
	sh := w.shipment(t, w.merchant.ID, po.ID)
	carrierTime := time.Date(2026, 11, 24, 15, 30, 0, 0, time.UTC)
	if sh.DeliveredAt == nil || !sh.DeliveredAt.Equal(carrierTime) || sh.Tracking.Status != tracking.Delivered ||
		sh.Tracking.FirstScanAt == nil || !sh.Tracking.FirstScanAt.Equal(time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)) || len(sh.Tracking.Events) != 3 {
		t.Fatalf("shipment %+v, tracking %+v", sh, sh.Tracking)
	}
	if e := sh.Tracking.Events[0]; e.Status != tracking.Delivered || e.Message != "Delivered, Front Door/Porch" || e.Location != "SPRINGFIELD, IL" {
		t.Errorf("newest event %+v", e)
	}
	got, _ := w.db.PurchaseOrder(ctx, w.merchant.ID, po.ID)
	o, _ := w.db.Order(ctx, w.merchant.ID, got.OrderID)
	if got.Status != store.PODelivered || o.Status != store.OrderDelivered {
		t.Fatalf("PO %s, order %s", got.Status, o.Status)
	}
	if n := w.timeline(t, o.ID, "delivered"); len(n) != 1 || !strings.Contains(n[0], "carrier's scan") {
		t.Errorf("delivery notes %q", n)
	}
	b := w.balance(t, w.supplier.ID)
	// Earned at the carrier's delivery: 2 × 5.00, available after 14 days from then.
	if b.EarnedCents != 1000 {
		t.Fatalf("balance %+v", b)
	}
	entries := w.ledger(t)
	if len(entries) != 1 || !entries[0].At.Equal(carrierTime) || entries[0].CreatedBy != "carrier (AfterShip)" {
		t.Errorf("ledger %+v", entries)
	}

	// Replayed, duplicated, and an older delivery arriving late: nothing changes.
	notes := len(w.timeline(t, o.ID, "tracking_event"))
	for _, body := range [][]byte{full, full, early} {
		if out := w.mustPost(t, body); out.Result != store.TrackingUnchanged || out.Added != 0 {
			t.Errorf("again: %+v", out)
		}
	}
	again := w.shipment(t, w.merchant.ID, po.ID)
	if again.Tracking.Status != tracking.Delivered || len(again.Tracking.Events) != 3 || !again.DeliveredAt.Equal(carrierTime) {
		t.Errorf("after replays %+v", again.Tracking)
	}
	if n := len(w.timeline(t, o.ID, "tracking_event")); n != notes {
		t.Errorf("timeline notes %d after replays, were %d", n, notes)
	}
	if b2 := w.balance(t, w.supplier.ID); b2 != b {
		t.Errorf("balance moved: %+v, was %+v", b2, b)
	}
	w.checkInvariants(t)
}

// TestOutOfOrderWebhooks: the newest event by the carrier's time decides
// the status, whichever delivery brought it, and a delivery anywhere in
// the history marks the shipment delivered.
func TestOutOfOrderWebhooks(t *testing.T) {
	w := newTrackWorld(t)
	w.follow(t, w.merchant.ID, w.mActor)
	po := w.poFor(t, "#7005", orderfile.Line{SKU: "A-1", Quantity: 1})
	w.ship(t, po, "9400100000000000000059")
	w.now = w.now.Add(96 * time.Hour)
	later := afterShipUpdate("9400100000000000000059", checkpoint{"2026-11-23T09:00:00Z", "OutForDelivery", "OutForDelivery_001", "Out for delivery", "SPRINGFIELD, IL"})
	earlier := afterShipUpdate("9400100000000000000059", checkpoint{"2026-11-22T09:00:00Z", "InTransit", "InTransit_001", "In transit", "ST LOUIS, MO"})
	w.mustPost(t, later)
	w.mustPost(t, earlier)
	sh := w.shipment(t, w.merchant.ID, po.ID)
	if sh.Tracking.Status != tracking.OutForDelivery || len(sh.Tracking.Events) != 2 || sh.Tracking.Events[0].Status != tracking.OutForDelivery {
		t.Errorf("tracking %+v", sh.Tracking)
	}
	// Delivered, then an exception reported as earlier: still delivered.
	w.mustPost(t, afterShipUpdate("9400100000000000000059", checkpoint{"2026-11-23T17:00:00Z", "Delivered", "Delivered_001", "Delivered", ""}))
	w.mustPost(t, afterShipUpdate("9400100000000000000059", checkpoint{"2026-11-23T12:00:00Z", "Exception", "Exception_004", "Address issue", ""}))
	sh = w.shipment(t, w.merchant.ID, po.ID)
	got, _ := w.db.PurchaseOrder(context.Background(), w.merchant.ID, po.ID)
	if sh.Tracking.Status != tracking.Delivered || sh.DeliveredAt == nil || got.TrackingProblem != "" {
		t.Errorf("tracking %+v, delivered %v, problem %q", sh.Tracking, sh.DeliveredAt, got.TrackingProblem)
	}
	w.checkInvariants(t)
}

// TestCarrierProblemsFlagThePO: a failed attempt, an exception or a return
// flags the PO for both sides (the supplier's Exceptions tab, the
// merchant's Tracking problems view, both dashboards) until a later scan
// says the parcel moves again.
func TestCarrierProblemsFlagThePO(t *testing.T) {
	w := newTrackWorld(t)
	ctx := context.Background()
	w.follow(t, w.merchant.ID, w.mActor)
	po := w.poFor(t, "#7006", orderfile.Line{SKU: "A-1", Quantity: 1})
	w.ship(t, po, "9400100000000000000066")
	w.now = w.now.Add(72 * time.Hour)
	counts := func() (exceptions, view, mDash, sDash int) {
		t.Helper()
		q, err := w.db.SupplierQueue(ctx, w.supplier.ID, store.QueueFilter{Tab: store.QueueExceptions})
		if err != nil {
			t.Fatal(err)
		}
		page, err := w.db.PurchaseOrders(ctx, w.merchant.ID, store.POFilter{View: store.POViewTracking})
		if err != nil {
			t.Fatal(err)
		}
		md, err := w.db.MerchantDashboard(ctx, w.merchant.ID)
		if err != nil {
			t.Fatal(err)
		}
		sd, err := w.db.SupplierDashboard(ctx, w.supplier.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(q.POs) != q.Counts[store.QueueExceptions] || len(page.POs) != page.Total {
			t.Errorf("the Exceptions tab counts %d and lists %d; the view counts %d and lists %d", q.Counts[store.QueueExceptions], len(q.POs), page.Total, len(page.POs))
		}
		return len(q.POs), len(page.POs), md.TrackingProblems, sd.TrackingProblems
	}
	if e, v, m, s := counts(); e+v+m+s != 0 {
		t.Fatalf("before: %d %d %d %d", e, v, m, s)
	}
	w.mustPost(t, afterShipUpdate("9400100000000000000066",
		checkpoint{"2026-11-22T09:00:00Z", "InTransit", "InTransit_001", "In transit", "ST LOUIS, MO"},
		checkpoint{"2026-11-23T14:00:00Z", "AttemptFail", "AttemptFail_001", "Notice left, no authorized recipient", "SPRINGFIELD, IL"}))
	got, _ := w.db.PurchaseOrder(ctx, w.supplier.ID, po.ID)
	if got.TrackingProblem != store.TrackingProblemFailed {
		t.Fatalf("problem %q", got.TrackingProblem)
	}
	if e, v, m, s := counts(); e != 1 || v != 1 || m != 1 || s != 1 {
		t.Fatalf("flagged: exceptions %d, view %d, dashboards %d and %d", e, v, m, s)
	}
	if n := w.timeline(t, got.OrderID, "tracking_problem"); len(n) != 1 || !strings.Contains(n[0], "Failed attempt") {
		t.Errorf("notes %q", n)
	}
	w.checkInvariants(t)
	// Back on the van: the flag clears.
	w.mustPost(t, afterShipUpdate("9400100000000000000066", checkpoint{"2026-11-24T08:00:00Z", "OutForDelivery", "OutForDelivery_001", "Out for delivery", ""}))
	if e, v, m, s := counts(); e+v+m+s != 0 {
		t.Fatalf("cleared: %d %d %d %d", e, v, m, s)
	}
	// Then returned to the sender.
	w.mustPost(t, afterShipUpdate("9400100000000000000066", checkpoint{"2026-11-26T08:00:00Z", "Exception", "Exception_011", "Returned to sender", "HOUSTON, TX"}))
	got, _ = w.db.PurchaseOrder(ctx, w.merchant.ID, po.ID)
	if got.TrackingProblem != store.TrackingProblemReturned {
		t.Fatalf("problem %q, want returned", got.TrackingProblem)
	}
	if e, v, m, s := counts(); e != 1 || v != 1 || m != 1 || s != 1 {
		t.Fatalf("returned: %d %d %d %d", e, v, m, s)
	}
	w.checkInvariants(t)
}

// TestNotMoving: a registered shipment with no carrier scan by the end of
// its ship date plus the account's hours is flagged, its PO too; a first
// scan clears the PO's flag, and the scorecard still counts it.
func TestNotMoving(t *testing.T) {
	w := newTrackWorld(t)
	ctx := context.Background()
	w.follow(t, w.merchant.ID, w.mActor)
	po := w.poFor(t, "#7007", orderfile.Line{SKU: "A-1", Quantity: 1})
	w.ship(t, po, "9400100000000000000073") // ship date 2026-11-21, the supplier's day (UTC)
	// Not registered yet: not judged.
	w.now = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	if n, err := w.db.FlagNotMoving(ctx); err != nil || n != 0 {
		t.Fatalf("before registration: %d, %v", n, err)
	}
	w.deliver(t)
	// Label info is no scan.
	w.mustPost(t, afterShipUpdate("9400100000000000000073", checkpoint{"2026-11-21T18:00:00Z", "InfoReceived", "InfoReceived_001", "Label created", ""}))
	w.now = time.Date(2026, 11, 23, 23, 59, 0, 0, time.UTC) // 47:59 after the ship day ended
	if n, err := w.db.FlagNotMoving(ctx); err != nil || n != 0 {
		t.Fatalf("within 48 h: %d, %v", n, err)
	}
	w.now = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	if n, err := w.db.FlagNotMoving(ctx); err != nil || n != 1 {
		t.Fatalf("at 48 h: %d, %v", n, err)
	}
	if n, err := w.db.FlagNotMoving(ctx); err != nil || n != 0 {
		t.Fatalf("again: %d, %v", n, err)
	}
	sh := w.shipment(t, w.supplier.ID, po.ID)
	got, _ := w.db.PurchaseOrder(ctx, w.merchant.ID, po.ID)
	if !sh.Tracking.NotMoving(sh.DeliveredAt != nil) || got.TrackingProblem != store.TrackingProblemNotMoving {
		t.Fatalf("tracking %+v, problem %q", sh.Tracking, got.TrackingProblem)
	}
	if n := w.timeline(t, got.OrderID, "tracking_problem"); len(n) != 1 || !strings.Contains(n[0], "no carrier scan") {
		t.Errorf("notes %q", n)
	}
	w.checkInvariants(t)
	sc, err := w.db.Scorecard(ctx, w.merchant.ID, w.supplier.ID, 0, 30)
	if err != nil || sc.Tracked != 1 || sc.NotMoving != 1 {
		t.Fatalf("scorecard %+v, %v", sc, err)
	}
	// The first scan comes at last: the PO's flag clears, the score stays.
	w.mustPost(t, afterShipUpdate("9400100000000000000073", checkpoint{"2026-11-24T06:00:00Z", "InTransit", "InTransit_001", "Accepted", "HOUSTON, TX"}))
	got, _ = w.db.PurchaseOrder(ctx, w.merchant.ID, po.ID)
	sh = w.shipment(t, w.supplier.ID, po.ID)
	if got.TrackingProblem != "" || sh.Tracking.NotMoving(false) {
		t.Errorf("after the first scan: problem %q, tracking %+v", got.TrackingProblem, sh.Tracking)
	}
	if sc, _ := w.db.Scorecard(ctx, w.supplier.ID, w.supplier.ID, 0, 30); sc.NotMoving != 1 {
		t.Errorf("scorecard not moving %d, want 1", sc.NotMoving)
	}
	w.checkInvariants(t)
}

// TestNotMovingHoursAreTheAccounts: an account that waits 72 hours is not
// flagged at 48.
func TestNotMovingHoursAreTheAccounts(t *testing.T) {
	w := newTrackWorld(t)
	ctx := context.Background()
	set := w.follow(t, w.merchant.ID, w.mActor)
	if _, err := w.db.SaveTrackingSettings(ctx, w.mActor, w.merchant.ID, store.TrackingSettingsInput{Provider: "aftership", NotMovingHours: 72, DeliveryDays: 7}); err != nil {
		t.Fatal(err)
	}
	po := w.poFor(t, "#7008", orderfile.Line{SKU: "A-1", Quantity: 1})
	w.ship(t, po, "9400100000000000000080")
	w.deliver(t)
	if len(w.created) != 1 {
		t.Fatal("not registered: the saved key was not kept")
	}
	w.now = time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC)
	if n, _ := w.db.FlagNotMoving(ctx); n != 0 {
		t.Fatalf("flagged at 49 h with 72 h set")
	}
	w.now = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	if n, _ := w.db.FlagNotMoving(ctx); n != 1 {
		t.Fatalf("not flagged at 72 h")
	}
	if again, _ := w.db.TrackingSettings(ctx, w.merchant.ID); again.WebhookToken != set.WebhookToken || again.NotMovingHours != 72 {
		t.Errorf("settings %+v", again)
	}
}

// TestBadSignatureIsRefusedAndListed: a delivery not signed with the
// account's secret changes nothing and is listed for the admin; an unknown
// address is not found.
func TestBadSignatureIsRefusedAndListed(t *testing.T) {
	w := newTrackWorld(t)
	ctx := context.Background()
	w.follow(t, w.merchant.ID, w.mActor)
	po := w.poFor(t, "#7009", orderfile.Line{SKU: "A-1", Quantity: 1})
	w.ship(t, po, "9400100000000000000097")
	body := afterShipUpdate("9400100000000000000097", checkpoint{"2026-11-22T09:00:00Z", "Delivered", "Delivered_001", "Delivered", ""})
	if _, err := w.post(t, body, "not the secret"); !errors.Is(err, store.ErrTrackingSignature) {
		t.Fatalf("forged: %v", err)
	}
	if _, err := w.db.ReceiveTrackingWebhook(ctx, w.settings.WebhookToken, http.Header{}, body); !errors.Is(err, store.ErrTrackingSignature) {
		t.Fatalf("unsigned: %v", err)
	}
	sh := w.shipment(t, w.merchant.ID, po.ID)
	if sh.DeliveredAt != nil || len(sh.Tracking.Events) != 0 {
		t.Fatalf("a forged delivery changed the shipment: %+v", sh)
	}
	list, err := w.db.RejectedTrackingWebhooks(ctx, w.merchant.ID, 10)
	if err != nil || len(list) != 2 || list[0].Source != "Tracking webhook (AfterShip)" || !strings.Contains(list[0].Reason, "aftership-hmac-sha256") {
		t.Fatalf("rejected %+v, %v", list, err)
	}
	if _, err := w.db.ReceiveTrackingWebhook(ctx, "no-such-token", http.Header{}, body); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown token: %v", err)
	}
	// Another account's parcel: not found among this account's shipments.
	other := afterShipUpdate("1Z999AA10123456784", checkpoint{"2026-11-22T09:00:00Z", "InTransit", "InTransit_001", "x", ""})
	if out := w.mustPost(t, other); out.Result != store.TrackingUnknown {
		t.Errorf("a parcel Dropline did not send: %+v", out)
	}
}

// TestTrackingSettingsRules: a provider needs its key and secret, blank
// keeps them, another provider needs its own, off forgets them; the
// webhook address stays.
func TestTrackingSettingsRules(t *testing.T) {
	w := newTrackWorld(t)
	ctx := context.Background()
	save := func(in store.TrackingSettingsInput) (store.TrackingSettings, error) {
		in.NotMovingHours, in.DeliveryDays = max(in.NotMovingHours, 48), max(in.DeliveryDays, 7)
		return w.db.SaveTrackingSettings(ctx, w.mActor, w.merchant.ID, in)
	}
	if _, err := save(store.TrackingSettingsInput{Provider: "aftership"}); fields(err)["api_key"] == "" || fields(err)["webhook_secret"] == "" {
		t.Errorf("no key: %v", err)
	}
	if _, err := save(store.TrackingSettingsInput{Provider: "shippo", APIKey: "k"}); fields(err)["provider"] == "" {
		t.Errorf("unknown provider: %v", err)
	}
	if _, err := save(store.TrackingSettingsInput{Provider: "aftership", APIKey: "key with space", WebhookSecret: "s"}); fields(err)["api_key"] == "" {
		t.Errorf("a key with a space: %v", err)
	}
	if _, err := w.db.SaveTrackingSettings(ctx, w.mActor, w.merchant.ID, store.TrackingSettingsInput{NotMovingHours: 2, DeliveryDays: 7}); fields(err)["not_moving_hours"] == "" {
		t.Errorf("2 hours: %v", err)
	}
	set, err := save(store.TrackingSettingsInput{Provider: "aftership", APIKey: trackAPIKey, WebhookSecret: trackSecret})
	if err != nil || !set.HasAPIKey || !set.HasSecret || set.KeyHint != "6789" || set.WebhookToken == "" {
		t.Fatalf("%+v, %v", set, err)
	}
	if _, err := save(store.TrackingSettingsInput{Provider: "easypost"}); fields(err)["api_key"] == "" {
		t.Errorf("switching provider kept AfterShip's key: %v", err)
	}
	off, err := save(store.TrackingSettingsInput{})
	if err != nil || off.Provider != "" || off.HasAPIKey || off.HasSecret || off.WebhookToken != set.WebhookToken {
		t.Errorf("off: %+v, %v", off, err)
	}
	if url := off.WebhookURL("https://dropline.example.com/"); url != "https://dropline.example.com/api/v1/webhooks/tracking/"+set.WebhookToken {
		t.Errorf("webhook URL %q", url)
	}
	// With tracking off, deliveries to the address are answered and change nothing.
	if out, err := w.db.ReceiveTrackingWebhook(ctx, set.WebhookToken, http.Header{}, []byte(`{}`)); err != nil || out.Result != store.TrackingOff {
		t.Errorf("off: %+v, %v", out, err)
	}
}

// TestDeliveredOnTimeScore: of tracked shipments, those delivered within
// the viewer's delivery days of the ship date are on time; undelivered
// ones count once they are past it.
func TestDeliveredOnTimeScore(t *testing.T) {
	w := newTrackWorld(t)
	ctx := context.Background()
	w.follow(t, w.merchant.ID, w.mActor)
	var numbers = []string{"9400100000000000000103", "9400100000000000000110", "9400100000000000000127"}
	for i, n := range numbers {
		po := w.poFor(t, "#710"+string(rune('0'+i)), orderfile.Line{SKU: "A-1", Quantity: 1})
		w.ship(t, po, n)
	}
	w.deliver(t)
	w.now = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	// On time: delivered on the 7th day after the ship date; late: the 8th.
	w.mustPost(t, afterShipUpdate(numbers[0], checkpoint{"2026-11-28T20:00:00Z", "Delivered", "Delivered_001", "Delivered", ""}))
	w.mustPost(t, afterShipUpdate(numbers[1], checkpoint{"2026-11-29T01:00:00Z", "Delivered", "Delivered_001", "Delivered", ""}))
	sc, err := w.db.Scorecard(ctx, w.merchant.ID, w.supplier.ID, 0, 30)
	if err != nil {
		t.Fatal(err)
	}
	// The third, undelivered 14 days on, counts against the supplier.
	if sc.Tracked != 3 || sc.DeliveredOnTime != 1 || sc.DeliveryJudged != 3 || sc.DeliveryDays != 7 {
		t.Errorf("scorecard: on time %d of %d judged, %d tracked, %d days", sc.DeliveredOnTime, sc.DeliveryJudged, sc.Tracked, sc.DeliveryDays)
	}
}

// TestEasyPostThroughTheStore: a supplier following its parcels with
// EasyPost registers a shipment with POST /v2/trackers (basic auth, the key
// as user) and takes a signed tracker.updated Event: the return to sender
// it reports flags the PO; an Event signed with another secret is refused.
func TestEasyPostThroughTheStore(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	const key, secret = "EZAK_live_0123456789", "easypost-webhook-secret"
	var got []map[string]map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if r.Method != http.MethodPost || r.URL.Path != "/v2/trackers" || !ok || user != key || pass != "" {
			t.Errorf("EasyPost got %s %s (basic auth %v)", r.Method, r.URL.Path, ok)
			rw.WriteHeader(http.StatusUnauthorized)
			return
		}
		var body map[string]map[string]string
		json.NewDecoder(r.Body).Decode(&body)
		got = append(got, body)
		io.WriteString(rw, `{"id":"trk_e1","object":"Tracker","tracking_code":"`+body["tracker"]["tracking_code"]+`","status":"pre_transit","tracking_details":[]}`)
	}))
	defer srv.Close()
	set, err := w.db.SaveTrackingSettings(ctx, w.sActor, w.supplier.ID, store.TrackingSettingsInput{Provider: "easypost", APIKey: key, WebhookSecret: secret,
		NotMovingHours: 48, DeliveryDays: 7})
	if err != nil {
		t.Fatal(err)
	}
	po := w.poFor(t, "#7301", orderfile.Line{SKU: "A-1", Quantity: 1})
	w.ship(t, po, "9400100000000000000134")
	d := &store.Deliverer{DB: w.db, HTTP: srv.Client(), TrackingURLs: map[tracking.Kind]string{tracking.EasyPost: srv.URL + "/v2"}}
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0]["tracker"]["tracking_code"] != "9400100000000000000134" || got[0]["tracker"]["carrier"] != "USPS" {
		t.Fatalf("EasyPost received %v", got)
	}
	w.now = w.now.Add(72 * time.Hour)
	event, _ := json.Marshal(map[string]any{"id": "evt_1", "object": "Event", "description": "tracker.updated", "result": map[string]any{
		"id": "trk_e1", "object": "Tracker", "tracking_code": "9400100000000000000134", "carrier": "USPS", "status": "return_to_sender",
		"tracking_details": []map[string]any{
			{"status": "in_transit", "status_detail": "arrived_at_facility", "message": "Arrived at facility", "datetime": "2026-11-22T04:00:00Z",
				"tracking_location": map[string]any{"city": "HOUSTON", "state": "TX"}},
			{"status": "return_to_sender", "status_detail": "return", "message": "Return to sender", "datetime": "2026-11-23T10:00:00Z"},
		}}})
	h := http.Header{}
	h.Set(tracking.Signature(tracking.EasyPost, event, "wrong"))
	if _, err := w.db.ReceiveTrackingWebhook(ctx, set.WebhookToken, h, event); !errors.Is(err, store.ErrTrackingSignature) {
		t.Fatalf("wrong secret: %v", err)
	}
	h.Set(tracking.Signature(tracking.EasyPost, event, secret))
	out, err := w.db.ReceiveTrackingWebhook(ctx, set.WebhookToken, h, event)
	if err != nil || out.Result != store.TrackingApplied || out.Added != 2 {
		t.Fatalf("%+v, %v", out, err)
	}
	got2, _ := w.db.PurchaseOrder(ctx, w.merchant.ID, po.ID)
	if got2.TrackingProblem != store.TrackingProblemReturned {
		t.Errorf("problem %q, want returned", got2.TrackingProblem)
	}
	if err := w.db.CheckInvariants(ctx); err != nil {
		t.Fatal(err)
	}
}

// answerGet answers Get a tracking by ID as AfterShip documents it.
func (w *trackWorld) answerGet(rw http.ResponseWriter, r *http.Request, id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.fetched = append(w.fetched, id)
	rw.Header().Set("Content-Type", "application/json")
	if w.refuse || r.Header.Get("as-api-key") != trackAPIKey {
		rw.WriteHeader(http.StatusUnauthorized)
		io.WriteString(rw, `{"meta":{"code":401,"message":"The API key is invalid.","type":"Unauthorized"},"data":{}}`)
		return
	}
	if w.get == nil {
		rw.WriteHeader(http.StatusNotFound)
		io.WriteString(rw, `{"meta":{"code":4004,"message":"Tracking does not exist.","type":"NotFound"},"data":{}}`)
		return
	}
	status, body := w.get(id)
	if status == http.StatusTooManyRequests {
		rw.Header().Set("Retry-After", "7200")
	}
	rw.WriteHeader(status)
	io.WriteString(rw, body)
}
