package workflow

import (
	"time"

	"github.com/countersign/countersign/events"
)

// Signer is one participant of a step (ProcessStepSigner). Its ID is
// a UUID the service assigns; it is what a signer's portal links carry.
type Signer struct {
	ID   string
	Name string
	// Country is the ISO 3166-1 alpha-2 code of PersonalCode's issuer, upper case.
	Country      string
	PersonalCode string
	Email        string
	Role         SignerRole
	// Comment is the signer's own comment; CommentForSigner is the initiator's note to them.
	Comment          string
	CommentForSigner string
	Status           SigningStatus
	// Notification says whether the signer is sent emails (JSON: signerNotification).
	Notification bool
	Language     string
	Anonymous    bool
	// ActedAt is when the signer signed, approved, viewed or declined.
	ActedAt *time.Time
	// Reminders counts the reminders sent to the signer, automatic and manual.
	Reminders int
	// OpenedAt is when the signer's action last opened; RemindedAt when they
	// were last reminded. Automatic reminders count from them.
	OpenedAt   *time.Time
	RemindedAt *time.Time
}

// action is the signing status acting moves a signer of role r to, and the verb
// of the operation, for messages.
func action(r SignerRole) (SigningStatus, string) {
	switch r {
	case RoleSigner:
		return SigningSigned, "sign"
	case RoleApprover:
		return SigningApproved, "approve"
	default:
		return SigningViewed, "view"
	}
}

// Payload returns the signer as the API and events show it.
func (s *Signer) Payload() events.Signer {
	return events.Signer{
		ID:                 s.ID,
		SignerName:         s.Name,
		SignerCountry:      s.Country,
		SignerPersonalCode: s.PersonalCode,
		SignerEmail:        s.Email,
		SignerRole:         string(s.Role),
		SignerComment:      s.Comment,
		CommentForSigner:   s.CommentForSigner,
		SigningStatus:      string(s.Status),
		SignerNotification: s.Notification,
		SignerLanguage:     s.Language,
		Anonymous:          s.Anonymous,
		ActedAt:            clonePtr(s.ActedAt),
	}
}

// clone returns a deep copy of s.
func (s Signer) clone() Signer {
	s.ActedAt = clonePtr(s.ActedAt)
	return s
}
