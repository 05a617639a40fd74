package tracking

// EasyPost Trackers (https://docs.easypost.com/docs/trackers).
//
// Create a tracker: "curl -X POST https://api.easypost.com/v2/trackers -u
// "EASYPOST_API_KEY": -d '{"tracker": {"tracking_code": "EZ1000000001",
// "carrier": "USPS"}}'" (EasyPost's examples, trackers/create.sh): HTTP
// basic auth with the API key as the user and no password. The answer is
// the Tracker, whose "id" begins with "trk_". "EasyPost prevents the
// creation of duplicate Trackers by returning the original Tracker when
// the same User submits a request with the same tracking_code and carrier
// within the previous three months." Errors are {"error": {"code",
// "message", "errors"}}.
//
// Retrieve a tracker: "GET /v2/trackers/{id}" answers the Tracker
// (EasyPost's examples, responses/trackers/trackers-retrieve.json), the
// same object as an Event's result.
//
// Webhooks by API (Webhook; EasyPost's examples, webhooks/*.sh and
// responses/webhooks/*.json): "GET /v2/webhooks" answers {"webhooks": [{"id":
// "hook_...", "url", "disabled_at", ...}]}; "POST /v2/webhooks" with
// {"webhook": {"url", "webhook_secret"}} answers the Webhook; "PATCH
// /v2/webhooks/{id}" with {"webhook": {"webhook_secret"}} sets its secret
// and "automatically re-enables webhook if it is disabled" (easypost-go).
//
// Webhooks (Webhooks Guide): "Include a webhook_secret when creating or
// updating a webhook. EasyPost generates a signature with this secret,
// sent via the X-Hmac-Signature header in each event." EasyPost's client
// libraries (validate_webhook) compute it as "hmac-sha256-hex=" + the hex
// HMAC-SHA256 of the body, keyed with the secret NFKD-normalised. The body
// is an Event: {"id": "evt_...", "object": "Event", "description":
// "tracker.updated", "result": {the Tracker}}. A Tracker's "status" is one
// of "unknown", "pre_transit", "in_transit", "out_for_delivery",
// "delivered", "available_for_pickup", "return_to_sender", "failure",
// "cancelled", "error"; each of its "tracking_details" has "status",
// "status_detail", "message", "datetime" and a "tracking_location" with
// "city", "state", "country", "zip".

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

const easyPostBaseURL = "https://api.easypost.com/v2"

// easyPostCarriers are EasyPost's carrier names for Dropline's carriers; a
// carrier not here is left for EasyPost to detect from the number.
var easyPostCarriers = map[string]string{
	"ups": "UPS", "usps": "USPS", "fedex": "FedEx", "dhl_express": "DHLExpress", "canada_post": "CanadaPost",
}

type easyPost struct {
	c Config
}

func newEasyPost(c Config) *easyPost {
	if c.BaseURL == "" {
		c.BaseURL = easyPostBaseURL
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return &easyPost{c: c}
}

func (e *easyPost) Kind() Kind { return EasyPost }

func (e *easyPost) CreateTracker(ctx context.Context, s Shipment) (string, error) {
	tracker := map[string]string{"tracking_code": s.Number}
	if c := easyPostCarriers[s.Carrier]; c != "" {
		tracker["carrier"] = c
	}
	body, err := json.Marshal(map[string]any{"tracker": tracker})
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, e.c.BaseURL+"/trackers", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	r.Header.Set("Content-Type", "application/json")
	r.SetBasicAuth(e.c.APIKey, "")
	res, err := e.c.HTTP.Do(r)
	if err != nil {
		return "", networkError(EasyPost, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return "", networkError(EasyPost, err)
	}
	var answer struct {
		ID    string `json:"id"`
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	jsonErr := json.Unmarshal(raw, &answer)
	if res.StatusCode < 200 || res.StatusCode > 299 {
		msg := answer.Error.Message
		if msg != "" && answer.Error.Code != "" {
			msg += " (" + answer.Error.Code + ")"
		}
		return "", httpError(EasyPost, res, msg)
	}
	if jsonErr != nil || !strings.HasPrefix(answer.ID, "trk_") {
		return "", &Error{Kind: EasyPost, Status: res.StatusCode, Message: "answered without the tracker's id", Retry: true}
	}
	return answer.ID, nil
}

// easyPostSignature is the X-Hmac-Signature value of body, as EasyPost's
// client libraries compute it.
func easyPostSignature(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(norm.NFKD.String(secret)))
	m.Write(body)
	return "hmac-sha256-hex=" + hex.EncodeToString(m.Sum(nil))
}

// easyPostDetail is one of a Tracker's tracking_details.
type easyPostDetail struct {
	Status       string `json:"status"`
	StatusDetail string `json:"status_detail"`
	Message      string `json:"message"`
	Description  string `json:"description"`
	DateTime     string `json:"datetime"`
	Location     *struct {
		City    string `json:"city"`
		State   string `json:"state"`
		Country string `json:"country"`
		Zip     string `json:"zip"`
	} `json:"tracking_location"`
}

func (e *easyPost) ParseWebhook(h http.Header, body []byte, secret string) (Update, error) {
	if secret == "" || !sameSignature(strings.TrimSpace(h.Get("X-Hmac-Signature")), easyPostSignature(body, secret)) {
		return Update{}, ErrSignature
	}
	var ev struct {
		Object      string          `json:"object"`
		Description string          `json:"description"`
		Result      easyPostTracker `json:"result"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		return Update{}, fmt.Errorf("%w: %v", ErrPayload, err)
	}
	if !strings.HasPrefix(ev.Description, "tracker.") || ev.Result.Object != "Tracker" {
		return Update{}, ErrNotTracking
	}
	return ev.Result.update()
}

// easyPostTracker is a Tracker, as an Event's result and a GET carry it.
type easyPostTracker struct {
	Object          string           `json:"object"`
	ID              string           `json:"id"`
	TrackingCode    string           `json:"tracking_code"`
	Carrier         string           `json:"carrier"`
	TrackingDetails []easyPostDetail `json:"tracking_details"`
	// est_delivery_date is the carrier's estimated delivery, a datetime
	// (often midnight UTC, a day) or null.
	EstDeliveryDate string `json:"est_delivery_date"`
}

// easyPostError is EasyPost's error envelope.
type easyPostError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// err words a non-2xx answer with EasyPost's message and code.
func (a easyPostError) err(res *http.Response) *Error {
	msg := a.Error.Message
	if msg != "" && a.Error.Code != "" {
		msg += " (" + a.Error.Code + ")"
	}
	return httpError(EasyPost, res, msg)
}

// call sends a request to path (under the API's base) with the API key as
// the basic auth user, the body as JSON when there is one, and reads the
// answer into out; a non-2xx answer is an *Error.
func (e *easyPost) call(ctx context.Context, method, path string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	r, err := http.NewRequestWithContext(ctx, method, e.c.BaseURL+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	r.SetBasicAuth(e.c.APIKey, "")
	res, err := e.c.HTTP.Do(r)
	if err != nil {
		return networkError(EasyPost, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, MaxWebhookBody))
	if err != nil {
		return networkError(EasyPost, err)
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		var answer easyPostError
		_ = json.Unmarshal(raw, &answer) // no envelope: the status says it
		return answer.err(res)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &Error{Kind: EasyPost, Status: res.StatusCode, Message: "answered with something Dropline cannot read", Retry: true}
	}
	return nil
}

// Fetch reads the Tracker: "GET /v2/trackers/{id}" (Retrieve a Tracker)
// answers the Tracker with all its tracking_details; an ID EasyPost does not
// have is a 404 with its error.
func (e *easyPost) Fetch(ctx context.Context, ref string) (Update, error) {
	if ref == "" {
		return Update{}, &Error{Kind: EasyPost, Message: "the shipment has no EasyPost tracker ID yet"}
	}
	var t easyPostTracker
	if err := e.call(ctx, http.MethodGet, "/trackers/"+url.PathEscape(ref), nil, &t); err != nil {
		return Update{}, err
	}
	if t.ID == "" {
		return Update{}, &Error{Kind: EasyPost, Status: http.StatusOK, Message: "answered without the tracker", Retry: true}
	}
	return t.update()
}

// update reads the Tracker's tracking_details into events.
func (r easyPostTracker) update() (Update, error) {
	u := Update{Ref: r.ID, Number: r.TrackingCode, Carrier: r.Carrier, Expected: expectedRange(r.EstDeliveryDate, "", "")}
	for i, d := range r.TrackingDetails {
		status, ok := easyPostStatus(d.Status, d.StatusDetail)
		if !ok {
			continue
		}
		at, ok := parseTime(d.DateTime)
		if !ok {
			return Update{}, fmt.Errorf("%w: tracking detail %d has no time Dropline can read (%q)", ErrPayload, i+1, d.DateTime)
		}
		var place string
		if l := d.Location; l != nil {
			place = location(l.City, l.State, l.Zip, l.Country)
		}
		msg := d.Message
		if msg == "" {
			msg = d.Description
		}
		u.Events = append(u.Events, Event{Status: status, SubStatus: strings.ReplaceAll(d.StatusDetail, "_", " "), Message: msg, Location: place, OccurredAt: at})
	}
	return u, nil
}

// easyPostStatus maps a tracking detail's status (and its detail, which
// tells a failed delivery attempt from other failures); unknown maps to
// nothing.
func easyPostStatus(status, detail string) (Status, bool) {
	switch status {
	case "pre_transit":
		return InfoReceived, true
	case "in_transit":
		return InTransit, true
	case "out_for_delivery", "available_for_pickup":
		return OutForDelivery, true
	case "delivered":
		return Delivered, true
	case "return_to_sender":
		return Returned, true
	case "failure":
		if strings.Contains(detail, "attempt") {
			return FailedAttempt, true
		}
		return Exception, true
	case "cancelled", "error":
		return Exception, true
	}
	return "", false
}

// easyPostHook is a Webhook as EasyPost answers it.
type easyPostHook struct {
	ID         string  `json:"id"`
	URL        string  `json:"url"`
	DisabledAt *string `json:"disabled_at"`
}

// RegisterWebhook lists the account's webhooks and sets the secret of the
// one for url, or creates it: pressing twice never makes two.
func (e *easyPost) RegisterWebhook(ctx context.Context, hookURL, secret string) (string, bool, error) {
	var list struct {
		Webhooks []easyPostHook `json:"webhooks"`
	}
	if err := e.call(ctx, http.MethodGet, "/webhooks", nil, &list); err != nil {
		return "", false, err
	}
	for _, h := range list.Webhooks {
		if h.URL != hookURL || h.ID == "" {
			continue
		}
		var got easyPostHook
		if err := e.call(ctx, http.MethodPatch, "/webhooks/"+url.PathEscape(h.ID), map[string]any{"webhook": map[string]string{"webhook_secret": secret}}, &got); err != nil {
			return "", false, err
		}
		return h.ID, false, nil
	}
	var got easyPostHook
	if err := e.call(ctx, http.MethodPost, "/webhooks", map[string]any{"webhook": map[string]string{"url": hookURL, "webhook_secret": secret}}, &got); err != nil {
		return "", false, err
	}
	if !strings.HasPrefix(got.ID, "hook_") {
		return "", false, &Error{Kind: EasyPost, Status: http.StatusOK, Message: "answered without the webhook's id", Retry: true}
	}
	return got.ID, true, nil
}
