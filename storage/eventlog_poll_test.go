package storage_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
)

// logWriters runs n goroutines that each write events into workspaceID until
// stop is closed, one transaction per event held open for a random moment
// after the insert, so that on PostgreSQL transactions commit out of seq order.
func logWriters(t *testing.T, db *storage.DB, workspaceID string, n int, stop <-chan struct{}) (wait func() int) {
	t.Helper()
	var wg sync.WaitGroup
	var written atomic.Int64
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				tx, err := db.Raw().BeginTxx(context.Background(), nil)
				if err != nil {
					t.Errorf("begin: %v", err)
					return
				}
				storagetest.InsertEventsWith(t, db, tx, storagetest.Event{Type: events.ActionOpened, WorkspaceID: workspaceID})
				time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
				if err := tx.Commit(); err != nil {
					t.Errorf("commit: %v", err)
					return
				}
				written.Add(1)
			}
		}()
	}
	return func() int { wg.Wait(); return int(written.Load()) }
}

func TestPagingWhileEventsAreWritten(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ws, _ := storagetest.Workspace(t, db, "A")
		seed := make([]storagetest.Event, 400)
		for i := range seed {
			seed[i] = storagetest.Event{Type: events.ActionClosed, WorkspaceID: ws.WorkspaceID}
		}
		storagetest.InsertEvents(t, db, seed...)
		before := logAll(t, db, ws.WorkspaceID)
		stop := make(chan struct{})
		wait := logWriters(t, db, ws.WorkspaceID, 3, stop)
		time.Sleep(20 * time.Millisecond) // let the writers get going
		got := pageAll(t, db, ws.WorkspaceID, events.Query{Limit: 9})
		close(stop)
		if n := wait(); n == 0 {
			t.Fatal("no event was written while paging")
		}
		seen := map[string]bool{}
		for _, id := range got {
			if seen[id] {
				t.Fatalf("event %s was listed twice", id)
			}
			seen[id] = true
		}
		for _, r := range before {
			if !seen[r.ID] {
				t.Fatalf("event %s, there before paging began, was skipped", r.ID)
			}
		}
		// Newest first by the order the log wrote them in.
		var order []string
		for _, r := range logAll(t, db, ws.WorkspaceID) {
			if seen[r.ID] {
				order = append(order, r.ID)
			}
		}
		if !slices.Equal(got, order) {
			t.Fatal("the pages are not in the log's order")
		}
	})
}

// TestPollingWithEndingBefore is the poller of docs/events.md: read the first
// page, keep its newest event as the cursor, then ask for ending_before=cursor
// over and over, handle each page oldest first and move the cursor to the
// page's newest event (next_cursor). It must see every later event once, in order.
func TestPollingWithEndingBefore(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ws, _ := storagetest.Workspace(t, db, "A")
		for range 30 {
			storagetest.InsertEvents(t, db, storagetest.Event{Type: events.ActionClosed, WorkspaceID: ws.WorkspaceID})
		}
		first, err := db.Events().ListEvents(ctx, ws.WorkspaceID, events.Query{Limit: 10})
		if err != nil || len(first.Events) != 10 || !first.HasMore {
			t.Fatalf("first page: %d events, has_more %v, %v", len(first.Events), first.HasMore, err)
		}
		start := first.Events[0].ID
		cursor := start
		var received []string
		poll := func() (events.LogPage, error) {
			page, err := db.Events().ListEvents(ctx, ws.WorkspaceID, events.Query{Limit: 16, EndingBefore: cursor})
			if err != nil {
				return page, err
			}
			for i := len(page.Events) - 1; i >= 0; i-- {
				received = append(received, page.Events[i].ID)
			}
			if len(page.Events) > 0 {
				cursor = page.Events[0].ID
			}
			return page, nil
		}
		stop := make(chan struct{})
		wait := logWriters(t, db, ws.WorkspaceID, 4, stop)
		deadline := time.Now().Add(400 * time.Millisecond)
		for time.Now().Before(deadline) {
			if _, err := poll(); err != nil {
				t.Fatal(err)
			}
		}
		close(stop)
		written := wait()
		for {
			page, err := poll()
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Events) == 0 && !page.HasMore {
				break
			}
		}
		var want []string
		all := logAll(t, db, ws.WorkspaceID)
		for i := len(all) - 1; i >= 0; i-- {
			want = append(want, all[i].ID)
		}
		want = want[slices.Index(want, start)+1:]
		if len(want) != written {
			t.Fatalf("%d events after the cursor, %d written", len(want), written)
		}
		if !slices.Equal(received, want) {
			t.Fatalf("the poller received %d events, want the %d written in order", len(received), len(want))
		}
	})
}

// TestHeadWaitsForOpenTransactions holds an event-writing transaction open
// while a later event commits: the head of the log must not show the later
// event before the earlier one can be seen, or a poller would skip it.
func TestHeadWaitsForOpenTransactions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ws, _ := storagetest.Workspace(t, db, "A")
		if db.Dialect == storage.SQLite {
			t.Skip("SQLite serialises writers: an open write transaction blocks the later insert itself")
		}
		tx, err := db.Raw().BeginTxx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		early := storagetest.InsertEventsWith(t, db, tx, storagetest.Event{Type: events.ActionOpened, WorkspaceID: ws.WorkspaceID})[0]
		late := storagetest.InsertEvents(t, db, storagetest.Event{Type: events.ActionClosed, WorkspaceID: ws.WorkspaceID})[0]
		done := make(chan events.LogPage, 1)
		go func() {
			page, err := db.Events().ListEvents(ctx, ws.WorkspaceID, events.Query{Limit: 10})
			if err != nil {
				t.Error(err)
			}
			done <- page
		}()
		select {
		case page := <-done:
			t.Fatalf("the head answered %d events while an earlier event was uncommitted", len(page.Events))
		case <-time.After(100 * time.Millisecond):
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		page := <-done
		if len(page.Events) < 2 || page.Events[0].ID != late.ID || page.Events[1].ID != early.ID {
			t.Fatalf("head after commit: %+v", page.Events)
		}
	})
}
