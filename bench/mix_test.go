package bench

import (
	"testing"
	"time"
)

func TestParseMix(t *testing.T) {
	cases := []struct {
		in      string
		want    mix
		wantErr bool
	}{
		{"", mix{SlowDelay: 200 * time.Millisecond}, false},
		{"slow=0.05:300ms,error=0.02,timeout=0.01", mix{Slow: 0.05, SlowDelay: 300 * time.Millisecond, Error: 0.02, Timeout: 0.01}, false},
		{"error=0.5", mix{SlowDelay: 200 * time.Millisecond, Error: 0.5}, false},
		{"slow=0.1:2s,timeout=0.1", mix{}, true}, // slower than the 1 s timeout
		{"error=2", mix{}, true},
		{"error=0.6,timeout=0.6", mix{}, true},
		{"lag=0.1", mix{}, true},
		{"error=0.1:5ms", mix{}, true},
		{"error", mix{}, true},
	}
	for _, c := range cases {
		got, err := parseMix(c.in)
		if (err != nil) != c.wantErr || (!c.wantErr && got != c.want) {
			t.Errorf("parseMix(%q) = %+v, %v", c.in, got, err)
		}
	}
	m := mix{Slow: 0.1, Error: 0.1, Timeout: 0.1}
	for u, want := range map[float64]answerKind{0.05: answerSlow, 0.15: answerError, 0.25: answerTimeout, 0.35: answerOK} {
		if got := m.pick(u); got != want {
			t.Errorf("pick(%g) = %s, want %s", u, answerNames[got], answerNames[want])
		}
	}
}
