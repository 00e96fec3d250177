package console

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
)

// ErrUnauthorized is what API.Identify answers for a key that does not exist.
var ErrUnauthorized = errors.New("console: unknown API key")

// Caller names the API key a call is made as. It is the session's identity:
// the key's id, never its secret.
type Caller struct {
	WorkspaceID string
	KeyID       string
}

// Identity is a signed-in API key: who it is and what its role may do.
type Identity struct {
	Caller
	Name string
	Role string
	// Permissions are the role's permissions as the API names them
	// ("keys", "replay", "webhooks", "processes"); the console hides what
	// they do not cover, and the API refuses it anyway.
	Permissions []string
}

// Can reports whether the identity holds permission p.
func (id Identity) Can(p string) bool {
	for _, q := range id.Permissions {
		if q == p {
			return true
		}
	}
	return false
}

// Request is one call of a JSON API route, made in-process as a caller.
type Request struct {
	Method string
	// Path is the route's path (/v1/...), Query its parameters.
	Path  string
	Query url.Values
	// Body is sent as application/json when not nil.
	Body []byte
	As   Caller
	// RemoteAddr and UserAgent are the browser's, for the audit trail.
	RemoteAddr, UserAgent string
	// Sink, when set, receives the answer's status and headers before its
	// body, and returns where the body is written (for streamed downloads);
	// Response.Body is then empty.
	Sink func(status int, header http.Header) io.Writer
}

// Response is the API's answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// API is what the console needs of the JSON API: it calls the very routes a
// client would, so the role checks, rules and audit records are the API's.
type API interface {
	// Identify checks a secret API key, as the API's bearer authentication
	// does, and returns the key it names.
	Identify(ctx context.Context, token string) (Identity, error)
	// Do answers r as the API would answer r.As over HTTP.
	Do(ctx context.Context, r Request) (Response, error)
}
