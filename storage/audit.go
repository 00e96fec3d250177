package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// auditRow is the stored form of an audit record.
type auditRow struct {
	ID                   string `db:"id"`
	WorkspaceID          string `db:"workspace_id"`
	CreatedAt            int64  `db:"created_at"`
	EventType            string `db:"event_type"`
	EventOrigin          string `db:"event_origin"`
	Creator              string `db:"creator"`
	DocumentID           string `db:"document_id"`
	SignerID             string `db:"signer_id"`
	CustomerPersonalCode string `db:"customer_personal_code"`
	Note                 string `db:"note"`
	ProcessID            string `db:"process_id"`
	IPAddress            string `db:"ip_address"`
	ContainerID          string `db:"container_id"`
	Method               string `db:"method"`
	ClientAppName        string `db:"client_app_name"`
	APIKeyID             string `db:"api_key_id"`
}

const auditColumns = `id, workspace_id, created_at, event_type, event_origin, creator, document_id, signer_id,
	customer_personal_code, note, process_id, ip_address, container_id, method, client_app_name, api_key_id`

// auditColumnCount is the number of auditColumns, for batch inserts.
const auditColumnCount = 16

// auditSort maps the fields audit records sort by to columns.
var auditSort = map[string]string{"createdAt": "created_at", "eventType": "event_type"}

func (r auditRow) record() workflow.AuditRecord {
	return workflow.AuditRecord{
		ID: r.ID, WorkspaceID: r.WorkspaceID, CreatedAt: fromMicros(r.CreatedAt), EventType: workflow.AuditType(r.EventType),
		EventOrigin: r.EventOrigin, Creator: r.Creator, DocumentID: r.DocumentID, SignerID: r.SignerID,
		CustomerPersonalCode: r.CustomerPersonalCode, Note: r.Note, ProcessID: r.ProcessID, IPAddress: r.IPAddress,
		ContainerID: r.ContainerID, Method: r.Method, ClientAppName: r.ClientAppName, APIKeyID: r.APIKeyID,
	}
}

// args returns the values of rec in auditColumns order.
func auditArgs(rec workflow.AuditRecord) []any {
	return []any{rec.ID, rec.WorkspaceID, micros(rec.CreatedAt), string(rec.EventType), rec.EventOrigin, rec.Creator,
		rec.DocumentID, rec.SignerID, rec.CustomerPersonalCode, rec.Note, rec.ProcessID, rec.IPAddress,
		rec.ContainerID, rec.Method, rec.ClientAppName, rec.APIKeyID}
}

// CreateAuditEvent is createAuditingEvent: it validates a client's record
// (workflow.AuditRecord.Validate) and writes it at once, synchronously, as the
// caller's (workflow.AuditRecord.FromClient says which fields are whose).
func (rsc *Resources) CreateAuditEvent(ctx context.Context, actor countersign.Actor, rec workflow.AuditRecord) (workflow.AuditRecord, error) {
	if err := rec.Validate(); err != nil {
		return workflow.AuditRecord{}, err
	}
	now := rsc.db.Now()
	rec = rec.FromClient(actor)
	rec.ID, rec.CreatedAt = countersign.NewID(countersign.PrefixAudit, now), now
	err := rsc.db.Tx(ctx, func(tx *Tx) error { return rsc.db.insertAudit(ctx, tx, []workflow.AuditRecord{rec}) })
	if err != nil {
		return workflow.AuditRecord{}, classify(err)
	}
	return rec, nil
}

// insertAudit writes recs with one multi-row INSERT in tx, and appends them
// to the evidence log.
func (db *DB) insertAudit(ctx context.Context, tx *Tx, recs []workflow.AuditRecord) error {
	if len(recs) == 0 {
		return nil
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", auditColumnCount), ", ") + ")"
	rows := strings.TrimSuffix(strings.Repeat(row+", ", len(recs)), ", ")
	args := make([]any, 0, len(recs)*auditColumnCount)
	for _, rec := range recs {
		args = append(args, auditArgs(rec)...)
	}
	if _, err := tx.ExecContext(ctx, db.q("INSERT INTO audit_events ("+auditColumns+") VALUES "+rows), args...); err != nil {
		return fmt.Errorf("insert %d audit records: %w", len(recs), err)
	}
	return db.appendEvidence(ctx, tx, auditEvidenceOf(recs))
}

// ListAuditEvents returns a page of a workspace's audit records matching f,
// newest first unless the page sorts otherwise (by createdAt or eventType).
func (rsc *Resources) ListAuditEvents(ctx context.Context, workspaceID string, f workflow.AuditFilter, page workflow.Paging) ([]workflow.AuditRecord, int64, error) {
	if f.EventType != "" && !f.EventType.Valid() {
		return nil, 0, countersign.FieldErrorf(countersign.EINVALID, "eventType", "%q is not an audit event type", f.EventType)
	}
	order, err := sortSQL(page, auditSort, "created_at DESC", "seq DESC")
	if err != nil {
		return nil, 0, err
	}
	w := &whereBuilder{}
	w.and("workspace_id = ?", workspaceID)
	for _, c := range []struct{ column, value string }{
		{"process_id", f.ProcessID}, {"document_id", f.DocumentID}, {"signer_id", f.SignerID}, {"event_type", string(f.EventType)},
	} {
		if c.value != "" {
			w.and(c.column+" = ?", c.value)
		}
	}
	if f.CreatedAfter != nil {
		w.and("created_at >= ?", micros(*f.CreatedAfter))
	}
	if f.CreatedBefore != nil {
		w.and("created_at <= ?", micros(*f.CreatedBefore))
	}
	var rows []auditRow
	total, err := rsc.db.pageOf(ctx, &rows, auditColumns, "audit_events", w, order, page)
	if err != nil {
		return nil, 0, err
	}
	out := make([]workflow.AuditRecord, len(rows))
	for i, r := range rows {
		out[i] = r.record()
	}
	return out, total, nil
}
