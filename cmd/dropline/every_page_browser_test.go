package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/labstack/echo/v4"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// axeSource is axe-core's axe.min.js (npm package axe-core, MPL-2.0, its
// licence header kept), vendored so the tests need no npm.
//
//go:embed testdata/axe.min.js
var axeSource string

// pageWidths are the widths every page is checked at: a phone and a laptop
// in full (layout, axe-core, screenshots), and after each, by resizing the
// same page, the smallest phone and a tablet for the layout alone.
var pageWidths = []struct {
	width, height int64
	full          bool
}{{390, 844, true}, {360, 740, false}, {1366, 900, true}, {1024, 768, false}}

// pageRole is someone who signs in (or a visitor who does not) and the
// records the routes' path parameters are filled with for them.
type pageRole struct {
	name  string
	email string // "" for a visitor who is not signed in
	// params fill each :name of a route; byRoute overrides them for one
	// route; query is added to a route's path.
	params  map[string]string
	byRoute map[string]map[string]string
	query   map[string]string
	// only, when set, limits the role to these routes.
	only map[string]bool
	// more are pages in other states than their route's record shows
	// (an order still to dropship, a PO to acknowledge, every tab).
	more []string
}

// path fills a route's parameters, or returns the parameter it lacks.
func (r pageRole) path(route string) (string, string) {
	parts := strings.Split(route, "/")
	for i, p := range parts {
		name, ok := strings.CutPrefix(p, ":")
		if !ok {
			continue
		}
		v, ok := r.byRoute[route][name]
		if !ok {
			v, ok = r.params[name]
		}
		if !ok {
			return "", name
		}
		parts[i] = v
	}
	return strings.Join(parts, "/") + r.query[route], ""
}

// notPages are GET routes that are never a person's page: the API, static
// files, health checks and a feed's file for other programs.
func notPages(path string) bool {
	return strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/static") || path == "/healthz" ||
		path == feedExportRouteForTests || strings.Contains(path, "*")
}

// feedExportRouteForTests is the route of a feed's secret URL (a CSV or XML file).
const feedExportRouteForTests = "/feed/:token/:format"

// uploadRoutes answer only about a bulk upload in progress (its ?token=):
// a CSV of its errors and its progress as JSON. No page.
var uploadRoutes = map[string]bool{
	"/dropship-orders/upload/errors.csv":               true,
	"/dropship-orders/upload/progress":                 true,
	"/suppliers-outside/:supplierID/upload/errors.csv": true,
	"/suppliers-outside/:supplierID/upload/progress":   true,
}

// TestBrowserEveryPage opens every page of each role (every GET route of the
// app that answers that role with an HTML page) at 390 × 844 and 1366 × 900,
// and checks what a person would notice: the page never scrolls sideways;
// the top bar's and the filter bars' controls never overlap and stay on
// screen, a filter bar's button never sits alone on a row and the bar fits
// one row at 1366; status badges stay on one line; search placeholders are
// not cut; and axe-core finds no violation of any impact. The routes come
// from the router, so pages added later are covered; their path parameters
// are demo records (fixtures below), and a route no role could open fails
// the test. With DROPLINE_SCREENSHOTS=dir it writes a screenshot of each
// page at each width there.
func TestBrowserEveryPage(t *testing.T) {
	a, open := browserAppFor(t, filepath.Join(t.TempDir(), "pages.db"))
	roles := everyPageRoles(t, a)
	var routes []string
	seen := map[string]bool{}
	for _, r := range a.srv.Handler.(*echo.Echo).Routes() {
		if r.Method != http.MethodGet || notPages(r.Path) || seen[r.Path] {
			continue
		}
		seen[r.Path] = true
		routes = append(routes, r.Path)
	}
	sort.Strings(routes)
	shots := os.Getenv("DROPLINE_SCREENSHOTS")
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	answered := map[string]string{} // route → what some role got from it
	total := map[string]int{}
	for _, role := range roles {
		t.Run(role.name, func(t *testing.T) {
			tab, cancel := open(4 * time.Minute)
			defer cancel()
			if role.email != "" {
				if err := chromedp.Do(tab, signIn(a.URL(), role.email)...); err != nil {
					t.Fatal(err)
				}
			} else if err := chromedp.Do(tab, chromedp.Navigate(a.URL()+"/login")); err != nil {
				t.Fatal(err)
			}
			if role.email != "" {
				if err := checkPhoneMenu(tab, a.URL()); err != nil {
					t.Errorf("the menu at 390 px: %v", err)
				}
			}
			var paths []string
			byPath := map[string]string{}
			for _, route := range routes {
				if role.only != nil && !role.only[route] {
					continue
				}
				p, missing := role.path(route)
				if missing != "" {
					if _, ok := answered[route]; !ok {
						answered[route] = ""
					}
					continue
				}
				paths = append(paths, p)
				byPath[p] = route
			}
			kinds, err := classifyPaths(tab, paths)
			if err != nil {
				t.Fatal(err)
			}
			pages := role.more
			for _, p := range role.more {
				byPath[p] = p
			}
			for _, p := range paths {
				route, kind := byPath[p], kinds[p]
				if kind == "page" {
					pages = append(pages, p)
				}
				if answered[route] == "" || kind == "page" || (answered[route] != "page" && !strings.HasPrefix(kind, "status")) {
					answered[route] = kind
				}
			}
			for _, p := range pages {
				for _, w := range pageWidths {
					problems, err := checkPage(tab, a.URL()+p, w.width, w.height, w.full)
					if err != nil {
						t.Errorf("%s at %d px: %v", p, w.width, err)
						continue
					}
					for _, msg := range problems {
						t.Errorf("%s at %d px: %s", p, w.width, msg)
					}
					total[role.name]++
					if shots != "" && w.full {
						// Named by route, so one page has one name from run to run.
						route := byPath[p]
						if route == "/" {
							route = "/dashboard"
						}
						name := fmt.Sprintf("%s%s-%d", role.name, strings.NewReplacer("/", "_", ":", "", "?", "_", "=", "-", "&", "_").Replace(route), w.width)
						if png, err := chromedp.Run(tab, chromedp.FullScreenshot(100)); err == nil {
							os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
						}
					}
				}
			}
			t.Logf("%s: %d pages checked at %d widths", role.name, len(pages), len(pageWidths))
		})
	}
	// Every route is a page, a file or a partial for someone: one that no
	// role could open has parameters the fixtures do not fill.
	var lost []string
	for _, route := range routes {
		if uploadRoutes[route] {
			continue
		}
		switch kind := answered[route]; {
		case kind == "":
			lost = append(lost, route+" (no role has a record for its parameters: add one to everyPageRoles)")
		case strings.HasPrefix(kind, "status"):
			lost = append(lost, route+" ("+kind+" for every role)")
		}
	}
	if len(lost) > 0 {
		t.Errorf("routes no role could open:\n%s", strings.Join(lost, "\n"))
	}
	t.Logf("pages checked (page × width): %v", total)
}

// checkPhoneMenu checks the folded navigation on a phone: hidden at first,
// reached with the keyboard (Tab past the skip link, with a visible focus
// ring), opened with Space, and then every link of it on screen.
func checkPhoneMenu(tab context.Context, url string) error {
	err := chromedp.Do(tab,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(url+"/"),
		chromedp.WaitVisible(`[data-testid="user-email"]`),
	)
	if err != nil {
		return err
	}
	if hidden, err := chromedp.Run(tab, chromedp.Evaluate[bool](`getComputedStyle(document.getElementById('nav')).display === 'none'`)); err != nil || !hidden {
		return fmt.Errorf("the navigation shows before the menu is opened (%v)", err)
	}
	if err := chromedp.Do(tab, chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab)); err != nil {
		return err
	}
	ring, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.activeElement.id === 'nav-toggle' ?
		getComputedStyle(document.querySelector('label[for=nav-toggle]')).outlineStyle : 'focus is on ' + document.activeElement.outerHTML.slice(0, 80)`))
	if err != nil || ring == "none" || strings.HasPrefix(ring, "focus is on") {
		return fmt.Errorf("the second Tab reaches the menu with a focus ring: got %q (%v)", ring, err)
	}
	if err := chromedp.Do(tab, chromedp.KeyEvent(" ")); err != nil {
		return err
	}
	links, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#nav a')).filter(a => {
		const r = a.getBoundingClientRect(); return !(r.width > 0 && r.height >= 24 && r.left >= 0 && r.right <= window.innerWidth); }).map(a => a.textContent)`))
	if err != nil || len(links) > 0 {
		return fmt.Errorf("after Space opened the menu, links not shown whole (or smaller than a finger): %q (%v)", links, err)
	}
	return nil
}

// classifyPaths asks the signed-in browser for each path and says what it
// is: "page" (a whole HTML document), "file" (a download), "partial" (HTML
// for htmx to swap in), "data" (JSON or text), "redirect", or "status N".
func classifyPaths(tab context.Context, paths []string) (map[string]string, error) {
	list, _ := json.Marshal(paths)
	return chromedp.Run(tab, chromedp.Evaluate[map[string]string](`(async (paths) => {
		const out = {};
		for (const p of paths) {
			const r = await fetch(p, {credentials: 'same-origin'});
			const type = r.headers.get('content-type') || '';
			const text = await r.text();
			if (!r.ok) out[p] = 'status ' + r.status;
			else if (r.redirected && new URL(r.url).pathname === '/login') out[p] = 'status 401';
			else if (r.redirected) out[p] = 'redirect';
			else if (r.headers.get('content-disposition')) out[p] = 'file';
			else if (!type.startsWith('text/html')) out[p] = 'data';
			else if (/^\s*<!doctype html/i.test(text)) out[p] = 'page';
			else out[p] = 'partial';
		}
		return out;
	})(`+string(list)+`)`, chromedp.EvalAwaitPromise))
}

// checkPage opens url at a width (full) and returns what is wrong with the
// page, or resizes the page open to the width and checks its layout alone.
func checkPage(tab context.Context, url string, width, height int64, full bool) ([]string, error) {
	acts := []chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(width, height)}
	if full {
		acts = append(acts, chromedp.Navigate(url),
			// htmx's requests on load (lazy parts) finish before the checks.
			chromedp.Evaluate[chromedp.Void](`new Promise(done => { let quiet = 0; const tick = () => {
			quiet = document.querySelector('.htmx-request') ? 0 : quiet + 1;
			if (quiet >= 3) done(); else setTimeout(tick, 50); }; tick(); })`, chromedp.EvalAwaitPromise))
	}
	if err := chromedp.Do(tab, acts...); err != nil {
		return nil, err
	}
	problems, err := chromedp.Run(tab, chromedp.Evaluate[[]string](layoutCheck))
	if err != nil {
		return nil, fmt.Errorf("layout check: %w", err)
	}
	if !full {
		return problems, nil
	}
	if ok, _ := chromedp.Run(tab, chromedp.Evaluate[bool](`typeof axe === 'object'`)); !ok {
		if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
			return nil, fmt.Errorf("load axe-core: %w", err)
		}
	}
	violations, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ['violations']}).then(r =>
		r.violations.map(v => 'axe ' + v.impact + ' ' + v.id + ': ' + v.help + ' — ' +
			v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(' | ') + (v.nodes.length > 4 ? ' (+' + (v.nodes.length - 4) + ' more)' : '')))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("axe: %w", err)
	}
	return append(problems, violations...), nil
}

// layoutCheck returns, as sentences, what is wrong with the page's layout
// at the current width.
const layoutCheck = `(() => {
	const vw = window.innerWidth, problems = [];
	const shown = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
	const describe = el => {
		let s = el.tagName.toLowerCase();
		if (el.id) s += '#' + el.id;
		if (el.getAttribute('data-testid')) s += '[data-testid=' + el.getAttribute('data-testid') + ']';
		else if (el.classList.length) s += '.' + [...el.classList].join('.');
		const text = (el.textContent || el.value || el.getAttribute('placeholder') || '').trim().replace(/\s+/g, ' ').slice(0, 30);
		return text ? s + ' "' + text + '"' : s;
	};
	// The innermost of the matching elements: a label holding an input is the input.
	const leaves = (root, sel) => { const els = [...root.querySelectorAll(sel)].filter(shown); return els.filter(e => !els.some(o => o !== e && e.contains(o))); };
	const overlap = (a, b) => { const r = a.getBoundingClientRect(), s = b.getBoundingClientRect();
		return Math.min(r.right, s.right) - Math.max(r.left, s.left) > 1 && Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top) > 1; };
	const sameRow = (a, b) => { const r = a.getBoundingClientRect(), s = b.getBoundingClientRect(); return Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top) > 1; };

	const sw = document.documentElement.scrollWidth;
	if (sw > vw) {
		// Name the outermost elements that stick out, outside any scroller.
		// (An absolutely placed element escapes a scroller that is not its containing block.)
		const scrolls = el => { if (getComputedStyle(el).position === 'absolute') return false;
			for (let p = el.parentElement; p; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; } return false; };
		const wide = el => shown(el) && el.getBoundingClientRect().right > vw + 1 && !scrolls(el);
		const out = [...document.body.querySelectorAll('*')].filter(el => wide(el) && !(el.parentElement && wide(el.parentElement)));
		problems.push('the page is ' + sw + ' px wide in a ' + vw + ' px window; sticking out: ' + out.slice(0, 4).map(describe).join(', '));
	}
	const controls = 'a, button, select, input:not([type=hidden]), textarea, label, summary, [data-testid], .who';
	for (const h of document.querySelectorAll('header')) {
		const items = leaves(h, controls);
		items.forEach((a, i) => {
			const r = a.getBoundingClientRect();
			if (r.left < -1 || r.right > vw + 1) problems.push('header: ' + describe(a) + ' is off-screen (' + Math.round(r.left) + '–' + Math.round(r.right) + ' px)');
			items.slice(i + 1).forEach(b => { if (overlap(a, b)) problems.push('header: ' + describe(a) + ' overlaps ' + describe(b)); });
		});
	}
	for (const f of document.querySelectorAll('form.filters')) {
		if (!shown(f)) continue;
		const items = leaves(f, 'input:not([type=hidden]), select, textarea, button, a');
		items.forEach((a, i) => {
			items.slice(i + 1).forEach(b => { if (overlap(a, b)) problems.push('filter bar: ' + describe(a) + ' overlaps ' + describe(b)); });
			if (a.matches('button') && items.length > 1 && !items.some(b => b !== a && sameRow(a, b))) problems.push('filter bar: ' + describe(a) + ' is alone on its row');
		});
		if (vw >= 1366 && items.length > 1) {
			const tops = items.map(el => el.getBoundingClientRect());
			if (Math.max(...tops.map(r => r.top)) >= Math.min(...tops.map(r => r.bottom))) problems.push('filter bar ' + describe(f).slice(0, 40) + ' takes more than one row');
		}
	}
	for (const b of document.querySelectorAll('.badge')) {
		if (!shown(b)) continue;
		const cs = getComputedStyle(b), line = parseFloat(cs.lineHeight) || parseFloat(cs.fontSize) * 1.3;
		if (b.getClientRects().length > 1 || b.getBoundingClientRect().height > 1.8 * line + parseFloat(cs.paddingTop) + parseFloat(cs.paddingBottom)) problems.push('badge ' + describe(b) + ' wraps');
	}
	const ctx = document.createElement('canvas').getContext('2d');
	for (const el of document.querySelectorAll('input[placeholder], textarea[placeholder]')) {
		if (!shown(el) || el.tagName === 'TEXTAREA') continue;
		const cs = getComputedStyle(el);
		ctx.font = cs.font;
		const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
		if (ctx.measureText(el.placeholder).width > room + 1) problems.push('placeholder of ' + describe(el) + ' is cut');
	}
	return problems;
})()`

// everyPageRoles makes the demo records the pages show (orders in each
// state, POs to a linked, a website and an email supplier, a shipment, a
// feed pull) and returns each role with the records its pages open.
func everyPageRoles(t *testing.T, a *app) []pageRole {
	t.Helper()
	ctx := context.Background()
	actor := store.Actor{Name: "test"}
	merchant := demoMerchant(t, a)
	supplier := demoAccount(t, a, "Acme Supply Co.")
	shipTo := orderfile.Address{Name: "Mae Jemison", Address1: "3 Space Rd", City: "Houston", Region: "TX", PostalCode: "77058", Country: "US"}

	// A PO to the linked supplier, shipped; an order still to dropship.
	order, po := dropshippedDemoOrder(t, a, merchant, "#9001", shipTo, 2)
	if _, err := a.db.AddShipment(ctx, actor, supplier.ID, po.ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456784",
		ShipDate: time.Now().Format("2006-01-02")}); err != nil {
		t.Fatal(err)
	}
	toDropship, _, err := a.db.CreateOrder(ctx, actor, merchant.ID, orderfile.Order{Channel: "shopify", ChannelOrderID: "#9002", Currency: "USD",
		Customer: orderfile.Customer{Name: "Rosa Parks", Email: "rosa@example.com", Phone: "+1 334 555 0100"}, ShipTo: shipTo,
		Lines: []orderfile.Line{{SKU: "ACM-STOVE", Title: "Trailblaze camp stove", Quantity: 1, UnitPriceCents: 5900},
			{SKU: "ACM-TENT-2P", Title: "Ridgeline 2-person tent", Quantity: 1, UnitPriceCents: 17900}}})
	if err != nil {
		t.Fatal(err)
	}
	// A PO the supplier has still to acknowledge and ship.
	_, openPO := dropshippedDemoOrder(t, a, merchant, "#9003", shipTo, 1)
	// A website supplier and an email supplier the merchant keeps, with a
	// catalog each and a dropshipped order each.
	managed := func(contact, name, sku string) (store.ManagedSupplier, store.PurchaseOrder) {
		in := store.ManagedSupplierInput{Contact: contact, Name: name, DefaultCarrier: "usps"}
		if contact == store.ContactWebsite {
			in.Website = "https://www.aliexpress.example"
		} else {
			in.OrderEmails = "orders@barn.example"
		}
		sup, err := a.db.CreateManagedSupplier(ctx, actor, merchant.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		_, sub, err := a.db.ImportManagedCatalog(ctx, actor, merchant.ID, sup.ID,
			[]byte("sku,title,cost,price,quantity,lead_time_days\n"+sku+",Thing from "+name+",2.00,5.00,40,1\n"), store.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.puller.PullNow(ctx, merchant.ID, sub.ID); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			_, linked, err := a.db.LinkedProducts(ctx, merchant.ID, store.ProductFilter{Query: sku})
			if err == nil && len(linked) == 1 && len(linked[0].Sources) == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s's catalog never became the merchant's sources", name)
			}
			time.Sleep(100 * time.Millisecond)
		}
		o, _, err := a.db.CreateOrder(ctx, actor, merchant.ID, orderfile.Order{Channel: "etsy", ChannelOrderID: "E-" + sku, Currency: "USD", ShipTo: shipTo,
			Lines: []orderfile.Line{{SKU: sku, Title: "Thing from " + name, Quantity: 1, UnitPriceCents: 900}}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := a.db.Dropship(ctx, actor, merchant.ID, o.ID, store.DropshipRequest{IdempotencyKey: "pages-" + sku, Confirm: true})
		if err != nil || len(res.POs) != 1 {
			t.Fatalf("dropship to %s: %+v %v", name, res, err)
		}
		return sup, res.POs[0]
	}
	site, sitePO := managed(store.ContactWebsite, "AliExpress", "AE-LAMP")
	barn, barnPO := managed(store.ContactEmail, "Bob's Barn", "BB-EGG")
	var linkPath []string
	msgs, err := a.db.Outbox(ctx, merchant.ID, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if l := regexp.MustCompile(`/po-link/` + strconv.FormatInt(barnPO.ID, 10) + `/([A-Za-z0-9_-]{43})\b`).FindStringSubmatch(m.Body); l != nil {
			linkPath = l
		}
	}
	if linkPath == nil {
		t.Fatal("the email supplier's PO email carries no PO link")
	}

	// An order with the customer's email, shipped: its email links to the
	// customer's tracking page.
	emailed, _, err := a.db.CreateOrder(ctx, actor, merchant.ID, orderfile.Order{Channel: "shopify", ChannelOrderID: "#9005", Currency: "USD",
		Customer: orderfile.Customer{Name: "Mae Jemison", Email: "mae@example.com"}, ShipTo: shipTo,
		Lines: []orderfile.Line{{SKU: "ACM-MUG", Title: "Enamel camp mug", Quantity: 1, UnitPriceCents: 1200}, {SKU: "ACM-STOVE", Title: "Trailblaze camp stove", Quantity: 1, UnitPriceCents: 5900}}})
	if err != nil {
		t.Fatal(err)
	}
	shipped, err := a.db.Dropship(ctx, actor, merchant.ID, emailed.ID, store.DropshipRequest{IdempotencyKey: "pages-9005", Confirm: true})
	if err != nil || len(shipped.POs) != 1 {
		t.Fatalf("dropship #9005: %+v %v", shipped, err)
	}
	if _, err := a.db.AddShipment(ctx, actor, supplier.ID, shipped.POs[0].ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456784",
		ShipDate: time.Now().Format("2006-01-02"), Lines: []store.ShipmentLine{{POLineID: shipped.POs[0].Lines[0].ID, Quantity: 1}}}); err != nil {
		t.Fatal(err)
	}
	var trackToken string
	if msgs, err = a.db.Outbox(ctx, merchant.ID, "", 80); err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if l := regexp.MustCompile(`/track/([A-Za-z0-9_-]{43})\b`).FindStringSubmatch(m.Body); l != nil {
			trackToken = l[1]
		}
	}
	if trackToken == "" {
		t.Fatal("the shipping email carries no tracking page link")
	}

	links, err := a.db.AccountLinks(ctx, merchant.ID)
	if err != nil || len(links) == 0 {
		t.Fatalf("demo link: %v %v", links, err)
	}
	subs, err := a.db.Subscriptions(ctx, merchant.ID)
	if err != nil || len(subs) == 0 {
		t.Fatalf("demo subscription: %v %v", subs, err)
	}
	runs, err := a.db.FeedRuns(ctx, merchant.ID, subs[0].ID, 1)
	if err != nil || len(runs) == 0 {
		t.Fatalf("demo feed pull: %v %v", runs, err)
	}
	mProducts, _, err := a.db.LinkedProducts(ctx, merchant.ID, store.ProductFilter{Query: "ACM-STOVE"})
	if err != nil || len(mProducts.Products) == 0 {
		t.Fatalf("merchant product: %v", err)
	}
	sProducts, err := a.db.Products(ctx, supplier.ID, store.ProductFilter{Query: "ACM-STOVE"})
	if err != nil || len(sProducts.Products) == 0 {
		t.Fatalf("supplier product: %v", err)
	}
	feeds, err := a.db.Feeds(ctx, supplier.ID)
	if err != nil || len(feeds) == 0 {
		t.Fatalf("demo feed: %v", err)
	}
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	websiteUpload := map[string]string{"supplierID": id(site.ID)}
	return []pageRole{
		{name: "merchant", email: "merchant@dropline.test",
			params: map[string]string{"productID": id(mProducts.Products[0].ID), "linkID": id(links[0].ID), "orderID": id(order.ID), "poID": id(po.ID),
				"supplierID": id(barn.ID), "publicID": supplier.PublicID, "subID": id(subs[0].ID), "runID": id(runs[0].ID)},
			byRoute: map[string]map[string]string{
				"/purchase-orders/:poID/website":                     {"poID": id(sitePO.ID)},
				"/suppliers-outside/:supplierID/upload":              websiteUpload,
				"/suppliers-outside/:supplierID/upload/template.csv": websiteUpload,
				"/suppliers-outside/:supplierID/upload/errors.csv":   websiteUpload,
				"/suppliers-outside/:supplierID/upload/progress":     websiteUpload,
			},
			query: map[string]string{"/statements": "?with=" + supplier.PublicID, "/statements/csv": "?with=" + supplier.PublicID, "/orders/new/line": "?i=0&sku=ACM-MUG"},
			more: []string{"/orders/" + id(toDropship.ID), "/purchase-orders/" + id(openPO.ID), "/orders?tab=all", "/purchase-orders?view=late",
				"/orders/" + id(emailed.ID), "/orders/" + id(emailed.ID) + "/tracking-page",
				"/orders/999999"}}, // the error page, signed in
		{name: "supplier", email: "supplier@dropline.test",
			params: map[string]string{"productID": id(sProducts.Products[0].ID), "linkID": id(links[0].ID), "poID": id(po.ID), "feedID": id(feeds[0].ID)},
			query: map[string]string{"/statements": "?with=" + merchant.PublicID, "/statements/csv": "?with=" + merchant.PublicID,
				"/dropship-orders/packing-slips": "?id=" + id(po.ID)},
			more: []string{"/dropship-orders/" + id(openPO.ID), "/dropship-orders?tab=all"}},
		{name: "platform", email: "admin@dropline.test",
			params: map[string]string{"linkID": id(links[0].ID), "accountID": id(merchant.ID), "publicID": merchant.PublicID}},
		// Staff of both accounts: the top bar with its account switcher.
		{name: "ops", email: "ops@dropline.test", only: map[string]bool{"/": true, "/settings": true}},
		// Someone not signed in: the sign-in page, and a PO's emailed link.
		{name: "visitor", params: map[string]string{"poID": id(barnPO.ID), "token": linkPath[1]},
			byRoute: map[string]map[string]string{"/track/:token": {"token": trackToken}},
			more: []string{"/po-link/" + id(barnPO.ID) + "/" + strings.Repeat("x", 43), // the error page, signed out
				"/track/" + strings.Repeat("x", 43)}}, // the customer's page for a dead link
	}
}
