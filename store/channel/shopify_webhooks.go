package channel

// Shopify's webhooks. Registration follows queries/webhookSubscriptions and
// mutations/webhookSubscriptionCreate in admin-graphql/2025-01 (topic
// WebhookSubscriptionTopic, WebhookSubscriptionInput {callbackUrl, format},
// WebhookSubscription.endpoint → WebhookHttpEndpoint.callbackUrl). A custom
// app's subscriptions are signed with the app's API secret key (client
// secret): X-Shopify-Hmac-Sha256 is the base64 HMAC-SHA256 of the raw body
// (apps/build/webhooks/subscribe/https#step-5-verify-the-webhook). The
// payload of an orders/* topic is the REST Admin API's order resource
// (numeric id, admin_graphql_api_id, line_items[].id and
// admin_graphql_api_id, cancelled_at, cancel_reason), read here into the
// same Order the GraphQL pull gives, with the same GIDs, so that a webhook
// and a pull of one order are one order in Dropline.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func init() { webhookReaders[Shopify] = readShopifyWebhook }

// shopifyWebhookTopics are what Dropline subscribes to: new orders, and
// every change of one, which includes its cancellation (orders/updated
// fires on cancel as on any edit).
var shopifyWebhookTopics = []string{"ORDERS_CREATE", "ORDERS_UPDATED"}

// shopifyWebhooksPage and shopifyWebhooksPages bound the listing of a
// shop's subscriptions (the app's own only, so a handful).
const (
	shopifyWebhooksPage  = 100
	shopifyWebhooksPages = 10
)

const shopifyWebhookList = `query DroplineWebhooks($first: Int!, $after: String, $topics: [WebhookSubscriptionTopic!]) {
  webhookSubscriptions(first: $first, after: $after, topics: $topics) {
    pageInfo { hasNextPage endCursor }
    nodes { id topic endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } } }
  }
}`

const shopifyWebhookCreate = `mutation DroplineWebhookCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic }
    userErrors { field message }
  }
}`

// RegisterWebhooks subscribes callbackURL to ORDERS_CREATE and
// ORDERS_UPDATED in JSON. The shop's subscriptions are listed first and a
// topic that already delivers to callbackURL is kept; Shopify's "Address
// for this topic has already been taken" (a subscription the listing did
// not show) counts as kept too. The secret is unused: Shopify signs with
// the app's API secret key. The subscriptions made before a failure are
// returned with the error.
func (s *shopifyChannel) RegisterWebhooks(ctx context.Context, callbackURL, _ string) ([]Subscription, error) {
	have, err := s.webhookSubscriptions(ctx, callbackURL)
	if err != nil {
		return nil, err
	}
	var out []Subscription
	for _, topic := range shopifyWebhookTopics {
		if id, ok := have[topic]; ok {
			out = append(out, Subscription{Topic: topic, ID: id, Existed: true})
			continue
		}
		what := "subscribing to " + topic
		var res struct {
			WebhookSubscriptionCreate *struct {
				WebhookSubscription *struct {
					ID string `json:"id"`
				} `json:"webhookSubscription"`
				UserErrors []shopifyUserError `json:"userErrors"`
			} `json:"webhookSubscriptionCreate"`
		}
		vars := map[string]any{"topic": topic, "webhookSubscription": map[string]any{"callbackUrl": callbackURL, "format": "JSON"}}
		if err := s.do(ctx, what, shopifyWebhookCreate, vars, &res); err != nil {
			return out, err
		}
		p := res.WebhookSubscriptionCreate
		switch {
		case p == nil:
			return out, &Error{Kind: Shopify, Message: what + ": Shopify answered without a subscription"}
		case len(p.UserErrors) > 0 && alreadyTaken(p.UserErrors):
			out = append(out, Subscription{Topic: topic, Existed: true})
		case len(p.UserErrors) > 0:
			return out, &Error{Kind: Shopify, Message: what + ": Shopify refused: " + userErrorText(p.UserErrors)}
		case p.WebhookSubscription == nil || p.WebhookSubscription.ID == "":
			return out, &Error{Kind: Shopify, Message: what + ": Shopify answered without a subscription"}
		default:
			out = append(out, Subscription{Topic: topic, ID: p.WebhookSubscription.ID})
		}
	}
	return out, nil
}

const shopifyWebhookDelete = `mutation DroplineWebhookDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } }
}`

// RemoveWebhooks deletes the app's subscriptions to Dropline's topics that
// deliver to callbackURL (mutations/webhookSubscriptionDelete). A
// subscription already gone is not an error.
func (s *shopifyChannel) RemoveWebhooks(ctx context.Context, callbackURL string) (int, error) {
	have, err := s.webhookSubscriptions(ctx, callbackURL)
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, topic := range shopifyWebhookTopics {
		id, ok := have[topic]
		if !ok {
			continue
		}
		what := "deleting the " + topic + " subscription"
		var res struct {
			WebhookSubscriptionDelete *struct {
				DeletedID  string             `json:"deletedWebhookSubscriptionId"`
				UserErrors []shopifyUserError `json:"userErrors"`
			} `json:"webhookSubscriptionDelete"`
		}
		if err := s.do(ctx, what, shopifyWebhookDelete, map[string]any{"id": id}, &res); err != nil {
			return removed, err
		}
		p := res.WebhookSubscriptionDelete
		switch {
		case p == nil:
			return removed, &Error{Kind: Shopify, Message: what + ": Shopify answered without the deletion"}
		case len(p.UserErrors) > 0:
			return removed, &Error{Kind: Shopify, Message: what + ": Shopify refused: " + userErrorText(p.UserErrors)}
		}
		removed++
	}
	return removed, nil
}

// alreadyTaken reports Shopify's refusal of a second subscription of one
// topic to one address.
func alreadyTaken(errs []shopifyUserError) bool {
	for _, e := range errs {
		if !strings.Contains(strings.ToLower(e.Message), "already been taken") {
			return false
		}
	}
	return true
}

// webhookSubscriptions lists the app's subscriptions to Dropline's topics
// that deliver to callbackURL: topic → subscription GID.
func (s *shopifyChannel) webhookSubscriptions(ctx context.Context, callbackURL string) (map[string]string, error) {
	have := map[string]string{}
	vars := map[string]any{"first": shopifyWebhooksPage, "topics": shopifyWebhookTopics}
	for range shopifyWebhooksPages {
		var out struct {
			WebhookSubscriptions struct {
				PageInfo struct {
					HasNextPage bool   `json:"hasNextPage"`
					EndCursor   string `json:"endCursor"`
				} `json:"pageInfo"`
				Nodes []struct {
					ID       string `json:"id"`
					Topic    string `json:"topic"`
					Endpoint struct {
						CallbackURL string `json:"callbackUrl"`
					} `json:"endpoint"`
				} `json:"nodes"`
			} `json:"webhookSubscriptions"`
		}
		if err := s.do(ctx, "reading the shop's webhook subscriptions", shopifyWebhookList, vars, &out); err != nil {
			return nil, err
		}
		for _, n := range out.WebhookSubscriptions.Nodes {
			if n.Endpoint.CallbackURL == callbackURL {
				have[n.Topic] = n.ID
			}
		}
		if !out.WebhookSubscriptions.PageInfo.HasNextPage || out.WebhookSubscriptions.PageInfo.EndCursor == "" {
			break
		}
		vars["after"] = out.WebhookSubscriptions.PageInfo.EndCursor
	}
	return have, nil
}

// shopifyOrderTopics are the topics whose payload is an order.
var shopifyOrderTopics = map[string]bool{
	"orders/create": true, "orders/updated": true, "orders/cancelled": true, "orders/paid": true,
	"orders/fulfilled": true, "orders/partially_fulfilled": true,
}

// readShopifyWebhook checks X-Shopify-Hmac-Sha256 with the app's API secret
// key and reads the order of an orders/* topic (X-Shopify-Topic).
func readShopifyWebhook(h http.Header, body []byte, secret string) (Delivery, error) {
	if !validHMAC(body, h.Get("X-Shopify-Hmac-Sha256"), secret) {
		return Delivery{}, ErrSignature
	}
	d := Delivery{Topic: h.Get("X-Shopify-Topic")}
	if !shopifyOrderTopics[d.Topic] {
		return d, nil
	}
	o, err := ParseShopifyOrder(body)
	if err != nil {
		return d, err
	}
	d.Order = &o
	return d, nil
}

// shopifyRESTOrder is the part of the REST Admin API's order resource that
// Dropline reads. Ids are read as written (they pass 2^53, beyond a float).
type shopifyRESTOrder struct {
	ID              wooNumber `json:"id"`
	GID             string    `json:"admin_graphql_api_id"`
	Name            string    `json:"name"`
	Email           string    `json:"email"`
	ContactEmail    string    `json:"contact_email"`
	Currency        string    `json:"currency"`
	TotalPrice      wooNumber `json:"total_price"`
	CancelledAt     string    `json:"cancelled_at"`
	CancelReason    string    `json:"cancel_reason"`
	CreatedAt       string    `json:"created_at"`
	UpdatedAt       string    `json:"updated_at"`
	ShippingAddress *struct {
		Name         string `json:"name"`
		FirstName    string `json:"first_name"`
		LastName     string `json:"last_name"`
		Company      string `json:"company"`
		Address1     string `json:"address1"`
		Address2     string `json:"address2"`
		City         string `json:"city"`
		Province     string `json:"province"`
		ProvinceCode string `json:"province_code"`
		Zip          string `json:"zip"`
		Country      string `json:"country"`
		CountryCode  string `json:"country_code"`
		Phone        string `json:"phone"`
	} `json:"shipping_address"`
	LineItems []struct {
		ID       wooNumber `json:"id"`
		GID      string    `json:"admin_graphql_api_id"`
		SKU      string    `json:"sku"`
		Title    string    `json:"title"`
		Quantity wooNumber `json:"quantity"`
		Price    wooNumber `json:"price"`
	} `json:"line_items"`
}

// ParseShopifyOrder reads a Shopify order as its webhooks send it (the REST
// order resource, bare or wrapped as {"order": {...}}) into the Order the
// GraphQL pull gives: the order's and lines' GIDs (admin_graphql_api_id, or
// made from the numeric id), the name as number, the shipping address with
// province and country codes, the original unit prices, and the
// cancellation. Its errors wrap ErrPayload.
func ParseShopifyOrder(body []byte) (Order, error) {
	bad := func(format string, args ...any) (Order, error) {
		return Order{}, fmt.Errorf("%w: %s", ErrPayload, fmt.Sprintf(format, args...))
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return bad("it is not a JSON object")
	}
	if inner, ok := top["order"]; ok && bytes.HasPrefix(bytes.TrimSpace(inner), []byte("{")) {
		body = inner
	}
	var r shopifyRESTOrder
	if err := json.Unmarshal(body, &r); err != nil {
		return bad("it is not a Shopify order: %v", err)
	}
	gid, err := shopifyGID("Order", r.GID, r.ID)
	if err != nil {
		return bad("the order's id: %v", err)
	}
	o := Order{ChannelID: gid, Number: r.Name, Email: r.Email, Currency: r.Currency}
	if o.Number == "" {
		return bad("order %s has no name", gid)
	}
	if o.Email == "" {
		o.Email = r.ContactEmail
	}
	if o.TotalCents, err = shopifyCents(string(r.TotalPrice)); err != nil {
		return bad("order %s total_price: %v", o.Number, err)
	}
	for _, t := range []struct {
		name string
		raw  string
		to   *time.Time
	}{{"created_at", r.CreatedAt, &o.CreatedAt}, {"updated_at", r.UpdatedAt, &o.UpdatedAt}, {"cancelled_at", r.CancelledAt, &o.CancelledAt}} {
		if t.raw == "" {
			continue
		}
		at, err := time.Parse(time.RFC3339, t.raw)
		if err != nil {
			return bad("order %s %s %q is not a time", o.Number, t.name, t.raw)
		}
		*t.to = at.UTC()
	}
	if r.CancelledAt != "" {
		o.Cancelled, o.CancelReason = true, shopifyCancelReason(r.CancelReason)
	}
	if a := r.ShippingAddress; a != nil {
		name := a.Name
		if name == "" {
			name = strings.TrimSpace(a.FirstName + " " + a.LastName)
		}
		o.ShipTo = Address{Name: name, Company: a.Company, Line1: a.Address1, Line2: a.Address2, City: a.City,
			Region: firstNonBlank(a.ProvinceCode, a.Province), PostalCode: a.Zip, Country: firstNonBlank(a.CountryCode, a.Country), Phone: a.Phone}
	}
	for i, li := range r.LineItems {
		lid, err := shopifyGID("LineItem", li.GID, li.ID)
		if err != nil {
			return bad("order %s line_items[%d] id: %v", o.Number, i, err)
		}
		qty, err := li.Quantity.whole()
		if err != nil {
			return bad("order %s line %s quantity: %v", o.Number, lid, err)
		}
		price, err := shopifyCents(string(li.Price))
		if err != nil {
			return bad("order %s line %s price: %v", o.Number, lid, err)
		}
		o.Lines = append(o.Lines, Line{ChannelID: lid, SKU: li.SKU, Title: li.Title, Quantity: int(qty), PriceCents: price})
	}
	return o, nil
}

// shopifyGID is the resource's GID as the GraphQL API names it: the
// payload's admin_graphql_api_id, else gid://shopify/{kind}/{id}.
func shopifyGID(kind, gid string, id wooNumber) (string, error) {
	if gid != "" {
		if !strings.HasPrefix(gid, "gid://shopify/"+kind+"/") {
			return "", fmt.Errorf("%q is not a %s GID", gid, kind)
		}
		return gid, nil
	}
	n, err := id.whole()
	if err != nil || n <= 0 {
		return "", fmt.Errorf("%q is not an id", string(id))
	}
	return "gid://shopify/" + kind + "/" + strconv.FormatInt(n, 10), nil
}

func firstNonBlank(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
