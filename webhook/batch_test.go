package webhook_test

import (
	"reflect"
	"testing"

	"github.com/countersign/countersign/webhook"
)

func TestGroup(t *testing.T) {
	first := func(dlv, evt string, ran bool) webhook.Task {
		return webhook.Task{DeliveryID: dlv, WorkspaceID: "wsp_1", EndpointID: "ep_" + dlv, EventID: evt, Attempt: 1, MayHaveRun: ran}
	}
	retry := webhook.Task{DeliveryID: "r", WorkspaceID: "wsp_1", EndpointID: "ep_r", EventID: "evt_a", Attempt: 2}
	replay := webhook.Task{DeliveryID: "p", WorkspaceID: "wsp_1", EndpointID: "ep_p", EventID: "evt_a", Attempt: 1, Replay: true}
	batches, single := webhook.Group([]webhook.Task{
		first("1", "evt_a", false), retry, first("2", "evt_b", false), first("3", "evt_a", true), replay,
	})
	want := []webhook.Batch{
		{WorkspaceID: "wsp_1", EventID: "evt_a", MayHaveRun: true, Members: []webhook.BatchMember{{DeliveryID: "1", EndpointID: "ep_1"}, {DeliveryID: "3", EndpointID: "ep_3"}}},
		{WorkspaceID: "wsp_1", EventID: "evt_b", Members: []webhook.BatchMember{{DeliveryID: "2", EndpointID: "ep_2"}}},
	}
	if !reflect.DeepEqual(batches, want) {
		t.Fatalf("batches %+v, want %+v", batches, want)
	}
	if !reflect.DeepEqual(single, []webhook.Task{retry, replay}) {
		t.Fatalf("single %+v, want the retry and the replay", single)
	}
	if got := want[0].Task(1); got != first("3", "evt_a", true) {
		t.Fatalf("member task %+v", got)
	}
	if want[0].TaskID() == retry.TaskID() || want[0].TaskID() != (webhook.Batch{EventID: "evt_a"}).TaskID() {
		t.Fatalf("batch task id %q must derive from the event alone", want[0].TaskID())
	}
}
