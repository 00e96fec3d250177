package api

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
)

// Text the databases cannot store: PostgreSQL refuses a NUL character and
// bytes that are not UTF-8 in any text column or parameter, so such input is
// refused at the edge (400 naming the field) instead of failing in the store.

// nulEscape is how a NUL character appears inside a JSON string (a raw NUL
// is a syntax error already; invalid UTF-8 is decoded as U+FFFD).
var nulEscape = []byte(`\u0000`)

// checkJSONText refuses a JSON body with a NUL character in one of its
// strings (422, like the other rules on text), naming the field
// (signingProcessSteps[0].processStepSigners[1].signerName).
// A body that is not valid JSON is left to the decoder.
func checkJSONText(body []byte) error {
	if !bytes.Contains(body, nulEscape) {
		return nil
	}
	type frame struct {
		array     bool
		index     int
		key       string
		expectKey bool
	}
	var stack []frame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			switch {
			case f.array:
				b.WriteString("[" + strconv.Itoa(f.index) + "]")
			case b.Len() > 0:
				b.WriteString("." + f.key)
			default:
				b.WriteString(f.key)
			}
		}
		return b.String()
	}
	done := func() { // a value ended
		if n := len(stack); n > 0 {
			if stack[n-1].array {
				stack[n-1].index++
			} else {
				stack[n-1].expectKey = true
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{expectKey: true})
			case '[':
				stack = append(stack, frame{array: true})
			default:
				stack = stack[:len(stack)-1]
				done()
			}
			continue
		case string:
			isKey := false
			if n := len(stack); n > 0 && !stack[n-1].array && stack[n-1].expectKey {
				stack[n-1].key, stack[n-1].expectKey, isKey = t, false, true
			}
			if strings.IndexByte(t, 0) >= 0 {
				field := strings.ReplaceAll(path(), "\x00", "")
				if field == "" {
					return countersign.Errorf(countersign.EVALIDATION, "request body must not contain NUL characters")
				}
				return countersign.FieldErrorf(countersign.EVALIDATION, field, "%s must not contain NUL characters", field)
			}
			if isKey {
				continue // its value comes next
			}
		}
		done()
	}
}

// checkQuery refuses a query parameter that is not UTF-8 text or holds a NUL
// character, naming it. Every /v1 route passes through it.
func checkQuery(c *fiber.Ctx) error {
	bad := ""
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		if bad == "" && (!utf8.Valid(k) || !utf8.Valid(v) || bytes.IndexByte(k, 0) >= 0 || bytes.IndexByte(v, 0) >= 0) {
			bad = strings.ToValidUTF8(strings.ReplaceAll(string(k), "\x00", ""), "\uFFFD")
		}
	})
	if bad != "" {
		return countersign.FieldErrorf(countersign.EINVALID, bad, "query parameter %s must be UTF-8 text without NUL characters", bad)
	}
	return c.Next()
}

// cleanText returns s as valid UTF-8 without control characters, for text
// taken from headers into stored records.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}
