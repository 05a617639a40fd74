// Package channel speaks to the stores merchants sell in (their sales
// channels): it reads the shop's name to test a connection, pulls orders,
// writes shipments back as fulfillments and pushes stock levels. Each
// platform is one file behind the Channel interface (shopify.go,
// woocommerce.go); Amazon, eBay and Etsy are a new file each.
//
// Adapters only speak HTTP: scheduling, retries across time and the outbox
// are the store's. An adapter reports what the platform said as an *Error,
// which tells a refusal (never retried blindly) from a failure worth
// retrying (throttling, 5xx, the network).
package channel

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Kind names a platform.
type Kind string

// The platforms Dropline connects to.
const (
	Shopify     Kind = "shopify"
	WooCommerce Kind = "woocommerce"
)

// Conn is where a store is and how to sign in to it. Credentials are
// secrets: adapters never put them in an error or a log line.
type Conn struct {
	Kind Kind
	// BaseURL is the store's address: https://name.myshopify.com for
	// Shopify, the site's URL for WooCommerce (any http(s) base URL where
	// the platform admin allows private addresses, for tests).
	BaseURL string
	// Token is a Shopify custom app's Admin API access token.
	Token string
	// Key and Secret are a WooCommerce REST API consumer key and secret.
	Key, Secret string
	// Location is where PushStock sets quantities on platforms that keep
	// stock per location (Shopify: a Location GID, as Locations lists
	// them); "" is the shop's primary location. Platforms with one stock
	// level per product ignore it.
	Location string
	// HTTP sends the requests; the caller gives it the same SSRF guard as
	// feed downloads. Nil means http.DefaultClient (tests only).
	HTTP *http.Client
}

// Shop is what a connection test reads.
type Shop struct {
	Name     string
	Domain   string
	Currency string
}

// Address is a ship-to address as the channel gives it.
type Address struct {
	Name, Company, Line1, Line2, City, Region, PostalCode, Country, Phone string
}

// Line is one line item of a channel order, with the channel's own ID so
// that what is written back targets it.
type Line struct {
	ChannelID  string
	SKU        string
	Title      string
	Quantity   int
	PriceCents int64
}

// Order is an order as the channel holds it.
type Order struct {
	ChannelID string // the platform's ID (Shopify GID, WooCommerce id)
	Number    string // what people see: "#1001"
	Email     string
	Currency  string
	ShipTo    Address
	Lines     []Line
	Cancelled bool
	// CancelledAt is when the store cancelled it (zero when it is not
	// cancelled, or the platform does not say); CancelReason the platform's
	// reason in its admin's words, "" when it gives none.
	CancelledAt  time.Time
	CancelReason string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	TotalCents   int64
}

// FulfillmentLine is a quantity of one channel line item that shipped.
type FulfillmentLine struct {
	LineChannelID string
	Quantity      int
}

// Fulfillment is a shipment to write back to the channel's order.
type Fulfillment struct {
	OrderChannelID string
	Lines          []FulfillmentLine
	Carrier        string // the carrier's name as people know it
	Number         string
	URL            string
	// ShipDate is the day the parcel left, as YYYY-MM-DD ("" for today).
	ShipDate string
	// NotifyCustomer asks the platform to email the customer; off when
	// Dropline already emails them, so they are not told twice.
	NotifyCustomer bool
	// Key identifies the shipment, so that a retry after a timeout can find
	// the fulfillment it may already have made instead of making another.
	Key string
	// Complete says the order has now shipped in full (WooCommerce then
	// marks it completed).
	Complete bool
}

// StockLevel is a quantity to set on the channel's product with this SKU.
type StockLevel struct {
	SKU      string
	Quantity int
}

// Location is a place a store keeps stock (Shopify's locations).
type Location struct {
	ID                   string // the platform's ID (Shopify: gid://shopify/Location/…)
	Name                 string
	Primary              bool // the shop's primary location, where stock goes by default
	FulfillsOnlineOrders bool // online orders can be sold from its stock
}

// Locator is a Channel whose platform keeps stock per location: Locations
// lists the active ones, to choose where PushStock sets quantities
// (Conn.Location). Platforms with one stock level per product do not
// implement it.
type Locator interface {
	Locations(ctx context.Context) ([]Location, error)
}

// Channel is one store.
type Channel interface {
	// Test reads the shop, saying exactly what is wrong when it cannot.
	Test(ctx context.Context) (Shop, error)
	// PullOrders reads orders updated at or after since, a page at a time:
	// cursor "" starts, and next is "" after the last page.
	PullOrders(ctx context.Context, since time.Time, cursor string) (orders []Order, next string, err error)
	// PushFulfillment records a shipment on the channel's order and
	// returns the channel's ID for it.
	PushFulfillment(ctx context.Context, f Fulfillment) (id string, err error)
	// PushStock sets quantities by SKU and returns the SKUs the store does
	// not have.
	PushStock(ctx context.Context, levels []StockLevel) (missing []string, err error)
}

// Error is what the platform answered when it did not do what was asked.
type Error struct {
	Kind    Kind
	Status  int    // HTTP status, 0 for a network failure or a refusal in a 200 answer
	Message string // plain English with the platform's own words, never a credential
	// Retry says trying again later can help (throttling, 5xx, network);
	// false is a refusal (bad credentials, a missing scope, userErrors).
	Retry      bool
	RetryAfter time.Duration // how long the platform asked to wait, 0 when it did not say
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Kind, e.Message)
}

// Retryable reports whether err is worth trying again later.
func Retryable(err error) bool {
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Retry
	}
	return err != nil && !errors.Is(err, context.Canceled)
}

// platforms are the adapters, each registered by its own file's init.
var platforms = map[Kind]func(Conn) (Channel, error){}

// New returns the adapter for conn's platform.
func New(conn Conn) (Channel, error) {
	if conn.HTTP == nil {
		conn.HTTP = http.DefaultClient
	}
	open, ok := platforms[conn.Kind]
	if !ok {
		return nil, fmt.Errorf("channel: unknown platform %q", conn.Kind)
	}
	return open(conn)
}

// retryAfter reads a Retry-After header, sent as seconds (Shopify writes
// "2.0") or as an HTTP date; 0 when absent or past.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(h, 64); err == nil && secs >= 0 && secs < 24*3600 {
		return time.Duration(math.Ceil(secs * float64(time.Second)))
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// levelsBySKU is the quantity to set for each SKU (trimmed; blank SKUs
// dropped; the last level given for a SKU wins; never negative) and the SKUs
// in the order first given.
func levelsBySKU(levels []StockLevel) (map[string]int, []string) {
	want := map[string]int{}
	var skus []string
	for _, l := range levels {
		sku := strings.TrimSpace(l.SKU)
		if sku == "" {
			continue
		}
		if _, seen := want[sku]; !seen {
			skus = append(skus, sku)
		}
		want[sku] = max(l.Quantity, 0)
	}
	return want, skus
}
