package handlers_test

import (
	"encoding/json"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
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
