package e2e

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/webhook"
)

// attemptView is an attempt as getDelivery shows it.
type attemptView struct {
	Attempt    int       `json:"attempt"`
	StartedAt  time.Time `json:"started_at"`
	LatencyMS  float64   `json:"latency_ms"`
	StatusCode *int      `json:"status_code"`
	ErrorClass *string   `json:"error_class"`
}

// deliveryDetail is getDelivery's answer.
type deliveryDetail struct {
	ID           string        `json:"id"`
	Status       string        `json:"status"`
	AttemptCount int           `json:"attempt_count"`
	Attempts     []attemptView `json:"attempts"`
}

// deliveriesOf returns every delivery to an endpoint with its attempts, read
// through the API (listDeliveries, then getDelivery).
func (c *cluster) deliveriesOf(t testing.TB, ep *endpoint) []deliveryDetail {
	t.Helper()
	ctx := context.Background()
	var list struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
		HasMore bool `json:"has_more"`
	}
	if err := c.api.Must(ctx, http.StatusOK, "GET", "/v1/webhooks/deliveries?limit=1000&endpoint_id="+ep.id, nil, &list); err != nil {
		t.Fatal(err)
	}
	if list.HasMore {
		t.Fatalf("more than 1000 deliveries to %s", ep.id)
	}
	out := make([]deliveryDetail, len(list.Data))
	for i, d := range list.Data {
		if err := c.api.Must(ctx, http.StatusOK, "GET", "/v1/webhooks/deliveries/"+d.ID, nil, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestReceiverFaults delivers to three misbehaving receivers: one refusing
// connections for a while, one slower than its endpoint's timeout on the first
// two requests of each event, one answering 500 twice then 200. Every event
// arrives; every attempt is recorded with its error class; no retry comes
// earlier than the schedule allows.
func TestReceiverFaults(t *testing.T) {
	c := newCluster(t, clusterConfig{})
	c.serve()
	refusing := c.addEndpoint(newReceiver(t, "refusing", behaviour{}), 5, "transaction.lifecycle.completed")
	slow := c.addEndpoint(newReceiver(t, "slow", behaviour{slowFirst: 2, slowFor: 3 * time.Second}), 1, "action.closed")
	flaky := c.addEndpoint(newReceiver(t, "flaky", behaviour{failFirst: 2}), 5, "transaction.lifecycle.started")
	eps := []*endpoint{refusing, slow, flaky}
	refusing.rcv.down()
	baseline := c.lastSeq()

	const processes = 6
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l := newLoad(c.api)
	l.run(ctx, processes, 2, 0)
	if n, why := l.failures(); n > 0 {
		t.Fatalf("load: %s", why)
	}
	// Let the refused deliveries fail three times before the receiver comes back.
	for {
		var least int
		if err := storagetest.Get(ctx, c.db, &least, "SELECT COALESCE(MIN(attempts), 0) FROM deliveries WHERE endpoint_id = ?", refusing.id); err != nil {
			t.Fatal(err)
		}
		if least >= 3 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the refused deliveries did not reach 3 attempts")
		}
		time.Sleep(50 * time.Millisecond)
	}
	refusing.rcv.up(t)
	rep := c.drain(t, eps, baseline, drainWithin)
	t.Logf("receiver faults: %s", rep)
	noDuplicates(t, rep)

	schedule, err := webhook.ParseSchedule(ciSchedule)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ep       *endpoint
		class    string
		attempts int // exact number of attempts, 0 for "at least 4"
	}{
		{refusing, string(webhook.ClassConnect), 0},
		{slow, string(webhook.ClassTimeout), 3},
		{flaky, string(webhook.ClassHTTPStatus), 3},
	} {
		ds := c.deliveriesOf(t, tc.ep)
		if len(ds) < processes {
			t.Errorf("%s: %d deliveries, want %d", tc.ep.rcv.name, len(ds), processes)
		}
		for _, d := range ds {
			if err := checkAttempts(d, tc.class, tc.attempts, schedule); err != nil {
				t.Errorf("%s: delivery %s: %v", tc.ep.rcv.name, d.ID, err)
			}
		}
	}
}

// checkAttempts checks a delivered delivery's attempt log: numbered 1…n with
// n = attempt_count, every attempt but the last failed with class, the last
// one a 2xx, and each retry no earlier than its scheduled delay (less the
// jitter) after the previous attempt ended.
func checkAttempts(d deliveryDetail, class string, want int, schedule webhook.Schedule) error {
	n := len(d.Attempts)
	switch {
	case d.Status != "delivered":
		return fmt.Errorf("status %s", d.Status)
	case n != d.AttemptCount:
		return fmt.Errorf("%d attempts listed, attempt_count %d", n, d.AttemptCount)
	case want > 0 && n != want:
		return fmt.Errorf("%d attempts, want %d", n, want)
	case want == 0 && n < 4:
		return fmt.Errorf("%d attempts, want at least 4 (3 refused, 1 delivered)", n)
	}
	for i, a := range d.Attempts {
		if a.Attempt != i+1 {
			return fmt.Errorf("attempt %d is numbered %d", i+1, a.Attempt)
		}
		got := ""
		if a.ErrorClass != nil {
			got = *a.ErrorClass
		}
		last := i == n-1
		switch {
		case last && (a.StatusCode == nil || *a.StatusCode/100 != 2 || got != ""):
			return fmt.Errorf("last attempt: status %v class %q, want a 2xx", a.StatusCode, got)
		case !last && got != class:
			return fmt.Errorf("attempt %d: class %q, want %q", a.Attempt, got, class)
		case !last && class == string(webhook.ClassHTTPStatus) && (a.StatusCode == nil || *a.StatusCode != 500):
			return fmt.Errorf("attempt %d: status %v, want 500", a.Attempt, a.StatusCode)
		}
		if i == 0 {
			continue
		}
		prev := d.Attempts[i-1]
		ended := prev.StartedAt.Add(time.Duration(prev.LatencyMS * float64(time.Millisecond)))
		floor := time.Duration(float64(schedule[i]) * (1 - webhook.Jitter))
		if gap := a.StartedAt.Sub(ended); gap < floor-2*time.Millisecond {
			return fmt.Errorf("attempt %d started %s after attempt %d ended, before the schedule's %s (less %d%% jitter)",
				a.Attempt, gap, prev.Attempt, schedule[i], int(webhook.Jitter*100))
		}
	}
	return nil
}
