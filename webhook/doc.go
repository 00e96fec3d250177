// Package webhook delivers events to integrators' endpoints the Standard Webhooks
// way: subscriptions that match event types with wildcards, the two signature
// schemes (whsec_ secrets and v1 HMAC-SHA256 signatures, whsk_/whpk_ key pairs
// and v1a Ed25519 signatures) and rotations between them, the guarded HTTP
// attempt and how it failed, and the retry schedule. It also holds the delivery rules the store applies inside its
// transactions: which endpoints receive an event (Recipients), when a failing
// endpoint is disabled (BatchHealth), which deliveries go one at a time in
// commit order (OrderKey), and the pace of a bulk replay (ReplayRunner).
//
// The files here are pure: no database and no queue. The storage and queue
// packages drive them through the small interfaces this package declares.
// Receivers verify deliveries with the standard-library-only package
// webhook/verify.
package webhook
