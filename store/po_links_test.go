package store_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// barnCatalog is an email supplier's catalog as the merchant uploads it:
// two good rows and one whose SKU is too long to keep.
var barnCatalog = "sku,title,cost,price,quantity,lead_time_days\n" +
	"BB-EGG,Egg crate,2.00,5.00,40,1\n" +
	"BB-HAY,Hay bale,6.00,12.00,10,1\n" +
	"BB-" + strings.Repeat("X", 120) + ",Broken row,1.00,2.00,5,1\n"

var linkTokenRE = regexp.MustCompile(`/po-link/(\d+)/([A-Za-z0-9_-]{43})\b`)

// linkToken is the token of the link an email carries.
func linkToken(t *testing.T, body string) string {
	t.Helper()
	m := linkTokenRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no PO link in the email:\n%s", body)
	}
	return m[2]
}

// emailSupplier makes the world's merchant an email supplier reached at two
// addresses, with barnCatalog uploaded and pulled, so that its SKUs route
// to it.
func (w *orderWorld) emailSupplier(t *testing.T) store.ManagedSupplier {
	t.Helper()
	ctx := context.Background()
	bob, err := w.db.CreateManagedSupplier(ctx, w.mActor, w.merchant.ID, store.ManagedSupplierInput{Contact: store.ContactEmail, Name: "Bob's Barn",
		OrderEmails: "orders@barn.example, bob@barn.example"})
	if err != nil {
		t.Fatal(err)
	}
	plan, sub, err := w.db.ImportManagedCatalog(ctx, w.mActor, w.merchant.ID, bob.ID, []byte(barnCatalog), store.DefaultImportOptions())
	if err != nil {
		t.Fatal(err)
	}
	if plan.Create != 2 || plan.ErrorRows != 1 || sub.SupplierID != bob.ID || sub.FeedID == 0 {
		t.Fatalf("catalog import: %d created, %d rows skipped; subscription %+v", plan.Create, plan.ErrorRows, sub)
	}
	if r := w.pull(t, sub.ID); r.State != store.RunSucceeded {
		t.Fatalf("pull of the email supplier's catalog: %s", counts(r))
	}
	// A second upload changes the products and keeps the one subscription.
	_, again, err := w.db.ImportManagedCatalog(ctx, w.mActor, w.merchant.ID, bob.ID, []byte(barnCatalog), store.DefaultImportOptions())
	if err != nil || again.ID != sub.ID {
		t.Fatalf("second upload: subscription %d (want %d), %v", again.ID, sub.ID, err)
	}
	return bob
}

// TestEmailSupplierActsThroughItsLink: a PO to an email supplier is emailed
// (text and HTML: lines, ship-to, notes, PO number, the merchant's contact)
// to each of its addresses with a link of its own. The link opens that PO
// alone, records when it was opened, and acts on it in the address's name;
// a tampered token opens nothing.
func TestEmailSupplierActsThroughItsLink(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	w.db.BaseURL = "https://dropline.example/"
	if _, err := w.db.UpdateAccountSettings(ctx, w.mActor, w.merchant.ID, store.AccountSettings{Name: w.merchant.Name, TimeZone: w.merchant.TimeZone, DropshipEnabled: true,
		AccountContact: store.AccountContact{ReturnAddress: "Shop Returns\n9 Dock Rd\nPortland OR 97201", ReplyToEmail: "help@shop.example"}}); err != nil {
		t.Fatal(err)
	}
	bob := w.emailSupplier(t)
	o := w.order(t, "#9001", orderfile.Line{SKU: "BB-EGG", Title: "Eggs", Quantity: 3, UnitPriceCents: 900})
	res, err := w.dropship(t, o, store.DropshipRequest{Notes: "Leave at the gate <b>please</b>"})
	if err != nil || len(res.POs) != 1 || res.POs[0].SupplierID != bob.ID {
		t.Fatalf("dropship to the email supplier: %+v, %v", res, err)
	}
	po := res.POs[0]

	emails := w.outbox(t, "po.new")
	if len(emails) != 2 || emails[0].Recipient != "orders@barn.example" || emails[1].Recipient != "bob@barn.example" {
		t.Fatalf("emails of the new PO: %+v", emails)
	}
	m := emails[0]
	for _, want := range []string{po.PONumber, "3 × BB-EGG", "Ada Customer", "1 Main St", "Springfield IL 62701", "Leave at the gate <b>please</b>",
		"9 Dock Rd", "help@shop.example", "https://dropline.example/po-link/"} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("the email's text lacks %q:\n%s", want, m.Body)
		}
	}
	for _, want := range []string{`<a href="https://dropline.example/po-link/`, "Leave at the gate &lt;b&gt;please&lt;/b&gt;", "<code>BB-EGG</code>", "9 Dock Rd"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("the email's HTML lacks %q:\n%s", want, m.HTML)
		}
	}
	if m.Subject != "Purchase order "+po.PONumber+" from Shop" || m.ReplyTo != "help@shop.example" || m.FromName != "Shop" || m.AccountID != w.merchant.ID {
		t.Errorf("email: subject %q, reply-to %q, from %q, account %d", m.Subject, m.ReplyTo, m.FromName, m.AccountID)
	}
	orders, bobs := linkToken(t, emails[0].Body), linkToken(t, emails[1].Body)
	if orders == bobs || linkToken(t, m.HTML) != orders {
		t.Fatalf("each address has a link of its own, the same in text and HTML: %s, %s", orders, bobs)
	}

	// Not found: tampered, cut short, empty.
	flip := byte('A')
	if orders[20] == 'A' {
		flip = 'B'
	}
	tampered := orders[:20] + string(flip) + orders[21:]
	for _, bad := range []string{tampered, orders[:42], orders + "x", ""} {
		if _, err := w.db.LinkedPO(ctx, po.ID, bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("token %q: %v, want not found", bad, err)
		}
	}
	lp, err := w.db.OpenPOLink(ctx, po.ID, orders)
	if err != nil {
		t.Fatal(err)
	}
	if lp.PO.ID != po.ID || lp.SupplierID != bob.ID || !lp.FirstOpen || lp.Link.Email != "orders@barn.example" || lp.Contact.ReplyToEmail != "help@shop.example" ||
		len(lp.PO.Lines) != 1 || lp.Acknowledged {
		t.Fatalf("opened link: %+v", lp)
	}
	if lp.PO.Customer.Email != "" || lp.PO.Lines[0].PriceCents != 0 {
		t.Errorf("the link shows what the supplier's link settings hide: %+v", lp.PO)
	}
	w.now = w.now.Add(time.Minute)
	if again, err := w.db.OpenPOLink(ctx, po.ID, orders); err != nil || again.FirstOpen {
		t.Fatalf("second opening: first %v, %v", again.FirstOpen, err)
	}
	em, err := w.db.POEmailing(ctx, w.merchant.ID, po.ID)
	if err != nil {
		t.Fatal(err)
	}
	if em.EmailedAt == nil || em.OpenedAt == nil || !em.OpenedAt.Equal(w.now.Add(-time.Minute)) || !em.LastOpenedAt.Equal(w.now) || em.AcknowledgedAt != nil ||
		len(em.Links) != 2 || em.Live() != 2 || !em.ByEmail || em.ExpiresAt != nil {
		t.Fatalf("merchant's view of the emailing: %+v", em)
	}
	if em.Links[1].Opens != 2 || em.Links[0].Opens != 0 || em.Links[1].EmailState != "pending" {
		t.Errorf("links: %+v", em.Links)
	}

	// Acting through the link: audited in the address's name.
	if err := w.db.AcknowledgePO(ctx, lp.Link.Actor(), lp.SupplierID, po.ID); err != nil {
		t.Fatal(err)
	}
	if em, _ = w.db.POEmailing(ctx, w.merchant.ID, po.ID); em.AcknowledgedAt == nil || em.AcknowledgedBy != "via email link (orders@barn.example)" {
		t.Errorf("acknowledged: %v by %q", em.AcknowledgedAt, em.AcknowledgedBy)
	}
	log, err := w.db.AuditLog(ctx, bob.ID, 5)
	if err != nil || len(log) == 0 || log[0].Action != "po.acknowledged" || log[0].Actor != "via email link (orders@barn.example)" {
		t.Fatalf("audit: %+v %v", log, err)
	}
	sh, err := w.db.AddShipment(ctx, lp.Link.Actor(), lp.SupplierID, po.ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456784",
		ShipDate: w.now.Format("2006-01-02"), Lines: []store.ShipmentLine{{POLineID: po.Lines[0].ID, Quantity: 1}}})
	if err != nil || sh.CreatedBy != "via email link (orders@barn.example)" {
		t.Fatalf("partial shipment through the link: %+v, %v", sh, err)
	}
	if got, _ := w.db.PurchaseOrder(ctx, w.merchant.ID, po.ID); got.Status != store.POPartiallyShipped {
		t.Errorf("PO after a partial shipment: %s", got.Status)
	}

	// Another merchant sees nothing of it.
	other := w.secondMerchant(t, "Other shop")
	if _, err := w.db.POEmailing(ctx, other.merchant.ID, po.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another merchant reads the emailing: %v", err)
	}
	if _, err := w.db.RevokePOLinks(ctx, other.mActor, other.merchant.ID, po.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another merchant revokes the links: %v", err)
	}
	if _, err := w.db.ResendPOLink(ctx, other.mActor, other.merchant.ID, po.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another merchant resends the link: %v", err)
	}
	if _, err := w.db.LinkedPO(ctx, po.ID, orders); err != nil {
		t.Errorf("the link stopped working after another merchant's attempts: %v", err)
	}
}

// TestPOLinksRevokeResendAndExpire: the merchant revokes a PO's links (they
// open nothing) and sends a new one (the old stay dead); once the PO closes
// its links work 30 more days, then neither they nor a new one do.
func TestPOLinksRevokeResendAndExpire(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	bob := w.emailSupplier(t)
	o := w.order(t, "#9101", orderfile.Line{SKU: "BB-HAY", Title: "Hay", Quantity: 2, UnitPriceCents: 2000})
	res, err := w.dropship(t, o, store.DropshipRequest{})
	if err != nil || len(res.POs) != 1 {
		t.Fatalf("dropship: %+v, %v", res, err)
	}
	po := res.POs[0]
	first := linkToken(t, w.outbox(t, "po.new")[0].Body)

	n, err := w.db.RevokePOLinks(ctx, w.mActor, w.merchant.ID, po.ID)
	if err != nil || n != 2 {
		t.Fatalf("revoke: %d, %v", n, err)
	}
	if _, err := w.db.LinkedPO(ctx, po.ID, first); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a revoked link: %v", err)
	}
	if _, err := w.db.RevokePOLinks(ctx, w.mActor, w.merchant.ID, po.ID); !errors.Is(err, store.ErrConflict) {
		t.Errorf("revoking again: %v", err)
	}
	// Revoked links get no reminder.
	w.now = w.now.Add(30 * time.Hour)
	if n, err := w.db.SendPOReminders(ctx); err != nil || n != 0 {
		t.Errorf("reminders for a PO whose links were revoked: %d, %v", n, err)
	}

	addrs, err := w.db.ResendPOLink(ctx, w.mActor, w.merchant.ID, po.ID)
	if err != nil || strings.Join(addrs, ",") != "orders@barn.example,bob@barn.example" {
		t.Fatalf("resend: %v, %v", addrs, err)
	}
	resent := w.outbox(t, "po.resent")
	if len(resent) != 2 || !strings.Contains(resent[0].Body, "new link") {
		t.Fatalf("resent emails: %+v", resent)
	}
	fresh := linkToken(t, resent[0].Body)
	if _, err := w.db.LinkedPO(ctx, po.ID, first); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the first link came back with the new one: %v", err)
	}
	lp, err := w.db.LinkedPO(ctx, po.ID, fresh)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.AddShipment(ctx, lp.Link.Actor(), bob.ID, po.ID, store.ShipmentInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456784",
		ShipDate: w.now.Format("2006-01-02")}); err != nil {
		t.Fatal(err)
	}
	em, err := w.db.POEmailing(ctx, w.merchant.ID, po.ID)
	if err != nil || em.ExpiresAt == nil || !em.ExpiresAt.Equal(w.now.Add(store.LinkLifetime)) || em.Live() != 2 || len(em.Links) != 4 {
		t.Fatalf("a shipped PO's emailing: %+v, %v", em, err)
	}
	w.now = w.now.Add(store.LinkLifetime - time.Hour)
	if _, err := w.db.LinkedPO(ctx, po.ID, fresh); err != nil {
		t.Errorf("29 days after the PO shipped: %v", err)
	}
	w.now = w.now.Add(2 * time.Hour)
	if _, err := w.db.LinkedPO(ctx, po.ID, fresh); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("30 days after the PO shipped: %v", err)
	}
	if _, err := w.db.ResendPOLink(ctx, w.mActor, w.merchant.ID, po.ID); !errors.Is(err, store.ErrConflict) {
		t.Errorf("resending the link of a PO closed 30 days ago: %v", err)
	}
	if em, _ := w.db.POEmailing(ctx, w.merchant.ID, po.ID); !em.Expired || em.Live() != 0 {
		t.Errorf("expired emailing: %+v", em)
	}
}

// TestPOReminderGoesOnceWhenNotAcknowledgedInTime: a PO its email supplier
// has not acknowledged within its deadline gets one reminder per address,
// with new links (the first still work); an acknowledged one gets none.
func TestPOReminderGoesOnceWhenNotAcknowledgedInTime(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	bob := w.emailSupplier(t)
	var pos []store.PurchaseOrder
	for _, n := range []string{"#9201", "#9202"} {
		res, err := w.dropship(t, w.order(t, n, orderfile.Line{SKU: "BB-EGG", Title: "Eggs", Quantity: 1, UnitPriceCents: 900}), store.DropshipRequest{})
		if err != nil || len(res.POs) != 1 {
			t.Fatalf("dropship %s: %+v %v", n, res, err)
		}
		pos = append(pos, res.POs[0])
	}
	first := linkToken(t, w.outbox(t, "po.new")[0].Body)
	if err := w.db.AcknowledgePO(ctx, store.Actor{Name: "via email link (bob@barn.example)"}, bob.ID, pos[1].ID); err != nil {
		t.Fatal(err)
	}
	w.now = w.now.Add(23 * time.Hour)
	if n, err := w.db.SendPOReminders(ctx); err != nil || n != 0 {
		t.Fatalf("reminders before the deadline: %d, %v", n, err)
	}
	w.now = w.now.Add(time.Hour)
	if n, err := w.db.SendPOReminders(ctx); err != nil || n != 1 {
		t.Fatalf("reminders at the deadline: %d, %v", n, err)
	}
	if n, err := w.db.SendPOReminders(ctx); err != nil || n != 0 {
		t.Fatalf("reminders again: %d, %v", n, err)
	}
	rem := w.outbox(t, "po.reminder")
	if len(rem) != 2 || !strings.Contains(rem[0].Subject, "Reminder: purchase order "+pos[0].PONumber) || !strings.Contains(rem[0].Body, "within 24 hours") {
		t.Fatalf("reminders: %+v", rem)
	}
	if _, err := w.db.LinkedPO(ctx, pos[0].ID, linkToken(t, rem[0].Body)); err != nil {
		t.Errorf("the reminder's link: %v", err)
	}
	if _, err := w.db.LinkedPO(ctx, pos[0].ID, first); err != nil {
		t.Errorf("the first email's link after the reminder: %v", err)
	}
	// A link is bound to its PO: with another PO's ID it opens nothing.
	if _, err := w.db.LinkedPO(ctx, pos[1].ID, first); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a PO's link with another PO's ID: %v", err)
	}
	em, err := w.db.POEmailing(ctx, w.merchant.ID, pos[0].ID)
	if err != nil || em.RemindedAt == nil || !em.RemindedAt.Equal(w.now) {
		t.Fatalf("reminded at: %+v, %v", em, err)
	}
}

// TestEmailSupplierUpgradesToAccount: the merchant invites a person for an
// email supplier; the person signs in for it, the merchant keeps it no
// longer, the PO's link history stays, and new POs reach its users in
// Dropline instead of by link.
func TestEmailSupplierUpgradesToAccount(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	bob := w.emailSupplier(t)
	res, err := w.dropship(t, w.order(t, "#9301", orderfile.Line{SKU: "BB-EGG", Title: "Eggs", Quantity: 1}), store.DropshipRequest{})
	if err != nil || len(res.POs) != 1 {
		t.Fatalf("dropship: %+v, %v", res, err)
	}
	token := linkToken(t, w.outbox(t, "po.new")[0].Body)

	if _, err := w.db.UpgradeManagedSupplier(ctx, w.mActor, w.merchant.ID, bob.ID, store.NewMember{Email: "bob@barn.example", Password: "short"}); !hasField(err, "password") {
		t.Errorf("a new person without a usable first password: %v", err)
	}
	other := w.secondMerchant(t, "Other shop")
	if _, err := w.db.UpgradeManagedSupplier(ctx, other.mActor, other.merchant.ID, bob.ID, store.NewMember{Email: "x@barn.example", Password: "correct horse battery"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another merchant upgrades the supplier: %v", err)
	}
	ae, err := w.db.CreateManagedSupplier(ctx, w.mActor, w.merchant.ID, store.ManagedSupplierInput{Contact: store.ContactWebsite, Name: "AliExpress", Website: "aliexpress.example"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.UpgradeManagedSupplier(ctx, w.mActor, w.merchant.ID, ae.ID, store.NewMember{Email: "x@ae.example", Password: "correct horse battery"}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a website supplier upgraded: %v", err)
	}

	m, err := w.db.UpgradeManagedSupplier(ctx, w.mActor, w.merchant.ID, bob.ID, store.NewMember{Email: "Bob@Barn.example", Name: "Bob", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := w.db.Authenticate(ctx, "bob@barn.example", "correct horse battery")
	if err != nil || u.ID != m.User.ID {
		t.Fatalf("the person signs in: %v", err)
	}
	ms, err := w.db.Memberships(ctx, u.ID)
	if err != nil || len(ms) != 1 || ms[0].Account.ID != bob.ID || ms[0].Role != store.RoleAdmin || ms[0].Account.Managed() {
		t.Fatalf("memberships: %+v, %v", ms, err)
	}
	if _, err := w.db.ManagedSupplier(ctx, w.merchant.ID, bob.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the merchant still keeps the upgraded supplier: %v", err)
	}
	if inv := w.outbox(t, "supplier.upgraded"); len(inv) != 1 || inv[0].Recipient != "bob@barn.example" || !strings.Contains(inv[0].Body, "/login") {
		t.Errorf("invitation: %+v", inv)
	}
	if em, err := w.db.POEmailing(ctx, w.merchant.ID, res.POs[0].ID); err != nil || len(em.Links) != 2 || em.ByEmail {
		t.Errorf("link history after the upgrade: %+v, %v", em, err)
	}
	if _, err := w.db.LinkedPO(ctx, res.POs[0].ID, token); err != nil {
		t.Errorf("a link emailed before the upgrade: %v", err)
	}
	if _, err := w.db.ResendPOLink(ctx, w.mActor, w.merchant.ID, res.POs[0].ID); !errors.Is(err, store.ErrConflict) {
		t.Errorf("resending to a supplier that signs in: %v", err)
	}
	// A new PO goes to the supplier's users, not by link.
	if _, err := w.dropship(t, w.order(t, "#9302", orderfile.Line{SKU: "BB-EGG", Title: "Eggs", Quantity: 1}), store.DropshipRequest{}); err != nil {
		t.Fatal(err)
	}
	if got := w.outbox(t, "po.new"); len(got) != 2 {
		t.Errorf("the merchant's link emails after the upgrade: %d, want the first PO's 2", len(got))
	}
	msgs, err := w.db.OutboxList(ctx, bob.ID, store.OutboxFilter{}, 10)
	if err != nil || len(msgs) != 1 || msgs[0].Topic != "po.new" || msgs[0].Recipient != "bob@barn.example" {
		t.Errorf("the supplier's own email of the new PO: %+v, %v", msgs, err)
	}
}
