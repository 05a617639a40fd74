package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/dropline/dropline/store"
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
		if !strings.HasSuffix(r, ": pending, waiting: no SMTP server is configured") {
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
		if !strings.HasSuffix(r, ": sent, ") {
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
		if !strings.Contains(r, ": pending, "+want) || !strings.Contains(r, "connection refused") {
			t.Errorf("row %q, want %q… connection refused", r, want)
		}
	}
}
