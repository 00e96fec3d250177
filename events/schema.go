package events

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// draft202012 is the meta-schema every catalogue schema declares.
const draft202012 = "https://json-schema.org/draft/2020-12/schema"

// schema is one JSON Schema (draft 2020-12) node. Fields are in the order a
// reader looks for them and properties keep the Go struct's field order, so a
// published schema reads like the struct it was reflected from.
type schema struct {
	Schema               string     `json:"$schema,omitempty"`
	Title                string     `json:"title,omitempty"`
	Description          string     `json:"description,omitempty"`
	Type                 any        `json:"type,omitempty"` // a name, or [name, "null"]
	Format               string     `json:"format,omitempty"`
	ContentEncoding      string     `json:"contentEncoding,omitempty"`
	Pattern              string     `json:"pattern,omitempty"`
	Const                any        `json:"const,omitempty"`
	Enum                 []any      `json:"enum,omitempty"`
	Minimum              *int       `json:"minimum,omitempty"`
	Properties           properties `json:"properties,omitempty"`
	Required             []string   `json:"required,omitempty"`
	AdditionalProperties any        `json:"additionalProperties,omitempty"` // false, or the values' schema of a map
	Items                *schema    `json:"items,omitempty"`
}

// property is one named entry of an object schema's properties.
type property struct {
	Name   string
	Schema *schema
}

// properties keeps an object's properties in declaration order, which a Go map
// (sorted by encoding/json) would lose.
type properties []property

// MarshalJSON encodes ps as a JSON object in order.
func (ps properties) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(p.Name)
		b.Write(name)
		b.WriteByte(':')
		v, err := json.Marshal(p.Schema)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// prop returns the schema of the property called name, nil if there is none.
func (s *schema) prop(name string) *schema {
	for _, p := range s.Properties {
		if p.Name == name {
			return p.Schema
		}
	}
	return nil
}

// rule narrows the schema of one struct field beyond what its Go type says:
// the payload structs keep plain strings so callers need no conversions.
type rule struct {
	enum    []string
	pattern string
	konst   string
}

// reflector derives schemas from Go types the way encoding/json encodes them,
// so a schema cannot drift from the payload it describes. Nested structs are
// inlined (no $ref): the payloads are shallow and integrators read them whole.
type reflector struct {
	fields map[reflect.Type]map[string]rule // by struct type, then JSON name
	types  map[reflect.Type][]string        // enums of named string types
	seen   map[reflect.Type]bool            // structs being reflected, to refuse recursion
}

var (
	timeType          = reflect.TypeFor[time.Time]()
	rawMessageType    = reflect.TypeFor[json.RawMessage]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// reflect returns the schema of values of type t. It panics on a type it
// cannot describe faithfully (a custom json.Marshaler, a recursive struct):
// the catalogue test reflects every payload, so that is caught before release.
func (r *reflector) reflect(t reflect.Type) *schema {
	switch {
	case t == timeType:
		return &schema{Type: "string", Format: "date-time"}
	case t == rawMessageType || t.Kind() == reflect.Interface:
		return &schema{}
	case t.Kind() == reflect.Pointer:
		return nullable(r.reflect(t.Elem()))
	case t.Implements(jsonMarshalerType) || reflect.PointerTo(t).Implements(jsonMarshalerType):
		panic(fmt.Sprintf("events: cannot reflect %s: it has its own JSON encoding", t))
	case t.Implements(textMarshalerType):
		return &schema{Type: "string"}
	}
	if values, ok := r.types[t]; ok {
		return enum(&schema{Type: "string"}, values)
	}
	switch t.Kind() {
	case reflect.Bool:
		return &schema{Type: "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &schema{Type: "integer"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		zero := 0
		return &schema{Type: "integer", Minimum: &zero}
	case reflect.Float32, reflect.Float64:
		return &schema{Type: "number"}
	case reflect.String:
		return &schema{Type: "string"}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return nullable(&schema{Type: "string", ContentEncoding: "base64"})
		}
		// A nil slice encodes as null: say so rather than publish a promise
		// the encoder does not keep.
		return nullable(&schema{Type: "array", Items: r.reflect(t.Elem())})
	case reflect.Array:
		return &schema{Type: "array", Items: r.reflect(t.Elem())}
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			panic(fmt.Sprintf("events: cannot reflect %s: map keys must be strings", t))
		}
		return nullable(&schema{Type: "object", AdditionalProperties: r.reflect(t.Elem())})
	case reflect.Struct:
		if r.seen[t] {
			panic(fmt.Sprintf("events: cannot inline recursive type %s", t))
		}
		r.seen[t] = true
		defer delete(r.seen, t)
		s := &schema{Type: "object", AdditionalProperties: false}
		r.addFields(s, t)
		return s
	}
	panic(fmt.Sprintf("events: cannot reflect %s", t))
}

// addFields adds the JSON fields of struct type t to s, flattening embedded
// structs without a JSON name as encoding/json does. Fields without omitempty
// or omitzero are always encoded, hence required.
func (r *reflector) addFields(s *schema, t reflect.Type) {
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				r.addFields(s, ft)
				continue
			}
			if !f.IsExported() {
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		ps := r.reflect(ft)
		if hasOpt(opts, "string") {
			ps = &schema{Type: "string"}
		}
		if rl, ok := r.fields[t][name]; ok {
			ps = rl.apply(ps)
		}
		s.Properties = append(s.Properties, property{Name: name, Schema: ps})
		if !hasOpt(opts, "omitempty") && !hasOpt(opts, "omitzero") {
			s.Required = append(s.Required, name)
		}
	}
}

// apply narrows s by the rule.
func (rl rule) apply(s *schema) *schema {
	if rl.enum != nil {
		s = enum(s, rl.enum)
	}
	if rl.pattern != "" {
		s.Pattern = rl.pattern
	}
	if rl.konst != "" {
		s.Const = rl.konst
	}
	return s
}

// hasOpt reports whether the comma-separated tag options hold opt.
func hasOpt(opts, opt string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == opt {
			return true
		}
	}
	return false
}

// nullable lets s also be null, as a nil pointer, slice or map encodes.
func nullable(s *schema) *schema {
	name, ok := s.Type.(string)
	if !ok {
		return s // already nullable, or any value
	}
	s.Type = []string{name, "null"}
	if s.Enum != nil {
		s.Enum = append(s.Enum, nil)
	}
	return s
}

// enum restricts s to values (and null when s is nullable).
func enum(s *schema, values []string) *schema {
	s.Enum = make([]any, 0, len(values)+1)
	for _, v := range values {
		s.Enum = append(s.Enum, v)
	}
	if _, isNullable := s.Type.([]string); isNullable {
		s.Enum = append(s.Enum, nil)
	}
	return s
}

// Reflect returns the JSON Schema of v's type, with the same rules as the
// catalogue (payload enums included), so API documents that embed event
// payloads describe them identically. It panics on a type it cannot describe.
func Reflect(v any) json.RawMessage {
	r := &reflector{
		fields: rules,
		types:  map[reflect.Type][]string{reflect.TypeFor[StallReason](): stallReasonNames()},
		seen:   map[reflect.Type]bool{},
	}
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	b, err := json.Marshal(r.reflect(t))
	if err != nil {
		panic(fmt.Sprintf("events: encode schema of %s: %v", t, err))
	}
	return b
}
