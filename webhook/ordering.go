package webhook

import (
	"context"
	"fmt"
	"strings"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

// Ordering is whether an endpoint receives related events one at a time, in
// the order they were committed.
type Ordering string

// The orderings.
const (
	// OrderingNone sends every delivery as soon as it is due, many at once:
	// the fastest, and the default.
	OrderingNone Ordering = "none"
	// OrderingProcess sends the events of one signing process in commit
	// order, one at a time: a delivery waits until the process's earlier
	// deliveries to the endpoint are delivered or have failed for good. The
	// process's other endpoints and the endpoint's other processes go on.
	OrderingProcess Ordering = "process"
)

// Orderings lists the orderings, the default first.
var Orderings = []Ordering{OrderingNone, OrderingProcess}

// Validate refuses an ordering that is not one of Orderings, as an
// EVALIDATION error about the field "ordering".
func (o Ordering) Validate() error {
	switch o {
	case OrderingNone, OrderingProcess:
		return nil
	}
	return countersign.FieldErrorf(countersign.EVALIDATION, "ordering", "ordering must be %q or %q", OrderingNone, OrderingProcess)
}

// processGroups are the event groups about one signing process; their
// events' resource is the process.
var processGroups = map[string]bool{"transaction": true, "action": true, "identity-validation": true}

// OrderKey returns what orders an event of type t about resourceID on an
// endpoint with ordering o: the process id for an event of a signing process
// on an OrderingProcess endpoint, "" for every other delivery, which waits
// for nothing and holds nothing back.
func OrderKey(o Ordering, t events.Type, resourceID string) string {
	if o != OrderingProcess || resourceID == "" {
		return ""
	}
	group, _, _ := strings.Cut(string(t), ".")
	if !processGroups[group] {
		return ""
	}
	return resourceID
}

// inTurn reports whether an ordered task may be attempted now: no earlier
// delivery of its endpoint and process is pending. One that is not set aside
// by the store until the earlier one finishes, which then queues it. Tasks
// of unordered endpoints are always in turn, without a database read. Every
// path that attempts deliveries calls it before sending.
func (d *Deliverer) inTurn(ctx context.Context, t Task) (bool, error) {
	if t.OrderKey == "" {
		return true, nil
	}
	ok, err := d.cfg.Store.OrderedTurn(ctx, t)
	if err != nil {
		return false, fmt.Errorf("check the order of delivery %s: %w", t.DeliveryID, err)
	}
	if !ok {
		d.cfg.Metrics.deliveries.WithLabelValues("held").Inc()
	}
	return ok, nil
}

// queueNext queues the delivery that a recorded attempt let go: the next one
// of the same endpoint and process. Should that fail, the delivery is due in
// the database and the reconciler queues it.
func (d *Deliverer) queueNext(ctx context.Context, out RecordOutcome) {
	if out.Next == nil {
		return
	}
	if err := d.cfg.Queue.EnqueueIn(ctx, *out.Next, 0); err != nil {
		d.cfg.Logger.Warn("could not queue the next ordered delivery; the reconciler will", "delivery_id", out.Next.DeliveryID, "err", err)
	}
}
