package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// outboxRows are the Outbox page's rows as "recipient: state, reason".
func outboxRows(t *testing.T, c *client, query string) []string {
	t.Helper()
	p := c.get("/settings/outbox" + query)
	if p.status != http.StatusOK {
		t.Fatalf("outbox page: %d", p.status)
	}
	var out []string
	p.doc.Find(`[data-testid="outbox-row"]`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Find("td.mono").Text())+": "+
			strings.TrimSpace(s.Find(".badge").Text())+", "+strings.TrimSpace(s.Find(`[data-testid="outbox-reason"]`).Text()))
	})
	return out
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Emails queued while no SMTP server was configured say so on the Outbox
// page, and go out on the first delivery pass once one is: once each,
// without waiting for the hour's look or a manual retry.
func TestEmailsQueuedWithoutSMTPAreSentOnceSMTPIsConfigured(t *testing.T) {
	env := newEnv(t)
	env.world()
	ctx := context.Background()
	hooks := &http.Client{Transport: &injHooks{}}
	// The world's dropship queued "New dropship order" to supplier S's two users.
	if _, err := (&store.Deliverer{DB: env.db, HTTP: hooks, Log: quietLog()}).DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	c := env.client()
	c.login("s@example.com")
	rows := outboxRows(t, c, "")
	if len(rows) != 2 {
		t.Fatalf("supplier S's outbox: %q", rows)
	}
	for _, r := range rows {
		if !strings.HasSuffix(r, ": Pending, waiting: no SMTP server is configured") {
			t.Errorf("row %q should say it waits for SMTP", r)
		}
	}

	smtp := newInjSMTP(t)
	d := &store.Deliverer{DB: env.db, HTTP: hooks, Log: quietLog(),
		Mailer: &store.SMTPMailer{Config: store.SMTPConfig{Host: "127.0.0.1", Port: smtp.port, From: "orders@dropline.example"}}}
	for pass := 0; pass < 2; pass++ {
		if _, err := d.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]int{}
	for _, e := range smtp.emails(t) {
		if strings.HasPrefix(e.subject, "New dropship order") {
			got[strings.Trim(e.to, "<>")]++
		}
	}
	if len(got) != 2 || got["s@example.com"] != 1 || got["staff-s@example.com"] != 1 {
		t.Errorf("emails sent once SMTP was configured: %v, want one to each of supplier S's users", got)
	}
	for _, r := range outboxRows(t, c, "") {
		if !strings.HasSuffix(r, ": Sent, ") {
			t.Errorf("row %q should be sent", r)
		}
	}
}

// A message whose sending failed says which retry comes when, and why.
func TestOutboxSaysWhenTheNextRetryIs(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // nothing listens there: the connection is refused
	d := &store.Deliverer{DB: env.db, HTTP: &http.Client{Transport: &injHooks{}}, Log: quietLog(),
		Mailer: &store.SMTPMailer{Config: store.SMTPConfig{Host: "127.0.0.1", Port: port, From: "orders@dropline.example"}}}
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	c := env.client()
	c.login("s@example.com")
	msgs, err := env.db.Outbox(ctx, w.supplierS.ID, "pending", 10)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("pending: %+v %v", msgs, err)
	}
	want := "retry 2 at " + msgs[0].NextAttemptAt.UTC().Format("15:04") + ": "
	for _, r := range outboxRows(t, c, "") {
		if !strings.Contains(r, ": Pending, "+want) || !strings.Contains(r, "connection refused") {
			t.Errorf("row %q, want %q… connection refused", r, want)
		}
	}
}

// The dashboard's failed channel updates counts the updates that cannot
// reach the sales channel, those waiting for a missing connection
// included, and links to exactly them on the Outbox page.
func TestDashboardCountsChannelUpdatesThatCannotBeDelivered(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := context.Background()
	if err := env.db.SetInitialStatus(ctx, store.CLIActor, w.supplierS.ID, w.statusS); err != nil {
		t.Fatal(err)
	}
	o, _, err := env.db.CreateOrder(ctx, store.CLIActor, w.merchantA.ID, orderfile.Order{Channel: "shopify", ChannelOrderID: "#3001", Currency: "USD",
		Customer: orderfile.Customer{Name: "Ada", Email: "ada@example.com"},
		ShipTo:   orderfile.Address{Name: "Ada", Address1: "1 Main St", City: "Springfield", PostalCode: "62701", Country: "US"},
		Lines:    []orderfile.Line{{SKU: "S-100", Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := env.db.Dropship(ctx, store.CLIActor, w.merchantA.ID, o.ID, store.DropshipRequest{IdempotencyKey: "shopify", Confirm: true})
	if err != nil || len(res.POs) != 1 {
		t.Fatalf("dropship: %+v %v", res, err)
	}
	if _, err := env.db.AddShipment(ctx, store.CLIActor, w.supplierS.ID, res.POs[0].ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456784",
		ShipDate: time.Now().UTC().Format("2006-01-02")}); err != nil {
		t.Fatal(err)
	}
	// One pass with no SMTP and no channel connection: the customer's email
	// and the Shopify update wait, the webhooks go.
	if _, err := (&store.Deliverer{DB: env.db, HTTP: &http.Client{Transport: &injHooks{}}, Log: quietLog()}).DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	c := env.client()
	c.login(w.adminA.Email)
	card := c.get("/").doc.Find(`[data-testid="dash-failed-updates"]`)
	n := strings.TrimSpace(card.Find(`[data-testid="dash-count"]`).Text())
	if n != "1" {
		t.Fatalf("failed channel updates %q, want 1", n)
	}
	href, _ := card.Attr("href")
	list := c.get(href)
	if got := listCount(t, list); got != "1" {
		t.Errorf("the list at %s counts %s, want 1", href, got)
	}
	if rows := outboxRows(t, c, strings.TrimPrefix(href, "/settings/outbox")); len(rows) != 1 ||
		rows[0] != "shopify: Pending, waiting: no sales channel connection is configured" {
		t.Errorf("the list at %s shows %q, want the Shopify update waiting for a connection", href, rows)
	}
}
