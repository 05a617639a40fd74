package views

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestCountAgreesWithItsNumber(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 rows"}, {1, "1 row"}, {2, "2 rows"}, {10000, "10,000 rows"}, {1234567, "1,234,567 rows"}, {-1500, "-1,500 rows"}} {
		if got := count(c.n, "row", "rows"); got != c.want {
			t.Errorf("count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	var b bytes.Buffer
	if err := TrackingUploadResult("csrf", TrackingUploadView{Token: "t", Filename: "f.csv", Applied: true, Shipments: 1, OK: 1, Errors: 1}).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "1 shipment saved from 1 row; 1 row with errors was skipped.") {
		t.Errorf("applied summary:\n%s", b.String())
	}
}
