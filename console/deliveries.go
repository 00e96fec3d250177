package console

import (
	"net/url"
	"strings"
	"time"
)

func (c *Console) deliveryRoutes() {
	c.mux.Handle("GET /console/deliveries", c.page(c.deliveries))
	c.mux.Handle("GET /console/deliveries/{id}", c.page(c.deliveryPage))
	c.mux.Handle("POST /console/deliveries/{id}/replay", c.action(c.replayDelivery))
}

type deliveriesData struct {
	Filter    map[string]string
	List      []delivery
	Endpoints []endpoint
	Next      string
	Message   string
}

// deliveryFilters are the list's filters, as the console's and the API's
// query parameters (the period is two datetime-local inputs).
var deliveryFilters = []string{"endpoint_id", "status", "event_type", "event_id", "from", "to"}

func (c *Console) deliveries(k *call) error {
	in := k.r.URL.Query()
	d := deliveriesData{Filter: map[string]string{}}
	q, link := url.Values{"limit": {"50"}}, url.Values{}
	for _, f := range deliveryFilters {
		v := strings.TrimSpace(in.Get(f))
		d.Filter[f] = v
		if v == "" {
			continue
		}
		link.Set(f, v)
		switch f {
		case "from", "to":
			t, err := time.Parse(localTime, v)
			if err != nil {
				d.Message = f + ": not a date and time"
				continue
			}
			name := map[string]string{"from": "created_after", "to": "created_before"}[f]
			q.Set(name, t.UTC().Format(time.RFC3339))
		default:
			q.Set(f, v)
		}
	}
	if a := in.Get("after"); a != "" {
		q.Set("starting_after", a)
	}
	var eps list[endpoint]
	if err := k.api("GET", "/v1/webhooks/endpoints", nil, nil, &eps); err != nil {
		return err
	}
	d.Endpoints = eps.Data
	status := 200
	var l list[delivery]
	if err := k.api("GET", "/v1/webhooks/deliveries", q, nil, &l); err != nil {
		if d.Message, err = formError(err); err != nil {
			return err
		}
		status = 422
	}
	d.List = l.Data
	if cur := last(l); cur != "" {
		link.Set("after", cur)
		d.Next = "/console/deliveries?" + link.Encode()
	}
	k.render(status, "deliveries", "Deliveries", d)
	return nil
}

type deliveryPageData struct {
	Delivery delivery
	Message  string
}

func (c *Console) deliveryPage(k *call) error {
	var d delivery
	if err := k.api("GET", "/v1/webhooks/deliveries/"+url.PathEscape(k.r.PathValue("id")), nil, nil, &d); err != nil {
		return err
	}
	k.render(200, "delivery", "Delivery "+d.ID, deliveryPageData{Delivery: d, Message: k.r.URL.Query().Get("replayed")})
	return nil
}

func (c *Console) replayDelivery(k *call) error {
	id := k.r.PathValue("id")
	var d delivery
	if err := k.api("POST", "/v1/webhooks/deliveries/"+url.PathEscape(id)+"/replay", nil, map[string]any{}, &d); err != nil {
		return err
	}
	if d.ID == "" {
		d.ID = id
	}
	k.redirect("/console/deliveries/" + url.PathEscape(d.ID) + "?replayed=" + url.QueryEscape("Replay of "+id+" queued."))
	return nil
}
