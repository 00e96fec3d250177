package mail

import (
	"bytes"
	"mime"
	netmail "net/mail"
	"slices"
	"strings"
	"unicode"
)

// maxLine is the line length headers are folded to (RFC 5322's "should").
const maxLine = 78

// headerWriter writes folded header fields with CRLF line ends.
type headerWriter struct {
	w *bytes.Buffer
}

// write writes "name: value", folding the value at spaces so lines stay
// within maxLine where a space allows. Values reach it already cleaned of
// CR and LF, so folding is the only line break a header can have.
func (h headerWriter) write(name, value string) {
	line := name + ":"
	for _, word := range strings.Split(value, " ") {
		if len(line)+1+len(word) > maxLine && len(line) > len(name)+1 {
			h.w.WriteString(line + "\r\n")
			line = ""
		}
		line += " " + word
	}
	h.w.WriteString(line + "\r\n")
}

// clean turns every control character (CR, LF, tab, NUL…) into a space and
// squeezes runs of spaces: what a header value may be made of, whatever the
// input was.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// encodeText cleans s and, when it is not plain printable ASCII or could be
// mistaken for an encoded word, encodes it as RFC 2047 Q words in UTF-8.
func encodeText(s string) string {
	s = clean(s)
	for _, r := range s {
		if r > unicode.MaxASCII {
			return mime.QEncoding.Encode("utf-8", s)
		}
	}
	if strings.Contains(s, "=?") {
		return mime.QEncoding.Encode("utf-8", s)
	}
	return s
}

// formatAddress renders a with its cleaned display name, RFC 2047 encoded
// when needed (net/mail does the quoting and encoding).
func formatAddress(a Address) string {
	a.Name = clean(a.Name)
	return a.String()
}

// checkAddress refuses an address net/mail cannot parse back, or one with
// control characters: the address itself is never encoded, so it must be
// clean as given.
func checkAddress(field string, a Address) error {
	if a.Address == "" {
		return invalid("%s: no address", field)
	}
	if strings.IndexFunc(a.Address, unicode.IsControl) >= 0 {
		return invalid("%s: %q has control characters", field, a.Address)
	}
	got, err := netmail.ParseAddress(a.Address)
	if err != nil || got.Address != a.Address {
		return invalid("%s: %q is not an email address", field, a.Address)
	}
	return nil
}

// ParseAddress parses one address as RFC 5322 allows ("Name <a@b>" or
// "a@b"); an error wraps ErrInvalid.
func ParseAddress(s string) (Address, error) {
	a, err := netmail.ParseAddress(s)
	if err != nil {
		return Address{}, invalid("%q is not an email address: %v", s, err)
	}
	return *a, nil
}

// validHeaderName reports whether name is an RFC 5322 field name: printable
// ASCII but colon and space.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return true
}

// sortedKeys returns the keys of m in order, so rendering is repeatable.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
