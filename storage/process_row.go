package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/countersign/countersign/workflow"
)

// processColumns are the columns written from a process beside its body.
type processColumns struct {
	status, documentID, documentName, documentType, ownerGroup string
	initiator, initiatorName, namesLC, emailLC                 string
	createdAt, updatedAt                                       int64
	completedAt, expiresAt, nextDueAt                          sql.NullInt64
	body                                                       string
}

// columnsOf computes the indexed columns of p and encodes its body.
func columnsOf(p *workflow.Process) (processColumns, error) {
	body, err := encodeProcess(p)
	if err != nil {
		return processColumns{}, err
	}
	c := processColumns{
		status: string(p.Status), documentID: p.DocumentID, documentName: p.DocumentName,
		documentType: p.DocumentType, ownerGroup: p.OwnerGroup, initiator: p.Initiator,
		initiatorName: p.InitiatorName,
		namesLC:       strings.ToLower(p.DocumentName) + "\n" + strings.ToLower(p.InitiatorName),
		emailLC:       strings.ToLower(p.ProcessInitiatorEmail),
		createdAt:     micros(p.CreatedAt), updatedAt: micros(p.UpdatedAt),
		completedAt: nullMicros(p.CompletedAt), expiresAt: nullMicros(p.ExpiresAt), body: body,
	}
	if at, ok := p.NextDue(); ok {
		c.nextDueAt = sql.NullInt64{Int64: micros(at), Valid: true}
	}
	return c, nil
}

// insertProcess writes a new process and its signer rows inside tx.
func (db *DB) insertProcess(ctx context.Context, tx *Tx, p *workflow.Process) error {
	c, err := columnsOf(p)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO processes (id, workspace_id, api_key_id, status, document_id,
		document_name, document_type, owner_group, initiator, initiator_name, names_lc, email_lc, created_at,
		updated_at, completed_at, expires_at, next_due_at, version, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`),
		p.ID, p.WorkspaceID, p.APIKeyID, c.status, c.documentID, c.documentName, c.documentType, c.ownerGroup,
		c.initiator, c.initiatorName, c.namesLC, c.emailLC, c.createdAt, c.updatedAt, c.completedAt,
		c.expiresAt, c.nextDueAt, c.body); err != nil {
		return fmt.Errorf("insert process: %w", err)
	}
	return db.insertSigners(ctx, tx, p)
}

// saveProcess writes p over the row read at version, bumping the version; a
// row whose version moved on is errStale. Signer rows are rewritten only when
// the signers changed (before is signerKey of the process as read).
func (db *DB) saveProcess(ctx context.Context, tx *Tx, p *workflow.Process, version int64, before string) error {
	c, err := columnsOf(p)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, db.q(`UPDATE processes SET status = ?, document_id = ?, document_name = ?,
		document_type = ?, owner_group = ?, initiator = ?, initiator_name = ?, names_lc = ?, email_lc = ?,
		updated_at = ?, completed_at = ?, expires_at = ?, next_due_at = ?, version = version + 1, body = ?
		WHERE workspace_id = ? AND id = ? AND version = ?`),
		c.status, c.documentID, c.documentName, c.documentType, c.ownerGroup, c.initiator, c.initiatorName,
		c.namesLC, c.emailLC, c.updatedAt, c.completedAt, c.expiresAt, c.nextDueAt, c.body,
		p.WorkspaceID, p.ID, version)
	if err != nil {
		return fmt.Errorf("update process: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update process: %w", err)
	} else if n == 0 {
		return errStale
	}
	if signerKey(p) == before {
		return nil
	}
	if _, err := tx.ExecContext(ctx, db.q("DELETE FROM process_signers WHERE process_id = ?"), p.ID); err != nil {
		return fmt.Errorf("replace process signers: %w", err)
	}
	return db.insertSigners(ctx, tx, p)
}

// removeProcess deletes p; its signers and messages go with it (cascade).
func (db *DB) removeProcess(ctx context.Context, tx *Tx, p *workflow.Process) error {
	if _, err := tx.ExecContext(ctx, db.q("DELETE FROM process_messages WHERE process_id = ?"), p.ID); err != nil {
		return fmt.Errorf("delete process messages: %w", err)
	}
	if _, err := tx.ExecContext(ctx, db.q("DELETE FROM process_signers WHERE process_id = ?"), p.ID); err != nil {
		return fmt.Errorf("delete process signers: %w", err)
	}
	if _, err := tx.ExecContext(ctx, db.q("DELETE FROM processes WHERE workspace_id = ? AND id = ?"), p.WorkspaceID, p.ID); err != nil {
		return fmt.Errorf("delete process: %w", err)
	}
	return nil
}

// signerRow is one row of process_signers.
type signerRow struct {
	signerID, stepID, personalCode, country, nameLC, emailLC string
}

// signerRows returns the lookup rows of p's signers, in step order.
func signerRows(p *workflow.Process) []signerRow {
	var rows []signerRow
	for _, st := range p.Steps {
		for _, sg := range st.Signers {
			code := ""
			if sg.PersonalCode != "" {
				code = workflow.NormalizePersonalCode(sg.Country, sg.PersonalCode)
			}
			rows = append(rows, signerRow{signerID: sg.ID, stepID: st.ID, personalCode: code, country: sg.Country,
				nameLC: strings.ToLower(sg.Name), emailLC: strings.ToLower(sg.Email)})
		}
	}
	return rows
}

// signerKey summarises p's signer rows, to tell whether they changed.
func signerKey(p *workflow.Process) string {
	var b strings.Builder
	for _, r := range signerRows(p) {
		fmt.Fprintf(&b, "%q %q %q %q %q %q\n", r.signerID, r.stepID, r.personalCode, r.country, r.nameLC, r.emailLC)
	}
	return b.String()
}

// insertSigners writes p's signer rows.
func (db *DB) insertSigners(ctx context.Context, tx *Tx, p *workflow.Process) error {
	stmt := db.q(`INSERT INTO process_signers (workspace_id, process_id, signer_id, step_id, position, personal_code,
		country, name_lc, email_lc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	for i, r := range signerRows(p) {
		if _, err := tx.ExecContext(ctx, stmt, p.WorkspaceID, p.ID, r.signerID, r.stepID, i, r.personalCode,
			r.country, r.nameLC, r.emailLC); err != nil {
			return fmt.Errorf("insert process signer: %w", err)
		}
	}
	return nil
}
