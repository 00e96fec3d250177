package storagetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/storage"
)

// Event is an event to write straight into a workspace's log, for tests of
// the log's readers (list, export, consumption report, retention) that need
// types and payloads no API call of theirs emits.
type Event struct {
	Type        events.Type
	WorkspaceID string
	// APIKeyID and ResourceID are left NULL when empty.
	APIKeyID, ResourceID string
	// CreatedAt defaults to now.
	CreatedAt time.Time
	// Data is the payload; Response, when not nil, the stored API response body.
	Data, Response any
}

// InsertEvents writes evs into db's log in one transaction, in order, with the
// columns storage's own writer fills, and returns their envelopes.
func InsertEvents(tb testing.TB, db *storage.DB, evs ...Event) []events.Event {
	tb.Helper()
	tx, err := db.Raw().BeginTxx(context.Background(), nil)
	if err != nil {
		tb.Fatalf("begin: %v", err)
	}
	out := InsertEventsWith(tb, db, tx, evs...)
	if err := tx.Commit(); err != nil {
		tb.Fatalf("commit events: %v", err)
	}
	return out
}

// InsertEventsWith writes evs through x, a transaction of the test's own (to
// hold it open while others write) or db itself, and widens the log's hourly
// seq ranges as storage's own writer does.
func InsertEventsWith(tb testing.TB, db *storage.DB, x sqlx.ExtContext, evs ...Event) []events.Event {
	tb.Helper()
	stmt := db.Raw().Rebind(`INSERT INTO events (id, workspace_id, type, api_key_id, resource_id, created_at, body, response_body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	out := make([]events.Event, len(evs))
	marks := make([]storage.Mark, len(evs))
	for i, e := range evs {
		at := e.CreatedAt
		if at.IsZero() {
			at = time.Now()
		}
		ev, err := events.New(countersign.NewID(countersign.PrefixEvent, at), e.Type, e.WorkspaceID, e.APIKeyID, at, e.Data)
		if err != nil {
			tb.Fatal(err)
		}
		body, err := json.Marshal(ev)
		if err != nil {
			tb.Fatal(err)
		}
		var response *string
		if e.Response != nil {
			b, err := json.Marshal(e.Response)
			if err != nil {
				tb.Fatal(err)
			}
			s := string(b)
			response = &s
		}
		seq, err := insert(x, db.Dialect, stmt, ev.ID, ev.WorkspaceID, string(ev.Type), ev.APIKeyID,
			nullable(e.ResourceID), ev.CreatedAt.UnixMicro(), string(body), response)
		if err != nil {
			tb.Fatalf("insert event %s: %v", ev.Type, err)
		}
		out[i] = ev
		marks[i] = storage.Mark{WorkspaceID: ev.WorkspaceID, CreatedAt: ev.CreatedAt, Seq: seq, Type: ev.Type, Body: body}
	}
	if err := db.NoteHours(context.Background(), x, marks); err != nil {
		tb.Fatal(err)
	}
	return out
}

// insert runs the event insert stmt and returns the row's seq: SQLite's last
// insert id, PostgreSQL's returned column.
func insert(x sqlx.ExtContext, d storage.Dialect, stmt string, args ...any) (int64, error) {
	if d == storage.Postgres {
		var seq int64
		return seq, x.QueryRowxContext(context.Background(), stmt+" RETURNING seq", args...).Scan(&seq)
	}
	res, err := x.ExecContext(context.Background(), stmt, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
