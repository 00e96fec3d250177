package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/webhook"
)

func TestEndpointHealth(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		clock := newRPClock(db, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
		actor, _ := storagetest.Workspace(t, db, "A")
		otherWS, _ := storagetest.Workspace(t, db, "B")
		ep, quiet := rpEndpoint(t, db, actor, "*"), rpEndpoint(t, db, actor, "*")

		h, err := db.Webhooks().EndpointHealth(ctx, actor.WorkspaceID, quiet.ID, clock.now().Add(-24*time.Hour))
		if err != nil || h.SuccessRate != nil || h.Attempts != 0 || len(h.LastAttempts) != 0 || h.FailingSince != nil {
			t.Fatalf("health without attempts: %+v, %v", h, err)
		}
		// One attempt before the window, then six in it: 200 200 500 200 500 500.
		rpAttempt(t, db, rpTestDelivery(t, db, actor, ep), 500, clock.now())
		clock.advance(2 * time.Hour)
		since := clock.now()
		var failStart time.Time
		for i, code := range []int{200, 200, 500, 200, 500, 500} {
			clock.advance(time.Minute)
			if i == 4 {
				failStart = clock.now()
			}
			rpAttempt(t, db, rpTestDelivery(t, db, actor, ep), code, clock.now())
		}
		h, err = db.Webhooks().EndpointHealth(ctx, actor.WorkspaceID, ep.ID, since)
		if err != nil {
			t.Fatal(err)
		}
		if h.Attempts != 6 || h.SuccessRate == nil || *h.SuccessRate != 0.5 {
			t.Fatalf("attempts %d, success rate %v; want 6 and 0.5", h.Attempts, h.SuccessRate)
		}
		if h.FailingSince == nil || !h.FailingSince.Equal(failStart) {
			t.Fatalf("failing since %v, want %v", h.FailingSince, failStart)
		}
		if len(h.LastAttempts) != webhook.HealthRecentAttempts {
			t.Fatalf("%d recent attempts, want %d", len(h.LastAttempts), webhook.HealthRecentAttempts)
		}
		for i, a := range h.LastAttempts {
			if i > 0 && !a.StartedAt.Before(h.LastAttempts[i-1].StartedAt) {
				t.Fatalf("recent attempts are not newest first: %+v", h.LastAttempts)
			}
		}
		if a := h.LastAttempts[0]; !a.StartedAt.Equal(clock.now()) || a.StatusCode == nil || *a.StatusCode != 500 ||
			a.ErrorClass != webhook.ClassHTTPStatus || a.Latency != 12*time.Millisecond || a.DeliveryID == "" {
			t.Fatalf("newest attempt %+v", a)
		}
		if _, err := db.Webhooks().EndpointHealth(ctx, otherWS.WorkspaceID, ep.ID, since); countersign.ErrorCode(err) != countersign.ENOTFOUND {
			t.Fatalf("another workspace's endpoint: %v", err)
		}
	})
}
