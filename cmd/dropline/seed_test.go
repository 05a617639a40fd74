package main

import (
	"path/filepath"
	"testing"
)

func TestCLISeed(t *testing.T) {
	db := filepath.Join(t.TempDir(), "seed.db")
	out, err := cli(t, nil, "seed", "--orders", "500", "--products", "60", "--db", db)
	if err != nil {
		t.Fatalf("seed: %v %v", out, err)
	}
	accounts, _ := out["accounts"].([]any)
	merchants, suppliers, total := 0, 0, 0.0
	for i, x := range accounts {
		a := x.(map[string]any)
		for _, k := range []string{"id", "public_id", "kind", "name", "email", "password", "orders"} {
			if _, ok := a[k]; !ok {
				t.Errorf("account %d lacks %q: %v", i, k, a)
			}
		}
		switch a["kind"] {
		case "merchant":
			merchants++
			total += a["orders"].(float64)
			if merchants == 1 && a["orders"].(float64) != 100 {
				t.Errorf("first merchant has %v orders, want a fifth of 500", a["orders"])
			}
		case "supplier":
			suppliers++
		}
		// The printed login works.
		if u, err := cli(t, nil, "user", "create", "--db", db, "--account", a["public_id"].(string), "--email", a["email"].(string),
			"--password", "ignored for an existing user", "--role", "admin"); err == nil {
			t.Errorf("adding the seeded admin again should fail: %v", u)
		}
	}
	if merchants < 3 || suppliers < 3 || total != 500 {
		t.Errorf("%d merchants, %d suppliers, %v orders", merchants, suppliers, total)
	}
	if out["orders"].(float64) != 500 || out["seconds"] == nil {
		t.Errorf("output %v", out)
	}
	// A seeded database is not seeded again.
	again, err := cli(t, nil, "seed", "--orders", "10", "--products", "30", "--db", db)
	if err == nil {
		t.Fatalf("second seed succeeded: %v", again)
	}
	if e, _ := again["error"].(map[string]any); e["code"] != "conflict" {
		t.Errorf("second seed printed %v, want a conflict", again)
	}
}
