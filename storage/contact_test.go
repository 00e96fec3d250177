package storage_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/storage"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/workflow"
)

// assertErrorCode fails unless err carries code.
func assertErrorCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := countersign.ErrorCode(err); got != code {
		t.Fatalf("error %v has code %q, want %q", err, got, code)
	}
}

func TestContactLifecycle(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		owner, _ := storagetest.Workspace(t, db, "A")
		other, _ := storagetest.Workspace(t, db, "B")
		c, err := db.Resources().CreateContact(ctx, owner, workflow.Contact{ID: "ignored", Name: "Jane Doe", Country: "lv",
			PersonalCode: "161175-19997", Email: "Jane@Example.com", Role: workflow.RoleSigner, Owner: "alice",
			Scope: workflow.ScopeGroup, Group: "group-a", Language: "lv", DefaultAnonymous: true})
		if err != nil {
			t.Fatal(err)
		}
		if !countersign.ValidUUID(c.ID) || c.CreatedAt.IsZero() || c.Country != "LV" {
			t.Fatalf("created %+v", c)
		}
		got, err := db.Resources().GetContact(ctx, owner.WorkspaceID, c.ID)
		if err != nil || got != c {
			t.Fatalf("get = %+v, %v; want %+v", got, err, c)
		}
		_, err = db.Resources().GetContact(ctx, other.WorkspaceID, c.ID)
		assertErrorCode(t, err, countersign.ENOTFOUND)
		_, err = db.Resources().CreateContact(ctx, owner, workflow.Contact{Name: "x", Owner: "alice", Country: "LV", PersonalCode: "1"})
		assertErrorCode(t, err, countersign.EVALIDATION)

		// bob of group-a may change a GROUP contact, but not hand it to group-b.
		upd := c
		upd.Name, upd.Phone = "Jane Roe", "+371 20000000"
		got, err = db.Resources().UpdateContact(ctx, owner, "bob", "group-a", upd)
		if err != nil || got.Name != "Jane Roe" || !got.CreatedAt.Equal(c.CreatedAt) {
			t.Fatalf("update = %+v, %v", got, err)
		}
		moved := upd
		moved.Group = "group-b"
		_, err = db.Resources().UpdateContact(ctx, owner, "bob", "group-a", moved)
		assertErrorCode(t, err, countersign.EFORBIDDEN)
		_, err = db.Resources().UpdateContact(ctx, owner, "carol", "group-b", upd)
		assertErrorCode(t, err, countersign.EFORBIDDEN)
		_, err = db.Resources().UpdateContact(ctx, other, "bob", "group-a", upd)
		assertErrorCode(t, err, countersign.ENOTFOUND)

		assertErrorCode(t, db.Resources().DeleteContact(ctx, owner, "carol", "group-b", c.ID), countersign.EFORBIDDEN)
		assertErrorCode(t, db.Resources().DeleteContact(ctx, other, "alice", "group-a", c.ID), countersign.ENOTFOUND)
		if err := db.Resources().DeleteContact(ctx, owner, "alice", "group-a", c.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.Resources().GetContact(ctx, owner.WorkspaceID, c.ID)
		assertErrorCode(t, err, countersign.ENOTFOUND)
	})
}

// seedContacts creates one contact per (owner, scope, group) and returns their ids by name.
func seedContacts(t *testing.T, db *storage.DB, actor countersign.Actor) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, c := range []workflow.Contact{
		{Name: "Alice personal", Owner: "alice", Scope: workflow.ScopePersonal, Group: "group-a", Email: "ap@example.com"},
		{Name: "alice group", Owner: "alice", Scope: workflow.ScopeGroup, Group: "group-a", Country: "LT", PersonalCode: "33309240064"},
		{Name: "Bob personal", Owner: "bob", Scope: workflow.ScopePersonal, Group: "group-a"},
		{Name: "Carol group", Owner: "carol", Scope: workflow.ScopeGroup, Group: "group-b", Email: "cg@example.org"},
		{Name: "Carol global", Owner: "carol", Scope: workflow.ScopeGlobal, Group: "group-b"},
		{Name: "100%_match", Owner: "alice", Scope: workflow.ScopeGlobal, Country: "LV", PersonalCode: "161175-19997"},
	} {
		out, err := db.Resources().CreateContact(context.Background(), actor, c)
		if err != nil {
			t.Fatal(err)
		}
		ids[c.Name] = out.ID
	}
	return ids
}

func TestListContactsVisibilityAndFilters(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		owner, _ := storagetest.Workspace(t, db, "A")
		other, _ := storagetest.Workspace(t, db, "B")
		seedContacts(t, db, owner)
		seedContacts(t, db, other) // never seen from A
		page := workflow.Paging{Size: 20}
		cases := []struct {
			name string
			f    workflow.ContactFilter
			want []string // names, in order
		}{
			{"alice sees all her scopes", workflow.ContactFilter{User: "alice", Group: "group-a"},
				[]string{"100%_match", "alice group", "Alice personal", "Carol global"}},
			{"ALL is every scope", workflow.ContactFilter{User: "alice", Group: "group-a", Scopes: []workflow.Scope{workflow.ScopeAll}},
				[]string{"100%_match", "alice group", "Alice personal", "Carol global"}},
			{"bob sees his group's", workflow.ContactFilter{User: "bob", Group: "group-a"},
				[]string{"100%_match", "alice group", "Bob personal", "Carol global"}},
			{"carol", workflow.ContactFilter{User: "carol", Group: "group-b"}, []string{"100%_match", "Carol global", "Carol group"}},
			{"personal only", workflow.ContactFilter{User: "alice", Group: "group-a", Scopes: []workflow.Scope{workflow.ScopePersonal}},
				[]string{"Alice personal"}},
			{"group and global", workflow.ContactFilter{User: "carol", Group: "group-b", Scopes: []workflow.Scope{workflow.ScopeGroup, workflow.ScopeGlobal}},
				[]string{"100%_match", "Carol global", "Carol group"}},
			{"name ignoring case", workflow.ContactFilter{User: "alice", Group: "group-a", Name: "ALICE"}, []string{"alice group", "Alice personal"}},
			{"name with LIKE characters", workflow.ContactFilter{User: "alice", Group: "group-a", Name: "0%_"}, []string{"100%_match"}},
			{"underscore is literal", workflow.ContactFilter{User: "alice", Group: "group-a", Name: "e_g"}, nil},
			{"email", workflow.ContactFilter{User: "carol", Group: "group-b", Email: "EXAMPLE.ORG"}, []string{"Carol group"}},
			{"personal code without hyphen", workflow.ContactFilter{User: "bob", Group: "group-a", PersonalCode: "16117519997"}, []string{"100%_match"}},
			{"personal code as stored", workflow.ContactFilter{User: "bob", Group: "group-a", PersonalCode: "33309240064"}, []string{"alice group"}},
			{"nobody's group", workflow.ContactFilter{User: "zed", Group: "group-z", Scopes: []workflow.Scope{workflow.ScopeGroup}}, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, err := pageOf(db.Resources().ListContacts(ctx, owner.WorkspaceID, c.f, page))
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, x := range got.Content {
					names = append(names, x.Name)
				}
				if !slices.Equal(names, c.want) || got.TotalElements != int64(len(c.want)) {
					t.Fatalf("got %v (total %d), want %v", names, got.TotalElements, c.want)
				}
			})
		}
		_, _, err := db.Resources().ListContacts(ctx, owner.WorkspaceID, workflow.ContactFilter{User: "a", Group: "b", Scopes: []workflow.Scope{"X"}}, page)
		assertErrorCode(t, err, countersign.EINVALID)
	})
}

func TestListContactsPagesAndSorts(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		owner, _ := storagetest.Workspace(t, db, "A")
		for _, n := range []string{"d", "B", "a", "C", "e"} {
			if _, err := db.Resources().CreateContact(ctx, owner, workflow.Contact{Name: n, Email: n + "@x.com", Owner: "u", Scope: workflow.ScopeGlobal}); err != nil {
				t.Fatal(err)
			}
		}
		f := workflow.ContactFilter{User: "u", Group: "g"}
		cases := []struct {
			page workflow.Paging
			want string
		}{
			{workflow.Paging{Size: 2}, "a,B"},
			{workflow.Paging{Page: 1, Size: 2}, "C,d"},
			{workflow.Paging{Page: 2, Size: 2}, "e"},
			{workflow.Paging{Page: 3, Size: 2}, ""},
			{workflow.Paging{Size: 3, Sort: []workflow.SortOrder{{Field: "name", Desc: true}}}, "e,d,C"},
			{workflow.Paging{Size: 5, Sort: []workflow.SortOrder{{Field: "createdAt"}}}, "d,B,a,C,e"},
			{workflow.Paging{Size: 2, Sort: []workflow.SortOrder{{Field: "email", Desc: true}}}, "e,d"},
		}
		for _, c := range cases {
			got, err := pageOf(db.Resources().ListContacts(ctx, owner.WorkspaceID, f, c.page))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, x := range got.Content {
				names = append(names, x.Name)
			}
			if strings.Join(names, ",") != c.want || got.TotalElements != 5 {
				t.Errorf("page %+v: got %v total %d, want %s", c.page, names, got.TotalElements, c.want)
			}
		}
		_, _, err := db.Resources().ListContacts(ctx, owner.WorkspaceID, f, workflow.Paging{Size: 2, Sort: []workflow.SortOrder{{Field: "owner; DROP"}}})
		assertErrorCode(t, err, countersign.EINVALID)
	})
}

func TestTemplateLifecycleAndVisibility(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		owner, _ := storagetest.Workspace(t, db, "A")
		other, _ := storagetest.Workspace(t, db, "B")
		ids := map[string]string{}
		for _, tp := range []workflow.Template{
			{Name: "Lease", Data: `{"documentType":"CONTRACT"}`, Owner: "alice", Scope: workflow.ScopePersonal},
			{Name: "NDA", Data: "{}", Owner: "alice", Scope: workflow.ScopeGroup, Group: "group-a"},
			{Name: "Invoice", Data: "{}", Owner: "carol", Scope: workflow.ScopeGlobal, Group: "group-b"},
		} {
			out, err := db.Resources().CreateTemplate(ctx, owner, tp)
			if err != nil {
				t.Fatal(err)
			}
			if out.Data != tp.Data || !countersign.ValidUUID(out.ID) {
				t.Fatalf("created %+v", out)
			}
			ids[tp.Name] = out.ID
		}
		_, err := db.Resources().CreateTemplate(ctx, owner, workflow.Template{Name: "x", Owner: "a", Scope: workflow.ScopeAll})
		assertErrorCode(t, err, countersign.EVALIDATION)
		list := func(user, group string, scopes ...workflow.Scope) string {
			got, err := pageOf(db.Resources().ListTemplates(ctx, owner.WorkspaceID, workflow.TemplateFilter{User: user, Group: group, Scopes: scopes}, workflow.Paging{Size: 10}))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, x := range got.Content {
				names = append(names, x.Name)
			}
			return strings.Join(names, ",")
		}
		for _, c := range []struct{ got, want string }{
			{list("alice", "group-a"), "Invoice,Lease,NDA"},
			{list("bob", "group-a"), "Invoice,NDA"},
			{list("bob", "group-b"), "Invoice"},
			{list("alice", "group-a", workflow.ScopePersonal), "Lease"},
		} {
			if c.got != c.want {
				t.Errorf("got %s, want %s", c.got, c.want)
			}
		}
		assertErrorCode(t, db.Resources().DeleteTemplate(ctx, owner, "bob", "group-a", ids["Lease"]), countersign.EFORBIDDEN)
		assertErrorCode(t, db.Resources().DeleteTemplate(ctx, owner, "dave", "group-c", ids["Invoice"]), countersign.EFORBIDDEN)
		assertErrorCode(t, db.Resources().DeleteTemplate(ctx, other, "alice", "group-a", ids["Lease"]), countersign.ENOTFOUND)
		if err := db.Resources().DeleteTemplate(ctx, owner, "bob", "group-a", ids["NDA"]); err != nil {
			t.Fatal(err)
		}
		if err := db.Resources().DeleteTemplate(ctx, owner, "dave", "group-b", ids["Invoice"]); err != nil {
			t.Fatal(err)
		}
		if got := list("alice", "group-a"); got != "Lease" {
			t.Fatalf("after deletes: %s", got)
		}
	})
}
