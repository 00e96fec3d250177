package events

import (
	"bytes"
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"testing"
)

var typeName = regexp.MustCompile(`^[a-z][a-z-]*(\.[a-z][a-z-]*)+$`)

// TestCatalogCoversTypes checks that Types, Catalog, Lookup, PayloadFor and the
// examples all know exactly the same types.
func TestCatalogCoversTypes(t *testing.T) {
	seen := map[Type]bool{}
	for _, typ := range Types {
		if seen[typ] {
			t.Errorf("%s is listed twice in Types", typ)
		}
		seen[typ] = true
		if !typeName.MatchString(string(typ)) {
			t.Errorf("%q does not match %s", typ, typeName)
		}
		if p := PayloadFor(typ); p == nil || reflect.TypeOf(p).Kind() != reflect.Pointer {
			t.Errorf("PayloadFor(%s) = %T, want a pointer to a payload struct", typ, p)
		}
		if d, ok := Lookup(typ); !ok || d.Type != typ {
			t.Errorf("Lookup(%s) = %v, %v", typ, d.Type, ok)
		}
		if Example(typ).Type != typ {
			t.Errorf("Example(%s) has no example", typ)
		}
	}
	var catalogTypes []Type
	for _, d := range Catalog() {
		catalogTypes = append(catalogTypes, d.Type)
	}
	if !slices.Equal(catalogTypes, Types) {
		t.Errorf("Catalog() types = %v\nwant Types in order = %v", catalogTypes, Types)
	}
	if len(catalogue) != len(Types) {
		t.Errorf("catalogue has %d entries for %d types", len(catalogue), len(Types))
	}
	for typ := range catalogue {
		if !seen[typ] {
			t.Errorf("catalogue entry %s is not in Types", typ)
		}
	}
}

func TestUnknownType(t *testing.T) {
	const typ Type = "apikey.rotated"
	if _, ok := Lookup(typ); ok {
		t.Error("Lookup found an unknown type")
	}
	if p := PayloadFor(typ); p != nil {
		t.Errorf("PayloadFor(unknown) = %T, want nil", p)
	}
	if s := EnvelopeSchema(typ); s != nil {
		t.Errorf("EnvelopeSchema(unknown) = %s, want nil", s)
	}
}

func TestDefinitions(t *testing.T) {
	groups := []string{"apikey", "transaction", "action", "identity-validation", "registration", "endpoint", "webhook", "message"}
	extensions := []Type{TransactionDeclined, EndpointDisabled, WebhookTest, MessageSent, MessageFailed}
	for _, d := range Catalog() {
		if d.Description == "" || d.Version != Version1 || !slices.Contains(groups, d.Group) {
			t.Errorf("%s: description %q, version %q, group %q", d.Type, d.Description, d.Version, d.Group)
		}
		if d.Extension != slices.Contains(extensions, d.Type) {
			t.Errorf("%s: Extension = %v", d.Type, d.Extension)
		}
	}
}

// TestPayloadFor checks that each example's data decodes strictly into the
// payload PayloadFor gives, so the two agree on the struct of every type.
func TestPayloadFor(t *testing.T) {
	for _, typ := range Types {
		dec := json.NewDecoder(bytes.NewReader(Example(typ).Data))
		dec.DisallowUnknownFields()
		p := PayloadFor(typ)
		if err := dec.Decode(p); err != nil {
			t.Errorf("%s: decode example data into %T: %v", typ, p, err)
		}
	}
	if a, b := PayloadFor(ActionOpened), PayloadFor(ActionOpened); a == b {
		t.Error("PayloadFor returned the same pointer twice")
	}
}

// TestCatalogCopies checks that callers cannot change the shared catalogue.
func TestCatalogCopies(t *testing.T) {
	defs := Catalog()
	defs[0].Schema[0] = 'X'
	defs[0].Description = "changed"
	d, _ := Lookup(defs[0].Type)
	if d.Schema[0] != '{' || d.Description == "changed" {
		t.Error("changing Catalog()'s result changed the catalogue")
	}
	env := EnvelopeSchema(ActionOpened)
	env[0] = 'X'
	if EnvelopeSchema(ActionOpened)[0] != '{' {
		t.Error("changing EnvelopeSchema's result changed the catalogue")
	}
}
