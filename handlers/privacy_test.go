package handlers_test

import (
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// TestSupplierSeesCustomerContactOnlyAsLinkAllows dropships an order whose
// customer phone, email and ship-to phone are unique strings, then reads
// everything the supplier can: its PO page, the queue, the packing slip, the
// API (list and one PO), its Outbox page, the emails and webhooks delivered
// to it. With the link hiding phone and email none holds them; once the
// supplier's admin shows them, the page, slip and API do.
func TestSupplierSeesCustomerContactOnlyAsLinkAllows(t *testing.T) {
	const (
		phone     = "+1 555 0199 7731"
		shipPhone = "+1 555 0177 4242"
		email     = "qvx-privacy-7731@example.net"
	)
	env := newEnv(t)
	w := env.world()
	ctx := t.Context()
	readyToDropship(t, env, w)
	if _, _, err := env.db.AddWebhookEndpoint(ctx, store.CLIActor, w.supplierS.ID, "https://hooks.example.com/s", store.WebhookEventsFor(store.KindSupplier)); err != nil {
		t.Fatal(err)
	}
	_, tokS, err := env.db.CreateToken(ctx, store.CLIActor, w.supplierS.ID, "warehouse")
	if err != nil {
		t.Fatal(err)
	}
	o, _, err := env.db.CreateOrder(ctx, store.CLIActor, w.merchantA.ID, orderfile.Order{Channel: "manual", ChannelOrderID: "PRIV-1", Currency: "USD",
		Customer: orderfile.Customer{Name: "Ada", Phone: phone, Email: email},
		ShipTo:   orderfile.Address{Name: "Ada", Address1: "1 Main St", City: "Springfield", PostalCode: "62701", Country: "US", Phone: shipPhone},
		Lines:    []orderfile.Line{{SKU: "S-100", Title: "Widget", Quantity: 2, UnitPriceCents: 4200}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := env.db.Dropship(ctx, store.CLIActor, w.merchantA.ID, o.ID, store.DropshipRequest{IdempotencyKey: "priv", Confirm: true})
	if err != nil || len(res.POs) != 1 {
		t.Fatalf("dropship: %+v %v", res, err)
	}
	id := strconv.FormatInt(res.POs[0].ID, 10)

	smtp := newInjSMTP(t)
	hooks := &injHooks{}
	d := &store.Deliverer{DB: env.db, Mailer: &store.SMTPMailer{Config: store.SMTPConfig{Host: "127.0.0.1", Port: smtp.port, From: "orders@dropline.example"}},
		HTTP: &http.Client{Transport: hooks}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}

	sup := env.client()
	sup.login(w.adminS.Email)
	// surfaces is everything the supplier can read of the PO, by name.
	surfaces := func() map[string]string {
		out := map[string]string{
			"PO page":      sup.get("/dropship-orders/" + id).body,
			"queue":        sup.get("/dropship-orders?tab=all").body,
			"packing slip": sup.get("/dropship-orders/packing-slips?id=" + id).body,
			"outbox page":  sup.get("/settings/outbox").body,
		}
		for _, path := range []string{"/api/v1/purchase-orders", "/api/v1/purchase-orders?status=all", "/api/v1/purchase-orders/" + id} {
			st, body := env.send("GET", path, nil, "Authorization", "Bearer "+tokS)
			if st != http.StatusOK {
				t.Fatalf("supplier API %s: %d %s", path, st, body)
			}
			out["API "+path] = string(body)
		}
		if !strings.Contains(out["API /api/v1/purchase-orders?status=all"], res.POs[0].PONumber) {
			t.Fatalf("the supplier's API list does not hold the PO:\n%s", out["API /api/v1/purchase-orders?status=all"])
		}
		return out
	}

	hidden := surfaces()
	for _, e := range smtp.emails(t) {
		if !strings.Contains(e.to, email) { // the customer's own emails are not the supplier's
			hidden["email to "+e.to+": "+e.subject] = e.subject + "\n" + e.body
		}
	}
	sawHook := false
	for _, r := range hooks.reqs {
		if r.url == "https://hooks.example.com/s" {
			sawHook = true
			hidden["webhook "+r.event] = string(r.body)
		}
	}
	if !sawHook {
		t.Fatal("no webhook was delivered to the supplier's endpoint")
	}
	for name, body := range hidden {
		for _, secret := range []string{phone, shipPhone, email} {
			if strings.Contains(body, secret) {
				t.Errorf("the link hides the customer's contact, but the supplier's %s holds %q", name, secret)
			}
		}
	}

	if _, err := env.db.UpdateSupplierLinkSettings(ctx, store.CLIActor, w.supplierS.ID, w.linkAS.ID,
		store.SupplierLinkSettings{ShowCustomerPhone: true, ShowCustomerEmail: true}); err != nil {
		t.Fatal(err)
	}
	shown := surfaces()
	for name, want := range map[string][]string{
		"PO page":                                {phone, shipPhone, email},
		"packing slip":                           {shipPhone},
		"API /api/v1/purchase-orders?status=all": {phone, shipPhone, email},
		"API /api/v1/purchase-orders/" + id:      {phone, shipPhone, email},
	} {
		for _, s := range want {
			if !strings.Contains(shown[name], s) {
				t.Errorf("the link shows the customer's contact, but the supplier's %s lacks %q", name, s)
			}
		}
	}

	// The merchant always sees its customer's contact in full.
	st, body := env.send("GET", "/api/v1/purchase-orders/"+id, nil, "Authorization", "Bearer "+w.tokenA)
	if st != http.StatusOK || !strings.Contains(string(body), phone) || !strings.Contains(string(body), email) || !strings.Contains(string(body), shipPhone) {
		t.Errorf("merchant API PO: %d %s", st, body)
	}
}
