package bench

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/hibiken/asynq"

	"github.com/countersign/countersign/queue"
)

// backlogReport is what --backlog measures. "Receivers paused" is realised by
// running no worker while the backlog fills (serve --no-worker): deliveries
// pile up in the database and the queue exactly as they would for receivers
// that are down, without retries muddling the count. Then a worker starts:
// that is the receivers resuming.
type backlogReport struct {
	Target int `json:"target"`
	// Committed is the deliveries committed by the fill (the service's count
	// when the bench can read its database).
	Committed       int64   `json:"committed"`
	FillSeconds     float64 `json:"fill_seconds"`
	FillPerSecond   float64 `json:"fill_deliveries_per_second"`
	QueuedInRedis   int64   `json:"queued_in_redis"`
	ServiceRSSBytes uint64  `json:"service_rss_bytes"`
	// ServicePeakRSSBytes is the serve process's peak during the fill.
	ServicePeakRSSBytes uint64 `json:"service_peak_rss_bytes"`
	RedisUsedMemory     int64  `json:"redis_used_memory"`
	RedisUsedMemoryBase int64  `json:"redis_used_memory_baseline"`
	// The drain: from the worker's start to the last delivery received.
	DrainSeconds       float64 `json:"drain_seconds"`
	DrainPerSecond     float64 `json:"drain_per_second"`
	Drained            int64   `json:"drained"`
	WorkerPeakRSSBytes uint64  `json:"worker_peak_rss_bytes"`
	WorkerCPUSeconds   float64 `json:"worker_cpu_seconds"`
}

// runBacklog fills a backlog of --backlog deliveries with no worker, reports
// memory, then starts the worker(s) and measures the drain.
func (b *bench) runBacklog(ctx context.Context) error {
	bl := &backlogReport{Target: b.cfg.Backlog}
	b.rep.Backlog = bl
	progress := b.startProgress(ctx, "fill")
	defer progress()
	b.markWindow()
	target := int64(b.cfg.Backlog)
	giveUp := time.Now().Add(time.Hour)
	b.drv.runFlat(ctx, b.cfg.Concurrency, func() bool {
		failed, started := b.drv.flowsFailed.Load(), b.drv.flowsStarted.Load()
		return b.drv.modelDeliveries(b.cfg.EventTypes, len(b.endpoints)) >= target ||
			failed > 100+started/10 || time.Now().After(giveUp)
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	b.rep.DriveSeconds = time.Since(b.drv.firstRequest()).Seconds()
	bl.FillSeconds = b.rep.DriveSeconds
	b.phase.Store("queue")
	bl.QueuedInRedis = b.waitQueued(ctx)
	exp := b.expected(ctx)
	bl.Committed = exp.total
	bl.FillPerSecond = float64(bl.Committed) / bl.FillSeconds
	for _, p := range b.procs.figures() {
		bl.ServiceRSSBytes += p.RSSBytes
		bl.ServicePeakRSSBytes += p.PeakRSSBytes
	}
	if b.redis != nil {
		_, bl.RedisUsedMemoryBase, bl.RedisUsedMemory = b.redis.figures()
	}
	fmt.Fprintf(b.stderr, "bench: backlog of %d deliveries (%d queued in Redis); service RSS %s, Redis %s; starting the worker\n",
		bl.Committed, bl.QueuedInRedis, mib(int64(bl.ServiceRSSBytes)), mib(bl.RedisUsedMemory))

	before := len(b.svc.processes())
	b.winStart = time.Now()
	if err := b.svc.startWorkers(ctx, max(1, b.cfg.Workers)); err != nil {
		return err
	}
	workers := b.svc.processes()[before:]
	for _, p := range workers {
		b.procs.add(p.name, p.pid)
	}
	b.phase.Store("drain")
	if err := b.drain(ctx, true); err != nil {
		return err
	}
	s := b.recv.stats()
	bl.Drained = s.Delivered
	if s.LastDelivery.After(b.winStart) {
		bl.DrainSeconds = s.LastDelivery.Sub(b.winStart).Seconds()
		bl.DrainPerSecond = float64(s.Delivered) / bl.DrainSeconds
	}
	for _, f := range b.procs.figures() {
		for _, p := range workers {
			if f.PID == p.pid && b.svc.mode != "in-process" {
				bl.WorkerPeakRSSBytes += f.PeakRSSBytes
				bl.WorkerCPUSeconds += f.CPUSeconds
			}
		}
	}
	return nil
}

// waitQueued waits until the service's enqueuer has put the backlog on Redis
// (the queue stops growing for a second, at most 60 s) and returns its size.
func (b *bench) waitQueued(ctx context.Context) int64 {
	opt, err := redisConnOpt(b.svc.redisURL)
	if err != nil {
		return -1
	}
	in := asynq.NewInspector(opt)
	defer in.Close()
	var last int64 = -1
	stable := time.Now()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline) && ctx.Err() == nil; {
		var n int64
		for _, q := range queue.Queues {
			if info, err := in.GetQueueInfo(q); err == nil {
				n += int64(info.Size)
			}
		}
		if n != last {
			last, stable = n, time.Now()
		} else if time.Since(stable) > time.Second {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return last
}

// print writes the backlog's part of the table.
func (bl *backlogReport) print(out io.Writer) {
	fmt.Fprintln(out, "\nbacklog (no worker while it fills: the receivers are paused; then the worker starts):")
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "filled\t%d deliveries (target %d) in %.1fs, %s/s; %d tasks queued in Redis\n",
		bl.Committed, bl.Target, bl.FillSeconds, num(bl.FillPerSecond), bl.QueuedInRedis)
	fmt.Fprintf(w, "memory at the end of the fill\tservice RSS %s (peak %s), Redis used_memory %s (baseline %s)\n",
		mib(int64(bl.ServiceRSSBytes)), mib(int64(bl.ServicePeakRSSBytes)), mib(bl.RedisUsedMemory), mib(bl.RedisUsedMemoryBase))
	fmt.Fprintf(w, "drain\t%d deliveries in %.1fs: %s/s\n", bl.Drained, bl.DrainSeconds, num(bl.DrainPerSecond))
	if bl.WorkerPeakRSSBytes > 0 {
		fmt.Fprintf(w, "worker\tpeak RSS %s, %.1f CPU-seconds\n", mib(int64(bl.WorkerPeakRSSBytes)), bl.WorkerCPUSeconds)
	}
	w.Flush()
}
