package evidence

import (
	"crypto/sha256"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
)

// Appender appends records to one workspace's tree in memory, starting from
// the tree's compact range (its right border) as the caller read it. A
// transaction that writes many records reads the border once, appends them
// all, and writes the new leaves, the new nodes and the new border once:
// that is what keeps the log cheap on the delivery path. The caller holds the
// workspace's write lock, as for Append.
type Appender struct {
	workspace string
	r         *compact.Range
	nodes     []Node
	leaves    []Leaf
}

// NewAppender starts from the tree of size leaves whose border (the hashes of
// compact.RangeNodes(0, size), as Border returns them) is given.
func NewAppender(workspace string, size uint64, border [][]byte) (*Appender, error) {
	r, err := ranges.NewRange(0, size, border)
	if err != nil {
		return nil, fmt.Errorf("evidence: the border of %s at %d: %w", workspace, size, err)
	}
	return &Appender{workspace: workspace, r: r}, nil
}

// Append adds a record with its Seq as given (the caller counts the records
// of each process) and returns its leaf.
func (a *Appender) Append(rec Record) (Leaf, error) {
	if rec.Workspace != a.workspace {
		return Leaf{}, fmt.Errorf("evidence: record %s of %s appended to the log of %s", rec.ID, rec.Workspace, a.workspace)
	}
	canonical, err := rec.Canonical()
	if err != nil {
		return Leaf{}, err
	}
	leaf := Leaf{Workspace: a.workspace, Index: a.r.End(), Kind: rec.Kind, RecordID: rec.ID,
		ProcessID: rec.ProcessID, Seq: rec.Seq, Hash: LeafHash(canonical)}
	nodes, err := a.AppendHash(leaf.Hash)
	if err != nil {
		return Leaf{}, err
	}
	a.nodes = append(a.nodes, nodes...)
	a.leaves = append(a.leaves, leaf)
	return leaf, nil
}

// AppendHash adds a leaf by its hash alone and returns the nodes above the
// leaves that it completes, without keeping them: a check that rebuilds a
// tree from its stored leaves compares them with the stored nodes.
func (a *Appender) AppendHash(leafHash []byte) ([]Node, error) {
	var nodes []Node
	err := a.r.Append(leafHash, func(id compact.NodeID, h []byte) {
		if id.Level > 0 {
			nodes = append(nodes, Node{ID: NodeID{Level: uint8(id.Level), Index: id.Index}, Hash: h})
		}
	})
	if err != nil {
		return nil, fmt.Errorf("evidence: append to the log of %s: %w", a.workspace, err)
	}
	return nodes, nil
}

// Size returns the number of leaves of the tree so far.
func (a *Appender) Size() uint64 { return a.r.End() }

// Border returns the tree's compact range: the roots of its perfect subtrees,
// largest first, what NewAppender takes to continue.
func (a *Appender) Border() [][]byte { return a.r.Hashes() }

// Root returns the tree's root hash.
func (a *Appender) Root() ([]byte, error) {
	if a.r.End() == 0 {
		sum := sha256.Sum256(nil)
		return sum[:], nil
	}
	return a.r.GetRootHash(nil)
}

// Leaves returns the leaves Append added, in order.
func (a *Appender) Leaves() []Leaf { return a.leaves }

// Nodes returns the nodes above the leaves that Append completed, in the order
// they completed. Leaf hashes are not among them: the leaves carry them.
func (a *Appender) Nodes() []Node { return a.nodes }

// BorderIDs returns the ids of the nodes that make up the border of a tree of
// size leaves, in the order Border returns their hashes.
func BorderIDs(size uint64) []NodeID { return nodeIDs(compact.RangeNodes(0, size, nil)) }
