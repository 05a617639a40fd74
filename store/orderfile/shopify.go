package orderfile

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrUnusableWebhook is wrapped by every error of ParseShopifyOrder: the
// payload is not an order Dropline can fulfil. Shopify should not retry it.
var ErrUnusableWebhook = errors.New("unusable Shopify order")

// MaxShopifyBody is the largest webhook body ParseShopifyOrder reads.
const MaxShopifyBody = 5 << 20

// VerifyShopifyHMAC checks X-Shopify-Hmac-Sha256 (base64 of HMAC-SHA256 of
// the raw body with the shared secret), in constant time. An empty secret or
// header, or a header that is not base64, never verifies.
func VerifyShopifyHMAC(body []byte, header, secret string) bool {
	header = strings.TrimSpace(header)
	if secret == "" || header == "" {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(header)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// ParseShopifyOrder maps a Shopify orders/create payload (the bare order
// object, or wrapped as {"order": {...}}) to an Order with Channel "shopify":
//
//   - ChannelOrderID: the order's "name" (e.g. "#1001"), else its numeric
//     "id", else "order_number".
//   - PlacedAt: "created_at" (else "processed_at") in UTC; zero when absent
//     or not RFC 3339 (the caller fills in now).
//   - Currency: "currency".
//   - Customer: customer first_name + last_name; the first valid address
//     of the customer's email, the order's "email" and "contact_email" (an
//     invalid one is dropped, not fatal); customer phone, else the order's
//     "phone".
//   - ShipTo: "shipping_address": name (else first_name + last_name),
//     company, address1, address2, city, province (else province_code) as
//     Region, zip as PostalCode, country_code (else country) as Country,
//     phone.
//   - Lines: "line_items": sku, title (+ " - " + variant_title when present,
//     cut to MaxText characters), quantity, price (a decimal string or
//     number, read exactly into cents). Items with "requires_shipping": false
//     (gift cards, digital goods, tips) are left out: there is nothing to
//     ship.
//   - Note: "note", cut to MaxNote characters.
//   - ChannelRef and each line's ChannelLineID: the order's and line
//     items' GIDs as the Admin GraphQL API names them ("admin_graphql_api_id",
//     else made from the numeric "id"; "" when neither is there), so that an
//     order linked to a connected store later is the one its pull reads.
//
// Ids and numbers may come as JSON numbers or strings, and any field may be
// null. It returns an error wrapping ErrUnusableWebhook, saying why, when the
// payload cannot be used: not a JSON object, no line items (or none to
// ship), no shipping address, a bad quantity or price, or an order that
// fails Validate (the messages are listed).
func ParseShopifyOrder(body []byte) (Order, error) {
	unusable := func(format string, args ...any) (Order, error) {
		return Order{}, fmt.Errorf("%w: %s", ErrUnusableWebhook, fmt.Sprintf(format, args...))
	}
	if len(body) > MaxShopifyBody {
		return unusable("the payload is larger than %d MB", MaxShopifyBody>>20)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return unusable("the payload is not a JSON object")
	}
	if inner, ok := top["order"]; ok && bytes.HasPrefix(bytes.TrimSpace(inner), []byte("{")) {
		body = inner
	}
	var so shopifyOrder
	if err := json.Unmarshal(body, &so); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return unusable("field %q has the wrong type (%s)", te.Field, te.Value)
		}
		return unusable("the payload is not a Shopify order: %v", err)
	}

	o := Order{
		Channel:        "shopify",
		ChannelOrderID: cutText(string(firstOf(so.Name, so.ID, so.OrderNumber)), MaxText),
		Currency:       string(so.Currency),
		Note:           cutText(string(so.Note), MaxNote),
		ChannelRef:     shopifyGID("Order", so.GID, so.ID),
	}
	if o.ChannelOrderID == "" {
		return unusable("the order has no name or id")
	}
	for _, ts := range []jsonText{so.CreatedAt, so.ProcessedAt} {
		if t, err := time.Parse(time.RFC3339, strings.TrimSpace(string(ts))); err == nil {
			o.PlacedAt = t.UTC()
			break
		}
	}
	if c := so.Customer; c != nil {
		o.Customer = Customer{Name: joinName(c.FirstName, c.LastName), Email: string(c.Email), Phone: string(c.Phone)}
	}
	// The first valid email: one Validate would refuse is dropped rather
	// than losing a paid order over it.
	emails := []jsonText{jsonText(o.Customer.Email), so.Email, so.ContactEmail}
	o.Customer.Email = ""
	for _, e := range emails {
		if e := strings.TrimSpace(string(e)); validEmail(e) {
			o.Customer.Email = e
			break
		}
	}
	o.Customer.Phone = string(firstOf(jsonText(o.Customer.Phone), so.Phone))

	a := so.ShippingAddress
	if a == nil {
		return unusable("the order has no shipping address")
	}
	o.ShipTo = Address{
		Name:       string(firstOf(a.Name, jsonText(joinName(a.FirstName, a.LastName)))),
		Company:    string(a.Company),
		Address1:   string(a.Address1),
		Address2:   string(a.Address2),
		City:       string(a.City),
		Region:     string(firstOf(a.Province, a.ProvinceCode)),
		PostalCode: string(a.Zip),
		Country:    string(firstOf(a.CountryCode, a.Country)),
		Phone:      string(a.Phone),
	}

	if len(so.LineItems) == 0 {
		return unusable("the order has no line items")
	}
	for i, li := range so.LineItems {
		if li.RequiresShipping != nil && !*li.RequiresShipping {
			continue
		}
		title := strings.TrimSpace(string(li.Title))
		if v := strings.TrimSpace(string(li.VariantTitle)); v != "" {
			title = strings.TrimSpace(title + " - " + v)
		}
		l := Line{SKU: string(li.SKU), Title: cutText(title, MaxText), ChannelLineID: shopifyGID("LineItem", li.GID, li.ID)}
		q := strings.TrimSpace(string(li.Quantity))
		n, err := strconv.Atoi(q)
		if err != nil {
			return unusable("line_items[%d].quantity %q is not a whole number", i, clip(q))
		}
		l.Quantity = n
		if strings.TrimSpace(string(li.Price)) == "" {
			return unusable("line_items[%d] has no price", i)
		}
		if l.UnitPriceCents, err = ParseMoney(string(li.Price)); err != nil {
			return unusable("line_items[%d].price %v", i, err)
		}
		o.Lines = append(o.Lines, l)
	}
	if len(o.Lines) == 0 {
		return unusable("none of the order's line items needs shipping")
	}

	if errs := o.Validate(); errs != nil {
		keys := slices.Sorted(maps.Keys(errs))
		msgs := make([]string, len(keys))
		for i, k := range keys {
			msgs[i] = k + ": " + errs[k]
		}
		return unusable("%s", strings.Join(msgs, " "))
	}
	return o, nil
}

// shopifyOrder is the part of a Shopify order that Dropline reads.
type shopifyOrder struct {
	ID              jsonText         `json:"id"`
	GID             jsonText         `json:"admin_graphql_api_id"`
	Name            jsonText         `json:"name"`
	OrderNumber     jsonText         `json:"order_number"`
	CreatedAt       jsonText         `json:"created_at"`
	ProcessedAt     jsonText         `json:"processed_at"`
	Currency        jsonText         `json:"currency"`
	Email           jsonText         `json:"email"`
	ContactEmail    jsonText         `json:"contact_email"`
	Phone           jsonText         `json:"phone"`
	Note            jsonText         `json:"note"`
	Customer        *shopifyCustomer `json:"customer"`
	ShippingAddress *shopifyAddress  `json:"shipping_address"`
	LineItems       []shopifyLine    `json:"line_items"`
}

type shopifyCustomer struct {
	FirstName jsonText `json:"first_name"`
	LastName  jsonText `json:"last_name"`
	Email     jsonText `json:"email"`
	Phone     jsonText `json:"phone"`
}

type shopifyAddress struct {
	Name         jsonText `json:"name"`
	FirstName    jsonText `json:"first_name"`
	LastName     jsonText `json:"last_name"`
	Company      jsonText `json:"company"`
	Address1     jsonText `json:"address1"`
	Address2     jsonText `json:"address2"`
	City         jsonText `json:"city"`
	Province     jsonText `json:"province"`
	ProvinceCode jsonText `json:"province_code"`
	Zip          jsonText `json:"zip"`
	Country      jsonText `json:"country"`
	CountryCode  jsonText `json:"country_code"`
	Phone        jsonText `json:"phone"`
}

type shopifyLine struct {
	ID               jsonText `json:"id"`
	GID              jsonText `json:"admin_graphql_api_id"`
	SKU              jsonText `json:"sku"`
	Title            jsonText `json:"title"`
	VariantTitle     jsonText `json:"variant_title"`
	Quantity         jsonText `json:"quantity"`
	Price            jsonText `json:"price"`
	RequiresShipping *bool    `json:"requires_shipping"`
}

// jsonText is a JSON string, a number (as written: ids and prices never pass
// through a float), a boolean or null ("").
type jsonText string

// UnmarshalJSON accepts a string, number, boolean or null.
func (t *jsonText) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return errors.New("empty value")
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = jsonText(s)
	case string(b) == "null":
		*t = ""
	case b[0] == '{' || b[0] == '[':
		return &json.UnmarshalTypeError{Value: "object or array", Type: reflect.TypeFor[jsonText]()}
	default: // number or boolean, already checked by the decoder
		*t = jsonText(b)
	}
	return nil
}

// shopifyGID is a resource's GID: the payload's admin_graphql_api_id, else
// gid://shopify/{kind}/{id} for a numeric id, else "".
func shopifyGID(kind string, gid, id jsonText) string {
	if g := strings.TrimSpace(string(gid)); strings.HasPrefix(g, "gid://shopify/"+kind+"/") && len(g) <= MaxText {
		return g
	}
	n := strings.TrimSpace(string(id))
	if n == "" || len(n) > 20 || strings.TrimLeft(n, "0123456789") != "" {
		return ""
	}
	return "gid://shopify/" + kind + "/" + n
}

// firstOf returns the first value that is not blank.
func firstOf(vs ...jsonText) jsonText {
	for _, v := range vs {
		if strings.TrimSpace(string(v)) != "" {
			return v
		}
	}
	return ""
}

func joinName(first, last jsonText) string {
	return strings.TrimSpace(strings.TrimSpace(string(first)) + " " + strings.TrimSpace(string(last)))
}

// cutText trims s and cuts it to n runes, ending in "…" when cut.
func cutText(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n-1])) + "…"
}
