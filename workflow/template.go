package workflow

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/countersign/countersign"
)

// MaxTemplateData is the largest template payload, in bytes.
const MaxTemplateData = 256 << 10

// Template is a saved process template: Data is the
// client's payload, typically a SigningProcess to start from, kept as given.
// Visibility follows the same rules as contacts (see Ownership).
type Template struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"createdAt"`
	Name      string    `json:"name"`
	Data      string    `json:"data"`
	Owner     string    `json:"owner"`
	Scope     Scope     `json:"scope"`
	Group     string    `json:"group"`
}

// Ownership returns who the template belongs to.
func (t Template) Ownership() Ownership {
	return Ownership{Owner: t.Owner, Scope: t.Scope, Group: t.Group}
}

// Validate checks a template of a create request and normalises it like
// Contact.Validate: name and owner required, group for a GROUP template, data
// UTF-8 text of at most MaxTemplateData bytes.
func (t *Template) Validate() error {
	t.Name = strings.TrimSpace(t.Name)
	if err := requireText("name", t.Name); err != nil {
		return err
	}
	if !utf8.ValidString(t.Data) {
		return countersign.FieldErrorf(countersign.EINVALID, "data", "must be UTF-8 text")
	}
	if len(t.Data) > MaxTemplateData {
		return countersign.FieldErrorf(countersign.EVALIDATION, "data", "must be at most %d bytes", MaxTemplateData)
	}
	o := t.Ownership()
	if err := o.validate(); err != nil {
		return err
	}
	t.Owner, t.Scope, t.Group = o.Owner, o.Scope, o.Group
	return nil
}

// TemplateFilter selects the templates of listTemplates: those User, a member
// of Group, sees in Scopes (none, or ALL, is every scope) whose name contains
// Name, ignoring case.
type TemplateFilter struct {
	User, Group string
	Scopes      []Scope
	Name        string
}
