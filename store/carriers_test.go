package store_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/dropline/dropline/store"
)

func TestCarrierSettingsAndTrackingChecks(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	db, sup := p.db, p.supplier.ID

	set, _, err := db.CarrierSettings(ctx, sup)
	if err != nil {
		t.Fatal(err)
	}
	if set.Restricted || len(set.Allowed) < 17 || set.LogisticsKind != "carrier" || set.InventoryMode != "passive" {
		t.Fatalf("defaults = %+v, want every built-in carrier allowed", set)
	}
	// A valid UPS number typed with spaces, and the same with a wrong check digit.
	good, err := db.CheckTracking(ctx, sup, "UPS", "1z 999 aa1 01 2345 6784")
	if err != nil || good.Problem != "" || good.Number != "1Z999AA10123456784" || !strings.Contains(good.URL, "1Z999AA10123456784") {
		t.Fatalf("valid UPS: %+v %v", good, err)
	}
	bad, err := db.CheckTracking(ctx, sup, "ups", "1Z999AA10123456785")
	if err != nil || !strings.Contains(bad.Problem, "UPS") {
		t.Fatalf("bad UPS check digit: %+v %v, want a problem naming UPS", bad, err)
	}

	bad1 := store.CarrierSettings{LogisticsKind: "drone", InventoryMode: "x", Restricted: true, Allowed: []string{"pigeon"}}
	err = db.UpdateCarrierSettings(ctx, p.sActor, sup, bad1)
	for _, f := range []string{"logistics_kind", "inventory_mode", "allowed"} {
		if fields(err)[f] == "" {
			t.Errorf("no message for %s in %v", f, err)
		}
	}
	if err := db.UpdateCarrierSettings(ctx, p.sActor, sup, store.CarrierSettings{LogisticsKind: "carrier", InventoryMode: "active", Restricted: true, Allowed: []string{"usps"}, Default: "ups"}); fields(err)["default"] == "" {
		t.Fatalf("default not allowed: %v", err)
	}
	if err := db.UpdateCarrierSettings(ctx, p.sActor, sup, store.CarrierSettings{LogisticsKind: "fulfillment_center", InventoryMode: "active", Restricted: true, Allowed: []string{"usps", "fedex"}, Default: "usps"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CheckTracking(ctx, sup, "ups", "1Z999AA10123456784"); fields(err)["carrier"] == "" {
		t.Fatalf("UPS after restricting to USPS and FedEx: %v, want a carrier field error", err)
	}
	opts, def, err := db.ShippingOptions(ctx, sup)
	if err != nil || len(opts) != 2 || def != "usps" {
		t.Fatalf("options %+v default %q %v", opts, def, err)
	}

	// Custom providers: no number check, own tracking link, one account only.
	if _, err := db.AddLogisticsProvider(ctx, p.sActor, sup, "Bike Courier", "ftp://x/{number}", ""); fields(err)["tracking_url"] == "" {
		t.Fatalf("ftp link: %v, want a tracking_url error", err)
	}
	if _, err := db.AddLogisticsProvider(ctx, p.sActor, sup, "UPS", "", ""); fields(err)["name"] == "" {
		t.Fatalf("a built-in's name: %v, want a name error", err)
	}
	pr, err := db.AddLogisticsProvider(ctx, p.sActor, sup, "Bike Courier", "https://bike.example/t?n={number}", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddLogisticsProvider(ctx, p.sActor, sup, "bike courier", "", ""); fields(err)["name"] == "" {
		t.Fatalf("duplicate provider: %v, want a name error", err)
	}
	ref := "custom:" + strconv.FormatInt(pr.ID, 10)
	tc, err := db.CheckTracking(ctx, sup, ref, "ABC 123")
	if err != nil || tc.Problem != "" || tc.URL != "https://bike.example/t?n=ABC+123" {
		t.Fatalf("custom provider check: %+v %v", tc, err)
	}
	if _, err := db.CheckTracking(ctx, p.merchant.ID, ref, "ABC"); fields(err)["carrier"] == "" {
		t.Fatalf("another account's provider: %v, want a carrier field error", err)
	}
	// By name in any case too (the API and the form take what the bulk upload takes).
	if tc, err := db.CheckTracking(ctx, sup, "BIKE courier", "ABC 123"); err != nil || tc.Carrier.Value != ref {
		t.Fatalf("custom provider by name: %+v %v, want %s", tc, err, ref)
	}
	if _, err := db.CheckTracking(ctx, p.merchant.ID, "Bike Courier", "ABC"); fields(err)["carrier"] == "" {
		t.Fatalf("another account's provider by name: %v, want a carrier field error", err)
	}
	if err := db.UpdateCarrierSettings(ctx, p.sActor, sup, store.CarrierSettings{LogisticsKind: "carrier", InventoryMode: "active", Default: ref}); err != nil {
		t.Fatal(err)
	}
	if err := db.RetireLogisticsProvider(ctx, p.mActor, p.merchant.ID, pr.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("merchant retires supplier's provider: %v, want ErrNotFound", err)
	}
	if err := db.RetireLogisticsProvider(ctx, p.sActor, sup, pr.ID); err != nil {
		t.Fatal(err)
	}
	if _, def, _ := db.ShippingOptions(ctx, sup); def != "" {
		t.Fatalf("default after retiring it: %q, want none", def)
	}
	if _, err := db.CheckTracking(ctx, sup, ref, "ABC"); fields(err)["carrier"] == "" {
		t.Fatalf("retired provider: %v, want a carrier field error", err)
	}
}
