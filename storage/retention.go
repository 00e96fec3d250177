package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/countersign/countersign/events"
)

// DefaultExpungeBatch is how many events one ExpungeEvents transaction
// expunges when the caller does not say.
const DefaultExpungeBatch = 1000

// ExpungeEvents applies retention to the events of every workspace created
// before before: it sets their body and response body to NULL and stamps
// expunged_at, keeping the row (id, type, times, key and resource) so the log
// still lists it, and the facts the consumption report counts. It works in
// transactions of batch events until none is left and returns how many it
// expunged. Deliveries of an expunged event can no longer be sent or replayed.
func (es *Events) ExpungeEvents(ctx context.Context, before time.Time, batch int) (int, error) {
	if batch <= 0 {
		batch = DefaultExpungeBatch
	}
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		found, expunged, err := es.db.expungeBatch(ctx, before, batch)
		total += expunged
		if err != nil || found < batch {
			return total, err
		}
	}
}

// expungeBatch expunges up to batch events created before before, in one
// transaction. found is how many it picked, expunged how many it changed
// (fewer when another worker got there first).
func (db *DB) expungeBatch(ctx context.Context, before time.Time, batch int) (found, expunged int, err error) {
	query := "SELECT seq, type, body FROM events WHERE expunged_at IS NULL AND created_at < ? LIMIT ?"
	if db.Dialect == Postgres {
		query += " FOR UPDATE SKIP LOCKED" // concurrent workers take different rows
	}
	err = db.Tx(ctx, func(tx *Tx) error {
		var rows []struct {
			Seq  int64  `db:"seq"`
			Type string `db:"type"`
			Body []byte `db:"body"`
		}
		if err := tx.SelectContext(ctx, &rows, db.q(query), micros(before), batch); err != nil {
			return fmt.Errorf("find events to expunge: %w", err)
		}
		found = len(rows)
		// Group the rows by the facts they keep (most keep none) to update
		// each group in one statement.
		groups := map[string][]int64{}
		for _, r := range rows {
			key := ""
			if f, ok, err := factsOf(events.Type(r.Type), r.Body); err == nil && ok && r.Body != nil {
				b, _ := json.Marshal(f)
				key = string(b)
			}
			groups[key] = append(groups[key], r.Seq)
		}
		now := micros(db.Now())
		for key, seqs := range groups {
			kept := sql.NullString{String: key, Valid: key != ""}
			stmt, args, err := sqlx.In(`UPDATE events SET body = NULL, response_body = NULL, expunged_at = ?, facts = ?
				WHERE expunged_at IS NULL AND seq IN (?)`, now, kept, seqs)
			if err != nil {
				return fmt.Errorf("build expunge statement: %w", err)
			}
			res, err := tx.ExecContext(ctx, db.q(stmt), args...)
			if err != nil {
				return fmt.Errorf("expunge events: %w", err)
			}
			n, _ := res.RowsAffected()
			expunged += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return found, expunged, nil
}
