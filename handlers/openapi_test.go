package handlers_test

import (
	"context"
	"encoding/json"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// openAPISchemas are the OpenAPI document's component schemas.
func openAPISchemas(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Components.Schemas
}

// objectSchema resolves a schema's $ref and allOf into its properties and
// required names.
func objectSchema(t *testing.T, schemas map[string]any, s map[string]any) (props map[string]any, required []string) {
	t.Helper()
	if ref, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		target, ok := schemas[name].(map[string]any)
		if !ok {
			t.Fatalf("$ref %s: no such schema", ref)
		}
		return objectSchema(t, schemas, target)
	}
	props = map[string]any{}
	for _, part := range asList(s["allOf"]) {
		p, r := objectSchema(t, schemas, part.(map[string]any))
		for k, v := range p {
			props[k] = v
		}
		required = append(required, r...)
	}
	if p, ok := s["properties"].(map[string]any); ok {
		for k, v := range p {
			props[k] = v
		}
	}
	for _, r := range asList(s["required"]) {
		required = append(required, r.(string))
	}
	return props, required
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// checkDocumented compares a JSON value with its schema: every property it
// has is documented, every required one is there, recursively through
// objects and arrays whose schema lists properties.
func checkDocumented(t *testing.T, schemas map[string]any, path string, schema map[string]any, v any) {
	t.Helper()
	if items, ok := schema["items"].(map[string]any); ok {
		for i, e := range asList(v) {
			checkDocumented(t, schemas, path+"["+strconv.Itoa(i)+"]", items, e)
		}
		return
	}
	props, required := objectSchema(t, schemas, schema)
	obj, isObj := v.(map[string]any)
	if len(props) == 0 || !isObj {
		return
	}
	var undocumented []string
	for k := range obj {
		if _, ok := props[k]; !ok {
			undocumented = append(undocumented, k)
		}
	}
	sort.Strings(undocumented)
	if len(undocumented) > 0 {
		t.Errorf("%s: properties sent but not documented: %v", path, undocumented)
	}
	for _, r := range required {
		if _, ok := obj[r]; !ok {
			t.Errorf("%s: documented as required but not sent: %s", path, r)
		}
	}
	for k, sub := range props {
		if m, ok := sub.(map[string]any); ok && obj[k] != nil {
			checkDocumented(t, schemas, path+"."+k, m, obj[k])
		}
	}
}

// GET /api/v1/orders/{id} answers "where is my order?" in one call: its POs
// with their shipments and tracking, as the OpenAPI document describes.
func TestAPIOrderCarriesItsPOsShipmentsAndTracking(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	if err := env.db.MarkDelivered(t.Context(), store.CLIActor, w.supplierS.ID, w.shipmentS); err != nil {
		t.Fatal(err)
	}
	status, body := env.api("GET", "/api/v1/orders/"+strconv.FormatInt(w.orderA, 10), w.tokenA, "")
	if status != 200 {
		t.Fatalf("order: %d %v", status, body)
	}
	pos := asList(body["purchase_orders"])
	if len(pos) != 1 {
		t.Fatalf("purchase_orders %v, want the order's one PO", body["purchase_orders"])
	}
	po := pos[0].(map[string]any)
	if po["po_number"] != w.as.poNumber || po["status"] != "delivered" {
		t.Errorf("PO %v %v, want %s delivered", po["po_number"], po["status"], w.as.poNumber)
	}
	ships := asList(po["shipments"])
	if len(ships) != 1 {
		t.Fatalf("shipments %v, want one", po["shipments"])
	}
	sh := ships[0].(map[string]any)
	today := time.Now().UTC().Format("2006-01-02")
	if sh["carrier"] != "ups" || sh["carrier_name"] != "UPS" || sh["tracking_number"] != "1Z999AA10123456784" || sh["ship_date"] != today ||
		!strings.Contains(sh["tracking_url"].(string), "1Z999AA10123456784") || sh["delivered"] != true || sh["delivered_at"] == nil {
		t.Errorf("shipment %v", sh)
	}
	checkDocumented(t, openAPISchemas(t), "order", map[string]any{"$ref": "#/components/schemas/OrderDetail"}, body)
}

// Every webhook event's payload, built by the code paths that send it, has
// exactly the property names its schema in the OpenAPI document lists.
func TestWebhookPayloadsMatchTheOpenAPIDocument(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := context.Background()
	if _, _, err := env.db.AddWebhookEndpoint(ctx, store.CLIActor, w.supplierS.ID, "https://hooks.example.com/s", store.WebhookEventsFor(store.KindSupplier)); err != nil {
		t.Fatal(err)
	}
	if err := env.db.SetInitialStatus(ctx, store.CLIActor, w.supplierS.ID, w.statusS); err != nil {
		t.Fatal(err)
	}
	// Two orders dropshipped: one shipped, one cancelled at the merchant's request.
	var pos []int64
	for _, number := range []string{"A-5001", "A-5002"} {
		o, _, err := env.db.CreateOrder(ctx, store.CLIActor, w.merchantA.ID, orderfile.Order{Channel: "shopify", ChannelOrderID: number, Currency: "USD",
			ShipTo: orderfile.Address{Name: "Ada", Address1: "1 Main St", City: "Springfield", PostalCode: "62701", Country: "US"},
			Lines:  []orderfile.Line{{SKU: "S-100", Quantity: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := env.db.Dropship(ctx, store.CLIActor, w.merchantA.ID, o.ID, store.DropshipRequest{IdempotencyKey: number, Confirm: true})
		if err != nil || len(res.POs) != 1 {
			t.Fatalf("dropship %s: %+v %v", number, res, err)
		}
		pos = append(pos, res.POs[0].ID)
	}
	env.db.Now = func() time.Time { return time.Now().Add(2 * time.Hour) } // past the POs' release
	if _, err := env.db.AddShipment(ctx, store.CLIActor, w.supplierS.ID, pos[0], store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456784",
		ShipDate: time.Now().UTC().Format("2006-01-02")}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.db.RequestCancel(ctx, store.CLIActor, w.merchantA.ID, pos[1], "customer changed their mind"); err != nil {
		t.Fatal(err)
	}
	if err := env.db.AnswerCancel(ctx, store.CLIActor, w.supplierS.ID, pos[1], true, ""); err != nil {
		t.Fatal(err)
	}

	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Webhooks map[string]map[string]any `json:"x-webhooks"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	schemas := openAPISchemas(t)
	seen := map[string]int{}
	for _, acc := range []int64{w.merchantA.ID, w.supplierS.ID} {
		msgs, err := env.db.OutboxList(ctx, acc, store.OutboxFilter{Kind: store.OutboxWebhook}, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			schema, ok := doc.Webhooks[m.Topic]
			if !ok {
				t.Errorf("event %s is sent but not documented under x-webhooks", m.Topic)
				continue
			}
			var body map[string]any
			if err := json.Unmarshal([]byte(m.Body), &body); err != nil {
				t.Fatal(err)
			}
			if body["event"] != m.Topic {
				t.Errorf("%s payload says event %v", m.Topic, body["event"])
			}
			checkDocumented(t, schemas, m.Topic, schema, body)
			seen[m.Topic]++
		}
	}
	for _, e := range store.WebhookEvents {
		if seen[e] == 0 {
			t.Errorf("no %s payload was built; the test should cover every event", e)
		}
		if _, ok := doc.Webhooks[e]; !ok {
			t.Errorf("event %s has no schema under x-webhooks", e)
		}
	}
}
