package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"
)

func TestScheduleLoopDrainsABacklogAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	drained := make(chan struct{})
	apply := func(ctx context.Context, now time.Time, limit int) (int, error) {
		calls++
		if calls < 3 {
			return limit, nil // a full batch: more may be due
		}
		close(drained)
		return 0, nil
	}
	done := make(chan struct{})
	go func() {
		scheduleLoop(ctx, apply, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
		close(done)
	}()
	<-drained
	cancel()
	<-done
	if calls != 3 {
		t.Fatalf("apply called %d times before the first tick, want 3", calls)
	}
}
