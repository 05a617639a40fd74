// Package tracking speaks to the tracking providers that follow a parcel
// with its carrier for Dropline: it registers a shipment with the provider
// (CreateTracker) and reads the provider's signed webhook deliveries
// (ParseWebhook) into events in Dropline's own statuses. Each provider is
// one file behind the Provider interface (aftership.go, easypost.go);
// another provider is a new file.
//
// Adapters only speak HTTP and read payloads: which shipment an update is
// for, what it changes, retries across time and the outbox are the store's.
// An adapter reports what the provider said as an *Error, which tells a
// refusal (never retried blindly) from a failure worth retrying.
package tracking

import (
	"cmp"
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Kind names a provider.
type Kind string

// The providers Dropline registers shipments with.
const (
	AfterShip Kind = "aftership"
	EasyPost  Kind = "easypost"
)

// Kinds are the providers, in the order Settings offers them.
var Kinds = []Kind{AfterShip, EasyPost}

// Name is the provider's name as people know it.
func (k Kind) Name() string {
	switch k {
	case AfterShip:
		return "AfterShip"
	case EasyPost:
		return "EasyPost"
	}
	return string(k)
}

// Status is where a parcel is, in Dropline's words: every provider's
// statuses are mapped onto these.
type Status string

// The normalised statuses.
const (
	InfoReceived   Status = "info_received"    // the carrier has the label, not the parcel
	InTransit      Status = "in_transit"       // the carrier has scanned it
	OutForDelivery Status = "out_for_delivery" // on the van, or waiting at a pickup point
	Delivered      Status = "delivered"
	FailedAttempt  Status = "failed_attempt" // the carrier tried and will try again
	Exception      Status = "exception"      // held, damaged, lost, undeliverable
	Returned       Status = "returned"       // on its way back, or back, to the sender
)

// Statuses are every normalised status, in a parcel's usual order.
var Statuses = []Status{InfoReceived, InTransit, OutForDelivery, Delivered, FailedAttempt, Exception, Returned}

// Label is the status as people read it.
func (s Status) Label() string {
	switch s {
	case InfoReceived:
		return "Info received"
	case InTransit:
		return "In transit"
	case OutForDelivery:
		return "Out for delivery"
	case Delivered:
		return "Delivered"
	case FailedAttempt:
		return "Failed attempt"
	case Exception:
		return "Exception"
	case Returned:
		return "Returned"
	}
	return strings.ReplaceAll(string(s), "_", " ")
}

// Scanned says the carrier had the parcel in hand at this event: every
// status but info received, which only says a label was made.
func (s Status) Scanned() bool { return s != InfoReceived && s != "" }

// Problem says the status needs someone to look: a failed attempt, an
// exception or a return.
func (s Status) Problem() bool { return s == FailedAttempt || s == Exception || s == Returned }

// Shipment is what a provider is told of a parcel to follow.
type Shipment struct {
	// Carrier is Dropline's carrier code (store/carrier): each adapter
	// names it in its provider's words, or leaves the provider to detect it.
	Carrier string
	Number  string
	// Title names the parcel in the provider's dashboard: the PO number.
	// No personal data goes to the provider.
	Title string
	// ShipDate is the day it left, YYYY-MM-DD.
	ShipDate string
}

// Event is one carrier scan (a checkpoint) as a provider reported it.
type Event struct {
	Status     Status
	SubStatus  string // the provider's finer status in words ("Delivered to the front door"), "" when none
	Message    string // the carrier's own words
	Location   string // "CITY, ST, COUNTRY", "" when the carrier gave none
	OccurredAt time.Time
}

// Update is what one webhook delivery, or one fetch, says of one parcel.
type Update struct {
	Ref     string // the provider's ID of its tracker
	Number  string // the tracking number it follows
	Carrier string // the provider's name of the carrier
	// Events are every checkpoint the delivery carries: providers send the
	// whole history each time, so the same event comes many times.
	Events []Event
	// Expected is when the carrier (or the provider) now expects to
	// deliver it: a day, or a range of days; zero when it says nothing.
	Expected Expected
}

// Expected is an estimated delivery: the first and last day it may come,
// YYYY-MM-DD in the carrier's own calendar (the same day for a single
// date); both "" when there is no estimate.
type Expected struct {
	From, To string
}

// expectedDay reads an estimate's date or time as its day, in the offset it
// was written with: "2026-12-09", "2026-12-09T18:00:00+08:00" and
// "2026-12-09T00:00:00Z" are all the 9th. Anything else is "".
func expectedDay(s string) string {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.Format(time.DateOnly)
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.DateOnly)
		}
	}
	return ""
}

// expectedRange is the estimate of a day, or of a range's ends, whichever
// the provider gave; a range with one end is that day.
func expectedRange(day, min, max string) Expected {
	from, to := expectedDay(min), expectedDay(max)
	if from != "" && to != "" && from <= to {
		return Expected{From: from, To: to}
	}
	d := cmp.Or(expectedDay(day), from, to)
	return Expected{From: d, To: d}
}

// Provider is one tracking provider account.
type Provider interface {
	// Kind is which provider it is.
	Kind() Kind
	// CreateTracker asks the provider to follow s and returns its ID of
	// the tracker. A parcel the provider already follows is not an error:
	// its existing tracker's ID is returned where the provider gives it.
	CreateTracker(ctx context.Context, s Shipment) (ref string, err error)
	// ParseWebhook checks a delivery's signature with secret (ErrSignature
	// when it does not match) and reads the parcel it is about. A delivery
	// about something else than a parcel (a test ping, another topic)
	// returns ErrNotTracking.
	ParseWebhook(h http.Header, body []byte, secret string) (Update, error)
	// Fetch asks the provider for its tracker ref as it is now, with every
	// checkpoint: the same Update a webhook brings, for the updates a
	// webhook missed. A tracker the provider does not have is an *Error
	// with Status 404.
	Fetch(ctx context.Context, ref string) (Update, error)
}

// WebhookRegistrar is a provider whose API adds webhooks (EasyPost's does;
// AfterShip's Tracking API has none: its admin adds them by hand).
type WebhookRegistrar interface {
	// RegisterWebhook makes the provider deliver to url, signed with
	// secret: a webhook it has for url already gets the secret (and is
	// enabled again), else one is created. It returns the provider's ID of
	// the webhook and whether it was created.
	RegisterWebhook(ctx context.Context, url, secret string) (ref string, created bool, err error)
}

// Config is a provider account and how to reach it.
type Config struct {
	Kind   Kind
	APIKey string // a credential: never in an error or a log line
	// BaseURL overrides the provider's API address (tests). "" is the
	// provider's own.
	BaseURL string
	// HTTP sends the requests; the caller gives it the same SSRF guard as
	// every outbound request. Nil means http.DefaultClient (tests only).
	HTTP *http.Client
}

// New returns the adapter for c's provider.
func New(c Config) (Provider, error) {
	if c.HTTP == nil {
		c.HTTP = http.DefaultClient
	}
	switch c.Kind {
	case AfterShip:
		return newAfterShip(c), nil
	case EasyPost:
		return newEasyPost(c), nil
	}
	return nil, fmt.Errorf("tracking: unknown provider %q", c.Kind)
}

// ErrSignature is the error of a delivery not signed with the webhook secret.
var ErrSignature = errors.New("the webhook's signature does not match the webhook secret")

// ErrNotTracking is the error of a signed delivery that is not a parcel's
// update (a test ping, another topic): nothing to record.
var ErrNotTracking = errors.New("the webhook carries no tracking update")

// ErrPayload is wrapped by the error of a signed delivery that cannot be read.
var ErrPayload = errors.New("the webhook's payload cannot be read")

// MaxWebhookBody is the largest delivery Dropline reads: a parcel with a
// few hundred checkpoints is far smaller.
const MaxWebhookBody = 2 << 20

// Error is what the provider answered when it did not do what was asked.
type Error struct {
	Kind    Kind
	Status  int    // HTTP status, 0 for a network failure
	Message string // plain English with the provider's own words, never a credential
	// Retry says trying again later can help (throttling, 5xx, network);
	// false is a refusal (a bad API key, a number the provider refuses).
	Retry      bool
	RetryAfter time.Duration // how long the provider asked to wait, 0 when it did not say
}

func (e *Error) Error() string { return e.Kind.Name() + ": " + e.Message }

// Retryable reports whether err is worth trying again later.
func Retryable(err error) bool {
	var te *Error
	if errors.As(err, &te) {
		return te.Retry
	}
	return err != nil && !errors.Is(err, context.Canceled)
}

// httpError words a provider's non-2xx answer, with its own message.
func httpError(k Kind, res *http.Response, message string) *Error {
	e := &Error{Kind: k, Status: res.StatusCode, Retry: res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500}
	switch {
	case res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden:
		e.Message = "the API key was refused: check it in Settings → Carriers"
		if message != "" {
			e.Message += " (" + message + ")"
		}
	case res.StatusCode == http.StatusTooManyRequests:
		e.Message = "too many requests: trying again later"
	case message != "":
		e.Message = message
	default:
		e.Message = "answered " + res.Status
	}
	if s := res.Header.Get("Retry-After"); s != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n > 0 {
			e.RetryAfter = time.Duration(n) * time.Second
		}
	}
	return e
}

// networkError words a request that got no answer.
func networkError(k Kind, err error) *Error {
	msg := "could not be reached: " + err.Error()
	if errors.Is(err, context.DeadlineExceeded) {
		msg = "did not answer in time"
	}
	return &Error{Kind: k, Message: msg, Retry: true}
}

// sameSignature compares a signature as sent with the one computed, in
// constant time.
func sameSignature(sent, want string) bool {
	return sent != "" && hmac.Equal([]byte(sent), []byte(want))
}

// location joins the non-empty parts of a place.
func location(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

// parseTime reads a provider's time: RFC 3339, or a local time without a
// zone (AfterShip's checkpoint_time "uses the timezone of the checkpoint"
// and may carry no offset), read as UTC.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// Signature is the header and value k signs a delivery of body with, as
// the provider computes it: for tests and tools that act as the provider.
func Signature(k Kind, body []byte, secret string) (header, value string) {
	switch k {
	case AfterShip:
		return "aftership-hmac-sha256", afterShipSignature(body, secret)
	case EasyPost:
		return "X-Hmac-Signature", easyPostSignature(body, secret)
	}
	return "", ""
}
