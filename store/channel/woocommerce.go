package channel

// WooCommerce speaks the WooCommerce REST API v3 under {site}/wp-json/wc/v3,
// signing every request with HTTP basic auth (consumer key as user, secret
// as password). WooCommerce only reads basic auth over HTTPS
// (WC_REST_Authentication::authenticate calls perform_basic_authentication
// only when is_ssl()), so plain http is refused except for test servers on
// the loopback address.
//
// References (fetched while writing this file):
//   - REST API docs: https://woocommerce.github.io/woocommerce-rest-api-docs/
//   - Collection parameters (page, per_page ≤ 100, modified_after,
//     dates_are_gmt, orderby=modified, order) and the X-WP-Total /
//     X-WP-TotalPages headers: WC_REST_CRUD_Controller::get_collection_params
//     and ::get_items (includes/rest-api/Controllers/Version3).
//   - sku= takes a comma-separated list and also matches variations:
//     WC_REST_Products_V2_Controller::prepare_objects_query ("Limit result set
//     to products with specific SKU(s). Use commas to separate."; post_type
//     forced to product + product_variation when sku is given).
//   - Order notes {note, customer_note}: WC_REST_Order_Notes_Controller.
//   - Authentication errors and their messages: WC_REST_Authentication.
//   - Shipment Tracking extension: https://woocommerce.com/document/shipment-tracking/shipment-tracking-rest-api-create-tracking-item/
//     (POST /wp-json/wc-shipment-tracking/v3/orders/<id>/shipment-trackings,
//     tracking_provider or custom_tracking_provider + custom_tracking_link,
//     tracking_number, date_shipped YYYY-MM-DD; answers 201 with tracking_id).

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

func init() {
	platforms[WooCommerce] = newWooCommerce
}

const (
	wooPerPage      = 100 // the REST API's maximum per_page
	wooBatchLimit   = 100 // woocommerce_rest_batch_items_limit's default
	wooSKUsPerQuery = 50  // keeps the query string short for proxies
	wooMaxBody      = 32 << 20
)

type wooCommerce struct {
	site        *url.URL // the site's address, without a trailing slash
	key, secret string
	http        *http.Client
	now         func() time.Time
}

func newWooCommerce(conn Conn) (Channel, error) {
	refuse := func(msg string) error { return &Error{Kind: WooCommerce, Message: msg} }
	raw := strings.TrimSpace(conn.BaseURL)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, refuse(fmt.Sprintf("the site URL %q is not a web address like https://shop.example.com", raw))
	}
	if u.User != nil {
		return nil, refuse("the site URL must not carry a user name or password: put the consumer key and secret in their own fields")
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, refuse("the site URL must start with https://: WooCommerce accepts a consumer key and secret only over HTTPS")
	}
	if conn.Key == "" || conn.Secret == "" {
		return nil, refuse("a WooCommerce connection needs both the consumer key (ck_…) and the consumer secret (cs_…)")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawQuery, u.Fragment, u.RawPath = "", "", ""
	client := conn.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	return &wooCommerce{site: u, key: conn.Key, secret: conn.Secret, http: client, now: time.Now}, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// wooAPIError is the body WordPress sends with a WP_Error:
// {"code":"…","message":"…","data":{"status":401}}. Some proxies (the
// WordPress.com one) say "error" instead of "code".
type wooAPIError struct {
	Code    string `json:"code"`
	Error   string `json:"error"`
	Message string `json:"message"`
}

func (e wooAPIError) code() string {
	if e.Code != "" {
		return e.Code
	}
	return e.Error
}

// wooStatusError keeps the platform's code beside the *Error so callers
// can react to one (rest_no_route) without parsing messages.
type wooStatusError struct {
	err  *Error
	code string
}

func (e *wooStatusError) Error() string { return e.err.Error() }
func (e *wooStatusError) Unwrap() error { return e.err }

// call sends one request to {site}/wp-json/{route} and decodes a 2xx JSON
// answer into out. op names what was being done, for the message.
func (w *wooCommerce) call(ctx context.Context, op, method, route string, query url.Values, body, out any) (http.Header, error) {
	u := *w.site
	u.Path = w.site.Path + "/wp-json/" + route
	if query != nil {
		u.RawQuery = query.Encode()
	}
	var reqBody io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("woocommerce: %s: encode request: %w", op, err)
		}
		reqBody = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), reqBody)
	if err != nil {
		return nil, fmt.Errorf("woocommerce: %s: %w", op, err)
	}
	req.SetBasicAuth(w.key, w.secret)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := w.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("woocommerce: %s: %w", op, ctx.Err())
		}
		// The URL holds no credential (they travel in the Authorization
		// header and newWooCommerce refuses user info), so the error text
		// is safe to show.
		return nil, &Error{Kind: WooCommerce, Message: fmt.Sprintf("%s: could not reach the site: %v", op, err), Retry: true}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, wooMaxBody))
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("woocommerce: %s: %w", op, ctx.Err())
		}
		return nil, &Error{Kind: WooCommerce, Status: resp.StatusCode, Message: fmt.Sprintf("%s: reading the answer: %v", op, err), Retry: true}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.Header, wooHTTPError(op, resp, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.Header, &Error{Kind: WooCommerce, Status: resp.StatusCode, Message: op + ": " + notJSON(data, err)}
		}
	}
	return resp.Header, nil
}

// notJSON explains a 2xx answer that is not the JSON asked for: most often
// a WordPress theme page served because the REST API is not where we asked.
func notJSON(data []byte, err error) string {
	if looksLikeHTML(data) {
		return "the site answered with an HTML page, not the WordPress REST API: check the site URL is the WordPress site itself (not a landing page) and that WordPress permalinks are not set to Plain"
	}
	return fmt.Sprintf("the site's answer is not the JSON WooCommerce sends: %v", err)
}

func looksLikeHTML(data []byte) bool {
	s := strings.ToLower(strings.TrimSpace(string(data[:min(len(data), 512)])))
	return strings.HasPrefix(s, "<!doctype html") || strings.HasPrefix(s, "<html") || strings.Contains(s, "<head") || strings.Contains(s, "<body")
}

func wooHTTPError(op string, resp *http.Response, data []byte) error {
	e := &Error{Kind: WooCommerce, Status: resp.StatusCode}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Retry = true
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
	case resp.StatusCode >= 500:
		e.Retry = true
	}
	var body wooAPIError
	if err := json.Unmarshal(data, &body); err != nil || (body.code() == "" && body.Message == "") {
		what := "an answer that is not WooCommerce's JSON"
		if looksLikeHTML(data) {
			what = "an HTML page"
		}
		e.Message = fmt.Sprintf("%s: the site answered %d %s with %s", op, resp.StatusCode, http.StatusText(resp.StatusCode), what)
		if resp.StatusCode == http.StatusNotFound {
			e.Message += ": there is no WordPress REST API at this site URL (check the URL, and that WordPress permalinks are not set to Plain)"
		}
		return e
	}
	code := body.code()
	said := strings.TrimSpace(body.Message)
	e.Message = fmt.Sprintf("%s: %s (WooCommerce: %s [%s])", op, explainWooCode(resp.StatusCode, code, said), said, code)
	return &wooStatusError{err: e, code: code}
}

// explainWooCode turns WooCommerce's codes into what the merchant should do.
// The codes and messages are WC_REST_Authentication's and the controllers'.
func explainWooCode(status int, code, said string) string {
	lower := strings.ToLower(said)
	switch {
	case code == "woocommerce_rest_authentication_error" && strings.Contains(lower, "read permission"):
		return "the API key has no Read permission: in WooCommerce → Settings → Advanced → REST API, set the key's permissions to Read/Write"
	case code == "woocommerce_rest_authentication_error" && strings.Contains(lower, "write permission"):
		return "the API key has no Write permission: in WooCommerce → Settings → Advanced → REST API, set the key's permissions to Read/Write"
	case code == "woocommerce_rest_authentication_error" && strings.Contains(lower, "secret"):
		return "the consumer secret does not match the consumer key: paste the secret shown when the key was created"
	case code == "woocommerce_rest_authentication_error":
		return "WooCommerce refused the consumer key and secret"
	case strings.HasPrefix(code, "woocommerce_rest_cannot_"):
		// WooCommerce does not say "unknown key": an unknown key leaves the
		// request anonymous, and the anonymous request is refused here.
		return "WooCommerce did not accept the consumer key: it is unknown (mistyped or revoked), the web server strips the Authorization header before WordPress sees it, or the key's user may not manage this (give the key to an Administrator or Shop manager)"
	case code == "rest_no_route":
		return "WooCommerce's REST API was not found at this site URL: check the URL, that WooCommerce is active, and that WordPress permalinks are not set to Plain"
	case status == http.StatusTooManyRequests:
		return "the site is throttling requests"
	case status >= 500:
		return "the site failed to answer"
	}
	return "WooCommerce refused the request"
}

func wooCode(err error) string {
	var se *wooStatusError
	if errors.As(err, &se) {
		return se.code
	}
	return ""
}

// plain hands callers the *Error itself, so that a type switch on *Error
// works as well as errors.As.
func plain(err error) error {
	var se *wooStatusError
	if errors.As(err, &se) {
		return se.err
	}
	return err
}

// Test reads the site's name from the WordPress REST index (GET /wp-json/,
// whose "name" is the blogname option and "namespaces" lists the active
// APIs) and the store's currency from the woocommerce_currency setting,
// which also proves the key can read WooCommerce.
func (w *wooCommerce) Test(ctx context.Context) (Shop, error) {
	var index struct {
		Name       string   `json:"name"`
		URL        string   `json:"url"`
		Home       string   `json:"home"`
		Namespaces []string `json:"namespaces"`
	}
	if _, err := w.call(ctx, "test connection", http.MethodGet, "", nil, nil, &index); err != nil {
		return Shop{}, plain(err)
	}
	if index.Namespaces != nil && !contains(index.Namespaces, "wc/v3") {
		return Shop{}, &Error{Kind: WooCommerce, Status: http.StatusOK, Message: "test connection: this WordPress site does not offer WooCommerce's REST API (wc/v3): is WooCommerce installed and activated?"}
	}
	// GET /settings/<group>/<id> answers one setting: {"id","value",…}.
	var currency struct {
		Value string `json:"value"`
	}
	if _, err := w.call(ctx, "test connection", http.MethodGet, "wc/v3/settings/general/woocommerce_currency", nil, nil, &currency); err != nil {
		return Shop{}, plain(err)
	}
	domain := w.site.Host
	if h, err := url.Parse(index.Home); err == nil && h.Host != "" {
		domain = h.Host
	}
	return Shop{Name: index.Name, Domain: domain, Currency: currency.Value}, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// wooNumber accepts a JSON number or a string holding one: stores with
// some plugins send ids and quantities as strings.
type wooNumber string

func (n *wooNumber) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		*n = ""
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		s = strings.TrimSpace(str)
	}
	*n = wooNumber(s)
	return nil
}

// cents turns a decimal amount ("12.50", 16.2, 8.3333333) into cents
// exactly, rounding half away from zero at the third decimal.
func (n wooNumber) cents() (int64, error) {
	if n == "" {
		return 0, nil
	}
	r, ok := new(big.Rat).SetString(string(n))
	if !ok {
		return 0, fmt.Errorf("%q is not an amount", string(n))
	}
	r.Mul(r, big.NewRat(100, 1))
	num, den := r.Num(), r.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	// Round half away from zero: compare 2|m| with den.
	if new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2)).Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	if !q.IsInt64() {
		return 0, fmt.Errorf("%q is out of range", string(n))
	}
	return q.Int64(), nil
}

// whole reads a count that must be a whole number (quantities, ids).
func (n wooNumber) whole() (int64, error) {
	r, ok := new(big.Rat).SetString(string(n))
	if !ok || !r.IsInt() || !r.Num().IsInt64() {
		return 0, fmt.Errorf("%q is not a whole number", string(n))
	}
	return r.Num().Int64(), nil
}

type wooAddress struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Company   string `json:"company"`
	Address1  string `json:"address_1"`
	Address2  string `json:"address_2"`
	City      string `json:"city"`
	State     string `json:"state"`
	Postcode  string `json:"postcode"`
	Country   string `json:"country"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
}

type wooLineItem struct {
	ID       wooNumber `json:"id"`
	Name     string    `json:"name"`
	SKU      string    `json:"sku"`
	Quantity wooNumber `json:"quantity"`
	Price    wooNumber `json:"price"` // unit price after discounts, a JSON number
}

type wooOrder struct {
	ID              wooNumber     `json:"id"`
	Number          string        `json:"number"`
	Status          string        `json:"status"`
	Currency        string        `json:"currency"`
	Total           wooNumber     `json:"total"`
	DateCreatedGMT  string        `json:"date_created_gmt"`
	DateModifiedGMT string        `json:"date_modified_gmt"`
	Billing         wooAddress    `json:"billing"`
	Shipping        wooAddress    `json:"shipping"`
	LineItems       []wooLineItem `json:"line_items"`
}

// wooTime reads WooCommerce's *_gmt dates, which carry no zone: they are UTC.
func wooTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.ParseInLocation("2006-01-02T15:04:05", s, time.UTC)
}

func (o wooOrder) toOrder() (Order, error) {
	id, err := o.ID.whole()
	if err != nil {
		return Order{}, fmt.Errorf("order id: %w", err)
	}
	out := Order{
		ChannelID: strconv.FormatInt(id, 10),
		Number:    "#" + o.Number,
		Email:     o.Billing.Email,
		Currency:  o.Currency,
		Cancelled: o.Status == "cancelled",
		ShipTo:    wooShipTo(o.Shipping, o.Billing),
	}
	if o.Number == "" {
		out.Number = "#" + out.ChannelID
	}
	if out.TotalCents, err = o.Total.cents(); err != nil {
		return Order{}, fmt.Errorf("order %s total: %w", out.ChannelID, err)
	}
	if out.CreatedAt, err = wooTime(o.DateCreatedGMT); err != nil {
		return Order{}, fmt.Errorf("order %s date_created_gmt: %w", out.ChannelID, err)
	}
	if out.UpdatedAt, err = wooTime(o.DateModifiedGMT); err != nil {
		return Order{}, fmt.Errorf("order %s date_modified_gmt: %w", out.ChannelID, err)
	}
	if out.Cancelled {
		// WooCommerce keeps no cancellation time or reason: the order's
		// last change is when it became cancelled, as far as anyone knows.
		out.CancelledAt = out.UpdatedAt
	}
	for _, li := range o.LineItems {
		lid, err := li.ID.whole()
		if err != nil {
			return Order{}, fmt.Errorf("order %s line item id: %w", out.ChannelID, err)
		}
		// WooCommerce core sells whole units; a plugin selling by measure
		// can store 1.5. Rounding would ship the wrong amount, so refuse.
		qty, err := li.Quantity.whole()
		if err != nil {
			return Order{}, fmt.Errorf("order %s line item %d (%s) quantity: %w", out.ChannelID, lid, li.Name, err)
		}
		price, err := li.Price.cents()
		if err != nil {
			return Order{}, fmt.Errorf("order %s line item %d price: %w", out.ChannelID, lid, err)
		}
		out.Lines = append(out.Lines, Line{
			ChannelID:  strconv.FormatInt(lid, 10),
			SKU:        li.SKU,
			Title:      li.Name,
			Quantity:   int(qty),
			PriceCents: price,
		})
	}
	return out, nil
}

// wooShipTo is the shipping address, or the billing one when the order has
// none (stores set to "ship to the billing address" leave shipping empty).
func wooShipTo(s, b wooAddress) Address {
	if s.Address1 == "" && s.City == "" && s.Country == "" {
		s = b
	}
	phone := s.Phone
	if phone == "" {
		phone = b.Phone
	}
	return Address{
		Name:       strings.TrimSpace(s.FirstName + " " + s.LastName),
		Company:    s.Company,
		Line1:      s.Address1,
		Line2:      s.Address2,
		City:       s.City,
		Region:     s.State,
		PostalCode: s.Postcode,
		Country:    s.Country,
		Phone:      phone,
	}
}

// PullOrders lists orders modified since, oldest change first, 100 a
// page; the cursor is the next page number.
func (w *wooCommerce) PullOrders(ctx context.Context, since time.Time, cursor string) ([]Order, string, error) {
	page := 1
	if cursor != "" {
		p, err := strconv.Atoi(cursor)
		if err != nil || p < 1 {
			return nil, "", fmt.Errorf("woocommerce: pull orders: cursor %q is not a page number", cursor)
		}
		page = p
	}
	q := url.Values{}
	// modified_after is exclusive and second-grained; a second earlier
	// makes "at or after since" hold (an order seen twice is harmless).
	// dates_are_gmt makes the site compare with date_modified_gmt instead
	// of its local time.
	q.Set("modified_after", since.UTC().Truncate(time.Second).Add(-time.Second).Format("2006-01-02T15:04:05"))
	q.Set("dates_are_gmt", "true")
	q.Set("orderby", "modified")
	q.Set("order", "asc")
	q.Set("per_page", strconv.Itoa(wooPerPage))
	q.Set("page", strconv.Itoa(page))
	var raw []wooOrder
	h, err := w.call(ctx, "pull orders", http.MethodGet, "wc/v3/orders", q, nil, &raw)
	if err != nil {
		return nil, "", plain(err)
	}
	orders := make([]Order, 0, len(raw))
	for _, o := range raw {
		order, err := o.toOrder()
		if err != nil {
			return nil, "", &Error{Kind: WooCommerce, Status: http.StatusOK, Message: "pull orders: " + err.Error()}
		}
		orders = append(orders, order)
	}
	next := ""
	if total, err := strconv.Atoi(h.Get("X-WP-TotalPages")); err == nil {
		if page < total {
			next = strconv.Itoa(page + 1)
		}
	} else if len(raw) == wooPerPage {
		// No header (a caching proxy dropped it): a full page may have more.
		next = strconv.Itoa(page + 1)
	}
	return orders, next, nil
}

type wooTracking struct {
	TrackingID     string `json:"tracking_id"`
	TrackingNumber string `json:"tracking_number"`
}

type wooNote struct {
	ID   wooNumber `json:"id"`
	Note string    `json:"note"`
}

// PushFulfillment records the tracking number with the Shipment Tracking
// extension when the site has it, else as a customer-visible order note,
// then completes the order when f.Complete. A retry finds the tracking or
// note that already carries f.Number and returns it instead of adding one.
func (w *wooCommerce) PushFulfillment(ctx context.Context, f Fulfillment) (string, error) {
	orderID, err := strconv.ParseInt(f.OrderChannelID, 10, 64)
	if err != nil || orderID <= 0 {
		return "", &Error{Kind: WooCommerce, Message: fmt.Sprintf("push fulfillment: %q is not a WooCommerce order id", f.OrderChannelID)}
	}
	number := strings.TrimSpace(f.Number)
	if number == "" {
		return "", &Error{Kind: WooCommerce, Message: fmt.Sprintf("push fulfillment: order %d: the shipment has no tracking number to send", orderID)}
	}
	id, err := w.pushTracking(ctx, orderID, number, f)
	if wooCode(err) == "rest_no_route" {
		id, err = w.pushNote(ctx, orderID, number, f)
	}
	if err != nil {
		return "", plain(err)
	}
	if f.Complete {
		// Completing after the tracking is saved puts it in the Completed
		// Order email (Shipment Tracking docs). Setting a status the order
		// already has is no transition, so a retry sends no second email.
		body := map[string]string{"status": "completed"}
		if _, err := w.call(ctx, fmt.Sprintf("complete order %d", orderID), http.MethodPut, fmt.Sprintf("wc/v3/orders/%d", orderID), nil, body, nil); err != nil {
			return "", plain(err)
		}
	}
	return id, nil
}

func (w *wooCommerce) pushTracking(ctx context.Context, orderID int64, number string, f Fulfillment) (string, error) {
	route := fmt.Sprintf("wc-shipment-tracking/v3/orders/%d/shipment-trackings", orderID)
	op := fmt.Sprintf("push tracking to order %d", orderID)
	var existing []wooTracking
	if _, err := w.call(ctx, op, http.MethodGet, route, nil, nil, &existing); err != nil {
		return "", err
	}
	for _, t := range existing {
		if strings.TrimSpace(t.TrackingNumber) == number {
			return t.TrackingID, nil
		}
	}
	body := map[string]string{
		"tracking_number": number,
		"date_shipped":    cmp.Or(f.ShipDate, w.now().UTC().Format("2006-01-02")),
	}
	if f.URL != "" {
		// A custom provider shows our carrier name and link as they are;
		// a predefined provider needs the extension's exact name.
		body["custom_tracking_provider"] = f.Carrier
		body["custom_tracking_link"] = f.URL
	} else {
		body["tracking_provider"] = f.Carrier
	}
	var created wooTracking
	if _, err := w.call(ctx, op, http.MethodPost, route, nil, body, &created); err != nil {
		return "", err
	}
	if created.TrackingID == "" {
		return "", &Error{Kind: WooCommerce, Status: http.StatusCreated, Message: op + ": Shipment Tracking answered without a tracking_id"}
	}
	return created.TrackingID, nil
}

func (w *wooCommerce) pushNote(ctx context.Context, orderID int64, number string, f Fulfillment) (string, error) {
	route := fmt.Sprintf("wc/v3/orders/%d/notes", orderID)
	op := fmt.Sprintf("add tracking note to order %d", orderID)
	var notes []wooNote
	if _, err := w.call(ctx, op, http.MethodGet, route, url.Values{"type": {"customer"}}, nil, &notes); err != nil {
		return "", err
	}
	// Our own note's wording, so that "123" does not match a note about
	// "1234" or a human's remark.
	mark := "Tracking number: " + number + "."
	for _, n := range notes {
		if strings.Contains(n.Note, mark) {
			return string(n.ID), nil
		}
	}
	// customer_note makes the note visible in the customer's account and
	// makes WooCommerce send its "Customer note" email.
	body := map[string]any{"note": wooNoteText(number, f), "customer_note": true}
	var created wooNote
	if _, err := w.call(ctx, op, http.MethodPost, route, nil, body, &created); err != nil {
		return "", err
	}
	if created.ID == "" {
		return "", &Error{Kind: WooCommerce, Status: http.StatusCreated, Message: op + ": WooCommerce answered without the note's id"}
	}
	return string(created.ID), nil
}

func wooNoteText(number string, f Fulfillment) string {
	var b strings.Builder
	b.WriteString("Your order has shipped")
	if f.Carrier != "" {
		b.WriteString(" with " + f.Carrier)
	}
	b.WriteString(". Tracking number: " + number + ".")
	if f.URL != "" {
		b.WriteString(" Track it: " + f.URL)
	}
	return b.String()
}

type wooProductRef struct {
	ID       wooNumber `json:"id"`
	ParentID wooNumber `json:"parent_id"`
	SKU      string    `json:"sku"`
	Type     string    `json:"type"`
}

type wooStockUpdate struct {
	ID            int64 `json:"id"`
	StockQuantity int   `json:"stock_quantity"`
	ManageStock   bool  `json:"manage_stock"`
}

// PushStock finds products and variations by SKU (GET /products?sku=a,b
// also matches variations), then sets their stock_quantity through
// POST /products/batch and POST /products/{parent}/variations/batch, at
// most 100 updates a request. It returns the SKUs the store does not have.
func (w *wooCommerce) PushStock(ctx context.Context, levels []StockLevel) ([]string, error) {
	want, order := levelsBySKU(levels)
	if len(order) == 0 {
		return nil, nil
	}
	found, err := w.findBySKU(ctx, order)
	if err != nil {
		return nil, plain(err)
	}
	var missing []string
	var products []wooStockUpdate
	variations := map[int64][]wooStockUpdate{}
	skuOf := map[int64]string{}
	for _, sku := range order {
		refs := found[sku]
		if len(refs) == 0 {
			missing = append(missing, sku)
			continue
		}
		// A SKU is unique in WooCommerce, but set every match if not.
		for _, r := range refs {
			id, err := r.ID.whole()
			if err != nil {
				return nil, &Error{Kind: WooCommerce, Status: http.StatusOK, Message: fmt.Sprintf("push stock: product with SKU %s: id %v", sku, err)}
			}
			skuOf[id] = sku
			u := wooStockUpdate{ID: id, StockQuantity: want[sku], ManageStock: true}
			parent, _ := r.ParentID.whole()
			if r.Type == "variation" && parent > 0 {
				variations[parent] = append(variations[parent], u)
			} else {
				products = append(products, u)
			}
		}
	}
	var failed []string
	f, err := w.batch(ctx, "wc/v3/products/batch", products, skuOf)
	if err != nil {
		return nil, plain(err)
	}
	failed = append(failed, f...)
	parents := make([]int64, 0, len(variations))
	for p := range variations {
		parents = append(parents, p)
	}
	sort.Slice(parents, func(i, j int) bool { return parents[i] < parents[j] })
	for _, p := range parents {
		f, err := w.batch(ctx, fmt.Sprintf("wc/v3/products/%d/variations/batch", p), variations[p], skuOf)
		if err != nil {
			return nil, plain(err)
		}
		failed = append(failed, f...)
	}
	if len(failed) > 0 {
		return missing, &Error{Kind: WooCommerce, Status: http.StatusOK, Message: "push stock: WooCommerce refused " + strings.Join(failed, "; ")}
	}
	return missing, nil
}

// findBySKU looks SKUs up a few dozen at a time. WooCommerce splits sku=
// on commas, so a SKU that holds a comma is asked for alone (the whole
// string is matched too).
func (w *wooCommerce) findBySKU(ctx context.Context, skus []string) (map[string][]wooProductRef, error) {
	found := map[string][]wooProductRef{}
	var groups [][]string
	var plain []string
	for _, s := range skus {
		switch {
		case s == "":
		case strings.Contains(s, ","):
			groups = append(groups, []string{s})
		default:
			plain = append(plain, s)
		}
	}
	for len(plain) > 0 {
		n := min(len(plain), wooSKUsPerQuery)
		groups = append(groups, plain[:n])
		plain = plain[n:]
	}
	for _, g := range groups {
		wanted := map[string]bool{}
		for _, s := range g {
			wanted[s] = true
		}
		for page := 1; ; page++ {
			q := url.Values{}
			q.Set("sku", strings.Join(g, ","))
			q.Set("per_page", strconv.Itoa(wooPerPage))
			q.Set("page", strconv.Itoa(page))
			var refs []wooProductRef
			h, err := w.call(ctx, "push stock: find products by SKU", http.MethodGet, "wc/v3/products", q, nil, &refs)
			if err != nil {
				return nil, err
			}
			for _, r := range refs {
				if wanted[r.SKU] {
					found[r.SKU] = append(found[r.SKU], r)
				}
			}
			total, err := strconv.Atoi(h.Get("X-WP-TotalPages"))
			if err != nil || page >= total {
				break
			}
		}
	}
	return found, nil
}

// batch sends updates at most 100 a request and returns the items
// WooCommerce refused, each as "SKU: message". The batch answer holds, per
// item, the product or {"id":…,"error":{"code","message"}}.
func (w *wooCommerce) batch(ctx context.Context, route string, updates []wooStockUpdate, skuOf map[int64]string) ([]string, error) {
	var failed []string
	for len(updates) > 0 {
		n := min(len(updates), wooBatchLimit)
		chunk := updates[:n]
		updates = updates[n:]
		var out struct {
			Update []struct {
				ID    wooNumber    `json:"id"`
				Error *wooAPIError `json:"error"`
			} `json:"update"`
		}
		if _, err := w.call(ctx, "push stock", http.MethodPost, route, nil, map[string]any{"update": chunk}, &out); err != nil {
			return nil, err
		}
		for _, item := range out.Update {
			if item.Error == nil {
				continue
			}
			id, _ := item.ID.whole()
			name := skuOf[id]
			if name == "" {
				name = "product " + string(item.ID)
			}
			failed = append(failed, fmt.Sprintf("%s: %s [%s]", name, item.Error.Message, item.Error.code()))
		}
	}
	return failed, nil
}
