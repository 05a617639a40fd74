package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/dropline/dropline/store"
)

// TestDisabledAccountLocksOutAndKeepsData: a disabled account's sessions,
// API tokens and switcher entry stop working at once, its users' other
// accounts go on, its data stays; enabling it gives everything back.
func TestDisabledAccountLocksOutAndKeepsData(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	admin := store.Actor{Name: "root@example.com"}
	a, u, err := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Acme", Kind: store.KindMerchant}, "a@example.com", pw)
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Bravo", Kind: store.KindSupplier}, "b@example.com", pw)
	if _, err := db.AddMember(ctx, store.CLIActor, b.ID, store.NewMember{Email: u.Email, Role: store.RoleStaff}); err != nil {
		t.Fatal(err)
	}
	inA, _ := db.CreateSession(ctx, u.ID, a.ID)
	inB, _ := db.CreateSession(ctx, u.ID, b.ID)
	_, secret, err := db.CreateToken(ctx, store.CLIActor, a.ID, "ci")
	if err != nil {
		t.Fatal(err)
	}

	if _, err := db.SetAccountDisabled(ctx, admin, a.ID, true, "  "); fields(err)["reason"] == "" {
		t.Fatalf("disable with no reason: %v, want a reason asked for", err)
	}
	if got, _ := db.Account(ctx, a.ID); got.Disabled() {
		t.Fatal("a refused disable disabled the account")
	}
	got, err := db.SetAccountDisabled(ctx, admin, a.ID, true, "Chargebacks under review")
	if err != nil || !got.Disabled() {
		t.Fatalf("disable: %+v, %v", got, err)
	}
	if _, err := db.SessionByToken(ctx, inA); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("session in the disabled account: %v, want ErrNotFound", err)
	}
	if _, err := db.SessionByToken(ctx, inB); err != nil {
		t.Errorf("the user's session in another account ended: %v", err)
	}
	if _, err := db.AccountForToken(ctx, secret); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("API token of the disabled account: %v, want ErrNotFound", err)
	}
	ms, _ := db.Memberships(ctx, u.ID)
	if len(ms) != 1 || ms[0].Account.ID != b.ID {
		t.Errorf("memberships while disabled: %+v, want only Bravo", ms)
	}
	if n, err := db.DisabledMemberships(ctx, u.ID); n != 1 || err != nil {
		t.Errorf("disabled memberships %d, %v; want 1", n, err)
	}
	if err := db.SwitchAccount(ctx, inB, u.ID, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("switch into the disabled account: %v, want ErrNotFound", err)
	}
	// A fresh session made for it (a stale form) is refused too.
	late, _ := db.CreateSession(ctx, u.ID, a.ID)
	if _, err := db.SessionByToken(ctx, late); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("new session in the disabled account: %v, want ErrNotFound", err)
	}
	// The data stays.
	if members, err := db.Members(ctx, a.ID); err != nil || len(members) != 1 {
		t.Errorf("members of the disabled account: %d, %v", len(members), err)
	}
	d, err := db.AccountDisabled(ctx, a.ID)
	if err != nil || d.At == nil || d.By != admin.Name || d.Reason != "Chargebacks under review" {
		t.Errorf("who disabled it: %+v, %v", d, err)
	}
	log, _ := db.AuditLog(ctx, a.ID, 10)
	if len(log) == 0 || log[0].Action != "account.disabled" || log[0].Detail != "Chargebacks under review" || log[0].Actor != admin.Name {
		t.Errorf("audit after disabling: %+v", log)
	}
	// A second click changes nothing.
	if _, err := db.SetAccountDisabled(ctx, admin, a.ID, true, "again"); err != nil {
		t.Fatal(err)
	}
	if again, _ := db.AuditLog(ctx, a.ID, 10); len(again) != len(log) {
		t.Errorf("disabling twice wrote %d audit entries, want %d", len(again), len(log))
	}

	if _, err := db.SetAccountDisabled(ctx, admin, a.ID, false, ""); err != nil {
		t.Fatal(err)
	}
	if acc, err := db.AccountForToken(ctx, secret); err != nil || acc.ID != a.ID {
		t.Errorf("API token after enabling: %v", err)
	}
	if ms, _ := db.Memberships(ctx, u.ID); len(ms) != 2 {
		t.Errorf("memberships after enabling: %d, want 2", len(ms))
	}
	if d, _ := db.AccountDisabled(ctx, a.ID); d.At != nil || d.Reason != "" {
		t.Errorf("after enabling: %+v", d)
	}
	if _, err := db.SetAccountDisabled(ctx, admin, 999999, true, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("disable a missing account: %v, want ErrNotFound", err)
	}
}

func TestSearchAccountsByNameIDOrUserEmail(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	a, _, _ := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Harbour & Pine", Kind: store.KindMerchant}, "ops@harbour.example", pw)
	b, _, _ := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Northwind 100%", Kind: store.KindSupplier}, "desk@northwind.example", pw)
	names := func(q string) []string {
		t.Helper()
		rows, err := db.SearchAccounts(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, r.Name)
		}
		return out
	}
	for q, want := range map[string][]string{
		"harbour":             {a.Name},
		"PINE":                {a.Name},
		b.PublicID:            {b.Name},
		"desk@northwind":      {b.Name},
		"100%":                {b.Name}, // % is a character here, not a wildcard
		"%":                   {b.Name},
		"nobody":              nil,
		"":                    {b.Name, a.Name}, // newest first
		"  harbour.example  ": {a.Name},
	} {
		got := names(q)
		if len(got) != len(want) {
			t.Errorf("search %q: %q, want %q", q, got, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("search %q: %q, want %q", q, got, want)
			}
		}
	}
	rows, _ := db.SearchAccounts(ctx, "harbour")
	if len(rows) != 1 || rows[0].Members != 1 || rows[0].PublicID != a.PublicID {
		t.Errorf("summary: %+v", rows)
	}
}

func TestAccountCountryIsChecked(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	a, _, _ := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "A", Kind: store.KindMerchant}, "a@example.com", pw)
	in := store.AccountSettings{Name: "A", TimeZone: "Europe/Berlin", Country: "de"}
	if _, err := db.UpdateAccountSettings(ctx, store.CLIActor, a.ID, in); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Account(ctx, a.ID); got.Country != "DE" {
		t.Errorf("country %q, want DE", got.Country)
	}
	in.Country = "XX"
	if _, err := db.UpdateAccountSettings(ctx, store.CLIActor, a.ID, in); fields(err)["country"] == "" {
		t.Errorf("country XX: %v, want a field error", err)
	}
	if got, _ := db.Account(ctx, a.ID); got.Country != "DE" {
		t.Errorf("a refused change left country %q", got.Country)
	}
	in.Country = ""
	if _, err := db.UpdateAccountSettings(ctx, store.CLIActor, a.ID, in); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Account(ctx, a.ID); got.Country != "" {
		t.Errorf("country %q after clearing it", got.Country)
	}
}
