package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/queue"
	"github.com/countersign/countersign/storage"
)

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
	log := cfg.newLogger(stderr)
	log.Info("starting countersign", append([]any{"command", name, "version", Version()}, cfg.logAttrs()...)...)

	db, err := openDatabase(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	defer db.Close()
	rds, err := queue.Open(ctx, cfg.RedisURL, log)
	if err != nil {
		return err
	}
	defer rds.Close()

	var srv *api.Server
	var ln net.Listener
	if withAPI {
		if err := bootstrapWorkspace(ctx, db, stdout, cfg.Addr); err != nil {
			return err
		}
		reg := prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		srv = api.New(api.Config{BodyLimit: cfg.BodyLimit, Version: Version()}, api.Deps{
			Keys: db, Database: db, Redis: rds, Logger: log, Registry: reg,
		})
		if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
			return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
		}
		log.Info("listening", "addr", ln.Addr().String())
	}
	var worker *queue.Worker
	if !withAPI || !cfg.NoWorker {
		worker = queue.NewWorker(rds, queue.WorkerConfig{Concurrency: cfg.Concurrency, ShutdownTimeout: cfg.ShutdownTimeout}, log)
		if err := worker.Start(); err != nil {
			return err
		}
		log.Info("worker started", "concurrency", cfg.Concurrency)
	}

	serveErr := make(chan error, 1)
	if srv != nil {
		go func() { serveErr <- srv.Serve(ln) }()
	}
	select {
	case <-ctx.Done():
		log.Info("stopping: signal received", "grace", cfg.ShutdownTimeout.String())
	case err := <-serveErr:
		if err != nil {
			return fmt.Errorf("http server: %w", err)
		}
	}
	return shutdown(log, cfg.ShutdownTimeout, srv, worker)
}

// shutdown stops the HTTP server and the worker within grace.
func shutdown(log *slog.Logger, grace time.Duration, srv *api.Server, worker *queue.Worker) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	var errs []error
	if srv != nil {
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("http shutdown: %w", err))
		}
	}
	if worker != nil {
		worker.Shutdown(ctx)
	}
	log.Info("stopped")
	return errors.Join(errs...)
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
	n, err := db.CountWorkspaces(ctx)
	if err != nil || n > 0 {
		return err
	}
	ws, _, token, err := db.CreateWorkspace(ctx, "Default workspace", "owner")
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
