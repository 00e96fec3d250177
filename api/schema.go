package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/webhook"
	"github.com/countersign/countersign/workflow"
)

// schemaFor returns the JSON Schema of v's type as an answer carries it,
// reflected the way the event catalogue reflects payloads so both documents
// agree, with the value sets of the API's named string types (enumTypes).
func schemaFor(v any) json.RawMessage {
	if m, ok := v.(map[string]any); ok && len(m) == 0 {
		return json.RawMessage(`{"type":"object"}`)
	}
	return refine(events.Reflect(v), reflect.TypeOf(v), false, false)
}

// requestSchema returns the schema of op's request body. Reflection marks every
// field without omitempty as required, which is true of answers only: a request
// must send the fields op.BodyRequired names, nothing else. A lenient body
// (op.LenientBody) may carry fields the schema does not list.
func requestSchema(op Operation) json.RawMessage {
	raw := refine(events.Reflect(op.Request), reflect.TypeOf(op.Request), true, op.LenientBody)
	raw = withKeywords(withPropertyRules(raw, opFieldRules[op.ID]), bodyRules[op.ID])
	if len(op.BodyRequired) == 0 || len(raw) < 2 || raw[0] != '{' {
		return raw
	}
	req, _ := json.Marshal(op.BodyRequired)
	out := append([]byte{}, raw[:len(raw)-1]...)
	out = append(out, `,"required":`...)
	out = append(append(out, req...), '}')
	return out
}

// enumTypes are the value sets of named string types the reflector does not
// know. Scope leaves out ALL, a list filter that is never a contact's scope.
var enumTypes = map[reflect.Type][]string{
	reflect.TypeFor[countersign.Role]():            names(countersign.Roles),
	reflect.TypeFor[workflow.SignerRole]():         names(workflow.SignerRoles),
	reflect.TypeFor[workflow.Scope]():              {string(workflow.ScopePersonal), string(workflow.ScopeGroup), string(workflow.ScopeGlobal)},
	reflect.TypeFor[workflow.RegistrationMethod](): {string(workflow.MethodPVID), string(workflow.MethodWeb)},
	reflect.TypeFor[workflow.AuditType]():          names(workflow.AuditTypes),
	reflect.TypeFor[webhook.SignatureScheme]():     names(webhook.SignatureSchemes),
	reflect.TypeFor[webhook.Ordering]():            names(webhook.Orderings),
	reflect.TypeFor[webhook.Status]():              {string(webhook.StatusPending), string(webhook.StatusDelivered), string(webhook.StatusFailed)},
	reflect.TypeFor[webhook.ReplayStatus](): {string(webhook.ReplayRunning), string(webhook.ReplayCompleted),
		string(webhook.ReplayCancelled), string(webhook.ReplayFailed)},
}

// names converts a list of named strings to strings.
func names[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// member is one key of a JSON object, in document order.
type member struct {
	key   string
	value json.RawMessage
}

// members splits a JSON object into its members in order; ok is false when
// raw is not an object.
func members(raw json.RawMessage) (ms []member, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		ms = append(ms, member{key: tok.(string), value: v})
	}
	return ms, true
}

// object joins members into a JSON object.
func object(ms []member) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		b.Write(k)
		b.WriteByte(':')
		b.Write(m.value)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// refine walks schema raw of Go type t (nil when unknown), keeping the order
// of its keys: it adds the enums of enumTypes and, for a request, drops
// "required" everywhere and, when lenient, "additionalProperties": false.
func refine(raw json.RawMessage, t reflect.Type, request, lenient bool) json.RawMessage {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	ms, ok := members(raw)
	if !ok {
		return raw
	}
	out := ms[:0]
	hasEnum, nullable := false, false
	for _, m := range ms {
		switch m.key {
		case "required":
			if request {
				continue
			}
		case "additionalProperties":
			if string(m.value) == "false" {
				if lenient {
					continue
				}
				break
			}
			m.value = refine(m.value, elem(t, reflect.Map), request, lenient)
		case "items":
			m.value = refine(m.value, elem(t, reflect.Slice, reflect.Array), request, lenient)
		case "properties":
			props, _ := members(m.value)
			fields := fieldTypes(t)
			for i := range props {
				props[i].value = refine(props[i].value, fields[props[i].key], request, lenient)
				if request {
					props[i].value = withKeywords(props[i].value, fieldRules[t][props[i].key])
				} else {
					props[i].value = withKeywords(props[i].value, viewRules[t][props[i].key])
				}
			}
			m.value = object(props)
		case "enum":
			hasEnum = true
		case "type":
			nullable = strings.HasPrefix(string(m.value), "[")
		}
		out = append(out, m)
	}
	if values, ok := enumTypes[t]; ok && !hasEnum {
		list := make([]any, 0, len(values)+1)
		for _, v := range values {
			list = append(list, v)
		}
		if nullable {
			list = append(list, nil)
		}
		b, _ := json.Marshal(list)
		out = append(out, member{key: "enum", value: b})
	}
	if request {
		return withKeywords(object(out), typeRules[t])
	}
	return object(out)
}

// elem is t's element type when t is of one of kinds, else nil.
func elem(t reflect.Type, kinds ...reflect.Kind) reflect.Type {
	if t == nil {
		return nil
	}
	for _, k := range kinds {
		if t.Kind() == k {
			return t.Elem()
		}
	}
	return nil
}

// fieldTypes maps the JSON names of struct type t's fields to their types,
// flattening embedded structs as encoding/json (and the reflector) do.
func fieldTypes(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	if t == nil || t.Kind() != reflect.Struct {
		return out
	}
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range fieldTypes(ft) {
					out[k] = v
				}
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		out[name] = ft
	}
	return out
}
