package api_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/coord"
	"github.com/countersign/countersign/internal/redistest"
	"github.com/countersign/countersign/storage/storagetest"
)

// TestRateLimitAcrossServers: two API servers sharing a database and a Redis
// let one key make at most its rate (plus its burst) in total. Counted per
// server, the key would get twice as many.
func TestRateLimitAcrossServers(t *testing.T) {
	const rate, burst = 50, 10
	db := storagetest.OpenSQLite(t)
	prefix := "test-" + countersign.NewID("t", time.Now()) + ":" // its keys expire within seconds
	cfg := api.Config{RateLimit: rate, RateBurst: burst}
	a := newHarnessOn(t, db, cfg, api.Deps{KeyLimiter: coord.NewKeyLimiter(redistest.Client(t), prefix)})
	b := newHarnessOn(t, db, cfg, api.Deps{KeyLimiter: coord.NewKeyLimiter(redistest.Client(t), prefix)})
	var mu sync.Mutex
	counts := map[int]int{}
	start := time.Now()
	var wg sync.WaitGroup
	for i := range 4 {
		h := []*harness{a, b}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(start) < 3*time.Second {
				res := h.send(t, apiRequest{Method: "GET", Path: "/v1/document-attributes", Token: a.owner})
				mu.Lock()
				counts[res.Status]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	allowed := int(elapsed.Seconds()*rate) + burst + 1
	t.Logf("in %s: %d answered 200, %d answered 429 (at most %d allowed)", elapsed.Round(time.Millisecond),
		counts[http.StatusOK], counts[http.StatusTooManyRequests], allowed)
	if counts[http.StatusOK] > allowed {
		t.Fatalf("%d requests passed in %s; the key's limit allows %d across both servers", counts[http.StatusOK], elapsed, allowed)
	}
	if counts[http.StatusTooManyRequests] == 0 || len(counts) != 2 {
		t.Fatalf("answers %v, want 200s and 429s only", counts)
	}
}

// TestRateLimitFailsOpen: when the shared count does not answer, requests
// go through and the metric counts them.
func TestRateLimitFailsOpen(t *testing.T) {
	c := redistest.Client(t)
	reg := prometheus.NewRegistry()
	h := newHarness(t, api.Config{RateLimit: 0.001, RateBurst: 1}, api.Deps{KeyLimiter: coord.NewKeyLimiter(c, "x:"), Registry: reg})
	c.Close()
	for i := range 3 {
		if res := h.send(t, apiRequest{Method: "GET", Path: "/v1/document-attributes", Token: h.owner}); res.Status != 200 {
			t.Fatalf("request %d with Redis down: %d %s", i+1, res.Status, res.Body)
		}
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "countersign_api_rate_limit_unavailable_total" {
			if v := mf.GetMetric()[0].GetCounter().GetValue(); v != 3 {
				t.Fatalf("%s = %g, want 3", mf.GetName(), v)
			}
			return
		}
	}
	t.Fatal("no countersign_api_rate_limit_unavailable_total metric")
}
