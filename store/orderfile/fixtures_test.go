package orderfile

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// shopifyFixtures holds real Shopify order payloads (Shopify's
// shopify_python_api test fixtures, MIT). They are read in place and never
// copied into the repository.
var shopifyFixtures = filepath.Join("..", "..", "..", "shared", "fixtures", "shopify_python_api_fixtures")

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	if _, err := os.Stat(shopifyFixtures); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("fixtures folder %s is missing: %v", shopifyFixtures, err)
		}
		t.Skipf("fixtures folder %s is missing", shopifyFixtures)
	}
	b, err := os.ReadFile(filepath.Join(shopifyFixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// order.json is {"order": {...}}: order #1001 (id 450789469) of Bob Norman,
// three iPod Nanos at 199.00, shipped to Louisville, KY, US. Its customer has
// no phone and its note is null; the address's latitude is a string here.
var fixtureOrder1001 = Order{
	Channel:        "shopify",
	ChannelOrderID: "#1001",
	ChannelRef:     "gid://shopify/Order/450789469",               // made from the id: the fixture predates admin_graphql_api_id
	PlacedAt:       time.Date(2008, 1, 10, 16, 0, 0, 0, time.UTC), // 2008-01-10T11:00:00-05:00
	Currency:       "USD",
	Customer:       Customer{Name: "Bob Norman", Email: "bob.norman@hostmail.com"},
	ShipTo: Address{Name: "Bob Norman", Address1: "Chestnut Street 92", City: "Louisville", Region: "Kentucky",
		PostalCode: "40202", Country: "US", Phone: "555-625-1199"},
	Lines: []Line{
		{SKU: "IPOD2008GREEN", Title: "IPod Nano - 8gb - green", Quantity: 1, UnitPriceCents: 19900, ChannelLineID: "gid://shopify/LineItem/466157049"},
		{SKU: "IPOD2008RED", Title: "IPod Nano - 8gb - red", Quantity: 1, UnitPriceCents: 19900, ChannelLineID: "gid://shopify/LineItem/518995019"},
		{SKU: "IPOD2008BLACK", Title: "IPod Nano - 8gb - black", Quantity: 1, UnitPriceCents: 19900, ChannelLineID: "gid://shopify/LineItem/703073504"},
	},
}

func TestShopifyFixtureOrder(t *testing.T) {
	body := readFixture(t, "order.json")
	got, err := ParseShopifyOrder(body)
	if err != nil {
		t.Fatalf("order.json: %v", err)
	}
	if !reflect.DeepEqual(got, fixtureOrder1001) {
		t.Errorf("order.json:\ngot  %+v\nwant %+v", got, fixtureOrder1001)
	}

	// The same order unwrapped, as the orders/create webhook sends it.
	var wrapped struct{ Order json.RawMessage }
	if err := json.Unmarshal(body, &wrapped); err != nil {
		t.Fatal(err)
	}
	bare, err := ParseShopifyOrder(wrapped.Order)
	if err != nil || !reflect.DeepEqual(bare, fixtureOrder1001) {
		t.Errorf("order.json unwrapped = %+v, %v\nwant %+v", bare, err, fixtureOrder1001)
	}
}

func TestShopifyFixtureOrders(t *testing.T) {
	body := readFixture(t, "orders.json")
	var list struct{ Orders []json.RawMessage }
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatal(err)
	}
	// orders.json holds one order, #1001 again (id 450789469), with a
	// shipping address (numeric latitude) but no "line_items" key at all, so
	// it cannot be fulfilled.
	if len(list.Orders) != 1 {
		t.Fatalf("orders.json has %d orders, want 1", len(list.Orders))
	}
	o, err := ParseShopifyOrder(list.Orders[0])
	if want := "unusable Shopify order: the order has no line items"; !errors.Is(err, ErrUnusableWebhook) || err.Error() != want {
		t.Errorf("orders.json[0]: error = %v, want %q (order %+v)", err, want, o)
	}

	// The list itself is no order.
	if _, err := ParseShopifyOrder(body); !errors.Is(err, ErrUnusableWebhook) || err.Error() != "unusable Shopify order: the order has no name or id" {
		t.Errorf("orders.json as one order: error = %v, want no name or id", err)
	}

	// With order.json's line items added, the rest of the real payload maps:
	// the customer's phone (+16136120707) wins over the order's.
	var withLines map[string]json.RawMessage
	if err := json.Unmarshal(list.Orders[0], &withLines); err != nil {
		t.Fatal(err)
	}
	var single struct {
		Order map[string]json.RawMessage
	}
	if err := json.Unmarshal(readFixture(t, "order.json"), &single); err != nil {
		t.Fatal(err)
	}
	withLines["line_items"] = single.Order["line_items"]
	patched, err := json.Marshal(withLines)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseShopifyOrder(patched)
	want := fixtureOrder1001
	want.Customer.Phone = "+16136120707"
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("orders.json[0] with line items = %+v, %v\nwant %+v", got, err, want)
	}
}

// Other resources in the folder are not orders and must be refused, not
// half-read.
func TestShopifyFixtureNotOrders(t *testing.T) {
	for _, name := range []string{"draft_order.json", "refund.json", "product.json", "fulfillment.json"} {
		_, err := ParseShopifyOrder(readFixture(t, name))
		if !errors.Is(err, ErrUnusableWebhook) || err.Error() != "unusable Shopify order: the order has no name or id" {
			t.Errorf("%s: error = %v, want no name or id", name, err)
		}
	}
}
