package channel

// Webhooks: a store pushes its new and changed orders to Dropline the
// moment they happen, instead of waiting for the next pull. A platform that
// can do so implements WebhookRegistrar (subscribing Dropline's endpoint)
// and registers a reader of its deliveries (ReadWebhook). A platform
// without webhooks simply has neither: its orders come in by the pull.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Subscription is one of Dropline's webhooks on a store.
type Subscription struct {
	Topic string // the platform's topic: ORDERS_CREATE, order.updated
	ID    string // the platform's id of it ("" when the platform did not say)
	// Existed says it was there already: registering again made no second one.
	Existed bool
}

// WebhookRegistrar is a Channel whose platform can push orders to Dropline.
type WebhookRegistrar interface {
	// RegisterWebhooks subscribes callbackURL to the store's new and
	// changed orders, signed with secret where the platform takes one from
	// the subscriber (Shopify signs with the app's own secret instead).
	// Subscriptions already there for callbackURL are kept, not doubled, so
	// registering again is harmless.
	RegisterWebhooks(ctx context.Context, callbackURL, secret string) ([]Subscription, error)
	// RemoveWebhooks deletes the store's subscriptions that deliver to
	// callbackURL (a store being removed from Dropline) and returns how
	// many it deleted; none is not an error.
	RemoveWebhooks(ctx context.Context, callbackURL string) (int, error)
}

// Delivery is what a store sent to Dropline's webhook endpoint, once its
// signature is checked.
type Delivery struct {
	Topic string // the platform's topic, as its header names it
	// Ping is a check the platform sends when a webhook is made: it carries
	// nothing and only wants a 200.
	Ping bool
	// Order is the order the delivery carries, nil when it carries none
	// Dropline reads (another topic, a deleted order's bare id).
	Order *Order
}

// ErrSignature is the error of a delivery not signed with the store's secret.
var ErrSignature = errors.New("the webhook's signature does not match the store's secret")

// ErrPayload is wrapped by the error of a signed delivery Dropline cannot read.
var ErrPayload = errors.New("the webhook's payload cannot be read")

// MaxWebhookBody is the largest delivery Dropline reads: an order with
// hundreds of lines is far smaller.
const MaxWebhookBody = 5 << 20

// webhookReaders read each platform's deliveries, registered by its file.
var webhookReaders = map[Kind]func(h http.Header, body []byte, secret string) (Delivery, error){}

// HasWebhooks reports whether the platform can push orders to Dropline.
func HasWebhooks(kind Kind) bool {
	_, ok := webhookReaders[kind]
	return ok
}

// ReadWebhook checks a delivery's signature with the store's secret and
// reads it. It returns ErrSignature when the signature is missing or wrong
// (the secret "" never verifies), and an error wrapping ErrPayload for a
// signed delivery that cannot be read.
func ReadWebhook(kind Kind, h http.Header, body []byte, secret string) (Delivery, error) {
	read, ok := webhookReaders[kind]
	if !ok {
		return Delivery{}, fmt.Errorf("channel: %s has no webhooks", kind)
	}
	if len(body) > MaxWebhookBody {
		return Delivery{}, fmt.Errorf("%w: it is larger than %d MB", ErrPayload, MaxWebhookBody>>20)
	}
	return read(h, body, secret)
}

// validHMAC checks a base64 HMAC-SHA256 of body with secret, in constant
// time: the signature both Shopify (X-Shopify-Hmac-Sha256) and WooCommerce
// (X-WC-Webhook-Signature) send.
func validHMAC(body []byte, signature, secret string) bool {
	signature = strings.TrimSpace(signature)
	if secret == "" || signature == "" {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// SignWebhook is the base64 HMAC-SHA256 of body with secret, as the
// platforms sign their deliveries (for tests and tools that send one).
func SignWebhook(body []byte, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
