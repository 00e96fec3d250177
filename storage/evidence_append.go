package storage

import (
	"context"
	"fmt"
	"sort"

	"github.com/jmoiron/sqlx"

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
	s := treeStore{db: db, x: tx}
	size, border, err := db.lockLog(ctx, tx, ws)
	if err != nil {
		return err
	}
	if ids := evidence.BorderIDs(size); len(border) != len(ids) {
		// A log written leaf by leaf (evidence.Append) keeps no border:
		// rebuild it from the nodes.
		if border, err = s.Nodes(ctx, ws, ids); err != nil {
			return err
		}
	}
	next, err := db.nextSeqs(ctx, tx, ws, recs)
	if err != nil {
		return err
	}
	a, err := evidence.NewAppender(ws, size, border)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if r.ProcessID != "" {
			r.Seq = next[r.ProcessID]
			next[r.ProcessID]++
		}
		if _, err := a.Append(r); err != nil {
			return err
		}
	}
	if err := s.putLeaves(ctx, a.Leaves()); err != nil {
		return err
	}
	if err := s.PutNodes(ctx, ws, a.Nodes()); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, db.q("UPDATE evidence_logs SET size = ?, border = ? WHERE workspace_id = ?"),
		int64(a.Size()), joinHashes(a.Border()), ws); err != nil {
		return fmt.Errorf("move the head on: %w", err)
	}
	return nil
}

// lockLog reads the workspace's head row, creating it for the first record,
// and on PostgreSQL locks it until tx ends: that lock is the workspace's
// writer lock. SQLite transactions begin IMMEDIATE, holding the database's
// single write lock already.
func (db *DB) lockLog(ctx context.Context, tx *Tx, ws string) (uint64, [][]byte, error) {
	query := "SELECT size, border FROM evidence_logs WHERE workspace_id = ?"
	if db.Dialect == Postgres {
		query += " FOR UPDATE"
	}
	var head struct {
		Size   int64  `db:"size"`
		Border []byte `db:"border"`
	}
	for range 2 {
		err := tx.GetContext(ctx, &head, db.q(query), ws)
		if err == nil {
			border, err := splitHashes(head.Border)
			return uint64(head.Size), border, err
		}
		if !isNoRows(err) {
			return 0, nil, fmt.Errorf("lock the head: %w", err)
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO evidence_logs (workspace_id, size, border) VALUES (?, 0, ?)
			ON CONFLICT (workspace_id) DO NOTHING`), ws, []byte{}); err != nil {
			return 0, nil, fmt.Errorf("create the head: %w", err)
		}
	}
	return 0, nil, fmt.Errorf("the head row of %s vanished", ws)
}

// nextSeqs returns the next position of each process that recs belong to.
func (db *DB) nextSeqs(ctx context.Context, tx *Tx, ws string, recs []evidence.Record) (map[string]uint64, error) {
	next := map[string]uint64{}
	var ids []string
	for _, r := range recs {
		if _, ok := next[r.ProcessID]; !ok && r.ProcessID != "" {
			next[r.ProcessID] = 0
			ids = append(ids, r.ProcessID)
		}
	}
	if len(ids) == 0 {
		return next, nil
	}
	q, args, err := sqlx.In(`SELECT process_id, MAX(seq) + 1 AS n FROM evidence_leaves
		WHERE workspace_id = ? AND process_id IN (?) GROUP BY process_id`, ws, ids)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ProcessID string `db:"process_id"`
		N         int64  `db:"n"`
	}
	if err := tx.SelectContext(ctx, &rows, db.q(q), args...); err != nil {
		return nil, fmt.Errorf("read the processes' positions: %w", err)
	}
	for _, r := range rows {
		next[r.ProcessID] = uint64(r.N)
	}
	return next, nil
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
