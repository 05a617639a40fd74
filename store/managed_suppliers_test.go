package store_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dropline/dropline/store"
	"github.com/dropline/dropline/store/orderfile"
)

// websiteCatalog serves a wholesaler site's catalog as a CSV feed: the
// product page of each SKU is its url column.
func websiteCatalog(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/csv")
		fmt.Fprint(rw, "sku,title,options,gtin,mpn,cost,price,quantity,lead_time_days,url,image_url,description,tags,active\n"+
			"AE-LAMP,Desk lamp,Colour: Black,,,7.40,19.99,250,1,https://www.aliexpress.example/item/1005001.html,,A lamp.,,true\n")
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/catalog.csv"
}

// TestWebsiteSupplierTakesPOs: a merchant names the supplier behind a URL
// feed as a website supplier. The feed's products then route to it: an
// order with one is dropshipped like any other, to a PO of that supplier,
// which reserves stock. Another merchant neither sees the supplier nor can
// link to it by its public ID.
func TestWebsiteSupplierTakesPOs(t *testing.T) {
	w := newOrderWorld(t)
	ctx := context.Background()
	sub := w.subscribe(t, store.SubscriptionInput{URL: websiteCatalog(t)})
	if r := w.pull(t, sub.ID); r.State != store.RunSucceeded {
		t.Fatalf("pull: %s", counts(r))
	}
	o := w.order(t, "#7001", orderfile.Line{SKU: "AE-LAMP", Title: "Desk lamp", Quantity: 1, UnitPriceCents: 1999})
	if res, err := w.dropship(t, o, store.DropshipRequest{}); err == nil && len(res.POs) > 0 {
		t.Fatalf("a URL feed's product was dropshipped to nobody: %+v", res)
	}

	if _, err := w.db.CreateManagedSupplier(ctx, w.mActor, w.merchant.ID, store.ManagedSupplierInput{Contact: store.ContactWebsite, Name: "AliExpress"}); !hasField(err, "website") {
		t.Errorf("a website supplier without its site: %v", err)
	}
	if _, err := w.db.CreateManagedSupplier(ctx, w.mActor, w.merchant.ID, store.ManagedSupplierInput{Contact: store.ContactEmail, Name: "Bob's Barn", OrderEmails: "bob at barn"}); !hasField(err, "order_emails") {
		t.Errorf("an email supplier with a bad address: %v", err)
	}
	ae, err := w.db.CreateManagedSupplier(ctx, w.mActor, w.merchant.ID, store.ManagedSupplierInput{Contact: store.ContactWebsite, Name: "AliExpress",
		Website: "www.aliexpress.example", DefaultCarrier: "usps"})
	if err != nil {
		t.Fatal(err)
	}
	if ae.Website != "https://www.aliexpress.example" || !ae.Managed() || ae.Contact != store.ContactWebsite || ae.DefaultCarrier != "usps" || !ae.IsSupplier() {
		t.Errorf("website supplier = %+v", ae)
	}
	if _, err := w.db.CreateManagedSupplier(ctx, w.mActor, w.merchant.ID, store.ManagedSupplierInput{Contact: store.ContactWebsite, Name: "aliexpress", Website: "x.example"}); !hasField(err, "name") {
		t.Errorf("a second supplier of the same name: %v", err)
	}
	if problems, err := w.db.RoutingProblems(ctx, w.merchant.ID, ae.ID); err != nil || len(problems) != 0 {
		t.Errorf("routing to the website supplier: %v, %v", problems, err)
	}
	if err := w.db.SetSubscriptionSupplier(ctx, w.mActor, w.merchant.ID, sub.ID, ae.ID); err != nil {
		t.Fatal(err)
	}
	subs, err := w.db.Subscriptions(ctx, w.merchant.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		if s.FeedID != 0 {
			if err := w.db.SetSubscriptionSupplier(ctx, w.mActor, w.merchant.ID, s.ID, ae.ID); !errors.Is(err, store.ErrConflict) {
				t.Errorf("a linked supplier's feed given a website supplier: %v", err)
			}
		}
	}
	// The order placed on the site, recorded with the dropship: a bad
	// amount is refused with nothing written; a good one acknowledges the PO.
	if _, err := w.dropship(t, o, store.DropshipRequest{External: map[int64]store.ExternalOrderInput{ae.ID: {Number: "AE-1", Paid: "a lot"}}}); !hasField(err, fmt.Sprintf("external_%d_paid", ae.ID)) {
		t.Errorf("a bad amount paid: %v", err)
	}
	if pos, _ := w.db.OrderPurchaseOrders(ctx, w.merchant.ID, o.ID); len(pos) != 0 {
		t.Fatalf("a refused dropship made %d POs", len(pos))
	}
	res, err := w.dropship(t, o, store.DropshipRequest{External: map[int64]store.ExternalOrderInput{ae.ID: {Number: " AE-8123456 ", Paid: "7.40", Notes: "wallet"}}})
	if err != nil || len(res.POs) != 1 || res.POs[0].SupplierID != ae.ID || res.POs[0].SupplierName != "AliExpress" {
		t.Fatalf("dropship to the website supplier: %+v, %v", res, err)
	}
	po, err := w.db.PurchaseOrder(ctx, w.merchant.ID, res.POs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if e := po.External; e.Number != "AE-8123456" || e.PaidCents == nil || *e.PaidCents != 740 || e.Currency != "USD" || e.Notes != "wallet" || po.SupplierContact != store.ContactWebsite {
		t.Errorf("the PO's external order = %+v (%s)", e, po.SupplierContact)
	}
	if qp, err := w.db.QueuePurchaseOrder(ctx, ae.ID, po.ID); err != nil || !qp.Acknowledged {
		t.Errorf("recording the site's order did not acknowledge the PO: %+v, %v", qp, err)
	}
	// Corrected later on the PO; another merchant cannot.
	if err := w.db.RecordExternalOrder(ctx, w.mActor, w.merchant.ID, po.ID, store.ExternalOrderInput{Number: "AE-8123457", Paid: "7.90", Currency: "eur"}); err != nil {
		t.Fatal(err)
	}
	if po, _ = w.db.PurchaseOrder(ctx, w.merchant.ID, po.ID); po.External.Number != "AE-8123457" || *po.External.PaidCents != 790 || po.External.Currency != "EUR" {
		t.Errorf("corrected external order = %+v", po.External)
	}
	list, err := w.db.ManagedSuppliers(ctx, w.merchant.ID)
	if err != nil || len(list) != 1 || list[0].Sources != 1 || list[0].OpenPOs != 1 {
		t.Errorf("managed suppliers = %+v, %v", list, err)
	}

	// Another merchant: not found, not linkable.
	other, _, err := w.db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Other", Kind: store.KindMerchant}, "other@example.com", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.ManagedSupplier(ctx, other.ID, ae.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another merchant reads the website supplier: %v", err)
	}
	if _, err := w.db.RequestLink(ctx, store.CLIActor, other.ID, "merchant", ae.PublicID); !hasField(err, "public_id") || !strings.Contains(err.Error(), "No account") {
		t.Errorf("another merchant links to the website supplier: %v", err)
	}
	if _, err := w.db.UpdateManagedSupplier(ctx, w.mActor, other.ID, ae.ID, store.ManagedSupplierInput{Name: "Mine", Website: "x.example"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another merchant renames the website supplier: %v", err)
	}
	if err := w.db.RecordExternalOrder(ctx, store.CLIActor, other.ID, po.ID, store.ExternalOrderInput{Number: "X"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another merchant records the site's order: %v", err)
	}
	// A PO to a supplier on Dropline has no site order.
	linked := w.order(t, "#7002", orderfile.Line{SKU: "A-1", Quantity: 1, UnitPriceCents: 500})
	lres, err := w.dropship(t, linked, store.DropshipRequest{})
	if err != nil || len(lres.POs) != 1 {
		t.Fatalf("dropship to the linked supplier: %+v, %v", lres, err)
	}
	if err := w.db.RecordExternalOrder(ctx, w.mActor, w.merchant.ID, lres.POs[0].ID, store.ExternalOrderInput{Number: "X"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a Dropline supplier's PO given a site order: %v", err)
	}
}

func hasField(err error, field string) bool {
	var ve *store.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	_, ok := ve.Fields[field]
	return ok
}
