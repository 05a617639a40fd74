package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
	"github.com/dropline/dropline/store/storetest"
)

// openPO dropships a fresh order of merchant A to supplier S and returns the PO.
func openPO(t *testing.T, env *testEnv, w *world, number string, qty int) store.PurchaseOrder {
	t.Helper()
	ctx := t.Context()
	readyToDropship(t, env, w)
	o, _, err := env.db.CreateOrder(ctx, store.CLIActor, w.merchantA.ID, orderfile.Order{Channel: "manual", ChannelOrderID: number, Currency: "USD",
		Customer: orderfile.Customer{Name: "Ada", Phone: "555-0100", Email: "ada@example.com"},
		ShipTo:   orderfile.Address{Name: "Ada", Address1: "1 Main St", City: "Springfield", PostalCode: "62701", Country: "US"},
		Lines:    []orderfile.Line{{SKU: "S-100", Title: "Widget", Quantity: qty, UnitPriceCents: 4200}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := env.db.Dropship(ctx, store.CLIActor, w.merchantA.ID, o.ID, store.DropshipRequest{IdempotencyKey: number, Confirm: true})
	if err != nil || len(res.POs) != 1 {
		t.Fatalf("dropship: %+v %v", res, err)
	}
	return res.POs[0]
}

func TestSupplierQueueShipmentFormAndPackingSlip(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	po := openPO(t, env, w, "Q-1", 3)
	c := env.client()
	c.login(w.staffS.Email)
	q := c.get("/dropship-orders")
	if got := q.doc.Find(`[data-testid="queue-row"]`).Length(); got != 1 {
		t.Fatalf("to acknowledge lists %d POs, want 1", got)
	}
	if !strings.Contains(q.doc.Find(`[data-testid="queue"]`).Text(), "Dropshipping") || !strings.Contains(q.body, w.merchantA.PublicID) {
		t.Fatal("the queue does not show channel Dropshipping and the merchant's public ID")
	}
	path := "/dropship-orders/" + strconv.FormatInt(po.ID, 10)
	page := c.get(path)
	// The link shows neither the customer's contact nor prices by default.
	if strings.Contains(page.body, "555-0100") || strings.Contains(page.body, "ada@example.com") || strings.Contains(page.body, "42.00") {
		t.Fatal("the supplier sees contact details or prices the link does not allow")
	}
	if _, err := env.db.UpdateSupplierLinkSettings(t.Context(), store.CLIActor, w.supplierS.ID, w.linkAS.ID, store.SupplierLinkSettings{ShowCustomerPhone: true, ShowPrices: true}); err != nil {
		t.Fatal(err)
	}
	page = c.get(path)
	if !strings.Contains(page.body, "555-0100") || strings.Contains(page.body, "ada@example.com") || !strings.Contains(page.body, "42.00") {
		t.Fatal("the supplier does not see what the link now allows (phone and prices, not email)")
	}
	lineID := strconv.FormatInt(po.Lines[0].ID, 10)
	before := env.dbDigest()
	p := c.post(path+"/shipments", url.Values{"carrier": {"ups"}, "tracking_number": {"1Z999AA10123456785"}, "ship_date": {"2026-01-01"}, "qty_" + lineID: {"5"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad shipment: %d", p.status)
	}
	for _, f := range []string{"tracking_number", "ship_date", "lines[0]"} {
		if p.doc.Find(`[data-testid="error-`+f+`"]`).Length() != 1 {
			t.Errorf("no message on %s", f)
		}
	}
	if got := p.doc.Find(`input[name="tracking_number"]`).AttrOr("value", ""); got != "1Z999AA10123456785" {
		t.Errorf("tracking field %q, want what was typed", got)
	}
	if env.dbDigest() != before {
		t.Fatal("a refused shipment changed the database")
	}
	today := time.Now().UTC().Format("2006-01-02")
	p = c.post(path+"/shipments", url.Values{"carrier": {"ups"}, "tracking_number": {"1Z999AA10123456785"}, "ship_date": {today}, "qty_" + lineID: {"1"}, "override": {"true"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("override shipment: %d %s", p.status, p.doc.Find(".field-error").Text())
	}
	got, _ := env.db.PurchaseOrder(t.Context(), w.merchantA.ID, po.ID)
	if got.Status != store.POPartiallyShipped {
		t.Fatalf("after 1 of 3: %s", got.Status)
	}
	// The merchant's PO page shows the shipment with its tracking link.
	m := env.client()
	m.login(w.adminA.Email)
	mp := m.get("/purchase-orders/" + strconv.FormatInt(po.ID, 10))
	if href := mp.doc.Find(`[data-testid="tracking-link"]`).AttrOr("href", ""); !strings.Contains(href, "1Z999AA10123456785") {
		t.Fatalf("merchant's tracking link %q", href)
	}
	// Its ship date reads as the page's other dates, and each line of it
	// stays on one line.
	row := mp.doc.Find(`[data-testid="shipment-row"]`)
	if want := time.Now().UTC().Format("2 Jan 2006"); !strings.Contains(row.Text(), want) {
		t.Errorf("shipment row %q does not give the ship date as %q", row.Text(), want)
	}
	if got := row.Find(`span.nowrap`).First().Text(); !strings.HasPrefix(got, "1 × ") {
		t.Errorf("shipment line %q, want \"1 × …\" kept on one line", got)
	}
	// Packing slips: one per PO, in the merchant's name.
	slip := c.get("/dropship-orders/packing-slips?id=" + strconv.FormatInt(po.ID, 10) + "&id=" + strconv.FormatInt(w.poA, 10))
	if got := slip.doc.Find(`[data-testid="packing-slip"]`).Length(); got != 2 {
		t.Fatalf("%d packing slips, want 2", got)
	}
	if !strings.Contains(slip.body, w.merchantA.Name) || strings.Contains(slip.body, w.supplierS.Name) {
		t.Fatal("packing slip is not in the merchant's name only")
	}
	// Another supplier's PO cannot be printed.
	tc := env.client()
	tc.login(w.adminT.Email)
	if p := tc.get("/dropship-orders/packing-slips?id=" + strconv.FormatInt(po.ID, 10)); p.status != http.StatusNotFound {
		t.Fatalf("another supplier prints the PO: %d", p.status)
	}
}

func TestBulkTrackingUploadPage(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	po := openPO(t, env, w, "U-1", 2)
	c := env.client()
	c.login(w.staffS.Email)
	c.get("/dropship-orders/upload")
	today := time.Now().UTC().Format("2006-01-02")
	file := "po_number,carrier,tracking_number,ship_date,extended_field,sku,quantity\n" +
		po.PONumber + ",UPS,1Z999AA10123456784,," + "\n" + // no date
		po.PONumber + ",ups,1Z999AA10123456784," + today + ",,S-100,1\n" +
		"\"=HYPERLINK(\"\"x\"\")\",ups,1,2026-11-21,,,\n"
	p := c.upload("/dropship-orders/upload", "tracking.csv", file, nil)
	if p.status != http.StatusOK || !strings.Contains(p.doc.Find(`[data-testid="tracking-summary"]`).Text(), "with errors") {
		t.Fatalf("preview: %d %q %q", p.status, p.doc.Find(`[data-testid="tracking-summary"]`).Text(), p.doc.Find(`[data-testid="upload-error"]`).Text())
	}
	link := p.doc.Find(`[data-testid="error-rows"]`).AttrOr("href", "")
	token := strings.TrimPrefix(link, "/dropship-orders/upload/errors.csv?token=")
	// The two rows for the same shipment disagree (one has no date), so both wait; the unknown PO is reported.
	errs := c.get(link)
	if errs.status != http.StatusOK || !strings.Contains(errs.body, "'=HYPERLINK") || !strings.Contains(errs.body, "Unknown PO") {
		t.Fatalf("errors CSV %d:\n%s", errs.status, errs.body)
	}
	ships, _ := env.db.Shipments(t.Context(), w.supplierS.ID, po.ID)
	if len(ships) != 0 {
		t.Fatal("the preview saved a shipment")
	}
	if token == "" {
		t.Fatal("no apply token")
	}
	other := env.client()
	other.login(w.adminT.Email)
	if p := other.get("/dropship-orders/upload/errors.csv?token=" + url.QueryEscape(token)); p.status != http.StatusNotFound {
		t.Fatalf("another supplier reads the upload: %d", p.status)
	}

	// htmx gets the part under the form, errors included (htmx swaps 2xx only).
	req := c.uploadRequest("/dropship-orders/upload", "empty.csv", "", nil)
	req.Header.Set("HX-Request", "true")
	p = c.do(req)
	if p.status != http.StatusOK || strings.Contains(p.body, "<html") || p.doc.Find(`#tracking-result [data-testid="upload-error"]`).Text() == "" {
		t.Fatalf("htmx upload of an empty file: %d\n%s", p.status, p.body)
	}
	form := url.Values{"_csrf": {c.csrf}, "token": {"expired"}}
	req, _ = http.NewRequest(http.MethodPost, env.srv.URL+"/dropship-orders/upload/apply", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	p = c.do(req)
	if p.status != http.StatusOK || !strings.Contains(p.doc.Find(`[data-testid="upload-error"]`).Text(), "expired") {
		t.Fatalf("htmx apply of an expired upload: %d\n%s", p.status, p.body)
	}
}

func TestSupplierAPI(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	po := openPO(t, env, w, "API-S1", 2)
	_, tokS, err := env.db.CreateToken(t.Context(), store.CLIActor, w.supplierS.ID, "warehouse")
	if err != nil {
		t.Fatal(err)
	}
	_, tokT, _ := env.db.CreateToken(t.Context(), store.CLIActor, w.supplierT.ID, "other")
	call := env.api
	st, list := call("GET", "/api/v1/purchase-orders", tokS, "")
	if st != 200 || list["total"] != float64(2) {
		t.Fatalf("supplier list: %d %v", st, list)
	}
	path := "/api/v1/purchase-orders/" + strconv.FormatInt(po.ID, 10)
	if st, _ := call("POST", path+"/acknowledge", tokT, ""); st != 404 {
		t.Fatalf("another supplier acknowledges: %d", st)
	}
	if st, _ := call("POST", path+"/shipments", tokT, `{"carrier":"ups","tracking_number":"1Z999AA10123456784","ship_date":"`+time.Now().UTC().Format("2006-01-02")+`"}`); st != 404 {
		t.Fatalf("another supplier ships: %d", st)
	}
	if st, ack := call("POST", path+"/acknowledge", tokS, ""); st != 200 || ack["po_number"] != po.PONumber {
		t.Fatalf("acknowledge: %d %v", st, ack)
	}
	st, body := call("POST", path+"/shipments", tokS, `{"carrier":"UPS","tracking_number":"1Z999AA10123456785","ship_date":"`+time.Now().UTC().Format("2006-01-02")+`","lines":[{"sku":"S-100","quantity":1}]}`)
	if st != 422 || !strings.Contains(fmt.Sprint(body), "UPS") {
		t.Fatalf("bad check digit: %d %v", st, body)
	}
	st, sh := call("POST", path+"/shipments", tokS, `{"carrier":"UPS","tracking_number":"1Z999AA10123456785","override":true,"ship_date":"`+time.Now().UTC().Format("2006-01-02")+`","lines":[{"sku":"S-100","quantity":1}]}`)
	if st != 201 || sh["override_reason"] == nil {
		t.Fatalf("shipment: %d %v", st, sh)
	}
	if st, got := call("GET", path, w.tokenA, ""); st != 200 || len(got["shipments"].([]any)) != 1 || got["status"] != "partially_shipped" {
		t.Fatalf("merchant sees: %d %v", st, got)
	}
	shID := fmt.Sprint(int64(sh["id"].(float64)))
	if st, _ := call("POST", "/api/v1/shipments/"+shID+"/delivered", tokT, ""); st != 404 {
		t.Fatalf("another supplier marks delivered: %d", st)
	}
	if st, _ := call("POST", "/api/v1/shipments/"+shID+"/delivered", tokS, ""); st != 200 {
		t.Fatalf("delivered: %d", st)
	}
}

// An open order page keeps asking for news until every PO is done: after
// the PO ships, the supplier's delivery still reaches the page, and once
// delivered the page stops asking.
func TestOrderPageFollowsDeliveryAfterShipping(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := t.Context()
	po := openPO(t, env, w, "LIVE-1", 1)
	sh, err := env.db.AddShipment(ctx, store.CLIActor, w.supplierS.ID, po.ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456784",
		ShipDate: time.Now().UTC().Format("2006-01-02")})
	if err != nil {
		t.Fatal(err)
	}
	c := env.client()
	c.login(w.adminA.Email)
	path := "/orders/" + strconv.FormatInt(po.OrderID, 10)
	first := c.get(path)
	poll, ok := first.doc.Find(`[data-testid="order-tracking"]`).Attr("hx-get")
	if !ok {
		t.Fatal("a shipped order page does not poll: the delivery would not show until a reload")
	}
	// Nothing open: tracking is all in, so every ten seconds does.
	if every := first.doc.Find(`[data-testid="order-tracking"]`).AttrOr("hx-trigger", ""); every != "every 10s" {
		t.Fatalf("a shipped order page polls %q, want every 10s", every)
	}
	get := func(p string) page {
		req, _ := http.NewRequest(http.MethodGet, env.srv.URL+p, nil)
		req.Header.Set("HX-Request", "true")
		return c.do(req)
	}
	if p := get(poll); p.status != http.StatusOK || p.doc.Find(`[data-testid="order-status"]`).Length() != 0 {
		t.Fatalf("nothing changed, yet the poll answered %d with the order status", p.status)
	}
	if err := env.db.MarkDelivered(ctx, store.CLIActor, w.supplierS.ID, sh.ID); err != nil {
		t.Fatal(err)
	}
	p := get(poll)
	if got := strings.TrimSpace(p.doc.Find(`[data-testid="order-status"]`).Text()); got != "Delivered" {
		t.Fatalf("after delivery the poll shows order status %q, want Delivered", got)
	}
	if _, ok := p.doc.Find(`[data-testid="order-tracking"]`).Attr("hx-get"); ok {
		t.Fatal("a delivered order page still polls")
	}
}

// While a bulk tracking file is applied, the page can ask how far it has
// got: here the apply waits for a write lock another connection holds, and
// says so. Another supplier cannot read that progress; once the apply is
// done there is none.
func TestBulkTrackingApplyProgress(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	po := openPO(t, env, w, "P-1", 1)
	c := env.client()
	c.login(w.staffS.Email)
	c.get("/dropship-orders/upload")
	file := "po_number,carrier,tracking_number,ship_date\n" + po.PONumber + ",ups,1Z999AA10123456784," + time.Now().UTC().Format("2006-01-02") + "\n"
	preview := c.upload("/dropship-orders/upload", "tracking.csv", file, nil)
	token := preview.doc.Find(`input[name="token"]`).AttrOr("value", "")
	progress := preview.doc.Find(`[data-testid="tracking-saving"]`).AttrOr("data-apply-progress", "")
	if token == "" || progress != "/dropship-orders/upload/progress?token="+token {
		t.Fatalf("preview: token %q, progress address %q", token, progress)
	}
	if p := c.get(progress); p.status != http.StatusNotFound {
		t.Fatalf("progress before the apply: %d", p.status)
	}

	other := env.client()
	other.login(w.adminT.Email) // before the lock: signing in writes
	// On PostgreSQL, several instances serve one database: the page's
	// polls may reach another than the one saving the file.
	var elsewhere, otherElsewhere *client
	if env.db.Postgres() {
		second := env.secondInstance()
		elsewhere, otherElsewhere = second.client(), second.client()
		elsewhere.login(w.staffS.Email)
		otherElsewhere.login(w.adminT.Email)
	}

	release := storetest.HoldWriteLock(t, env.db)
	form := url.Values{"_csrf": {c.csrf}, "token": {token}}
	applied := make(chan int, 1)
	go func() {
		res, err := c.http.PostForm(env.srv.URL+"/dropship-orders/upload/apply", form)
		if err != nil {
			applied <- 0
			return
		}
		res.Body.Close()
		applied <- res.StatusCode
	}()
	var got map[string]any
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if p := c.get(progress); p.status == http.StatusOK {
			if err := json.Unmarshal([]byte(p.body), &got); err != nil {
				t.Fatal(err)
			}
			if got["step"] != "" { // registered, and past its first report
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no progress while the apply waits for the write lock")
		}
	}
	if got["step"] != store.StepWaiting || got["label"] != "Waiting for other changes to be saved…" {
		t.Fatalf("progress while waiting: %v", got)
	}
	if p := other.get(progress); p.status != http.StatusNotFound {
		t.Fatalf("another supplier reads the progress: %d", p.status)
	}
	if elsewhere != nil {
		// The saving instance shares each step just after it notes it.
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			p := elsewhere.get(progress)
			var there map[string]any
			json.Unmarshal([]byte(p.body), &there)
			if p.status == http.StatusOK && there["step"] == store.StepWaiting {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("progress asked of another instance: %d %v, want the waiting step", p.status, there)
			}
		}
		if p := otherElsewhere.get(progress); p.status != http.StatusNotFound {
			t.Fatalf("another supplier reads the progress through another instance: %d", p.status)
		}
	}
	release()
	if st := <-applied; st != http.StatusOK {
		t.Fatalf("apply: %d", st)
	}
	if ships, _ := env.db.Shipments(t.Context(), w.supplierS.ID, po.ID); len(ships) != 1 {
		t.Fatalf("%d shipments after the apply, want 1", len(ships))
	}
	// The apply's answer can reach the client (its status line is sent
	// once the page outgrows the server's buffer) a moment before the
	// handler ends the run: the progress is gone within that moment.
	gone := func(cl *client) int {
		var st int
		for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if st = cl.get(progress).status; st == http.StatusNotFound {
				break
			}
		}
		return st
	}
	if st := gone(c); st != http.StatusNotFound {
		t.Fatalf("progress after the apply: %d", st)
	}
	if elsewhere != nil {
		if st := gone(elsewhere); st != http.StatusNotFound {
			t.Fatalf("progress after the apply, asked of another instance: %d", st)
		}
	}
}

// TestBulkTrackingRefusesDuplicateColumns: a file with two columns for one
// field (which tracking number is meant?) is refused with a message naming
// the column, and nothing is saved.
func TestBulkTrackingRefusesDuplicateColumns(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	po := openPO(t, env, w, "U-2", 1)
	c := env.client()
	c.login(w.staffS.Email)
	c.get("/dropship-orders/upload")
	today := time.Now().UTC().Format("2006-01-02")
	file := "po_number,carrier,tracking_number,ship_date,tracking_number\n" +
		po.PONumber + ",ups,1Z999AA10123456784," + today + ",1Z999AA10123456785\n"
	before := env.dbDigest()
	p := c.upload("/dropship-orders/upload", "tracking.csv", file, nil)
	msg := p.doc.Find(`[data-testid="upload-error"]`).Text()
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(msg, "two tracking_number columns") {
		t.Fatalf("duplicate column: %d, message %q", p.status, msg)
	}
	if p.doc.Find(`[data-testid="tracking-summary"]`).Length() != 0 {
		t.Error("a file with a duplicate column got a preview")
	}
	if env.dbDigest() != before {
		t.Error("the upload changed the database")
	}
}

// TestMarkDeliveredReturnsOnThisSiteOnly: marking a parcel delivered goes
// back to the PO it was marked from, but never to another site a forged
// Referer names.
func TestMarkDeliveredReturnsOnThisSiteOnly(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.adminS.Email)
	po := "/dropship-orders/" + strconv.FormatInt(w.poA, 10)
	c.get(po)
	mark := func(referer string) string {
		t.Helper()
		form := url.Values{"_csrf": {c.csrf}}
		req, _ := http.NewRequest(http.MethodPost, env.srv.URL+"/dropship-orders/shipments/"+strconv.FormatInt(w.shipmentS, 10)+"/delivered", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Referer", referer)
		p := c.do(req)
		if p.status != http.StatusSeeOther {
			t.Fatalf("mark delivered from %q: %d", referer, p.status)
		}
		return p.header.Get("Location")
	}
	if got := mark("https://evil.example" + po); got != "/dropship-orders" {
		t.Errorf("from another site's page, back to %q", got)
	}
	if got := mark(env.srv.URL + po); got != po {
		t.Errorf("from the PO, back to %q, want %q", got, po)
	}
}

// TestParcelWithNothingInItIsRefused: a shipment form whose every quantity
// is 0 is refused with a message on the lines and saves nothing (it used to
// ship everything remaining); a refused form keeps the quantities as typed,
// so fixing the number does not ship what was not in the parcel.
func TestParcelWithNothingInItIsRefused(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	po := openPO(t, env, w, "Z-1", 3)
	c := env.client()
	c.login(w.staffS.Email)
	path := "/dropship-orders/" + strconv.FormatInt(po.ID, 10)
	c.get(path)
	qty := "qty_" + strconv.FormatInt(po.Lines[0].ID, 10)
	today := time.Now().UTC().Format(time.DateOnly)
	before := env.dbDigest()
	p := c.post(path+"/shipments", url.Values{"carrier": {"ups"}, "tracking_number": {"1Z999AA10123456784"}, "ship_date": {today}, qty: {"0"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.doc.Find(`[data-testid="error-lines"]`).Text(), "every quantity is 0") {
		t.Fatalf("an empty parcel: %d %q", p.status, p.doc.Find(`[data-testid="error-lines"]`).Text())
	}
	if env.dbDigest() != before {
		t.Fatal("an empty parcel changed the database")
	}
	if got := p.doc.Find(`input[name="`+qty+`"]`).AttrOr("value", ""); got != "0" {
		t.Errorf("the quantity box shows %q, want 0 as typed", got)
	}
	// A bad number with 1 of 3 typed: the 1 stays.
	p = c.post(path+"/shipments", url.Values{"carrier": {"ups"}, "tracking_number": {"1Z999AA10123456785"}, "ship_date": {today}, qty: {"1"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("a bad check digit: %d", p.status)
	}
	if got := p.doc.Find(`input[name="`+qty+`"]`).AttrOr("value", ""); got != "1" {
		t.Errorf("after a refused number the quantity box shows %q, want 1 as typed", got)
	}
	p = c.post(path+"/shipments", url.Values{"carrier": {"ups"}, "tracking_number": {"1Z999AA10123456784"}, "ship_date": {today}, qty: {"1"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("the fixed form: %d", p.status)
	}
	got, err := env.db.PurchaseOrder(t.Context(), w.merchantA.ID, po.ID)
	if err != nil || got.Status != store.POPartiallyShipped || got.Lines[0].ShippedQty != 1 {
		t.Fatalf("after the parcel: %+v %v", got.Status, err)
	}
}
