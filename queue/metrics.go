package queue

import (
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
)

// depthQueues are the queues whose depth is reported: the delivery queues and
// the mail queue, so a backlog of notification emails shows on the dashboard too.
var depthQueues = append(append([]string{}, Queues...), Mail)

// DepthCollector reports each queue's size at scrape time.
type DepthCollector struct {
	inspector *asynq.Inspector
	desc      *prometheus.Desc
}

// NewDepthCollector returns a collector of queue depths on r.
func NewDepthCollector(r *Redis) *DepthCollector {
	return &DepthCollector{
		inspector: asynq.NewInspectorFromRedisClient(r.Client),
		desc: prometheus.NewDesc("countersign_queue_tasks", "Tasks in a queue (the delivery queues and mail), by state.",
			[]string{"queue", "state"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *DepthCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector; a queue that cannot be read is left out.
func (c *DepthCollector) Collect(ch chan<- prometheus.Metric) {
	for _, q := range depthQueues {
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
