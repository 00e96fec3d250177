package api

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/webhook"
)

// eventFilterParams documents the event log's search (list and export).
var eventFilterParams = []Param{
	{Name: "created_after", Type: "date-time", Description: "Only events created strictly after this RFC 3339 time."},
	{Name: "created_before", Type: "date-time", Description: "Only events created strictly before this RFC 3339 time; with created_after, between the two."},
	{Name: "type", Description: "An event type (apikey.created), or a prefix ending in .* (transaction.*), or *; may repeat (any of)."},
	{Name: "api_key_id", Description: "Only events caused by requests made with this API key (key_…)."},
	{Name: "resource_id", Description: "Only events about this resource (a process UUID, an API key id…)."},
}

// eventPageParams documents the log's cursor pagination.
var eventPageParams = []Param{
	{Name: "limit", Type: "integer", Description: "Page size, 1 to 1000 (default 100)."},
	{Name: "starting_after", Description: "An event id: the page after it, older events."},
	{Name: "ending_before", Description: "An event id: the page before it, the events just newer than it (polling); not with starting_after."},
}

// maxResourceIDLength bounds resource_id; longer values name no resource.
const maxResourceIDLength = 200

// parseEventQuery reads the search and the page of a listEvents request.
func parseEventQuery(c *fiber.Ctx) (events.Query, error) {
	f, err := parseEventFilter(c)
	if err != nil {
		return events.Query{}, err
	}
	q := events.Query{Filter: f, Limit: events.DefaultLogLimit}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > events.MaxLogLimit {
			return q, countersign.FieldErrorf(countersign.EINVALID, "limit", "limit must be an integer from 1 to %d", events.MaxLogLimit)
		}
		q.Limit = n
	}
	for _, p := range []struct {
		name string
		dst  *string
	}{{"starting_after", &q.StartingAfter}, {"ending_before", &q.EndingBefore}} {
		if v := c.Query(p.name); v != "" {
			if !countersign.ValidID(countersign.PrefixEvent, v) {
				return q, countersign.FieldErrorf(countersign.EINVALID, p.name, "%s must be an event id (evt_…)", p.name)
			}
			*p.dst = v
		}
	}
	if q.StartingAfter != "" && q.EndingBefore != "" {
		return q, countersign.FieldErrorf(countersign.EINVALID, "ending_before", "starting_after and ending_before cannot be used together")
	}
	return q, nil
}

// parseEventFilter reads the log's search parameters.
func parseEventFilter(c *fiber.Ctx) (events.Filter, error) {
	var f events.Filter
	var err error
	if f.CreatedAfter, err = queryTime(c, "created_after"); err != nil {
		return f, err
	}
	if f.CreatedBefore, err = queryTime(c, "created_before"); err != nil {
		return f, err
	}
	if !f.CreatedAfter.IsZero() && !f.CreatedBefore.IsZero() && !f.CreatedAfter.Before(f.CreatedBefore) {
		return f, countersign.FieldErrorf(countersign.EVALIDATION, "created_before", "created_before must be later than created_after")
	}
	var patterns []string
	for _, raw := range c.Context().QueryArgs().PeekMulti("type") {
		patterns = append(patterns, strings.TrimSpace(string(raw)))
	}
	if f.Types, err = expandTypes(patterns); err != nil {
		return f, err
	}
	if v := c.Query("api_key_id"); v != "" {
		if !countersign.ValidID(countersign.PrefixAPIKey, v) {
			return f, countersign.FieldErrorf(countersign.EINVALID, "api_key_id", "api_key_id must be an API key id (key_…)")
		}
		f.APIKeyID = v
	}
	if v := c.Query("resource_id"); v != "" {
		if len(v) > maxResourceIDLength || strings.IndexFunc(v, unicode.IsControl) >= 0 {
			return f, countersign.FieldErrorf(countersign.EINVALID, "resource_id", "resource_id must be an id of at most %d characters", maxResourceIDLength)
		}
		f.ResourceID = v
	}
	return f, nil
}

// expandTypes turns type patterns, with the webhook subscriptions' syntax,
// into the catalogue types they match. No pattern, or "*", selects every type
// (nil). An unknown type, or a prefix that matches none, is a 422 naming type.
func expandTypes(patterns []string) ([]events.Type, error) {
	if len(patterns) == 0 {
		return nil, nil
	}
	for _, p := range patterns {
		if webhook.ValidatePatterns([]string{p}) != nil {
			return nil, countersign.FieldErrorf(countersign.EVALIDATION, "type",
				"type %q is neither an event type of the catalogue nor a prefix ending in .* that matches one", p)
		}
	}
	var types []events.Type
	for _, t := range events.Types {
		if webhook.Matches(patterns, t) {
			types = append(types, t)
		}
	}
	if len(types) == len(events.Types) {
		return nil, nil
	}
	return types, nil
}

// queryTime reads an optional RFC 3339 time parameter; the zero time when absent.
// A "+" of the offset that arrived unencoded (so as a space) is taken back.
func queryTime(c *fiber.Ctx, name string) (time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return time.Time{}, nil
	}
	if i := strings.LastIndexByte(v, ' '); i > 0 && strings.Count(v, " ") == 1 {
		v = v[:i] + "+" + v[i+1:]
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil || t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, countersign.FieldErrorf(countersign.EINVALID, name,
			"%s must be an RFC 3339 date-time such as 2025-06-01T00:00:00Z", name)
	}
	return t.UTC(), nil
}
