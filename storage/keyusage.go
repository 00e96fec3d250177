package storage

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/countersign/countersign"
)

// Coalescing of API key usage.
const (
	// KeyUsageInterval is the least time between two writes of one key's
	// last_used_at: the column says when a key was last used to the minute.
	KeyUsageInterval = time.Minute
	// keyUsageFlushEvery is how often noted uses are written.
	keyUsageFlushEvery = 10 * time.Second
	// keyUsageMaxKeys bounds the keys held in memory; beyond it, uses of
	// further keys are not noted until the idle ones are swept.
	keyUsageMaxKeys = 10_000
)

// KeyUsage keeps the last_used_at of API keys without a write per request.
// Used notes a key's use in memory, at most once per KeyUsageInterval per key
// (and not when the stored value is that recent already, which also covers
// the uses other processes record); one goroutine writes the noted uses every
// few seconds in one transaction. Close writes what is noted and stops it.
// A crash loses at most the uses of the last few seconds: the column is a
// hint for operators ("is this key still in use?"), not a record.
type KeyUsage struct {
	db   *DB
	log  *slog.Logger
	max  int
	quit chan struct{}
	done chan struct{}
	// flush asks the goroutine to write now; it closes the channel it is given.
	flush chan chan struct{}

	mu sync.Mutex
	// noted is when each key's last use was noted, so a key is noted at most
	// once per interval; pending are the noted uses not written yet.
	noted, pending map[string]time.Time
	closed         bool

	written, dropped atomic.Int64
}

// NewKeyUsage starts a recorder of key usage into db; log receives its
// failures (slog.Default when nil). Close it before closing db.
func (ks *Keys) NewKeyUsage(log *slog.Logger) *KeyUsage {
	return ks.db.newKeyUsage(log, keyUsageMaxKeys)
}

func (db *DB) newKeyUsage(log *slog.Logger, max int) *KeyUsage {
	if log == nil {
		log = slog.Default()
	}
	u := &KeyUsage{db: db, log: log, max: max, quit: make(chan struct{}), done: make(chan struct{}),
		flush: make(chan chan struct{}), noted: map[string]time.Time{}, pending: map[string]time.Time{}}
	go u.run()
	return u
}

// Used notes that k, as Authenticate returned it, was used now. It does no
// I/O. k.ID is kept: it must not share memory with a request buffer.
func (u *KeyUsage) Used(k countersign.APIKey) {
	now := u.db.Now()
	if k.LastUsedAt != nil && now.Sub(*k.LastUsedAt) < KeyUsageInterval {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed {
		return
	}
	if at, ok := u.noted[k.ID]; ok && now.Sub(at) < KeyUsageInterval {
		return
	}
	if len(u.noted) >= u.max {
		u.sweep(now)
		if len(u.noted) >= u.max {
			u.dropped.Add(1)
			return
		}
	}
	u.noted[k.ID], u.pending[k.ID] = now, now
}

// sweep forgets the keys noted more than an interval ago whose use is
// written: their next use is noted anyway. u.mu is held.
func (u *KeyUsage) sweep(now time.Time) {
	for id, at := range u.noted {
		if _, waiting := u.pending[id]; !waiting && now.Sub(at) >= KeyUsageInterval {
			delete(u.noted, id)
		}
	}
}

// Flush returns once the uses noted before the call are written (or failed),
// or when ctx ends.
func (u *KeyUsage) Flush(ctx context.Context) error {
	return awaitFlush(ctx, u.flush, u.done)
}

// Close stops noting uses, writes those noted and stops the recorder. It is
// safe to call more than once.
func (u *KeyUsage) Close() {
	u.mu.Lock()
	if !u.closed {
		u.closed = true
		close(u.quit)
	}
	u.mu.Unlock()
	<-u.done
}

// Stats returns how many uses were written, and how many were not noted
// (the map was full) or failed to be written.
func (u *KeyUsage) Stats() (written, dropped int64) {
	return u.written.Load(), u.dropped.Load()
}

// run is the recorder's goroutine.
func (u *KeyUsage) run() {
	defer close(u.done)
	tick := time.NewTicker(keyUsageFlushEvery)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			u.write()
		case ack := <-u.flush:
			u.write()
			close(ack)
		case <-u.quit:
			u.write()
			return
		}
	}
}

// write takes the pending uses and stores them in one transaction. A failed
// batch goes back to pending (unless a newer use of the key is there), to be
// tried at the next tick.
func (u *KeyUsage) write() {
	u.mu.Lock()
	batch := u.pending
	u.pending = map[string]time.Time{}
	u.sweep(u.db.Now())
	u.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := u.db.touchAPIKeys(ctx, batch); err != nil {
		u.log.Warn("api key usage not written; trying again", "keys", len(batch), "err", err)
		u.mu.Lock()
		defer u.mu.Unlock()
		for id, at := range batch {
			if _, newer := u.pending[id]; !newer {
				u.pending[id] = at
			}
		}
		return
	}
	u.written.Add(int64(len(batch)))
}

// touchAPIKeys sets last_used_at of each key in used to its time, never
// moving it back (another process may have written a later use).
func (db *DB) touchAPIKeys(ctx context.Context, used map[string]time.Time) error {
	return db.Tx(ctx, func(tx *Tx) error {
		for id, used := range used { // a deleted key updates nothing
			at := micros(used)
			if _, err := tx.ExecContext(ctx, db.q(`UPDATE api_keys SET last_used_at = ?
				WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`), at, id, at); err != nil {
				return fmt.Errorf("write last_used_at of api key %s: %w", id, err)
			}
		}
		return nil
	})
}
