package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/countersign/countersign/evidence"
	"github.com/countersign/countersign/webhook"
	"github.com/countersign/countersign/workflow"
)

// A record's body in the log is its row as stored, column by column (but the
// autoincrement seq, which the database assigns after the leaf is made), so
// that `countersign evidence check` rebuilds the same bytes from the row.
// JSON columns (an event's body, an attempt's response headers) are embedded
// as the text stored, a JSON string: an event's body is then the exact bytes
// receivers were sent (and signed), and the hot path does not parse it. An
// event's response body (the API answer of the request that caused it) is
// not part of the record.

func auditEvidence(r auditRow) evidence.Record {
	body, _ := json.Marshal(map[string]any{
		"id": r.ID, "workspace_id": r.WorkspaceID, "created_at": r.CreatedAt, "event_type": r.EventType,
		"event_origin": r.EventOrigin, "creator": r.Creator, "document_id": r.DocumentID, "signer_id": r.SignerID,
		"customer_personal_code": r.CustomerPersonalCode, "note": r.Note, "process_id": r.ProcessID,
		"ip_address": r.IPAddress, "container_id": r.ContainerID, "method": r.Method,
		"client_app_name": r.ClientAppName, "api_key_id": r.APIKeyID,
	})
	return evidence.Record{Kind: evidence.KindAudit, Workspace: r.WorkspaceID, ID: r.ID, ProcessID: r.ProcessID, Body: body}
}

func auditEvidenceOf(recs []workflow.AuditRecord) []evidence.Record {
	out := make([]evidence.Record, len(recs))
	for i, rec := range recs {
		out[i] = auditEvidence(auditRow{ID: rec.ID, WorkspaceID: rec.WorkspaceID, CreatedAt: micros(rec.CreatedAt), EventType: string(rec.EventType),
			EventOrigin: rec.EventOrigin, Creator: rec.Creator, DocumentID: rec.DocumentID, SignerID: rec.SignerID,
			CustomerPersonalCode: rec.CustomerPersonalCode, Note: rec.Note, ProcessID: rec.ProcessID, IPAddress: rec.IPAddress,
			ContainerID: rec.ContainerID, Method: rec.Method, ClientAppName: rec.ClientAppName, APIKeyID: rec.APIKeyID})
	}
	return out
}

// eventEvidenceRow is what an event's record holds of its row.
type eventEvidenceRow struct {
	ID          string         `db:"id"`
	WorkspaceID string         `db:"workspace_id"`
	Type        string         `db:"type"`
	APIKeyID    sql.NullString `db:"api_key_id"`
	ResourceID  sql.NullString `db:"resource_id"`
	CreatedAt   int64          `db:"created_at"`
	Body        sql.NullString `db:"body"`
}

const eventEvidenceColumns = "id, workspace_id, type, api_key_id, resource_id, created_at, body"

// eventProcess names the signing process an event is about: the resource of
// the transaction, action and identity-validation events, which are a
// process's own; none for the others (keys, endpoints, registrations).
func eventProcess(eventType, resourceID string) string {
	for _, p := range []string{"transaction.", "action.", "identity-validation."} {
		if strings.HasPrefix(eventType, p) {
			return resourceID
		}
	}
	return ""
}

// eventEvidence returns an event's record, with a nil Body once retention
// expunged it.
func eventEvidence(r eventEvidenceRow) (evidence.Record, error) {
	rec := evidence.Record{Kind: evidence.KindEvent, Workspace: r.WorkspaceID, ID: r.ID,
		ProcessID: eventProcess(r.Type, r.ResourceID.String)}
	if !r.Body.Valid {
		return rec, nil
	}
	var err error
	rec.Body, err = json.Marshal(map[string]any{
		"id": r.ID, "workspace_id": r.WorkspaceID, "type": r.Type, "api_key_id": r.APIKeyID.String,
		"resource_id": r.ResourceID.String, "created_at": r.CreatedAt, "body": r.Body.String,
	})
	return rec, err
}

// attemptEvidenceRow is what an attempt's record holds of its row.
type attemptEvidenceRow struct {
	ID              string         `db:"id"`
	DeliveryID      string         `db:"delivery_id"`
	WorkspaceID     string         `db:"workspace_id"`
	EndpointID      string         `db:"endpoint_id"`
	Attempt         int64          `db:"attempt"`
	StartedAt       int64          `db:"started_at"`
	LatencyUS       int64          `db:"latency_us"`
	StatusCode      sql.NullInt64  `db:"status_code"`
	ErrorClass      string         `db:"error_class"`
	Error           string         `db:"error"`
	ResponseHeaders sql.NullString `db:"response_headers"`
	ResponseBody    sql.NullString `db:"response_body"`
	Truncated       int64          `db:"truncated"`
}

const attemptEvidenceColumns = `id, delivery_id, workspace_id, endpoint_id, attempt, started_at, latency_us, status_code,
	error_class, error, response_headers, response_body, truncated`

func attemptEvidenceRowOf(rec webhook.AttemptRecord) attemptEvidenceRow {
	a := rec.Attempt
	headers, _ := json.Marshal(a.ResponseHeaders) // as applyAttempt stores them
	r := attemptEvidenceRow{ID: a.ID, DeliveryID: a.DeliveryID, WorkspaceID: rec.Task.WorkspaceID, EndpointID: a.EndpointID,
		Attempt: int64(a.Number), StartedAt: micros(a.StartedAt), LatencyUS: a.Latency.Microseconds(),
		ErrorClass: string(a.ErrorClass), Error: a.Error, ResponseHeaders: sql.NullString{String: string(headers), Valid: true},
		ResponseBody: sql.NullString{String: a.ResponseBody, Valid: true}, Truncated: int64(boolInt(a.Truncated))}
	if a.StatusCode != nil {
		r.StatusCode = sql.NullInt64{Int64: int64(*a.StatusCode), Valid: true}
	}
	return r
}

func attemptEvidence(r attemptEvidenceRow, processID string) (evidence.Record, error) {
	rec := evidence.Record{Kind: evidence.KindAttempt, Workspace: r.WorkspaceID, ID: r.ID, ProcessID: processID}
	var code any
	if r.StatusCode.Valid {
		code = r.StatusCode.Int64
	}
	var err error
	rec.Body, err = json.Marshal(map[string]any{
		"id": r.ID, "delivery_id": r.DeliveryID, "workspace_id": r.WorkspaceID, "endpoint_id": r.EndpointID,
		"attempt": r.Attempt, "started_at": r.StartedAt, "latency_us": r.LatencyUS, "status_code": code,
		"error_class": r.ErrorClass, "error": r.Error, "response_headers": r.ResponseHeaders.String,
		"response_body": r.ResponseBody.String, "truncated": r.Truncated,
	})
	return rec, err
}

// appendAttempts appends written attempts to the log. An attempt belongs to
// the process of the event it delivered, which the event's leaf names.
func (db *DB) appendAttempts(ctx context.Context, tx *Tx, recs []webhook.AttemptRecord) error {
	if len(recs) == 0 {
		return nil
	}
	process := make([]string, len(recs))
	for i, r := range recs {
		p, ok := eventProcesses.get(r.Task.EventID)
		if !ok {
			err := db.txGet(ctx, tx, []any{&p}, sqlEvidenceOf, r.Task.WorkspaceID, r.Task.EventID)
			if err != nil && !isNoRows(err) {
				return fmt.Errorf("read the process of event %s: %w", r.Task.EventID, err)
			}
			eventProcesses.put(r.Task.EventID, p)
		}
		process[i] = p
	}
	out := make([]evidence.Record, len(recs))
	for i, r := range recs {
		rec, err := attemptEvidence(attemptEvidenceRowOf(r), process[i])
		if err != nil {
			return err
		}
		out[i] = rec
	}
	return db.appendEvidence(ctx, tx, out)
}

func nullStringPtr(s *string) sql.NullString {
	if s == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *s, Valid: true}
}
