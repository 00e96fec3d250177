package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/storage/storagetest"
)

// TestAPIKeyLastUsedAtIsCoalesced checks that a request sets its key's
// last_used_at once the usage recorder flushes, and that further requests
// within a minute leave it as it is: no write per request.
func TestAPIKeyLastUsedAtIsCoalesced(t *testing.T) {
	db := storagetest.OpenSQLite(t)
	clock := &whClock{}
	clock.us.Store(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).UnixMicro())
	db.SetClock(clock.now)
	usage := db.Keys().NewKeyUsage(nil)
	t.Cleanup(usage.Close)
	h := newHarnessOn(t, db, api.Config{}, api.Deps{KeyUsage: usage})
	flush := func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := usage.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	lastUsed := func() *time.Time {
		t.Helper()
		k, err := db.Keys().GetAPIKey(context.Background(), h.ws.WorkspaceID, h.ws.APIKeyID)
		if err != nil {
			t.Fatal(err)
		}
		return k.LastUsedAt
	}
	if at := lastUsed(); at != nil {
		t.Fatalf("a key never used has last_used_at %v", at)
	}
	first := clock.now()
	h.expectJSON(http.StatusOK, "GET", "/v1/api-keys", h.owner, nil)
	flush()
	if at := lastUsed(); at == nil || !at.Equal(first) {
		t.Fatalf("after a request last_used_at is %v, want %v", at, first)
	}
	// The answer shows it too.
	got := h.expectJSON(http.StatusOK, "GET", "/v1/api-keys/"+h.ws.APIKeyID, h.owner, nil)
	if got["last_used_at"] == nil {
		t.Fatalf("getAPIKey shows no last_used_at: %v", got)
	}
	// Within the minute, requests do not write it again.
	for i := 0; i < 20; i++ {
		clock.advance(2 * time.Second)
		h.expectJSON(http.StatusOK, "GET", "/v1/api-keys", h.owner, nil)
	}
	flush()
	if at := lastUsed(); at == nil || !at.Equal(first) {
		t.Fatalf("requests within a minute rewrote last_used_at: %v, want %v", at, first)
	}
	// A minute after the last write, the next request moves it.
	clock.advance(30 * time.Second)
	later := clock.now()
	h.expectJSON(http.StatusOK, "GET", "/v1/api-keys", h.owner, nil)
	if at := lastUsed(); at == nil || !at.Equal(first) {
		t.Fatalf("last_used_at was written on the request path: %v", at)
	}
	flush()
	if at := lastUsed(); at == nil || !at.Equal(later) {
		t.Fatalf("a minute later last_used_at is %v, want %v", at, later)
	}
}
