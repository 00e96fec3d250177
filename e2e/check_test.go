package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/events"
	"github.com/countersign/countersign/storage/storagetest"
)

// pair is one event for one endpoint: what must be delivered.
type pair struct{ event, endpoint string }

// drainReport is what a drain saw.
type drainReport struct {
	events     int           // events committed after the baseline
	pairs      int           // (event, endpoint) pairs delivered and checked
	duplicates int           // acknowledged copies beyond the first of each pair
	took       time.Duration // until every pair was delivered and nothing was pending
}

func (r drainReport) String() string {
	return fmt.Sprintf("%d events, %d deliveries checked, %d duplicates, drained in %s",
		r.events, r.pairs, r.duplicates, r.took.Round(10*time.Millisecond))
}

// committedEvent is an event row.
type committedEvent struct {
	ID   string `db:"id"`
	Type string `db:"type"`
}

// committed returns the workspace's events after seq baseline.
func (c *cluster) committed(ctx context.Context, baseline int64) ([]committedEvent, error) {
	var evs []committedEvent
	err := storagetest.Select(ctx, c.db, &evs, "SELECT id, type FROM events WHERE workspace_id = ? AND seq > ? ORDER BY seq", c.workspace, baseline)
	return evs, err
}

// expected returns the pairs the committed events must reach.
func expected(evs []committedEvent, eps []*endpoint) map[pair]bool {
	out := map[pair]bool{}
	for _, e := range evs {
		if events.Type(e.Type) == events.WebhookTest {
			continue
		}
		for _, ep := range eps {
			if ep.sub.Matches(events.Type(e.Type)) {
				out[pair{e.ID, ep.id}] = true
			}
		}
	}
	return out
}

// pendingCount counts the workspace's pending deliveries.
func (c *cluster) pendingCount(ctx context.Context) (int, error) {
	var n int
	err := storagetest.Get(ctx, c.db, &n, "SELECT COUNT(*) FROM deliveries WHERE workspace_id = ? AND status = 'pending'", c.workspace)
	return n, err
}

// missing returns the expected pairs no receiver acknowledged.
func missing(want map[pair]bool, eps []*endpoint) []pair {
	var out []pair
	for _, ep := range eps {
		got := ep.rcv.snapshot()
		for p := range want {
			if p.endpoint == ep.id && got[p.event] == 0 {
				out = append(out, p)
			}
		}
	}
	return out
}

// drain waits until every event committed after baseline has been
// acknowledged by every endpoint that subscribes to it and no delivery is
// pending, then checks the rest of the promise: no delivery of an event that
// was never committed, every signature valid and every webhook-id the event's
// id (so duplicates carry the same one), one delivery row per pair, all
// delivered, no attempt number recorded twice. It fails t when any of that
// does not hold, or the drain takes longer than within.
func (c *cluster) drain(t testing.TB, eps []*endpoint, baseline int64, within time.Duration) drainReport {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	var rep drainReport
	var want map[pair]bool
	for {
		evs, err := c.committed(ctx, baseline)
		if err != nil {
			t.Fatalf("read events: %v", err)
		}
		want = expected(evs, eps)
		pending, err := c.pendingCount(ctx)
		if err != nil {
			t.Fatalf("count pending deliveries: %v", err)
		}
		miss := missing(want, eps)
		if len(miss) == 0 && pending == 0 {
			rep.events, rep.pairs, rep.took = len(evs), len(want), time.Since(start)
			break
		}
		if time.Since(start) > within {
			c.explainMissing(t, miss, pending)
			t.Fatalf("not drained after %s: %d of %d deliveries missing, %d pending", within, len(miss), len(want), pending)
		}
		time.Sleep(200 * time.Millisecond)
	}

	all, err := c.committed(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, e := range all {
		known[e.ID] = true
	}
	for _, ep := range eps {
		for _, p := range ep.rcv.trouble() {
			t.Errorf("receiver %s: %s", ep.rcv.name, p)
		}
		for id, n := range ep.rcv.snapshot() {
			if !known[id] {
				t.Errorf("receiver %s acknowledged %s, an event that was never committed", ep.rcv.name, id)
			}
			if !want[pair{id, ep.id}] && known[id] {
				t.Errorf("receiver %s got %s, which its endpoint does not subscribe to", ep.rcv.name, id)
			}
			rep.duplicates += n - 1
		}
	}
	c.checkRows(t, want)
	var list struct {
		Data []json.RawMessage `json:"data"`
	}
	if err := c.api.Must(ctx, http.StatusOK, "GET", "/v1/webhooks/deliveries?status=pending&limit=10", nil, &list); err != nil {
		t.Error(err)
	} else if len(list.Data) > 0 {
		t.Errorf("listDeliveries?status=pending answers %d deliveries after the drain", len(list.Data))
	}
	return rep
}

// checkRows checks the deliveries table against the expected pairs, and
// that no attempt number of a delivery was recorded twice.
func (c *cluster) checkRows(t testing.TB, want map[pair]bool) {
	t.Helper()
	ctx := context.Background()
	var rows []struct {
		EventID    string `db:"event_id"`
		EndpointID string `db:"endpoint_id"`
		Status     string `db:"status"`
	}
	if err := storagetest.Select(ctx, c.db, &rows, "SELECT event_id, endpoint_id, status FROM deliveries WHERE workspace_id = ? AND replay_id IS NULL", c.workspace); err != nil {
		t.Fatal(err)
	}
	seen := map[pair]int{}
	bad := 0
	for _, r := range rows {
		p := pair{r.EventID, r.EndpointID}
		if !want[p] {
			continue // an event before the baseline
		}
		seen[p]++
		if r.Status != "delivered" && bad < 10 {
			bad++
			t.Errorf("delivery of %s to %s is %s", r.EventID, r.EndpointID, r.Status)
		}
	}
	for p := range want {
		if seen[p] != 1 {
			t.Errorf("%s to %s has %d delivery rows, want 1", p.event, p.endpoint, seen[p])
		}
	}
	var twice []struct {
		DeliveryID string `db:"delivery_id"`
		Attempt    int    `db:"attempt"`
		N          int    `db:"n"`
	}
	if err := storagetest.Select(ctx, c.db, &twice, `SELECT delivery_id, attempt, COUNT(*) AS n
		FROM delivery_attempts WHERE workspace_id = ? GROUP BY delivery_id, attempt HAVING COUNT(*) > 1`, c.workspace); err != nil {
		t.Fatal(err)
	}
	for _, d := range twice {
		t.Errorf("attempt %d of %s was recorded %d times", d.Attempt, d.DeliveryID, d.N)
	}
}

// explainMissing logs what the database says about undelivered pairs.
func (c *cluster) explainMissing(t testing.TB, miss []pair, pending int) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%d pending deliveries; first missing pairs:\n", pending)
	for i, p := range miss {
		if i == 10 {
			break
		}
		var d struct {
			ID       string         `db:"id"`
			Status   string         `db:"status"`
			Attempts int            `db:"attempts"`
			Next     sql.NullInt64  `db:"next_attempt_at"`
			LastErr  sql.NullString `db:"last_error"`
		}
		err := storagetest.Get(context.Background(), c.db, &d, `SELECT id, status, attempts, next_attempt_at, last_error
			FROM deliveries WHERE event_id = ? AND endpoint_id = ?`, p.event, p.endpoint)
		if err != nil {
			fmt.Fprintf(&b, "  %s → %s: no delivery row (%v)\n", p.event, p.endpoint, err)
			continue
		}
		next := "-"
		if d.Next.Valid {
			next = time.Until(time.UnixMicro(d.Next.Int64)).Round(time.Millisecond).String() + " from now"
		}
		fmt.Fprintf(&b, "  %s → %s: %s %s, %d attempts, next %s, last error %q\n",
			p.event, p.endpoint, d.ID, d.Status, d.Attempts, next, d.LastErr.String)
	}
	if status, data, err := c.api.Call(context.Background(), "GET", "/metrics", nil); err == nil && status == 200 {
		for _, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, "countersign_queue_tasks") && !strings.HasSuffix(l, " 0") {
				fmt.Fprintf(&b, "  %s\n", l)
			}
		}
	}
	t.Log(b.String())
}

// queueTasks sums countersign_queue_tasks of one state over the delivery
// and mail queues, as a serve process's /metrics reports them (from Redis).
func (c *cluster) queueTasks(state string) (int, error) {
	status, data, err := c.api.Call(context.Background(), "GET", "/metrics", nil)
	if err != nil || status != http.StatusOK {
		return 0, fmt.Errorf("GET /metrics: %d %v", status, err)
	}
	n := 0
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "countersign_queue_tasks{") && strings.Contains(l, `state="`+state+`"`) {
			var v float64
			if _, err := fmt.Sscan(l[strings.LastIndex(l, " ")+1:], &v); err == nil {
				n += int(v)
			}
		}
	}
	return n, nil
}

// noDuplicates fails t when a drain saw duplicates: without a crash, every
// attempt that reached a receiver is recorded, and a task for a recorded
// attempt sends nothing.
func noDuplicates(t testing.TB, rep drainReport) {
	t.Helper()
	if rep.duplicates > 0 {
		t.Errorf("%d duplicate deliveries without a crash", rep.duplicates)
	}
}
