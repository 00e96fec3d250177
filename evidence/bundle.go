package evidence

import (
	"bytes"
	"context"
	"fmt"
	"time"
)

// BundleFormat names the bundle's format and version.
const BundleFormat = "countersign.evidence.bundle/v1"

// Bundle is the evidence of one signing process: its records in the order they
// happened, each with its leaf and its inclusion proof, and the signed tree
// head they are proved against. It is self-contained: Verify needs nothing
// but the bundle and the installation's public key.
type Bundle struct {
	Format    string `json:"format"`
	Workspace string `json:"workspace"`
	ProcessID string `json:"process"`
	// PublicKeyID is the id of the key that signed TreeHead, so that an
	// auditor holding several keys knows which one to use.
	PublicKeyID string `json:"publicKeyId"`
	// TreeHead is the signed checkpoint (see Key.Sign), as text.
	TreeHead string         `json:"treeHead"`
	Records  []BundleRecord `json:"records"`
}

// BundleRecord is one record of a Bundle.
type BundleRecord struct {
	Kind      Kind   `json:"kind"`
	ID        string `json:"record"`
	Seq       uint64 `json:"seq"`
	LeafIndex uint64 `json:"leafIndex"`
	LeafHash  []byte `json:"leafHash"`
	// Canonical is the record's canonical bytes (see Record.Canonical), which
	// are UTF-8 JSON and so travel as a string. It is empty when retention has
	// expunged the record's body: the leaf hash is still proved, the content
	// can no longer be shown.
	Canonical string `json:"canonical,omitempty"`
	// Expunged marks a record whose body retention removed.
	Expunged       bool     `json:"expunged,omitempty"`
	InclusionProof [][]byte `json:"inclusionProof"`
}

// RecordSource returns the record a leaf stands for, as storage reads it now,
// or a Record with a nil Body when retention has expunged it.
type RecordSource func(ctx context.Context, leaf Leaf) (Record, error)

// Match checks that a record, as read now, still hashes to its leaf, and
// returns its canonical bytes. A mismatch means the row changed after it was
// written; the error names the record.
func (l Leaf) Match(rec Record) ([]byte, error) {
	if rec.ProcessID != l.ProcessID {
		return nil, &RecordError{Position: -1, Kind: l.Kind, ID: l.RecordID,
			Reason: fmt.Sprintf("leaf %d files it under process %q, its row under %q", l.Index, l.ProcessID, rec.ProcessID)}
	}
	rec.Seq = l.Seq
	canonical, err := rec.Canonical()
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(LeafHash(canonical), l.Hash) {
		return nil, &RecordError{Position: -1, Kind: l.Kind, ID: l.RecordID,
			Reason: fmt.Sprintf("stored bytes no longer match leaf %d", l.Index)}
	}
	return canonical, nil
}

// BuildBundle assembles the evidence of one process from the workspace's log
// through s, reading each record through src. It signs a head of the tree at
// its current size with key, at time now, and proves every record against it.
// A record whose stored bytes no longer match its leaf stops the build with
// a *RecordError naming it.
func BuildBundle(ctx context.Context, s Store, key *Key, src RecordSource, workspace, processID string, now time.Time) (*Bundle, error) {
	leaves, err := s.ProcessLeaves(ctx, workspace, processID)
	if err != nil {
		return nil, fmt.Errorf("evidence: leaves of process %s: %w", processID, err)
	}
	size, err := s.Size(ctx, workspace)
	if err != nil {
		return nil, fmt.Errorf("evidence: size of the log of %s: %w", workspace, err)
	}
	root, err := Root(ctx, s, workspace, size)
	if err != nil {
		return nil, err
	}
	head, err := key.Sign(TreeHead{Workspace: workspace, Size: size, Root: root, Time: now})
	if err != nil {
		return nil, err
	}
	b := &Bundle{Format: BundleFormat, Workspace: workspace, ProcessID: processID,
		PublicKeyID: key.ID(), TreeHead: head, Records: make([]BundleRecord, 0, len(leaves))}
	for _, l := range leaves {
		rec, err := src(ctx, l)
		if err != nil {
			return nil, fmt.Errorf("evidence: read %s %s: %w", l.Kind, l.RecordID, err)
		}
		br := BundleRecord{Kind: l.Kind, ID: l.RecordID, Seq: l.Seq, LeafIndex: l.Index, LeafHash: l.Hash}
		if rec.Body != nil {
			canonical, err := l.Match(rec)
			if err != nil {
				return nil, err
			}
			br.Canonical = string(canonical)
		} else {
			br.Expunged = true
		}
		if br.InclusionProof, err = InclusionProof(ctx, s, workspace, l.Index, size); err != nil {
			return nil, err
		}
		b.Records = append(b.Records, br)
	}
	return b, nil
}
