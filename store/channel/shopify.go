package channel

// The Shopify adapter speaks the Admin GraphQL API at one pinned version.
// Every operation below was checked against Shopify's reference for that
// version (shopify.dev/docs/api/admin-graphql/2025-01/...), named per
// operation in its comment.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// shopifyAPIVersion is the Admin API version every request names. 2025-01
// has fulfillmentCreate (fulfillmentCreateV2 is deprecated there) and
// inventorySetQuantities with ignoreCompareQuantity (later versions replace
// that flag with changeFromQuantity and an idempotency key), so moving the
// pin means re-reading those two mutations.
const shopifyAPIVersion = "2025-01"

// Page and batch sizes, from the limits in Shopify's reference.
const (
	shopifyOrdersPage       = 50  // orders per PullOrders page
	shopifyLineItemsPage    = 100 // line items read with each order
	shopifySKUsPerLookup    = 50  // SKUs OR-ed into one productVariants search
	shopifyVariantsPage     = 100 // productVariants(first:)
	shopifyStockBatch       = 250 // quantities per inventorySetQuantities
	shopifyLocationsPage    = 250 // locations(first:)
	shopifyMaxLocationPages = 20
	shopifyMaxAnswerBytes   = 16 << 20
)

func init() { platforms[Shopify] = newShopify }

// shopifyChannel is one Shopify store reached through its Admin GraphQL API.
type shopifyChannel struct {
	conn     Conn
	host     string // name.myshopify.com, for messages
	endpoint string // {base}/admin/api/{version}/graphql.json
}

func newShopify(conn Conn) (Channel, error) {
	if conn.HTTP == nil {
		conn.HTTP = http.DefaultClient
	}
	base := strings.TrimSpace(conn.BaseURL)
	if base == "" {
		return nil, &Error{Kind: Shopify, Message: "no shop address: enter the shop's domain, name.myshopify.com"}
	}
	if !strings.Contains(base, "://") {
		base = "https://" + base
	}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, &Error{Kind: Shopify, Message: fmt.Sprintf("%q is not a shop address: enter the shop's domain, name.myshopify.com", conn.BaseURL)}
	}
	host := strings.ToLower(u.Hostname())
	// Real shops only answer over HTTPS, and a token sent over plain HTTP is
	// a token given away; in-test servers (httptest) are plain HTTP on
	// other hosts.
	if u.Scheme == "http" && (host == "myshopify.com" || strings.HasSuffix(host, ".myshopify.com")) {
		return nil, &Error{Kind: Shopify, Message: fmt.Sprintf("the shop address must use HTTPS: https://%s", u.Host)}
	}
	if strings.TrimSpace(conn.Token) == "" {
		return nil, &Error{Kind: Shopify, Message: "no Admin API access token: copy it from the custom app's API credentials in the Shopify admin"}
	}
	return &shopifyChannel{
		conn:     conn,
		host:     u.Host,
		endpoint: u.Scheme + "://" + u.Host + "/admin/api/" + shopifyAPIVersion + "/graphql.json",
	}, nil
}

// Test reads the shop: QueryRoot.shop, Shop.name / myshopifyDomain /
// currencyCode (admin-graphql/2025-01/objects/Shop).
func (s *shopifyChannel) Test(ctx context.Context) (Shop, error) {
	const q = `query DroplineShop { shop { name myshopifyDomain currencyCode } }`
	var out struct {
		Shop *struct {
			Name            string `json:"name"`
			MyshopifyDomain string `json:"myshopifyDomain"`
			CurrencyCode    string `json:"currencyCode"`
		} `json:"shop"`
	}
	if err := s.do(ctx, "reading the shop", q, nil, &out); err != nil {
		return Shop{}, err
	}
	if out.Shop == nil {
		return Shop{}, &Error{Kind: Shopify, Message: "reading the shop: Shopify answered without the shop"}
	}
	return Shop{Name: out.Shop.Name, Domain: out.Shop.MyshopifyDomain, Currency: out.Shop.CurrencyCode}, nil
}

// shopifyOrdersQuery follows queries/orders (first, after, query,
// sortKey: UPDATED_AT; the search syntax's updated_at:>=), Order,
// MailingAddress (countryCodeV2, provinceCode) and LineItem
// (originalUnitPriceSet) in admin-graphql/2025-01. Money is read in the
// shop's currency (shopMoney), which is Order.currencyCode.
const shopifyOrdersQuery = `query DroplineOrders($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      name
      email
      currencyCode
      cancelledAt
      cancelReason
      createdAt
      updatedAt
      totalPriceSet { shopMoney { amount currencyCode } }
      shippingAddress { name company address1 address2 city province provinceCode zip countryCodeV2 phone }
      lineItems(first: 100) {
        nodes {
          id
          sku
          title
          quantity
          originalUnitPriceSet { shopMoney { amount currencyCode } }
        }
      }
    }
  }
}`

type shopifyMoneyBag struct {
	ShopMoney struct {
		Amount       string `json:"amount"`
		CurrencyCode string `json:"currencyCode"`
	} `json:"shopMoney"`
}

type shopifyOrder struct {
	ID              string          `json:"id"`
	Name            string          `json:"name"`
	Email           string          `json:"email"`
	CurrencyCode    string          `json:"currencyCode"`
	CancelledAt     *time.Time      `json:"cancelledAt"`
	CancelReason    string          `json:"cancelReason"`
	CreatedAt       time.Time       `json:"createdAt"`
	UpdatedAt       time.Time       `json:"updatedAt"`
	TotalPriceSet   shopifyMoneyBag `json:"totalPriceSet"`
	ShippingAddress *struct {
		Name          string `json:"name"`
		Company       string `json:"company"`
		Address1      string `json:"address1"`
		Address2      string `json:"address2"`
		City          string `json:"city"`
		Province      string `json:"province"`
		ProvinceCode  string `json:"provinceCode"`
		Zip           string `json:"zip"`
		CountryCodeV2 string `json:"countryCodeV2"`
		Phone         string `json:"phone"`
	} `json:"shippingAddress"`
	LineItems struct {
		Nodes []struct {
			ID                   string          `json:"id"`
			SKU                  string          `json:"sku"`
			Title                string          `json:"title"`
			Quantity             int             `json:"quantity"`
			OriginalUnitPriceSet shopifyMoneyBag `json:"originalUnitPriceSet"`
		} `json:"nodes"`
	} `json:"lineItems"`
}

// PullOrders reads a page of orders updated at or after since, oldest
// update first. Orders with more than 100 line items bring their first 100.
func (s *shopifyChannel) PullOrders(ctx context.Context, since time.Time, cursor string) ([]Order, string, error) {
	vars := map[string]any{
		"first": shopifyOrdersPage,
		"query": "updated_at:>='" + since.UTC().Format(time.RFC3339) + "'",
	}
	if cursor != "" {
		vars["after"] = cursor
	}
	var out struct {
		Orders struct {
			PageInfo struct {
				HasNextPage bool   `json:"hasNextPage"`
				EndCursor   string `json:"endCursor"`
			} `json:"pageInfo"`
			Nodes []shopifyOrder `json:"nodes"`
		} `json:"orders"`
	}
	if err := s.do(ctx, "reading orders", shopifyOrdersQuery, vars, &out); err != nil {
		return nil, "", err
	}
	orders := make([]Order, 0, len(out.Orders.Nodes))
	for _, n := range out.Orders.Nodes {
		o, err := n.order()
		if err != nil {
			return nil, "", &Error{Kind: Shopify, Message: fmt.Sprintf("reading order %s: %v", n.Name, err)}
		}
		orders = append(orders, o)
	}
	next := ""
	if out.Orders.PageInfo.HasNextPage {
		next = out.Orders.PageInfo.EndCursor
	}
	return orders, next, nil
}

func (n shopifyOrder) order() (Order, error) {
	total, err := shopifyCents(n.TotalPriceSet.ShopMoney.Amount)
	if err != nil {
		return Order{}, fmt.Errorf("total: %w", err)
	}
	o := Order{
		ChannelID:  n.ID,
		Number:     n.Name,
		Email:      n.Email,
		Currency:   n.CurrencyCode,
		Cancelled:  n.CancelledAt != nil,
		CreatedAt:  n.CreatedAt,
		UpdatedAt:  n.UpdatedAt,
		TotalCents: total,
	}
	if n.CancelledAt != nil {
		o.CancelledAt, o.CancelReason = n.CancelledAt.UTC(), shopifyCancelReason(n.CancelReason)
	}
	if a := n.ShippingAddress; a != nil {
		region := a.ProvinceCode
		if region == "" {
			region = a.Province
		}
		o.ShipTo = Address{
			Name: a.Name, Company: a.Company, Line1: a.Address1, Line2: a.Address2,
			City: a.City, Region: region, PostalCode: a.Zip, Country: a.CountryCodeV2, Phone: a.Phone,
		}
	}
	for _, li := range n.LineItems.Nodes {
		price, err := shopifyCents(li.OriginalUnitPriceSet.ShopMoney.Amount)
		if err != nil {
			return Order{}, fmt.Errorf("line %s: price: %w", li.ID, err)
		}
		o.Lines = append(o.Lines, Line{
			ChannelID: li.ID, SKU: li.SKU, Title: li.Title, Quantity: li.Quantity, PriceCents: price,
		})
	}
	return o, nil
}

// shopifyCancelReason words Shopify's cancel reason (OrderCancelReason in
// GraphQL, cancel_reason in REST payloads: the same values, upper- or
// lower-case) as the Shopify admin does.
func shopifyCancelReason(r string) string {
	switch strings.ToLower(strings.TrimSpace(r)) {
	case "":
		return ""
	case "customer":
		return "Customer changed or cancelled order"
	case "declined":
		return "Payment declined"
	case "fraud":
		return "Fraudulent order"
	case "inventory":
		return "Items unavailable"
	case "staff":
		return "Staff error"
	case "other":
		return "Other"
	}
	return r
}

// shopifyCents reads a Decimal scalar ("19.99", "20.0", "5") as hundredths
// without going through a float. A third decimal place (three-decimal
// currencies) is rounded half away from zero.
func shopifyCents(amount string) (int64, error) {
	a := strings.TrimSpace(amount)
	if a == "" {
		return 0, nil
	}
	neg := false
	if a[0] == '-' || a[0] == '+' {
		neg = a[0] == '-'
		a = a[1:]
	}
	whole, frac, _ := strings.Cut(a, ".")
	if whole == "" {
		whole = "0"
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, fmt.Errorf("%q is not an amount", amount)
			}
		}
	}
	units, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || units > math.MaxInt64/100-1 {
		return 0, fmt.Errorf("%q is not an amount", amount)
	}
	padded := frac + "00"
	cents := units*100 + int64(padded[0]-'0')*10 + int64(padded[1]-'0')
	if len(frac) > 2 && frac[2] >= '5' {
		cents++
	}
	if neg {
		cents = -cents
	}
	return cents, nil
}

// shopifyFulfillmentOrdersQuery follows Order.fulfillments (Fulfillment.
// status, trackingInfo { number }) and Order.fulfillmentOrders
// (FulfillmentOrder.status, lineItems → FulfillmentOrderLineItem.
// remainingQuantity, lineItem { id }) in admin-graphql/2025-01.
const shopifyFulfillmentOrdersQuery = `query DroplineFulfillmentOrders($id: ID!) {
  order(id: $id) {
    id
    fulfillments(first: 250) { id status trackingInfo(first: 10) { number } }
    fulfillmentOrders(first: 20) {
      nodes {
        id
        status
        lineItems(first: 100) { nodes { id remainingQuantity lineItem { id } } }
      }
    }
  }
}`

// shopifyFulfillmentCreate follows mutations/fulfillmentCreate
// (fulfillment: FulfillmentInput!, returning FulfillmentCreatePayload),
// FulfillmentInput (lineItemsByFulfillmentOrder, trackingInfo,
// notifyCustomer), FulfillmentOrderLineItemsInput (fulfillmentOrderId,
// fulfillmentOrderLineItems) and FulfillmentTrackingInput (company,
// number, url) in admin-graphql/2025-01.
const shopifyFulfillmentCreate = `mutation DroplineFulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status }
    userErrors { field message }
  }
}`

type shopifyUserError struct {
	Field   []string `json:"field"`
	Message string   `json:"message"`
	Code    string   `json:"code"`
}

// shopifyFOLineItems is one entry of FulfillmentInput.lineItemsByFulfillmentOrder.
type shopifyFOLineItems struct {
	FulfillmentOrderID        string               `json:"fulfillmentOrderId"`
	FulfillmentOrderLineItems []shopifyFOLineInput `json:"fulfillmentOrderLineItems"`
}

type shopifyFOLineInput struct {
	ID       string `json:"id"`
	Quantity int    `json:"quantity"`
}

// PushFulfillment fulfils exactly the shipped quantities of the order's
// lines from its open fulfillment orders, with the shipment's tracking.
// A fulfillment already on the order with the same tracking number is the
// one an earlier, timed-out attempt made, and its ID is returned instead
// of fulfilling twice. Without a tracking number there is nothing to
// recognise it by, so such a retry is not guarded.
func (s *shopifyChannel) PushFulfillment(ctx context.Context, f Fulfillment) (string, error) {
	if f.OrderChannelID == "" {
		return "", &Error{Kind: Shopify, Message: "fulfilling an order: the shipment names no Shopify order"}
	}
	if len(f.Lines) == 0 {
		return "", &Error{Kind: Shopify, Message: "fulfilling order " + f.OrderChannelID + ": the shipment has no lines"}
	}
	var out struct {
		Order *struct {
			Fulfillments []struct {
				ID           string `json:"id"`
				Status       string `json:"status"`
				TrackingInfo []struct {
					Number string `json:"number"`
				} `json:"trackingInfo"`
			} `json:"fulfillments"`
			FulfillmentOrders struct {
				Nodes []struct {
					ID        string `json:"id"`
					Status    string `json:"status"`
					LineItems struct {
						Nodes []struct {
							ID                string `json:"id"`
							RemainingQuantity int    `json:"remainingQuantity"`
							LineItem          struct {
								ID string `json:"id"`
							} `json:"lineItem"`
						} `json:"nodes"`
					} `json:"lineItems"`
				} `json:"nodes"`
			} `json:"fulfillmentOrders"`
		} `json:"order"`
	}
	what := "fulfilling order " + f.OrderChannelID
	if err := s.do(ctx, what, shopifyFulfillmentOrdersQuery, map[string]any{"id": f.OrderChannelID}, &out); err != nil {
		return "", err
	}
	if out.Order == nil {
		return "", &Error{Kind: Shopify, Message: what + ": the shop has no such order"}
	}

	if number := strings.TrimSpace(f.Number); number != "" {
		for _, existing := range out.Order.Fulfillments {
			switch existing.Status {
			case "CANCELLED", "ERROR", "FAILURE":
				continue // undone or never made: a new one is wanted
			}
			for _, t := range existing.TrackingInfo {
				if strings.EqualFold(strings.TrimSpace(t.Number), number) {
					return existing.ID, nil
				}
			}
		}
	}

	// Only OPEN and IN_PROGRESS fulfillment orders can be fulfilled
	// (enums/FulfillmentOrderStatus): CLOSED and CANCELLED are done,
	// ON_HOLD and SCHEDULED wait for the merchant.
	need := map[string]int{}
	var order []string
	for _, l := range f.Lines {
		if l.Quantity <= 0 {
			return "", &Error{Kind: Shopify, Message: fmt.Sprintf("%s: line %s has quantity %d", what, l.LineChannelID, l.Quantity)}
		}
		if _, seen := need[l.LineChannelID]; !seen {
			order = append(order, l.LineChannelID)
		}
		need[l.LineChannelID] += l.Quantity
	}
	var byFO []shopifyFOLineItems
	for _, fo := range out.Order.FulfillmentOrders.Nodes {
		if fo.Status != "OPEN" && fo.Status != "IN_PROGRESS" {
			continue
		}
		var lines []shopifyFOLineInput
		for _, li := range fo.LineItems.Nodes {
			want := need[li.LineItem.ID]
			if want == 0 || li.RemainingQuantity <= 0 {
				continue
			}
			take := min(want, li.RemainingQuantity)
			need[li.LineItem.ID] -= take
			lines = append(lines, shopifyFOLineInput{ID: li.ID, Quantity: take})
		}
		if len(lines) > 0 {
			byFO = append(byFO, shopifyFOLineItems{FulfillmentOrderID: fo.ID, FulfillmentOrderLineItems: lines})
		}
	}
	var short []string
	for _, id := range order {
		if left := need[id]; left > 0 {
			short = append(short, fmt.Sprintf("line %s: %d more than is left to fulfil", id, left))
		}
	}
	if len(short) > 0 {
		return "", &Error{Kind: Shopify, Message: what + ": the shop has nothing open to fulfil for " +
			strings.Join(short, "; ") + " (already fulfilled, on hold or not on this order)"}
	}

	tracking := map[string]any{}
	if f.Carrier != "" {
		tracking["company"] = f.Carrier
	}
	if f.Number != "" {
		tracking["number"] = f.Number
		if f.URL != "" {
			// FulfillmentTrackingInput: a url goes with a number.
			tracking["url"] = f.URL
		}
	}
	input := map[string]any{
		"lineItemsByFulfillmentOrder": byFO,
		"notifyCustomer":              f.NotifyCustomer,
	}
	if len(tracking) > 0 {
		input["trackingInfo"] = tracking
	}
	var created struct {
		FulfillmentCreate *struct {
			Fulfillment *struct {
				ID string `json:"id"`
			} `json:"fulfillment"`
			UserErrors []shopifyUserError `json:"userErrors"`
		} `json:"fulfillmentCreate"`
	}
	if err := s.do(ctx, what, shopifyFulfillmentCreate, map[string]any{"fulfillment": input}, &created); err != nil {
		return "", err
	}
	p := created.FulfillmentCreate
	if p == nil {
		return "", &Error{Kind: Shopify, Message: what + ": Shopify answered without a fulfillment"}
	}
	if len(p.UserErrors) > 0 {
		return "", &Error{Kind: Shopify, Message: what + ": Shopify refused: " + userErrorText(p.UserErrors)}
	}
	if p.Fulfillment == nil || p.Fulfillment.ID == "" {
		return "", &Error{Kind: Shopify, Message: what + ": Shopify answered without a fulfillment"}
	}
	return p.Fulfillment.ID, nil
}

// shopifyPrimaryLocation follows queries/location: without an id it
// returns the shop's primary location (said in the 2024-04 and 2025-10
// references, so in 2025-01 between them). Stock goes there unless the
// connection names another location (Conn.Location).
const shopifyPrimaryLocation = `query DroplinePrimaryLocation { location { id name } }`

// shopifyLocationsQuery follows queries/locations (first ≤ 250, after;
// active locations only by default, includeInactive false) and Location
// (id, name, isActive, fulfillsOnlineOrders) in admin-graphql/2025-01, with
// the primary location (queries/location without an id) beside them.
const shopifyLocationsQuery = `query DroplineLocations($first: Int!, $after: String) {
  location { id }
  locations(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id name isActive fulfillsOnlineOrders }
  }
}`

// Locations lists the shop's active locations, the primary one marked, in
// Shopify's order. It needs the read_locations scope.
func (s *shopifyChannel) Locations(ctx context.Context) ([]Location, error) {
	vars := map[string]any{"first": shopifyLocationsPage}
	var out []Location
	for range shopifyMaxLocationPages {
		var page struct {
			Location *struct {
				ID string `json:"id"`
			} `json:"location"`
			Locations struct {
				PageInfo struct {
					HasNextPage bool   `json:"hasNextPage"`
					EndCursor   string `json:"endCursor"`
				} `json:"pageInfo"`
				Nodes []struct {
					ID                   string `json:"id"`
					Name                 string `json:"name"`
					IsActive             bool   `json:"isActive"`
					FulfillsOnlineOrders bool   `json:"fulfillsOnlineOrders"`
				} `json:"nodes"`
			} `json:"locations"`
		}
		if err := s.do(ctx, "reading the shop's locations", shopifyLocationsQuery, vars, &page); err != nil {
			return nil, err
		}
		primary := ""
		if page.Location != nil {
			primary = page.Location.ID
		}
		for _, n := range page.Locations.Nodes {
			if n.ID == "" || !n.IsActive {
				continue
			}
			out = append(out, Location{ID: n.ID, Name: n.Name, Primary: n.ID == primary, FulfillsOnlineOrders: n.FulfillsOnlineOrders})
		}
		if !page.Locations.PageInfo.HasNextPage || page.Locations.PageInfo.EndCursor == "" {
			return out, nil
		}
		vars["after"] = page.Locations.PageInfo.EndCursor
	}
	return out, nil
}

// shopifyVariantsBySKU follows queries/productVariants (first, after,
// query with the sku: filter) and ProductVariant.inventoryItem in
// admin-graphql/2025-01.
const shopifyVariantsBySKU = `query DroplineVariantsBySKU($first: Int!, $after: String, $query: String!) {
  productVariants(first: $first, after: $after, query: $query) {
    pageInfo { hasNextPage endCursor }
    nodes { id sku inventoryItem { id } }
  }
}`

// shopifyInventorySet follows mutations/inventorySetQuantities and
// InventorySetQuantitiesInput (name, reason, ignoreCompareQuantity,
// quantities: [InventoryQuantityInput {inventoryItemId, locationId,
// quantity}]) in admin-graphql/2025-01.
const shopifyInventorySet = `mutation DroplineInventorySet($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { id }
    userErrors { field message code }
  }
}`

type shopifyQuantity struct {
	InventoryItemID string `json:"inventoryItemId"`
	LocationID      string `json:"locationId"`
	Quantity        int    `json:"quantity"`
}

// PushStock sets the available quantity of every variant carrying each SKU
// (exact match) at the connection's location (the shop's primary location
// when none is chosen), and returns the SKUs no variant carries. Dropline is the source of truth for what it pushes, so
// the compare-and-set check is skipped.
func (s *shopifyChannel) PushStock(ctx context.Context, levels []StockLevel) ([]string, error) {
	want, skus := levelsBySKU(levels)
	var missing []string
	if len(skus) == 0 {
		return nil, nil
	}

	items := map[string][]string{} // SKU → inventory item IDs
	for start := 0; start < len(skus); start += shopifySKUsPerLookup {
		batch := skus[start:min(start+shopifySKUsPerLookup, len(skus))]
		if err := s.variantsBySKU(ctx, batch, items); err != nil {
			return nil, err
		}
	}
	var quantities []shopifyQuantity
	location := strings.TrimSpace(s.conn.Location)
	for _, sku := range skus {
		ids := items[sku]
		if len(ids) == 0 {
			missing = append(missing, sku)
			continue
		}
		if location == "" {
			var err error
			if location, err = s.primaryLocation(ctx); err != nil {
				return nil, err
			}
		}
		for _, id := range ids {
			quantities = append(quantities, shopifyQuantity{InventoryItemID: id, LocationID: location, Quantity: want[sku]})
		}
	}
	for start := 0; start < len(quantities); start += shopifyStockBatch {
		batch := quantities[start:min(start+shopifyStockBatch, len(quantities))]
		input := map[string]any{
			"name":                  "available",
			"reason":                "correction",
			"ignoreCompareQuantity": true,
			"quantities":            batch,
		}
		var out struct {
			InventorySetQuantities *struct {
				UserErrors []shopifyUserError `json:"userErrors"`
			} `json:"inventorySetQuantities"`
		}
		if err := s.do(ctx, "setting stock", shopifyInventorySet, map[string]any{"input": input}, &out); err != nil {
			return nil, err
		}
		if p := out.InventorySetQuantities; p == nil {
			return nil, &Error{Kind: Shopify, Message: "setting stock: Shopify answered without a result"}
		} else if len(p.UserErrors) > 0 {
			return nil, &Error{Kind: Shopify, Message: "setting stock: Shopify refused: " + userErrorText(p.UserErrors)}
		}
	}
	return missing, nil
}

func (s *shopifyChannel) primaryLocation(ctx context.Context) (string, error) {
	var out struct {
		Location *struct {
			ID string `json:"id"`
		} `json:"location"`
	}
	if err := s.do(ctx, "reading the shop's primary location", shopifyPrimaryLocation, nil, &out); err != nil {
		return "", err
	}
	if out.Location == nil || out.Location.ID == "" {
		return "", &Error{Kind: Shopify, Message: "reading the shop's primary location: the shop has none"}
	}
	return out.Location.ID, nil
}

// variantsBySKU adds to items, by SKU, the inventory item of every variant
// Shopify's search finds for skus.
func (s *shopifyChannel) variantsBySKU(ctx context.Context, skus []string, items map[string][]string) error {
	terms := make([]string, len(skus))
	for i, sku := range skus {
		terms[i] = "sku:" + shopifySearchValue(sku)
	}
	vars := map[string]any{"first": shopifyVariantsPage, "query": strings.Join(terms, " OR ")}
	for {
		var out struct {
			ProductVariants struct {
				PageInfo struct {
					HasNextPage bool   `json:"hasNextPage"`
					EndCursor   string `json:"endCursor"`
				} `json:"pageInfo"`
				Nodes []struct {
					SKU           string `json:"sku"`
					InventoryItem *struct {
						ID string `json:"id"`
					} `json:"inventoryItem"`
				} `json:"nodes"`
			} `json:"productVariants"`
		}
		if err := s.do(ctx, "finding products by SKU", shopifyVariantsBySKU, vars, &out); err != nil {
			return err
		}
		for _, v := range out.ProductVariants.Nodes {
			// The search can match loosely; items is keyed by the exact
			// SKU and only the SKUs asked for are read back from it.
			if v.InventoryItem != nil && v.InventoryItem.ID != "" {
				items[v.SKU] = append(items[v.SKU], v.InventoryItem.ID)
			}
		}
		if !out.ProductVariants.PageInfo.HasNextPage || out.ProductVariants.PageInfo.EndCursor == "" {
			return nil
		}
		vars["after"] = out.ProductVariants.PageInfo.EndCursor
	}
}

// shopifySearchValue quotes a value for Shopify's search syntax, so that
// SKUs with spaces, colons or a leading dash stay one term.
func shopifySearchValue(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}

func userErrorText(errs []shopifyUserError) string {
	msgs := make([]string, 0, len(errs))
	for _, e := range errs {
		m := e.Message
		if len(e.Field) > 0 {
			m = strings.Join(e.Field, ".") + ": " + m
		}
		msgs = append(msgs, m)
	}
	return strings.Join(msgs, "; ")
}

// shopifyAnswer is a GraphQL response (usage/response-codes): data, errors
// with extensions.code (THROTTLED, ACCESS_DENIED, ...) and the query cost
// under the top-level extensions.
type shopifyAnswer struct {
	Data       json.RawMessage `json:"data"`
	Errors     json.RawMessage `json:"errors"`
	Extensions struct {
		Cost *shopifyCost `json:"cost"`
	} `json:"extensions"`
}

type shopifyGraphQLError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code           string       `json:"code"`
		RequiredAccess string       `json:"requiredAccess"`
		Cost           *shopifyCost `json:"cost"`
	} `json:"extensions"`
}

// shopifyCost is extensions.cost (usage/limits#graphql-admin-api-rate-limits).
type shopifyCost struct {
	RequestedQueryCost float64 `json:"requestedQueryCost"`
	ThrottleStatus     struct {
		MaximumAvailable   float64 `json:"maximumAvailable"`
		CurrentlyAvailable float64 `json:"currentlyAvailable"`
		RestoreRate        float64 `json:"restoreRate"`
	} `json:"throttleStatus"`
}

// wait is how long until the bucket holds the requested cost again.
func (c *shopifyCost) wait() time.Duration {
	if c == nil || c.ThrottleStatus.RestoreRate <= 0 {
		return 0
	}
	short := c.RequestedQueryCost - c.ThrottleStatus.CurrentlyAvailable
	if short <= 0 {
		return time.Second
	}
	return time.Duration(math.Ceil(short / c.ThrottleStatus.RestoreRate * float64(time.Second)))
}

var shopifyScope = regexp.MustCompile(`\b(?:read|write|unauthenticated_read|unauthenticated_write)_[a-z_]+\b`)

// do posts one GraphQL operation and decodes its data into out, turning
// everything else Shopify can answer into an *Error. what says what was
// being done, for the message.
func (s *shopifyChannel) do(ctx context.Context, what, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables,omitempty"`
	}{query, vars})
	if err != nil {
		return fmt.Errorf("channel: shopify: %s: %w", what, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("channel: shopify: %s: %w", what, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Shopify-Access-Token", s.conn.Token)
	resp, err := s.conn.HTTP.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("channel: shopify: %s: %w", what, ctxErr)
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is in the message already, as the host
		}
		return s.fail(0, true, 0, "%s: could not reach %s: %v", what, s.host, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, shopifyMaxAnswerBytes))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("channel: shopify: %s: %w", what, ctxErr)
		}
		return s.fail(resp.StatusCode, true, 0, "%s: the answer from %s broke off: %v", what, s.host, err)
	}
	var ans shopifyAnswer
	jsonErr := json.Unmarshal(raw, &ans)
	said := shopifySaid(ans.Errors)

	switch code := resp.StatusCode; {
	case code == http.StatusUnauthorized:
		return s.fail(code, false, 0, "%s: Shopify did not accept the access token (HTTP 401): check the custom app's Admin API access token; it may be mistyped, or the app uninstalled", what)
	case code == http.StatusPaymentRequired:
		return s.fail(code, false, 0, "%s: the shop is frozen for an unpaid bill (HTTP 402)%s", what, suffix(said))
	case code == http.StatusForbidden:
		return s.fail(code, false, 0, "%s: Shopify refused access (HTTP 403)%s%s", what, scopeHint(said), suffix(said))
	case code == http.StatusNotFound:
		return s.fail(code, false, 0, "%s: there is no Shopify shop at %s (HTTP 404): check the shop's domain, name.myshopify.com", what, s.host)
	case code == http.StatusLocked:
		return s.fail(code, false, 0, "%s: the shop is locked (HTTP 423)%s", what, suffix(said))
	case code == http.StatusTooManyRequests:
		wait := retryAfter(resp.Header.Get("Retry-After"), time.Now())
		if wait == 0 {
			wait = ans.Extensions.Cost.wait()
		}
		return s.fail(code, true, wait, "%s: Shopify is throttling requests (HTTP 429)%s", what, suffix(said))
	case code >= 500:
		return s.fail(code, true, 0, "%s: Shopify had an error (HTTP %d)%s", what, code, suffix(said))
	case code >= 400:
		return s.fail(code, false, 0, "%s: Shopify refused the request (HTTP %d)%s", what, code, suffix(said))
	case code < 200 || code >= 300:
		return s.fail(code, true, 0, "%s: unexpected answer from %s (HTTP %d)", what, s.host, code)
	}
	if jsonErr != nil {
		return s.fail(0, false, 0, "%s: %s did not answer as Shopify's Admin API does (not JSON): check the shop's domain, name.myshopify.com", what, s.host)
	}

	var gqlErrs []shopifyGraphQLError
	_ = json.Unmarshal(ans.Errors, &gqlErrs)
	for _, e := range gqlErrs {
		switch e.Extensions.Code {
		case "THROTTLED":
			cost := ans.Extensions.Cost
			if cost == nil {
				cost = e.Extensions.Cost
			}
			return s.fail(0, true, cost.wait(), "%s: Shopify is throttling requests (query cost over the shop's limit)", what)
		case "ACCESS_DENIED":
			return s.fail(0, false, 0, "%s: Shopify denied access%s (Shopify said: %s)", what, scopeHint([]string{e.Message, e.Extensions.RequiredAccess}), e.Message)
		case "INTERNAL_SERVER_ERROR":
			return s.fail(0, true, 0, "%s: Shopify had an error: %s", what, e.Message)
		}
	}
	if len(said) > 0 {
		return s.fail(0, false, 0, "%s: Shopify refused the request: %s", what, strings.Join(said, "; "))
	}
	if len(ans.Data) == 0 || string(ans.Data) == "null" {
		return s.fail(0, false, 0, "%s: Shopify answered without data", what)
	}
	if err := json.Unmarshal(ans.Data, out); err != nil {
		return s.fail(0, false, 0, "%s: Shopify's answer did not have the expected shape: %v", what, err)
	}
	return nil
}

// fail builds the *Error, keeping the token out of it whatever was echoed.
func (s *shopifyChannel) fail(status int, retry bool, wait time.Duration, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if tok := s.conn.Token; tok != "" {
		msg = strings.ReplaceAll(msg, tok, "[access token]")
	}
	return &Error{Kind: Shopify, Status: status, Message: msg, Retry: retry, RetryAfter: wait}
}

// shopifySaid reads the errors member, which Shopify sends as a string, a
// list of GraphQL errors or an object of lists.
func shopifySaid(raw json.RawMessage) []string {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var list []struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &list) == nil {
		var msgs []string
		for _, e := range list {
			if e.Message != "" {
				msgs = append(msgs, e.Message)
			}
		}
		return msgs
	}
	var byField map[string][]string
	if json.Unmarshal(raw, &byField) == nil {
		var msgs []string
		for field, ms := range byField {
			for _, m := range ms {
				msgs = append(msgs, field+" "+m)
			}
		}
		return msgs
	}
	return nil
}

func suffix(said []string) string {
	if len(said) == 0 {
		return ""
	}
	return ": Shopify said: " + strings.Join(said, "; ")
}

// scopeHint names the access scopes Shopify said are missing, if it did.
func scopeHint(said []string) string {
	var scopes []string
	seen := map[string]bool{}
	for _, m := range said {
		for _, sc := range shopifyScope.FindAllString(m, -1) {
			if !seen[sc] {
				seen[sc] = true
				scopes = append(scopes, sc)
			}
		}
	}
	switch len(scopes) {
	case 0:
		return ""
	case 1:
		return ": the custom app needs the " + scopes[0] + " access scope"
	default:
		return ": the custom app needs one of the access scopes " + strings.Join(scopes, ", ")
	}
}
