package console

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"sync"
	"time"
)

// cookieName is the session cookie. Its value is a random id; the store keeps
// only the id's hash, so a copy of the store's memory does not sign anyone in.
const cookieName = "countersign_console"

// session is one signed-in browser. It holds the key's id, never its secret.
type session struct {
	hash     string
	identity Identity
	// csrf is the synchronizer token every form of the session carries.
	csrf     string
	created  time.Time
	lastSeen time.Time
}

// sessions is the in-memory session store of one serve process. Sessions do
// not survive a restart and are not shared between processes: behind a load
// balancer, the console needs sticky sessions.
type sessions struct {
	mu       sync.Mutex
	byHash   map[string]*session
	idle     time.Duration
	absolute time.Duration
	now      func() time.Time
}

func newSessions(idle, absolute time.Duration, now func() time.Time) *sessions {
	return &sessions{byHash: map[string]*session{}, idle: idle, absolute: absolute, now: now}
}

// randomToken returns 32 random bytes, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("console: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashID(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}

// create starts a session for id and returns the cookie value.
func (s *sessions) create(id Identity) (string, *session) {
	raw := randomToken()
	now := s.now()
	ss := &session{hash: hashID(raw), identity: id, csrf: randomToken(), created: now, lastSeen: now}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
	s.byHash[ss.hash] = ss
	return raw, ss
}

// get returns the live session of a cookie value and marks it used; an idle
// or too old session is removed.
func (s *sessions) get(raw string) (*session, bool) {
	if raw == "" {
		return nil, false
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.byHash[hashID(raw)]
	if !ok {
		return nil, false
	}
	if s.expired(ss, now) {
		delete(s.byHash, ss.hash)
		return nil, false
	}
	ss.lastSeen = now
	return ss, true
}

func (s *sessions) expired(ss *session, now time.Time) bool {
	return now.Sub(ss.lastSeen) > s.idle || now.Sub(ss.created) > s.absolute
}

// sweep drops expired sessions; the caller holds the lock.
func (s *sessions) sweep(now time.Time) {
	for h, ss := range s.byHash {
		if s.expired(ss, now) {
			delete(s.byHash, h)
		}
	}
}

// destroy ends a session.
func (s *sessions) destroy(ss *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byHash, ss.hash)
}

// count is the number of live sessions, for tests.
func (s *sessions) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(s.now())
	return len(s.byHash)
}

// validCSRF compares a form's token with the session's in constant time.
func (ss *session) validCSRF(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(ss.csrf)) == 1
}

// secure reports whether the browser reached us over TLS, directly or
// through a proxy that says so.
func secure(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

// setCookie writes the session cookie; an empty value clears it.
func setCookie(w http.ResponseWriter, r *http.Request, value string) {
	c := &http.Cookie{Name: cookieName, Value: value, Path: "/console/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: secure(r)}
	if value == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}
