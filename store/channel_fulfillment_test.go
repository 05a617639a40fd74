package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
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
	first := w.storeUpdates(t, o.ID)
	if len(first) != 1 || first[0].State != "sent" || first[0].ExternalID != "gid://shopify/Fulfillment/91" || first[0].Store != "Acme" {
		t.Fatalf("the order page's store updates = %+v", first)
	}
	if err := w.db.RetryStoreUpdate(ctx, w.mActor, w.merchant.ID, o.ID, first[0].MessageID); !errors.Is(err, store.ErrConflict) {
		t.Errorf("retrying a sent update: %v, want a conflict", err)
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
	updates := w.storeUpdates(t, o.ID)
	if len(updates) != 2 || updates[1].State != "failed" || !strings.Contains(updates[1].LastError, "Fulfillment order is on hold") {
		t.Fatalf("store updates after the refusal = %+v", updates)
	}

	// The merchant releases the hold in Shopify and presses Retry: the
	// update goes at the next pass. Another merchant cannot retry it.
	if err := w.db.RetryStoreUpdate(ctx, w.sActor, w.supplier.ID, o.ID, updates[1].MessageID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the supplier retried the merchant's update: %v", err)
	}
	mu.Lock()
	refuse = false
	mu.Unlock()
	if err := w.db.RetryStoreUpdate(ctx, w.mActor, w.merchant.ID, o.ID, updates[1].MessageID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	if updates = w.storeUpdates(t, o.ID); updates[1].State != "sent" || updates[1].ExternalID == "" {
		t.Errorf("after Retry: %+v", updates[1])
	}
	mu.Lock()
	defer mu.Unlock()
	if len(created) != 2 {
		t.Errorf("fulfillmentCreate called %d times, want 2", len(created))
	}
}

// storeUpdates lists an order's store updates, oldest first.
func (w *orderWorld) storeUpdates(t *testing.T, orderID int64) []store.StoreUpdate {
	t.Helper()
	byShipment, err := w.db.OrderStoreUpdates(context.Background(), w.merchant.ID, orderID)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.StoreUpdate
	for _, list := range byShipment {
		out = append(out, list...)
	}
	slices.SortFunc(out, func(a, b store.StoreUpdate) int { return int(a.MessageID - b.MessageID) })
	return out
}

// fakeWooStore answers a WooCommerce site's order list (one order, #601:
// 2 × A-1), the Shipment Tracking extension's list and create, and order
// updates, recording what was written. throttle, while above 0, answers
// that many requests 429 with Retry-After: 7.
type fakeWooStore struct {
	srv       *httptest.Server
	mu        sync.Mutex
	trackings []map[string]any
	statuses  []string
	throttle  int
}

func newFakeWooStore(t *testing.T) *fakeWooStore {
	f := &fakeWooStore{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json; charset=UTF-8")
		if user, pass, ok := r.BasicAuth(); !ok || user != syncWooKey || pass != syncWooSecret {
			rw.WriteHeader(http.StatusUnauthorized)
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.throttle > 0 && r.Method != http.MethodGet {
			f.throttle--
			rw.Header().Set("Retry-After", "7")
			rw.WriteHeader(http.StatusTooManyRequests)
			json.NewEncoder(rw).Encode(map[string]any{"code": "too_many_requests", "message": "Too many requests.", "data": map[string]any{"status": 429}})
			return
		}
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/wp-json/wc/v3/orders":
			rw.Header().Set("X-WP-Total", "1")
			rw.Header().Set("X-WP-TotalPages", "1")
			json.NewEncoder(rw).Encode([]any{wooOrder(601, "processing", wooLineJSON(7, "A-1", 2, "12.99"))})
		case r.URL.Path == "/wp-json/wc-shipment-tracking/v3/orders/601/shipment-trackings" && r.Method == http.MethodGet:
			json.NewEncoder(rw).Encode(f.trackings)
		case r.URL.Path == "/wp-json/wc-shipment-tracking/v3/orders/601/shipment-trackings" && r.Method == http.MethodPost:
			var body map[string]any
			json.NewDecoder(r.Body).Decode(&body)
			body["tracking_id"] = fmt.Sprintf("trk%d", len(f.trackings)+1)
			f.trackings = append(f.trackings, body)
			rw.WriteHeader(http.StatusCreated)
			json.NewEncoder(rw).Encode(body)
		case r.URL.Path == "/wp-json/wc/v3/orders/601" && r.Method == http.MethodPut:
			var body map[string]string
			json.NewDecoder(r.Body).Decode(&body)
			f.statuses = append(f.statuses, body["status"])
			json.NewEncoder(rw).Encode(wooOrder(601, body["status"]))
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL)
			http.NotFound(rw, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// TestWooCommerceOrderCompletesWhenShippedInFull: a WooCommerce order of 2
// units ships in two parcels. The first parcel's tracking reaches the site
// (after a 429 whose Retry-After is kept) without completing the order; the
// second's completes it, after its tracking is saved.
func TestWooCommerceOrderCompletesWhenShippedInFull(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	f := newFakeWooStore(t)
	ch := w.connect(t, store.SalesChannelInput{Kind: "woocommerce", Name: "Web shop", BaseURL: f.srv.URL, ConsumerKey: syncWooKey, ConsumerSecret: syncWooSecret})
	if res, err := w.db.SyncChannelOrders(ctx, w.merchant.ID, ch.ID, f.srv.Client()); err != nil || res.Created != 1 {
		t.Fatalf("sync: %+v, %v", res, err)
	}
	o, _ := w.orderByNumber(t, "#601")
	res, err := w.dropship(t, o, store.DropshipRequest{})
	if err != nil {
		t.Fatal(err)
	}
	po, _ := w.db.PurchaseOrder(ctx, w.supplier.ID, res.POs[0].ID)
	w.ship(t, po, "9400100000000000000011", store.ShipmentLine{POLineID: po.Lines[0].ID, Quantity: 1})
	f.mu.Lock()
	f.throttle = 1
	f.mu.Unlock()
	d := &store.Deliverer{DB: w.db, HTTP: f.srv.Client()}
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	m := w.outbox(t, store.TopicChannelFulfillment)
	if len(m) != 1 || m[0].State != "pending" || m[0].Attempts != 1 || !m[0].NextAttemptAt.Equal(w.now.Add(7*time.Second)) || !strings.Contains(m[0].LastError, "Too many requests") {
		t.Fatalf("after a 429: %+v (now %v)", m, w.now)
	}
	w.now = w.now.Add(7 * time.Second)
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	if len(f.trackings) != 1 || f.trackings[0]["tracking_number"] != "9400100000000000000011" || f.trackings[0]["date_shipped"] != w.now.Format(time.DateOnly) || len(f.statuses) != 0 {
		t.Errorf("after the first parcel: trackings %v, statuses %v", f.trackings, f.statuses)
	}
	f.mu.Unlock()

	w.now = w.now.Add(time.Hour)
	po, _ = w.db.PurchaseOrder(ctx, w.supplier.ID, po.ID)
	w.ship(t, po, "9400100000000000000028", store.ShipmentLine{POLineID: po.Lines[0].ID, Quantity: 1})
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.trackings) != 2 || f.trackings[1]["tracking_number"] != "9400100000000000000028" || !slices.Equal(f.statuses, []string{"completed"}) {
		t.Errorf("after the last parcel: trackings %v, statuses %v", f.trackings, f.statuses)
	}
	if u := w.storeUpdates(t, o.ID); len(u) != 2 || u[0].ExternalID != "trk1" || u[1].ExternalID != "trk2" || u[1].State != "sent" {
		t.Errorf("store updates = %+v", u)
	}
}

// TestPausedStoreHoldsTracking: while a store is paused its tracking waits
// (nothing is sent to it); resuming sends it at the next pass.
func TestPausedStoreHoldsTracking(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	f := newFakeWooStore(t)
	ch := w.connect(t, store.SalesChannelInput{Kind: "woocommerce", Name: "Web shop", BaseURL: f.srv.URL, ConsumerKey: syncWooKey, ConsumerSecret: syncWooSecret})
	if _, err := w.db.SyncChannelOrders(ctx, w.merchant.ID, ch.ID, f.srv.Client()); err != nil {
		t.Fatal(err)
	}
	o, _ := w.orderByNumber(t, "#601")
	res, err := w.dropship(t, o, store.DropshipRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := w.db.PauseSalesChannel(ctx, w.mActor, w.merchant.ID, ch.ID, true); err != nil || !c.Paused {
		t.Fatalf("pause: %+v, %v", c, err)
	}
	if due, err := w.db.ChannelsDueForSync(ctx, w.now.Add(time.Hour)); err != nil || len(due) != 0 {
		t.Errorf("a paused store is due for sync: %v, %v", due, err)
	}
	po, _ := w.db.PurchaseOrder(ctx, w.supplier.ID, res.POs[0].ID)
	w.ship(t, po, "9400100000000000000011")
	d := &store.Deliverer{DB: w.db, HTTP: f.srv.Client()}
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	if u := w.storeUpdates(t, o.ID); len(u) != 1 || u[0].State != "pending" || u[0].WaitingFor != "channel" || !strings.Contains(u[0].LastError, "paused") {
		t.Fatalf("while paused: %+v", u)
	}
	f.mu.Lock()
	if len(f.trackings) != 0 {
		t.Errorf("a paused store was sent %v", f.trackings)
	}
	f.mu.Unlock()
	if _, err := w.db.PauseSalesChannel(ctx, w.mActor, w.merchant.ID, ch.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	if u := w.storeUpdates(t, o.ID); u[0].State != "sent" {
		t.Errorf("after resuming: %+v", u)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.trackings) != 1 || !slices.Equal(f.statuses, []string{"completed"}) {
		t.Errorf("after resuming: trackings %v, statuses %v", f.trackings, f.statuses)
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
