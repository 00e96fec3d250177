package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/evidence"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/webhook"
	"github.com/countersign/countersign/workflow"
)

// evidenceKey is the installation key of the evidence tests.
func evidenceKey(t *testing.T) *evidence.Key {
	t.Helper()
	k, _, err := evidence.GenerateKey(evidence.DefaultKeyName)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// evidenceWorld is a workspace with two processes that have events, audit
// records and delivery attempts in its log.
type evidenceWorld struct {
	actor  countersign.Actor
	p1, p2 string
}

func seedEvidence(t *testing.T, db *storage.DB, name string) evidenceWorld {
	t.Helper()
	ctx := context.Background()
	processClock(db)
	actor, _ := storagetest.Workspace(t, db, name)
	ep := rpEndpoint(t, db, actor, "*")
	w := evidenceWorld{actor: actor}
	for i, id := range []*string{&w.p1, &w.p2} {
		p := createProcess(t, db, actor, processInput())
		*id = p.ID
		if _, err := db.Processes().ChangeProcess(ctx, actor, p.ID, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Start(now) }); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Resources().CreateAuditEvent(ctx, actor, workflow.AuditRecord{EventType: workflow.AuditSignature, ProcessID: p.ID, Note: "signed at desk " + string(rune('A'+i))}); err != nil {
			t.Fatal(err)
		}
	}
	ds, _, err := db.Webhooks().ListDeliveries(ctx, actor.WorkspaceID, webhook.DeliveryFilter{EndpointID: ep.ID}, "", 100)
	if err != nil || len(ds) == 0 {
		t.Fatalf("deliveries: %v, %d", err, len(ds))
	}
	for _, d := range ds {
		rpAttempt(t, db, d, 200, db.Now())
	}
	return w
}

func TestEvidenceBundleAndCheck(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		key := evidenceKey(t)
		w := seedEvidence(t, db, "evidence")
		ws := w.actor.WorkspaceID
		ev := db.Evidence()
		b, err := ev.ProcessEvidence(ctx, key, ws, w.p1)
		if err != nil {
			t.Fatal(err)
		}
		if err := evidence.Verify(b, key.PublicKey()); err != nil {
			t.Fatalf("the bundle does not verify: %v", err)
		}
		kinds := map[evidence.Kind]int{}
		for _, r := range b.Records {
			kinds[r.Kind]++
		}
		if kinds[evidence.KindAudit] != 1 || kinds[evidence.KindEvent] < 2 || kinds[evidence.KindAttempt] != kinds[evidence.KindEvent] {
			t.Fatalf("the bundle holds %v", kinds)
		}
		sum, err := ev.Check(ctx, ws, key.PublicKey())
		if err != nil {
			t.Fatalf("check of a sound log: %v", err)
		}
		if sum.Leaves == 0 || sum.Heads != 1 {
			t.Fatalf("check walked %+v", sum)
		}
		if _, err := ev.ProcessEvidence(ctx, key, ws, "no-such-process"); countersign.ErrorCode(err) != countersign.ENOTFOUND {
			t.Fatalf("unknown process: %v", err)
		}
		if _, err := ev.ProcessEvidence(ctx, key, "wsp_other", w.p1); countersign.ErrorCode(err) != countersign.ENOTFOUND {
			t.Fatalf("another workspace's process: %v", err)
		}
	})
}

func TestEvidenceConsistencyAndRetention(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		key := evidenceKey(t)
		w := seedEvidence(t, db, "grow")
		ws := w.actor.WorkspaceID
		ev := db.Evidence()
		h1, err := ev.SignHead(ctx, key, ws)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ev.SignHead(ctx, key, ws)
		if err != nil || again.Checkpoint != h1.Checkpoint {
			t.Fatalf("a head of the same size was signed anew: %v", err)
		}
		if _, err := db.Resources().CreateAuditEvent(ctx, w.actor, workflow.AuditRecord{EventType: workflow.AuditDecline, ProcessID: w.p1}); err != nil {
			t.Fatal(err)
		}
		if n, err := ev.SignGrown(ctx, key); err != nil || n != 1 {
			t.Fatalf("SignGrown = %d, %v; want 1 grown log", n, err)
		}
		heads, err := ev.Heads(ctx, ws, 10)
		if err != nil || len(heads) != 2 || heads[0].Size != h1.Size+1 {
			t.Fatalf("heads %+v, %v", heads, err)
		}
		c, err := ev.Consistency(ctx, ws, h1.Size, heads[0].Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := evidence.VerifyConsistency(c, key.PublicKey()); err != nil {
			t.Fatalf("consistency between two heads: %v", err)
		}
		for _, tc := range []struct {
			from, to uint64
			field    string
		}{{h1.Size + 1000, h1.Size + 2000, "from"}, {h1.Size, h1.Size + 1000, "to"}, {heads[0].Size, h1.Size, "from"}} {
			_, err := ev.Consistency(ctx, ws, tc.from, tc.to)
			if e := countersign.AsError(err); e == nil || e.Field != tc.field {
				t.Errorf("consistency %d..%d: %v, want an error about %s", tc.from, tc.to, err, tc.field)
			}
		}

		// Retention empties the events' bodies; their leaves still prove.
		if _, err := db.Events().ExpungeEvents(ctx, db.Now().Add(time.Hour), 0); err != nil {
			t.Fatal(err)
		}
		b, err := ev.ProcessEvidence(ctx, key, ws, w.p1)
		if err != nil {
			t.Fatal(err)
		}
		if err := evidence.Verify(b, key.PublicKey()); err != nil {
			t.Fatalf("the bundle after retention does not verify: %v", err)
		}
		expunged := 0
		for _, r := range b.Records {
			if r.Expunged {
				expunged++
				if r.Kind != evidence.KindEvent || r.Canonical != "" {
					t.Errorf("expunged record %+v", r)
				}
			}
		}
		if expunged == 0 {
			t.Fatal("no record of the bundle is marked expunged")
		}
		sum, err := ev.Check(ctx, ws, key.PublicKey())
		if err != nil || sum.Expunged == 0 {
			t.Fatalf("check after retention: %+v, %v", sum, err)
		}
	})
}
