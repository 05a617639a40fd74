package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// TestWebsiteSupplierJourney: a merchant's staff dropship an order of a
// website supplier's product. The form shows the product's page on the
// site, the cost, the variant, the customer's address to copy and the
// warning; a bad amount paid comes back with its message and nothing
// written; then the order placed on the site is recorded with the PO. The
// merchant enters the tracking on the PO's website page: the order ships,
// the customer's email is queued. Another merchant and the linked supplier
// cannot open that page.
func TestWebsiteSupplierJourney(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := t.Context()
	c := env.client()
	c.login(w.adminA.Email)

	list := c.get("/suppliers-outside")
	if list.status != http.StatusOK || !strings.Contains(list.doc.Find(`[data-testid="managed-suppliers"]`).Text(), "Site of Merchant A") {
		t.Fatalf("suppliers outside Dropline: %d\n%s", list.status, list.doc.Find("main").Text())
	}
	before := env.dbDigest()
	bad := c.post("/suppliers-outside", url.Values{"contact": {"website"}, "name": {"CJ"}, "website": {"ftp://cj"}})
	if bad.status != http.StatusUnprocessableEntity || bad.doc.Find(`[data-testid="add-website-supplier"] [data-testid="error-website"]`).Length() != 1 {
		t.Fatalf("bad site: %d", bad.status)
	}
	if env.dbDigest() != before {
		t.Fatal("a refused supplier changed the database")
	}

	// An order of the site's product: the world pulls the site's catalog.
	env.websitePO(w.as)
	o, _, err := env.db.CreateOrder(ctx, store.CLIActor, w.merchantA.ID, orderWithSKU("W-2001", "S-100-W", 2))
	if err != nil {
		t.Fatal(err)
	}
	orderPath := "/orders/" + strconv.FormatInt(o.ID, 10)
	page := c.get(orderPath)
	site := page.doc.Find(`[data-testid="website-order"]`)
	if site.Length() != 1 {
		t.Fatalf("no website order block:\n%s", page.doc.Find(`[data-testid="dropship-form"]`).Text())
	}
	if href := site.Find(`[data-testid="open-supplier-page"]`).AttrOr("href", ""); href != "https://site.example.com/item/1" {
		t.Errorf("Open supplier page goes to %q", href)
	}
	text := strings.Join(strings.Fields(site.Text()), " ")
	for _, want := range []string{"customer's address", "never yours", "S-100-W", "$3.00", "Ada"} {
		if !strings.Contains(text, want) {
			t.Errorf("the website block lacks %q: %s", want, text)
		}
	}
	if site.Find(`[data-copy="1 Main St"]`).Length() != 1 {
		t.Error("no copy button for the address line")
	}
	form := page.doc.Find(`[data-testid="dropship-form"] form`)
	values := formValues(form)
	values.Set("confirm", "true")
	var prefix string
	for k := range values {
		if strings.HasSuffix(k, "_number") && strings.HasPrefix(k, "external_") {
			prefix = strings.TrimSuffix(k, "number")
		}
	}
	if prefix == "" {
		t.Fatalf("no external order fields in %v", values)
	}
	values.Set(prefix+"number", "AE-8123456")
	values.Set(prefix+"paid", "six dollars")
	before = env.dbDigest()
	p := c.post(form.AttrOr("action", ""), values)
	if p.status != http.StatusUnprocessableEntity || p.doc.Find(`[data-testid="error-`+prefix+`paid"]`).Length() != 1 {
		t.Fatalf("bad amount: %d\n%s", p.status, p.doc.Find(`[data-testid="website-order"]`).Text())
	}
	if env.dbDigest() != before {
		t.Fatal("a refused dropship changed the database")
	}
	if got := p.doc.Find(`[data-testid="external-number"]`).AttrOr("value", ""); got != "AE-8123456" {
		t.Errorf("the re-shown form lost the typed order number: %q", got)
	}
	values.Set(prefix+"paid", "6.40")
	if p := c.post(form.AttrOr("action", ""), values); p.status != http.StatusSeeOther {
		t.Fatalf("dropship: %d\n%s", p.status, p.doc.Find(`[data-testid="dropship-problems"]`).Text())
	}
	pos, err := env.db.OrderPurchaseOrders(ctx, w.merchantA.ID, o.ID)
	if err != nil || len(pos) != 1 {
		t.Fatalf("POs: %+v %v", pos, err)
	}
	po := pos[0]
	if po.External.Number != "AE-8123456" || po.External.PaidCents == nil || *po.External.PaidCents != 640 || po.External.Currency != "USD" {
		t.Errorf("external order %+v", po.External)
	}
	poPage := c.get("/purchase-orders/" + strconv.FormatInt(po.ID, 10))
	if got := poPage.doc.Find(`[data-testid="website-po-summary"]`).Text(); !strings.Contains(got, "order AE-8123456, paid $6.40") {
		t.Errorf("PO page says %q", got)
	}

	// Tracking, entered by the merchant's staff.
	staff := env.client()
	staff.login(w.staffA.Email)
	work := staff.get(poPage.doc.Find(`[data-testid="work-website-po"]`).AttrOr("href", ""))
	if work.status != http.StatusOK || work.doc.Find(`[data-testid="tracking-form"]`).Length() != 1 || work.doc.Find(`[data-testid="acknowledged"]`).Length() != 1 {
		t.Fatalf("website PO page: %d\n%s", work.status, work.doc.Find("main").Text())
	}
	tf := work.doc.Find(`[data-testid="tracking-form"] form`)
	tv := formValues(tf)
	tv.Set("carrier", "usps")
	tv.Set("tracking_number", "9400100000000000000011")
	tv.Set("override", "true")
	if r := staff.post(tf.AttrOr("action", ""), tv); r.status != http.StatusSeeOther {
		t.Fatalf("tracking: %d\n%s", r.status, r.doc.Find("main").Text())
	}
	if got := strings.TrimSpace(c.get(orderPath).doc.Find(`h1 [data-testid="order-status"]`).Text()); got != "Shipped" {
		t.Errorf("order status %q, want Shipped", got)
	}
	mails, err := env.db.OutboxList(ctx, w.merchantA.ID, store.OutboxFilter{Kind: store.OutboxEmail}, 50)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range mails {
		found = found || (m.Topic == "customer.shipped" && strings.Contains(m.Body, "9400100000000000000011"))
	}
	if !found {
		t.Error("no shipping email to the customer")
	}

	// Nobody else works it.
	path := "/purchase-orders/" + strconv.FormatInt(po.ID, 10) + "/website"
	other := env.client()
	other.login(w.adminB.Email)
	if r := other.get(path); r.status != http.StatusNotFound {
		t.Errorf("merchant B opens A's website PO: %d", r.status)
	}
	sup := env.client()
	sup.login(w.adminS.Email)
	if r := sup.get(path); r.status != http.StatusNotFound && r.status != http.StatusForbidden {
		t.Errorf("supplier S opens A's website PO: %d", r.status)
	}
	if r := sup.get("/dropship-orders/" + strconv.FormatInt(po.ID, 10)); r.status != http.StatusNotFound {
		t.Errorf("supplier S opens the website PO as its own: %d", r.status)
	}
}

// orderWithSKU is a manual order for quantity of sku, shipped to Ada.
func orderWithSKU(number, sku string, quantity int) orderfile.Order {
	return orderfile.Order{Channel: "manual", ChannelOrderID: number, Currency: "USD", Customer: orderfile.Customer{Name: "Ada", Email: "ada@example.com"},
		ShipTo: orderfile.Address{Name: "Ada", Address1: "1 Main St", City: "Springfield", PostalCode: "62701", Country: "US"},
		Lines:  []orderfile.Line{{SKU: sku, Title: "Site item, blue", Quantity: quantity, UnitPriceCents: 900}}}
}

// TestWebsiteSupplierThroughTheAPI: with a merchant token, an order of a
// website supplier's product is dropshipped with the site's order in
// external_orders; the PO answers with it; a correction goes through
// external-order; the merchant adds the PO's shipment and marks it
// delivered, as a supplier would; another merchant's token gets 404.
func TestWebsiteSupplierThroughTheAPI(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	env.websitePO(w.as)
	ctx := t.Context()
	o, _, err := env.db.CreateOrder(ctx, store.CLIActor, w.merchantA.ID, orderWithSKU("W-3001", "S-100-W", 1))
	if err != nil {
		t.Fatal(err)
	}
	orderPath := "/api/v1/orders/" + strconv.FormatInt(o.ID, 10)
	status, body := env.api("POST", orderPath+"/dropship", w.tokenA, `{"confirm":true,"external_orders":{"Nobody":{"number":"X"}}}`)
	if status != http.StatusUnprocessableEntity || !strings.Contains(fmtJSON(body), "external_orders.Nobody") {
		t.Fatalf("unknown website supplier: %d %v", status, body)
	}
	status, body = env.api("POST", orderPath+"/dropship", w.tokenA, `{"confirm":true,"external_orders":{"Site of Merchant A":{"number":"AE-1","paid":"abc"}}}`)
	if status != http.StatusUnprocessableEntity || !strings.Contains(fmtJSON(body), "external_orders.Site of Merchant A.paid") {
		t.Fatalf("bad amount: %d %v", status, body)
	}
	status, body = env.api("POST", orderPath+"/dropship", w.tokenA, `{"confirm":true,"external_orders":{"Site of Merchant A":{"number":"AE-1","paid":"3.10"}}}`)
	if status != http.StatusCreated {
		t.Fatalf("dropship: %d %v", status, body)
	}
	po := body["purchase_orders"].([]any)[0].(map[string]any)
	poPath := "/api/v1/purchase-orders/" + strconv.FormatInt(int64(po["id"].(float64)), 10)
	if ext, _ := po["external_order"].(map[string]any); ext["number"] != "AE-1" || ext["paid"] != "3.10" || po["supplier"].(map[string]any)["outside_dropline"] != "website" {
		t.Errorf("PO answered %v", po)
	}
	if status, body = env.api("POST", poPath+"/external-order", w.tokenA, `{"number":"AE-2","paid":"3.20","notes":"re-ordered"}`); status != http.StatusOK ||
		body["external_order"].(map[string]any)["number"] != "AE-2" {
		t.Fatalf("external-order: %d %v", status, body)
	}
	if status, _ := env.api("POST", poPath+"/external-order", w.tokenB, `{"number":"AE-3"}`); status != http.StatusNotFound {
		t.Errorf("merchant B records A's site order: %d", status)
	}
	if status, _ := env.api("POST", poPath+"/shipments", w.tokenB, `{"carrier":"usps","tracking_number":"9400100000000000000011","ship_date":"2026-12-01","override":true}`); status != http.StatusNotFound {
		t.Errorf("merchant B adds a shipment to A's website PO: %d", status)
	}
	today := time.Now().UTC().Format(time.DateOnly)
	status, body = env.api("POST", poPath+"/shipments", w.tokenA, `{"carrier":"usps","tracking_number":"9400100000000000000011","ship_date":"`+today+`","override":true}`)
	if status != http.StatusCreated {
		t.Fatalf("shipment: %d %v", status, body)
	}
	shipPath := "/api/v1/shipments/" + strconv.FormatInt(int64(body["id"].(float64)), 10) + "/delivered"
	if status, _ := env.api("POST", shipPath, w.tokenB, ``); status != http.StatusNotFound {
		t.Errorf("merchant B marks A's shipment delivered: %d", status)
	}
	if status, body := env.api("POST", shipPath, w.tokenA, ``); status != http.StatusOK {
		t.Fatalf("delivered: %d %v", status, body)
	}
	if _, body := env.api("GET", poPath, w.tokenA, ""); body["status"] != "delivered" {
		t.Errorf("PO after delivery: %v", body)
	}
}

// fmtJSON is a decoded JSON answer as text, for assertions on its content.
func fmtJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestWebsiteSupplierBulkTracking: the merchant's staff upload a tracking
// file for a website supplier's POs from Suppliers outside Dropline: the
// preview lists it, Save ships the PO. The same page for another merchant's
// website supplier, or for a supplier on Dropline, is not found.
func TestWebsiteSupplierBulkTracking(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := t.Context()
	env.websitePO(w.as)
	po, err := env.db.PurchaseOrder(ctx, w.merchantA.ID, w.as.websitePO)
	if err != nil {
		t.Fatal(err)
	}
	c := env.client()
	c.login(w.staffA.Email)
	list := c.get("/suppliers-outside")
	path := list.doc.Find(`[data-testid="website-upload"]`).AttrOr("href", "")
	if path != "/suppliers-outside/"+strconv.FormatInt(w.as.managed, 10)+"/upload" {
		t.Fatalf("bulk tracking link %q", path)
	}
	if p := c.get(path); p.status != http.StatusOK || p.doc.Find(`a.back[href="/suppliers-outside"]`).Length() != 1 {
		t.Fatalf("upload page: %d", p.status)
	}
	today := time.Now().UTC().Format(time.DateOnly)
	file := "po_number,carrier,tracking_number,ship_date,extended_field,sku,quantity\n" + po.PONumber + ",ups,1Z999AA10123456784," + today + ",,,\n"
	p := c.upload(path, "tracking.csv", file, nil)
	if p.status != http.StatusOK || !strings.Contains(p.doc.Find(`[data-testid="tracking-summary"]`).Text(), "1") {
		t.Fatalf("preview: %d %q %q", p.status, p.doc.Find(`[data-testid="tracking-summary"]`).Text(), p.doc.Find(`[data-testid="upload-error"]`).Text())
	}
	apply := p.doc.Find(`form[action$="/apply"]`)
	if apply.AttrOr("action", "") != path+"/apply" {
		t.Fatalf("apply posts to %q", apply.AttrOr("action", ""))
	}
	if r := c.post(path+"/apply", url.Values{"token": {apply.Find(`input[name="token"]`).AttrOr("value", "")}}); r.status != http.StatusOK {
		t.Fatalf("apply: %d", r.status)
	}
	if po, _ = env.db.PurchaseOrder(ctx, w.merchantA.ID, po.ID); po.Status != store.POShipped {
		t.Errorf("PO after the upload: %s", po.Status)
	}
	other := env.client()
	other.login(w.adminB.Email)
	if r := other.get(path); r.status != http.StatusNotFound {
		t.Errorf("merchant B opens A's website supplier's upload: %d", r.status)
	}
	if r := other.upload(path, "tracking.csv", file, nil); r.status != http.StatusNotFound {
		t.Errorf("merchant B uploads for A's website supplier: %d", r.status)
	}
}
