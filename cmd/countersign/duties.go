package main

import (
	"context"

	"github.com/countersign/countersign/api"
	"github.com/countersign/countersign/coord"
	"github.com/countersign/countersign/webhook"
)

// duty runs f in the background in one process at a time among all those
// sharing the Redis (a coord.Lease named name): the reconciler, the replay
// runner, the scheduler and retention. Each is also safe to run twice (the
// database decides what is due and guards each change), so the lease saves
// the duplicate scans rather than preventing double action; when its holder
// dies another process takes the duty over within coord.DefaultLeaseTTL.
func (s *service) duty(name string, f func(ctx context.Context)) {
	lease := coord.NewLease(s.rds.Client, "", name, coord.DefaultLeaseTTL, s.log)
	s.loop(func(ctx context.Context) { lease.Run(ctx, f) })
}

// endpointLimiter holds endpoint limits across worker processes on a shared
// Redis; nil (count in this process) on the embedded one, which serves one
// process only.
func (s *service) endpointLimiter() webhook.Limiter {
	if s.rds.Embedded() {
		return nil
	}
	return coord.NewEndpointLimiter(s.rds.Client, "")
}

// keyLimiter counts API keys' requests across API processes on a shared
// Redis; nil on the embedded one.
func (s *service) keyLimiter() api.KeyLimiter {
	if s.rds.Embedded() || s.cfg.APIRateLimit <= 0 {
		return nil
	}
	return coord.NewKeyLimiter(s.rds.Client, "")
}
