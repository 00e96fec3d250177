package storage

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/evidence"
)

// ProcessEvidence returns the evidence bundle of a signing process: its
// records with their inclusion proofs against a head of the workspace's tree
// signed now with key, which is kept like the periodic heads. A process with
// no record in the log is not found. A record whose row no longer matches its
// leaf, or is gone, is a conflict naming the record: the log shows the
// database was changed, and `countersign evidence check` tells the rest.
func (e *Evidence) ProcessEvidence(ctx context.Context, key *evidence.Key, ws, processID string) (*evidence.Bundle, error) {
	s := treeStore{db: e.db, x: e.db.x}
	n, err := s.ProcessSize(ctx, ws, processID)
	if err != nil {
		return nil, classify(err)
	}
	if n == 0 {
		return nil, countersign.Errorf(countersign.ENOTFOUND, "no evidence of signing process %s in this workspace", processID)
	}
	src := func(ctx context.Context, l evidence.Leaf) (evidence.Record, error) {
		recs, err := e.readRecords(ctx, e.db.x, ws, []evidence.Leaf{l})
		if err != nil {
			return evidence.Record{}, err
		}
		rec, ok := recs[recordKey(l.Kind, l.RecordID)]
		if !ok {
			return evidence.Record{}, &evidence.RecordError{Position: -1, Kind: l.Kind, ID: l.RecordID,
				Reason: fmt.Sprintf("the row of leaf %d is missing from the database", l.Index)}
		}
		return rec, nil
	}
	b, err := evidence.BuildBundle(ctx, s, key, src, ws, processID, e.db.Now())
	if err != nil {
		if re := asRecordError(err); re != nil {
			return nil, countersign.Errorf(countersign.ECONFLICT, "the evidence log refuses %s %s: %s; run countersign evidence check",
				re.Kind, re.ID, re.Reason)
		}
		if errors.Is(err, evidence.ErrNodeMissing) {
			return nil, countersign.Errorf(countersign.ECONFLICT, "the evidence log of this workspace lost a part of its tree (%v); run countersign evidence check", err)
		}
		return nil, classify(err)
	}
	if head, err := evidence.OpenHead(b.TreeHead, key.PublicKey()); err == nil {
		if err := e.keepHead(ctx, ws, head.Size, head.Time, b.TreeHead); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func recordKey(k evidence.Kind, id string) string { return string(k) + "/" + id }

// readRecords reads the records the leaves stand for, as their rows are now,
// keyed by recordKey; a record whose row is gone is absent, one whose body
// retention expunged has a nil Body.
func (e *Evidence) readRecords(ctx context.Context, x queryer, ws string, leaves []evidence.Leaf) (map[string]evidence.Record, error) {
	ids := map[evidence.Kind][]string{}
	process := map[string]string{}
	for _, l := range leaves {
		ids[l.Kind] = append(ids[l.Kind], l.RecordID)
		process[recordKey(l.Kind, l.RecordID)] = l.ProcessID
	}
	out := make(map[string]evidence.Record, len(leaves))
	in := func(dest any, columns, table string, list []string) error {
		q, args, err := sqlx.In("SELECT "+columns+" FROM "+table+" WHERE workspace_id = ? AND id IN (?)", ws, list)
		if err != nil {
			return err
		}
		if err := x.SelectContext(ctx, dest, e.db.q(q), args...); err != nil {
			return fmt.Errorf("read %s: %w", table, err)
		}
		return nil
	}
	if list := ids[evidence.KindAudit]; len(list) > 0 {
		var rows []auditRow
		if err := in(&rows, auditColumns, "audit_events", list); err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[recordKey(evidence.KindAudit, r.ID)] = auditEvidence(r)
		}
	}
	if list := ids[evidence.KindEvent]; len(list) > 0 {
		var rows []eventEvidenceRow
		if err := in(&rows, eventEvidenceColumns, "events", list); err != nil {
			return nil, err
		}
		for _, r := range rows {
			rec, err := eventEvidence(r)
			if err != nil {
				return nil, err
			}
			out[recordKey(evidence.KindEvent, r.ID)] = rec
		}
	}
	if list := ids[evidence.KindAttempt]; len(list) > 0 {
		var rows []attemptEvidenceRow
		if err := in(&rows, attemptEvidenceColumns, "delivery_attempts", list); err != nil {
			return nil, err
		}
		for _, r := range rows {
			key := recordKey(evidence.KindAttempt, r.ID)
			rec, err := attemptEvidence(r, process[key])
			if err != nil {
				return nil, err
			}
			out[key] = rec
		}
	}
	return out, nil
}
