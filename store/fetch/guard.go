package fetch

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"syscall"
)

// forbiddenPrefixes are networks a feed server must not be on: everything
// that is not the public internet. The list is deliberately wider than
// "private": reserved, documentation and benchmarking ranges are refused too,
// since no real feed lives there.
var forbiddenPrefixes = func() []netip.Prefix {
	list := []string{
		// IPv4
		"0.0.0.0/8",       // "this network", includes the unspecified 0.0.0.0
		"10.0.0.0/8",      // RFC 1918 private
		"100.64.0.0/10",   // RFC 6598 carrier-grade NAT
		"127.0.0.0/8",     // loopback
		"169.254.0.0/16",  // link-local (cloud metadata lives at 169.254.169.254)
		"172.16.0.0/12",   // RFC 1918 private
		"192.0.0.0/24",    // IETF protocol assignments
		"192.0.2.0/24",    // TEST-NET-1 documentation
		"192.168.0.0/16",  // RFC 1918 private
		"198.18.0.0/15",   // benchmarking
		"198.51.100.0/24", // TEST-NET-2 documentation
		"203.0.113.0/24",  // TEST-NET-3 documentation
		"224.0.0.0/4",     // multicast
		"240.0.0.0/4",     // reserved, includes the broadcast 255.255.255.255
		// IPv6
		"::/96",          // unspecified ::, loopback ::1 and deprecated IPv4-compatible ::a.b.c.d
		"100::/64",       // discard-only
		"64:ff9b:1::/48", // local-use NAT64
		"2001::/32",      // Teredo tunnels (embedded addresses are obfuscated, so refuse all)
		"2001:db8::/32",  // documentation
		"fc00::/7",       // RFC 4193 unique local
		"fe80::/10",      // link-local
		"fec0::/10",      // deprecated site-local
		"ff00::/8",       // multicast
	}
	out := make([]netip.Prefix, len(list))
	for i, s := range list {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}()

var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96") // well-known NAT64: last 32 bits are an IPv4 address
	sixToFour   = netip.MustParsePrefix("2002::/16")    // 6to4: bits 16-47 are an IPv4 address
	siitPrefix  = netip.MustParsePrefix("::ffff:0:0:0/96")
)

// forbiddenAddr reports whether a connection to ip must be refused because
// it is not a public internet address. IPv4-mapped, NAT64, SIIT and 6to4
// IPv6 addresses are judged by the IPv4 address they carry. An invalid
// address is forbidden (fail closed).
func forbiddenAddr(ip netip.Addr) bool {
	if !ip.IsValid() {
		return true
	}
	ip = ip.WithZone("")
	if ip.Is4In6() {
		ip = ip.Unmap()
	}
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64Prefix.Contains(ip), siitPrefix.Contains(ip):
			return forbiddenAddr(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
		case sixToFour.Contains(ip):
			return forbiddenAddr(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
		}
	}
	// The standard library's own classes first, then the explicit table.
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsMulticast() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() {
		return true
	}
	for _, p := range forbiddenPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// dialControl returns a net.Dialer Control hook that refuses forbidden
// addresses. It runs after name resolution and before connect(2), on the
// exact IP about to be dialled, so DNS rebinding, redirects to private hosts
// and odd spellings such as http://0x7f000001/ are all caught and no packet
// is sent. allow, when non-nil, exempts addresses (tests only).
func dialControl(allow func(netip.Addr) bool) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: cannot parse dial address %q", errForbiddenAddress, address)
		}
		if allow != nil && allow(ap.Addr()) {
			return nil
		}
		if forbiddenAddr(ap.Addr()) {
			return fmt.Errorf("%w: %s", errForbiddenAddress, ap.Addr())
		}
		return nil
	}
}

// PrivateHost reports whether a URL's host (as url.URL.Hostname returns it)
// names a private, local or reserved address on its face: localhost, or a
// literal IP address the dial guard refuses. It resolves nothing: a name
// that resolves to such an address is refused when it is dialled.
func PrivateHost(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && forbiddenAddr(ip)
}

// IsForbiddenAddress reports whether err is the guard refusing to dial a
// private, local or reserved address.
func IsForbiddenAddress(err error) bool { return errors.Is(err, errForbiddenAddress) }
