package storage

import (
	"context"

	"github.com/countersign/countersign/events"
)

// WriteEvents writes evs into the log in one transaction through the
// service's own writer, without fanning them out.
func (db *DB) WriteEvents(ctx context.Context, evs []events.Event) error {
	out := make([]outgoing, len(evs))
	for i, ev := range evs {
		out[i] = outgoing{event: ev}
	}
	return db.Tx(ctx, func(tx *Tx) error { return db.writeEvents(ctx, tx, nil, out) })
}
