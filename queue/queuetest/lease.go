package queuetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// The test Redis's databases: 0 holds the leases, 1 to 14 are leased to
// tests, 15 is the default of `countersign bench` (flushed by every run).
// go test runs packages in parallel processes, so a counter in this process
// could hand the same number to two packages: the lease is a key in Redis,
// set only if absent (SET NX), so exactly one test holds a number at a time.
const (
	lockDB           = 0
	firstDB, lastDB  = 1, 14
	leaseKeyPrefix   = "countersign:test:db:"
	leaseTTL         = time.Minute
	leaseWaitTimeout = 10 * time.Minute
)

// releaseScript deletes a lease only when it is still the holder's: an
// expired lease may already be someone else's.
var releaseScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// renewScript extends a lease only when it is still the holder's.
var renewScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end return 0`)

// lease is one database held by one test; it is renewed while held, so a
// test may run longer than leaseTTL, and a crashed test process frees its
// numbers within leaseTTL.
type lease struct {
	db    int
	key   string
	token string
	locks redis.Scripter
	stop  chan struct{}
	done  sync.WaitGroup
}

// acquire takes the first free database, waiting while all are leased.
func acquire(ctx context.Context, locks *redis.Client) (*lease, error) {
	token := newLeaseToken()
	deadline := time.Now().Add(leaseWaitTimeout)
	for {
		for db := firstDB; db <= lastDB; db++ {
			key := leaseKeyPrefix + strconv.Itoa(db)
			ok, err := locks.SetNX(ctx, key, token, leaseTTL).Result()
			if err != nil {
				return nil, fmt.Errorf("set %s: %w", key, err)
			}
			if ok {
				l := &lease{db: db, key: key, token: token, locks: locks, stop: make(chan struct{})}
				l.done.Add(1)
				go l.renew()
				return l, nil
			}
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("databases %d to %d stayed leased for %s", firstDB, lastDB, leaseWaitTimeout)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// newLeaseToken names one holder of a lease.
func newLeaseToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// renew keeps the lease alive until release.
func (l *lease) renew() {
	defer l.done.Done()
	t := time.NewTicker(leaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			renewScript.Run(context.Background(), l.locks, []string{l.key}, l.token, leaseTTL.Milliseconds())
		}
	}
}

// release stops renewing and frees the database for the next test.
func (l *lease) release() {
	close(l.stop)
	l.done.Wait()
	releaseScript.Run(context.Background(), l.locks, []string{l.key}, l.token)
}
