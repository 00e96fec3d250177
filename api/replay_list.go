package api

import (
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/webhook"
)

// Replay list bounds.
const (
	defaultReplayLimit = 100
	maxReplayLimit     = 1000
)

// ReplayList is a page of bulk replays, newest first. next_cursor is the id
// to pass as starting_after for the next, older page; null on the last page.
type ReplayList struct {
	Object     string       `json:"object"`
	Data       []ReplayView `json:"data"`
	HasMore    bool         `json:"has_more"`
	NextCursor *string      `json:"next_cursor"`
}

var replayListParams = []Param{
	{Name: "endpoint_id", Description: "Only replays of this endpoint (ep_…)."},
	{Name: "status", Enum: names(webhook.ReplayStatuses)},
	{Name: "limit", Type: "integer", Description: "1 to 1000 (default 100)."},
	{Name: "starting_after", Description: "A replay id (rpl_…), usually the previous page's next_cursor: the page after it, older replays."},
}

// listReplaysOp is listReplays, registered with the other replay routes.
var listReplaysOp = Operation{ID: "listReplays", Method: http.MethodGet, Path: "/v1/webhooks/replays", Tag: "replays",
	Perm: countersign.PermManageWebhooks, Summary: "List bulk replays, newest first, with cursor pagination (next_cursor)",
	Query: replayListParams, Response: ReplayList{}}

func (s *Server) listReplays(c *fiber.Ctx) error {
	q, err := replayQuery(c)
	if err != nil {
		return err
	}
	rs, more, err := s.deps.Webhooks.ListReplays(c.UserContext(), actor(c).WorkspaceID, q)
	if err != nil {
		return err
	}
	list := ReplayList{Object: "list", Data: make([]ReplayView, len(rs)), HasMore: more}
	for i, r := range rs {
		list.Data[i] = NewReplayView(r)
	}
	if more {
		list.NextCursor = &list.Data[len(list.Data)-1].ID
	}
	return c.JSON(list)
}

// replayQuery reads listReplays' parameters; each bad one is a 400 naming it.
func replayQuery(c *fiber.Ctx) (webhook.ReplayQuery, error) {
	q := webhook.ReplayQuery{Limit: defaultReplayLimit}
	for _, p := range []struct {
		name, prefix string
		dst          *string
	}{
		{"endpoint_id", countersign.PrefixEndpoint, &q.EndpointID},
		{"starting_after", countersign.PrefixReplay, &q.StartingAfter},
	} {
		if v := c.Query(p.name); v != "" {
			if !countersign.ValidID(p.prefix, v) {
				return q, countersign.FieldErrorf(countersign.EINVALID, p.name, "%s must be a %s_… id", p.name, p.prefix)
			}
			*p.dst = v
		}
	}
	if v := c.Query("status"); v != "" {
		if q.Status = webhook.ReplayStatus(v); !q.Status.Valid() {
			return q, countersign.FieldErrorf(countersign.EINVALID, "status", "status must be running, completed, cancelled or failed")
		}
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxReplayLimit {
			return q, countersign.FieldErrorf(countersign.EINVALID, "limit", "limit must be an integer from 1 to %d", maxReplayLimit)
		}
		q.Limit = n
	}
	return q, nil
}
