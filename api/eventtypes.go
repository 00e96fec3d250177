package api

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign/events"
)

// EventTypeView is one entry of the event catalogue.
type EventTypeView struct {
	Object      string          `json:"object"`
	Type        string          `json:"type"`
	Description string          `json:"description"`
	Group       string          `json:"group"`
	Extension   bool            `json:"extension"`
	Version     string          `json:"version"`
	Schema      json.RawMessage `json:"schema"`
	// Example is a realistic payload (the data of an event of the type).
	Example json.RawMessage `json:"example,omitempty"`
}

// EventTypeList is the answer of listEventTypes.
type EventTypeList struct {
	Object string          `json:"object"`
	Data   []EventTypeView `json:"data"`
}

// catalogueBody is the catalogue answer, encoded once: it never changes while
// the process runs.
var catalogueBody = sync.OnceValue(func() []byte {
	list := EventTypeList{Object: "list"}
	for _, d := range events.Catalog() {
		list.Data = append(list.Data, EventTypeView{Object: "event_type", Type: string(d.Type),
			Description: d.Description, Group: d.Group, Extension: d.Extension, Version: d.Version, Schema: d.Schema,
			Example: json.RawMessage(events.Example(d.Type).Data)})
	}
	b, err := json.Marshal(list)
	if err != nil {
		panic("api: encode event catalogue: " + err.Error())
	}
	return b
})

func (s *Server) eventTypeRoutes() {
	s.handle(Operation{ID: "listEventTypes", Method: http.MethodGet, Path: "/v1/event-types", Tag: "events",
		Summary:  "The event catalogue: every type with its description and the JSON Schema of its data",
		Response: EventTypeList{}}, s.listEventTypes)
}

func (s *Server) listEventTypes(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(catalogueBody())
}
