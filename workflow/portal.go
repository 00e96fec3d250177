package workflow

import (
	"time"

	"github.com/countersign/countersign/events"
)

// PortalPayload returns the process as the signer portal shows it to signer
// signerID: Payload, with every other signer reduced to what a co-signer may
// know (id, role, signing status, notification flag, when they acted, and
// their name unless they sign anonymously), so the portal never leaks another signer's personal code,
// country, email, comments or language.
func (p *Process) PortalPayload(signerID string) events.Process {
	out := p.Payload()
	redact := func(ss []events.Signer) {
		for i := range ss {
			if ss[i].ID != signerID {
				ss[i] = redactSigner(ss[i])
			}
		}
	}
	for i := range out.SigningProcessSteps {
		redact(out.SigningProcessSteps[i].ProcessStepSigners)
	}
	redact(out.Signers)
	if out.CurrentInProgressStep != nil {
		redact(out.CurrentInProgressStep.ProcessStepSigners)
	}
	return out
}

// redactSigner keeps what a co-signer may see of s.
func redactSigner(s events.Signer) events.Signer {
	out := events.Signer{ID: s.ID, SignerRole: s.SignerRole, SigningStatus: s.SigningStatus,
		SignerNotification: s.SignerNotification, Anonymous: s.Anonymous, ActedAt: s.ActedAt}
	if !s.Anonymous {
		out.SignerName = s.SignerName
	}
	return out
}

// CanAct reports whether signer signerID's action is open at now: the signer
// could sign, approve or view right away (the rules of Sign).
func (p *Process) CanAct(signerID string, now time.Time) bool {
	st, sg := p.findSigner(signerID)
	return sg != nil && p.canAct(st, sg, "act", now) == nil
}
