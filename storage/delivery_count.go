package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/countersign/countersign/webhook"
)

// DeliveryCounts are the deliveries of some endpoints by status.
type DeliveryCounts struct {
	Pending, Delivered, Failed int64
}

// Total is every delivery counted, whatever its status.
func (c DeliveryCounts) Total() int64 { return c.Pending + c.Delivered + c.Failed }

// CountDeliveries counts the deliveries of the endpoints by status, across
// workspaces: it is an operator's read (the bench measures what arrived
// against it), not a tenant's.
func (wh *Webhooks) CountDeliveries(ctx context.Context, endpointIDs []string) (DeliveryCounts, error) {
	var c DeliveryCounts
	if len(endpointIDs) == 0 {
		return c, nil
	}
	in, args := inList(endpointIDs)
	var rows []struct {
		Status webhook.Status `db:"status"`
		N      int64          `db:"n"`
	}
	q := wh.db.x.Rebind("SELECT status, COUNT(*) AS n FROM deliveries WHERE endpoint_id IN (" + in + ") GROUP BY status")
	if err := wh.db.x.SelectContext(ctx, &rows, q, args...); err != nil {
		return c, fmt.Errorf("count deliveries: %w", err)
	}
	for _, r := range rows {
		switch r.Status {
		case webhook.StatusPending:
			c.Pending = r.N
		case webhook.StatusDelivered:
			c.Delivered = r.N
		case webhook.StatusFailed:
			c.Failed = r.N
		default:
			return c, fmt.Errorf("count deliveries: unknown status %q", r.Status)
		}
	}
	return c, nil
}

// CountDeliveredEvents counts the distinct events the endpoints have a
// delivery of, whatever its status.
func (wh *Webhooks) CountDeliveredEvents(ctx context.Context, endpointIDs []string) (int64, error) {
	if len(endpointIDs) == 0 {
		return 0, nil
	}
	in, args := inList(endpointIDs)
	var n int64
	q := wh.db.x.Rebind("SELECT COUNT(DISTINCT event_id) FROM deliveries WHERE endpoint_id IN (" + in + ")")
	if err := wh.db.x.GetContext(ctx, &n, q, args...); err != nil {
		return 0, fmt.Errorf("count the events of deliveries: %w", err)
	}
	return n, nil
}

// inList returns the placeholders and arguments of an IN (…) list of ids.
func inList(ids []string) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(ids)), ","), args
}
