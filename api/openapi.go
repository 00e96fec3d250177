package api

import (
	"encoding/json"
	"maps"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
)

// getOpenAPI is the operation that serves the document itself.
var getOpenAPI = Operation{
	ID: "getOpenAPI", Method: http.MethodGet, Path: "/v1/openapi.json", Tag: "meta",
	Summary: "The OpenAPI 3.1 document of this API; it needs no API key", Response: map[string]any{},
	Public: true,
}

var (
	openAPIOnce sync.Once
	openAPIDoc  []byte
)

// getOpenAPI answers the document, built once from the registered operations.
func (s *Server) getOpenAPI(c *fiber.Ctx) error {
	openAPIOnce.Do(func() {
		doc, err := json.Marshal(s.OpenAPI())
		if err != nil {
			panic("api: encode openapi document: " + err.Error())
		}
		openAPIDoc = doc
	})
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(openAPIDoc)
}

// OpenAPI returns the OpenAPI 3.1 document of every registered operation.
func (s *Server) OpenAPI() map[string]any {
	paths := map[string]map[string]any{}
	tags := map[string]bool{}
	for _, op := range s.ops {
		p := paths[op.OpenAPIPath()]
		if p == nil {
			p = map[string]any{}
			paths[op.OpenAPIPath()] = p
		}
		p[strings.ToLower(op.Method)] = s.operationDoc(op)
		tags[op.Tag] = true
	}
	var tagList []map[string]string
	for t := range tags {
		tagList = append(tagList, map[string]string{"name": t})
	}
	sort.Slice(tagList, func(i, j int) bool { return tagList[i]["name"] < tagList[j]["name"] })
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "Countersign API",
			"version":     s.cfg.Version,
			"description": "Signing processes, their events, and signed webhook delivery.",
		},
		"servers": []map[string]string{{"url": "/",
			"description": "The server that serves this document; every path starts with /v1."}},
		"tags":     tagList,
		"paths":    paths,
		"security": []map[string][]string{{"bearer": {}}},
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"bearer": map[string]string{"type": "http", "scheme": "bearer", "description": "An API key: cs_…"},
			},
			"schemas":   map[string]any{"Error": schemaFor(ErrorBody{})},
			"responses": errorComponents(),
		},
	}
}

// operationDoc documents one operation.
func (s *Server) operationDoc(op Operation) map[string]any {
	doc := map[string]any{
		"operationId": op.ID,
		"summary":     op.Summary,
		"tags":        []string{op.Tag},
	}
	if op.Deprecated {
		doc["deprecated"] = true
	}
	if op.Public {
		doc["security"] = []any{}
	}
	var params []map[string]any
	for _, name := range op.PathParams() {
		params = append(params, map[string]any{"name": name, "in": "path", "required": true,
			"schema": pathSchema(op, name)})
	}
	for _, q := range op.Query {
		rule := queryRule(op, q.Name)
		if q.Name == "sort" && rule == nil {
			continue // the operation sorts by nothing
		}
		schema := paramSchema(q)
		for k, v := range rule {
			if _, set := schema[k]; !set {
				schema[k] = v
			}
		}
		params = append(params, map[string]any{"name": q.Name, "in": "query", "required": q.Required,
			"description": q.Description, "schema": schema})
	}
	if len(params) > 0 {
		doc["parameters"] = params
	}
	if op.Request != nil {
		schema := requestSchema(op)
		doc["requestBody"] = map[string]any{"required": !op.OptionalBody, "content": map[string]any{
			"application/json": map[string]any{"schema": schema, "example": example(schema)}}}
	}
	success := map[string]any{"description": http.StatusText(op.SuccessStatus())}
	if op.Response != nil {
		ct := op.ContentType
		if ct == "" {
			ct = "application/json"
		}
		content := map[string]any{}
		if ct == "application/json" {
			content["schema"] = schemaFor(op.Response)
			content["example"] = example(content["schema"].(json.RawMessage))
		} else {
			content["schema"] = map[string]string{"type": "string"}
			content["example"] = op.Example
		}
		success["content"] = map[string]any{ct: content}
	}
	responses := map[string]any{itoa(op.SuccessStatus()): success}
	for _, st := range op.OtherStatuses {
		other := maps.Clone(success)
		other["description"] = http.StatusText(st)
		responses[itoa(st)] = other
	}
	addErrorResponses(op, responses)
	doc["responses"] = responses
	return doc
}

// paramSchema is the schema of a query parameter.
func paramSchema(q Param) map[string]any {
	s := map[string]any{}
	switch q.Type {
	case "", "string":
		s["type"] = "string"
	case "date-time", "date":
		s["type"], s["format"] = "string", q.Type
	default:
		s["type"] = q.Type
	}
	if len(q.Enum) > 0 {
		s["enum"] = q.Enum
	}
	return s
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
