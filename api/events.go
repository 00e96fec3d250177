package api

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
)

// EventLog is what the API needs of the event log.
type EventLog interface {
	ListEvents(ctx context.Context, workspaceID string, q events.Query) (events.LogPage, error)
	GetEvent(ctx context.Context, workspaceID, id string) (events.Logged, error)
	Consumption(ctx context.Context, workspaceID string, after, before time.Time) (events.Consumption, error)
}

// EventView is an event as the log shows it: the envelope receivers get, the
// resource it is about, and when retention expunged it (data is then null).
type EventView struct {
	ID          string          `json:"id"`
	Object      string          `json:"object"`
	Type        events.Type     `json:"type"`
	CreatedAt   time.Time       `json:"created_at"`
	WorkspaceID string          `json:"workspace_id"`
	APIKeyID    *string         `json:"api_key_id"`
	Data        json.RawMessage `json:"data"`
	ResourceID  *string         `json:"resource_id"`
	ExpungedAt  *time.Time      `json:"expunged_at"`
}

// EventDetail is one event with the API response body of the request that
// caused it (null when no request did, or once expunged).
type EventDetail struct {
	EventView
	ResponseBody json.RawMessage `json:"response_body"`
}

// EventList is one page of the log, newest first. next_cursor continues in the
// direction asked: pass it as starting_after to page to older events (null on
// the last page), or as ending_before to poll for newer ones (never null then:
// it stays on the newest event seen when the page is empty).
type EventList struct {
	Object     string      `json:"object"`
	Data       []EventView `json:"data"`
	HasMore    bool        `json:"has_more"`
	NextCursor *string     `json:"next_cursor"`
}

func eventView(e events.Logged) EventView {
	v := EventView{ID: e.ID, Object: events.ObjectEvent, Type: e.Type, CreatedAt: e.CreatedAt,
		WorkspaceID: e.WorkspaceID, APIKeyID: e.APIKeyID, Data: e.Data, ExpungedAt: e.ExpungedAt}
	if e.ResourceID != "" {
		v.ResourceID = &e.ResourceID
	}
	return v
}

// eventRoutes registers the event log, its export and the consumption report.
// The fixed paths come before /v1/events/:id.
func (s *Server) eventRoutes() {
	const tag = "events"
	perm := countersign.PermManageWebhooks
	s.handle(Operation{ID: "listEvents", Method: http.MethodGet, Path: "/v1/events", Tag: tag, Perm: perm,
		Summary:  "Search the event log, newest first, with cursor pagination",
		Response: EventList{}, Query: slices.Concat(eventFilterParams, eventPageParams)}, s.listEvents)
	s.handle(Operation{ID: "exportEvents", Method: http.MethodGet, Path: "/v1/events/export.csv", Tag: tag, Perm: perm,
		Summary:  "Export the events matching the search as CSV (RFC 4180), newest first, streamed",
		Response: "", ContentType: "text/csv", Query: eventFilterParams, Example: "id,type,created_at,workspace_id,api_key_id,resource_id,data\r\n" +
			`evt_01jq8m4w5x6y7z8a9b0c1d2e3f,apikey.created,2026-02-01T09:30:00Z,wsp_01jq8m4w5x6y7z8a9b0c1d2e3g,key_01jq8m4w5x6y7z8a9b0c1d2e3h,key_01jq8m4w5x6y7z8a9b0c1d2e3h,"{""id"":""key_01jq8m4w5x6y7z8a9b0c1d2e3h""}"` + "\r\n"}, s.exportEvents)
	s.consumptionRoutes()
	s.handle(Operation{ID: "getEvent", Method: http.MethodGet, Path: "/v1/events/:id", Tag: tag, Perm: perm,
		Summary: "Get one event with the API response body of the request that caused it", Response: EventDetail{}}, s.getEvent)
}

func (s *Server) listEvents(c *fiber.Ctx) error {
	q, err := parseEventQuery(c)
	if err != nil {
		return err
	}
	page, err := s.deps.Events.ListEvents(c.UserContext(), actor(c).WorkspaceID, q)
	if err != nil {
		return err
	}
	list := EventList{Object: "list", Data: make([]EventView, len(page.Events)), HasMore: page.HasMore}
	for i, e := range page.Events {
		list.Data[i] = eventView(e)
	}
	switch n := len(list.Data); {
	case q.EndingBefore != "" && n > 0:
		list.NextCursor = &list.Data[0].ID
	case q.EndingBefore != "":
		list.NextCursor = &q.EndingBefore
	case page.HasMore:
		list.NextCursor = &list.Data[n-1].ID
	}
	return c.JSON(list)
}

func (s *Server) getEvent(c *fiber.Ctx) error {
	id, err := pathID(c, "id", countersign.PrefixEvent)
	if err != nil {
		return err
	}
	e, err := s.deps.Events.GetEvent(c.UserContext(), actor(c).WorkspaceID, id)
	if err != nil {
		return err
	}
	return c.JSON(EventDetail{EventView: eventView(e), ResponseBody: e.ResponseBody})
}
