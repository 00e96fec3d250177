package bench

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/countersign/countersign/internal/kit"
)

// receivers is the bench's webhook receiver: one HTTP server on loopback with
// a path per endpoint, /r/<i>, that verifies every request with that
// endpoint's secret and records each (webhook-id, endpoint) once. Paths
// /c/<i> answer the signed-POST ceiling: verified, answered 204, not recorded.
type receivers struct {
	srv       *http.Server
	ln        net.Listener
	mix       mix
	endpoints []*recvEndpoint
	lat       *latencies

	requests, verifyFailures, duplicates, retried atomic.Int64
	delivered, ceilingHits                        atomic.Int64
	answers                                       [answerKinds]atomic.Int64
	lastDelivery                                  atomic.Int64 // unix nanos
	firstCommit, lastCommit                       atomic.Int64 // unix micros of created_at
	mu                                            sync.Mutex
	events                                        map[eventKey]struct{} // distinct events delivered
	verifyErrors                                  map[string]int
}

// recvEndpoint is one endpoint's verifier and what it was sent.
type recvEndpoint struct {
	kit.Endpoint
	mu   sync.Mutex
	seen map[eventKey]bool // true once acknowledged with a 2xx
}

// eventKey is an event id without its evt_ prefix (a ULID), compact in maps.
type eventKey [26]byte

// recvStats is a snapshot of what arrived.
type recvStats struct {
	Requests, VerifyFailures, Delivered, Duplicates, Retried, Events int64
	LastDelivery                                                     time.Time
	FirstCommit, LastCommit                                          time.Time
}

func startReceivers(addr string, n int, m mix) (*receivers, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("bench: receivers: %w", err)
	}
	r := &receivers{ln: ln, mix: m, lat: newLatencies(), events: map[eventKey]struct{}{}, verifyErrors: map[string]int{}}
	for range n {
		r.endpoints = append(r.endpoints, &recvEndpoint{seen: map[eventKey]bool{}})
	}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	go r.srv.Serve(ln)
	return r, nil
}

// url is the URL of endpoint i's receiver path.
func (r *receivers) url(i int) string { return fmt.Sprintf("http://%s/r/%d", r.ln.Addr(), i) }

// ceilingURL is the URL of endpoint i's ceiling path.
func (r *receivers) ceilingURL(i int) string { return fmt.Sprintf("http://%s/c/%d", r.ln.Addr(), i) }

// setSecret sets endpoint i's secret.
func (r *receivers) setSecret(i int, secret string) error {
	if err := r.endpoints[i].SetSecret(secret); err != nil {
		return fmt.Errorf("bench: endpoint %d: %w", i, err)
	}
	return nil
}

func (r *receivers) close() { r.srv.Close() }

// ServeHTTP verifies, records and answers one request.
func (r *receivers) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	at := time.Now()
	kind, idx, ok := strings.Cut(strings.TrimPrefix(req.URL.Path, "/"), "/")
	i, err := strconv.Atoi(idx)
	if !ok || err != nil || i < 0 || i >= len(r.endpoints) || (kind != "r" && kind != "c") {
		http.NotFound(w, req)
		return
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return
	}
	ep := r.endpoints[i]
	if kind == "c" {
		if err := ep.VerifySignature(req.Header, body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.ceilingHits.Add(1)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	r.requests.Add(1)
	env, err := ep.Verify(req.Header, body)
	if err == nil && len(env.ID) != 30 {
		err = kit.ErrNotTheEvent // the maps key events by the 26 characters of a ULID
	}
	if err != nil {
		r.verifyFailures.Add(1)
		r.mu.Lock()
		r.verifyErrors[err.Error()]++
		r.mu.Unlock()
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	answer := r.mix.pick(rand.Float64())
	r.answers[answer].Add(1)
	r.record(ep, env.ID, env.CreatedAt, at, answer.acknowledges())
	r.mix.answer(w, req, answer)
}

// record notes one verified request; acked says it is answered with a 2xx
// within the endpoint's timeout.
func (r *receivers) record(ep *recvEndpoint, id string, created, at time.Time, acked bool) {
	var key eventKey
	copy(key[:], id[4:])
	ep.mu.Lock()
	was, seen := ep.seen[key]
	if !was {
		ep.seen[key] = acked
	}
	ep.mu.Unlock()
	switch {
	case was:
		r.duplicates.Add(1)
		return
	case seen:
		r.retried.Add(1)
	}
	if !acked {
		return
	}
	r.delivered.Add(1)
	r.lat.add(at.Sub(created))
	storeMax(&r.lastDelivery, at.UnixNano())
	us := created.UnixMicro()
	storeMax(&r.lastCommit, us)
	storeMin(&r.firstCommit, us)
	r.mu.Lock()
	r.events[key] = struct{}{}
	r.mu.Unlock()
}

// stats returns a snapshot of the counters.
func (r *receivers) stats() recvStats {
	r.mu.Lock()
	events := int64(len(r.events))
	r.mu.Unlock()
	s := recvStats{Requests: r.requests.Load(), VerifyFailures: r.verifyFailures.Load(), Delivered: r.delivered.Load(),
		Duplicates: r.duplicates.Load(), Retried: r.retried.Load(), Events: events}
	if n := r.lastDelivery.Load(); n != 0 {
		s.LastDelivery = time.Unix(0, n)
	}
	if us := r.firstCommit.Load(); us != 0 {
		s.FirstCommit, s.LastCommit = time.UnixMicro(us), time.UnixMicro(r.lastCommit.Load())
	}
	return s
}

// storeMax raises a to v if v is larger.
func storeMax(a *atomic.Int64, v int64) {
	for old := a.Load(); v > old && !a.CompareAndSwap(old, v); old = a.Load() {
	}
}

// storeMin lowers a to v if v is smaller or a is unset (0).
func storeMin(a *atomic.Int64, v int64) {
	for old := a.Load(); (old == 0 || v < old) && !a.CompareAndSwap(old, v); old = a.Load() {
	}
}
