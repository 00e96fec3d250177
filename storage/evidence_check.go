package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/countersign/countersign/evidence"
)

// checkChunk is how many leaves Check reads at a time.
const checkChunk = 500

// EvidenceCheck is what Check found in a sound log.
type EvidenceCheck struct {
	// Leaves is the number of leaves walked; Expunged how many of their
	// records retention had emptied (their content cannot be checked).
	Leaves, Expunged uint64
	// Heads is the number of kept signed heads checked against the tree.
	Heads int
}

// CheckError names the first leaf at which a workspace's log and the rows it
// stands for part ways.
type CheckError struct {
	Leaf   uint64
	Kind   evidence.Kind
	ID     string
	Reason string
}

func (e *CheckError) Error() string {
	if e.ID == "" {
		return fmt.Sprintf("leaf %d: %s", e.Leaf, e.Reason)
	}
	return fmt.Sprintf("leaf %d (%s %s): %s", e.Leaf, e.Kind, e.ID, e.Reason)
}

// Check walks the workspace's whole log in leaf order and checks, against
// the rows as they are now and the installation's public key: every leaf is
// there, once, in order; every record's row still hashes to its leaf; the
// tree's stored nodes are the ones its leaves make; every kept head is
// signed by the key and states the tree's root at its size. It returns the
// first discrepancy as a *CheckError.
func (e *Evidence) Check(ctx context.Context, ws, publicKey string) (EvidenceCheck, error) {
	heads, err := e.Heads(ctx, ws, 1<<30)
	if err != nil {
		return EvidenceCheck{}, err
	}
	// Heads come largest first; the walk meets them smallest first.
	want := map[uint64][]evidence.TreeHead{}
	for _, h := range heads {
		th, err := evidence.OpenHead(h.Checkpoint, publicKey)
		if err != nil {
			return EvidenceCheck{}, &CheckError{Leaf: h.Size, Reason: fmt.Sprintf("the kept head of %d leaves: %v", h.Size, err)}
		}
		if th.Workspace != ws || th.Size != h.Size {
			return EvidenceCheck{}, &CheckError{Leaf: h.Size, Reason: fmt.Sprintf("the kept head of %d leaves states %s at %d", h.Size, th.Workspace, th.Size)}
		}
		want[h.Size] = append(want[h.Size], th)
	}
	a, _ := evidence.NewAppender(ws, 0, nil)
	var sum EvidenceCheck
	s := treeStore{db: e.db, x: e.db.x}
	checkHeads := func() error {
		root, err := a.Root()
		if err != nil {
			return err
		}
		for _, th := range want[a.Size()] {
			if !bytes.Equal(root, th.Root) {
				return &CheckError{Leaf: a.Size(), Reason: fmt.Sprintf("the tree of the first %d leaves does not have the root its signed head states: leaves before it were changed, removed or reordered", a.Size())}
			}
			sum.Heads++
		}
		return nil
	}
	if err := checkHeads(); err != nil {
		return sum, err
	}
	for {
		var rows []leafRow
		err := e.db.x.SelectContext(ctx, &rows, e.db.q("SELECT "+leafColumns+` FROM evidence_leaves
			WHERE workspace_id = ? AND idx >= ? ORDER BY idx LIMIT ?`), ws, int64(a.Size()), checkChunk)
		if err != nil {
			return sum, classify(fmt.Errorf("read the leaves of %s: %w", ws, err))
		}
		if len(rows) == 0 {
			break
		}
		leaves := leavesOf(rows)
		recs, err := e.readRecords(ctx, e.db.x, ws, leaves)
		if err != nil {
			return sum, classify(err)
		}
		var built []evidence.Node
		var headErr error // reported after the nodes, which name the place better
		for _, l := range leaves {
			fail := func(format string, args ...any) error {
				return &CheckError{Leaf: l.Index, Kind: l.Kind, ID: l.RecordID, Reason: fmt.Sprintf(format, args...)}
			}
			if l.Index != a.Size() {
				return sum, &CheckError{Leaf: a.Size(), Reason: fmt.Sprintf("is missing: the next leaf stored is %d", l.Index)}
			}
			rec, ok := recs[recordKey(l.Kind, l.RecordID)]
			switch {
			case !ok:
				return sum, fail("the record's row is missing from the database")
			case rec.Body == nil:
				sum.Expunged++
			default:
				if _, err := l.Match(rec); err != nil {
					var re *evidence.RecordError
					if errors.As(err, &re) {
						return sum, fail("%s", re.Reason)
					}
					return sum, fail("%v", err)
				}
			}
			nodes, err := a.AppendHash(l.Hash)
			if err != nil {
				return sum, err
			}
			built = append(built, nodes...)
			if headErr == nil {
				headErr = checkHeads()
			}
		}
		if err := e.compareNodes(ctx, s, ws, built); err != nil {
			return sum, err
		}
		if headErr != nil {
			return sum, headErr
		}
	}
	sum.Leaves = a.Size()
	stored, err := e.tree(ctx, e.db.x, ws)
	if err != nil {
		return sum, err
	}
	if stored.Size() != a.Size() {
		return sum, &CheckError{Leaf: a.Size(), Reason: fmt.Sprintf("is missing: the log's head says %d leaves", stored.Size())}
	}
	for _, h := range heads {
		if h.Size > a.Size() {
			return sum, &CheckError{Leaf: a.Size(), Reason: fmt.Sprintf("is missing: a signed head states %d leaves", h.Size)}
		}
	}
	return sum, nil
}

// compareNodes checks the stored nodes are the ones the leaves make.
func (e *Evidence) compareNodes(ctx context.Context, s treeStore, ws string, built []evidence.Node) error {
	for len(built) > 0 {
		n := min(len(built), 200)
		ids := make([]evidence.NodeID, n)
		for i, nd := range built[:n] {
			ids[i] = nd.ID
		}
		hashes, err := s.Nodes(ctx, ws, ids)
		if err != nil && !errors.Is(err, evidence.ErrNodeMissing) {
			return classify(err)
		}
		for i, nd := range built[:n] {
			first := nd.ID.Index << nd.ID.Level
			if err != nil || !bytes.Equal(hashes[i], nd.Hash) {
				return &CheckError{Leaf: first, Reason: fmt.Sprintf("the stored node over leaves %d to %d is not the hash of those leaves: leaves were changed, removed or reordered", first, first+1<<nd.ID.Level-1)}
			}
		}
		built = built[n:]
	}
	return nil
}

func asRecordError(err error) *evidence.RecordError {
	var re *evidence.RecordError
	if errors.As(err, &re) {
		return re
	}
	return nil
}
