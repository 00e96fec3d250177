package api_test

import (
	"encoding/json"
	"testing"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/events"
)

func TestListEventTypesServesTheCatalogue(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	// Any role may read the catalogue: integrators and members build against it.
	res := s.do("GET", "/v1/event-types", s.key(s.ws, countersign.RoleMember), nil)
	if res.Status != 200 {
		t.Fatalf("listEventTypes: %d %s", res.Status, res.Body)
	}
	var list struct {
		Object string `json:"object"`
		Data   []struct {
			Type, Description, Version string
			Schema                     map[string]any
		} `json:"data"`
	}
	if err := json.Unmarshal(res.Body, &list); err != nil {
		t.Fatal(err)
	}
	if list.Object != "list" || len(list.Data) != len(events.Types) {
		t.Fatalf("catalogue has %d types, want %d", len(list.Data), len(events.Types))
	}
	for i, d := range list.Data {
		if d.Type != string(events.Types[i]) || d.Description == "" || d.Version == "" || d.Schema["type"] != "object" {
			t.Errorf("entry %d: %+v", i, d)
		}
	}
	if res := s.do("GET", "/v1/event-types", "", nil); res.Status != 401 {
		t.Fatalf("without a key: %d", res.Status)
	}
}
