package handlers_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"github.com/dropline/dropline/handlers"
	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

const testPassword = "correct horse battery"

// testEnv is a real Dropline on a temp database behind httptest.
type testEnv struct {
	t    *testing.T
	db   *store.DB
	path string
	echo *echo.Echo
	srv  *httptest.Server
}

func newEnv(t *testing.T) *testEnv {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.db")
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
	e, err := handlers.New(handlers.Config{
		Store:       db,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		SessionKeys: [][]byte{hashKey, blockKey},
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
	return &testEnv{t: t, db: db, path: path, echo: e, srv: srv}
}

// world is a set of tenants: merchant A and B, supplier S and T, linked A↔S and B↔T.
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
}

func (e *testEnv) world() *world {
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
	m, err := e.db.AddMember(ctx, store.CLIActor, w.merchantA.ID, store.NewMember{Email: "staff-a@example.com", Password: testPassword, Role: store.RoleStaff})
	if err != nil {
		e.t.Fatal(err)
	}
	w.staffA = m.User
	m, err = e.db.AddMember(ctx, store.CLIActor, w.supplierS.ID, store.NewMember{Email: "staff-s@example.com", Password: testPassword, Role: store.RoleStaff})
	if err != nil {
		e.t.Fatal(err)
	}
	w.staffS = m.User
	statuses, err := e.db.SupplierStatuses(ctx, w.supplierS.ID)
	if err != nil || len(statuses) == 0 {
		e.t.Fatalf("supplier S has no statuses: %v", err)
	}
	w.statusS = statuses[0].ID
	prov, err := e.db.AddLogisticsProvider(ctx, store.CLIActor, w.merchantA.ID, "Village Courier", "https://courier.example/t?n={number}", store.LogisticsCarrier)
	if err != nil {
		e.t.Fatal(err)
	}
	w.providerA = prov.ID

	w.platform, err = e.db.CreateUser(ctx, store.CLIActor, store.NewUser{Email: "root@example.com", Password: testPassword, PlatformAdmin: true})
	if err != nil {
		e.t.Fatal(err)
	}
	var tokA store.APIToken
	tokA, w.tokenA, err = e.db.CreateToken(ctx, store.CLIActor, w.merchantA.ID, "A's token")
	if err != nil {
		e.t.Fatal(err)
	}
	w.tokenAID = tokA.ID
	_, w.tokenB, err = e.db.CreateToken(ctx, store.CLIActor, w.merchantB.ID, "B's token")
	if err != nil {
		e.t.Fatal(err)
	}
	w.linkAS, err = e.db.CreateLink(ctx, store.CLIActor, w.supplierS.ID, w.merchantA.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.db.CreateLink(ctx, store.CLIActor, w.supplierT.ID, w.merchantB.ID); err != nil {
		e.t.Fatal(err)
	}
	// Supplier S publishes one product; merchant A pulls it.
	if _, err := e.db.SaveProduct(ctx, store.CLIActor, w.supplierS.ID, 0, store.ProductInput{SKU: "S-100", Title: "Widget", Quantity: 9, LeadTimeDays: 1, CostCents: 450, HasCost: true, Active: true}); err != nil {
		e.t.Fatal(err)
	}
	feed, err := e.db.SaveFeed(ctx, store.CLIActor, w.supplierS.ID, 0, store.FeedInput{Name: "Everything", Selection: store.SelectAll, Fields: store.FeedFields, AllMerchants: true})
	if err != nil {
		e.t.Fatal(err)
	}
	w.feedS = feed.ID
	sub, err := e.db.SaveSubscription(ctx, store.CLIActor, w.merchantA.ID, 0, store.SubscriptionInput{FeedID: feed.ID, IntervalMinutes: 60, DropThresholdPct: 30, StaleAfterHours: 26})
	if err != nil {
		e.t.Fatal(err)
	}
	w.subA = sub.ID
	puller := &store.Puller{DB: e.db}
	run, err := puller.PullNow(ctx, w.merchantA.ID, sub.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	puller.Wait()
	w.runA = run.ID
	_, linked, err := e.db.LinkedProducts(ctx, w.merchantA.ID, store.ProductFilter{})
	if err != nil || len(linked) != 1 || len(linked[0].Sources) != 1 {
		e.t.Fatalf("merchant A's linked products after the pull: %+v %v", linked, err)
	}
	w.productA, w.sourceA = linked[0].ID, linked[0].Sources[0].ID

	// Merchant A dropships an order to S; S then stops taking new ones, as
	// tests of routing messages expect.
	for _, acc := range []store.Account{w.merchantA, w.supplierS} {
		if _, err := e.db.UpdateAccountSettings(ctx, store.CLIActor, acc.ID, store.AccountSettings{Name: acc.Name, TimeZone: "UTC", DropshipEnabled: true}); err != nil {
			e.t.Fatal(err)
		}
	}
	if err := e.db.SetInitialStatus(ctx, store.CLIActor, w.supplierS.ID, w.statusS); err != nil {
		e.t.Fatal(err)
	}
	order, _, err := e.db.CreateOrder(ctx, store.CLIActor, w.merchantA.ID, orderfile.Order{Channel: "manual", ChannelOrderID: "A-1001", Currency: "USD",
		ShipTo: orderfile.Address{Name: "Ada", Address1: "1 Main St", City: "Springfield", PostalCode: "62701", Country: "US"},
		Lines:  []orderfile.Line{{SKU: "S-100", Quantity: 1}}})
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := e.db.Dropship(ctx, store.CLIActor, w.merchantA.ID, order.ID, store.DropshipRequest{IdempotencyKey: "world", Confirm: true})
	if err != nil || len(res.POs) != 1 {
		e.t.Fatalf("world dropship: %+v %v", res, err)
	}
	w.orderA, w.poA = order.ID, res.POs[0].ID
	sh, err := e.db.AddShipment(ctx, store.CLIActor, w.supplierS.ID, w.poA, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456784",
		ShipDate: time.Now().UTC().Format("2006-01-02")})
	if err != nil {
		e.t.Fatal(err)
	}
	w.shipmentS = sh.ID
	ep, _, err := e.db.AddWebhookEndpoint(ctx, store.CLIActor, w.merchantA.ID, "https://hooks.example.com/a", store.WebhookEvents)
	if err != nil {
		e.t.Fatal(err)
	}
	w.endpointA = ep.ID
	if err := e.db.SetInitialStatus(ctx, store.CLIActor, w.supplierS.ID, 0); err != nil {
		e.t.Fatal(err)
	}
	return w
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
func (e *testEnv) dbDigest() string {
	e.t.Helper()
	raw, err := sql.Open("sqlite", "file:"+e.path+"?_pragma=query_only(1)")
	if err != nil {
		e.t.Fatal(err)
	}
	defer raw.Close()
	tables, err := raw.Query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
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
