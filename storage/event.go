package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/evidence"
)

// outgoing is an event about to be written, with what the log indexes it by.
type outgoing struct {
	event      events.Event
	resourceID string
}

// newEvent builds an event caused by actor at the database clock's now.
func (db *DB) newEvent(actor countersign.Actor, t events.Type, resourceID string, data any) (outgoing, error) {
	now := db.Now()
	ev, err := events.New(countersign.NewID(countersign.PrefixEvent, now), t, actor.WorkspaceID, actor.APIKeyID, now, data)
	if err != nil {
		return outgoing{}, err
	}
	return outgoing{event: ev, resourceID: resourceID}, nil
}

// insertEvents writes events into the log inside tx, the transaction that made
// the change they describe, beside the API response body of the request that
// caused them, and fans each out to the workspace's matching endpoints as
// deliveries in the same transaction. Only this function writes events.
func (db *DB) insertEvents(ctx context.Context, tx *Tx, response []byte, evs ...outgoing) error {
	if err := db.writeEvents(ctx, tx, response, evs); err != nil {
		return err
	}
	return db.fanOut(ctx, tx, evs, "")
}

// writeEvents inserts the event rows and adds them to the log's hourly rows
// (seq ranges and consumption counters).
func (db *DB) writeEvents(ctx context.Context, tx *Tx, response []byte, evs []outgoing) error {
	if len(evs) == 0 {
		return nil
	}
	var resp *string
	if response != nil {
		s := string(response)
		resp = &s
	}
	recs := make([]evidence.Record, 0, len(evs))
	marks := make([]Mark, 0, len(evs))
	for _, o := range evs {
		body, err := json.Marshal(o.event)
		if err != nil {
			return fmt.Errorf("encode event %s: %w", o.event.Type, err)
		}
		var resource *string
		if o.resourceID != "" {
			resource = &o.resourceID
		}
		seq, err := db.insertEvent(ctx, tx, o.event.ID, o.event.WorkspaceID, string(o.event.Type),
			o.event.APIKeyID, resource, micros(o.event.CreatedAt), string(body), resp)
		if err != nil {
			return fmt.Errorf("insert event %s: %w", o.event.Type, err)
		}
		marks = append(marks, Mark{WorkspaceID: o.event.WorkspaceID, CreatedAt: o.event.CreatedAt, Seq: seq, Type: o.event.Type, Body: body})
		rec, err := eventEvidence(eventEvidenceRow{ID: o.event.ID, WorkspaceID: o.event.WorkspaceID, Type: string(o.event.Type),
			APIKeyID: nullStringPtr(o.event.APIKeyID), ResourceID: sql.NullString{String: o.resourceID},
			CreatedAt: micros(o.event.CreatedAt), Body: sql.NullString{String: string(body), Valid: true}})
		if err != nil {
			return err
		}
		recs = append(recs, rec)
	}
	if err := db.NoteHours(ctx, tx, marks); err != nil {
		return err
	}
	return db.appendEvidence(ctx, tx, recs)
}

// insertEvent inserts one event row and returns its seq.
func (db *DB) insertEvent(ctx context.Context, tx *Tx, args ...any) (int64, error) {
	if db.Dialect == Postgres {
		s, err := db.stmt(ctx, tx, sqlInsertEventSeq)
		if err != nil {
			return 0, err
		}
		var seq int64
		return seq, s.QueryRowxContext(ctx, args...).Scan(&seq)
	}
	s, err := db.stmt(ctx, tx, sqlInsertEvent)
	if err != nil {
		return 0, err
	}
	res, err := s.ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}
