package handlers_test

import (
	"context"
	"encoding/csv"
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
	for _, sel := range []string{`[data-testid="order-count"]`, `[data-testid="po-count"]`, `[data-testid="queue-count"]`, `[data-testid="outbox-failed"]`, `[data-testid="attention-filter"]`} {
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
		{w.adminA.Email, []string{"late-pos", "needs-dropship"}, []string{"needs-dropship", "late-pos", "stale-pos", "exceptions", "failed-updates", "feeds"}, nil},
		{w.adminS.Email, []string{"late", "ship-today"}, []string{"to-acknowledge", "ship-today", "late"}, []string{"needs-dropship"}},
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
	if earnings.status != 200 || balance == "" || balance == "0.00" {
		t.Fatalf("supplier earnings %d, available %q: %s", earnings.status, balance, earnings.body)
	}
	if earnings.doc.Find(`[data-testid="payout-form"]`).Length() != 0 {
		t.Fatal("the supplier sees the payout form")
	}

	m := env.client()
	m.login(w.adminA.Email)
	form := func(amount, date, reference string) url.Values {
		return url.Values{"supplier_id": {strconv.FormatInt(w.supplierS.ID, 10)}, "currency": {"USD"}, "amount": {amount}, "date": {date}, "reference": {reference}}
	}
	today := env.db.Now().UTC().Format(time.DateOnly)
	bad := m.post("/earnings/payouts", form("999999.00", today, ""))
	if bad.status != 422 || !strings.Contains(bad.doc.Find(`[data-testid="payout-form"]`).Text(), "is available") {
		t.Fatalf("payout over the balance: %d %s", bad.status, bad.body)
	}
	if ok := m.post("/earnings/payouts", form(balance, today, "=HYPERLINK(\"x\")")); ok.status != 303 {
		t.Fatalf("payout: %d", ok.status)
	}
	st := m.get("/statements?with=" + url.QueryEscape(w.supplierS.PublicID) + "&from=" + env.db.Now().AddDate(0, -2, 0).Format(time.DateOnly) + "&to=" + today)
	if got := st.doc.Find(`[data-testid="closing"]`).Text(); st.status != 200 || got != "0.00" {
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
	// Merchant B has no link with S: no statement, no scorecard.
	b := env.client()
	b.login(w.adminB.Email)
	for _, path := range []string{"/statements?with=" + w.supplierS.PublicID, "/statements/csv?with=" + w.supplierS.PublicID, "/suppliers/" + w.supplierS.PublicID + "/scorecard"} {
		if p := b.get(path); p.status != 404 {
			t.Errorf("merchant B GET %s: %d, want 404", path, p.status)
		}
	}
	if p := m.get("/suppliers/" + w.supplierS.PublicID + "/scorecard"); p.status != 200 || p.doc.Find(`svg.chart-svg`).Length() != 2 {
		t.Errorf("merchant A's view of S's scorecard: %d", p.status)
	}
}
