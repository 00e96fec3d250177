package storage

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/countersign/countersign/events"
)

func TestEnvelopeDataMatchesEncodingJSON(t *testing.T) {
	bodies := []string{
		`{"id":"evt_1","data":{"a":{"b":[1,2,{"c":"}],\"data\":"}]},"z":"x"},"after":1}`,
		`{"data":"a \"quoted\" string with , and }","id":"x"}`,
		`{"id":"x","data":null}`,
		`{"id":"x","data":[{"data":1},{"k":":"}]}`,
		`{ "id" : "x" , "data" : { "k" : 1 } }`,
		`{"id":"x","nested":{"data":2},"data":3}`,
		`{"id":"x"}`,
	}
	for _, typ := range events.Types {
		b, err := json.Marshal(events.Example(typ))
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, string(b))
	}
	ev, _ := events.New("evt_x", events.ActionClosed, "wsp_x", "", time.Now(), map[string]string{"s": "a\\\"b\n}\u2028,\":"})
	b, _ := json.Marshal(ev)
	bodies = append(bodies, string(b))
	for _, body := range bodies {
		var want struct {
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal([]byte(body), &want); err != nil {
			t.Fatal(err)
		}
		got, err := envelopeData([]byte(body))
		if err != nil || string(got) != string(want.Data) {
			t.Errorf("envelopeData(%s) = %s, %v; want %s", body, got, err, want.Data)
		}
	}
	if _, err := envelopeData([]byte(`{"data":`)); err == nil {
		t.Error("a truncated body decoded")
	}
}
