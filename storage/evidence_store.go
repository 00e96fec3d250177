package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/countersign/countersign/evidence"
)

// Evidence is the evidence log's storage: the tree of each workspace
// (evidence_logs, evidence_leaves, evidence_nodes), its signed heads
// (evidence_heads), and the reading of the records the leaves stand for.
// Records are appended by the code that writes them, in its transaction.
type Evidence struct{ db *DB }

// Evidence returns the evidence log's store.
func (db *DB) Evidence() *Evidence { return &Evidence{db: db} }

// queryer is what the tree's reads need: the database or a transaction.
type queryer interface {
	sqlx.QueryerContext
	sqlx.ExecerContext
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

// treeStore is evidence.Store over a database or a transaction. Leaf hashes
// live in evidence_leaves; evidence_nodes holds the nodes above them, so a
// record costs one leaf row and, amortised, one node row.
type treeStore struct {
	db *DB
	x  queryer
}

var _ evidence.Store = treeStore{}

// Size implements evidence.Store.
func (s treeStore) Size(ctx context.Context, workspace string) (uint64, error) {
	var size int64
	err := s.x.GetContext(ctx, &size, s.db.q("SELECT size FROM evidence_logs WHERE workspace_id = ?"), workspace)
	if isNoRows(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read the size of the log of %s: %w", workspace, err)
	}
	return uint64(size), nil
}

// Nodes implements evidence.Store: one query per table, whatever the count.
func (s treeStore) Nodes(ctx context.Context, workspace string, ids []evidence.NodeID) ([][]byte, error) {
	var leafIdx []int64
	var inner []string
	var args []any
	for _, id := range ids {
		if id.Level == 0 {
			leafIdx = append(leafIdx, int64(id.Index))
		} else {
			inner = append(inner, "(level = ? AND idx = ?)")
			args = append(args, id.Level, int64(id.Index))
		}
	}
	found := map[evidence.NodeID][]byte{}
	type row struct {
		Level int    `db:"level"`
		Idx   int64  `db:"idx"`
		Hash  []byte `db:"hash"`
	}
	var rows []row
	if len(leafIdx) > 0 {
		q, a, err := sqlx.In("SELECT 0 AS level, idx, hash FROM evidence_leaves WHERE workspace_id = ? AND idx IN (?)", workspace, leafIdx)
		if err != nil {
			return nil, err
		}
		if err := s.x.SelectContext(ctx, &rows, s.db.q(q), a...); err != nil {
			return nil, fmt.Errorf("read leaves of %s: %w", workspace, err)
		}
	}
	if len(inner) > 0 {
		var more []row
		q := "SELECT level, idx, hash FROM evidence_nodes WHERE workspace_id = ? AND (" + strings.Join(inner, " OR ") + ")"
		if err := s.x.SelectContext(ctx, &more, s.db.q(q), append([]any{workspace}, args...)...); err != nil {
			return nil, fmt.Errorf("read nodes of %s: %w", workspace, err)
		}
		rows = append(rows, more...)
	}
	for _, r := range rows {
		found[evidence.NodeID{Level: uint8(r.Level), Index: uint64(r.Idx)}] = r.Hash
	}
	out := make([][]byte, len(ids))
	for i, id := range ids {
		h, ok := found[id]
		if !ok {
			return nil, fmt.Errorf("%w: (%d, %d) of %s", evidence.ErrNodeMissing, id.Level, id.Index, workspace)
		}
		out[i] = h
	}
	return out, nil
}

// PutNodes implements evidence.Store; leaf hashes (level 0) are PutLeaf's.
func (s treeStore) PutNodes(ctx context.Context, workspace string, nodes []evidence.Node) error {
	var rows [][]any
	for _, n := range nodes {
		if n.ID.Level > 0 {
			rows = append(rows, []any{workspace, n.ID.Level, int64(n.ID.Index), n.Hash})
		}
	}
	return s.insertRows(ctx, "evidence_nodes (workspace_id, level, idx, hash)", rows)
}

// PutLeaf implements evidence.Store. It also moves the log's size on, so that
// evidence.Append works on it; the batched path writes the size and border
// once per transaction instead (see appendRecords).
func (s treeStore) PutLeaf(ctx context.Context, leaf evidence.Leaf) error {
	if err := s.putLeaves(ctx, []evidence.Leaf{leaf}); err != nil {
		return err
	}
	_, err := s.x.ExecContext(ctx, s.db.q(`INSERT INTO evidence_logs (workspace_id, size, border) VALUES (?, ?, ?)
		ON CONFLICT (workspace_id) DO UPDATE SET size = excluded.size`), leaf.Workspace, int64(leaf.Index+1), []byte{})
	if err != nil {
		return fmt.Errorf("move the log of %s on: %w", leaf.Workspace, err)
	}
	return nil
}

func (s treeStore) putLeaves(ctx context.Context, leaves []evidence.Leaf) error {
	rows := make([][]any, len(leaves))
	for i, l := range leaves {
		rows[i] = []any{l.Workspace, int64(l.Index), string(l.Kind), l.RecordID, l.ProcessID, int64(l.Seq), l.Hash}
	}
	return s.insertRows(ctx, "evidence_leaves (workspace_id, idx, kind, record_id, process_id, seq, hash)", rows)
}

// insertRows writes rows with multi-row INSERTs of at most 256 rows each.
func (s treeStore) insertRows(ctx context.Context, into string, rows [][]any) error {
	for len(rows) > 0 {
		n := min(len(rows), 256)
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(rows[0])), ", ") + ")"
		args := make([]any, 0, n*len(rows[0]))
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		q := "INSERT INTO " + into + " VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
		if _, err := s.x.ExecContext(ctx, s.db.q(q), args...); err != nil {
			return fmt.Errorf("insert into %s: %w", into, err)
		}
		rows = rows[n:]
	}
	return nil
}

// ProcessSize implements evidence.Store.
func (s treeStore) ProcessSize(ctx context.Context, workspace, processID string) (uint64, error) {
	var n int64
	err := s.x.GetContext(ctx, &n, s.db.q("SELECT COUNT(*) FROM evidence_leaves WHERE workspace_id = ? AND process_id = ?"), workspace, processID)
	if err != nil {
		return 0, fmt.Errorf("count the leaves of process %s: %w", processID, err)
	}
	return uint64(n), nil
}

// ProcessLeaves implements evidence.Store.
func (s treeStore) ProcessLeaves(ctx context.Context, workspace, processID string) ([]evidence.Leaf, error) {
	var rows []leafRow
	err := s.x.SelectContext(ctx, &rows, s.db.q("SELECT "+leafColumns+` FROM evidence_leaves
		WHERE workspace_id = ? AND process_id = ? ORDER BY seq`), workspace, processID)
	if err != nil {
		return nil, fmt.Errorf("read the leaves of process %s: %w", processID, err)
	}
	return leavesOf(rows), nil
}

// leafRow is an evidence_leaves row.
type leafRow struct {
	Workspace string `db:"workspace_id"`
	Idx       int64  `db:"idx"`
	Kind      string `db:"kind"`
	RecordID  string `db:"record_id"`
	ProcessID string `db:"process_id"`
	Seq       int64  `db:"seq"`
	Hash      []byte `db:"hash"`
}

const leafColumns = "workspace_id, idx, kind, record_id, process_id, seq, hash"

func leavesOf(rows []leafRow) []evidence.Leaf {
	out := make([]evidence.Leaf, len(rows))
	for i, r := range rows {
		out[i] = evidence.Leaf{Workspace: r.Workspace, Index: uint64(r.Idx), Kind: evidence.Kind(r.Kind),
			RecordID: r.RecordID, ProcessID: r.ProcessID, Seq: uint64(r.Seq), Hash: r.Hash}
	}
	return out
}
