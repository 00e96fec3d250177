package storage

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// Batching of the audit writer.
const (
	// AuditBatchSize is the most records one transaction writes.
	AuditBatchSize = 256
	// AuditFlushInterval bounds how long a queued record waits for its batch.
	AuditFlushInterval = 50 * time.Millisecond
	// auditQueueSize is how many records may wait; Record blocks beyond it.
	auditQueueSize = 16 * AuditBatchSize
	// auditAttempts is how many times a failing batch is tried before it is dropped.
	auditAttempts = 3
)

// AuditWriter writes the audit records of API operations asynchronously, so
// that reads stay cheap: Record queues a record and returns at once, and one
// goroutine inserts the queue in batches of up to AuditBatchSize records, one
// transaction each, at most AuditFlushInterval after the first record of a
// batch was queued. Close flushes what is queued.
//
// The price is durability: the records of the last AuditFlushInterval are lost
// if the process crashes, and a batch the database refuses three times is
// dropped (and logged). The audit trail records reads too; the event log,
// written in the same transaction as every change, is the lossless record of
// changes.
type AuditWriter struct {
	db    *DB
	log   *slog.Logger
	queue chan workflow.AuditRecord
	flush chan chan struct{}
	quit  chan struct{}
	done  chan struct{}

	mu     sync.RWMutex // held for reading while queueing, for writing by Close
	closed bool

	written, dropped atomic.Int64
}

// NewAuditWriter starts a writer of audit records into db; log receives its
// failures (slog.Default when nil). Close it before closing db.
func (rsc *Resources) NewAuditWriter(log *slog.Logger) *AuditWriter {
	if log == nil {
		log = slog.Default()
	}
	w := &AuditWriter{
		db: rsc.db, log: log,
		queue: make(chan workflow.AuditRecord, auditQueueSize),
		flush: make(chan chan struct{}),
		quit:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	go w.run()
	return w
}

// Record queues rec for writing, giving it an id and createdAt (now) when it
// has none. It blocks only while the queue is full; after Close it drops rec.
// rec must not share memory with a request buffer: copy strings first.
func (w *AuditWriter) Record(rec workflow.AuditRecord) {
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = w.db.Now()
	}
	if rec.ID == "" {
		rec.ID = countersign.NewID(countersign.PrefixAudit, rec.CreatedAt)
	}
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		w.dropped.Add(1)
		return
	}
	w.queue <- rec
}

// Flush returns once every record queued before the call is written (or
// dropped after failing), or when ctx ends.
func (w *AuditWriter) Flush(ctx context.Context) error {
	return awaitFlush(ctx, w.flush, w.done)
}

// awaitFlush asks a background writer to write what it holds, through its
// flush channel, and waits for its answer; a writer that has stopped (done
// closed) holds nothing.
func awaitFlush(ctx context.Context, flush chan<- chan struct{}, done <-chan struct{}) error {
	ack := make(chan struct{})
	select {
	case flush <- ack:
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ack:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops accepting records, writes those queued and stops the writer.
// It is safe to call more than once.
func (w *AuditWriter) Close() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		<-w.done
		return
	}
	w.closed = true
	w.mu.Unlock()
	close(w.quit)
	<-w.done
}

// Stats returns how many records were written and dropped so far.
func (w *AuditWriter) Stats() (written, dropped int64) {
	return w.written.Load(), w.dropped.Load()
}

// run is the writer goroutine: it gathers a batch from the first queued record
// until the batch is full or AuditFlushInterval has passed, then writes it.
func (w *AuditWriter) run() {
	defer close(w.done)
	batch := make([]workflow.AuditRecord, 0, AuditBatchSize)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case rec := <-w.queue:
			if len(batch) == 0 {
				timer.Reset(AuditFlushInterval)
			}
			if batch = append(batch, rec); len(batch) == AuditBatchSize {
				timer.Stop()
				batch = w.write(batch)
			}
		case <-timer.C:
			batch = w.write(batch)
		case ack := <-w.flush:
			timer.Stop()
			batch = w.drain(batch)
			close(ack)
		case <-w.quit:
			timer.Stop()
			w.drain(batch)
			return
		}
	}
}

// drain writes batch and everything queued now, and returns the empty batch.
func (w *AuditWriter) drain(batch []workflow.AuditRecord) []workflow.AuditRecord {
	for {
		select {
		case rec := <-w.queue:
			if batch = append(batch, rec); len(batch) == AuditBatchSize {
				batch = w.write(batch)
			}
		default:
			return w.write(batch)
		}
	}
}

// write inserts batch in one transaction, trying a few times, and returns it emptied.
func (w *AuditWriter) write(batch []workflow.AuditRecord) []workflow.AuditRecord {
	if len(batch) == 0 {
		return batch
	}
	var err error
	for attempt := 1; attempt <= auditAttempts; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = w.db.Tx(ctx, func(tx *Tx) error { return w.db.insertAudit(ctx, tx, batch) })
		cancel()
		if err == nil {
			w.written.Add(int64(len(batch)))
			return batch[:0]
		}
		if attempt < auditAttempts {
			time.Sleep(time.Duration(attempt) * AuditFlushInterval)
		}
	}
	w.dropped.Add(int64(len(batch)))
	w.log.Error("audit records dropped: the database refused their batch", "records", len(batch), "err", err)
	return batch[:0]
}
