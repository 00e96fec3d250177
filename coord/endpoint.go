// Package coord keeps several Countersign processes in step through Redis:
// limits that hold across all of them (an endpoint's rate and concurrency
// cap, an API key's rate) and leases for the duties only one of them may run
// at a time. It needs only go-redis, so it works on a standalone server,
// Sentinel or Redis Cluster alike: the keys one script touches share a hash
// tag, so they live in one slot.
//
// Every script reads the time from Redis (TIME), not from the caller, so the
// clocks of the machines running Countersign need not agree.
package coord

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// admitScript takes one concurrency slot of an endpoint and one unit of its
// rate together, or neither. KEYS[1] holds the rate's theoretical arrival
// time (GCRA, in microseconds of Redis time); KEYS[2] is a sorted set of slot
// holders scored by lease expiry, so the slots of a killed worker come back
// when their leases run out. ARGV: rate a second (0: none), burst, slots,
// lease in ms, holder token, horizon in ms. It returns:
//
//	{1, 0, turn}   admitted: a slot and a unit of the rate taken;
//	{2, µs, turn}  the rate's next unit, µs from now, is reserved for the
//	               caller, who waits that long and then asks for a slot alone
//	               (rate 0);
//	{0, µs}  not within the horizon: ask again in µs;
//	{0, -1}  every slot is taken.
//
// Reserving turns a crowd of attempts into a queue, one per interval: without
// it they would all come back at the same moment and all but one be refused.
// turn is the Redis time (µs) from which the rate lets the request go: now, or
// the reserved moment.
var admitScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local rate, burst, slots = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local lease, horizon = tonumber(ARGV[4]) * 1000, tonumber(ARGV[6]) * 1000
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= slots then
  return {0, -1}
end
local turn = now
if rate > 0 then
  local interval = 1000000 / rate
  local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
  if tat < now then tat = now end
  local wait = tat - interval * (burst - 1) - now
  if wait > horizon then
    return {0, math.ceil(wait - horizon)}
  end
  tat = tat + interval
  redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
  if wait > 0 then
    return {2, math.ceil(wait), math.ceil(now + wait)}
  end
end
redis.call('ZADD', KEYS[2], string.format('%.0f', now + lease), ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[4] + 1000)
return {1, 0, turn}
`)

// refreshScript moves a slot's lease expiry forward, if it is still held.
var refreshScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = redis.call('ZADD', KEYS[1], 'XX', 'CH', string.format('%.0f', now + tonumber(ARGV[1]) * 1000), ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[1] + 1000)
return n
`)

// EndpointLimiter enforces an endpoint's rate limit and concurrency cap
// across every worker sharing a Redis.
type EndpointLimiter struct {
	client redis.UniversalClient
	prefix string
	// SlotLease is how long a slot stays taken without a refresh: how soon
	// the slots of a killed worker come back (DefaultSlotLease). A held slot
	// is refreshed every third of it.
	SlotLease time.Duration
	// Horizon is how far ahead Admit reserves an endpoint's rate
	// (DefaultHorizon): an attempt whose turn comes within it waits for it,
	// one beyond it is told to come back later. 0 reserves nothing.
	Horizon time.Duration
	// OnAdmit, when set, is called on every admission with the Redis time of
	// the rate's turn it used: the limiter's own record of when each request
	// was let go, free of the delays between workers and the endpoint.
	OnAdmit func(endpointID string, turn time.Time)
}

// DefaultSlotLease is how long a concurrency slot is held without a refresh.
const DefaultSlotLease = 15 * time.Second

// NewEndpointLimiter returns a limiter on client whose keys start with prefix
// ("countersign:" when empty).
func NewEndpointLimiter(client redis.UniversalClient, prefix string) *EndpointLimiter {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return &EndpointLimiter{client: client, prefix: prefix, SlotLease: DefaultSlotLease, Horizon: DefaultHorizon}
}

// DefaultPrefix starts every key this package writes.
const DefaultPrefix = "countersign:"

// DefaultHorizon is how far ahead Admit reserves an endpoint's rate.
const DefaultHorizon = time.Second

// Admit takes one of endpointID's slots (at most slots at once) and, when
// rate > 0, one of its rate's requests (at most rate a second, burst at once).
// When the rate's next turn is within the Horizon, Admit reserves it and waits
// for it (then takes a slot); without a wait it takes one round trip.
// Admitted, it returns the function that gives the slot back; while the slot
// is held its lease is refreshed. Not admitted, it returns how long until the
// rate can reserve a turn, or a zero wait when every slot is taken
// (webhook.Limiter's contract).
func (l *EndpointLimiter) Admit(ctx context.Context, endpointID string, rate, burst, slots int) (release func(), wait time.Duration, err error) {
	tag := l.prefix + "{ep:" + endpointID + "}"
	keys := []string{tag + ":rate", tag + ":slots"}
	token := newToken()
	res, err := admitScript.Run(ctx, l.client, keys,
		rate, max(1, burst), slots, l.SlotLease.Milliseconds(), token, l.Horizon.Milliseconds()).Int64Slice()
	if err != nil {
		return nil, 0, fmt.Errorf("endpoint limits in redis: %w", err)
	}
	turn := res
	if res[0] == 2 { // a turn is reserved: wait for it, then take a slot alone
		t := time.NewTimer(time.Duration(res[1]) * time.Microsecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, 0, fmt.Errorf("waiting for the endpoint's turn: %w", ctx.Err())
		case <-t.C:
		}
		if res, err = admitScript.Run(ctx, l.client, keys,
			0, 1, slots, l.SlotLease.Milliseconds(), token, l.Horizon.Milliseconds()).Int64Slice(); err != nil {
			return nil, 0, fmt.Errorf("endpoint limits in redis: %w", err)
		}
	}
	switch {
	case res[0] == 1:
		if l.OnAdmit != nil {
			l.OnAdmit(endpointID, time.UnixMicro(turn[2]))
		}
		return l.hold(tag+":slots", token), 0, nil
	case res[1] < 0:
		return nil, 0, nil
	}
	return nil, time.Duration(res[1]) * time.Microsecond, nil
}

// hold refreshes a slot's lease every third of it until the returned release
// is called, which gives the slot back.
func (l *EndpointLimiter) hold(key, token string) func() {
	var mu sync.Mutex
	released := false
	var timer *time.Timer
	mu.Lock()
	defer mu.Unlock()
	timer = time.AfterFunc(l.SlotLease/3, func() {
		ctx, cancel := context.WithTimeout(context.Background(), l.SlotLease/3)
		defer cancel()
		_ = refreshScript.Run(ctx, l.client, []string{key}, l.SlotLease.Milliseconds(), token).Err()
		mu.Lock()
		defer mu.Unlock()
		if !released {
			timer.Reset(l.SlotLease / 3)
		}
	})
	return func() {
		mu.Lock()
		released = true
		timer.Stop()
		mu.Unlock()
		// The attempt's context may be over; the slot still goes back. Should
		// Redis not answer, the lease runs out instead.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = l.client.ZRem(ctx, key, token).Err()
	}
}

// newToken names one holder of a slot or lease.
func newToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
