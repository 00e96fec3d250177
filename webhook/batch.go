package webhook

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Batch is the first attempts of one event's deliveries, carried by the
// queue as one task: one enqueue, one dequeue and one acknowledgement for all
// the endpoints an event fans out to, where each delivery would cost three.
// Retries and replays stay one task per delivery.
type Batch struct {
	WorkspaceID string
	EventID     string
	// Members are the deliveries, each with its endpoint.
	Members []BatchMember
	// MayHaveRun marks a batch that may have run before (queued again by the
	// reconciler, or handed out again after a crash): each member then checks
	// that its attempt is still due before sending.
	MayHaveRun bool
}

// BatchMember is one delivery of a batch.
type BatchMember struct {
	DeliveryID string
	EndpointID string
}

// TaskID is the queue's id for the batch. It is derived from the event, so
// the fan-out's enqueue and the reconciler's re-queue of the same event's
// first attempts collide while either is queued, and a duplicate costs nothing.
func (b Batch) TaskID() string { return b.EventID + ":first" }

// Task returns the batch's i-th member as a delivery task.
func (b Batch) Task(i int) Task {
	m := b.Members[i]
	return Task{DeliveryID: m.DeliveryID, WorkspaceID: b.WorkspaceID, EndpointID: m.EndpointID, EventID: b.EventID,
		Attempt: 1, MayHaveRun: b.MayHaveRun}
}

// Batchable reports whether t travels in its event's batch: a first attempt
// that is not a replay, to an endpoint without ordering. An ordered delivery
// stays a task of its own: it must wait its turn (inTurn) and release the
// next one (queueNext), which the per-delivery path does.
func Batchable(t Task) bool { return t.Attempt == 1 && !t.Replay && t.OrderKey == "" }

// Group splits tasks into batches, one per event, for the batchable ones (in
// first-seen order), and the rest, which stay one task each. A batch may have
// run before when any of its tasks may have.
func Group(tasks []Task) (batches []Batch, single []Task) {
	at := map[string]int{}
	for _, t := range tasks {
		if !Batchable(t) {
			single = append(single, t)
			continue
		}
		i, ok := at[t.EventID]
		if !ok {
			i = len(batches)
			at[t.EventID] = i
			batches = append(batches, Batch{WorkspaceID: t.WorkspaceID, EventID: t.EventID})
		}
		b := &batches[i]
		b.Members = append(b.Members, BatchMember{DeliveryID: t.DeliveryID, EndpointID: t.EndpointID})
		b.MayHaveRun = b.MayHaveRun || t.MayHaveRun
	}
	return batches, single
}

// DeliverBatch makes the first attempt of every member at once, each in its
// endpoint's own slot, so a slow or throttled endpoint holds back none of the
// others: each member records its outcome as soon as it has one. The event
// body is read once for the batch. A member its endpoint throttles goes back
// to the queue as a task of its own. It returns nil once every member is
// recorded or handed back; an error means some member was neither, and the
// whole batch should run again (its recorded members are then skipped).
func (d *Deliverer) DeliverBatch(ctx context.Context, b Batch) error {
	if len(b.Members) == 0 {
		return nil
	}
	// Read the body once, before the members ask the cache for it together;
	// a failed read is the members' to report, each as its attempt would.
	_, _ = d.bodies.get(ctx, b.WorkspaceID, b.EventID)
	errs := make([]error, len(b.Members))
	var wg sync.WaitGroup
	for i := range b.Members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = d.deliverMember(ctx, b.Task(i))
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// deliverMember makes one member's attempt. A member its endpoint throttles
// goes back to the queue as a task of its own, for when the endpoint allows;
// so does a member that could not be recorded (the database refused, the
// worker is stopping), after a short pause. The batch then completes: its
// recorded members are not sent again.
func (d *Deliverer) deliverMember(ctx context.Context, t Task) error {
	err := d.Deliver(ctx, t)
	if err == nil {
		return nil
	}
	delay, throttled := IsThrottled(err)
	if !throttled {
		delay = handBackDelay
	}
	// The member's own task may run after the batch ran again, and the
	// reverse, so it checks the delivery's state before sending.
	t.MayHaveRun = true
	t.NotBefore = d.cfg.Now().Add(delay)
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), handBackTimeout)
	defer cancel()
	if qerr := d.cfg.Queue.EnqueueIn(hctx, t, delay); qerr != nil {
		return fmt.Errorf("delivery %s: %w; hand back: %w", t.DeliveryID, err, qerr)
	}
	return nil
}

// handBackDelay is how long a member that could not be recorded waits
// before its own task runs; handBackTimeout bounds the hand-back itself.
const (
	handBackDelay   = time.Second
	handBackTimeout = 5 * time.Second
)
