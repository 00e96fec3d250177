// Package storage is the system of record: sqlx repositories over SQLite (the
// embedded default) or PostgreSQL (scale-out), with embedded numbered migrations.
//
// Both databases run the same queries: statements are written with ? placeholders
// and rebound for PostgreSQL once, when they are prepared. Times are stored as
// BIGINT microseconds since the Unix epoch (UTC) so ordering, ranges and
// comparisons behave the same on both engines. Every query that reads tenant data
// is scoped by workspace id.
//
// DB is the open handle: it migrates, pings, runs transactions and keeps the
// clock and the dispatcher of committed deliveries. The records are kept by
// one store per area, each obtained from the DB and sharing its transactions:
//
//   - Processes: signing processes, their messages, assignments, reminders and due times;
//   - Registrations: signer registrations;
//   - Webhooks: endpoints, deliveries, attempts, replays and the due-delivery cursor;
//   - Events: the event log, its export reads, the consumption report and retention;
//   - Keys: workspaces, API keys and their usage;
//   - Resources: contacts, templates, document profiles and attributes, the audit trail.
package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/countersign/countersign/internal/redact"

	"github.com/jmoiron/sqlx"

	"github.com/countersign/countersign/webhook"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "github.com/mattn/go-sqlite3"    // registers the "sqlite3" driver
)

// Dialect names the SQL engine behind a DB.
type Dialect string

// The supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database with its dialect.
type DB struct {
	// x is the pool; only the stores reach it.
	x       *sqlx.DB
	Dialect Dialect
	// now is the clock used for created_at and friends; tests may replace it.
	now func() time.Time
	// dispatcher queues the deliveries of committed transactions.
	dispatcher Dispatcher
	subs       webhook.Subscriptions
	attempts   attemptWriter
	stmts      stmtCache
	// mail is the notification email outbox's settings (see Messages).
	mail mailSettings
	// writeMu serialises this process's SQLite transactions (see Tx).
	writeMu sync.Mutex
}

// Open connects to the database named by rawURL: sqlite://PATH (relative or
// absolute; the directory is created) or postgres://… / postgresql://….
// It does not migrate; call Migrate.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	driver, dsn, dialect, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	x, err := sqlx.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	if dialect == SQLite {
		// One writer at a time is SQLite's rule; the busy timeout and immediate
		// transactions make writers queue instead of failing. Readers run in parallel (WAL).
		x.SetMaxOpenConns(8)
		x.SetMaxIdleConns(8)
	} else {
		x.SetMaxOpenConns(32)
		x.SetMaxIdleConns(32)
	}
	x.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := x.PingContext(pingCtx); err != nil {
		x.Close()
		if dialect == SQLite {
			err = fmt.Errorf("%w%s", err, sqliteDirProblem(dsn))
		}
		return nil, fmt.Errorf("connect to %s database: %w", dialect, err)
	}
	return &DB{x: x, Dialect: dialect, now: time.Now}, nil
}

// parseURL maps a database URL to a driver name and DSN.
func parseURL(rawURL string) (driver, dsn string, dialect Dialect, err error) {
	switch {
	case strings.HasPrefix(rawURL, "sqlite://"):
		path := strings.TrimPrefix(rawURL, "sqlite://")
		path, query, _ := strings.Cut(path, "?")
		if path == "" {
			return "", "", "", fmt.Errorf("database url %q: missing file path", rawURL)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return "", "", "", fmt.Errorf("create database directory: %w", err)
		}
		// Set in the DSN so every pooled connection gets them.
		params := url.Values{}
		params.Set("_journal_mode", "WAL")
		params.Set("_foreign_keys", "on")
		params.Set("_busy_timeout", "10000")
		params.Set("_txlock", "immediate")
		params.Set("_synchronous", "NORMAL")
		if query != "" {
			extra, err := url.ParseQuery(query)
			if err != nil {
				return "", "", "", fmt.Errorf("database url %q: %w", rawURL, err)
			}
			for k, v := range extra {
				params[k] = v
			}
		}
		return "sqlite3", "file:" + path + "?" + params.Encode(), SQLite, nil
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		if _, err := url.Parse(rawURL); err != nil {
			return "", "", "", fmt.Errorf("database url: %w", err)
		}
		return "pgx", rawURL, Postgres, nil
	default:
		return "", "", "", fmt.Errorf("database url %q: want sqlite://PATH or postgres://…", redact.URL(rawURL))
	}
}

// sqliteDirProblem explains a failure to open an SQLite database when its
// directory cannot be written (SQLite creates the -wal and -shm files beside
// the database): a read-only file system, say, which SQLite itself reports as
// "unable to open database file". It returns "" when the directory is writable.
func sqliteDirProblem(dsn string) string {
	path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".countersign-probe-*")
	if err == nil {
		f.Close()
		os.Remove(f.Name())
		return ""
	}
	if errors.Is(err, syscall.EROFS) {
		return fmt.Sprintf(" (the file system of %s is read-only)", dir)
	}
	return fmt.Sprintf(" (cannot write in %s: %v)", dir, err)
}

// Now returns the database layer's clock reading, in UTC microseconds precision.
func (db *DB) Now() time.Time { return db.now().UTC().Truncate(time.Microsecond) }

// SetClock replaces the clock; tests use it for deterministic timestamps.
func (db *DB) SetClock(now func() time.Time) { db.now = now }

// Tx is a database transaction that can schedule work for after it commits
// (handing new deliveries to the queue, say), which must never run for a
// transaction that rolled back.
type Tx struct {
	*sqlx.Tx
	afterCommit []func()
}

// AfterCommit schedules f to run once the transaction has committed.
func (tx *Tx) AfterCommit(f func()) { tx.afterCommit = append(tx.afterCommit, f) }

// Tx runs fn in a transaction and commits it when fn returns nil; then it runs
// the transaction's after-commit functions.
//
// On SQLite, transactions of this process take turns on a Go mutex before
// they begin. SQLite allows one writer at a time, and a writer that finds the
// database locked sleeps in its busy handler in steps of up to 100 ms, however
// soon the lock frees: queueing in Go instead wakes the next writer as soon
// as the last one commits. The busy timeout still covers other processes.
//
// The after-commit functions run once the turn is given up: they may wait
// (the enqueuer slows the API down when the queue backs up), and must not
// hold back the next writer meanwhile.
func (db *DB) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	after, err := db.commit(ctx, fn)
	if err != nil {
		return err
	}
	for _, f := range after {
		f()
	}
	return nil
}

// commit runs fn in a transaction, in this process's turn on SQLite, and
// returns the transaction's after-commit functions.
func (db *DB) commit(ctx context.Context, fn func(tx *Tx) error) ([]func(), error) {
	if db.Dialect == SQLite {
		db.writeMu.Lock()
		defer db.writeMu.Unlock()
	}
	sqltx, err := db.x.BeginTxx(ctx, nil)
	if err != nil {
		return nil, classify(fmt.Errorf("begin transaction: %w", err))
	}
	tx := &Tx{Tx: sqltx}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return nil, classify(err)
	}
	if err := tx.Commit(); err != nil {
		return nil, classify(fmt.Errorf("commit: %w", err))
	}
	return tx.afterCommit, nil
}

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.x.PingContext(ctx); err != nil {
		return classify(err)
	}
	var one int
	return classify(db.x.GetContext(ctx, &one, "SELECT 1"))
}

// q rebinds a ?-placeholder statement for the dialect.
func (db *DB) q(query string) string {
	if db.Dialect == Postgres {
		return sqlx.Rebind(sqlx.DOLLAR, query)
	}
	return query
}

// micros converts a time to its stored form.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts a stored time back.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// fromNullMicros converts a nullable stored time back.
func fromNullMicros(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMicros(n.Int64)
	return &t
}

// nullMicros converts an optional time to its stored form.
func nullMicros(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(*t), Valid: true}
}

// jsonUnmarshalString decodes a JSON text column.
func jsonUnmarshalString(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// isNoRows reports whether err is sql.ErrNoRows.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
