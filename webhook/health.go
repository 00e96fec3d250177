package webhook

import "time"

// HealthWindow is the period an endpoint's success rate is measured over.
const HealthWindow = 24 * time.Hour

// HealthRecentAttempts is how many recent attempts an endpoint's health shows.
const HealthRecentAttempts = 5

// Health summarizes how an endpoint has been answering lately.
type Health struct {
	// SuccessRate is the share of attempts since the window's start that got a
	// 2xx answer, from 0 to 1 (of the latest 10,000 when there were more); nil
	// when there was no attempt.
	SuccessRate *float64
	// Attempts is how many attempts were made since the window's start.
	Attempts int
	// FailingSince is when the endpoint's current run of failures began; nil
	// while it is healthy.
	FailingSince *time.Time
	// LastAttempts are the most recent attempts, newest first.
	LastAttempts []Attempt
}

// Succeeded reports whether an attempt got a 2xx answer.
func (a Attempt) Succeeded() bool {
	return a.ErrorClass == ClassNone && a.StatusCode != nil && *a.StatusCode/100 == 2
}
