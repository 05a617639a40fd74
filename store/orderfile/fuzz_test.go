package orderfile

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// cloneOrder copies an order deeply enough for a before/after comparison.
func cloneOrder(o Order) Order {
	o.Lines = slices.Clone(o.Lines)
	return o
}

// checkValid fails unless o passes Validate without being changed by it.
func checkValid(t *testing.T, o Order) {
	t.Helper()
	c := cloneOrder(o)
	if errs := c.Validate(); errs != nil {
		t.Fatalf("returned order %q fails Validate: %v", o.ChannelOrderID, errs)
	}
	if !reflect.DeepEqual(c, o) {
		t.Fatalf("Validate changed a returned order:\nbefore %+v\nafter  %+v", o, c)
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add(CSVTemplate())
	f.Add(header + "A," + shipRow + ",S1,,1,1.00,\nB," + shipRow + ",S2,,2,2.00,\nA,,,,,,,,,,S3,,3,3.00,\n")
	f.Add("\xEF\xBB\xBF" + strings.ReplaceAll(strings.ReplaceAll(CSVTemplate(), ",", ";"), "\n", "\r\n"))
	f.Add(header + "1,31/12/2024,tiktok,XYZ,a@,,,,,Narnia,,,x,abc,\n,\n")
	f.Add("order_number;sku;quantity;unit_price\n1;A;2;1.299,50\n1;B;1.0;\"3\"\n")
	f.Add("")
	f.Add("order_number,sku,quantity\n\"1\n2\",A,1\n")
	f.Fuzz(func(t *testing.T, in string) {
		orders, rejected, err := ReadCSV(strings.NewReader(in))
		if err != nil {
			if orders != nil || rejected != nil {
				t.Fatalf("error %v with orders %v and rejected %v", err, orders, rejected)
			}
			return
		}
		ids := map[string]bool{}
		for _, o := range orders {
			checkValid(t, o)
			if ids[o.ChannelOrderID] {
				t.Fatalf("order %q returned twice", o.ChannelOrderID)
			}
			ids[o.ChannelOrderID] = true
		}
		for _, r := range rejected {
			if len(r.Errors) == 0 || len(r.Lines) == 0 {
				t.Fatalf("rejected %q without errors or lines: %+v", r.ChannelOrderID, r)
			}
			for _, e := range r.Errors {
				if e.Message == "" || !slices.Contains(r.Lines, e.Line) {
					t.Fatalf("rejected %q: error %+v is not on one of its lines %v", r.ChannelOrderID, e, r.Lines)
				}
			}
		}
	})
}

func FuzzParseShopifyOrder(f *testing.F) {
	f.Add([]byte(shopifyPayload))
	f.Add([]byte(`{"order": ` + shopifyPayload + `}`))
	f.Add([]byte(`{"id": "1", "shipping_address": {"name": "A", "address1": "B", "city": "C", "country": "HK"}, "line_items": [{"title": "T", "quantity": "1", "price": 0}], "currency": "HKD"}`))
	f.Add([]byte(`{"orders": []}`))
	f.Add([]byte(`null`))
	for _, name := range []string{"order.json", "orders.json"} {
		if b, err := os.ReadFile(filepath.Join(shopifyFixtures, name)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := ParseShopifyOrder(body)
		if err != nil {
			if !reflect.DeepEqual(o, Order{}) {
				t.Fatalf("error %v with a non-zero order %+v", err, o)
			}
			return
		}
		if o.Channel != "shopify" {
			t.Fatalf("Channel = %q, want shopify", o.Channel)
		}
		checkValid(t, o)
	})
}
