package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/dropline/dropline/store"
)

// TestPOSearchByNumberInAnyForm: both sides, on their pages and through the
// API, find PO-000120 by its number in any case, and by its digits without
// prefix or leading zeros; PO-001200 is not 120.
func TestPOSearchByNumberInAnyForm(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	readyToDropship(t, env, w)
	merchant := env.client()
	merchant.login(w.staffA.Email)
	for number, order := range map[string]string{"PO-000120": "N-1", "PO-001200": "N-2"} {
		path := merchant.post("/orders", manualOrder(order, "S-100", "1")).header.Get("Location")
		_, p := dropshipAsPrefilled(t, merchant, path, func(v url.Values) {
			for k := range v {
				if strings.HasPrefix(k, "po_number_") {
					v.Set(k, number)
				}
			}
		})
		if p.status != http.StatusSeeOther {
			t.Fatalf("dropship %s as %s: %d", order, number, p.status)
		}
	}
	supplier := env.client()
	supplier.login(w.staffS.Email)
	_, supplierToken, err := env.db.CreateToken(t.Context(), store.CLIActor, w.supplierS.ID, "S's token")
	if err != nil {
		t.Fatal(err)
	}
	texts := func(s *goquery.Selection) []string {
		var out []string
		s.Each(func(_ int, r *goquery.Selection) { out = append(out, r.Text()) })
		return out
	}
	apiNumbers := func(token, q string) []string {
		status, body := env.api(http.MethodGet, "/api/v1/purchase-orders?q="+url.QueryEscape(q), token, "")
		if status != http.StatusOK {
			t.Fatalf("API q=%s: %d %v", q, status, body)
		}
		var out []string
		for _, po := range body["purchase_orders"].([]any) {
			out = append(out, po.(map[string]any)["po_number"].(string))
		}
		return out
	}
	for _, q := range []string{"PO-000120", "po-000120", "Po-000120", "120", "000120", " 120 "} {
		rows := merchant.get("/purchase-orders?q=" + url.QueryEscape(q)).doc.Find(`[data-testid="po-row"]`)
		if got := texts(rows); len(got) != 1 || !strings.Contains(got[0], "PO-000120") {
			t.Errorf("merchant's Purchase orders q=%q: %d rows %q, want PO-000120 alone", q, len(got), got)
		}
		rows = supplier.get("/dropship-orders?tab=all&q=" + url.QueryEscape(q)).doc.Find(`[data-testid="queue-row"]`)
		if got := texts(rows); len(got) != 1 || !strings.Contains(got[0], "PO-000120") {
			t.Errorf("supplier's Dropship orders q=%q: %d rows %q, want PO-000120 alone", q, len(got), got)
		}
		for side, token := range map[string]string{"merchant": w.as.merchantToken, "supplier": supplierToken} {
			if got := apiNumbers(token, q); !slices.Equal(got, []string{"PO-000120"}) {
				t.Errorf("API as the %s q=%q: %v, want [PO-000120]", side, q, got)
			}
		}
	}
	// 1200 finds PO-001200 only; the order list finds an order by its PO's digits too.
	if got := apiNumbers(w.as.merchantToken, "1200"); !slices.Equal(got, []string{"PO-001200"}) {
		t.Errorf("q=1200: %v", got)
	}
	if got := texts(merchant.get("/orders?tab=all&q=120").doc.Find(`[data-testid="order-row"]`)); len(got) != 1 || !strings.Contains(got[0], "N-1") {
		t.Errorf("orders q=120: %q, want N-1", got)
	}
	// The other searches still work: the order number, the supplier's name, the customer.
	if got := texts(merchant.get("/purchase-orders?q=N-2").doc.Find(`[data-testid="po-row"]`)); len(got) != 1 || !strings.Contains(got[0], "PO-001200") {
		t.Errorf("merchant q=N-2: %q", got)
	}
	if got := merchant.get("/purchase-orders?q=" + url.QueryEscape(strings.ToLower(w.supplierS.Name))).doc.Find(`[data-testid="po-row"]`).Length(); got != 3 {
		t.Errorf("merchant q=supplier's name: %d rows, want the supplier's 3 POs", got)
	}
	if got := supplier.get("/dropship-orders?tab=all&q=ada").doc.Find(`[data-testid="queue-row"]`).Length(); got != 3 {
		t.Errorf("supplier q=ada (the customer): %d rows, want all 3", got)
	}
}
