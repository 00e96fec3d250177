package countersign

import "net/url"

// RedactURL hides the password of a database or Redis URL, for logs and errors.
// A URL that does not parse is not shown at all: it may hold a password.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.User == nil {
		return raw
	}
	return u.Redacted()
}
