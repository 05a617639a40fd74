package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/dropline/dropline/store"
)

// shipOne has the supplier's client ship qty of a PO's only line on its page.
func shipOne(t *testing.T, c *client, po store.PurchaseOrder, number string, qty int) {
	t.Helper()
	p := c.post("/dropship-orders/"+i64s(po.ID)+"/shipments", url.Values{"carrier": {"ups"}, "tracking_number": {number},
		"ship_date": {time.Now().UTC().Format("2006-01-02")}, "qty_" + i64s(po.Lines[0].ID): {strconv.Itoa(qty)}, "override": {"true"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("ship %d of %s: %d %s", qty, po.PONumber, p.status, p.doc.Find(".field-error").Text())
	}
}

// A partly shipped PO through the pages: the merchant asks to cancel the
// rest, the supplier accepts, the order shows what is left to send; on
// another, the supplier declines the rest of the line and the merchant
// closes the order.
func TestPartlyShippedPOThroughThePages(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	s := env.client()
	s.login(w.staffS.Email)
	m := env.client()
	m.login(w.adminA.Email)

	po := openPO(t, env, w, "PART-1", 3)
	shipOne(t, s, po, "1Z999AA10123456784", 1)
	mpath := "/purchase-orders/" + i64s(po.ID)
	if got := m.get(mpath).doc.Find(`[data-testid="request-cancel"]`).Text(); got != "Request cancellation of the rest" {
		t.Fatalf("request button on a partly shipped PO %q", got)
	}
	if p := m.post(mpath+"/cancel", url.Values{"reason": {"customer wants a refund for the rest"}}); p.status != http.StatusSeeOther {
		t.Fatalf("request cancel: %d", p.status)
	}
	spath := "/dropship-orders/" + i64s(po.ID)
	if got := s.get(spath).doc.Find(`[data-testid="cancel-accept"]`).Text(); got != "Accept: cancel what has not shipped" {
		t.Fatalf("accept button %q", got)
	}
	if p := s.post(spath+"/cancel", url.Values{"answer": {"accept"}}); p.status != http.StatusSeeOther {
		t.Fatalf("accept: %d", p.status)
	}
	if flash := s.get(spath).doc.Find(".flash").Text(); strings.Contains(flash, "is shipped") || strings.Contains(flash, "decline") {
		t.Fatalf("accepting was refused: %q", flash)
	}
	mp := m.get(mpath)
	if got := mp.doc.Find(`[data-testid="po-status"]`).Text(); got != "Shipped" {
		t.Fatalf("merchant's PO status %q, want Shipped", got)
	}
	if row := mp.doc.Find(`[data-testid="po-lines"] tbody tr`).Text(); !strings.Contains(row, "Shipped 1 of 3, the rest cancelled") {
		t.Fatalf("PO line %q does not say what shipped and what was cancelled", row)
	}
	op := m.get("/orders/" + i64s(po.OrderID))
	if got := op.doc.Find(`[data-testid="order-status"]`).Text(); got != "Exception" {
		t.Fatalf("order status %q, want Exception", got)
	}
	if got := op.doc.Find(`[data-testid="line-left"]`).Text(); got != "1 shipped, 2 left" {
		t.Fatalf("order line %q, want \"1 shipped, 2 left\"", got)
	}
	if got := op.doc.Find(`[data-testid="dropship-lines"] .dropship-line`).Text(); !strings.Contains(got, "× 2") {
		t.Fatalf("the dropship form offers %q, want the 2 left", got)
	}

	// The supplier declines the rest of a partly shipped line.
	po2 := openPO(t, env, w, "PART-2", 3)
	shipOne(t, s, po2, "1Z999AA10123456785", 1)
	spath = "/dropship-orders/" + i64s(po2.ID)
	box := s.get(spath).doc.Find(`input[name="line_ids"]`)
	if box.Length() != 1 || box.AttrOr("aria-label", "") != "Reject the remaining 2 of S-100" {
		t.Fatalf("reject box %d %q", box.Length(), box.AttrOr("aria-label", ""))
	}
	if p := s.post(spath+"/reject", url.Values{"line_ids": {i64s(po2.Lines[0].ID)}, "reason": {"discontinued"}}); p.status != http.StatusSeeOther {
		t.Fatalf("reject: %d", p.status)
	}
	got, _ := env.db.PurchaseOrder(t.Context(), w.merchantA.ID, po2.ID)
	if got.Status != store.POShipped || got.Lines[0].Status != "rejected" || got.Lines[0].ShippedQty != 1 {
		t.Fatalf("after declining the rest: PO %s, line %+v", got.Status, got.Lines[0])
	}
	opath := "/orders/" + i64s(po2.OrderID)
	if got := m.get(opath).doc.Find(`[data-testid="order-status"]`).Text(); got != "Exception" {
		t.Fatalf("order status %q, want Exception", got)
	}
	if p := m.post(opath+"/close", url.Values{"close_reason": {"refunded the rest"}}); p.status != http.StatusSeeOther {
		t.Fatalf("close: %d", p.status)
	}
	if got := m.get(opath).doc.Find(`[data-testid="order-status"]`).Text(); got != "Cancelled" {
		t.Fatalf("closed order %q", got)
	}
}

// The supplier's PO page says who acknowledged the PO and when, whether by
// the button or by saving tracking; once shipped, its status control shows
// the shipped state instead of the supplier's statuses.
func TestSupplierPOPageAcknowledgedByAndShippedState(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	s := env.client()
	s.login(w.staffS.Email)
	supplier, err := env.db.Account(t.Context(), w.supplierS.ID)
	if err != nil {
		t.Fatal(err)
	}
	ackedAt := func(po store.PurchaseOrder) string {
		q, err := env.db.QueuePurchaseOrder(t.Context(), w.supplierS.ID, po.ID)
		if err != nil || !q.Acknowledged {
			t.Fatalf("PO %s not acknowledged: %v", po.PONumber, err)
		}
		return q.AcknowledgedAt.In(supplier.Location()).Format("2 Jan 2006 15:04 MST") // the zone is written out
	}

	po := openPO(t, env, w, "ACK-1", 2)
	path := "/dropship-orders/" + i64s(po.ID)
	if s.get(path).doc.Find(`[data-testid="acknowledged"]`).Length() != 0 {
		t.Fatal("an open PO not acknowledged says it is")
	}
	if p := s.post(path+"/acknowledge", nil); p.status != http.StatusSeeOther {
		t.Fatalf("acknowledge: %d", p.status)
	}
	page := s.get(path)
	if got, want := strings.TrimSpace(page.doc.Find(`[data-testid="acknowledged"]`).Text()), "Acknowledged by "+w.staffS.Email+" at "+ackedAt(po); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if page.doc.Find(`select[name="status_id"]`).Length() != 1 {
		t.Fatal("an open PO has no status select")
	}
	shipOne(t, s, po, "1Z999AA10123456784", 2)
	page = s.get(path)
	if page.doc.Find(`select[name="status_id"]`).Length() != 0 {
		t.Fatal("a shipped PO still offers the supplier's statuses")
	}
	if got := page.doc.Find(`[data-testid="status-control"] .badge`).Text(); got != "Shipped" {
		t.Fatalf("status control %q, want Shipped", got)
	}
	// Setting a status now is refused, and changes nothing.
	before := env.dbDigest()
	s.post(path+"/status", url.Values{"status_id": {i64s(w.statusS)}})
	if env.dbDigest() != before {
		t.Fatal("a status set on a shipped PO changed the database")
	}

	// Tracking saved without the button acknowledges it too, by who saved it.
	po2 := openPO(t, env, w, "ACK-2", 1)
	shipOne(t, s, po2, "1Z999AA10123456785", 1)
	got := strings.TrimSpace(s.get("/dropship-orders/" + i64s(po2.ID)).doc.Find(`[data-testid="acknowledged"]`).Text())
	if want := "Acknowledged by " + w.staffS.Email + " at " + ackedAt(po2); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// A PO's status badge reads the same, in the same colour, on the merchant's
// PO list, PO page and order page and on the supplier's queue and PO page.
func TestPOStatusBadgeIsTheSameOnBothSides(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	s := env.client()
	s.login(w.staffS.Email)
	m := env.client()
	m.login(w.adminA.Email)
	po := openPO(t, env, w, "BADGE-1", 3)
	shipOne(t, s, po, "1Z999AA10123456784", 1)
	badges := map[string]*goquery.Selection{
		"merchant's PO list":        m.get("/purchase-orders?q=" + url.QueryEscape(po.PONumber)).doc.Find(`[data-testid="po-row"] .badge`).First(),
		"merchant's PO page":        m.get("/purchase-orders/" + i64s(po.ID)).doc.Find(`[data-testid="po-status"]`),
		"merchant's order POs":      m.get("/orders/" + i64s(po.OrderID)).doc.Find(`[data-testid="order-pos"] tbody .badge`).First(),
		"merchant's order line":     m.get("/orders/" + i64s(po.OrderID)).doc.Find(`[data-testid="line-po"] + .badge`),
		"supplier's queue":          s.get("/dropship-orders?tab=all&q=" + url.QueryEscape(po.PONumber)).doc.Find(`[data-testid="queue-row"] .badge`).First(),
		"supplier's PO page header": s.get("/dropship-orders/" + i64s(po.ID)).doc.Find(`[data-testid="po-status"]`),
	}
	for where, b := range badges {
		if got, class := b.Text(), b.AttrOr("class", ""); got != "Partially shipped" || class != "badge green" {
			t.Errorf("%s: badge %q class %q, want \"Partially shipped\" \"badge green\"", where, got, class)
		}
	}
}
