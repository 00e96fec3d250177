package api

import (
	"encoding/json"
	"sort"
)

// example returns an instance of a JSON Schema, for the document's request
// and response examples: the schema's own example or first enum value where
// it has one, else the least value its type, format and bounds allow, with
// every property filled in. A client generator shows it as a sample call.
func example(raw json.RawMessage) any {
	var s map[string]any
	if json.Unmarshal(raw, &s) != nil {
		return nil
	}
	return exampleValue(s, 0)
}

// exampleValue is example of a decoded schema, depth levels down.
func exampleValue(s map[string]any, depth int) any {
	if v, ok := fixedExample(s); ok {
		return v
	}
	switch schemaType(s) {
	case "object":
		out := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		keys := make([]string, 0, len(props))
		for k := range props {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := props[k].(map[string]any); ok && depth < 8 {
				out[k] = exampleValue(p, depth+1)
			}
		}
		return out
	case "array":
		items, _ := s["items"].(map[string]any)
		if items == nil || depth >= 8 {
			return []any{}
		}
		return []any{exampleValue(items, depth+1)}
	case "string":
		return exampleString(s)
	case "integer", "number":
		n := 1.0
		if m, ok := s["minimum"].(float64); ok {
			n = m
		}
		if m, ok := s["maximum"].(float64); ok && n > m {
			n = m
		}
		return n
	case "boolean":
		return false
	case "null":
		return nil
	}
	return map[string]any{}
}

// fixedExample is the value a schema names itself: its first example, its
// const, or its first enum value that is not null.
func fixedExample(s map[string]any) (any, bool) {
	if ex, ok := s["examples"].([]any); ok && len(ex) > 0 {
		return ex[0], true
	}
	if c, ok := s["const"]; ok {
		return c, true
	}
	if enum, ok := s["enum"].([]any); ok {
		for _, v := range enum {
			if v != nil {
				return v, true
			}
		}
	}
	return nil, false
}

// exampleString is an example of a string schema.
func exampleString(s map[string]any) string {
	switch s["format"] {
	case "date-time":
		return "2026-02-01T09:30:00Z"
	case "date":
		return "2026-02-01"
	case "email":
		return "jane@example.com"
	case "uri":
		return "https://example.com/"
	case "uuid":
		return "0b7e7dd6-7b3f-4c59-9f55-2d0e7c4b2a1f"
	}
	v := "string"
	if n, ok := s["minLength"].(float64); ok {
		for len(v) < int(n) {
			v += "x"
		}
	}
	if n, ok := s["maxLength"].(float64); ok && len(v) > int(n) {
		v = v[:int(n)]
	}
	return v
}

// schemaType is a schema's type, the first that is not null when it lists several.
func schemaType(s map[string]any) string {
	switch t := s["type"].(type) {
	case string:
		return t
	case []any:
		for _, v := range t {
			if v != "null" {
				return v.(string)
			}
		}
	}
	return ""
}
