package events

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// compile compiles a catalogue schema with format assertions on, so date-time
// values are checked rather than only annotated.
func compile(tb testing.TB, name string, schema json.RawMessage) *jsonschema.Schema {
	tb.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		tb.Fatalf("%s: schema is not JSON: %v", name, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	url := "https://schemas.countersign.test/" + name + ".json"
	if err := c.AddResource(url, doc); err != nil {
		tb.Fatalf("%s: add schema: %v", name, err)
	}
	s, err := c.Compile(url)
	if err != nil {
		tb.Fatalf("%s: schema does not compile: %v", name, err)
	}
	return s
}

// instance decodes JSON for the validator, whatever Go value v is.
func instance(tb testing.TB, v any) any {
	tb.Helper()
	b, ok := v.([]byte)
	if !ok {
		var err error
		if b, err = json.Marshal(v); err != nil {
			tb.Fatal(err)
		}
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

// goldenEnvelope reads t's golden envelope.
func goldenEnvelope(tb testing.TB, t Type) map[string]any {
	tb.Helper()
	b, err := os.ReadFile(goldenPath(tb, t))
	if err != nil {
		tb.Fatalf("%v (run go test ./events -run Golden -update)", err)
	}
	var e map[string]any
	if err := json.Unmarshal(b, &e); err != nil {
		tb.Fatalf("%s: %v", goldenPath(tb, t), err)
	}
	return e
}

func TestSchemasValidateGoldens(t *testing.T) {
	for _, d := range Catalog() {
		t.Run(string(d.Type), func(t *testing.T) {
			e := goldenEnvelope(t, d.Type)
			if err := compile(t, string(d.Type), d.Schema).Validate(instance(t, e["data"])); err != nil {
				t.Errorf("golden data does not match the schema: %v", err)
			}
			if err := compile(t, string(d.Type)+".event", EnvelopeSchema(d.Type)).Validate(instance(t, e)); err != nil {
				t.Errorf("golden envelope does not match the envelope schema: %v", err)
			}
		})
	}
}

// TestSchemasReject changes one value of a valid golden payload and expects
// both the data schema and the envelope schema to refuse it.
func TestSchemasReject(t *testing.T) {
	const remove = "\x00remove"
	tests := []struct {
		name  string
		typ   Type
		path  string // JSON pointer into data
		value any
	}{
		{"unknown field", TransactionStarted, "/surprise", 1},
		{"unknown nested field", TransactionStarted, "/process/signingProcessSteps/0/processStepSigners/0/nickname", "Mari"},
		{"process status", TransactionStarted, "/process/status", "RUNNING"},
		{"null process status", TransactionStarted, "/process/status", nil},
		{"step status", TransactionStarted, "/process/signingProcessSteps/1/stepStatus", "DONE"},
		{"signing status", TransactionCompleted, "/process/signers/2/signingStatus", "READ"},
		{"signer role", TransactionStarted, "/process/currentInProgressStep/processStepSigners/0/signerRole", "OWNER"},
		{"stall reason", ActionStalled, "/stallReason", "bored"},
		{"closing action", ActionClosed, "/action", "DECLINED"},
		{"identity verification status", IdentityValidationProcessed, "/verificationStatus", "maybe"},
		{"registration verification status", RegistrationIdentityVerified, "/verification_status", "ok"},
		{"registration method", RegistrationIdentityVerified, "/method", "fax"},
		{"date-time", ChatMessageReceived, "/createdAt", "yesterday"},
		{"nullable date-time", EndpointDisabled, "/failing_since", "2025-06-15"},
		{"missing required field", APIKeyCreated, "/name", remove},
		{"wrong type", WebhookTest, "/message", 42},
		{"integer", ActionOpened, "/processOrder", 1.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := Lookup(tt.typ)
			e := goldenEnvelope(t, tt.typ)
			if !setPointer(e["data"], tt.path, tt.value, tt.value == remove) {
				t.Fatalf("%s: no %s in the golden data", tt.typ, tt.path)
			}
			if err := compile(t, string(tt.typ), d.Schema).Validate(instance(t, e["data"])); err == nil {
				t.Errorf("data schema accepted %s = %v", tt.path, tt.value)
			}
			if err := compile(t, string(tt.typ)+".event", EnvelopeSchema(tt.typ)).Validate(instance(t, e)); err == nil {
				t.Errorf("envelope schema accepted %s = %v", tt.path, tt.value)
			}
		})
	}
}

func TestEnvelopeSchemaRejects(t *testing.T) {
	tests := []struct {
		field string
		value any
	}{
		{"type", string(ActionClosed)},
		{"object", "evt"},
		{"id", "01jwmd9x2c4b5n6p7q8r9s0t1v"},
		{"workspace_id", "ws_1"},
		{"api_key_id", 7},
		{"created_at", "2025-06-02 09:00"},
		{"extra", true},
	}
	s := compile(t, "action.opened.event", EnvelopeSchema(ActionOpened))
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			e := goldenEnvelope(t, ActionOpened)
			e[tt.field] = tt.value
			if err := s.Validate(instance(t, e)); err == nil {
				t.Errorf("envelope schema accepted %s = %v", tt.field, tt.value)
			}
		})
	}
}

// setPointer sets (or removes) the value at JSON pointer path in doc, and
// reports whether the parent of that value exists.
func setPointer(doc any, path string, value any, remove bool) bool {
	keys := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for _, k := range keys[:len(keys)-1] {
		switch v := doc.(type) {
		case map[string]any:
			doc = v[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i >= len(v) {
				return false
			}
			doc = v[i]
		default:
			return false
		}
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return false
	}
	last := keys[len(keys)-1]
	if remove {
		delete(m, last)
	} else {
		m[last] = value
	}
	return true
}

// embedded is flattened into its parent, as encoding/json does; its rules are
// keyed by the struct that declares the field.
type embedded struct {
	Inner string `json:"inner"`
}

type reflected struct {
	Name   string      `json:"name"`
	Nick   string      `json:"nick,omitempty"`
	At     time.Time   `json:"at"`
	Maybe  *time.Time  `json:"maybe"`
	Tags   []string    `json:"tags,omitzero"`
	Count  uint        `json:"count"`
	Score  float64     `json:"score,string"`
	Reason StallReason `json:"reason,omitempty"`
	Raw    json.RawMessage
	Skip   string `json:"-"`
	hidden string
	embedded
}

func TestReflector(t *testing.T) {
	tests := []struct {
		name string
		typ  reflect.Type
		want string
	}{
		{"string", reflect.TypeFor[string](), `{"type":"string"}`},
		{"time", reflect.TypeFor[time.Time](), `{"type":"string","format":"date-time"}`},
		{"pointer", reflect.TypeFor[*int](), `{"type":["integer","null"]}`},
		{"bytes", reflect.TypeFor[[]byte](), `{"type":["string","null"],"contentEncoding":"base64"}`},
		{"map", reflect.TypeFor[map[string]bool](), `{"type":["object","null"],"additionalProperties":{"type":"boolean"}}`},
		{"array", reflect.TypeFor[[2]float32](), `{"type":"array","items":{"type":"number"}}`},
		{"enum type", reflect.TypeFor[*StallReason](), `{"type":["string","null"],"enum":["a","b",null]}`},
		{"struct", reflect.TypeFor[reflected](), `{"type":"object","properties":{` +
			`"name":{"type":"string"},"nick":{"type":"string"},` +
			`"at":{"type":"string","format":"date-time"},"maybe":{"type":["string","null"],"format":"date-time"},` +
			`"tags":{"type":["array","null"],"items":{"type":"string"}},"count":{"type":"integer","minimum":0},` +
			`"score":{"type":"string"},"reason":{"type":"string","enum":["a","b"]},"Raw":{},` +
			`"inner":{"type":"string","enum":["x"]}},` +
			`"required":["name","at","maybe","count","score","Raw","inner"],"additionalProperties":false}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &reflector{
				fields: map[reflect.Type]map[string]rule{reflect.TypeFor[embedded](): {"inner": {enum: []string{"x"}}}},
				types:  map[reflect.Type][]string{reflect.TypeFor[StallReason](): {"a", "b"}},
				seen:   map[reflect.Type]bool{},
			}
			got, err := json.Marshal(r.reflect(tt.typ))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

type recursive struct {
	Next *recursive `json:"next"`
}

type custom struct{}

func (custom) MarshalJSON() ([]byte, error) { return []byte(`1`), nil }

func TestReflectorRefuses(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[recursive](), reflect.TypeFor[custom](), reflect.TypeFor[map[int]string](), reflect.TypeFor[chan int]()} {
		t.Run(typ.String(), func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("reflect(%s) did not panic", typ)
				}
			}()
			r := &reflector{seen: map[reflect.Type]bool{}}
			r.reflect(typ)
		})
	}
}
