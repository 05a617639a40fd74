package handlers_test

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// barnCSV is an email supplier's catalog as the merchant uploads it.
const barnCSV = "sku,title,cost,price,quantity,lead_time_days\nBB-EGG,Egg crate,2.00,5.00,40,1\nBB-HAY,Hay bale,6.00,12.00,10,1\n"

// emailWorld is world() with merchant A keeping an email supplier, Bob's
// Barn, reached at two addresses, whose catalog was uploaded and pulled.
type emailWorld struct {
	*world
	env *testEnv
	bob store.ManagedSupplier
}

func (e *testEnv) emailWorld() *emailWorld {
	e.t.Helper()
	ctx := context.Background()
	w := e.world()
	actor := store.Actor{UserID: w.adminA.ID, Name: w.adminA.Email}
	if _, err := e.db.UpdateAccountSettings(ctx, actor, w.merchantA.ID, store.AccountSettings{Name: w.merchantA.Name, TimeZone: "UTC", DropshipEnabled: true,
		AccountContact: store.AccountContact{ReturnAddress: "Merchant A Returns\n9 Dock Rd", ReplyToEmail: "help@merchant-a.example"}}); err != nil {
		e.t.Fatal(err)
	}
	bob, err := e.db.CreateManagedSupplier(ctx, actor, w.merchantA.ID, store.ManagedSupplierInput{Contact: store.ContactEmail, Name: "Bob's Barn",
		OrderEmails: "orders@barn.example, bob@barn.example"})
	if err != nil {
		e.t.Fatal(err)
	}
	_, sub, err := e.db.ImportManagedCatalog(ctx, actor, w.merchantA.ID, bob.ID, []byte(barnCSV), store.DefaultImportOptions())
	if err != nil {
		e.t.Fatal(err)
	}
	puller := &store.Puller{DB: e.db}
	if _, err := puller.PullNow(ctx, w.merchantA.ID, sub.ID); err != nil {
		e.t.Fatal(err)
	}
	puller.Wait()
	return &emailWorld{world: w, env: e, bob: bob}
}

// emailedPO is an order of merchant A dropshipped to Bob's Barn, and the
// paths of the links emailed for its PO, by address.
type emailedPO struct {
	order store.Order
	po    store.PurchaseOrder
	links map[string]string
}

var emailedLink = regexp.MustCompile(`/po-link/\d+/[A-Za-z0-9_-]{43}\b`)

func (w *emailWorld) dropship(number string, lines ...orderfile.Line) emailedPO {
	t := w.env.t
	t.Helper()
	ctx := context.Background()
	o, _, err := w.env.db.CreateOrder(ctx, store.CLIActor, w.merchantA.ID, orderfile.Order{Channel: "manual", ChannelOrderID: number, Currency: "USD",
		Customer: orderfile.Customer{Name: "Grace Farmer", Email: "grace@example.com"},
		ShipTo:   orderfile.Address{Name: "Grace Farmer", Address1: "4 Orchard Ln", City: "Hood River", Region: "OR", PostalCode: "97031", Country: "US"},
		Lines:    lines})
	if err != nil {
		t.Fatal(err)
	}
	res, err := w.env.db.Dropship(ctx, store.Actor{UserID: w.adminA.ID, Name: w.adminA.Email}, w.merchantA.ID, o.ID,
		store.DropshipRequest{IdempotencyKey: "email-" + number, Confirm: true, Notes: "Ring the bell twice"})
	if err != nil || len(res.POs) != 1 || res.POs[0].SupplierID != w.bob.ID {
		t.Fatalf("dropship %s to Bob's Barn: %+v %v", number, res, err)
	}
	e := emailedPO{order: o, po: res.POs[0], links: map[string]string{}}
	e.links = w.links(e.po.ID, "po.new")
	if len(e.links) != 2 {
		t.Fatalf("links emailed for %s: %v", e.po.PONumber, e.links)
	}
	return e
}

// links are the paths of the links of a PO's emails of topic in merchant
// A's outbox, by address: the newest of each.
func (w *emailWorld) links(poID int64, topic string) map[string]string {
	t := w.env.t
	t.Helper()
	msgs, err := w.env.db.OutboxList(context.Background(), w.merchantA.ID, store.OutboxFilter{Kind: store.OutboxEmail}, 200)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	prefix := "/po-link/" + strconv.FormatInt(poID, 10) + "/"
	for _, m := range msgs {
		if l := emailedLink.FindString(m.Body); m.Topic == topic && strings.HasPrefix(l, prefix) && out[m.Recipient] == "" {
			out[m.Recipient] = l
		}
	}
	return out
}

// anonymous is a browser with no session that has loaded the sign-in page,
// and so holds a CSRF token of its own and nothing else.
func (e *testEnv) anonymous() *client {
	c := e.client()
	if p := c.get("/login"); p.status != http.StatusOK || c.csrf == "" {
		e.t.Fatalf("sign-in page: %d", p.status)
	}
	return c
}

func text(p page, sel string) string {
	return strings.Join(strings.Fields(p.doc.Find(sel).Text()), " ")
}

// countRows counts a table's rows.
func (e *testEnv) countRows(table string) int {
	e.t.Helper()
	raw, err := e.db.OpenSQL()
	if err != nil {
		e.t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// exec runs a statement on the database behind the app's back.
func (e *testEnv) exec(query string) {
	e.t.Helper()
	raw, err := e.db.OpenSQL()
	if err != nil {
		e.t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(query); err != nil {
		e.t.Fatal(err)
	}
}

// TestPOLinkPageWorksWithoutASession: the supplier opens its link in a
// browser that never signed in, sees the PO (lines, ship-to, notes, the
// merchant's contact) and nothing else of the merchant's, acknowledges it
// and enters tracking in two parcels with the portal's checks; each change
// is recorded in the address's name, and the merchant's order shows the
// tracking at once.
func TestPOLinkPageWorksWithoutASession(t *testing.T) {
	env := newEnv(t)
	w := env.emailWorld()
	e := w.dropship("E-100", orderfile.Line{SKU: "BB-EGG", Title: "Eggs", Quantity: 3, UnitPriceCents: 900})
	link := e.links["orders@barn.example"]

	anon := env.client()
	p := anon.get(link)
	if p.status != http.StatusOK {
		t.Fatalf("the link: %d\n%s", p.status, p.body)
	}
	if got := text(p, "h1"); !strings.Contains(got, "Purchase order "+e.po.PONumber) {
		t.Errorf("heading %q", got)
	}
	for sel, want := range map[string]string{`[data-testid="link-lines"]`: "BB-EGG", `[data-testid="link-ship-to"]`: "4 Orchard Ln",
		`[data-testid="link-notes"]`: "Ring the bell twice", `[data-testid="link-contact"]`: "help@merchant-a.example", `[data-testid="link-email"]`: "orders@barn.example"} {
		if got := text(p, sel); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q in it", sel, got, want)
		}
	}
	if p.doc.Find(`[data-testid="nav"]`).Length() != 0 || strings.Contains(p.body, "Sign out") {
		t.Error("the link page shows the portal's navigation")
	}
	p.doc.Find("a[href]").Each(func(_ int, s *goquery.Selection) {
		t.Errorf("the link page links to %s: it should reach nothing else", s.AttrOr("href", ""))
	})
	if cc := p.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}

	if r := anon.post(link+"/acknowledge", nil); r.status != http.StatusSeeOther || r.header.Get("Location") != link {
		t.Fatalf("acknowledge: %d → %s", r.status, r.header.Get("Location"))
	}
	p = anon.get(link)
	if got := text(p, `[data-testid="acknowledged"]`); !strings.HasPrefix(got, "Acknowledged via email link (orders@barn.example) at") {
		t.Errorf("acknowledged: %q", got)
	}
	if got := text(p, ".flash"); got != "Acknowledged: the merchant sees it now." {
		t.Errorf("flash %q", got)
	}

	line := strconv.FormatInt(e.po.Lines[0].ID, 10)
	day := time.Now().UTC().Format("2006-01-02")
	// A number that fails the carrier's check is refused, as in the portal,
	// with what was typed kept; nothing is saved.
	env.exec("DELETE FROM login_attempts") // the changes counted so far against the link's limit
	before := env.dbDigest()
	r := anon.post(link+"/shipments", url.Values{"carrier": {"ups"}, "tracking_number": {"1Z-NOT-A-NUMBER"}, "ship_date": {day}, "qty_" + line: {"1"}})
	if r.status != http.StatusUnprocessableEntity || text(r, `[data-testid="error-tracking_number"]`) == "" ||
		r.doc.Find(`input[name="tracking_number"]`).AttrOr("value", "") != "1Z-NOT-A-NUMBER" {
		t.Fatalf("failing number: %d, error %q", r.status, text(r, `[data-testid="error-tracking_number"]`))
	}
	if n := env.countRows("login_attempts"); n != 1 {
		t.Errorf("%d changes counted against the link", n)
	}
	env.exec("DELETE FROM login_attempts")
	if env.dbDigest() != before {
		t.Error("a refused shipment changed the database")
	}
	// One parcel with 1 of 3, then one with the rest.
	r = anon.post(link+"/shipments", url.Values{"carrier": {"ups"}, "tracking_number": {"1Z999AA10123456784"}, "ship_date": {day}, "qty_" + line: {"1"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("first parcel: %d\n%s", r.status, r.body)
	}
	if po, _ := env.db.PurchaseOrder(context.Background(), w.merchantA.ID, e.po.ID); po.Status != store.POPartiallyShipped {
		t.Fatalf("after the first parcel the PO is %s", po.Status)
	}
	r = anon.post(link+"/shipments", url.Values{"carrier": {"ups"}, "tracking_number": {"1Z-STILL-NOT"}, "ship_date": {day}, "override": {"true"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("second parcel, check overridden: %d\n%s", r.status, r.body)
	}
	p = anon.get(link)
	if n := p.doc.Find(`[data-testid="shipment-row"]`).Length(); n != 2 || text(p, `[data-testid="po-status"]`) != "Shipped" || p.doc.Find(`[data-testid="tracking-form"]`).Length() != 0 {
		t.Errorf("after two parcels: %d shipment rows, status %q", n, text(p, `[data-testid="po-status"]`))
	}
	if !strings.Contains(text(p, `[data-testid="shipments"]`), "saved despite") {
		t.Error("the overridden check is not shown")
	}

	// The merchant's order shows the tracking; the records name the address.
	m := env.client()
	m.login(w.adminA.Email)
	if tr := m.get("/orders/" + strconv.FormatInt(e.order.ID, 10) + "/tracking"); !strings.Contains(tr.body, "1Z999AA10123456784") {
		t.Errorf("the merchant's order tracking lacks the parcel:\n%s", tr.body)
	}
	log, err := env.db.AuditLog(context.Background(), w.bob.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	acked := false
	for _, a := range log {
		acked = acked || (a.Action == "po.acknowledged" && a.Actor == "via email link (orders@barn.example)")
	}
	if !acked {
		t.Errorf("audit log of the supplier: %+v", log)
	}
	order := m.get("/orders/" + strconv.FormatInt(e.order.ID, 10))
	if tl := text(order, `[data-testid="timeline"]`); !strings.Contains(tl, "orders@barn.example opened the emailed link to "+e.po.PONumber) ||
		!strings.Contains(tl, "via email link (orders@barn.example)") {
		t.Errorf("timeline:\n%s", tl)
	}
}

// TestPOLinkRejectsLinesAndAnswersCancellation: through its link the
// supplier rejects a line with a reason and answers the merchant's
// cancellation request; a line of another PO is refused and nothing is
// written.
func TestPOLinkRejectsLinesAndAnswersCancellation(t *testing.T) {
	env := newEnv(t)
	w := env.emailWorld()
	ctx := context.Background()
	first := w.dropship("E-200", orderfile.Line{SKU: "BB-EGG", Title: "Eggs", Quantity: 1})
	e := w.dropship("E-201", orderfile.Line{SKU: "BB-EGG", Title: "Eggs", Quantity: 2}, orderfile.Line{SKU: "BB-HAY", Title: "Hay", Quantity: 1})
	link := e.links["bob@barn.example"]
	anon := env.client()
	anon.get(link)

	// Another PO's line through this link: refused, nothing written.
	before := env.dbDigest()
	r := anon.post(link+"/reject", url.Values{"line_ids": {strconv.FormatInt(first.po.Lines[0].ID, 10)}, "reason": {"Out of eggs"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("reject another PO's line: %d", r.status)
	}
	// The refusal counts one change against the link's limit, and nothing else.
	if n := env.countRows("login_attempts"); n != 1 {
		t.Errorf("%d counted changes", n)
	}
	env.exec("DELETE FROM login_attempts")
	if env.dbDigest() != before {
		t.Error("rejecting another PO's line through this link changed the database")
	}
	if got := text(anon.get(link), `.flash.error`); got != "A chosen line is not on this PO." {
		t.Errorf("flash %q", got)
	}

	var hay int64
	for _, l := range e.po.Lines {
		if l.SupplierSKU == "BB-HAY" {
			hay = l.ID
		}
	}
	if r := anon.post(link+"/reject", url.Values{"line_ids": {strconv.FormatInt(hay, 10)}, "reason": {"No hay this season"}}); r.status != http.StatusSeeOther {
		t.Fatalf("reject: %d", r.status)
	}
	po, err := env.db.PurchaseOrder(ctx, w.merchantA.ID, e.po.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range po.Lines {
		if want := map[bool]string{true: "rejected", false: "open"}[l.ID == hay]; l.Status != want || (l.ID == hay && l.Reason != "No hay this season") {
			t.Errorf("line %s: %s %q", l.SupplierSKU, l.Status, l.Reason)
		}
	}

	if _, err := env.db.RequestCancel(ctx, store.Actor{UserID: w.adminA.ID, Name: w.adminA.Email}, w.merchantA.ID, e.po.ID, "The customer moved"); err != nil {
		t.Fatal(err)
	}
	p := anon.get(link)
	if got := text(p, `[data-testid="cancel-request"]`); !strings.Contains(got, "The customer moved") {
		t.Fatalf("cancel request panel: %q", got)
	}
	anon.post(link+"/cancel", url.Values{"answer": {"decline"}})
	if got := text(anon.get(link), ".flash.error"); got != "Say why the cancellation is declined." {
		t.Errorf("decline without a reason: %q", got)
	}
	if r := anon.post(link+"/cancel", url.Values{"answer": {"accept"}}); r.status != http.StatusSeeOther {
		t.Fatalf("accept: %d", r.status)
	}
	if po, _ = env.db.PurchaseOrder(ctx, w.merchantA.ID, e.po.ID); po.Status != store.POCancelled || po.CancelState != "accepted" {
		t.Errorf("after accepting: %s, cancel %s", po.Status, po.CancelState)
	}
	log, _ := env.db.AuditLog(ctx, w.merchantA.ID, 5)
	if len(log) == 0 || log[0].Action != "po.cancel_accepted" || log[0].Actor != "via email link (bob@barn.example)" {
		t.Errorf("merchant's audit log: %+v", log)
	}
}

// TestPOLinkOpensNothingElse: a tampered token, a link with another PO's
// ID, a revoked link and one 30 days past its PO's closing open nothing:
// every route of the page answers 404 and writes nothing.
func TestPOLinkOpensNothingElse(t *testing.T) {
	env := newEnv(t)
	w := env.emailWorld()
	ctx := context.Background()
	a := w.dropship("E-300", orderfile.Line{SKU: "BB-EGG", Title: "Eggs", Quantity: 1})
	b := w.dropship("E-301", orderfile.Line{SKU: "BB-HAY", Title: "Hay", Quantity: 1})
	good := a.links["orders@barn.example"]
	token := good[strings.LastIndex(good, "/")+1:]
	flip := "A"
	if token[10] == 'A' {
		flip = "B"
	}
	aID, bID := strconv.FormatInt(a.po.ID, 10), strconv.FormatInt(b.po.ID, 10)
	anon := env.anonymous()
	try := func(name, path string) {
		t.Helper()
		for _, action := range []string{"", "/acknowledge", "/reject", "/cancel", "/shipments"} {
			before := env.dbDigest()
			var r page
			if action == "" {
				r = anon.get(path)
			} else {
				r = anon.post(path+action, url.Values{"answer": {"accept"}, "reason": {"x"}, "line_ids": {strconv.FormatInt(a.po.Lines[0].ID, 10)},
					"carrier": {"ups"}, "tracking_number": {"1Z999AA10123456784"}, "ship_date": {time.Now().UTC().Format("2006-01-02")}})
			}
			if r.status != http.StatusNotFound {
				t.Errorf("%s%s: %d, want 404", name, action, r.status)
			}
			if env.dbDigest() != before {
				t.Errorf("%s%s changed the database", name, action)
			}
		}
	}
	try("tampered", "/po-link/"+aID+"/"+token[:10]+flip+token[11:])
	try("another PO's ID", "/po-link/"+bID+"/"+token)
	try("cut short", "/po-link/"+aID+"/"+token[:42])
	try("no PO", "/po-link/0/"+token)

	// Revoked: the merchant revokes B's links.
	revoked := b.links["bob@barn.example"]
	if anon.get(revoked).status != http.StatusOK {
		t.Fatal("B's link does not work before it is revoked")
	}
	if _, err := env.db.RevokePOLinks(ctx, store.CLIActor, w.merchantA.ID, b.po.ID); err != nil {
		t.Fatal(err)
	}
	try("revoked", revoked)

	// Expired: A ships, and 30 days pass.
	if _, err := env.db.AddShipment(ctx, store.CLIActor, w.bob.ID, a.po.ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456784",
		ShipDate: time.Now().UTC().Format("2006-01-02")}); err != nil {
		t.Fatal(err)
	}
	env.db.Now = func() time.Time { return time.Now().Add(store.LinkLifetime - time.Hour) }
	if anon.get(good).status != http.StatusOK {
		t.Fatal("the link stopped working before 30 days had passed")
	}
	env.db.Now = func() time.Time { return time.Now().Add(store.LinkLifetime + time.Hour) }
	try("expired", good)
}

// TestPOLinkFormsAreCSRFChecked: the link page's forms carry the visitor's
// CSRF token; without it, or with another, a change is refused with 403
// and nothing is written.
func TestPOLinkFormsAreCSRFChecked(t *testing.T) {
	env := newEnv(t)
	w := env.emailWorld()
	e := w.dropship("E-400", orderfile.Line{SKU: "BB-EGG", Title: "Eggs", Quantity: 1})
	link := e.links["orders@barn.example"]
	anon := env.client()
	p := anon.get(link)
	if n := p.doc.Find(`form[method="post"]`).Length(); n == 0 || p.doc.Find(`form[method="post"] input[name="_csrf"]`).Length() != n {
		t.Fatalf("%d forms, not each with a CSRF field", n)
	}
	other := env.anonymous()
	for name, form := range map[string]url.Values{"missing": {}, "wrong": {"_csrf": {"not-the-token"}}, "another visitor's": {"_csrf": {other.csrf}}} {
		before := env.dbDigest()
		if r := anon.postRaw(link+"/acknowledge", form); r.status != http.StatusForbidden {
			t.Errorf("%s token: %d, want 403", name, r.status)
		}
		if env.dbDigest() != before {
			t.Errorf("%s token changed the database", name)
		}
	}
	if r := anon.post(link+"/acknowledge", nil); r.status != http.StatusSeeOther {
		t.Errorf("with the page's token: %d", r.status)
	}
}

// TestPOLinkIsRateLimited: one address hammering link pages is stopped
// with 429 before any token is looked up; nothing is written.
func TestPOLinkIsRateLimited(t *testing.T) {
	env := newEnv(t)
	w := env.emailWorld()
	e := w.dropship("E-500", orderfile.Line{SKU: "BB-EGG", Title: "Eggs", Quantity: 1})
	anon := env.client()
	limited := 0
	for i := 0; i < 80; i++ {
		if anon.get("/po-link/1/guess-"+strconv.Itoa(i)).status == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("80 guesses in a row were never limited")
	}
	before := env.dbDigest()
	if r := anon.get(e.links["orders@barn.example"]); r.status != http.StatusTooManyRequests {
		t.Errorf("the real link from a limited address: %d", r.status)
	}
	if env.dbDigest() != before {
		t.Error("a limited request wrote")
	}
}

// TestMerchantFollowsEmailedPO: the merchant's PO page says when the PO was
// emailed, opened and acknowledged; Revoke kills its links, Re-send emails
// new ones, and the Outbox page (no SMTP configured) carries each email's
// link, which opens the PO without a session.
func TestMerchantFollowsEmailedPO(t *testing.T) {
	env := newEnv(t)
	w := env.emailWorld()
	e := w.dropship("E-600", orderfile.Line{SKU: "BB-EGG", Title: "Eggs", Quantity: 1})
	m := env.client()
	m.login(w.staffA.Email)
	poPath := "/purchase-orders/" + strconv.FormatInt(e.po.ID, 10)
	p := m.get(poPath)
	if text(p, `[data-testid="emailed-at"]`) == "not yet" || text(p, `[data-testid="opened-at"]`) != "not opened yet" || text(p, `[data-testid="acknowledged-at"]`) != "not yet" {
		t.Fatalf("before opening: emailed %q, opened %q, acknowledged %q", text(p, `[data-testid="emailed-at"]`), text(p, `[data-testid="opened-at"]`), text(p, `[data-testid="acknowledged-at"]`))
	}
	if n := p.doc.Find(`[data-testid="po-link-row"]`).Length(); n != 2 || !strings.Contains(text(p, `[data-testid="po-links"]`), "waiting: no SMTP server is configured") &&
		!strings.Contains(text(p, `[data-testid="po-links"]`), "queued") {
		t.Errorf("%d link rows: %s", n, text(p, `[data-testid="po-links"]`))
	}

	// The Outbox page carries the link; it opens the PO without a session.
	ob := m.get("/settings/outbox")
	var fromOutbox []string
	ob.doc.Find(`[data-testid="outbox-po-link"]`).Each(func(_ int, s *goquery.Selection) { fromOutbox = append(fromOutbox, s.AttrOr("href", "")) })
	if len(fromOutbox) != 2 {
		t.Fatalf("outbox links: %v", fromOutbox)
	}
	anon := env.client()
	if r := anon.get(fromOutbox[0]); r.status != http.StatusOK || !strings.Contains(text(r, "h1"), e.po.PONumber) {
		t.Fatalf("the outbox's link: %d", r.status)
	}
	anon.post(fromOutbox[0]+"/acknowledge", nil)
	p = m.get(poPath)
	if text(p, `[data-testid="opened-at"]`) == "not opened yet" || !strings.Contains(text(p, `[data-testid="acknowledged-at"]`), "via email link (") {
		t.Errorf("after opening: opened %q, acknowledged %q", text(p, `[data-testid="opened-at"]`), text(p, `[data-testid="acknowledged-at"]`))
	}

	if r := m.post(poPath+"/email-links/revoke", nil); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.status)
	}
	if r := anon.get(fromOutbox[0]); r.status != http.StatusNotFound {
		t.Errorf("a revoked link: %d", r.status)
	}
	p = m.get(poPath)
	if p.doc.Find(`[data-testid="revoke-links"]`).Length() != 0 || !strings.Contains(text(p, `[data-testid="po-links"]`), "revoked") {
		t.Errorf("after revoking: %s", text(p, `[data-testid="po-emailing"]`))
	}
	if r := m.post(poPath+"/email-links/resend", nil); r.status != http.StatusSeeOther {
		t.Fatalf("resend: %d", r.status)
	}
	if got := text(m.get(poPath), ".flash"); !strings.HasPrefix(got, "Emailed again to orders@barn.example, bob@barn.example with a new link") {
		t.Errorf("resend flash %q", got)
	}
	fresh := w.links(e.po.ID, "po.resent")
	if len(fresh) != 2 || anon.get(fresh["bob@barn.example"]).status != http.StatusOK {
		t.Errorf("the new links: %v", fresh)
	}
	if r := anon.get(fromOutbox[1]); r.status != http.StatusNotFound {
		t.Errorf("an old link after re-sending: %d", r.status)
	}
}

// TestPOEmailIsSentWithAnHTMLPart: through SMTP, the PO's email goes as
// multipart/alternative, text and HTML, both with the link; a plain email
// stays plain.
func TestPOEmailIsSentWithAnHTMLPart(t *testing.T) {
	env := newEnv(t)
	w := env.emailWorld()
	e := w.dropship("E-700", orderfile.Line{SKU: "BB-EGG", Title: "Eggs", Quantity: 2})
	smtp := newInjSMTP(t)
	d := &store.Deliverer{DB: env.db, HTTP: &http.Client{Transport: &injHooks{}}, Log: quietLog(),
		Mailer: &store.SMTPMailer{Config: store.SMTPConfig{Host: "127.0.0.1", Port: smtp.port, From: "orders@dropline.example"}}}
	if _, err := d.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	smtp.mu.Lock()
	raws := append([]string(nil), smtp.msgs...)
	smtp.mu.Unlock()
	found := 0
	for _, raw := range raws {
		msg, err := mail.ReadMessage(strings.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(msg.Header.Get("To"), "@barn.example") {
			// Supplier S's users' emails of the world's PO are text alone.
			if ct := msg.Header.Get("Content-Type"); strings.HasPrefix(ct, "multipart/") {
				t.Errorf("a plain email went as %s", ct)
			}
			continue
		}
		if !strings.Contains(msg.Header.Get("To"), "orders@barn.example") {
			continue
		}
		found++
		mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/alternative" {
			t.Fatalf("the PO's email is %s (%v)", mt, err)
		}
		parts := map[string]string{}
		mr := multipart.NewReader(msg.Body, params["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			var r io.Reader = part
			if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
				r = quotedprintable.NewReader(part)
			}
			b, _ := io.ReadAll(r)
			ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
			parts[ct] = string(b)
		}
		link := e.links["orders@barn.example"]
		if !strings.Contains(parts["text/plain"], link) || !strings.Contains(parts["text/plain"], "2 × BB-EGG") {
			t.Errorf("text part:\n%s", parts["text/plain"])
		}
		if !strings.Contains(parts["text/html"], `href="http://localhost:8080`+link+`"`) || !strings.Contains(parts["text/html"], "Ring the bell twice") {
			t.Errorf("HTML part:\n%s", parts["text/html"])
		}
		if got := msg.Header.Get("Reply-To"); !strings.Contains(got, "help@merchant-a.example") {
			t.Errorf("Reply-To %q", got)
		}
	}
	if found != 1 {
		t.Errorf("%d emails to orders@barn.example among %d", found, len(raws))
	}
}

// TestEmailSupplierRoutesAreTheMerchantsAlone: another merchant, and a
// supplier, get 404 from the email supplier's page and actions and the
// PO's link actions, and change nothing; the merchant opens them.
func TestEmailSupplierRoutesAreTheMerchantsAlone(t *testing.T) {
	env := newEnv(t)
	w := env.emailWorld()
	e := w.dropship("E-800", orderfile.Line{SKU: "BB-EGG", Title: "Eggs", Quantity: 1})
	env.websitePO(w.as)
	params := routeParams(w.world)
	params["supplierID"], params["poID"] = strconv.FormatInt(w.bob.ID, 10), strconv.FormatInt(e.po.ID, 10)
	mine := func(p string) bool {
		return strings.HasPrefix(p, "/suppliers-outside/") || strings.Contains(p, "/email-links/")
	}
	owner := env.client()
	owner.login(w.adminA.Email)
	if p := owner.get(fillPath(t, "/suppliers-outside/:supplierID/email", params)); p.status != http.StatusOK {
		t.Fatalf("the merchant's own email supplier page: %d", p.status)
	}
	attackers := []attacker{env.attacker(w.adminB, w.tokenB), env.attacker(w.adminS, "")}
	if n := walkTenantRoutes(t, env, attackers, params, mine); n < 10 {
		t.Fatalf("walked %d requests", n)
	}
	// A website supplier of the merchant has no email page.
	ae, err := env.db.CreateManagedSupplier(context.Background(), store.CLIActor, w.merchantA.ID, store.ManagedSupplierInput{Contact: store.ContactWebsite, Name: "AliExpress", Website: "aliexpress.example"})
	if err != nil {
		t.Fatal(err)
	}
	if p := owner.get("/suppliers-outside/" + strconv.FormatInt(ae.ID, 10) + "/email"); p.status != http.StatusNotFound {
		t.Errorf("a website supplier's email page: %d", p.status)
	}
}

// TestEmailSupplierPageUploadsCatalogAndUpgrades: on its page the merchant
// uploads the supplier's catalog (rows with errors listed, the rest kept
// and pulled into sources) and gives it a login; the person signs in and
// finds the PO emailed before in the portal.
func TestEmailSupplierPageUploadsCatalogAndUpgrades(t *testing.T) {
	env := newEnv(t)
	w := env.emailWorld()
	ctx := context.Background()
	e := w.dropship("E-900", orderfile.Line{SKU: "BB-EGG", Title: "Eggs", Quantity: 1})
	page := "/suppliers-outside/" + strconv.FormatInt(w.bob.ID, 10) + "/email"
	m := env.client()
	m.login(w.adminA.Email)
	p := m.get(page)
	if got := text(p, `[data-testid="emailed-pos"]`); !strings.Contains(got, e.po.PONumber) || !strings.Contains(got, "not opened") {
		t.Errorf("POs on the page: %q", got)
	}
	csv := barnCSV + "BB-MILK,Milk churn,3.00,8.00,5,1\n" + strings.Repeat("Y", 120) + ",Bad SKU,1,2,3,1\n"
	p = m.upload(page+"/catalog", "barn.csv", csv, nil)
	if p.status != http.StatusOK {
		t.Fatalf("upload: %d\n%s", p.status, p.body)
	}
	if got := text(p, `[data-testid="catalog-result"]`); !strings.HasPrefix(got, "1 created, 0 updated, 2 unchanged, 1 row skipped.") {
		t.Errorf("result %q", got)
	}
	if got := text(p, `[data-testid="catalog-row-errors"]`); !strings.Contains(got, "line 5") {
		t.Errorf("row errors %q", got)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, linked, err := env.db.LinkedProducts(ctx, w.merchantA.ID, store.ProductFilter{Query: "BB-MILK"})
		if err == nil && len(linked) == 1 && len(linked[0].Sources) == 1 && linked[0].Sources[0].SupplierID == w.bob.ID {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("BB-MILK never became a source of Bob's Barn: %+v %v", linked, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if p := m.upload(page+"/catalog", "notes.txt", "just some words\nand more\n", nil); p.status != http.StatusUnprocessableEntity || text(p, `[data-testid="catalog-error"]`) == "" {
		t.Errorf("an unreadable file: %d %q", p.status, text(p, `[data-testid="catalog-error"]`))
	}

	r := m.post(page+"/upgrade", url.Values{"email": {"bob@barn.example"}, "name": {"Bob"}, "password": {"short"}})
	if r.status != http.StatusUnprocessableEntity || text(r, `[data-testid="error-password"]`) == "" || r.doc.Find(`input[name="email"]`).AttrOr("value", "") != "bob@barn.example" {
		t.Fatalf("a too-short first password: %d", r.status)
	}
	if r = m.post(page+"/upgrade", url.Values{"email": {"bob@barn.example"}, "name": {"Bob"}, "password": {testPassword}}); r.status != http.StatusSeeOther {
		t.Fatalf("upgrade: %d\n%s", r.status, r.body)
	}
	if m.get(page).status != http.StatusNotFound {
		t.Error("the merchant still has the upgraded supplier's email page")
	}
	bob := env.client()
	bob.login("bob@barn.example")
	if got := bob.get("/dropship-orders/" + strconv.FormatInt(e.po.ID, 10)); got.status != http.StatusOK || !strings.Contains(got.body, e.po.PONumber) {
		t.Errorf("the upgraded supplier's portal PO page: %d", got.status)
	}
	if p := m.get("/purchase-orders/" + strconv.FormatInt(e.po.ID, 10)); p.doc.Find(`[data-testid="po-link-row"]`).Length() != 2 || p.doc.Find(`[data-testid="resend-link"]`).Length() != 0 {
		t.Errorf("link history after the upgrade: %s", text(p, `[data-testid="po-emailing"]`))
	}
}

// TestAPIPurchaseOrderSaysHowItWasEmailed: the merchant's token reads when
// a PO was emailed, opened and acknowledged, as the OpenAPI document says;
// the supplier-side and other POs carry nothing of it.
func TestAPIPurchaseOrderSaysHowItWasEmailed(t *testing.T) {
	env := newEnv(t)
	w := env.emailWorld()
	e := w.dropship("E-950", orderfile.Line{SKU: "BB-EGG", Title: "Eggs", Quantity: 1})
	path := "/api/v1/purchase-orders/" + strconv.FormatInt(e.po.ID, 10)
	status, body := env.api("GET", path, w.tokenA, "")
	em, ok := body["emailed"].(map[string]any)
	if status != http.StatusOK || !ok || em["emailed_at"] == nil || em["opened_at"] != nil || em["acknowledged_at"] != nil || em["live_links"] != float64(2) {
		t.Fatalf("emailed PO: %d %v", status, body["emailed"])
	}
	checkDocumented(t, openAPISchemas(t), "po", map[string]any{"$ref": "#/components/schemas/PurchaseOrder"}, body)
	anon := env.client()
	anon.get(e.links["bob@barn.example"])
	anon.post(e.links["bob@barn.example"]+"/acknowledge", nil)
	if _, body = env.api("GET", path, w.tokenA, ""); body["emailed"].(map[string]any)["opened_at"] == nil || body["emailed"].(map[string]any)["acknowledged_at"] == nil {
		t.Errorf("after opening and acknowledging: %v", body["emailed"])
	}
	if _, body = env.api("GET", "/api/v1/purchase-orders/"+strconv.FormatInt(w.poA, 10), w.tokenA, ""); body["emailed"] != nil {
		t.Errorf("a PO to a Dropline supplier: %v", body["emailed"])
	}
}
