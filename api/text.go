package api

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign"
)

// Text the databases cannot store: PostgreSQL refuses a NUL character and
// bytes that are not UTF-8 in any text column or parameter, so such input is
// refused at the edge (400 naming the field) instead of failing in the store.
// Request bodies are checked by checkBody.

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

// cleanText returns s as valid UTF-8 without the characters request bodies
// may not hold in names (forbiddenRune: control characters, bidirectional
// overrides), for text taken from headers into stored records and for member
// names shown in errors.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if forbiddenRune(r, false) != "" {
			return -1
		}
		return r
	}, s)
}
