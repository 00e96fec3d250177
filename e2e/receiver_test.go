package e2e

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/kit"
	"github.com/countersign/countersign/webhook/verify"
)

// behaviour is how a receiver answers.
type behaviour struct {
	// delay is how long every request is held before it is answered (within
	// the endpoint's timeout): it keeps attempts in flight.
	delay time.Duration
	// failFirst is how many requests of each webhook-id answer 500 before one
	// answers 200.
	failFirst int
	// slowFirst is how many requests of each webhook-id are held for slowFor
	// (longer than the endpoint's timeout) before one answers 200 in time.
	slowFirst int
	slowFor   time.Duration
}

// receiver is a webhook receiver on a loopback port that verifies every
// request's signature and records which webhook-ids it acknowledged. It can
// refuse connections (down, then up again on the same port) and answer 500
// to everything for a while (failing).
type receiver struct {
	name string
	addr string
	b    behaviour

	failing atomic.Bool
	// ep checks signatures and envelopes: the kit's, shared with the bench.
	ep kit.Endpoint

	mu       sync.Mutex
	srv      *http.Server
	requests map[string]int    // every request, by webhook-id
	acked    map[string]int    // 2xx answers, by webhook-id
	types    map[string]string // event type, by webhook-id
	problems []string          // bad signatures, ids that do not match the body
	total    int
	arrivals []arrival // every verified request, in the order received
}

// arrival is one verified request: when it came, for which event, and when
// the receiver was done with it (zero while it is held). end is taken before
// the answer leaves the handler, so a request the sender makes only after
// that answer arrives after end.
type arrival struct {
	at  time.Time
	id  string
	end time.Time
}

// newReceiver starts a receiver; it stops when t ends.
func newReceiver(t testing.TB, name string, b behaviour) *receiver {
	t.Helper()
	r := &receiver{name: name, b: b, requests: map[string]int{}, acked: map[string]int{}, types: map[string]string{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.addr = ln.Addr().String()
	r.serveOn(ln)
	t.Cleanup(r.down)
	return r
}

func (r *receiver) url() string { return "http://" + r.addr + "/hooks/" + r.name }

// setSecret installs the verifier of the endpoint's secret.
func (r *receiver) setSecret(t testing.TB, secret string) {
	t.Helper()
	if err := r.ep.SetSecret(secret); err != nil {
		t.Fatalf("receiver %s: %v", r.name, err)
	}
}

func (r *receiver) serveOn(ln net.Listener) {
	srv := &http.Server{Handler: http.HandlerFunc(r.handle), ReadHeaderTimeout: 10 * time.Second}
	r.mu.Lock()
	r.srv = srv
	r.mu.Unlock()
	go srv.Serve(ln)
}

// down closes the listener and every connection: connections are refused
// until up.
func (r *receiver) down() {
	r.mu.Lock()
	srv := r.srv
	r.srv = nil
	r.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// up listens again on the same port.
func (r *receiver) up(t testing.TB) {
	t.Helper()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ {
		if ln, err = net.Listen("tcp", r.addr); err == nil {
			r.serveOn(ln)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("receiver %s: listen again on %s: %v", r.name, r.addr, err)
}

func (r *receiver) handle(w http.ResponseWriter, req *http.Request) {
	// The arrival is timed before the body is read and verified, so that
	// the receiver's own work does not bunch the log.
	now := time.Now()
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, 1<<20))
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	id := req.Header.Get(verify.HeaderID)
	env, verr := r.ep.Verify(req.Header, body)
	r.mu.Lock()
	r.total++
	r.requests[id]++
	n := r.requests[id]
	var problem string
	if verr != nil {
		problem = fmt.Sprintf("%s: %v", id, verr)
	}
	if problem != "" {
		r.problems = append(r.problems, problem)
	} else {
		r.arrivals = append(r.arrivals, arrival{at: now, id: id})
	}
	at := len(r.arrivals) - 1
	r.mu.Unlock()
	if problem != "" {
		http.Error(w, problem, http.StatusBadRequest)
		return
	}
	defer func() {
		r.mu.Lock()
		r.arrivals[at].end = time.Now()
		r.mu.Unlock()
	}()
	hold := r.b.delay
	if n <= r.b.slowFirst {
		hold = r.b.slowFor
	}
	if hold > 0 {
		select {
		case <-time.After(hold):
		case <-req.Context().Done():
			return // the sender gave up (timeout) or the receiver went down
		}
	}
	if r.failing.Load() || n <= r.b.failFirst {
		http.Error(w, "failing on purpose", http.StatusInternalServerError)
		return
	}
	if req.Context().Err() != nil {
		return
	}
	r.mu.Lock()
	r.acked[id]++
	r.types[id] = env.Type
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// snapshot returns a copy of the acknowledged webhook-ids with their counts.
func (r *receiver) snapshot() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.acked))
	for k, v := range r.acked {
		out[k] = v
	}
	return out
}

// ackedCount returns how many requests were acknowledged.
func (r *receiver) ackedCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, v := range r.acked {
		n += v
	}
	return n
}

// trouble returns the problems seen so far.
func (r *receiver) trouble() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.problems...)
}

// arrivalLog returns a copy of the verified requests, in the order received.
func (r *receiver) arrivalLog() []arrival {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]arrival(nil), r.arrivals...)
}
