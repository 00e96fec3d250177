package console

import (
	"strings"
	"testing"
	"time"
)

func TestSessionsExpireWhenIdleOrOld(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := newSessions(30*time.Minute, 12*time.Hour, func() time.Time { return now })
	raw, ss := s.create(Identity{Caller: Caller{WorkspaceID: "wsp_1", KeyID: "key_1"}})
	if ss.hash == raw || strings.Contains(ss.hash, raw) {
		t.Fatal("the store keeps the cookie value, not its hash")
	}
	for k := range s.byHash {
		if k == raw {
			t.Fatal("the store is keyed by the cookie value")
		}
	}
	now = now.Add(29 * time.Minute)
	if _, ok := s.get(raw); !ok {
		t.Fatal("a session used 29 minutes ago ended")
	}
	now = now.Add(31 * time.Minute)
	if _, ok := s.get(raw); ok {
		t.Fatal("a session idle for 31 minutes lives")
	}
	if s.count() != 0 {
		t.Fatal("an expired session is kept")
	}

	raw, _ = s.create(Identity{})
	for i := 0; i < 24; i++ {
		now = now.Add(29 * time.Minute)
		if _, ok := s.get(raw); !ok {
			t.Fatalf("a used session ended after %d×29 minutes", i+1)
		}
	}
	now = now.Add(29 * time.Minute)
	if _, ok := s.get(raw); ok {
		t.Fatal("a session lives past its absolute expiry")
	}
	if _, ok := s.get("made-up"); ok {
		t.Fatal("an unknown cookie opens a session")
	}
}

func TestCSRFTokenComparison(t *testing.T) {
	s := newSessions(time.Hour, time.Hour, time.Now)
	_, ss := s.create(Identity{})
	_, other := s.create(Identity{})
	if !ss.validCSRF(ss.csrf) {
		t.Fatal("the session's own token is refused")
	}
	for _, bad := range []string{"", other.csrf, ss.csrf[:10], ss.csrf + "x"} {
		if ss.validCSRF(bad) {
			t.Errorf("token %q accepted", bad)
		}
	}
}

func TestSafeNextStaysInTheConsole(t *testing.T) {
	for in, want := range map[string]string{
		"/console/events?type=a.*": "/console/events?type=a.*",
		"https://evil.example/":    "",
		"//evil.example/console/":  "",
		"/v1/api-keys":             "",
		"/console/\\evil":          "",
		"":                         "",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSparklineAndColumns(t *testing.T) {
	if got := sparkline([]float64{0, 10, 5}, 80, 20); got != "0.0,19.0 40.0,1.0 80.0,10.0" {
		t.Errorf("sparkline = %q", got)
	}
	c := stackedColumns([]string{"a", "b"}, []series{{Name: "ok", Class: "s-ok", Values: []int{2, 0}},
		{Name: "bad", Class: "s-bad", Values: []int{2, 1}}}, 1)
	if c.Max != 4 || len(c.Bars) != 3 {
		t.Fatalf("columns: max %d, %d bars", c.Max, len(c.Bars))
	}
	if c.Bars[0].H != c.Bars[1].H || c.Bars[0].Y <= c.Bars[1].Y {
		t.Errorf("stacked bars of equal values: %+v", c.Bars[:2])
	}
}
