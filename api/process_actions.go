package api

import (
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/workflow"
)

// CancelRequest is the body of cancelProcessWithMessageControl.
type CancelRequest struct {
	// DisableMessages, required, says that no notification messages should go
	// out about the cancellation. It is recorded with the process; the
	// transaction.lifecycle.cancelled event is written either way.
	DisableMessages *bool `json:"disableMessages"`
}

// DeclineRequest is the body of signerDecline.
type DeclineRequest struct {
	// StallReason is one of workflow.ClientStallReasons (any but due_date_passed).
	StallReason events.StallReason `json:"stallReason"`
	// Comment, optional, is kept as the signer's comment.
	Comment string `json:"comment"`
}

// MessageRequest is the body of postProcessMessage.
type MessageRequest struct {
	Message string `json:"message"`
}

// maxComment is the longest decline comment.
const maxComment = 4000

// transition runs cmd on the process of the processId path parameter and
// answers the process after it.
func (s *Server) transition(c *fiber.Ctx, cmd workflow.Command) error {
	id, err := pathUUID(c, "processId")
	if err != nil {
		return err
	}
	p, err := s.deps.Processes.ChangeProcess(c.UserContext(), actor(c), id, cmd)
	if err != nil {
		return err
	}
	auditSubject(c, p.ID, p.DocumentID, "")
	return c.JSON(p.Payload())
}

// signerTransition runs a command about the signerId path parameter.
func (s *Server) signerTransition(c *fiber.Ctx, cmd func(p *workflow.Process, signerID string, now time.Time) ([]workflow.Emitted, error)) error {
	if _, err := pathUUID(c, "processId"); err != nil {
		return err
	}
	signerID, err := pathUUID(c, "signerId")
	if err != nil {
		return err
	}
	return s.transition(c, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return cmd(p, signerID, now) })
}

func (s *Server) startProcess(c *fiber.Ctx) error {
	return s.transition(c, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Start(now) })
}

func (s *Server) pauseProcess(c *fiber.Ctx) error {
	return s.transition(c, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Pause(now) })
}

func (s *Server) resumeProcess(c *fiber.Ctx) error {
	return s.transition(c, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Resume(now) })
}

func (s *Server) cancelProcess(c *fiber.Ctx) error {
	return s.transition(c, func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) { return p.Cancel(now) })
}

func (s *Server) cancelProcessWithMessageControl(c *fiber.Ctx) error {
	id, err := pathUUID(c, "processId")
	if err != nil {
		return err
	}
	var req CancelRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	if req.DisableMessages == nil {
		return countersign.FieldErrorf(countersign.EVALIDATION, "disableMessages", "disableMessages is required")
	}
	p, err := s.deps.Processes.CancelProcessWithMessageControl(c.UserContext(), actor(c), id, *req.DisableMessages)
	if err != nil {
		return err
	}
	auditSubject(c, p.ID, p.DocumentID, "")
	return c.JSON(p.Payload())
}

func (s *Server) signerSign(c *fiber.Ctx) error {
	return s.signerTransition(c, (*workflow.Process).Sign)
}

func (s *Server) signerApprove(c *fiber.Ctx) error {
	return s.signerTransition(c, (*workflow.Process).Approve)
}

func (s *Server) signerView(c *fiber.Ctx) error {
	return s.signerTransition(c, (*workflow.Process).View)
}

func (s *Server) signerDecline(c *fiber.Ctx) error {
	var req DeclineRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	if !utf8.ValidString(req.Comment) || utf8.RuneCountInString(req.Comment) > maxComment {
		return countersign.FieldErrorf(countersign.EVALIDATION, "comment", "comment must be text of at most %d characters", maxComment)
	}
	return s.signerTransition(c, func(p *workflow.Process, signerID string, now time.Time) ([]workflow.Emitted, error) {
		sg := signerOf(p, signerID)
		if sg == nil || req.Comment == "" {
			return p.Decline(signerID, req.StallReason, now)
		}
		old := sg.Comment
		sg.Comment = req.Comment // carried by the action.stalled event
		emitted, err := p.Decline(signerID, req.StallReason, now)
		if err != nil {
			sg.Comment = old
		}
		return emitted, err
	})
}

// signerOf returns signer id of p, to edit in place, or nil.
func signerOf(p *workflow.Process, id string) *workflow.Signer {
	for i := range p.Steps {
		for j := range p.Steps[i].Signers {
			if p.Steps[i].Signers[j].ID == id {
				return &p.Steps[i].Signers[j]
			}
		}
	}
	return nil
}

func (s *Server) postProcessMessage(c *fiber.Ctx) error {
	processID, err := pathUUID(c, "processId")
	if err != nil {
		return err
	}
	signerID, err := pathUUID(c, "signerId")
	if err != nil {
		return err
	}
	var req MessageRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	msg, err := s.deps.Processes.PostProcessMessage(c.UserContext(), actor(c), processID, signerID, req.Message)
	if err != nil {
		return err
	}
	auditSubject(c, processID, "", signerID)
	return c.Status(http.StatusCreated).JSON(msg)
}

// stepProcess returns the step id of the path and the id of its process.
func (s *Server) stepProcess(c *fiber.Ctx) (stepID, processID string, err error) {
	if stepID, err = pathUUID(c, "processStepId"); err != nil {
		return "", "", err
	}
	processID, err = s.deps.Processes.ProcessOfStep(c.UserContext(), actor(c).WorkspaceID, stepID)
	return stepID, processID, err
}

func (s *Server) updateProcessStep(c *fiber.Ctx) error {
	var in workflow.StepInput
	if err := decodeLenient(c, &in); err != nil {
		return err
	}
	stepID, processID, err := s.stepProcess(c)
	if err != nil {
		return err
	}
	steps := []workflow.StepInput{in}
	if err := normalizeTimes(nil, steps); err != nil {
		return err
	}
	p, err := s.deps.Processes.ChangeProcess(c.UserContext(), actor(c), processID,
		func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) {
			return p.UpdateStep(stepID, steps[0], now)
		})
	if err != nil {
		return err
	}
	st, ok := p.Step(stepID)
	if !ok {
		return countersign.NotFound("step")
	}
	auditSubject(c, p.ID, p.DocumentID, "")
	return c.JSON(st.Payload())
}

func (s *Server) cancelWaitingPeriod(c *fiber.Ctx) error {
	stepID, processID, err := s.stepProcess(c)
	if err != nil {
		return err
	}
	p, err := s.deps.Processes.ChangeProcess(c.UserContext(), actor(c), processID,
		func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) {
			return p.CancelWaitingPeriod(stepID, now)
		})
	if err != nil {
		return err
	}
	auditSubject(c, p.ID, p.DocumentID, "")
	return c.JSON(p.Payload())
}

func (s *Server) sendSignerEmail(c *fiber.Ctx) error {
	signerID, err := pathUUID(c, "processSignerId")
	if err != nil {
		return err
	}
	processID, err := s.deps.Processes.ProcessOfSigner(c.UserContext(), actor(c).WorkspaceID, signerID)
	if err != nil {
		return err
	}
	p, err := s.deps.Processes.ChangeProcess(c.UserContext(), actor(c), processID,
		func(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) {
			return p.ManualReminder(signerID, now)
		})
	if err != nil {
		return err
	}
	auditSubject(c, p.ID, p.DocumentID, "")
	return c.JSON(p.Payload())
}
