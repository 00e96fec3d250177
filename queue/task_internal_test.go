package queue

import (
	"testing"
	"time"

	"github.com/countersign/countersign/webhook"
)

// A task round-trips through its payload with and without an order key, and
// a payload of eight fields (queued before order keys) still decodes.
func TestTaskPayload(t *testing.T) {
	at := time.UnixMilli(1763770000123)
	for _, want := range []webhook.Task{
		{DeliveryID: "dlv_1", WorkspaceID: "wsp_1", EndpointID: "ep_1", EventID: "evt_1", Attempt: 2, NotBefore: at, MayHaveRun: true},
		{DeliveryID: "dlv_1", WorkspaceID: "wsp_1", EndpointID: "ep_1", EventID: "evt_1", Attempt: 1, Replay: true,
			OrderKey: "0b7d4f9e-4c1a-4b8e-9f57-3f2a1c6d8e01"},
	} {
		got, err := decodeTask(encodeTask(want))
		if err != nil || !got.NotBefore.Equal(want.NotBefore) {
			t.Fatalf("%+v: %+v %v", want, got, err)
		}
		got.NotBefore = want.NotBefore
		if got != want {
			t.Errorf("round trip: got %+v, want %+v", got, want)
		}
	}
	old, err := decodeTask([]byte("dlv_1|wsp_1|ep_1|evt_1|3|0|0|1"))
	if err != nil || old.OrderKey != "" || old.Attempt != 3 || !old.MayHaveRun {
		t.Errorf("eight-field payload: %+v %v", old, err)
	}
	if _, err := decodeTask([]byte("dlv_1|wsp_1|ep_1|evt_1|3|0|0|1|k|extra")); err == nil {
		t.Error("ten fields accepted")
	}
}
