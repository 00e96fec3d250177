package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/countersign/countersign/api"
)

// TestMetricsLabelsSurviveConcurrentTraffic sends mixed methods from several
// clients at once, with 200, 201, 404, 405 and 409 answers among them,
// then reads /metrics: it must answer 200, and every method label must be a
// real method counted as often as it was sent. Labels that borrowed Fiber's
// per-request buffers turned into "GETT" or "POSTH" and broke the registry.
func TestMetricsLabelsSurviveConcurrentTraffic(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	const clients, rounds = 4, 15
	type call struct {
		method, path string
		body         any
		want         int
	}
	calls := []call{
		{"GET", "/v1/api-keys", nil, http.StatusOK},
		{"POST", "/v1/api-keys", map[string]any{"name": "load", "role": "member"}, http.StatusCreated},
		{"DELETE", "/v1/api-keys/" + s.ws.APIKeyID, nil, http.StatusConflict}, // the last owner key
		{"PUT", "/v1/api-keys", nil, http.StatusMethodNotAllowed},
		{"PATCH", "/v1/api-keys/key_00000000000000000000000000", map[string]any{"name": "x"}, http.StatusNotFound},
	}
	var wg sync.WaitGroup
	errs := make(chan string, clients*rounds*len(calls))
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				for _, c := range calls {
					res := s.do(c.method, c.path, s.owner, c.body)
					if res.Status != c.want {
						errs <- c.method + " " + c.path + ": " + strconv.Itoa(res.Status) + " " + string(res.Body)
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("unexpected answer %s", e)
	}
	res := s.do("GET", "/metrics", "", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("/metrics answered %d: %.500s", res.Status, res.Body)
	}
	got := map[string]float64{}
	for _, line := range strings.Split(string(res.Body), "\n") {
		rest, ok := strings.CutPrefix(line, `countersign_http_requests_total{method="`)
		if !ok {
			continue
		}
		method, rest, _ := strings.Cut(rest, `"`)
		_, count, _ := strings.Cut(rest, "} ")
		n, err := strconv.ParseFloat(count, 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		got[method] += n
	}
	want := map[string]float64{"POST": clients * rounds, "DELETE": clients * rounds, "PUT": clients * rounds, "PATCH": clients * rounds,
		"GET": clients * rounds} // this GET /metrics is counted once it is answered
	for m, n := range got {
		if want[m] != n {
			t.Errorf("method label %q counted %g, want %g", m, n, want[m])
		}
	}
	for m, n := range want {
		if _, ok := got[m]; !ok {
			t.Errorf("method %s (%g requests) has no label", m, n)
		}
	}
}
