package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
	"github.com/dropline/dropline/store/tracking"
)

// afterShipGet is Get a tracking by ID's answer for number: the tracking
// in data, as a webhook's msg carries it.
func afterShipGet(number string, cps ...checkpoint) string {
	var ev map[string]any
	json.Unmarshal(afterShipUpdate(number, cps...), &ev)
	b, _ := json.Marshal(map[string]any{"meta": map[string]any{"code": 200, "message": "", "type": ""}, "data": ev["msg"]})
	return string(b)
}

// api is how the store reaches the world's AfterShip.
func (w *trackWorld) api() store.TrackingAPI {
	return store.TrackingAPI{HTTP: w.srv.Client(), URLs: map[tracking.Kind]string{tracking.AfterShip: w.srv.URL + "/tracking/2025-07"}}
}

// poll runs one polling pass.
func (w *trackWorld) poll(t *testing.T) store.TrackingPoll {
	t.Helper()
	out, err := w.db.RefreshTracking(context.Background(), w.api())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// answer sets what AfterShip answers for every tracking.
func (w *trackWorld) answer(status int, body func(id string) string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.get = func(id string) (int, string) { return status, body(id) }
}

// TestRefreshTrackingFetchesMissedUpdates: a registered shipment with no
// news for 12 hours is asked about; the events AfterShip has are applied
// once (asking again adds none, and says nothing new on the timeline); it
// is not asked again for 12 hours; a delivery found by asking marks it
// delivered, and a delivered shipment is not asked about any more.
func TestRefreshTrackingFetchesMissedUpdates(t *testing.T) {
	w := newTrackWorld(t)
	ctx := context.Background()
	w.follow(t, w.merchant.ID, w.mActor)
	po := w.poFor(t, "#7501", orderfile.Line{SKU: "A-1", Quantity: 1})
	const number = "9400100000000000000509"
	w.ship(t, po, number)
	w.deliver(t)
	scans := []checkpoint{
		{"2026-11-21T14:00:00Z", "InTransit", "InTransit_001", "Accepted at USPS origin facility", "HOUSTON, TX"},
		{"2026-11-21T20:00:00Z", "InTransit", "InTransit_002", "Arrived at hub", "ST LOUIS, MO"},
	}
	w.answer(http.StatusOK, func(string) string { return afterShipGet(number, scans...) })

	// Registered just now: not asked.
	w.now = w.now.Add(11 * time.Hour)
	if out := w.poll(t); out.Asked != 0 || len(w.fetched) != 0 {
		t.Fatalf("asked within 12 hours of registration: %+v, %v", out, w.fetched)
	}
	w.now = w.now.Add(2 * time.Hour)
	if out := w.poll(t); out.Asked != 1 || out.Added != 2 || out.Failed != 0 {
		t.Fatalf("first poll %+v", out)
	}
	if len(w.fetched) != 1 || w.fetched[0] != "as-"+number {
		t.Errorf("AfterShip was asked for %v", w.fetched)
	}
	sh := w.shipment(t, w.merchant.ID, po.ID)
	if sh.Tracking.Status != tracking.InTransit || len(sh.Tracking.Events) != 2 || sh.DeliveredAt != nil {
		t.Fatalf("after the poll %+v", sh.Tracking)
	}
	notes := len(w.timeline(t, po.OrderID, "tracking_event"))

	// Asked a moment ago: not asked on the next pass.
	w.now = w.now.Add(time.Hour)
	if out := w.poll(t); out.Asked != 0 {
		t.Errorf("asked again within 12 hours: %+v", out)
	}
	// 12 hours on (and 18 since the last scan), the same answer changes nothing.
	w.now = w.now.Add(12 * time.Hour)
	if out := w.poll(t); out.Asked != 1 || out.Added != 0 {
		t.Errorf("second poll %+v", out)
	}
	if sh := w.shipment(t, w.merchant.ID, po.ID); len(sh.Tracking.Events) != 2 {
		t.Errorf("events after the same answer: %d", len(sh.Tracking.Events))
	}
	if n := len(w.timeline(t, po.OrderID, "tracking_event")); n != notes {
		t.Errorf("timeline notes %d after the same answer, were %d", n, notes)
	}

	// The delivery, missed by the webhook, comes by asking.
	scans = append(scans, checkpoint{"2026-11-22T16:00:00Z", "Delivered", "Delivered_001", "Delivered, Front Door/Porch", "SPRINGFIELD, IL"})
	w.now = w.now.Add(13 * time.Hour)
	if out := w.poll(t); out.Asked != 1 || out.Added != 1 {
		t.Fatalf("third poll %+v", out)
	}
	sh = w.shipment(t, w.merchant.ID, po.ID)
	got, _ := w.db.PurchaseOrder(ctx, w.merchant.ID, po.ID)
	if sh.DeliveredAt == nil || !sh.DeliveredAt.Equal(time.Date(2026, 11, 22, 16, 0, 0, 0, time.UTC)) || got.Status != store.PODelivered {
		t.Fatalf("after the delivery: shipment %+v, PO %s", sh, got.Status)
	}
	w.now = w.now.Add(48 * time.Hour)
	if out := w.poll(t); out.Asked != 0 {
		t.Errorf("a delivered shipment was asked about: %+v", out)
	}
	if len(w.fetched) != 3 {
		t.Errorf("AfterShip was asked %d times, want 3", len(w.fetched))
	}
	w.checkInvariants(t)
}

// TestRefreshTrackingWhenTheProviderSaysNo: a throttled provider is asked
// again after the wait it gave, and the account's other shipments wait
// with it; a refused key is said in the provider's words and asked again
// only after 12 hours; a shipment never registered is not asked about.
func TestRefreshTrackingWhenTheProviderSaysNo(t *testing.T) {
	w := newTrackWorld(t)
	w.follow(t, w.merchant.ID, w.mActor)
	w.ship(t, w.poFor(t, "#7511", orderfile.Line{SKU: "A-1", Quantity: 1}), "9400100000000000000516")
	w.ship(t, w.poFor(t, "#7512", orderfile.Line{SKU: "A-1", Quantity: 1}), "9400100000000000000523")
	w.deliver(t)
	// Followed by nobody: never asked about.
	w.saveTracking(t, w.merchant.ID, w.mActor, "")
	w.saveTracking(t, w.merchant.ID, w.mActor, "aftership")
	w.answer(http.StatusTooManyRequests, func(string) string {
		return `{"meta":{"code":429,"message":"You have exceeded the API call rate limit.","type":"TooManyRequests"},"data":{}}`
	})
	w.now = w.now.Add(13 * time.Hour)
	out := w.poll(t)
	if out.Asked != 1 || out.Failed != 1 || !strings.Contains(out.Problem, "too many requests") || len(w.fetched) != 1 {
		t.Fatalf("throttled: %+v, asked for %v", out, w.fetched)
	}
	// Retry-After: 7200. An hour on, still waiting; two hours on, both asked.
	w.now = w.now.Add(time.Hour)
	if out := w.poll(t); out.Asked != 0 {
		t.Errorf("asked again before the wait: %+v", out)
	}
	w.mu.Lock()
	w.refuse = true
	w.mu.Unlock()
	w.now = w.now.Add(61 * time.Minute)
	out = w.poll(t)
	if out.Asked != 2 || out.Failed != 2 || !strings.Contains(out.Problem, "The API key is invalid.") {
		t.Fatalf("refused: %+v", out)
	}
	if strings.Contains(out.Problem, trackAPIKey) {
		t.Error("the key is in the problem")
	}
	w.now = w.now.Add(11 * time.Hour)
	if out := w.poll(t); out.Asked != 0 {
		t.Errorf("a refusal asked again within 12 hours: %+v", out)
	}
	w.now = w.now.Add(2 * time.Hour)
	if out := w.poll(t); out.Asked != 2 {
		t.Errorf("12 hours after the refusal: %+v", out)
	}
}

// TestRefreshOneShipment: Refresh tracking asks at once, for the account
// whose provider follows the shipment only; what it finds is applied once;
// the provider's refusal comes back in its words.
func TestRefreshOneShipment(t *testing.T) {
	w := newTrackWorld(t)
	ctx := context.Background()
	w2 := w.secondMerchant(t, "Shop Two")
	w.follow(t, w.merchant.ID, w.mActor)
	po := w.poFor(t, "#7521", orderfile.Line{SKU: "A-1", Quantity: 1})
	const number = "9400100000000000000530"
	sh := w.ship(t, po, number)
	if _, err := w.db.RefreshShipmentTracking(ctx, w.merchant.ID, sh.ID, w.api()); !errors.Is(err, store.ErrNotTracked) {
		t.Fatalf("before registration: %v", err)
	}
	w.deliver(t)
	// Not found for the supplier (the merchant's provider follows it) and another merchant.
	for _, account := range []int64{w.supplier.ID, w2.merchant.ID} {
		if _, err := w.db.RefreshShipmentTracking(ctx, account, sh.ID, w.api()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("account %d: %v, want not found", account, err)
		}
	}
	// AfterShip has no such tracking (deleted by hand): its words.
	_, err := w.db.RefreshShipmentTracking(ctx, w.merchant.ID, sh.ID, w.api())
	var te *tracking.Error
	if !errors.As(err, &te) || te.Status != http.StatusNotFound || !strings.Contains(te.Message, "Tracking does not exist.") {
		t.Fatalf("unknown tracking: %v", err)
	}
	w.answer(http.StatusOK, func(string) string {
		return afterShipGet(number, checkpoint{"2026-11-21T18:00:00Z", "InTransit", "InTransit_001", "Accepted", "HOUSTON, TX"},
			checkpoint{"2026-11-22T01:00:00Z", "InTransit", "InTransit_003", "Arrived at hub", "DALLAS, TX"})
	})
	out, err := w.db.RefreshShipmentTracking(ctx, w.merchant.ID, sh.ID, w.api())
	if err != nil || out.Added != 2 || out.Result != store.TrackingApplied {
		t.Fatalf("refresh: %+v, %v", out, err)
	}
	if out, err := w.db.RefreshShipmentTracking(ctx, w.merchant.ID, sh.ID, w.api()); err != nil || out.Added != 0 || out.Result != store.TrackingUnchanged {
		t.Errorf("again: %+v, %v", out, err)
	}
	// Refreshed by hand just now: the ticker leaves it for 12 hours.
	w.now = w.now.Add(13 * time.Hour)
	before := len(w.fetched)
	if _, err := w.db.RefreshShipmentTracking(ctx, w.merchant.ID, sh.ID, w.api()); err != nil {
		t.Fatal(err)
	}
	if out := w.poll(t); out.Asked != 0 || len(w.fetched) != before+1 {
		t.Errorf("polled right after a refresh: %+v", out)
	}
	w.checkInvariants(t)
}
