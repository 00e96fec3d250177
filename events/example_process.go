package events

import "time"

// The example signing process and its participants (see example.go).
const (
	exampleProcessID  = "3f9c2a7e-5b1d-4c8e-9a06-2d7f1e4b8c53"
	exampleDocumentID = "e2c5a8f1-6b3d-4f9e-8a47-c1d0b9e3f256"
	exampleStep1ID    = "a1d4e6b2-7c3f-4e59-8b21-0f6a9d3c5e71"
	exampleStep2ID    = "c7e2f9a4-1b6d-4a83-9e5c-38d0b7f2a164"
)

// exampleSigners are Mari Tamm (step 1), Jean Dupont and Sofia Rossi (step 2),
// before the process starts. Indexing copies them, so callers may change the copy.
var exampleSigners = [3]Signer{
	{
		ID: "5e8b1c3d-9f2a-4d67-b4e0-71c6a2d9f835", SignerName: "Mari Tamm", SignerCountry: "EE",
		SignerPersonalCode: "48710120235", SignerEmail: "mari.tamm@tamm-consulting.example",
		SignerRole: SignerSigner, CommentForSigner: "Please check the pricing in annex B before signing.",
		SigningStatus: SigningWaitingForProcess, SignerNotification: true, SignerLanguage: "et",
	},
	{
		ID: "8d2f6a1e-4c9b-4e3a-a7d5-b16e0c4f9a28", SignerName: "Jean Dupont", SignerCountry: "FR",
		SignerEmail: "jean.dupont@northwind.example", SignerRole: SignerApprover,
		SigningStatus: SigningWaitingForProcess, SignerNotification: true, SignerLanguage: "fr",
	},
	{
		ID: "b4a9e7c2-3d1f-4b86-9c0e-5f2a8d6b1e47", SignerName: "Sofia Rossi", SignerCountry: "IT",
		SignerEmail: "sofia.rossi@northwind.example", SignerRole: SignerViewer,
		SigningStatus: SigningWaitingForProcess, SignerNotification: false, SignerLanguage: "it",
	},
}

// Moments of the example process.
var (
	exampleCreated   = exampleTime("2025-06-02T08:58:12.402Z")
	exampleStarted   = exampleTime("2025-06-02T09:00:03.118Z")
	exampleSigned    = exampleTime("2025-06-02T09:41:27.530Z")
	exampleApproved  = exampleTime("2025-06-03T10:12:45.007Z")
	exampleViewed    = exampleTime("2025-06-03T11:03:09.884Z")
	exampleExpiresAt = exampleTime("2025-06-30T23:59:59.000Z")
	// The waiting period gives the second step a day after Mari signs.
	exampleWaitingEnds = exampleSigned.Add(24 * time.Hour)
)

// exampleTransaction returns the process as event type t leaves it.
func exampleTransaction(t Type) (any, time.Time, string) {
	mari, jean, sofia := exampleSigners[0], exampleSigners[1], exampleSigners[2]
	step1 := Step{ID: exampleStep1ID, ProcessOrder: 1, StepStatus: StepWaitingForPrevious, DueDate: ptr(exampleTime("2025-06-09T17:00:00Z"))}
	step2 := Step{ID: exampleStep2ID, ProcessOrder: 2, StepStatus: StepWaitingForPrevious, DueDate: ptr(exampleTime("2025-06-16T17:00:00Z"))}
	p := Process{
		ID: exampleProcessID, CreatedAt: exampleCreated,
		ProcessInitiatorEmail: "claire.bernard@northwind.example", Initiator: "claire.bernard@northwind.example",
		InitiatorName: "Claire Bernard", DocumentID: exampleDocumentID,
		DocumentName: "Master services agreement 2025 - Northwind and Tamm Consulting.pdf",
		DocumentType: "CONTRACT", OwnerGroup: "legal", Comment: "Renewal of the 2024 agreement; annex B updated.",
		Status: ProcessPending, ExpiresAt: ptr(exampleExpiresAt),
	}
	data := TransactionData{}
	at, key := exampleCreated, exampleERPKey
	if t != TransactionCreated {
		p.Status, p.StartedAt, at = ProcessStarted, ptr(exampleStarted), exampleStarted
		step1.StepStatus, mari.SigningStatus = StepStarted, SigningWaitingForAction
	}
	switch t {
	case TransactionPaused:
		p.Status, at = ProcessPaused, exampleTime("2025-06-02T09:15:40.266Z")
	case TransactionCancelled:
		p.Status, p.Canceled, at = ProcessCanceled, true, exampleTime("2025-06-02T09:20:31.590Z")
		step1.StepStatus, step2.StepStatus = StepCanceled, StepCanceled
		mari.SigningStatus, jean.SigningStatus, sofia.SigningStatus = SigningCanceled, SigningCanceled, SigningCanceled
		data.Reason = "canceled"
	case TransactionExpired:
		p.Status, at, key = ProcessExpired, exampleTime("2025-07-01T00:00:04.211Z"), ""
		step1.StepStatus, step2.StepStatus = StepCanceled, StepCanceled
		mari.SigningStatus, jean.SigningStatus, sofia.SigningStatus = SigningExpired, SigningExpired, SigningExpired
		data.Reason = "expires_at_passed"
	case TransactionDeclined:
		p.Status, at = ProcessDeclined, exampleSigned
		step1.StepStatus, step2.StepStatus = StepCanceled, StepCanceled
		mari.SigningStatus, mari.ActedAt = SigningDeclined, ptr(exampleSigned)
		mari.SignerComment = "The pricing in annex B is not the one we agreed."
		jean.SigningStatus, sofia.SigningStatus = SigningCanceled, SigningCanceled
		data.Reason = string(StallSignatureRefusal) // a decline ends the process with the signer's stall reason
	case TransactionCompleted:
		p.Status, p.CompletedAt, at = ProcessCompleted, ptr(exampleViewed), exampleViewed
		step1.StepStatus, step2.StepStatus = StepCompleted, StepCompleted
		mari.SigningStatus, mari.ActedAt = SigningSigned, ptr(exampleSigned)
		jean.SigningStatus, jean.ActedAt = SigningApproved, ptr(exampleApproved)
		sofia.SigningStatus, sofia.ActedAt = SigningViewed, ptr(exampleViewed)
	}
	step1.ProcessStepSigners = []Signer{mari}
	step2.ProcessStepSigners = []Signer{jean, sofia}
	p.SigningProcessSteps = []Step{step1, step2}
	p.Signers = []Signer{mari, jean, sofia}
	// As the workflow counts them: the signers who must act (all but VIEWERs),
	// and those of them who signed or approved.
	for _, s := range p.Signers {
		if s.SignerRole != SignerViewer {
			p.TotalSigners++
			if s.SigningStatus == SigningSigned || s.SigningStatus == SigningApproved {
				p.TotalSigned++
			}
		}
	}
	if step1.StepStatus == StepStarted {
		p.CurrentInProgressStep = &step1
	}
	p.UpdatedAt = at
	data.Process = p
	return data, at, key
}

// exampleAction returns the participant's action as event type t leaves it.
func exampleAction(t Type) (any, time.Time, string) {
	mari, jean := exampleSigners[0], exampleSigners[1]
	first := ActionData{ProcessID: exampleProcessID, DocumentID: exampleDocumentID, StepID: exampleStep1ID, ProcessOrder: 1}
	second := ActionData{ProcessID: exampleProcessID, DocumentID: exampleDocumentID, StepID: exampleStep2ID, ProcessOrder: 2}
	jean.SigningStatus = SigningWaitingForAction
	switch t {
	case ActionOpened:
		mari.SigningStatus = SigningWaitingForAction
		first.Signer = mari
		return first, exampleStarted.Add(41 * time.Millisecond), exampleERPKey
	case ActionClosed:
		mari.SigningStatus, mari.ActedAt = SigningSigned, ptr(exampleSigned)
		first.Signer, first.Action = mari, SigningSigned
		return first, exampleSigned, exampleERPKey
	case ActionStalled:
		mari.SigningStatus, mari.ActedAt = SigningDeclined, ptr(exampleSigned)
		mari.SignerComment = "The pricing in annex B is not the one we agreed."
		first.Signer, first.StallReason = mari, StallSignatureRefusal
		return first, exampleSigned, exampleERPKey
	case ActionReminderSent:
		second.Signer = jean
		return second, exampleTime("2025-06-03T10:00:00.052Z"), ""
	case ActionManualReminderSent:
		second.Signer = jean
		return second, exampleTime("2025-06-03T10:05:42.907Z"), exampleERPKey
	case ActionWaitingPeriodCancel:
		second.Signer, second.WaitingPeriodEndsAt = jean, ptr(exampleWaitingEnds)
		return second, exampleTime("2025-06-02T16:05:11.274Z"), exampleERPKey
	case ActionWaitingPeriodEnded:
		second.Signer, second.WaitingPeriodEndsAt = jean, ptr(exampleWaitingEnds)
		return second, exampleWaitingEnds.Add(318 * time.Millisecond), ""
	}
	return nil, time.Time{}, ""
}
