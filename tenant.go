package countersign

import (
	"context"
	"slices"
	"time"
)

// Workspace is the tenant: every row of the service belongs to exactly one.
type Workspace struct {
	ID        string    `json:"id" db:"id"`
	Name      string    `json:"name" db:"name"`
	CreatedAt time.Time `json:"created_at" db:"-"`
}

// Role is what an API key may do.
type Role string

// The roles, from most to least privileged.
const (
	RoleOwner      Role = "owner"
	RoleAdmin      Role = "admin"
	RoleIntegrator Role = "integrator"
	RoleMember     Role = "member"
)

// Roles lists every role, for validation and documentation.
var Roles = []Role{RoleOwner, RoleAdmin, RoleIntegrator, RoleMember}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return slices.Contains(Roles, r)
}

// Permission is a capability a route requires.
type Permission string

// The permissions routes check.
const (
	// PermManageKeys covers API keys.
	PermManageKeys Permission = "keys"
	// PermManageWebhooks covers webhook endpoints, their signing secrets
	// (reading and rotating) and reading the event log.
	PermManageWebhooks Permission = "webhooks"
	// PermReplay covers replaying deliveries.
	PermReplay Permission = "replay"
	// PermProcesses covers driving signing processes and their resources.
	PermProcesses Permission = "processes"
)

var rolePermissions = map[Role][]Permission{
	RoleOwner:      {PermManageKeys, PermReplay, PermManageWebhooks, PermProcesses},
	RoleAdmin:      {PermManageKeys, PermReplay, PermManageWebhooks, PermProcesses},
	RoleIntegrator: {PermManageWebhooks, PermProcesses},
	RoleMember:     {PermProcesses},
}

// Can reports whether role r holds permission p.
func (r Role) Can(p Permission) bool {
	return slices.Contains(rolePermissions[r], p)
}

// Actor is the authenticated caller of a request: the workspace it acts in and
// the key it used. Everything a request causes is recorded with its key.
type Actor struct {
	WorkspaceID string
	APIKeyID    string
	Role        Role
	// IP and ClientApp describe where the call came from, for the audit trail.
	IP        string
	ClientApp string
}

type actorKey struct{}

// WithActor returns a context carrying a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor carried by ctx and whether there is one.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}
