package storage

import (
	"bytes"
	"context"
	"fmt"
	"maps"
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
	sqlEvidenceLast = `SELECT seq FROM evidence_leaves WHERE workspace_id = ? AND process_id = ? ORDER BY seq DESC LIMIT 1`
	sqlEvidenceOf   = `SELECT process_id FROM evidence_leaves WHERE workspace_id = ? AND kind = 'event' AND record_id = ?`
)

func init() {
	hotStatements = append(hotStatements, sqlEvidenceLock, sqlEvidenceMove, sqlEvidenceLeaf, sqlEvidenceNode,
		sqlEvidenceLast, sqlEvidenceOf)
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

// positions remembers, per database and workspace, the next position of the
// processes a writer of this program appended to last, with the head row
// (size and border) it left: a writer that finds the head row as it was left
// knows nobody appended since, and reads no position it remembers. A
// transaction that rolled back left the head row unchanged, which then no
// longer matches, so nothing of it is used.
var positions sync.Map // positionKey → *positionCache

type positionKey struct {
	db *DB
	ws string
}

type positionCache struct {
	mu   sync.Mutex
	size int64
	head []byte
	next map[string]uint64
}

// maxPositions bounds the processes remembered per workspace.
const maxPositions = 1 << 14

// positionsAt returns the remembered positions when the head row is still
// (size, border) as they were left, or an empty map.
func (db *DB) positionsAt(ws string, size int64, border []byte) map[string]uint64 {
	v, ok := positions.Load(positionKey{db, ws})
	if !ok {
		return map[string]uint64{}
	}
	c := v.(*positionCache)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.size != size || !bytes.Equal(c.head, border) {
		return map[string]uint64{}
	}
	return maps.Clone(c.next)
}

// leavePositions remembers the positions with the head row a transaction is
// about to commit.
func (db *DB) leavePositions(ws string, size int64, border []byte, next map[string]uint64) {
	if len(next) > maxPositions {
		next = map[string]uint64{}
	}
	v, _ := positions.LoadOrStore(positionKey{db, ws}, &positionCache{})
	c := v.(*positionCache)
	c.mu.Lock()
	c.size, c.head, c.next = size, border, next
	c.mu.Unlock()
}
