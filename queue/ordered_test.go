package queue_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/webhook"
)

// slowRetries retries every 100 ms for long enough that a test sees a
// failing delivery still being retried.
func slowRetries() webhook.Schedule {
	s := webhook.Schedule{0}
	for range 600 {
		s = append(s, 100*time.Millisecond)
	}
	return s
}

// TestOrderedDeliveryPerProcess runs an ordered and an unordered endpoint
// side by side on three workers: each process's events reach the ordered
// one in commit order, one at a time; a failing delivery holds back only
// the later events of its process while another process's flow; once the
// receiver heals, the held events follow in order.
func TestOrderedDeliveryPerProcess(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		rig := startOrderedRig(t, db, slowRetries())
		ordered, unordered := newOrderReceiver(t), newOrderReceiver(t)
		oep := rig.endpoint(ordered.URL, webhook.OrderingProcess)
		rig.endpoint(unordered.URL, webhook.OrderingNone)
		p1, s1 := rig.process()
		p2, s2 := rig.process()

		// Healthy: interleaved commits of two processes, each in order.
		const n = 15
		for i := range n {
			rig.post(p1, s1, fmt.Sprintf("a-%d", i))
			rig.post(p2, s2, fmt.Sprintf("b-%d", i))
		}
		waitFor(t, "the first messages", func() bool {
			return ordered.has(p1, messagesOf("a", 0, n)...) && ordered.has(p2, messagesOf("b", 0, n)...)
		})
		assertOrder(t, ordered.messages(p1), messagesOf("a", 0, n))
		assertOrder(t, ordered.messages(p2), messagesOf("b", 0, n))

		// p1's next message fails: its later ones wait, p2's go on.
		ordered.setFail(func(pid, msg string) bool { return pid == p1 })
		for i := n; i < n+3; i++ {
			rig.post(p1, s1, fmt.Sprintf("a-%d", i))
			rig.post(p2, s2, fmt.Sprintf("b-%d", i))
		}
		waitFor(t, "the second process's messages while the first's fail", func() bool {
			return ordered.has(p2, messagesOf("b", n, 3)...) && ordered.attempts(fmt.Sprintf("a-%d", n)) >= 3
		})
		for _, m := range messagesOf("a", n+1, 2) {
			if k := ordered.attempts(m); k != 0 {
				t.Errorf("%s was sent %d times while the message before it was failing; want 0", m, k)
			}
		}
		held := 0
		for _, d := range rig.deliveriesTo(oep.ID) {
			if d.Status == webhook.StatusPending && d.NextAttemptAt == nil {
				held++
			}
		}
		if held != 2 {
			t.Errorf("%d deliveries held on the ordered endpoint, want 2", held)
		}
		waitFor(t, "every message on the unordered endpoint", func() bool {
			return unordered.has(p1, messagesOf("a", 0, n+3)...) && unordered.has(p2, messagesOf("b", 0, n+3)...)
		})

		// Healed: the failing one, then the held ones, in order.
		ordered.setFail(nil)
		waitFor(t, "the held messages", func() bool { return ordered.has(p1, messagesOf("a", 0, n+3)...) })
		assertOrder(t, ordered.messages(p1), messagesOf("a", 0, n+3))
		assertOrder(t, ordered.messages(p2), messagesOf("b", 0, n+3))
		if ordered.overlap > 1 {
			t.Errorf("the ordered endpoint had %d requests of one process at once, want 1", ordered.overlap)
		}
	})
}

// TestOrderedDeliveryGiveUp: a delivery that fails for good lets its
// process's later events go.
func TestOrderedDeliveryGiveUp(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		rig := startOrderedRig(t, db, testSchedule)
		ordered := newOrderReceiver(t)
		oep := rig.endpoint(ordered.URL, webhook.OrderingProcess)
		p1, s1 := rig.process()
		ordered.setFail(func(_, msg string) bool { return msg == "poison" })
		rig.post(p1, s1, "first")
		rig.post(p1, s1, "poison")
		rig.post(p1, s1, "after")
		waitFor(t, "the message after the poison", func() bool { return ordered.has(p1, "first", "after") })
		assertOrder(t, ordered.messages(p1), []string{"first", "after"})
		if k := ordered.attempts("poison"); k != len(testSchedule) {
			t.Errorf("poison was tried %d times before the next message went, want %d", k, len(testSchedule))
		}
		failed := 0
		for _, d := range rig.deliveriesTo(oep.ID) {
			if d.Status == webhook.StatusFailed && d.Attempts == len(testSchedule) {
				failed++
			}
		}
		if failed != 1 {
			t.Errorf("%d deliveries failed after %d attempts, want the poison's alone", failed, len(testSchedule))
		}
	})
}

// TestOrderedDeliveryReplayIsNotOrdered: a replay of an old event on an
// ordered endpoint is not ordered: while it keeps failing, newer events of
// its process still arrive.
func TestOrderedDeliveryReplayIsNotOrdered(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		rig := startOrderedRig(t, db, slowRetries())
		ordered := newOrderReceiver(t)
		oep := rig.endpoint(ordered.URL, webhook.OrderingProcess)
		p1, s1 := rig.process()
		rig.post(p1, s1, "old")
		waitFor(t, "the old message", func() bool { return ordered.has(p1, "old") })
		old := rig.deliveriesTo(oep.ID)[0]

		ordered.setFail(func(_, msg string) bool { return msg == "old" })
		replayed, err := db.Webhooks().ReplayDelivery(context.Background(), rig.ws, old.ID)
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the replay's first attempt", func() bool { return ordered.attempts("old") > 1 })
		rig.post(p1, s1, "fresh")
		waitFor(t, "the message after the replay", func() bool { return ordered.has(p1, "fresh") })
		d, _, err := db.Webhooks().GetDelivery(context.Background(), rig.ws.WorkspaceID, replayed.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != webhook.StatusPending {
			t.Errorf("the replay is %s; want it still failing and retried while the newer message went", d.Status)
		}
	})
}

// assertOrder checks got holds want in want's order (a duplicate of an
// attempt may repeat a message: at least once, never out of order).
func assertOrder(t *testing.T, got, want []string) {
	t.Helper()
	pos := map[string]int{}
	for i, m := range want {
		pos[m] = i
	}
	last := -1
	for _, m := range got {
		p, ok := pos[m]
		if !ok {
			continue
		}
		if p < last {
			t.Fatalf("received %v: %s after a later message", got, m)
		}
		last = p
	}
}
