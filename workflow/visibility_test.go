package workflow

import (
	"reflect"
	"testing"

	"github.com/countersign/countersign"
)

func TestOwnershipRules(t *testing.T) {
	// alice and bob are in group-a, carol in group-b.
	type who struct{ user, group string }
	alice, bob, carol := who{"alice", "group-a"}, who{"bob", "group-a"}, who{"carol", "group-b"}
	cases := []struct {
		name      string
		item      Ownership
		caller    who
		sees      bool
		mayChange bool
	}{
		{"personal: owner", Ownership{"alice", ScopePersonal, "group-a"}, alice, true, true},
		{"personal: same group", Ownership{"alice", ScopePersonal, "group-a"}, bob, false, false},
		{"personal: other group", Ownership{"alice", ScopePersonal, "group-a"}, carol, false, false},
		{"group: owner", Ownership{"alice", ScopeGroup, "group-a"}, alice, true, true},
		{"group: member", Ownership{"alice", ScopeGroup, "group-a"}, bob, true, true},
		{"group: outsider", Ownership{"alice", ScopeGroup, "group-a"}, carol, false, false},
		{"group: owner who left the group", Ownership{"alice", ScopeGroup, "group-a"}, who{"alice", "group-b"}, false, false},
		{"global: owner", Ownership{"alice", ScopeGlobal, "group-a"}, alice, true, true},
		{"global: member of its group", Ownership{"alice", ScopeGlobal, "group-a"}, bob, true, true},
		{"global: anyone else", Ownership{"alice", ScopeGlobal, "group-a"}, carol, true, false},
		{"global without group: owner", Ownership{"alice", ScopeGlobal, ""}, alice, true, true},
		{"global without group: empty caller group", Ownership{"alice", ScopeGlobal, ""}, who{"dave", ""}, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.item.VisibleTo(c.caller.user, c.caller.group); got != c.sees {
				t.Errorf("VisibleTo = %v, want %v", got, c.sees)
			}
			err := c.item.MayChange("contact", c.caller.user, c.caller.group)
			if c.mayChange && err != nil {
				t.Errorf("MayChange = %v, want nil", err)
			}
			if !c.mayChange {
				assertCode(t, err, countersign.EFORBIDDEN)
			}
		})
	}
}

func TestScopeFilter(t *testing.T) {
	all := []Scope{ScopePersonal, ScopeGroup, ScopeGlobal}
	cases := []struct {
		in   []Scope
		want []Scope
	}{
		{nil, all},
		{[]Scope{ScopeAll}, all},
		{[]Scope{ScopeGlobal, ScopePersonal}, []Scope{ScopePersonal, ScopeGlobal}},
		{[]Scope{ScopeGroup, ScopeGroup}, []Scope{ScopeGroup}},
		{[]Scope{ScopeGroup, ScopeAll}, all},
	}
	for _, c := range cases {
		got, err := ScopeFilter(c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ScopeFilter(%v) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	_, err := ScopeFilter([]Scope{"EVERYONE"})
	assertField(t, err, countersign.EINVALID, "scope")
}

func TestContactValidate(t *testing.T) {
	valid := func() Contact {
		return Contact{Name: " Jane Doe ", Country: "lv", PersonalCode: "161175-19997", Phone: "+371 20000000",
			Email: "jane@example.com", Role: RoleSigner, Owner: "alice", Scope: ScopePersonal, Language: "lv-LV"}
	}
	c := valid()
	if err := c.Validate(); err != nil {
		t.Fatalf("valid contact: %v", err)
	}
	if c.Name != "Jane Doe" || c.Country != "LV" {
		t.Fatalf("not normalised: %+v", c)
	}
	cases := []struct {
		name  string
		edit  func(*Contact)
		code  string
		field string
	}{
		{"no name", func(c *Contact) { c.Name = "  " }, countersign.EVALIDATION, "name"},
		{"no owner", func(c *Contact) { c.Owner = "" }, countersign.EVALIDATION, "owner"},
		{"unknown country", func(c *Contact) { c.Country = "XX" }, countersign.EINVALID, "country"},
		{"bad LV code", func(c *Contact) { c.PersonalCode = "161175-19990" }, countersign.EVALIDATION, "personalCode"},
		{"bad code without country", func(c *Contact) { c.Country, c.PersonalCode = "", "12 34" }, countersign.EVALIDATION, "personalCode"},
		{"bad email", func(c *Contact) { c.Email = "jane" }, countersign.EVALIDATION, "email"},
		{"bad phone", func(c *Contact) { c.Phone = "call me" }, countersign.EVALIDATION, "phone"},
		{"unknown role", func(c *Contact) { c.Role = "OWNER" }, countersign.EINVALID, "role"},
		{"unknown scope", func(c *Contact) { c.Scope = "WORLD" }, countersign.EINVALID, "scope"},
		{"scope ALL", func(c *Contact) { c.Scope = ScopeAll }, countersign.EVALIDATION, "scope"},
		{"group scope without group", func(c *Contact) { c.Scope, c.Group = ScopeGroup, "" }, countersign.EVALIDATION, "group"},
		{"bad language", func(c *Contact) { c.Language = "latvian!" }, countersign.EVALIDATION, "language"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := valid()
			tc.edit(&c)
			assertField(t, c.Validate(), tc.code, tc.field)
		})
	}
	c = Contact{Name: "x", Owner: "alice"}
	if err := c.Validate(); err != nil || c.Scope != ScopePersonal {
		t.Fatalf("empty scope: %v, scope %q; want PERSONAL", err, c.Scope)
	}
}

func TestDocumentProfileValidate(t *testing.T) {
	id := countersign.NewUUID()
	cases := []struct {
		name  string
		p     DocumentProfile
		code  string
		field string
	}{
		{"valid", DocumentProfile{Name: "Lease", Attributes: []DocumentAttribute{{ID: id}, {Name: "a", Type: "string"}}}, "", ""},
		{"no name", DocumentProfile{}, countersign.EVALIDATION, "name"},
		{"negative order", DocumentProfile{Name: "x", ProfileOrder: -1}, countersign.EVALIDATION, "profileorder"},
		{"seal required without seal", DocumentProfile{Name: "x", IsSealRequired: true}, countersign.EVALIDATION, "seal"},
		{"bad attribute id", DocumentProfile{Name: "x", Attributes: []DocumentAttribute{{ID: "42"}}}, countersign.EINVALID, "attributes[0].id"},
		{"attribute twice", DocumentProfile{Name: "x", Attributes: []DocumentAttribute{{ID: id}, {ID: id}}}, countersign.EVALIDATION, "attributes[1].id"},
		{"new attribute without type", DocumentProfile{Name: "x", Attributes: []DocumentAttribute{{Name: "a"}}}, countersign.EVALIDATION, "attributes[0].type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.p.Validate()
			if c.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			assertField(t, err, c.code, c.field)
		})
	}
}

func TestAuditRecordValidate(t *testing.T) {
	cases := []struct {
		name  string
		r     AuditRecord
		code  string
		field string
	}{
		{"valid", AuditRecord{EventType: AuditSignature, IPAddress: "2001:db8::1"}, "", ""},
		{"no type", AuditRecord{}, countersign.EVALIDATION, "eventType"},
		{"unknown type", AuditRecord{EventType: "SIGNED"}, countersign.EINVALID, "eventType"},
		{"bad ip", AuditRecord{EventType: AuditSignature, IPAddress: "localhost"}, countersign.EVALIDATION, "ipAddress"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.r.Validate()
			if c.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			assertField(t, err, c.code, c.field)
		})
	}
}
