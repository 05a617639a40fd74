package fetch

import (
	"errors"
	"net/netip"
	"testing"
)

func TestForbiddenAddr(t *testing.T) {
	tests := []struct {
		addr string
		want bool // true: refused
	}{
		// IPv4 public
		{"8.8.8.8", false},
		{"1.1.1.1", false},
		{"93.184.215.14", false},
		{"172.15.255.255", false}, // just below 172.16/12
		{"172.32.0.1", false},     // just above 172.16/12
		{"100.63.255.255", false}, // just below CGNAT
		{"100.128.0.1", false},    // just above CGNAT
		{"223.255.255.255", false},
		// IPv4 refused
		{"127.0.0.1", true},
		{"127.255.255.254", true},
		{"10.0.0.1", true},
		{"10.255.255.255", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.168.1.1", true},
		{"169.254.169.254", true}, // cloud metadata
		{"100.64.0.1", true},
		{"100.127.255.255", true},
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"224.0.0.1", true},
		{"239.255.255.250", true},
		{"240.0.0.1", true},
		{"255.255.255.255", true},
		{"192.0.0.170", true},
		{"192.0.2.1", true},
		{"198.18.0.1", true},
		{"198.51.100.7", true},
		{"203.0.113.9", true},
		// IPv6 public
		{"2001:4860:4860::8888", false},
		{"2606:4700:4700::1111", false},
		{"2a00:1450:4001:80b::200e", false},
		// IPv6 refused
		{"::1", true},
		{"::", true},
		{"fc00::1", true},
		{"fd12:3456:789a::1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"febf::1", true},
		{"fec0::1", true},
		{"ff02::1", true},
		{"ff05::2", true},
		{"100::1", true},
		{"2001:db8::1", true},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", true}, // Teredo
		{"64:ff9b:1::1", true},
		// IPv4-mapped and other IPv6 forms carrying an IPv4 address
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"::ffff:169.254.169.254", true},
		{"::ffff:192.168.0.1", true},
		{"::ffff:0.0.0.0", true},
		{"::ffff:8.8.8.8", false},
		{"::127.0.0.1", true},       // deprecated IPv4-compatible
		{"64:ff9b::a00:1", true},    // NAT64 of 10.0.0.1
		{"64:ff9b::7f00:1", true},   // NAT64 of 127.0.0.1
		{"64:ff9b::808:808", false}, // NAT64 of 8.8.8.8
		{"2002:a00:1::1", true},     // 6to4 of 10.0.0.1
		{"2002:808:808::1", false},  // 6to4 of 8.8.8.8
		{"::ffff:0:a00:1", true},    // SIIT of 10.0.0.1
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			ip := netip.MustParseAddr(tt.addr)
			if got, want := forbiddenAddr(ip), tt.want; got != want {
				t.Errorf("forbiddenAddr(%s): got %v, want %v", tt.addr, got, want)
			}
		})
	}
	if got, want := forbiddenAddr(netip.Addr{}), true; got != want {
		t.Errorf("forbiddenAddr(invalid): got %v, want %v", got, want)
	}
}

// TestDialControl calls the hook the way net.Dialer does, after resolution
// and before connect; nothing is dialled here.
func TestDialControl(t *testing.T) {
	tests := []struct {
		address string
		allow   func(netip.Addr) bool
		wantErr bool
	}{
		{"93.184.215.14:443", nil, false},
		{"[2001:4860:4860::8888]:80", nil, false},
		{"127.0.0.1:80", nil, true},
		{"10.0.0.1:80", nil, true},
		{"[::1]:80", nil, true},
		{"[::ffff:127.0.0.1]:80", nil, true},
		{"[fe80::1%eth0]:80", nil, true},
		{"not an address", nil, true},
		{"127.0.0.1:80", func(a netip.Addr) bool { return a == netip.MustParseAddr("127.0.0.1") }, false},
		{"[::1]:80", func(a netip.Addr) bool { return a == netip.MustParseAddr("127.0.0.1") }, true},
	}
	for _, tt := range tests {
		t.Run(tt.address, func(t *testing.T) {
			err := dialControl(tt.allow)("tcp", tt.address, nil)
			if got, want := err != nil, tt.wantErr; got != want {
				t.Fatalf("error: got %v, want error %v", err, want)
			}
			if err != nil && !errors.Is(err, errForbiddenAddress) {
				t.Errorf("errors.Is(%v, errForbiddenAddress): got false, want true", err)
			}
		})
	}
}
