package storage_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
)

// TestKeyUsageIsBoundedAndWrittenOnClose checks the recorder's memory bound
// (a full map notes no further key until its idle keys are swept), that Close
// writes what is noted, and that a use is never written over a later one.
func TestKeyUsageIsBoundedAndWrittenOnClose(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		var us atomic.Int64
		us.Store(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).UnixMicro())
		now := func() time.Time { return time.UnixMicro(us.Load()).UTC() }
		db.SetClock(now)
		owner, _ := storagetest.Workspace(t, db, "A")
		other, _, err := db.Keys().CreateAPIKey(ctx, owner, "other", countersign.RoleMember)
		if err != nil {
			t.Fatal(err)
		}
		first, err := db.Keys().GetAPIKey(ctx, owner.WorkspaceID, owner.APIKeyID)
		if err != nil {
			t.Fatal(err)
		}
		lastUsed := func(id string) *time.Time {
			t.Helper()
			k, err := db.Keys().GetAPIKey(ctx, owner.WorkspaceID, id)
			if err != nil {
				t.Fatal(err)
			}
			return k.LastUsedAt
		}

		u := db.Keys().NewKeyUsageOfSize(1)
		t0 := now()
		u.Used(first)
		u.Used(other) // the map is full of a key not written yet
		if _, dropped := u.Stats(); dropped != 1 || u.Size() != 1 {
			t.Fatalf("size %d, dropped %d: want 1 and 1", u.Size(), dropped)
		}
		if err := u.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if at := lastUsed(first.ID); at == nil || !at.Equal(t0) {
			t.Fatalf("first key last_used_at %v, want %v", at, t0)
		}
		// A minute on, the written key is swept to make room.
		us.Add(KeyUsageIntervalMicros + 1)
		t1 := now()
		u.Used(other)
		u.Close()
		u.Used(first) // after Close: ignored
		if at := lastUsed(other.ID); at == nil || !at.Equal(t1) {
			t.Fatalf("Close did not write the noted use: %v, want %v", at, t1)
		}
		if written, _ := u.Stats(); written != 2 {
			t.Fatalf("%d uses written, want 2", written)
		}
		// A recorder whose clock is behind never moves the column back.
		us.Store(t0.Add(-time.Hour).UnixMicro())
		behind := db.Keys().NewKeyUsage(nil)
		behind.Used(other)
		behind.Close()
		if at := lastUsed(other.ID); at == nil || !at.Equal(t1) {
			t.Fatalf("an older use moved last_used_at back to %v", at)
		}
	})
}

// KeyUsageIntervalMicros is storage.KeyUsageInterval in microseconds.
const KeyUsageIntervalMicros = int64(storage.KeyUsageInterval / time.Microsecond)
