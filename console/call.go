package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// call is one browser request of a signed-in session: the pages' handlers
// read and write through it.
type call struct {
	c *Console
	w http.ResponseWriter
	r *http.Request
	s *session
	// done is set once the handler has answered (a redirect, a download).
	done bool
}

// apiError is a refusal of the API, shown to the person as its message.
type apiError struct {
	Status  int
	Code    string
	Message string
	Field   string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// notFound is the answer to a console URL that names nothing.
var notFound = &apiError{Status: http.StatusNotFound, Code: "not_found", Message: "There is no such page."}

// errSignedOut ends a session whose key the API no longer accepts.
var errSignedOut = errors.New("console: the API key of the session is no longer valid")

// page wraps a read-only page: it needs a session.
func (c *Console) page(h func(*call) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k, ok := c.begin(w, r)
		if !ok {
			return
		}
		c.finish(k, h(k))
	})
}

// action wraps a form's POST: it needs a session and the session's CSRF token.
func (c *Console) action(h func(*call) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k, ok := c.begin(w, r)
		if !ok {
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		if err := r.ParseForm(); err != nil || !k.s.validCSRF(r.PostForm.Get("csrf_token")) {
			k.c.finish(k, &apiError{Status: http.StatusForbidden, Code: "csrf",
				Message: "The form has expired or did not come from this console. Reload the page and try again."})
			return
		}
		c.finish(k, h(k))
	})
}

// begin finds the request's session, or sends the browser to sign in.
func (c *Console) begin(w http.ResponseWriter, r *http.Request) (*call, bool) {
	var raw string
	if ck, err := r.Cookie(cookieName); err == nil {
		raw = ck.Value
	}
	s, ok := c.sessions.get(raw)
	if !ok {
		if r.Method == http.MethodGet {
			http.Redirect(w, r, "/console/sign-in?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		} else {
			http.Redirect(w, r, "/console/sign-in", http.StatusSeeOther)
		}
		return nil, false
	}
	return &call{c: c, w: w, r: r, s: s}, true
}

// finish answers a handler's error, if it has not answered.
func (c *Console) finish(k *call, err error) {
	if err == nil || k.done {
		return
	}
	if errors.Is(err, errSignedOut) {
		c.sessions.destroy(k.s)
		setCookie(k.w, k.r, "")
		http.Redirect(k.w, k.r, "/console/sign-in?expired=1", http.StatusSeeOther)
		return
	}
	var ae *apiError
	if !errors.As(err, &ae) {
		c.log.Error("console page failed", "path", k.r.URL.Path, "err", err)
		ae = &apiError{Status: http.StatusInternalServerError, Code: "internal", Message: "Something went wrong; it has been logged."}
	}
	if ae.Status == http.StatusForbidden && ae.Code != "csrf" {
		ae.Message = "Not allowed: " + ae.Message
	}
	k.render(ae.Status, "error", ae.Message, ae)
}

// api calls an API route as the session's key. A 2xx answer is decoded into
// out (when not nil); a 401 ends the session; other answers are an *apiError.
func (k *call) api(method, path string, q url.Values, body, out any) error {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
	}
	res, err := k.c.api.Do(k.r.Context(), Request{Method: method, Path: path, Query: q, Body: raw,
		As: k.s.identity.Caller, RemoteAddr: k.r.RemoteAddr, UserAgent: k.r.UserAgent()})
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	return k.decode(method, path, res, out)
}

func (k *call) decode(method, path string, res Response, out any) error {
	if res.Status == http.StatusUnauthorized {
		return errSignedOut
	}
	if res.Status/100 != 2 {
		var e struct {
			Error struct{ Code, Message, Field string } `json:"error"`
		}
		_ = json.Unmarshal(res.Body, &e)
		if e.Error.Message == "" {
			e.Error.Message = http.StatusText(res.Status)
		}
		return &apiError{Status: res.Status, Code: e.Error.Code, Message: e.Error.Message, Field: e.Error.Field}
	}
	if out == nil || len(res.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(res.Body, out); err != nil {
		return fmt.Errorf("decode %s %s: %w", method, path, err)
	}
	return nil
}

// redirect answers with a See Other to target.
func (k *call) redirect(target string) {
	http.Redirect(k.w, k.r, target, http.StatusSeeOther)
	k.done = true
}

// formError turns an API refusal into a message shown above a form, so the
// person can correct it; other errors go on.
func formError(err error) (string, error) {
	var ae *apiError
	if errors.As(err, &ae) && ae.Status/100 == 4 && ae.Status != http.StatusForbidden && ae.Status != http.StatusNotFound {
		msg := ae.Message
		if ae.Field != "" {
			msg = ae.Field + ": " + msg
		}
		return msg, nil
	}
	return "", err
}
