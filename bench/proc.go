package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat: 100
// on every Linux architecture Go supports.
const clockTicks = 100

// procSample is one reading of a process.
type procSample struct {
	RSS, HWM uint64        // bytes: resident now, and the peak (VmHWM)
	CPU      time.Duration // user + system time since the process started
}

// readProc reads a process's memory and CPU time from /proc.
func readProc(pid int) (procSample, error) {
	var s procSample
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		if k != "VmRSS" && k != "VmHWM" {
			continue
		}
		f := strings.Fields(v) // "123456 kB"
		if len(f) == 0 {
			continue
		}
		kb, _ := strconv.ParseUint(f[0], 10, 64)
		if k == "VmRSS" {
			s.RSS = kb * 1024
		} else {
			s.HWM = kb * 1024
		}
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, err
	}
	// The command name (field 2) may hold spaces; fields after its ')' are fixed.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return s, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(string(stat[i+1:])) // f[0] is field 3 (state)
	if len(f) < 13 {
		return s, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, _ := strconv.ParseInt(f[12], 10, 64) // field 15
	s.CPU = time.Duration(utime+stime) * time.Second / clockTicks
	return s, nil
}

// procSampler samples the service's processes every interval: the peak RSS
// (the larger of VmHWM and any sampled VmRSS) and the CPU time used since
// mark. A process that exits keeps its last reading.
type procSampler struct {
	mu    sync.Mutex
	procs []*procTrack
}

type procTrack struct {
	name      string
	pid       int
	base      time.Duration // CPU at mark
	marked    bool
	last      procSample
	peak, rss uint64
}

// procFigures are one process's figures in the report.
type procFigures struct {
	Name         string  `json:"name"`
	PID          int     `json:"pid"`
	PeakRSSBytes uint64  `json:"peak_rss_bytes"`
	RSSBytes     uint64  `json:"rss_bytes"`
	CPUSeconds   float64 `json:"cpu_seconds"`
}

func newProcSampler() *procSampler { return &procSampler{} }

// add starts sampling a process; a pid already sampled (the bench's own, in
// process) is not added twice.
func (p *procSampler) add(name string, pid int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, t := range p.procs {
		if t.pid == pid {
			return
		}
	}
	t := &procTrack{name: name, pid: pid}
	p.procs = append(p.procs, t)
	p.sampleOne(t)
}

// mark starts the CPU window now.
func (p *procSampler) mark() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, t := range p.procs {
		p.sampleOne(t)
		t.base, t.marked = t.last.CPU, true
	}
}

// run samples every interval until ctx ends, then once more.
func (p *procSampler) run(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			p.sample()
			return
		case <-tick.C:
			p.sample()
		}
	}
}

func (p *procSampler) sample() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, t := range p.procs {
		p.sampleOne(t)
	}
}

func (p *procSampler) sampleOne(t *procTrack) {
	s, err := readProc(t.pid)
	if err != nil {
		return // exited: keep the last reading
	}
	t.last, t.rss = s, s.RSS
	t.peak = max(t.peak, s.HWM, s.RSS)
}

// figures returns each process's figures, sampling once more first.
func (p *procSampler) figures() []procFigures {
	p.sample()
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]procFigures, 0, len(p.procs))
	for _, t := range p.procs {
		cpu := t.last.CPU
		if t.marked {
			cpu -= t.base
		}
		out = append(out, procFigures{Name: t.name, PID: t.pid, PeakRSSBytes: t.peak, RSSBytes: t.rss, CPUSeconds: cpu.Seconds()})
	}
	return out
}
