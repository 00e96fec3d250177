package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/workflow"
)

// templateBody is a valid createTemplate body; mods change it.
func templateBody(mods ...func(map[string]any)) map[string]any {
	b := map[string]any{"id": "string", "createdAt": "2019-08-24T14:15:22Z", "name": "Lease",
		"data": `{"documentType":"CONTRACT"}`, "owner": "alice", "scope": "PERSONAL", "group": "group-a"}
	for _, m := range mods {
		m(b)
	}
	return b
}

func TestTemplateRoutesHappyPath(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	res := s.expect(http.StatusCreated, "POST", "/v1/templates", s.owner, templateBody())
	checkGolden(t, "template", res.Body)
	var tp workflow.Template
	decodeInto(t, res, &tp)
	for _, n := range []string{"nda", "Invoice"} {
		s.expect(http.StatusCreated, "POST", "/v1/templates", s.owner, templateBody(func(b map[string]any) { b["name"], b["scope"] = n, "GLOBAL" }))
	}
	res = s.expect(http.StatusOK, "GET", "/v1/templates?owner=alice&group=group-a&size=2", s.owner, nil)
	checkGolden(t, "template_page", res.Body)
	cases := []struct{ query, want string }{
		{"owner=alice&group=group-a", "Invoice,Lease,nda"},
		{"owner=bob&group=group-a", "Invoice,nda"},
		{"owner=alice&group=group-a&scope=PERSONAL", "Lease"},
		{"owner=alice&group=group-a&name=N", "Invoice,nda"},
		{"owner=alice&group=group-a&sort=name,desc", "nda,Lease,Invoice"},
		{"owner=alice&group=group-a&sort=createdAt&page=1&size=1", "nda"},
	}
	for _, c := range cases {
		var page api.Page[workflow.Template]
		decodeInto(t, s.expect(http.StatusOK, "GET", "/v1/templates?"+c.query, s.owner, nil), &page)
		var names []string
		for _, x := range page.Content {
			names = append(names, x.Name)
		}
		if strings.Join(names, ",") != c.want {
			t.Errorf("%s: got %v, want %s", c.query, names, c.want)
		}
	}
	s.expect(http.StatusForbidden, "DELETE", "/v1/templates/"+tp.ID+"?"+as("bob", "group-a"), s.owner, nil)
	s.expect(http.StatusNoContent, "DELETE", "/v1/templates/"+tp.ID+"?"+as("alice", "group-b"), s.owner, nil)
	s.expect(http.StatusNotFound, "DELETE", "/v1/templates/"+tp.ID+"?"+as("alice", "group-b"), s.owner, nil)
}

func TestTemplateVisibilityRules(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	cases := []struct {
		scope, user, group string
		listed             bool
		deleteStatus       int
	}{
		{"PERSONAL", "alice", "group-x", true, http.StatusNoContent},
		{"PERSONAL", "bob", "group-a", false, http.StatusForbidden},
		{"GROUP", "bob", "group-a", true, http.StatusNoContent},
		{"GROUP", "carol", "group-b", false, http.StatusForbidden},
		{"GLOBAL", "carol", "group-b", true, http.StatusForbidden},
		{"GLOBAL", "bob", "group-a", true, http.StatusNoContent},
	}
	for _, c := range cases {
		t.Run(c.scope+"/"+c.user+"/"+c.group, func(t *testing.T) {
			var tp workflow.Template
			decodeInto(t, s.expect(http.StatusCreated, "POST", "/v1/templates", s.owner,
				templateBody(func(b map[string]any) { b["scope"], b["name"] = c.scope, "T-"+t.Name() })), &tp)
			var page api.Page[workflow.Template]
			decodeInto(t, s.expect(http.StatusOK, "GET", "/v1/templates?owner="+c.user+"&group="+c.group+"&name=T-"+t.Name(), s.owner, nil), &page)
			if listed := page.TotalElements == 1; listed != c.listed {
				t.Errorf("listed = %v, want %v", listed, c.listed)
			}
			s.expect(c.deleteStatus, "DELETE", "/v1/templates/"+tp.ID+"?"+as(c.user, c.group), s.owner, nil)
		})
	}
}

func TestTemplateRoutesRefuseBadInput(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	_, otherToken := s.otherWorkspace()
	var foreign workflow.Template
	decodeInto(t, s.expect(http.StatusCreated, "POST", "/v1/templates", otherToken, templateBody()), &foreign)
	mod := func(k string, v any) map[string]any { return templateBody(func(b map[string]any) { b[k] = v }) }
	cases := []badCall{
		{"bad JSON", "POST", "/v1/templates", `{`, 400, ""},
		{"wrong type", "POST", "/v1/templates", mod("data", map[string]any{"a": 1}), 400, "data"},
		{"unknown scope", "POST", "/v1/templates", mod("scope", "EVERYONE"), 400, "scope"},
		{"scope ALL", "POST", "/v1/templates", mod("scope", "ALL"), 422, "scope"},
		{"missing name", "POST", "/v1/templates", mod("name", ""), 422, "name"},
		{"missing owner", "POST", "/v1/templates", mod("owner", " "), 422, "owner"},
		{"list without owner", "GET", "/v1/templates?group=g", nil, 400, "owner"},
		{"list bad sort direction", "GET", "/v1/templates?owner=o&group=g&sort=name,up", nil, 400, "sort"},
		{"list bad page", "GET", "/v1/templates?owner=o&group=g&page=x", nil, 400, "page"},
		{"delete bad UUID", "DELETE", "/v1/templates/123?" + as("a", "g"), nil, 400, "templateId"},
		{"delete without group", "DELETE", "/v1/templates/" + foreign.ID + "?user=alice", nil, 400, "group"},
		{"delete other workspace's", "DELETE", "/v1/templates/" + foreign.ID + "?" + as("alice", "group-a"), nil, 404, ""},
	}
	s.expectRefusals(t, cases)
}
