package store_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
	"github.com/dropline/dropline/store/tracking"
)

// registrations is the account's tracking.register messages, by shipment.
func (w *trackWorld) registrations(t *testing.T, account int64) map[int64][]store.OutboxMessage {
	t.Helper()
	all, err := w.db.OutboxList(context.Background(), account, store.OutboxFilter{}, 500)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64][]store.OutboxMessage{}
	for _, m := range all {
		if m.Topic == store.TopicTrackingRegister {
			id := registeredShipment(t, m)
			out[id] = append(out[id], m)
		}
	}
	for _, list := range out {
		slices.SortFunc(list, func(a, b store.OutboxMessage) int { return int(a.ID - b.ID) })
	}
	return out
}

// registeredShipment is the shipment a tracking.register message is for.
func registeredShipment(t *testing.T, m store.OutboxMessage) int64 {
	t.Helper()
	var body struct {
		ShipmentID int64 `json:"shipment_id"`
	}
	if err := json.Unmarshal([]byte(m.Body), &body); err != nil || body.ShipmentID == 0 {
		t.Fatalf("message %d: %q, %v", m.ID, m.Body, err)
	}
	return body.ShipmentID
}

// saveTracking sets account's provider (or none) with the test's key and
// secret, and returns what the save answered.
func (w *trackWorld) saveTracking(t *testing.T, account int64, actor store.Actor, provider string) store.TrackingSettings {
	t.Helper()
	in := store.TrackingSettingsInput{Provider: provider, NotMovingHours: 48, DeliveryDays: 7}
	if provider != "" {
		in.APIKey, in.WebhookSecret = trackAPIKey, trackSecret
	}
	set, err := w.db.SaveTrackingSettings(context.Background(), actor, account, in)
	if err != nil {
		t.Fatal(err)
	}
	w.settings = set
	return set
}

// TestTurningTrackingOnFollowsEarlierShipments: a merchant that chooses a
// provider gets its open shipments of the last 30 days, saved while no
// provider followed them, registered with it, each once, in the same save;
// delivered ones, older ones and those already registered are left alone.
func TestTurningTrackingOnFollowsEarlierShipments(t *testing.T) {
	w := newTrackWorld(t)
	ctx := context.Background()
	today := w.now
	// Shipped 31 days ago: too old to follow now.
	w.now = today.AddDate(0, 0, -31)
	old := w.ship(t, w.poFor(t, "#7401", orderfile.Line{SKU: "A-1", Quantity: 1}), "9400100000000000000400")
	// Shipped 30 days ago, 3 days ago and today: followed.
	w.now = today.AddDate(0, 0, -30)
	edge := w.ship(t, w.poFor(t, "#7402", orderfile.Line{SKU: "A-1", Quantity: 1}), "9400100000000000000417")
	w.now = today.AddDate(0, 0, -3)
	recent := w.ship(t, w.poFor(t, "#7403", orderfile.Line{SKU: "A-1", Quantity: 1}), "9400100000000000000424")
	w.now = today
	po := w.poFor(t, "#7404", orderfile.Line{SKU: "A-1", Quantity: 1})
	fresh := w.ship(t, po, "9400100000000000000431")
	// Delivered: nothing left to follow.
	delivered := w.ship(t, w.poFor(t, "#7405", orderfile.Line{SKU: "A-1", Quantity: 1}), "9400100000000000000448")
	if err := w.db.MarkDelivered(ctx, w.sActor, w.supplier.ID, delivered.ID); err != nil {
		t.Fatal(err)
	}
	if regs := w.registrations(t, w.merchant.ID); len(regs) != 0 {
		t.Fatalf("registrations before a provider: %v", regs)
	}

	set := w.saveTracking(t, w.merchant.ID, w.mActor, "aftership")
	if set.EarlierQueued != 3 {
		t.Fatalf("queued %d earlier shipments, want 3", set.EarlierQueued)
	}
	regs := w.registrations(t, w.merchant.ID)
	for _, id := range []int64{edge.ID, recent.ID, fresh.ID} {
		if len(regs[id]) != 1 || regs[id][0].State != "pending" || regs[id][0].Recipient != "aftership" {
			t.Errorf("shipment %d: registrations %+v", id, regs[id])
		}
	}
	if len(regs) != 3 {
		t.Errorf("registrations for %d shipments, want 3 (not %d shipped 31 days ago, not %d delivered)", len(regs), old.ID, delivered.ID)
	}
	mine := w.shipment(t, w.merchant.ID, po.ID).Tracking
	theirs := w.shipment(t, w.supplier.ID, po.ID).Tracking
	if mine.Provider != tracking.AfterShip || !mine.Mine || mine.Registration != "pending" || theirs.Mine || theirs.Provider != tracking.AfterShip {
		t.Errorf("the merchant sees %+v; the supplier %+v", mine, theirs)
	}

	// Saved again (other hours), or off and on before the outbox sent
	// them: nothing is queued twice.
	if again := w.saveTracking(t, w.merchant.ID, w.mActor, "aftership"); again.EarlierQueued != 0 {
		t.Errorf("saving again queued %d", again.EarlierQueued)
	}
	w.saveTracking(t, w.merchant.ID, w.mActor, "")
	if on := w.saveTracking(t, w.merchant.ID, w.mActor, "aftership"); on.EarlierQueued != 0 {
		t.Errorf("on again with registrations pending queued %d", on.EarlierQueued)
	}
	w.deliver(t)
	if len(w.created) != 3 {
		t.Fatalf("AfterShip got %d trackings, want 3: %v", len(w.created), w.created)
	}
	if sh := w.shipment(t, w.merchant.ID, po.ID); sh.Tracking.RegisteredAt == nil || sh.Tracking.Ref != "as-9400100000000000000431" {
		t.Errorf("after sending: %+v", sh.Tracking)
	}
	// Registered now: off and on again queues none of them.
	w.saveTracking(t, w.merchant.ID, w.mActor, "")
	if on := w.saveTracking(t, w.merchant.ID, w.mActor, "aftership"); on.EarlierQueued != 0 {
		t.Errorf("on again after registration queued %d", on.EarlierQueued)
	}
	if n := len(w.registrations(t, w.merchant.ID)[fresh.ID]); n != 1 {
		t.Errorf("%d registrations of one shipment", n)
	}
	w.checkInvariants(t)
}

// TestSwitchingProviderRegistersAgain: a merchant that moves from AfterShip
// to EasyPost gets its open registered shipments registered with EasyPost:
// AfterShip's webhooks are refused from then on.
func TestSwitchingProviderRegistersAgain(t *testing.T) {
	w := newTrackWorld(t)
	w.saveTracking(t, w.merchant.ID, w.mActor, "aftership")
	po := w.poFor(t, "#7411", orderfile.Line{SKU: "A-1", Quantity: 1})
	sh := w.ship(t, po, "9400100000000000000455")
	w.deliver(t)
	if got := w.shipment(t, w.merchant.ID, po.ID).Tracking; got.RegisteredAt == nil || got.Provider != tracking.AfterShip {
		t.Fatalf("with AfterShip: %+v", got)
	}
	set := w.saveTracking(t, w.merchant.ID, w.mActor, "easypost")
	if set.EarlierQueued != 1 {
		t.Fatalf("queued %d, want 1", set.EarlierQueued)
	}
	got := w.shipment(t, w.merchant.ID, po.ID).Tracking
	if got.Provider != tracking.EasyPost || got.RegisteredAt != nil || got.Ref != "" || got.Registration != "pending" {
		t.Errorf("after the switch: %+v", got)
	}
	regs := w.registrations(t, w.merchant.ID)[sh.ID]
	if len(regs) != 2 || regs[1].Recipient != "easypost" || regs[1].State != "pending" {
		t.Errorf("registrations %+v", regs)
	}
}

// TestSupplierFollowsWhatNoMerchantFollows: a supplier turning a provider on
// takes its open shipments to merchants with no provider, not those of a
// merchant whose own provider follows them; a merchant turning one on later
// takes the shipments of its orders no provider follows any more.
func TestSupplierFollowsWhatNoMerchantFollows(t *testing.T) {
	w := newTrackWorld(t)
	ctx := context.Background()
	w2 := w.secondMerchant(t, "Shop Two")
	// Merchant A follows its parcels; merchant B does not.
	w.saveTracking(t, w.merchant.ID, w.mActor, "aftership")
	poA := w.poFor(t, "#7421", orderfile.Line{SKU: "A-1", Quantity: 1})
	shA := w.ship(t, poA, "9400100000000000000462")
	poB := w2.poFor(t, "#7422", orderfile.Line{SKU: "A-1", Quantity: 1})
	shB := w2.ship(t, poB, "9400100000000000000479")
	if got := w.shipment(t, w.supplier.ID, poB.ID).Tracking; got.Provider != "" {
		t.Fatalf("merchant B's shipment is followed before anyone follows it: %+v", got)
	}

	set := w.saveTracking(t, w.supplier.ID, w.sActor, "aftership")
	if set.EarlierQueued != 1 {
		t.Fatalf("the supplier queued %d, want 1 (merchant B's)", set.EarlierQueued)
	}
	regs := w.registrations(t, w.supplier.ID)
	if len(regs[shB.ID]) != 1 || len(regs[shA.ID]) != 0 {
		t.Errorf("the supplier's registrations %v", regs)
	}
	if got := w.shipment(t, w.supplier.ID, poB.ID).Tracking; !got.Mine || got.Registration != "pending" {
		t.Errorf("merchant B's shipment, as the supplier sees it: %+v", got)
	}
	if got := w.shipment(t, w.supplier.ID, poA.ID).Tracking; got.Mine {
		t.Errorf("merchant A's shipment moved to the supplier: %+v", got)
	}

	// The supplier turns its provider off; merchant B turns one on: B's
	// shipment, followed by nobody now, is B's.
	w.saveTracking(t, w.supplier.ID, w.sActor, "")
	on, err := w.db.SaveTrackingSettings(ctx, w2.mActor, w2.merchant.ID, store.TrackingSettingsInput{Provider: "easypost", APIKey: "EZAK_0123456789",
		WebhookSecret: "s3cret", NotMovingHours: 48, DeliveryDays: 7})
	if err != nil || on.EarlierQueued != 1 {
		t.Fatalf("merchant B queued %d, %v; want 1", on.EarlierQueued, err)
	}
	got := w.shipment(t, w2.merchant.ID, poB.ID).Tracking
	if !got.Mine || got.Provider != tracking.EasyPost {
		t.Errorf("merchant B's shipment: %+v", got)
	}
	all, err := w.db.OutboxList(ctx, w2.merchant.ID, store.OutboxFilter{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(all, func(m store.OutboxMessage) bool {
		return m.Topic == store.TopicTrackingRegister && registeredShipment(t, m) == shB.ID && m.OrderID == poB.OrderID && m.State == "pending"
	}) {
		t.Errorf("merchant B's outbox %+v", all)
	}
	w.checkInvariants(t)
}
