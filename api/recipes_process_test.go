package api_test

import (
	"time"

	"github.com/countersign/countersign/events"
)

// signerCall is the call of a signer operation on p's signer called name.
func signerCall(p events.Process, name string, body any) call {
	return call{params: map[string]string{"processId": p.ID, "signerId": signerNamed(p, name)}, body: body}
}

// asRole makes the second signer of the first step a role.
func asRole(role string) func(map[string]any) {
	return func(b map[string]any) { stepSigners(b, 0)[1].(map[string]any)["signerRole"] = role }
}

func init() {
	process := func(w *world, p events.Process) call { return call{params: ids("processId", p.ID)} }
	register(map[string]recipe{
		"createProcess": plain("", processBody()),
		"listProcesses": plain("processStatus=PENDING&nameSearch=lease&createdDateAfter=2000-01-01&isAdmin=true&sort=createdAt,desc", nil),
		"findProcesses": func(w *world) call {
			return call{query: "size=5", body: map[string]any{"documentId": w.process.DocumentID}}
		},
		"getProcessById": plain("", nil),
		"updateProcess": func(w *world) call { // a process of its own: its signers are replaced
			c := process(w, w.newProcess())
			c.body = processBody(func(b map[string]any) {
				b["documentName"] = "Renamed.pdf"
				for i := range bodySteps(b) {
					for _, sg := range stepSigners(b, i) {
						delete(sg.(map[string]any), "id") // new signers
					}
				}
			})
			return c
		},
		"deleteProcess": func(w *world) call { return process(w, w.newProcess()) },
		"startProcess":  func(w *world) call { return process(w, w.newProcess()) },
		"pauseProcess":  func(w *world) call { return process(w, w.startedProcess()) },
		"resumeProcess": func(w *world) call {
			p := w.startedProcess()
			w.h.expectJSON(200, "POST", "/v1/processes/"+p.ID+"/pause", w.h.owner, nil)
			return process(w, p)
		},
		"cancelProcess": func(w *world) call { return process(w, w.startedProcess()) },
		"cancelProcessWithMessageControl": func(w *world) call {
			c := process(w, w.startedProcess())
			c.body = map[string]any{"disableMessages": true}
			return c
		},
		"signerSign":    func(w *world) call { return signerCall(w.startedProcess(), "One", nil) },
		"signerApprove": func(w *world) call { return signerCall(w.startedProcess(asRole("APPROVER")), "Two", nil) },
		"signerView":    func(w *world) call { return signerCall(w.startedProcess(asRole("VIEWER")), "Two", nil) },
		"signerDecline": func(w *world) call {
			return signerCall(w.startedProcess(), "One", map[string]any{"stallReason": "signature_refusal", "comment": "Not mine"})
		},
		"postProcessMessage":  func(w *world) call { return signerCall(w.process, "One", map[string]any{"message": "Which page?"}) },
		"listProcessMessages": plain("page=0&size=10", nil),
		"updateProcessStep": func(w *world) call {
			p := w.newProcess()
			return call{params: ids("processStepId", p.SigningProcessSteps[1].ID), body: map[string]any{
				"processOrder": 1, "dueDate": fromNow(48 * time.Hour), "processStepSigners": []any{map[string]any{
					"signerName": "Three", "signerRole": "APPROVER", "signerCountry": "EE", "signerPersonalCode": codeEE}}}}
		},
		"cancelWaitingPeriod": func(w *world) call {
			p := w.startedProcess(func(b map[string]any) { bodySteps(b)[0].(map[string]any)["waitingPeriodEndsAt"] = fromNow(time.Hour) })
			return call{params: ids("processStepId", p.SigningProcessSteps[0].ID)}
		},
		"listProcessesByStepSignerId": plain("size=5", nil),
		"sendSignerEmail": func(w *world) call {
			return call{params: ids("processSignerId", signerNamed(w.startedProcess(), "One"))}
		},
		"listProcessesByDocumentId": plain("page=0", nil),
		"sendReminders":             plain("", nil),
		"authorizeProcessAccess": func(w *world) call {
			return call{body: map[string]any{"signerId": signerNamed(w.process, "One"), "personCode": codeLV, "country": "LV"}}
		},
		"listSignerTasks": func(w *world) call {
			return call{query: "personalCode=" + codeLV + "&country=LV&signerId=" + signerNamed(w.process, "One") +
				"&nonExpired=true&processStatus=PENDING&createdDateBefore=2100-01-01"}
		},
		"listSignerSteps":     plain("personCode="+codeLT+"&country=LT", nil),
		"listSignerDocuments": plain("personCode="+codeEE+"&country=EE&size=3", nil),

		"createRegistration": plain("", map[string]any{"full_name": "Jane Roe", "email": "jane@example.com", "phone": "+371 2000 0000", "method": "web"}),
		"getRegistration":    plain("", nil),
		"verifyRegistrationIdentity": func(w *world) call {
			return call{params: ids("registrationId", w.newRegistration()), body: map[string]any{"success": true}}
		},
		"rejectRegistrationIdentity": func(w *world) call {
			return call{params: ids("registrationId", w.newRegistration()), body: map[string]any{"reason": "blurred photo"}}
		},
		"rejectRegistration": func(w *world) call {
			return call{params: ids("registrationId", w.newRegistration()), body: map[string]any{"reason": "withdrawn"}}
		},
		"completeRegistration": func(w *world) call {
			return call{params: ids("registrationId", w.newRegistration("verify-identity")), body: map[string]any{"certificate_name": "cert"}}
		},
		"activateRegistrationCertificate": func(w *world) call {
			return call{params: ids("registrationId", w.newRegistration("verify-identity", "complete"))}
		},
	})
}
