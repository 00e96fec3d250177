package storage_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/workflow"
)

func TestCreateAuditEventDefaults(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		owner, _ := storagetest.Workspace(t, db, "A")
		owner.IP, owner.ClientApp = "192.0.2.7", "portal/1.0"
		rec, err := db.Resources().CreateAuditEvent(ctx, owner, workflow.AuditRecord{ID: "mine", EventType: workflow.AuditSignature, ProcessID: "p1"})
		if err != nil {
			t.Fatal(err)
		}
		if !countersign.ValidID(countersign.PrefixAudit, rec.ID) || rec.Creator != owner.APIKeyID || rec.APIKeyID != owner.APIKeyID ||
			rec.IPAddress != "192.0.2.7" || rec.ClientAppName != "portal/1.0" || rec.EventOrigin != workflow.OriginClient {
			t.Fatalf("defaults not applied: %+v", rec)
		}
		kept, err := db.Resources().CreateAuditEvent(ctx, owner, workflow.AuditRecord{EventType: workflow.AuditDecline, Creator: "jdoe",
			IPAddress: "2001:db8::1", ClientAppName: "kiosk", EventOrigin: "branch-7", Method: "SMART_ID", Note: "declined at desk"})
		if err != nil {
			t.Fatal(err)
		}
		if kept.IPAddress != "2001:db8::1" || kept.ClientAppName != "kiosk" || kept.Note != "declined at desk" {
			t.Fatalf("client values not kept: %+v", kept)
		}
		if kept.Creator != owner.APIKeyID || kept.EventOrigin != workflow.OriginClient || kept.Method != workflow.ClientRecordMethod {
			t.Fatalf("who wrote the record is the client's to say: %+v", kept)
		}
		_, err = db.Resources().CreateAuditEvent(ctx, owner, workflow.AuditRecord{EventType: "NOPE"})
		assertErrorCode(t, err, countersign.EINVALID)
		page, err := pageOf(db.Resources().ListAuditEvents(ctx, owner.WorkspaceID, workflow.AuditFilter{}, workflow.Paging{Size: 10}))
		if err != nil || page.TotalElements != 2 || page.Content[0].ID != kept.ID || page.Content[1] != rec {
			t.Fatalf("list = %+v, %v", page, err)
		}
	})
}

func TestListAuditEventsFilters(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		owner, _ := storagetest.Workspace(t, db, "A")
		other, _ := storagetest.Workspace(t, db, "B")
		base := time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)
		for i, r := range []workflow.AuditRecord{
			{EventType: workflow.AuditProcessStarted, ProcessID: "p1", Note: "0"},
			{EventType: workflow.AuditSignerSigned, ProcessID: "p1", SignerID: "s1", DocumentID: "d1", Note: "1"},
			{EventType: workflow.AuditSignerSigned, ProcessID: "p2", SignerID: "s2", Note: "2"},
			{EventType: workflow.AuditProcessCompleted, ProcessID: "p1", DocumentID: "d1", Note: "3"},
		} {
			now := base.Add(time.Duration(i) * time.Hour)
			db.SetClock(func() time.Time { return now })
			if _, err := db.Resources().CreateAuditEvent(ctx, owner, r); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Resources().CreateAuditEvent(ctx, other, r); err != nil {
				t.Fatal(err)
			}
		}
		at := func(h int) *time.Time { t := base.Add(time.Duration(h) * time.Hour); return &t }
		cases := []struct {
			name string
			f    workflow.AuditFilter
			page workflow.Paging
			want string // notes in order
		}{
			{"newest first", workflow.AuditFilter{}, workflow.Paging{Size: 10}, "3,2,1,0"},
			{"oldest first", workflow.AuditFilter{}, workflow.Paging{Size: 10, Sort: []workflow.SortOrder{{Field: "createdAt"}}}, "0,1,2,3"},
			{"second page", workflow.AuditFilter{}, workflow.Paging{Page: 1, Size: 3}, "0"},
			{"process", workflow.AuditFilter{ProcessID: "p1"}, workflow.Paging{Size: 10}, "3,1,0"},
			{"document", workflow.AuditFilter{DocumentID: "d1"}, workflow.Paging{Size: 10}, "3,1"},
			{"signer", workflow.AuditFilter{SignerID: "s2"}, workflow.Paging{Size: 10}, "2"},
			{"type", workflow.AuditFilter{EventType: workflow.AuditSignerSigned}, workflow.Paging{Size: 10}, "2,1"},
			{"after, inclusive", workflow.AuditFilter{CreatedAfter: at(2)}, workflow.Paging{Size: 10}, "3,2"},
			{"before, inclusive", workflow.AuditFilter{CreatedBefore: at(1)}, workflow.Paging{Size: 10}, "1,0"},
			{"window", workflow.AuditFilter{CreatedAfter: at(1), CreatedBefore: at(2), ProcessID: "p2"}, workflow.Paging{Size: 10}, "2"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				page, err := pageOf(db.Resources().ListAuditEvents(ctx, owner.WorkspaceID, c.f, c.page))
				if err != nil {
					t.Fatal(err)
				}
				var notes []string
				for _, r := range page.Content {
					if r.WorkspaceID != owner.WorkspaceID {
						t.Fatalf("record of workspace %s", r.WorkspaceID)
					}
					notes = append(notes, r.Note)
				}
				if got := strings.Join(notes, ","); got != c.want {
					t.Fatalf("got %s, want %s", got, c.want)
				}
			})
		}
		_, _, err := db.Resources().ListAuditEvents(ctx, owner.WorkspaceID, workflow.AuditFilter{EventType: "X"}, workflow.Paging{Size: 1})
		assertErrorCode(t, err, countersign.EINVALID)
	})
}

// countAudit returns how many audit records a workspace has.
func countAudit(t *testing.T, db *storage.DB, workspaceID string) int64 {
	t.Helper()
	page, err := pageOf(db.Resources().ListAuditEvents(context.Background(), workspaceID, workflow.AuditFilter{}, workflow.Paging{Size: 1}))
	if err != nil {
		t.Fatal(err)
	}
	return page.TotalElements
}

func TestAuditWriterBatchesFlushesAndCloses(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		owner, _ := storagetest.Workspace(t, db, "A")
		w := db.Resources().NewAuditWriter(nil)
		const writers, each = 4, 3 * storage.AuditBatchSize / 4 // 768 records: several batches
		var wg sync.WaitGroup
		for g := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					w.Record(workflow.AuditRecord{WorkspaceID: owner.WorkspaceID, EventType: workflow.AuditProcessGetOne,
						Method: "GET getContact", Note: fmt.Sprintf("%d-%d", g, i)})
				}
			}()
		}
		wg.Wait()
		if err := w.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := countAudit(t, db, owner.WorkspaceID); n != writers*each {
			t.Fatalf("after Flush: %d records, want %d", n, writers*each)
		}
		page, _ := pageOf(db.Resources().ListAuditEvents(context.Background(), owner.WorkspaceID, workflow.AuditFilter{}, workflow.Paging{Size: 1}))
		if r := page.Content[0]; !countersign.ValidID(countersign.PrefixAudit, r.ID) || r.CreatedAt.IsZero() || r.Method != "GET getContact" {
			t.Fatalf("record %+v", r)
		}
		// Close writes what is still queued; later records are dropped.
		for range 10 {
			w.Record(workflow.AuditRecord{WorkspaceID: owner.WorkspaceID, EventType: workflow.AuditProcessGetAll})
		}
		w.Close()
		w.Close()
		w.Record(workflow.AuditRecord{WorkspaceID: owner.WorkspaceID, EventType: workflow.AuditProcessGetAll})
		if n := countAudit(t, db, owner.WorkspaceID); n != writers*each+10 {
			t.Fatalf("after Close: %d records, want %d", n, writers*each+10)
		}
		if written, dropped := w.Stats(); written != writers*each+10 || dropped != 1 {
			t.Fatalf("stats: written %d dropped %d", written, dropped)
		}
		if err := w.Flush(context.Background()); err != nil {
			t.Fatalf("flush after close: %v", err)
		}
	})
}
