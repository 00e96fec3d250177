// Package countersign holds the domain vocabulary shared by every package of the
// service: tenants (workspaces), API keys and their roles, the caller of a request,
// resource identifiers and the error type whose code the HTTP edge maps to a status.
//
// It imports nothing internal. Event types live in package events, the signing
// process in package workflow, webhook endpoints and deliveries in package webhook.
package countersign
