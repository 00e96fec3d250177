package bench

import "testing"

func TestLatencyHistogramBuckets(t *testing.T) {
	prev := -1
	for v := uint64(0); v < 1<<20; v += 1 + v/97 {
		i := histIndex(v)
		if i < prev || v > histUpper(i) || (i > 0 && v <= histUpper(i-1)) {
			t.Fatalf("value %d: bucket %d [%d, %d], previous bucket %d", v, i, histUpper(i-1)+1, histUpper(i), prev)
		}
		if up := histUpper(i); float64(up-v) > 0.035*float64(v)+1 {
			t.Fatalf("value %d: bucket %d upper bound %d is too far", v, i, up)
		}
		prev = i
	}
}
