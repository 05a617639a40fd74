package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

func TestBulkTrackingPreviewApplyAndReupload(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	p1 := w.poFor(t, "#9001", orderfile.Line{SKU: "A-1", Quantity: 2}, orderfile.Line{SKU: "A-2", Quantity: 1})
	p2 := w.poFor(t, "#9002", orderfile.Line{SKU: "A-3", Quantity: 1})
	day := w.now.Format("2006-01-02")
	file := "\xef\xbb\xbfpo_number;carrier;tracking_number;ship_date;extended_field;sku;quantity\r\n" +
		p1.PONumber + ";ups;1Z 999 AA1 01 2345 6784;" + day + ";;A-1;1\r\n" +
		p1.PONumber + ";UPS;1z999aa10123456784;" + day + ";;A-2;1\r\n" +
		p2.PONumber + ";United Parcel Service;1Z999AA10123456784;" + day + ";;;\r\n" +
		"PO-NOPE;ups;1Z999AA10123456784;" + day + ";;;\r\n" +
		p2.PONumber + ";pigeon;123;" + day + ";;;\r\n" +
		p1.PONumber + ";ups;1Z999AA10123456785;" + day + ";;A-1;5\r\n" +
		p1.PONumber + ";fedex;123456789012;21/11/2026;;;\r\n"
	before := w.linked(t)["A-1"].Sources[0].Reserved
	plan, err := w.db.BulkTracking(ctx, w.sActor, w.supplier.ID, []byte(file), false)
	if err != nil {
		t.Fatal(err)
	}
	// Carriers by code or name in any case; rows of one shipment are grouped.
	var errs []string
	for _, r := range plan.Rows {
		if r.Error != "" {
			errs = append(errs, fmt.Sprintf("%d:%s", r.Line, r.Error))
		}
	}
	if plan.Shipments != 2 || plan.OK != 3 || len(errs) != 4 {
		t.Fatalf("preview: %d shipments, %d ok, errors %q", plan.Shipments, plan.OK, errs)
	}
	joined := strings.Join(errs, "|")
	for _, want := range []string{"5:Unknown PO PO-NOPE", "6:", "7:Only 1 of A-1 remain", "8:"} {
		if !strings.Contains(joined, want) {
			t.Errorf("errors %q lack %q", joined, want)
		}
	}
	if got := w.linked(t)["A-1"].Sources[0].Reserved; got != before {
		t.Fatalf("the preview changed reservations: %d → %d", before, got)
	}
	if po, _ := w.db.PurchaseOrder(ctx, w.merchant.ID, p1.ID); po.Status != store.POOpen {
		t.Fatalf("the preview changed the PO: %s", po.Status)
	}
	applied, err := w.db.BulkTracking(ctx, w.sActor, w.supplier.ID, []byte(file), true)
	if err != nil || applied.Shipments != 2 {
		t.Fatalf("apply: %+v %v", applied.Shipments, err)
	}
	po, _ := w.db.PurchaseOrder(ctx, w.merchant.ID, p1.ID)
	if po.Status != store.POPartiallyShipped || po.Lines[0].ShippedQty != 1 || po.Lines[1].ShippedQty != 1 {
		t.Fatalf("after apply: %s %+v", po.Status, po.Lines)
	}
	// The same file again adds nothing.
	again, err := w.db.BulkTracking(ctx, w.sActor, w.supplier.ID, []byte(file), true)
	if err != nil || again.Shipments != 0 || !strings.Contains(again.Rows[0].Error, "Duplicate") || !strings.Contains(again.Rows[2].Error, "Duplicate") {
		t.Fatalf("re-upload: %d shipments, first row %q, %v", again.Shipments, again.Rows[0].Error, err)
	}
	ships, _ := w.db.Shipments(ctx, w.supplier.ID, p1.ID)
	if len(ships) != 1 {
		t.Fatalf("%d shipments after two uploads, want 1", len(ships))
	}
	csv := string(store.ErrorRowsCSV(again))
	if !strings.HasPrefix(csv, "po_number,carrier,tracking_number,ship_date,extended_field,sku,quantity,merchant,error\n") || strings.Count(csv, "\n") != len(again.Rows)+1 {
		t.Fatalf("error rows CSV:\n%s", csv)
	}
	for _, bad := range []string{"", "\xff\xfe", "po_number,carrier\nX,ups\n", "po_number,carrier,tracking_number,ship_date\n"} {
		if _, err := w.db.BulkTracking(ctx, w.sActor, w.supplier.ID, []byte(bad), false); fields(err)["file"] == "" {
			t.Errorf("bad file %q: %v", bad, err)
		}
	}
}

// secondMerchant links another merchant to w's supplier, subscribed to its
// feed, and returns a world acting as that merchant.
func (w *orderWorld) secondMerchant(t *testing.T, name string) *orderWorld {
	t.Helper()
	ctx := context.Background()
	m, mu, err := w.db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: name, Kind: store.KindMerchant}, strings.ToLower(strings.ReplaceAll(name, " ", ""))+"@example.com", pw)
	if err != nil {
		t.Fatal(err)
	}
	p := *w.pair
	p.merchant, p.mActor = m, store.Actor{UserID: mu.ID, Name: mu.Email}
	p.module(t, m.ID, true)
	if _, err := w.db.CreateLink(ctx, store.CLIActor, w.supplier.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	fw := *w.feedWorld
	fw.pair = &p
	w2 := &orderWorld{&fw}
	s := w2.subscribe(t, store.SubscriptionInput{FeedID: w.feed.ID})
	if r := w2.pull(t, s.ID); r.State != store.RunSucceeded {
		t.Fatalf("pull: %s", counts(r))
	}
	return w2
}

func TestBulkTrackingPONumberOfTwoMerchants(t *testing.T) {
	w := newOrderWorld(t)
	w2 := w.secondMerchant(t, "Shop Two")
	ctx := context.Background()
	p1 := w.poFor(t, "#1", orderfile.Line{SKU: "A-1", Quantity: 1})
	p2 := w2.poFor(t, "#1", orderfile.Line{SKU: "A-1", Quantity: 1})
	if p1.PONumber != p2.PONumber {
		t.Fatalf("PO numbers %s and %s: the test needs them equal", p1.PONumber, p2.PONumber)
	}
	day := w.now.Format("2006-01-02")
	file := "po_number,carrier,tracking_number,ship_date,merchant\n" +
		p1.PONumber + ",ups,1Z999AA10123456784,2026-11-21,\n" +
		p1.PONumber + ",ups,1Z999AA10123456784," + day + ",shop TWO\n" +
		p1.PONumber + ",ups,1Z999AA10123456784," + day + "," + w.merchant.PublicID + "\n" +
		p1.PONumber + ",ups,1Z999AA10123456784," + day + ",Nobody\n"
	plan, err := w.db.BulkTracking(ctx, w.sActor, w.supplier.ID, []byte(file), true)
	if err != nil {
		t.Fatal(err)
	}
	if got := plan.Rows[0].Error; !strings.Contains(got, "more than one merchant") || !strings.Contains(got, "Shop Two") {
		t.Errorf("no merchant: error %q, want the ambiguity named", got)
	}
	if plan.Rows[1].Error != "" || plan.Rows[2].Error != "" || plan.Shipments != 2 {
		t.Errorf("by name and by public ID: %q, %q, %d shipments", plan.Rows[1].Error, plan.Rows[2].Error, plan.Shipments)
	}
	if got := plan.Rows[3].Error; !strings.Contains(got, "Unknown PO") {
		t.Errorf("unknown merchant: error %q", got)
	}
	for _, c := range []struct {
		w  *orderWorld
		id int64
	}{{w, p1.ID}, {w2, p2.ID}} {
		po, err := c.w.db.PurchaseOrder(ctx, c.w.merchant.ID, c.id)
		if err != nil || po.Status != store.POShipped {
			t.Errorf("%s's PO: %s %v, want shipped", c.w.merchant.Name, po.Status, err)
		}
	}
}
