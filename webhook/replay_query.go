package webhook

import "slices"

// ReplayStatuses lists the bulk replay statuses.
var ReplayStatuses = []ReplayStatus{ReplayRunning, ReplayCompleted, ReplayCancelled, ReplayFailed}

// Valid reports whether s is a known bulk replay status.
func (s ReplayStatus) Valid() bool { return slices.Contains(ReplayStatuses, s) }

// ReplayQuery selects one page of a workspace's bulk replays, newest first.
// Empty fields do not filter.
type ReplayQuery struct {
	EndpointID string
	Status     ReplayStatus
	// StartingAfter is a replay id: the page holds the replays older than it.
	StartingAfter string
	// Limit is the page size.
	Limit int
}
