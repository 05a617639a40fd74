package channel

// WooCommerce's webhooks (REST API docs, "Webhooks"; WC_REST_Webhooks_V1_
// Controller, which v3 extends; WC_Webhook). A webhook has a topic
// (order.created, order.updated), a delivery_url, a secret and a status.
// Each delivery is the REST API's order JSON, the same the pull reads, with
// X-WC-Webhook-Topic / -Resource / -Event and X-WC-Webhook-Signature, the
// base64 HMAC-SHA256 of the body with the secret (WC_Webhook::
// generate_signature). Creating one makes WooCommerce POST an unsigned ping
// "webhook_id=N" (form encoded) to the delivery URL (WC_Webhook::
// deliver_ping), which wants a 200. The listing does not show secrets, so
// a webhook Dropline finds already there is given the secret again.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

func init() { webhookReaders[WooCommerce] = readWooWebhook }

// wooWebhookTopics are what Dropline subscribes to: order.updated also
// fires when an order is cancelled.
var wooWebhookTopics = []string{"order.created", "order.updated"}

// wooWebhookPages bounds the listing of a site's webhooks.
const wooWebhookPages = 10

type wooWebhook struct {
	ID          wooNumber `json:"id"`
	Status      string    `json:"status"`
	Topic       string    `json:"topic"`
	DeliveryURL string    `json:"delivery_url"`
}

// RegisterWebhooks makes, for order.created and order.updated, an active
// webhook delivering to callbackURL and signed with secret. A webhook the
// site already has for that topic and address is kept and given the secret
// and the active status again (WooCommerce disables one after repeated
// failed deliveries), so registering again never makes a second one.
func (w *wooCommerce) RegisterWebhooks(ctx context.Context, callbackURL, secret string) ([]Subscription, error) {
	if len(secret) < 16 {
		return nil, &Error{Kind: WooCommerce, Message: "register webhooks: no signing secret to give the site"}
	}
	have := map[string]wooWebhook{}
	for page := 1; page <= wooWebhookPages; page++ {
		q := url.Values{"per_page": {strconv.Itoa(wooPerPage)}, "page": {strconv.Itoa(page)}}
		var list []wooWebhook
		h, err := w.call(ctx, "read the site's webhooks", http.MethodGet, "wc/v3/webhooks", q, nil, &list)
		if err != nil {
			return nil, plain(err)
		}
		for _, hook := range list {
			if sameURL(hook.DeliveryURL, callbackURL) {
				if _, seen := have[hook.Topic]; !seen {
					have[hook.Topic] = hook
				}
			}
		}
		total, err := strconv.Atoi(h.Get("X-WP-TotalPages"))
		if err != nil || page >= total {
			break
		}
	}
	var out []Subscription
	for _, topic := range wooWebhookTopics {
		op := "register the " + topic + " webhook"
		if hook, ok := have[topic]; ok {
			var updated wooWebhook
			body := map[string]string{"status": "active", "secret": secret}
			if _, err := w.call(ctx, op, http.MethodPut, "wc/v3/webhooks/"+string(hook.ID), nil, body, &updated); err != nil {
				return out, plain(err)
			}
			out = append(out, Subscription{Topic: topic, ID: string(hook.ID), Existed: true})
			continue
		}
		body := map[string]string{"name": "Dropline " + topic, "topic": topic, "delivery_url": callbackURL, "secret": secret, "status": "active"}
		var created wooWebhook
		if _, err := w.call(ctx, op, http.MethodPost, "wc/v3/webhooks", nil, body, &created); err != nil {
			return out, plain(err)
		}
		if created.ID == "" {
			return out, &Error{Kind: WooCommerce, Status: http.StatusCreated, Message: op + ": WooCommerce answered without the webhook's id"}
		}
		out = append(out, Subscription{Topic: topic, ID: string(created.ID)})
	}
	return out, nil
}

// RemoveWebhooks deletes the site's webhooks delivering to callbackURL,
// whatever their topic (DELETE /webhooks/{id}?force=true: webhooks have no
// trash). One already gone (404) is not an error.
func (w *wooCommerce) RemoveWebhooks(ctx context.Context, callbackURL string) (int, error) {
	var ids []wooNumber
	for page := 1; page <= wooWebhookPages; page++ {
		q := url.Values{"per_page": {strconv.Itoa(wooPerPage)}, "page": {strconv.Itoa(page)}}
		var list []wooWebhook
		h, err := w.call(ctx, "read the site's webhooks", http.MethodGet, "wc/v3/webhooks", q, nil, &list)
		if err != nil {
			return 0, plain(err)
		}
		for _, hook := range list {
			if sameURL(hook.DeliveryURL, callbackURL) {
				ids = append(ids, hook.ID)
			}
		}
		total, err := strconv.Atoi(h.Get("X-WP-TotalPages"))
		if err != nil || page >= total {
			break
		}
	}
	removed := 0
	for _, id := range ids {
		_, err := w.call(ctx, "delete webhook "+string(id), http.MethodDelete, "wc/v3/webhooks/"+string(id), url.Values{"force": {"true"}}, nil, nil)
		var ce *Error
		if errors.As(err, &ce) && ce.Status == http.StatusNotFound {
			continue
		}
		if err != nil {
			return removed, plain(err)
		}
		removed++
	}
	return removed, nil
}

// sameURL compares delivery URLs as WooCommerce keeps them (esc_url_raw
// may have changed the case of the scheme and host).
func sameURL(a, b string) bool {
	ua, errA := url.Parse(strings.TrimSpace(a))
	ub, errB := url.Parse(strings.TrimSpace(b))
	if errA != nil || errB != nil {
		return a == b
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host) && ua.Path == ub.Path && ua.RawQuery == ub.RawQuery
}

var wooPing = regexp.MustCompile(`^webhook_id=\d+$`)

// readWooWebhook answers the creation ping, checks X-WC-Webhook-Signature
// with the webhook's secret, and reads the order of an order.* delivery.
func readWooWebhook(h http.Header, body []byte, secret string) (Delivery, error) {
	sig := h.Get("X-WC-Webhook-Signature")
	if sig == "" && wooPing.Match(body) {
		return Delivery{Ping: true}, nil
	}
	if !validHMAC(body, sig, secret) {
		return Delivery{}, ErrSignature
	}
	d := Delivery{Topic: h.Get("X-WC-Webhook-Topic")}
	resource, event := h.Get("X-WC-Webhook-Resource"), h.Get("X-WC-Webhook-Event")
	if resource == "" || event == "" {
		resource, event, _ = strings.Cut(d.Topic, ".")
	}
	if resource != "order" || event == "deleted" {
		// A deleted order's payload is its bare id; other resources are
		// not orders.
		return d, nil
	}
	var raw wooOrder
	if err := json.Unmarshal(body, &raw); err != nil {
		return d, fmt.Errorf("%w: it is not a WooCommerce order: %v", ErrPayload, err)
	}
	o, err := raw.toOrder()
	if err != nil {
		return d, fmt.Errorf("%w: %v", ErrPayload, err)
	}
	d.Order = &o
	return d, nil
}
