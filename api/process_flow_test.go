package api_test

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/storage/storagetest"
)

// applyDue runs the scheduler once as if it were d from now.
func (s *harness) applyDue(d time.Duration) int {
	s.t.Helper()
	n, err := s.db.Processes().ApplyDue(context.Background(), time.Now().Add(d), 100)
	if err != nil {
		s.t.Fatalf("apply due: %v", err)
	}
	return n
}

// signerPath is the path of a signer operation.
func signerPath(p events.Process, signer, op string) string {
	return "/v1/processes/" + p.ID + "/signers/" + signerIDs(p)[signer] + "/" + op
}

func TestProcessRunsToCompletion(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	p := s.newProcess(s.owner, processBody())
	s.expect(200, "POST", "/v1/processes/"+p.ID+"/start", s.owner, nil)
	s.expect(200, "POST", signerPath(p, "One", "sign"), s.owner, nil)
	step2 := decodeProcess(t, s.expect(200, "POST", signerPath(p, "Two", "sign"), s.owner, nil))
	if step2.CurrentInProgressStep == nil || step2.CurrentInProgressStep.ProcessOrder != 1 || step2.TotalSigned != 2 {
		t.Fatalf("after the first step: %+v", step2)
	}
	res := s.expect(200, "POST", signerPath(p, "Three", "approve"), s.owner, nil)
	checkGolden(t, "process_completed", res.Body)
	done := decodeProcess(t, res)
	if done.Status != "COMPLETED" || done.CompletedAt == nil || done.TotalSigned != 3 || done.CurrentInProgressStep != nil {
		t.Fatalf("completed: %+v", done)
	}
	want := []string{
		"transaction.lifecycle.created",
		"transaction.lifecycle.started", "action.opened", "action.opened",
		"action.closed",
		"action.closed", "action.opened",
		"action.closed", "transaction.lifecycle.completed",
	}
	if got := s.processEvents(p.ID); !reflect.DeepEqual(got, want) {
		t.Fatalf("events\n got %v\nwant %v", got, want)
	}
	// The completion event keeps the approve call's answer as its response body.
	var stored string
	if err := storagetest.Get(context.Background(), s.db, &stored, "SELECT response_body FROM events WHERE resource_id = ? AND type = 'transaction.lifecycle.completed'", p.ID); err != nil {
		t.Fatal(err)
	}
	if stored != string(res.Body) {
		t.Fatalf("stored response body differs from the answer:\n%s\n%s", stored, res.Body)
	}
	if r := s.do("POST", signerPath(p, "One", "sign"), s.owner, nil); r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "COMPLETED") {
		t.Fatalf("sign a completed process: %d %s", r.Status, r.Body)
	}
}

func TestProcessDeclineCancelPauseAndExpiry(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	begin := func(mods ...func(map[string]any)) events.Process {
		p := s.newProcess(s.owner, processBody(mods...))
		s.expect(200, "POST", "/v1/processes/"+p.ID+"/start", s.owner, nil)
		return p
	}
	opening := []string{"transaction.lifecycle.created", "transaction.lifecycle.started", "action.opened", "action.opened"}
	check := func(name string, p events.Process, status string, tail ...string) {
		t.Helper()
		if got := decodeProcess(t, s.expect(200, "GET", "/v1/processes/"+p.ID, s.owner, nil)); got.Status != status {
			t.Errorf("%s: status %s, want %s", name, got.Status, status)
		}
		want := append(append([]string{}, opening...), tail...)
		if got := s.processEvents(p.ID); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: events\n got %v\nwant %v", name, got, want)
		}
	}

	declined := begin()
	res := s.expect(200, "POST", signerPath(declined, "Two", "decline"), s.owner, map[string]any{"stallReason": "signature_refusal"})
	checkGolden(t, "process_declined", res.Body)
	check("decline", declined, "DECLINED", "action.stalled", "transaction.lifecycle.declined")

	canceled := begin()
	s.expect(200, "POST", "/v1/processes/"+canceled.ID+"/cancel", s.owner, nil)
	check("cancel", canceled, "CANCELED", "transaction.lifecycle.cancelled")

	paused := begin()
	s.expect(200, "POST", "/v1/processes/"+paused.ID+"/pause", s.owner, nil)
	if r := s.do("POST", signerPath(paused, "One", "sign"), s.owner, nil); r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "PAUSED") {
		t.Fatalf("sign while paused: %d %s", r.Status, r.Body)
	}
	if r := s.do("POST", "/v1/processes/"+paused.ID+"/pause", s.owner, nil); r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "PAUSED") {
		t.Fatalf("pause twice: %d %s", r.Status, r.Body)
	}
	s.expect(200, "POST", "/v1/processes/"+paused.ID+"/resume", s.owner, nil)
	s.expect(200, "POST", signerPath(paused, "One", "sign"), s.owner, nil)
	check("pause/resume", paused, "STARTED", "transaction.lifecycle.paused", "transaction.lifecycle.started", "action.closed")

	expiring := begin(func(b map[string]any) { b["expiresAt"] = fromNow(time.Hour) })
	stepDue := begin(func(b map[string]any) {
		delete(b, "expiresAt")
		bodySteps(b)[0].(map[string]any)["dueDate"] = fromNow(90 * time.Minute)
	})
	if n := s.applyDue(time.Minute); n != 0 {
		t.Fatalf("applied %d deadlines before any was due", n)
	}
	if n := s.applyDue(2 * time.Hour); n != 2 {
		t.Fatalf("applied %d deadlines, want 2", n)
	}
	check("expiry", expiring, "EXPIRED", "transaction.lifecycle.expired")
	check("step due date", stepDue, "EXPIRED", "action.stalled", "action.stalled", "transaction.lifecycle.expired")
	if r := s.do("POST", signerPath(expiring, "One", "sign"), s.owner, nil); r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "EXPIRED") {
		t.Fatalf("sign an expired process: %d %s", r.Status, r.Body)
	}
	if n := s.countEvents(s.ws.WorkspaceID, "transaction.lifecycle.expired"); n != 2 {
		t.Fatalf("%d expiry events", n)
	}
}

func TestWaitingPeriods(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	waiting := func() events.Process {
		p := s.newProcess(s.owner, processBody(func(b map[string]any) {
			bodySteps(b)[0].(map[string]any)["waitingPeriodEndsAt"] = fromNow(time.Hour)
		}))
		started := decodeProcess(t, s.expect(200, "POST", "/v1/processes/"+p.ID+"/start", s.owner, nil))
		if started.Signers[0].SigningStatus != "WAITING_FOR_PROCESS" {
			t.Fatalf("signer can act during the waiting period: %+v", started.Signers[0])
		}
		return p
	}
	cut := waiting()
	if r := s.do("POST", signerPath(cut, "One", "sign"), s.owner, nil); r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "waiting period") {
		t.Fatalf("sign during the waiting period: %d %s", r.Status, r.Body)
	}
	stepID := cut.SigningProcessSteps[0].ID
	res := s.expect(200, "POST", "/v1/process-steps/"+stepID+"/waiting-period/cancel", s.owner, nil)
	if got := decodeProcess(t, res); got.Signers[0].SigningStatus != "WAITING_FOR_ACTION" {
		t.Fatalf("after cancelling the waiting period: %+v", got.Signers[0])
	}
	want := []string{"transaction.lifecycle.created", "transaction.lifecycle.started",
		"action.waitingperiod.cancelled", "action.opened", "action.waitingperiod.cancelled", "action.opened"}
	if got := s.processEvents(cut.ID); !reflect.DeepEqual(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	if r := s.do("POST", "/v1/process-steps/"+stepID+"/waiting-period/cancel", s.owner, nil); r.Status != http.StatusConflict {
		t.Fatalf("cancel twice: %d %s", r.Status, r.Body)
	}
	for path, status := range map[string]int{
		"/v1/process-steps/nope/waiting-period/cancel":                                  400,
		"/v1/process-steps/" + cut.Signers[0].ID + "/waiting-period/cancel":             404,
		"/v1/process-steps/" + cut.SigningProcessSteps[1].ID + "/waiting-period/cancel": 409,
	} {
		if r := s.do("POST", path, s.owner, nil); r.Status != status {
			t.Errorf("%s: %d %s, want %d", path, r.Status, r.Body, status)
		}
	}

	ended := waiting()
	if n := s.applyDue(2 * time.Hour); n != 1 {
		t.Fatalf("applied %d, want the waiting period's end", n)
	}
	want = []string{"transaction.lifecycle.created", "transaction.lifecycle.started",
		"action.waitingperiod.ended", "action.opened", "action.waitingperiod.ended", "action.opened"}
	if got := s.processEvents(ended.ID); !reflect.DeepEqual(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
}

func TestUpdateProcessStep(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	p := s.newProcess(s.owner, processBody())
	step := p.SigningProcessSteps[1]
	body := map[string]any{"id": "ignored", "processOrder": 2, "stepStatus": "STARTED", "dueDate": fromNow(48 * time.Hour),
		"processStepSigners": []any{map[string]any{"id": step.ProcessStepSigners[0].ID, "signerName": "Three bis", "signerRole": "APPROVER"}}}
	res := s.expect(200, "PUT", "/v1/process-steps/"+step.ID, s.owner, body)
	checkGolden(t, "process_step", res.Body)
	var got events.Step
	decodeInto(t, res, &got)
	if got.ID != step.ID || got.ProcessOrder != 2 || got.DueDate == nil || got.ProcessStepSigners[0].ID != step.ProcessStepSigners[0].ID ||
		got.ProcessStepSigners[0].SignerName != "Three bis" || got.StepStatus != "WAITING_FOR_PREVIOUS" {
		t.Fatalf("updated step %+v", got)
	}
	_, other := s.otherWorkspace()
	for _, tc := range []struct {
		name, path, token string
		body              any
		status            int
	}{
		{"bad uuid", "/v1/process-steps/1", s.owner, body, 400},
		{"unknown step", "/v1/process-steps/" + p.ID, s.owner, body, 404},
		{"other workspace", "/v1/process-steps/" + step.ID, other, body, 404},
		{"bad JSON", "/v1/process-steps/" + step.ID, s.owner, "{", 400},
		{"no signers", "/v1/process-steps/" + step.ID, s.owner, map[string]any{"processOrder": 1}, 422},
		{"negative order", "/v1/process-steps/" + step.ID, s.owner, map[string]any{"processOrder": -1,
			"processStepSigners": []any{map[string]any{"signerRole": "SIGNER"}}}, 422},
	} {
		if r := s.do("PUT", tc.path, tc.token, tc.body); r.Status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, r.Status, r.Body, tc.status)
		}
	}
	s.expect(200, "POST", "/v1/processes/"+p.ID+"/start", s.owner, nil)
	if r := s.do("PUT", "/v1/process-steps/"+step.ID, s.owner, body); r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "STARTED") {
		t.Fatalf("update a step of a STARTED process: %d %s", r.Status, r.Body)
	}
}
