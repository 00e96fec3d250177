package console

import (
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
)

func (c *Console) processRoutes() {
	c.mux.Handle("GET /console/processes", c.page(c.processes))
	c.mux.Handle("GET /console/processes/{id}", c.page(c.processPage))
}

type processesData struct {
	Status, Document, Signer, Code string
	Statuses                       []string
	Page                           springPage[process]
	Prev, Next                     string
	Message, Note                  string
}

var processStatuses = []string{"PENDING", "STARTED", "PAUSED", "COMPLETED", "CANCELED", "EXPIRED", "DECLINED"}

func (c *Console) processes(k *call) error {
	in := k.r.URL.Query()
	d := processesData{Status: in.Get("status"), Document: strings.TrimSpace(in.Get("document")),
		Signer: strings.TrimSpace(in.Get("signer")), Code: strings.TrimSpace(in.Get("code")), Statuses: processStatuses}
	page := in.Get("page")
	if page == "" {
		page = "0"
	}
	q := url.Values{"page": {page}, "size": {"25"}, "sort": {"createdAt,desc"}}
	if d.Status != "" {
		q.Set("processStatus", d.Status)
	}
	path := "/v1/processes"
	if d.Document != "" { // the API lists a document's processes without other filters
		path = "/v1/documents/" + url.PathEscape(d.Document) + "/processes"
		if d.Status != "" || d.Signer != "" || d.Code != "" {
			d.Note = "A document's processes are listed without the other filters."
		}
	}
	if d.Signer != "" {
		q.Set("nameSearch", d.Signer)
	}
	if d.Code != "" {
		q.Set("personalCode", d.Code)
	}
	status := 200
	if err := k.api("GET", path, q, nil, &d.Page); err != nil {
		if d.Message, err = formError(err); err != nil {
			return err
		}
		status = 422
	}
	link := func(n int) string {
		v := url.Values{"page": {itoa(n)}}
		for key, x := range map[string]string{"status": d.Status, "document": d.Document, "signer": d.Signer, "code": d.Code} {
			if x != "" {
				v.Set(key, x)
			}
		}
		return "/console/processes?" + v.Encode()
	}
	if d.Page.Number > 0 {
		d.Prev = link(d.Page.Number - 1)
	}
	if d.Page.Number+1 < d.Page.TotalPages {
		d.Next = link(d.Page.Number + 1)
	}
	k.render(status, "processes", "Processes", d)
	return nil
}

// moment is one line of a process's timeline: an event, an audit record or a
// delivery.
type moment struct {
	At         time.Time
	Kind, What string
	Detail     string
	Href       string
}

type processPageData struct {
	Process  process
	Timeline []moment
	// Partial names what the key's role may not read of the timeline.
	Partial string
	// More links to all the process's events when the timeline shows only
	// the latest.
	More string
}

// timelineEvents bounds the events a timeline shows: each costs one call for
// its deliveries, which counts against the key's rate limit like any call.
const timelineEvents = 20

func (c *Console) processPage(k *call) error {
	id := k.r.PathValue("id")
	d := processPageData{}
	if err := k.api("GET", "/v1/processes/"+url.PathEscape(id), nil, nil, &d.Process); err != nil {
		return err
	}
	var audit springPage[auditRecord]
	if err := k.api("GET", "/v1/auditing-events", url.Values{"processId": {id}, "size": {"100"}}, nil, &audit); err != nil {
		return err
	}
	for _, a := range audit.Content {
		d.Timeline = append(d.Timeline, moment{At: a.CreatedAt, Kind: "audit", What: a.EventType,
			Detail: joinDistinct(a.Creator, a.APIKeyID, a.ClientAppName, a.Note)})
	}
	if k.s.identity.Can("webhooks") {
		var evs list[event]
		if err := k.api("GET", "/v1/events", url.Values{"resource_id": {id}, "limit": {itoa(timelineEvents)}}, nil, &evs); err != nil {
			return err
		}
		if evs.HasMore {
			d.More = "/console/events?" + url.Values{"resource_id": {id}}.Encode()
		}
		for _, e := range evs.Data {
			d.Timeline = append(d.Timeline, moment{At: e.CreatedAt, Kind: "event", What: e.Type, Detail: e.ID,
				Href: "/console/events/" + e.ID})
			var dl list[delivery]
			if err := k.api("GET", "/v1/webhooks/deliveries", url.Values{"event_id": {e.ID}}, nil, &dl); err != nil {
				return err
			}
			for _, x := range dl.Data {
				d.Timeline = append(d.Timeline, moment{At: x.CreatedAt, Kind: "delivery", What: x.State(),
					Detail: x.ID + " → " + x.EndpointID, Href: "/console/deliveries/" + x.ID})
			}
		}
	} else {
		d.Partial = "Events and deliveries are not shown: the " + k.s.identity.Role + " role may not read the event log."
	}
	sort.SliceStable(d.Timeline, func(i, j int) bool { return d.Timeline[i].At.Before(d.Timeline[j].At) })
	k.render(200, "process", "Process "+d.Process.DocumentName, d)
	return nil
}

// joinDistinct joins the non-empty values, each once.
func joinDistinct(vs ...string) string {
	var out []string
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return strings.Join(out, " · ")
}
