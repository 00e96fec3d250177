package evidence

import (
	"bytes"
	"errors"
	"fmt"
)

// RecordError names the first record that fails verification.
type RecordError struct {
	// Position is the record's place in the bundle, from 0; -1 outside a bundle.
	Position int
	Kind     Kind
	ID       string
	Reason   string
}

func (e *RecordError) Error() string {
	if e.Position < 0 {
		return fmt.Sprintf("evidence: %s %s: %s", e.Kind, e.ID, e.Reason)
	}
	return fmt.Sprintf("evidence: record %d (%s %s): %s", e.Position, e.Kind, e.ID, e.Reason)
}

// Verify checks a bundle offline against the installation's public key (in
// the signed-note verifier encoding): the tree head is signed by that key and
// names the bundle's workspace; every record's canonical bytes hash to its
// leaf, name the bundle's workspace and process, and come in the process's
// order with none left out between them; every leaf is included in the
// signed tree. It returns nil when all hold, a *RecordError naming the first
// record that fails, or an error about the bundle or its head.
func Verify(b *Bundle, publicKey string) error {
	if b.Format != BundleFormat {
		return fmt.Errorf("evidence: bundle format %q, want %q", b.Format, BundleFormat)
	}
	head, err := OpenHead(b.TreeHead, publicKey)
	if err != nil {
		return err
	}
	if id, err := PublicKeyID(publicKey); err == nil && b.PublicKeyID != "" && b.PublicKeyID != id {
		return fmt.Errorf("evidence: bundle names key %s, the key given is %s", b.PublicKeyID, id)
	}
	if head.Workspace != b.Workspace {
		return fmt.Errorf("evidence: tree head is for workspace %s, the bundle for %s", head.Workspace, b.Workspace)
	}
	var prev uint64
	for i, r := range b.Records {
		fail := func(format string, args ...any) error {
			return &RecordError{Position: i, Kind: r.Kind, ID: r.ID, Reason: fmt.Sprintf(format, args...)}
		}
		if r.Seq != uint64(i) {
			return fail("is #%d of the process, #%d expected here: records are out of order or missing", r.Seq, i)
		}
		if i > 0 && r.LeafIndex <= prev {
			return fail("leaf %d does not come after the previous record's leaf %d", r.LeafIndex, prev)
		}
		prev = r.LeafIndex
		leafHash := r.LeafHash
		if r.Canonical != "" {
			leafHash = LeafHash([]byte(r.Canonical))
			if len(r.LeafHash) > 0 && !bytes.Equal(leafHash, r.LeafHash) {
				return fail("canonical bytes do not hash to the stated leaf hash")
			}
			if err := checkEnvelope(b, r); err != nil {
				return fail("%v", err)
			}
		}
		if r.LeafIndex >= head.Size {
			return fail("leaf %d is beyond the signed tree of %d leaves", r.LeafIndex, head.Size)
		}
		if err := verifyInclusion(r.LeafIndex, head.Size, leafHash, r.InclusionProof, head.Root); err != nil {
			return fail("not included in the signed tree at leaf %d: %v", r.LeafIndex, err)
		}
	}
	return nil
}

// checkEnvelope checks that a record's canonical bytes are canonical and say
// what the bundle says of them.
func checkEnvelope(b *Bundle, r BundleRecord) error {
	rec, err := ParseRecord([]byte(r.Canonical))
	if err != nil {
		return err
	}
	switch {
	case rec.Workspace != b.Workspace:
		return fmt.Errorf("belongs to workspace %s", rec.Workspace)
	case rec.ProcessID != b.ProcessID:
		return fmt.Errorf("belongs to process %q, not %s", rec.ProcessID, b.ProcessID)
	case rec.Kind != r.Kind || rec.ID != r.ID:
		return fmt.Errorf("canonical bytes are %s %s", rec.Kind, rec.ID)
	case rec.Seq != r.Seq:
		return fmt.Errorf("canonical bytes say #%d of the process", rec.Seq)
	}
	return nil
}

// ErrNotConsistent is returned when a newer head does not extend an older one.
var ErrNotConsistent = errors.New("evidence: the newer tree head does not extend the older one")

// Consistency is a consistency proof between two signed heads of one
// workspace: the answer of GET /v1/evidence/consistency.
type Consistency struct {
	From  string   `json:"from"`
	To    string   `json:"to"`
	Proof [][]byte `json:"proof"`
}

// VerifyConsistency checks that both heads are signed by the public key, name
// the same workspace, and that the proof shows the newer tree is the older
// one with leaves appended: nothing written before was changed or removed.
func VerifyConsistency(c Consistency, publicKey string) error {
	from, err := OpenHead(c.From, publicKey)
	if err != nil {
		return fmt.Errorf("older head: %w", err)
	}
	to, err := OpenHead(c.To, publicKey)
	if err != nil {
		return fmt.Errorf("newer head: %w", err)
	}
	if from.Workspace != to.Workspace {
		return fmt.Errorf("%w: heads of workspaces %s and %s", ErrNotConsistent, from.Workspace, to.Workspace)
	}
	if from.Size > to.Size {
		return fmt.Errorf("%w: the older head has %d leaves, the newer %d", ErrNotConsistent, from.Size, to.Size)
	}
	if err := verifyConsistency(from.Size, to.Size, c.Proof, from.Root, to.Root); err != nil {
		return fmt.Errorf("%w: %v", ErrNotConsistent, err)
	}
	return nil
}
