package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/webhook"
)

// orderedEvent is what the order check needs of an event row: its signing
// process (the resource of a transaction.*, action.* or
// identity-validation.* event) and its commit order.
type orderedEvent struct {
	ID       string `db:"id"`
	Type     string `db:"type"`
	Resource string `db:"resource_id"`
	Seq      int64  `db:"seq"`
}

// checkProcessOrder fails t when the receiver of an endpoint created with
// "ordering":"process" got the events of one signing process out of commit
// order, or two requests of one process at the same time.
//
// Commit order is the events' seq in the database: the events of one
// process are written under its row lock, so seq orders them (event ids are
// random, not time-ordered). The arrivals of each process, in the order the
// receiver took them, must each be either an event of a higher seq than
// every one received before, or a repeat of one already received: delivery
// is at least once, and a worker killed after the receiver answered but
// before the attempt was recorded sends that event again. A repeat is
// counted and logged, never an event that overtakes an earlier one.
//
// In flight: each request of a process must arrive after the receiver was
// done with the one before (the receiver marks that before its answer
// leaves), which holds by causality when the sender waits for the answer,
// whatever the timing.
func checkProcessOrder(t *testing.T, c *cluster, ep *endpoint) {
	t.Helper()
	var evs []orderedEvent
	if err := storagetest.Select(context.Background(), c.db, &evs,
		"SELECT id, type, COALESCE(resource_id, '') AS resource_id, seq FROM events WHERE workspace_id = ?", c.workspace); err != nil {
		t.Fatalf("read events: %v", err)
	}
	byID := make(map[string]orderedEvent, len(evs))
	for _, e := range evs {
		byID[e.ID] = e
	}
	byProcess := map[string][]arrival{}
	for _, a := range ep.rcv.arrivalLog() {
		e, ok := byID[a.id]
		if !ok {
			t.Errorf("receiver %s got event %s, which was never committed", ep.rcv.name, a.id)
			continue
		}
		if key := webhook.OrderKey(webhook.OrderingProcess, events.Type(e.Type), e.Resource); key != "" {
			byProcess[key] = append(byProcess[key], a)
		}
	}
	if len(byProcess) == 0 {
		t.Errorf("receiver %s got no event of a signing process", ep.rcv.name)
		return
	}
	var events, repeats, overlaps, outOfOrder int
	for process, log := range byProcess {
		seen := map[string]bool{}
		var last int64
		for i, a := range log {
			if i > 0 && (log[i-1].end.IsZero() || a.at.Before(log[i-1].end)) {
				overlaps++
				t.Errorf("process %s: %s arrived at %s while %s was still in flight on the ordered endpoint",
					process, a.id, a.at.Format("15:04:05.000"), log[i-1].id)
			}
			seq := byID[a.id].Seq
			switch {
			case seen[a.id]:
				repeats++
			case seq <= last:
				outOfOrder++
				t.Errorf("process %s: %s (seq %d) arrived after an event of seq %d; arrivals by seq: %v",
					process, a.id, seq, last, seqs(log, byID))
			default:
				events++
				last = seq
			}
			seen[a.id] = true
		}
	}
	t.Logf("ordered endpoint %s: %d events of %d processes in commit order, %d repeats after the kill, %d out of order, %d overlapping",
		ep.rcv.name, events, len(byProcess), repeats, outOfOrder, overlaps)
}

// seqs returns the seq of each arrival, to show an order that failed.
func seqs(log []arrival, byID map[string]orderedEvent) string {
	out := make([]int64, len(log))
	for i, a := range log {
		out[i] = byID[a.id].Seq
	}
	return fmt.Sprint(out)
}
