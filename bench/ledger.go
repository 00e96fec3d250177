package bench

import (
	"context"
	"fmt"

	"github.com/countersign/countersign/storage"
)

// ledger reads the service's own record of the bench's deliveries from its
// database, read only: how many deliveries the fan-out committed for the
// bench's endpoints, by status. That count, not a model of the API calls, is
// what "lost" is measured against: a delivery row exists exactly when its
// event was committed (one transaction).
type ledger struct {
	db        *storage.DB
	endpoints []string
}

// deliveryCounts are the bench endpoints' deliveries by status.
type deliveryCounts = storage.DeliveryCounts

// openLedger opens the service's database (no migrations: the service ran them).
func openLedger(ctx context.Context, url string, endpointIDs []string) (*ledger, error) {
	db, err := storage.Open(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("bench: open the service's database to count deliveries: %w", err)
	}
	return &ledger{db: db, endpoints: endpointIDs}, nil
}

// deliveries counts the deliveries by status.
func (l *ledger) deliveries(ctx context.Context) (deliveryCounts, error) {
	return l.db.Webhooks().CountDeliveries(ctx, l.endpoints)
}

// events counts the distinct events the bench's endpoints were sent.
func (l *ledger) events(ctx context.Context) (int64, error) {
	return l.db.Webhooks().CountDeliveredEvents(ctx, l.endpoints)
}

func (l *ledger) close() { l.db.Close() }
