package workflow

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/countersign/countersign"
)

// MaxProfileAttributes is the most attributes one document profile may list.
const MaxProfileAttributes = 100

// DocumentAttribute is a metadata field documents of a profile carry (the
// DocumentAttribute schema). Attributes are a shared catalogue: profiles refer
// to them by id, so changing an attribute changes it in every profile that
// lists it, and an attribute in use cannot be deleted.
type DocumentAttribute struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"createdAt"`
	// Type is the attribute's data type, as the client names it (string, date…).
	Type     string `json:"type"`
	Name     string `json:"name"`
	Required bool   `json:"required"`
}

// Validate checks an attribute of a create or update request: name and type
// are required. prefix is the JSON path of the attribute plus "." ("" for a
// request body that is the attribute itself).
func (a *DocumentAttribute) Validate(prefix string) error {
	a.Name, a.Type = strings.TrimSpace(a.Name), strings.TrimSpace(a.Type)
	if err := requireText(prefix+"name", a.Name); err != nil {
		return err
	}
	return requireText(prefix+"type", a.Type)
}

// DocumentProfile is a kind of document with the attributes it carries and its
// seal settings (the DocumentProfile schema, plus id and createdAt, which
// getDocumentProfileById implies). Names are unique in a workspace.
type DocumentProfile struct {
	ID           string    `json:"id"`
	CreatedAt    time.Time `json:"createdAt"`
	Name         string    `json:"name"`
	DocumentType string    `json:"documentType"`
	OwnerGroup   string    `json:"ownerGroup"`
	// Attributes are the profile's attributes, in order. In a request, an
	// attribute with an id links the stored attribute of that id as it is (the
	// other fields sent with it are not read); one without an id is created
	// as a new shared attribute and linked.
	Attributes     []DocumentAttribute `json:"attributes"`
	Seal           string              `json:"seal"`
	IsSealRequired bool                `json:"isSealRequired"`
	ProfileOrder   int                 `json:"profileorder"`
}

// Validate checks a profile of a create or update request: name required,
// profileorder an int32 of 0 or more, a seal code when isSealRequired, at most
// MaxProfileAttributes attributes, ids of linked attributes UUIDs listed once,
// and new attributes valid. It does not check that linked attributes exist:
// the store does, in the transaction that links them.
func (p *DocumentProfile) Validate() error {
	p.Name, p.Seal = strings.TrimSpace(p.Name), strings.TrimSpace(p.Seal)
	if err := requireText("name", p.Name); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{
		{"documentType", p.DocumentType}, {"ownerGroup", p.OwnerGroup}, {"seal", p.Seal},
	} {
		if err := checkText(f.name, f.v, maxShortText); err != nil {
			return err
		}
	}
	if p.ProfileOrder < 0 || p.ProfileOrder > math.MaxInt32 {
		return countersign.FieldErrorf(countersign.EVALIDATION, "profileorder", "must be from 0 to %d", math.MaxInt32)
	}
	if p.IsSealRequired && p.Seal == "" {
		return countersign.FieldErrorf(countersign.EVALIDATION, "seal", "is required when isSealRequired is true")
	}
	if len(p.Attributes) > MaxProfileAttributes {
		return countersign.FieldErrorf(countersign.EVALIDATION, "attributes", "at most %d attributes are allowed", MaxProfileAttributes)
	}
	seen := map[string]bool{}
	for i := range p.Attributes {
		a := &p.Attributes[i]
		prefix := fmt.Sprintf("attributes[%d].", i)
		if a.ID == "" {
			if err := a.Validate(prefix); err != nil {
				return err
			}
			continue
		}
		if !countersign.ValidUUID(a.ID) {
			return countersign.FieldErrorf(countersign.EINVALID, prefix+"id", "must be a UUID")
		}
		if seen[a.ID] {
			return countersign.FieldErrorf(countersign.EVALIDATION, prefix+"id", "attribute %s is listed twice", a.ID)
		}
		seen[a.ID] = true
	}
	return nil
}
