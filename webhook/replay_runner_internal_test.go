package webhook

import (
	"testing"
	"time"
)

func TestReplayAllowance(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		rate        int
		since       time.Duration // now - the replay's pacing clock
		limit       int
		wantAllowed int
		wantPaced   time.Duration // now - the pacing clock before the step
	}{
		{"just stepped", 10, 0, 1000, 0, 0},
		{"less than one delivery's time", 10, 99 * time.Millisecond, 1000, 0, 99 * time.Millisecond},
		{"one tick at 10/s", 10, 200 * time.Millisecond, 1000, 2, 200 * time.Millisecond},
		{"one tick at 1000/s", 1000, 200 * time.Millisecond, 1000, 200, 200 * time.Millisecond},
		{"idle for an hour: at most a second saved up", 50, time.Hour, 1000, 50, time.Second},
		{"the budget bounds it", 1000, time.Second, 300, 300, time.Second},
		{"a rate below 1 counts as 1", 0, time.Second, 1000, 1, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Replay{RatePerSecond: tt.rate, UpdatedAt: now.Add(-tt.since)}
			allowed, paced := replayAllowance(r, now, tt.limit)
			if allowed != tt.wantAllowed || !paced.Equal(now.Add(-tt.wantPaced)) {
				t.Errorf("allowance = %d from %v before now, want %d from %v", allowed, now.Sub(paced), tt.wantAllowed, tt.wantPaced)
			}
		})
	}
}
