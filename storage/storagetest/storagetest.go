// Package storagetest opens real, migrated databases for tests: SQLite in a
// temporary directory, and PostgreSQL in a fresh database that is dropped when
// the test ends.
package storagetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/storage"
)

// PostgresURL is the server tests create their databases on; override it with
// COUNTERSIGN_TEST_POSTGRES_URL.
func PostgresURL() string {
	if u := os.Getenv("COUNTERSIGN_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// Dialects lists the engines every storage test runs on.
var Dialects = []storage.Dialect{storage.SQLite, storage.Postgres}

// Open returns a migrated database of the given dialect that lives as long as tb.
func Open(tb testing.TB, d storage.Dialect) *storage.DB {
	tb.Helper()
	var dbURL string
	switch d {
	case storage.SQLite:
		dbURL = "sqlite://" + filepath.Join(tb.TempDir(), "countersign.db")
	case storage.Postgres:
		dbURL = NewPostgresDatabase(tb)
	default:
		tb.Fatalf("unknown dialect %q", d)
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, dbURL)
	if err != nil {
		tb.Fatalf("open %s: %v", d, err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate %s: %v", d, err)
	}
	return db
}

// OpenSQLite is Open(tb, storage.SQLite).
func OpenSQLite(tb testing.TB) *storage.DB { return Open(tb, storage.SQLite) }

// NewPostgresDatabase creates an empty database on the test server, drops it
// when tb ends, and returns its URL. Without a reachable server the test is
// skipped, except in CI (CI=true), where it fails.
func NewPostgresDatabase(tb testing.TB) string {
	tb.Helper()
	admin, err := sql.Open("pgx", PostgresURL())
	if err != nil {
		tb.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("postgres at %s is not reachable: %v", PostgresURL(), err)
		}
		tb.Skipf("postgres at %s is not reachable: %v", PostgresURL(), err)
	}
	name := "cs_test_" + strings.ToLower(strings.TrimPrefix(countersign.NewID("x", time.Now()), "x_"))
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		admin, err := sql.Open("pgx", PostgresURL())
		if err != nil {
			return
		}
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			tb.Logf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(PostgresURL())
	if err != nil {
		tb.Fatalf("postgres url: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Each runs fn as a subtest once per dialect, each with its own fresh database.
func Each(t *testing.T, fn func(t *testing.T, db *storage.DB)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Workspace creates a workspace with an owner key in db and returns the actor
// of that key.
func Workspace(tb testing.TB, db *storage.DB, name string) (countersign.Actor, string) {
	tb.Helper()
	ws, key, token, err := db.Keys().CreateWorkspace(context.Background(), name, "owner")
	if err != nil {
		tb.Fatalf("create workspace: %v", err)
	}
	return countersign.Actor{WorkspaceID: ws.ID, APIKeyID: key.ID, Role: key.Role}, token
}

// Describe names a dialect for messages.
func Describe(d storage.Dialect) string { return fmt.Sprintf("%s database", d) }
