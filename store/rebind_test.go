package store

import "testing"

func TestRebindSpellsTheStoresSQLForPostgres(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = $1 AND c = $2"},
		{"SELECT '?', \"?\" FROM t WHERE b = ? -- what?\nAND c = ?", "SELECT '?', \"?\" FROM t WHERE b = $1 -- what?\nAND c = $2"},
		{"SELECT 'it''s ?' WHERE x = ?", "SELECT 'it''s ?' WHERE x = $1"},
		{"WHERE a = ?1 AND b = ?3 AND c = ?2 AND d = ?", "WHERE a = $1 AND b = $3 AND c = $2 AND d = $4"},
		{"SELECT x.id FROM purchase_orders x INDEXED BY purchase_orders_key WHERE x.a = ?", "SELECT x.id FROM purchase_orders x WHERE x.a = $1"},
		{"WHERE id IN (SELECT CAST(value AS BIGINT) FROM json_each(?)) AND a = ?", "WHERE id IN (SELECT CAST(value AS BIGINT) FROM json_array_elements_text($1) AS json_each(value)) AND a = $2"},
		{"SELECT my_json_each(?)", "SELECT my_json_each($1)"},
		{"WHERE a IN (SELECT value FROM json_each(?1)) OR b IN (SELECT value FROM json_each(?1))", "WHERE a IN (SELECT value FROM json_array_elements_text($1) AS json_each(value)) OR b IN (SELECT value FROM json_array_elements_text($1) AS json_each(value))"},
		{"WHERE name LIKE ? ESCAPE '\\' AND title NOT LIKE 'LIKE' AND unlike = 1", "WHERE name ILIKE $1 ESCAPE '\\' AND title NOT ILIKE 'LIKE' AND unlike = 1"},
	} {
		if got := rebindText(c.in); got != c.want {
			t.Errorf("rebind(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}
