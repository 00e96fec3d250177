package queue

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/countersign/countersign/webhook"
)

// TypeBatch is the task type of an event's first attempts, made together.
const TypeBatch = "delivery:batch"

// encodeBatch packs a batch as `wsp|evt|ran|dlv,ep;dlv,ep…` (ids hold none
// of the separators).
func encodeBatch(b webhook.Batch) []byte {
	var sb strings.Builder
	ran := "0"
	if b.MayHaveRun {
		ran = "1"
	}
	sb.Grow(len(b.WorkspaceID) + len(b.EventID) + 4 + len(b.Members)*64)
	sb.WriteString(b.WorkspaceID + "|" + b.EventID + "|" + ran + "|")
	for i, m := range b.Members {
		if i > 0 {
			sb.WriteByte(';')
		}
		sb.WriteString(m.DeliveryID + "," + m.EndpointID)
	}
	return []byte(sb.String())
}

// decodeBatch unpacks encodeBatch's payload.
func decodeBatch(p []byte) (webhook.Batch, error) {
	f := strings.SplitN(string(p), "|", 4)
	if len(f) != 4 || f[0] == "" || f[1] == "" || f[3] == "" {
		return webhook.Batch{}, fmt.Errorf("delivery batch payload %q: want 4 fields", p)
	}
	b := webhook.Batch{WorkspaceID: f[0], EventID: f[1], MayHaveRun: f[2] == "1"}
	for _, pair := range strings.Split(f[3], ";") {
		dlv, ep, ok := strings.Cut(pair, ",")
		if !ok || dlv == "" || ep == "" {
			return webhook.Batch{}, fmt.Errorf("delivery batch payload %q: bad member %q", p, pair)
		}
		b.Members = append(b.Members, webhook.BatchMember{DeliveryID: dlv, EndpointID: ep})
	}
	return b, nil
}

// newBatchTask builds the asynq task of a batch, on the first attempts' queue.
func newBatchTask(b webhook.Batch) *asynq.Task {
	return asynq.NewTask(TypeBatch, encodeBatch(b), asynq.TaskID(b.TaskID()), asynq.Queue(Deliveries),
		asynq.MaxRetry(1000), asynq.Timeout(2*time.Minute))
}

// handleBatch is the batch task's handler: every member is attempted at once.
func handleBatch(d *webhook.Deliverer) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		b, err := decodeBatch(t.Payload())
		if err != nil {
			return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
		}
		// Handed out again (a crash, a lease that ran out, a member whose
		// record failed): some members may be recorded already.
		if n, ok := asynq.GetRetryCount(ctx); ok && n > 0 {
			b.MayHaveRun = true
		}
		return d.DeliverBatch(ctx, b)
	}
}
