package webhook_test

import (
	"errors"
	"testing"
	"time"

	"github.com/countersign/countersign/webhook"
)

func TestBatchHealthDisableReason(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ok := func(at time.Time) webhook.AttemptRecord {
		return webhook.AttemptRecord{Attempt: webhook.Attempt{StartedAt: at}}
	}
	failed := func(at time.Time) webhook.AttemptRecord {
		return webhook.AttemptRecord{Failed: true, FailingCutoff: at.Add(-time.Hour), Attempt: webhook.Attempt{StartedAt: at}}
	}
	gone := failed(t0)
	gone.DisableEndpoint, gone.FailingCutoff = "the endpoint answered 410 Gone", time.Time{}
	since := func(d time.Duration) *time.Time { s := t0.Add(d); return &s }
	tests := []struct {
		name        string
		records     []webhook.AttemptRecord
		stored      *time.Time // failing_since as stored after the batch
		wantFailing bool
		wantFrom    time.Time
		wantReason  string
		wantRead    bool
	}{
		{"a success keeps it", []webhook.AttemptRecord{ok(t0)}, nil, false, time.Time{}, "", false},
		{"failing for less than the window", []webhook.AttemptRecord{failed(t0)}, since(-time.Minute), true, t0, "", true},
		{"failing since the cutoff exactly", []webhook.AttemptRecord{failed(t0)}, since(-time.Hour), true, t0,
			"every attempt failed since 2026-03-01T11:00:00Z", true},
		{"failing for longer", []webhook.AttemptRecord{failed(t0), failed(t0.Add(time.Minute))}, since(-2 * time.Hour), true, t0,
			"every attempt failed since 2026-03-01T10:00:00Z", true},
		{"a success at the end of the batch ends the run", []webhook.AttemptRecord{failed(t0), ok(t0.Add(time.Minute))}, since(-2 * time.Hour),
			false, time.Time{}, "", false},
		{"the run starts after the batch's last success", []webhook.AttemptRecord{failed(t0), ok(t0.Add(time.Minute)), failed(t0.Add(2 * time.Minute))},
			since(2 * time.Minute), true, t0.Add(2 * time.Minute), "", true},
		{"410 Gone disables at once", []webhook.AttemptRecord{gone}, nil, true, t0, "the endpoint answered 410 Gone", false},
		{"410 Gone earlier in the batch still disables", []webhook.AttemptRecord{gone, ok(t0.Add(time.Minute))}, nil, false, time.Time{},
			"the endpoint answered 410 Gone", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h webhook.BatchHealth
			for _, rec := range tt.records {
				h.Note(rec)
			}
			if h.Failing != tt.wantFailing || !h.FailingFrom.Equal(tt.wantFrom) {
				t.Errorf("Failing %v from %v, want %v from %v", h.Failing, h.FailingFrom, tt.wantFailing, tt.wantFrom)
			}
			read := false
			reason, err := h.DisableReason(func() (*time.Time, error) { read = true; return tt.stored, nil })
			if err != nil {
				t.Fatal(err)
			}
			if reason != tt.wantReason || read != tt.wantRead {
				t.Errorf("DisableReason = %q (read failing_since: %v), want %q (%v)", reason, read, tt.wantReason, tt.wantRead)
			}
		})
	}
	var h webhook.BatchHealth
	h.Note(failed(t0))
	boom := errors.New("read failed")
	if _, err := h.DisableReason(func() (*time.Time, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("a failed read: %v", err)
	}
}
