package storage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/countersign/countersign"
)

// On SQLite, writers take the database's write lock when their transaction
// begins (immediate transactions), so events commit in seq order: whatever a
// reader sees is a prefix of the log and a newer event always gets a higher seq.
//
// On PostgreSQL, seq comes from an identity sequence when the row is inserted,
// and transactions commit in any order: transaction A may take seq 7, B take 8
// and commit first. A poller that read 8 and then asks for the events after 8
// would never see 7. So the head of the log (the first page, and pages of events
// newer than a cursor) stops at a horizon: the highest seq allocated before
// every transaction still able to add a lower one has ended.
//
// An INSERT takes its ROW EXCLUSIVE lock on events before it draws a seq, and
// keeps it until its transaction ends. So: read the last seq drawn (S), then the
// transactions holding that lock (H). Any transaction that drew a seq <= S
// either ended before H was read or is in H. Once every member of H has ended,
// every seq <= S is committed or rolled back for good. Waiting is a few
// milliseconds (event-writing transactions are short) and blocks no writer.

// horizonWait bounds how long a head-of-log read waits for in-flight
// event-writing transactions before answering 503 (retry).
const horizonWait = 3 * time.Second

// stableSeq returns the horizon: the highest seq below which no event can
// still appear. bounded is false on SQLite, where every visible seq is stable.
func (db *DB) stableSeq(ctx context.Context) (seq int64, bounded bool, err error) {
	if db.Dialect != Postgres {
		return 0, false, nil
	}
	if err := db.x.GetContext(ctx, &seq,
		"SELECT COALESCE(pg_sequence_last_value(pg_get_serial_sequence('events', 'seq')::regclass), 0)"); err != nil {
		return 0, false, classify(fmt.Errorf("read the event sequence: %w", err))
	}
	waiting, err := db.eventWriters(ctx)
	if err != nil {
		return 0, false, err
	}
	deadline := time.Now().Add(horizonWait)
	pause := time.Millisecond
	for len(waiting) > 0 {
		if time.Now().After(deadline) {
			return 0, false, countersign.Errorf(countersign.EUNAVAILABLE,
				"a long transaction is still writing events; try again shortly")
		}
		select {
		case <-ctx.Done():
			return 0, false, ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 20*time.Millisecond)
		now, err := db.eventWriters(ctx)
		if err != nil {
			return 0, false, err
		}
		waiting = slices.DeleteFunc(waiting, func(vxid string) bool { return !slices.Contains(now, vxid) })
	}
	return seq, true, nil
}

// eventWriters returns the virtual transaction ids of the other transactions
// that hold a ROW EXCLUSIVE lock on events: those that inserted (or updated)
// events and have not ended.
func (db *DB) eventWriters(ctx context.Context) ([]string, error) {
	var vxids []string
	err := db.x.SelectContext(ctx, &vxids, `SELECT DISTINCT virtualtransaction FROM pg_locks
		WHERE locktype = 'relation' AND mode = 'RowExclusiveLock' AND granted
		  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND relation = 'events'::regclass AND pid <> pg_backend_pid()`)
	if err != nil {
		return nil, classify(fmt.Errorf("read the transactions writing events: %w", err))
	}
	return vxids, nil
}
