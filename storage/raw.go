package storage

import "github.com/jmoiron/sqlx"

// Raw is the connection pool under the stores. It exists for tests and
// diagnostics that must count or damage rows no store exposes (a corrupted
// event body, the number of attempts recorded); everything else goes through
// the stores, so that every write keeps its events, its fan-out and its lock.
func (db *DB) Raw() *sqlx.DB { return db.x }
