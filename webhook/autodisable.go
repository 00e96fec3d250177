package webhook

import "time"

// BatchHealth is what one batch of attempt records says about one endpoint:
// whether it is failing now, since when in this batch, and whether it must be
// disabled. A store notes each applied record of the endpoint in order, keeps
// the endpoint's failing_since with Failing and FailingFrom, and asks
// DisableReason, all in the transaction that writes the records.
type BatchHealth struct {
	// Failing reports whether the batch's last attempt to the endpoint failed.
	Failing bool
	// FailingFrom is when the batch's trailing run of failures began; zero
	// unless Failing.
	FailingFrom time.Time
	// cutoff is the FailingCutoff of the last failed attempt.
	cutoff time.Time
	// gone is the reason a record asked to disable the endpoint (410 Gone).
	gone string
}

// Note takes one applied, not skipped, attempt record into account.
func (h *BatchHealth) Note(rec AttemptRecord) {
	h.Failing = rec.Failed
	if rec.Failed {
		if h.FailingFrom.IsZero() {
			h.FailingFrom = rec.Attempt.StartedAt
		}
		h.cutoff = rec.FailingCutoff
	} else {
		h.FailingFrom = time.Time{}
	}
	if rec.DisableEndpoint != "" {
		h.gone = rec.DisableEndpoint
	}
}

// DisableReason decides whether the batch disables the endpoint and says why
// ("" keeps it enabled): an attempt asked for it (410 Gone), or the endpoint
// is failing and its run of failures began at or before the cutoff of its
// last failed attempt (failing for longer than DisableAfter). failingSince
// returns the start of that run as stored once the batch is noted (nil when
// none); it is called only when the cutoff decides, to spare a read.
func (h BatchHealth) DisableReason(failingSince func() (*time.Time, error)) (string, error) {
	if h.gone != "" {
		return h.gone, nil
	}
	if !h.Failing || h.cutoff.IsZero() {
		return "", nil
	}
	since, err := failingSince()
	if err != nil || since == nil || since.After(h.cutoff) {
		return "", err
	}
	return "every attempt failed since " + since.UTC().Format(time.RFC3339), nil
}
