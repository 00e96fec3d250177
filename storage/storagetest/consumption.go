package storagetest

import (
	"testing"
	"time"

	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/storage"
)

// SeedConsumption writes a known mix of events for consumption-report tests:
// in workspaceID, created strictly between gt and lt, and around them events
// that must not count (on the bounds, outside the period, in otherWorkspaceID).
// Over (gt, lt) the report of workspaceID counts exactly:
//
//	started 2 (a resume and a process first started before gt do not count),
//	completed 2 (1 with a signature: signed_documents 1), cancelled 1, expired 2,
//	signatures 3, visas 2, read_documents 1,
//	pvid identities analysed 3 (validated 2, rejected 1), pvid certificates 1,
//	web identities analysed 3 (validated 1, rejected 2), web certificates 2.
func SeedConsumption(tb testing.TB, db *storage.DB, workspaceID, otherWorkspaceID string, gt, lt time.Time) {
	tb.Helper()
	in := gt
	at := func() time.Time { in = in.Add(time.Minute); return in }
	ev := func(t events.Type, when time.Time, data any) Event {
		return Event{Type: t, WorkspaceID: workspaceID, CreatedAt: when, Data: data, ResourceID: "seed"}
	}
	var evs []Event
	add := func(t events.Type, data any) { evs = append(evs, ev(t, at(), data)) }
	// Transactions.
	evs = append(evs, ev(events.TransactionStarted, gt.Add(-time.Hour), started("p3", gt.Add(-time.Hour), gt.Add(-time.Hour))))
	evs = append(evs, ev(events.TransactionStarted, gt, started("p4", gt, gt)))
	evs = append(evs, ev(events.TransactionStarted, lt, started("p5", lt, lt)))
	t1 := at()
	evs = append(evs, ev(events.TransactionStarted, t1, started("p1", t1, t1)))
	add(events.TransactionPaused, started("p1", t1, t1))
	t2 := at()
	evs = append(evs, ev(events.TransactionStarted, t2, started("p1", t1, t2)))
	t3 := at()
	evs = append(evs, ev(events.TransactionStarted, t3, started("p2", t3, t3)))
	evs = append(evs, ev(events.TransactionStarted, at(), started("p3", gt.Add(-time.Hour), in)))
	add(events.TransactionCompleted, completed("p1", events.SigningSigned, events.SigningApproved, events.SigningViewed))
	add(events.TransactionCompleted, completed("p2", events.SigningApproved, events.SigningViewed))
	add(events.TransactionCancelled, completed("p6"))
	add(events.TransactionExpired, completed("p7"))
	add(events.TransactionExpired, completed("p8"))
	add(events.TransactionDeclined, completed("p9", events.SigningDeclined))
	// Participants' actions.
	for _, a := range []string{events.SigningSigned, events.SigningSigned, events.SigningApproved, events.SigningSigned,
		events.SigningViewed, events.SigningApproved} {
		add(events.ActionClosed, events.ActionData{ProcessID: "p1", Action: a})
	}
	add(events.ActionOpened, events.ActionData{ProcessID: "p1"})
	add(events.ActionOpened, events.ActionData{ProcessID: "p2"})
	add(events.ActionStalled, events.ActionData{ProcessID: "p2", StallReason: events.StallSignatureRefusal})
	// Registrations.
	for _, r := range []struct{ method, status string }{
		{events.MethodPVID, events.VerificationSuccess}, {events.MethodPVID, events.VerificationFailure},
		{events.MethodPVID, events.VerificationSuccess}, {events.MethodWeb, events.VerificationFailure},
		{events.MethodWeb, events.VerificationSuccess}, {events.MethodWeb, events.VerificationFailure},
	} {
		add(events.RegistrationIdentityVerified, events.RegistrationData{ID: "r", Method: r.method, VerificationStatus: r.status})
	}
	add(events.RegistrationIdentityRejected, events.RegistrationData{ID: "r", Method: events.MethodPVID})
	add(events.RegistrationLifecycleCompleted, events.RegistrationData{ID: "r", Method: events.MethodWeb})
	for _, m := range []string{events.MethodWeb, events.MethodPVID, events.MethodWeb} {
		add(events.RegistrationCertificateActivated, events.RegistrationData{ID: "r", Method: m})
	}
	// Outside the period, or another workspace's.
	evs = append(evs,
		ev(events.ActionClosed, gt.Add(-time.Second), events.ActionData{Action: events.SigningSigned}),
		ev(events.TransactionCompleted, lt.Add(time.Second), completed("p1", events.SigningSigned)),
		Event{Type: events.TransactionStarted, WorkspaceID: otherWorkspaceID, CreatedAt: at(), Data: started("q", in, in)},
		Event{Type: events.ActionClosed, WorkspaceID: otherWorkspaceID, CreatedAt: at(), Data: events.ActionData{Action: events.SigningSigned}},
	)
	if !in.Before(lt) {
		tb.Fatalf("the consumption fixture needs a period longer than %s", in.Sub(gt))
	}
	InsertEvents(tb, db, evs...)
}

// started is a process as transaction.lifecycle.started shows it: a first
// start has startedAt = updatedAt, a resume a later updatedAt.
func started(id string, startedAt, updatedAt time.Time) events.TransactionData {
	return events.TransactionData{Process: events.Process{ID: id, Status: events.ProcessStarted,
		StartedAt: &startedAt, UpdatedAt: updatedAt, CreatedAt: startedAt}}
}

// completed is an ended process whose signers ended with statuses.
func completed(id string, statuses ...string) events.TransactionData {
	p := events.Process{ID: id, Status: events.ProcessCompleted}
	for _, s := range statuses {
		p.Signers = append(p.Signers, events.Signer{ID: "s-" + s, SigningStatus: s})
	}
	return events.TransactionData{Process: p}
}
