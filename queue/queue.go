// Package queue carries delivery work over Redis with asynq: task types, the
// enqueue side, the worker server and the Redis connection (a real server, or
// an in-process one for development). asynq appears nowhere else but cmd/.
package queue

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/countersign/countersign/internal/redact"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Redis is the connection the queue runs on.
type Redis struct {
	// Opt is how asynq connects.
	Opt asynq.RedisConnOpt
	// Client is a plain client on the same server, for health checks.
	Client redis.UniversalClient
	// Topology is how the Redis deployment is laid out.
	Topology Topology
	embedded *miniredis.Miniredis
}

// Open connects to the Redis named by url (see RedisURL for the forms:
// standalone, Sentinel or Cluster). An empty url starts
// an in-process Redis-protocol server on a loopback port instead: enough for
// development and small installs, not for scale-out.
func Open(ctx context.Context, url string, log *slog.Logger) (*Redis, error) {
	r := &Redis{}
	if url == "" {
		m := miniredis.NewMiniRedis()
		if err := m.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("start embedded redis: %w", err)
		}
		r.embedded = m
		url = "redis://" + m.Addr()
		log.Warn("no Redis URL configured: using an embedded in-process Redis server (development default; set COUNTERSIGN_REDIS_URL for production)",
			"addr", m.Addr())
	}
	parsed, err := ParseRedisURL(url)
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("redis url %q: %w", redact.URL(url), err)
	}
	r.Topology = parsed.Topology
	opt := parsed.ConnOpt()
	r.Opt = opt
	client, ok := opt.MakeRedisClient().(redis.UniversalClient)
	if !ok {
		r.Close()
		return nil, fmt.Errorf("redis url %q: unsupported connection type", redact.URL(url))
	}
	r.Client = client
	return r, nil
}

// Embedded reports whether the server is the in-process one.
func (r *Redis) Embedded() bool { return r.embedded != nil }

// Ping checks Redis answers.
func (r *Redis) Ping(ctx context.Context) error {
	return r.Client.Ping(ctx).Err()
}

// Close closes the client and stops the embedded server, if any.
func (r *Redis) Close() error {
	var err error
	if r.Client != nil {
		err = r.Client.Close()
	}
	if r.embedded != nil {
		r.embedded.Close()
	}
	return err
}
