package queue

import (
	"reflect"
	"testing"

	"github.com/countersign/countersign/webhook"
)

func TestBatchPayloadRoundTrip(t *testing.T) {
	for _, b := range []webhook.Batch{
		{WorkspaceID: "wsp_1", EventID: "evt_1", Members: []webhook.BatchMember{{DeliveryID: "dlv_1", EndpointID: "ep_1"}}},
		{WorkspaceID: "wsp_1", EventID: "evt_2", MayHaveRun: true, Members: []webhook.BatchMember{
			{DeliveryID: "dlv_1", EndpointID: "ep_1"}, {DeliveryID: "dlv_2", EndpointID: "ep_2"}}},
	} {
		got, err := decodeBatch(encodeBatch(b))
		if err != nil || !reflect.DeepEqual(got, b) {
			t.Fatalf("round trip of %+v: %+v, %v", b, got, err)
		}
	}
	for _, bad := range []string{"", "wsp|evt|0|", "wsp|evt|0|dlv", "wsp|evt|0|dlv,ep;", "|evt|0|dlv,ep"} {
		if _, err := decodeBatch([]byte(bad)); err == nil {
			t.Fatalf("payload %q decoded", bad)
		}
	}
}
