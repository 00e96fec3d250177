package events

import (
	"encoding/json"
	"time"
)

// The event log keeps every event a workspace's changes emitted, newest first
// by the order the database wrote them in. The types below are how the log is
// searched and what it answers, shared by the store that keeps it and the API
// that serves it.

// Log paging limits.
const (
	DefaultLogLimit = 100
	MaxLogLimit     = 1000
)

// Filter selects events of one workspace's log. Zero fields select everything.
type Filter struct {
	// CreatedAfter and CreatedBefore bound created_at, both exclusive; the zero
	// time leaves that side open ("before a date, or between two").
	CreatedAfter, CreatedBefore time.Time
	// Types selects events of any of these types; empty selects every type.
	// Wildcard patterns are expanded by the caller.
	Types []Type
	// APIKeyID selects the events caused by requests made with that key.
	APIKeyID string
	// ResourceID selects the events about that resource (a process, an API key…).
	ResourceID string
}

// Query is a filter and one page of its events, newest first. At most one of
// StartingAfter and EndingBefore is set.
type Query struct {
	Filter
	// Limit is the page size, 1 to MaxLogLimit.
	Limit int
	// StartingAfter asks for the page after that event: older events.
	StartingAfter string
	// EndingBefore asks for the page before that event: the events just newer
	// than it, which is how a poller reads new events in order.
	EndingBefore string
}

// Logged is an event as the log keeps it: the envelope, the resource it is
// about and, once retention has expunged it, when (its Data is then nil).
type Logged struct {
	Event
	// ResourceID is the resource the event is about, "" when none.
	ResourceID string
	// ExpungedAt is when retention removed the event's data and response body.
	ExpungedAt *time.Time
	// ResponseBody is the API answer of the request that caused the event, nil
	// when there was none or it was expunged. Only single-event reads fill it.
	ResponseBody json.RawMessage
}

// LogPage is one page of the log, newest first.
type LogPage struct {
	Events []Logged
	// HasMore reports whether more events lie beyond the page in the direction
	// of the query: older ones, or newer ones for an EndingBefore query.
	HasMore bool
}

// Consumption is what a workspace's log counts over a period for the
// consumption report: only what Countersign has a concept of (see the API
// documentation for how each count is made).
type Consumption struct {
	StartedTransactions   int
	CompletedTransactions int
	CancelledTransactions int
	ExpiredTransactions   int
	// Signatures, Visas and ReadDocuments count action.closed by action:
	// SIGNED, APPROVED and VIEWED.
	Signatures    int
	Visas         int
	ReadDocuments int
	// SignedDocuments counts completed transactions with at least one signature.
	SignedDocuments int
	// Identities counts identity checks of signer registrations, by method.
	Identities map[string]IdentityCount
	// Certificates counts certificates activated, by the registration's method.
	Certificates map[string]int
}

// IdentityCount counts identity checks of one verification method.
type IdentityCount struct {
	Analysed, Validated, Rejected int
}
