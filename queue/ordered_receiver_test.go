package queue_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// orderReceiver records the chat messages it receives per process, in
// arrival order, and how many requests of one process it ever had at once.
type orderReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	got      map[string][]string // process id → messages answered 2xx, in order
	tries    map[string]int      // message → requests
	inflight map[string]int
	overlap  int // the most requests of one process at once
	fail     func(pid, msg string) bool
}

func newOrderReceiver(t *testing.T) *orderReceiver {
	r := &orderReceiver{got: map[string][]string{}, tries: map[string]int{}, inflight: map[string]int{}}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *orderReceiver) serve(w http.ResponseWriter, req *http.Request) {
	var env struct {
		Data struct {
			ProcessID string `json:"processId"`
			Message   string `json:"message"`
		} `json:"data"`
	}
	body, _ := io.ReadAll(req.Body)
	if err := json.Unmarshal(body, &env); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	pid, msg := env.Data.ProcessID, env.Data.Message
	r.mu.Lock()
	r.inflight[pid]++
	r.overlap = max(r.overlap, r.inflight[pid])
	r.tries[msg]++
	fail := r.fail != nil && r.fail(pid, msg)
	r.mu.Unlock()
	time.Sleep(2 * time.Millisecond) // a moment in flight, for a second request of the process to overlap if it could
	r.mu.Lock()
	r.inflight[pid]--
	if !fail {
		r.got[pid] = append(r.got[pid], msg)
	}
	r.mu.Unlock()
	if fail {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (r *orderReceiver) setFail(f func(pid, msg string) bool) {
	r.mu.Lock()
	r.fail = f
	r.mu.Unlock()
}

func (r *orderReceiver) messages(pid string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got[pid]...)
}

func (r *orderReceiver) attempts(msg string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tries[msg]
}

// has reports whether every message of want arrived for pid.
func (r *orderReceiver) has(pid string, want ...string) bool {
	got := map[string]bool{}
	for _, m := range r.messages(pid) {
		got[m] = true
	}
	for _, m := range want {
		if !got[m] {
			return false
		}
	}
	return true
}

// messagesOf names n messages of process label from first.
func messagesOf(label string, first, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = label + "-" + strconv.Itoa(first+i)
	}
	return out
}
