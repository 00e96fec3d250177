// Package redact hides secrets in values that go to logs and error messages.
package redact

import "net/url"

// URL hides the password of a database or Redis URL. A value that does not
// parse as a URL is not shown at all, since it may hold a password; one
// without user information comes back unchanged.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.User == nil {
		return raw
	}
	return u.Redacted()
}
