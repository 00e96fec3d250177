package queue_test

import (
	"context"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/webhook"
)

// TestDeliveryThroughput reports (never asserts) the engine's delivery rate;
// it runs only with COUNTERSIGN_BENCH=1.
func TestDeliveryThroughput(t *testing.T) {
	if testing.Short() || getenvBench() == "" {
		t.Skip("set COUNTERSIGN_BENCH=1 to measure")
	}
	e := startEngine(t, engineOptions{guard: webhook.Guard{AllowPrivate: true, AllowHTTP: true}})
	var got atomic.Int64
	r := newReceiver(t, func(int, http.ResponseWriter) {})
	r.respond = func(_ int, w http.ResponseWriter) { got.Add(1); w.WriteHeader(http.StatusOK) }
	const endpoints = 4
	for range endpoints {
		e.endpoint(r.URL, []string{"*"})
	}
	const producers, perProducer = 8, 500
	start := time.Now()
	var wg sync.WaitGroup
	for range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perProducer {
				if _, _, err := e.db.Keys().CreateAPIKey(context.Background(), e.ws, "k", countersign.RoleMember); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	produced := time.Since(start)
	want := int64(producers * perProducer * endpoints)
	for got.Load() < want && time.Since(start) < 2*time.Minute {
		time.Sleep(10 * time.Millisecond)
	}
	elapsed := time.Since(start)
	t.Logf("events: %d in %s (%.0f/s); deliveries received: %d in %s (%.0f/s)",
		producers*perProducer, produced, float64(producers*perProducer)/produced.Seconds(),
		got.Load(), elapsed, float64(got.Load())/elapsed.Seconds())
}

func getenvBench() string { return os.Getenv("COUNTERSIGN_BENCH") }
