package console

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

func (c *Console) eventRoutes() {
	c.mux.Handle("GET /console/events", c.page(c.events))
	c.mux.Handle("GET /console/events/export.csv", c.page(c.exportEvents))
	c.mux.Handle("GET /console/events/{id}", c.page(c.eventPage))
	c.mux.Handle("POST /console/events/{id}/replay", c.action(c.replayEvent))
}

// localTime is the format of the datetime-local inputs (UTC).
const localTime = "2006-01-02T15:04"

// eventSearch is the search form, read from the URL so links can be shared.
type eventSearch struct {
	Period   string // "before" or "between"
	From, To string
	Type     string
	APIKeyID string
	Resource string
	After    string
}

func readEventSearch(q url.Values) eventSearch {
	s := eventSearch{Period: q.Get("period"), From: q.Get("from"), To: q.Get("to"), Type: strings.TrimSpace(q.Get("type")),
		APIKeyID: strings.TrimSpace(q.Get("api_key_id")), Resource: strings.TrimSpace(q.Get("resource_id")), After: q.Get("after")}
	if s.Period != "between" {
		s.Period = "before"
	}
	return s
}

// apiQuery is the search as the API's parameters.
func (s eventSearch) apiQuery() (url.Values, error) {
	q := url.Values{}
	if s.To != "" {
		t, err := time.Parse(localTime, s.To)
		if err != nil {
			return nil, &apiError{Status: 400, Code: "invalid_request", Field: "to", Message: "to: not a date and time"}
		}
		q.Set("created_before", t.UTC().Format(time.RFC3339))
	}
	if s.Period == "between" && s.From != "" {
		t, err := time.Parse(localTime, s.From)
		if err != nil {
			return nil, &apiError{Status: 400, Code: "invalid_request", Field: "from", Message: "from: not a date and time"}
		}
		q.Set("created_after", t.UTC().Format(time.RFC3339))
	}
	if s.Type != "" {
		q.Set("type", s.Type)
	}
	if s.APIKeyID != "" {
		q.Set("api_key_id", s.APIKeyID)
	}
	if s.Resource != "" {
		q.Set("resource_id", s.Resource)
	}
	return q, nil
}

// link is the console URL of the search (without the cursor).
func (s eventSearch) link() url.Values {
	v := url.Values{"period": {s.Period}}
	for k, x := range map[string]string{"from": s.From, "to": s.To, "type": s.Type, "api_key_id": s.APIKeyID, "resource_id": s.Resource} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v
}

type eventsData struct {
	Search  eventSearch
	Events  []event
	Types   []eventType
	Keys    []apiKey
	Message string
	Next    string
	Export  string
}

func (c *Console) events(k *call) error {
	s := readEventSearch(k.r.URL.Query())
	d := eventsData{Search: s}
	var err error
	if d.Types, err = k.catalog(); err != nil {
		return err
	}
	var keys list[apiKey]
	if k.s.identity.Can("keys") && k.api("GET", "/v1/api-keys", nil, nil, &keys) == nil {
		d.Keys = keys.Data
	}
	q, err := s.apiQuery()
	if err == nil {
		d.Export = "/console/events/export.csv?" + s.link().Encode()
		if s.After != "" {
			q.Set("starting_after", s.After)
		}
		q.Set("limit", "50")
		var l list[event]
		if err = k.api("GET", "/v1/events", q, nil, &l); err == nil {
			d.Events = l.Data
			if cur := last(l); cur != "" {
				v := s.link()
				v.Set("after", cur)
				d.Next = "/console/events?" + v.Encode()
			}
		}
	}
	status := 200
	if err != nil {
		if d.Message, err = formError(err); err != nil {
			return err
		}
		status = 422
	}
	k.render(status, "events", "Events", d)
	return nil
}

// exportEvents streams the API's CSV export of the search to the browser.
func (c *Console) exportEvents(k *call) error {
	q, err := readEventSearch(k.r.URL.Query()).apiQuery()
	if err != nil {
		return err
	}
	var failed []byte
	res, err := c.api.Do(k.r.Context(), Request{Method: "GET", Path: "/v1/events/export.csv", Query: q,
		As: k.s.identity.Caller, RemoteAddr: k.r.RemoteAddr, UserAgent: k.r.UserAgent(),
		Sink: func(status int, h http.Header) io.Writer {
			if status != http.StatusOK {
				return writerFunc(func(p []byte) (int, error) { failed = append(failed, p...); return len(p), nil })
			}
			k.w.Header().Set("Content-Type", h.Get("Content-Type"))
			k.w.Header().Set("Content-Disposition", h.Get("Content-Disposition"))
			k.done = true
			return k.w
		}})
	if err != nil || k.done {
		return err
	}
	res.Body = failed
	return k.decode("GET", "/v1/events/export.csv", res, nil)
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

type eventPageData struct {
	Event      event
	Envelope   string
	Deliveries []delivery
	Endpoints  []endpoint
	Message    string
}

func (c *Console) eventPage(k *call) error {
	id := k.r.PathValue("id")
	var e event
	if err := k.api("GET", "/v1/events/"+url.PathEscape(id), nil, nil, &e); err != nil {
		return err
	}
	d := eventPageData{Event: e}
	env := e
	env.ResponseBody = nil
	d.Envelope = envelopeJSON(env)
	var dl list[delivery]
	if err := k.api("GET", "/v1/webhooks/deliveries", url.Values{"event_id": {id}, "limit": {"100"}}, nil, &dl); err != nil {
		return err
	}
	d.Deliveries = dl.Data
	var eps list[endpoint]
	if err := k.api("GET", "/v1/webhooks/endpoints", nil, nil, &eps); err != nil {
		return err
	}
	d.Endpoints = eps.Data
	d.Message = k.r.URL.Query().Get("replayed")
	k.render(200, "event", e.Type, d)
	return nil
}

func (c *Console) replayEvent(k *call) error {
	id := k.r.PathValue("id")
	body := map[string]any{}
	if ep := k.r.PostForm.Get("endpoint_id"); ep != "" {
		body["endpoint_id"] = ep
	}
	if err := k.api("POST", "/v1/events/"+url.PathEscape(id)+"/replay", nil, body, nil); err != nil {
		return err
	}
	k.redirect("/console/events/" + url.PathEscape(id) + "?replayed=" + url.QueryEscape("Replay queued."))
	return nil
}

// envelopeJSON is the event as receivers get it, indented.
func envelopeJSON(e event) string {
	env := struct {
		ID          string          `json:"id"`
		Object      string          `json:"object"`
		Type        string          `json:"type"`
		CreatedAt   any             `json:"created_at"`
		WorkspaceID string          `json:"workspace_id"`
		APIKeyID    *string         `json:"api_key_id"`
		ResourceID  *string         `json:"resource_id"`
		Data        json.RawMessage `json:"data"`
	}{e.ID, e.Object, e.Type, e.CreatedAt, e.WorkspaceID, e.APIKeyID, e.ResourceID, e.Data}
	if len(env.Data) == 0 {
		env.Data = json.RawMessage("null")
	}
	b, err := json.MarshalIndent(env, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}
