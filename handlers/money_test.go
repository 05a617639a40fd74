package handlers_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// listCount reads the number a list page shows for what it lists.
func listCount(t *testing.T, p page) string {
	t.Helper()
	for _, sel := range []string{`[data-testid="order-count"]`, `[data-testid="po-count"]`, `[data-testid="queue-count"]`, `[data-testid="outbox-count"]`, `[data-testid="attention-filter"]`} {
		if s := p.doc.Find(sel); s.Length() > 0 {
			return regexp.MustCompile(`\d+`).FindString(s.First().Text())
		}
	}
	t.Fatalf("no count on the list page: %s", p.body)
	return ""
}

// TestDashboardCountsMatchTheirLists follows every count on both
// dashboards to its list and expects the list to show the same number.
func TestDashboardCountsMatchTheirLists(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := context.Background()
	if err := env.db.SetInitialStatus(ctx, store.CLIActor, w.supplierS.ID, w.statusS); err != nil {
		t.Fatal(err)
	}
	// Orders to count: one waiting to be dropshipped, two dropshipped and
	// left unshipped until they are late.
	for i, number := range []string{"A-2001", "A-2002", "A-2003"} {
		o, _, err := env.db.CreateOrder(ctx, store.CLIActor, w.merchantA.ID, orderfile.Order{Channel: "manual", ChannelOrderID: number, Currency: "USD",
			ShipTo: orderfile.Address{Name: "Ada", Address1: "1 Main St", City: "Springfield", PostalCode: "62701", Country: "US"},
			Lines:  []orderfile.Line{{SKU: "S-100", Quantity: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			continue
		}
		res, err := env.db.Dropship(ctx, store.CLIActor, w.merchantA.ID, o.ID, store.DropshipRequest{IdempotencyKey: number, Confirm: true})
		if err != nil || len(res.POs) != 1 {
			t.Fatalf("dropship %s: %+v %v", number, res, err)
		}
		if i == 1 { // acknowledged, so it is to ship
			if err := env.db.AcknowledgePO(ctx, store.CLIActor, w.supplierS.ID, res.POs[0].ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Three days on, both POs are late: unacknowledged and past their promise date.
	later := time.Now().Add(72 * time.Hour)
	env.db.Now = func() time.Time { return later }

	for _, tc := range []struct {
		email    string
		nonZero  []string
		keys     []string
		notCards []string
	}{
		{w.adminA.Email, []string{"late-pos", "needs-dropship"}, []string{"needs-dropship", "late-pos", "stale-pos", "exceptions", "tracking-problems", "failed-updates", "feeds"}, nil},
		{w.adminS.Email, []string{"late", "ship-today"}, []string{"to-acknowledge", "ship-today", "late", "tracking-problems"}, []string{"needs-dropship"}},
	} {
		c := env.client()
		c.login(tc.email)
		dash := c.get("/")
		if dash.status != 200 {
			t.Fatalf("%s: dashboard %d", tc.email, dash.status)
		}
		for _, key := range tc.keys {
			card := dash.doc.Find(`[data-testid="dash-` + key + `"]`)
			href, _ := card.Attr("href")
			n := strings.TrimSpace(card.Find(`[data-testid="dash-count"]`).Text())
			if href == "" || n == "" {
				t.Fatalf("%s: no %s card: %s", tc.email, key, dash.body)
			}
			list := c.get(href)
			if list.status != 200 {
				t.Fatalf("%s: %s → %d", tc.email, href, list.status)
			}
			if got := listCount(t, list); got != n {
				t.Errorf("%s: dashboard says %s for %s, the list at %s shows %s", tc.email, n, key, href, got)
			}
			for _, nz := range tc.nonZero {
				if nz == key && n == "0" {
					t.Errorf("%s: %s is 0; the test set up some", tc.email, key)
				}
			}
		}
		for _, key := range tc.notCards {
			if dash.doc.Find(`[data-testid="dash-`+key+`"]`).Length() > 0 {
				t.Errorf("%s sees the %s card of the other side", tc.email, key)
			}
		}
	}
}

// TestEarningsStatementsAndPayouts: the supplier's shipment shows on both
// sides' earnings and statements; a merchant admin records a payout with
// field errors for bad input; the CSV is formula-safe; another merchant
// cannot open the pair's statement.
func TestEarningsStatementsAndPayouts(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	// The world's shipment earned its cost; the holding period has passed.
	env.db.Now = func() time.Time { return time.Now().AddDate(0, 0, 20) }
	s := env.client()
	s.login(w.adminS.Email)
	earnings := s.get("/earnings")
	balance := strings.TrimSpace(earnings.doc.Find(`[data-testid="balance-row"] [data-testid="available"]`).Text())
	if earnings.status != 200 || balance == "" || balance == "$0.00" {
		t.Fatalf("supplier earnings %d, available %q: %s", earnings.status, balance, earnings.body)
	}
	if earnings.doc.Find(`[data-testid="payout-form"]`).Length() != 0 {
		t.Fatal("the supplier sees the payout form")
	}

	m := env.client()
	m.login(w.adminA.Email)
	key := m.get("/earnings").doc.Find(`[data-testid="payout-form"] input[name="key"]`).AttrOr("value", "")
	if key == "" {
		t.Fatal("the payout form has no submit key")
	}
	form := func(amount, date, reference string) url.Values {
		return url.Values{"supplier_id": {strconv.FormatInt(w.supplierS.ID, 10)}, "currency": {"USD"}, "amount": {amount}, "date": {date}, "reference": {reference}, "key": {key}}
	}
	today := env.db.Now().UTC().Format(time.DateOnly)
	bad := m.post("/earnings/payouts", form("999999.00", today, ""))
	if bad.status != 422 || !strings.Contains(bad.doc.Find(`[data-testid="payout-form"]`).Text(), "is available") {
		t.Fatalf("payout over the balance: %d %s", bad.status, bad.body)
	}
	// Bad input: a clear message on the field, what was typed kept, nothing written.
	for _, bad := range []struct{ amount, date, field string }{
		{"abc", today, "amount"}, {"-5", today, "amount"}, {"1.005", today, "amount"}, {"1", "tomorrow", "date"}, {"1", "2999-01-01", "date"},
	} {
		before := env.dbDigest()
		p := m.post("/earnings/payouts", form(bad.amount, bad.date, "REF-7"))
		msg := p.doc.Find(`input[name="` + bad.field + `"]`).Parent().Find(".field-error").Text()
		if p.status != 422 || msg == "" || p.doc.Find(`input[name="reference"]`).AttrOr("value", "") != "REF-7" {
			t.Errorf("payout %q on %q: %d, %s message %q", bad.amount, bad.date, p.status, bad.field, msg)
		}
		if env.dbDigest() != before {
			t.Errorf("payout %q on %q changed the database", bad.amount, bad.date)
		}
	}
	if ok := m.post("/earnings/payouts", form(balance, today, "=HYPERLINK(\"x\")")); ok.status != 303 {
		t.Fatalf("payout: %d", ok.status)
	}
	st := m.get("/statements?with=" + url.QueryEscape(w.supplierS.PublicID) + "&from=" + env.db.Now().AddDate(0, -2, 0).Format(time.DateOnly) + "&to=" + today)
	if got := st.doc.Find(`[data-testid="closing"]`).Text(); st.status != 200 || got != "$0.00" {
		t.Fatalf("statement %d, closing %q after paying everything", st.status, got)
	}
	ss := s.get("/statements?with=" + url.QueryEscape(w.merchantA.PublicID) + "&from=" + env.db.Now().AddDate(0, -2, 0).Format(time.DateOnly) + "&to=" + today)
	if st.doc.Find(`[data-testid="statement-totals"]`).Text() != ss.doc.Find(`[data-testid="statement-totals"]`).Text() {
		t.Fatal("the two sides' statements differ")
	}
	href, _ := st.doc.Find(`[data-testid="statement-csv"]`).Attr("href")
	csvPage := m.get(href)
	recs, err := csv.NewReader(strings.NewReader(csvPage.body)).ReadAll()
	if err != nil && !strings.Contains(err.Error(), "wrong number of fields") {
		t.Fatal(err)
	}
	if !strings.Contains(csvPage.body, "'=HYPERLINK") || strings.Contains(csvPage.body, "\n=HYPERLINK") || len(recs) == 0 {
		t.Fatalf("CSV is not formula-safe:\n%s", csvPage.body)
	}
	// A period that is not one is a clear error.
	for _, q := range []string{"&from=2026-13-01", "&from=2026-11-30&to=2026-11-01", "&to=soon"} {
		p := m.get("/statements?with=" + url.QueryEscape(w.supplierS.PublicID) + q)
		if p.status != 422 || p.doc.Find(".field-error").Length() == 0 {
			t.Errorf("statement %s: %d without a field error", q, p.status)
		}
	}
	// Merchant B has no link with S, supplier T none with A: no statement,
	// no scorecard, and nothing tells them the pair exists.
	b := env.client()
	b.login(w.adminB.Email)
	for _, path := range []string{"/statements?with=" + w.supplierS.PublicID, "/statements/csv?with=" + w.supplierS.PublicID, "/suppliers/" + w.supplierS.PublicID + "/scorecard"} {
		if p := b.get(path); p.status != 404 {
			t.Errorf("merchant B GET %s: %d, want 404", path, p.status)
		}
	}
	tc := env.client()
	tc.login(w.adminT.Email)
	for _, path := range []string{"/statements?with=" + w.merchantA.PublicID, "/statements/csv?with=" + w.merchantA.PublicID} {
		if p := tc.get(path); p.status != 404 {
			t.Errorf("supplier T GET %s: %d, want 404", path, p.status)
		}
	}
	if p := tc.get("/earnings"); p.doc.Find(`[data-testid="balance-row"]`).Length() != 0 {
		t.Error("supplier T sees another pair's balance")
	}
	if p := m.get("/suppliers/" + w.supplierS.PublicID + "/scorecard"); p.status != 200 || p.doc.Find(`svg.chart-svg`).Length() != 2 {
		t.Errorf("merchant A's view of S's scorecard: %d", p.status)
	}
}

// TestPaymentTermsForm: the merchant's admin sets the link's payment terms;
// bad values are field errors that keep what was typed and change nothing.
func TestPaymentTermsForm(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	m := env.client()
	m.login(w.adminA.Email)
	path := "/links/" + strconv.FormatInt(w.linkAS.ID, 10) + "/merchant-settings"
	form := func(earnOn, holding string) url.Values {
		return url.Values{"po_format": {"sequence"}, "po_prefix": {"PO-"}, "release_delay_minutes": {"0"}, "earn_on": {earnOn}, "holding_days": {holding}}
	}
	for _, bad := range []struct{ earnOn, holding, field string }{
		{"shipped", "abc", "holding_days"}, {"shipped", "400", "holding_days"}, {"shipped", "-1", "holding_days"}, {"whenever", "14", "earn_on"},
	} {
		before := env.dbDigest()
		p := m.post(path, form(bad.earnOn, bad.holding))
		if p.status != 422 || !strings.Contains(p.body, "field-error") || p.doc.Find(`input[name="holding_days"]`).AttrOr("value", "") != bad.holding {
			t.Errorf("terms %q/%q: %d", bad.earnOn, bad.holding, p.status)
		}
		if env.dbDigest() != before {
			t.Errorf("terms %q/%q changed the database", bad.earnOn, bad.holding)
		}
	}
	if p := m.post(path, form("delivered", "30")); p.status != 303 {
		t.Fatalf("save terms: %d", p.status)
	}
	s := env.client()
	s.login(w.adminS.Email)
	terms := s.get("/links/" + strconv.FormatInt(w.linkAS.ID, 10)).doc.Find(`[data-testid="payment-terms"]`).Text()
	if !strings.Contains(terms, "delivered") || !strings.Contains(terms, "30 days") {
		t.Fatalf("the supplier reads the terms as %q", terms)
	}
	// Staff cannot change them.
	st := env.client()
	st.login(w.staffA.Email)
	if p := st.post(path, form("shipped", "0")); p.status != 403 && p.status != 404 {
		t.Fatalf("staff changed the terms: %d", p.status)
	}
}

// TestPayoutDoubleSubmitRecordsOnce: the payout form posted twice (a double
// click, a resubmitted page) records one payout; the second answer says so.
func TestPayoutDoubleSubmitRecordsOnce(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	env.db.Now = func() time.Time { return time.Now().AddDate(0, 0, 20) }
	m := env.client()
	m.login(w.adminA.Email)
	page := m.get("/earnings")
	key := page.doc.Find(`[data-testid="payout-form"] input[name="key"]`).AttrOr("value", "")
	if key == "" {
		t.Fatalf("the payout form has no submit key: %s", page.body)
	}
	form := url.Values{"supplier_id": {strconv.FormatInt(w.supplierS.ID, 10)}, "currency": {"USD"}, "amount": {"1.00"},
		"date": {env.db.Now().UTC().Format(time.DateOnly)}, "reference": {"WIRE-9"}, "key": {key}}
	for i := range 2 {
		if p := m.post("/earnings/payouts", form); p.status != http.StatusSeeOther {
			t.Fatalf("submit %d: %d", i+1, p.status)
		}
	}
	after := m.get("/earnings")
	if msg := after.doc.Find(".flash").Text(); !strings.Contains(msg, "already recorded") {
		t.Errorf("second submit's message %q", msg)
	}
	if paid := strings.TrimSpace(after.doc.Find(`[data-testid="balance-row"] td`).Eq(4).Text()); paid != "$1.00" {
		t.Errorf("paid %q after a double submit, want $1.00", paid)
	}
	if next := after.doc.Find(`[data-testid="payout-form"] input[name="key"]`).AttrOr("value", ""); next == "" || next == key {
		t.Errorf("the next form's key %q, want a new one", next)
	}
	bs, err := env.db.Balances(t.Context(), w.merchantA.ID, 0)
	if err != nil || len(bs) != 1 || bs[0].PaidCents != 100 {
		t.Fatalf("balances %+v %v, want 1.00 paid", bs, err)
	}
}
