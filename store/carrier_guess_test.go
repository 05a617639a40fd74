package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dropline/dropline/store"
)

// TestTrackingCarrierFromTheNumber covers a shipment's carrier left empty or
// given as a name several carriers share: the number decides when exactly
// one of the account's carriers confirms it, and otherwise the person is
// told which carriers it could be.
func TestTrackingCarrierFromTheNumber(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	db, sup := p.db, p.supplier.ID

	tc, err := db.CheckTracking(ctx, sup, "", "1z 999 aa1 01 2345 6784")
	if err != nil || tc.Carrier.Value != "ups" || tc.Problem != "" || tc.Note != "Carrier read from the number: UPS." {
		t.Fatalf("empty carrier, UPS number: %+v %v", tc, err)
	}
	for _, c := range []struct{ number, want string }{
		{"9261292700768711948021", "The number could be USPS or FedEx: choose the carrier."},
		{"60120172242323", "The number could be DHL eCommerce or DPD, but it has no check digit to confirm it: choose the carrier."},
		{"1Z999AA10123456785", "No carrier's format matches this number: choose the carrier."},
	} {
		if _, err := db.CheckTracking(ctx, sup, " ", c.number); fields(err)["carrier"] != c.want {
			t.Errorf("empty carrier, %s: %v, want %q", c.number, err, c.want)
		}
	}
	if _, err := db.CheckTracking(ctx, sup, "", " "); fields(err)["tracking_number"] != "Enter the tracking number." || fields(err)["carrier"] != "" {
		t.Errorf("nothing at all: %v, want only the tracking number asked for", err)
	}

	// "DHL" is three carriers: the number picks one, or DHL Express it is.
	for _, c := range []struct{ number, code, note string }{
		{"GM9E44608A27984866BA2D", "dhl_ecommerce", "DHL read as DHL eCommerce from the number."},
		{"00340433836442636597", "dhl_parcel_de", "DHL read as Deutsche Post / DHL Parcel DE from the number."},
		{"3318810025", "dhl_express", "DHL read as DHL Express from the number."},
		{"JJD0099999999", "dhl_express", "DHL read as DHL Express from the number."},
		{"JJD1410302937991", "dhl_express", ""}, // DHL Express and DHL Parcel DE both take it
	} {
		tc, err := db.CheckTracking(ctx, sup, "DHL", c.number)
		if err != nil || tc.Carrier.Value != c.code || tc.Note != c.note || tc.Problem != "" {
			t.Errorf("DHL %s: %+v %v, want %s with note %q", c.number, tc, err, c.code, c.note)
		}
	}
	if tc, err := db.CheckTracking(ctx, sup, "DHL", "12345"); err != nil || tc.Carrier.Value != "dhl_express" || !strings.Contains(tc.Problem, "closest DHL Express format") {
		t.Errorf("DHL with a number of no DHL format: %+v %v, want DHL Express's closest-format problem", tc, err)
	}

	// Only the account's carriers count.
	if err := db.UpdateCarrierSettings(ctx, p.sActor, sup, store.CarrierSettings{LogisticsKind: "carrier", InventoryMode: "active", Restricted: true, Allowed: []string{"usps"}}); err != nil {
		t.Fatal(err)
	}
	if tc, err := db.CheckTracking(ctx, sup, "", "9261292700768711948021"); err != nil || tc.Carrier.Value != "usps" {
		t.Errorf("USPS-or-FedEx number where only USPS is allowed: %+v %v", tc, err)
	}
	want := "The number looks like UPS, which is not one of this account's carriers (Settings → Carriers): choose the carrier."
	if _, err := db.CheckTracking(ctx, sup, "", "1Z999AA10123456784"); fields(err)["carrier"] != want {
		t.Errorf("UPS number where UPS is not allowed: %v, want %q", err, want)
	}

	g, err := db.GuessCarrier(ctx, sup, "rr 123 456 785 us")
	if err != nil || len(g.Sure) != 1 || g.Sure[0].Name != "USPS" || g.Issuer != "USPS (US)" || g.Number != "RR123456785US" {
		t.Errorf("guess of a USPS S10 number: %+v %v", g, err)
	}
	if g, _ := db.GuessCarrier(ctx, sup, "RR123456785CN"); len(g.Sure) != 0 || strings.Join(g.Elsewhere, ",") != "China Post / EMS" || g.Issuer != "China Post (CN)" {
		t.Errorf("guess of a China Post number where only USPS is allowed: %+v", g)
	}
}

// TestTrackingOwnProviderNamedLikeANewCarrier: an account that added its own
// "Evri" before Dropline knew Evri keeps it for uploads by name, while the
// built-in code still means the built-in carrier.
func TestTrackingOwnProviderNamedLikeANewCarrier(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	sup := p.supplier.ID
	// AddLogisticsProvider now refuses the name, as it should for new ones.
	if _, err := p.db.AddLogisticsProvider(ctx, p.sActor, sup, "Evri", "", ""); fields(err)["name"] == "" {
		t.Fatalf("a provider named Evri: %v, want a name error", err)
	}
	if err := p.db.ExecForTest(ctx, "INSERT INTO logistics_providers (account_id, name, tracking_url, kind, created_at) VALUES (?, 'Evri', '', 'carrier', ?)", sup, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	tc, err := p.db.CheckTracking(ctx, sup, "evri", "H01HYA0012345678")
	if err != nil || tc.Carrier.Value != "evri" || tc.Carrier.Custom {
		t.Fatalf("built-in code evri: %+v %v", tc, err)
	}
	tc, err = p.db.CheckTracking(ctx, sup, "Evri", "anything 1")
	if err != nil || !strings.HasPrefix(tc.Carrier.Value, "custom:") || tc.Problem != "" {
		t.Fatalf("name Evri: %+v %v, want the account's own provider", tc, err)
	}
}
