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
//
// The evidence log is appended last, after fan-out: fan-out takes the
// advisory locks of ordered processes, and the attempt writer takes those
// before the evidence log's head row too, so the two never wait on each
// other in opposite orders.
func (db *DB) insertEvents(ctx context.Context, tx *Tx, response []byte, evs ...outgoing) error {
	recs, err := db.insertEventRows(ctx, tx, response, evs)
	if err != nil {
		return err
	}
	if err := db.fanOut(ctx, tx, evs, ""); err != nil {
		return err
	}
	return db.appendEvidence(ctx, tx, recs)
}

// writeEvents inserts the event rows, adds them to the log's hourly rows (seq
// ranges and consumption counters) and appends them to the evidence log.
func (db *DB) writeEvents(ctx context.Context, tx *Tx, response []byte, evs []outgoing) error {
	recs, err := db.insertEventRows(ctx, tx, response, evs)
	if err != nil {
		return err
	}
	return db.appendEvidence(ctx, tx, recs)
}

// insertEventRows inserts the event rows and their hourly marks (seq ranges
// and consumption counters) and returns their evidence records.
func (db *DB) insertEventRows(ctx context.Context, tx *Tx, response []byte, evs []outgoing) ([]evidence.Record, error) {
	if len(evs) == 0 {
		return nil, nil
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
			return nil, fmt.Errorf("encode event %s: %w", o.event.Type, err)
		}
		var resource *string
		if o.resourceID != "" {
			resource = &o.resourceID
		}
		seq, err := db.insertEvent(ctx, tx, o.event.ID, o.event.WorkspaceID, string(o.event.Type),
			o.event.APIKeyID, resource, micros(o.event.CreatedAt), string(body), resp)
		if err != nil {
			return nil, fmt.Errorf("insert event %s: %w", o.event.Type, err)
		}
		marks = append(marks, Mark{WorkspaceID: o.event.WorkspaceID, CreatedAt: o.event.CreatedAt, Seq: seq, Type: o.event.Type, Body: body})
		rec, err := eventEvidence(eventEvidenceRow{ID: o.event.ID, WorkspaceID: o.event.WorkspaceID, Type: string(o.event.Type),
			APIKeyID: nullStringPtr(o.event.APIKeyID), ResourceID: sql.NullString{String: o.resourceID},
			CreatedAt: micros(o.event.CreatedAt), Body: sql.NullString{String: string(body), Valid: true}})
		if err != nil {
			return nil, err
		}
		recs = append(recs, rec)
	}
	if err := db.NoteHours(ctx, tx, marks); err != nil {
		return nil, err
	}
	return recs, nil
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
