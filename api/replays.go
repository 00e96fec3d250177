package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/webhook"
)

// CreateReplayRequest is the body of createReplay. Times are RFC 3339.
type CreateReplayRequest struct {
	EndpointID    string `json:"endpoint_id"`
	CreatedAfter  string `json:"created_after"`
	CreatedBefore string `json:"created_before"`
	// Status of the deliveries to replay: pending, delivered or failed (default).
	Status webhook.Status `json:"status"`
	// EventType is an event type or a prefix ending in .*; empty for all.
	EventType string `json:"event_type"`
	// DryRun counts the deliveries that would be replayed and changes nothing.
	DryRun bool `json:"dry_run"`
	// RatePerSecond paces the replay: 1 to 1000 new deliveries a second (default 50).
	RatePerSecond *int `json:"rate_per_second"`
}

// ReplayFilterView is what a bulk replay selects.
type ReplayFilterView struct {
	Status        webhook.Status `json:"status"`
	EventType     *string        `json:"event_type"`
	CreatedAfter  time.Time      `json:"created_after"`
	CreatedBefore time.Time      `json:"created_before"`
}

// ReplayView is a bulk replay. Total is how many deliveries matched when it was
// created, Done how many it has replayed; each replay delivery has replay_id =
// the replay's id. A dry run answers only object, dry_run and total (200).
type ReplayView struct {
	Object        string               `json:"object"`
	ID            string               `json:"id,omitempty"`
	DryRun        bool                 `json:"dry_run"`
	Status        webhook.ReplayStatus `json:"status,omitempty"`
	Total         int                  `json:"total"`
	Done          *int                 `json:"done,omitempty"`
	EndpointID    string               `json:"endpoint_id,omitempty"`
	Filter        *ReplayFilterView    `json:"filter,omitempty"`
	RatePerSecond int                  `json:"rate_per_second,omitempty"`
	APIKeyID      *string              `json:"api_key_id,omitempty"`
	CreatedAt     *time.Time           `json:"created_at,omitempty"`
	FinishedAt    *time.Time           `json:"finished_at,omitempty"`
}

// NewReplayView returns the view of r.
func NewReplayView(r webhook.Replay) ReplayView {
	done, created := r.Done, r.CreatedAt
	v := ReplayView{Object: "replay", ID: r.ID, Status: r.Status, Total: r.Total, Done: &done, EndpointID: r.EndpointID,
		RatePerSecond: r.RatePerSecond, APIKeyID: optString(r.APIKeyID), CreatedAt: &created, FinishedAt: r.FinishedAt,
		Filter: &ReplayFilterView{Status: r.Filter.Status, EventType: optString(r.Filter.EventType)}}
	if r.Filter.CreatedAfter != nil {
		v.Filter.CreatedAfter = *r.Filter.CreatedAfter
	}
	if r.Filter.CreatedBefore != nil {
		v.Filter.CreatedBefore = *r.Filter.CreatedBefore
	}
	return v
}

func (s *Server) replayRoutes() {
	const tag, base = "replays", "/v1/webhooks/replays"
	s.handle(Operation{ID: "createReplay", Method: http.MethodPost, Path: base, Tag: tag, Perm: countersign.PermReplay,
		Summary: "Replay an endpoint's deliveries of a time range in bulk, paced; dry_run counts them first (200)",
		Request: CreateReplayRequest{}, BodyRequired: []string{"endpoint_id", "created_after", "created_before"},
		Response: ReplayView{}, Status: http.StatusAccepted, OtherStatuses: []int{http.StatusOK}}, s.createReplay)
	s.handle(listReplaysOp, s.listReplays)
	s.handle(Operation{ID: "getReplay", Method: http.MethodGet, Path: base + "/:id", Tag: tag, Perm: countersign.PermManageWebhooks,
		Summary: "Get a bulk replay and its progress", Response: ReplayView{}}, s.getReplay)
	s.handle(Operation{ID: "cancelReplay", Method: http.MethodPost, Path: base + "/:id/cancel", Tag: tag, Perm: countersign.PermReplay,
		Summary: "Stop a running bulk replay; deliveries already made go on", Response: ReplayView{}}, s.cancelReplay)
}

func (s *Server) createReplay(c *fiber.Ctx) error {
	var req CreateReplayRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	f, rate, err := req.filter()
	if err != nil {
		return err
	}
	a := actor(c)
	if req.DryRun {
		n, err := s.deps.Webhooks.CountReplay(c.UserContext(), a.WorkspaceID, f)
		if err != nil {
			return err
		}
		return c.JSON(ReplayView{Object: "replay", DryRun: true, Total: n})
	}
	r, err := s.deps.Webhooks.CreateReplay(c.UserContext(), a, f, rate)
	if err != nil {
		return err
	}
	s.log.Info("bulk replay created", "workspace_id", a.WorkspaceID, "api_key_id", a.APIKeyID, "replay_id", r.ID,
		"endpoint_id", r.EndpointID, "total", r.Total, "rate_per_second", r.RatePerSecond)
	return c.Status(http.StatusAccepted).JSON(NewReplayView(r))
}

// filter validates the request into a delivery filter and a pace.
func (req CreateReplayRequest) filter() (webhook.DeliveryFilter, int, error) {
	f := webhook.DeliveryFilter{EndpointID: req.EndpointID, Status: req.Status, EventType: req.EventType}
	if f.Status == "" {
		f.Status = webhook.StatusFailed
	}
	for _, t := range []struct {
		name, value string
		dst         **time.Time
	}{{"created_after", req.CreatedAfter, &f.CreatedAfter}, {"created_before", req.CreatedBefore, &f.CreatedBefore}} {
		if t.value == "" {
			continue
		}
		at, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(t.value))
		if at = at.UTC(); err != nil || at.Year() < 1 || at.Year() > 9999 { // the answer shows it
			return f, 0, countersign.FieldErrorf(countersign.EINVALID, t.name, "%s must be an RFC 3339 date-time such as 2026-02-01T00:00:00Z", t.name)
		}
		*t.dst = &at
	}
	if err := webhook.ValidateReplayFilter(f); err != nil {
		return f, 0, err
	}
	rate := webhook.DefaultReplayRate
	if req.RatePerSecond != nil {
		if rate = *req.RatePerSecond; rate < 1 || rate > webhook.MaxReplayRate {
			return f, 0, countersign.FieldErrorf(countersign.EVALIDATION, "rate_per_second", "rate_per_second must be from 1 to %d", webhook.MaxReplayRate)
		}
	}
	return f, rate, nil
}

func (s *Server) getReplay(c *fiber.Ctx) error {
	id, err := pathID(c, "id", countersign.PrefixReplay)
	if err != nil {
		return err
	}
	r, err := s.deps.Webhooks.GetReplay(c.UserContext(), actor(c).WorkspaceID, id)
	if err != nil {
		return err
	}
	return c.JSON(NewReplayView(r))
}

func (s *Server) cancelReplay(c *fiber.Ctx) error {
	id, err := pathID(c, "id", countersign.PrefixReplay)
	if err != nil {
		return err
	}
	a := actor(c)
	r, err := s.deps.Webhooks.CancelReplay(c.UserContext(), a, id)
	if err != nil {
		return err
	}
	s.log.Info("bulk replay cancelled", "workspace_id", a.WorkspaceID, "api_key_id", a.APIKeyID, "replay_id", id, "done", r.Done)
	return c.JSON(NewReplayView(r))
}
