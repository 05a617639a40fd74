package handlers_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// setPrivateAddresses turns the platform setting on or off through its form,
// and returns the setting's label as the page shows it.
func setPrivateAddresses(t *testing.T, root *client, allow bool) string {
	t.Helper()
	p := root.get("/admin/accounts")
	label := strings.Join(strings.Fields(p.doc.Find(`[data-testid="allow-private-label"]`).Text()), " ")
	form := url.Values{}
	if allow {
		form.Set("allow_private_feeds", "true")
	}
	if got := root.post("/admin/settings", form); got.status != http.StatusSeeOther {
		t.Fatalf("platform settings: %d", got.status)
	}
	return label
}

// The platform setting that allows private addresses covers webhook
// endpoints as it covers feed URLs: off, an endpoint on a private or local
// network is refused with a clear message, and a delivery never dials such
// an address (checked on the address dialled); on, both are allowed.
func TestWebhookEndpointsFollowThePrivateAddressSetting(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := context.Background()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	// Only the endpoint this test adds receives events.
	if err := env.db.RemoveWebhookEndpoint(ctx, store.CLIActor, w.merchantA.ID, w.endpointA); err != nil {
		t.Fatal(err)
	}
	c := env.client()
	c.login(w.adminA.Email)
	c.get("/settings/outbox")
	for _, u := range []string{srv.URL + "/hook", "http://10.1.2.3/hook", "https://192.168.1.20/hook", "http://localhost:8080/hook", "http://[::1]/hook", "http://169.254.169.254/latest"} {
		p := c.post("/settings/webhooks", url.Values{"url": {u}, "events": {"order.dropshipped"}})
		if msg := p.doc.Find(`[data-testid="error-url"]`).Text(); p.status != http.StatusUnprocessableEntity || !strings.Contains(msg, "private or local network") {
			t.Errorf("%s with private addresses off: %d %q, want 422 saying it is on a private or local network", u, p.status, msg)
		}
	}
	if eps, _ := env.db.WebhookEndpoints(ctx, w.merchantA.ID); len(eps) != 0 {
		t.Fatalf("endpoints saved: %+v", eps)
	}

	root := env.client()
	root.login(w.platform.Email)
	if label := setPrivateAddresses(t, root, true); !strings.Contains(label, "feed URLs and webhook endpoints") {
		t.Errorf("the setting's label %q should say it covers feed URLs and webhook endpoints", label)
	}
	c.get("/settings/outbox")
	if p := c.post("/settings/webhooks", url.Values{"url": {srv.URL + "/hook"}, "events": {"order.dropshipped"}}); p.status != http.StatusSeeOther {
		t.Fatalf("add %s with private addresses on: %d %q", srv.URL, p.status, p.doc.Find(`[data-testid="error-url"]`).Text())
	}

	// An order is dropshipped; private addresses are turned off before the
	// delivery: the guard refuses the dial, the server hears nothing.
	if err := env.db.SetInitialStatus(ctx, store.CLIActor, w.supplierS.ID, w.statusS); err != nil {
		t.Fatal(err)
	}
	o, _, err := env.db.CreateOrder(ctx, store.CLIActor, w.merchantA.ID, orderfile.Order{Channel: "manual", ChannelOrderID: "A-4001", Currency: "USD",
		ShipTo: orderfile.Address{Name: "Ada", Address1: "1 Main St", City: "Springfield", PostalCode: "62701", Country: "US"},
		Lines:  []orderfile.Line{{SKU: "S-100", Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.db.Dropship(ctx, store.CLIActor, w.merchantA.ID, o.ID, store.DropshipRequest{IdempotencyKey: "private", Confirm: true}); err != nil {
		t.Fatal(err)
	}
	setPrivateAddresses(t, root, false)
	d := &store.Deliverer{DB: env.db, Log: quietLog()}
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the webhook server on %s was dialled %d times with private addresses off", srv.URL, n)
	}
	rows := outboxRows(t, c, "?kind=webhook")
	if len(rows) != 1 || !strings.Contains(rows[0], "private or local network") {
		t.Errorf("outbox webhooks %q, want the one refused for its private address", rows)
	}
	setPrivateAddresses(t, root, true)
	env.db.Now = func() time.Time { return time.Now().Add(2 * time.Minute) } // past the first retry's wait
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("with private addresses on, the server got %d posts, want 1", n)
	}
}

// Each kind of account is offered only the events it receives, and the
// store refuses the others.
func TestWebhookEventsOfferedByAccountKind(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	offered := func(c *client) []string {
		var out []string
		c.get("/settings/outbox").doc.Find(`input[name="events"]`).Each(func(_ int, s *goquery.Selection) { out = append(out, s.AttrOr("value", "")) })
		return out
	}
	m, s := env.client(), env.client()
	m.login(w.adminA.Email)
	s.login(w.adminS.Email)
	if got, want := strings.Join(offered(m), " "), "order.dropshipped shipment.created purchase_order.cancelled"; got != want {
		t.Errorf("merchant offered %q, want %q", got, want)
	}
	if got, want := strings.Join(offered(s), " "), "purchase_order.created purchase_order.cancelled"; got != want {
		t.Errorf("supplier offered %q, want %q", got, want)
	}
	p := s.post("/settings/webhooks", url.Values{"url": {"https://hooks.example.com/s"}, "events": {"purchase_order.created", "order.dropshipped"}})
	if msg := p.doc.Find(`[data-testid="error-events"]`).Text(); p.status != http.StatusUnprocessableEntity || !strings.Contains(msg, "order.dropshipped") {
		t.Errorf("supplier asking for order.dropshipped: %d %q, want 422 naming the event", p.status, msg)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		account int64
		event   string
	}{{w.supplierS.ID, "shipment.created"}, {w.merchantA.ID, "purchase_order.created"}, {w.merchantA.ID, "order.exploded"}} {
		_, _, err := env.db.AddWebhookEndpoint(ctx, store.CLIActor, tc.account, "https://hooks.example.com/x", []string{tc.event})
		var ve *store.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Fields["events"], tc.event) {
			t.Errorf("account %d, event %s: %v, want a field error naming it", tc.account, tc.event, err)
		}
	}
	if eps, _ := env.db.WebhookEndpoints(ctx, w.supplierS.ID); len(eps) != 0 {
		t.Errorf("supplier endpoints saved: %+v", eps)
	}
}
