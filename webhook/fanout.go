package webhook

import (
	"sync"

	"github.com/countersign/countersign/events"
)

// Subscriber is an enabled endpoint as fan-out sees it: its id and its
// compiled subscription.
type Subscriber struct {
	EndpointID   string
	Subscription Subscription
	// Ordering is the endpoint's ordering: its deliveries of one process's
	// events wait for one another.
	Ordering Ordering
}

// Recipients returns the endpoints among subs that receive an event of type
// t, in their order: every one whose subscription matches t, or, when only is
// set, that endpoint alone whatever it subscribes to (how webhook.test reaches
// the endpoint under test and nothing else). A webhook.test event never goes
// out by subscription.
func Recipients(subs []Subscriber, t events.Type, only string) []string {
	var out []string
	for _, s := range subs {
		if only != "" {
			if s.EndpointID == only {
				out = append(out, s.EndpointID)
			}
			continue
		}
		if t != events.WebhookTest && s.Subscription.Matches(t) {
			out = append(out, s.EndpointID)
		}
	}
	return out
}

// ReplayableTo reports whether an event of type t may be replayed to endpoint
// e by name: it subscribes to t, or t is webhook.test (which goes to whichever
// endpoint is tested).
func ReplayableTo(e Endpoint, t events.Type) bool {
	return t == events.WebhookTest || Matches(e.EventTypes, t)
}

// Subscriptions compiles each endpoint's patterns once per version: fan-out
// asks every enabled endpoint of a workspace about every event, and decoding
// and compiling the patterns each time would cost more than the match. It is
// safe for concurrent use; the zero value is ready.
type Subscriptions struct {
	mu      sync.Mutex
	entries map[string]compiled
}

// compiled is a subscription and the version it was compiled at.
type compiled struct {
	version int64
	sub     Subscription
}

// Get returns the subscription of endpoint id at version (any number that
// changes when the patterns change, such as the row's updated_at). patterns
// is called for the stored patterns only when the version is new to the cache.
func (c *Subscriptions) Get(id string, version int64, patterns func() ([]string, error)) (Subscription, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[id]; ok && e.version == version {
		return e.sub, nil
	}
	ps, err := patterns()
	if err != nil {
		return Subscription{}, err
	}
	if c.entries == nil {
		c.entries = map[string]compiled{}
	}
	sub := NewSubscription(ps)
	c.entries[id] = compiled{version: version, sub: sub}
	return sub, nil
}
