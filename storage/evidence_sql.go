package storage

import (
	"context"
	"fmt"
	"sync"

	"github.com/countersign/countersign/evidence"
)

// The evidence log's statements on the delivery path. Each has one shape, so
// it is prepared once (see stmtCache) and a batch runs it once per row:
// on SQLite a prepared statement costs microseconds a row, while a multi-row
// INSERT of a new width is parsed anew every time.
const (
	// sqlEvidenceLock creates the workspace's head row for its first record,
	// and locks (PostgreSQL) and reads it, in one statement on both engines.
	sqlEvidenceLock = `INSERT INTO evidence_logs (workspace_id, size, border) VALUES (?, 0, ?)
		ON CONFLICT (workspace_id) DO UPDATE SET size = evidence_logs.size RETURNING size, border`
	sqlEvidenceMove = `UPDATE evidence_logs SET size = ?, border = ? WHERE workspace_id = ?`
	sqlEvidenceLeaf = `INSERT INTO evidence_leaves (workspace_id, idx, kind, record_id, process_id, seq, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	sqlEvidenceNode = `INSERT INTO evidence_nodes (workspace_id, level, idx, hash) VALUES (?, ?, ?, ?)`
	sqlEvidenceNext = `SELECT COALESCE(MAX(seq) + 1, 0) FROM evidence_leaves WHERE workspace_id = ? AND process_id = ?`
	sqlEvidenceOf   = `SELECT process_id FROM evidence_leaves WHERE workspace_id = ? AND kind = 'event' AND record_id = ?`
)

func init() {
	hotStatements = append(hotStatements, sqlEvidenceLock, sqlEvidenceMove, sqlEvidenceLeaf, sqlEvidenceNode,
		sqlEvidenceNext, sqlEvidenceOf)
}

// txGet runs a hot-path query of one row inside tx.
func (db *DB) txGet(ctx context.Context, tx *Tx, dest []any, query string, args ...any) error {
	s, err := db.stmt(ctx, tx, query)
	if err != nil {
		return err
	}
	return s.QueryRowContext(ctx, args...).Scan(dest...)
}

// writeTree writes an Appender's new leaves and nodes: one prepared INSERT a
// row on SQLite, multi-row INSERTs on PostgreSQL, where each statement is a
// round trip.
func (db *DB) writeTree(ctx context.Context, tx *Tx, ws string, a *evidence.Appender) error {
	s := treeStore{db: db, x: tx}
	if db.Dialect == Postgres {
		if err := s.putLeaves(ctx, a.Leaves()); err != nil {
			return err
		}
		return s.PutNodes(ctx, ws, a.Nodes())
	}
	for _, l := range a.Leaves() {
		if _, err := db.txExec(ctx, tx, sqlEvidenceLeaf, l.Workspace, int64(l.Index), string(l.Kind), l.RecordID,
			l.ProcessID, int64(l.Seq), l.Hash); err != nil {
			return fmt.Errorf("insert leaf %d: %w", l.Index, err)
		}
	}
	for _, n := range a.Nodes() {
		if _, err := db.txExec(ctx, tx, sqlEvidenceNode, ws, n.ID.Level, int64(n.ID.Index), n.Hash); err != nil {
			return fmt.Errorf("insert node (%d, %d): %w", n.ID.Level, n.ID.Index, err)
		}
	}
	return nil
}

// eventProcesses remembers which process each recent event belongs to, so
// that recording the attempts of an event seldom reads its leaf. An event's
// process never changes, and ids are unique across databases, so one cache
// serves the whole program; an entry of a rolled-back event is never asked for.
var eventProcesses = &idCache{max: 1 << 16}

// idCache is a map of bounded size, emptied when full.
type idCache struct {
	mu  sync.Mutex
	m   map[string]string
	max int
}

func (c *idCache) get(id string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[id]
	return v, ok
}

func (c *idCache) put(id, v string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = make(map[string]string, 1024)
	}
	c.m[id] = v
}
