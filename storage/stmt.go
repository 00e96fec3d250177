package storage

import (
	"context"
	"fmt"
	"sync"

	"github.com/jmoiron/sqlx"
)

// Hot-path statements, prepared once when the schema is current.
const (
	sqlInsertEvent = `INSERT INTO events (id, workspace_id, type, api_key_id, resource_id, created_at, body, response_body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	// sqlInsertEventSeq returns the seq on PostgreSQL, whose driver has no
	// last insert id; SQLite's is the seq, and cheaper than a returned row.
	sqlInsertEventSeq = sqlInsertEvent + ` RETURNING seq`
	sqlInsertDelivery = `INSERT INTO deliveries (id, workspace_id, event_id, endpoint_id, event_type, status, attempts,
		next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`
	sqlSubscribers = `SELECT id, event_types, updated_at, ordering FROM webhook_endpoints
		WHERE workspace_id = ? AND enabled = 1 AND deleted_at IS NULL`
	sqlAdvanceDelivery = `UPDATE deliveries SET status = ?, attempts = ?, next_attempt_at = ?,
		last_status_code = ?, last_error = ?, updated_at = ?, delivered_at = ?
		WHERE id = ? AND workspace_id = ? AND attempts = ? AND status = ?`
	sqlInsertAttempt = `INSERT INTO delivery_attempts (id, delivery_id, workspace_id, endpoint_id, attempt,
		started_at, latency_us, status_code, error_class, error, response_headers, response_body, truncated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlEndpointFailing = `UPDATE webhook_endpoints SET failing_since = ? WHERE id = ? AND failing_since IS NULL`
	sqlEndpointHealthy = `UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL`
)

var hotStatements = []string{sqlInsertEvent, sqlInsertEventSeq, sqlInsertDelivery, sqlSubscribers, sqlAdvanceDelivery,
	sqlInsertAttempt, sqlEndpointFailing, sqlEndpointHealthy}

// stmtCache holds the hot statements prepared on the pool. A transaction uses
// them through Tx.Stmtx, which database/sql prepares once per connection and
// then reuses, so the hot paths skip SQL parsing. They are prepared up front,
// never lazily: preparing needs a pooled connection, and a transaction
// waiting for one while holding its own could starve the pool.
type stmtCache struct {
	mu    sync.RWMutex
	stmts map[string]*sqlx.Stmt
}

// prepareHot prepares the hot statements; Migrate calls it.
func (db *DB) prepareHot(ctx context.Context) error {
	c := &db.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stmts != nil {
		return nil
	}
	stmts := make(map[string]*sqlx.Stmt, len(hotStatements))
	for _, q := range hotStatements {
		s, err := db.x.PreparexContext(ctx, db.q(q))
		if err != nil {
			for _, s := range stmts {
				s.Close()
			}
			return fmt.Errorf("prepare: %w", err)
		}
		stmts[q] = s
	}
	c.stmts = stmts
	return nil
}

// stmt returns query's statement bound to tx: the prepared one when there is
// one, otherwise one prepared on the transaction's connection.
func (db *DB) stmt(ctx context.Context, tx *Tx, query string) (*sqlx.Stmt, error) {
	c := &db.stmts
	c.mu.RLock()
	s := c.stmts[query]
	c.mu.RUnlock()
	if s != nil {
		return tx.StmtxContext(ctx, s), nil
	}
	return tx.PreparexContext(ctx, db.q(query))
}

// txExec runs a hot-path statement inside tx and returns the rows it affected.
func (db *DB) txExec(ctx context.Context, tx *Tx, query string, args ...any) (int64, error) {
	s, err := db.stmt(ctx, tx, query)
	if err != nil {
		return 0, err
	}
	res, err := s.ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// closeStatements closes the prepared statements.
func (db *DB) closeStatements() {
	c := &db.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.stmts {
		s.Close()
	}
	c.stmts = nil
}
