package store

import (
	"slices"
	"testing"
	"time"
)

// Tables come after the tables their foreign keys name; a cycle is broken
// by deferring the constraints on it, and only those.
func TestCopyOrderFollowsForeignKeysAndBreaksCycles(t *testing.T) {
	fk := func(name, parent string) pgForeignKey { return pgForeignKey{name: name, parent: parent} }
	tables := map[string]*pgTable{
		"accounts":          {name: "accounts", parents: []pgForeignKey{fk("accounts_initial_status_id_fkey", "supplier_statuses")}},
		"supplier_statuses": {name: "supplier_statuses", parents: []pgForeignKey{fk("supplier_statuses_account_id_fkey", "accounts")}},
		"account_carriers":  {name: "account_carriers", parents: []pgForeignKey{fk("account_carriers_account_id_fkey", "accounts")}},
		"users":             {name: "users"},
		"memberships":       {name: "memberships", parents: []pgForeignKey{fk("memberships_account_id_fkey", "accounts"), fk("memberships_user_id_fkey", "users")}},
		"orders":            {name: "orders", parents: []pgForeignKey{fk("orders_account_id_fkey", "accounts")}},
		"purchase_orders": {name: "purchase_orders", parents: []pgForeignKey{fk("purchase_orders_order_id_fkey", "orders"),
			fk("purchase_orders_supplier_status_id_fkey", "supplier_statuses")}},
	}
	order, deferred := copyOrder(tables)
	if len(order) != len(tables) {
		t.Fatalf("order %v", order)
	}
	skip := map[string]bool{}
	for _, d := range deferred {
		skip[d] = true
	}
	if !slices.Equal(deferred, []string{"accounts_initial_status_id_fkey"}) {
		t.Fatalf("deferred %v, want the accounts → supplier_statuses constraint alone", deferred)
	}
	for i, name := range order {
		for _, p := range tables[name].parents {
			if j := slices.Index(order, p.parent); j > i && !skip[p.name] {
				t.Errorf("%s (at %d) comes before %s (at %d), which it refers to", name, i, p.parent, j)
			}
		}
	}
	again, _ := copyOrder(tables)
	if !slices.Equal(order, again) {
		t.Fatalf("two orders: %v and %v", order, again)
	}
}

func TestCopyValueConvertsByTheTargetType(t *testing.T) {
	at := time.Date(2026, 12, 6, 10, 0, 0, 123456000, time.UTC)
	cases := []struct {
		in   any
		typ  string
		want any
	}{
		{nil, "bigint", nil},
		{int64(7), "bigint", int64(7)},
		{"42", "bigint", int64(42)},
		{float64(3), "bigint", int64(3)},
		{"text", "text", "text"},
		{[]byte("bytes as text"), "text", "bytes as text"},
		{[]byte{0, 0xff}, "bytea", []byte{0, 0xff}},
		{"str", "bytea", []byte("str")},
		{at, "timestamp with time zone", at},
		{"2026-12-06 10:00:00.123456+00:00", "timestamp with time zone", at},
		{"2026-12-06 11:00:00.123456+01:00", "timestamp with time zone", at},
		{"2026-12-06T10:00:00.123456Z", "timestamp with time zone", at},
		{"2026-12-06 10:00:00.123456", "timestamp with time zone", at},          // no zone: UTC, as SQLite takes it
		{"2026-12-06 10:00:00.123456001+00:00", "timestamp with time zone", at}, // to the microsecond
		{at.Add(time.Nanosecond).In(time.FixedZone("X", 3600)), "timestamp with time zone", at},
	}
	for _, c := range cases {
		got, err := copyValue(c.in, c.typ)
		if err != nil {
			t.Errorf("copyValue(%#v, %s): %v", c.in, c.typ, err)
			continue
		}
		switch w := c.want.(type) {
		case time.Time:
			g, ok := got.(time.Time)
			if !ok || !g.Equal(w) || g.Location() != time.UTC {
				t.Errorf("copyValue(%#v, %s) = %#v, want %v in UTC", c.in, c.typ, got, w)
			}
		case []byte:
			if g, ok := got.([]byte); !ok || string(g) != string(w) {
				t.Errorf("copyValue(%#v, %s) = %#v, want %#v", c.in, c.typ, got, w)
			}
		default:
			if got != c.want {
				t.Errorf("copyValue(%#v, %s) = %#v, want %#v", c.in, c.typ, got, c.want)
			}
		}
	}
	for _, c := range []struct {
		in  any
		typ string
	}{
		{"yesterday", "timestamp with time zone"},
		{"4.5", "bigint"},
		{float64(4.5), "bigint"},
		{int64(1), "bytea"},
		{int64(1), "jsonb"},
	} {
		if got, err := copyValue(c.in, c.typ); err == nil {
			t.Errorf("copyValue(%#v, %s) = %#v, want an error", c.in, c.typ, got)
		}
	}
}

// The digest is of the rows, not their order, and sees every value.
func TestCopyDigest(t *testing.T) {
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	rows := [][]any{{int64(1), "a", at, nil}, {int64(2), []byte("b"), at, int64(0)}, {int64(3), "", at, "x"}}
	var a, b, c copyDigest
	for _, r := range rows {
		a.add(r)
	}
	for i := len(rows) - 1; i >= 0; i-- {
		b.add(rows[i])
	}
	if a != b {
		t.Fatalf("order changed the digest: %s, %s", a, b)
	}
	// The same instant in another zone, text as bytes: the same digest.
	c.add([]any{int64(2), "b", at.In(time.FixedZone("X", -5*3600)), int64(0)})
	c.add([]any{int64(3), []byte(""), at, "x"})
	c.add([]any{int64(1), []byte("a"), at, nil})
	if a != c {
		t.Fatalf("representation changed the digest: %s, %s", a, c)
	}
	for _, changed := range [][]any{{int64(1), "a", at.Add(time.Microsecond), nil}, {int64(1), "a", at, ""}, {int64(1), "A", at, nil}} {
		var d copyDigest
		d.add(changed)
		d.add(rows[1])
		d.add(rows[2])
		if d == a {
			t.Errorf("row %v changed, the digest did not", changed)
		}
	}
}
