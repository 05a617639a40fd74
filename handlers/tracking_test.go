package handlers_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
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

// fakeAfterShip is AfterShip as the app's tracking provider: it registers
// trackings (POST /trackings) and answers Get a tracking by ID with the
// checkpoints the test gives, or 401 once refused.
type fakeAfterShip struct {
	srv         *httptest.Server
	mu          sync.Mutex
	checkpoints []map[string]string
	refuse      bool
}

func newFakeAfterShip(t *testing.T, env *testEnv, key string) *fakeAfterShip {
	f := &fakeAfterShip{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if f.refuse || r.Header.Get("as-api-key") != key {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"meta":{"code":401,"message":"The API key is invalid.","type":"Unauthorized"},"data":{}}`)
			return
		}
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/tracking/2025-07/trackings":
			var body map[string]string
			json.NewDecoder(r.Body).Decode(&body)
			w.WriteHeader(http.StatusCreated)
			json.NewEncoder(w).Encode(map[string]any{"meta": map[string]any{"code": 201}, "data": map[string]any{"id": "as-" + body["tracking_number"],
				"tracking_number": body["tracking_number"]}})
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/tracking/2025-07/trackings/as-"):
			number := strings.TrimPrefix(r.URL.Path, "/tracking/2025-07/trackings/as-")
			json.NewEncoder(w).Encode(map[string]any{"meta": map[string]any{"code": 200}, "data": map[string]any{"id": "as-" + number,
				"tracking_number": number, "slug": "ups", "checkpoints": f.checkpoints}})
		default:
			t.Errorf("AfterShip got %s %s", r.Method, r.URL.Path)
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	env.trackingURLs[tracking.AfterShip] = f.srv.URL + "/tracking/2025-07"
	// The in-test server is on this machine: the platform admin allows it.
	if err := env.db.SetAllowPrivateFeeds(t.Context(), store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	return f
}

// register sends the outbox's registrations to f.
func (f *fakeAfterShip) register(t *testing.T, env *testEnv) {
	t.Helper()
	d := &store.Deliverer{DB: env.db, HTTP: f.srv.Client(), TrackingURLs: map[tracking.Kind]string{tracking.AfterShip: f.srv.URL + "/tracking/2025-07"}}
	if _, err := d.DeliverDue(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// refresh presses Refresh tracking on page (path) as c, and returns the
// page it comes back to.
func refreshFrom(t *testing.T, c *client, path, action string) page {
	t.Helper()
	form := url.Values{"_csrf": {c.csrf}}
	req, _ := http.NewRequest(http.MethodPost, c.env.srv.URL+action, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", c.env.srv.URL+path)
	res := c.do(req)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != path {
		t.Fatalf("refresh: %d to %q, want 303 to %s", res.status, res.header.Get("Location"), path)
	}
	return c.get(path)
}

// TestRefreshTrackingButton: the merchant whose AfterShip follows a shipment
// presses Refresh tracking on its PO: the scans AfterShip has appear at
// once and the page says how many were new; again, none; AfterShip's
// refusal is said in its words. The supplier sees no button, and neither
// it nor another merchant can refresh the shipment.
func TestRefreshTrackingButton(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	const key, secret = "asat_live_0123456789abcdef", "as-webhook-secret-42"
	f := newFakeAfterShip(t, env, key)
	c := env.client()
	c.login(w.adminA.Email)
	if p := c.post("/settings/carriers/tracking", url.Values{"provider": {"aftership"}, "api_key": {key}, "webhook_secret": {secret},
		"not_moving_hours": {"48"}, "delivery_days": {"7"}}); p.status != http.StatusSeeOther {
		t.Fatalf("save: %d", p.status)
	}
	poPath := "/purchase-orders/" + strconv.FormatInt(w.poA, 10)
	if n := c.get(poPath).doc.Find(`[data-testid="tracking-refresh"]`).Length(); n != 0 {
		t.Errorf("a Refresh tracking button before the registration went through")
	}
	f.register(t, env)
	po := c.get(poPath)
	form := po.doc.Find(`[data-testid="shipment-row"] form:has([data-testid="tracking-refresh"])`)
	action := form.AttrOr("action", "")
	if form.Length() != 1 || action != "/shipments/"+strconv.FormatInt(w.shipmentS, 10)+"/tracking/refresh" || form.Find(`input[name="_csrf"]`).Length() != 1 {
		t.Fatalf("Refresh tracking form %q on the PO page: %s", action, po.doc.Find(`[data-testid="shipment-tracking"]`).Text())
	}

	f.mu.Lock()
	f.checkpoints = []map[string]string{
		{"checkpoint_time": "2026-03-03T08:41:00-05:00", "tag": "InTransit", "subtag": "InTransit_002", "message": "Origin Scan", "city": "Columbus", "state": "OH"},
		{"checkpoint_time": "2026-03-04T06:10:00-05:00", "tag": "InTransit", "subtag": "InTransit_003", "message": "Departed from Facility", "city": "Louisville", "state": "KY"},
	}
	f.mu.Unlock()
	after := refreshFrom(t, c, poPath, action)
	if got := after.doc.Find(".flash").Text(); got != "Tracking refreshed: 2 new carrier events." {
		t.Errorf("flash %q", got)
	}
	if events := after.doc.Find(`[data-testid="tracking-event"]`); events.Length() != 2 || !strings.Contains(events.First().Text(), "Departed from Facility") {
		t.Errorf("timeline after the refresh: %q", after.doc.Find(`[data-testid="tracking-timeline"]`).Text())
	}
	again := refreshFrom(t, c, poPath, action)
	if got := again.doc.Find(".flash").Text(); got != "Tracking refreshed: no new events." {
		t.Errorf("flash the second time %q", got)
	}
	if n := again.doc.Find(`[data-testid="tracking-event"]`).Length(); n != 2 {
		t.Errorf("%d events after the second refresh", n)
	}
	f.mu.Lock()
	f.refuse = true
	f.mu.Unlock()
	refused := refreshFrom(t, c, poPath, action)
	if got := refused.doc.Find(".flash.error").Text(); !strings.Contains(got, "Refreshing tracking failed. AfterShip: the API key was refused") ||
		!strings.Contains(got, "The API key is invalid.") || strings.Contains(got, key) {
		t.Errorf("flash after a refusal %q", got)
	}

	// The supplier sees the timeline but no button, and cannot refresh;
	// another merchant cannot either. Nothing changes.
	s := env.client()
	s.login(w.adminS.Email)
	sp := s.get("/dropship-orders/" + strconv.FormatInt(w.poA, 10))
	if sp.doc.Find(`[data-testid="tracking-event"]`).Length() != 2 || sp.doc.Find(`[data-testid="tracking-refresh"]`).Length() != 0 {
		t.Errorf("the supplier's PO page: %s", sp.doc.Find(`[data-testid="shipment-tracking"]`).Text())
	}
	b := env.client()
	b.login(w.adminB.Email)
	before := env.dbDigest()
	for _, other := range []*client{s, b} {
		if p := other.post(action, nil); p.status != http.StatusNotFound {
			t.Errorf("another account's refresh: %d", p.status)
		}
	}
	if env.dbDigest() != before {
		t.Error("another account's refresh changed the database")
	}
}

// TestRegisterEasyPostWebhook: a merchant admin using EasyPost presses
// Register webhook with EasyPost: EasyPost gets the account's address and
// webhook secret, the page says so and shows EasyPost's ID of it; pressed
// again (after a new secret) it sets the secret on the same webhook and
// makes no second one. With AfterShip, whose API cannot add webhooks, the
// page says to add it by hand and there is no button.
func TestRegisterEasyPostWebhook(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	const key = "EZAK_live_0123456789abcdef"
	var mu sync.Mutex
	hooks := map[string]map[string]string{} // id -> url, webhook_secret
	var posts int
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		rw.Header().Set("Content-Type", "application/json")
		if user, _, ok := r.BasicAuth(); !ok || user != key {
			rw.WriteHeader(http.StatusUnauthorized)
			io.WriteString(rw, `{"error":{"code":"APIKEY.INACTIVE","message":"This api key is no longer active.","errors":[]}}`)
			return
		}
		var body struct {
			Webhook map[string]string `json:"webhook"`
		}
		json.NewDecoder(r.Body).Decode(&body)
		id := strings.TrimPrefix(r.URL.Path, "/v2/webhooks/")
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/v2/webhooks":
			list := []map[string]any{}
			for id, h := range hooks {
				list = append(list, map[string]any{"id": id, "object": "Webhook", "url": h["url"], "disabled_at": nil})
			}
			json.NewEncoder(rw).Encode(map[string]any{"webhooks": list})
		case r.Method == http.MethodPost && r.URL.Path == "/v2/webhooks":
			posts++
			id := "hook_" + strconv.Itoa(1000+posts)
			hooks[id] = body.Webhook
			rw.WriteHeader(http.StatusCreated)
			json.NewEncoder(rw).Encode(map[string]any{"id": id, "object": "Webhook", "url": body.Webhook["url"], "disabled_at": nil})
		case r.Method == http.MethodPatch && hooks[id] != nil:
			hooks[id]["webhook_secret"] = body.Webhook["webhook_secret"]
			json.NewEncoder(rw).Encode(map[string]any{"id": id, "object": "Webhook", "url": hooks[id]["url"], "disabled_at": nil})
		default:
			t.Errorf("EasyPost got %s %s", r.Method, r.URL.Path)
			rw.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	env.trackingURLs[tracking.EasyPost] = srv.URL + "/v2"
	if err := env.db.SetAllowPrivateFeeds(t.Context(), store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	c := env.client()
	c.login(w.adminA.Email)
	save := func(provider, key, secret string) {
		t.Helper()
		if p := c.post("/settings/carriers/tracking", url.Values{"provider": {provider}, "api_key": {key}, "webhook_secret": {secret},
			"not_moving_hours": {"48"}, "delivery_days": {"7"}}); p.status != http.StatusSeeOther {
			t.Fatalf("save %s: %d", provider, p.status)
		}
	}
	save("easypost", key, "first-secret")
	p := c.get("/settings/carriers")
	hookURL := strings.TrimSpace(p.doc.Find(`[data-testid="tracking-webhook-url"]`).Text())
	if got := strings.TrimSpace(p.doc.Find(`[data-testid="tracking-webhook-register"]`).Text()); got != "Register webhook with EasyPost" {
		t.Fatalf("button %q", got)
	}
	if r := c.post("/settings/carriers/tracking/webhook", nil); r.status != http.StatusSeeOther {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	p = c.get("/settings/carriers")
	if got := p.doc.Find(".flash").Text(); !strings.Contains(got, "Webhook registered with EasyPost (hook_1001)") {
		t.Errorf("flash %q", got)
	}
	if got := p.doc.Find(`[data-testid="tracking-webhook-ref"]`).Text(); !strings.Contains(got, "hook_1001") {
		t.Errorf("the page says %q", got)
	}
	if h := hooks["hook_1001"]; len(hooks) != 1 || h["url"] != hookURL || h["webhook_secret"] != "first-secret" {
		t.Fatalf("EasyPost's webhooks %v, want %s", hooks, hookURL)
	}
	if strings.Contains(p.body, "first-secret") || strings.Contains(p.body, key) {
		t.Error("the page shows a credential")
	}

	// A new secret, and the button again: the same webhook, no second one.
	save("easypost", "", "second-secret")
	c.post("/settings/carriers/tracking/webhook", nil)
	p = c.get("/settings/carriers")
	if got := p.doc.Find(".flash").Text(); !strings.Contains(got, "EasyPost already had a webhook for this address (hook_1001)") ||
		!strings.Contains(got, "No second webhook was made.") {
		t.Errorf("flash the second time %q", got)
	}
	if len(hooks) != 1 || posts != 1 || hooks["hook_1001"]["webhook_secret"] != "second-secret" {
		t.Errorf("EasyPost's webhooks %v after %d creations", hooks, posts)
	}

	// AfterShip: added by hand.
	save("aftership", "asat_0123456789abcdef", "as-secret")
	p = c.get("/settings/carriers")
	if p.doc.Find(`[data-testid="tracking-webhook-register"]`).Length() != 0 || p.doc.Find(`[data-testid="tracking-webhook-ref"]`).Length() != 0 ||
		!strings.Contains(p.doc.Find(`[data-testid="tracking-webhook-by-hand"]`).Text(), "AfterShip's API cannot add webhooks") {
		t.Errorf("with AfterShip the page says %q", p.doc.Find(`[data-testid="tracking-webhook"]`).Text())
	}
	c.post("/settings/carriers/tracking/webhook", nil)
	if got := c.get("/settings/carriers").doc.Find(".flash.error").Text(); !strings.Contains(got, "AfterShip's API cannot add webhooks") {
		t.Errorf("pressing it with AfterShip: %q", got)
	}
}
