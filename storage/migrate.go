package storage

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

//go:embed migrations
var migrationFS embed.FS

// migration is one numbered SQL file.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the dialect's migrations in version order.
func migrations(d Dialect) ([]migration, error) {
	dir := path.Join("migrations", string(d))
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		if !ok || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration %s: want NNNN_name.sql", e.Name())
		}
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		body, err := migrationFS.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", ms[i-1].name, ms[i].name, ms[i].version)
		}
	}
	return ms, nil
}

// Migrate applies every migration not applied yet, each in its own transaction,
// and returns how many it applied. It is safe to call on every start and from
// several processes at once: PostgreSQL serialises them with an advisory lock,
// SQLite with its write lock.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	applied, err := db.migrate(ctx)
	if err != nil {
		return applied, err
	}
	return applied, db.prepareHot(ctx)
}

// migrate applies the migrations holding one connection (and, on PostgreSQL,
// the migration lock), which it releases before returning.
func (db *DB) migrate(ctx context.Context) (int, error) {
	ms, err := migrations(db.Dialect)
	if err != nil {
		return 0, err
	}
	conn, err := db.x.Connx(ctx)
	if err != nil {
		return 0, classify(fmt.Errorf("migrate: %w", err))
	}
	defer conn.Close()
	if db.Dialect == Postgres {
		const lockKey = 0x636f756e74657273 // "counters"
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
			return 0, fmt.Errorf("migrate: lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockKey)
	}
	return db.applyMigrations(ctx, conn, ms)
}

// applyMigrations applies ms in order on conn and returns how many were new.
func (db *DB) applyMigrations(ctx context.Context, conn *sqlx.Conn, ms []migration) (int, error) {
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return 0, fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	applied := 0
	for _, m := range ms {
		ok, err := db.applyMigration(ctx, conn, m)
		if err != nil {
			return applied, err
		}
		if ok {
			applied++
		}
	}
	return applied, nil
}

// applyMigration applies m unless it is recorded already.
func (db *DB) applyMigration(ctx context.Context, conn *sqlx.Conn, m migration) (bool, error) {
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return false, classify(fmt.Errorf("migrate %s: %w", m.name, err))
	}
	defer tx.Rollback()
	var n int
	if err := tx.GetContext(ctx, &n, db.q("SELECT COUNT(*) FROM schema_migrations WHERE version = ?"), m.version); err != nil {
		return false, fmt.Errorf("migrate %s: %w", m.name, err)
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("migrate %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, db.q("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
		m.version, m.name, micros(db.Now())); err != nil {
		return false, fmt.Errorf("migrate %s: record: %w", m.name, err)
	}
	return true, classify(tx.Commit())
}

// SchemaVersion returns the highest applied migration version.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.x.GetContext(ctx, &v, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
	return v, classify(err)
}
