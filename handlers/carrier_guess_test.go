package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCarrierGuessHint covers the "Looks like" line the shipment form
// refreshes as a tracking number is typed.
func TestCarrierGuessHint(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	c := env.client()
	c.login(w.staffS.Email)
	hint := func(number, chosen string) string {
		p := c.get("/settings/carriers/guess?" + url.Values{"tracking_number": {number}, "carrier": {chosen}}.Encode())
		if p.status != http.StatusOK || strings.Contains(p.body, "<nav") {
			t.Fatalf("guess %s: %d, want the hint fragment\n%s", number, p.status, p.body)
		}
		return strings.TrimSpace(p.doc.Find(`#carrier-hint[data-testid="carrier-hint"]`).Text())
	}
	for _, tt := range []struct{ number, chosen, want string }{
		{"1z 999 aa1 01 2345 6784", "", "Looks like: UPS."},
		{"1Z999AA10123456784", "ups", "Looks like: UPS."},
		{"1Z999AA10123456784", "fedex", "Looks like: UPS. You chose FedEx: is that right?"},
		{"9261292700768711948021", "", "Looks like: USPS or FedEx (choose the one on the label)."},
		{"RR123456785CN", "", "Looks like: China Post / EMS, issued by China Post (CN)."},
		{"RR123456785MN", "", "Looks like: International Post (UPU S10), issued by the post of MN."},
		{"60120172242323", "", "Could be: DHL eCommerce or DPD (no check digit to confirm it)."},
		{"1Z999AA10123456785", "", "No carrier's format matches this number."},
		// The chosen carrier's check, as saving would say it.
		{"1Z999AA10123456785", "ups", "The check digit of this UPS 1Z number is wrong (expected 4, got 5). No carrier's format matches this number."},
		{"9400100000000000000011", "usps", "The check digit of this USPS IMpb 22-digit number is wrong (expected 3, got 1). Could be: DHL eCommerce (no check digit to confirm it)."},
		{"", "", ""},
	} {
		if got := hint(tt.number, tt.chosen); got != tt.want {
			t.Errorf("hint for %q (chose %q): got %q, want %q", tt.number, tt.chosen, got, tt.want)
		}
	}
	// Only the account's carriers are suggested.
	a := env.client()
	a.login(w.adminS.Email)
	if p := a.post("/settings/carriers", url.Values{"logistics_kind": {"carrier"}, "inventory_mode": {"active"}, "restricted": {"true"}, "allowed": {"usps", "fedex"}}); p.status != http.StatusSeeOther {
		t.Fatalf("restrict carriers: %d", p.status)
	}
	if got, want := hint("1Z999AA10123456784", ""), "Looks like: UPS, which is not one of this account's carriers (Settings → Carriers)."; got != want {
		t.Errorf("UPS number where UPS is not allowed: got %q, want %q", got, want)
	}
}

// TestCarrierCheckerReadsTheNumber: the Settings checker with no carrier
// chosen says which carrier the number is.
func TestCarrierCheckerReadsTheNumber(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	s := env.client()
	s.login(w.adminS.Email)
	carriers := s.get("/settings/carriers")
	if opt := carriers.doc.Find(`form[action="/settings/carriers/check"] select[name="carrier"] option`).First(); opt.AttrOr("value", "x") != "" || !strings.Contains(opt.Text(), "read it from the number") {
		t.Fatalf("first checker option %q %q, want the empty read-from-the-number one", opt.AttrOr("value", "x"), opt.Text())
	}
	check := func(number string) page {
		return s.post("/settings/carriers/check", url.Values{"carrier": {""}, "tracking_number": {number}})
	}
	if got := check("K 2479 8254 91").doc.Find(`#tracking-result .result-ok`).Text(); got != "K2479825491: Looks like: UPS." {
		t.Errorf("UPS waybill: %q", got)
	}
	if got := check("FOO").doc.Find(`#tracking-result .result-bad`).Text(); got != "FOO: No carrier's format matches this number." {
		t.Errorf("junk: %q", got)
	}
	// The new carriers are on the page, to allow and to check.
	for _, code := range []string{"yunexpress", "evri", "dhl_parcel_de", "japan_post", "speedee"} {
		if carriers.doc.Find(`input[name="allowed"][value="`+code+`"]`).Length() != 1 {
			t.Errorf("carrier %s is not offered on the Carriers page", code)
		}
	}
	if p := check(""); p.status != http.StatusUnprocessableEntity || p.doc.Find(`#tracking-result .result-bad`).Text() != "Enter the tracking number." {
		t.Errorf("empty number: %d %q", p.status, p.doc.Find(`#tracking-result`).Text())
	}
}

// TestShipmentFormCarrierFromTheNumber: the supplier leaves the carrier on
// "From the number"; a number one carrier confirms is saved with it, an
// ambiguous one is refused with the hint shown.
func TestShipmentFormCarrierFromTheNumber(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	po := openPO(t, env, w, "G-1", 2)
	c := env.client()
	c.login(w.staffS.Email)
	path := "/dropship-orders/" + strconv.FormatInt(po.ID, 10)
	page := c.get(path)
	sel := page.doc.Find(`[data-testid="tracking-form"] select[name="carrier"]`)
	if first := sel.Find("option").First(); first.AttrOr("value", "x") != "" || first.Text() != "From the number" {
		t.Fatalf("first carrier option %q %q", first.AttrOr("value", "x"), first.Text())
	}
	if got := page.doc.Find(`[data-testid="tracking-form"] input[name="tracking_number"]`).AttrOr("hx-get", ""); got != "/settings/carriers/guess" {
		t.Errorf("tracking number field asks %q for its hint", got)
	}
	lineID := strconv.FormatInt(po.Lines[0].ID, 10)
	today := time.Now().UTC().Format("2006-01-02")
	before := env.dbDigest()
	p := c.post(path+"/shipments", url.Values{"carrier": {""}, "tracking_number": {"9261292700768711948021"}, "ship_date": {today}, "qty_" + lineID: {"1"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("ambiguous number: %d", p.status)
	}
	if got, want := p.doc.Find(`[data-testid="error-carrier"]`).Text(), "The number could be USPS or FedEx: choose the carrier."; !strings.Contains(got, want) {
		t.Errorf("carrier error %q, want %q", got, want)
	}
	if got := strings.TrimSpace(p.doc.Find(`[data-testid="carrier-hint"]`).Text()); got != "Looks like: USPS or FedEx (choose the one on the label)." {
		t.Errorf("hint after the refusal: %q", got)
	}
	if env.dbDigest() != before {
		t.Fatal("a refused shipment changed the database")
	}
	p = c.post(path+"/shipments", url.Values{"carrier": {""}, "tracking_number": {"1z 999 aa1 01 2345 6784"}, "ship_date": {today}, "qty_" + lineID: {"1"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("UPS number from the number: %d %s", p.status, p.doc.Find(".field-error").Text())
	}
	ships, _ := env.db.Shipments(t.Context(), w.supplierS.ID, po.ID)
	if len(ships) != 1 || ships[0].Carrier != "ups" || ships[0].TrackingNumber != "1Z999AA10123456784" {
		t.Fatalf("shipments %+v, want one UPS", ships)
	}
	if msg := c.get(path).doc.Find(".flash").Text(); !strings.Contains(msg, "UPS (read from the number) 1Z999AA10123456784") {
		t.Errorf("flash %q", msg)
	}
}

// TestBulkTrackingPreviewSaysCarrierFromTheNumber: an empty carrier cell is
// filled from the number, and the preview says so.
func TestBulkTrackingPreviewSaysCarrierFromTheNumber(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	po := openPO(t, env, w, "B-1", 1)
	po2 := openPO(t, env, w, "B-2", 1)
	c := env.client()
	c.login(w.staffS.Email)
	c.get("/dropship-orders/upload")
	today := time.Now().UTC().Format("2006-01-02")
	file := "po_number,carrier,tracking_number,ship_date\n" +
		po.PONumber + ",,1Z999AA10123456784," + today + "\n" +
		po2.PONumber + ",,9261292700768711948021," + today + "\n"
	p := c.upload("/dropship-orders/upload", "tracking.csv", file, nil)
	if p.status != http.StatusOK {
		t.Fatalf("preview: %d", p.status)
	}
	if got := p.doc.Find(`[data-testid="carrier-note"]`).Text(); got != "Carrier read from the number: UPS." {
		t.Errorf("carrier note %q", got)
	}
	if got := p.doc.Find(`[data-testid="tracking-rows"] .result-bad`).Text(); got != "The number could be USPS or FedEx: fill in its carrier." {
		t.Errorf("row error %q", got)
	}
	if got := p.doc.Find(`[data-testid="tracking-summary"]`).Text(); !strings.Contains(got, "1 row ok (1 shipment), 1 row with errors") {
		t.Errorf("summary %q", got)
	}
}
