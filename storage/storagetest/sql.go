package storagetest

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"

	"github.com/countersign/countersign/storage"
)

// Row-level checks. Some tests must look under the stores: count the events a
// request wrote, corrupt a stored body, prove a table holds no secret. These
// helpers run such a query, written with ? placeholders, on either engine.
// Everything else goes through the stores.

// Get scans the one row of query into dest.
func Get(ctx context.Context, db *storage.DB, dest any, query string, args ...any) error {
	x := db.Raw()
	return x.GetContext(ctx, dest, x.Rebind(query), args...)
}

// Select scans the rows of query into dest, a pointer to a slice.
func Select(ctx context.Context, db *storage.DB, dest any, query string, args ...any) error {
	x := db.Raw()
	return x.SelectContext(ctx, dest, x.Rebind(query), args...)
}

// Exec runs a statement that returns no rows.
func Exec(ctx context.Context, db *storage.DB, query string, args ...any) (sql.Result, error) {
	x := db.Raw()
	return x.ExecContext(ctx, x.Rebind(query), args...)
}

// Query runs query and returns its rows, for a test that scans rows of any shape.
func Query(ctx context.Context, db *storage.DB, query string, args ...any) (*sqlx.Rows, error) {
	x := db.Raw()
	return x.QueryxContext(ctx, x.Rebind(query), args...)
}
