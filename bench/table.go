package bench

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"
)

func numCPU() int { return runtime.NumCPU() }

// printTable writes the human report.
func (r *Report) printTable(out io.Writer) {
	s := r.Setup
	db := r.DatabaseKind
	if db == "" {
		db = "database unknown"
	}
	pace := fmt.Sprintf("flat out, %d clients", s.Concurrency)
	if s.Rate > 0 {
		pace = fmt.Sprintf("%g flows/s paced", s.Rate)
	}
	if r.Backlog != nil {
		pace = fmt.Sprintf("backlog of %d filled flat out by %d clients", r.Backlog.Target, s.Concurrency)
	} else {
		pace += " for " + s.Duration
	}
	fmt.Fprintf(out, "\ncountersign bench: %s service, %s, %d endpoints (%s), %s, receivers: %s, %d CPUs\n",
		s.Mode, db, s.Endpoints, strings.Join(s.EventTypes, ","), pace, s.Mix, s.CPUs)
	if s.Workers > 0 {
		fmt.Fprintf(out, "serve --no-worker + %d worker processes, concurrency %d each\n", s.Workers, s.ServiceConcurrency)
	}
	fmt.Fprintln(out)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	c := r.Ceilings
	ceiling := minPositive(c.AsynqNoop, c.SignedPost)
	of := func(x float64) string {
		if x <= 0 {
			return "–"
		}
		return fmt.Sprintf("%.2f of ceiling", x)
	}
	fmt.Fprintf(w, "deliveries/s (received, verified)\t%s\t%s\n", num(r.DeliveriesPerSecond), of(r.Ratios.DeliveriesOfCeiling))
	fmt.Fprintf(w, "events/s (committed)\t%s\t%s\n", num(r.EventsPerSecond), of(r.Ratios.EventsOfCeiling))
	fmt.Fprintf(w, "API requests/s\t%s\t–\n", num(r.APIRequestsPerSecond))
	l := r.Latency
	fmt.Fprintf(w, "latency commit→receipt (ms)\tp50 %.1f  p90 %.1f  p99 %.1f  max %.1f\t%d samples\n", l.P50, l.P90, l.P99, l.Max, l.Samples)
	if r.PeakRSSBytes > 0 {
		fmt.Fprintf(w, "service peak RSS / CPU\t%s\t%.1f CPU-seconds\n", mib(int64(r.PeakRSSBytes)), r.CPUSeconds)
		for _, p := range r.Processes {
			fmt.Fprintf(w, "  %s (pid %d)\t%s\t%.1f CPU-seconds\n", p.Name, p.PID, mib(int64(p.PeakRSSBytes)), p.CPUSeconds)
		}
	}
	if r.BenchCPUSeconds > 0 {
		fmt.Fprintf(w, "bench's own CPU (driver, receivers)\t\t%.1f CPU-seconds\n", r.BenchCPUSeconds)
	}
	if r.RedisUsedMemoryPeak > 0 {
		fmt.Fprintf(w, "Redis used_memory peak\t%s\tbaseline %s\n", mib(r.RedisUsedMemoryPeak), mib(r.RedisUsedMemoryBaseline))
	}
	if ceiling > 0 {
		fmt.Fprintf(w, "ceiling: asynq no-op tasks/s\t%s\tdeliveries are %.2f of it\n", num(c.AsynqNoop), r.Ratios.DeliveriesOfAsynq)
		fmt.Fprintf(w, "ceiling: signed 1 KiB POSTs/s\t%s\tdeliveries are %.2f of it\n", num(c.SignedPost), r.Ratios.DeliveriesOfSignedPost)
	}
	for _, e := range c.Errors {
		fmt.Fprintf(w, "ceiling error\t%s\t\n", e)
	}
	w.Flush()
	fmt.Fprintln(out)
	w = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "flows\t%d started, %d completed, %d failed, %d missed\n", r.Flows.Started, r.Flows.Completed, r.Flows.Failed, r.Flows.Missed)
	fmt.Fprintf(w, "events\t%d committed (%.2f per flow; model %d), %d received\n", r.EventsCommitted, r.EventsPerFlow, r.EventsPerFlowModel, r.EventsReceived)
	fmt.Fprintf(w, "deliveries\t%d expected (%s), %d delivered, %d lost, %d duplicates, %d retried\n",
		r.Expected, r.ExpectedSource, r.Delivered, r.Lost, r.Duplicates, r.Retried)
	if l := r.LostBreakdown; r.Lost > 0 {
		fmt.Fprintf(w, "  lost\t%d still pending in the service, %d failed there, %d unaccounted for\n", l.StillPending, l.Failed, l.Unaccounted)
	}
	if r.Service != nil {
		fmt.Fprintf(w, "service's record\t%d delivered, %d pending, %d failed\n", r.Service.Delivered, r.Service.Pending, r.Service.Failed)
	}
	fmt.Fprintf(w, "receiver requests\t%d (%d failed verification); answers ok %d, slow %d, error %d, timeout %d\n", r.Requests,
		r.VerifyFailures, r.Answers["ok"], r.Answers["slow"], r.Answers["error"], r.Answers["timeout"])
	if r.Backlog != nil {
		fmt.Fprintf(w, "windows\tfilling %.1fs, worker start to last delivery %.1fs\n", r.DriveSeconds, r.WindowSeconds)
	} else {
		fmt.Fprintf(w, "windows\tdriving %.1fs, first request to last delivery %.1fs\n", r.DriveSeconds, r.WindowSeconds)
	}
	for _, f := range r.APIFailures {
		fmt.Fprintf(w, "API failure\t%d× %s\n", f.Count, f.What)
	}
	fmt.Fprintf(w, "service log\t%d warnings, %d errors (of which %d and %d while it stopped)\n", r.ServiceLog.Warnings,
		r.ServiceLog.Errors, r.ServiceLog.ShutdownWarnings, r.ServiceLog.ShutdownErrors)
	for _, m := range r.ServiceLog.Messages {
		fmt.Fprintf(w, "  %s\t%d× %s\n", m.Level, m.Count, m.Example)
	}
	w.Flush()
	if b := r.Backlog; b != nil {
		b.print(out)
	}
	for _, warning := range r.Warnings {
		fmt.Fprintln(out, "warning:", warning)
	}
}

// num renders a rate with thousands separators.
func num(f float64) string {
	s := fmt.Sprintf("%.0f", f)
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	return b.String()
}
