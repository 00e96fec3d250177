package storage

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"

	"github.com/countersign/countersign"
)

// IsUniqueViolation reports whether err is a unique-constraint violation,
// recognised by the driver's error code, never by its message.
func IsUniqueViolation(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// isUnavailable reports whether err means the database cannot serve right now
// (disk full or read-only, locked past the busy timeout, connection lost) rather
// than a bug: such errors answer 503 and the service recovers when they clear.
func isUnavailable(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrFull, sqlite3.ErrReadonly, sqlite3.ErrIoErr, sqlite3.ErrBusy,
			sqlite3.ErrLocked, sqlite3.ErrCantOpen, sqlite3.ErrProtocol:
			return true
		}
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code[:2] {
		case "08", "53", "57": // connection exception, insufficient resources, operator intervention
			return true
		}
		return pe.Code == "25006" // read_only_sql_transaction
	}
	var ce *pgconn.ConnectError
	return errors.As(err, &ce)
}

// classify turns driver errors that callers act on into domain errors and leaves
// the rest (bugs) as they are, to be logged as internal.
func classify(err error) error {
	if err == nil || countersign.AsError(err) != nil {
		return err
	}
	if isUnavailable(err) {
		return fmt.Errorf("%w: %w", countersign.Errorf(countersign.EUNAVAILABLE,
			"the database cannot serve the request now; try again shortly"), err)
	}
	return err
}
