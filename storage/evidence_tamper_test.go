package storage_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/evidence"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
)

// leafOf returns the index, kind and record id of the n-th leaf of a kind in
// the process's log.
func leafOf(t *testing.T, db *storage.DB, ws, processID, kind string, n int) (int64, string) {
	t.Helper()
	var rows []struct {
		Idx      int64  `db:"idx"`
		RecordID string `db:"record_id"`
	}
	if err := storagetest.Select(context.Background(), db, &rows, `SELECT idx, record_id FROM evidence_leaves
		WHERE workspace_id = ? AND process_id = ? AND kind = ? ORDER BY idx`, ws, processID, kind); err != nil {
		t.Fatal(err)
	}
	if len(rows) <= n {
		t.Fatalf("process %s has %d %s leaves", processID, len(rows), kind)
	}
	return rows[n].Idx, rows[n].RecordID
}

func exec(t *testing.T, db *storage.DB, query string, args ...any) {
	t.Helper()
	if _, err := storagetest.Exec(context.Background(), db, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// TestEvidenceTamper changes the database behind the log's back in each way
// an operator could, and checks that `evidence check` and the bundle name
// the record (or the place) that no longer holds.
func TestEvidenceTamper(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		key := evidenceKey(t)
		other := evidenceKey(t)
		tests := []struct {
			name string
			// tamper changes the rows and returns what the check must name.
			tamper func(t *testing.T, w evidenceWorld) string
			// bundleFails says the bundle of p1 must then fail to build or verify.
			bundleFails bool
		}{
			{"one byte of an event", func(t *testing.T, w evidenceWorld) string {
				_, id := leafOf(t, db, w.actor.WorkspaceID, w.p1, "event", 0)
				exec(t, db, "UPDATE events SET body = replace(body, 'Lease.pdf', 'Lease.pdX') WHERE id = ?", id)
				return "(event " + id + "): stored bytes no longer match"
			}, true},
			{"one byte of an audit record", func(t *testing.T, w evidenceWorld) string {
				_, id := leafOf(t, db, w.actor.WorkspaceID, w.p1, "audit", 0)
				exec(t, db, "UPDATE audit_events SET note = 'signed at desk Z' WHERE id = ?", id)
				return "(audit " + id + "): stored bytes no longer match"
			}, true},
			{"an attempt deleted", func(t *testing.T, w evidenceWorld) string {
				_, id := leafOf(t, db, w.actor.WorkspaceID, w.p1, "attempt", 0)
				exec(t, db, "DELETE FROM delivery_attempts WHERE id = ?", id)
				return "(attempt " + id + "): the record's row is missing"
			}, true},
			{"a leaf deleted", func(t *testing.T, w evidenceWorld) string {
				idx, _ := leafOf(t, db, w.actor.WorkspaceID, w.p1, "event", 1)
				exec(t, db, "DELETE FROM evidence_leaves WHERE workspace_id = ? AND idx = ?", w.actor.WorkspaceID, idx)
				return "leaf " + itoa(idx) + ": is missing"
			}, true},
			{"two leaves reordered", func(t *testing.T, w evidenceWorld) string {
				ws := w.actor.WorkspaceID
				a, _ := leafOf(t, db, ws, w.p1, "event", 0)
				b, _ := leafOf(t, db, ws, w.p1, "event", 1)
				exec(t, db, "UPDATE evidence_leaves SET idx = -1 WHERE workspace_id = ? AND idx = ?", ws, a)
				exec(t, db, "UPDATE evidence_leaves SET idx = ? WHERE workspace_id = ? AND idx = ?", a, ws, b)
				exec(t, db, "UPDATE evidence_leaves SET idx = ? WHERE workspace_id = ? AND idx = -1", b, ws)
				return "leaves were changed, removed or reordered"
			}, true},
			{"an audit record moved to another process", func(t *testing.T, w evidenceWorld) string {
				_, id := leafOf(t, db, w.actor.WorkspaceID, w.p1, "audit", 0)
				exec(t, db, "UPDATE audit_events SET process_id = ? WHERE id = ?", w.p2, id)
				return "(audit " + id + "): leaf "
			}, true},
			{"a leaf moved to another process", func(t *testing.T, w evidenceWorld) string {
				_, id := leafOf(t, db, w.actor.WorkspaceID, w.p1, "event", 0)
				exec(t, db, "UPDATE evidence_leaves SET process_id = ? WHERE workspace_id = ? AND record_id = ?", w.p2, w.actor.WorkspaceID, id)
				return "(event " + id + "): leaf "
			}, true},
			{"a tree head forged with another key", func(t *testing.T, w evidenceWorld) string {
				ws := w.actor.WorkspaceID
				cp, err := other.Sign(evidence.TreeHead{Workspace: ws, Size: 3, Root: make([]byte, 32), Time: time.Now()})
				if err != nil {
					t.Fatal(err)
				}
				exec(t, db, "INSERT INTO evidence_heads (workspace_id, size, signed_at, checkpoint) VALUES (?, 3, 0, ?)", ws, cp)
				return "the kept head of 3 leaves: evidence: tree head is not signed by this key"
			}, false},
		}
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				w := seedEvidence(t, db, "tamper-"+itoa(int64(i)))
				ws := w.actor.WorkspaceID
				if _, err := db.Evidence().SignHead(ctx, key, ws); err != nil {
					t.Fatal(err)
				}
				if _, err := db.Evidence().Check(ctx, ws, key.PublicKey()); err != nil {
					t.Fatalf("check before tampering: %v", err)
				}
				want := tc.tamper(t, w)
				_, err := db.Evidence().Check(ctx, ws, key.PublicKey())
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("check after tampering = %v, want an error with %q", err, want)
				}
				b, err := db.Evidence().ProcessEvidence(ctx, key, ws, w.p1)
				if err == nil {
					err = evidence.Verify(b, key.PublicKey())
				}
				if tc.bundleFails && err == nil {
					t.Fatal("the bundle built and verified after tampering")
				}
				t.Logf("check: %v", err)
			})
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
