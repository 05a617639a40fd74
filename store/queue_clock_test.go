package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// The working tabs' kept counts follow the clock: a PO goes late (SLA,
// promise), due today (in the supplier's time zone) and stale with no
// change to it. Each step is checked before the sweep (kept counts
// corrected by the POs whose instant passed) and after it (kept counts
// alone), against the lists' own queries.
func TestQueueCountsFollowTheClock(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	setZone := func(tz string) {
		t.Helper()
		if _, err := w.db.UpdateAccountSettings(ctx, w.sActor, w.supplier.ID, store.AccountSettings{Name: w.supplier.Name, TimeZone: tz, DropshipEnabled: true}); err != nil {
			t.Fatal(err)
		}
	}
	setZone("Pacific/Auckland") // UTC+13 in November

	// Both at 12:00 UTC on 21 November, promised a day later; one acknowledged.
	unacked := w.poFor(t, "#CK-1", orderfile.Line{SKU: "A-1", Quantity: 1})
	acked := w.poFor(t, "#CK-2", orderfile.Line{SKU: "A-2", Quantity: 1})
	if err := w.db.AcknowledgePO(ctx, w.sActor, w.supplier.ID, acked.ID); err != nil {
		t.Fatal(err)
	}
	check := func(step string, want map[string]int, late, stale int) {
		t.Helper()
		for _, when := range []string{"before the sweep", "after the sweep"} {
			if when == "after the sweep" {
				if _, err := w.db.SweepQueueClock(ctx); err != nil {
					t.Fatal(err)
				}
			}
			checkQueueCounts(t, w.db, w.supplier.ID, want)
			d, err := w.db.SupplierDashboard(ctx, w.supplier.ID)
			if err != nil {
				t.Fatal(err)
			}
			due, _ := w.db.QueueTotal(ctx, w.supplier.ID, store.SupplierDashboardFilters.DueToday)
			if d.ToAcknowledge != want[store.QueueToAcknowledge] || d.Late != want[store.QueueLate] || d.DueToday != due || due != want["due_today"] {
				t.Errorf("%s, %s: dashboard %+v, due today listed %d, want %v", step, when, d, due, want)
			}
			md, err := w.db.MerchantDashboard(ctx, w.merchant.ID)
			if err != nil {
				t.Fatal(err)
			}
			for view, n := range map[string]int{store.POViewLate: md.LatePOs, store.POViewStale: md.StalePOs} {
				page, err := w.db.PurchaseOrders(ctx, w.merchant.ID, store.POFilter{View: view})
				if err != nil {
					t.Fatal(err)
				}
				if page.Total != n || len(page.POs) != n {
					t.Errorf("%s, %s: merchant %s: dashboard %d, list total %d, %d listed", step, when, view, n, page.Total, len(page.POs))
				}
			}
			if md.LatePOs != late || md.StalePOs != stale {
				t.Errorf("%s, %s: merchant late %d stale %d, want %d and %d", step, when, md.LatePOs, md.StalePOs, late, stale)
			}
		}
	}
	check("new", map[string]int{store.QueueToAcknowledge: 1, store.QueueToShip: 1, store.QueueLate: 0, "due_today": 0}, 0, 0)

	// 05:00 UTC on the 22nd is 18:00 in Auckland, whose tomorrow starts
	// before the promise (12:00 UTC): not due there, but due in UTC.
	w.now = time.Date(2026, 11, 22, 5, 0, 0, 0, time.UTC)
	check("the next morning in UTC", map[string]int{store.QueueToAcknowledge: 1, store.QueueToShip: 1, store.QueueLate: 0, "due_today": 0}, 0, 0)
	setZone("UTC")
	check("the supplier moved to UTC", map[string]int{store.QueueToAcknowledge: 1, store.QueueToShip: 1, store.QueueLate: 0, "due_today": 1}, 0, 0)
	setZone("Pacific/Auckland")
	check("and back", map[string]int{store.QueueToAcknowledge: 1, store.QueueToShip: 1, store.QueueLate: 0, "due_today": 0}, 0, 0)

	// 11:00 UTC is midnight in Auckland: the promise's day has begun.
	w.now = time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC)
	check("the promise day in Auckland", map[string]int{store.QueueToAcknowledge: 1, store.QueueToShip: 1, store.QueueLate: 0, "due_today": 1}, 0, 0)

	// At 12:00 both instants are reached but not passed; a moment later the
	// unacknowledged PO is past its SLA and the other past its promise.
	w.now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	check("on the instant", map[string]int{store.QueueToAcknowledge: 1, store.QueueToShip: 1, store.QueueLate: 0, "due_today": 1}, 0, 0)
	w.now = w.now.Add(time.Second)
	check("late", map[string]int{store.QueueToAcknowledge: 1, store.QueueToShip: 1, store.QueueLate: 2, "due_today": 1}, 2, 0)

	// Acknowledging the late one moves it to To ship, still late (promise).
	if err := w.db.AcknowledgePO(ctx, w.sActor, w.supplier.ID, unacked.ID); err != nil {
		t.Fatal(err)
	}
	check("acknowledged late", map[string]int{store.QueueToAcknowledge: 0, store.QueueToShip: 2, store.QueueLate: 2, "due_today": 2}, 2, 0)

	// Six weeks without tracking: stale, out of every working tab.
	w.now = w.now.AddDate(0, 0, 43)
	check("stale", map[string]int{store.QueueToAcknowledge: 0, store.QueueToShip: 0, store.QueueLate: 0, "due_today": 0, store.QueueAll: 2}, 0, 2)

	// Tracking at last: shipped, no longer stale.
	w.ship(t, acked, "9400100000000000000011")
	check("shipped", map[string]int{store.QueueToAcknowledge: 0, store.QueueToShip: 0, store.QueueLate: 0, "due_today": 0, store.QueueShipped: 1, store.QueueAll: 2}, 0, 1)
}
