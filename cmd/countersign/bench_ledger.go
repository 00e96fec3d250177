package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/countersign/countersign/storage"
)

// ledger reads the service's own record of the bench's deliveries from its
// database, read only: how many deliveries the fan-out committed for the
// bench's endpoints, by status. That count, not a model of the API calls, is
// what "lost" is measured against: a delivery row exists exactly when its
// event was committed (one transaction).
type ledger struct {
	db    *storage.DB
	query string
	args  []any
}

// deliveryCounts are the bench endpoints' deliveries by status.
type deliveryCounts struct {
	Pending, Delivered, Failed int64
}

func (c deliveryCounts) total() int64 { return c.Pending + c.Delivered + c.Failed }

// openLedger opens the service's database (no migrations: the service ran them).
func openLedger(ctx context.Context, url string, endpointIDs []string) (*ledger, error) {
	db, err := storage.Open(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("bench: open the service's database to count deliveries: %w", err)
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(endpointIDs)), ",")
	l := &ledger{db: db, query: db.Rebind("SELECT status, COUNT(*) AS n FROM deliveries WHERE endpoint_id IN (" + marks + ") GROUP BY status")}
	for _, id := range endpointIDs {
		l.args = append(l.args, id)
	}
	return l, nil
}

// deliveries counts the deliveries by status.
func (l *ledger) deliveries(ctx context.Context) (deliveryCounts, error) {
	var rows []struct {
		Status string `db:"status"`
		N      int64  `db:"n"`
	}
	if err := l.db.SelectContext(ctx, &rows, l.query, l.args...); err != nil {
		return deliveryCounts{}, fmt.Errorf("count deliveries: %w", err)
	}
	var c deliveryCounts
	for _, r := range rows {
		switch r.Status {
		case "pending":
			c.Pending = r.N
		case "delivered":
			c.Delivered = r.N
		case "failed":
			c.Failed = r.N
		default:
			return c, fmt.Errorf("count deliveries: unknown status %q", r.Status)
		}
	}
	return c, nil
}

// events counts the distinct events the bench's endpoints were sent.
func (l *ledger) events(ctx context.Context) (int64, error) {
	q := strings.Replace(l.query, "status, COUNT(*) AS n", "COUNT(DISTINCT event_id)", 1)
	q = strings.TrimSuffix(q, " GROUP BY status")
	var n int64
	if err := l.db.GetContext(ctx, &n, q, l.args...); err != nil {
		return 0, fmt.Errorf("count events: %w", err)
	}
	return n, nil
}

func (l *ledger) close() { l.db.Close() }
