package store_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
	"github.com/dropline/dropline/store/storetest"
)

// inHalves runs a bulk tracking test as it comes, and with its file read in
// two parts side by side, as a large file is: halves for a preview; for an
// apply, a quarter of its PO numbers saved while the rest are read.
func inHalves(t *testing.T, test func(t *testing.T)) {
	t.Run("one read", test)
	t.Run("two halves", func(t *testing.T) {
		defer store.SetSplitRows(1)()
		test(t)
	})
}

func TestBulkTrackingPreviewApplyAndReupload(t *testing.T) {
	inHalves(t, testBulkTrackingPreviewApplyAndReupload)
}

func testBulkTrackingPreviewApplyAndReupload(t *testing.T) {
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
	for _, bad := range []string{"", "\xff\xfe", "po_number,carrier\nX,ups\n", "po_number,carrier,tracking_number,ship_date\n",
		"po_number,carrier,tracking_number,ship_date,Tracking_Number\nX,ups,1Z999AA10123456784,2026-11-21,1Z999AA10123456785\n"} {
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
	inHalves(t, testBulkTrackingPONumberOfTwoMerchants)
}

func testBulkTrackingPONumberOfTwoMerchants(t *testing.T) {
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

// shippedState describes what shipping wrote in w: POs, orders and their
// timelines, the merchant's outbox, the supplier's audit log, earnings,
// scorecard and reservations.
func shippedState(t *testing.T, w *orderWorld, pos ...store.PurchaseOrder) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, p := range pos {
		po, err := w.db.PurchaseOrder(ctx, w.merchant.ID, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "PO %s %s", po.PONumber, po.Status)
		for _, l := range po.Lines {
			fmt.Fprintf(&b, " %s:%d/%d", l.SupplierSKU, l.ShippedQty, l.Quantity)
		}
		ships, err := w.db.Shipments(ctx, w.supplier.ID, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range ships {
			fmt.Fprintf(&b, "\n  shipment %s %s %s %s %s %v", s.CarrierName, s.TrackingNumber, s.TrackingURL, s.ShipDate, s.ExtendedField, s.Lines)
		}
		o, err := w.db.Order(ctx, w.merchant.ID, po.OrderID)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "\norder %s %s %s\n", o.ChannelOrderID, o.Status, o.Tab)
		events, err := w.db.OrderEvents(ctx, w.merchant.ID, po.OrderID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			fmt.Fprintf(&b, "  %s %s %s: %s\n", e.At.Format(time.RFC3339), e.Actor, e.Kind, e.Message)
		}
	}
	msgs, err := w.db.Outbox(ctx, w.merchant.ID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		// Each shipping email's tracking link is random: the same email has another.
		body := regexp.MustCompile(`/track/[A-Za-z0-9_-]{43}`).ReplaceAllString(m.Body, "/track/TOKEN")
		fmt.Fprintf(&b, "outbox %s %s %s %q %q %s\n", m.Kind, m.Topic, m.Recipient, m.Subject, body, m.NextAttemptAt.Format(time.RFC3339))
	}
	audit, err := w.db.AuditLog(ctx, w.supplier.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range audit {
		// What shipping wrote, at the test's clock: not the set-up's entries,
		// written at the real time (after the test's clock, since Nov 2026,
		// and so in a different second in each run).
		if e.Action != "tracking.bulk" && !e.At.Before(w.now) && e.At.Before(w.now.Add(time.Minute)) {
			fmt.Fprintf(&b, "audit %s %s %s %s %d %s\n", e.At.Format(time.RFC3339), e.Actor, e.Action, e.RecordType, e.RecordID, e.Detail)
		}
	}
	bal := w.balance(t, w.supplier.ID)
	fmt.Fprintf(&b, "balance earned %d pending %d available %d\n", bal.EarnedCents, bal.PendingCents, bal.AvailableCents)
	card, err := w.db.Scorecard(ctx, w.supplier.ID, w.supplier.ID, w.merchant.ID, 30)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "scorecard %+v\n", card)
	for _, sku := range []string{"A-1", "A-2", "A-3"} {
		fmt.Fprintf(&b, "reserved %s %d\n", sku, w.linked(t)[sku].Sources[0].Reserved)
	}
	return b.String()
}

// A file writes what the same shipments entered one by one write: the
// timeline, the customer's emails, channel updates and webhooks, the audit
// log, earnings, the scorecard and reservations.
func TestBulkTrackingWritesWhatTheFormWrites(t *testing.T) {
	ctx := context.Background()
	var steps []store.TrackingProgress
	run := func(bulk, tracked, halves bool) string {
		if halves {
			defer store.SetSplitRows(1)()
		}
		w := newOrderWorld(t)
		w.terms(t, store.EarnOnShipped, 7)
		if _, _, err := w.db.AddWebhookEndpoint(ctx, w.mActor, w.merchant.ID, "https://hooks.example.com/dropline", []string{"shipment.created"}); err != nil {
			t.Fatal(err)
		}
		prov, err := w.db.AddLogisticsProvider(ctx, w.sActor, w.supplier.ID, "Bike Courier", "https://bike.example.com/t/{number}", "")
		if err != nil {
			t.Fatal(err)
		}
		p1 := w.poFor(t, "#7001", orderfile.Line{SKU: "A-1", Quantity: 3}, orderfile.Line{SKU: "A-2", Quantity: 1})
		p2 := w.poFor(t, "#7002", orderfile.Line{SKU: "A-3", Quantity: 2})
		w.now = w.now.Add(30 * time.Hour) // after the acknowledgement SLA
		day := w.now.Format(time.DateOnly)
		if bulk {
			file := "po_number,carrier,tracking_number,ship_date,extended_field,sku,quantity\n" +
				p1.PONumber + ",bike courier,BC-1," + day + ",Box 1 of 2,A-1,1\n" +
				p1.PONumber + ",Bike Courier,BC-2," + day + ",,,\n" +
				p2.PONumber + ",Bike Courier,BC-3," + day + ",,A-3,1\n"
			var progress func(store.TrackingProgress)
			if tracked {
				// Reported every two units: the POs and orders are settled
				// in parts, which must add up to the same.
				defer store.SetProgressChunk(2)()
				progress = func(p store.TrackingProgress) { steps = append(steps, p) }
			}
			plan, err := w.db.ApplyTracking(ctx, w.sActor, w.supplier.ID, []byte(file), progress)
			if err != nil || plan.Shipments != 3 || plan.Errors != 0 {
				t.Fatalf("apply: %+v %v", plan, err)
			}
		} else {
			custom := fmt.Sprintf("custom:%d", prov.ID)
			for _, in := range []struct {
				po store.PurchaseOrder
				in store.ShipmentInput
			}{
				{p1, store.ShipmentInput{TrackingNumber: "BC-1", ExtendedField: "Box 1 of 2", Lines: []store.ShipmentLine{{POLineID: p1.Lines[0].ID, Quantity: 1}}}},
				{p1, store.ShipmentInput{TrackingNumber: "BC-2"}},
				{p2, store.ShipmentInput{TrackingNumber: "BC-3", Lines: []store.ShipmentLine{{POLineID: p2.Lines[0].ID, Quantity: 1}}}},
			} {
				in.in.Carrier, in.in.ShipDate = custom, day
				if _, err := w.db.AddShipment(ctx, w.sActor, w.supplier.ID, in.po.ID, in.in); err != nil {
					t.Fatal(err)
				}
			}
		}
		return shippedState(t, w, p1, p2)
	}
	form, file, tracked, halves := run(false, false, false), run(true, false, false), run(true, true, false), run(true, false, true)
	if form != file {
		t.Errorf("entered one by one:\n%s\nfrom a file:\n%s", form, file)
	}
	if tracked != file {
		t.Errorf("from a file:\n%s\nfrom a file, with progress:\n%s", file, tracked)
	}
	if halves != file {
		t.Errorf("from a file:\n%s\nfrom a file read in two halves:\n%s", file, halves)
	}
	checkProgress(t, steps)
	// Not two empty descriptions: three parcels, each with its email,
	// Shopify update and webhook.
	for _, want := range []string{"PO PO-000001 shipped A-1:3/3 A-2:1/1", "PO PO-000002 partially_shipped A-3:1/2", "https://bike.example.com/t/BC-2"} {
		if !strings.Contains(form, want) {
			t.Errorf("state lacks %q:\n%s", want, form)
		}
	}
	for _, want := range []string{"tracking_added", "email customer.shipped", "channel shopify.fulfillment", "webhook shipment.created", "shipment.created purchase_order"} {
		if n := strings.Count(form, want); n != 3 {
			t.Errorf("%d × %q, want 3:\n%s", n, want, form)
		}
	}
}

// checkProgress checks an apply's reports: waiting, checking, saving with
// its count rising to the total, then committing.
func checkProgress(t *testing.T, steps []store.TrackingProgress) {
	t.Helper()
	var names []string
	for i, p := range steps {
		if len(names) == 0 || names[len(names)-1] != p.Step {
			names = append(names, p.Step)
		}
		if p.Step == store.StepSaving && (p.Total == 0 || p.Done > p.Total || (i > 0 && steps[i-1].Step == p.Step && p.Done < steps[i-1].Done)) {
			t.Fatalf("report %d: %+v after %+v", i, p, steps[max(i-1, 0)])
		}
	}
	if got := strings.Join(names, " "); got != "waiting checking saving committing" {
		t.Fatalf("steps %q", got)
	}
	if last := steps[len(steps)-1]; last.Done != last.Total || len(steps) < 8 {
		t.Fatalf("%d reports, the last %+v: want the count to reach the total in steps", len(steps), last)
	}
}

// A preview only reads: it runs while another connection holds the write
// lock, where waiting for it would time out.
func TestBulkTrackingPreviewDoesNotWaitForTheWriter(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	p := w.poFor(t, "#9101", orderfile.Line{SKU: "A-1", Quantity: 1})
	storetest.HoldWriteLock(t, w.db)
	short, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	file := "po_number,carrier,tracking_number,ship_date\n" + p.PONumber + ",ups,1Z999AA10123456784," + w.now.Format(time.DateOnly) + "\n"
	plan, err := w.db.BulkTracking(short, w.sActor, w.supplier.ID, []byte(file), false)
	if err != nil || plan.Shipments != 1 {
		t.Fatalf("preview with the write lock held: %+v %v", plan, err)
	}
}

// A number that fails its carrier's check cannot be forced through a file:
// the row says where it can be.
func TestBulkTrackingFailedCheckSaysWhereToSaveAnyway(t *testing.T) {
	w := newOrderWorld(t)
	p := w.poFor(t, "#9201", orderfile.Line{SKU: "A-1", Quantity: 1})
	file := "po_number,carrier,tracking_number,ship_date\n" + p.PONumber + ",ups,1Z999AA10123456785," + w.now.Format(time.DateOnly) + "\n"
	plan, err := w.db.BulkTracking(context.Background(), w.sActor, w.supplier.ID, []byte(file), false)
	if err != nil || plan.Errors != 1 {
		t.Fatalf("preview: %+v %v", plan, err)
	}
	if msg := plan.Rows[0].Error; !strings.Contains(msg, "got 5). Check it;") || !strings.Contains(msg, "on the PO page") || strings.Contains(msg, "or tick") {
		t.Errorf("row error %q", msg)
	}
	// The form still offers the box.
	_, err = w.db.AddShipment(context.Background(), w.sActor, w.supplier.ID, p.ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456785", ShipDate: w.now.Format(time.DateOnly)})
	if msg := fields(err)["tracking_number"]; !strings.Contains(msg, "or tick \"save anyway\"") {
		t.Errorf("form error %q", msg)
	}
}

// An order with two POs of the supplier, named early and last in a file:
// read in two parts (the first two of five PO numbers, then the rest), they
// are saved in different ones, and the order, settled once for both, is
// shipped; so is the order only the first part ships on. Rows with errors
// in both parts are marked, and the progress adds up.
func TestBulkTrackingOrderAcrossParts(t *testing.T) {
	inHalves(t, testBulkTrackingOrderAcrossParts)
}

func testBulkTrackingOrderAcrossParts(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	o := w.order(t, "#4301", orderfile.Line{SKU: "A-1", Quantity: 1}, orderfile.Line{SKU: "B-9", Quantity: 1})
	first, err := w.dropship(t, o, store.DropshipRequest{})
	if err != nil {
		t.Fatal(err)
	}
	w.product(t, "B-9", 5, "")
	w.now = w.now.Add(time.Hour)
	subs, _ := w.db.Subscriptions(ctx, w.merchant.ID)
	w.pull(t, subs[0].ID)
	o, _ = w.db.Order(ctx, w.merchant.ID, o.ID)
	second, err := w.dropship(t, o, store.DropshipRequest{})
	if err != nil || len(second.POs) != 1 {
		t.Fatalf("second dropship: %+v, %v", second, err)
	}
	p0 := w.poFor(t, "#4300", orderfile.Line{SKU: "A-2", Quantity: 1})
	p2 := w.poFor(t, "#4302", orderfile.Line{SKU: "A-2", Quantity: 1})
	p3 := w.poFor(t, "#4303", orderfile.Line{SKU: "A-3", Quantity: 2})
	if _, err := w.db.AddLogisticsProvider(ctx, w.sActor, w.supplier.ID, "Bike Courier", "", ""); err != nil {
		t.Fatal(err)
	}
	day := w.now.Format(time.DateOnly)
	file := "po_number,carrier,tracking_number,ship_date,extended_field,sku,quantity\n" +
		p0.PONumber + ",Bike Courier,BC-0," + day + ",,,\n" +
		first.POs[0].PONumber + ",Bike Courier,BC-1," + day + ",,,\n" +
		first.POs[0].PONumber + ",Bike Courier,BC-2," + day + ",,A-1,1\n" + // nothing left
		p2.PONumber + ",Bike Courier,BC-3," + day + ",,,\n" +
		p3.PONumber + ",Bike Courier,BC-4," + day + ",,A-3,5\n" + // over what remains
		second.POs[0].PONumber + ",Bike Courier,BC-5," + day + ",,,\n"
	var steps []store.TrackingProgress
	defer store.SetProgressChunk(1)()
	plan, err := w.db.ApplyTracking(ctx, w.sActor, w.supplier.ID, []byte(file), func(p store.TrackingProgress) { steps = append(steps, p) })
	if err != nil || plan.Shipments != 4 || plan.OK != 4 || plan.Errors != 2 {
		t.Fatalf("apply: %d shipments, %d ok, %d errors, %v", plan.Shipments, plan.OK, plan.Errors, err)
	}
	for _, line := range []int{4, 6} {
		if r := plan.Rows[line-2]; r.Error == "" {
			t.Errorf("line %d has no error", line)
		}
	}
	checkProgress(t, steps)
	if o, _ = w.db.Order(ctx, w.merchant.ID, o.ID); o.Status != store.OrderShipped {
		t.Fatalf("the order of two POs: %s, want shipped", o.Status)
	}
	page, err := w.db.Orders(ctx, w.merchant.ID, store.OrderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	// #4300, #4301 and #4302 shipped; #4303 still waits.
	if got := page.Counts; got[store.TabShipped] != 3 || got[store.TabDropshipped] != 1 {
		t.Fatalf("tab counts %v", got)
	}
}

// The progress of a large file saved in two parts never goes back: the
// first part's estimate of the whole, orders included, is what the second
// finds on a file of one parcel per PO and order.
func TestBulkTrackingProgressDoesNotGoBack(t *testing.T) {
	defer store.SetSplitRows(1)()
	defer store.SetProgressChunk(1)()
	w := newOrderWorld(t)
	ctx := context.Background()
	if _, err := w.db.AddLogisticsProvider(ctx, w.sActor, w.supplier.ID, "Bike Courier", "", ""); err != nil {
		t.Fatal(err)
	}
	file := "po_number,carrier,tracking_number,ship_date\n"
	for i := range 8 {
		p := w.poFor(t, fmt.Sprintf("#46%02d", i), orderfile.Line{SKU: "A-1", Quantity: 1})
		file += fmt.Sprintf("%s,Bike Courier,BC-%d,%s\n", p.PONumber, i, w.now.Format(time.DateOnly))
	}
	var steps []store.TrackingProgress
	if _, err := w.db.ApplyTracking(ctx, w.sActor, w.supplier.ID, []byte(file), func(p store.TrackingProgress) { steps = append(steps, p) }); err != nil {
		t.Fatal(err)
	}
	checkProgress(t, steps)
	for i := 1; i < len(steps); i++ {
		a, b := steps[i-1], steps[i]
		if a.Step == store.StepSaving && b.Step == store.StepSaving && b.Done*a.Total < a.Done*b.Total {
			t.Fatalf("report %d: %d of %d after %d of %d", i, b.Done, b.Total, a.Done, a.Total)
		}
	}
}
