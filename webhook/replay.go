package webhook

import (
	"time"

	"github.com/countersign/countersign"
)

// ReplayStatus is where a bulk replay stands.
type ReplayStatus string

// Bulk replay statuses. A running replay is paced by the replay runner until
// it has replayed every matching delivery (completed), is cancelled, or its
// endpoint is deleted (failed). While its endpoint is disabled it waits.
const (
	ReplayRunning   ReplayStatus = "running"
	ReplayCompleted ReplayStatus = "completed"
	ReplayCancelled ReplayStatus = "cancelled"
	ReplayFailed    ReplayStatus = "failed"
)

// Bulk replay pacing, in new deliveries per second.
const (
	DefaultReplayRate = 50
	MaxReplayRate     = 1000
)

// Replay is a bulk replay: the deliveries to one endpoint that match Filter
// are sent again, at most RatePerSecond new deliveries a second, so that a
// receiver coming back from an outage is not flooded.
type Replay struct {
	ID          string
	WorkspaceID string
	EndpointID  string
	// Filter selects the deliveries replayed; its EndpointID is EndpointID.
	Filter        DeliveryFilter
	RatePerSecond int
	Status        ReplayStatus
	// Total is how many deliveries matched when the replay was created; Done
	// is how many have been replayed so far.
	Total int
	Done  int
	// Cursor is the id of the last delivery replayed (the runner's keyset).
	Cursor string
	// APIKeyID is the key that created the replay; empty for the command line.
	APIKeyID   string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt *time.Time
}

// Finished reports whether the replay makes no more deliveries.
func (r Replay) Finished() bool { return r.Status != ReplayRunning }

// ReplayTasks returns the queue tasks of new replay deliveries: first attempts
// on the replays queue, behind live traffic.
func ReplayTasks(ds []Delivery) []Task {
	tasks := make([]Task, len(ds))
	for i, d := range ds {
		tasks[i] = Task{DeliveryID: d.ID, WorkspaceID: d.WorkspaceID, EndpointID: d.EndpointID, EventID: d.EventID,
			Attempt: d.Attempts + 1, Replay: true}
	}
	return tasks
}

// ValidateEventTypeFilter checks a delivery filter's event type: an exact
// catalogue type, a prefix wildcard such as "transaction.*", or "*". Errors
// name field.
func ValidateEventTypeFilter(field, t string) error {
	if t != "" && !validPattern(t) {
		return countersign.FieldErrorf(countersign.EINVALID, field, "%s must be an event type or a prefix ending in .*; %q matches none", field, t)
	}
	return nil
}

// ValidateReplayFilter checks the filter of a bulk replay: an endpoint, a
// time range with created_after before created_before, a known status and an
// optional event type. Errors name the request field.
func ValidateReplayFilter(f DeliveryFilter) error {
	switch {
	case f.EndpointID == "":
		return countersign.FieldErrorf(countersign.EVALIDATION, "endpoint_id", "endpoint_id is required")
	case !countersign.ValidID(countersign.PrefixEndpoint, f.EndpointID):
		return countersign.FieldErrorf(countersign.EINVALID, "endpoint_id", "endpoint_id must be an ep_… id")
	case f.CreatedAfter == nil:
		return countersign.FieldErrorf(countersign.EVALIDATION, "created_after", "created_after is required")
	case f.CreatedBefore == nil:
		return countersign.FieldErrorf(countersign.EVALIDATION, "created_before", "created_before is required")
	case !f.CreatedAfter.Before(*f.CreatedBefore):
		return countersign.FieldErrorf(countersign.EVALIDATION, "created_before", "created_before must be later than created_after")
	case !f.Status.Valid():
		return countersign.FieldErrorf(countersign.EINVALID, "status", "status must be pending, delivered or failed")
	}
	return ValidateEventTypeFilter("event_type", f.EventType)
}
