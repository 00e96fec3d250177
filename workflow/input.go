package workflow

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/countersign/countersign"
)

// Limits on a process's size and text, so a request cannot grow a row without bound.
const (
	MaxSteps          = 50
	MaxSignersPerStep = 50
	maxShortText      = 255
	maxLongText       = 4000
)

// ProcessInput is the body of createProcess and updateProcess: the
// SigningProcess without the fields the service owns (id, createdAt, status,
// canceled, completedAt, the counters, signers, currentInProgressStep). Clients
// send the whole schema, so the API should decode it leniently:
// those fields are simply not read. ExpiresAt is Countersign's addition.
type ProcessInput struct {
	SigningProcessSteps   []StepInput `json:"signingProcessSteps"`
	ProcessInitiatorEmail string      `json:"processInitiatorEmail"`
	DocumentID            string      `json:"documentId"`
	DocumentName          string      `json:"documentName"`
	Initiator             string      `json:"initiator"`
	InitiatorName         string      `json:"initiatorName"`
	Comment               string      `json:"comment"`
	DocumentType          string      `json:"documentType"`
	OwnerGroup            string      `json:"ownerGroup"`
	ExpiresAt             *time.Time  `json:"expiresAt"`
	// DisableMessages turns every notification email of the process off
	// (Countersign's addition; the same word as the cancel request's).
	DisableMessages bool `json:"disableMessages"`
	// ReminderEveryDays and ReminderDaysBeforeDue are the process's
	// automatic reminder policy (see ReminderPolicy).
	ReminderEveryDays     int `json:"reminderEveryDays"`
	ReminderDaysBeforeDue int `json:"reminderDaysBeforeDue"`
}

// reminderPolicy is the reminder policy of in.
func (in ProcessInput) reminderPolicy() ReminderPolicy {
	return ReminderPolicy{EveryDays: in.ReminderEveryDays, DaysBeforeDue: in.ReminderDaysBeforeDue}
}

// StepInput is one step of a create or update request, and the body of
// updateProcessStep. ID is only read by Process.Update, to keep a step's id.
type StepInput struct {
	ID                  string        `json:"id"`
	ProcessOrder        int           `json:"processOrder"`
	DueDate             *time.Time    `json:"dueDate"`
	WaitingPeriodEndsAt *time.Time    `json:"waitingPeriodEndsAt"`
	ProcessStepSigners  []SignerInput `json:"processStepSigners"`
}

// SignerInput is one signer of a step input. ID is only read by Process.Update
// and Process.UpdateStep, to keep a signer's id.
type SignerInput struct {
	ID                 string     `json:"id"`
	SignerName         string     `json:"signerName"`
	SignerCountry      string     `json:"signerCountry"`
	SignerPersonalCode string     `json:"signerPersonalCode"`
	SignerEmail        string     `json:"signerEmail"`
	SignerRole         SignerRole `json:"signerRole"`
	SignerComment      string     `json:"signerComment"`
	CommentForSigner   string     `json:"commentForSigner"`
	SignerNotification bool       `json:"signerNotification"`
	SignerLanguage     string     `json:"signerLanguage"`
	Anonymous          bool       `json:"anonymous"`
}

// validateFields checks the process-level fields of in.
func (in ProcessInput) validateFields(now time.Time) error {
	if err := checkEmail("processInitiatorEmail", in.ProcessInitiatorEmail); err != nil {
		return err
	}
	if err := in.reminderPolicy().Validate(); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{
		{"documentId", in.DocumentID}, {"documentName", in.DocumentName},
		{"initiator", in.Initiator}, {"initiatorName", in.InitiatorName},
		{"documentType", in.DocumentType}, {"ownerGroup", in.OwnerGroup},
	} {
		if err := checkText(f.name, f.v, maxShortText); err != nil {
			return err
		}
	}
	if err := checkText("comment", in.Comment, maxLongText); err != nil {
		return err
	}
	return checkFuture("expiresAt", in.ExpiresAt, now)
}

// buildSteps validates steps (the JSON array named field) and returns them
// sorted by processOrder, every signer WAITING_FOR_PROCESS. ids decides the
// steps' and signers' ids; nil gives every one a fresh UUID.
func buildSteps(in []StepInput, field string, ids *idPool, now time.Time) ([]Step, error) {
	if len(in) == 0 {
		return nil, countersign.FieldErrorf(countersign.EVALIDATION, field, "at least one step is required")
	}
	if len(in) > MaxSteps {
		return nil, countersign.FieldErrorf(countersign.EVALIDATION, field, "at most %d steps are allowed", MaxSteps)
	}
	steps := make([]Step, len(in))
	for i, si := range in {
		st, err := buildStep(si, fmt.Sprintf("%s[%d].", field, i), ids, now)
		if err != nil {
			return nil, err
		}
		steps[i] = st
	}
	sortSteps(steps)
	return steps, nil
}

// buildStep validates one step; prefix is the JSON path of the step plus ".".
func buildStep(in StepInput, prefix string, ids *idPool, now time.Time) (Step, error) {
	if in.ProcessOrder < 0 {
		return Step{}, countersign.FieldErrorf(countersign.EVALIDATION, prefix+"processOrder", "must be 0 or more")
	}
	if err := checkStepTimes(in, prefix, now); err != nil {
		return Step{}, err
	}
	field := prefix + "processStepSigners"
	if len(in.ProcessStepSigners) == 0 {
		return Step{}, countersign.FieldErrorf(countersign.EVALIDATION, field, "at least one signer is required")
	}
	if len(in.ProcessStepSigners) > MaxSignersPerStep {
		return Step{}, countersign.FieldErrorf(countersign.EVALIDATION, field, "at most %d signers are allowed", MaxSignersPerStep)
	}
	id, err := ids.take(false, in.ID, prefix+"id")
	if err != nil {
		return Step{}, err
	}
	st := Step{
		ID:                  id,
		ProcessOrder:        in.ProcessOrder,
		Status:              StepWaitingForPrevious,
		DueDate:             clonePtr(in.DueDate),
		WaitingPeriodEndsAt: clonePtr(in.WaitingPeriodEndsAt),
		Signers:             make([]Signer, len(in.ProcessStepSigners)),
	}
	acts := false
	for j, si := range in.ProcessStepSigners {
		sg, err := buildSigner(si, fmt.Sprintf("%s[%d].", field, j), ids)
		if err != nil {
			return Step{}, err
		}
		acts = acts || sg.Role.MustAct()
		st.Signers[j] = sg
	}
	if !acts {
		return Step{}, countersign.FieldErrorf(countersign.EVALIDATION, field, "at least one signer must be a SIGNER or an APPROVER")
	}
	return st, nil
}

// checkStepTimes checks a step's dueDate and waiting period: both in the
// future, and the due date after the waiting period.
func checkStepTimes(in StepInput, prefix string, now time.Time) error {
	if err := checkFuture(prefix+"dueDate", in.DueDate, now); err != nil {
		return err
	}
	if err := checkFuture(prefix+"waitingPeriodEndsAt", in.WaitingPeriodEndsAt, now); err != nil {
		return err
	}
	if in.DueDate != nil && in.WaitingPeriodEndsAt != nil && !in.DueDate.After(*in.WaitingPeriodEndsAt) {
		return countersign.FieldErrorf(countersign.EVALIDATION, prefix+"dueDate", "must be after waitingPeriodEndsAt")
	}
	return nil
}

// buildSigner validates one signer; prefix is the JSON path of the signer plus ".".
func buildSigner(in SignerInput, prefix string, ids *idPool) (Signer, error) {
	switch {
	case !in.SignerRole.Valid():
		return Signer{}, countersign.FieldErrorf(countersign.EINVALID, prefix+"signerRole", "must be one of VIEWER, SIGNER, APPROVER")
	case !in.SignerRole.Participates():
		return Signer{}, countersign.FieldErrorf(countersign.EVALIDATION, prefix+"signerRole", "%s cannot take part in a step; use VIEWER, SIGNER or APPROVER", in.SignerRole)
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{
		{"signerName", in.SignerName, maxShortText},
		{"signerComment", in.SignerComment, maxLongText},
		{"commentForSigner", in.CommentForSigner, maxLongText},
	} {
		if err := checkText(prefix+f.name, f.v, f.max); err != nil {
			return Signer{}, err
		}
	}
	if err := checkEmail(prefix+"signerEmail", in.SignerEmail); err != nil {
		return Signer{}, err
	}
	country := strings.ToUpper(in.SignerCountry)
	if country != "" && !ValidCountry(country) {
		return Signer{}, countersign.FieldErrorf(countersign.EINVALID, prefix+"signerCountry", "%q is not an ISO 3166-1 alpha-2 country code", in.SignerCountry)
	}
	if in.SignerPersonalCode != "" {
		var err error
		if country != "" {
			err = ValidatePersonalCode(country, in.SignerPersonalCode)
		} else {
			err = checkGenericCode(in.SignerPersonalCode)
		}
		if err != nil {
			return Signer{}, refield(err, prefix+"signerPersonalCode")
		}
	}
	if in.SignerLanguage != "" && !languageRE.MatchString(in.SignerLanguage) {
		return Signer{}, countersign.FieldErrorf(countersign.EINVALID, prefix+"signerLanguage", "must be a language tag such as en or lv-LV")
	}
	id, err := ids.take(true, in.ID, prefix+"id")
	if err != nil {
		return Signer{}, err
	}
	return Signer{
		ID: id, Name: in.SignerName, Country: country, PersonalCode: in.SignerPersonalCode,
		Email: in.SignerEmail, Role: in.SignerRole, Comment: in.SignerComment,
		CommentForSigner: in.CommentForSigner, Status: SigningWaitingForProcess,
		Notification: in.SignerNotification, Language: in.SignerLanguage, Anonymous: in.Anonymous,
	}, nil
}

// languageRE matches a BCP 47 style language tag: en, lv-LV, zh-Hant-TW.
var languageRE = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// checkText refuses text that is not UTF-8 or longer than max characters.
func checkText(field, s string, max int) error {
	if !utf8.ValidString(s) {
		return countersign.FieldErrorf(countersign.EINVALID, field, "must be UTF-8 text")
	}
	if utf8.RuneCountInString(s) > max {
		return countersign.FieldErrorf(countersign.EVALIDATION, field, "must be at most %d characters", max)
	}
	return nil
}

// checkEmail refuses s unless it is empty or one bare address (no display name).
func checkEmail(field, s string) error {
	if s == "" {
		return nil
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return countersign.FieldErrorf(countersign.EVALIDATION, field, "%q is not an email address", s)
	}
	return nil
}

// checkFuture refuses a time that is set and not after now.
func checkFuture(field string, t *time.Time, now time.Time) error {
	if t != nil && !t.After(now) {
		return countersign.FieldErrorf(countersign.EVALIDATION, field, "must be in the future")
	}
	return nil
}
