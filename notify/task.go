package notify

import (
	"strconv"
	"time"
)

// Task is one queued attempt at a message.
type Task struct {
	MessageID   string
	WorkspaceID string
	// Attempt is the number the attempt will have (Attempts+1 of the message
	// when it was queued); a task whose number no longer matches is stale.
	Attempt int
	// NotBefore is the earliest time the attempt may run.
	NotBefore time.Time
}

// TaskID is the queue's id for the task: queueing the same attempt twice
// is refused by the queue, so the reconciler may re-queue freely.
func (t Task) TaskID() string { return "mail:" + t.MessageID + ":" + strconv.Itoa(t.Attempt) }
