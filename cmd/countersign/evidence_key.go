package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/countersign/countersign/evidence"
	"github.com/countersign/countersign/storage"
)

// headsEvery is how often a worker signs the heads of the logs that grew.
const headsEvery = time.Minute

// dataDir is where the installation keeps its files beside the data: the
// SQLite database's directory, or ./data with PostgreSQL.
func dataDir(databaseURL string) string {
	if path, ok := strings.CutPrefix(databaseURL, "sqlite://"); ok {
		path, _, _ = strings.Cut(path, "?")
		return filepath.Dir(path)
	}
	return "data"
}

// loadEvidenceKey returns the installation's evidence key: the one
// COUNTERSIGN_EVIDENCE_KEY supplies (cfg.EvidenceKey), or the key file under
// the data directory, generated (0600) at first start. With PostgreSQL every
// process must sign with the same key, so the variable is the way there; a
// process without it falls back to the file and says so.
func loadEvidenceKey(cfg config, log *slog.Logger) (*evidence.Key, error) {
	if cfg.EvidenceKey != "" {
		return evidence.ParseKey(cfg.EvidenceKey)
	}
	dir := dataDir(cfg.DatabaseURL)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("evidence key: %w", err)
	}
	path := filepath.Join(dir, evidence.KeyFile)
	k, err := evidence.LoadOrCreateKey(path)
	if err != nil {
		return nil, err
	}
	if log != nil && !strings.HasPrefix(cfg.DatabaseURL, "sqlite://") {
		log.Warn("evidence key read from a local file: with PostgreSQL, set "+evidence.EnvKey+" to the same key in every serve and worker process",
			"key_file", path)
	}
	return k, nil
}

// maskKey shows which key a private key is (name and id) but not the key.
func maskKey(skey string) string {
	if skey == "" {
		return "(key file under the data directory)"
	}
	parts := strings.SplitN(strings.TrimSpace(skey), "+", 5)
	if len(parts) < 5 {
		return "****"
	}
	return strings.Join(parts[:4], "+") + "+****"
}

// signHeadsLoop signs a head for every log that grew, every `every`, until
// ctx ends. Heads are idempotent per size, so several workers may run it.
func signHeadsLoop(ctx context.Context, ev *storage.Evidence, key *evidence.Key, every time.Duration, log *slog.Logger) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		n, err := ev.SignGrown(ctx, key)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("signing evidence tree heads failed; retrying next tick", "signed", n, "err", err)
		case n > 0:
			log.Debug("signed evidence tree heads", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
