package handlers

import (
	"testing"
	"time"
)

func TestZonedTime(t *testing.T) {
	at := time.Date(2026, 1, 2, 14, 4, 0, 0, time.UTC)
	for zone, want := range map[string]string{
		"UTC":              "2 Jan 2026 14:04 UTC",
		"Europe/Berlin":    "2 Jan 2026 15:04 CET",
		"America/New_York": "2 Jan 2026 09:04 EST",
		"Asia/Dubai":       "2 Jan 2026 18:04 UTC+04:00", // no abbreviation in the zone database
		"Asia/Kolkata":     "2 Jan 2026 19:34 IST",
	} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		if got := zonedTime(at, loc); got != want {
			t.Errorf("%s: %q, want %q", zone, got, want)
		}
	}
}
