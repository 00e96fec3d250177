package api

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// maxFilterText is the longest text filter or path value accepted.
const maxFilterText = 255

// filterText returns query parameter name, refusing text that is not UTF-8 or
// longer than maxFilterText (400 naming it).
func filterText(c *fiber.Ctx, name string) (string, error) {
	v := strings.TrimSpace(c.Query(name))
	if !utf8.ValidString(v) || utf8.RuneCountInString(v) > maxFilterText {
		return "", countersign.FieldErrorf(countersign.EINVALID, name, "%s must be text of at most %d characters", name, maxFilterText)
	}
	return v, nil
}

// requiredFilter is filterText for a parameter that must be present (422 naming it).
func requiredFilter(c *fiber.Ctx, name string) (string, error) {
	v, err := filterText(c, name)
	if err == nil && v == "" {
		err = countersign.FieldErrorf(countersign.EVALIDATION, name, "%s is required", name)
	}
	return v, err
}

// pathFreeText returns a free-text path parameter (a client's document id),
// unescaped: Fiber hands path parameters over as they were sent.
func pathFreeText(c *fiber.Ctx, name string) (string, error) {
	v, err := url.PathUnescape(c.Params(name))
	if err != nil || v == "" || !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 || utf8.RuneCountInString(v) > maxFilterText {
		return "", countersign.FieldErrorf(countersign.EINVALID, name, "%s must be text of 1 to %d characters", name, maxFilterText)
	}
	return v, nil
}

// filterDate reads a date filter: a day (YYYY-MM-DD, UTC) or an RFC 3339
// date-time. It returns the bound as an instant: with until, the first instant
// after the day (or after the date-time), so "on or before" is "< bound".
func filterDate(c *fiber.Ctx, name string, until bool) (*time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return nil, nil
	}
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		if until {
			d = d.AddDate(0, 0, 1)
		}
		return &d, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return nil, countersign.FieldErrorf(countersign.EINVALID, name, "%s must be a date (YYYY-MM-DD) or an RFC 3339 date-time", name)
	}
	t = t.UTC().Truncate(time.Microsecond)
	if until {
		t = t.Add(time.Microsecond)
	}
	return &t, nil
}

// filterBool reads an optional boolean parameter.
func filterBool(c *fiber.Ctx, name string) (*bool, error) {
	switch strings.ToLower(c.Query(name)) {
	case "":
		return nil, nil
	case "true":
		t := true
		return &t, nil
	case "false":
		f := false
		return &f, nil
	}
	return nil, countersign.FieldErrorf(countersign.EINVALID, name, "%s must be true or false", name)
}

// filterStatus reads an optional process status filter.
func filterStatus(c *fiber.Ctx, name string) (workflow.ProcessStatus, error) {
	v := workflow.ProcessStatus(strings.ToUpper(c.Query(name)))
	if v != "" && !v.Valid() {
		return "", countersign.FieldErrorf(countersign.EINVALID, name, "%s must be one of %s", name,
			strings.Join(processStatusNames(), ", "))
	}
	return v, nil
}

// portalPerson validates a portal person: country (ISO 3166-1 alpha-2, 400 when
// unknown) and personal code (its country's format, 422), both required. The
// errors name codeField and countryField, the caller's parameter names.
func portalPerson(code, country, codeField, countryField string) (string, string, error) {
	country = strings.ToUpper(strings.TrimSpace(country))
	switch {
	case country == "":
		return "", "", countersign.FieldErrorf(countersign.EVALIDATION, countryField, "%s is required", countryField)
	case strings.TrimSpace(code) == "":
		return "", "", countersign.FieldErrorf(countersign.EVALIDATION, codeField, "%s is required", codeField)
	}
	if err := workflow.ValidatePersonalCode(country, strings.TrimSpace(code)); err != nil {
		e := countersign.AsError(err)
		if e == nil {
			return "", "", err
		}
		f := *e
		f.Field = codeField
		if e.Field == "country" {
			f.Field = countryField
		}
		return "", "", &f
	}
	return strings.TrimSpace(code), country, nil
}

// bodyUUIDField checks a UUID given in a request body: required (422) and canonical (400).
func bodyUUIDField(field, v string) error {
	if v == "" {
		return countersign.FieldErrorf(countersign.EVALIDATION, field, "%s is required", field)
	}
	if !countersign.ValidUUID(v) {
		return countersign.FieldErrorf(countersign.EINVALID, field, "%s must be a UUID", field)
	}
	return nil
}

// normalizeTimes puts the times of a process or step input in UTC at
// microsecond precision, as they are stored, so answers and events agree. A
// time whose UTC year is outside 1 to 9999 could not be written in an answer
// or an event: it is a 400 naming the field.
func normalizeTimes(in *workflow.ProcessInput, steps []workflow.StepInput) error {
	norm := func(field string, t *time.Time) (*time.Time, error) {
		if t == nil {
			return nil, nil
		}
		u := t.UTC().Truncate(time.Microsecond)
		if u.Year() < 1 || u.Year() > 9999 {
			return nil, countersign.FieldErrorf(countersign.EINVALID, field, "%s must be a date-time in the years 1 to 9999 (UTC)", field)
		}
		return &u, nil
	}
	prefix := func(int) string { return "" } // the body of updateProcessStep is the step
	var err error
	if in != nil {
		if in.ExpiresAt, err = norm("expiresAt", in.ExpiresAt); err != nil {
			return err
		}
		steps = in.SigningProcessSteps
		prefix = func(i int) string { return fmt.Sprintf("signingProcessSteps[%d].", i) }
	}
	for i := range steps {
		if steps[i].DueDate, err = norm(prefix(i)+"dueDate", steps[i].DueDate); err != nil {
			return err
		}
		if steps[i].WaitingPeriodEndsAt, err = norm(prefix(i)+"waitingPeriodEndsAt", steps[i].WaitingPeriodEndsAt); err != nil {
			return err
		}
	}
	return nil
}

// convertPage builds the page object of rows out of total, converting each row with f.
func convertPage[T, U any](rows []T, total int64, p workflow.Paging, f func(T) U) Page[U] {
	out := make([]U, len(rows))
	for i, v := range rows {
		out[i] = f(v)
	}
	return NewPage(out, total, p)
}
