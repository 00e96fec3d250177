package storage

// The stores are the areas of the system of record, each a small view over
// one open DB: they share its prepared statements, its SQLite write lock, its
// event-writing path and its fan-out, and so its transactions. Each is the
// implementation of the interface its consumer declares (the API, the queue
// worker, the scheduler); the wiring in cmd/countersign asserts that.

// Processes stores signing processes: their life cycle, listing, chat
// messages, signer assignments, reminders and the due-time scheduler.
type Processes struct{ db *DB }

// Registrations stores signer registrations.
type Registrations struct{ db *DB }

// Webhooks stores webhook endpoints, their deliveries and attempts, replays
// and the cursor over due deliveries.
type Webhooks struct{ db *DB }

// Events is the event log: listing and export reads, the consumption report
// and retention.
type Events struct{ db *DB }

// Keys stores workspaces and their API keys, with the keys' usage.
type Keys struct{ db *DB }

// Resources stores contacts, templates, document profiles and attributes,
// and the audit trail.
type Resources struct{ db *DB }

// Processes is the signing-process store.
func (db *DB) Processes() *Processes { return &Processes{db: db} }

// Registrations is the signer-registration store.
func (db *DB) Registrations() *Registrations { return &Registrations{db: db} }

// Webhooks is the endpoint, delivery and replay store.
func (db *DB) Webhooks() *Webhooks { return &Webhooks{db: db} }

// Events is the event log.
func (db *DB) Events() *Events { return &Events{db: db} }

// Keys is the workspace and API-key store.
func (db *DB) Keys() *Keys { return &Keys{db: db} }

// Resources is the contact, template, document and audit store.
func (db *DB) Resources() *Resources { return &Resources{db: db} }
