package events

import (
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"
)

func TestNew(t *testing.T) {
	at := time.Date(2025, 6, 2, 11, 0, 0, 123456789, time.FixedZone("CEST", 2*3600))
	tests := []struct {
		name     string
		apiKeyID string
		data     any
		wantData string
		wantKey  bool
	}{
		{"with API key", "key_1", WebhookTestData{EndpointID: "ep_1", Message: "hi"}, `{"endpoint_id":"ep_1","message":"hi"}`, true},
		{"without API key", "", WebhookTestData{EndpointID: "ep_1"}, `{"endpoint_id":"ep_1","message":""}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New("evt_1", WebhookTest, "wsp_1", tt.apiKeyID, at, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if e.Object != ObjectEvent || e.Type != WebhookTest || e.ID != "evt_1" || e.WorkspaceID != "wsp_1" {
				t.Errorf("envelope = %+v", e)
			}
			if want := time.Date(2025, 6, 2, 9, 0, 0, 123456000, time.UTC); !e.CreatedAt.Equal(want) || e.CreatedAt.Location() != time.UTC {
				t.Errorf("CreatedAt = %v, want %v", e.CreatedAt, want)
			}
			if (e.APIKeyID != nil) != tt.wantKey || (tt.wantKey && *e.APIKeyID != tt.apiKeyID) {
				t.Errorf("APIKeyID = %v, want %q", e.APIKeyID, tt.apiKeyID)
			}
			if string(e.Data) != tt.wantData {
				t.Errorf("Data = %s, want %s", e.Data, tt.wantData)
			}
		})
	}
	if _, err := New("evt_1", WebhookTest, "wsp_1", "", at, func() {}); err == nil {
		t.Error("New accepted a payload that cannot be encoded")
	}
}

// TestExampleIDs checks that the example ids are ULIDs of the event's time,
// like the ids the service makes.
func TestExampleIDs(t *testing.T) {
	seen := map[string]Type{}
	for _, typ := range Types {
		e := Example(typ)
		for _, id := range []string{e.ID, e.WorkspaceID} {
			prefix, rest, _ := strings.Cut(id, "_")
			u, err := ulid.ParseStrict(strings.ToUpper(rest))
			if err != nil || strings.ToLower(u.String()) != rest {
				t.Errorf("%s: %q is not prefix_ + a lower-case ULID: %v", typ, id, err)
			}
			if prefix == "evt" && !ulid.Time(u.Time()).Equal(e.CreatedAt.Truncate(time.Millisecond)) {
				t.Errorf("%s: id time %v, created_at %v", typ, ulid.Time(u.Time()), e.CreatedAt)
			}
		}
		if other, dup := seen[e.ID]; dup {
			t.Errorf("%s and %s share the id %s", typ, other, e.ID)
		}
		seen[e.ID] = typ
	}
}

func BenchmarkNew(b *testing.B) {
	data, _, _ := exampleTransaction(TransactionCompleted)
	at := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New("evt_01jwmd9x2c4b5n6p7q8r9s0t1v", TransactionCompleted, "wsp_1", "key_1", at, data); err != nil {
			b.Fatal(err)
		}
	}
}
