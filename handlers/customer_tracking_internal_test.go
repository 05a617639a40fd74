package handlers

import (
	"testing"
	"time"

	"github.com/dropline/dropline/store"
)

// TestCustomerHeadline: the tracking page's first line for each state an
// order's parcels can be in, and parcel numbers that follow the order they
// were sent in, whichever email's parcel comes first.
func TestCustomerHeadline(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	parcel := func(id int64, delivered bool) store.CustomerParcel {
		p := store.CustomerParcel{Shipment: store.Shipment{ID: id, CarrierName: "UPS", TrackingNumber: "1Z", ShipDate: "2026-12-05"}}
		if delivered {
			p.DeliveredAt = &at
		}
		return p
	}
	more := []store.CustomerItem{{Name: "Mug", Quantity: 1}}
	for _, c := range []struct {
		parcels   []store.CustomerParcel
		toShip    []store.CustomerItem
		cancelled bool
		want      string
	}{
		{nil, more, false, "Your order is being prepared"},
		{nil, nil, true, "This order was cancelled"},
		{[]store.CustomerParcel{parcel(1, false)}, nil, false, "Your order is on its way"},
		{[]store.CustomerParcel{parcel(1, false)}, more, false, "Part of your order is on its way"},
		{[]store.CustomerParcel{parcel(1, false), parcel(2, false)}, nil, false, "Your order is on its way, in 2 parcels"},
		{[]store.CustomerParcel{parcel(1, true), parcel(2, false)}, nil, false, "1 of 2 parcels delivered"},
		{[]store.CustomerParcel{parcel(1, true)}, more, false, "Part of your order was delivered; the rest is still to ship"},
		{[]store.CustomerParcel{parcel(1, true), parcel(2, true)}, nil, false, "Delivered"},
	} {
		ct := store.CustomerTracking{Merchant: store.Account{Name: "Shop", TimeZone: "UTC"}, OrderNumber: "#1", Parcels: c.parcels, ToShip: c.toShip, Cancelled: c.cancelled}
		if got := customerTrackingView(ct).Headline; got != c.want {
			t.Errorf("%d parcels, %d to ship, cancelled %v: %q, want %q", len(c.parcels), len(c.toShip), c.cancelled, got, c.want)
		}
	}
	// The second parcel's email lists it first; it is still parcel 2.
	v := customerTrackingView(store.CustomerTracking{Merchant: store.Account{Name: "Shop"}, Parcels: []store.CustomerParcel{parcel(7, false), parcel(3, false)}})
	if v.Parcels[0].Nth != 2 || v.Parcels[1].Nth != 1 {
		t.Errorf("parcel numbers %d, %d; want 2, 1", v.Parcels[0].Nth, v.Parcels[1].Nth)
	}
}
