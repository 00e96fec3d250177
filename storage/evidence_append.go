package storage

import (
	"context"
	"fmt"
	"sort"

	"github.com/countersign/countersign/evidence"
)

// appendEvidence appends recs to their workspaces' logs inside tx, the
// transaction that writes the records, in one pass per workspace: one read
// (and lock) of the workspace's head row, one read of the next position of
// each process, one multi-row write each of leaves and nodes, one update of
// the head row. Records of a process get their Seq here. Workspaces are
// locked in id order, so that two transactions never wait on each other.
func (db *DB) appendEvidence(ctx context.Context, tx *Tx, recs []evidence.Record) error {
	if len(recs) == 0 {
		return nil
	}
	byWorkspace := map[string][]evidence.Record{}
	var order []string
	for _, r := range recs {
		if _, ok := byWorkspace[r.Workspace]; !ok {
			order = append(order, r.Workspace)
		}
		byWorkspace[r.Workspace] = append(byWorkspace[r.Workspace], r)
	}
	sort.Strings(order)
	for _, ws := range order {
		if err := db.appendWorkspace(ctx, tx, ws, byWorkspace[ws]); err != nil {
			return fmt.Errorf("evidence log of %s: %w", ws, err)
		}
	}
	return nil
}

func (db *DB) appendWorkspace(ctx context.Context, tx *Tx, ws string, recs []evidence.Record) error {
	var size int64
	var raw []byte
	if err := db.txGet(ctx, tx, []any{&size, &raw}, sqlEvidenceLock, ws, []byte{}); err != nil {
		return fmt.Errorf("lock the head: %w", err)
	}
	border, err := splitHashes(raw)
	if err != nil {
		return err
	}
	if ids := evidence.BorderIDs(uint64(size)); len(border) != len(ids) {
		// A log written leaf by leaf (evidence.Append) keeps no border:
		// rebuild it from the nodes.
		if border, err = (treeStore{db: db, x: tx}).Nodes(ctx, ws, ids); err != nil {
			return err
		}
	}
	a, err := evidence.NewAppender(ws, uint64(size), border)
	if err != nil {
		return err
	}
	next := db.positionsAt(ws, size, raw)
	for _, r := range recs {
		if r.ProcessID != "" {
			n, ok := next[r.ProcessID]
			if !ok {
				var last int64
				err := db.txGet(ctx, tx, []any{&last}, sqlEvidenceLast, ws, r.ProcessID)
				switch {
				case isNoRows(err):
					n = 0
				case err != nil:
					return fmt.Errorf("read the position of process %s: %w", r.ProcessID, err)
				default:
					n = uint64(last) + 1
				}
			}
			r.Seq, next[r.ProcessID] = n, n+1
		}
		if _, err := a.Append(r); err != nil {
			return err
		}
		if r.Kind == evidence.KindEvent {
			eventProcesses.put(r.ID, r.ProcessID)
		}
	}
	if err := db.writeTree(ctx, tx, ws, a); err != nil {
		return err
	}
	head := joinHashes(a.Border())
	if _, err := db.txExec(ctx, tx, sqlEvidenceMove, int64(a.Size()), head, ws); err != nil {
		return fmt.Errorf("move the head on: %w", err)
	}
	db.leavePositions(ws, int64(a.Size()), head, next)
	return nil
}

// joinHashes and splitHashes store a border as its 32-byte hashes end to end.
func joinHashes(hs [][]byte) []byte {
	out := make([]byte, 0, 32*len(hs))
	for _, h := range hs {
		out = append(out, h...)
	}
	return out
}

func splitHashes(b []byte) ([][]byte, error) {
	if len(b)%32 != 0 {
		return nil, fmt.Errorf("a border of %d bytes is not a list of SHA-256 hashes", len(b))
	}
	out := make([][]byte, 0, len(b)/32)
	for i := 0; i < len(b); i += 32 {
		out = append(out, b[i:i+32])
	}
	return out, nil
}
