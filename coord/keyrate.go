package coord

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// keyRateScript is GCRA over one key: at most ARGV[1] requests a second on
// average and ARGV[2] at once. It returns µs to wait; 0 when admitted.
var keyRateScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = 1000000 / tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local allowAt = tat - interval * (tonumber(ARGV[2]) - 1)
if allowAt > now then
  return math.ceil(allowAt - now)
end
tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
return 0
`)

// KeyLimiter counts an API key's requests across every API process sharing
// a Redis.
type KeyLimiter struct {
	client redis.UniversalClient
	prefix string
}

// NewKeyLimiter returns a limiter on client whose keys start with prefix
// ("countersign:" when empty).
func NewKeyLimiter(client redis.UniversalClient, prefix string) *KeyLimiter {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return &KeyLimiter{client: client, prefix: prefix}
}

// Take spends one of key's requests (rate a second, burst at once). When
// none is left it returns false and how long until one is.
func (l *KeyLimiter) Take(ctx context.Context, key string, rate float64, burst int) (bool, time.Duration, error) {
	wait, err := keyRateScript.Run(ctx, l.client, []string{l.prefix + "{key:" + key + "}:rate"}, rate, max(1, burst)).Int64()
	if err != nil {
		return true, 0, fmt.Errorf("api key rate in redis: %w", err)
	}
	return wait == 0, time.Duration(wait) * time.Microsecond, nil
}
