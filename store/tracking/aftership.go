package tracking

// AfterShip Tracking API (https://www.aftership.com/docs/tracking).
//
// Create a tracking: "POST https://api.aftership.com/tracking/2025-07/trackings",
// "AfterShip verifies a user's request by adding an as-api-key in the
// header" (API Quick Start). From the 2024-10 versions on the body is the
// tracking itself ({"tracking_number": ..., "slug": ...}, no "tracking"
// wrapper) and the answer is {"meta": {"code": 201, ...}, "data": {the
// tracking, with its "id"}} (AfterShip's Go SDK, tracking-sdk-go:
// model/create_tracking_request.go, component/sender.go). A number already
// tracked is refused with meta.code 4003 "Tracking already exists."
//
// Get a tracking: "GET https://api.aftership.com/tracking/2025-07/trackings/{id}"
// answers {"meta", "data": the tracking} (tracking-sdk-go:
// operation/get_tracking_by_id.go), the same tracking a webhook's msg is.
//
// Webhooks (Webhook Signature): "Each webhook request includes a
// aftership-hmac-sha256 header. The signature is a base64-encoded HMAC
// generated using sha256 algorithm with webhook request body and webhook
// secret of your account." The body (Webhook Specifications) is {"event":
// "tracking_update", "event_id", "msg": {the tracking: "id",
// "tracking_number", "slug", "tag", "subtag", "subtag_message",
// "checkpoints": [...]}, "ts"}; each checkpoint has "checkpoint_time"
// ("uses the timezone of the checkpoint"), "tag", "subtag",
// "subtag_message", "message", "location", "city", "state",
// "country_iso3" and "zip" (renamed "postal_code" in the 2026-01 webhooks).
// Tags (Delivery Statuses): Pending, InfoReceived, InTransit,
// OutForDelivery, AttemptFail, Delivered, AvailableForPickup, Exception,
// Expired; subtags Exception_010 and Exception_011 are "returning to
// sender" and "returned to sender" (the tracking's return_to_sender field).

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// afterShipAPI is AfterShip's Tracking API at the version Dropline speaks.
const (
	afterShipVersion = "2025-07"
	afterShipBaseURL = "https://api.aftership.com/tracking/" + afterShipVersion
)

// afterShipSlugs are AfterShip's courier slugs for Dropline's carriers
// (AfterShip's couriers list); a carrier not here is left for AfterShip to
// detect from the number.
var afterShipSlugs = map[string]string{
	"ups": "ups", "usps": "usps", "fedex": "fedex", "dhl_express": "dhl", "canada_post": "canada-post", "canpar": "canpar",
	"australia_post": "australia-post", "royal_mail": "royal-mail",
}

type afterShip struct {
	c Config
}

func newAfterShip(c Config) *afterShip {
	if c.BaseURL == "" {
		c.BaseURL = afterShipBaseURL
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return &afterShip{c: c}
}

func (a *afterShip) Kind() Kind { return AfterShip }

// afterShipMeta is every AfterShip answer's envelope.
type afterShipMeta struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Type    string `json:"type"`
}

func (a *afterShip) CreateTracker(ctx context.Context, s Shipment) (string, error) {
	req := map[string]string{"tracking_number": s.Number}
	if slug := afterShipSlugs[s.Carrier]; slug != "" {
		req["slug"] = slug
	}
	if s.Title != "" {
		req["title"] = s.Title
	}
	if d, err := time.Parse(time.DateOnly, s.ShipDate); err == nil {
		// "The date the shipment was sent, using the format YYYYMMDD":
		// some carriers need it to find the parcel.
		req["tracking_ship_date"] = d.Format("20060102")
	}
	body, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, a.c.BaseURL+"/trackings", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("as-api-key", a.c.APIKey)
	res, err := a.c.HTTP.Do(r)
	if err != nil {
		return "", networkError(AfterShip, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return "", networkError(AfterShip, err)
	}
	var answer struct {
		Meta afterShipMeta `json:"meta"`
		Data struct {
			ID       string `json:"id"`
			Tracking struct {
				ID string `json:"id"`
			} `json:"tracking"`
		} `json:"data"`
	}
	jsonErr := json.Unmarshal(raw, &answer)
	id := answer.Data.ID
	if id == "" {
		id = answer.Data.Tracking.ID // the v4 shape, which a 4003 may still carry
	}
	if answer.Meta.Code == 4003 {
		// Already tracked (by an earlier try that timed out, or by hand):
		// its updates come to the same webhook.
		return id, nil
	}
	if res.StatusCode < 200 || res.StatusCode > 299 || answer.Meta.Code > 299 {
		return "", afterShipError(res, answer.Meta)
	}
	if jsonErr != nil || id == "" {
		return "", &Error{Kind: AfterShip, Status: res.StatusCode, Message: "answered without the tracking's id", Retry: true}
	}
	return id, nil
}

// afterShipCheckpoint is a checkpoint of a webhook's tracking.
type afterShipCheckpoint struct {
	CheckpointTime string `json:"checkpoint_time"`
	Tag            string `json:"tag"`
	Subtag         string `json:"subtag"`
	SubtagMessage  string `json:"subtag_message"`
	Message        string `json:"message"`
	Location       string `json:"location"`
	City           string `json:"city"`
	State          string `json:"state"`
	Zip            string `json:"zip"`
	PostalCode     string `json:"postal_code"`
	CountryISO3    string `json:"country_iso3"`
	CountryRegion  string `json:"country_region"`
}

// afterShipSignature is the aftership-hmac-sha256 value of body.
func afterShipSignature(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// afterShipTracking is a tracking as a webhook's msg and a GET's data
// carry it, with what Dropline reads of it.
type afterShipTracking struct {
	ID             string                `json:"id"`
	TrackingNumber string                `json:"tracking_number"`
	Slug           string                `json:"slug"`
	Checkpoints    []afterShipCheckpoint `json:"checkpoints"`
	// latest_estimated_delivery is AfterShip's current estimate, whatever
	// its source (the carrier's, AfterShip's own or the merchant's): a
	// "specific" datetime or a "range" (datetime_min, datetime_max); the
	// carrier's own estimate is read when it is missing.
	LatestEstimate *struct {
		Type        string `json:"type"`
		Datetime    string `json:"datetime"`
		DatetimeMin string `json:"datetime_min"`
		DatetimeMax string `json:"datetime_max"`
	} `json:"latest_estimated_delivery"`
	CourierEstimate *struct {
		Date    string `json:"estimated_delivery_date"`
		DateMin string `json:"estimated_delivery_date_min"`
		DateMax string `json:"estimated_delivery_date_max"`
	} `json:"courier_estimated_delivery_date"`
}

// expected is the tracking's estimated delivery.
func (t afterShipTracking) expected() Expected {
	if e := t.LatestEstimate; e != nil {
		if x := expectedRange(e.Datetime, e.DatetimeMin, e.DatetimeMax); x.From != "" {
			return x
		}
	}
	if e := t.CourierEstimate; e != nil {
		return expectedRange(e.Date, e.DateMin, e.DateMax)
	}
	return Expected{}
}

func (a *afterShip) ParseWebhook(h http.Header, body []byte, secret string) (Update, error) {
	if secret == "" || !sameSignature(strings.TrimSpace(h.Get("aftership-hmac-sha256")), afterShipSignature(body, secret)) {
		return Update{}, ErrSignature
	}
	var d struct {
		Event string            `json:"event"`
		Msg   afterShipTracking `json:"msg"`
	}
	if err := json.Unmarshal(body, &d); err != nil {
		return Update{}, fmt.Errorf("%w: %v", ErrPayload, err)
	}
	if d.Msg.TrackingNumber == "" && d.Msg.ID == "" {
		return Update{}, ErrNotTracking
	}
	return d.Msg.update()
}

// Fetch reads the tracking: "GET /trackings/{id}" (Get a tracking by ID)
// answers {"meta", "data": the tracking, with its checkpoints}; an ID
// AfterShip does not have is a 404 with meta.code 4004 "Tracking does not
// exist."
func (a *afterShip) Fetch(ctx context.Context, ref string) (Update, error) {
	if ref == "" {
		return Update{}, &Error{Kind: AfterShip, Message: "the shipment has no AfterShip tracking ID yet"}
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, a.c.BaseURL+"/trackings/"+url.PathEscape(ref), nil)
	if err != nil {
		return Update{}, err
	}
	r.Header.Set("as-api-key", a.c.APIKey)
	res, err := a.c.HTTP.Do(r)
	if err != nil {
		return Update{}, networkError(AfterShip, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, MaxWebhookBody))
	if err != nil {
		return Update{}, networkError(AfterShip, err)
	}
	var answer struct {
		Meta afterShipMeta     `json:"meta"`
		Data afterShipTracking `json:"data"`
	}
	jsonErr := json.Unmarshal(raw, &answer)
	if res.StatusCode < 200 || res.StatusCode > 299 || answer.Meta.Code > 299 {
		return Update{}, afterShipError(res, answer.Meta)
	}
	if jsonErr != nil || answer.Data.ID == "" {
		return Update{}, &Error{Kind: AfterShip, Status: res.StatusCode, Message: "answered without the tracking", Retry: true}
	}
	return answer.Data.update()
}

// afterShipError words an answer that is not a success, with AfterShip's
// message and its own code where it differs from the HTTP status.
func afterShipError(res *http.Response, meta afterShipMeta) *Error {
	msg := meta.Message
	if msg != "" && meta.Code != 0 && meta.Code != res.StatusCode {
		msg = fmt.Sprintf("%s (%d)", msg, meta.Code)
	}
	if res.StatusCode >= 200 && res.StatusCode <= 299 {
		return &Error{Kind: AfterShip, Status: res.StatusCode, Message: msg}
	}
	return httpError(AfterShip, res, msg)
}

// update reads the tracking's checkpoints into events.
func (t afterShipTracking) update() (Update, error) {
	u := Update{Ref: t.ID, Number: t.TrackingNumber, Carrier: t.Slug, Expected: t.expected()}
	for i, cp := range t.Checkpoints {
		status, ok := afterShipStatus(cp.Tag, cp.Subtag)
		if !ok {
			continue
		}
		at, ok := parseTime(cp.CheckpointTime)
		if !ok {
			return Update{}, fmt.Errorf("%w: checkpoint %d has no time Dropline can read (%q)", ErrPayload, i+1, cp.CheckpointTime)
		}
		place := cp.Location
		if place == "" {
			place = location(cp.City, cp.State, cp.PostalCode+cp.Zip, cp.CountryISO3+cp.CountryRegion)
		}
		sub := cp.SubtagMessage
		if sub == "" {
			sub = cp.Subtag
		}
		u.Events = append(u.Events, Event{Status: status, SubStatus: sub, Message: cp.Message, Location: place, OccurredAt: at})
	}
	return u, nil
}

// afterShipStatus maps a checkpoint's tag and subtag; Pending (no
// information yet) maps to nothing.
func afterShipStatus(tag, subtag string) (Status, bool) {
	switch tag {
	case "InfoReceived":
		return InfoReceived, true
	case "InTransit":
		return InTransit, true
	case "OutForDelivery", "AvailableForPickup":
		return OutForDelivery, true
	case "AttemptFail":
		return FailedAttempt, true
	case "Delivered":
		return Delivered, true
	case "Exception":
		if subtag == "Exception_010" || subtag == "Exception_011" {
			return Returned, true
		}
		return Exception, true
	case "Expired":
		return Exception, true
	}
	return "", false
}
