package storage

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

// The event log is read newest first by seq, the order the database wrote the
// events in, never by created_at: created_at is taken before the row is written,
// so two writers can insert out of created_at order, whereas a page boundary on
// seq never moves once it is read (see horizon.go for PostgreSQL's in-flight
// transactions).

// logRow is an event as the log reads it back.
type logRow struct {
	Seq          int64          `db:"seq"`
	ID           string         `db:"id"`
	WorkspaceID  string         `db:"workspace_id"`
	Type         string         `db:"type"`
	APIKeyID     sql.NullString `db:"api_key_id"`
	ResourceID   sql.NullString `db:"resource_id"`
	CreatedAt    int64          `db:"created_at"`
	Body         []byte         `db:"body"`
	ExpungedAt   sql.NullInt64  `db:"expunged_at"`
	ResponseBody []byte         `db:"response_body"`
}

const logColumns = "seq, id, workspace_id, type, api_key_id, resource_id, created_at, body, expunged_at"

// logged rebuilds the event from its columns and the data of its stored envelope.
func (r logRow) logged() (events.Logged, error) {
	e := events.Logged{Event: events.Event{
		ID: r.ID, Object: events.ObjectEvent, Type: events.Type(r.Type), CreatedAt: fromMicros(r.CreatedAt),
		WorkspaceID: r.WorkspaceID,
	}, ResourceID: r.ResourceID.String, ExpungedAt: fromNullMicros(r.ExpungedAt)}
	if r.APIKeyID.Valid {
		e.APIKeyID = &r.APIKeyID.String
	}
	if r.Body != nil {
		data, err := envelopeData(r.Body)
		if err != nil {
			return events.Logged{}, fmt.Errorf("decode stored event %s: %w", r.ID, err)
		}
		e.Data = data
	}
	if r.ResponseBody != nil {
		e.ResponseBody = r.ResponseBody
		if !json.Valid(r.ResponseBody) { // never expected: shown as a JSON string rather than failing the read
			e.ResponseBody, _ = json.Marshal(string(r.ResponseBody))
		}
	}
	return e, nil
}

// ListEvents returns one page of a workspace's events matching q, newest first.
// A cursor that names no event of the workspace is a 400 naming its parameter.
// The first page and EndingBefore pages stop below any event PostgreSQL may
// still commit, so a client that polls with EndingBefore never skips one.
func (es *Events) ListEvents(ctx context.Context, workspaceID string, q events.Query) (events.LogPage, error) {
	if q.Limit < 1 || q.Limit > events.MaxLogLimit {
		return events.LogPage{}, countersign.FieldErrorf(countersign.EINVALID, "limit",
			"limit must be an integer from 1 to %d", events.MaxLogLimit)
	}
	if q.StartingAfter != "" && q.EndingBefore != "" {
		return events.LogPage{}, countersign.FieldErrorf(countersign.EINVALID, "ending_before",
			"starting_after and ending_before cannot be used together")
	}
	where, args := logWhere(workspaceID, q.Filter)
	if !q.Filter.CreatedAfter.IsZero() || !q.Filter.CreatedBefore.IsZero() {
		// A seq range lets the query read the period off a seq-ordered index
		// instead of sorting every event of it by seq.
		r, err := es.db.seqBounds(ctx, workspaceID, q.Filter)
		if err != nil {
			return events.LogPage{}, err
		}
		where, args = where+" AND seq >= ? AND seq <= ?", append(args, r.lo, r.hi)
	}
	newer := q.EndingBefore != ""
	switch {
	case q.StartingAfter != "":
		seq, err := es.db.cursorSeq(ctx, workspaceID, q.StartingAfter, "starting_after")
		if err != nil {
			return events.LogPage{}, err
		}
		where, args = where+" AND seq < ?", append(args, seq)
	case newer:
		seq, err := es.db.cursorSeq(ctx, workspaceID, q.EndingBefore, "ending_before")
		if err != nil {
			return events.LogPage{}, err
		}
		where, args = where+" AND seq > ?", append(args, seq)
	}
	if q.StartingAfter == "" { // the head of the log
		head, bounded, err := es.db.stableSeq(ctx)
		if err != nil {
			return events.LogPage{}, err
		}
		if bounded {
			where, args = where+" AND seq <= ?", append(args, head)
		}
	}
	order := "DESC"
	if newer {
		order = "ASC" // the events just newer than the cursor, not the newest ones
	}
	var rows []logRow
	query := "SELECT " + logColumns + " FROM events WHERE " + where + " ORDER BY seq " + order + " LIMIT ?"
	if err := es.db.x.SelectContext(ctx, &rows, es.db.q(query), append(args, q.Limit+1)...); err != nil {
		return events.LogPage{}, classify(fmt.Errorf("list events: %w", err))
	}
	page := events.LogPage{HasMore: len(rows) > q.Limit, Events: make([]events.Logged, 0, min(len(rows), q.Limit))}
	rows = rows[:min(len(rows), q.Limit)]
	if newer {
		slices.Reverse(rows)
	}
	for _, r := range rows {
		e, err := r.logged()
		if err != nil {
			return events.LogPage{}, err
		}
		page.Events = append(page.Events, e)
	}
	return page, nil
}

// GetEvent returns one event of a workspace with the response body of the
// request that caused it.
func (es *Events) GetEvent(ctx context.Context, workspaceID, id string) (events.Logged, error) {
	var row logRow
	err := es.db.x.GetContext(ctx, &row, es.db.q("SELECT "+logColumns+", response_body FROM events WHERE workspace_id = ? AND id = ?"),
		workspaceID, id)
	if isNoRows(err) {
		return events.Logged{}, countersign.NotFound("event")
	}
	if err != nil {
		return events.Logged{}, classify(fmt.Errorf("get event: %w", err))
	}
	return row.logged()
}

// cursorSeq returns the seq of a workspace's event named by a cursor parameter.
func (db *DB) cursorSeq(ctx context.Context, workspaceID, id, param string) (int64, error) {
	var seq int64
	err := db.x.GetContext(ctx, &seq, db.q("SELECT seq FROM events WHERE workspace_id = ? AND id = ?"), workspaceID, id)
	if isNoRows(err) {
		return 0, countersign.FieldErrorf(countersign.EINVALID, param, "%s names no event of this workspace: %s", param, id)
	}
	if err != nil {
		return 0, classify(fmt.Errorf("find %s event: %w", param, err))
	}
	return seq, nil
}

// logWhere is the WHERE clause of a workspace's events matching f.
func logWhere(workspaceID string, f events.Filter) (string, []any) {
	var b strings.Builder
	args := []any{workspaceID}
	b.WriteString("workspace_id = ?")
	// ListEvents bounds seq as well whenever it bounds created_at; the unary +
	// keeps the planner off the created_at index, whose order would leave every
	// event of the period to sort by seq (the ORDER BY).
	if !f.CreatedAfter.IsZero() {
		b.WriteString(" AND +created_at > ?")
		args = append(args, micros(f.CreatedAfter))
	}
	if !f.CreatedBefore.IsZero() {
		b.WriteString(" AND +created_at < ?")
		args = append(args, micros(f.CreatedBefore))
	}
	if len(f.Types) > 0 {
		b.WriteString(" AND type IN (?" + strings.Repeat(", ?", len(f.Types)-1) + ")")
		for _, t := range f.Types {
			args = append(args, string(t))
		}
	}
	if f.APIKeyID != "" {
		b.WriteString(" AND api_key_id = ?")
		args = append(args, f.APIKeyID)
	}
	if f.ResourceID != "" {
		b.WriteString(" AND resource_id = ?")
		args = append(args, f.ResourceID)
	}
	return b.String(), args
}

// envelopeData returns the data member of a stored envelope, a slice of body.
// Envelopes are written by encoding/json, so one pass that skips strings finds
// it; decoding the envelope would scan it twice and copy the data, the bulk of
// an export's work. A body the pass cannot read falls back to encoding/json.
func envelopeData(body []byte) (json.RawMessage, error) {
	depth, key, start := 0, 0, -1
	isData := false
	for i := 0; i < len(body); i++ {
		switch c := body[i]; c {
		case '"':
			j := i + 1
			for ; j < len(body) && body[j] != '"'; j++ {
				if body[j] == '\\' {
					j++
				}
			}
			key, i = i, j
		case ':':
			if depth == 1 {
				isData, start = string(body[key:i]) == `"data"`, i+1
			}
		case '{', '[':
			depth++
		case '}', ']', ',':
			if c != ',' {
				depth--
			}
			if isData && (depth == 0 || (c == ',' && depth == 1)) {
				if v := bytes.TrimSpace(body[start:i]); len(v) > 0 {
					return v, nil
				}
				isData = false
			}
		}
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, err
	}
	return env.Data, nil
}
