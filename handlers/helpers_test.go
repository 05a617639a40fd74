package handlers_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"github.com/dropline/dropline/handlers"
	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/fetch"
	"github.com/dropline/dropline/store/orderfile"
	"github.com/dropline/dropline/store/storetest"
	"github.com/dropline/dropline/store/tracking"
)

const testPassword = "correct horse battery"

// testEnv is a real Dropline on a temp database behind httptest.
type testEnv struct {
	t    *testing.T
	db   *store.DB
	path string
	echo *echo.Echo
	srv  *httptest.Server
	// trackingURLs point the app's tracking providers at in-test servers.
	trackingURLs map[tracking.Kind]string
}

func newEnv(t *testing.T) *testEnv {
	t.Helper()
	return newEnvIn(t, t.TempDir(), io.Discard)
}

// newEnvIn is newEnv with the database in dir and the server's log written to logs.
func newEnvIn(t *testing.T, dir string, logs io.Writer) *testEnv {
	t.Helper()
	ctx := context.Background()
	path := storetest.DSN(t, dir, func(dsn string) error {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = db.Migrate(ctx)
		return err
	})
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db.PasswordCost = bcrypt.MinCost
	hashKey, blockKey := make([]byte, 64), make([]byte, 32)
	rand.Read(hashKey)
	rand.Read(blockKey)
	trackingURLs := map[tracking.Kind]string{}
	e, err := handlers.New(handlers.Config{
		Store:        db,
		Logger:       slog.New(slog.NewTextHandler(logs, nil)),
		SessionKeys:  [][]byte{hashKey, blockKey},
		TrackingURLs: trackingURLs,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	// Whatever a test did through the app, the domain invariants still hold.
	t.Cleanup(func() {
		if err := db.CheckInvariants(ctx); err != nil {
			t.Error(err)
		}
	})
	return &testEnv{t: t, db: db, path: path, echo: e, srv: srv, trackingURLs: trackingURLs}
}

// world is a set of tenants: merchant A and B, supplier S and T, linked A↔S and B↔T.
// world() gives only the pair A↔S records; mirroredWorld() gives pair B↔T
// the same set, so a walk can attack in both directions.
type world struct {
	merchantA, merchantB, supplierS, supplierT store.Account
	adminA, adminB, adminS, adminT, staffA     store.User
	staffS                                     store.User
	statusS                                    int64 // one of supplier S's statuses
	providerA                                  int64 // merchant A's custom logistics provider
	productA, sourceA, subA, runA              int64 // merchant A's linked product, its source, subscription and first pull
	feedS                                      int64 // supplier S's feed
	orderA, poA                                int64 // merchant A's order and its PO to supplier S
	shipmentS                                  int64 // supplier S's shipment of that PO
	endpointA                                  int64 // merchant A's webhook endpoint
	platform                                   store.User
	tokenA, tokenB                             string
	tokenAID                                   int64
	linkAS                                     store.VendorLink
	// The same, pair by pair: as is A↔S, bt is B↔T (whose records are only
	// made by mirroredWorld).
	as, bt *tenantPair
}

// tenantPair is a linked merchant and supplier with one of every record a
// route takes the ID of.
type tenantPair struct {
	names                            pairNames
	merchant, supplier               store.Account
	merchantAdmin, supplierAdmin     store.User
	merchantStaff, supplierStaff     store.User
	link                             store.VendorLink
	status                           int64 // one of the supplier's statuses
	provider                         int64 // the merchant's custom logistics provider
	product, source, sub, run        int64 // the merchant's linked product, its source, subscription and first pull
	feed                             int64 // the supplier's feed
	order, po                        int64 // the merchant's order and its PO to the supplier
	poNumber                         string
	shipment                         int64 // the supplier's shipment of that PO
	endpoint                         int64 // the merchant's webhook endpoint
	channel                          int64 // the merchant's Shopify store
	message                          int64 // one of the pair's outbox messages (the supplier's)
	managed                          int64 // the merchant's website supplier (outside Dropline)
	websitePO                        int64 // a PO of the merchant's to that website supplier
	merchantToken, supplierToken     string
	merchantTokenID, supplierTokenID int64
}

// pairNames are the strings a pair's records carry. mirroredWorld makes
// them unique to the pair, so a page that shows one leaks that pair's data.
type pairNames struct {
	merchantStaff, supplierStaff string // staff emails
	provider, feed, sku, title   string
	customer, orderNumber        string
	poPrefix                     string // "" keeps the link's default
	endpoint                     string // webhook URL
}

// legacyNames are pair A↔S's names in world(), which many tests rely on.
var legacyNames = pairNames{merchantStaff: "staff-a@example.com", supplierStaff: "staff-s@example.com", provider: "Village Courier",
	feed: "Everything", sku: "S-100", title: "Widget", customer: "Ada", orderNumber: "A-1001", endpoint: "https://hooks.example.com/a"}

// canaryNames are unique strings for mirroredWorld's pairs: found in a page
// of another tenant, they are a leak.
var canaryNames = [2]pairNames{
	{merchantStaff: "staff-a@example.com", supplierStaff: "staff-s@example.com", provider: "Aquamarine Couriers Qx",
		feed: "Aquamarine Feed Qx", sku: "AQX-SKU-4417", title: "Aquamarine Sprocket Qx", customer: "Adelheid Quorvane",
		orderNumber: "AQX-ORD-7731", poPrefix: "AQXPO-", endpoint: "https://hooks.example.com/aquamarine-qx"},
	{merchantStaff: "staff-b@example.com", supplierStaff: "staff-t@example.com", provider: "Burgundy Couriers Zv",
		feed: "Burgundy Feed Zv", sku: "BZV-SKU-9023", title: "Burgundy Flange Zv", customer: "Bartholomew Zindlewick",
		orderNumber: "BZV-ORD-5502", poPrefix: "BZVPO-", endpoint: "https://hooks.example.com/burgundy-zv"},
}

func (e *testEnv) world() *world { return e.buildWorld(false) }

// mirroredWorld is world() with pair B↔T given the same records as A↔S, and
// every name unique to its pair (no "S-100", "Widget" or "Ada").
func (e *testEnv) mirroredWorld() *world { return e.buildWorld(true) }

func (e *testEnv) buildWorld(mirrored bool) *world {
	e.t.Helper()
	ctx := context.Background()
	w := &world{}
	mk := func(name, kind, email string) (store.Account, store.User) {
		a, u, err := e.db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: name, Kind: kind}, email, testPassword)
		if err != nil {
			e.t.Fatal(err)
		}
		return a, u
	}
	w.merchantA, w.adminA = mk("Merchant A", store.KindMerchant, "a@example.com")
	w.merchantB, w.adminB = mk("Merchant B", store.KindMerchant, "b@example.com")
	w.supplierS, w.adminS = mk("Supplier S", store.KindSupplier, "s@example.com")
	w.supplierT, w.adminT = mk("Supplier T", store.KindSupplier, "t@example.com")
	w.as = &tenantPair{names: legacyNames, merchant: w.merchantA, supplier: w.supplierS, merchantAdmin: w.adminA, supplierAdmin: w.adminS}
	w.bt = &tenantPair{names: canaryNames[1], merchant: w.merchantB, supplier: w.supplierT, merchantAdmin: w.adminB, supplierAdmin: w.adminT}
	if mirrored {
		w.as.names = canaryNames[0]
	}
	// The order of the steps keeps world()'s IDs what they always were.
	e.pairPeople(w.as)

	var err error
	w.platform, err = e.db.CreateUser(ctx, store.CLIActor, store.NewUser{Email: "root@example.com", Password: testPassword, PlatformAdmin: true})
	if err != nil {
		e.t.Fatal(err)
	}
	var tok store.APIToken
	tok, w.as.merchantToken, err = e.db.CreateToken(ctx, store.CLIActor, w.merchantA.ID, "A's token")
	if err != nil {
		e.t.Fatal(err)
	}
	w.as.merchantTokenID = tok.ID
	tok, w.bt.merchantToken, err = e.db.CreateToken(ctx, store.CLIActor, w.merchantB.ID, "B's token")
	if err != nil {
		e.t.Fatal(err)
	}
	w.bt.merchantTokenID = tok.ID
	w.as.link, err = e.db.CreateLink(ctx, store.CLIActor, w.supplierS.ID, w.merchantA.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	w.bt.link, err = e.db.CreateLink(ctx, store.CLIActor, w.supplierT.ID, w.merchantB.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	e.pairTrade(w.as)
	if mirrored {
		e.pairPeople(w.bt)
		e.pairTrade(w.bt)
		for _, p := range []*tenantPair{w.as, w.bt} {
			tok, p.supplierToken, err = e.db.CreateToken(ctx, store.CLIActor, p.supplier.ID, p.supplier.Name+"'s token")
			if err != nil {
				e.t.Fatal(err)
			}
			p.supplierTokenID = tok.ID
		}
	}

	w.staffA, w.staffS, w.statusS, w.providerA = w.as.merchantStaff, w.as.supplierStaff, w.as.status, w.as.provider
	w.productA, w.sourceA, w.subA, w.runA, w.feedS = w.as.product, w.as.source, w.as.sub, w.as.run, w.as.feed
	w.orderA, w.poA, w.shipmentS, w.endpointA = w.as.order, w.as.po, w.as.shipment, w.as.endpoint
	w.tokenA, w.tokenAID, w.tokenB, w.linkAS = w.as.merchantToken, w.as.merchantTokenID, w.bt.merchantToken, w.as.link
	return w
}

// pairPeople adds a pair's staff users, finds a supplier status and adds
// the merchant's logistics provider.
func (e *testEnv) pairPeople(p *tenantPair) {
	e.t.Helper()
	ctx := context.Background()
	m, err := e.db.AddMember(ctx, store.CLIActor, p.merchant.ID, store.NewMember{Email: p.names.merchantStaff, Password: testPassword, Role: store.RoleStaff})
	if err != nil {
		e.t.Fatal(err)
	}
	p.merchantStaff = m.User
	m, err = e.db.AddMember(ctx, store.CLIActor, p.supplier.ID, store.NewMember{Email: p.names.supplierStaff, Password: testPassword, Role: store.RoleStaff})
	if err != nil {
		e.t.Fatal(err)
	}
	p.supplierStaff = m.User
	statuses, err := e.db.SupplierStatuses(ctx, p.supplier.ID)
	if err != nil || len(statuses) == 0 {
		e.t.Fatalf("supplier %s has no statuses: %v", p.supplier.Name, err)
	}
	p.status = statuses[0].ID
	prov, err := e.db.AddLogisticsProvider(ctx, store.CLIActor, p.merchant.ID, p.names.provider, "https://courier.example/t?n={number}", store.LogisticsCarrier)
	if err != nil {
		e.t.Fatal(err)
	}
	p.provider = prov.ID
}

// pairTrade has the supplier publish a product in a feed, the merchant pull
// it, take an order and dropship it, the supplier ship it, and the merchant
// add a webhook endpoint.
func (e *testEnv) pairTrade(p *tenantPair) {
	e.t.Helper()
	ctx := context.Background()
	n := p.names
	if n.poPrefix != "" {
		settings := p.link.MerchantLinkSettings
		settings.POFormat, settings.POPrefix = store.POFormatSequence, n.poPrefix
		l, err := e.db.UpdateMerchantLinkSettings(ctx, store.CLIActor, p.merchant.ID, p.link.ID, settings)
		if err != nil {
			e.t.Fatal(err)
		}
		p.link = l
	}
	// The supplier publishes one product; the merchant pulls it.
	if _, err := e.db.SaveProduct(ctx, store.CLIActor, p.supplier.ID, 0, store.ProductInput{SKU: n.sku, Title: n.title, Quantity: 9, LeadTimeDays: 1, CostCents: 450, HasCost: true, Active: true}); err != nil {
		e.t.Fatal(err)
	}
	feed, err := e.db.SaveFeed(ctx, store.CLIActor, p.supplier.ID, 0, store.FeedInput{Name: n.feed, Selection: store.SelectAll, Fields: store.FeedFields, AllMerchants: true})
	if err != nil {
		e.t.Fatal(err)
	}
	p.feed = feed.ID
	sub, err := e.db.SaveSubscription(ctx, store.CLIActor, p.merchant.ID, 0, store.SubscriptionInput{FeedID: feed.ID, IntervalMinutes: 60, DropThresholdPct: 30, StaleAfterHours: 26})
	if err != nil {
		e.t.Fatal(err)
	}
	p.sub = sub.ID
	puller := &store.Puller{DB: e.db}
	run, err := puller.PullNow(ctx, p.merchant.ID, sub.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	puller.Wait()
	p.run = run.ID
	_, linked, err := e.db.LinkedProducts(ctx, p.merchant.ID, store.ProductFilter{})
	if err != nil || len(linked) != 1 || len(linked[0].Sources) != 1 {
		e.t.Fatalf("merchant %s's linked products after the pull: %+v %v", p.merchant.Name, linked, err)
	}
	p.product, p.source = linked[0].ID, linked[0].Sources[0].ID

	// The merchant dropships an order to the supplier; the supplier then
	// stops taking new ones, as tests of routing messages expect.
	for _, acc := range []store.Account{p.merchant, p.supplier} {
		if _, err := e.db.UpdateAccountSettings(ctx, store.CLIActor, acc.ID, store.AccountSettings{Name: acc.Name, TimeZone: "UTC", DropshipEnabled: true}); err != nil {
			e.t.Fatal(err)
		}
	}
	if err := e.db.SetInitialStatus(ctx, store.CLIActor, p.supplier.ID, p.status); err != nil {
		e.t.Fatal(err)
	}
	order, _, err := e.db.CreateOrder(ctx, store.CLIActor, p.merchant.ID, orderfile.Order{Channel: "manual", ChannelOrderID: n.orderNumber, Currency: "USD",
		ShipTo: orderfile.Address{Name: n.customer, Address1: "1 Main St", City: "Springfield", PostalCode: "62701", Country: "US"},
		Lines:  []orderfile.Line{{SKU: n.sku, Quantity: 1}}})
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := e.db.Dropship(ctx, store.CLIActor, p.merchant.ID, order.ID, store.DropshipRequest{IdempotencyKey: "world", Confirm: true})
	if err != nil || len(res.POs) != 1 {
		e.t.Fatalf("world dropship: %+v %v", res, err)
	}
	p.order, p.po, p.poNumber = order.ID, res.POs[0].ID, res.POs[0].PONumber
	sh, err := e.db.AddShipment(ctx, store.CLIActor, p.supplier.ID, p.po, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456784",
		ShipDate: time.Now().UTC().Format("2006-01-02")})
	if err != nil {
		e.t.Fatal(err)
	}
	p.shipment = sh.ID
	msgs, err := e.db.OutboxList(ctx, p.supplier.ID, store.OutboxFilter{}, 1)
	if err != nil || len(msgs) == 0 {
		e.t.Fatalf("supplier %s's outbox: %v %v", p.supplier.Name, msgs, err)
	}
	p.message = msgs[0].ID
	managed, err := e.db.CreateManagedSupplier(ctx, store.CLIActor, p.merchant.ID, store.ManagedSupplierInput{Contact: store.ContactWebsite,
		Name: "Site of " + p.merchant.Name, Website: "https://site.example.com"})
	if err != nil {
		e.t.Fatal(err)
	}
	p.managed = managed.ID
	ep, _, err := e.db.AddWebhookEndpoint(ctx, store.CLIActor, p.merchant.ID, n.endpoint, store.WebhookEventsFor(store.KindMerchant))
	if err != nil {
		e.t.Fatal(err)
	}
	p.endpoint = ep.ID
	ch, err := e.db.SaveSalesChannel(ctx, store.CLIActor, p.merchant.ID, 0, store.SalesChannelInput{Kind: "shopify",
		BaseURL: strings.ToLower(p.merchant.PublicID) + ".myshopify.com", AccessToken: "shpat_" + strings.Repeat("0", 32)})
	if err != nil {
		e.t.Fatal(err)
	}
	p.channel = ch.ID
	if err := e.db.SetInitialStatus(ctx, store.CLIActor, p.supplier.ID, 0); err != nil {
		e.t.Fatal(err)
	}
}

// client is a browser stand-in: a cookie jar, no redirect following, and the
// CSRF token scraped from the last page.
type client struct {
	t    *testing.T
	env  *testEnv
	http *http.Client
	csrf string
}

func (e *testEnv) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: e.t, env: e, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is a response with its body read and parsed.
type page struct {
	status int
	header http.Header
	body   string
	doc    *goquery.Document
}

func (c *client) do(req *http.Request) page {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	p := page{status: res.StatusCode, header: res.Header, body: string(b)}
	p.doc, _ = goquery.NewDocumentFromReader(strings.NewReader(p.body))
	if tok, ok := p.doc.Find(`input[name="_csrf"]`).First().Attr("value"); ok {
		c.csrf = tok
	}
	return p
}

func (c *client) get(path string) page {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.env.srv.URL+path, nil)
	return c.do(req)
}

// post submits a form with the client's CSRF token added.
func (c *client) post(path string, form url.Values) page {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" {
		form.Set("_csrf", c.csrf)
	}
	return c.postRaw(path, form)
}

// postRaw submits a form exactly as given.
func (c *client) postRaw(path string, form url.Values) page {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.env.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// uploadRequest is a multipart form posting body as the file field, with
// the client's CSRF token and any other fields; the caller may add headers.
func (c *client) uploadRequest(path, filename, body string, fields url.Values) *http.Request {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("_csrf", c.csrf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("file", filename)
	fw.Write([]byte(body))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.env.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

// upload posts body as the file of an upload form.
func (c *client) upload(path, filename, body string, fields url.Values) page {
	c.t.Helper()
	return c.do(c.uploadRequest(path, filename, body, fields))
}

// login signs in and loads a page so the client holds the new CSRF token.
func (c *client) login(email string) {
	c.t.Helper()
	c.get("/login")
	p := c.post("/login", url.Values{"email": {email}, "password": {testPassword}})
	if p.status != http.StatusSeeOther {
		c.t.Fatalf("login %s: status %d, want 303\n%s", email, p.status, p.body)
	}
	c.refresh()
}

// refresh loads a page that every signed-in user can see, for its CSRF token.
func (c *client) refresh() {
	c.t.Helper()
	p := c.get("/")
	for i := 0; i < 3 && p.status == http.StatusSeeOther; i++ {
		p = c.get(p.header.Get("Location"))
	}
	if p.status != http.StatusOK {
		c.t.Fatalf("GET / after login: status %d", p.status)
	}
}

// navLabels lists the side navigation's links, in order.
func navLabels(p page) []string {
	var out []string
	p.doc.Find(`[data-testid="nav"] a`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Text()))
	})
	return out
}

// dbDigest hashes every row of every table, so a test can tell whether a
// request changed anything at all.
// send makes a request without a session (its token or signature goes in
// hdr, as name, value pairs) and returns the status and body.
func (e *testEnv) send(method, path string, body []byte, hdr ...string) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return res.StatusCode, b
}

// api calls the REST API with a bearer token and decodes its JSON answer.
func (e *testEnv) api(method, path, token, body string, hdr ...string) (int, map[string]any) {
	e.t.Helper()
	status, b := e.send(method, path, []byte(body), append([]string{"Authorization", "Bearer " + token, "Content-Type", "application/json"}, hdr...)...)
	var out map[string]any
	json.Unmarshal(b, &out)
	return status, out
}

func (e *testEnv) dbDigest() string {
	e.t.Helper()
	raw, err := e.db.OpenSQL()
	if err != nil {
		e.t.Fatal(err)
	}
	defer raw.Close()
	list := "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
	if e.db.Postgres() {
		list = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name"
	}
	tables, err := raw.Query(list)
	if err != nil {
		e.t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		tables.Scan(&n)
		names = append(names, n)
	}
	tables.Close()
	h := sha256.New()
	for _, n := range names {
		rows, err := raw.Query(fmt.Sprintf("SELECT * FROM %q ORDER BY rowid", n))
		if e.db.Postgres() {
			rows, err = raw.Query(fmt.Sprintf("SELECT * FROM %q ORDER BY %q", n, n)) // by every column
		}
		if err != nil {
			// WITHOUT ROWID tables have no rowid; order by all columns instead.
			rows, err = raw.Query(fmt.Sprintf("SELECT * FROM %q ORDER BY 1", n))
			if err != nil {
				e.t.Fatal(err)
			}
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			rows.Scan(ptrs...)
			fmt.Fprintf(h, "%s|%v\n", n, vals)
		}
		rows.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// websitePO gives the pair's merchant a PO to its website supplier: a URL
// feed of the site's catalog, named as that supplier's, and an order of its
// product dropshipped. The route walks and the website supplier's tests
// ask for it; other tests' worlds are built without it.
func (e *testEnv) websitePO(p *tenantPair) {
	e.t.Helper()
	if p.websitePO != 0 {
		return
	}
	ctx := context.Background()
	sku := p.names.sku + "-W"
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(rw, "sku,title,options,gtin,mpn,cost,price,quantity,lead_time_days,url,image_url,description,tags,active\n%s,Site item,,,,3.00,9.00,50,1,https://site.example.com/item/1,,,,true\n", sku)
	}))
	defer srv.Close()
	sub, err := e.db.SaveSubscription(ctx, store.CLIActor, p.merchant.ID, 0, store.SubscriptionInput{Name: "Site catalog", URL: srv.URL + "/catalog.csv",
		IntervalMinutes: 60, DropThresholdPct: 30, StaleAfterHours: 26})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.SetSubscriptionSupplier(ctx, store.CLIActor, p.merchant.ID, sub.ID, p.managed); err != nil {
		e.t.Fatal(err)
	}
	puller := &store.Puller{DB: e.db, Fetcher: &fetch.Fetcher{AllowPrivate: true}}
	if _, err := puller.PullNow(ctx, p.merchant.ID, sub.ID); err != nil {
		e.t.Fatal(err)
	}
	puller.Wait()
	order, _, err := e.db.CreateOrder(ctx, store.CLIActor, p.merchant.ID, orderfile.Order{Channel: "etsy", ChannelOrderID: p.names.orderNumber + "-W", Currency: "USD",
		ShipTo: orderfile.Address{Name: p.names.customer, Address1: "1 Main St", City: "Springfield", PostalCode: "62701", Country: "US"},
		Lines:  []orderfile.Line{{SKU: sku, Quantity: 1}}})
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := e.db.Dropship(ctx, store.CLIActor, p.merchant.ID, order.ID, store.DropshipRequest{IdempotencyKey: "world-website", Confirm: true})
	if err != nil || len(res.POs) != 1 || res.POs[0].SupplierID != p.managed {
		e.t.Fatalf("world website dropship: %+v %v", res, err)
	}
	p.websitePO = res.POs[0].ID
}
