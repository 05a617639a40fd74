package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/dropline/dropline/store"
)

// selected is the value a mapping select has chosen, "" for none.
func selected(p page, field string) string {
	return p.doc.Find(`select[name="map_`+field+`"] option[selected]`).AttrOr("value", "")
}

// effects lists the "Row skipped"/"Field left empty" cells of a row error table, by line.
func effects(p page, table string) map[string]string {
	out := map[string]string{}
	p.doc.Find(`[data-testid="` + table + `"] tbody tr`).Each(func(_ int, tr *goquery.Selection) {
		out[strings.TrimSpace(tr.Find("td").First().Text())] = strings.TrimSpace(tr.Find(`[data-testid="error-effect"]`).Text())
	})
	return out
}

// unknownFile is a supplier's own export whose columns Dropline does not recognise.
const unknownFile = "Item Code,Description,On Hand,Unit Price,Weight\nIC-1,Blue mug,12,9.50,0.4 kg\nIC-2,Red mug,in stock,8.00,0.4 kg\n"

func TestImportUnknownColumnsMapThenApply(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.adminS.Email)
	c.get("/products/import")
	p := uploadCSV(t, c, "catalog", unknownFile)
	if p.status != http.StatusOK || p.doc.Find(`[data-testid="import-mapping"]`).Length() != 1 {
		t.Fatalf("upload of an unknown layout: %d, want the mapping step\n%s", p.status, p.doc.Find("main").Text())
	}
	// The file's first rows and Dropline's guesses from the column names.
	if got := p.doc.Find(`[data-testid="map-rows"] tbody tr`).Length(); got != 2 {
		t.Errorf("mapping step shows %d rows, want 2", got)
	}
	for field, want := range map[string]string{"quantity": "On Hand", "description": "", "sku": "Item Code", "price": "Unit Price", "title": "Description"} {
		if got := selected(p, field); got != want {
			t.Errorf("%s prefilled with %q, want %q", field, got, want)
		}
	}
	token := p.doc.Find(`input[name="token"]`).AttrOr("value", "")
	form := formValues(p.doc.Find(`[data-testid="import-mapping"] form`))
	if form.Get("token") != token || form.Get("mapped") != "1" {
		t.Fatalf("mapping form carries %v", form)
	}
	// Without a SKU column the step comes back with the message, the upload kept.
	form.Set("map_sku", "")
	p = c.post("/products/import/preview", form)
	if p.status != http.StatusUnprocessableEntity || p.doc.Find(`[data-testid="error-map_sku"]`).Length() != 1 {
		t.Fatalf("mapping without SKU: %d", p.status)
	}
	form.Set("map_sku", "Item Code")
	form.Set("map_title", "Description")
	form.Del("map_description")
	form.Set("map_price", "Unit Price")
	p = c.post("/products/import/preview", form)
	if p.status != http.StatusOK {
		t.Fatalf("preview with mapping: %d\n%s", p.status, p.doc.Find("main").Text())
	}
	if s := p.doc.Find(`[data-testid="import-summary"]`).Text(); !strings.Contains(s, "2 to create") {
		t.Errorf("summary %q", s)
	}
	notes := p.doc.Find(`[data-testid="import-notes"]`).Text()
	for _, want := range []string{"Weight", "not imported", "in stock without a number: given a quantity of 1"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q lack %q", notes, want)
		}
	}
	if p.doc.Find(`[data-testid="import-loses"]`).Length() != 0 {
		t.Error("a warning on a file whose titles and quantities are mapped")
	}
	page, _ := env.db.Products(t.Context(), w.supplierS.ID, store.ProductFilter{})
	if page.Total != 1 {
		t.Fatalf("the preview changed products: %d", page.Total)
	}
	apply := formValues(p.doc.Find(`[data-testid="import-apply-form"]`))
	if ap := c.post("/products/import/apply", apply); ap.status != http.StatusSeeOther {
		t.Fatalf("apply: %d\n%s", ap.status, ap.doc.Find("main").Text())
	}
	for sku, want := range map[string]struct {
		title string
		qty   int
		price int64
	}{"IC-1": {"Blue mug", 12, 950}, "IC-2": {"Red mug", 1, 800}} {
		got, err := env.db.ProductBySKU(t.Context(), w.supplierS.ID, sku)
		if err != nil || got.Title != want.title || got.Quantity != want.qty || got.PriceCents != want.price {
			t.Errorf("%s = %q qty %d price %d (%v), want %+v", sku, got.Title, got.Quantity, got.PriceCents, err, want)
		}
	}
	msg := c.get("/products").doc.Find(".flash").Text()
	if !strings.Contains(msg, "0 rows skipped") || !strings.Contains(msg, "notes") {
		t.Errorf("applied message %q, want the skipped count and the notes mentioned", msg)
	}
}

func TestImportLosingTitlesNeedsAcknowledgement(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.adminS.Email)
	c.get("/products/import")
	p := uploadCSV(t, c, "catalog", unknownFile)
	form := formValues(p.doc.Find(`[data-testid="import-mapping"] form`))
	form.Set("map_sku", "Item Code")
	form.Del("map_title")
	form.Del("map_description")
	p = c.post("/products/import/preview", form)
	warn := p.doc.Find(`[data-testid="import-loses"]`)
	if p.status != http.StatusOK || !strings.Contains(warn.Text(), "Title is empty on all 2 rows (no column holds it)") {
		t.Fatalf("preview without a title column: %d, warning %q", p.status, warn.Text())
	}
	if warn.HasClass("error") || !warn.HasClass("warn") {
		t.Errorf("warning classes %q", warn.AttrOr("class", ""))
	}
	box := p.doc.Find(`[data-testid="import-acknowledge"]`)
	if _, req := box.Attr("required"); box.Length() != 1 || !req || !strings.Contains(box.Parent().Text(), "without titles") {
		t.Fatalf("acknowledgement checkbox %d, label %q", box.Length(), box.Parent().Text())
	}
	// Applying without it, as a script would, is refused and changes nothing.
	apply := formValues(p.doc.Find(`[data-testid="import-apply-form"]`))
	before := env.dbDigest()
	ap := c.post("/products/import/apply", apply)
	if ap.status != http.StatusUnprocessableEntity || !strings.Contains(ap.doc.Find(`[data-testid="import-ack-error"]`).Text(), "Nothing was imported") {
		t.Fatalf("apply without acknowledgement: %d %q", ap.status, ap.doc.Find(`[data-testid="import-ack-error"]`).Text())
	}
	if env.dbDigest() != before {
		t.Fatal("apply without acknowledgement changed the database")
	}
	apply.Set("acknowledged", "true")
	if ap := c.post("/products/import/apply", apply); ap.status != http.StatusSeeOther {
		t.Fatalf("apply with acknowledgement: %d", ap.status)
	}
	if got, err := env.db.ProductBySKU(t.Context(), w.supplierS.ID, "IC-1"); err != nil || got.Title != "" || got.Quantity != 12 {
		t.Errorf("IC-1 = %+v, %v; want created without a title", got, err)
	}
}

func TestImportShopifyBuildsSKUs(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.adminS.Email)
	c.get("/products/import")
	shop := "Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price,Variant Inventory Qty,Variant Compare At Price\n" +
		"classic-tee,Classic Tee,Size,S,,10.00,3,\nclassic-tee,,Size,M,,10.00,4,\n"
	p := uploadCSV(t, c, "catalog", shop)
	if p.status != http.StatusOK {
		t.Fatalf("upload: %d %s", p.status, p.doc.Find("main").Text())
	}
	if notes := p.doc.Find(`[data-testid="import-notes"]`).Text(); !strings.Contains(notes, "2 variants had no SKU: SKUs were built from the handle and options, e.g. classic-tee-s") {
		t.Errorf("notes %q lack the built SKUs", notes)
	}
	opts := p.doc.Find(`[data-testid="import-options"]`)
	if box := opts.Find(`input[name="build_skus"][type="checkbox"]`); box.Length() != 1 || box.AttrOr("checked", "no") == "no" {
		t.Fatal("no ticked Build SKUs option on a Shopify preview")
	}
	// Turning it off previews again: the variants would be skipped.
	off := formValues(opts)
	off.Del("build_skus")
	p2 := c.post("/products/import/preview", off)
	if s := p2.doc.Find(`[data-testid="import-summary"]`).Text(); !strings.Contains(s, "0 to create") {
		t.Errorf("without building SKUs the summary is %q", s)
	}
	if notes := p2.doc.Find(`[data-testid="import-notes"]`).Text(); !strings.Contains(notes, "were skipped") {
		t.Errorf("notes without building SKUs %q", notes)
	}
	if ap := c.post("/products/import/apply", formValues(p.doc.Find(`[data-testid="import-apply-form"]`))); ap.status != http.StatusSeeOther {
		t.Fatalf("apply: %d", ap.status)
	}
	for _, sku := range []string{"classic-tee-s", "classic-tee-m"} {
		got, err := env.db.ProductBySKU(t.Context(), w.supplierS.ID, sku)
		if err != nil || got.GroupKey != "classic-tee" {
			t.Errorf("%s = %+v, %v; want created in group classic-tee", sku, got, err)
		}
	}
	list := c.get("/products?q=classic")
	if got := list.doc.Find(`[data-testid="product-group"]`).First().Text(); got != "classic-tee" {
		t.Errorf("product list group %q", got)
	}
	href := list.doc.Find(`[data-testid="product-row"] a`).First().AttrOr("href", "")
	if got := c.get(href).doc.Find(`[data-testid="product-group"]`).Text(); got != "classic-tee" {
		t.Errorf("product page %s group %q", href, got)
	}
}

func TestImportInStockQuantityAndRowErrorEffects(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.adminS.Email)
	c.get("/products/import")
	file := "sku,title,quantity\nIS-1,Thing,in stock\nIS-2,Lotion,100 ML\nIS-1,Again,3\nIS-3,Sold out,out of stock\n"
	p := uploadCSV(t, c, "catalog", file)
	if p.status != http.StatusOK {
		t.Fatalf("upload: %d", p.status)
	}
	got := effects(p, "import-errors")
	if got["3"] != "Field left empty" || got["4"] != "Row skipped" {
		t.Errorf("row error effects %v, want line 3 field left empty (100 ML), line 4 row skipped (SKU again)", got)
	}
	opts := formValues(p.doc.Find(`[data-testid="import-options"]`))
	opts.Set("in_stock_quantity", "-1")
	if bad := c.post("/products/import/preview", opts); bad.status != http.StatusUnprocessableEntity || bad.doc.Find(`[data-testid="error-in_stock_quantity"]`).Length() != 1 {
		t.Fatalf("negative in-stock quantity: %d", bad.status)
	}
	opts.Set("in_stock_quantity", "7")
	p = c.post("/products/import/preview", opts)
	if notes := p.doc.Find(`[data-testid="import-notes"]`).Text(); !strings.Contains(notes, "given a quantity of 7") {
		t.Errorf("notes %q", notes)
	}
	if v := p.doc.Find(`[data-testid="import-apply-form"] input[name="in_stock_quantity"]`).AttrOr("value", ""); v != "7" {
		t.Fatalf("apply carries in-stock quantity %q, want 7", v)
	}
	if ap := c.post("/products/import/apply", formValues(p.doc.Find(`[data-testid="import-apply-form"]`))); ap.status != http.StatusSeeOther {
		t.Fatalf("apply: %d", ap.status)
	}
	for sku, want := range map[string]int{"IS-1": 7, "IS-2": 0, "IS-3": 0} {
		if got, err := env.db.ProductBySKU(t.Context(), w.supplierS.ID, sku); err != nil || got.Quantity != want {
			t.Errorf("%s quantity %d (%v), want %d", sku, got.Quantity, err, want)
		}
	}
	if msg := c.get("/products").doc.Find(".flash").Text(); !strings.Contains(msg, "1 row skipped") {
		t.Errorf("applied message %q", msg)
	}
}

func TestCurrencySettingAndForeignPrices(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.adminS.Email)
	sp := c.get("/settings")
	form := formValues(sp.doc.Find(`form[action="/settings/account"]`))
	if form.Get("currency") != "USD" {
		t.Fatalf("currency field %q, want the account's USD", form.Get("currency"))
	}
	form.Set("currency", "US")
	if p := c.post("/settings/account", form); p.status != http.StatusUnprocessableEntity || p.doc.Find(`[data-testid="error-currency"]`).Length() != 1 {
		t.Fatalf("bad currency: %d", p.status)
	}
	form.Set("currency", "eur")
	if p := c.post("/settings/account", form); p.status != http.StatusSeeOther {
		t.Fatalf("save currency: %d", p.status)
	}
	if acc, _ := env.db.Account(t.Context(), w.supplierS.ID); acc.Currency != "EUR" {
		t.Fatalf("currency %q, want EUR", acc.Currency)
	}
	form.Set("currency", "USD")
	c.post("/settings/account", form)
	// A Google feed priced in EUR on a USD account: reported, the price left empty.
	c.get("/products/import")
	p := uploadCSV(t, c, "catalog", "id\ttitle\tprice\tavailability\nG-1\tScarf\t12.00 EUR\tin stock\n")
	if p.status != http.StatusOK {
		t.Fatalf("upload: %d %s", p.status, p.doc.Find("main").Text())
	}
	errs := p.doc.Find(`[data-testid="import-errors"]`).Text()
	if !strings.Contains(errs, "EUR") || !strings.Contains(errs, "USD") || effects(p, "import-errors")["2"] != "Field left empty" {
		t.Fatalf("row errors %q, want the EUR price reported and left empty", errs)
	}
	if ap := c.post("/products/import/apply", formValues(p.doc.Find(`[data-testid="import-apply-form"]`))); ap.status != http.StatusSeeOther {
		t.Fatalf("apply: %d", ap.status)
	}
	if got, err := env.db.ProductBySKU(t.Context(), w.supplierS.ID, "G-1"); err != nil || got.HasPrice || got.Title != "Scarf" || got.Quantity != 1 {
		t.Errorf("G-1 = %+v, %v; want imported without a price", got, err)
	}
}

func TestSubscribeUnknownColumnsPrefillsMappingAndNotes(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := t.Context()
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Write([]byte("Code,Name,Qty,Weight\nC-1,Kettle,5,1 kg\nC-2,Toaster,in stock,2 kg\nC-3,Lotion,100 ML,1 kg\nC-1,Kettle again,2,1 kg\n"))
	}))
	defer srv.Close()
	if err := env.db.SetAllowPrivateFeeds(ctx, store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	feedURL := srv.URL + "/feed.csv"
	c := env.client()
	c.login(w.adminA.Email)
	c.get("/feeds")
	p := c.post("/subscriptions/preview", url.Values{"url": {feedURL}})
	if p.status != http.StatusOK || p.doc.Find(`[data-testid="preview-needs-map"]`).Length() != 1 {
		t.Fatalf("preview: %d\n%s", p.status, p.doc.Find("main").Text())
	}
	for field, want := range map[string]string{"sku": "Code", "title": "Name", "quantity": "Qty", "price": ""} {
		if got := selected(p, field); got != want {
			t.Errorf("%s prefilled with %q, want %q", field, got, want)
		}
	}
	if notes := p.doc.Find(`[data-testid="preview-notes"]`).Text(); !strings.Contains(notes, "Weight") || !strings.Contains(notes, "given a quantity of 1") {
		t.Errorf("preview notes %q", notes)
	}
	form := formValues(p.doc.Find(`form[action="/subscriptions"]`))
	// A mapping without the title: the preview warns, subscribing needs the acknowledgement.
	noTitle := formValues(p.doc.Find(`form[action="/subscriptions"]`))
	noTitle.Del("map_title")
	before := env.dbDigest()
	r := c.post("/subscriptions", noTitle)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.doc.Find(`[data-testid="preview-loses"]`).Text(), "Title is empty on all 3 rows") ||
		r.doc.Find(`[data-testid="preview-ack-error"]`).Length() != 1 {
		t.Fatalf("subscribe losing titles: %d %q", r.status, r.doc.Find(`[data-testid="preview-loses"]`).Text())
	}
	if env.dbDigest() != before {
		t.Fatal("a refused subscribe changed the database")
	}
	form.Set("in_stock_quantity", "4")
	r = c.post("/subscriptions", form)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/runs/") {
		t.Fatalf("subscribe: %d %s", r.status, r.doc.Find("main").Text())
	}
	runPath := r.header.Get("Location")
	var rp page
	for i := 0; i < 100; i++ {
		rp = c.get(runPath)
		if rp.doc.Find(`[data-testid="run-state"]`).Text() != "Running" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if state := rp.doc.Find(`[data-testid="run-state"]`).Text(); state != "Succeeded" {
		t.Fatalf("run %s: %q", state, rp.doc.Find(`[data-testid="run-message"]`).Text())
	}
	if notes := rp.doc.Find(`[data-testid="run-notes"]`).Text(); !strings.Contains(notes, "Weight") || !strings.Contains(notes, "given a quantity of 4") {
		t.Errorf("run notes %q", notes)
	}
	if got := effects(rp, "run-errors"); got["4"] != "Field left empty" || got["5"] != "Row skipped" {
		t.Errorf("run error effects %v, want line 4 field left empty (100 ML), line 5 row skipped (C-1 again)", got)
	}
	subs, err := env.db.Subscriptions(ctx, w.merchantA.ID)
	if err != nil {
		t.Fatal(err)
	}
	var sub store.Subscription
	for _, s := range subs {
		if s.URL == feedURL {
			sub = s
		}
	}
	if sub.InStockQuantity != 4 || !sub.BuildSKUs {
		t.Fatalf("subscription saved in-stock %d, build SKUs %v; want 4, true", sub.InStockQuantity, sub.BuildSKUs)
	}
	// The settings form shows and changes the option.
	subPath := "/subscriptions/" + strconv.FormatInt(sub.ID, 10)
	sp := c.get(subPath)
	settings := formValues(sp.doc.Find(`form[action="` + subPath + `"]`))
	if settings.Get("in_stock_quantity") != "4" {
		t.Fatalf("settings show in-stock %q", settings.Get("in_stock_quantity"))
	}
	settings.Set("in_stock_quantity", "9")
	if s := c.post(subPath, settings); s.status != http.StatusSeeOther {
		t.Fatalf("save settings: %d", s.status)
	}
	if got, _ := env.db.Subscription(ctx, w.merchantA.ID, sub.ID); got.InStockQuantity != 9 || !got.BuildSKUs {
		t.Errorf("after save in-stock %d build %v, want 9 true", got.InStockQuantity, got.BuildSKUs)
	}
}

// TestSubscriptionColumnMapping: a URL subscription saved before its file
// needed a mapping (its pulls now say "say which column holds what") gets one
// from its own page, prefilled with Dropline's guesses; saving it pulls with
// it; the mapping can be given up again; another merchant cannot reach it.
func TestSubscriptionColumnMapping(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := t.Context()
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Write([]byte("Item Code,Description,On Hand,Unit Price,Weight\nIC-1,Blue mug,12,9.50,0.4 kg\nIC-2,Red mug,in stock,8.00,0.4 kg\n"))
	}))
	defer srv.Close()
	if err := env.db.SetAllowPrivateFeeds(ctx, store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	sub, err := env.db.SaveSubscription(ctx, store.CLIActor, w.merchantA.ID, 0, store.SubscriptionInput{URL: srv.URL + "/stock.csv", Format: "dropline",
		IntervalMinutes: 60, DropThresholdPct: 30, StaleAfterHours: 26})
	if err != nil {
		t.Fatal(err)
	}
	puller := &store.Puller{DB: env.db}
	run, err := puller.PullNow(ctx, w.merchantA.ID, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	puller.Wait()
	if got, _ := env.db.FeedRun(ctx, w.merchantA.ID, run.ID); got.State != store.RunFailed || !strings.Contains(got.Message, "say which column holds what") {
		t.Fatalf("pull of an unmapped file: %s %q", got.State, got.Message)
	}

	c := env.client()
	c.login(w.adminA.Email)
	subPage := c.get("/subscriptions/" + injID(sub.ID))
	if !strings.Contains(subPage.doc.Find("main").Text(), "recognised by Dropline") || subPage.doc.Find(`[data-testid="mapping-link"]`).Length() != 1 {
		t.Fatalf("subscription page lacks the mapping link:\n%s", subPage.doc.Find("main").Text())
	}
	p := c.get("/subscriptions/" + injID(sub.ID) + "/mapping")
	if p.status != http.StatusOK {
		t.Fatalf("mapping page: %d", p.status)
	}
	for field, want := range map[string]string{"sku": "Item Code", "title": "Description", "quantity": "On Hand", "price": "Unit Price"} {
		if got := selected(p, field); got != want {
			t.Errorf("%s prefilled with %q, want %q", field, got, want)
		}
	}
	form := formValues(p.doc.Find(`form.map-form`))
	if r := c.post("/subscriptions/"+injID(sub.ID)+"/mapping", form); r.status != http.StatusSeeOther {
		t.Fatalf("save mapping: %d\n%s", r.status, r.doc.Find("main").Text())
	}
	waitPulls(t, env, w.merchantA.ID, sub.ID)
	got, err := env.db.Subscription(ctx, w.merchantA.ID, sub.ID)
	if err != nil || got.Mapping["sku"] != "Item Code" || got.Mapping["title"] != "Description" {
		t.Fatalf("saved mapping %v (%v)", got.Mapping, err)
	}
	runs, _ := env.db.FeedRuns(ctx, w.merchantA.ID, sub.ID, 1)
	if len(runs) != 1 || runs[0].State != store.RunSucceeded || runs[0].Created != 2 {
		t.Fatalf("pull with the mapping: %+v", runs)
	}
	if lp, err := env.db.ProductBySKU(ctx, w.merchantA.ID, "IC-1"); err != nil || lp.Title != "Blue mug" {
		t.Errorf("IC-1 = %+v, %v", lp, err)
	}

	// Another merchant's admin cannot see or change it.
	other := env.client()
	other.login(w.adminB.Email)
	if r := other.get("/subscriptions/" + injID(sub.ID) + "/mapping"); r.status != http.StatusNotFound {
		t.Errorf("another account's mapping page: %d", r.status)
	}

	// Giving the mapping up: pulls recognise the file again.
	if r := c.post("/subscriptions/"+injID(sub.ID)+"/mapping", url.Values{"remove": {"1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("remove mapping: %d", r.status)
	}
	waitPulls(t, env, w.merchantA.ID, sub.ID)
	if got, _ := env.db.Subscription(ctx, w.merchantA.ID, sub.ID); len(got.Mapping) != 0 {
		t.Errorf("mapping after removing it: %v", got.Mapping)
	}
}

// waitPulls waits for the server's pulls of a subscription to finish.
func waitPulls(t *testing.T, env *testEnv, merchantID, subID int64) {
	t.Helper()
	for range 200 {
		runs, err := env.db.FeedRuns(t.Context(), merchantID, subID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) > 0 && runs[0].State != store.RunRunning {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatal("the pull did not finish in 5 s")
}

// TestMappingARecognisedFile: the mapping page of a subscription whose file
// Dropline recognises says so, and that a mapping would replace it.
func TestMappingARecognisedFile(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := t.Context()
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Write([]byte("sku,title,quantity\nT-1,Tray,4\n"))
	}))
	defer srv.Close()
	if err := env.db.SetAllowPrivateFeeds(ctx, store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	sub, err := env.db.SaveSubscription(ctx, store.CLIActor, w.merchantA.ID, 0, store.SubscriptionInput{URL: srv.URL + "/t.csv",
		IntervalMinutes: 60, DropThresholdPct: 30, StaleAfterHours: 26})
	if err != nil {
		t.Fatal(err)
	}
	c := env.client()
	c.login(w.adminA.Email)
	p := c.get("/subscriptions/" + injID(sub.ID) + "/mapping")
	note := p.doc.Find(`[data-testid="preview-recognised-map"]`).Text()
	if p.status != http.StatusOK || !strings.Contains(note, "Dropline template") || p.doc.Find(`[data-testid="preview-needs-map"]`).Length() != 0 {
		t.Errorf("mapping page of a recognised file: %d %q", p.status, note)
	}
	if selected(p, "sku") != "sku" || selected(p, "quantity") != "quantity" {
		t.Errorf("guesses sku %q, quantity %q", selected(p, "sku"), selected(p, "quantity"))
	}
}
