package store_test

import (
	"context"
	"testing"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// TestBulkTrackingCarrierFromTheNumber: a row with no carrier takes the one
// its number confirms, and says so in the preview; a row whose number could
// be several carriers, or none, asks for the carrier and saves nothing.
func TestBulkTrackingCarrierFromTheNumber(t *testing.T) {
	inHalves(t, testBulkTrackingCarrierFromTheNumber)
}

func testBulkTrackingCarrierFromTheNumber(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	p1 := w.poFor(t, "#9101", orderfile.Line{SKU: "A-1", Quantity: 1})
	p2 := w.poFor(t, "#9102", orderfile.Line{SKU: "A-2", Quantity: 1})
	p3 := w.poFor(t, "#9103", orderfile.Line{SKU: "A-3", Quantity: 1})
	p4 := w.poFor(t, "#9104", orderfile.Line{SKU: "A-1", Quantity: 1})
	day := w.now.Format("2006-01-02")
	file := "po_number,carrier,tracking_number,ship_date\n" +
		p1.PONumber + ",,1Z 999 AA1 01 2345 6784," + day + "\n" +
		p2.PONumber + ",,9261292700768711948021," + day + "\n" +
		p3.PONumber + ",,1Z999AA10123456785," + day + "\n" +
		p4.PONumber + ",DHL,GM9E44608A27984866BA2D," + day + "\n"
	plan, err := w.db.BulkTracking(ctx, w.sActor, w.supplier.ID, []byte(file), false)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ note, err string }{
		{"Carrier read from the number: UPS.", ""},
		{"", "The number could be USPS or FedEx: fill in its carrier."},
		{"", "No carrier's format matches this number: fill in its carrier."},
		{"DHL read as DHL eCommerce from the number.", ""},
	}
	for i, r := range plan.Rows {
		if r.CarrierNote != want[i].note || r.Error != want[i].err {
			t.Errorf("row %d: note %q, error %q; want %q, %q", r.Line, r.CarrierNote, r.Error, want[i].note, want[i].err)
		}
		if r.Carrier != []string{"", "", "", "DHL"}[i] {
			t.Errorf("row %d: the file's carrier became %q", r.Line, r.Carrier)
		}
	}
	if plan.Shipments != 2 || plan.Errors != 2 {
		t.Fatalf("preview: %d shipments, %d errors; want 2 and 2", plan.Shipments, plan.Errors)
	}
	applied, err := w.db.BulkTracking(ctx, w.sActor, w.supplier.ID, []byte(file), true)
	if err != nil || applied.Shipments != 2 {
		t.Fatalf("apply: %d shipments, %v", applied.Shipments, err)
	}
	for _, c := range []struct {
		po             store.PurchaseOrder
		code, name, no string
	}{{p1, "ups", "UPS", "1Z999AA10123456784"}, {p4, "dhl_ecommerce", "DHL eCommerce", "GM9E44608A27984866BA2D"}} {
		ships, err := w.db.Shipments(ctx, w.supplier.ID, c.po.ID)
		if err != nil || len(ships) != 1 || ships[0].Carrier != c.code || ships[0].CarrierName != c.name || ships[0].TrackingNumber != c.no {
			t.Errorf("%s: shipments %+v %v; want one %s %s", c.po.PONumber, ships, err, c.code, c.no)
		}
	}
	for _, po := range []store.PurchaseOrder{p2, p3} {
		if ships, _ := w.db.Shipments(ctx, w.supplier.ID, po.ID); len(ships) != 0 {
			t.Errorf("%s: %d shipments from a row asking for its carrier", po.PONumber, len(ships))
		}
	}
	// The carrier read from the number is the one the shipment keeps, so the
	// same file again (or with the carrier written out) adds nothing.
	again, err := w.db.BulkTracking(ctx, w.sActor, w.supplier.ID, []byte(file+p1.PONumber+",ups,1Z999AA10123456784,"+day+"\n"), true)
	if err != nil || again.Shipments != 0 || again.Rows[0].Error != "Duplicate: this shipment is already saved." || again.Rows[4].Error != again.Rows[0].Error {
		t.Fatalf("again: %d shipments, rows %+v, %v", again.Shipments, again.Rows, err)
	}
}
