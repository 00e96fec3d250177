package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/countersign/countersign"
)

// Bulk replay pacing in the worker: every replayTick, each running replay
// makes the deliveries its rate allows, up to replayBudget in all. A replay
// saves up at most replayBurst of unused pace: after an idle spell (workers
// down, endpoint disabled) it resumes at its rate instead of sending the
// backlog at once.
const (
	replayTick   = 200 * time.Millisecond
	replayBudget = 2000
	replayBurst  = time.Second
)

// runningReplaysPerStep bounds how many running replays one step looks at.
const runningReplaysPerStep = 100

// ReplayStore is what the bulk replay runner needs of the database.
type ReplayStore interface {
	// RunningReplays returns up to limit running bulk replays, the least
	// recently stepped (the most starved) first. Replays it could not read
	// are left out and reported in the error beside the others.
	RunningReplays(ctx context.Context, limit int) ([]Replay, error)
	// Endpoint returns an endpoint (a not-found error once it is deleted).
	Endpoint(ctx context.Context, workspaceID, id string) (Endpoint, error)
	// NextToReplay returns up to n deliveries that replay r sends again
	// next, those after its cursor in its order, and the cursor after them.
	NextToReplay(ctx context.Context, r Replay, n int) ([]Delivery, string, error)
	// AdvanceReplay records one step of replay r in one transaction: the
	// step's replay deliveries, due now and queued after commit, and the
	// replay's new cursor, count, status and pacing clock. When r moved on
	// since it was read (cancelled, or stepped by another runner) it writes
	// nothing and reports false.
	AdvanceReplay(ctx context.Context, r Replay, step ReplayStep) (bool, error)
	// FinishReplay ends running replay r with status at now.
	FinishReplay(ctx context.Context, r Replay, status ReplayStatus, now time.Time) error
}

// ReplayStep is one step of a bulk replay, as the runner decided it.
type ReplayStep struct {
	// Deliveries are the deliveries sent again in this step.
	Deliveries []Delivery
	// Cursor is the replay's cursor after them.
	Cursor string
	// Status is the replay's status after the step: completed once fewer
	// deliveries were left than the step could make.
	Status ReplayStatus
	// Paced is the replay's pacing clock after the step (its UpdatedAt): the
	// moment up to which it has used its rate, never later than Now.
	Paced time.Time
	// Now is when the step was made (the replay's FinishedAt when it completes).
	Now time.Time
}

// ReplayRunner paces the bulk replays of every worker process: each step
// makes, for each running replay, the deliveries its rate allows since its
// last step. Runners in several processes may run at once: the store commits
// a step only if the replay did not move meanwhile, and pacing lives in the
// database, so it survives restarts and is shared.
type ReplayRunner struct {
	Store  ReplayStore
	Logger *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Run makes a step every replayTick until ctx ends.
func (rr *ReplayRunner) Run(ctx context.Context) {
	log, now := rr.Logger, rr.Now
	if log == nil {
		log = slog.Default()
	}
	if now == nil {
		now = time.Now
	}
	tick := time.NewTicker(replayTick)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		n, err := rr.Step(ctx, now(), replayBudget)
		if err != nil && ctx.Err() == nil {
			log.Warn("bulk replay step failed", "err", err)
		}
		if n > 0 {
			log.Debug("bulk replays made deliveries", "count", n)
		}
	}
}

// Step makes one step of every running bulk replay, the most starved first,
// at now; budget bounds the deliveries of the whole step. It returns how many
// deliveries it made.
func (rr *ReplayRunner) Step(ctx context.Context, now time.Time, budget int) (int, error) {
	replays, err := rr.Store.RunningReplays(ctx, runningReplaysPerStep)
	if err != nil && len(replays) == 0 {
		return 0, err
	}
	errs := []error{err}
	made := 0
	for _, r := range replays {
		if made >= budget {
			break
		}
		n, err := rr.stepReplay(ctx, r, now, budget-made)
		made += n
		if err != nil {
			errs = append(errs, fmt.Errorf("replay %s: %w", r.ID, err))
		}
	}
	return made, errors.Join(errs...)
}

// stepReplay makes up to limit of one replay's deliveries, as many as its
// rate allows at now.
func (rr *ReplayRunner) stepReplay(ctx context.Context, r Replay, now time.Time, limit int) (int, error) {
	allowed, paced := replayAllowance(r, now, limit)
	if allowed <= 0 {
		return 0, nil
	}
	e, err := rr.Store.Endpoint(ctx, r.WorkspaceID, r.EndpointID)
	if countersign.ErrorCode(err) == countersign.ENOTFOUND {
		return 0, rr.Store.FinishReplay(ctx, r, ReplayFailed, now)
	}
	if err != nil || !e.Enabled { // a disabled endpoint: wait until it is enabled again
		return 0, err
	}
	// Read first, outside the step's transaction: the scan may be long, and
	// the transaction (SQLite's write lock) is kept to the writes.
	ds, cursor, err := rr.Store.NextToReplay(ctx, r, allowed)
	if err != nil {
		return 0, err
	}
	step := ReplayStep{Deliveries: ds, Cursor: cursor, Status: ReplayRunning, Now: now,
		Paced: paced.Add(time.Duration(len(ds)) * time.Second / time.Duration(max(1, r.RatePerSecond)))}
	if len(ds) < allowed {
		step.Status = ReplayCompleted
	}
	ok, err := rr.Store.AdvanceReplay(ctx, r, step)
	if err != nil || !ok {
		return 0, err
	}
	return len(ds), nil
}

// replayAllowance returns how many deliveries replay r may make at now, at
// most limit, and its pacing clock before them: its rate over the time since
// its clock (UpdatedAt), counting at most replayBurst of it.
func replayAllowance(r Replay, now time.Time, limit int) (int, time.Time) {
	paced := r.UpdatedAt
	if now.Sub(paced) > replayBurst {
		paced = now.Add(-replayBurst)
	}
	allowed := int(now.Sub(paced).Microseconds() * int64(max(1, r.RatePerSecond)) / 1e6)
	return min(allowed, limit), paced
}
