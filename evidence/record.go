package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Kind says which table a record comes from.
type Kind string

// The kinds of record a workspace's log holds.
const (
	KindAudit   Kind = "audit"
	KindEvent   Kind = "event"
	KindAttempt Kind = "attempt"
)

// EnvelopeVersion is the "v" of every envelope; a change to the envelope's
// members changes it, so that old leaves keep verifying under their version.
const EnvelopeVersion = 1

// Record is one row of the log as its leaf sees it: a small typed envelope
// around the row's own JSON. The envelope binds the body to its workspace, its
// record id and its signing process, so that a body cannot be passed off as
// another record's or moved into another process's bundle without changing
// its leaf hash.
type Record struct {
	Kind      Kind   `json:"kind"`
	Workspace string `json:"workspace"`
	ID        string `json:"record"`
	// ProcessID is empty for records that belong to no signing process.
	ProcessID string `json:"process,omitempty"`
	// Seq is the record's position among its process's records (0, 1, …),
	// set by Append; a gap in a bundle shows a record left out.
	Seq  uint64          `json:"seq"`
	Body json.RawMessage `json:"body"`
	V    int             `json:"v"`
}

// Canonical returns the bytes the record's leaf hashes: the RFC 8785 (JCS)
// form of the envelope
//
//	{"body":…,"kind":"event","process":"prc_…","record":"evt_…","seq":0,"v":1,"workspace":"wsp_…"}
//
// with "process" absent when the record has none.
func (r Record) Canonical() ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	body, err := Canonicalize(r.Body)
	if err != nil {
		return nil, fmt.Errorf("evidence: record %s: %w", r.ID, err)
	}
	// The envelope's members in JCS order, written directly: the same bytes
	// as canonicalizing the marshalled envelope, without parsing the body twice.
	var b bytes.Buffer
	b.Grow(len(body) + 128)
	b.WriteString(`{"body":`)
	b.Write(body)
	b.WriteString(`,"kind":`)
	writeString(&b, string(r.Kind))
	if r.ProcessID != "" {
		b.WriteString(`,"process":`)
		writeString(&b, r.ProcessID)
	}
	b.WriteString(`,"record":`)
	writeString(&b, r.ID)
	b.WriteString(`,"seq":`)
	b.WriteString(strconv.FormatUint(r.Seq, 10))
	b.WriteString(`,"v":`)
	b.WriteString(strconv.Itoa(EnvelopeVersion))
	b.WriteString(`,"workspace":`)
	writeString(&b, r.Workspace)
	b.WriteByte('}')
	return b.Bytes(), nil
}

func (r Record) check() error {
	switch {
	case r.Kind != KindAudit && r.Kind != KindEvent && r.Kind != KindAttempt:
		return fmt.Errorf("evidence: record %s: unknown kind %q", r.ID, r.Kind)
	case r.Workspace == "":
		return fmt.Errorf("evidence: record %s: no workspace", r.ID)
	case r.ID == "":
		return errors.New("evidence: record without an id")
	case r.Seq > 1<<53:
		return fmt.Errorf("evidence: record %s: seq %d is beyond 2^53", r.ID, r.Seq)
	case len(bytes.TrimSpace(r.Body)) == 0:
		return fmt.Errorf("evidence: record %s: empty body", r.ID)
	}
	return nil
}

// ParseRecord reads canonical bytes back into a Record. It refuses bytes that
// are not exactly the canonical form of what they decode to, so that two
// different byte strings can never stand for the same record.
func ParseRecord(canonical []byte) (Record, error) {
	var r Record
	if err := json.Unmarshal(canonical, &r); err != nil {
		return Record{}, fmt.Errorf("evidence: parse record: %w", err)
	}
	if r.V != EnvelopeVersion {
		return Record{}, fmt.Errorf("evidence: record %s: envelope version %d, want %d", r.ID, r.V, EnvelopeVersion)
	}
	again, err := r.Canonical()
	if err != nil {
		return Record{}, err
	}
	if !bytes.Equal(again, canonical) {
		return Record{}, fmt.Errorf("evidence: record %s: bytes are not in canonical form", r.ID)
	}
	return r, nil
}

// LeafHash is the RFC 6962 hash of a leaf: SHA-256(0x00 || canonical bytes).
func LeafHash(canonical []byte) []byte {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(canonical)
	return h.Sum(nil)
}

// nodeHash is the RFC 6962 hash of an inner node: SHA-256(0x01 || l || r).
func nodeHash(l, r []byte) []byte {
	h := sha256.New()
	h.Write([]byte{1})
	h.Write(l)
	h.Write(r)
	return h.Sum(nil)
}
