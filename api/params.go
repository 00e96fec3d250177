package api

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// pathUUID returns path parameter name, refusing anything but a canonical UUID
// (400 naming the parameter): signing-process resources are identified by UUIDs.
func pathUUID(c *fiber.Ctx, name string) (string, error) {
	id := c.Params(name)
	if !countersign.ValidUUID(id) {
		return "", countersign.FieldErrorf(countersign.EINVALID, name, "%s must be a UUID", name)
	}
	return id, nil
}

// requiredQuery returns query parameter name, refusing a missing or blank one
// (400 naming it).
func requiredQuery(c *fiber.Ctx, name string) (string, error) {
	v := strings.TrimSpace(c.Query(name))
	if v == "" {
		return "", countersign.FieldErrorf(countersign.EINVALID, name, "query parameter %s is required", name)
	}
	return v, nil
}

// queryScopes returns the scope query parameter, which may repeat and hold
// comma-separated values (scope=PERSONAL&scope=GROUP or scope=PERSONAL,GROUP).
// Values are checked by workflow.ScopeFilter.
func queryScopes(c *fiber.Ctx) []workflow.Scope {
	var out []workflow.Scope
	for _, raw := range c.Context().QueryArgs().PeekMulti("scope") {
		for _, v := range strings.Split(string(raw), ",") {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, workflow.Scope(strings.ToUpper(v)))
			}
		}
	}
	return out
}

// optionalDateTime returns query parameter name as an RFC 3339 date-time, nil
// when absent, 400 naming it when malformed. A "+" of the offset that arrived
// unencoded (so as a space) is taken back.
func optionalDateTime(c *fiber.Ctx, name string) (*time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return nil, nil
	}
	if i := strings.IndexByte(v, ' '); i > 0 && strings.Count(v, " ") == 1 {
		v = v[:i] + "+" + v[i+1:]
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil || t.Year() < 1 || t.Year() > 9999 {
		return nil, countersign.FieldErrorf(countersign.EINVALID, name, "%s must be an RFC 3339 date-time such as 2026-02-01T00:00:00Z", name)
	}
	t = t.UTC()
	return &t, nil
}

// ownerParams documents the user and group query parameters of the calls
// that change a contact or template on someone's behalf.
var ownerParams = []Param{
	{Name: "user", Required: true, Description: "The user on whose behalf the call is made (see the visibility rules)."},
	{Name: "group", Required: true, Description: "The user's group."},
}

// scopeParam documents the scope filter of listContacts and listTemplates.
var scopeParam = Param{Name: "scope", Description: "Visibility scope filter; may repeat. ALL or none: every scope the user sees.",
	Enum: []string{"PERSONAL", "GROUP", "GLOBAL", "ALL"}}

// periodAndLimit reads the created_after, created_before and limit query
// parameters of the delivery-log style lists (deliveries, messages): an
// optional period whose end follows its start, and a page size from 1 to
// maxDeliveryLimit (defaultDeliveryLimit when absent).
func periodAndLimit(c *fiber.Ctx) (after, before *time.Time, limit int, err error) {
	if after, err = optionalDateTime(c, "created_after"); err != nil {
		return nil, nil, 0, err
	}
	if before, err = optionalDateTime(c, "created_before"); err != nil {
		return nil, nil, 0, err
	}
	if after != nil && before != nil && !after.Before(*before) {
		return nil, nil, 0, countersign.FieldErrorf(countersign.EVALIDATION, "created_before", "created_before must be later than created_after")
	}
	limit = defaultDeliveryLimit
	if v := c.Query("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > maxDeliveryLimit {
			return nil, nil, 0, countersign.FieldErrorf(countersign.EINVALID, "limit", "limit must be an integer from 1 to %d", maxDeliveryLimit)
		}
	}
	return after, before, limit, nil
}
