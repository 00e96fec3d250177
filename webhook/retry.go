package webhook

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Schedule is the retry policy of a delivery: entry i is the delay before attempt
// i+1, counted from the moment the previous attempt failed (for attempt 1, from the
// moment the delivery was created). So len(s) is the number of attempts a delivery
// gets, and the first entry is normally 0: the first attempt is immediate.
type Schedule []time.Duration

// DefaultSchedule gives a delivery 8 attempts: immediately, then 5s, 5m, 30m, 2h,
// 5h, 10h and 10h after each failure: 27h35m5s, give or take the jitter, from the
// first attempt to the last.
var DefaultSchedule = Schedule{
	0,
	5 * time.Second,
	5 * time.Minute,
	30 * time.Minute,
	2 * time.Hour,
	5 * time.Hour,
	10 * time.Hour,
	10 * time.Hour,
}

// Jitter is the fraction by which Delay moves a delay either way, so that the
// retries of deliveries that failed together spread out.
const Jitter = 0.2

// MaxRetryAfter is the longest wait a receiver can ask for with Retry-After; a
// longer one is shortened to it.
const MaxRetryAfter = time.Hour

// ParseSchedule parses a comma-separated list of Go durations, such as
// "0s,5s,5m,30m,2h,5h,10h,10h". Spaces around items are ignored; an empty item, a
// negative or unparsable duration is an error naming the item.
func ParseSchedule(text string) (Schedule, error) {
	if strings.TrimSpace(text) == "" {
		return nil, errors.New("retry schedule is empty")
	}
	items := strings.Split(text, ",")
	s := make(Schedule, 0, len(items))
	for i, item := range items {
		item = strings.TrimSpace(item)
		if item == "" {
			return nil, fmt.Errorf("retry schedule item %d is empty", i+1)
		}
		d, err := time.ParseDuration(item)
		if err != nil {
			return nil, fmt.Errorf("retry schedule item %d (%q): %w", i+1, item, err)
		}
		if d < 0 {
			return nil, fmt.Errorf("retry schedule item %d (%q) is negative", i+1, item)
		}
		s = append(s, d)
	}
	return s, nil
}

// String returns the schedule in the form ParseSchedule reads.
func (s Schedule) String() string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = d.String()
	}
	return strings.Join(parts, ",")
}

// Attempts returns how many attempts a delivery gets.
func (s Schedule) Attempts() int { return len(s) }

// Delay returns how long to wait before attempt number attempt (1-based): after
// attempt n failed, Delay(n+1) says when to try again. The delay is moved by up
// to ±Jitter using rnd, which returns numbers in [0, 1) (nil means math/rand/v2);
// a zero delay stays zero. It returns false when the schedule has no such
// attempt: the delivery has used all of its attempts and has failed.
func (s Schedule) Delay(attempt int, rnd func() float64) (time.Duration, bool) {
	if attempt < 1 || attempt > len(s) {
		return 0, false
	}
	d := s[attempt-1]
	if d == 0 {
		return 0, true
	}
	if rnd == nil {
		rnd = rand.Float64
	}
	f := 1 - Jitter + 2*Jitter*rnd()
	return time.Duration(float64(d) * f), true
}

// Next returns how long to wait before attempt number attempt, given the HTTP
// status and Retry-After header of the attempt that just failed. It is Delay,
// except that a Retry-After on a 429 or 503 answer lengthens the wait up to
// MaxRetryAfter: a receiver can slow its retries down but never hurry them, and
// it cannot add attempts. It returns false when the attempts are exhausted.
func (s Schedule) Next(attempt, status int, retryAfter string, now time.Time, rnd func() float64) (time.Duration, bool) {
	d, ok := s.Delay(attempt, rnd)
	if !ok {
		return 0, false
	}
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		if ra, ok := RetryAfter(retryAfter, now, d, MaxRetryAfter); ok {
			return ra, true
		}
	}
	return d, true
}

// RetryAfter parses a Retry-After header value, either delta-seconds ("120") or an
// HTTP-date, into a wait from now, and clamps it to [minWait, maxWait]; when
// minWait > maxWait, minWait wins, so a caller that passes the scheduled delay as min never retries
// earlier than scheduled. It returns false for an empty or unparsable value.
func RetryAfter(h string, now time.Time, minWait, maxWait time.Duration) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	var d time.Duration
	if secs, err := strconv.ParseUint(h, 10, 63); err == nil || errors.Is(err, strconv.ErrRange) {
		d = time.Duration(math.MaxInt64) // beyond any bound, when out of range
		if err == nil && secs < uint64(math.MaxInt64/int64(time.Second)) {
			d = time.Duration(secs) * time.Second
		}
	} else if at, err := http.ParseTime(h); err == nil {
		d = at.Sub(now)
	} else {
		return 0, false
	}
	d = max(min(d, maxWait), minWait)
	return d, true
}
