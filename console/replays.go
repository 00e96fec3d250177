package console

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"
)

func (c *Console) replayRoutes() {
	c.mux.Handle("GET /console/replays", c.page(c.replays))
	c.mux.Handle("POST /console/replays/preview", c.action(c.previewReplay))
	c.mux.Handle("POST /console/replays", c.action(c.createReplay))
	c.mux.Handle("GET /console/replays/{id}", c.page(c.replayPage))
	c.mux.Handle("GET /console/replays/{id}/progress", c.page(c.replayProgress))
	c.mux.Handle("POST /console/replays/{id}/cancel", c.action(c.cancelReplay))
}

// replayForm is the bulk replay form, and the dry run's answer.
type replayForm struct {
	EndpointID, Status, EventType, From, To, Rate string
	Endpoints                                     []endpoint
	Count                                         *int
	Message                                       string
	Past                                          []replay
	// Listed is false when the API has no replay list to show.
	Listed bool
}

func (c *Console) replays(k *call) error {
	now := c.now().UTC()
	f := replayForm{Status: "failed", From: now.Add(-24 * time.Hour).Format(localTime), To: now.Add(time.Minute).Format(localTime)}
	return c.showReplayForm(k, 200, f)
}

func (c *Console) showReplayForm(k *call, status int, f replayForm) error {
	var eps list[endpoint]
	if err := k.api("GET", "/v1/webhooks/endpoints", nil, nil, &eps); err != nil {
		return err
	}
	f.Endpoints = eps.Data
	var past list[replay]
	if err := k.api("GET", "/v1/webhooks/replays", url.Values{"limit": {"50"}}, nil, &past); err != nil {
		return err
	}
	f.Listed, f.Past = true, past.Data
	k.render(status, "replays", "Replays", f)
	return nil
}

// readReplayForm reads the form and builds the API's request body.
func readReplayForm(v url.Values) (replayForm, map[string]any, string) {
	f := replayForm{EndpointID: v.Get("endpoint_id"), Status: v.Get("status"), EventType: strings.TrimSpace(v.Get("event_type")),
		From: v.Get("from"), To: v.Get("to"), Rate: strings.TrimSpace(v.Get("rate_per_second"))}
	body := map[string]any{"endpoint_id": f.EndpointID, "status": f.Status}
	if f.EventType != "" {
		body["event_type"] = f.EventType
	}
	for name, in := range map[string]string{"created_after": f.From, "created_before": f.To} {
		t, err := time.Parse(localTime, in)
		if err != nil {
			return f, nil, "The period needs a start and an end date and time."
		}
		body[name] = t.UTC().Format(time.RFC3339)
	}
	if f.Rate != "" {
		n, err := strconv.Atoi(f.Rate)
		if err != nil {
			return f, nil, "rate_per_second: a whole number"
		}
		body["rate_per_second"] = n
	}
	return f, body, ""
}

// previewReplay counts what the replay would send (a dry run) and asks to confirm.
func (c *Console) previewReplay(k *call) error {
	f, body, msg := readReplayForm(k.r.PostForm)
	if msg != "" {
		f.Message = msg
		return c.showReplayForm(k, 422, f)
	}
	body["dry_run"] = true
	var r replay
	if err := k.api("POST", "/v1/webhooks/replays", nil, body, &r); err != nil {
		if f.Message, err = formError(err); err != nil {
			return err
		}
		return c.showReplayForm(k, 422, f)
	}
	f.Count = &r.Total
	return c.showReplayForm(k, 200, f)
}

func (c *Console) createReplay(k *call) error {
	f, body, msg := readReplayForm(k.r.PostForm)
	if msg != "" {
		f.Message = msg
		return c.showReplayForm(k, 422, f)
	}
	var r replay
	if err := k.api("POST", "/v1/webhooks/replays", nil, body, &r); err != nil {
		if f.Message, err = formError(err); err != nil {
			return err
		}
		return c.showReplayForm(k, 422, f)
	}
	k.redirect("/console/replays/" + url.PathEscape(r.ID))
	return nil
}

func (c *Console) replayPage(k *call) error {
	var r replay
	if err := k.api("GET", "/v1/webhooks/replays/"+url.PathEscape(k.r.PathValue("id")), nil, nil, &r); err != nil {
		return err
	}
	k.render(200, "replay", "Replay "+r.ID, r)
	return nil
}

// replayProgress is the replay's progress as JSON, for the page's script.
func (c *Console) replayProgress(k *call) error {
	var r replay
	if err := k.api("GET", "/v1/webhooks/replays/"+url.PathEscape(k.r.PathValue("id")), nil, nil, &r); err != nil {
		return err
	}
	k.w.Header().Set("Content-Type", "application/json")
	k.done = true
	return json.NewEncoder(k.w).Encode(map[string]any{"status": r.Status, "total": r.Total, "done": r.DoneCount()})
}

func (c *Console) cancelReplay(k *call) error {
	id := k.r.PathValue("id")
	if err := k.api("POST", "/v1/webhooks/replays/"+url.PathEscape(id)+"/cancel", nil, map[string]any{}, nil); err != nil {
		return err
	}
	k.redirect("/console/replays/" + url.PathEscape(id))
	return nil
}
