package coord_test

import (
	"context"
	"testing"

	"github.com/countersign/countersign/coord"
)

// BenchmarkAdmit measures what the cluster-wide endpoint limits add to one
// delivery attempt: one script call (rate and slot together) and one ZREM
// to give the slot back.
func BenchmarkAdmit(b *testing.B) {
	for _, tp := range topologies {
		b.Run(tp.name, func(b *testing.B) {
			ctx := context.Background()
			c := tp.open(b)
			l := coord.NewEndpointLimiter(c, prefix(b, c))
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					release, _, err := l.Admit(ctx, "ep_bench", 0, 1, 1<<20)
					if err != nil {
						b.Error(err)
						return
					}
					release()
				}
			})
		})
	}
}
