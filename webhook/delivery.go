package webhook

import (
	"net/http"
	"strconv"
	"time"
)

// Status is where a delivery stands.
type Status string

// Delivery statuses. A delivery is pending until an attempt succeeds
// (delivered) or its attempts run out or its endpoint goes away (failed).
const (
	StatusPending   Status = "pending"
	StatusDelivered Status = "delivered"
	StatusFailed    Status = "failed"
)

// Statuses lists the delivery statuses.
var Statuses = []Status{StatusPending, StatusDelivered, StatusFailed}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	return s == StatusPending || s == StatusDelivered || s == StatusFailed
}

// Delivery is one event to one endpoint: the unit that is attempted, retried
// and replayed. Its webhook-id is the event id, so every attempt and every
// replay of the same event carries the same one.
type Delivery struct {
	ID             string
	WorkspaceID    string
	EventID        string
	EndpointID     string
	EventType      string
	Status         Status
	Attempts       int
	NextAttemptAt  *time.Time
	LastStatusCode *int
	LastError      string
	ReplayID       string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	DeliveredAt    *time.Time
}

// Attempt is one recorded POST of a delivery.
type Attempt struct {
	ID              string
	DeliveryID      string
	EndpointID      string
	Number          int
	StartedAt       time.Time
	Latency         time.Duration
	StatusCode      *int
	ErrorClass      ErrorClass
	Error           string
	ResponseHeaders http.Header
	ResponseBody    string
	Truncated       bool
}

// Task is the queue's unit of work: attempt number Attempt of a delivery. The
// ids travel with it so a worker needs no lookup to find the endpoint and event.
type Task struct {
	DeliveryID  string
	WorkspaceID string
	EndpointID  string
	EventID     string
	Attempt     int
	// Replay marks work from a replay, queued behind first attempts and retries.
	Replay bool
	// NotBefore is the earliest time the attempt may run. The queue schedules
	// to the second; this keeps sub-second delays and Retry-After exact.
	NotBefore time.Time
	// MayHaveRun marks a task that may have run before: queued again by the
	// reconciler, or handed out again by the queue after a crash. Only such a
	// task reads the delivery's state before sending, so the common path
	// needs no database read and an attempt already recorded is not repeated.
	MayHaveRun bool
	// OrderKey is set on the deliveries of an endpoint with ordering: the
	// process whose deliveries to the endpoint go one at a time, in commit
	// order (see OrderKey). Empty for every other delivery.
	OrderKey string
}

// TaskID is the queue's id for the task: a duplicate enqueue of the same
// attempt is refused by the queue, so re-enqueueing is always harmless.
func (t Task) TaskID() string { return t.DeliveryID + ":" + strconv.Itoa(t.Attempt) }

// AttemptRecord is what a worker hands to the store after an attempt: the
// attempt row and the delivery's new state, written together.
type AttemptRecord struct {
	Task    Task
	Attempt Attempt
	// Status and NextAttemptAt are the delivery's state after the attempt.
	Status        Status
	NextAttemptAt *time.Time
	// Failed reports whether the attempt failed (for the endpoint's health).
	Failed bool
	// DisableEndpoint, when set, disables the endpoint with this reason and
	// emits endpoint.disabled (410 Gone).
	DisableEndpoint string
	// FailingCutoff, set on a failed attempt, disables the endpoint when its
	// current run of failures began at or before it (failing for too long).
	FailingCutoff time.Time
	// Skipped is set when no request was made (endpoint disabled or deleted,
	// event expunged): the delivery fails with Attempt.Error and no attempt row.
	Skipped bool
}

// RecordOutcome tells the worker what the store did with a record.
type RecordOutcome struct {
	// Applied is false when the attempt had been recorded before (a duplicate
	// task): the worker then schedules nothing.
	Applied bool
	// EndpointDisabled reports that the batch holding the record disabled the
	// attempt's endpoint (410, or failing past the cutoff).
	EndpointDisabled bool
	// Next is the delivery the record let go: the next one of the same
	// endpoint and process on an ordered endpoint, now due, to be queued.
	Next *Task
}

// DeliveryFilter selects deliveries for listing and bulk replay.
type DeliveryFilter struct {
	EndpointID    string
	EventID       string
	EventType     string // exact, or a prefix ending in .*
	Status        Status
	CreatedAfter  *time.Time
	CreatedBefore *time.Time
}
