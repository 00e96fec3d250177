package workflow

import "slices"

// SignerRole is what a participant does (the role enum, shared by step
// signers and contacts).
//
// Only VIEWER, SIGNER and APPROVER can take part in a step: a SIGNER signs, an
// APPROVER approves, a VIEWER views. INITIATOR and ADMINISTRATOR are roles of
// contacts and test emails; a step signer with one of them is refused with
// EVALIDATION. Every step needs at least one SIGNER or APPROVER, because VIEWERs
// do not block a step and a step nobody has to act in would never start anyone.
type SignerRole string

// The signer roles.
const (
	RoleViewer        SignerRole = "VIEWER"
	RoleSigner        SignerRole = "SIGNER"
	RoleApprover      SignerRole = "APPROVER"
	RoleInitiator     SignerRole = "INITIATOR"
	RoleAdministrator SignerRole = "ADMINISTRATOR"
)

// SignerRoles lists every signer role in the schema's order.
var SignerRoles = []SignerRole{RoleViewer, RoleSigner, RoleApprover, RoleInitiator, RoleAdministrator}

// Valid reports whether r is a known role.
func (r SignerRole) Valid() bool { return slices.Contains(SignerRoles, r) }

// Participates reports whether a step signer may have role r.
func (r SignerRole) Participates() bool {
	return r == RoleViewer || r == RoleSigner || r == RoleApprover
}

// MustAct reports whether a signer of role r must act before its step completes:
// every participant but a VIEWER. TotalSigners counts these.
func (r SignerRole) MustAct() bool { return r == RoleSigner || r == RoleApprover }

// Scope is the visibility of a contact or template. ALL is a
// filter value meaning every scope; a stored resource has one of the other three.
type Scope string

// The scopes.
const (
	ScopePersonal Scope = "PERSONAL"
	ScopeGroup    Scope = "GROUP"
	ScopeGlobal   Scope = "GLOBAL"
	ScopeAll      Scope = "ALL"
)

// Scopes lists every scope in the schema's order.
var Scopes = []Scope{ScopePersonal, ScopeGroup, ScopeGlobal, ScopeAll}

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool { return slices.Contains(Scopes, s) }
