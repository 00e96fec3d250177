package storage

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/countersign/countersign/events"
)

// microsPerHour is the width of an event_hours row: created_at / microsPerHour
// is its hour. Go's and SQL's integer division both truncate toward zero, so
// the hour of a time never decreases as the time grows, all the bounds need.
const microsPerHour = 3600_000_000

// Mark is a written event as the log's hourly rows need it: where it sits in
// its workspace's log, and its type and stored envelope for the counters.
type Mark struct {
	WorkspaceID string
	CreatedAt   time.Time
	Seq         int64
	Type        events.Type
	Body        []byte
}

// NoteHours widens the hourly seq ranges of the log (event_hours) to cover
// events just written through x and adds them to the consumption report's
// hourly counters (event_counts), inside the transaction that wrote them,
// with one statement per table for all of them. Every writer of the events
// table calls it: the event search trusts the ranges to hold every event,
// and the report trusts the counters to count every event.
func (db *DB) NoteHours(ctx context.Context, x sqlx.ExecerContext, marks []Mark) error {
	if len(marks) == 0 {
		return nil
	}
	if err := db.noteCounts(ctx, x, marks); err != nil {
		return err
	}
	spans := make(map[hourKey][2]int64, 1)
	for _, m := range marks {
		k := hourKey{m.WorkspaceID, micros(m.CreatedAt) / microsPerHour}
		s, ok := spans[k]
		if !ok {
			s = [2]int64{m.Seq, m.Seq}
		}
		spans[k] = [2]int64{min(s[0], m.Seq), max(s[1], m.Seq)}
	}
	keys := make([]hourKey, 0, len(spans))
	for k := range spans {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b hourKey) int {
		return cmp.Or(strings.Compare(a.workspaceID, b.workspaceID), cmp.Compare(a.hour, b.hour))
	})
	// A statement holds at most hoursPerStatement rows, within both
	// databases' limits on bound parameters.
	for len(keys) > 0 {
		n := min(len(keys), hoursPerStatement)
		if err := db.upsertHours(ctx, x, keys[:n], spans); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

// hoursPerStatement bounds the rows of one event_hours upsert.
const hoursPerStatement = 1000

// hourKey names an event_hours row: an hour of a workspace's log.
type hourKey struct {
	workspaceID string
	hour        int64
}

// upsertHours widens the rows of keys to the seq spans given for them.
func (db *DB) upsertHours(ctx context.Context, x sqlx.ExecerContext, keys []hourKey, spans map[hourKey][2]int64) error {
	var b strings.Builder
	args := make([]any, 0, 4*len(keys))
	// On PostgreSQL a row belongs to its writing transaction, so concurrent
	// writers of one workspace never wait on each other's row; SQLite has one
	// writer at a time and keeps one row per hour.
	row, conflict := "(?, ?, ?, ?)", "(workspace_id, hour) DO UPDATE SET min_seq = MIN(event_hours.min_seq, excluded.min_seq), max_seq = MAX(event_hours.max_seq, excluded.max_seq)"
	b.WriteString("INSERT INTO event_hours (workspace_id, hour, min_seq, max_seq) VALUES ")
	if db.Dialect == Postgres {
		row, conflict = "(?, ?, ?, ?, txid_current())", "(workspace_id, hour, tx) DO UPDATE SET min_seq = LEAST(event_hours.min_seq, excluded.min_seq), max_seq = GREATEST(event_hours.max_seq, excluded.max_seq)"
		b.Reset()
		b.WriteString("INSERT INTO event_hours (workspace_id, hour, min_seq, max_seq, tx) VALUES ")
	}
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
		s := spans[k]
		args = append(args, k.workspaceID, k.hour, s[0], s[1])
	}
	b.WriteString(" ON CONFLICT ")
	b.WriteString(conflict)
	if _, err := x.ExecContext(ctx, db.q(b.String()), args...); err != nil {
		return fmt.Errorf("note the hours of the events: %w", err)
	}
	return nil
}

// seqRange bounds the seq of a workspace's events created inside a period.
// Every event with created_at > after has seq >= lo and every event with
// created_at < before has seq <= hi; events outside the range cannot match,
// events inside it still go through the time filter.
type seqRange struct {
	lo, hi int64
}

// seqBounds turns the time bounds of f into seq bounds from the event_hours
// rows, each one indexed read of the hours on the far side of the bound. An
// empty side of the period leaves its bound open (0 or MaxInt64). A bound no
// event can meet gives an empty range (lo > hi).
func (db *DB) seqBounds(ctx context.Context, workspaceID string, f events.Filter) (seqRange, error) {
	r := seqRange{lo: 0, hi: math.MaxInt64}
	if !f.CreatedAfter.IsZero() {
		var lo *int64
		if err := db.x.GetContext(ctx, &lo, db.q("SELECT MIN(min_seq) FROM event_hours WHERE workspace_id = ? AND hour >= ?"),
			workspaceID, (micros(f.CreatedAfter)+1)/microsPerHour); err != nil {
			return r, classify(fmt.Errorf("find the first event after created_gt: %w", err))
		}
		r.lo = math.MaxInt64
		if lo != nil {
			r.lo = *lo
		}
	}
	if !f.CreatedBefore.IsZero() {
		var hi *int64
		if err := db.x.GetContext(ctx, &hi, db.q("SELECT MAX(max_seq) FROM event_hours WHERE workspace_id = ? AND hour <= ?"),
			workspaceID, (micros(f.CreatedBefore)-1)/microsPerHour); err != nil {
			return r, classify(fmt.Errorf("find the last event before created_lt: %w", err))
		}
		r.hi = 0
		if hi != nil {
			r.hi = *hi
		}
	}
	return r, nil
}
