package evidence

import (
	"context"
	"crypto/sha256"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// The tree is github.com/transparency-dev/merkle: the maintained code behind
// Certificate Transparency's and the Go checksum database's logs. Its compact
// ranges report each perfect subtree as it completes (what Store keeps), its
// proof package names the stored nodes a proof needs and rebuilds the one
// ephemeral node from them, and its verifiers implement RFC 9162 §2.1.3-4.
var ranges = &compact.RangeFactory{Hash: nodeHash}

// Append adds a record to its workspace's log through s, the Store of the
// caller's transaction, and returns its leaf. It sets the record's Seq for a
// record of a process. The caller must hold the workspace's write lock for
// the transaction (see Store), so that leaf indices are dense and unique.
func Append(ctx context.Context, s Store, rec Record) (Leaf, error) {
	if rec.ProcessID != "" {
		n, err := s.ProcessSize(ctx, rec.Workspace, rec.ProcessID)
		if err != nil {
			return Leaf{}, fmt.Errorf("evidence: count the leaves of process %s: %w", rec.ProcessID, err)
		}
		rec.Seq = n
	} else {
		rec.Seq = 0
	}
	canonical, err := rec.Canonical()
	if err != nil {
		return Leaf{}, err
	}
	size, err := s.Size(ctx, rec.Workspace)
	if err != nil {
		return Leaf{}, fmt.Errorf("evidence: size of the log of %s: %w", rec.Workspace, err)
	}
	r, err := rangeAt(ctx, s, rec.Workspace, size)
	if err != nil {
		return Leaf{}, err
	}
	leaf := Leaf{Workspace: rec.Workspace, Index: size, Kind: rec.Kind, RecordID: rec.ID,
		ProcessID: rec.ProcessID, Seq: rec.Seq, Hash: LeafHash(canonical)}
	// The visitor sees the leaf itself and every inner node it completes.
	var nodes []Node
	err = r.Append(leaf.Hash, func(id compact.NodeID, h []byte) {
		nodes = append(nodes, Node{ID: NodeID{Level: uint8(id.Level), Index: id.Index}, Hash: h})
	})
	if err != nil {
		return Leaf{}, fmt.Errorf("evidence: append to the log of %s: %w", rec.Workspace, err)
	}
	if err := s.PutNodes(ctx, rec.Workspace, nodes); err != nil {
		return Leaf{}, fmt.Errorf("evidence: store the nodes of leaf %d of %s: %w", size, rec.Workspace, err)
	}
	if err := s.PutLeaf(ctx, leaf); err != nil {
		return Leaf{}, fmt.Errorf("evidence: store leaf %d of %s: %w", size, rec.Workspace, err)
	}
	return leaf, nil
}

// Root returns the root hash of the workspace's tree as it was at size leaves;
// the empty tree's root is SHA-256 of nothing.
func Root(ctx context.Context, s Store, workspace string, size uint64) ([]byte, error) {
	if size == 0 {
		sum := sha256.Sum256(nil)
		return sum[:], nil
	}
	r, err := rangeAt(ctx, s, workspace, size)
	if err != nil {
		return nil, err
	}
	root, err := r.GetRootHash(nil)
	if err != nil {
		return nil, fmt.Errorf("evidence: root of %s at %d: %w", workspace, size, err)
	}
	return root, nil
}

// InclusionProof returns the RFC 9162 inclusion proof of leaf index in the
// workspace's tree of the given size.
func InclusionProof(ctx context.Context, s Store, workspace string, index, size uint64) ([][]byte, error) {
	if index >= size {
		return nil, fmt.Errorf("evidence: leaf %d is not in a tree of %d leaves", index, size)
	}
	n, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, fmt.Errorf("evidence: inclusion proof of %d at %d: %w", index, size, err)
	}
	return fetchProof(ctx, s, workspace, n)
}

// ConsistencyProof returns the RFC 9162 consistency proof that the
// workspace's tree of size2 leaves extends its tree of size1 leaves.
func ConsistencyProof(ctx context.Context, s Store, workspace string, size1, size2 uint64) ([][]byte, error) {
	if size1 > size2 {
		return nil, fmt.Errorf("evidence: consistency from %d to the smaller %d", size1, size2)
	}
	n, err := proof.Consistency(size1, size2)
	if err != nil {
		return nil, fmt.Errorf("evidence: consistency proof %d to %d: %w", size1, size2, err)
	}
	return fetchProof(ctx, s, workspace, n)
}

func fetchProof(ctx context.Context, s Store, workspace string, n proof.Nodes) ([][]byte, error) {
	hashes, err := s.Nodes(ctx, workspace, nodeIDs(n.IDs))
	if err != nil {
		return nil, fmt.Errorf("evidence: read proof nodes of %s: %w", workspace, err)
	}
	p, err := n.Rehash(hashes, nodeHash)
	if err != nil {
		return nil, fmt.Errorf("evidence: build proof for %s: %w", workspace, err)
	}
	return p, nil
}

// rangeAt loads the compact range [0, size): the roots of the perfect
// subtrees that make up the tree of that size, at most log2(size)+1 nodes.
func rangeAt(ctx context.Context, s Store, workspace string, size uint64) (*compact.Range, error) {
	ids := compact.RangeNodes(0, size, nil)
	hashes, err := s.Nodes(ctx, workspace, nodeIDs(ids))
	if err != nil {
		return nil, fmt.Errorf("evidence: read the right border of %s at %d: %w", workspace, size, err)
	}
	r, err := ranges.NewRange(0, size, hashes)
	if err != nil {
		return nil, fmt.Errorf("evidence: rebuild the tree of %s at %d: %w", workspace, size, err)
	}
	return r, nil
}

func nodeIDs(ids []compact.NodeID) []NodeID {
	out := make([]NodeID, len(ids))
	for i, id := range ids {
		out[i] = NodeID{Level: uint8(id.Level), Index: id.Index}
	}
	return out
}

// verifyInclusion and verifyConsistency check proofs as RFC 9162 §2.1.3.2 and
// §2.1.4.2 describe.
func verifyInclusion(index, size uint64, leafHash []byte, p [][]byte, root []byte) error {
	return proof.VerifyInclusion(rfc6962.DefaultHasher, index, size, leafHash, p, root)
}

func verifyConsistency(size1, size2 uint64, p [][]byte, root1, root2 []byte) error {
	return proof.VerifyConsistency(rfc6962.DefaultHasher, size1, size2, p, root1, root2)
}
