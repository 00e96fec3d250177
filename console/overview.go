package console

import (
	"net/url"
	"strconv"
	"time"
)

// overviewSample is how many of the last 24 hours' deliveries the chart
// counts: one page of the delivery list, so the page stays fast whatever the
// volume; the page says when there were more.
const overviewSample = 1000

type overviewData struct {
	Chart        chart
	Legend       []series
	Sampled      bool
	Counts       map[string]int
	QueueDepth   string
	Failing      []endpoint
	Endpoints    int
	LatestEvents []event
}

func (c *Console) overview(k *call) error {
	now := c.now().UTC()
	since := now.Add(-24 * time.Hour).Truncate(time.Hour).Add(time.Hour)
	var dl list[delivery]
	q := url.Values{"created_after": {since.Add(-time.Hour).Format(time.RFC3339)}, "limit": {strconv.Itoa(overviewSample)}}
	if err := k.api("GET", "/v1/webhooks/deliveries", q, nil, &dl); err != nil {
		return err
	}
	d := overviewData{Sampled: dl.HasMore, Counts: map[string]int{}}
	labels := make([]string, 24)
	layers := []series{{Name: "succeeded", Class: "s-ok", Values: make([]int, 24)},
		{Name: "retrying", Class: "s-warn", Values: make([]int, 24)},
		{Name: "failed", Class: "s-bad", Values: make([]int, 24)}}
	for i := range labels {
		labels[i] = since.Add(time.Duration(i-1) * time.Hour).Format("15:04")
	}
	for _, x := range dl.Data {
		i := 23 - int(now.Sub(x.CreatedAt)/time.Hour)
		if i < 0 || i > 23 {
			continue
		}
		switch x.State() {
		case "delivered":
			layers[0].Values[i]++
		case "retrying":
			layers[1].Values[i]++
		case "failed":
			layers[2].Values[i]++
		}
		d.Counts[x.State()]++
	}
	d.Chart, d.Legend = stackedColumns(labels, layers, 3), layers

	var pending list[delivery]
	if err := k.api("GET", "/v1/webhooks/deliveries", url.Values{"status": {"pending"}, "limit": {strconv.Itoa(overviewSample)}}, nil, &pending); err != nil {
		return err
	}
	d.QueueDepth = strconv.Itoa(len(pending.Data))
	if pending.HasMore {
		d.QueueDepth += "+"
	}
	var eps list[endpoint]
	if err := k.api("GET", "/v1/webhooks/endpoints", nil, nil, &eps); err != nil {
		return err
	}
	d.Endpoints = len(eps.Data)
	for _, e := range eps.Data {
		if !e.Enabled || e.Health.FailingSince != nil {
			d.Failing = append(d.Failing, e)
		}
	}
	var evs list[event]
	if err := k.api("GET", "/v1/events", url.Values{"limit": {"10"}}, nil, &evs); err != nil {
		return err
	}
	d.LatestEvents = evs.Data
	k.render(200, "overview", "Overview", d)
	return nil
}
