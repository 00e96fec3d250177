package api

import (
	"fmt"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestRateLimiterBucket(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}
	l := newRateLimiter(2, 4, clock.now) // 2 a second, bursts of 4
	take := func(key string) (bool, time.Duration) { return l.take(key) }
	for i := range 4 {
		if ok, _ := take("a"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := take("a")
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("fifth request: ok %v, wait %s; want refused, 500ms", ok, wait)
	}
	if ok, _ := take("b"); !ok {
		t.Fatal("another key shares a's bucket")
	}
	clock.advance(250 * time.Millisecond) // half a token
	if ok, wait := take("a"); ok || wait != 250*time.Millisecond {
		t.Fatalf("after 250ms: ok %v, wait %s; want refused, 250ms", ok, wait)
	}
	clock.advance(250 * time.Millisecond)
	if ok, _ := take("a"); !ok {
		t.Fatal("a token earned in 500ms was not there")
	}
	clock.advance(time.Hour) // refills to the burst, not beyond
	for i := range 4 {
		if ok, _ := take("a"); !ok {
			t.Fatalf("request %d after an hour refused", i+1)
		}
	}
	if ok, _ := take("a"); ok {
		t.Fatal("an idle hour saved more than the burst")
	}
	clock.advance(-time.Minute) // a clock stepping back earns nothing
	if ok, _ := take("a"); ok {
		t.Fatal("a clock stepping back gave a token")
	}
}

func TestRateLimiterDefaultsAndOff(t *testing.T) {
	if l := newRateLimiter(0, 10, time.Now); l != nil {
		t.Fatal("rate 0 should mean no limiter")
	}
	for _, c := range []struct {
		rate  float64
		burst int
		want  float64
	}{{50, 0, 100}, {0.2, 0, 1}, {3, 7, 7}} {
		if l := newRateLimiter(c.rate, c.burst, time.Now); l.burst != c.want {
			t.Errorf("rate %g burst %d: bucket of %g, want %g", c.rate, c.burst, l.burst, c.want)
		}
	}
}

func TestRateLimiterDropsIdleBuckets(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}
	l := newRateLimiter(10, 20, clock.now) // refills in 2s
	for i := range 1000 {
		l.take(fmt.Sprintf("key-%d", i))
	}
	if n := l.size(); n != 1000 {
		t.Fatalf("%d buckets, want 1000", n)
	}
	clock.advance(time.Second)
	l.take("busy")
	if n := l.size(); n != 1001 {
		t.Fatalf("buckets not yet refilled were dropped: %d left", n)
	}
	clock.advance(1500 * time.Millisecond)
	l.take("busy")
	if n := l.size(); n != 1 {
		t.Fatalf("after the refill period %d buckets are left, want the busy one", n)
	}
}
