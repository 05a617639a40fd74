package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// openTemp is a store on a new file, closed when the test ends.
func openTemp(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// dbTime writes a time as the driver does, so text bound in its place
// stores the same value: in UTC and in another zone, with and without
// fractions of a second.
func TestDBTimeIsWhatTheDriverWrites(t *testing.T) {
	db := openTemp(t)
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

// A time read as text comes back as the driver would give it, NULL where
// allowed; anything else is an error, not a zero time.
func TestTextTimeReadsWhatTheDriverReads(t *testing.T) {
	db := openTemp(t)
	if _, err := db.write.Exec("CREATE TABLE x (at DATETIME)"); err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{time.Date(2026, 11, 21, 12, 0, 0, 123000000, time.UTC), "2026-11-21 12:00:00", "2026-11-21T12:00:00+02:00", "2026-11-21"} {
		if _, err := db.write.Exec("DELETE FROM x; INSERT INTO x VALUES (?)", v); err != nil {
			t.Fatal(err)
		}
		var driver, text time.Time
		if err := db.write.QueryRow("SELECT at, CAST(at AS TEXT) FROM x").Scan(&driver, textTime(&text)); err != nil {
			t.Fatalf("%v: %v", v, err)
		}
		if !text.Equal(driver) || text.Location().String() != driver.Location().String() {
			t.Errorf("%v: read as text %v, by the driver %v", v, text, driver)
		}
	}
	var null sql.NullTime
	var at time.Time
	if err := db.write.QueryRow("SELECT NULL").Scan(textNullTime(&null)); err != nil || null.Valid {
		t.Errorf("NULL: %v %v", null, err)
	}
	if err := db.write.QueryRow("SELECT NULL").Scan(textTime(&at)); err == nil {
		t.Error("NULL read into a time that cannot be NULL without an error")
	}
	if err := db.write.QueryRow("SELECT 'soon'").Scan(textTime(&at)); err == nil {
		t.Error("'soon' read as a time without an error")
	}
}

// saveShipments settles POs from what the check took off them, so a
// shipment not taken off its PO is refused before anything is written.
func TestSaveShipmentsRefusesAShipmentNotTaken(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	tx, err := db.begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	p := &shipPO{PurchaseOrder: PurchaseOrder{PONumber: "PO-000001"}, saved: map[string]bool{}}
	list := []newShipment{{po: p, sh: Shipment{Carrier: "ups", TrackingNumber: "1Z999AA10123456784"}}}
	err = db.saveShipments(ctx, tx, CLIActor, list, time.Now(), saveOpts{})
	if err == nil || !strings.Contains(err.Error(), "was not taken off PO-000001") {
		t.Fatalf("saved a shipment not taken off its PO: %v", err)
	}
}

// A second reader for a file's other half is taken only when one is free:
// the caller holds the write lock or a reader, and waiting would hold up
// others, or deadlock as many previews at once as there are readers.
func TestSideReaderDoesNotWaitForABusyPool(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	db.read.SetMaxOpenConns(1)
	held, err := db.read.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	side, _, err := db.sideReader(ctx)
	if err != nil || side != nil || time.Since(start) > 5*time.Second {
		t.Fatalf("every reader busy: got %v, %v after %s; want none at once", side, err, time.Since(start))
	}
	held.Close()
	side, release, err := db.sideReader(ctx)
	if err != nil || side == nil {
		t.Fatalf("a reader free: got %v, %v", side, err)
	}
	var one int
	if err := side.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("reading on it: %d %v", one, err)
	}
	release()
	// Released: the pool's one reader is free again.
	again, err := db.read.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	again.Close()
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := db.sideReader(gone); err == nil {
		t.Fatal("a cancelled request: no error")
	}
}
