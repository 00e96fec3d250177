package webhook_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/coord"
	"github.com/countersign/countersign/internal/redistest"
	"github.com/countersign/countersign/storage/storagetest"
	"github.com/countersign/countersign/webhook"
)

// runFleet delivers n tasks arriving on tasks with workers Deliverers of
// conc goroutines each, as that many worker processes would (each with its
// own endpoint cache and Redis client, sharing the database and Redis and
// nothing else), and returns when all are delivered. A throttled attempt
// runs again after its delay, as asynq would run it.
func runFleet(t *testing.T, tasks chan webhook.Task, n, workers, conc int, newDeliverer func() *webhook.Deliverer) {
	t.Helper()
	var delivered atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	for range workers {
		d := newDeliverer()
		for range conc {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					var task webhook.Task
					select {
					case <-ctx.Done():
						return
					case task = <-tasks:
					}
					for {
						err := d.Deliver(ctx, task)
						var th *webhook.Throttled
						if errors.As(err, &th) {
							time.Sleep(th.Delay)
							continue
						}
						if err != nil && ctx.Err() == nil {
							select {
							case errs <- err:
							default:
							}
							return
						}
						break
					}
					if delivered.Add(1) == int32(n) {
						cancel()
					}
				}
			}()
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case err := <-errs:
		cancel()
		t.Fatal(err)
	case <-time.After(2 * time.Minute):
		cancel()
		t.Fatalf("only %d of %d delivered", delivered.Load(), n)
	}
}

// limitSetup is one workspace with an endpoint at url and a source of n
// deliveries to it.
func limitSetup(t *testing.T, url string, rate int, n int) (newDeliverer func(l webhook.Limiter, slots int) *webhook.Deliverer, tasks chan webhook.Task) {
	t.Helper()
	ctx := context.Background()
	db := storagetest.OpenSQLite(t)
	ws, _ := storagetest.Workspace(t, db, "A")
	in := webhook.EndpointInput{URL: &url, EventTypes: []string{"apikey.created"}}
	if rate > 0 {
		in.RateLimit = &rate
	}
	if _, err := db.Webhooks().CreateEndpoint(ctx, ws, in); err != nil {
		t.Fatal(err)
	}
	tasks = make(chan webhook.Task, n)
	db.SetDispatcher(func(ts []webhook.Task) {
		for _, task := range ts {
			tasks <- task
		}
	})
	for i := range n {
		if _, _, err := db.Keys().CreateAPIKey(ctx, ws, "k", countersign.RoleMember); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return func(l webhook.Limiter, slots int) *webhook.Deliverer {
		return webhook.NewDeliverer(webhook.DelivererConfig{
			Store: db.Webhooks(), Queue: noRetries{t}, Logger: log, Limiter: l, MaxInFlightPerEndpoint: slots,
			Sender: webhook.NewSender(webhook.SenderConfig{Version: "test",
				Guard: webhook.Guard{AllowPrivate: true, AllowHTTP: true}, Timeout: 5 * time.Second}),
		})
	}, tasks
}

// noRetries fails the test if an attempt is retried: the receivers all accept.
type noRetries struct{ t *testing.T }

func (q noRetries) EnqueueIn(_ context.Context, task webhook.Task, _ time.Duration) error {
	q.t.Errorf("delivery %s retried", task.DeliveryID)
	return nil
}

// maxInWindow is the most times within any window-long interval.
func maxInWindow(times []time.Time, window time.Duration) int {
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	most, j := 0, 0
	for i := range times {
		for times[i].Sub(times[j]) >= window {
			j++
		}
		most = max(most, i-j+1)
	}
	return most
}

// The limit is checked twice. The limiter's own admission times (Redis TIME,
// exact) may hold at most rate+1 in any one-second window: GCRA with no burst
// spaces turns one interval apart, and a closed window can hold both ends. The
// receiver's arrival times add the delays between a worker's admission and
// the request reaching the receiver, which bunch up on a loaded machine (a
// request delayed 100 ms lands in the next window with the ones on time), so
// they are checked over windows of receiverWindow, long enough that such
// delays cannot matter: at most receiverWindow×rate + receiverTolerance.
const (
	receiverWindow    = 5 * time.Second
	receiverTolerance = 10 // 10 requests at 50/s: arrivals delayed up to 200 ms
)

// TestRateLimitAcrossWorkers: three workers sharing a Redis let an endpoint
// limited to 50 requests a second have no more than 50 (+1) in any one-second
// window of the limiter's clock, and the receiver sees no more than 5×50
// (+10) in any five seconds. Counted per process, they would send up to 150
// a second.
func TestRateLimitAcrossWorkers(t *testing.T) {
	const rate, n = 50, 600 // about 12 s
	var mu sync.Mutex
	var arrivals, turns []time.Time
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()
	newDeliverer, tasks := limitSetup(t, rcv.URL, rate, n)
	// The limiter's keys expire on their own within seconds.
	prefix := "test-" + countersign.NewID("t", time.Now()) + ":"
	runFleet(t, tasks, n, 3, 8, func() *webhook.Deliverer {
		l := coord.NewEndpointLimiter(redistest.Client(t), prefix)
		l.OnAdmit = func(_ string, turn time.Time) {
			mu.Lock()
			turns = append(turns, turn)
			mu.Unlock()
		}
		return newDeliverer(l, 16)
	})
	mu.Lock()
	defer mu.Unlock()
	if len(arrivals) != n || len(turns) != n {
		t.Fatalf("receiver got %d requests and the limiter admitted %d, want %d", len(arrivals), len(turns), n)
	}
	span := arrivals[len(arrivals)-1].Sub(arrivals[0])
	admitted, received := maxInWindow(turns, time.Second), maxInWindow(arrivals, receiverWindow)
	t.Logf("%d requests in %s (%.1f/s); at most %d admitted in one second, %d received in %s",
		n, span.Round(time.Millisecond), float64(n-1)/span.Seconds(), admitted, received, receiverWindow)
	if admitted > rate+1 {
		t.Errorf("the limiter admitted %d requests in one second; the limit is %d", admitted, rate)
	}
	if limit := int(receiverWindow/time.Second)*rate + receiverTolerance; received > limit {
		t.Errorf("receiver saw %d requests in %s; the limit allows %d (+%d)", received, receiverWindow, limit-receiverTolerance, receiverTolerance)
	}
}

// TestConcurrencyCapAcrossWorkers: three workers sharing a Redis keep at most
// MaxInFlightPerEndpoint attempts in flight to one endpoint in total.
func TestConcurrencyCapAcrossWorkers(t *testing.T) {
	const slots, n = 4, 90
	var inFlight, most atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		now := inFlight.Add(1)
		for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
		}
		time.Sleep(50 * time.Millisecond)
		inFlight.Add(-1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()
	newDeliverer, tasks := limitSetup(t, rcv.URL, 0, n)
	// The limiter's keys expire on their own within seconds.
	prefix := "test-" + countersign.NewID("t", time.Now()) + ":"
	runFleet(t, tasks, n, 3, 8, func() *webhook.Deliverer {
		return newDeliverer(coord.NewEndpointLimiter(redistest.Client(t), prefix), slots)
	})
	t.Logf("at most %d in flight (cap %d, 24 senders)", most.Load(), slots)
	if most.Load() > slots {
		t.Fatalf("%d attempts in flight at once; the cap is %d", most.Load(), slots)
	}
	if most.Load() < 2 {
		t.Fatalf("at most %d in flight: the workers did not send in parallel", most.Load())
	}
}
