package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
)

// setZone moves an account to a time zone, as its admin would in Settings.
func setZone(t *testing.T, env *testEnv, acc store.Account, zone string) *time.Location {
	t.Helper()
	if _, err := env.db.UpdateAccountSettings(t.Context(), store.CLIActor, acc.ID, store.AccountSettings{Name: acc.Name, TimeZone: zone, DropshipEnabled: true}); err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestPOTimesSayTheirZone: the merchant (Tokyo) and the supplier (Kolkata)
// see the same PO's times each in their own zone, and each says which, so
// that on the phone they can tell they are the same instant.
func TestPOTimesSayTheirZone(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	tokyo := setZone(t, env, w.merchantA, "Asia/Tokyo")
	kolkata := setZone(t, env, w.supplierS, "Asia/Kolkata")
	po, err := env.db.PurchaseOrder(t.Context(), w.merchantA.ID, w.poA)
	if err != nil {
		t.Fatal(err)
	}
	ships, err := env.db.Shipments(t.Context(), w.merchantA.ID, w.poA)
	if err != nil || len(ships) == 0 {
		t.Fatalf("shipments of the world's PO: %v %v", ships, err)
	}
	at := func(tm time.Time, loc *time.Location, zone string) string {
		return tm.In(loc).Format("2 Jan 2006 15:04") + " " + zone
	}

	merchant := env.client()
	merchant.login(w.adminA.Email)
	page := merchant.get("/purchase-orders/" + strconv.FormatInt(w.poA, 10))
	if want := "created " + at(po.CreatedAt, tokyo, "JST"); !strings.Contains(page.doc.Text(), want) {
		t.Errorf("merchant's PO page does not say %q", want)
	}
	if want := "entered " + at(ships[0].CreatedAt, tokyo, "JST"); page.doc.Find(`[data-testid="shipment-entered"]`).First().Text() != want {
		t.Errorf("merchant's shipment: %q, want %q", page.doc.Find(`[data-testid="shipment-entered"]`).First().Text(), want)
	}
	if want := at(po.CreatedAt, tokyo, "JST"); !strings.Contains(merchant.get("/purchase-orders?q="+url.QueryEscape(po.PONumber)).doc.Find("table").Text(), want) {
		t.Errorf("merchant's PO list does not say %q", want)
	}

	supplier := env.client()
	supplier.login(w.adminS.Email)
	page = supplier.get("/dropship-orders/" + strconv.FormatInt(w.poA, 10))
	if want := "received " + at(po.ReleaseAt, kolkata, "IST"); !strings.Contains(page.doc.Text(), want) {
		t.Errorf("supplier's PO page does not say %q", want)
	}
	if want := "entered " + at(ships[0].CreatedAt, kolkata, "IST"); page.doc.Find(`[data-testid="shipment-entered"]`).First().Text() != want {
		t.Errorf("supplier's shipment: %q, want %q", page.doc.Find(`[data-testid="shipment-entered"]`).First().Text(), want)
	}
	queue := supplier.get("/dropship-orders?tab=all&q=" + url.QueryEscape(po.PONumber))
	if want := "received " + at(po.ReleaseAt, kolkata, "IST"); queue.doc.Find(`[data-testid="queue-received"]`).First().AttrOr("title", "") != want {
		t.Errorf("supplier's queue: %q, want %q", queue.doc.Find(`[data-testid="queue-received"]`).First().AttrOr("title", ""), want)
	}
}

// TestOrdersCSVTimesWithoutAZoneAreTheAccounts: a placed_at written without
// a zone is a time of the merchant's own day.
func TestOrdersCSVTimesWithoutAZoneAreTheAccounts(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	setZone(t, env, w.merchantA, "Asia/Tokyo")
	c := env.client()
	c.login(w.adminA.Email)
	file := "order_number,placed_at,sku,title,quantity,ship_name,ship_address1,ship_city,ship_postal_code,ship_country\n" +
		"Z-1,2025-03-14 09:30,X-1,Thing,1,Ada,1 Main St,Springfield,62701,US\n" +
		"Z-2,2025-03-14T09:30:00Z,X-1,Thing,1,Ada,1 Main St,Springfield,62701,US\n"
	p := c.upload("/orders/import", "orders.csv", file, nil)
	if p = c.post("/orders/import/apply", url.Values{"token": {p.doc.Find(`input[name="token"]`).AttrOr("value", "")}}); p.status != http.StatusSeeOther {
		t.Fatalf("apply: %d", p.status)
	}
	want := map[string]time.Time{
		"Z-1": time.Date(2025, 3, 14, 0, 30, 0, 0, time.UTC), // 09:30 in Tokyo
		"Z-2": time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC), // its own zone
	}
	for number, at := range want {
		pg, err := env.db.Orders(t.Context(), w.merchantA.ID, store.OrderFilter{Tab: store.TabAll, Query: number})
		if err != nil || len(pg.Orders) != 1 {
			t.Fatalf("%s: %v %v", number, pg.Orders, err)
		}
		if got := pg.Orders[0].PlacedAt; !got.Equal(at) {
			t.Errorf("%s placed at %v, want %v", number, got.UTC(), at)
		}
	}
}
