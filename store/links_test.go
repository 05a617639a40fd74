package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dropline/dropline/store"
)

type pair struct {
	db       *store.DB
	merchant store.Account
	supplier store.Account
	mActor   store.Actor
	sActor   store.Actor
}

// newPair makes a merchant and a supplier with the dropship module on, not linked.
func newPair(t *testing.T) *pair {
	t.Helper()
	db := openTest(t)
	ctx := context.Background()
	m, mu, err := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Shop", Kind: store.KindMerchant}, "m@example.com", pw)
	if err != nil {
		t.Fatal(err)
	}
	s, su, err := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Supply", Kind: store.KindSupplier}, "s@example.com", pw)
	if err != nil {
		t.Fatal(err)
	}
	p := &pair{db: db, merchant: m, supplier: s, mActor: store.Actor{UserID: mu.ID, Name: mu.Email}, sActor: store.Actor{UserID: su.ID, Name: su.Email}}
	p.module(t, m.ID, true)
	p.module(t, s.ID, true)
	return p
}

func (p *pair) module(t *testing.T, accountID int64, on bool) {
	t.Helper()
	a, err := p.db.Account(context.Background(), accountID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.db.UpdateAccountSettings(context.Background(), store.CLIActor, accountID, store.AccountSettings{Name: a.Name, TimeZone: a.TimeZone, DropshipEnabled: on}); err != nil {
		t.Fatal(err)
	}
}

func (p *pair) problems(t *testing.T) []string {
	t.Helper()
	got, err := p.db.RoutingProblems(context.Background(), p.merchant.ID, p.supplier.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (p *pair) setInitial(t *testing.T, name string) {
	t.Helper()
	ss, err := p.db.SupplierStatuses(context.Background(), p.supplier.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		if s.Name == name {
			if err := p.db.SetInitialStatus(context.Background(), p.sActor, p.supplier.ID, s.ID); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no status %q", name)
}

func contains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func TestRoutingNamesEachMissingPiece(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	if got := p.problems(t); !contains(got, "not linked") || !contains(got, "Supply does not accept dropship orders yet") {
		t.Fatalf("unlinked, no initial status: %q", got)
	}
	p.setInitial(t, "New")
	l, err := p.db.RequestLink(ctx, p.sActor, p.supplier.ID, "supplier", p.merchant.PublicID)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.problems(t); len(got) != 1 || !contains(got, "pending") {
		t.Fatalf("pending link: %q, want only the pending problem", got)
	}
	if _, err := p.db.ChangeLink(ctx, p.mActor, p.merchant.ID, l.ID, store.LinkAccept); err != nil {
		t.Fatal(err)
	}
	if got := p.problems(t); len(got) != 0 {
		t.Fatalf("active link, modules on, initial status: %q, want none", got)
	}
	p.module(t, p.merchant.ID, false)
	if got := p.problems(t); len(got) != 1 || !contains(got, "module is off in Shop") {
		t.Fatalf("merchant module off: %q", got)
	}
	p.module(t, p.merchant.ID, true)
	p.module(t, p.supplier.ID, false)
	if got := p.problems(t); len(got) != 1 || !contains(got, "module is off in Supply") {
		t.Fatalf("supplier module off: %q", got)
	}
	p.module(t, p.supplier.ID, true)
	if _, err := p.db.ChangeLink(ctx, p.sActor, p.supplier.ID, l.ID, store.LinkPause); err != nil {
		t.Fatal(err)
	}
	if got := p.problems(t); len(got) != 1 || !contains(got, "paused") {
		t.Fatalf("paused: %q", got)
	}
	if err := p.db.SetInitialStatus(ctx, p.sActor, p.supplier.ID, 0); err != nil {
		t.Fatal(err)
	}
	if got := p.problems(t); len(got) != 2 || !contains(got, "does not accept dropship orders yet") {
		t.Fatalf("paused and no initial status: %q", got)
	}
}

func TestInvitationAnsweredOnlyByTheOtherSide(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	l, err := p.db.RequestLink(ctx, p.mActor, p.merchant.ID, "merchant", strings.ToLower(p.supplier.PublicID))
	if err != nil {
		t.Fatal(err)
	}
	if l.State != store.LinkPending || l.RequestedBy != "merchant" {
		t.Fatalf("request: %+v", l)
	}
	// The requester cannot accept its own request, and a second request is refused.
	if _, err := p.db.ChangeLink(ctx, p.mActor, p.merchant.ID, l.ID, store.LinkAccept); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("self-accept: %v, want ErrConflict", err)
	}
	if _, err := p.db.RequestLink(ctx, p.sActor, p.supplier.ID, "supplier", p.merchant.PublicID); fields(err)["public_id"] == "" {
		t.Fatalf("second request while pending: %v, want a field error", err)
	}
	// A stranger cannot see or answer it.
	other, _, _ := p.db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Other", Kind: store.KindMerchant}, "o@example.com", pw)
	if _, err := p.db.ChangeLink(ctx, store.CLIActor, other.ID, l.ID, store.LinkDecline); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("stranger declines: %v, want ErrNotFound", err)
	}
	if _, err := p.db.Link(ctx, other.ID, l.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("stranger reads: %v, want ErrNotFound", err)
	}
	got, err := p.db.ChangeLink(ctx, p.sActor, p.supplier.ID, l.ID, store.LinkDecline)
	if err != nil || got.State != store.LinkEnded {
		t.Fatalf("decline: %+v %v", got, err)
	}
	// After a decline a new invitation may be sent.
	again, err := p.db.RequestLink(ctx, p.sActor, p.supplier.ID, "supplier", p.merchant.PublicID)
	if err != nil {
		t.Fatalf("invite after decline: %v", err)
	}
	if _, err := p.db.ChangeLink(ctx, p.sActor, p.supplier.ID, again.ID, store.LinkCancel); err != nil {
		t.Fatalf("withdraw: %v", err)
	}
	hist, _ := p.db.RecordHistory(ctx, p.merchant.ID, "vendor_link", l.ID)
	if len(hist) != 2 || hist[0].Action != "link.declined" || hist[0].Actor != "s@example.com" || hist[1].Action != "link.requested" {
		t.Fatalf("history on the merchant's side: %+v", hist)
	}
}

func TestRequestLinkRefusals(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	other, _, _ := p.db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Rival", Kind: store.KindSupplier}, "r@example.com", pw)
	cases := []struct {
		name    string
		account int64
		as, pid string
	}{
		{"blank", p.supplier.ID, "supplier", " "},
		{"unknown", p.supplier.ID, "supplier", "DL-ZZZZZ"},
		{"self", p.supplier.ID, "supplier", p.supplier.PublicID},
		{"supplier to supplier", p.supplier.ID, "supplier", other.PublicID},
		{"merchant to merchant", p.merchant.ID, "merchant", p.merchant.PublicID},
	}
	for _, tc := range cases {
		if _, err := p.db.RequestLink(ctx, store.CLIActor, tc.account, tc.as, tc.pid); fields(err)["public_id"] == "" {
			t.Errorf("%s: %v, want a public_id field error", tc.name, err)
		}
	}
	// A merchant account cannot invite as a supplier.
	if _, err := p.db.RequestLink(ctx, store.CLIActor, p.merchant.ID, "supplier", p.supplier.PublicID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("merchant inviting as supplier: %v, want ErrNotFound", err)
	}
}

func TestLinkStateMachine(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	l, err := p.db.CreateLink(ctx, store.CLIActor, p.supplier.ID, p.merchant.ID)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		account int64
		action  string
		want    string // state, or "" for a refusal
	}{
		{p.merchant.ID, store.LinkResume, ""},
		{p.merchant.ID, store.LinkPause, store.LinkPaused},
		{p.supplier.ID, store.LinkPause, ""},
		{0, store.LinkResume, store.LinkActive}, // the platform admin
		{p.supplier.ID, store.LinkAccept, ""},
		{p.supplier.ID, store.LinkEnd, store.LinkEnded},
		{0, store.LinkEnd, ""},
		{p.merchant.ID, store.LinkResume, ""},
	}
	for i, st := range steps {
		got, err := p.db.ChangeLink(ctx, store.CLIActor, st.account, l.ID, st.action)
		if st.want == "" {
			if !errors.Is(err, store.ErrConflict) || store.Message(err) == "" {
				t.Errorf("step %d %s: %v, want a conflict with a message", i, st.action, err)
			}
			continue
		}
		if err != nil || got.State != st.want {
			t.Errorf("step %d %s: %+v %v, want %s", i, st.action, got.State, err, st.want)
		}
	}
}

func TestLinkSettingsBelongToTheirSide(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	l, _ := p.db.CreateLink(ctx, store.CLIActor, p.supplier.ID, p.merchant.ID)
	if _, err := p.db.UpdateSupplierLinkSettings(ctx, p.mActor, p.merchant.ID, l.ID, store.SupplierLinkSettings{ShowPrices: true}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("merchant sets supplier settings: %v, want ErrNotFound", err)
	}
	if _, err := p.db.UpdateMerchantLinkSettings(ctx, p.sActor, p.supplier.ID, l.ID, store.MerchantLinkSettings{POFormat: "sequence"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("supplier sets merchant settings: %v, want ErrNotFound", err)
	}
	// Invalid values tell the other side nothing either: not found, no field messages.
	if _, err := p.db.UpdateMerchantLinkSettings(ctx, p.sActor, p.supplier.ID, l.ID, store.MerchantLinkSettings{ReleaseDelayMinutes: -5, POFormat: "weird"}); !errors.Is(err, store.ErrNotFound) || fields(err) != nil {
		t.Fatalf("supplier sets invalid merchant settings: %v, want ErrNotFound", err)
	}
	if _, err := p.db.UpdateSupplierLinkSettings(ctx, p.sActor, p.supplier.ID, l.ID, store.SupplierLinkSettings{ShowCustomerPhone: true, ShowPrices: true}); err != nil {
		t.Fatal(err)
	}
	_, err := p.db.UpdateMerchantLinkSettings(ctx, p.mActor, p.merchant.ID, l.ID, store.MerchantLinkSettings{ReleaseDelayMinutes: -5, POFormat: "weird", POPrefix: "P O"})
	for _, f := range []string{"release_delay_minutes", "po_format", "po_prefix"} {
		if fields(err)[f] == "" {
			t.Errorf("no message for %s in %v", f, err)
		}
	}
	if _, err := p.db.UpdateMerchantLinkSettings(ctx, p.mActor, p.merchant.ID, l.ID, store.MerchantLinkSettings{AutoDropship: true, ReleaseDelayMinutes: 15, POFormat: "channel", POPrefix: "NW-"}); err != nil {
		t.Fatal(err)
	}
	got, err := p.db.Link(ctx, p.supplier.ID, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.ShowCustomerPhone || got.ShowCustomerEmail || !got.ShowPrices || !got.AutoDropship || got.ReleaseDelayMinutes != 15 || got.POFormat != "channel" || got.POPrefix != "NW-" {
		t.Fatalf("link settings = %+v", got)
	}
	if ex := store.ExamplePONumber(store.MerchantLinkSettings{POFormat: "sequence", POPrefix: "PO-"}, "1001"); ex != "PO-000001" {
		t.Fatalf("sequence example %q, want PO-000001", ex)
	}
	if ex := store.ExamplePONumber(got.MerchantLinkSettings, "1001"); ex != "1001-1" {
		t.Fatalf("channel example %q, want 1001-1", ex)
	}
}
