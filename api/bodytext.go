package api

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/countersign/countersign"
)

// The text of a request body, checked once before it is decoded so that
// every route gets the same rules. encoding/json keeps the last of two
// members with one name, turns bytes that are not UTF-8 and lone UTF-16
// surrogates into U+FFFD without a word, and takes any character: each of
// these is refused here instead, naming the member by its JSON path
// (signingProcessSteps[0].processStepSigners[1].signerName).
//
//   - a member given twice in one object, names compared regardless of case
//     as encoding/json matches them (400);
//   - a string or member name that is not UTF-8 or holds a lone surrogate (400);
//   - a control character (C0, DEL, C1) or a line or paragraph separator,
//     except tab, line feed and carriage return in the free-text members
//     (freeText) (422);
//   - a bidirectional embedding, override or isolate (U+202A–U+202E,
//     U+2066–U+2069), anywhere: it makes text display in another order than
//     it is stored, so a signer or an auditor would read what was not written (422).
//
// A body that is not valid JSON is left to the decoder, which says where.

// freeText are the members that hold prose, where tab and line breaks belong.
// Every other string (names, labels, ids, codes, addresses) is one line.
var freeText = map[string]bool{
	"comment": true, "signerComment": true, "commentForSigner": true, "note": true,
	"message": true, "reason": true, "description": true, "data": true,
}

// bodyFrame is an open object or array of the body being checked.
type bodyFrame struct {
	array     bool
	index     int                 // of the next element, in an array
	key       string              // of the member whose value comes or came last, in an object
	expectKey bool                // the next string is a member name
	seen      map[string]struct{} // member names so far, folded
}

// bodyPath is the JSON path of the open frames.
type bodyPath []bodyFrame

// String renders the path as error fields name it: a.b[0].c.
func (p bodyPath) String() string {
	var b strings.Builder
	for _, f := range p {
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

// ended moves the innermost frame past the value that just ended.
func (p bodyPath) ended() {
	if n := len(p); n > 0 {
		if p[n-1].array {
			p[n-1].index++
		} else {
			p[n-1].expectKey = true
		}
	}
}

// checkBody applies the rules above to a JSON request body.
func checkBody(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // numbers are the decoder's business; do not parse them twice
	var path bodyPath
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil // the end, or a syntax error the decoder reports
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				path = append(path, bodyFrame{expectKey: true})
			case '[':
				path = append(path, bodyFrame{array: true})
			default:
				path = path[:len(path)-1]
				path.ended()
			}
			continue
		case string:
			raw := body[start:dec.InputOffset()]
			if n := len(path); n > 0 && !path[n-1].array && path[n-1].expectKey {
				if err := checkMemberName(path, raw, t); err != nil {
					return err
				}
				path[n-1].key, path[n-1].expectKey = t, false
				continue // its value comes next
			}
			key := ""
			for i := len(path) - 1; i >= 0 && key == ""; i-- {
				key = path[i].key // an array's elements take the name of the array
			}
			if err := checkString(raw, freeText[key], func() string { return path.String() }); err != nil {
				return err
			}
		}
		path.ended()
	}
}

// checkMemberName checks the text of a member name and that the innermost
// object has no member of that name yet.
func checkMemberName(path bodyPath, raw []byte, name string) error {
	named := func() string { // the member itself, its name made printable
		p := append(bodyPath(nil), path...)
		p[len(p)-1].key = cleanText(name)
		return p.String()
	}
	if err := checkString(raw, false, named); err != nil {
		return err
	}
	f := &path[len(path)-1]
	folded := strings.ToLower(name)
	if _, dup := f.seen[folded]; dup {
		field := named()
		return countersign.FieldErrorf(countersign.EINVALID, field,
			"%s is given twice in the request body (member names are matched regardless of case)", field)
	}
	if f.seen == nil {
		f.seen = map[string]struct{}{}
	}
	f.seen[folded] = struct{}{}
	return nil
}

// checkString checks raw, the JSON text of one string (it may be preceded
// by separators), character by character. field names it, computed only
// when it is at fault.
func checkString(raw []byte, free bool, field func() string) error {
	i := bytes.IndexByte(raw, '"') + 1
	for i < len(raw) && raw[i] != '"' {
		var r rune
		switch c := raw[i]; {
		case c == '\\' && raw[i+1] == 'u':
			r = hex4(raw[i+2 : i+6])
			i += 6
			if utf16IsHigh(r) && i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' && utf16IsLow(hex4(raw[i+2:i+6])) {
				r = 0x10000 + (r-0xD800)<<10 + (hex4(raw[i+2:i+6]) - 0xDC00)
				i += 6
			} else if utf16IsHigh(r) || utf16IsLow(r) {
				f := field()
				return countersign.FieldErrorf(countersign.EINVALID, f, "%s holds a lone UTF-16 surrogate (\\u%04x); text must be Unicode", f, r)
			}
		case c == '\\':
			r = rune(unescape[raw[i+1]])
			i += 2
		case c < utf8.RuneSelf:
			r = rune(c)
			i++
		default:
			var size int
			r, size = utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && size == 1 {
				f := field()
				return countersign.FieldErrorf(countersign.EINVALID, f, "%s is not UTF-8 text (byte 0x%02x)", f, c)
			}
			i += size
		}
		if what := forbiddenRune(r, free); what != "" {
			f := field()
			return countersign.FieldErrorf(countersign.EVALIDATION, f, "%s must not contain %s (U+%04X)", f, what, r)
		}
	}
	return nil
}

// unescape maps the one-letter JSON escapes to their characters.
var unescape = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// forbiddenRune says what kind of character r is when text may not hold it,
// and "" when it may; free text may hold tab and line breaks.
func forbiddenRune(r rune, free bool) string {
	switch {
	case r == 0:
		return "NUL characters"
	case free && (r == '\t' || r == '\n' || r == '\r' || r == 0x2028 || r == 0x2029):
		return ""
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
		return "control characters"
	case r == 0x2028 || r == 0x2029:
		return "line breaks"
	case (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
		return "bidirectional control characters"
	}
	return ""
}

// hex4 is the value of four hex digits (a valid JSON \u escape's).
func hex4(b []byte) rune {
	n, _ := strconv.ParseUint(string(b), 16, 16)
	return rune(n)
}

func utf16IsHigh(r rune) bool { return r >= 0xD800 && r < 0xDC00 }
func utf16IsLow(r rune) bool  { return r >= 0xDC00 && r < 0xE000 }
