package tracking

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// afterShipGetTracking is Get a tracking by ID's answer: the tracking in
// data, its checkpoints oldest first, as a webhook's msg carries them.
const afterShipGetTracking = `{
  "meta": {"code": 200, "message": "", "type": ""},
  "data": {
    "id": "asa0000000001z999aa10123456784",
    "tracking_number": "1Z999AA10123456784",
    "slug": "ups",
    "tag": "Delivered",
    "subtag": "Delivered_001",
    "checkpoints": [
      {"checkpoint_time": "2026-03-03T08:41:00-05:00", "slug": "ups", "tag": "InTransit", "subtag": "InTransit_002", "subtag_message": "Acceptance scan",
       "message": "Origin Scan", "city": "Columbus", "state": "OH", "zip": "43228", "country_iso3": "USA"},
      {"checkpoint_time": "2026-03-05T13:02:00-05:00", "slug": "ups", "tag": "Delivered", "subtag": "Delivered_001", "subtag_message": "Delivered",
       "message": "DELIVERED", "location": "NEW YORK, NY, US"}
    ]
  }
}`

// easyPostGetTracker is Retrieve a Tracker's answer.
const easyPostGetTracker = `{
  "id": "trk_9400111899223197428490", "object": "Tracker", "mode": "production", "tracking_code": "9400111899223197428490",
  "status": "in_transit", "status_detail": "arrived_at_facility", "carrier": "USPS",
  "tracking_details": [
    {"object": "TrackingDetail", "message": "Shipping Label Created", "status": "pre_transit", "status_detail": "status_update",
     "datetime": "2026-03-02T09:17:17Z", "tracking_location": {"object": "TrackingLocation", "city": "HOUSTON", "state": "TX", "country": null, "zip": "77063"}},
    {"object": "TrackingDetail", "message": "Arrived at USPS Regional Facility", "status": "in_transit", "status_detail": "arrived_at_facility",
     "datetime": "2026-03-03T04:00:00Z", "tracking_location": {"object": "TrackingLocation", "city": "NORTH HOUSTON", "state": "TX", "country": "US", "zip": null}}
  ]
}`

// fetchCase is an in-test provider's answer to a GET, and what Fetch
// must make of it.
type fetchCase struct {
	name      string
	status    int
	header    map[string]string
	body      string
	check     func(t *testing.T, u Update, err error)
	wantRetry bool
}

// serveGet answers GET path (checking the provider's auth with ok) with c.
func serveGet(t *testing.T, path string, ok func(*http.Request) bool, c *fetchCase) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != path {
			t.Errorf("request %s %s, want GET %s", r.Method, r.URL.Path, path)
			http.NotFound(w, r)
			return
		}
		if !ok(r) {
			t.Errorf("%s: the request carries no API key", c.name)
		}
		w.Header().Set("Content-Type", "application/json")
		for k, v := range c.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(c.status)
		io.WriteString(w, c.body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestAfterShipFetch(t *testing.T) {
	est := time.FixedZone("EST", -5*3600)
	cases := []fetchCase{
		{name: "200", status: 200, body: afterShipGetTracking, check: func(t *testing.T, u Update, err error) {
			if err != nil {
				t.Fatal(err)
			}
			if u.Ref != "asa0000000001z999aa10123456784" || u.Number != "1Z999AA10123456784" || u.Carrier != "ups" || len(u.Events) != 2 {
				t.Fatalf("update %+v", u)
			}
			if e := u.Events[1]; e.Status != Delivered || e.Message != "DELIVERED" || e.Location != "NEW YORK, NY, US" || !e.OccurredAt.Equal(time.Date(2026, 3, 5, 13, 2, 0, 0, est)) {
				t.Errorf("delivery %+v", e)
			}
			if e := u.Events[0]; e.Status != InTransit || e.Location != "Columbus, OH, 43228, USA" {
				t.Errorf("first scan %+v", e)
			}
		}},
		{name: "401", status: 401, body: `{"meta":{"code":401,"message":"The API key is invalid.","type":"Unauthorized"},"data":{}}`,
			check: wantMessage(401, "API key was refused", "The API key is invalid.")},
		{name: "404", status: 404, body: `{"meta":{"code":4004,"message":"Tracking does not exist.","type":"NotFound"},"data":{}}`,
			check: wantMessage(404, "Tracking does not exist. (4004)")},
		{name: "429", status: 429, header: map[string]string{"Retry-After": "30"}, wantRetry: true,
			body: `{"meta":{"code":429,"message":"You have exceeded the API call rate limit.","type":"TooManyRequests"},"data":{}}`,
			check: func(t *testing.T, u Update, err error) {
				var te *Error
				if !errors.As(err, &te) || te.RetryAfter != 30*time.Second || !strings.Contains(te.Message, "too many requests") {
					t.Errorf("%#v", err)
				}
			}},
		{name: "503", status: 503, body: `<html>Service Unavailable</html>`, wantRetry: true, check: wantMessage(503, "503 Service Unavailable")},
	}
	for i := range cases {
		c := &cases[i]
		t.Run(c.name, func(t *testing.T) {
			srv := serveGet(t, "/tracking/"+afterShipVersion+"/trackings/asa0000000001z999aa10123456784",
				func(r *http.Request) bool { return r.Header.Get("as-api-key") == testAfterShipKey }, c)
			p, _ := New(Config{Kind: AfterShip, APIKey: testAfterShipKey, BaseURL: srv.URL + "/tracking/" + afterShipVersion, HTTP: srv.Client()})
			u, err := p.Fetch(context.Background(), "asa0000000001z999aa10123456784")
			c.check(t, u, err)
			if err != nil && Retryable(err) != c.wantRetry {
				t.Errorf("retryable %v, want %v", Retryable(err), c.wantRetry)
			}
			if err != nil && strings.Contains(err.Error(), testAfterShipKey) {
				t.Errorf("the key is in the error: %v", err)
			}
		})
	}
}

func TestEasyPostFetch(t *testing.T) {
	cases := []fetchCase{
		{name: "200", status: 200, body: easyPostGetTracker, check: func(t *testing.T, u Update, err error) {
			if err != nil {
				t.Fatal(err)
			}
			if u.Ref != "trk_9400111899223197428490" || u.Number != "9400111899223197428490" || len(u.Events) != 2 {
				t.Fatalf("update %+v", u)
			}
			if e := u.Events[1]; e.Status != InTransit || e.SubStatus != "arrived at facility" || e.Location != "NORTH HOUSTON, TX, US" {
				t.Errorf("scan %+v", e)
			}
		}},
		{name: "401", status: 401, body: `{"error":{"code":"APIKEY.INACTIVE","message":"This api key is no longer active.","errors":[]}}`,
			check: wantMessage(401, "API key was refused", "no longer active")},
		{name: "404", status: 404, body: `{"error":{"code":"NOT_FOUND","message":"The requested resource could not be found.","errors":[]}}`,
			check: wantMessage(404, "could not be found. (NOT_FOUND)")},
		{name: "429", status: 429, header: map[string]string{"Retry-After": "12"}, wantRetry: true,
			body: `{"error":{"code":"RATE_LIMITED","message":"You have exceeded the rate limit.","errors":[]}}`,
			check: func(t *testing.T, u Update, err error) {
				var te *Error
				if !errors.As(err, &te) || te.RetryAfter != 12*time.Second || te.Status != 429 {
					t.Errorf("%#v", err)
				}
			}},
		{name: "500", status: 500, body: `{"error":{"code":"INTERNAL_SERVER_ERROR","message":"We're sorry, something went wrong.","errors":[]}}`, wantRetry: true,
			check: wantMessage(500, "something went wrong")},
	}
	for i := range cases {
		c := &cases[i]
		t.Run(c.name, func(t *testing.T) {
			srv := serveGet(t, "/v2/trackers/trk_9400111899223197428490", func(r *http.Request) bool {
				user, pass, ok := r.BasicAuth()
				return ok && user == testEasyPostKey && pass == ""
			}, c)
			p, _ := New(Config{Kind: EasyPost, APIKey: testEasyPostKey, BaseURL: srv.URL + "/v2", HTTP: srv.Client()})
			u, err := p.Fetch(context.Background(), "trk_9400111899223197428490")
			c.check(t, u, err)
			if err != nil && Retryable(err) != c.wantRetry {
				t.Errorf("retryable %v, want %v", Retryable(err), c.wantRetry)
			}
		})
	}
}

// wantMessage checks Fetch failed with status and a message saying each of says.
func wantMessage(status int, says ...string) func(t *testing.T, u Update, err error) {
	return func(t *testing.T, u Update, err error) {
		t.Helper()
		var te *Error
		if !errors.As(err, &te) || te.Status != status {
			t.Fatalf("%v, want an error with status %d", err, status)
		}
		for _, s := range says {
			if !strings.Contains(te.Message, s) {
				t.Errorf("message %q does not say %q", te.Message, s)
			}
		}
	}
}
