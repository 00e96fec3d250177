package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/bench"
	"github.com/countersign/countersign/queue/queuetest"
)

// TestBenchSmoke runs a few seconds of `countersign bench` in process, on
// real Redis and a temp SQLite file, and checks that deliveries arrived,
// verified and complete. It never checks how fast: that is the bench's job.
func TestBenchSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("the bench smoke run takes a few seconds")
	}
	redisURL := queuetest.URL(t)
	withEnv(t, nil)
	out := filepath.Join(t.TempDir(), "bench.json")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr syncBuffer
	err := run(ctx, []string{"bench", "--in-process", "--duration", "3s", "--endpoints", "3", "--skip-ceilings",
		"--rate", "20", "--redis-url", redisURL, "--json", out}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("bench: %v\nstderr:\n%s", err, stderr.String())
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]any
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("--json wrote %s: %v", raw, err)
	}
	for _, key := range []string{"deliveries_per_second", "events_per_second", "api_requests_per_second",
		"latency_ms", "peak_rss_bytes", "ceilings", "duplicates", "lost"} {
		if _, ok := r[key]; !ok {
			t.Errorf("the JSON report has no %q", key)
		}
	}
	for _, key := range []string{"p50", "p90", "p99", "max"} {
		if _, ok := r["latency_ms"].(map[string]any)[key]; !ok {
			t.Errorf("latency_ms has no %q", key)
		}
	}
	for _, key := range []string{"asynq_noop_per_second", "signed_post_per_second"} {
		if _, ok := r["ceilings"].(map[string]any)[key]; !ok {
			t.Errorf("ceilings has no %q", key)
		}
	}
	var rep bench.Report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Flows.Completed == 0 || rep.Delivered == 0 || rep.DeliveriesPerSecond <= 0 {
		t.Fatalf("nothing delivered: %s\n%s", raw, stderr.String())
	}
	if rep.ExpectedSource != "service" || rep.Expected != rep.Flows.Completed*5*3 || rep.Lost != 0 || rep.VerifyFailures != 0 {
		t.Errorf("expected %d (%s) for %d flows, delivered %d, lost %d, %d bad signatures",
			rep.Expected, rep.ExpectedSource, rep.Flows.Completed, rep.Delivered, rep.Lost, rep.VerifyFailures)
	}
	if rep.EventsCommitted != rep.Flows.Completed*5 || rep.Latency.Samples != int(rep.Delivered) {
		t.Errorf("%d events for %d flows, %d latency samples for %d deliveries",
			rep.EventsCommitted, rep.Flows.Completed, rep.Latency.Samples, rep.Delivered)
	}
	if len(rep.APIFailures) > 0 {
		t.Errorf("API failures %v", rep.APIFailures)
	}
	if rep.ServiceLog.Errors > 0 {
		t.Logf("the service logged errors (reported, not failed on): %+v", rep.ServiceLog)
	}
	table := stdout.String()
	for _, want := range []string{"deliveries/s", "latency commit→receipt", "duplicates"} {
		if !strings.Contains(table, want) {
			t.Errorf("the table has no %q:\n%s", want, table)
		}
	}
	if !bytes.Contains([]byte(stderr.String()), []byte("deliveries")) {
		t.Errorf("no progress line on stderr: %s", stderr.String())
	}
}
