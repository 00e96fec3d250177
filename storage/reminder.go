package storage

import (
	"context"
	"fmt"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/workflow"
)

// SendReminders is sendReminders: every signer of the actor's workspace whose
// action is open gets action.reminder.sent (workflow.Process.RemindOpen), all
// in one transaction, each process's deadlines applied first. The answer, also
// stored as the events' response body, counts the signers and processes.
func (db *DB) SendReminders(ctx context.Context, actor countersign.Actor) (workflow.ReminderSummary, error) {
	var sum workflow.ReminderSummary
	err := retryStale(func() error {
		sum = workflow.ReminderSummary{}
		return db.Tx(ctx, func(tx *Tx) error {
			var ids []string
			if err := tx.SelectContext(ctx, &ids, db.q("SELECT id FROM processes WHERE workspace_id = ? AND status = ? ORDER BY id"),
				actor.WorkspaceID, string(workflow.ProcessStarted)); err != nil {
				return fmt.Errorf("list started processes: %w", err)
			}
			type reminded struct {
				id      string
				emitted []workflow.Emitted
			}
			var all []reminded
			now := db.Now()
			for _, id := range ids {
				p, version, err := db.readProcess(ctx, tx, actor.WorkspaceID, id, true)
				if err != nil {
					return err
				}
				before := signerKey(p)
				ticked := p.Tick(now)
				emitted := p.RemindOpen(now)
				if len(ticked) == 0 && len(emitted) == 0 {
					continue
				}
				if err := db.saveProcess(ctx, tx, p, version, before); err != nil {
					return err
				}
				if err := db.writeEmitted(ctx, tx, system(p.WorkspaceID), p.ID, nil, ticked); err != nil {
					return err
				}
				if len(emitted) > 0 {
					all = append(all, reminded{id: p.ID, emitted: emitted})
					sum.RemindedSigners += len(emitted)
					sum.Processes++
				}
			}
			for _, r := range all {
				if err := db.writeEmitted(ctx, tx, actor, r.id, sum, r.emitted); err != nil {
					return err
				}
			}
			return nil
		})
	})
	return sum, err
}
