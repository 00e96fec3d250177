package storage

import (
	"context"
	"fmt"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/webhook"
)

// testEventMessage is the message of every webhook.test event.
const testEventMessage = "A test event from Countersign: your endpoint receives and can verify deliveries."

// SendTestEvent writes a webhook.test event and one delivery of it to the
// endpoint and to no other, in one transaction; the delivery is queued after
// commit. A disabled endpoint is a conflict: it would not be attempted.
func (wh *Webhooks) SendTestEvent(ctx context.Context, actor countersign.Actor, endpointID string) (events.Event, webhook.Delivery, error) {
	var ev events.Event
	var d webhook.Delivery
	err := wh.db.Tx(ctx, func(tx *Tx) error {
		e, err := wh.db.endpoint(ctx, tx, actor.WorkspaceID, endpointID)
		if err != nil {
			return err
		}
		if !e.Enabled {
			return countersign.Errorf(countersign.ECONFLICT, "webhook endpoint %s is disabled; enable it before testing it", endpointID)
		}
		out, err := wh.db.newEvent(actor, events.WebhookTest, endpointID, events.WebhookTestData{EndpointID: endpointID, Message: testEventMessage})
		if err != nil {
			return err
		}
		evs := []outgoing{out}
		if err := wh.db.writeEvents(ctx, tx, nil, evs); err != nil {
			return err
		}
		if err := wh.db.fanOut(ctx, tx, evs, endpointID); err != nil {
			return err
		}
		var row deliveryRow
		if err := tx.GetContext(ctx, &row, wh.db.q("SELECT "+deliveryColumns+` FROM deliveries
			WHERE workspace_id = ? AND event_id = ? AND endpoint_id = ?`), actor.WorkspaceID, out.event.ID, endpointID); err != nil {
			return fmt.Errorf("read test delivery: %w", err)
		}
		ev, d = out.event, row.delivery()
		return nil
	})
	return ev, d, err
}
