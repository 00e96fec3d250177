package workflow

import (
	"strings"

	"github.com/countersign/countersign"
)

// Visibility rules of contacts and templates. The API identifies people by
// owner and group codes that the client application passes (the API key is the
// only credential; the codes say on whose behalf it acts):
//
//   - a user sees their own PERSONAL items (owner = user), the GROUP items of
//     their group (group = their group) and every GLOBAL item;
//   - a PERSONAL item may be changed or deleted by its owner only, a GROUP item
//     by any member of its group, and a GLOBAL item by its owner or a member of
//     its group: everyone reads the shared address book, but only those who
//     published an entry may change it;
//   - an update must leave the item in a state the same user may still change,
//     so nobody can hand an item to someone else's PERSONAL list or to another
//     group.
//
// Anyone who breaks these rules gets EFORBIDDEN; an item of another workspace
// stays ENOTFOUND (the store never finds it).

// Ownership is who an item belongs to and who sees it.
type Ownership struct {
	Owner string
	Scope Scope
	Group string
}

// VisibleTo reports whether user, a member of group, sees the item.
func (o Ownership) VisibleTo(user, group string) bool {
	switch o.Scope {
	case ScopePersonal:
		return o.Owner == user
	case ScopeGroup:
		return o.Group == group
	case ScopeGlobal:
		return true
	}
	return false
}

// MayChange returns EFORBIDDEN unless user, a member of group, may change or
// delete the item; kind names the item in the message.
func (o Ownership) MayChange(kind, user, group string) error {
	ok := false
	switch o.Scope {
	case ScopePersonal:
		ok = o.Owner == user
	case ScopeGroup:
		ok = o.Group == group
	case ScopeGlobal:
		ok = o.Owner == user || (o.Group != "" && o.Group == group)
	}
	if !ok {
		return countersign.Errorf(countersign.EFORBIDDEN, "a %s %s may be changed only by %s", o.Scope, kind, changers(o.Scope))
	}
	return nil
}

// changers says who may change an item of scope s, for error messages.
func changers(s Scope) string {
	switch s {
	case ScopePersonal:
		return "its owner"
	case ScopeGroup:
		return "a member of its group"
	}
	return "its owner or a member of its group"
}

// validate checks an item's ownership before it is stored. An empty scope is
// PERSONAL; ALL is a filter, never a stored scope (EVALIDATION). Owner is
// always required, group when the scope is GROUP.
func (o *Ownership) validate() error {
	if o.Scope == "" {
		o.Scope = ScopePersonal
	}
	switch {
	case !o.Scope.Valid():
		return countersign.FieldErrorf(countersign.EINVALID, "scope", "%q is not one of PERSONAL, GROUP, GLOBAL", o.Scope)
	case o.Scope == ScopeAll:
		return countersign.FieldErrorf(countersign.EVALIDATION, "scope", "ALL is a filter; store PERSONAL, GROUP or GLOBAL")
	}
	o.Owner, o.Group = strings.TrimSpace(o.Owner), strings.TrimSpace(o.Group)
	if err := requireText("owner", o.Owner); err != nil {
		return err
	}
	if err := checkText("group", o.Group, maxShortText); err != nil {
		return err
	}
	if o.Scope == ScopeGroup && o.Group == "" {
		return countersign.FieldErrorf(countersign.EVALIDATION, "group", "is required for a GROUP item")
	}
	return nil
}

// ScopeFilter returns the stored scopes a list filter asks for: ALL, or no
// filter at all, means all three. An unknown scope is EINVALID (field "scope").
func ScopeFilter(scopes []Scope) ([]Scope, error) {
	want := map[Scope]bool{}
	for _, s := range scopes {
		switch {
		case !s.Valid():
			return nil, countersign.FieldErrorf(countersign.EINVALID, "scope", "%q is not one of PERSONAL, GROUP, GLOBAL, ALL", s)
		case s == ScopeAll:
			return []Scope{ScopePersonal, ScopeGroup, ScopeGlobal}, nil
		}
		want[s] = true
	}
	if len(want) == 0 {
		return []Scope{ScopePersonal, ScopeGroup, ScopeGlobal}, nil
	}
	var out []Scope
	for _, s := range []Scope{ScopePersonal, ScopeGroup, ScopeGlobal} {
		if want[s] {
			out = append(out, s)
		}
	}
	return out, nil
}

// requireText checks a required short text field.
func requireText(field, s string) error {
	if strings.TrimSpace(s) == "" {
		return countersign.FieldErrorf(countersign.EVALIDATION, field, "is required")
	}
	return checkText(field, s, maxShortText)
}
