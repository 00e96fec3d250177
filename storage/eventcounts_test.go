package storage_test

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
)

// randomCounted is an event the consumption report reads, with a payload
// drawn from what its reader tells apart (and what it ignores).
func randomCounted(r *rand.Rand, workspaceID string, at time.Time) storagetest.Event {
	pick := func(vs ...string) string { return vs[r.IntN(len(vs))] }
	types := []events.Type{events.TransactionStarted, events.TransactionCompleted, events.TransactionCancelled,
		events.TransactionExpired, events.ActionClosed, events.RegistrationIdentityVerified,
		events.RegistrationCertificateActivated, events.TransactionPaused, events.ActionOpened}
	ty := types[r.IntN(len(types))]
	data := map[string]any{}
	switch ty {
	case events.TransactionStarted, events.TransactionCompleted, events.TransactionPaused:
		process := map[string]any{"updatedAt": at}
		switch r.IntN(3) {
		case 0:
			process["startedAt"] = at // a first start
		case 1:
			process["startedAt"] = at.Add(-time.Duration(1+r.IntN(1000)) * time.Microsecond) // a resume
		}
		var signers []map[string]any
		for range r.IntN(3) {
			signers = append(signers, map[string]any{"signingStatus": pick(events.SigningSigned, events.SigningApproved, "PENDING")})
		}
		process["signers"] = signers
		data["process"] = process
	case events.ActionClosed:
		if a := pick(events.SigningSigned, events.SigningApproved, events.SigningViewed, "DECLINED", ""); a != "" {
			data["action"] = a
		}
	default:
		if m := pick(events.MethodPVID, events.MethodWeb, ""); m != "" {
			data["method"] = m
		}
		if s := pick(events.VerificationSuccess, events.VerificationFailure, ""); s != "" {
			data["verification_status"] = s
		}
	}
	return storagetest.Event{Type: ty, WorkspaceID: workspaceID, CreatedAt: at, Data: data}
}

// TestConsumptionHourlyCountersMatchTheEvents writes random counted events
// over three days, some on hour boundaries and some out of time order, and
// checks that the report over random periods (whole hours from the counters,
// edges from the events) equals the report read event by event, before and
// after retention expunges the bodies, and once the counters are rebuilt from
// the expunged log as the migration builds them.
func TestConsumptionHourlyCountersMatchTheEvents(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		ws, _ := storagetest.Workspace(t, db, "A")
		other, _ := storagetest.Workspace(t, db, "B")
		r := rand.New(rand.NewPCG(1, 2))
		base := logBase.Truncate(time.Hour)
		span := 72 * time.Hour
		var evs []storagetest.Event
		for range 600 {
			at := base.Add(time.Duration(r.Int64N(int64(span))))
			if r.IntN(10) == 0 {
				at = base.Add(time.Duration(r.IntN(72)) * time.Hour) // on an hour's first microsecond
			}
			at = at.Truncate(time.Microsecond)
			evs = append(evs, randomCounted(r, ws.WorkspaceID, at))
			if r.IntN(5) == 0 {
				evs = append(evs, randomCounted(r, other.WorkspaceID, at))
			}
		}
		storagetest.InsertEvents(t, db, evs...)
		check := func(stage string) {
			t.Helper()
			periods := [][2]time.Time{{base.Add(-time.Hour), base.Add(span + time.Hour)}, {base, base.Add(span)},
				{base.Add(time.Hour - time.Microsecond), base.Add(5 * time.Hour)}, {base.Add(time.Minute), base.Add(2 * time.Minute)}}
			for range 40 {
				a := base.Add(time.Duration(r.Int64N(int64(span))))
				b := a.Add(time.Duration(r.Int64N(int64(span))))
				if r.IntN(3) == 0 {
					a = a.Truncate(time.Hour)
				}
				if r.IntN(3) == 0 {
					b = b.Truncate(time.Hour).Add(time.Duration(r.IntN(3)-1) * time.Microsecond)
				}
				if a.Before(b) {
					periods = append(periods, [2]time.Time{a, b})
				}
			}
			for _, p := range periods {
				want, err := db.Events().ConsumptionFromEvents(ctx, ws.WorkspaceID, p[0], p[1])
				if err != nil {
					t.Fatal(err)
				}
				got, err := db.Events().Consumption(ctx, ws.WorkspaceID, p[0], p[1])
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s: %s to %s:\n got %+v\nwant %+v", stage, p[0].Format(time.RFC3339Nano), p[1].Format(time.RFC3339Nano), got, want)
				}
			}
		}
		check("as written")
		if n, err := db.Events().ExpungeEvents(ctx, base.Add(span+time.Hour), 1000); err != nil || n == 0 {
			t.Fatalf("expunge: %d, %v", n, err)
		}
		check("expunged")
		// The migration's backfill reads the same view as the trigger.
		if _, err := db.Raw().ExecContext(ctx, "DELETE FROM event_counts"); err != nil {
			t.Fatal(err)
		}
		tx, zero := "", "" // PostgreSQL's rows name their writing transaction, 0 for the backfill
		if db.Dialect == storage.Postgres {
			tx, zero = ", tx", ", 0"
		}
		if _, err := db.Raw().ExecContext(ctx, `INSERT INTO event_counts (workspace_id, hour, method, started, completed, signed,
			cancelled, expired, signatures, visas, read_documents, analysed, validated, rejected, certificates`+tx+`)
			SELECT workspace_id, hour, method, SUM(started), SUM(completed), SUM(signed), SUM(cancelled), SUM(expired),
			SUM(signatures), SUM(visas), SUM(read_documents), SUM(analysed), SUM(validated), SUM(rejected), SUM(certificates)`+zero+`
			FROM event_tallies GROUP BY workspace_id, hour, method`); err != nil {
			t.Fatal(err)
		}
		check("rebuilt from the expunged log")
	})
}
