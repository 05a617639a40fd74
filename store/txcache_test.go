package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// dbTime writes a time as the driver does, so text bound in its place
// stores the same value: in UTC and in another zone, with and without
// fractions of a second.
func TestDBTimeIsWhatTheDriverWrites(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	for _, x := range []time.Time{
		time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 21, 12, 0, 0, 123456789, time.UTC),
		time.Date(2026, 7, 1, 8, 30, 5, 500000000, paris),
		time.Now(),
	} {
		var stored string
		if err := db.write.QueryRow("SELECT CAST(? AS TEXT)", x).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if got := dbTime(x); got != stored {
			t.Errorf("dbTime(%v) = %q, the driver writes %q", x, got, stored)
		}
	}
}
