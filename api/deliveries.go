package api

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/webhook"
)

// Delivery list bounds.
const (
	defaultDeliveryLimit = 100
	maxDeliveryLimit     = 1000
)

// ReplayEventRequest is the optional body of replayEvent.
type ReplayEventRequest struct {
	// EndpointID limits the replay to one endpoint, which must be enabled and
	// subscribe to the event's type.
	EndpointID string `json:"endpoint_id"`
}

// ReplayedDeliveries is the answer of replayEvent: the new deliveries.
type ReplayedDeliveries struct {
	Object string         `json:"object"`
	Data   []DeliveryView `json:"data"`
}

var deliveryListParams = []Param{
	{Name: "endpoint_id", Description: "Only deliveries to this endpoint (ep_…)."},
	{Name: "event_id", Description: "Only deliveries of this event (evt_…)."},
	{Name: "status", Enum: []string{"pending", "delivered", "failed"}},
	{Name: "event_type", Description: "An event type, or a prefix ending in .* such as transaction.*"},
	{Name: "created_after", Type: "date-time", Description: "Created at or after this time (RFC 3339)."},
	{Name: "created_before", Type: "date-time", Description: "Created before this time (RFC 3339)."},
	{Name: "limit", Type: "integer", Description: "1 to 1000 (default 100)."},
	{Name: "starting_after", Description: "A delivery id (dlv_…), usually the previous page's next_cursor: the page after it, older deliveries."},
}

func (s *Server) deliveryRoutes() {
	const tag, base = "deliveries", "/v1/webhooks/deliveries"
	s.handle(Operation{ID: "listDeliveries", Method: http.MethodGet, Path: base, Tag: tag, Perm: countersign.PermManageWebhooks,
		Summary: "List deliveries, newest first, with cursor pagination (next_cursor)", Query: deliveryListParams, Response: DeliveryList{}}, s.listDeliveries)
	s.handle(Operation{ID: "getDelivery", Method: http.MethodGet, Path: base + "/:id", Tag: tag, Perm: countersign.PermManageWebhooks,
		Summary: "Get a delivery with every attempt and the receiver's answers", Response: DeliveryDetail{}}, s.getDelivery)
	s.handle(Operation{ID: "replayDelivery", Method: http.MethodPost, Path: base + "/:id/replay", Tag: tag, Perm: countersign.PermReplay,
		Summary:  "Deliver the delivery's event to its endpoint again, as a new delivery with the same webhook-id",
		Response: DeliveryView{}, Status: http.StatusAccepted}, s.replayDelivery)
	s.handle(Operation{ID: "replayEvent", Method: http.MethodPost, Path: "/v1/events/:id/replay", Tag: tag, Perm: countersign.PermReplay,
		Summary: "Deliver an event again to every enabled endpoint that subscribes to it, or to one (body optional)",
		Request: ReplayEventRequest{}, OptionalBody: true, Response: ReplayedDeliveries{}, Status: http.StatusAccepted}, s.replayEvent)
}

func (s *Server) listDeliveries(c *fiber.Ctx) error {
	f, after, limit, err := deliveryQuery(c)
	if err != nil {
		return err
	}
	ds, more, err := s.deps.Webhooks.ListDeliveries(c.UserContext(), actor(c).WorkspaceID, f, after, limit)
	if err != nil {
		return err
	}
	list := DeliveryList{Object: "list", Data: newDeliveryViews(ds), HasMore: more}
	if more {
		list.NextCursor = &list.Data[len(list.Data)-1].ID
	}
	return c.JSON(list)
}

// deliveryQuery reads listDeliveries' parameters; each bad one is a 400 (422
// for a range that ends before it starts) naming it.
func deliveryQuery(c *fiber.Ctx) (f webhook.DeliveryFilter, after string, limit int, err error) {
	ids := []struct {
		name, prefix string
		dst          *string
	}{
		{"endpoint_id", countersign.PrefixEndpoint, &f.EndpointID},
		{"event_id", countersign.PrefixEvent, &f.EventID},
		{"starting_after", countersign.PrefixDelivery, &after},
	}
	for _, p := range ids {
		if v := c.Query(p.name); v != "" {
			if !countersign.ValidID(p.prefix, v) {
				return f, "", 0, countersign.FieldErrorf(countersign.EINVALID, p.name, "%s must be a %s_… id", p.name, p.prefix)
			}
			*p.dst = v
		}
	}
	if v := c.Query("status"); v != "" {
		if f.Status = webhook.Status(v); !f.Status.Valid() {
			return f, "", 0, countersign.FieldErrorf(countersign.EINVALID, "status", "status must be pending, delivered or failed")
		}
	}
	f.EventType = c.Query("event_type")
	if err := webhook.ValidateEventTypeFilter("event_type", f.EventType); err != nil {
		return f, "", 0, err
	}
	if f.CreatedAfter, f.CreatedBefore, limit, err = periodAndLimit(c); err != nil {
		return f, "", 0, err
	}
	return f, after, limit, nil
}

func (s *Server) getDelivery(c *fiber.Ctx) error {
	id, err := pathID(c, "id", countersign.PrefixDelivery)
	if err != nil {
		return err
	}
	d, attempts, err := s.deps.Webhooks.GetDelivery(c.UserContext(), actor(c).WorkspaceID, id)
	if err != nil {
		return err
	}
	v := DeliveryDetail{DeliveryView: NewDeliveryView(d), Attempts: make([]AttemptView, len(attempts))}
	for i, a := range attempts {
		v.Attempts[i] = newAttemptView(a)
	}
	return c.JSON(v)
}

func (s *Server) replayDelivery(c *fiber.Ctx) error {
	id, err := pathID(c, "id", countersign.PrefixDelivery)
	if err != nil {
		return err
	}
	a := actor(c)
	d, err := s.deps.Webhooks.ReplayDelivery(c.UserContext(), a, id)
	if err != nil {
		return err
	}
	s.log.Info("delivery replayed", "workspace_id", a.WorkspaceID, "api_key_id", a.APIKeyID, "delivery_id", id,
		"new_delivery_id", d.ID, "event_id", d.EventID, "endpoint_id", d.EndpointID)
	return c.Status(http.StatusAccepted).JSON(NewDeliveryView(d))
}

func (s *Server) replayEvent(c *fiber.Ctx) error {
	id, err := pathID(c, "id", countersign.PrefixEvent)
	if err != nil {
		return err
	}
	var req ReplayEventRequest
	if err := decodeOptional(c, &req); err != nil {
		return err
	}
	if req.EndpointID != "" && !countersign.ValidID(countersign.PrefixEndpoint, req.EndpointID) {
		return countersign.FieldErrorf(countersign.EINVALID, "endpoint_id", "endpoint_id must be an ep_… id")
	}
	a := actor(c)
	ds, err := s.deps.Webhooks.ReplayEvent(c.UserContext(), a, id, req.EndpointID)
	if err != nil {
		return err
	}
	s.log.Info("event replayed", "workspace_id", a.WorkspaceID, "api_key_id", a.APIKeyID, "event_id", id,
		"endpoint_id", req.EndpointID, "deliveries", len(ds))
	return c.Status(http.StatusAccepted).JSON(ReplayedDeliveries{Object: "list", Data: newDeliveryViews(ds)})
}
