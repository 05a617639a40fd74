package store_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
)

// TestTrackingReachesTheStore: an order pulled from a connected Shopify
// store is dropshipped; the supplier ships 1 of its 2 units; the outbox
// writes exactly that back to Shopify (fulfillmentCreate of 1 unit of the
// order's line, from its open fulfillment order, with the tracking) and the
// message is sent. A second shipment that Shopify refuses (userErrors) fails
// at once with Shopify's words, not retried blindly.
func TestTrackingReachesTheStore(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	var mu sync.Mutex
	var created []json.RawMessage
	refuse := false
	f := newFakeShopShopify(t, map[string]string{"": `{"pageInfo":{"hasNextPage":false,"endCursor":"c1"},"nodes":[` +
		shopifyOrderJSON(1001, false, shopifyShipTo, shopifyLineJSON(11, "A-1", 2, "12.99")) + `]}`})
	f.other = func(query string, vars json.RawMessage) string {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case strings.Contains(query, "DroplineFulfillmentOrders"):
			if !strings.Contains(string(vars), "gid://shopify/Order/1001") {
				t.Errorf("fulfillment orders asked for %s", vars)
			}
			return `{"data":{"order":{"id":"gid://shopify/Order/1001","fulfillments":[],"fulfillmentOrders":{"nodes":[{"id":"gid://shopify/FulfillmentOrder/71","status":"OPEN",
				"lineItems":{"nodes":[{"id":"gid://shopify/FulfillmentOrderLineItem/81","remainingQuantity":2,"lineItem":{"id":"gid://shopify/LineItem/11"}}]}}]}}}}`
		case strings.Contains(query, "DroplineFulfillmentCreate"):
			if refuse {
				return `{"data":{"fulfillmentCreate":{"fulfillment":null,"userErrors":[{"field":["fulfillment"],"message":"Fulfillment order is on hold"}]}}}`
			}
			created = append(created, vars)
			return `{"data":{"fulfillmentCreate":{"fulfillment":{"id":"gid://shopify/Fulfillment/91","status":"SUCCESS"},"userErrors":[]}}}`
		}
		t.Errorf("unexpected operation %q", query)
		return `{}`
	}
	ch := w.connect(t, store.SalesChannelInput{Kind: "shopify", Name: "Acme", BaseURL: f.srv.URL, AccessToken: syncShopifyToken})
	if res, err := w.db.SyncChannelOrders(ctx, w.merchant.ID, ch.ID, f.srv.Client()); err != nil || res.Created != 1 {
		t.Fatalf("sync: %+v, %v", res, err)
	}
	o, ok := w.orderByNumber(t, "#1001")
	if !ok || !o.Dropship {
		t.Fatalf("#1001 = %+v", o)
	}
	res, err := w.dropship(t, o, store.DropshipRequest{})
	if err != nil || len(res.POs) != 1 {
		t.Fatalf("dropship: %+v, %v", res, err)
	}
	po, err := w.db.PurchaseOrder(ctx, w.supplier.ID, res.POs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	w.ship(t, po, "1Z999AA10123456784", store.ShipmentLine{POLineID: po.Lines[0].ID, Quantity: 1})
	d := &store.Deliverer{DB: w.db, HTTP: f.srv.Client()}
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(created) != 1 {
		t.Fatalf("fulfillmentCreate called %d times", len(created))
	}
	var got struct {
		Fulfillment struct {
			LineItemsByFulfillmentOrder []struct {
				FulfillmentOrderID        string `json:"fulfillmentOrderId"`
				FulfillmentOrderLineItems []struct {
					ID       string `json:"id"`
					Quantity int    `json:"quantity"`
				} `json:"fulfillmentOrderLineItems"`
			} `json:"lineItemsByFulfillmentOrder"`
			TrackingInfo   struct{ Company, Number, URL string } `json:"trackingInfo"`
			NotifyCustomer bool                                  `json:"notifyCustomer"`
		} `json:"fulfillment"`
	}
	if err := json.Unmarshal(created[0], &got); err != nil {
		t.Fatal(err)
	}
	mu.Unlock()
	g := got.Fulfillment
	if len(g.LineItemsByFulfillmentOrder) != 1 || g.LineItemsByFulfillmentOrder[0].FulfillmentOrderID != "gid://shopify/FulfillmentOrder/71" ||
		len(g.LineItemsByFulfillmentOrder[0].FulfillmentOrderLineItems) != 1 || g.LineItemsByFulfillmentOrder[0].FulfillmentOrderLineItems[0].Quantity != 1 ||
		g.TrackingInfo.Number != "1Z999AA10123456784" || g.TrackingInfo.Company != "USPS" || g.NotifyCustomer {
		t.Errorf("Shopify received %s", created[0])
	}
	msgs := w.outbox(t, store.TopicChannelFulfillment)
	if len(msgs) != 1 || msgs[0].State != "sent" {
		t.Fatalf("channel messages %+v", msgs)
	}

	// The rest ships; Shopify refuses: failed at once, with its message.
	mu.Lock()
	refuse = true
	mu.Unlock()
	w.now = w.now.Add(time.Minute)
	po, _ = w.db.PurchaseOrder(ctx, w.supplier.ID, po.ID)
	w.ship(t, po, "1Z999AA10123456793", store.ShipmentLine{POLineID: po.Lines[0].ID, Quantity: 1})
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	msgs = w.outbox(t, store.TopicChannelFulfillment)
	if len(msgs) != 2 || msgs[1].State != "failed" || !strings.Contains(msgs[1].LastError, "Fulfillment order is on hold") || msgs[1].Attempts != 1 {
		t.Fatalf("refused fulfillment %+v", msgs)
	}
}

// outbox lists the merchant's outbox messages of a topic, oldest first.
func (w *orderWorld) outbox(t *testing.T, topic string) []store.OutboxMessage {
	t.Helper()
	all, err := w.db.OutboxList(context.Background(), w.merchant.ID, store.OutboxFilter{}, 500)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.OutboxMessage
	for _, m := range all {
		if m.Topic == topic {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b store.OutboxMessage) int { return int(a.ID - b.ID) })
	return out
}
