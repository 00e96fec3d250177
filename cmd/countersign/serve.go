package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/console"
	"github.com/countersign/countersign/evidence"
	"github.com/countersign/countersign/mail"
	"github.com/countersign/countersign/notify"
	"github.com/countersign/countersign/queue"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/webhook"
)

// service is one serve or worker process: what it opened, in the order it
// must be closed.
type service struct {
	cfg      config
	log      *slog.Logger
	db       *storage.DB
	rds      *queue.Redis
	enqueuer *queue.Enqueuer
	registry *prometheus.Registry
	srv      *api.Server
	key      *evidence.Key // signs the evidence log's heads
	ln       net.Listener
	worker   *queue.Worker
	// loops are the background loops (reconciler, schedulers); they stop when
	// loopCtx is cancelled.
	loops     sync.WaitGroup
	loopCtx   context.Context
	stopLoops context.CancelFunc
}

// serveCmd runs `serve` (withAPI) or `worker` until ctx ends, then stops
// gracefully: stop accepting, drain requests and tasks, close queue and DB.
func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer, withAPI bool) error {
	name := map[bool]string{true: "serve", false: "worker"}[withAPI]
	cfg, err := loadConfig(name, args, getenv, stderr, withAPI)
	if err != nil {
		return err
	}
	if cfg.RedisURL == "" && (!withAPI || cfg.NoWorker) {
		return usagef("%s needs COUNTERSIGN_REDIS_URL: the embedded Redis lives inside one serve process with its worker", name)
	}
	s := &service{cfg: cfg, log: cfg.newLogger(stderr), registry: prometheus.NewRegistry()}
	s.log.Info("starting countersign", append([]any{"command", name, "version", Version()}, cfg.logAttrs()...)...)
	s.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.loopCtx, s.stopLoops = context.WithCancel(context.Background())
	defer s.close()
	if cfg.CPUProfile != "" {
		stop, err := startCPUProfile(cfg.CPUProfile)
		if err != nil {
			return err
		}
		defer stop()
	}

	if s.db, err = openDatabase(ctx, cfg.DatabaseURL, s.log); err != nil {
		return err
	}
	if s.key, err = loadEvidenceKey(cfg, s.log); err != nil {
		return err
	}
	s.log.Info("evidence key", "public_key", s.key.PublicKey(), "key_id", s.key.ID())
	if s.rds, err = queue.Open(ctx, cfg.RedisURL, s.log); err != nil {
		return err
	}
	s.enqueuer = queue.NewEnqueuer(s.rds, s.log, 8)
	s.db.SetDispatcher(s.enqueuer.Dispatch)
	s.db.Messages().SetDispatcher(s.enqueuer.Mail().Dispatch)
	s.db.Messages().SetPortal(cfg.PortalURL)
	s.registry.MustRegister(queue.NewDepthCollector(s.rds))

	if withAPI {
		if err := bootstrapWorkspace(ctx, s.db, stdout, cfg.Addr); err != nil {
			return err
		}
		if err := s.startAPI(); err != nil {
			return err
		}
		s.enqueuer.EnableBackpressure(s.loopCtx, s.rds, queue.BackpressureConfig{}, s.registry)
	}
	if !withAPI || !cfg.NoWorker {
		if err := s.startWorker(); err != nil {
			return err
		}
	}

	serveErr := make(chan error, 1)
	if s.srv != nil {
		go func() { serveErr <- s.srv.Serve(s.ln) }()
	}
	select {
	case <-ctx.Done():
		s.log.Info("stopping: signal received", "grace", cfg.ShutdownTimeout.String())
	case err := <-serveErr:
		if err != nil {
			return fmt.Errorf("http server: %w", err)
		}
	}
	return s.shutdown()
}

// startAPI builds the HTTP server and listens.
func (s *service) startAPI() error {
	// Audit records are written in batches; the writer flushes when the loops
	// stop, after the HTTP server and before the database closes.
	// So are the keys' last_used_at (coalesced to one write a minute per key).
	audit, usage := s.db.Resources().NewAuditWriter(s.log), s.db.Keys().NewKeyUsage(s.log)
	sender, err := mail.Open(s.cfg.SMTPURL, s.cfg.MailDir)
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	s.loop(func(ctx context.Context) { <-ctx.Done(); audit.Close(); usage.Close() })
	s.srv = api.New(api.Config{BodyLimit: s.cfg.BodyLimit, Version: Version(), RateLimit: s.cfg.APIRateLimit}, api.Deps{
		Keys: s.db.Keys(), Database: s.db, Redis: s.rds, Logger: s.log, Registry: s.registry,
		Webhooks: s.db.Webhooks(), Guard: s.guard(), Events: s.db.Events(),
		Resources: s.db.Resources(), Audit: audit, Processes: s.db.Processes(), Registrations: s.db.Registrations(),
		KeyUsage: usage, KeyLimiter: s.keyLimiter(), Messages: s.db.Messages(),
		Mail:     &api.TestEmail{Sender: sender, From: s.cfg.MailFrom, Portal: s.cfg.PortalURL},
		Evidence: s.db.Evidence(), EvidenceKey: s.key,
	})
	s.srv.MountConsole(console.New(s.srv.Console(), console.Config{Logger: s.log}))
	if s.ln, err = net.Listen("tcp", s.cfg.Addr); err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	s.ln = newQuietListener(s.ln)
	s.log.Info("listening", "addr", s.ln.Addr().String())
	return nil
}

// guard is the SSRF policy for webhook URLs.
func (s *service) guard() webhook.Guard {
	return webhook.Guard{AllowPrivate: s.cfg.AllowPrivateTargets, AllowHTTP: s.cfg.AllowPrivateTargets}
}

// startWorker starts the delivery worker and the background loops.
func (s *service) startWorker() error {
	s.worker = queue.NewWorker(s.rds, queue.WorkerConfig{Concurrency: s.cfg.Concurrency, ShutdownTimeout: s.cfg.ShutdownTimeout}, s.log)
	s.worker.HandleDeliveries(webhook.NewDeliverer(webhook.DelivererConfig{
		Store: s.db.Webhooks(), Queue: s.enqueuer, Schedule: s.cfg.RetrySchedule, Logger: s.log,
		Sender:  webhook.NewSender(webhook.SenderConfig{Version: Version(), Guard: s.guard()}),
		Metrics: webhook.NewMetrics(s.registry), Limiter: s.endpointLimiter(),
	}))
	if err := s.handleMail(); err != nil {
		return err
	}
	if err := s.worker.Start(); err != nil {
		return err
	}
	s.log.Info("worker started", "concurrency", s.cfg.Concurrency)
	reconciler := &webhook.Reconciler{Source: s.db.Webhooks(), Queue: s.enqueuer, Grace: 10 * time.Second, Logger: s.log}
	s.duty("reconciler", func(ctx context.Context) { reconciler.Run(ctx, 5*time.Second) })
	replays := &webhook.ReplayRunner{Store: s.db.Webhooks(), Logger: s.log, Now: s.db.Now}
	s.duty("replays", replays.Run)
	s.duty("scheduler", func(ctx context.Context) { scheduleLoop(ctx, s.db.Processes().ApplyDue, time.Second, s.log) })
	if s.cfg.EventRetention > 0 {
		s.duty("retention", func(ctx context.Context) { expungeLoop(ctx, s.db, s.cfg.EventRetention, retentionEvery, s.log) })
	}
	// Signing a head is idempotent for a given tree size, so every worker may.
	s.loop(func(ctx context.Context) { signHeadsLoop(ctx, s.db.Evidence(), s.key, headsEvery, s.log) })
	return nil
}

// handleMail registers the notification email sender on the worker and
// starts its reconciler. With no SMTP URL, mail goes to .eml files.
func (s *service) handleMail() error {
	sender, err := mail.Open(s.cfg.SMTPURL, s.cfg.MailDir)
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if s.cfg.SMTPURL == "" {
		s.log.Info("no SMTP URL configured: notification email is written to .eml files", "dir", s.cfg.MailDir)
	}
	mq := s.enqueuer.Mail()
	s.worker.HandleMail(notify.NewMailer(notify.Config{
		Store: s.db.Messages(), Queue: mq, Sender: sender, From: s.cfg.MailFrom,
		Schedule: s.cfg.RetrySchedule, Logger: s.log,
	}))
	reconciler := &notify.Reconciler{Source: s.db.Messages(), Queue: mq, Grace: 10 * time.Second, Logger: s.log}
	s.loop(func(ctx context.Context) { reconciler.Run(ctx, 5*time.Second) })
	return nil
}

// loop runs f in the background until the service stops.
func (s *service) loop(f func(ctx context.Context)) {
	s.loops.Add(1)
	go func() { defer s.loops.Done(); f(s.loopCtx) }()
}

// shutdown stops the HTTP server, the worker and the loops within the grace period.
func (s *service) shutdown() error {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	// The HTTP server and the worker drain side by side, each within the grace period.
	var worker sync.WaitGroup
	if s.worker != nil {
		worker.Add(1)
		go func() { defer worker.Done(); s.worker.Shutdown(ctx) }()
	}
	var errs []error
	if s.srv != nil {
		if err := s.shutdownHTTP(ctx); err != nil {
			errs = append(errs, fmt.Errorf("http shutdown: %w", err))
		}
	}
	worker.Wait()
	s.log.Info("stopped")
	return errors.Join(errs...)
}

// close releases everything that was opened, last opened first.
func (s *service) close() {
	s.stopLoops()
	s.loops.Wait()
	if s.enqueuer != nil {
		s.enqueuer.Close()
	}
	if s.rds != nil {
		s.rds.Close()
	}
	if s.db != nil {
		s.db.Close()
	}
}

// openDatabase opens and migrates the database.
func openDatabase(ctx context.Context, url string, log *slog.Logger) (*storage.DB, error) {
	db, err := storage.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	v, _ := db.SchemaVersion(ctx)
	log.Info("database ready", "dialect", string(db.Dialect), "migrations_applied", n, "schema_version", v)
	return db, nil
}

// bootstrapWorkspace creates a first workspace and owner key on an empty
// database and prints the key once, so a first API call works right away.
func bootstrapWorkspace(ctx context.Context, db *storage.DB, stdout io.Writer, addr string) error {
	n, err := db.Keys().CountWorkspaces(ctx)
	if err != nil || n > 0 {
		return err
	}
	ws, _, token, err := db.Keys().CreateWorkspace(ctx, "Default workspace", "owner")
	if err != nil {
		return fmt.Errorf("create first workspace: %w", err)
	}
	fmt.Fprintf(stdout, `
Created workspace %s with an owner API key. It is shown only this once:

    %s

Try it:
    curl -H "Authorization: Bearer %s" http://%s/v1/api-keys

`, ws.ID, token, token, addr)
	return nil
}
