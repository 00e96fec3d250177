package api_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/countersign/countersign"
)

// deliveryPage is a listDeliveries answer with its cursor as sent: Cursor
// tells a null next_cursor from a missing one.
type deliveryPage struct {
	Data []struct {
		ID string `json:"id"`
	} `json:"data"`
	HasMore bool                       `json:"has_more"`
	Cursor  map[string]json.RawMessage `json:"-"`
}

// TestListDeliveriesNextCursor walks the deliveries by next_cursor alone, as
// the event log is walked: each page names the cursor of the next, and the
// last page answers next_cursor null.
func TestListDeliveriesNextCursor(t *testing.T) {
	s, _, _ := newWebhookServer(t)
	whEndpoint(s, s.owner, "apikey.*")
	for range 5 {
		s.key(s.ws, countersign.RoleMember)
	}
	all := whList(s, "")
	want := deliveryIDs(all)
	if len(want) != 5 {
		t.Fatalf("%d deliveries, want 5", len(want))
	}
	var walked []string
	query := "limit=2"
	for page := 0; ; page++ {
		res := s.do("GET", "/v1/webhooks/deliveries?"+query, s.owner, nil)
		var p deliveryPage
		if res.Status != 200 || json.Unmarshal(res.Body, &p) != nil || json.Unmarshal(res.Body, &p.Cursor) != nil {
			t.Fatalf("page %d: %d %s", page, res.Status, res.Body)
		}
		raw, ok := p.Cursor["next_cursor"]
		if !ok {
			t.Fatalf("page %d has no next_cursor: %s", page, res.Body)
		}
		for _, d := range p.Data {
			walked = append(walked, d.ID)
		}
		var next *string
		if err := json.Unmarshal(raw, &next); err != nil {
			t.Fatalf("next_cursor %s: %v", raw, err)
		}
		if !p.HasMore {
			if next != nil {
				t.Fatalf("the last page's next_cursor is %q, want null", *next)
			}
			break
		}
		if next == nil || *next != p.Data[len(p.Data)-1].ID {
			t.Fatalf("page %d: next_cursor %v, want the last delivery's id %s", page, next, p.Data[len(p.Data)-1].ID)
		}
		if page > 5 {
			t.Fatal("paging does not end")
		}
		query = "limit=2&starting_after=" + *next
	}
	if !slices.Equal(walked, want) {
		t.Fatalf("walked %v, want %v", walked, want)
	}
}
