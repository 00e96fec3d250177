package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/webhook"
)

// maxAttemptBatch bounds how many attempt records one transaction writes.
const maxAttemptBatch = 256

// attemptWriter commits the attempt records of concurrent workers in shared
// transactions (group commit): while one batch commits, the next gathers.
// Each caller still waits for its own record to be durable.
type attemptWriter struct {
	once sync.Once
	jobs chan *attemptJob
	stop chan struct{}
	done chan struct{}
}

// attemptJob is one record waiting for its batch.
type attemptJob struct {
	rec    webhook.AttemptRecord
	result chan attemptResult
}

type attemptResult struct {
	out webhook.RecordOutcome
	err error
}

// RecordAttempt writes an attempt and the delivery's new state, and returns
// once they are committed. A record for an attempt that was recorded already
// (a duplicate task) changes nothing and reports Applied false.
func (wh *Webhooks) RecordAttempt(ctx context.Context, rec webhook.AttemptRecord) (webhook.RecordOutcome, error) {
	w := &wh.db.attempts
	w.once.Do(func() {
		w.jobs = make(chan *attemptJob, 4*maxAttemptBatch)
		w.stop, w.done = make(chan struct{}), make(chan struct{})
		go wh.db.writeAttempts()
	})
	job := &attemptJob{rec: rec, result: make(chan attemptResult, 1)}
	select {
	case w.jobs <- job:
	case <-w.stop:
		return webhook.RecordOutcome{}, fmt.Errorf("record attempt: database closing")
	case <-ctx.Done():
		return webhook.RecordOutcome{}, ctx.Err()
	}
	// Once queued the record is written even if ctx ends: wait for it, so the
	// caller never reports an attempt as unrecorded when it was.
	r := <-job.result
	return r.out, r.err
}

// writeAttempts is the writer goroutine.
func (db *DB) writeAttempts() {
	w := &db.attempts
	defer close(w.done)
	batch := make([]*attemptJob, 0, maxAttemptBatch)
	for {
		select {
		case job := <-w.jobs:
			batch = append(batch[:0], job)
		case <-w.stop:
			for {
				select {
				case job := <-w.jobs:
					db.commitAttempts([]*attemptJob{job})
				default:
					return
				}
			}
		}
	gather:
		for len(batch) < maxAttemptBatch {
			select {
			case job := <-w.jobs:
				batch = append(batch, job)
			default:
				break gather
			}
		}
		db.commitAttempts(batch)
	}
}

// commitAttempts writes a batch in one transaction and answers every job.
func (db *DB) commitAttempts(batch []*attemptJob) {
	outs := make([]webhook.RecordOutcome, len(batch))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := db.Tx(ctx, func(tx *Tx) error {
		if err := db.lockFinishing(ctx, tx, batch); err != nil {
			return err
		}
		health := map[string]*endpointHealth{}
		var written []webhook.AttemptRecord
		for i, job := range batch {
			applied, err := db.applyAttempt(ctx, tx, job.rec)
			if err != nil {
				return err
			}
			outs[i].Applied = applied
			if applied && job.rec.Task.OrderKey != "" && job.rec.Status != webhook.StatusPending {
				if outs[i].Next, err = db.nextInOrder(ctx, tx, job.rec.Task); err != nil {
					return err
				}
			}
			if applied && !job.rec.Skipped {
				written = append(written, job.rec)
				h := health[job.rec.Task.EndpointID]
				if h == nil {
					h = &endpointHealth{workspaceID: job.rec.Task.WorkspaceID}
					health[job.rec.Task.EndpointID] = h
				}
				h.Note(job.rec)
			}
		}
		if err := db.appendAttempts(ctx, tx, written); err != nil {
			return err
		}
		disabled := map[string]bool{}
		for id, h := range health {
			off, err := db.updateEndpointHealth(ctx, tx, id, h)
			if err != nil {
				return err
			}
			disabled[id] = off
		}
		for i, job := range batch {
			outs[i].EndpointDisabled = disabled[job.rec.Task.EndpointID]
		}
		return nil
	})
	for i, job := range batch {
		job.result <- attemptResult{out: outs[i], err: err}
	}
}

// applyAttempt moves the delivery on from attempt n-1 to n and stores the
// attempt. The condition on attempts makes a duplicate task a no-op.
func (db *DB) applyAttempt(ctx context.Context, tx *Tx, rec webhook.AttemptRecord) (bool, error) {
	a := rec.Attempt
	now := db.Now()
	attempts := a.Number
	if rec.Skipped {
		attempts = a.Number - 1
	}
	var deliveredAt, code any
	if rec.Status == webhook.StatusDelivered {
		deliveredAt = micros(a.StartedAt.Add(a.Latency))
	}
	if a.StatusCode != nil {
		code = *a.StatusCode
	}
	n, err := db.txExec(ctx, tx, sqlAdvanceDelivery,
		string(rec.Status), attempts, nullMicros(rec.NextAttemptAt), code, nullString(a.Error), micros(now), deliveredAt,
		rec.Task.DeliveryID, rec.Task.WorkspaceID, a.Number-1, string(webhook.StatusPending))
	if err != nil {
		return false, fmt.Errorf("update delivery %s: %w", rec.Task.DeliveryID, err)
	}
	if n == 0 {
		return false, nil
	}
	if rec.Skipped {
		return true, nil
	}
	headers, err := json.Marshal(a.ResponseHeaders)
	if err != nil {
		return false, fmt.Errorf("encode response headers: %w", err)
	}
	_, err = db.txExec(ctx, tx, sqlInsertAttempt,
		a.ID, a.DeliveryID, rec.Task.WorkspaceID, a.EndpointID, a.Number, micros(a.StartedAt), a.Latency.Microseconds(),
		code, string(a.ErrorClass), a.Error, string(headers), a.ResponseBody, boolInt(a.Truncated))
	if err != nil {
		return false, fmt.Errorf("insert attempt: %w", err)
	}
	return true, nil
}

// endpointHealth is what one batch learned about one endpoint.
type endpointHealth struct {
	webhook.BatchHealth
	workspaceID string
}

// updateEndpointHealth keeps failing_since current and disables the endpoint
// when webhook.BatchHealth says so, emitting endpoint.disabled once. It
// reports whether this batch disabled the endpoint.
func (db *DB) updateEndpointHealth(ctx context.Context, tx *Tx, id string, h *endpointHealth) (bool, error) {
	var err error
	if h.Failing {
		_, err = db.txExec(ctx, tx, sqlEndpointFailing, micros(h.FailingFrom), id)
	} else {
		_, err = db.txExec(ctx, tx, sqlEndpointHealthy, id)
	}
	if err != nil {
		return false, fmt.Errorf("update endpoint health: %w", err)
	}
	reason, err := h.DisableReason(func() (*time.Time, error) {
		var since sql.NullInt64
		if err := tx.GetContext(ctx, &since, db.q("SELECT failing_since FROM webhook_endpoints WHERE id = ?"), id); err != nil {
			return nil, fmt.Errorf("read endpoint health: %w", err)
		}
		return fromNullMicros(since), nil
	})
	if err != nil || reason == "" {
		return false, err
	}
	return db.disableEndpoint(ctx, tx, h.workspaceID, id, reason)
}

// disableEndpoint disables an enabled endpoint and records endpoint.disabled;
// it reports whether the endpoint was enabled until now.
func (db *DB) disableEndpoint(ctx context.Context, tx *Tx, workspaceID, id, reason string) (bool, error) {
	now := db.Now()
	res, err := tx.ExecContext(ctx, db.q(`UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ?, disabled_at = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ? AND enabled = 1`), reason, micros(now), micros(now), workspaceID, id)
	if err != nil {
		return false, fmt.Errorf("disable endpoint: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	e, err := db.endpoint(ctx, tx, workspaceID, id)
	if err != nil {
		return false, err
	}
	ev, err := db.newEvent(countersign.Actor{WorkspaceID: workspaceID}, events.EndpointDisabled, id, events.EndpointDisabledData{
		EndpointID: id, URL: e.URL, Reason: reason, DisabledAt: now, FailingSince: e.FailingSince,
	})
	if err != nil {
		return false, err
	}
	return true, db.insertEvents(ctx, tx, nil, ev)
}

// closeAttemptWriter stops the writer after it has written what was queued.
func (db *DB) closeAttemptWriter() {
	w := &db.attempts
	w.once.Do(func() { w.stop, w.done = make(chan struct{}), make(chan struct{}); close(w.done) })
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	<-w.done
}

// Close stops background writers and closes the database.
func (db *DB) Close() error {
	db.closeAttemptWriter()
	db.closeStatements()
	return db.x.Close()
}
