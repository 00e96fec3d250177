package queue

import (
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
)

// DepthCollector reports each delivery queue's size at scrape time.
type DepthCollector struct {
	inspector *asynq.Inspector
	desc      *prometheus.Desc
}

// NewDepthCollector returns a collector of queue depths on r.
func NewDepthCollector(r *Redis) *DepthCollector {
	return &DepthCollector{
		inspector: asynq.NewInspectorFromRedisClient(r.Client),
		desc: prometheus.NewDesc("countersign_queue_tasks", "Tasks in a delivery queue, by state.",
			[]string{"queue", "state"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *DepthCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector; a queue that cannot be read is left out.
func (c *DepthCollector) Collect(ch chan<- prometheus.Metric) {
	for _, q := range Queues {
		info, err := c.inspector.GetQueueInfo(q)
		if err != nil {
			continue
		}
		for state, n := range map[string]int{"pending": info.Pending, "active": info.Active,
			"scheduled": info.Scheduled, "retry": info.Retry} {
			ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), q, state)
		}
	}
}
