package webhook_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/webhook"
)

func TestGuardCheckIP(t *testing.T) {
	tests := []struct {
		ip           string
		strict       bool // allowed by the zero Guard
		allowPrivate bool // allowed with AllowPrivate
	}{
		{"203.0.113.10", true, true},
		{"8.8.8.8", true, true},
		{"2001:4860:4860::8888", true, true},
		{"::ffff:8.8.8.8", true, true},
		{"127.0.0.1", false, true},
		{"127.255.255.254", false, true},
		{"::1", false, true},
		{"10.1.2.3", false, true},
		{"172.16.0.1", false, true},
		{"172.31.255.255", false, true},
		{"172.32.0.1", true, true},
		{"192.168.1.1", false, true},
		{"fc00::1", false, true},
		{"fd12:3456::1", false, true},
		{"169.254.1.1", false, true},
		{"fe80::1", false, true},
		{"fe80::1%eth0", false, true},
		{"100.64.0.1", false, true},
		{"100.127.255.255", false, true},
		{"100.128.0.1", true, true},
		{"198.18.0.1", false, true},
		{"169.254.169.254", false, false},
		{"100.100.100.200", false, false},
		{"fd00:ec2::254", false, false},
		{"0.0.0.0", false, false},
		{"0.1.2.3", false, false},
		{"::", false, false},
		{"224.0.0.1", false, false},
		{"239.255.255.250", false, false},
		{"ff02::1", false, false},
		{"255.255.255.255", false, false},
		{"240.0.0.1", false, false},
		// IPv6 forms that carry an IPv4 address.
		{"::ffff:127.0.0.1", false, true},
		{"::ffff:10.0.0.1", false, true},
		{"::ffff:169.254.169.254", false, false},
		{"::ffff:0.0.0.0", false, false},
		{"::ffff:100.64.0.1", false, true},
		{"::ffff:255.255.255.255", false, false},
		{"::127.0.0.1", false, true},
		{"64:ff9b::7f00:1", false, true},
		{"64:ff9b::a9fe:a9fe", false, false},
		{"64:ff9b::808:808", true, true},
		{"2002:7f00:1::", false, true},
		{"2002:a9fe:a9fe::", false, false},
		{"2002:808:808::", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			ip := netip.MustParseAddr(tt.ip)
			for _, g := range []struct {
				guard webhook.Guard
				want  bool
			}{{webhook.Guard{}, tt.strict}, {webhook.Guard{AllowPrivate: true}, tt.allowPrivate}} {
				err := g.guard.CheckIP(ip)
				if (err == nil) != g.want {
					t.Errorf("%+v.CheckIP(%s) = %v, want allowed %v", g.guard, tt.ip, err, g.want)
				}
				if err != nil && !errors.Is(err, webhook.ErrBlockedAddress) {
					t.Errorf("error %v does not wrap ErrBlockedAddress", err)
				}
			}
		})
	}
	if err := (webhook.Guard{AllowPrivate: true}).CheckIP(netip.Addr{}); err == nil {
		t.Error("the invalid address was allowed")
	}
}

// fakeResolver answers from a table, so that these tests use no DNS.
type fakeResolver map[string][]string

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	addrs, ok := f[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []netip.Addr
	for _, a := range addrs {
		out = append(out, netip.MustParseAddr(a))
	}
	return out, nil
}

func TestGuardCheckURL(t *testing.T) {
	resolver := fakeResolver{
		"hooks.example.com":    {"203.0.113.10", "2001:db8::10"},
		"internal.example.com": {"203.0.113.10", "10.0.0.5"},
		"localhost":            {"127.0.0.1", "::1"},
		"metadata.example.com": {"169.254.169.254"},
		"empty.example.com":    {},
	}
	strict, private, plain := webhook.Guard{}, webhook.Guard{AllowPrivate: true}, webhook.Guard{AllowHTTP: true}
	tests := []struct {
		name  string
		guard webhook.Guard
		url   string
		want  string // "" for allowed, else a part of the message
	}{
		{"https public", strict, "https://hooks.example.com/countersign", ""},
		{"https with port and query", strict, "https://hooks.example.com:8443/in?token=x", ""},
		{"public IP literal", strict, "https://203.0.113.10/in", ""},
		{"http refused", strict, "http://hooks.example.com/in", "https"},
		{"http with AllowHTTP", plain, "http://hooks.example.com/in", ""},
		{"http with AllowPrivate", private, "http://localhost:8080/in", ""},
		{"AllowHTTP opens no address", plain, "http://localhost/in", "loopback"},
		{"other scheme", strict, "ftp://hooks.example.com/", "https"},
		{"relative", strict, "/in", "https"},
		{"no host", strict, "https:///in", "no host"},
		{"user info", strict, "https://user:pass@hooks.example.com/", "user info"},
		{"unparsable", strict, "https://hooks.example.com/%zz", "not a valid URL"},
		{"too long", strict, "https://hooks.example.com/" + strings.Repeat("a", 2048), "longer"},
		{"loopback name", strict, "https://localhost/in", "loopback"},
		{"loopback literal", strict, "https://127.0.0.1/in", "loopback"},
		{"IPv6 loopback literal", strict, "https://[::1]/in", "loopback"},
		{"mapped loopback literal", strict, "https://[::ffff:127.0.0.1]/in", "loopback"},
		{"one private address of several", strict, "https://internal.example.com/", "private"},
		{"private allowed", private, "https://internal.example.com/", ""},
		{"metadata even when private allowed", private, "https://metadata.example.com/", "metadata"},
		{"metadata literal", private, "http://169.254.169.254/latest/meta-data", "metadata"},
		{"does not resolve", strict, "https://nothing.invalid/", "does not resolve"},
		{"no address", strict, "https://empty.example.com/", "no address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.guard.CheckURL(context.Background(), tt.url, resolver)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckURL = %v, want nil", err)
				}
				return
			}
			e := countersign.AsError(err)
			if e == nil || e.Code != countersign.EVALIDATION || e.Field != "url" {
				t.Fatalf("CheckURL = %v, want an EVALIDATION error on url", err)
			}
			if !strings.Contains(e.Message, tt.want) {
				t.Fatalf("message %q does not contain %q", e.Message, tt.want)
			}
		})
	}
}

// A dialer whose Control is the Guard's refuses a loopback listener unless the
// Guard allows private addresses, whatever the name resolved to.
func TestGuardControlRefusesAtConnect(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(addr)

	for _, target := range []string{addr, net.JoinHostPort("localhost", port)} {
		d := net.Dialer{Control: webhook.Guard{}.Control}
		conn, err := d.DialContext(context.Background(), "tcp", target)
		if err == nil {
			conn.Close()
			t.Fatalf("strict dial to %s succeeded", target)
		}
		if !errors.Is(err, webhook.ErrBlockedAddress) {
			t.Fatalf("strict dial to %s = %v, want ErrBlockedAddress", target, err)
		}
	}

	d := net.Dialer{Control: webhook.Guard{AllowPrivate: true}.Control}
	conn, err := d.DialContext(context.Background(), "tcp", addr)
	if err != nil {
		t.Fatalf("dial with AllowPrivate = %v", err)
	}
	conn.Close()
}
