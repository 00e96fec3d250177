package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/workflow"
)

// contactBody is a valid createContact body; mods change it.
func contactBody(mods ...func(map[string]any)) map[string]any {
	b := map[string]any{
		"id": "string", "createdAt": "2019-08-24T14:15:22Z", // read-only fields clients send
		"name": "Jane Doe", "country": "LV", "personalCode": "161175-19997", "phone": "+371 20000000",
		"email": "jane@example.com", "role": "SIGNER", "defaultAnonymous": false, "owner": "alice",
		"scope": "GROUP", "group": "group-a", "language": "lv",
	}
	for _, m := range mods {
		m(b)
	}
	return b
}

// newContact creates a contact and returns it.
func (s *harness) newContact(token string, body map[string]any) workflow.Contact {
	s.t.Helper()
	var c workflow.Contact
	decodeInto(s.t, s.expect(http.StatusCreated, "POST", "/v1/contacts", token, body), &c)
	return c
}

// as returns the user and group query of a call on someone's behalf.
func as(user, group string) string {
	return "user=" + url.QueryEscape(user) + "&group=" + url.QueryEscape(group)
}

func TestContactRoutesHappyPath(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	member := s.key(s.ws, countersign.RoleMember) // PermProcesses: every role
	res := s.expect(http.StatusCreated, "POST", "/v1/contacts", member, contactBody())
	checkGolden(t, "contact", res.Body)
	var c workflow.Contact
	decodeInto(t, res, &c)
	if !countersign.ValidUUID(c.ID) || c.ID == "string" || c.CreatedAt.Year() == 2019 {
		t.Fatalf("read-only fields were taken from the body: %+v", c)
	}

	get := s.expect(http.StatusOK, "GET", "/v1/contacts/"+c.ID+"?"+as("bob", "group-a"), member, nil)
	checkGolden(t, "contact", get.Body)

	upd := contactBody(func(b map[string]any) { b["id"], b["name"], b["phone"] = c.ID, "Jane Roe", "" })
	res = s.expect(http.StatusOK, "PUT", "/v1/contacts?"+as("bob", "group-a"), member, upd)
	var got workflow.Contact
	decodeInto(t, res, &got)
	if got.Name != "Jane Roe" || got.Phone != "" || !got.CreatedAt.Equal(c.CreatedAt) {
		t.Fatalf("updated %+v", got)
	}

	list := s.expect(http.StatusOK, "GET", "/v1/contacts?owner=alice&group=group-a", member, nil)
	checkGolden(t, "contact_page", list.Body)

	s.expect(http.StatusNoContent, "DELETE", "/v1/contacts/"+c.ID+"?"+as("alice", "group-a"), member, nil)
	s.expect(http.StatusNotFound, "GET", "/v1/contacts/"+c.ID+"?"+as("alice", "group-a"), member, nil)
}

func TestContactVisibilityRules(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	// alice and bob are in group-a, carol in group-b.
	ids := map[workflow.Scope]string{}
	for _, scope := range []workflow.Scope{workflow.ScopePersonal, workflow.ScopeGroup, workflow.ScopeGlobal} {
		ids[scope] = s.newContact(s.owner, contactBody(func(b map[string]any) { b["scope"] = string(scope) })).ID
	}
	type verdict struct{ get, update, remove int }
	ok, no := http.StatusOK, http.StatusForbidden
	cases := []struct {
		scope       workflow.Scope
		user, group string
		want        verdict
	}{
		{workflow.ScopePersonal, "alice", "group-a", verdict{ok, ok, http.StatusNoContent}},
		{workflow.ScopePersonal, "bob", "group-a", verdict{no, no, no}},
		{workflow.ScopePersonal, "carol", "group-b", verdict{no, no, no}},
		{workflow.ScopeGroup, "alice", "group-a", verdict{ok, ok, http.StatusNoContent}},
		{workflow.ScopeGroup, "bob", "group-a", verdict{ok, ok, http.StatusNoContent}},
		{workflow.ScopeGroup, "carol", "group-b", verdict{no, no, no}},
		{workflow.ScopeGroup, "alice", "group-b", verdict{no, no, no}},
		{workflow.ScopeGlobal, "alice", "group-a", verdict{ok, ok, http.StatusNoContent}},
		{workflow.ScopeGlobal, "bob", "group-a", verdict{ok, ok, http.StatusNoContent}},
		{workflow.ScopeGlobal, "carol", "group-b", verdict{ok, no, no}},
	}
	for _, c := range cases {
		t.Run(string(c.scope)+"/"+c.user+"/"+c.group, func(t *testing.T) {
			id := ids[c.scope]
			if res := s.do("GET", "/v1/contacts/"+id+"?"+as(c.user, c.group), s.owner, nil); res.Status != c.want.get {
				t.Errorf("get: %d %s, want %d", res.Status, res.Body, c.want.get)
			}
			body := contactBody(func(b map[string]any) { b["id"], b["scope"] = id, string(c.scope) })
			if res := s.do("PUT", "/v1/contacts?"+as(c.user, c.group), s.owner, body); res.Status != c.want.update {
				t.Errorf("update: %d %s, want %d", res.Status, res.Body, c.want.update)
			}
			res := s.do("DELETE", "/v1/contacts/"+id+"?"+as(c.user, c.group), s.owner, nil)
			if res.Status != c.want.remove {
				t.Errorf("delete: %d %s, want %d", res.Status, res.Body, c.want.remove)
			}
			if res.Status == http.StatusNoContent { // put it back for the next case
				ids[c.scope] = s.newContact(s.owner, contactBody(func(b map[string]any) { b["scope"] = string(c.scope) })).ID
			} else if res.ErrorCode(t) != countersign.EFORBIDDEN {
				t.Errorf("delete: code %s", res.ErrorCode(t))
			}
		})
	}
	// An update may not move a contact out of the caller's reach.
	body := contactBody(func(b map[string]any) { b["id"], b["group"] = ids[workflow.ScopeGroup], "group-b" })
	if res := s.do("PUT", "/v1/contacts?"+as("bob", "group-a"), s.owner, body); res.Status != http.StatusForbidden {
		t.Fatalf("moving a GROUP contact to another group: %d %s", res.Status, res.Body)
	}
}

func TestListContactsScopesPagingAndFilters(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	for _, c := range []struct{ name, owner, scope, group, email, code string }{
		{"Ann", "alice", "PERSONAL", "group-a", "ann@a.example", ""},
		{"Ben", "bob", "PERSONAL", "group-a", "ben@a.example", ""},
		{"Cid", "alice", "GROUP", "group-a", "cid@a.example", "33309240064"},
		{"Dan", "carol", "GROUP", "group-b", "dan@b.example", ""},
		{"Eve", "carol", "GLOBAL", "group-b", "eve@b.example", "161175-19997"},
	} {
		s.newContact(s.owner, contactBody(func(b map[string]any) {
			b["name"], b["owner"], b["scope"], b["group"], b["email"] = c.name, c.owner, c.scope, c.group, c.email
			b["country"], b["personalCode"] = "", c.code
		}))
	}
	cases := []struct {
		query string
		want  string
		total int64
	}{
		{"owner=alice&group=group-a", "Ann,Cid,Eve", 3},
		{"owner=alice&group=group-a&scope=ALL", "Ann,Cid,Eve", 3},
		{"owner=bob&group=group-a", "Ben,Cid,Eve", 3},
		{"owner=carol&group=group-b", "Dan,Eve", 2},
		{"owner=alice&group=group-a&scope=PERSONAL", "Ann", 1},
		{"owner=alice&group=group-a&scope=PERSONAL&scope=GLOBAL", "Ann,Eve", 2},
		{"owner=alice&group=group-a&scope=group,global", "Cid,Eve", 2},
		{"owner=alice&group=group-a&name=C", "Cid", 1},
		{"owner=alice&group=group-a&email=A.EXAMPLE", "Ann,Cid", 2},
		{"owner=alice&group=group-a&personalCode=16117519997", "Eve", 1},
		{"owner=alice&group=group-a&size=2", "Ann,Cid", 3},
		{"owner=alice&group=group-a&size=2&page=1", "Eve", 3},
		{"owner=alice&group=group-a&sort=name,desc", "Eve,Cid,Ann", 3},
		{"owner=alice&group=group-a&sort=email,desc&size=1", "Eve", 3},
		{"owner=zed&group=group-z", "Eve", 1},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			var page api.Page[workflow.Contact]
			decodeInto(t, s.expect(http.StatusOK, "GET", "/v1/contacts?"+c.query, s.owner, nil), &page)
			var names []string
			for _, x := range page.Content {
				names = append(names, x.Name)
			}
			if strings.Join(names, ",") != c.want || page.TotalElements != c.total {
				t.Fatalf("got %v (total %d), want %s (total %d)", names, page.TotalElements, c.want, c.total)
			}
		})
	}
}

func TestContactRoutesRefuseBadInput(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	id := s.newContact(s.owner, contactBody()).ID
	_, otherToken := s.otherWorkspace()
	foreign := s.newContact(otherToken, contactBody())
	mod := func(k string, v any) map[string]any { return contactBody(func(b map[string]any) { b[k] = v }) }
	drop := func(k string) map[string]any { return contactBody(func(b map[string]any) { delete(b, k) }) }
	upd := func(mods ...func(map[string]any)) map[string]any {
		return contactBody(append([]func(map[string]any){func(b map[string]any) { b["id"] = id }}, mods...)...)
	}
	cases := []struct {
		name, method, path string
		body               any
		status             int
		field              string
	}{
		{"bad JSON", "POST", "/v1/contacts", `{"name":`, 400, ""},
		{"not an object", "POST", "/v1/contacts", `[1]`, 400, ""},
		{"wrong type", "POST", "/v1/contacts", mod("defaultAnonymous", "yes"), 400, "defaultAnonymous"},
		{"unknown role", "POST", "/v1/contacts", mod("role", "OWNER"), 400, "role"},
		{"unknown scope", "POST", "/v1/contacts", mod("scope", "WORLD"), 400, "scope"},
		{"scope ALL", "POST", "/v1/contacts", mod("scope", "ALL"), 422, "scope"},
		{"invalid personal code", "POST", "/v1/contacts", mod("personalCode", "161175-19990"), 422, "personalCode"},
		{"invalid country", "POST", "/v1/contacts", mod("country", "XX"), 400, "country"},
		{"invalid email", "POST", "/v1/contacts", mod("email", "jane@"), 422, "email"},
		{"missing name", "POST", "/v1/contacts", drop("name"), 422, "name"},
		{"missing owner", "POST", "/v1/contacts", drop("owner"), 422, "owner"},
		{"group scope without group", "POST", "/v1/contacts", drop("group"), 422, "group"},
		{"list without owner", "GET", "/v1/contacts?group=g", nil, 400, "owner"},
		{"list without group", "GET", "/v1/contacts?owner=o", nil, 400, "group"},
		{"list unknown scope", "GET", "/v1/contacts?owner=o&group=g&scope=WORLD", nil, 400, "scope"},
		{"list negative page", "GET", "/v1/contacts?owner=o&group=g&page=-1", nil, 400, "page"},
		{"list huge size", "GET", "/v1/contacts?owner=o&group=g&size=100000", nil, 400, "size"},
		{"list bad sort", "GET", "/v1/contacts?owner=o&group=g&sort=phone", nil, 400, "sort"},
		{"update without user", "PUT", "/v1/contacts?group=group-a", upd(), 400, "user"},
		{"update without id", "PUT", "/v1/contacts?" + as("alice", "group-a"), drop("id"), 422, "id"},
		{"update bad id", "PUT", "/v1/contacts?" + as("alice", "group-a"), mod("id", "42"), 400, "id"},
		{"update unknown id", "PUT", "/v1/contacts?" + as("alice", "group-a"), mod("id", countersign.NewUUID()), 404, ""},
		{"update other workspace's", "PUT", "/v1/contacts?" + as("alice", "group-a"), mod("id", foreign.ID), 404, ""},
		{"update invalid", "PUT", "/v1/contacts?" + as("alice", "group-a"), upd(func(b map[string]any) { b["country"] = "lv"; b["personalCode"] = "x" }), 422, "personalCode"},
		{"get bad UUID", "GET", "/v1/contacts/not-a-uuid?" + as("alice", "group-a"), nil, 400, "contactId"},
		{"get without group", "GET", "/v1/contacts/" + id + "?user=alice", nil, 400, "group"},
		{"get other workspace's", "GET", "/v1/contacts/" + foreign.ID + "?" + as("alice", "group-a"), nil, 404, ""},
		{"delete bad UUID", "DELETE", "/v1/contacts/" + strings.ToUpper(id) + "x?" + as("alice", "group-a"), nil, 400, "contactId"},
		{"delete without user", "DELETE", "/v1/contacts/" + id + "?group=group-a", nil, 400, "user"},
		{"delete other workspace's", "DELETE", "/v1/contacts/" + foreign.ID + "?" + as("alice", "group-a"), nil, 404, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := s.do(c.method, c.path, s.owner, c.body)
			if res.Status != c.status {
				t.Fatalf("%d %s, want %d", res.Status, res.Body, c.status)
			}
			res.ErrorCode(t)
			if got := res.ErrorField(t); got != c.field {
				t.Fatalf("field %q (%s), want %q", got, res.Body, c.field)
			}
		})
	}
	res := s.do("POST", "/v1/contacts", s.owner, contactBody(func(b map[string]any) { b["scope"] = "ALL" }))
	checkGolden(t, "error_validation", res.Body)
	// The other workspace's contact is untouched.
	if res := s.do("GET", "/v1/contacts/"+foreign.ID+"?"+as("alice", "group-a"), otherToken, nil); res.Status != http.StatusOK {
		t.Fatalf("other workspace lost its contact: %d", res.Status)
	}
}
