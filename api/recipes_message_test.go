package api_test

import (
	"context"
	"time"

	"github.com/countersign/countersign/notify"
)

func init() {
	register(map[string]recipe{
		"listMessages": func(w *world) call {
			p := w.startedProcess()
			return call{query: "process_id=" + p.ID + "&recipient=one@example.com&status=pending&type=invitation&limit=5&" +
				"created_after=2000-01-01T00:00:00Z&created_before=2100-01-01T00:00:00Z"}
		},
		"getMessage":    func(w *world) call { return call{params: ids("id", w.sentMessage())} },
		"resendMessage": func(w *world) call { return call{params: ids("id", w.sentMessage())} },
	})
}

// sentMessage starts a process and returns the id of its first invitation,
// recorded as sent (the harness runs no mail worker).
func (w *world) sentMessage() string {
	w.tb.Helper()
	p := w.startedProcess()
	ctx := context.Background()
	ms, _, err := w.h.db.Messages().List(ctx, w.h.ws.WorkspaceID, notify.Filter{ProcessID: p.ID}, "", 1)
	if err != nil || len(ms) == 0 {
		w.tb.Fatalf("no message of a started process: %v", err)
	}
	now := time.Now()
	if ok, err := w.h.db.Messages().RecordAttempt(ctx, notify.Record{WorkspaceID: ms[0].WorkspaceID, Status: notify.StatusSent,
		Attempt: notify.Attempt{MessageID: ms[0].ID, Number: 1, StartedAt: now, Outcome: notify.OutcomeSent, Reply: "250 2.0.0 Ok"}}); !ok || err != nil {
		w.tb.Fatalf("record the message sent: %v %v", ok, err)
	}
	return ms[0].ID
}
