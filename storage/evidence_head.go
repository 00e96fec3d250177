package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/evidence"
)

// tree reads the workspace's size and border from its head row in one
// query, and returns an Appender positioned there (an empty one when the
// workspace has no record yet).
func (e *Evidence) tree(ctx context.Context, x queryer, ws string) (*evidence.Appender, error) {
	var head struct {
		Size   int64  `db:"size"`
		Border []byte `db:"border"`
	}
	err := x.GetContext(ctx, &head, e.db.q("SELECT size, border FROM evidence_logs WHERE workspace_id = ?"), ws)
	if isNoRows(err) {
		return evidence.NewAppender(ws, 0, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("read the head of the log of %s: %w", ws, err)
	}
	border, err := splitHashes(head.Border)
	if err != nil {
		return nil, err
	}
	if ids := evidence.BorderIDs(uint64(head.Size)); len(ids) != len(border) {
		if border, err = (treeStore{db: e.db, x: x}).Nodes(ctx, ws, ids); err != nil {
			return nil, err
		}
	}
	return evidence.NewAppender(ws, uint64(head.Size), border)
}

// SignHead signs the workspace's tree at its current size with key and keeps
// the head. Heads are idempotent per size: when the tree has not grown since
// a head was kept, that head is returned, so that several processes signing
// on a schedule agree.
func (e *Evidence) SignHead(ctx context.Context, key *evidence.Key, ws string) (evidence.SignedHead, error) {
	a, err := e.tree(ctx, e.db.x, ws)
	if err != nil {
		return evidence.SignedHead{}, classify(err)
	}
	if h, err := e.headAt(ctx, ws, a.Size()); err == nil {
		return h, nil
	} else if countersign.ErrorCode(err) != countersign.ENOTFOUND {
		return evidence.SignedHead{}, err
	}
	root, err := a.Root()
	if err != nil {
		return evidence.SignedHead{}, err
	}
	now := e.db.Now().Truncate(time.Second)
	cp, err := key.Sign(evidence.TreeHead{Workspace: ws, Size: a.Size(), Root: root, Time: now})
	if err != nil {
		return evidence.SignedHead{}, err
	}
	if err := e.keepHead(ctx, ws, a.Size(), now, cp); err != nil {
		return evidence.SignedHead{}, err
	}
	return e.headAt(ctx, ws, a.Size())
}

// keepHead stores a head unless one of that size is kept already.
func (e *Evidence) keepHead(ctx context.Context, ws string, size uint64, at time.Time, checkpoint string) error {
	_, err := e.db.x.ExecContext(ctx, e.db.q(`INSERT INTO evidence_heads (workspace_id, size, signed_at, checkpoint) VALUES (?, ?, ?, ?)
		ON CONFLICT (workspace_id, size) DO NOTHING`), ws, int64(size), micros(at), checkpoint)
	if err != nil {
		return classify(fmt.Errorf("keep the head of %s at %d: %w", ws, size, err))
	}
	return nil
}

// SignGrown signs a head for every workspace whose log grew since its last
// kept head, and returns how many it signed: the periodic signing.
func (e *Evidence) SignGrown(ctx context.Context, key *evidence.Key) (int, error) {
	var grown []string
	err := e.db.x.SelectContext(ctx, &grown, `SELECT l.workspace_id FROM evidence_logs l
		WHERE l.size > COALESCE((SELECT MAX(h.size) FROM evidence_heads h WHERE h.workspace_id = l.workspace_id), -1)`)
	if err != nil {
		return 0, classify(fmt.Errorf("find grown logs: %w", err))
	}
	for i, ws := range grown {
		if _, err := e.SignHead(ctx, key, ws); err != nil {
			return i, err
		}
	}
	return len(grown), nil
}

type headRow struct {
	Workspace  string `db:"workspace_id"`
	Size       int64  `db:"size"`
	SignedAt   int64  `db:"signed_at"`
	Checkpoint string `db:"checkpoint"`
}

func (r headRow) head() evidence.SignedHead {
	return evidence.SignedHead{Workspace: r.Workspace, Size: uint64(r.Size), SignedAt: fromMicros(r.SignedAt), Checkpoint: r.Checkpoint}
}

// headAt returns the kept head of the given size, or a not-found error.
func (e *Evidence) headAt(ctx context.Context, ws string, size uint64) (evidence.SignedHead, error) {
	var r headRow
	err := e.db.x.GetContext(ctx, &r, e.db.q(`SELECT workspace_id, size, signed_at, checkpoint FROM evidence_heads
		WHERE workspace_id = ? AND size = ?`), ws, int64(size))
	if isNoRows(err) {
		return evidence.SignedHead{}, countersign.Errorf(countersign.ENOTFOUND, "no signed tree head of %d leaves", size)
	}
	if err != nil {
		return evidence.SignedHead{}, classify(fmt.Errorf("read a head of %s: %w", ws, err))
	}
	return r.head(), nil
}

// Heads returns the workspace's kept heads, largest first, at most limit.
func (e *Evidence) Heads(ctx context.Context, ws string, limit int) ([]evidence.SignedHead, error) {
	var rows []headRow
	err := e.db.x.SelectContext(ctx, &rows, e.db.q(`SELECT workspace_id, size, signed_at, checkpoint FROM evidence_heads
		WHERE workspace_id = ? ORDER BY size DESC LIMIT ?`), ws, limit)
	if err != nil {
		return nil, classify(fmt.Errorf("list the heads of %s: %w", ws, err))
	}
	out := make([]evidence.SignedHead, len(rows))
	for i, r := range rows {
		out[i] = r.head()
	}
	return out, nil
}

// Consistency returns the proof that the workspace's kept head of size to
// extends its kept head of size from. Either size without a kept head is a
// not-found error naming its parameter.
func (e *Evidence) Consistency(ctx context.Context, ws string, from, to uint64) (evidence.Consistency, error) {
	if from > to {
		return evidence.Consistency{}, countersign.FieldErrorf(countersign.EVALIDATION, "from", "must not be greater than to (%d > %d)", from, to)
	}
	older, err := e.headAt(ctx, ws, from)
	if err != nil {
		return evidence.Consistency{}, countersign.FieldErrorf(countersign.ENOTFOUND, "from", "no signed tree head of %d leaves in this workspace", from)
	}
	newer, err := e.headAt(ctx, ws, to)
	if err != nil {
		return evidence.Consistency{}, countersign.FieldErrorf(countersign.ENOTFOUND, "to", "no signed tree head of %d leaves in this workspace", to)
	}
	proof, err := evidence.ConsistencyProof(ctx, treeStore{db: e.db, x: e.db.x}, ws, from, to)
	if err != nil {
		return evidence.Consistency{}, classify(err)
	}
	if proof == nil {
		proof = [][]byte{}
	}
	return evidence.Consistency{From: older.Checkpoint, To: newer.Checkpoint, Proof: proof}, nil
}
