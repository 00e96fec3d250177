package api_test

import (
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"testing"
	"time"

	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/console"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/storage/storagetest"
)

// consoleBenchEvents is how many events the page benchmark fills the
// workspace with.
var consoleBenchEvents = flag.Int("console.events", 1_000_000, "events in the workspace of BenchmarkConsolePages")

// BenchmarkConsolePages renders every console page, signed in, through the
// real HTTP server, over a SQLite workspace holding -console.events events of
// every catalogue type spread over 30 days, plus an endpoint, a started
// process and their deliveries. Run it with:
//
//	go test -run '^$' -bench BenchmarkConsolePages -benchtime 20x ./api/
func BenchmarkConsolePages(b *testing.B) {
	h := newHarness(b, api.Config{}, api.Deps{})
	db, ws, token := h.db, h.ws, h.owner
	h.srv.MountConsole(console.New(h.srv.Console(), console.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	base := h.listen()
	call := func(want int, method, path string, body any) map[string]any {
		return h.expectJSON(want, method, path, token, body)
	}
	endpointID := call(201, "POST", "/v1/webhooks/endpoints", map[string]any{"url": "http://127.0.0.1:9/hook", "event_types": []string{"*"}})["id"].(string)
	processID := call(201, "POST", "/v1/processes", processBody())["id"].(string)
	call(200, "POST", "/v1/processes/"+processID+"/start", nil)

	fill := time.Now()
	types := events.Types
	start := time.Now().Add(-30 * 24 * time.Hour)
	step := 30 * 24 * time.Hour / time.Duration(max(*consoleBenchEvents, 1))
	payloads := make([]json.RawMessage, len(types))
	for i, ty := range types {
		payloads[i] = json.RawMessage(events.Example(ty).Data)
	}
	for done := 0; done < *consoleBenchEvents; {
		batch := make([]storagetest.Event, min(20_000, *consoleBenchEvents-done))
		for i := range batch {
			n := done + i
			batch[i] = storagetest.Event{Type: types[n%len(types)], WorkspaceID: ws.WorkspaceID, APIKeyID: ws.APIKeyID,
				ResourceID: "3f9c2a7e-5b1d-4c8e-9a06-2d7f1e4b8c53", CreatedAt: start.Add(time.Duration(n) * step), Data: payloads[n%len(types)]}
		}
		storagetest.InsertEvents(b, db, batch...)
		done += len(batch)
	}
	b.Logf("filled %d events in %s", *consoleBenchEvents, time.Since(fill).Round(time.Second))
	first := func(path string) string {
		return call(200, "GET", path, nil)["data"].([]any)[0].(map[string]any)["id"].(string)
	}
	eventID := first("/v1/events?limit=1&type=transaction.*")
	deliveryID := first("/v1/webhooks/deliveries?limit=1")

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: time.Minute}
	res, err := browser.Get(base + "/console/sign-in")
	if err != nil {
		b.Fatal(err)
	}
	html, _ := io.ReadAll(res.Body)
	res.Body.Close()
	res, err = browser.PostForm(base+"/console/sign-in", url.Values{"api_key": {token},
		"csrf_token": {csrfField.FindStringSubmatch(string(html))[1]}})
	if err != nil || res.Request.URL.Path != "/console/overview" {
		b.Fatalf("sign-in: %v at %v", err, res.Request.URL)
	}
	res.Body.Close()

	day := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04") }
	pages := []struct{ name, path string }{
		{"overview", "/console/overview"},
		{"endpoints", "/console/endpoints"},
		{"endpoint", "/console/endpoints/" + endpointID},
		{"events", "/console/events"},
		{"events_type_before", "/console/events?period=before&type=action.*&to=" + day(start.Add(15*24*time.Hour))},
		{"events_between_key", "/console/events?period=between&api_key_id=" + ws.APIKeyID +
			"&from=" + day(start.Add(24*time.Hour)) + "&to=" + day(start.Add(48*time.Hour))},
		{"event", "/console/events/" + eventID},
		{"deliveries", "/console/deliveries"},
		{"delivery", "/console/deliveries/" + deliveryID},
		{"replays", "/console/replays"},
		{"processes", "/console/processes"},
		{"process", "/console/processes/" + processID},
		{"event_types", "/console/event-types"},
		{"api_keys", "/console/api-keys"},
		{"usage", "/console/usage"},
		{"usage_30_days", "/console/usage?from=" + start.Format("2006-01-02") + "&to=" + time.Now().AddDate(0, 0, 1).Format("2006-01-02")},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				res, err := browser.Get(base + p.path)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 || res.Request.URL.Path == "/console/sign-in" {
					b.Fatalf("GET %s: %d at %s", p.path, res.StatusCode, res.Request.URL)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/page")
		})
	}
}
