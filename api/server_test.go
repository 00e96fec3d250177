package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/countersign/countersign/api"
)

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	res := s.do("GET", "/v1/openapi.json", s.owner, nil)
	if res.Status != 200 {
		t.Fatalf("openapi: %d %s", res.Status, res.Body)
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	ids := map[string]bool{}
	for path, methods := range doc.Paths {
		for method, op := range methods {
			id, _ := op["operationId"].(string)
			if id == "" {
				t.Errorf("%s %s has no operationId", method, path)
			}
			if ids[id] {
				t.Errorf("operationId %s is used twice", id)
			}
			ids[id] = true
		}
	}
	// Every route the router serves under /v1 is in the document.
	for _, r := range s.srv.App().GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/v1/") || r.Method == "HEAD" {
			continue
		}
		p := (api.Operation{Path: r.Path}).OpenAPIPath()
		if _, ok := doc.Paths[p][strings.ToLower(r.Method)]; !ok {
			t.Errorf("route %s %s is not in the OpenAPI document", r.Method, r.Path)
		}
	}
	if len(ids) < 6 {
		t.Fatalf("only %d operations documented", len(ids))
	}
}

func TestMetricsCountRequests(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	s.do("GET", "/v1/api-keys", s.owner, nil)
	s.do("GET", "/v1/api-keys", "", nil)
	res := s.do("GET", "/metrics", "", nil)
	body := string(res.Body)
	for _, want := range []string{
		`countersign_http_requests_total{method="GET",route="/v1/api-keys",status="200"} 1`,
		`countersign_http_requests_total{method="GET",route="/v1",status="401"} 1`,
		`countersign_http_request_duration_seconds_bucket{method="GET",route="/v1/api-keys"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestReadyzNamesTheFailingDependency(t *testing.T) {
	down := api.PingFunc(func(context.Context) error { return context.DeadlineExceeded })
	s := newHarness(t, api.Config{}, api.Deps{})
	if res := s.do("GET", "/readyz", "", nil); res.Status != 200 {
		t.Fatalf("readyz with everything up: %d %s", res.Status, res.Body)
	}
	s2 := newStrictHarness(t, api.Config{}, api.Deps{Redis: down})
	res := s2.do("GET", "/readyz", "", nil)
	if res.Status != http.StatusServiceUnavailable || !strings.Contains(string(res.Body), `"redis":"unavailable"`) ||
		!strings.Contains(string(res.Body), `"database":"ok"`) {
		t.Fatalf("readyz with redis down: %d %s", res.Status, res.Body)
	}
}

func TestShutdownWaitsForInFlightRequest(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	s := newTestServer(t, func(srv *api.Server) {
		srv.App().Get("/slow", func(c *fiber.Ctx) error {
			close(started)
			<-release
			return c.SendString("finished")
		})
	})
	s.listen()
	var wg sync.WaitGroup
	var res response
	wg.Add(1)
	go func() { defer wg.Done(); res = s.do("GET", "/slow", "", nil) }()
	<-started
	shutdownDone := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shutdownDone <- s.srv.Shutdown(ctx)
	}()
	select {
	case <-shutdownDone:
		t.Fatal("shutdown returned while a request was in flight")
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if err := <-shutdownDone; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	wg.Wait()
	if res.Status != 200 || string(res.Body) != "finished" {
		t.Fatalf("in-flight request answered %d %q", res.Status, res.Body)
	}
}
