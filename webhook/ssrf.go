package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"

	"github.com/countersign/countersign"
)

// ErrBlockedAddress is wrapped by the errors of Guard.CheckIP, and so of a dial
// that Guard.Control refused.
var ErrBlockedAddress = errors.New("address not allowed for webhooks")

// Guard keeps deliveries away from the deployment's own network (server-side
// request forgery). It refuses loopback, private (RFC 1918, ULA), link-local,
// shared (CGNAT) and benchmarking addresses unless AllowPrivate is set, and it
// always refuses cloud metadata services, unspecified, "this network" (0/8),
// multicast, broadcast and reserved addresses, which are never a webhook
// receiver. IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64,
// 6to4) are judged by that IPv4 address.
//
// CheckURL runs when an endpoint is registered; Control runs on every connection,
// on the address actually dialled, so a name that later resolves elsewhere (DNS
// rebinding) is refused too. The zero Guard is the strict one.
type Guard struct {
	// AllowPrivate opens loopback, private, link-local and CGNAT addresses: for
	// tests and for deployments whose receivers live on their own network.
	AllowPrivate bool
	// AllowHTTP accepts http:// URLs at registration; AllowPrivate implies it.
	AllowHTTP bool
}

// rangeRule is one refused range; private ranges are opened by AllowPrivate.
type rangeRule struct {
	prefix  netip.Prefix
	what    string
	private bool
}

var rules = []rangeRule{
	{netip.MustParsePrefix("169.254.169.254/32"), "cloud metadata", false},
	{netip.MustParsePrefix("100.100.100.200/32"), "cloud metadata", false},
	{netip.MustParsePrefix("fd00:ec2::254/128"), "cloud metadata", false},
	{netip.MustParsePrefix("0.0.0.0/8"), "this-network", false},
	{netip.MustParsePrefix("255.255.255.255/32"), "broadcast", false},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved", false},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast", false},
	{netip.MustParsePrefix("ff00::/8"), "multicast", false},
	{netip.MustParsePrefix("::/128"), "unspecified", false},
	{netip.MustParsePrefix("100::/64"), "discard-only", false},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback", true},
	{netip.MustParsePrefix("::1/128"), "loopback", true},
	{netip.MustParsePrefix("10.0.0.0/8"), "private", true},
	{netip.MustParsePrefix("172.16.0.0/12"), "private", true},
	{netip.MustParsePrefix("192.168.0.0/16"), "private", true},
	{netip.MustParsePrefix("fc00::/7"), "private", true},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local", true},
	{netip.MustParsePrefix("fe80::/10"), "link-local", true},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared (CGNAT)", true},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol", true},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking", true},
}

// CheckIP returns nil if a delivery may connect to ip, and otherwise an error that
// wraps ErrBlockedAddress and says what kind of address it is.
func (g Guard) CheckIP(ip netip.Addr) error {
	if !ip.IsValid() {
		return fmt.Errorf("%w: invalid address", ErrBlockedAddress)
	}
	ip = ip.WithZone("")
	if v4, ok := embeddedIPv4(ip); ok {
		if err := g.CheckIP(v4); err != nil {
			return fmt.Errorf("%w, carried by %s", err, ip)
		}
	}
	for _, r := range rules {
		if r.prefix.Contains(ip) && !(r.private && g.AllowPrivate) {
			return fmt.Errorf("%w: %s is a %s address", ErrBlockedAddress, ip, r.what)
		}
	}
	return nil
}

var (
	nat64      = netip.MustParsePrefix("64:ff9b::/96")
	nat64Local = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour  = netip.MustParsePrefix("2002::/16")
	compatV4   = netip.MustParsePrefix("::/96")  // deprecated IPv4-compatible addresses
	v6Special  = netip.MustParsePrefix("::/127") // :: and ::1, judged as themselves
)

// embeddedIPv4 returns the IPv4 address an IPv6 address stands for, if any.
func embeddedIPv4(ip netip.Addr) (netip.Addr, bool) {
	if ip.Is4() {
		return netip.Addr{}, false
	}
	if ip.Is4In6() {
		return ip.Unmap(), true
	}
	b := ip.As16()
	switch {
	case nat64.Contains(ip), nat64Local.Contains(ip), compatV4.Contains(ip) && !v6Special.Contains(ip):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}

// Resolver looks up a host's addresses; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// CheckURL validates an endpoint URL at registration: absolute https (http only
// with AllowHTTP or AllowPrivate), a host, no user info, and a host whose every
// address passes CheckIP. A nil resolver means net.DefaultResolver. Errors are
// EVALIDATION errors about the field "url".
func (g Guard) CheckURL(ctx context.Context, rawURL string, resolver Resolver) error {
	invalid := func(format string, args ...any) error {
		return countersign.FieldErrorf(countersign.EVALIDATION, "url", format, args...)
	}
	if len(rawURL) > 2048 {
		return invalid("url is longer than 2048 characters")
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return invalid("url is not a valid URL")
	}
	switch scheme := strings.ToLower(u.Scheme); {
	case scheme == "https":
	case scheme == "http" && (g.AllowHTTP || g.AllowPrivate):
	case scheme == "http":
		return invalid("url must use https%s", PrivateTargetsHint)
	default:
		return invalid("url must be an absolute https URL")
	}
	if u.User != nil {
		return invalid("url must not contain user info; use custom headers for credentials")
	}
	host := u.Hostname()
	if host == "" {
		return invalid("url has no host")
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if err := g.CheckIP(ip); err != nil {
			return invalid("url host is not allowed: %v%s", err, g.hint(ip))
		}
		return nil
	}
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	addrs, err := resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return invalid("url host %q does not resolve", host)
	}
	if len(addrs) == 0 {
		return invalid("url host %q has no address", host)
	}
	for _, ip := range addrs {
		if err := g.CheckIP(ip); err != nil {
			return invalid("url host %q is not allowed: %v%s", host, err, g.hint(ip))
		}
	}
	return nil
}

// PrivateTargetsHint ends a refusal that the private-targets setting would
// lift (plain http, a loopback or private address), so that whoever tries a
// receiver on their own machine learns which setting opens it.
const PrivateTargetsHint = "; for local testing, start countersign with COUNTERSIGN_ALLOW_PRIVATE_TARGETS=true " +
	"(--allow-private-targets), which allows http:// and loopback or private addresses"

// hint returns PrivateTargetsHint when AllowPrivate would allow ip.
func (g Guard) hint(ip netip.Addr) string {
	if !g.AllowPrivate && (Guard{AllowPrivate: true}).CheckIP(ip) == nil {
		return PrivateTargetsHint
	}
	return ""
}

// Control refuses a connection to an address CheckIP refuses. Its signature is
// that of net.Dialer.Control, where the Sender puts it: the dialer calls it with
// the resolved IP of every address it tries, just before connecting.
func (g Guard) Control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse dialled address %q", ErrBlockedAddress, address)
	}
	return g.CheckIP(ap.Addr())
}
