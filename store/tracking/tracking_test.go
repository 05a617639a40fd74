package tracking

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	testAfterShipKey = "asat_0123456789abcdef"
	testEasyPostKey  = "EZTK0123456789abcdef"
)

// fakeAfterShip answers POST /tracking/2025-07/trackings as AfterShip
// documents it: the as-api-key header, a JSON body with tracking_number,
// and {"meta", "data"} answers. Numbers it was given before get 4003.
type fakeAfterShip struct {
	t    *testing.T
	srv  *httptest.Server
	seen map[string]string // number -> id
	got  []map[string]string
	// answer, when set, replaces the documented success.
	answer func(w http.ResponseWriter) bool
}

func newFakeAfterShip(t *testing.T) *fakeAfterShip {
	f := &fakeAfterShip{t: t, seen: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/tracking/"+afterShipVersion+"/trackings" {
			t.Errorf("request %s %s, want POST /tracking/%s/trackings", r.Method, r.URL.Path, afterShipVersion)
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("as-api-key") != testAfterShipKey {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"meta":{"code":401,"message":"The API key is invalid.","type":"Unauthorized"},"data":{}}`)
			return
		}
		if r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
		}
		var body map[string]string
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"meta":{"code":4001,"message":"Invalid JSON data.","type":"BadRequest"},"data":{}}`)
			return
		}
		f.got = append(f.got, body)
		if f.answer != nil && f.answer(w) {
			return
		}
		if body["tracking_number"] == "" {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"meta":{"code":4007,"message":"tracking_number is required.","type":"BadRequest"},"data":{}}`)
			return
		}
		if id, ok := f.seen[body["tracking_number"]]; ok {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"meta":{"code":4003,"message":"Tracking already exists.","type":"BadRequest"},"data":{"id":"`+id+`","tracking_number":"`+body["tracking_number"]+`"}}`)
			return
		}
		id := "as" + strings.Repeat("0", 30-len(body["tracking_number"])) + strings.ToLower(body["tracking_number"])
		f.seen[body["tracking_number"]] = id
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"meta": map[string]any{"code": 201, "message": "Created", "type": "Created"},
			"data": map[string]any{"id": id, "tracking_number": body["tracking_number"], "slug": body["slug"], "tag": "Pending", "checkpoints": []any{}}})
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAfterShip) provider(key string) Provider {
	p, err := New(Config{Kind: AfterShip, APIKey: key, BaseURL: f.srv.URL + "/tracking/" + afterShipVersion, HTTP: f.srv.Client()})
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

func TestAfterShipCreateTracker(t *testing.T) {
	f := newFakeAfterShip(t)
	p := f.provider(testAfterShipKey)
	ctx := context.Background()
	ref, err := p.CreateTracker(ctx, Shipment{Carrier: "ups", Number: "1Z999AA10123456784", Title: "PO-1001", ShipDate: "2026-03-02"})
	if err != nil {
		t.Fatal(err)
	}
	if ref == "" {
		t.Fatal("no tracking id")
	}
	want := map[string]string{"tracking_number": "1Z999AA10123456784", "slug": "ups", "title": "PO-1001", "tracking_ship_date": "20260302"}
	if !reflect.DeepEqual(f.got[0], want) {
		t.Errorf("body %v, want %v", f.got[0], want)
	}
	// A carrier AfterShip has no slug for here is left for it to detect.
	if _, err := p.CreateTracker(ctx, Shipment{Carrier: "yunexpress", Number: "YT2412345678901234"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.got[1]["slug"]; ok {
		t.Errorf("slug sent for an unmapped carrier: %v", f.got[1])
	}
	// Registering again (a retry after a timeout) gets the same tracking.
	again, err := p.CreateTracker(ctx, Shipment{Carrier: "ups", Number: "1Z999AA10123456784"})
	if err != nil || again != ref {
		t.Errorf("again: %q, %v; want %q", again, err, ref)
	}
}

func TestAfterShipCreateTrackerErrors(t *testing.T) {
	f := newFakeAfterShip(t)
	ctx := context.Background()
	_, err := f.provider("wrong").CreateTracker(ctx, Shipment{Number: "1Z999AA10123456784"})
	var te *Error
	if !errors.As(err, &te) || te.Retry || te.Status != 401 || !strings.Contains(te.Message, "API key was refused") || !strings.Contains(te.Message, "The API key is invalid.") {
		t.Errorf("wrong key: %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the key is in the error: %v", err)
	}
	f.answer = func(w http.ResponseWriter) bool {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"meta":{"code":429,"message":"You have exceeded the API call rate limit.","type":"TooManyRequests"},"data":{}}`)
		return true
	}
	_, err = f.provider(testAfterShipKey).CreateTracker(ctx, Shipment{Number: "1Z999AA10123456784"})
	if !errors.As(err, &te) || !te.Retry || te.RetryAfter != 7*time.Second {
		t.Errorf("throttled: %#v", err)
	}
	f.answer = func(w http.ResponseWriter) bool {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"meta":{"code":4012,"message":"Unable to import shipment as we don't recognize the carrier from this tracking number.","type":"BadRequest"},"data":{}}`)
		return true
	}
	_, err = f.provider(testAfterShipKey).CreateTracker(ctx, Shipment{Number: "XX1"})
	if !errors.As(err, &te) || te.Retry || !strings.Contains(te.Message, "don't recognize the carrier") || !strings.Contains(te.Message, "4012") {
		t.Errorf("refused number: %v", err)
	}
	f.answer = func(w http.ResponseWriter) bool {
		w.WriteHeader(http.StatusBadGateway)
		return true
	}
	if _, err = f.provider(testAfterShipKey).CreateTracker(ctx, Shipment{Number: "1Z999AA10123456784"}); !Retryable(err) {
		t.Errorf("502: %v, want retryable", err)
	}
}

// afterShipWebhook is a tracking_update as AfterShip's Webhook
// Specifications show it: the whole tracking, its checkpoints in order.
const afterShipWebhook = `{
  "event": "tracking_update",
  "event_id": "94dadd60-ed26-46d0-aa52-3ced925a50ff",
  "is_tracking_first_tag": true,
  "msg": {
    "id": "asa0000000001z999aa10123456784",
    "tracking_number": "1Z999AA10123456784",
    "slug": "ups",
    "tag": "Delivered",
    "subtag": "Delivered_001",
    "subtag_message": "Delivered",
    "latest_estimated_delivery": {"type": "range", "source": "Carrier EDD", "datetime": null, "datetime_min": "2026-03-05", "datetime_max": "2026-03-06T20:00:00-05:00"},
    "checkpoints": [
      {"checkpoint_time": "2026-03-02T18:10:00", "slug": "ups", "tag": "InfoReceived", "subtag": "InfoReceived_001", "subtag_message": "Info Received",
       "message": "Shipper created a label, UPS has not received the package yet.", "location": null, "city": null, "state": null, "country_iso3": "USA"},
      {"checkpoint_time": "2026-03-03T08:41:00-05:00", "slug": "ups", "tag": "InTransit", "subtag": "InTransit_002", "subtag_message": "Acceptance scan",
       "message": "Origin Scan", "city": "Columbus", "state": "OH", "zip": "43228", "country_iso3": "USA"},
      {"checkpoint_time": "2026-03-04T09:00:00Z", "slug": "ups", "tag": "Pending", "subtag": "Pending_001", "message": "No information yet"},
      {"checkpoint_time": "2026-03-05T13:02:00-05:00", "slug": "ups", "tag": "Delivered", "subtag": "Delivered_001", "subtag_message": "Delivered",
       "message": "DELIVERED", "location": "NEW YORK, NY, US"}
    ]
  },
  "ts": 1772733720
}`

func TestAfterShipWebhook(t *testing.T) {
	p, _ := New(Config{Kind: AfterShip})
	body := []byte(afterShipWebhook)
	secret := "whsec-aftership-1"
	h := http.Header{}
	h.Set(Signature(AfterShip, body, secret))
	u, err := p.ParseWebhook(h, body, secret)
	if err != nil {
		t.Fatal(err)
	}
	if u.Ref != "asa0000000001z999aa10123456784" || u.Number != "1Z999AA10123456784" || u.Carrier != "ups" ||
		u.Expected != (Expected{From: "2026-03-05", To: "2026-03-06"}) {
		t.Errorf("update %+v", u)
	}
	est := time.FixedZone("EST", -5*3600)
	want := []Event{
		{Status: InfoReceived, SubStatus: "Info Received", Message: "Shipper created a label, UPS has not received the package yet.", Location: "USA",
			OccurredAt: time.Date(2026, 3, 2, 18, 10, 0, 0, time.UTC)},
		{Status: InTransit, SubStatus: "Acceptance scan", Message: "Origin Scan", Location: "Columbus, OH, 43228, USA", OccurredAt: time.Date(2026, 3, 3, 8, 41, 0, 0, est).UTC()},
		{Status: Delivered, SubStatus: "Delivered", Message: "DELIVERED", Location: "NEW YORK, NY, US", OccurredAt: time.Date(2026, 3, 5, 13, 2, 0, 0, est).UTC()},
	}
	if !reflect.DeepEqual(u.Events, want) {
		t.Errorf("events\n%+v\nwant\n%+v", u.Events, want)
	}
}

func TestAfterShipWebhookRefusesBadSignatures(t *testing.T) {
	p, _ := New(Config{Kind: AfterShip})
	body := []byte(afterShipWebhook)
	for name, h := range map[string]http.Header{
		"none":         {},
		"other secret": {"Aftership-Hmac-Sha256": {afterShipSignature(body, "another secret")}},
		"hex":          {"Aftership-Hmac-Sha256": {strings.TrimPrefix(easyPostSignature(body, "s"), "hmac-sha256-hex=")}},
		"other body":   {"Aftership-Hmac-Sha256": {afterShipSignature([]byte(strings.Replace(afterShipWebhook, "Delivered", "Exception", 1)), "s")}},
	} {
		if _, err := p.ParseWebhook(h, body, "s"); !errors.Is(err, ErrSignature) {
			t.Errorf("%s: %v, want ErrSignature", name, err)
		}
	}
	// No secret configured: nothing is accepted, signed or not.
	h := http.Header{}
	h.Set(Signature(AfterShip, body, ""))
	if _, err := p.ParseWebhook(h, body, ""); !errors.Is(err, ErrSignature) {
		t.Errorf("empty secret: %v, want ErrSignature", err)
	}
}

func TestAfterShipReturnedSubtags(t *testing.T) {
	for _, c := range []struct {
		tag, subtag string
		want        Status
	}{
		{"Exception", "Exception_010", Returned}, {"Exception", "Exception_011", Returned}, {"Exception", "Exception_004", Exception},
		{"AttemptFail", "AttemptFail_001", FailedAttempt}, {"AvailableForPickup", "AvailableForPickup_001", OutForDelivery},
		{"OutForDelivery", "OutForDelivery_001", OutForDelivery}, {"Expired", "Expired_001", Exception},
	} {
		if got, ok := afterShipStatus(c.tag, c.subtag); !ok || got != c.want {
			t.Errorf("%s/%s: %q, want %q", c.tag, c.subtag, got, c.want)
		}
	}
	if _, ok := afterShipStatus("Pending", "Pending_001"); ok {
		t.Error("Pending maps to a status")
	}
}

// fakeEasyPost answers POST /v2/trackers as EasyPost documents it: basic
// auth with the API key as user, {"tracker": {...}}, the Tracker back
// (the original one for a number it has).
type fakeEasyPost struct {
	t    *testing.T
	srv  *httptest.Server
	seen map[string]string
	got  []map[string]map[string]string
}

func newFakeEasyPost(t *testing.T) *fakeEasyPost {
	f := &fakeEasyPost{t: t, seen: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v2/trackers" {
			t.Errorf("request %s %s, want POST /v2/trackers", r.Method, r.URL.Path)
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		user, pass, ok := r.BasicAuth()
		if !ok || user != testEasyPostKey || pass != "" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":{"code":"APIKEY.INACTIVE","message":"This api key is no longer active. Please use a different api key or reactivate this key.","errors":[]}}`)
			return
		}
		var body map[string]map[string]string
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body["tracker"]["tracking_code"] == "" {
			w.WriteHeader(http.StatusUnprocessableEntity)
			io.WriteString(w, `{"error":{"code":"TRACKER.TRACKING_CODE.MISSING","message":"Missing required parameter: tracking_code","errors":[]}}`)
			return
		}
		f.got = append(f.got, body)
		code := body["tracker"]["tracking_code"]
		id, ok := f.seen[code]
		if !ok {
			id = "trk_" + strings.ToLower(code)
			f.seen[code] = id
		}
		json.NewEncoder(w).Encode(map[string]any{"id": id, "object": "Tracker", "mode": "test", "tracking_code": code, "status": "pre_transit",
			"carrier": body["tracker"]["carrier"], "tracking_details": []any{}})
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func TestEasyPostCreateTracker(t *testing.T) {
	f := newFakeEasyPost(t)
	ctx := context.Background()
	p, err := New(Config{Kind: EasyPost, APIKey: testEasyPostKey, BaseURL: f.srv.URL + "/v2", HTTP: f.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := p.CreateTracker(ctx, Shipment{Carrier: "usps", Number: "9400111899223197428490", Title: "PO-7"})
	if err != nil || ref != "trk_9400111899223197428490" {
		t.Fatalf("%q, %v", ref, err)
	}
	if want := map[string]string{"tracking_code": "9400111899223197428490", "carrier": "USPS"}; !reflect.DeepEqual(f.got[0]["tracker"], want) {
		t.Errorf("tracker %v, want %v", f.got[0]["tracker"], want)
	}
	if again, err := p.CreateTracker(ctx, Shipment{Carrier: "usps", Number: "9400111899223197428490"}); err != nil || again != ref {
		t.Errorf("again: %q, %v", again, err)
	}
	bad, _ := New(Config{Kind: EasyPost, APIKey: "EZTKwrong", BaseURL: f.srv.URL + "/v2", HTTP: f.srv.Client()})
	_, err = bad.CreateTracker(ctx, Shipment{Number: "9400111899223197428490"})
	var te *Error
	if !errors.As(err, &te) || te.Retry || !strings.Contains(te.Message, "no longer active") || strings.Contains(err.Error(), "EZTKwrong") {
		t.Errorf("wrong key: %v", err)
	}
	_, err = p.CreateTracker(ctx, Shipment{Number: ""})
	if !errors.As(err, &te) || te.Retry || !strings.Contains(te.Message, "TRACKER.TRACKING_CODE.MISSING") {
		t.Errorf("no number: %v", err)
	}
}

// easyPostWebhook is a tracker.updated Event as EasyPost posts it: the
// Tracker in result, its tracking_details oldest first.
const easyPostWebhook = `{
  "id": "evt_6b7b1c1e1e2a11f0a1b2c3d4e5f6a7b8",
  "object": "Event",
  "mode": "production",
  "description": "tracker.updated",
  "previous_attributes": {"status": "in_transit"},
  "created_at": "2026-03-06T15:00:00Z",
  "updated_at": "2026-03-06T15:00:00Z",
  "pending_urls": ["https://dropline.example.com/api/v1/webhooks/tracking/x"],
  "completed_urls": [],
  "result": {
    "id": "trk_9400111899223197428490",
    "object": "Tracker",
    "mode": "production",
    "tracking_code": "9400111899223197428490",
    "status": "failure",
    "status_detail": "attempted_delivery",
    "carrier": "USPS",
    "est_delivery_date": "2026-03-07T00:00:00Z",
    "tracking_details": [
      {"object": "TrackingDetail", "message": "Shipping Label Created", "description": null, "status": "pre_transit", "status_detail": "status_update",
       "datetime": "2026-03-02T09:17:17Z", "source": "USPS", "tracking_location": {"object": "TrackingLocation", "city": "HOUSTON", "state": "TX", "country": null, "zip": "77063"}},
      {"object": "TrackingDetail", "message": "Arrived at USPS Regional Facility", "status": "in_transit", "status_detail": "arrived_at_facility",
       "datetime": "2026-03-03T04:00:00Z", "source": "USPS", "tracking_location": {"object": "TrackingLocation", "city": "NORTH HOUSTON", "state": "TX", "country": "US", "zip": null}},
      {"object": "TrackingDetail", "message": "Notice Left (No Authorized Recipient Available)", "status": "failure", "status_detail": "attempted_delivery",
       "datetime": "2026-03-06T14:52:00Z", "source": "USPS", "tracking_location": {"object": "TrackingLocation", "city": "CHARLESTON", "state": "SC", "country": "US", "zip": "29401"}},
      {"object": "TrackingDetail", "message": "Status not available", "status": "unknown", "status_detail": "unknown", "datetime": "2026-03-06T14:55:00Z"}
    ]
  }
}`

func TestEasyPostWebhook(t *testing.T) {
	p, _ := New(Config{Kind: EasyPost})
	body := []byte(easyPostWebhook)
	secret := "sécret-ﬁ" // NFKD turns the ligature into "fi" and splits é, as EasyPost's libraries do
	h := http.Header{}
	h.Set("X-Hmac-Signature", "hmac-sha256-hex="+hmacHex(body, "se\u0301cret-fi"))
	u, err := p.ParseWebhook(h, body, secret)
	if err != nil {
		t.Fatal(err)
	}
	if u.Ref != "trk_9400111899223197428490" || u.Number != "9400111899223197428490" || u.Carrier != "USPS" || u.Expected != (Expected{From: "2026-03-07", To: "2026-03-07"}) {
		t.Errorf("update %+v", u)
	}
	want := []Event{
		{Status: InfoReceived, SubStatus: "status update", Message: "Shipping Label Created", Location: "HOUSTON, TX, 77063", OccurredAt: time.Date(2026, 3, 2, 9, 17, 17, 0, time.UTC)},
		{Status: InTransit, SubStatus: "arrived at facility", Message: "Arrived at USPS Regional Facility", Location: "NORTH HOUSTON, TX, US", OccurredAt: time.Date(2026, 3, 3, 4, 0, 0, 0, time.UTC)},
		{Status: FailedAttempt, SubStatus: "attempted delivery", Message: "Notice Left (No Authorized Recipient Available)", Location: "CHARLESTON, SC, 29401, US",
			OccurredAt: time.Date(2026, 3, 6, 14, 52, 0, 0, time.UTC)},
	}
	if !reflect.DeepEqual(u.Events, want) {
		t.Errorf("events\n%+v\nwant\n%+v", u.Events, want)
	}
	// The same body under another secret, or unsigned, is refused.
	h.Set(Signature(EasyPost, body, "other"))
	if _, err := p.ParseWebhook(h, body, secret); !errors.Is(err, ErrSignature) {
		t.Errorf("other secret: %v", err)
	}
	if _, err := p.ParseWebhook(http.Header{}, body, secret); !errors.Is(err, ErrSignature) {
		t.Errorf("unsigned: %v", err)
	}
	// A signed event about something else is no tracking update.
	batch := []byte(`{"id":"evt_1","object":"Event","description":"batch.created","result":{"id":"batch_1","object":"Batch"}}`)
	h.Set(Signature(EasyPost, batch, secret))
	if _, err := p.ParseWebhook(h, batch, secret); !errors.Is(err, ErrNotTracking) {
		t.Errorf("batch event: %v, want ErrNotTracking", err)
	}
	broken := []byte(`{"object":"Event",`)
	h.Set(Signature(EasyPost, broken, secret))
	if _, err := p.ParseWebhook(h, broken, secret); !errors.Is(err, ErrPayload) {
		t.Errorf("broken JSON: %v, want ErrPayload", err)
	}
}

// hmacHex is the hex HMAC-SHA256 of body keyed with secret as given.
func hmacHex(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// TestExpectedDelivery: the estimates providers send, read as days in the
// offset they were written with.
func TestExpectedDelivery(t *testing.T) {
	for _, c := range []struct {
		day, min, max string
		want          Expected
	}{
		{"2026-12-09", "", "", Expected{"2026-12-09", "2026-12-09"}},
		{"2026-12-09T23:30:00+08:00", "", "", Expected{"2026-12-09", "2026-12-09"}},
		{"2026-12-09T00:00:00Z", "", "", Expected{"2026-12-09", "2026-12-09"}},
		{"", "2026-12-09", "2026-12-11T18:00:00-05:00", Expected{"2026-12-09", "2026-12-11"}},
		{"2026-12-10", "2026-12-11", "2026-12-09", Expected{"2026-12-10", "2026-12-10"}}, // a range backwards: the day
		{"", "2026-12-09", "", Expected{"2026-12-09", "2026-12-09"}},
		{"", "", "", Expected{}},
		{"next week", "", "", Expected{}},
	} {
		if got := expectedRange(c.day, c.min, c.max); got != c.want {
			t.Errorf("expectedRange(%q, %q, %q) = %+v, want %+v", c.day, c.min, c.max, got, c.want)
		}
	}
}
