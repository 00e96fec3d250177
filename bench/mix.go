package bench

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// answerKind is how a receiver answers one request.
type answerKind int

const (
	answerOK      answerKind = iota // 204 at once
	answerSlow                      // 204 after mix.SlowDelay
	answerError                     // 500 at once
	answerTimeout                   // nothing until the sender gives up
	answerKinds
)

var answerNames = [answerKinds]string{"ok", "slow", "error", "timeout"}

// acknowledges reports whether the sender sees a 2xx within its timeout.
func (k answerKind) acknowledges() bool { return k == answerOK || k == answerSlow }

// mix is the share of requests answered slowly, with a 500, or never within
// the endpoint's timeout; the rest are answered 204 at once.
type mix struct {
	Slow, Error, Timeout float64
	SlowDelay            time.Duration
}

// endpointTimeout is the timeout_seconds of the endpoints when the mix
// has timeouts: a timed-out answer then costs the worker one second.
const endpointTimeout = 1

// parseMix reads "slow=0.05:200ms,error=0.02,timeout=0.01"; empty is all 204.
func parseMix(s string) (mix, error) {
	m := mix{SlowDelay: 200 * time.Millisecond}
	if strings.TrimSpace(s) == "" {
		return m, nil
	}
	for _, part := range strings.Split(s, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return m, fmt.Errorf("%q: want name=share", part)
		}
		share, delay, hasDelay := strings.Cut(value, ":")
		f, err := strconv.ParseFloat(share, 64)
		if err != nil || f < 0 || f > 1 {
			return m, fmt.Errorf("%q: the share must be a number from 0 to 1", part)
		}
		if hasDelay && name != "slow" {
			return m, fmt.Errorf("%q: only slow takes a delay", part)
		}
		switch name {
		case "slow":
			m.Slow = f
			if hasDelay {
				if m.SlowDelay, err = time.ParseDuration(delay); err != nil || m.SlowDelay <= 0 {
					return m, fmt.Errorf("%q: bad delay", part)
				}
			}
		case "error":
			m.Error = f
		case "timeout":
			m.Timeout = f
		default:
			return m, fmt.Errorf("%q: want slow, error or timeout", part)
		}
	}
	if m.Slow+m.Error+m.Timeout > 1 {
		return m, fmt.Errorf("the shares add up to more than 1")
	}
	if limit := m.timeout() * 9 / 10; m.Slow > 0 && m.SlowDelay >= limit {
		return m, fmt.Errorf("the slow delay %s must stay under %s, within the endpoints' timeout", m.SlowDelay, limit)
	}
	return m, nil
}

// timeout is the endpoints' timeout under this mix.
func (m mix) timeout() time.Duration {
	if m.Timeout > 0 {
		return endpointTimeout * time.Second
	}
	return 15 * time.Second // webhook.DefaultTimeoutSeconds
}

// pick chooses the answer for a uniform random u in [0, 1).
func (m mix) pick(u float64) answerKind {
	switch {
	case u < m.Slow:
		return answerSlow
	case u < m.Slow+m.Error:
		return answerError
	case u < m.Slow+m.Error+m.Timeout:
		return answerTimeout
	}
	return answerOK
}

// answer writes the chosen answer.
func (m mix) answer(w http.ResponseWriter, req *http.Request, k answerKind) {
	switch k {
	case answerSlow:
		select {
		case <-time.After(m.SlowDelay):
		case <-req.Context().Done():
			return
		}
	case answerError:
		http.Error(w, "bench: a planned error", http.StatusInternalServerError)
		return
	case answerTimeout:
		select {
		case <-time.After(m.timeout() + time.Second):
		case <-req.Context().Done():
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// String renders the mix as the flag reads it.
func (m mix) String() string {
	if m.Slow == 0 && m.Error == 0 && m.Timeout == 0 {
		return "all 204"
	}
	return fmt.Sprintf("slow=%g:%s,error=%g,timeout=%g", m.Slow, m.SlowDelay, m.Error, m.Timeout)
}
