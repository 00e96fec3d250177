package countersign

import (
	"crypto/rand"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/oklog/ulid/v2"
)

// Prefixes of the platform's own identifiers. Signing-process resources use UUIDs,
// as the process service they mirror does.
const (
	PrefixWorkspace = "wsp"
	PrefixAPIKey    = "key"
	PrefixEvent     = "evt"
	PrefixEndpoint  = "ep"
	PrefixDelivery  = "dlv"
	PrefixAttempt   = "att"
	PrefixReplay    = "rpl"
	PrefixAudit     = "aud"
)

var (
	entropyMu sync.Mutex
	entropy   = ulid.Monotonic(rand.Reader, 0)
)

// NewID returns prefix + "_" + a ULID for time t. IDs made in one process sort in
// the order they were made, so they serve as time-ordered cursors.
func NewID(prefix string, t time.Time) string {
	entropyMu.Lock()
	id := ulid.MustNew(ulid.Timestamp(t), entropy)
	entropyMu.Unlock()
	return prefix + "_" + strings.ToLower(id.String())
}

// ValidID reports whether s is an identifier with the given prefix.
func ValidID(prefix, s string) bool {
	rest, ok := strings.CutPrefix(s, prefix+"_")
	if !ok || len(rest) != ulid.EncodedSize {
		return false
	}
	_, err := ulid.ParseStrict(strings.ToUpper(rest))
	return err == nil
}

// NewUUID returns a random UUID string, the identifier of signing-process resources.
func NewUUID() string { return uuid.NewString() }

// ValidUUID reports whether s is a UUID in its canonical 36-character form.
func ValidUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}

// RandomBytes returns n bytes from the system's secure random source.
func RandomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := io.ReadFull(rand.Reader, b); err != nil {
		panic("countersign: secure random source failed: " + err.Error())
	}
	return b
}
