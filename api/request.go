package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
)

// decodeStrict decodes the JSON body into v, refusing unknown fields, trailing
// data and a missing body. Every failure is a 400 naming the field at fault.
func decodeStrict(c *fiber.Ctx, v any) error {
	return decode(c, v, true)
}

// decodeLenient decodes like decodeStrict but ignores unknown fields, for the
// camelCase process-resource bodies whose clients send read-only fields (id, createdAt…).
func decodeLenient(c *fiber.Ctx, v any) error {
	return decode(c, v, false)
}

func decode(c *fiber.Ctx, v any, strict bool) error {
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return countersign.Errorf(countersign.EINVALID, "request body is required")
	}
	if err := checkMediaType(c.Get(fiber.HeaderContentType)); err != nil {
		return err
	}
	if err := checkBody(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return decodeError(err, body, v)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return countersign.Errorf(countersign.EINVALID, "request body has data after the JSON value")
	}
	return nil
}

// checkMediaType refuses a body whose Content-Type is missing or other than
// application/json, with no charset or UTF-8 (the only encoding of JSON
// text, RFC 8259).
func checkMediaType(ct string) error {
	if ct == "" {
		return countersign.Errorf(countersign.EMEDIATYPE, "a request body needs Content-Type: application/json")
	}
	typ, params, err := mime.ParseMediaType(ct)
	if err != nil || typ != fiber.MIMEApplicationJSON {
		return countersign.Errorf(countersign.EMEDIATYPE, "Content-Type must be application/json, not %q", cleanText(ct))
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return countersign.Errorf(countersign.EMEDIATYPE, "JSON is UTF-8 text: charset %q is not taken", cleanText(cs))
	}
	return nil
}

// decodeError is jsonError naming the field at fault also when the error
// does not (a time.Time's own decoding says nothing of where it failed).
func decodeError(err error, body []byte, v any) error {
	jerr := jsonError(err)
	var syntax *json.SyntaxError
	if e := countersign.AsError(jerr); e == nil || e.Field != "" || e.Code != countersign.EINVALID ||
		errors.As(err, &syntax) || errors.Is(err, io.ErrUnexpectedEOF) {
		return jerr
	}
	field := faultyField(body, v)
	if field == "" {
		return jerr
	}
	var perr *time.ParseError
	if errors.As(err, &perr) || strings.Contains(err.Error(), "Time.UnmarshalJSON") {
		return countersign.FieldErrorf(countersign.EINVALID, field, "%s must be an RFC 3339 date-time such as 2026-02-01T00:00:00Z", field)
	}
	return countersign.FieldErrorf(countersign.EINVALID, field, "%s has a value that cannot be decoded", field)
}

// faultyField names the first member, in sorted order, of the JSON object
// body that alone fails to decode into a new value of v's type; "" when none
// does. It runs only once decoding has failed.
func faultyField(body []byte, v any) string {
	t := reflect.TypeOf(v)
	if t == nil || t.Kind() != reflect.Pointer {
		return ""
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil {
		return ""
	}
	for _, name := range slices.Sorted(maps.Keys(members)) {
		one, err := json.Marshal(map[string]json.RawMessage{name: members[name]})
		if err == nil && json.Unmarshal(one, reflect.New(t.Elem()).Interface()) != nil {
			return name
		}
	}
	return ""
}

// jsonError turns a decoding error into a 400 naming the field when it can.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return countersign.Errorf(countersign.EINVALID, "request body is not valid JSON (at byte %d)", syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return countersign.Errorf(countersign.EINVALID, "request body is truncated JSON")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return countersign.Errorf(countersign.EINVALID, "request body must be a JSON %s", jsonKind(typ.Type.Kind().String()))
		}
		return countersign.FieldErrorf(countersign.EINVALID, typ.Field, "%s must be %s, not %s",
			typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return countersign.FieldErrorf(countersign.EINVALID, field, "unknown field %q", field)
	default:
		var fe *countersign.Error
		if errors.As(err, &fe) { // from a type's UnmarshalJSON
			return fe
		}
		return countersign.Errorf(countersign.EINVALID, "request body could not be decoded: %v", err)
	}
}

// jsonKind names a Go kind in JSON's words.
func jsonKind(kind string) string {
	switch kind {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	case "bool":
		return "a boolean"
	case "string":
		return "a string"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return fmt.Sprintf("a %s", kind)
}
