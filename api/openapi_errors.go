package api

import "strconv"

// errorAnswer is an error status every operation may answer, documented once
// under components.responses and referred to by each operation.
type errorAnswer struct {
	status      int
	name        string // the component's name
	description string
	// bodyOnly says only an operation with a request body answers it.
	bodyOnly bool
	// keyed says only an operation that needs an API key answers it.
	keyed bool
	// header is the response header the answer carries, "" for none.
	header, headerDescription string
}

// errorAnswers are the error statuses of the API, in status order.
var errorAnswers = []errorAnswer{
	{status: 400, name: "BadRequest", description: "Malformed request: bad JSON, wrong type, bad id, unknown enum value, or a query parameter the operation does not take; the error names the field."},
	{status: 401, name: "Unauthorized", description: "Missing or invalid API key.", keyed: true},
	{status: 403, name: "Forbidden", description: "The key's role may not do this.", keyed: true},
	{status: 404, name: "NotFound", description: "No such resource in the caller's workspace."},
	{status: 405, name: "MethodNotAllowed", description: "The path does not define this method; Allow lists those it does.",
		header: "Allow", headerDescription: "The methods the path defines, comma-separated."},
	{status: 409, name: "Conflict", description: "The resource's state forbids the change."},
	{status: 413, name: "PayloadTooLarge", description: "Request body too large.", bodyOnly: true},
	{status: 415, name: "UnsupportedMediaType", description: "The request body is not application/json (or has no Content-Type).", bodyOnly: true},
	{status: 422, name: "UnprocessableEntity", description: "A field breaks a rule; the error names it."},
	{status: 429, name: "TooManyRequests", description: "Too many requests; see Retry-After.",
		header: "Retry-After", headerDescription: "Seconds to wait before trying again."},
	{status: 431, name: "RequestHeaderFieldsTooLarge", description: "The request's headers (or its URL) are too large."},
	{status: 503, name: "ServiceUnavailable", description: "A dependency cannot serve now; try again.",
		header: "Retry-After", headerDescription: "Seconds to wait before trying again."},
}

// errorExample is the example body of every error answer.
var errorExample = map[string]any{"error": map[string]any{"code": "validation_failed",
	"message": "rate_limit must be from 0 (no limit) to 10000 requests per second", "field": "rate_limit",
	"request_id": "3f2b8c1e-6d4a-4e0b-9a57-1c2d3e4f5a6b"}}

// errorComponents are the components.responses of the error answers.
func errorComponents() map[string]any {
	out := map[string]any{}
	for _, e := range errorAnswers {
		r := map[string]any{"description": e.description, "content": map[string]any{"application/json": map[string]any{
			"schema": map[string]string{"$ref": "#/components/schemas/Error"}, "example": errorExample}}}
		if e.header != "" {
			schema := map[string]any{"type": "string"}
			if e.header == "Retry-After" {
				schema = map[string]any{"type": "integer", "minimum": 1}
			}
			r["headers"] = map[string]any{e.header: map[string]any{"description": e.headerDescription, "schema": schema}}
		}
		out[e.name] = r
	}
	return out
}

// addErrorResponses refers op's responses to the error answers it may give.
func addErrorResponses(op Operation, responses map[string]any) {
	for _, e := range errorAnswers {
		if (e.bodyOnly && op.Request == nil) || (e.keyed && op.Public) {
			continue
		}
		responses[strconv.Itoa(e.status)] = map[string]string{"$ref": "#/components/responses/" + e.name}
	}
}
