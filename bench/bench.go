// Package bench is `countersign bench`: it starts (or attaches to) the
// service, registers endpoints on its own verifying receivers, drives the
// REST API, waits for the deliveries and reports what arrived, how fast, and
// the ceilings of the machine. docs/performance.md reads its output.
package bench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/countersign/countersign/internal/kit"
	"github.com/countersign/countersign/webhook"
)

// config is the command line of `countersign bench`.
type config struct {
	Duration, Drain    time.Duration
	Rate               float64
	Concurrency        int
	Endpoints          int
	EventTypes         []string
	Mix                mix
	DatabaseURL        string
	RedisURL           string
	CeilingRedisURL    string
	Workers            int
	InProcess          bool
	Target, APIKey     string
	ServiceConcurrency int
	RetrySchedule      string
	SkipCeilings       bool
	Backlog            int
	JSONFile           string
	Listen             string
	Keep               bool
	// Mail turns notification email on in every flow's process (an
	// invitation and a completion mail to its signer).
	Mail bool
	// ServeCPUProfile, when set, is passed to serve as --cpuprofile.
	ServeCPUProfile string
}

// parseFlags reads bench's flags; mistakes are usage errors.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("countersign bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	var eventTypes, mixText string
	fs.DurationVar(&c.Duration, "duration", 30*time.Second, "how long to drive the API")
	fs.DurationVar(&c.Drain, "drain", 30*time.Second, "how long to wait, after driving, for the expected deliveries")
	fs.Float64Var(&c.Rate, "rate", 0, "flows a second, paced (open loop); 0 drives flat out with --concurrency clients")
	fs.IntVar(&c.Concurrency, "concurrency", 32, "client goroutines when flat out; in-flight cap ÷ 4 when paced")
	fs.IntVar(&c.Endpoints, "endpoints", 10, "webhook endpoints to register (one receiver path each)")
	fs.StringVar(&eventTypes, "event-types", "*", "comma-separated subscription of every endpoint")
	fs.StringVar(&mixText, "mix", "", "receiver answers, e.g. slow=0.05:200ms,error=0.02,timeout=0.01 (the rest 204)")
	fs.StringVar(&c.DatabaseURL, "database-url", "", "service database (default: a fresh SQLite file in a temp dir); with --target, read only for the service's delivery counts")
	fs.StringVar(&c.RedisURL, "redis-url", defaultRedis, "service Redis; FLUSHED first unless --target")
	fs.StringVar(&c.CeilingRedisURL, "ceiling-redis-url", "", "Redis database of the asynq ceiling, FLUSHED (default: the service's, once the service has stopped; required with --target)")
	fs.IntVar(&c.Workers, "workers", 0, "extra `worker` processes; with N>0 serve runs with --no-worker")
	fs.BoolVar(&c.InProcess, "in-process", false, "run the service inside the bench process (tests)")
	fs.StringVar(&c.Target, "target", "", "attach to a running service at this base URL instead of starting one")
	fs.StringVar(&c.APIKey, "api-key", "", "API key for --target (owner, admin or integrator)")
	fs.IntVar(&c.ServiceConcurrency, "service-concurrency", 64, "COUNTERSIGN_WORKER_CONCURRENCY of the service (and the asynq ceiling)")
	fs.StringVar(&c.RetrySchedule, "retry-schedule", "0s,1s,2s,4s,8s", "COUNTERSIGN_RETRY_SCHEDULE of the service, compressed so retries land within --drain")
	fs.BoolVar(&c.SkipCeilings, "skip-ceilings", false, "do not measure the ceilings")
	fs.IntVar(&c.Backlog, "backlog", 0, "fill a backlog of N deliveries with no worker running, then measure the drain")
	fs.StringVar(&c.JSONFile, "json", "", "also write the report as JSON to this file")
	fs.StringVar(&c.Listen, "listen", "127.0.0.1:0", "receivers' listen address")
	fs.BoolVar(&c.Keep, "keep", false, "keep the temp dir (SQLite file, service logs)")
	fs.BoolVar(&c.Mail, "mail", false, "signerNotification on in every flow: two notification emails a flow (set COUNTERSIGN_SMTP_URL for the service)")
	fs.StringVar(&c.ServeCPUProfile, "service-cpuprofile", "", "write a CPU profile of the serve process to this file")
	if err := fs.Parse(args); err != nil {
		return c, UsageError{Msg: errMsg(err)}
	}
	if fs.NArg() > 0 {
		return c, usagef("bench: unexpected argument %q", fs.Arg(0))
	}
	var err error
	if c.Mix, err = parseMix(mixText); err != nil {
		return c, usagef("bench: --mix: %v", err)
	}
	for _, t := range strings.Split(eventTypes, ",") {
		if t = strings.TrimSpace(t); t != "" {
			c.EventTypes = append(c.EventTypes, t)
		}
	}
	if err := webhook.ValidatePatterns(c.EventTypes); err != nil || len(c.EventTypes) == 0 {
		return c, usagef("bench: --event-types %q: want event types or patterns such as * or action.*", eventTypes)
	}
	if _, err := webhook.ParseSchedule(c.RetrySchedule); err != nil {
		return c, usagef("bench: --retry-schedule: %v", err)
	}
	switch {
	case c.Duration <= 0 || c.Drain < 0:
		return c, usagef("bench: --duration must be positive and --drain not negative")
	case c.Rate < 0 || c.Concurrency < 1 || c.Endpoints < 1 || c.Endpoints > 1000:
		return c, usagef("bench: want --rate ≥ 0, --concurrency ≥ 1 and --endpoints from 1 to 1000")
	case c.Workers < 0 || c.Backlog < 0 || c.ServiceConcurrency < 1:
		return c, usagef("bench: --workers, --backlog must not be negative and --service-concurrency positive")
	case c.Target != "" && (c.APIKey == "" || c.InProcess || c.Workers > 0 || c.Backlog > 0):
		return c, usagef("bench: --target needs --api-key and excludes --in-process, --workers and --backlog")
	}
	if c.Target == "" && c.CeilingRedisURL == "" {
		// Every database of the shared test Redis has an owner (docs/delivery.md);
		// the service's own is free once the service has stopped.
		c.CeilingRedisURL = c.RedisURL
	}
	return c, nil
}

// Run runs `countersign bench` with its command line args; cmds runs the
// service inside this process when --in-process asks for it. A mistake in
// args is a UsageError.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, cmds Commands) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	b := &bench{cfg: cfg, cmds: cmds, stdout: stdout, stderr: stderr, rep: &Report{}}
	return b.run(ctx)
}

// bench is one run: its parts and the report it fills.
type bench struct {
	cfg            config
	cmds           Commands
	stdout, stderr io.Writer
	dir            string
	recv           *receivers
	svc            *service
	api            *kit.Client
	drv            *driver
	procs          *procSampler
	redis          *redisSampler
	ledger         *ledger
	endpoints      []string // endpoint ids, in receiver order
	secrets        []string // their secrets
	rep            *Report
	phase          phaseLabel
	// winStart is the start of the delivery window: the first driven
	// request, or the start of a backlog's drain.
	winStart time.Time
	// selfCPU is the bench process's CPU time at the start of the window.
	selfCPU time.Duration
}

// markWindow starts the CPU and memory windows of the service and the bench.
func (b *bench) markWindow() {
	b.procs.mark()
	b.redis.mark()
	if self, err := readProc(os.Getpid()); err == nil {
		b.selfCPU = self.CPU
	}
}

func (b *bench) run(ctx context.Context) (err error) {
	if b.cfg.Target == "" {
		if b.dir, err = os.MkdirTemp("", "countersign-bench-"); err != nil {
			return fmt.Errorf("bench: temp dir: %w", err)
		}
		defer func() {
			if !b.cfg.Keep {
				os.RemoveAll(b.dir)
			}
		}()
	}
	if b.recv, err = startReceivers(b.cfg.Listen, b.cfg.Endpoints, b.cfg.Mix); err != nil {
		return err
	}
	defer b.recv.close()
	if b.svc, err = startService(ctx, b.cfg, b.cmds, b.dir); err != nil {
		return err
	}
	defer b.svc.stop()
	b.api = kit.NewClient(b.svc.baseURL, b.svc.apiKey, 4*b.cfg.Concurrency+256, 60*time.Second)
	if err := b.registerEndpoints(ctx); err != nil {
		return err
	}
	if b.svc.dbURL != "" {
		if b.ledger, err = openLedger(ctx, b.svc.dbURL, b.endpoints); err != nil {
			return err
		}
		defer b.ledger.close()
	}
	b.procs = newProcSampler()
	for _, p := range b.svc.processes() {
		b.procs.add(p.name, p.pid)
	}
	sampleCtx, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	go b.procs.run(sampleCtx, 500*time.Millisecond)
	if b.svc.redisURL != "" {
		if b.redis, err = newRedisSampler(b.svc.redisURL); err != nil {
			return err
		}
		defer b.redis.close()
		go b.redis.run(sampleCtx, 500*time.Millisecond)
	}
	b.drv = newDriver(b.api)
	if b.cfg.Mail {
		b.drv.body = mailFlowBody
	}
	if b.cfg.Backlog > 0 {
		err = b.runBacklog(ctx)
	} else {
		err = b.runLoad(ctx)
	}
	if err != nil {
		return err
	}
	stopSampling()
	b.collect(ctx)
	// Leave nothing behind that a later run on the same database would
	// deliver to: undelivered deliveries of a deleted endpoint are skipped.
	b.deleteEndpoints(ctx)
	// The ceilings are measured on a quiet machine: the service stops first
	// (an attached one keeps running: its load, if any, lowers them).
	running := b.svc.logs.summary()
	b.svc.stop()
	if !b.cfg.SkipCeilings {
		b.measureCeilings(ctx)
	}
	b.rep.ServiceLog = b.svc.logs.summary()
	b.rep.ServiceLog.ShutdownWarnings = b.rep.ServiceLog.Warnings - running.Warnings
	b.rep.ServiceLog.ShutdownErrors = b.rep.ServiceLog.Errors - running.Errors
	if !b.cfg.Keep {
		b.rep.ServiceLog.File = ""
	}
	b.rep.computeRatios()
	return b.rep.write(b.stdout, b.cfg.JSONFile)
}

// runLoad drives the API for --duration, then waits for the deliveries.
func (b *bench) runLoad(ctx context.Context) error {
	progress := b.startProgress(ctx, "drive")
	defer progress()
	b.markWindow()
	deadline := time.Now().Add(b.cfg.Duration)
	if b.cfg.Rate > 0 {
		b.drv.runPaced(ctx, b.cfg.Rate, max(256, 4*b.cfg.Concurrency), deadline)
	} else {
		b.drv.runFlat(ctx, b.cfg.Concurrency, func() bool { return time.Now().After(deadline) })
	}
	b.winStart = b.drv.firstRequest()
	b.rep.DriveSeconds = time.Since(b.winStart).Seconds()
	b.phase.Store("drain")
	return b.drain(ctx, false)
}

// drain waits up to --drain for every expected delivery, or until the
// service itself has nothing pending and everything it delivered arrived.
// With stall it gives up only when nothing arrived for --drain. The expected
// total is fixed once driving has stopped (delivery rows are committed with
// their events); the service's pending count is read only while nothing
// arrives, so the bench's queries do not load the database it measures.
func (b *bench) drain(ctx context.Context, stall bool) error {
	deadline := time.Now().Add(b.cfg.Drain)
	exp := b.expected(ctx)
	last, progressed, checked := b.recv.stats().Delivered, time.Now(), time.Time{}
	for {
		got := b.recv.stats().Delivered
		if got >= exp.total {
			return nil
		}
		switch {
		case got > last:
			last, progressed = got, time.Now()
			if stall {
				deadline = time.Now().Add(b.cfg.Drain)
			}
		case exp.fromService && time.Since(progressed) > time.Second && time.Since(checked) > 2*time.Second:
			// Nothing arrives: has the service given up on (failed) the rest?
			exp, checked = b.expected(ctx), time.Now()
			if exp.pending == 0 && got >= exp.delivered {
				return nil
			}
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(b.stderr, "bench: drain ended (--drain %s) with %d of %d deliveries received\n", b.cfg.Drain, got, exp.total)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// expectation is how many deliveries should arrive, and where that came from.
type expectation struct {
	total, pending, delivered, failed int64
	fromService                       bool
}

// expected asks the service's database when it can, else counts from the
// API calls that succeeded.
func (b *bench) expected(ctx context.Context) expectation {
	if b.ledger != nil {
		if c, err := b.ledger.deliveries(ctx); err == nil {
			return expectation{total: c.Total(), pending: c.Pending, delivered: c.Delivered, failed: c.Failed, fromService: true}
		} else {
			fmt.Fprintf(b.stderr, "bench: count deliveries in the service's database: %v\n", err)
		}
	}
	return expectation{total: b.drv.modelDeliveries(b.cfg.EventTypes, len(b.endpoints))}
}
