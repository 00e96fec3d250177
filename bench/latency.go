package bench

import (
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// latencies keeps every latency sample (microseconds) for exact percentiles
// at the end, and a log-linear histogram (upper bounds within 3.2 %) that the
// progress line reads every second without sorting.
type latencies struct {
	mu      sync.Mutex
	samples []int64
	hist    [histBuckets]atomic.Int64
	count   atomic.Int64
}

// latencyFigures are the report's latency percentiles, in milliseconds.
type latencyFigures struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
	// Samples is how many deliveries the percentiles are computed from.
	Samples int `json:"samples"`
}

// histSub is the number of linear sub-buckets per power of two (6 bits).
const (
	histSubBits = 6
	histSub     = 1 << histSubBits
	histBuckets = 40*histSub/2 + histSub
)

func newLatencies() *latencies { return &latencies{samples: make([]int64, 0, 1<<16)} }

// add records one sample; negative ones (clock skew with --target) count as 0.
func (l *latencies) add(d time.Duration) {
	us := max(d.Microseconds(), 0)
	l.mu.Lock()
	l.samples = append(l.samples, us)
	l.mu.Unlock()
	l.hist[histIndex(uint64(us))].Add(1)
	l.count.Add(1)
}

// histIndex maps v to its bucket: exact below histSub, then histSub/2
// buckets per power of two.
func histIndex(v uint64) int {
	if v < histSub {
		return int(v)
	}
	e := bits.Len64(v) - histSubBits
	i := (e+1)*histSub/2 + int(v>>e) - histSub/2
	return min(i, histBuckets-1)
}

// histUpper is the largest value of bucket i.
func histUpper(i int) uint64 {
	if i < histSub {
		return uint64(i)
	}
	e := i/(histSub/2) - 1
	m := uint64(i - e*histSub/2)
	return (m+1)<<e - 1
}

// quickP99 reads the 99th percentile from the histogram, in milliseconds.
func (l *latencies) quickP99() float64 {
	n := l.count.Load()
	if n == 0 {
		return 0
	}
	want := (n*99 + 99) / 100
	var seen int64
	for i := range l.hist {
		if seen += l.hist[i].Load(); seen >= want {
			return float64(histUpper(i)) / 1000
		}
	}
	return 0
}

// figures computes the exact percentiles of every sample (nearest rank).
func (l *latencies) figures() latencyFigures {
	l.mu.Lock()
	s := slices.Clone(l.samples)
	l.mu.Unlock()
	if len(s) == 0 {
		return latencyFigures{}
	}
	slices.Sort(s)
	rank := func(p int) float64 {
		i := (len(s)*p + 99) / 100
		return float64(s[max(i-1, 0)]) / 1000
	}
	return latencyFigures{P50: rank(50), P90: rank(90), P99: rank(99), Max: float64(s[len(s)-1]) / 1000, Samples: len(s)}
}

// reset forgets every sample (the backlog's drain measures afresh).
func (l *latencies) reset() {
	l.mu.Lock()
	l.samples = l.samples[:0]
	l.mu.Unlock()
	for i := range l.hist {
		l.hist[i].Store(0)
	}
	l.count.Store(0)
}
