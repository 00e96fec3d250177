// Package e2e holds the fault suite of Countersign: tests that build the real
// binary, run `serve`, `serve --no-worker` and `worker` as child processes over
// a real database and a real Redis, put a load of signing processes through the
// REST API, inject faults (kill -9, SIGTERM, Redis flushed or down, receivers
// refusing, slow or failing, a full disk, SQLite write contention) and check the
// delivery promise from the receivers' side: every committed event reaches every
// matching endpoint at least once, duplicates carry the same webhook-id, and no
// delivery is left pending.
//
// The tests run in `go test ./...` (a few minutes); `go test ./e2e -run Soak
// -soak -v` (or COUNTERSIGN_SOAK=1) runs the long soak instead. See
// docs/reliability.md.
package e2e
