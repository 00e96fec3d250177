package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/countersign/countersign/internal/redact"
)

// Report is the bench's result: the table on stdout and --json FILE.
type Report struct {
	// Headline figures.
	DeliveriesPerSecond  float64        `json:"deliveries_per_second"`
	EventsPerSecond      float64        `json:"events_per_second"`
	APIRequestsPerSecond float64        `json:"api_requests_per_second"`
	Latency              latencyFigures `json:"latency_ms"`
	PeakRSSBytes         uint64         `json:"peak_rss_bytes"`
	CPUSeconds           float64        `json:"cpu_seconds"`
	RedisUsedMemoryPeak  int64          `json:"redis_used_memory_peak"`
	Ceilings             ceilings       `json:"ceilings"`
	Ratios               ratios         `json:"ratios"`

	// What was run.
	Setup benchSetup `json:"setup"`
	// DatabaseKind is sqlite, postgres or unknown (--target).
	DatabaseKind string `json:"database_kind"`
	// Windows, in seconds: driving (first request to the last answer) and
	// delivery (first request to the last delivery received).
	DriveSeconds  float64 `json:"drive_seconds"`
	WindowSeconds float64 `json:"window_seconds"`

	Flows       flowCounts   `json:"flows"`
	APIRequests int64        `json:"api_requests"`
	APIFailures []apiFailure `json:"api_failures"`

	// EventsCommitted is from the service's database when the bench can read
	// it, else the distinct events received.
	EventsCommitted    int64   `json:"events_committed"`
	EventsReceived     int64   `json:"events_received"`
	EventsPerFlow      float64 `json:"events_per_flow"`
	EventsPerFlowModel int     `json:"events_per_flow_model"`

	// Expected deliveries, and where the number comes from: "service" (its
	// database's delivery rows) or "api-calls" (successful calls × events × endpoints).
	Expected       int64  `json:"expected"`
	ExpectedSource string `json:"expected_source"`
	Delivered      int64  `json:"delivered"`
	Duplicates     int64  `json:"duplicates"`
	Retried        int64  `json:"retried"`
	// Lost is expected − delivered; LostBreakdown says why, from the service's record.
	Lost           int64            `json:"lost"`
	LostBreakdown  lostBreakdown    `json:"lost_breakdown"`
	Requests       int64            `json:"receiver_requests"`
	VerifyFailures int64            `json:"verify_failures"`
	Answers        map[string]int64 `json:"answers"`
	Service        *deliveryCounts  `json:"service_deliveries,omitempty"`

	Processes []procFigures `json:"processes,omitempty"`
	// BenchCPUSeconds is the bench's own CPU time (driver, receivers) over
	// the same window, when the service runs in other processes.
	BenchCPUSeconds         float64        `json:"bench_cpu_seconds,omitempty"`
	RedisUsedMemoryBaseline int64          `json:"redis_used_memory_baseline"`
	Backlog                 *backlogReport `json:"backlog,omitempty"`
	ServiceLog              serviceLog     `json:"service_log"`
	Warnings                []string       `json:"warnings"`
}

// lostBreakdown splits the deliveries that did not arrive acknowledged.
type lostBreakdown struct {
	// StillPending were pending in the service when the drain ended: it was behind.
	StillPending int64 `json:"still_pending"`
	// Failed exhausted their attempts in the service.
	Failed int64 `json:"failed"`
	// Unaccounted are neither: the service recorded them delivered, or its
	// record could not be read. With a readable record, any is a bug.
	Unaccounted int64 `json:"unaccounted"`
}

// benchSetup describes the run.
type benchSetup struct {
	Mode               string   `json:"mode"`
	Database           string   `json:"database"`
	Redis              string   `json:"redis"`
	Endpoints          int      `json:"endpoints"`
	EventTypes         []string `json:"event_types"`
	Rate               float64  `json:"rate"`
	Concurrency        int      `json:"concurrency"`
	Duration           string   `json:"duration"`
	Mix                string   `json:"mix"`
	Workers            int      `json:"workers"`
	ServiceConcurrency int      `json:"service_concurrency"`
	RetrySchedule      string   `json:"retry_schedule"`
	CPUs               int      `json:"cpus"`
}

type flowCounts struct {
	Started   int64 `json:"started"`
	Completed int64 `json:"completed"`
	Failed    int64 `json:"failed"`
	// Missed is paced flows not started because too many were in flight.
	Missed int64 `json:"missed"`
}

// ratios are the headline figures as shares of their ceilings.
type ratios struct {
	DeliveriesOfAsynq      float64 `json:"deliveries_of_asynq_noop"`
	DeliveriesOfSignedPost float64 `json:"deliveries_of_signed_post"`
	DeliveriesOfCeiling    float64 `json:"deliveries_of_ceiling"`
	// EventsOfCeiling is events/s × deliveries per event over the ceiling.
	EventsOfCeiling float64 `json:"events_of_ceiling"`
	DrainOfCeiling  float64 `json:"backlog_drain_of_ceiling,omitempty"`
}

// collect fills the report from the run's parts.
func (b *bench) collect(ctx context.Context) {
	r, cfg := b.rep, b.cfg
	r.Setup = benchSetup{Mode: b.svc.mode, Database: "unknown", Endpoints: cfg.Endpoints, EventTypes: cfg.EventTypes,
		Rate: cfg.Rate, Concurrency: cfg.Concurrency, Duration: cfg.Duration.String(), Mix: cfg.Mix.String(),
		Workers: cfg.Workers, ServiceConcurrency: cfg.ServiceConcurrency, RetrySchedule: cfg.RetrySchedule, CPUs: numCPU()}
	if b.svc.dbURL != "" {
		r.Setup.Database = redact.URL(b.svc.dbURL)
		r.DatabaseKind, _, _ = strings.Cut(b.svc.dbURL, ":")
		r.DatabaseKind = strings.TrimSuffix(r.DatabaseKind, "ql") // postgresql → postgres
	}
	r.Setup.Redis = redact.URL(b.svc.redisURL)
	d := b.drv
	r.Flows = flowCounts{Started: d.flowsStarted.Load(), Completed: d.flowsDone.Load(), Failed: d.flowsFailed.Load(), Missed: d.missed.Load()}
	r.APIRequests, r.APIFailures = d.requests.Load(), d.failureList()
	if r.DriveSeconds > 0 {
		r.APIRequestsPerSecond = float64(r.APIRequests) / r.DriveSeconds
	}
	s := b.recv.stats()
	r.Delivered, r.Duplicates, r.Retried, r.Requests, r.VerifyFailures = s.Delivered, s.Duplicates, s.Retried, s.Requests, s.VerifyFailures
	r.EventsReceived, r.EventsCommitted = s.Events, s.Events
	r.Answers = map[string]int64{}
	for k := range answerKinds {
		r.Answers[answerNames[k]] = b.recv.answers[k].Load()
	}
	exp := b.expected(ctx)
	r.Expected, r.ExpectedSource = exp.total, "api-calls"
	if exp.fromService {
		r.ExpectedSource = "service"
		r.Service = &deliveryCounts{Pending: exp.pending, Delivered: exp.delivered, Failed: exp.failed}
		if n, err := b.ledger.events(ctx); err == nil {
			r.EventsCommitted = n
		}
	}
	r.Lost = max(r.Expected-r.Delivered, 0)
	r.LostBreakdown.StillPending = min(exp.pending, r.Lost)
	r.LostBreakdown.Failed = min(exp.failed, r.Lost-r.LostBreakdown.StillPending)
	r.LostBreakdown.Unaccounted = r.Lost - r.LostBreakdown.StillPending - r.LostBreakdown.Failed
	r.EventsPerFlowModel = modelEventsPerFlow()
	if r.Flows.Completed > 0 {
		r.EventsPerFlow = float64(r.EventsCommitted) / float64(r.Flows.Completed)
	}
	if !s.LastDelivery.IsZero() && s.LastDelivery.After(b.winStart) {
		r.WindowSeconds = s.LastDelivery.Sub(b.winStart).Seconds()
		r.DeliveriesPerSecond = float64(r.Delivered) / r.WindowSeconds
	}
	if r.DriveSeconds > 0 {
		r.EventsPerSecond = float64(r.EventsCommitted) / r.DriveSeconds
	}
	r.Latency = b.recv.lat.figures()
	r.Processes = b.procs.figures()
	for _, p := range r.Processes {
		r.PeakRSSBytes += p.PeakRSSBytes
		r.CPUSeconds += p.CPUSeconds
	}
	if b.svc.mode != "in-process" {
		if self, err := readProc(os.Getpid()); err == nil {
			r.BenchCPUSeconds = (self.CPU - b.selfCPU).Seconds()
		}
	}
	if b.redis != nil {
		r.RedisUsedMemoryPeak, r.RedisUsedMemoryBaseline, _ = b.redis.figures()
	}
	r.warn(b)
}

// warn lists what makes the figures suspect.
func (r *Report) warn(b *bench) {
	r.Warnings = []string{}
	add := func(format string, args ...any) { r.Warnings = append(r.Warnings, fmt.Sprintf(format, args...)) }
	if l := r.LostBreakdown; r.Lost > 0 {
		add("%d of %d expected deliveries did not arrive (acknowledged) within the drain of %s: %d still pending in the service, %d failed there, %d unaccounted for",
			r.Lost, r.Expected, b.cfg.Drain, l.StillPending, l.Failed, l.Unaccounted)
	}
	if r.VerifyFailures > 0 {
		add("%d requests failed signature verification", r.VerifyFailures)
	}
	if r.Delivered > r.Expected {
		add("more distinct deliveries arrived (%d) than expected (%d)", r.Delivered, r.Expected)
	}
	if r.Flows.Missed > 0 {
		add("the driver could not keep up with --rate %g: %d flows not started", b.cfg.Rate, r.Flows.Missed)
	}
	if len(r.APIFailures) > 0 {
		add("%d flows failed on an API call (see api_failures)", r.Flows.Failed)
	}
	for _, f := range r.APIFailures {
		if strings.Contains(f.What, "status 429") {
			add("the API rate-limited the bench's key (COUNTERSIGN_API_RATE_LIMIT of the service; the bench sets 0 on services it starts)")
			break
		}
	}
	if r.Flows.Completed > 0 && r.EventsPerFlow != float64(r.EventsPerFlowModel) && r.Flows.Failed == 0 {
		add("%.2f events per flow committed, the model says %d", r.EventsPerFlow, r.EventsPerFlowModel)
	}
	if b.svc.mode == "in-process" {
		add("in-process: RSS and CPU are the bench's own process (service, driver and receivers together)")
	}
	if numCPU() <= 2 {
		add("the driver and receivers share %d CPUs with the service", numCPU())
	}
}

// computeRatios divides the headline figures by their ceilings.
func (r *Report) computeRatios() {
	c := r.Ceilings
	ceiling := minPositive(c.AsynqNoop, c.SignedPost)
	r.Ratios = ratios{DeliveriesOfAsynq: ratio(r.DeliveriesPerSecond, c.AsynqNoop),
		DeliveriesOfSignedPost: ratio(r.DeliveriesPerSecond, c.SignedPost), DeliveriesOfCeiling: ratio(r.DeliveriesPerSecond, ceiling)}
	if r.EventsCommitted > 0 {
		r.Ratios.EventsOfCeiling = ratio(r.EventsPerSecond*float64(r.Expected)/float64(r.EventsCommitted), ceiling)
	}
	if r.Backlog != nil {
		r.Ratios.DrainOfCeiling = ratio(r.Backlog.DrainPerSecond, ceiling)
	}
}

func ratio(v, of float64) float64 {
	if of <= 0 {
		return 0
	}
	return v / of
}

func minPositive(a, b float64) float64 {
	switch {
	case a <= 0:
		return b
	case b <= 0:
		return a
	}
	return min(a, b)
}

// write prints the table and writes the JSON file, if asked.
func (r *Report) write(stdout io.Writer, jsonFile string) error {
	r.printTable(stdout)
	if jsonFile == "" {
		return nil
	}
	raw, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("bench: encode the report: %w", err)
	}
	if err := os.WriteFile(jsonFile, append(raw, '\n'), 0o644); err != nil {
		return fmt.Errorf("bench: write %s: %w", jsonFile, err)
	}
	return nil
}

// mib renders bytes in MiB.
func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
