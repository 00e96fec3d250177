package workflow

import (
	"strings"
	"time"

	"github.com/countersign/countersign"
)

// Contact is an address-book entry for filling in signers.
// Its JSON form is the Contact schema; ID and CreatedAt are the service's and
// are ignored in requests, except that updateContact finds the contact by ID.
type Contact struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"createdAt"`
	Name      string    `json:"name"`
	// Country is the ISO 3166-1 alpha-2 issuer of PersonalCode, upper case.
	Country      string `json:"country"`
	PersonalCode string `json:"personalCode"`
	Phone        string `json:"phone"`
	Email        string `json:"email"`
	// Role is the role the contact usually gets; empty when not set.
	Role             SignerRole `json:"role,omitempty"`
	DefaultAnonymous bool       `json:"defaultAnonymous"`
	Owner            string     `json:"owner"`
	// Scope is PERSONAL, GROUP or GLOBAL (see Ownership for who sees what).
	Scope    Scope  `json:"scope"`
	Group    string `json:"group"`
	Language string `json:"language"`
}

// Ownership returns who the contact belongs to.
func (c Contact) Ownership() Ownership {
	return Ownership{Owner: c.Owner, Scope: c.Scope, Group: c.Group}
}

// Validate checks a contact of a create or update request and normalises it:
// text trimmed, country upper case, an empty scope PERSONAL. Name and owner are
// required, group for a GROUP contact. The personal code is checked against the
// country when both are given (see ValidatePersonalCode), on its own otherwise;
// unknown role, scope or country is EINVALID, any other broken rule EVALIDATION.
func (c *Contact) Validate() error {
	c.Name = strings.TrimSpace(c.Name)
	c.Country = strings.ToUpper(strings.TrimSpace(c.Country))
	c.PersonalCode = strings.TrimSpace(c.PersonalCode)
	c.Phone = strings.TrimSpace(c.Phone)
	c.Email = strings.TrimSpace(c.Email)
	c.Language = strings.TrimSpace(c.Language)
	if err := requireText("name", c.Name); err != nil {
		return err
	}
	if c.Country != "" && !ValidCountry(c.Country) {
		return countersign.FieldErrorf(countersign.EINVALID, "country", "%q is not an ISO 3166-1 alpha-2 country code", c.Country)
	}
	if err := checkPersonalCode(c.Country, c.PersonalCode); err != nil {
		return err
	}
	if c.Phone != "" && !phoneRE.MatchString(c.Phone) {
		return countersign.FieldErrorf(countersign.EVALIDATION, "phone", "must be digits and spaces with an optional leading +")
	}
	if err := checkEmail("email", c.Email); err != nil {
		return err
	}
	if c.Role != "" && !c.Role.Valid() {
		return countersign.FieldErrorf(countersign.EINVALID, "role", "%q is not one of VIEWER, SIGNER, APPROVER, INITIATOR, ADMINISTRATOR", c.Role)
	}
	if c.Language != "" && (len(c.Language) > 35 || !languageRE.MatchString(c.Language)) {
		return countersign.FieldErrorf(countersign.EVALIDATION, "language", "must be a language tag such as en or lv-LV")
	}
	o := c.Ownership()
	if err := o.validate(); err != nil {
		return err
	}
	c.Owner, c.Scope, c.Group = o.Owner, o.Scope, o.Group
	return nil
}

// checkPersonalCode checks code (field personalCode) against country when
// both are set, on its own when only the code is.
func checkPersonalCode(country, code string) error {
	switch {
	case code == "":
		return nil
	case country != "":
		return ValidatePersonalCode(country, code)
	}
	return refield(checkGenericCode(code), "personalCode")
}

// PersonalCodeKey is the form personal codes are searched by: upper case,
// without spaces and hyphens, so 010190-12345 and 01019012345 find each other
// whatever the country.
func PersonalCodeKey(code string) string {
	return strings.NewReplacer(" ", "", "-", "").Replace(strings.ToUpper(strings.TrimSpace(code)))
}

// ContactFilter selects the contacts of listContacts: those User, a member of
// Group, sees in Scopes (none, or ALL, is every scope), matching the rest.
// Name and Email are case-insensitive substrings; PersonalCode is matched whole
// by PersonalCodeKey. Empty fields do not filter.
type ContactFilter struct {
	User, Group  string
	Scopes       []Scope
	Name, Email  string
	PersonalCode string
}
