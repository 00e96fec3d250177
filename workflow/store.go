package workflow

import "time"

// Command is one change to a process: it runs on the process as loaded (after
// Tick), at now, and returns the events it caused. A store runs it inside the
// transaction that saves the new state and those events, and saves nothing when
// it fails. Commands close over their arguments:
//
//	func(p *Process, now time.Time) ([]Emitted, error) { return p.Sign(signerID, now) }
type Command func(p *Process, now time.Time) ([]Emitted, error)

// RegistrationCommand is a Command for a signer registration.
type RegistrationCommand func(r *Registration, now time.Time) ([]Emitted, error)

// TickRegistration applies a registration's deadline reached at now: an open
// registration past its ExpiresAt expires. It returns the events (none when
// nothing was due), like Process.Tick.
func TickRegistration(r *Registration, now time.Time) []Emitted {
	if at, ok := r.NextDue(); !ok || now.Before(at) {
		return nil
	}
	emitted, err := r.Expire(now)
	if err != nil {
		return nil
	}
	return emitted
}

// ProcessFilter selects processes for listProcesses and its narrower cousins.
// Empty fields do not filter. Text searches are case-insensitive substrings.
type ProcessFilter struct {
	// CreatedFrom and CreatedUntil bound createdAt: From inclusive, Until exclusive.
	CreatedFrom, CreatedUntil *time.Time
	Status                    ProcessStatus
	// NameSearch matches the document name, the initiator's name and any signer's name.
	NameSearch string
	// EmailSearch matches the initiator's email and any signer's email.
	EmailSearch string
	// PersonalCode matches a signer's personal code, whatever its country.
	PersonalCode string
	OwnerGroup   string
	DocumentType string
	DocumentID   string
	// SignerID keeps the processes that have this step signer.
	SignerID string
	// CreatedBy keeps the processes created with this API key (isAdmin=false).
	CreatedBy string
}

// PersonFilter selects the assignments of one person (personal code and
// country) for the signer portal. Empty fields do not filter.
type PersonFilter struct {
	PersonalCode string
	// Country is the ISO 3166-1 alpha-2 code, upper case.
	Country                   string
	CreatedFrom, CreatedUntil *time.Time
	Status                    ProcessStatus
	// NameSearch matches the document name and the initiator's name.
	NameSearch string
	// NonExpiredAt, when set, drops EXPIRED processes and those whose
	// expiresAt is at or before it.
	NonExpiredAt *time.Time
	// PerProcess answers one assignment per process (the person's first signer
	// in it) instead of one per signer entry.
	PerProcess bool
}

// Assignment is one place a person stands in a process: the process and the
// id of the person's signer entry in it.
type Assignment struct {
	Process  *Process
	SignerID string
}

// ReminderSummary is the answer of sendReminders: how many signers with an
// open action were reminded, across how many processes.
type ReminderSummary struct {
	RemindedSigners int `json:"remindedSigners"`
	Processes       int `json:"processes"`
}
