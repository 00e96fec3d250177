package evidence

import (
	"context"
	"errors"
)

// NodeID names a node of a workspace's tree: Level 0 holds the leaves, and
// node (l, i) covers leaves [i·2^l, (i+1)·2^l).
type NodeID struct {
	Level uint8
	Index uint64
}

// Node is a node's id and hash.
type Node struct {
	ID   NodeID
	Hash []byte
}

// Leaf is what the log keeps of a record besides the tree's nodes: where its
// leaf is and which record it stands for, so that a process's bundle can find
// its records' leaves and so that a check can walk the log against the rows.
type Leaf struct {
	Workspace string
	Index     uint64
	Kind      Kind
	RecordID  string
	ProcessID string
	Seq       uint64
	Hash      []byte
}

// ErrNodeMissing is returned by a Store asked for a node it does not hold.
var ErrNodeMissing = errors.New("evidence: tree node missing")

// Store keeps the trees of all workspaces. Only perfect subtrees are stored,
// each once, when its last leaf arrives; the hashes of the imperfect nodes on
// a tree's right border are recomputed from them. So an inclusion or
// consistency proof reads O(log n) rows, an append writes O(1) amortised rows
// and reads O(log n), and no call needs the leaves in memory.
//
// Storage implements it on the caller's transaction, with one writer per
// workspace at a time (SELECT … FOR UPDATE on the workspace's row in
// PostgreSQL; SQLite has a single writer). The proposed tables:
//
//	CREATE TABLE evidence_nodes (
//	    workspace_id TEXT    NOT NULL,
//	    level        INTEGER NOT NULL,  -- 0 = leaves
//	    idx          BIGINT  NOT NULL,
//	    hash         BYTEA   NOT NULL,  -- 32 bytes (BLOB in SQLite)
//	    PRIMARY KEY (workspace_id, level, idx)
//	);
//	CREATE TABLE evidence_leaves (
//	    workspace_id TEXT   NOT NULL,
//	    idx          BIGINT NOT NULL,  -- leaf index; Size = max(idx)+1
//	    kind         TEXT   NOT NULL,  -- audit | event | attempt
//	    record_id    TEXT   NOT NULL,
//	    process_id   TEXT,
//	    seq          BIGINT NOT NULL,
//	    PRIMARY KEY (workspace_id, idx),
//	    UNIQUE (workspace_id, kind, record_id)
//	);
//	CREATE INDEX evidence_leaves_process ON evidence_leaves (workspace_id, process_id, seq);
//	CREATE TABLE evidence_heads (
//	    workspace_id TEXT   NOT NULL,
//	    size         BIGINT NOT NULL,
//	    checkpoint   TEXT   NOT NULL,  -- the signed note, as served
//	    PRIMARY KEY (workspace_id, size)
//	);
//
// Retention that expunges a record's body keeps both leaf and node rows, so
// proofs for the other records still verify.
type Store interface {
	// Size returns the number of leaves in the workspace's log.
	Size(ctx context.Context, workspace string) (uint64, error)
	// Nodes returns the hashes of the given nodes, in order; a node it does
	// not hold is an error wrapping ErrNodeMissing.
	Nodes(ctx context.Context, workspace string, ids []NodeID) ([][]byte, error)
	// PutNodes stores new nodes; Append never rewrites one.
	PutNodes(ctx context.Context, workspace string, nodes []Node) error
	// PutLeaf records which record a new leaf stands for.
	PutLeaf(ctx context.Context, leaf Leaf) error
	// ProcessSize returns how many leaves the process has in the workspace's log.
	ProcessSize(ctx context.Context, workspace, processID string) (uint64, error)
	// ProcessLeaves returns the process's leaves in Seq order.
	ProcessLeaves(ctx context.Context, workspace, processID string) ([]Leaf, error)
}
