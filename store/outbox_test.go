package store_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

type fakeMailer struct {
	mu   sync.Mutex
	sent []string
}

func (f *fakeMailer) Send(_ context.Context, e store.Email) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, e.To+"|"+e.Subject+"|"+e.Body)
	return nil
}

func outboxOf(t *testing.T, db *store.DB, accountID int64) []store.OutboxMessage {
	t.Helper()
	msgs, err := db.Outbox(context.Background(), accountID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func TestOutboxIsWrittenWithTheChangeOrNotAtAll(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	o := w.order(t, "#O-1", orderfile.Line{SKU: "A-1", Quantity: 1})
	// A dropship refused for a clashing PO number queues nothing.
	w.poFor(t, "#O-0", orderfile.Line{SKU: "A-2", Quantity: 1})
	supplierBefore := len(outboxOf(t, w.db, w.supplier.ID))
	if _, err := w.dropship(t, o, store.DropshipRequest{PONumbers: map[int64]string{w.supplier.ID: "PO-000001"}}); fields(err) == nil {
		t.Fatalf("clash: %v", err)
	}
	if got := len(outboxOf(t, w.db, w.supplier.ID)); got != supplierBefore {
		t.Fatalf("a refused dropship queued %d messages", got-supplierBefore)
	}
	res, err := w.dropship(t, o, store.DropshipRequest{})
	if err != nil {
		t.Fatal(err)
	}
	msgs := outboxOf(t, w.db, w.supplier.ID)
	if len(msgs) != supplierBefore+1 || msgs[0].Kind != store.OutboxEmail || msgs[0].Recipient != "s@example.com" || !strings.Contains(msgs[0].Subject, res.POs[0].PONumber) {
		t.Fatalf("supplier outbox %+v", msgs)
	}
	// A refused shipment queues nothing; a saved one queues the customer's email.
	before := len(outboxOf(t, w.db, w.merchant.ID))
	day := w.now.Format("2006-01-02")
	if _, err := w.db.AddShipment(ctx, w.sActor, w.supplier.ID, res.POs[0].ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456785", ShipDate: day}); fields(err) == nil {
		t.Fatalf("bad number: %v", err)
	}
	if got := len(outboxOf(t, w.db, w.merchant.ID)); got != before {
		t.Fatalf("a refused shipment queued %d messages", got-before)
	}
	if _, err := w.db.AddShipment(ctx, w.sActor, w.supplier.ID, res.POs[0].ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456784", ShipDate: day}); err != nil {
		t.Fatal(err)
	}
	msgs = outboxOf(t, w.db, w.merchant.ID)
	var email, channel *store.OutboxMessage
	for i := range msgs {
		switch msgs[i].Topic {
		case "customer.shipped":
			email = &msgs[i]
		case "shopify.fulfillment":
			channel = &msgs[i]
		}
	}
	if email == nil || email.Recipient != "ada@example.com" || !strings.Contains(email.Body, "1Z999AA10123456784") || strings.Contains(email.Body, "Supply") {
		t.Fatalf("customer email %+v (it must not name the supplier)", email)
	}
	if channel == nil || !strings.Contains(channel.Body, `"tracking_number":"1Z999AA10123456784"`) {
		t.Fatalf("Shopify channel update %+v", channel)
	}
	events, _ := w.db.OrderEvents(ctx, w.merchant.ID, o.ID)
	var notes []string
	for _, e := range events {
		if e.Kind == "tracking_added" {
			notes = append(notes, e.Message)
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "Shipping email to ada@example.com queued.") || !strings.Contains(notes[0], "Shopify fulfillment with tracking queued.") {
		t.Fatalf("the timeline should say in one note what the shipment queued: %q", notes)
	}
}

func TestDelivererSignsRetriesAndFails(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	var mu sync.Mutex
	status := http.StatusInternalServerError
	var gotSig, gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		gotSig, gotBody = r.Header.Get("X-Dropline-Signature"), string(b)
		rw.WriteHeader(status)
	}))
	defer srv.Close()
	// The test's server is on 127.0.0.1.
	if err := w.db.SetAllowPrivateFeeds(ctx, store.CLIActor, true); err != nil {
		t.Fatal(err)
	}
	ep, secret, err := w.db.AddWebhookEndpoint(ctx, w.mActor, w.merchant.ID, srv.URL+"/hook", []string{"order.dropshipped", "shipment.created"})
	if err != nil || !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("endpoint: %+v %v", ep, err)
	}
	if _, _, err := w.db.AddWebhookEndpoint(ctx, w.mActor, w.merchant.ID, "ftp://x", nil); fields(err)["url"] == "" || fields(err)["events"] == "" {
		t.Fatalf("bad endpoint: %v", err)
	}
	w.poFor(t, "#W-1", orderfile.Line{SKU: "A-1", Quantity: 1})
	mailer := &fakeMailer{}
	d := &store.Deliverer{DB: w.db, Mailer: mailer, HTTP: srv.Client()}
	if n, err := d.DeliverDue(ctx); err != nil || n != 1 {
		t.Fatalf("first pass: sent %d (the supplier email), %v", n, err)
	}
	if len(mailer.sent) != 1 || !strings.HasPrefix(mailer.sent[0], "s@example.com|New dropship order") {
		t.Fatalf("mail %q", mailer.sent)
	}
	mu.Lock()
	if gotSig != "sha256="+store.SignWebhook([]byte(gotBody), secret) || !strings.Contains(gotBody, `"event":"order.dropshipped"`) {
		t.Fatalf("webhook signature %q body %q", gotSig, gotBody)
	}
	mu.Unlock()
	// Five more failures, each after its backoff, and the webhook is failed.
	for i := 0; i < 5; i++ {
		w.now = w.now.Add(13 * time.Hour)
		d.DeliverDue(ctx)
	}
	failed, _ := w.db.Outbox(ctx, w.merchant.ID, "failed", 10)
	if len(failed) != 1 || failed[0].Attempts != 6 || !strings.Contains(failed[0].LastError, "500") {
		t.Fatalf("failed webhooks %+v", failed)
	}
	if n, err := w.db.OutboxCount(ctx, w.merchant.ID, "failed"); n != 1 || err != nil {
		t.Fatalf("failed count %d %v, want 1", n, err)
	}
	mu.Lock()
	status = http.StatusOK
	mu.Unlock()
	if n, err := w.db.RetryFailed(ctx, w.mActor, w.merchant.ID); err != nil || n != 1 {
		t.Fatalf("retry: %d %v", n, err)
	}
	if n, _ := d.DeliverDue(ctx); n != 1 {
		t.Fatalf("after retry sent %d", n)
	}
	if n, err := w.db.OutboxCount(ctx, w.merchant.ID, "failed"); n != 0 || err != nil {
		t.Fatalf("failed count after the retry %d %v, want 0", n, err)
	}
	// Without SMTP, emails wait with a reason and are not failed.
	w.poFor(t, "#W-2", orderfile.Line{SKU: "A-2", Quantity: 1})
	(&store.Deliverer{DB: w.db, HTTP: srv.Client()}).DeliverDue(ctx)
	pending, _ := w.db.Outbox(ctx, w.supplier.ID, "pending", 10)
	if len(pending) != 1 || !strings.Contains(pending[0].LastError, "no SMTP") {
		t.Fatalf("email without SMTP: %+v", pending)
	}
}

// A parcel's one timeline note reads as sentences: the override's reason,
// then what the shipment queued.
func TestShipmentNoteSaysTheOverrideAndWhatWasQueued(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	o := w.order(t, "#O-2", orderfile.Line{SKU: "A-1", Quantity: 1})
	res, err := w.dropship(t, o, store.DropshipRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.AddShipment(ctx, w.sActor, w.supplier.ID, res.POs[0].ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456785",
		ShipDate: w.now.Format("2006-01-02"), Override: true}); err != nil {
		t.Fatal(err)
	}
	events, err := w.db.OrderEvents(ctx, w.merchant.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	var note string
	for _, e := range events {
		if e.Kind == "tracking_added" {
			note = e.Message
		}
	}
	if !strings.Contains(note, "saved anyway: ") || !strings.HasSuffix(note, ". Shipping email to ada@example.com queued. Shopify fulfillment with tracking queued.") ||
		strings.Contains(note, "..") {
		t.Fatalf("note %q", note)
	}
}
