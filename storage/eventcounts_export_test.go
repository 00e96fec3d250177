package storage

import (
	"context"
	"math"
	"time"

	"github.com/countersign/countersign/events"
)

// ConsumptionFromEvents is the consumption report read event by event, never
// from the hourly counters: the reference the counters are checked against.
func (es *Events) ConsumptionFromEvents(ctx context.Context, workspaceID string, after, before time.Time) (events.Consumption, error) {
	c := events.Consumption{Identities: map[string]events.IdentityCount{}, Certificates: map[string]int{}}
	return c, es.consumptionRaw(ctx, workspaceID, micros(after), math.MaxInt64, micros(before), &c)
}
