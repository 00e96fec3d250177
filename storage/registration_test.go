package storage_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/workflow"
)

func TestRegistrationSurvivesSaveAndLoad(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		actor, _ := storagetest.Workspace(t, db, "A")
		var r workflow.Registration
		fillAll(reflect.ValueOf(&r).Elem(), new(int))
		r.WorkspaceID = actor.WorkspaceID
		assertFilled(t, reflect.ValueOf(r), "Registration")
		if err := db.InsertRegistration(context.Background(), &r); err != nil {
			t.Fatal(err)
		}
		got, err := db.Registrations().GetRegistration(context.Background(), actor.WorkspaceID, r.ID)
		if err != nil || !reflect.DeepEqual(got, &r) {
			t.Fatalf("loaded %+v, %v; want %+v", got, err, &r)
		}
	})
}

func TestRegistrationLifecycle(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		processClock(db)
		actor, _ := storagetest.Workspace(t, db, "A")
		in := workflow.RegistrationInput{FullName: "Jane Doe", Email: "jane@example.com", Method: workflow.MethodWeb}
		r, err := db.Registrations().CreateRegistration(ctx, actor, in)
		if err != nil || r.Status != workflow.RegistrationPending {
			t.Fatalf("create: %v %v", r, err)
		}
		steps := []workflow.RegistrationCommand{
			func(r *workflow.Registration, now time.Time) ([]workflow.Emitted, error) {
				return r.VerifyIdentity(true, now)
			},
			func(r *workflow.Registration, now time.Time) ([]workflow.Emitted, error) {
				return r.Complete("Jane's cert", now)
			},
			func(r *workflow.Registration, now time.Time) ([]workflow.Emitted, error) {
				return r.ActivateCertificate(now)
			},
		}
		for _, cmd := range steps {
			if r, err = db.Registrations().ChangeRegistration(ctx, actor, r.ID, cmd); err != nil {
				t.Fatal(err)
			}
		}
		if r.Status != workflow.RegistrationCertificateActive {
			t.Fatalf("status %s", r.Status)
		}
		// An illegal transition writes nothing.
		before := countRows(t, db, "SELECT COUNT(*) FROM events")
		if _, err := db.Registrations().ChangeRegistration(ctx, actor, r.ID, steps[1]); countersign.ErrorCode(err) != countersign.ECONFLICT {
			t.Fatalf("complete twice: %v", err)
		}
		if after := countRows(t, db, "SELECT COUNT(*) FROM events"); after != before {
			t.Fatalf("a refused transition wrote %d events", after-before)
		}
		want := []string{"registration.identity.verified", "registration.lifecycle.completed", "registration.certificate.activated"}
		if got := resourceEvents(t, db, r.ID); !reflect.DeepEqual(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
		other, _ := storagetest.Workspace(t, db, "B")
		if _, err := db.Registrations().GetRegistration(ctx, other.WorkspaceID, r.ID); countersign.ErrorCode(err) != countersign.ENOTFOUND {
			t.Fatalf("other workspace: %v", err)
		}
	})
}

func TestRegistrationsExpire(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		advance := processClock(db)
		actor, _ := storagetest.Workspace(t, db, "A")
		in := workflow.RegistrationInput{FullName: "Jane Doe", Email: "jane@example.com", Method: workflow.MethodPVID}
		byScheduler, _ := db.Registrations().CreateRegistration(ctx, actor, in)
		byRequest, _ := db.Registrations().CreateRegistration(ctx, actor, in)
		if n, err := db.Processes().ApplyDue(ctx, pt0.Add(6*24*time.Hour), 10); err != nil || n != 0 {
			t.Fatalf("before seven days: %d %v", n, err)
		}
		if n, err := db.Processes().ApplyDue(ctx, pt0.Add(7*24*time.Hour), 1); err != nil || n != 1 {
			t.Fatalf("after seven days: %d %v", n, err)
		}
		advance(8 * 24 * time.Hour)
		got, _ := db.Registrations().GetRegistration(ctx, actor.WorkspaceID, byScheduler.ID)
		other := byRequest
		if got.Status != workflow.RegistrationExpired {
			got, _ = db.Registrations().GetRegistration(ctx, actor.WorkspaceID, byRequest.ID)
			other = byScheduler
		}
		if got.Status != workflow.RegistrationExpired {
			t.Fatalf("no registration expired")
		}
		// A request on the other one past its seven days expires it first, then refuses.
		_, err := db.Registrations().ChangeRegistration(ctx, actor, other.ID, func(r *workflow.Registration, now time.Time) ([]workflow.Emitted, error) {
			return r.VerifyIdentity(true, now)
		})
		if countersign.ErrorCode(err) != countersign.ECONFLICT {
			t.Fatalf("verify after expiry: %v", err)
		}
		if got := resourceEvents(t, db, other.ID); !reflect.DeepEqual(got, []string{"registration.lifecycle.expired"}) {
			t.Fatalf("events %v", got)
		}
	})
}
