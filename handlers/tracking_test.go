package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
	"github.com/dropline/dropline/store/tracking"
)

// trackingShipment dropships a new order of merchant A's to supplier S and
// ships it with number, as supplier S's admin; it returns the PO's ID.
func trackingShipment(t *testing.T, env *testEnv, w *world, order, number string) int64 {
	t.Helper()
	ctx := t.Context()
	if err := env.db.SetInitialStatus(ctx, store.CLIActor, w.supplierS.ID, w.statusS); err != nil {
		t.Fatal(err)
	}
	o, _, err := env.db.CreateOrder(ctx, store.CLIActor, w.merchantA.ID, orderfile.Order{Channel: "manual", ChannelOrderID: order, Currency: "USD",
		ShipTo: orderfile.Address{Name: "Ada", Address1: "1 Main St", City: "Springfield", PostalCode: "62701", Country: "US"},
		Lines:  []orderfile.Line{{SKU: "S-100", Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := env.db.Dropship(ctx, store.CLIActor, w.merchantA.ID, o.ID, store.DropshipRequest{IdempotencyKey: order, Confirm: true})
	if err != nil || len(res.POs) != 1 {
		t.Fatalf("dropship: %+v, %v", res, err)
	}
	if _, err := env.db.AddShipment(ctx, store.CLIActor, w.supplierS.ID, res.POs[0].ID, store.ShipmentInput{Carrier: "usps", TrackingNumber: number,
		ShipDate: time.Now().UTC().Format(time.DateOnly), Override: true}); err != nil {
		t.Fatal(err)
	}
	return res.POs[0].ID
}

// signedAfterShip posts an AfterShip tracking_update for number to the
// webhook address, signed with secret, and returns the status and answer.
func signedAfterShip(t *testing.T, env *testEnv, hookURL, number, secret string, checkpoints ...map[string]string) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"event": "tracking_update", "event_id": "94dadd60-ed26-46d0-aa52-3ced925a50ff",
		"msg": map[string]any{"id": "as-1", "tracking_number": number, "slug": "usps", "tag": "InTransit", "checkpoints": checkpoints}, "ts": 1})
	header, sig := tracking.Signature(tracking.AfterShip, body, secret)
	status, b := env.send(http.MethodPost, strings.TrimPrefix(hookURL, env.srv.URL), body, header, sig, "Content-Type", "application/json")
	var out map[string]any
	json.Unmarshal(b, &out)
	return status, out
}

// TestTrackingUpdatesEndToEnd: a merchant admin chooses AfterShip in
// Settings → Carriers (the key and secret never shown again, the webhook
// address shown to admins only); a new shipment is queued for
// registration; AfterShip's signed updates show on the merchant's PO, the
// order and the supplier's PO as a status and a timeline, and flag the PO
// on the lists and dashboards; a forged update is refused with 401 and
// listed for the admin.
func TestTrackingUpdatesEndToEnd(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.adminA.Email)
	p := c.get("/settings/carriers")
	if got := p.doc.Find(`[data-testid="tracking-state"]`).Text(); !strings.Contains(got, "Tracking updates are off") {
		t.Fatalf("tracking state %q", got)
	}
	// The world's shipment was made with no provider: its page says so.
	po := c.get("/purchase-orders/" + strconv.FormatInt(w.poA, 10))
	if got := po.doc.Find(`[data-testid="tracking-off"]`).Text(); !strings.Contains(got, "Tracking updates are off") {
		t.Errorf("the PO page's shipment says %q", po.doc.Find(`[data-testid="shipment-tracking"]`).Text())
	}

	const key, secret = "asat_live_0123456789abcdef", "as-webhook-secret-42"
	bad := c.post("/settings/carriers/tracking", url.Values{"provider": {"aftership"}, "webhook_secret": {secret}, "not_moving_hours": {"48"}, "delivery_days": {"7"}})
	if bad.status != http.StatusUnprocessableEntity || bad.doc.Find(`[data-testid="error-api_key"]`).Length() != 1 {
		t.Fatalf("no key: status %d", bad.status)
	}
	if strings.Contains(bad.body, secret) {
		t.Error("the rejected form shows the secret back")
	}
	if got := bad.doc.Find(`select[name="provider"] option[selected]`).AttrOr("value", ""); got != "aftership" {
		t.Errorf("the provider typed is not kept: %q", got)
	}
	ok := c.post("/settings/carriers/tracking", url.Values{"provider": {"aftership"}, "api_key": {key}, "webhook_secret": {secret}, "not_moving_hours": {"48"}, "delivery_days": {"7"}})
	if ok.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", ok.status, ok.body)
	}
	p = c.get("/settings/carriers")
	// The world's shipment, saved while tracking updates were off, is
	// followed from now on too.
	if got := p.doc.Find(".flash").Text(); !strings.Contains(got, "1 shipment from the last 30 days will be registered with AfterShip.") {
		t.Errorf("flash after turning tracking updates on: %q", got)
	}
	if got := c.get("/purchase-orders/" + strconv.FormatInt(w.poA, 10)).doc.Find(`[data-testid="tracking-waiting"]`).Text(); !strings.Contains(got, "Registering with AfterShip") {
		t.Errorf("the earlier shipment says %q", got)
	}
	hookURL := strings.TrimSpace(p.doc.Find(`[data-testid="tracking-webhook-url"]`).Text())
	if !strings.HasPrefix(hookURL, env.srv.URL+"/api/v1/webhooks/tracking/") || len(hookURL) < len(env.srv.URL)+40 {
		t.Fatalf("webhook address %q", hookURL)
	}
	if strings.Contains(p.body, key) || strings.Contains(p.body, secret) {
		t.Fatal("Settings → Carriers shows a credential")
	}
	if !strings.Contains(p.doc.Find(`[data-testid="tracking-state"]`).Text(), "registered with AfterShip") {
		t.Errorf("tracking state %q", p.doc.Find(`[data-testid="tracking-state"]`).Text())
	}
	staff := env.client()
	staff.login(w.staffA.Email)
	sp := staff.get("/settings/carriers")
	if sp.doc.Find(`form[action="/settings/carriers/tracking"]`).Length() != 0 || strings.Contains(sp.body, hookURL) {
		t.Error("staff see the tracking form or the webhook address")
	}

	poID := trackingShipment(t, env, w, "A-2001", "9400100000000000000028")
	poPath := "/purchase-orders/" + strconv.FormatInt(poID, 10)
	if got := c.get(poPath).doc.Find(`[data-testid="tracking-waiting"]`).Text(); !strings.Contains(got, "Registering with AfterShip") {
		t.Errorf("before the provider answers, the shipment says %q", got)
	}

	// AfterShip reports the first scan, then a failed delivery attempt.
	status, out := signedAfterShip(t, env, hookURL, "9400100000000000000028", secret,
		map[string]string{"checkpoint_time": "2026-03-03T08:41:00-05:00", "tag": "InTransit", "subtag": "InTransit_002", "subtag_message": "Acceptance scan",
			"message": "Origin Scan", "city": "Columbus", "state": "OH", "country_iso3": "USA"},
		map[string]string{"checkpoint_time": "2026-03-05T13:02:00-05:00", "tag": "AttemptFail", "subtag": "AttemptFail_001", "subtag_message": "Failed Attempt",
			"message": "Notice left, no authorized recipient", "location": "SPRINGFIELD, IL, US"})
	if status != http.StatusOK || out["result"] != "applied" || out["events_added"] != float64(2) {
		t.Fatalf("webhook: %d %v", status, out)
	}
	for _, side := range []struct {
		who  *client
		path string
	}{{c, poPath}, {nil, "/dropship-orders/" + strconv.FormatInt(poID, 10)}} {
		cl := side.who
		if cl == nil {
			cl = env.client()
			cl.login(w.adminS.Email)
		}
		pg := cl.get(side.path)
		if got := strings.TrimSpace(pg.doc.Find(`[data-testid="tracking-status"]`).Text()); got != "Failed attempt" {
			t.Errorf("%s: tracking status %q", side.path, got)
		}
		events := pg.doc.Find(`[data-testid="tracking-event"]`)
		if events.Length() != 2 || events.First().AttrOr("data-status", "") != "failed_attempt" || !strings.Contains(events.Last().Text(), "Columbus, OH, USA") {
			t.Errorf("%s: timeline %q", side.path, pg.doc.Find(`[data-testid="tracking-timeline"]`).Text())
		}
		if got := strings.TrimSpace(pg.doc.Find(`h1 [data-testid="tracking-problem"]`).Text()); got != "Failed attempt" {
			t.Errorf("%s: PO flag %q", side.path, got)
		}
	}
	// The order page shows it too, and the lists and dashboards count it.
	order := c.get("/orders/" + strconv.FormatInt(mustPO(t, env, w, poID).OrderID, 10))
	if got := strings.TrimSpace(order.doc.Find(`[data-testid="tracking-status"]`).Text()); got != "Failed attempt" {
		t.Errorf("order page tracking status %q", got)
	}
	list := c.get("/purchase-orders?view=tracking")
	if list.doc.Find(`[data-testid="po-row"]`).Length() != 1 || list.doc.Find(`[data-testid="po-row"] [data-testid="tracking-problem"]`).Length() != 1 {
		t.Errorf("the Tracking problems view: %s", list.doc.Find(`#po-table`).Text())
	}
	if got := strings.TrimSpace(c.get("/").doc.Find(`[data-testid="dash-tracking-problems"] [data-testid="dash-count"]`).Text()); got != "1" {
		t.Errorf("merchant dashboard counts %q tracking problems", got)
	}

	// The same update again changes nothing.
	status, out = signedAfterShip(t, env, hookURL, "9400100000000000000028", secret,
		map[string]string{"checkpoint_time": "2026-03-05T13:02:00-05:00", "tag": "AttemptFail", "subtag": "AttemptFail_001", "subtag_message": "Failed Attempt",
			"message": "Notice left, no authorized recipient", "location": "SPRINGFIELD, IL, US"})
	if status != http.StatusOK || out["result"] != "unchanged" {
		t.Errorf("replay: %d %v", status, out)
	}

	// A forged delivery is refused, changes nothing, and the admin sees it.
	before := env.dbDigest()
	status, _ = signedAfterShip(t, env, hookURL, "9400100000000000000028", "guessed-secret",
		map[string]string{"checkpoint_time": "2026-03-06T10:00:00Z", "tag": "Delivered", "subtag": "Delivered_001", "message": "Delivered"})
	if status != http.StatusUnauthorized {
		t.Fatalf("forged: %d", status)
	}
	if got := mustPO(t, env, w, poID); got.Status == store.PODelivered {
		t.Fatal("a forged delivery was applied")
	}
	if env.dbDigest() == before {
		t.Error("the refusal was not recorded")
	}
	rows := c.get("/settings/carriers").doc.Find(`[data-testid="tracking-rejected"] tbody tr`)
	if rows.Length() != 1 || !strings.Contains(rows.Text(), "aftership-hmac-sha256") {
		t.Errorf("refused webhooks on Settings → Carriers: %q", rows.Text())
	}
	if got := c.get("/settings/orders").doc.Find(`[data-testid="rejected-webhooks"]`).Text(); !strings.Contains(got, "Tracking webhook (AfterShip)") {
		t.Errorf("Settings → Orders and webhooks: %q", got)
	}
	// An address with no account behind it is not found.
	if status, _ := signedAfterShip(t, env, env.srv.URL+"/api/v1/webhooks/tracking/not-a-token", "x", secret); status != http.StatusNotFound {
		t.Errorf("unknown address: %d", status)
	}
}

func mustPO(t *testing.T, env *testEnv, w *world, id int64) store.PurchaseOrder {
	t.Helper()
	po, err := env.db.PurchaseOrder(t.Context(), w.merchantA.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return po
}
