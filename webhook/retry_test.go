package webhook_test

import (
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/webhook"
)

func TestDefaultSchedule(t *testing.T) {
	const want = "0s,5s,5m0s,30m0s,2h0m0s,5h0m0s,10h0m0s,10h0m0s"
	if got := webhook.DefaultSchedule.String(); got != want {
		t.Fatalf("DefaultSchedule = %s, want %s", got, want)
	}
	if n := webhook.DefaultSchedule.Attempts(); n != 8 {
		t.Fatalf("Attempts = %d, want 8", n)
	}
}

func TestParseSchedule(t *testing.T) {
	tests := []struct {
		in      string
		want    string // String() of the result, or "" for an error
		errText string // in the error
	}{
		{"0s,1s,2s", "0s,1s,2s", ""},
		{" 0s , 5s,5m ", "0s,5s,5m0s", ""},
		{"1h30m", "1h30m0s", ""},
		{webhook.DefaultSchedule.String(), webhook.DefaultSchedule.String(), ""},
		{"", "", "empty"},
		{"  ", "", "empty"},
		{"0s,,2s", "", "item 2 is empty"},
		{"0s,1s,", "", "item 3 is empty"},
		{"0s,-1s", "", `item 2 ("-1s") is negative`},
		{"0s,5x", "", `item 2 ("5x")`},
		{"soon", "", `item 1 ("soon")`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			s, err := webhook.ParseSchedule(tt.in)
			if tt.want != "" {
				if err != nil || s.String() != tt.want {
					t.Fatalf("ParseSchedule = %v, %v; want %s", s, err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errText) {
				t.Fatalf("ParseSchedule error = %v, want one containing %q", err, tt.errText)
			}
		})
	}
}

func TestScheduleDelay(t *testing.T) {
	s := webhook.Schedule{0, 10 * time.Second, time.Minute}
	fixed := func(f float64) func() float64 { return func() float64 { return f } }
	tests := []struct {
		name    string
		attempt int
		rnd     float64
		want    time.Duration
		ok      bool
	}{
		{"first attempt is immediate", 1, 0.99, 0, true},
		{"lowest jitter", 2, 0, 8 * time.Second, true},
		{"no jitter", 2, 0.5, 10 * time.Second, true},
		{"highest jitter", 3, 1, 72 * time.Second, true},
		{"exhausted", 4, 0.5, 0, false},
		{"attempt zero", 0, 0.5, 0, false},
		{"negative attempt", -1, 0.5, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := s.Delay(tt.attempt, fixed(tt.rnd))
			if got != tt.want || ok != tt.ok {
				t.Fatalf("Delay(%d) = %v, %v; want %v, %v", tt.attempt, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestScheduleDelayJitterBounds(t *testing.T) {
	for attempt := 2; attempt <= webhook.DefaultSchedule.Attempts(); attempt++ {
		base := webhook.DefaultSchedule[attempt-1]
		for range 200 {
			d, ok := webhook.DefaultSchedule.Delay(attempt, nil)
			if !ok || d < base*8/10 || d > base*12/10 {
				t.Fatalf("Delay(%d) = %v, %v; want within 20%% of %v", attempt, d, ok, base)
			}
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		h        string
		min, max time.Duration
		want     time.Duration
		ok       bool
	}{
		{"seconds", "120", 0, time.Hour, 2 * time.Minute, true},
		{"seconds with spaces", " 30 ", 0, time.Hour, 30 * time.Second, true},
		{"zero raised to min", "0", 5 * time.Second, time.Hour, 5 * time.Second, true},
		{"capped at max", "86400", 0, time.Hour, time.Hour, true},
		{"huge", "99999999999999999999", 0, time.Hour, time.Hour, true},
		{"min wins over max", "10", 2 * time.Hour, time.Hour, 2 * time.Hour, true},
		{"http date", "Thu, 01 Jan 2026 12:10:00 GMT", 0, time.Hour, 10 * time.Minute, true},
		{"http date in the past", "Thu, 01 Jan 2026 11:00:00 GMT", time.Second, time.Hour, time.Second, true},
		{"empty", "", 0, time.Hour, 0, false},
		{"negative", "-5", 0, time.Hour, 0, false},
		{"fraction", "1.5", 0, time.Hour, 0, false},
		{"garbage", "soon", 0, time.Hour, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := webhook.RetryAfter(tt.h, now, tt.min, tt.max)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("RetryAfter(%q) = %v, %v; want %v, %v", tt.h, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestScheduleNext(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	s := webhook.Schedule{0, 5 * time.Second, 2 * time.Hour}
	mid := func() float64 { return 0.5 }
	tests := []struct {
		name       string
		attempt    int
		status     int
		retryAfter string
		want       time.Duration
		ok         bool
	}{
		{"500 follows the schedule", 2, 500, "600", 5 * time.Second, true},
		{"429 waits longer", 2, 429, "600", 10 * time.Minute, true},
		{"503 waits longer", 2, 503, "600", 10 * time.Minute, true},
		{"429 cannot hurry", 2, 429, "1", 5 * time.Second, true},
		{"429 capped at MaxRetryAfter", 2, 429, "86400", webhook.MaxRetryAfter, true},
		{"schedule above the cap wins", 3, 503, "60", 2 * time.Hour, true},
		{"unparsable Retry-After", 2, 429, "later", 5 * time.Second, true},
		{"exhausted even with Retry-After", 4, 429, "60", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := s.Next(tt.attempt, tt.status, tt.retryAfter, now, mid)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("Next = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
