package handlers

import (
	"strings"
	"time"
)

// zonedTime writes t as a time in loc followed by the zone, so that two
// accounts in different zones can compare what each sees: "2 Jan 2026 15:04
// CET", or "2 Jan 2026 15:04 UTC+03:00" where the zone has no abbreviation.
func zonedTime(t time.Time, loc *time.Location) string {
	local := t.In(loc)
	name, offset := local.Zone()
	if name == "" || strings.HasPrefix(name, "+") || strings.HasPrefix(name, "-") {
		name = "UTC"
		if offset != 0 {
			name += local.Format("-07:00")
		}
	}
	return local.Format("2 Jan 2006 15:04") + " " + name
}
