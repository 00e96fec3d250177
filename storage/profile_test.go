package storage_test

import (
	"context"
	"strings"
	"testing"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/workflow"
)

func TestDocumentAttributeLifecycle(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		owner, _ := storagetest.Workspace(t, db, "A")
		other, _ := storagetest.Workspace(t, db, "B")
		a, err := db.Resources().CreateDocumentAttribute(ctx, owner, workflow.DocumentAttribute{Name: "Contract no", Type: "string", Required: true})
		if err != nil || !countersign.ValidUUID(a.ID) || !a.Required {
			t.Fatalf("create = %+v, %v", a, err)
		}
		_, err = db.Resources().CreateDocumentAttribute(ctx, owner, workflow.DocumentAttribute{Name: "x"})
		assertErrorCode(t, err, countersign.EVALIDATION)
		if _, err := db.Resources().CreateDocumentAttribute(ctx, owner, workflow.DocumentAttribute{Name: "amount", Type: "number"}); err != nil {
			t.Fatal(err)
		}
		upd, err := db.Resources().UpdateDocumentAttribute(ctx, owner, a.ID, workflow.DocumentAttribute{Name: "Contract number", Type: "string"})
		if err != nil || upd.Name != "Contract number" || upd.Required || !upd.CreatedAt.Equal(a.CreatedAt) {
			t.Fatalf("update = %+v, %v", upd, err)
		}
		_, err = db.Resources().UpdateDocumentAttribute(ctx, other, a.ID, workflow.DocumentAttribute{Name: "n", Type: "t"})
		assertErrorCode(t, err, countersign.ENOTFOUND)
		got, err := db.Resources().GetDocumentAttribute(ctx, owner.WorkspaceID, a.ID)
		if err != nil || got != upd {
			t.Fatalf("get = %+v, %v; want %+v", got, err, upd)
		}
		list, err := db.Resources().ListDocumentAttributes(ctx, owner.WorkspaceID)
		if err != nil || len(list) != 2 || list[0].Name != "amount" {
			t.Fatalf("list = %+v, %v", list, err)
		}
		if list, _ := db.Resources().ListDocumentAttributes(ctx, other.WorkspaceID); len(list) != 0 {
			t.Fatalf("other workspace sees %+v", list)
		}
		assertErrorCode(t, db.Resources().DeleteDocumentAttribute(ctx, other, a.ID), countersign.ENOTFOUND)
		if err := db.Resources().DeleteDocumentAttribute(ctx, owner, a.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.Resources().GetDocumentAttribute(ctx, owner.WorkspaceID, a.ID)
		assertErrorCode(t, err, countersign.ENOTFOUND)
	})
}

func TestDocumentProfileLifecycle(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		owner, _ := storagetest.Workspace(t, db, "A")
		other, _ := storagetest.Workspace(t, db, "B")
		shared, err := db.Resources().CreateDocumentAttribute(ctx, owner, workflow.DocumentAttribute{Name: "Contract no", Type: "string"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := db.Resources().CreateDocumentProfile(ctx, owner, workflow.DocumentProfile{Name: "Lease", DocumentType: "CONTRACT",
			OwnerGroup: "group-a", Seal: "SEAL-1", IsSealRequired: true, ProfileOrder: 2,
			Attributes: []workflow.DocumentAttribute{{Name: "Tenant", Type: "string", Required: true}, {ID: shared.ID, Name: "ignored"}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Attributes) != 2 || p.Attributes[1] != shared || !countersign.ValidUUID(p.Attributes[0].ID) {
			t.Fatalf("created attributes %+v", p.Attributes)
		}
		// The new attribute joined the shared catalogue.
		if list, _ := db.Resources().ListDocumentAttributes(ctx, owner.WorkspaceID); len(list) != 2 {
			t.Fatalf("catalogue = %+v", list)
		}
		got, err := db.Resources().GetDocumentProfile(ctx, owner.WorkspaceID, p.ID)
		if err != nil || got.Name != "Lease" || len(got.Attributes) != 2 || got.Attributes[0].Name != "Tenant" || !got.IsSealRequired {
			t.Fatalf("get = %+v, %v", got, err)
		}
		if byName, err := db.Resources().GetDocumentProfileByName(ctx, owner.WorkspaceID, "Lease"); err != nil || byName.ID != p.ID {
			t.Fatalf("by name = %+v, %v", byName, err)
		}
		_, err = db.Resources().GetDocumentProfileByName(ctx, other.WorkspaceID, "Lease")
		assertErrorCode(t, err, countersign.ENOTFOUND)

		// Names are unique per workspace: another workspace may reuse one.
		_, err = db.Resources().CreateDocumentProfile(ctx, owner, workflow.DocumentProfile{Name: "Lease"})
		assertErrorCode(t, err, countersign.ECONFLICT)
		if _, err := db.Resources().CreateDocumentProfile(ctx, other, workflow.DocumentProfile{Name: "Lease"}); err != nil {
			t.Fatalf("other workspace, same name: %v", err)
		}
		// Another workspace's attribute cannot be linked.
		foreign, _ := db.Resources().CreateDocumentAttribute(ctx, other, workflow.DocumentAttribute{Name: "f", Type: "t"})
		_, err = db.Resources().CreateDocumentProfile(ctx, owner, workflow.DocumentProfile{Name: "X", Attributes: []workflow.DocumentAttribute{{ID: foreign.ID}}})
		assertErrorCode(t, err, countersign.EVALIDATION)
		if _, err := db.Resources().GetDocumentProfileByName(ctx, owner.WorkspaceID, "X"); countersign.ErrorCode(err) != countersign.ENOTFOUND {
			t.Fatalf("a refused profile was stored: %v", err)
		}

		// An attribute in use cannot go; an attribute change shows in the profile.
		assertErrorCode(t, db.Resources().DeleteDocumentAttribute(ctx, owner, shared.ID), countersign.ECONFLICT)
		if _, err := db.Resources().UpdateDocumentAttribute(ctx, owner, shared.ID, workflow.DocumentAttribute{Name: "Contract number", Type: "string"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Resources().GetDocumentProfile(ctx, owner.WorkspaceID, p.ID); got.Attributes[1].Name != "Contract number" {
			t.Fatalf("attribute change not seen: %+v", got.Attributes)
		}

		nda, err := db.Resources().CreateDocumentProfile(ctx, owner, workflow.DocumentProfile{Name: "NDA", OwnerGroup: "group-b"})
		if err != nil {
			t.Fatal(err)
		}
		upd, err := db.Resources().UpdateDocumentProfile(ctx, owner, p.ID, workflow.DocumentProfile{Name: "Lease v2", OwnerGroup: "group-a", ProfileOrder: 5,
			Attributes: []workflow.DocumentAttribute{{ID: shared.ID}}})
		if err != nil || upd.Name != "Lease v2" || len(upd.Attributes) != 1 || !upd.CreatedAt.Equal(p.CreatedAt) {
			t.Fatalf("update = %+v, %v", upd, err)
		}
		_, err = db.Resources().UpdateDocumentProfile(ctx, owner, p.ID, workflow.DocumentProfile{Name: "NDA"})
		assertErrorCode(t, err, countersign.ECONFLICT)
		_, err = db.Resources().UpdateDocumentProfile(ctx, other, p.ID, workflow.DocumentProfile{Name: "Y"})
		assertErrorCode(t, err, countersign.ENOTFOUND)

		names := func(group string) string {
			list, err := db.Resources().ListDocumentProfiles(ctx, owner.WorkspaceID, group)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, x := range list {
				out = append(out, x.Name+"/"+string(rune('0'+len(x.Attributes))))
			}
			return strings.Join(out, ",")
		}
		if got := names(""); got != "NDA/0,Lease v2/1" {
			t.Fatalf("list = %s", got)
		}
		if got := names("group-a"); got != "Lease v2/1" {
			t.Fatalf("list group-a = %s", got)
		}
		assertErrorCode(t, db.Resources().DeleteDocumentProfile(ctx, other, p.ID), countersign.ENOTFOUND)
		for _, id := range []string{p.ID, nda.ID} {
			if err := db.Resources().DeleteDocumentProfile(ctx, owner, id); err != nil {
				t.Fatal(err)
			}
		}
		// Unlinked, the shared attribute may go now.
		if err := db.Resources().DeleteDocumentAttribute(ctx, owner, shared.ID); err != nil {
			t.Fatal(err)
		}
	})
}
