package handlers_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/dropline/dropline/handlers"
	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// formValues is what a browser would submit for form as it stands: inputs
// (ticked boxes only), each select's selected option and textareas.
func formValues(form *goquery.Selection) url.Values {
	values := url.Values{}
	form.Find("input").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		typ := s.AttrOr("type", "text")
		_, disabled := s.Attr("disabled")
		_, checked := s.Attr("checked")
		if name == "" || disabled || ((typ == "checkbox" || typ == "radio") && !checked) {
			return
		}
		values.Add(name, s.AttrOr("value", "on"))
	})
	form.Find("select").Each(func(_ int, s *goquery.Selection) {
		opt := s.Find("option[selected]")
		if opt.Length() == 0 {
			opt = s.Find("option").First()
		}
		values.Add(s.AttrOr("name", ""), opt.AttrOr("value", ""))
	})
	form.Find("textarea").Each(func(_ int, s *goquery.Selection) {
		values.Add(s.AttrOr("name", ""), s.Text())
	})
	return values
}

// dropshipAsPrefilled opens an order page, ticks the confirmation box and
// submits the dropship form with everything else as prefilled; it returns
// the PO numbers the form proposed and the answer.
func dropshipAsPrefilled(t *testing.T, c *client, orderPath string, edit func(url.Values)) ([]string, page) {
	t.Helper()
	form := c.get(orderPath).doc.Find(`[data-testid="dropship-form"] form`)
	if form.Length() != 1 {
		t.Fatalf("no dropship form on %s", orderPath)
	}
	var numbers []string
	form.Find(`[data-testid="po-number"]`).Each(func(_ int, s *goquery.Selection) { numbers = append(numbers, s.AttrOr("value", "")) })
	values := formValues(form)
	values.Set("confirm", "true")
	if edit != nil {
		edit(values)
	}
	return numbers, c.post(form.AttrOr("action", ""), values)
}

func TestFiveOrdersInARowFromTheOrderPage(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	readyToDropship(t, env, w)
	c := env.client()
	c.login(w.staffA.Email)
	seen := map[string]bool{w.as.poNumber: true}
	for i, number := range []string{"R-1", "R-2", "R-3", "R-4", "R-5"} {
		orderPath := c.post("/orders", manualOrder(number, "S-100", "1")).header.Get("Location")
		proposed, p := dropshipAsPrefilled(t, c, orderPath, nil)
		if p.status != http.StatusSeeOther {
			t.Fatalf("order %d (%s): dropship with the prefilled form answered %d: %s%s", i+1, number, p.status,
				p.doc.Find(`[data-testid="dropship-problems"]`).Text(), p.doc.Find(`.field-error`).Text())
		}
		if len(proposed) != 1 || seen[proposed[0]] {
			t.Fatalf("order %d proposed %v; already used: %v", i+1, proposed, seen)
		}
		seen[proposed[0]] = true
		if got := c.get(orderPath).doc.Find(`[data-testid="line-po"]`).Text(); got != proposed[0] {
			t.Fatalf("order %d's line is on %q, want the proposed %q", i+1, got, proposed[0])
		}
	}
	// A typed number in the sequence's own format moves the sequence past it.
	orderPath := c.post("/orders", manualOrder("R-6", "S-100", "1")).header.Get("Location")
	_, p := dropshipAsPrefilled(t, c, orderPath, func(v url.Values) {
		for k := range v {
			if strings.HasPrefix(k, "po_number_") {
				v.Set(k, "PO-000120")
			}
		}
	})
	if p.status != http.StatusSeeOther {
		t.Fatalf("typed PO-000120: %d", p.status)
	}
	orderPath = c.post("/orders", manualOrder("R-7", "S-100", "1")).header.Get("Location")
	proposed, p := dropshipAsPrefilled(t, c, orderPath, nil)
	if p.status != http.StatusSeeOther || len(proposed) != 1 || proposed[0] != "PO-000121" {
		t.Fatalf("after a typed PO-000120 the form proposed %v (answer %d), want PO-000121", proposed, p.status)
	}
}

func TestTwoOpenFormsBothGoThrough(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	readyToDropship(t, env, w)
	c := env.client()
	c.login(w.staffA.Email)
	var forms []*goquery.Selection
	for _, number := range []string{"T-1", "T-2"} {
		orderPath := c.post("/orders", manualOrder(number, "S-100", "1")).header.Get("Location")
		forms = append(forms, c.get(orderPath).doc.Find(`[data-testid="dropship-form"] form`))
	}
	// Both pages were opened before either was submitted: both propose the same number.
	a, b := forms[0].Find(`[data-testid="po-number"]`).AttrOr("value", ""), forms[1].Find(`[data-testid="po-number"]`).AttrOr("value", "")
	if a != b {
		t.Fatalf("two forms opened together proposed %q and %q", a, b)
	}
	var got []string
	for i, f := range forms {
		v := formValues(f)
		v.Set("confirm", "true")
		if p := c.post(f.AttrOr("action", ""), v); p.status != http.StatusSeeOther {
			t.Fatalf("form %d: %d %s", i+1, p.status, p.doc.Find(`.field-error`).Text())
		}
		pos, _ := env.db.PurchaseOrders(t.Context(), w.merchantA.ID, store.POFilter{Query: []string{"T-1", "T-2"}[i]})
		if pos.Total != 1 {
			t.Fatalf("order %d has %d POs", i+1, pos.Total)
		}
		got = append(got, pos.POs[0].PONumber)
	}
	if got[0] != a || got[1] == a {
		t.Fatalf("PO numbers %v: the first takes the proposed %s, the second the next free one", got, a)
	}
	// A number the user typed is never replaced: it is refused with a message.
	orderPath := c.post("/orders", manualOrder("T-3", "S-100", "1")).header.Get("Location")
	_, p := dropshipAsPrefilled(t, c, orderPath, func(v url.Values) {
		for k := range v {
			if strings.HasPrefix(k, "po_number_") {
				v.Set(k, got[1])
			}
		}
	})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "already used") {
		t.Fatalf("a typed used number: %d", p.status)
	}
}

// secondSupplier links supplier T to merchant A, carrying S-100 too, so
// A's S-100 has two sources: S first, T second.
func secondSupplier(t *testing.T, env *testEnv, w *world, quantity int) {
	t.Helper()
	ctx := context.Background()
	if _, err := env.db.CreateLink(ctx, store.CLIActor, w.supplierT.ID, w.merchantA.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.db.UpdateAccountSettings(ctx, store.CLIActor, w.supplierT.ID, store.AccountSettings{Name: w.supplierT.Name, TimeZone: "UTC", DropshipEnabled: true}); err != nil {
		t.Fatal(err)
	}
	statuses, err := env.db.SupplierStatuses(ctx, w.supplierT.ID)
	if err != nil || len(statuses) == 0 {
		t.Fatal(err)
	}
	if err := env.db.SetInitialStatus(ctx, store.CLIActor, w.supplierT.ID, statuses[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.db.SaveProduct(ctx, store.CLIActor, w.supplierT.ID, 0, store.ProductInput{SKU: "S-100", Title: "Widget from T", Quantity: quantity, LeadTimeDays: 1, CostCents: 470, HasCost: true, Active: true}); err != nil {
		t.Fatal(err)
	}
	feed, err := env.db.SaveFeed(ctx, store.CLIActor, w.supplierT.ID, 0, store.FeedInput{Name: "T feed", Selection: store.SelectAll, Fields: store.FeedFields, AllMerchants: true})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := env.db.SaveSubscription(ctx, store.CLIActor, w.merchantA.ID, 0, store.SubscriptionInput{FeedID: feed.ID, IntervalMinutes: 60, DropThresholdPct: 30, StaleAfterHours: 26})
	if err != nil {
		t.Fatal(err)
	}
	puller := &store.Puller{DB: env.db}
	if _, err := puller.PullNow(ctx, w.merchantA.ID, sub.ID); err != nil {
		t.Fatal(err)
	}
	puller.Wait()
}

func TestDropshipFormFollowsTheChosenSource(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	readyToDropship(t, env, w)
	secondSupplier(t, env, w, 20)
	c := env.client()
	c.login(w.staffA.Email)
	orderPath := c.post("/orders", manualOrder("G-1", "S-100", "1")).header.Get("Location")
	form := c.get(orderPath).doc.Find(`[data-testid="dropship-form"] form`)
	values := formValues(form)
	if _, ok := values["po_number_"+i64s(w.supplierS.ID)]; !ok {
		t.Fatalf("the form first goes to S: %v", values)
	}
	// The merchant picks T for the line: the form comes back grouped for T.
	sel := form.Find("select")
	var tSource string
	sel.Find("option").Each(func(_ int, o *goquery.Selection) {
		if strings.Contains(o.Text(), "Supplier T") {
			tSource = o.AttrOr("value", "")
		}
	})
	if tSource == "" {
		t.Fatalf("no option for Supplier T in %q", sel.Text())
	}
	values.Set(sel.AttrOr("name", ""), tSource)
	values.Set("po_number_"+i64s(w.supplierS.ID), "TYPED-FOR-S")
	p := c.post(orderPath+"/dropship/regroup", values)
	regrouped := p.doc.Find(`[data-testid="dropship-form"] form`)
	if p.status != http.StatusOK || regrouped.Length() != 1 {
		t.Fatalf("regroup: %d", p.status)
	}
	again := formValues(regrouped)
	if _, ok := again["po_number_"+i64s(w.supplierS.ID)]; ok {
		t.Fatal("the regrouped form still asks a PO number for S")
	}
	if again.Get("po_number_"+i64s(w.supplierT.ID)) == "" {
		t.Fatalf("the regrouped form asks no PO number for T: %v", again)
	}
	if got := regrouped.Find(`[data-testid="confirm"]`).Parent().Text(); !strings.Contains(got, "Supplier T") || strings.Contains(got, "Supplier S") {
		t.Fatalf("the confirmation reads %q, want Supplier T only", strings.TrimSpace(got))
	}
	if again.Get(sel.AttrOr("name", "")) != tSource {
		t.Fatal("the regrouped form lost the chosen source")
	}
	// Submitting it, with S's typed number still posted, makes T's PO with T's number.
	again.Set("confirm", "true")
	again.Set("po_number_"+i64s(w.supplierS.ID), "TYPED-FOR-S")
	if p := c.post(orderPath+"/dropship", again); p.status != http.StatusSeeOther {
		t.Fatalf("dropship to T: %d", p.status)
	}
	pos, _ := env.db.PurchaseOrders(t.Context(), w.merchantA.ID, store.POFilter{Query: "G-1"})
	if pos.Total != 1 || pos.POs[0].SupplierID != w.supplierT.ID || pos.POs[0].PONumber == "TYPED-FOR-S" {
		t.Fatalf("POs %+v: want one to T, not numbered as typed for S", pos.POs)
	}
}

func TestLowStockOverrideIsReachable(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	readyToDropship(t, env, w)
	c := env.client()
	c.login(w.staffA.Email)
	orderPath := c.post("/orders", manualOrder("L-1", "S-100", "50")).header.Get("Location")
	page := c.get(orderPath)
	form := page.doc.Find(`[data-testid="dropship-form"] form`)
	if form.Length() != 1 {
		t.Fatal("stock is the only reason the line cannot go, yet there is no dropship form")
	}
	box := form.Find(`input[name="line_ids"]`)
	if _, disabled := box.Attr("disabled"); disabled || box.Length() != 1 {
		t.Fatal("the short line cannot be ticked")
	}
	if !strings.Contains(form.Find(`[data-testid="dropship-line-problem"]`).Text(), "Send even where") {
		t.Fatal("the problem does not point at the override")
	}
	// Ticking it brings its supplier's PO number and confirmation.
	values := formValues(form)
	values.Set("line_ids", box.AttrOr("value", ""))
	form = c.post(orderPath+"/dropship/regroup", values).doc.Find(`[data-testid="dropship-form"] form`)
	if form.Find(`[data-testid="po-number"]`).Length() != 1 {
		t.Fatal("the ticked short line's supplier gets no PO number field")
	}
	values = formValues(form)
	values.Set("confirm", "true")
	// Without the override: refused with the stock message, nothing made.
	if p := c.post(form.AttrOr("action", ""), values); p.status == http.StatusSeeOther {
		t.Fatal("sent without the override")
	}
	values.Set("override_stock", "true")
	if p := c.post(form.AttrOr("action", ""), values); p.status != http.StatusSeeOther {
		t.Fatalf("with the override: %d %s", p.status, p.doc.Find(`[data-testid="dropship-problems"]`).Text())
	}
	pos, _ := env.db.PurchaseOrders(t.Context(), w.merchantA.ID, store.POFilter{Query: "L-1"})
	if pos.Total != 1 {
		t.Fatalf("POs %+v", pos.POs)
	}
	if po, _ := env.db.PurchaseOrder(t.Context(), w.merchantA.ID, pos.POs[0].ID); len(po.Lines) != 1 || po.Lines[0].Quantity != 50 {
		t.Fatalf("PO lines %+v", po.Lines)
	}
}

func TestLeadTimeRefusalLinksToItsSetting(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	readyToDropship(t, env, w)
	ctx := context.Background()
	if _, err := env.db.SaveProduct(ctx, store.CLIActor, w.supplierS.ID, 0, store.ProductInput{SKU: "SLOW-1", Title: "Slow", Quantity: 5, LeadTimeDays: 9, Active: true}); err != nil {
		t.Fatal(err)
	}
	puller := &store.Puller{DB: env.db}
	if _, err := puller.PullNow(ctx, w.merchantA.ID, w.subA); err != nil {
		t.Fatal(err)
	}
	puller.Wait()
	c := env.client()
	c.login(w.staffA.Email)
	f := manualOrder("LT-1", "SLOW-1", "1")
	f["sku"][1], f["quantity"][1], f["title"][1], f["unit_price"][1] = "S-100", "1", "Widget", "1.00"
	orderPath := c.post("/orders", f).header.Get("Location")
	problem := c.get(orderPath).doc.Find(`[data-testid="dropship-line-problem"]`)
	if !strings.Contains(problem.Text(), "Lead time") || problem.Find(`a[href="/settings/orders"]`).Length() != 1 {
		t.Fatalf("lead-time problem %q without a link to its setting", problem.Text())
	}
}

func i64s(n int64) string { return strconv.FormatInt(n, 10) }

func TestRerouteARejectedLineInTheBrowserAndTheAPI(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	readyToDropship(t, env, w)
	secondSupplier(t, env, w, 20)
	ctx := context.Background()
	c := env.client()
	c.login(w.staffA.Email)
	// Two orders dropshipped to S; S rejects both.
	var orderPaths []string
	for _, number := range []string{"RR-1", "RR-2"} {
		orderPath := c.post("/orders", manualOrder(number, "S-100", "1")).header.Get("Location")
		if _, p := dropshipAsPrefilled(t, c, orderPath, nil); p.status != http.StatusSeeOther {
			t.Fatalf("dropship %s: %d", number, p.status)
		}
		pos, _ := env.db.PurchaseOrders(ctx, w.merchantA.ID, store.POFilter{Query: number})
		po, _ := env.db.PurchaseOrder(ctx, w.merchantA.ID, pos.POs[0].ID)
		if po.SupplierID != w.supplierS.ID {
			t.Fatalf("%s went to %d, want S first", number, po.SupplierID)
		}
		if err := env.db.RejectPOLines(ctx, store.CLIActor, w.supplierS.ID, po.ID, []int64{po.Lines[0].ID}, "discontinued"); err != nil {
			t.Fatal(err)
		}
		orderPaths = append(orderPaths, orderPath)
	}
	// In the browser: the form now defaults to T, and goes through as proposed.
	page := c.get(orderPaths[0])
	if got := strings.TrimSpace(page.doc.Find(`h1 [data-testid="order-status"]`).Text()); got != "Exception" {
		t.Fatalf("after the rejection the order is %q", got)
	}
	if _, ok := formValues(page.doc.Find(`[data-testid="dropship-form"] form`))["po_number_"+i64s(w.supplierT.ID)]; !ok {
		t.Fatal("the re-route form does not default to the other supplier")
	}
	if _, p := dropshipAsPrefilled(t, c, orderPaths[0], nil); p.status != http.StatusSeeOther {
		t.Fatalf("re-route in the browser: %d %s%s", p.status, p.doc.Find(`[data-testid="dropship-problems"]`).Text(), p.doc.Find(".field-error").Text())
	}
	if got := strings.TrimSpace(c.get(orderPaths[0]).doc.Find(`h1 [data-testid="order-status"]`).Text()); got != "Dropshipped" {
		t.Fatalf("after the re-route the order is %q", got)
	}
	// Through the API: PO numbers keyed by the supplier's public ID.
	id := strings.TrimPrefix(orderPaths[1], "/orders/")
	used := c.get(orderPaths[0]).doc.Find(`[data-testid="line-po"]`).Text()
	st, body := env.api("POST", "/api/v1/orders/"+id+"/dropship", w.tokenA, `{"confirm": true, "po_numbers": {"`+w.supplierT.PublicID+`": "`+used+`"}}`)
	errFields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
	if st != http.StatusUnprocessableEntity || errFields["po_numbers."+w.supplierT.PublicID] == nil {
		t.Fatalf("a used number through the API: %d %v", st, body)
	}
	for k := range errFields {
		if strings.HasPrefix(k, "po_number_") {
			t.Fatalf("the API leaks the form field %s", k)
		}
	}
	// A supplier the dropship does not go to is named, and nothing is made.
	before := env.dbDigest()
	st, body = env.api("POST", "/api/v1/orders/"+id+"/dropship", w.tokenA, `{"confirm": true, "po_numbers": {"DL-NOBODY": "X-1"}}`)
	errFields, _ = body["error"].(map[string]any)["fields"].(map[string]any)
	if st != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(errFields["po_numbers.DL-NOBODY"]), "No line of this dropship goes to supplier DL-NOBODY") {
		t.Fatalf("an unknown supplier's number: %d %v", st, body)
	}
	if env.dbDigest() != before {
		t.Fatal("a refused API dropship changed the database")
	}
	st, body = env.api("POST", "/api/v1/orders/"+id+"/dropship", w.tokenA, `{"confirm": true, "po_numbers": {"`+w.supplierT.PublicID+`": "API-RR-2"}}`)
	if st != http.StatusCreated {
		t.Fatalf("re-route through the API: %d %v", st, body)
	}
	pos, _ := env.db.PurchaseOrders(ctx, w.merchantA.ID, store.POFilter{Query: "API-RR-2"})
	if pos.Total != 1 || pos.POs[0].SupplierID != w.supplierT.ID {
		t.Fatalf("API re-route POs %+v", pos.POs)
	}
	// A body of the wrong JSON type is named in JSON's words.
	st, body = env.api("POST", "/api/v1/orders", w.tokenA, `[]`)
	if msg := fmt.Sprint(body["error"]); st != http.StatusBadRequest || strings.Contains(msg, "handlers.") || !strings.Contains(msg, "JSON object") {
		t.Fatalf("array body: %d %s", st, msg)
	}
}

func TestDeclinedCancellationThenShippedIsShippedAndClosing(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	readyToDropship(t, env, w)
	ctx := context.Background()
	c := env.client()
	c.login(w.staffA.Email)
	var pos []store.PurchaseOrder
	var paths []string
	for _, number := range []string{"CX-1", "CX-2"} {
		orderPath := c.post("/orders", manualOrder(number, "S-100", "1")).header.Get("Location")
		if _, p := dropshipAsPrefilled(t, c, orderPath, nil); p.status != http.StatusSeeOther {
			t.Fatalf("dropship %s: %d", number, p.status)
		}
		page, _ := env.db.PurchaseOrders(ctx, w.merchantA.ID, store.POFilter{Query: number})
		po, _ := env.db.PurchaseOrder(ctx, w.merchantA.ID, page.POs[0].ID)
		if p := c.post("/purchase-orders/"+i64s(po.ID)+"/cancel", url.Values{"reason": {"customer asked"}}); p.status != http.StatusSeeOther {
			t.Fatalf("request cancel: %d", p.status)
		}
		pos, paths = append(pos, po), append(paths, orderPath)
	}
	status := func(path string) string {
		return strings.TrimSpace(c.get(path).doc.Find(`h1 [data-testid="order-status"]`).Text())
	}
	// Declined, then shipped in full: Shipped, not Exception.
	if err := env.db.AnswerCancel(ctx, store.CLIActor, w.supplierS.ID, pos[0].ID, false, "already packed"); err != nil {
		t.Fatal(err)
	}
	if got := status(paths[0]); got != "Dropshipped" {
		t.Fatalf("after a declined cancellation: %q, want Dropshipped", got)
	}
	if _, err := env.db.AddShipment(ctx, store.CLIActor, w.supplierS.ID, pos[0].ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456784",
		ShipDate: time.Now().UTC().Format("2006-01-02"), Override: true}); err != nil {
		t.Fatal(err)
	}
	if got := status(paths[0]); got != "Shipped" {
		t.Fatalf("declined then shipped: %q, want Shipped", got)
	}
	// Accepted: Exception, with Close offered; closing makes it Cancelled with the reason.
	if err := env.db.AnswerCancel(ctx, store.CLIActor, w.supplierS.ID, pos[1].ID, true, ""); err != nil {
		t.Fatal(err)
	}
	page := c.get(paths[1])
	if page.doc.Find(`[data-testid="close-order"]`).Length() != 1 {
		t.Fatal("no Close order after an accepted cancellation")
	}
	if p := c.post(paths[1]+"/close", url.Values{"close_reason": {""}}); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("close without a reason: %d", p.status)
	}
	if p := c.post(paths[1]+"/close", url.Values{"close_reason": {"refunded the customer"}}); p.status != http.StatusSeeOther {
		t.Fatalf("close: %d", p.status)
	}
	page = c.get(paths[1])
	if got := strings.TrimSpace(page.doc.Find(`h1 [data-testid="order-status"]`).Text()); got != "Cancelled" {
		t.Fatalf("closed order is %q", got)
	}
	if !strings.Contains(page.doc.Find(`[data-testid="timeline"]`).Text(), "refunded the customer") {
		t.Fatal("the reason is not on the timeline")
	}
	if page.doc.Find(`[data-testid="dropship-form"]`).Length() != 0 {
		t.Fatal("a closed order still offers the dropship form")
	}
	list := c.get("/orders?tab=exceptions")
	if list.doc.Find(`[data-testid="order-row"]`).Length() != 0 {
		t.Fatalf("Exceptions still lists %d orders", list.doc.Find(`[data-testid="order-row"]`).Length())
	}
}

func TestUploadTokenIsBoundToItsImport(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.adminA.Email)
	c.get("/orders/import")
	preview := c.upload("/orders/import", "orders.csv", "order_number,sku,quantity,ship_name,ship_address1,ship_city,ship_postal_code,ship_country\nU-1,S-100,1,Ada,1 Main St,Springfield,62701,US\n", nil)
	token := preview.doc.Find(`input[name="token"]`).AttrOr("value", "")
	if token == "" {
		t.Fatalf("no upload token on the orders preview (%d)", preview.status)
	}
	before := env.dbDigest()
	c.get("/products/import")
	if p := c.post("/products/import/apply", url.Values{"token": {token}}); p.status != http.StatusSeeOther {
		t.Fatalf("orders token to the products apply: %d", p.status)
	}
	if env.dbDigest() != before {
		t.Fatal("an orders upload token applied as a products import changed the database")
	}
	// It still imports the orders it was made for.
	c.get("/orders/import")
	c.post("/orders/import/apply", url.Values{"token": {token}})
	page, err := env.db.Orders(t.Context(), w.merchantA.ID, store.OrderFilter{Tab: store.TabAll, Query: "U-1"})
	if err != nil || len(page.Orders) != 1 {
		t.Fatalf("the orders import after the misuse: %+v %v", page.Orders, err)
	}
}

func TestSupplierSetsDeadlinesAndLateSaysWhich(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	readyToDropship(t, env, w)
	ctx := context.Background()
	o, _, err := env.db.CreateOrder(ctx, store.CLIActor, w.merchantA.ID, orderfile.Order{Channel: "manual", ChannelOrderID: "DL-1", Currency: "USD",
		ShipTo: orderfile.Address{Name: "Ada", Address1: "1 Main St", City: "Springfield", PostalCode: "62701", Country: "US"},
		Lines:  []orderfile.Line{{SKU: "S-100", Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := env.db.Dropship(ctx, store.CLIActor, w.merchantA.ID, o.ID, store.DropshipRequest{IdempotencyKey: "dl-1", Confirm: true})
	if err != nil || len(res.POs) != 1 {
		t.Fatalf("dropship: %v", err)
	}
	later := time.Now().Add(3 * time.Hour)
	env.db.Now = func() time.Time { return later }
	c := env.client()
	c.login(w.adminS.Email)
	late := func() []string {
		var out []string
		c.get("/dropship-orders?tab=late").doc.Find(`[data-testid="late-why"]`).Each(func(_ int, s *goquery.Selection) { out = append(out, strings.TrimSpace(s.Text())) })
		return out
	}
	if got := late(); len(got) != 0 {
		t.Fatalf("3 h after release with the default 24 h: late %v", got)
	}
	page := c.get("/settings/statuses")
	if page.doc.Find(`[data-testid="ack-sla-hours"]`).AttrOr("value", "") != "24" || page.doc.Find(`[data-testid="stale-after-days"]`).AttrOr("value", "") != "42" {
		t.Fatal("the settings page does not show the default deadlines (24 h, 42 days)")
	}
	// A bad value saves nothing and keeps what was typed.
	before := env.dbDigest()
	p := c.post("/settings/deadlines", url.Values{"ack_sla_hours": {"0"}, "stale_after_days": {"30"}})
	if p.status != http.StatusUnprocessableEntity || p.doc.Find(`[data-testid="error-ack_sla_hours"]`).Length() != 1 ||
		p.doc.Find(`[data-testid="stale-after-days"]`).AttrOr("value", "") != "30" {
		t.Fatalf("ack 0 h: %d", p.status)
	}
	if env.dbDigest() != before {
		t.Fatal("a refused deadlines form changed the database")
	}
	if p := c.post("/settings/deadlines", url.Values{"ack_sla_hours": {"2"}, "stale_after_days": {"42"}}); p.status != http.StatusSeeOther {
		t.Fatalf("ack 2 h: %d", p.status)
	}
	if got := late(); len(got) != 1 || !strings.Contains(got[0], "Not acknowledged within 2 hours") {
		t.Fatalf("after a 2 h deadline the Late tab says %v", got)
	}
	// The merchant's Late view says the same.
	m := env.client()
	m.login(w.adminA.Email)
	if got := strings.TrimSpace(m.get("/purchase-orders?view=late").doc.Find(`[data-testid="po-late-why"]`).Text()); !strings.Contains(got, "Not acknowledged within 2 hours") {
		t.Fatalf("the merchant's Late view says %q", got)
	}
	if got := m.get("/purchase-orders/" + i64s(res.POs[0].ID)).doc.Find(`[data-testid="po-late-why"]`).Text(); !strings.Contains(got, "Not acknowledged within 2 hours") {
		t.Fatalf("the merchant's PO page says %q", got)
	}
	// The merchant cannot set a supplier's deadline.
	if p := m.post("/settings/deadlines", url.Values{"ack_sla_hours": {"1"}, "stale_after_days": {"1"}}); p.status == http.StatusSeeOther {
		t.Fatal("a merchant saved deadlines")
	}
	if set, _ := env.db.OrderSettings(ctx, w.supplierS.ID); set.AckSLAHours != 2 {
		t.Fatalf("the supplier's deadline is %d h after the merchant posted", set.AckSLAHours)
	}
}

func TestAuditLogHasOrderAndPOActionsWithTheirNumbers(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	readyToDropship(t, env, w)
	c := env.client()
	c.login(w.adminA.Email)
	orderPath := c.post("/orders", manualOrder("AU-1", "S-100", "1")).header.Get("Location")
	if _, p := dropshipAsPrefilled(t, c, orderPath, nil); p.status != http.StatusSeeOther {
		t.Fatalf("dropship: %d", p.status)
	}
	pos, _ := env.db.PurchaseOrders(t.Context(), w.merchantA.ID, store.POFilter{Query: "AU-1"})
	po := pos.POs[0]
	if p := c.post("/purchase-orders/"+i64s(po.ID)+"/cancel", url.Values{"reason": {"customer asked"}}); p.status != http.StatusSeeOther {
		t.Fatalf("request cancel: %d", p.status)
	}
	s := env.client()
	s.login(w.adminS.Email)
	s.post("/dropship-orders/"+i64s(po.ID)+"/acknowledge", nil)
	if p := s.post("/dropship-orders/"+i64s(po.ID)+"/cancel", url.Values{"answer": {"decline"}, "reason": {"already packed"}}); p.status != http.StatusSeeOther {
		t.Fatalf("decline: %d", p.status)
	}
	for _, side := range []struct {
		c     *client
		email string
		want  []string
	}{
		{c, w.adminA.Email, []string{"order.created", "po.created", "po.cancel_requested", "po.cancel_declined"}},
		{s, w.adminS.Email, []string{"po.received", "po.acknowledged", "po.cancel_requested", "po.cancel_declined"}},
	} {
		text := side.c.get("/settings/audit").doc.Find("main").Text()
		for _, action := range side.want {
			if !strings.Contains(text, action) {
				t.Errorf("%s's audit log lacks %s", side.email, action)
			}
		}
		if !strings.Contains(text, "PO "+po.PONumber) {
			t.Errorf("%s's audit log does not name %s", side.email, po.PONumber)
		}
	}
}

// secondInstance is another Dropline serving env's database, as a second
// web server behind a load balancer would.
func (e *testEnv) secondInstance() *testEnv {
	e.t.Helper()
	hashKey, blockKey := make([]byte, 64), make([]byte, 32)
	rand.Read(hashKey)
	rand.Read(blockKey)
	h, err := handlers.New(handlers.Config{Store: e.db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), SessionKeys: [][]byte{hashKey, blockKey}})
	if err != nil {
		e.t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	e.t.Cleanup(srv.Close)
	return &testEnv{t: e.t, db: e.db, path: e.path, echo: h, srv: srv}
}

// TestSignInLimitsHoldAcrossInstances: wrong passwords for one email spread
// over two instances of one database count together, and a new instance (a
// restart) forgets none of them.
func TestSignInLimitsHoldAcrossInstances(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	other := env.secondInstance()
	wrong := func(e *testEnv) int {
		c := e.client()
		c.get("/login")
		return c.post("/login", url.Values{"email": {w.adminA.Email}, "password": {"not the password"}}).status
	}
	for i, e := range []*testEnv{env, other, env, other, env} {
		if st := wrong(e); st != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d, want 401", i+1, st)
		}
	}
	if st := wrong(env.secondInstance()); st != http.StatusTooManyRequests {
		t.Fatalf("the sixth wrong password, on a new instance: %d, want 429", st)
	}
	if st := wrong(other); st != http.StatusTooManyRequests {
		t.Fatalf("the seventh, on the other instance: %d, want 429", st)
	}
}
