package handlers_test

import (
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/dropline/dropline/store"
)

// TestPackingSlipOrderNumberReturnAddressAndParcels has the merchant's admin
// set a return address in Settings → General, then has the supplier print
// slips for a PO of three as it ships one: each slip gives the customer's
// order number and the return address; after the first parcel the PO's slip
// holds the two remaining, and the parcel's own slip its one.
func TestPackingSlipOrderNumberReturnAddressAndParcels(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	m := env.client()
	m.login(w.adminA.Email)
	m.get("/settings")
	saved := m.post("/settings/account", url.Values{"name": {w.merchantA.Name}, "time_zone": {"UTC"}, "dropship_enabled": {"true"},
		"return_address": {"Returns dept. Qz\n 9 Wharf Road \n\nLeeds LS1 4AP"}, "reply_to_email": {"help@merchant-a.example"}})
	if saved.status != http.StatusSeeOther {
		t.Fatalf("save account settings: %d %s", saved.status, saved.doc.Find(".field-error").Text())
	}
	form := m.get("/settings")
	if got := form.doc.Find(`textarea[name="return_address"]`).Text(); got != "Returns dept. Qz\n9 Wharf Road\nLeeds LS1 4AP" {
		t.Errorf("return address in the form %q", got)
	}
	if got := form.doc.Find(`input[name="reply_to_email"]`).AttrOr("value", ""); got != "help@merchant-a.example" {
		t.Errorf("reply-to in the form %q", got)
	}
	bad := m.post("/settings/account", url.Values{"name": {w.merchantA.Name}, "time_zone": {"UTC"}, "dropship_enabled": {"true"}, "reply_to_email": {"not an address"}})
	if bad.status != http.StatusUnprocessableEntity || bad.doc.Find(`[data-testid="error-reply_to_email"]`).Length() != 1 {
		t.Errorf("a bad reply-to: %d, no message on the field", bad.status)
	}

	po := openPO(t, env, w, "SLIP-77", 3)
	id := strconv.FormatInt(po.ID, 10)
	sup := env.client()
	sup.login(w.staffS.Email)
	slipOf := func(path string) (heading, order string, qty []string, text string) {
		t.Helper()
		p := sup.get(path)
		if p.status != http.StatusOK || p.doc.Find(`[data-testid="packing-slip"]`).Length() != 1 {
			t.Fatalf("%s: %d, %d slips", path, p.status, p.doc.Find(`[data-testid="packing-slip"]`).Length())
		}
		p.doc.Find(`[data-testid="slip-qty"]`).Each(func(_ int, s *goquery.Selection) { qty = append(qty, s.Text()) })
		return p.doc.Find(`[data-testid="slip-heading"]`).Text(), p.doc.Find(`[data-testid="slip-order"]`).Text(), qty, p.doc.Text()
	}
	heading, order, qty, text := slipOf("/dropship-orders/packing-slips?id=" + id)
	if heading != "Packing slip" || order != "Order SLIP-77" || strings.Join(qty, ",") != "3" {
		t.Errorf("slip before shipping: %q, %q, quantities %v; want Packing slip, Order SLIP-77, 3", heading, order, qty)
	}
	for _, want := range []string{"Returns dept. Qz", "9 Wharf Road", "Leeds LS1 4AP", po.PONumber} {
		if !strings.Contains(text, want) {
			t.Errorf("the slip lacks %q", want)
		}
	}

	lineID := strconv.FormatInt(po.Lines[0].ID, 10)
	path := "/dropship-orders/" + id
	sup.get(path)
	if p := sup.post(path+"/shipments", url.Values{"carrier": {"ups"}, "tracking_number": {"1Z999AA10123456784"},
		"ship_date": {time.Now().UTC().Format(time.DateOnly)}, "qty_" + lineID: {"1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("ship one: %d %s", p.status, p.doc.Find(".field-error").Text())
	}
	page := sup.get(path)
	if got := strings.Join(strings.Fields(page.doc.Find(`[data-testid="slip-link"]`).Text()), " "); got != "Packing slip: remaining items" {
		t.Errorf("the PO's slip button reads %q once part has shipped", got)
	}
	heading, order, qty, _ = slipOf("/dropship-orders/packing-slips?id=" + id)
	if heading != "Remaining items" || order != "Order SLIP-77" || strings.Join(qty, ",") != "2" {
		t.Errorf("remaining items slip: %q, %q, quantities %v; want Remaining items, Order SLIP-77, 2", heading, order, qty)
	}
	parcel := page.doc.Find(`[data-testid="shipment-slip"]`).AttrOr("href", "")
	if parcel == "" {
		t.Fatal("the shipment has no packing slip link")
	}
	heading, order, qty, text = slipOf(parcel)
	if heading != "Packing slip" || order != "Order SLIP-77" || strings.Join(qty, ",") != "1" || !strings.Contains(text, "1Z999AA10123456784") ||
		!strings.Contains(text, "Returns dept. Qz") {
		t.Errorf("the parcel's slip: %q, %q, quantities %v\n%s", heading, order, qty, text)
	}

	// Another supplier cannot print the parcel's slip.
	other := env.client()
	other.login(w.adminT.Email)
	if p := other.get(parcel); p.status != http.StatusNotFound {
		t.Errorf("another supplier prints the parcel's slip: %d", p.status)
	}
}

// TestShippedEmailPerParcelFromTheMerchant ships a PO of three in two
// parcels and delivers the customer's emails through the SMTP adapter to a
// stand-in server: each comes from the merchant's name with its reply-to
// address and lists only what its parcel holds.
func TestShippedEmailPerParcelFromTheMerchant(t *testing.T) {
	env := newEnv(t)
	w := env.world()
	ctx := t.Context()
	if _, err := env.db.UpdateAccountSettings(ctx, store.CLIActor, w.merchantA.ID, store.AccountSettings{Name: "Harbour & Pine \"Goods\"", TimeZone: "UTC",
		DropshipEnabled: true, AccountContact: store.AccountContact{ReplyToEmail: "help@merchant-a.example"}}); err != nil {
		t.Fatal(err)
	}
	po := openPO(t, env, w, "MAIL-9", 3)
	line := po.Lines[0].ID
	today := time.Now().UTC().Format(time.DateOnly)
	for _, parcel := range []struct {
		number string
		qty    int
	}{{"1Z999AA10123456784", 1}, {"1Z999AA10123456785", 2}} {
		if _, err := env.db.AddShipment(ctx, store.CLIActor, w.supplierS.ID, po.ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: parcel.number, ShipDate: today, Override: true,
			Lines: []store.ShipmentLine{{POLineID: line, Quantity: parcel.qty}}}); err != nil {
			t.Fatal(err)
		}
	}
	smtp := newInjSMTP(t)
	d := &store.Deliverer{DB: env.db, Mailer: &store.SMTPMailer{Config: store.SMTPConfig{Host: "127.0.0.1", Port: smtp.port, From: "Dropline <orders@dropline.example>"}},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if _, err := d.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	smtp.mu.Lock()
	raws := append([]string(nil), smtp.msgs...)
	smtp.mu.Unlock()
	var got []string
	for _, raw := range raws {
		m, err := mail.ReadMessage(strings.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.Get("To") != "<ada@example.com>" {
			continue
		}
		from, err := m.Header.AddressList("From")
		if err != nil || len(from) != 1 || from[0].Name != "Harbour & Pine \"Goods\"" || from[0].Address != "orders@dropline.example" {
			t.Errorf("From %q (%v), want the merchant's name at Dropline's address", m.Header.Get("From"), err)
		}
		if reply, err := m.Header.AddressList("Reply-To"); err != nil || len(reply) != 1 || reply[0].Address != "help@merchant-a.example" {
			t.Errorf("Reply-To %q (%v), want the merchant's reply-to", m.Header.Get("Reply-To"), err)
		}
		body, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
		got = append(got, strings.ReplaceAll(string(body), "\r\n", "\n"))
	}
	if len(got) != 2 {
		t.Fatalf("%d shipping emails to the customer, want 2", len(got))
	}
	// The merchant's Outbox says in whose name they went.
	m := env.client()
	m.login(w.adminA.Email)
	if from := m.get("/settings/outbox").doc.Find(`[data-testid="outbox-from"]`).First().Text(); from != "from Harbour & Pine \"Goods\" · replies to help@merchant-a.example" {
		t.Errorf("the Outbox gives the sender as %q", from)
	}
	for i, c := range []struct{ has, hasNot []string }{
		{[]string{"1 × Widget (S-100)", "1Z999AA10123456784", "The rest of your order ships separately."}, []string{"2 × ", "3 × ", "1Z999AA10123456785"}},
		{[]string{"2 × Widget (S-100)", "1Z999AA10123456785"}, []string{"1 × ", "3 × ", "The rest"}},
	} {
		for _, s := range c.has {
			if !strings.Contains(got[i], s) {
				t.Errorf("parcel %d's email lacks %q:\n%s", i+1, s, got[i])
			}
		}
		for _, s := range c.hasNot {
			if strings.Contains(got[i], s) {
				t.Errorf("parcel %d's email holds %q:\n%s", i+1, s, got[i])
			}
		}
	}
}
