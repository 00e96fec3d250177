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

// newAttribute creates a document attribute and returns it.
func (s *harness) newAttribute(token, name string) workflow.DocumentAttribute {
	s.t.Helper()
	var a workflow.DocumentAttribute
	decodeInto(s.t, s.expect(http.StatusCreated, "POST", "/v1/document-attributes", token,
		map[string]any{"id": "x", "name": name, "type": "string", "required": true}), &a)
	return a
}

// profileBody is a valid document profile body; mods change it.
func profileBody(mods ...func(map[string]any)) map[string]any {
	b := map[string]any{"name": "Lease", "documentType": "CONTRACT", "ownerGroup": "group-a",
		"attributes": []any{}, "seal": "SEAL-1", "isSealRequired": true, "profileorder": 1}
	for _, m := range mods {
		m(b)
	}
	return b
}

func TestDocumentAttributeRoutes(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	res := s.expect(http.StatusCreated, "POST", "/v1/document-attributes", s.owner,
		map[string]any{"name": "Contract no", "type": "string", "required": true})
	checkGolden(t, "document_attribute", res.Body)
	var a workflow.DocumentAttribute
	decodeInto(t, res, &a)
	s.newAttribute(s.owner, "amount")
	checkGolden(t, "document_attribute", s.expect(http.StatusOK, "GET", "/v1/document-attributes/"+a.ID, s.owner, nil).Body)
	var upd workflow.DocumentAttribute
	decodeInto(t, s.expect(http.StatusOK, "PUT", "/v1/document-attributes/"+a.ID, s.owner,
		map[string]any{"id": "ignored", "name": "Contract number", "type": "string", "required": false}), &upd)
	if upd.ID != a.ID || upd.Name != "Contract number" || upd.Required {
		t.Fatalf("updated %+v", upd)
	}
	var list []workflow.DocumentAttribute
	decodeInto(t, s.expect(http.StatusOK, "GET", "/v1/document-attributes", s.owner, nil), &list)
	if len(list) != 2 || list[0].Name != "amount" || list[1].Name != "Contract number" {
		t.Fatalf("list %+v", list)
	}
	s.expect(http.StatusNoContent, "DELETE", "/v1/document-attributes/"+a.ID, s.owner, nil)
	s.expect(http.StatusNotFound, "GET", "/v1/document-attributes/"+a.ID, s.owner, nil)
}

func TestDocumentProfileRoutes(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	shared := s.newAttribute(s.owner, "Contract no")
	body := profileBody(func(b map[string]any) {
		b["attributes"] = []any{
			map[string]any{"name": "Tenant", "type": "string", "required": true},
			map[string]any{"id": shared.ID, "createdAt": "2019-08-24T14:15:22Z", "name": "whatever"},
		}
	})
	res := s.expect(http.StatusCreated, "POST", "/v1/document-profiles", s.owner, body)
	checkGolden(t, "document_profile", res.Body)
	var p workflow.DocumentProfile
	decodeInto(t, res, &p)
	if len(p.Attributes) != 2 || p.Attributes[1].Name != "Contract no" {
		t.Fatalf("attributes %+v", p.Attributes)
	}
	checkGolden(t, "document_profile", s.expect(http.StatusOK, "GET", "/v1/document-profiles/"+p.ID, s.owner, nil).Body)
	checkGolden(t, "document_profile", s.expect(http.StatusOK, "GET", "/v1/document-profiles/by-name?name=Lease", s.owner, nil).Body)

	// The new attribute joined the catalogue; a listed attribute cannot be deleted.
	var attrs []workflow.DocumentAttribute
	decodeInto(t, s.expect(http.StatusOK, "GET", "/v1/document-attributes", s.owner, nil), &attrs)
	if len(attrs) != 2 {
		t.Fatalf("catalogue %+v", attrs)
	}
	if res := s.do("DELETE", "/v1/document-attributes/"+shared.ID, s.owner, nil); res.Status != http.StatusConflict {
		t.Fatalf("delete attribute in use: %d %s", res.Status, res.Body)
	}

	for _, x := range []struct {
		name, group string
		order       int
	}{{"NDA", "group-b", 0}, {"Invoice", "group-a", 1}, {"Annex", "group-a", 3}} {
		s.expect(http.StatusCreated, "POST", "/v1/document-profiles", s.owner, profileBody(func(b map[string]any) {
			b["name"], b["ownerGroup"], b["profileorder"] = x.name, x.group, x.order
		}))
	}
	res = s.expect(http.StatusOK, "GET", "/v1/document-profiles", s.owner, nil)
	checkGolden(t, "document_profile_list", res.Body)
	names := func(query string) string {
		var list []workflow.DocumentProfile
		decodeInto(t, s.expect(http.StatusOK, "GET", "/v1/document-profiles"+query, s.owner, nil), &list)
		var out []string
		for _, x := range list {
			out = append(out, x.Name)
		}
		return strings.Join(out, ",")
	}
	if got := names(""); got != "NDA,Invoice,Lease,Annex" {
		t.Fatalf("list = %s", got)
	}
	if got := names("?group=group-a"); got != "Invoice,Lease,Annex" {
		t.Fatalf("list group-a = %s", got)
	}

	var upd workflow.DocumentProfile
	decodeInto(t, s.expect(http.StatusOK, "PUT", "/v1/document-profiles/"+p.ID, s.owner, profileBody(func(b map[string]any) {
		b["name"], b["isSealRequired"], b["seal"], b["attributes"] = "Lease 2", false, "", []any{map[string]any{"id": shared.ID}}
	})), &upd)
	if upd.ID != p.ID || upd.Name != "Lease 2" || len(upd.Attributes) != 1 || upd.IsSealRequired {
		t.Fatalf("updated %+v", upd)
	}
	if res := s.do("PUT", "/v1/document-profiles/"+p.ID, s.owner, profileBody(func(b map[string]any) { b["name"] = "NDA" })); res.Status != http.StatusConflict || res.ErrorField(t) != "name" {
		t.Fatalf("rename onto a taken name: %d %s", res.Status, res.Body)
	}
	s.expect(http.StatusNoContent, "DELETE", "/v1/document-profiles/"+p.ID, s.owner, nil)
	s.expect(http.StatusNotFound, "GET", "/v1/document-profiles/"+p.ID, s.owner, nil)
	s.expect(http.StatusNoContent, "DELETE", "/v1/document-attributes/"+shared.ID, s.owner, nil)
}

func TestDocumentRoutesRefuseBadInput(t *testing.T) {
	s := newHarness(t, api.Config{}, api.Deps{})
	var p workflow.DocumentProfile
	decodeInto(t, s.expect(http.StatusCreated, "POST", "/v1/document-profiles", s.owner, profileBody()), &p)
	_, otherToken := s.otherWorkspace()
	foreignAttr := s.newAttribute(otherToken, "f")
	var foreign workflow.DocumentProfile
	decodeInto(t, s.expect(http.StatusCreated, "POST", "/v1/document-profiles", otherToken, profileBody()), &foreign)
	mod := func(k string, v any) map[string]any { return profileBody(func(b map[string]any) { b[k] = v }) }
	attrs := func(a ...any) map[string]any {
		return profileBody(func(b map[string]any) { b["name"], b["attributes"] = "Other", a })
	}
	cases := []badCall{
		{"bad JSON", "POST", "/v1/document-profiles", `{"name":1`, 400, ""},
		{"wrong type", "POST", "/v1/document-profiles", mod("profileorder", "first"), 400, "profileorder"},
		{"missing name", "POST", "/v1/document-profiles", mod("name", ""), 422, "name"},
		{"duplicate name", "POST", "/v1/document-profiles", profileBody(), 409, "name"},
		{"negative order", "POST", "/v1/document-profiles", mod("profileorder", -1), 422, "profileorder"},
		{"order beyond int32", "POST", "/v1/document-profiles", mod("profileorder", 1<<31), 422, "profileorder"},
		{"seal required without seal", "POST", "/v1/document-profiles", mod("seal", ""), 422, "seal"},
		{"bad attribute id", "POST", "/v1/document-profiles", attrs(map[string]any{"id": "7"}), 400, "attributes[0].id"},
		{"unknown attribute", "POST", "/v1/document-profiles", attrs(map[string]any{"id": countersign.NewUUID()}), 422, "attributes[0].id"},
		{"other workspace's attribute", "POST", "/v1/document-profiles", attrs(map[string]any{"name": "a", "type": "t"}, map[string]any{"id": foreignAttr.ID}), 422, "attributes[1].id"},
		{"new attribute without name", "POST", "/v1/document-profiles", attrs(map[string]any{"type": "t"}), 422, "attributes[0].name"},
		{"by-name without name", "GET", "/v1/document-profiles/by-name", nil, 400, "name"},
		{"by-name unknown", "GET", "/v1/document-profiles/by-name?name=" + url.QueryEscape("No such"), nil, 404, ""},
		{"get bad UUID", "GET", "/v1/document-profiles/xyz", nil, 400, "id"},
		{"get other workspace's", "GET", "/v1/document-profiles/" + foreign.ID, nil, 404, ""},
		{"update other workspace's", "PUT", "/v1/document-profiles/" + foreign.ID, mod("name", "Z"), 404, ""},
		{"update bad JSON", "PUT", "/v1/document-profiles/" + p.ID, `[]`, 400, ""},
		{"delete other workspace's", "DELETE", "/v1/document-profiles/" + foreign.ID, nil, 404, ""},
		{"attribute bad JSON", "POST", "/v1/document-attributes", `{"name":}`, 400, ""},
		{"attribute wrong type", "POST", "/v1/document-attributes", map[string]any{"name": "n", "type": "t", "required": "yes"}, 400, "required"},
		{"attribute missing type", "POST", "/v1/document-attributes", map[string]any{"name": "n"}, 422, "type"},
		{"attribute bad UUID", "GET", "/v1/document-attributes/1", nil, 400, "id"},
		{"attribute other workspace's", "GET", "/v1/document-attributes/" + foreignAttr.ID, nil, 404, ""},
		{"attribute update other workspace's", "PUT", "/v1/document-attributes/" + foreignAttr.ID, map[string]any{"name": "n", "type": "t"}, 404, ""},
		{"attribute delete other workspace's", "DELETE", "/v1/document-attributes/" + foreignAttr.ID, nil, 404, ""},
	}
	s.expectRefusals(t, cases)
}
