package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/countersign/countersign/internal/redact"

	"github.com/hibiken/asynq"

	"github.com/countersign/countersign/webhook"
)

// Sizes of the ceiling measurements.
const (
	ceilingTasks       = 20000
	ceilingEnqueuers   = 8
	ceilingPosters     = 64
	ceilingPostFor     = 3 * time.Second
	ceilingBodyBytes   = 1024
	ceilingTaskTimeout = 2 * time.Minute
)

// ceilings are what the machine can do without Countersign's logic, measured
// in the same run: bare asynq and bare signed HTTP POSTs.
type ceilings struct {
	// AsynqNoop is no-op tasks processed a second by one asynq server with the
	// service's concurrency, from the first dequeue to the last done.
	AsynqNoop float64 `json:"asynq_noop_per_second"`
	// AsynqEnqueue is the rate at which the tasks were enqueued.
	AsynqEnqueue float64 `json:"asynq_enqueue_per_second"`
	// SignedPost is signed 1 KiB POSTs a second answered 2xx by the bench's
	// receivers (which verify them), from 64 client goroutines.
	SignedPost float64  `json:"signed_post_per_second"`
	Errors     []string `json:"errors,omitempty"`
}

// measureCeilings measures both ceilings; a failure is reported, not fatal.
func (b *bench) measureCeilings(ctx context.Context) {
	c := &b.rep.Ceilings
	fmt.Fprintln(b.stderr, "bench: measuring the ceilings…")
	if b.cfg.CeilingRedisURL == "" {
		c.Errors = append(c.Errors, "asynq ceiling: not measured: give --ceiling-redis-url (a database the bench may flush)")
	} else if err := asynqCeiling(ctx, b.cfg.CeilingRedisURL, b.cfg.ServiceConcurrency, c); err != nil {
		c.Errors = append(c.Errors, err.Error())
	}
	if err := b.postCeiling(ctx, c); err != nil {
		c.Errors = append(c.Errors, err.Error())
	}
}

// asynqCeiling enqueues ceilingTasks no-op tasks on a flushed database, then
// processes them with an asynq server.
func asynqCeiling(ctx context.Context, url string, concurrency int, c *ceilings) error {
	if err := flushRedis(ctx, url); err != nil {
		return err
	}
	defer flushRedis(context.Background(), url)
	opt, err := redisConnOpt(url)
	if err != nil {
		return err
	}
	client := asynq.NewClient(opt)
	defer client.Close()
	const queue, typ = "bench-ceiling", "bench:noop"
	var next atomic.Int64
	var enqErr atomic.Value
	start := time.Now()
	var wg sync.WaitGroup
	for range ceilingEnqueuers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= ceilingTasks; i = next.Add(1) {
				task := asynq.NewTask(typ, []byte(strconv.FormatInt(i, 10)), asynq.Queue(queue), asynq.Timeout(ceilingTaskTimeout))
				if _, err := client.EnqueueContext(ctx, task); err != nil {
					enqErr.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, _ := enqErr.Load().(error); err != nil {
		return fmt.Errorf("asynq ceiling: enqueue: %w", err)
	}
	c.AsynqEnqueue = ceilingTasks / time.Since(start).Seconds()

	var first, handled atomic.Int64
	srv := asynq.NewServer(opt, asynq.Config{Concurrency: concurrency, Queues: map[string]int{queue: 1},
		TaskCheckInterval: 10 * time.Millisecond, LogLevel: asynq.ErrorLevel,
		Logger: quietAsynqLog{}})
	mux := asynq.NewServeMux()
	mux.HandleFunc(typ, func(context.Context, *asynq.Task) error {
		first.CompareAndSwap(0, time.Now().UnixNano())
		handled.Add(1)
		return nil
	})
	if err := srv.Start(mux); err != nil {
		return fmt.Errorf("asynq ceiling: start server: %w", err)
	}
	defer srv.Shutdown()
	inspector := asynq.NewInspector(opt)
	defer inspector.Close()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		info, err := inspector.GetQueueInfo(queue)
		if err == nil && info.Processed >= ceilingTasks {
			break
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("asynq ceiling: %w", err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("asynq ceiling: %d of %d tasks processed in 2 minutes (did something else flush %s?)",
				handled.Load(), ceilingTasks, redact.URL(url))
		}
		time.Sleep(2 * time.Millisecond)
	}
	c.AsynqNoop = ceilingTasks / time.Since(time.Unix(0, first.Load())).Seconds()
	return nil
}

// quietAsynqLog discards the ceiling server's log lines.
type quietAsynqLog struct{}

func (quietAsynqLog) Debug(...any) {}
func (quietAsynqLog) Info(...any)  {}
func (quietAsynqLog) Warn(...any)  {}
func (quietAsynqLog) Error(...any) {}
func (quietAsynqLog) Fatal(...any) {}

// postCeiling POSTs signed 1 KiB bodies to the receivers' ceiling paths for
// ceilingPostFor with ceilingPosters goroutines.
func (b *bench) postCeiling(ctx context.Context, c *ceilings) error {
	signers := make([]*webhook.Signer, len(b.secrets))
	for i, s := range b.secrets {
		var err error
		if signers[i], err = webhook.NewSigner(s); err != nil {
			return fmt.Errorf("post ceiling: %w", err)
		}
	}
	prefix := `{"id":"evt_ceiling","object":"event","type":"bench.ceiling","data":{"pad":"`
	body := []byte(prefix + strings.Repeat("x", ceilingBodyBytes-len(prefix)-3) + `"}}`)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = ceilingPosters, ceilingPosters
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	defer tr.CloseIdleConnections()
	var n, ok, failed atomic.Int64
	start := time.Now()
	deadline := start.Add(ceilingPostFor)
	var wg sync.WaitGroup
	for range ceilingPosters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				i := n.Add(1)
				ep := int(i) % len(signers)
				id := "msg_" + strconv.FormatInt(i, 10)
				now := time.Now()
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, b.recv.ceilingURL(ep), bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("webhook-id", id)
				req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
				req.Header.Set("webhook-signature", signers[ep].Header(id, now, body))
				res, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode/100 == 2 {
					ok.Add(1)
				} else {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	c.SignedPost = float64(ok.Load()) / time.Since(start).Seconds()
	if f := failed.Load(); f > 0 {
		return fmt.Errorf("post ceiling: %d of %d POSTs failed", f, n.Load())
	}
	return nil
}
