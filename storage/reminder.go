package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// errNobodyToRemind fails the reminder command of a process with no open
// action, so that a process with nothing due and nobody to remind is not saved.
var errNobodyToRemind = errors.New("nobody to remind")

// remindOpen is the reminder command of SendReminders.
func remindOpen(p *workflow.Process, now time.Time) ([]workflow.Emitted, error) {
	emitted := p.RemindOpen(now)
	if len(emitted) == 0 {
		return nil, errNobodyToRemind
	}
	return emitted, nil
}

// SendReminders is sendReminders: every signer of the actor's workspace whose
// action is open gets action.reminder.sent (workflow.Process.RemindOpen), all
// in one transaction, each process's deadlines applied first. The answer, also
// stored as the events' response body, counts the signers and processes.
func (ps *Processes) SendReminders(ctx context.Context, actor countersign.Actor) (workflow.ReminderSummary, error) {
	var sum workflow.ReminderSummary
	err := retryStale(func() error {
		sum = workflow.ReminderSummary{}
		return ps.db.Tx(ctx, func(tx *Tx) error {
			var ids []string
			if err := tx.SelectContext(ctx, &ids, ps.db.q("SELECT id FROM processes WHERE workspace_id = ? AND status = ? ORDER BY id"),
				actor.WorkspaceID, string(workflow.ProcessStarted)); err != nil {
				return fmt.Errorf("list started processes: %w", err)
			}
			var all []changed[*workflow.Process]
			now := ps.db.Now()
			for _, id := range ids {
				l, err := ps.db.lockProcess(ctx, tx, actor.WorkspaceID, id)
				if err != nil {
					return err
				}
				out, err := change(ctx, ps.db, tx, l, func(p *workflow.Process) (*workflow.Process, []workflow.Emitted, error) {
					return workflow.Apply(p, now, remindOpen)
				})
				if err != nil {
					return err
				}
				if out.cmdErr == nil {
					all = append(all, out)
					sum.RemindedSigners += len(out.emitted)
					sum.Processes++
				}
			}
			for _, r := range all {
				if err := ps.db.writeEmitted(ctx, tx, actor, r.next.ID, sum, r.emitted); err != nil {
					return err
				}
			}
			return nil
		})
	})
	return sum, err
}
