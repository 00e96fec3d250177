package storage

import (
	"context"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// AuthorizeProcessAccess is authorizeProcessAccess: it checks that step
// signer signerID is the person with personalCode issued by country, and
// records identity-validation.processed (success or failure) whatever the
// outcome. ok reports the outcome; on success the stored response body is the
// process as that signer's portal shows it. A refused check also writes fault
// (the caller's AUDIT_LOGIN_FAULT record, completed with the process, its
// document and the signer) in the same transaction as its failure event: the
// caller answers 403, and the trail must not depend on an answer that failed.
// An unknown signer is not found and records nothing: there is no process to
// check it against.
func (ps *Processes) AuthorizeProcessAccess(ctx context.Context, actor countersign.Actor, signerID, personalCode, country string,
	fault workflow.AuditRecord) (p *workflow.Process, ok bool, err error) {
	processID, err := ps.ProcessOfSigner(ctx, actor.WorkspaceID, signerID)
	if err != nil {
		return nil, false, err
	}
	p, err = ps.db.changeProcess(ctx, actor, processID, processChange{
		cmd: func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) {
			var emitted []workflow.Emitted
			emitted, ok = p.AuthorizeAccess(signerID, personalCode, country, now)
			return emitted, nil
		},
		also: func(ctx context.Context, tx *Tx, p *workflow.Process, _ []workflow.Emitted) error {
			if ok {
				return nil // the API records AUTH_COMPLETED with its answer
			}
			rec := fault
			rec.CreatedAt = ps.db.Now()
			rec.ID = countersign.NewID(countersign.PrefixAudit, rec.CreatedAt)
			rec.WorkspaceID, rec.ProcessID, rec.DocumentID, rec.SignerID = p.WorkspaceID, p.ID, p.DocumentID, signerID
			return ps.db.insertAudit(ctx, tx, []workflow.AuditRecord{rec})
		},
		respond: func(p *workflow.Process, _ []workflow.Emitted) any {
			if !ok {
				return nil
			}
			return p.PortalPayload(signerID)
		},
	})
	return p, ok, err
}
