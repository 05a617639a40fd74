package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/dropline/dropline/store"
)

func statusNames(t *testing.T, db *store.DB, accountID int64) (active, retired []string, initial string) {
	t.Helper()
	ss, err := db.SupplierStatuses(context.Background(), accountID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		if s.Retired {
			retired = append(retired, s.Name)
		} else {
			active = append(active, s.Name)
		}
		if s.Initial {
			initial = s.Name
		}
	}
	return active, retired, initial
}

func TestSupplierStatuses(t *testing.T) {
	p := newPair(t)
	ctx := context.Background()
	db, sup := p.db, p.supplier.ID
	active, _, initial := statusNames(t, db, sup)
	if want := "New,Processing,Awaiting stock,Ready to ship"; join(active) != want || initial != "" {
		t.Fatalf("defaults %q initial %q, want %q and none", join(active), initial, want)
	}
	if ss, _ := db.SupplierStatuses(ctx, p.merchant.ID); len(ss) != 0 {
		t.Fatalf("a merchant account has %d statuses, want 0", len(ss))
	}
	for _, bad := range []string{"", "shipped", "new", "  Processing "} {
		if _, err := db.AddSupplierStatus(ctx, p.sActor, sup, bad); fields(err)["name"] == "" {
			t.Errorf("add %q: %v, want a name error", bad, err)
		}
	}
	bo, err := db.AddSupplierStatus(ctx, p.sActor, sup, "Backordered")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MoveSupplierStatus(ctx, p.sActor, sup, bo.ID, -1); err != nil {
		t.Fatal(err)
	}
	if err := db.RenameSupplierStatus(ctx, p.sActor, sup, bo.ID, "On backorder"); err != nil {
		t.Fatal(err)
	}
	ss, _ := db.SupplierStatuses(ctx, sup)
	newID := ss[0].ID
	if err := db.SetInitialStatus(ctx, p.sActor, sup, newID); err != nil {
		t.Fatal(err)
	}
	if err := db.RetireSupplierStatus(ctx, p.sActor, sup, newID); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("retire the initial status: %v, want ErrConflict", err)
	}
	if err := db.RetireSupplierStatus(ctx, p.sActor, sup, bo.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.SetInitialStatus(ctx, p.sActor, sup, bo.ID); fields(err)["status_id"] == "" {
		t.Fatalf("retired as initial: %v, want a field error", err)
	}
	active, retired, initial := statusNames(t, db, sup)
	if join(active) != "New,Processing,Awaiting stock,Ready to ship" || join(retired) != "On backorder" || initial != "New" {
		t.Fatalf("after changes: active %q retired %q initial %q", join(active), join(retired), initial)
	}
	if err := db.RestoreSupplierStatus(ctx, p.sActor, sup, bo.ID); err != nil {
		t.Fatal(err)
	}
	active, _, _ = statusNames(t, db, sup)
	if join(active) != "New,Processing,Awaiting stock,On backorder,Ready to ship" {
		t.Fatalf("after restore: %q (the moved-up position is kept)", join(active))
	}
	// Another supplier's status is not found.
	if err := db.RenameSupplierStatus(ctx, p.mActor, p.merchant.ID, bo.ID, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("merchant renames supplier's status: %v, want ErrNotFound", err)
	}
	other, _, _ := db.CreateAccountWithAdmin(ctx, store.CLIActor, store.NewAccount{Name: "Other", Kind: store.KindSupplier}, "o@example.com", pw)
	if err := db.SetInitialStatus(ctx, store.CLIActor, other.ID, bo.ID); fields(err)["status_id"] == "" {
		t.Fatalf("another supplier picks this status: %v, want a field error", err)
	}
}

func join(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += ","
		}
		out += s
	}
	return out
}
